/* joblog.h - GNU parallel's --joblog: write it, read it back to resume */

#ifndef BGTOOLS_JOBLOG_H
#define BGTOOLS_JOBLOG_H

#include <stdio.h>

#include "bashapi.h"

#define JOBLOG_UNSEEN	0
#define JOBLOG_OK	1
#define JOBLOG_FAILED	2

struct joblog {
	FILE *fp;
	char *seen;		/* by seq: JOBLOG_OK / JOBLOG_FAILED */
	long nseen;
};

int joblog_open(struct joblog *, const char *, int);
int joblog_commands(const char *, WORD_LIST **);
int joblog_seen(const struct joblog *, long);
void joblog_exit(int, int, int, int *, int *);
void joblog_write(struct joblog *, long, const char *, double, double, size_t,
    int, int, int, const char *);
void joblog_close(struct joblog *);

#endif
