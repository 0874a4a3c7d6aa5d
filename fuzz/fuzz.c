/* fuzz.c - input helpers for the libFuzzer targets */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Split DATA (SIZE bytes) into IN's text and parameters. */
void
fuzz_open(struct fuzz_input *in, const uint8_t *data, size_t size)
{
	const uint8_t *nul;
	size_t len;

	nul = memchr(data, '\0', size);
	len = nul ? (size_t)(nul - data) : size;
	if ((in->text = malloc(len + 1)) == NULL)
		abort();
	memcpy(in->text, data, len);
	in->text[len] = '\0';
	in->rest = nul ? nul + 1 : data + size;
	in->nrest = nul ? size - len - 1 : 0;
}

/* Free what fuzz_open made for IN. */
void
fuzz_close(struct fuzz_input *in)
{
	free(in->text);
	in->text = NULL;
}

/*
 * Take the next N (at most 8) bytes of IN's parameters as a little-endian
 * number; DFLT when fewer than N are left.
 */
uint64_t
fuzz_param(struct fuzz_input *in, size_t n, uint64_t dflt)
{
	uint64_t v;
	size_t i;

	if (n > 8 || in->nrest < n)
		return (dflt);
	for (v = 0, i = 0; i < n; i++)
		v |= (uint64_t)in->rest[i] << (8 * i);
	in->rest += n;
	in->nrest -= n;
	return (v);
}

/*
 * Report that a parser broke the property WHAT on IN's text, and abort:
 * libFuzzer saves the input as a crash artifact.
 */
void
fuzz_fail(const struct fuzz_input *in, const char *what)
{
	fprintf(stderr, "fuzz: property failed: %s\nfuzz: text: \"", what);
	fwrite(in->text, 1, strlen(in->text), stderr);
	fprintf(stderr, "\"\n");
	abort();
}
