/* fuzz_jobs - pool's -j parser (poolspec_jobs) on any text and CPU count */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "poolspec.h"

/* The count TEXT should give, for plain digits and digits%; 0 if not. */
static long
expected(const char *text, long ncpu)
{
	size_t len, digits;
	long n, v;

	len = strlen(text);
	digits = strspn(text, "0123456789");
	if (digits == 0 || digits > 7 ||
	    !(digits == len || (digits == len - 1 && text[digits] == '%')))
		return (0);
	n = strtol(text, NULL, 10);
	if (digits == len)
		return (n >= 1 && n <= POOLSPEC_MAX_JOBS ? n : -1);
	if (n < 1 || n > 100000)
		return (-1);
	v = ncpu * n / 100;
	v = v < 1 ? 1 : v;
	return (v <= POOLSPEC_MAX_JOBS ? v : -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	long ncpu, want;
	int njobs, r;

	fuzz_open(&in, data, size);
	ncpu = (long)fuzz_param(&in, 2, 3) + 1;
	njobs = -7;
	r = poolspec_jobs(in.text, ncpu, &njobs);
	if (r != 0 && r != -1)
		fuzz_fail(&in, "returns 0 or -1");
	if (r == 0 && (njobs < 1 || njobs > POOLSPEC_MAX_JOBS))
		fuzz_fail(&in, "1 <= jobs <= POOLSPEC_MAX_JOBS");
	if (r != 0 && njobs != -7)
		fuzz_fail(&in, "a refused count stores nothing");
	want = expected(in.text, ncpu);
	if (want > 0 && (r != 0 || njobs != want))
		fuzz_fail(&in, "N and N% give the documented count");
	if (want < 0 && r == 0)
		fuzz_fail(&in, "an out-of-range N or N% is refused");
	fuzz_close(&in);
	return (0);
}
