/* duration.h - parse time spans such as 1.5, 250ms, 2s, 1m, 1h, 1d */

#ifndef BGTOOLS_DURATION_H
#define BGTOOLS_DURATION_H

#include <stdint.h>

/* The longest span we keep: about 146 years, far below INT64_MAX. */
#define DURATION_MAX_NS	((int64_t)1 << 62)

int duration_parse(const char *, int64_t *);
int duration_arg(const char *, int64_t *);
int64_t duration_now(void);
void duration_format(int64_t, char *, unsigned long);

#endif
