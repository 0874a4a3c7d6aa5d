/* codes.c - sets of exit statuses written as 75,100-110 */

#include <ctype.h>
#include <string.h>

#include "bashapi.h"
#include "codes.h"

/* Empty the set C. */
void
codes_clear(struct codes *c)
{
	memset(c, 0, sizeof(*c));
}

/* Add the statuses LO to HI (both included, clipped to 0..255) to C. */
void
codes_add(struct codes *c, int lo, int hi)
{
	int i;

	if (lo < 0)
		lo = 0;
	if (hi > 255)
		hi = 255;
	for (i = lo; i <= hi; i++)
		c->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

/* Return non-zero if STATUS is in C. */
int
codes_has(const struct codes *c, int status)
{
	if (status < 0 || status > 255)
		return (0);
	return ((c->bits[status / 64] >> (status % 64)) & 1);
}

/* Return non-zero if C holds no status. */
int
codes_empty(const struct codes *c)
{
	return ((c->bits[0] | c->bits[1] | c->bits[2] | c->bits[3]) == 0);
}

/* Read a status 0..255 at *P, moving *P past it; -1 if there is none. */
static int
codes_num(const char **p)
{
	int n, digits;

	n = digits = 0;
	while (isdigit((unsigned char)**p)) {
		n = n * 10 + (**p - '0');
		if (n > 255)
			return (-1);
		(*p)++;
		digits++;
	}
	return (digits ? n : -1);
}

/*
 * The words Debian's retry accepts for its --until: success (true) is 0,
 * fail (false) is every other status.  Return the length of the word
 * that P starts with, filling *LO and *HI, or 0.
 */
static size_t
codes_word(const char *p, int *lo, int *hi)
{
	static const struct {
		const char *w;
		int lo, hi;
	} words[] = {
		{ "success", 0, 0 }, { "true", 0, 0 },
		{ "fail", 1, 255 }, { "false", 1, 255 }
	};
	size_t i, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i].w);
		if (strncmp(p, words[i].w, n) == 0 &&
		    (p[n] == ',' || p[n] == '\0')) {
			*lo = words[i].lo;
			*hi = words[i].hi;
			return (n);
		}
	}
	return (0);
}

/*
 * Parse TEXT, a comma-separated list of exit statuses (0..255), ranges
 * such as 100-110, open ranges such as 100- (up to 255), and the words
 * success, true, fail and false, into C.  Return 0, or -1 for an empty
 * or malformed list (C is then left empty).
 */
int
codes_parse(struct codes *c, const char *text)
{
	const char *p;
	size_t n;
	int lo, hi;

	codes_clear(c);
	p = text;
	do {
		if ((n = codes_word(p, &lo, &hi)) != 0)
			p += n;
		else {
			if ((lo = hi = codes_num(&p)) < 0)
				goto bad;
			if (*p == '-') {
				p++;
				hi = (*p == ',' || *p == '\0') ? 255 :
				    codes_num(&p);
				if (hi < lo)
					goto bad;
			}
		}
		codes_add(c, lo, hi);
	} while (*p++ == ',');
	if (p[-1] == '\0')
		return (0);
bad:
	codes_clear(c);
	return (-1);
}

/*
 * Parse TEXT as codes_parse does; on failure print the bash-style message
 * "BUILTIN: TEXT: invalid exit status list".  Return 0 or -1.
 */
int
codes_arg(struct codes *c, const char *text)
{
	if (codes_parse(c, text) == 0)
		return (0);
	builtin_error("%s: invalid exit status list", text);
	return (-1);
}
