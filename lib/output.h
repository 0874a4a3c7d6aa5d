/* output.h - capture jobs' output and print it whole, in order, tagged */

#ifndef BGTOOLS_OUTPUT_H
#define BGTOOLS_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#define OUT_GROUP	0	/* each job's output printed whole when it ends */
#define OUT_UNGROUP	1	/* jobs write to the shell's stdout/stderr */
#define OUT_LINE	2	/* whole lines as they come */

/* One job's output: two unlinked files (grouped) or two pipes (lines). */
struct outcap {
	int rfd[2];		/* what the parent reads: stdout, stderr */
	int wfd[2];		/* what the child writes (== rfd for files) */
	char *part[2];		/* line mode: an unfinished line */
	size_t plen[2];
	size_t bytes;		/* stdout bytes seen, for the joblog */
	int spliced;		/* pages handed to a pipe: truncate, not rewind */
};

struct output {
	int mode;
	int failed;		/* writing to our stdout failed (EPIPE...) */
	int *spare;		/* recycled file pairs */
	int nspare, capspare;
};

int output_open(struct output *, struct outcap *);
void output_started(struct output *, struct outcap *);
int output_pump(struct output *, struct outcap *, const char *, int);
int output_emit(struct output *, struct outcap *, const char *);
void output_discard(struct output *, struct outcap *);
void output_free(struct output *);
off_t output_length(int);
int output_full(const struct outcap *);
int output_copy(int, int, const char *, size_t *, int *);

#endif
