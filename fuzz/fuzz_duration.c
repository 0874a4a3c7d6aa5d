/* fuzz_duration - duration_parse and duration_format on any text */

#include <string.h>

#include "duration.h"
#include "fuzz.h"

/* Does TEXT's mantissa (before an exponent) hold a non-zero digit? */
static int
nonzero_mantissa(const char *text)
{
	for (; *text && *text != 'e' && *text != 'E'; text++)
		if (*text >= '1' && *text <= '9')
			return (1);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	int64_t ns, again;
	char buf[64];
	size_t len;
	int r;

	fuzz_open(&in, data, size);
	ns = -7;
	r = duration_parse(in.text, &ns);
	if (r != 0 && r != -1)
		fuzz_fail(&in, "returns 0 or -1");
	if (r == 0) {
		if (ns < 0 || ns > DURATION_MAX_NS)
			fuzz_fail(&in, "0 <= ns <= DURATION_MAX_NS");
		if (ns == 0 && nonzero_mantissa(in.text))
			fuzz_fail(&in, "a positive span is never 0");
		if (duration_parse(in.text, &again) != 0 || again != ns)
			fuzz_fail(&in, "the same text gives the same span");
		len = (size_t)fuzz_param(&in, 1, sizeof(buf)) % (sizeof(buf) + 1);
		memset(buf, 'x', sizeof(buf));
		duration_format(ns, buf, len);
		if (len > 0 && memchr(buf, '\0', len) == NULL)
			fuzz_fail(&in, "duration_format ends its text");
	} else if (ns != -7)
		fuzz_fail(&in, "a refused text stores nothing");
	if (duration_arg(in.text, &ns) != r)
		fuzz_fail(&in, "duration_arg agrees with duration_parse");
	fuzz_close(&in);
	return (0);
}
