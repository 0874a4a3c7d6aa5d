/* fuzz_halt - pool's --halt parser (poolspec_halt) on any text */

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "pool.h"
#include "poolspec.h"

/* Check C's halt fields as a successful parse must leave them. */
static void
check_rule(struct fuzz_input *in, const struct pool_cfg *c)
{
	if (c->halt_when == HALT_NEVER)
		return;
	if (c->halt_when != HALT_SOON && c->halt_when != HALT_NOW)
		fuzz_fail(in, "WHEN is never, soon or now");
	if (c->halt_on != HALT_FAIL && c->halt_on != HALT_SUCCESS &&
	    c->halt_on != HALT_DONE)
		fuzz_fail(in, "ON is fail, success or done");
	if (c->halt_count < 1 || c->halt_count > 1000000000 ||
	    (c->halt_pct && c->halt_count > 100) ||
	    (c->halt_pct != 0 && c->halt_pct != 1))
		fuzz_fail(in, "COUNT is 1..1e9, or 1..100 with %");
}

/* Write C's rule back as text and check that it reads the same. */
static void
check_round_trip(struct fuzz_input *in, const struct pool_cfg *c)
{
	static const char *const whens[] = { "never", "soon", "now" };
	static const char *const ons[] = { "fail", "success", "done" };
	struct pool_cfg again;
	char text[80];

	if (c->halt_when == HALT_NEVER)
		return;
	snprintf(text, sizeof(text), "%s,%s=%ld%s", whens[c->halt_when],
	    ons[c->halt_on], c->halt_count, c->halt_pct ? "%" : "");
	memset(&again, 0, sizeof(again));
	if (poolspec_halt(text, &again) != 0 ||
	    again.halt_when != c->halt_when || again.halt_on != c->halt_on ||
	    again.halt_count != c->halt_count || again.halt_pct != c->halt_pct)
		fuzz_fail(in, "a rule written back reads the same");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct pool_cfg c, before;
	int r;

	fuzz_open(&in, data, size);
	memset(&c, 0x5a, sizeof(c));
	before = c;
	r = poolspec_halt(in.text, &c);
	if (r != 0 && r != -1)
		fuzz_fail(&in, "returns 0 or -1");
	if (r != 0 && memcmp(&c, &before, sizeof(c)) != 0)
		fuzz_fail(&in, "a refused rule changes nothing");
	if (r == 0) {
		check_rule(&in, &c);
		check_round_trip(&in, &c);
	}
	fuzz_close(&in);
	return (0);
}
