/* codes.h - sets of exit statuses written as 75,100-110 */

#ifndef BGTOOLS_CODES_H
#define BGTOOLS_CODES_H

#include <stdint.h>

/* One bit per exit status 0..255. */
struct codes {
	uint64_t bits[4];
};

void codes_clear(struct codes *);
void codes_add(struct codes *, int, int);
int codes_has(const struct codes *, int);
int codes_empty(const struct codes *);
int codes_parse(struct codes *, const char *);
int codes_arg(struct codes *, const char *);

#endif
