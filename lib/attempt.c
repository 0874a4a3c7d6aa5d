/* attempt.c - run a command once: in the shell, or as a timed child job */

/*
 * retry and every run the same command again and again, in one of two
 * ways.
 *
 * In the shell: the words (already expanded once, so CMD_INHIBIT_EXPANSION)
 * become a simple command run with CMD_IGNORE_RETURN, the flag bash puts
 * on the test of `if cmd; then': a failing attempt triggers neither
 * `set -e' nor the ERR trap, also inside a function, and eval, source
 * and command turn errexit off for their contents as they do under `if'.
 * Variables a function sets survive.  loop_level is raised meanwhile, as
 * for a `while' loop body, because bash only turns a foreground job's
 * death by SIGINT into an interrupt of the shell when it runs a loop (or
 * a list): Ctrl-C then stops the whole retry, not just one attempt.
 *
 * As a child job: exactly timeout_run's way (lib/child.c, lib/term.c):
 * its own process group, and a deadline or a signal stops its whole tree;
 * 124 on timeout, 137 when KILL was needed; what an attempt leaves running
 * when it ends is stopped too, so that attempts never pile up.  It may
 * also be stopped when a watched descriptor (a pidfd) becomes readable.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bashapi.h"
#include "attempt.h"
#include "child.h"
#include "duration.h"
#include "jobref.h"
#include "term.h"
#include "vars.h"
#include "waitset.h"

/* What a child gets after a signal or a watched fd before KILL. */
#define ATTEMPT_GRACE_NS	(1000LL * 1000000)

/*
 * Return 1 if NAME is a function, a builtin, a path, or a command found in
 * PATH; else print "NAME: command not found" and return 0, so that nothing
 * is run (or retried) in vain.
 */
int
attempt_findable(const char *name)
{
	char *path;

	if (find_function((char *)name) || find_shell_builtin((char *)name) ||
	    strchr(name, '/'))
		return (1);
	path = search_for_command(name, 0);
	if (path == NULL) {
		builtin_error("%s: command not found", name);
		return (0);
	}
	free(path);
	return (1);
}

/*
 * Make the command that attempt_here runs, from WORDS, once for every
 * attempt (bash runs a loop body's command tree again and again the same
 * way).  Until the caller's unwind frame is run, the command is kept and
 * loop_level is raised, as in a loop body.
 */
COMMAND *
attempt_prepare(WORD_LIST *words)
{
	COMMAND *cmd;

	cmd = bg_make_simple();
	cmd->value.Simple->words = copy_word_list(words);
	cmd->flags |= CMD_INHIBIT_EXPANSION | CMD_IGNORE_RETURN;
	cmd->value.Simple->flags |= CMD_INHIBIT_EXPANSION | CMD_IGNORE_RETURN;
	bg_unwind(dispose_command, cmd);
	unwind_protect_int(loop_level);
	loop_level++;
	return (cmd);
}

/* The first trapped signal that arrived while attempt_here ran, or 0. */
static volatile sig_atomic_t here_sig;

/* In place of trap_handler while attempt_here runs: note SIG, then trap. */
static void
attempt_trapped(int sig)
{
	if (here_sig == 0)
		here_sig = sig;
	trap_handler(sig);
}

/*
 * Put attempt_trapped (ON) in front of, or take it away from, bash's
 * trap_handler for every trapped signal but CHLD.
 */
static void
attempt_watch_traps(int on)
{
	struct sigaction sa;
	int sig;

	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGCHLD || !signal_is_trapped(sig) ||
		    sigaction(sig, NULL, &sa) < 0)
			continue;
		if (on ? sa.sa_handler != (void (*)(int))trap_handler :
		    sa.sa_handler != attempt_trapped)
			continue;
		sa.sa_handler = on ? attempt_trapped :
		    (void (*)(int))trap_handler;
		sigaction(sig, &sa, NULL);
	}
}

/*
 * Run CMD (from attempt_prepare) in the current shell as `if WORDS; then'
 * would, and return its status.  A signal that interrupts the shell
 * unwinds past us (QUIT) after running the unwind-protects.  A trapped
 * signal is run by bash itself while CMD runs (its trap fires there and
 * pending_traps is clear again when CMD returns), so we watch the trap
 * handler: *SIGP is the first trapped signal that came, or 0; the caller
 * then stops with 128+N, as it does when one comes while it sleeps.
 */
