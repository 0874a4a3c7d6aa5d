/* exitcodes.h - the exit statuses every builtin shares */

/*
 * One definition of the statuses that mean something other than the
 * command's own, as coreutils keeps them in src/system.h for timeout,
 * env, nice and the rest, so that timeout_run, retry, every, pool,
 * waitany, waitall, killjobs, onchange and detach all say the same
 * thing with the same number (and the help texts' `Exit Status:'
 * sections can be checked against one list):
 *
 *   124  a time limit passed (timeout's status; waitany/waitall -t)
 *   125  the builtin itself failed before or around the command: no
 *        child could be started, or it went missing (timeout's 125)
 *   126  the command was found but could not be run (or, for retry -t
 *        and every -t, could not be forked for lack of processes)
 *   127  the command is not found, or an ID names no job of the shell
 *   128+N  signal N: the command was killed by it, or the shell got it
 *        while the builtin waited (bash's own convention)
 *
 * 137 (128+KILL) is kept apart from 124 as coreutils does: the deadline
 * passed and the command needed KILL.
 */

#ifndef BGTOOLS_EXITCODES_H
#define BGTOOLS_EXITCODES_H

enum {
	EXIT_TIMEDOUT = 124,
	EXIT_CANCELED = 125,
	EXIT_CANNOT_INVOKE = 126,
	EXIT_ENOENT = 127
};

/* The status of a process killed by, or a wait ended by, signal SIG. */
#define EXIT_SIGNAL(sig)	(128 + (sig))

#endif
