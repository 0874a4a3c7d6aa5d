/* fuzz.h - what the libFuzzer targets share: the input as a string */

#ifndef BGTOOLS_FUZZ_H
#define BGTOOLS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/*
 * An input is TEXT, the string a parser sees (up to the first NUL), then
 * optional binary parameters after that NUL (a CPU count, a failure
 * count...), read with fuzz_param.  The text is a malloc'd copy of
 * exactly its length plus the NUL, so that ASan catches any overread.
 */
struct fuzz_input {
	char *text;
	const uint8_t *rest;
	size_t nrest;
};

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

void fuzz_open(struct fuzz_input *, const uint8_t *, size_t);
void fuzz_close(struct fuzz_input *);
uint64_t fuzz_param(struct fuzz_input *, size_t, uint64_t);
void fuzz_fail(const struct fuzz_input *, const char *)
    __attribute__((noreturn));

#endif
