/* results.h - --results FILE.csv/.tsv/.json records, and --files */

#ifndef BGTOOLS_RESULTS_H
#define BGTOOLS_RESULTS_H

#include <stddef.h>
#include <sys/types.h>

#include "output.h"

#define RES_NONE	0
#define RES_DIR		1	/* --results DIR: pool.c's DIR/SEQ/... */
#define RES_CSV		2
#define RES_TSV		3
#define RES_JSON	4

struct results {
	int fmt;		/* RES_* */
	int fd;			/* the file; -1: records go to stdout */
	off_t end;		/* the file's size after the last whole record */
	char *head;		/* CSV/TSV: the header line, until it is out */
	int headed;		/* ... it is out */
};

/* What a record says of one job. */
struct results_job {
	long seq;
	const char *host;	/* its sshlogin; NULL: `:' */
	double start, runtime;	/* epoch seconds; seconds */
	size_t received;	/* stdout bytes */
	int status, signaled, timed_out;
	const char *cmd;
	char **vals;
	int nvals;
	char **names;		/* --header: the columns' names, or NULL */
	int nnames;
};

int results_format(const char *);
int results_open(struct results *, const char *);
int results_record(struct results *, const struct results_job *,
    struct outcap *);
int results_release(struct results *, struct outcap *);
int results_files(struct outcap *, char **);
void results_close(struct results *);

#endif
