/* fuzz_codes - codes_parse on any text, against a plain re-reading */

#include <string.h>

#include "codes.h"
#include "fuzz.h"

/* Read digits at *P as a status; 256 for a larger number, -1 for none. */
static int
oracle_num(const char **p)
{
	int n, digits;

	for (n = digits = 0; **p >= '0' && **p <= '9'; (*p)++, digits++)
		if ((n = n * 10 + (**p - '0')) > 255)
			n = 256;
	return (digits ? n : -1);
}

/* Read the item of LEN bytes at P into *LO and *HI; -1 if malformed. */
static int
oracle_item(const char *p, size_t len, int *lo, int *hi)
{
	static const char *const words[] = {
		"success", "true", "fail", "false"
	};
	const char *end = p + len;
	size_t i;

	for (i = 0; i < 4; i++)
		if (strlen(words[i]) == len && strncmp(p, words[i], len) == 0) {
			*lo = i < 2 ? 0 : 1;
			*hi = i < 2 ? 0 : 255;
			return (0);
		}
	if ((*lo = *hi = oracle_num(&p)) < 0 || *lo > 255)
		return (-1);
	if (p < end && *p == '-') {
		p++;
		*hi = p == end ? 255 : oracle_num(&p);
		if (*hi < *lo || *hi > 255)
			return (-1);
	}
	return (p == end ? 0 : -1);
}

/* Split TEXT at commas into C as codes_parse should; 0 or -1. */
static int
oracle(const char *text, struct codes *c)
{
	const char *comma;
	size_t len;
	int lo, hi;

	codes_clear(c);
	for (;;) {
		comma = strchr(text, ',');
		len = comma ? (size_t)(comma - text) : strlen(text);
		if (oracle_item(text, len, &lo, &hi) < 0) {
			codes_clear(c);
			return (-1);
		}
		codes_add(c, lo, hi);
		if (comma == NULL)
			return (0);
		text = comma + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct codes c, want;
	int r, s;

	fuzz_open(&in, data, size);
	r = codes_parse(&c, in.text);
	if (r != 0 && r != -1)
		fuzz_fail(&in, "returns 0 or -1");
	if ((r == 0) == codes_empty(&c))
		fuzz_fail(&in, "a list is never empty, a refused one always");
	if (oracle(in.text, &want) != r || memcmp(&c, &want, sizeof(c)) != 0)
		fuzz_fail(&in, "agrees with the plain re-reading");
	for (s = -300; s < 300; s++)
		if (codes_has(&c, s) && (s < 0 || s > 255))
			fuzz_fail(&in, "holds statuses 0..255 only");
	if (codes_arg(&want, in.text) != r)
		fuzz_fail(&in, "codes_arg agrees with codes_parse");
	fuzz_close(&in);
	return (0);
}
