/* feed.h - pool --persist's items, in a mapping its processes share */

#ifndef BGTOOLS_FEED_H
#define BGTOOLS_FEED_H

#include <stddef.h>
#include <stdint.h>

/* Where item K's values are: NVALS strings, each ended by a NUL. */
struct feed_item {
	int64_t off;
	int nvals;
};

/* The head of the shared mapping; one writer, many readers. */
struct feed_head {
	long avail;		/* items 0..avail-1 may be read */
	int eof;		/* no more will come: avail is the total */
	int stop;		/* the readers should stop waiting (--halt) */
	int error;		/* the input ended early, after a message */
	int seq;		/* futex word: moves when waiters must look */
	int waiters;		/* readers asleep in feed_wait */
};

/* Where a process has mapped an area ahead of its use (feed_ahead). */
struct feed_mark {
	uintptr_t upto;
};

struct feed {
	struct feed_head *h;
	struct feed_item *idx;
	char *bytes;
	long cap;		/* items it can hold */
	size_t bcap;		/* bytes it can hold */
	void *extra;		/* the caller's: feed_open's FIXED + CAP * PER */
	size_t maplen;
	/* The writer's. */
	long n;			/* items written, published or not */
	size_t blen;
	struct feed_mark wmark[2];	/* the index and bytes it wrote */
	/* Each process's own: feed_vals' array. */
	char **vals;
	int valscap;
};

int feed_open(struct feed *, size_t, size_t);
int feed_put(struct feed *, char **, int);
void feed_publish(struct feed *, int);
void feed_stop(struct feed *);
long feed_wait(struct feed *, long);
char **feed_vals(struct feed *, long, int *);
void feed_ahead(struct feed_mark *, const void *, const void *);
void feed_drop(const void *, const void *, const void *);
void feed_release(struct feed *, long, long);
void feed_close(struct feed *);

#endif
