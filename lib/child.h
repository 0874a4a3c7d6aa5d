/* child.h - start a command as a real bash job */

#ifndef BGTOOLS_CHILD_H
#define BGTOOLS_CHILD_H

#include <stdint.h>
#include <sys/types.h>

#include "bashapi.h"

#define CHILD_OWNPGRP	0x01	/* own process group: signal the whole tree */
#define CHILD_KEEPSTDIN	0x02	/* keep the shell's stdin, not /dev/null */
#define CHILD_SETBANG	0x04	/* let $! name the child */
#define CHILD_TTY	0x08	/* give it the terminal (job control only) */
#define CHILD_LEAVE	0x10	/* leave what a forked child leaves running */
#define CHILD_FORK	0x20	/* always fork: setup applies to every job */
#define CHILD_SHELLPGRP	0x40	/* the shell's group, under set -m too */

/* How long what a forked child leaves running gets between TERM and KILL. */
#define CHILD_GRACE_NS	(1000LL * 1000000)

struct child_opts {
	int flags;
	/* Dup'ed onto fds 1 and 2 in the child when > 0 (0 is never a capture). */
	int outfd, errfd;
	/* NAME=VALUE strings exported to the command; NULL-terminated. */
	char **env;
	/* TERM to KILL for what a forked child leaves (0: CHILD_GRACE_NS). */
	int64_t grace;
	/*
	 * Run in a forked child before the command (a function or builtin,
	 * or a disk command that could not be spawned directly); a spawned
	 * disk command needs only the fields above and close-on-exec.
	 */
	void (*setup)(void *);
	void *arg;
};

pid_t child_spawn(WORD_LIST *, const struct child_opts *, int *);
char *child_text(WORD_LIST *);
pid_t child_detach(WORD_LIST *, const struct child_opts *);

#endif
