/* child.h - start a command as a real bash job */

#ifndef BGTOOLS_CHILD_H
#define BGTOOLS_CHILD_H

#include <sys/types.h>

#include "bashapi.h"

#define CHILD_OWNPGRP	0x01	/* own process group: signal the whole tree */
#define CHILD_KEEPSTDIN	0x02	/* keep the shell's stdin, not /dev/null */
#define CHILD_SETBANG	0x04	/* let $! name the child */
#define CHILD_TTY	0x08	/* give it the terminal (job control only) */

struct child_opts {
	int flags;
	/* Run in the child before the command: set variables, move fds. */
	void (*setup)(void *);
	void *arg;
};

pid_t child_spawn(WORD_LIST *, const struct child_opts *, int *);
char *child_text(WORD_LIST *);

#endif
