/* duration.c - parse time spans such as 1.5, 250ms, 2s, 1m, 1h, 1d */

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bashapi.h"
#include "duration.h"

/*
 * Parse TEXT as a number of seconds with an optional unit (ms, s, m, h, d),
 * as coreutils timeout and sleep do, and store it in *NS as nanoseconds.
 * Fractions and exponents are accepted; values beyond DURATION_MAX_NS are
 * clamped, never wrapped.  Return 0, or -1 for empty, negative, non-finite
 * or malformed text.
 */
int
duration_parse(const char *text, int64_t *ns)
{
	const char *p;
	char *end;
	double v, mult;

	if (text == NULL || *text == '\0' || isspace((unsigned char)*text))
		return (-1);
	/* strtod takes hex and inf/nan: only plain decimals are durations. */
	for (p = text; *p; p++)
		if (*p == 'x' || *p == 'X' || *p == 'n' || *p == 'N' ||
		    *p == 'i' || *p == 'I' || (*p == '-' && p == text))
			return (-1);
	errno = 0;
	v = strtod(text, &end);
	if (end == text || v < 0 || isnan(v))
		return (-1);
	/* 1e-400 underflows to 0, but it is a positive span: the smallest. */
	if (v == 0 && errno == ERANGE)
		v = DBL_MIN;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1e9;
	else if (strcmp(end, "ms") == 0)
		mult = 1e6;
	else if (strcmp(end, "m") == 0)
		mult = 60e9;
	else if (strcmp(end, "h") == 0)
		mult = 3600e9;
	else if (strcmp(end, "d") == 0)
		mult = 86400e9;
	else
		return (-1);
	v *= mult;
	/* strtod's ERANGE on overflow gives HUGE_VAL: clamp that too. */
	if (v >= (double)DURATION_MAX_NS || isinf(v))
		*ns = DURATION_MAX_NS;
	else
		*ns = (int64_t)v;
	/* A positive span is never "no limit" (0), however small. */
	if (*ns == 0 && v > 0)
		*ns = 1;
	return (0);
}

/*
 * Parse TEXT as duration_parse does; on failure print the bash-style
 * message "BUILTIN: TEXT: invalid duration".  Return 0 or -1.
 */
int
duration_arg(const char *text, int64_t *ns)
{
	if (duration_parse(text, ns) == 0)
		return (0);
	builtin_error("%s: invalid duration", text ? text : "");
	return (-1);
}

/* Return CLOCK_MONOTONIC in nanoseconds. */
int64_t
duration_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

/* Format NS for a message into BUF: "1.8s", "250ms" below 10 ms. */
void
duration_format(int64_t ns, char *buf, unsigned long size)
{
	double s = (double)ns / 1e9;

	if (ns > 0 && ns < 10000000)
		snprintf(buf, size, "%.3gms", (double)ns / 1e6);
	else if (ns % 1000000000 == 0)
		snprintf(buf, size, "%llds", (long long)(ns / 1000000000));
	else if (s < 10)
		snprintf(buf, size, "%.3gs", s);
	else
		snprintf(buf, size, "%.1fs", s);
}