int
attempt_here(COMMAND *cmd, int *sigp)
{
	sh_builtin_func_t *self;
	char *name;
	int status, sig;

	name = this_command_name;
	self = this_shell_builtin;
	here_sig = 0;
	attempt_watch_traps(1);
	/* One that came before the watch: bash would run it inside CMD. */
	for (sig = 1; sig < NSIG && here_sig == 0; sig++)
		if (pending_traps[sig] && sig != SIGCHLD)
			here_sig = sig;
	status = here_sig ? EXIT_SIGNAL(here_sig) : execute_command(cmd);
	attempt_watch_traps(0);
	*sigp = here_sig;
	/*
	 * Be ourselves again: messages name us, and bash's signal handlers
	 * must not take us for a `wait' the command ran.
	 */
	this_command_name = name;
	this_shell_builtin = self;
	/* A bare `break' or `continue' as the command ends nothing but it. */
	breaking = continuing = 0;
	return (status);
}

/*
 * Stop R's job with SIG, KILL after A's grace (or GRACE); return the
 * term_jobs flags.  A's say hears of SIG and of a KILL (timeout_run -v).
 */
static int
attempt_stop(struct waitset *w, struct jobref *r, const struct attempt *a,
    int sig, int64_t grace)
{
	int t;

	if (a->say)
		a->say(a->sayarg, sig);
	t = term_jobs(w, r, 1, sig, a->kill_after ? a->kill_after : grace);
	if (t && a->say)
		a->say(a->sayarg, SIGKILL);
	return (t);
}

/*
 * Wait in W for R's job to end, A's deadline, A's watched fd or a signal
 * (stored in *SIGP).  Return the job state; set A->how and, after a
 * timeout, *TIMEDOUT to the status it calls for.
 */
static int
attempt_wait(struct waitset *w, struct jobref *r, struct attempt *a,
    int *sigp, int *timedout)
{
	int st;

	*sigp = *timedout = 0;
	while ((st = jobref_state(r)) != JOBREF_DONE && st != JOBREF_GONE) {
		if ((*sigp = waitset_signal()) != 0) {
			attempt_stop(w, r, a, *sigp, ATTEMPT_GRACE_NS);
			a->how = ATTEMPT_SIGNALLED;
			break;
		}
		if (waitset_expired(w)) {
			*timedout = (attempt_stop(w, r, a, a->sig,
			    TERM_FOREVER) & TERM_KILLED) ? EXIT_SIGNAL(SIGKILL) :
			    EXIT_TIMEDOUT;
			a->how = ATTEMPT_TIMEDOUT;
			break;
		}
		if (waitset_sleep_fd(w, a->watchfd)) {
			attempt_stop(w, r, a, SIGTERM, ATTEMPT_GRACE_NS);
			a->how = ATTEMPT_WATCHED;
			break;
		}
	}
	/* Ended by itself: stop what it left in its process group. */
	if (st == JOBREF_DONE && a->how == ATTEMPT_DONE)
		term_jobs(w, r, 1, SIGTERM, a->kill_after ? a->kill_after :
		    CHILD_GRACE_NS);
	return (jobref_state(r));
}

/*
 * Run WORDS as a child job in a process group of its own (with
 * A->foreground and no job control, the shell's), keeping the shell's
 * stdin, and wait for it as A says.  Return its status (also in
 * A->status); 124 (137 if KILL was needed) when A->deadline passed; 125
 * if it could not be started, 126 when out of processes.  If the shell
 * gets a signal meanwhile, the child's group gets it too, and the signal
 * takes its course once the child is gone: a trapped one makes us return
 * 128+N (A->how is ATTEMPT_SIGNALLED), any other does not return.
 * timeout_run, retry -t and every -t all run their commands here.
 */
