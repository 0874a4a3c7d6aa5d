/* progress.h - what a pool shows of its progress, and its jobs' runtimes */

#ifndef BGTOOLS_PROGRESS_H
#define BGTOOLS_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define REMEDIAN_K	999	/* GNU parallel's row length */

/* The counts a progress line is made of. */
struct progress_counts {
	long done, failed, total;	/* total: -1 while unknown */
	long started;			/* jobs started so far (not retries) */
	int running, jobs, ncpu;
	int64_t elapsed;		/* since the pool began, ns */
};

/* --progress, --eta, --progress-every, and the ETA's smoothing. */
struct progress {
	int gnu;			/* --progress or --eta: GNU's lines */
	int eta;			/* --eta */
	int64_t every_ns;		/* --progress-every DURATION */
	int every_pct;			/* --progress-every N% */
	int64_t next_at;		/* the next plain line is due */
	long next_done;			/* ... or once this many are done */
	int64_t first_done;		/* when the first job ended */
	double smoothed;		/* GNU's smoothed average runtime */
	long last_eta;
};

/* A running median (Rousseeuw and Bassett's remedian), for --timeout N%. */
struct remedian {
	double *row[3];
	long n;
	double median;			/* valid once n > 0 */
};

int progress_every_parse(const char *, int64_t *, int *);
void progress_header(const struct progress_counts *, char *, size_t);
void progress_gnu_line(struct progress *, const struct progress_counts *,
    char *, size_t);
void progress_plain_line(const struct progress_counts *, char *, size_t);
int progress_plain_due(struct progress *, const struct progress_counts *,
    int64_t);
void remedian_add(struct remedian *, double);
void remedian_free(struct remedian *);

#endif
