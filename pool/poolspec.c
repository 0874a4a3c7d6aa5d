/* poolspec.c - pool's -j and --halt values: job counts and halt rules */

/*
 * These parsers take the option's text and nothing from the running
 * shell (the CPU count is an argument), so that the fuzz targets in
 * fuzz/ can drive them without bash.  They write their result only on
 * success.
 */

#include <stdint.h>
#include <string.h>

#include "bashapi.h"
#include "pool.h"
#include "poolspec.h"
#include "words.h"

/*
 * Parse TEXT, the argument of -j: N jobs, N% of NCPU (at least 1), or
 * +N / -N, NCPU plus or minus N.  On success store the count, from 1 to
 * POOLSPEC_MAX_JOBS, in *NJOBS and return 0; otherwise return -1.
 */
int
poolspec_jobs(const char *text, long ncpu, int *njobs)
{
	intmax_t n;
	size_t len;
	char num[32];
	long v;

	if (ncpu < 1)
		ncpu = 1;
	len = strlen(text);
	if (len == 0 || len >= sizeof(num))
		return (-1);
	memcpy(num, text, len + 1);
	if (num[len - 1] == '%')
		num[len - 1] = '\0';
	if (!legal_number(num[0] == '+' ? num + 1 : num, &n))
		return (-1);
	if (text[len - 1] == '%') {
		v = n > 0 && n <= 100000 ? (long)(ncpu * n / 100) : -1;
		if (v == 0)
			v = 1;
	} else if (text[0] == '+' || text[0] == '-')
		v = n > -100000 && n < 100000 ? ncpu + (long)n : -1;
	else
		v = n >= 1 && n <= POOLSPEC_MAX_JOBS ? (long)n : -1;
	if (v < 1 || v > POOLSPEC_MAX_JOBS)
		return (-1);
	*njobs = (int)v;
	return (0);
}

static const struct word_value poolspec_whens[] = {
	{ "soon", HALT_SOON }, { "now", HALT_NOW }, { NULL, 0 }
};

static const struct word_value poolspec_ons[] = {
	{ "fail", HALT_FAIL }, { "success", HALT_SUCCESS },
	{ "done", HALT_DONE }, { NULL, 0 }
};

/*
 * Parse TEXT, the argument of --halt: WHEN,ON=COUNT or WHEN,ON=COUNT%
 * (WHEN now or soon; ON fail, success or done; COUNT from 1, at most
 * 100%), or never / 0, 1 (soon,fail=1), 2 (now,fail=1).  On success set
 * C's halt_when, halt_on, halt_count and halt_pct and return 0;
 * otherwise return -1 and leave C alone.
 */
int
poolspec_halt(const char *text, struct pool_cfg *c)
{
	char buf[64], *on, *count;
	int when, what, pct;
	intmax_t n;
	size_t len;

	if (strcmp(text, "never") == 0 || strcmp(text, "0") == 0) {
		c->halt_when = HALT_NEVER;
		return (0);
	}
	if (strcmp(text, "1") == 0 || strcmp(text, "2") == 0) {
		c->halt_when = text[0] == '1' ? HALT_SOON : HALT_NOW;
		c->halt_on = HALT_FAIL;
		c->halt_count = 1;
		c->halt_pct = 0;
		return (0);
	}
	len = strlen(text);
	if (len >= sizeof(buf))
		return (-1);
	memcpy(buf, text, len + 1);
	if ((on = strchr(buf, ',')) == NULL)
		return (-1);
	*on++ = '\0';
	if ((count = strchr(on, '=')) == NULL)
		return (-1);
	*count++ = '\0';
	len = strlen(count);
	if ((pct = len > 0 && count[len - 1] == '%'))
		count[len - 1] = '\0';
	if (word_lookup(poolspec_whens, buf, &when) < 0 ||
	    word_lookup(poolspec_ons, on, &what) < 0 || !legal_number(count, &n) || n < 1 ||
	    (pct && n > 100) || n > 1000000000)
		return (-1);
	c->halt_when = when;
	c->halt_on = what;
	c->halt_count = (long)n;
	c->halt_pct = pct;
	return (0);
}
