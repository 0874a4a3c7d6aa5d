/* attempt.h - run a command once: in the shell, or as a timed child job */

#ifndef BGTOOLS_ATTEMPT_H
#define BGTOOLS_ATTEMPT_H

#include <stddef.h>
#include <stdint.h>

#include "bashapi.h"
#include "exitcodes.h"

#define ATTEMPT_DONE		0	/* it ended by itself */
#define ATTEMPT_TIMEDOUT	1	/* stopped at its deadline: 124/137 */
#define ATTEMPT_WATCHED		2	/* stopped: the watched fd was ready */
#define ATTEMPT_SIGNALLED	3	/* stopped: the shell got a signal */
#define ATTEMPT_FAILED		4	/* no child could be started: 125 */
#define ATTEMPT_NOPROC		5	/* out of processes: 126, try again */

struct attempt {
	int64_t deadline;	/* absolute CLOCK_MONOTONIC ns; 0: none */
	int64_t kill_after;	/* KILL this long after SIG; 0: never */
	int sig;		/* sent at the deadline */
	int watchfd;		/* stop the child once readable; -1: none */
	int foreground;		/* the child gets the terminal (job control) */
	void (*say)(void *, int);	/* told each signal sent, or NULL */
	void *sayarg;
	int how;		/* out: ATTEMPT_* */
	int status;		/* out: the child's own status */
};

/*
 * The options retry and every share: how each run is limited.  Their
 * option tables take ATTEMPT_OPTDEFS; attempt_opt applies one of them.
 */
struct attempt_opts {
	int64_t total;		/* -T, 0: none */
	int64_t timeout;	/* -t; -1: run in the shell */
	int64_t kill_after;	/* -k */
	int sig;		/* -s */
	int verbose;		/* -v */
};

#define ATTEMPT_OPTDEFS \
	{ "deadline", 'T', 1 }, \
	{ "kill-after", 'k', 1 }, \
	{ "signal", 's', 1 }, \
	{ "timeout", 't', 1 }, \
	{ "verbose", 'v', 0 }

void attempt_opts_init(struct attempt_opts *);
int attempt_opt(struct attempt_opts *, int, char *);
int attempt_once(const struct attempt_opts *, WORD_LIST *, COMMAND *,
    int64_t, int, int *);
int attempt_findable(const char *);
COMMAND *attempt_prepare(WORD_LIST *);
int attempt_here(COMMAND *, int *);
int attempt_child(WORD_LIST *, struct attempt *);
int attempt_main(const char *, const char *, const char *, int (*)(void *),
    void *);

#endif
