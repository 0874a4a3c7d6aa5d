/* backoff.h - exponential backoff with jitter: the delay between tries */

#ifndef BGTOOLS_BACKOFF_H
#define BGTOOLS_BACKOFF_H

#include <stdint.h>

enum {
	BACKOFF_FULL,		/* uniform in [0, d] */
	BACKOFF_EQUAL,		/* uniform in [d/2, d] */
	BACKOFF_NONE,		/* exactly d */
	BACKOFF_FRACTION	/* uniform in [(1-fraction)d, d] */
};

struct backoff {
	int64_t first_ns;	/* delay after the first failure */
	int64_t max_ns;		/* cap on the delay before jitter */
	double factor;		/* growth per failure, >= 1 */
	int jitter;		/* BACKOFF_* */
	double fraction;	/* for BACKOFF_FRACTION: 0..1 */
	uint64_t rng;		/* generator state, never 0 */
};

void backoff_init(struct backoff *);
int backoff_jitter_parse(struct backoff *, const char *);
int backoff_factor_parse(struct backoff *, const char *);
double backoff_random(struct backoff *);
int64_t backoff_delay(struct backoff *, int);

#endif
