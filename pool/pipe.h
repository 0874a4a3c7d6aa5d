/* pipe.h - pool --pipe and --pipepart: input cut into blocks of records */

#ifndef BGTOOLS_PIPE_H
#define BGTOOLS_PIPE_H

#include <poll.h>
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PIPE_OFF	0
#define PIPE_STDIN	1	/* --pipe: blocks of stdin, spooled */
#define PIPE_PART	2	/* --pipepart: ranges of a regular file */

#define PIPE_BLOCK	1	/* pipe_next: a block is ready */
#define PIPE_WAIT	2	/* ... stdin has nothing to read yet */
#define PIPE_EOF	0	/* ... no more blocks */
#define PIPE_ERR	(-1)	/* ... reading or spooling failed (errno) */

#define PIPE_BLOCK_MAX	((int64_t)1 << 30)

/* What separates records: END then START (either may be empty). */
struct pipe_rec {
	const char *end, *start;
	size_t elen, slen;
	regex_t *re;			/* --regexp: (END)START; else NULL */
};

#define PIPE_RE_SPAN	1024	/* --regexp: a separator's bytes, at most */

/* The options, as parsed (the strings belong to the caller). */
struct pipe_opts {
	int mode;			/* PIPE_OFF, PIPE_STDIN, PIPE_PART */
	int64_t block;			/* --block, bytes */
	long nrec;			/* -N: records a block; 0: by size */
	long hlines;			/* --header: lines atop each block */
	const char *recend, *recstart;	/* NULL: not given */
	const char *file;		/* --pipepart: the file */
	int rr;				/* --roundrobin: the jobs, or 0 */
	int regexp;			/* --regexp */
};

/* One block: a spool (--pipe) or a range of the file (--pipepart). */
struct pipe_blk {
	int fd;				/* the spool, > 0; 0: none */
	off_t start, end;		/* --pipepart: [start, end) */
	int part;			/* it is a range */
	int in, copy;			/* --pipepart, while its job starts: its
					   stdin; the pipe end a helper fills,
					   or 0 (see pipe_blk_open) */
	int rrfd;			/* --roundrobin: a pipe, > 0; 0: none */
};

struct pipe_in {
	int mode;
	struct pipe_rec rec;
	int64_t block;
	long nrec, hlines;
	int fd;				/* stdin's dup, or the file */
	char *buf;			/* buf[beg..len): read, not spooled */
	size_t beg, len, cap;
	int eof;
	char *head;			/* --header: its bytes */
	size_t hlen;
	int hdone;
	int out;			/* the block being spooled, or -1 */
	size_t from, last, tgt;		/* offsets from beg */
	long found;			/* cuts seen in this block */
	size_t inblock;			/* bytes of it spooled */
	off_t pos, size;		/* --pipepart: next range, file size */
	int rr, rrgiven, rrnext;	/* --roundrobin: jobs, handed, next */
	int rrkid;			/* we are its feeder process */
	int rrcur;			/* the job the block goes to */
	int rrdrop;			/* it has gone within the block */
	int *rrfd;			/* [0..rr): read ends, then write */
	char *rrhead;			/* a pipe has had the header */
	struct pollfd *rrpoll;		/* the feeder's: the pipes, stdin */
};

int pipe_size_parse(const char *, int64_t *);
int pipe_header_parse(const char *, long *);
size_t pipe_unescape(char *);
size_t pipe_cut_next(const char *, size_t, size_t, const struct pipe_rec *);
size_t pipe_cut_last(const char *, size_t, const struct pipe_rec *);
int pipe_rec_regex(struct pipe_rec *, const char *, const char *);
void pipe_rec_free(struct pipe_rec *);
int pipe_open(struct pipe_in *, const struct pipe_opts *, int);
int pipe_next(struct pipe_in *, struct pipe_blk *);
void pipe_blk_close(struct pipe_blk *);
int pipe_blk_open(const struct pipe_in *, struct pipe_blk *);
void pipe_blk_started(struct pipe_blk *);
void pipe_child(const struct pipe_in *, const struct pipe_blk *);
void pipe_close(struct pipe_in *);

#endif
