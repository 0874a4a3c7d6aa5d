/* fuzz_pipe - pool --pipe's record cutting and option parsers on any text */

/*
 * Properties: pipe_cut_next finds the first record boundary at or after
 * FROM and pipe_cut_last the last one, as a plain scan of every position
 * finds them (END ends there, START begins there, both inside the
 * buffer, never at 0); cutting a buffer at every boundary in turn gives
 * pieces that put together are the buffer again.  pipe_size_parse gives
 * 1..PIPE_BLOCK_MAX or fails; pipe_header_parse 0..1e6 lines or fails;
 * pipe_unescape never makes a string longer.  The text is the buffer
 * and the separators are cut from its start by two parameter bytes.
 */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pipe.h"

/* pipe.c spools with it; nothing here spools. */
int output_tmpfile(void);

int
output_tmpfile(void)
{
	return (-1);
}

static int
naive_cut(const char *b, size_t len, size_t p, const struct pipe_rec *r)
{
	return (p >= 1 && p >= r->elen && p + r->slen <= len &&
	    memcmp(b + p - r->elen, r->end, r->elen) == 0 &&
	    memcmp(b + p, r->start, r->slen) == 0);
}

/* Check both cutters against a scan of every position of B. */
static void
check_cuts(struct fuzz_input *in, const char *b, size_t len,
    const struct pipe_rec *r, size_t from)
{
	size_t p, want, last, sum;

	for (want = 0, p = from ? from : 1; p <= len && !want; p++)
		if (naive_cut(b, len, p, r))
			want = p;
	if (pipe_cut_next(b, len, from, r) != want)
		fuzz_fail(in, "pipe_cut_next is the first boundary from FROM");
	for (last = 0, p = 1; p <= len; p++)
		if (naive_cut(b, len, p, r))
			last = p;
	if (r->elen == 0 && r->slen == 0)
		last = len;
	if (pipe_cut_last(b, len, r) != last)
		fuzz_fail(in, "pipe_cut_last is the last boundary");
	/* Every boundary in turn: the pieces cover the buffer once. */
	for (sum = 0, p = 0; (want = pipe_cut_next(b, len, p + 1, r)) != 0 &&
	    r->elen + r->slen > 0; p = want) {
		if (want <= p)
			fuzz_fail(in, "boundaries go forward");
		sum += want - p;
	}
	if (sum != p)
		fuzz_fail(in, "the pieces put together are the buffer");
}

/*
 * --regexp: the first few bytes of the input as --recend, the rest the
 * buffer cut: a boundary is inside it and past FROM.
 */
static void
fuzz_regexp(struct fuzz_input *in, size_t len, size_t from)
{
	struct pipe_rec r;
	size_t n, p, q;
	char *e;

	n = len < 3 ? len : 3;
	if ((e = strndup(in->text, n)) == NULL)
		return;
	memset(&r, 0, sizeof(r));
	if (pipe_rec_regex(&r, e, "") == 0) {
		p = pipe_cut_next(in->text, len, from, &r);
		q = pipe_cut_last(in->text, len, &r);
		if (p > len || q > len || (p != 0 && p < from))
			fuzz_fail(in, "a --regexp boundary lies in the buffer");
		pipe_rec_free(&r);
	}
	free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in;
	struct pipe_rec r;
	int64_t block;
	long lines;
	size_t len, from;
	char *copy;

	fuzz_open(&in, data, size);
	len = strlen(in.text);
	if (pipe_size_parse(in.text, &block) == 0 &&
	    (block < 1 || block > PIPE_BLOCK_MAX))
		fuzz_fail(&in, "a block size is 1..PIPE_BLOCK_MAX");
	if (pipe_header_parse(in.text, &lines) == 0 &&
	    (lines < 0 || lines > 1000000))
		fuzz_fail(&in, "a header is 0..1e6 lines");
	copy = strdup(in.text);
	if (pipe_unescape(copy) > len)
		fuzz_fail(&in, "unescaping makes nothing longer");
	free(copy);
	memset(&r, 0, sizeof(r));
	r.elen = fuzz_param(&in, 1, 1) % 4;
	r.slen = fuzz_param(&in, 1, 0) % 3;
	from = fuzz_param(&in, 2, 0) % (len + 2);
	if (r.elen + r.slen <= len) {
		r.end = in.text;
		r.start = in.text + r.elen;
		check_cuts(&in, in.text, len, &r, from);
	}
	fuzz_regexp(&in, len, from);
	fuzz_close(&in);
	return (0);
}
