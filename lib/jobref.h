/* jobref.h - name background jobs, read their fate, consume them once */

#ifndef BGTOOLS_JOBREF_H
#define BGTOOLS_JOBREF_H

#include <sys/types.h>

#include "bashapi.h"

enum jobref_state {
	JOBREF_RUNNING,		/* still running */
	JOBREF_STOPPED,		/* stopped (job control): cannot end by itself */
	JOBREF_DONE,		/* ended; status is valid */
	JOBREF_GONE		/* not a job of this shell (any more) */
};

struct jobref {
	pid_t pid;		/* the job's last process, as $! */
	int job;		/* index in bash's job table, or NO_JOB */
	int status;		/* exit status once done */
	const char *word;	/* the id the user gave, for messages */
};

#define JOBREF_OWNED	0x100	/* ledger flag: a bgtools worker, not the user's */

/* jobref_parse flags */
#define JOBREF_SKIPDONE		0x01	/* leave out jobs bgtools reported */
#define JOBREF_SKIPUNKNOWN	0x02	/* leave out ids of no job, as `wait' */

struct proctree;

int jobref_parse(WORD_LIST *, struct jobref **, int *, int);
int jobref_all(struct jobref **, int *);
int jobref_state(struct jobref *);
int jobref_consumed(pid_t);
void jobref_consume(struct jobref *, int);
void jobref_own(pid_t, int);
void jobref_sync(void);
int jobref_signal(struct jobref *, int);
int jobref_roots(struct jobref *, struct proctree *);
int jobref_known(pid_t);
int jobref_ownpgrp(const struct jobref *);
int jobref_foreign(int);
void jobref_loaded(void);

#endif
