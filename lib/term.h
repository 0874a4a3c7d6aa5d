/* term.h - stop jobs and what they leave: signal, grace period, KILL */

#ifndef BGTOOLS_TERM_H
#define BGTOOLS_TERM_H

#include <stdint.h>
#include <sys/types.h>

#include "jobref.h"
#include "waitset.h"

#define TERM_KILLED	0x01	/* a job itself needed SIGKILL */
#define TERM_STRAGGLERS	0x02	/* only what the jobs left needed it */

#define TERM_FOREVER	(-1)	/* grace: wait for the jobs themselves */
#define TERMSEQ_MAX	16	/* steps of a --termseq */

/* A stop: send SIG[0], wait up to NS[0], send SIG[1], ... (--termseq). */
struct termseq {
	int n;
	int sig[TERMSEQ_MAX];
	int64_t ns[TERMSEQ_MAX];
};

int signal_arg(const char *, int *);
int termseq_parse(const char *, struct termseq *);
int term_jobs(struct waitset *, struct jobref *, int, int, int64_t);
int term_jobs_seq(struct waitset *, struct jobref *, int,
    const struct termseq *);
void term_leftovers(int64_t);
int term_process(struct waitset *, pid_t, unsigned long long, int, int64_t);

#endif
