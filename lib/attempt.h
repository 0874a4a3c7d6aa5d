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

struct attempt {
	int64_t deadline;	/* absolute CLOCK_MONOTONIC ns; 0: none */
	int64_t kill_after;	/* KILL this long after SIG; 0: never */
	int sig;		/* sent at the deadline */
	int watchfd;		/* stop the child once readable; -1: none */
	int how;		/* out: ATTEMPT_* */
};

int attempt_findable(const char *);
COMMAND *attempt_prepare(WORD_LIST *);
int attempt_here(COMMAND *, int *);
int attempt_child(WORD_LIST *, struct attempt *);
int attempt_main(const char *, const char *, const char *, int (*)(void *),
    void *);

#endif
