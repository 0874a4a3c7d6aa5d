/* report.h - for CI: log sections around each job's output, JUnit XML */

#ifndef BGTOOLS_REPORT_H
#define BGTOOLS_REPORT_H

#include <stddef.h>
#include <stdio.h>

#define CI_NONE		0
#define CI_GITHUB	1	/* ::group::TITLE ... ::endgroup:: */
#define CI_GITLAB	2	/* section_start:... section_end:... */
#define CI_AUTO		3	/* from GITHUB_ACTIONS / GITLAB_CI */

#define REPORT_TAIL	4096	/* bytes of a failed job's stderr kept */

/* One finished job, as the report sees it. */
struct report_job {
	long seq;
	const char *name;	/* the tag, else the command */
	double start;		/* wall clock, seconds */
	double secs;		/* run time */
	int status, signaled, timed_out;
	const char *tail;	/* the end of its stderr (not NUL-ended) */
	size_t ntail;
};

struct report {
	int ci;			/* CI_NONE, CI_GITHUB, CI_GITLAB */
	char *junit;		/* --junit FILE, or NULL */
	FILE *out;		/* ... opened at the start */
	int body;		/* the <testcase>s so far, unlinked (with out) */
	int failed;		/* errno of a failed write to body */
	long n, nfail;
	double t0, secs;	/* the pool's start, the jobs' time */
};

struct rbuf {
	char *s;
	size_t len, cap;
};

int report_ci_parse(const char *, int *);
int report_ci_resolve(int, const char *, const char *);
void report_xml(struct rbuf *, const char *, size_t);
void report_title(struct rbuf *, const struct report_job *);
char *report_head(int, const struct report_job *);
char *report_foot(int, const struct report_job *);
int report_open(struct report *, int, const char *);
void report_job(struct report *, const struct report_job *);
int report_close(struct report *);
void report_color(long, char *, size_t);
void report_free(struct report *);

#endif