int
attempt_child(WORD_LIST *words, struct attempt *a)
{
	struct child_opts co;
	struct waitset w;
	struct jobref r;
	int st, sig, timedout, e;

	memset(&co, 0, sizeof(co));
	co.flags = CHILD_KEEPSTDIN;
	if (!a->foreground || job_control)
		co.flags |= CHILD_OWNPGRP;
	if (a->foreground)
		co.flags |= CHILD_TTY;
	co.grace = a->kill_after;
	a->how = ATTEMPT_DONE;
	memset(&r, 0, sizeof(r));
	/*
	 * Guard first: a TERM right after the fork must not orphan the
	 * attempt (the child puts the guard's handlers back itself).
	 */
	if (waitset_begin(&w, a->deadline, WAITSET_GUARD) < 0) {
		waitset_end(&w);
		a->how = ATTEMPT_FAILED;
		return (EXIT_CANCELED);
	}
	if ((r.pid = child_spawn(words, &co, &r.job)) < 0) {
		e = errno;
		builtin_error("cannot fork: %s", strerror(e));
		if ((sig = waitset_signal()) != 0)
			return (waitset_deliver(&w, sig));
		waitset_end(&w);
		/* Out of processes is passing: an attempt that failed (126,
		   bash's status for a failed fork), to retry as any other. */
		a->how = e == EAGAIN || e == ENOMEM ? ATTEMPT_NOPROC :
		    ATTEMPT_FAILED;
		return (a->how == ATTEMPT_NOPROC ? EXIT_CANNOT_INVOKE :
		    EXIT_CANCELED);
	}
	jobref_own(r.pid, 1);
	st = attempt_wait(&w, &r, a, &sig, &timedout);
	jobref_consume(&r, 1);
	if (a->foreground && job_control)
		give_terminal_to(shell_pgrp, 0);
	if (sig)
		return (waitset_deliver(&w, sig));
	waitset_end(&w);
	if (st == JOBREF_GONE) {
		a->how = ATTEMPT_FAILED;
		return (EXIT_CANCELED);
	}
	a->status = r.status;
	return (timedout ? timedout : r.status);
}

/*
 * The frame of a builtin that runs a command again and again (retry,
 * every): if CMD can be found at all, call RUN(ARG) with the shell
 * variable VAR (the builtin's counter) given back its value afterwards,
 * within an unwind frame named NAME.  Return RUN's status, 127 if CMD is
 * not found, or 1 if VAR cannot be used.
 */
int
attempt_main(const char *name, const char *cmd, const char *var,
    int (*run)(void *), void *arg)
{
	int ret;

	if (!attempt_findable(cmd))
		return (EXIT_ENOENT);
	begin_unwind_frame((char *)name);
	if (var_protect(var) < 0)
		ret = EXECUTION_FAILURE;
	else
		ret = run(arg);
	run_unwind_frame((char *)name);
	return (ret);
}

void
attempt_opts_init(struct attempt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = -1;
	o->sig = SIGTERM;
}

/*
 * Apply option C with argument ARG to O.  Return 0, -1 after the message,
 * or 1 if C is not one of ATTEMPT_OPTDEFS.
 */
int
attempt_opt(struct attempt_opts *o, int c, char *arg)
{
	switch (c) {
	case 'T':
		return (duration_arg(arg, &o->total));
	case 'k':
		return (duration_arg(arg, &o->kill_after));
	case 's':
		return (signal_arg(arg, &o->sig));
	case 't':
		return (duration_arg(arg, &o->timeout));
	case 'v':
		o->verbose = 1;
		return (0);
	}
	return (1);
}

/*
 * Run CMD once as O says: HERE (from attempt_prepare) in the shell, or
 * without HERE as a child job stopped after O's -t or at DEADLINE (0:
 * none), whichever comes first, or once WATCHFD (-1: none) is readable.
 * Store how it ended in *HOW (ATTEMPT_*); return its status.
 */
int
attempt_once(const struct attempt_opts *o, WORD_LIST *cmd, COMMAND *here,
    int64_t deadline, int watchfd, int *how)
{
	struct attempt at;
	int status, sig;

	if (here) {
		status = attempt_here(here, &sig);
		*how = sig ? ATTEMPT_SIGNALLED : ATTEMPT_DONE;
		return (sig ? EXIT_SIGNAL(sig) : status);
	}
	memset(&at, 0, sizeof(at));
	at.deadline = o->timeout ? duration_now() + o->timeout : 0;
	if (deadline && (at.deadline == 0 || deadline < at.deadline))
		at.deadline = deadline;
	at.kill_after = o->kill_after;
	at.sig = o->sig;
	at.watchfd = watchfd;
	status = attempt_child(cmd, &at);
	*how = at.how;
	return (status);
}
