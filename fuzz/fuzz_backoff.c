/* fuzz_backoff - the jitter and factor parsers, then the delays they give */

#include <math.h>
#include <string.h>

#include "backoff.h"
#include "duration.h"
#include "fuzz.h"

/* Check that B's delays after 1..64 failures (and a few more) stay in
   0..max, drawing the jitter from B's generator. */
static void
check_delays(struct fuzz_input *in, struct backoff *b)
{
	static const int many[] = { 100, 1000, 65536, 1 << 30, 0x7fffffff };
	int64_t d;
	size_t i;
	int n;

	for (n = 0; n < 64 + 5; n++) {
		d = backoff_delay(b, n < 64 ? n : many[n - 64]);
		if (d < 0)
			fuzz_fail(in, "a delay is never negative");
		if (b->max_ns > 0 && d > b->max_ns)
			fuzz_fail(in, "a delay never passes the cap");
		if ((b->first_ns <= 0 || b->max_ns <= 0) && d != 0)
			fuzz_fail(in, "no first delay or no cap: no delay");
	}
	for (i = 0; i < 8; i++)
		if (backoff_random(b) < 0 || backoff_random(b) >= 1)
			fuzz_fail(in, "backoff_random is in [0, 1)");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct backoff b, before;
	int r;

	fuzz_open(&in, data, size);
	backoff_init(&b);
	b.first_ns = (int64_t)fuzz_param(&in, 8, 1000000000) %
	    (DURATION_MAX_NS + 1);
	b.max_ns = (int64_t)fuzz_param(&in, 8, 60000000000) %
	    (DURATION_MAX_NS + 1);
	b.rng = fuzz_param(&in, 8, b.rng);
	before = b;
	r = backoff_jitter_parse(&b, in.text);
	if (r == 0 && (b.jitter < BACKOFF_FULL || b.jitter > BACKOFF_FRACTION ||
	    !(b.fraction >= 0 && b.fraction <= 1)))
		fuzz_fail(&in, "jitter is a mode and a fraction in 0..1");
	if (r != 0 && memcmp(&b, &before, sizeof(b)) != 0)
		fuzz_fail(&in, "a refused jitter changes nothing");
	before = b;
	r = backoff_factor_parse(&b, in.text);
	if (r == 0 && !(b.factor >= 1 && isfinite(b.factor)))
		fuzz_fail(&in, "a factor is finite and at least 1");
	if (r != 0 && memcmp(&b, &before, sizeof(b)) != 0)
		fuzz_fail(&in, "a refused factor changes nothing");
	check_delays(&in, &b);
	fuzz_close(&in);
	return (0);
}
