/* backoff.c - exponential backoff with jitter: the delay between tries */

/*
 * The delay after the n-th failure is min(max, first * factor^(n-1)),
 * then jitter takes a random part of it away: full jitter draws from
 * [0, d], equal jitter from [d/2, d], a fraction F from [(1-F)d, d].
 * Jitter only ever shortens a delay, so the cap stays a cap, and "full"
 * is what spreads many clients retrying the same server best (AWS's
 * "Exponential Backoff And Jitter").  The power is taken by squaring in
 * double precision, where overflow saturates to infinity and then to
 * the cap: no libm, no int64 overflow, whatever the failure count.
 *
 * Pure arithmetic: the sleep itself is waitset_pause's.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bashapi.h"
#include "backoff.h"
#include "duration.h"

/*
 * Fill B with the defaults: 1s first delay, factor 2, 60s cap, full
 * jitter, and a generator seeded from the clock and the pid, so that
 * shells started together do not draw the same delays.
 */
void
backoff_init(struct backoff *b)
{
	struct timespec ts;

	memset(b, 0, sizeof(*b));
	b->first_ns = 1000000000LL;
	b->max_ns = 60 * 1000000000LL;
	b->factor = 2.0;
	b->jitter = BACKOFF_FULL;
	b->fraction = 1.0;
	clock_gettime(CLOCK_REALTIME, &ts);
	b->rng = ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec) ^
	    ((uint64_t)getpid() << 32);
}

/* Return a uniform double in [0, 1) from B's generator (splitmix64). */
double
backoff_random(struct backoff *b)
{
	uint64_t z;

	z = (b->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) * 0x1.0p-53);
}

/* Return TEXT as a plain decimal number (no hex, inf, nan), or -1. */
static double
backoff_number(const char *text)
{
	char *end;
	double v;

	if (*text == '\0' || strspn(text, "0123456789.eE+") != strlen(text))
		return (-1);
	errno = 0;
	v = strtod(text, &end);
	if (*end != '\0' || errno == ERANGE)
		return (-1);
	return (v);
}

/*
 * Set B's jitter from TEXT: "full", "equal", "none", or a fraction from 0
 * to 1 of the delay that may be taken away.  Return 0, or -1 if TEXT is
 * none of these (B is unchanged).
 */
int
backoff_jitter_parse(struct backoff *b, const char *text)
{
	double f;

	if (strcmp(text, "full") == 0) {
		b->jitter = BACKOFF_FULL;
		b->fraction = 1.0;
	} else if (strcmp(text, "equal") == 0) {
		b->jitter = BACKOFF_EQUAL;
		b->fraction = 0.5;
	} else if (strcmp(text, "none") == 0) {
		b->jitter = BACKOFF_NONE;
		b->fraction = 0.0;
	} else {
		if ((f = backoff_number(text)) < 0 || f > 1)
			return (-1);
		b->jitter = BACKOFF_FRACTION;
		b->fraction = f;
	}
	return (0);
}

/* Set B's factor from TEXT, a number >= 1.  Return 0, or -1. */
int
backoff_factor_parse(struct backoff *b, const char *text)
{
	double f;

	if ((f = backoff_number(text)) < 1)
		return (-1);
	b->factor = f;
	return (0);
}

/* X to the power N by squaring; overflow gives infinity, not UB. */
static double
backoff_pow(double x, unsigned int n)
{
	double r;

	r = 1.0;
	while (n) {
		if (n & 1)
			r *= x;
		x *= x;
		n >>= 1;
	}
	return (r);
}

/*
 * Return the delay in nanoseconds after the FAILURES-th failed attempt
 * (1-based): min(max, first * factor^(FAILURES-1)), less B's jitter.
 * Draws from B's generator unless the jitter is none.  Never negative.
 */
int64_t
backoff_delay(struct backoff *b, int failures)
{
	double d, f;

	if (failures < 1)
		failures = 1;
	if (b->first_ns <= 0 || b->max_ns <= 0)
		return (0);
	d = (double)b->first_ns * backoff_pow(b->factor,
	    (unsigned int)failures - 1);
	if (!(d < (double)b->max_ns))	/* also catches inf and nan */
		d = (double)b->max_ns;
	switch (b->jitter) {
	case BACKOFF_FULL:
		f = 1.0;
		break;
	case BACKOFF_EQUAL:
		f = 0.5;
		break;
	case BACKOFF_FRACTION:
		f = b->fraction;
		break;
	default:
		f = 0.0;
		break;
	}
	if (f > 0)
		d -= d * f * backoff_random(b);
	/* The cap as a double may round up past it: compare as integers. */
	if (!(d > 0))
		return (0);
	return ((int64_t)d < b->max_ns ? (int64_t)d : b->max_ns);
}
