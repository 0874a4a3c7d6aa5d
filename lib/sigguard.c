/* sigguard.c - catch untrapped fatal signals while we own children */

/*
 * A script leaves SIGINT, SIGTERM, SIGHUP (and USR1, ALRM, ...: every
 * signal whose default is to end the process) at SIG_DFL unless trapped,
 * so the signal would kill the shell at once and leave our children (in
 * process groups of their own, out of reach of the terminal) running.
 * While a builtin owns children it installs a handler that only records
 * the signal; the builtin stops its children, then sigguard_raise puts the
 * default back and re-sends the signal, so the shell dies of it as it
 * would have (what bash's wait_sigint_handler does for foreground jobs).
 * The old dispositions are restored through an unwind-protect, since a
 * handler left pointing into the .so would dangle after `enable -d'.
 *
 * For as long, the shell is also a child subreaper (lib/proctree.c), so
 * that orphans of its children's trees come back to it, within reach,
 * and the setting is put back through the same unwind-protect.
 *
 * Children can also outlive the builtin that started them (pool --sem).
 * Between builtins nobody would look at a recorded signal, so while such
 * children live the guard stands (sigguard_stand) and the handler acts at
 * once when no builtin is running: it calls the owner's stop function,
 * which may only make async-signal-safe calls (killpg), and the shell
 * dies of the signal.  The handler never swallows a signal nobody
 * watches: bash may install it again on its own, having taken it for a
 * signal's original disposition when a trap was set while it stood.
 */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "bashapi.h"
#include "proctree.h"
#include "sigguard.h"

/*
 * Every signal that ends a process by default, except the faults a
 * program raises on itself (SEGV, BUS, FPE, ILL, TRAP, SYS) and PIPE,
 * which waits keep blocked (a write fails with EPIPE instead), plus the
 * real-time signals, filled in at the first sigguard_begin.
 */
static const int fatal[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
	SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGABRT,
#ifdef SIGSTKFLT
	SIGSTKFLT,
#endif
};
#define NFATAL		(int)(sizeof(fatal) / sizeof(fatal[0]))

static int guarded[NSIG];
static int nguarded;
#define NGUARDED	nguarded

static struct sigaction saved[NSIG];
static int installed[NSIG];
static int depth;
static volatile sig_atomic_t caught;

static pid_t owner;		/* the process that installed the handler */
static void (*standing)(void);	/* sigguard_stand's stop function */

static void sigguard_handler(int);

/* Where SIG is in guarded[] and saved[], or -1. */
static int
sigguard_slot(int sig)
{
	int i;

	for (i = 0; i < NGUARDED; i++)
		if (guarded[i] == sig)
			return (i);
	return (-1);
}

/*
 * Give SIG to what we stood in front of, as if we had never been there:
 * put it back and call it (bash's termsig_sighandler, which will run the
 * EXIT trap and end the shell), or take the default.  In a handler SIG
 * is blocked, so a raised default is delivered as the handler returns.
 */
static void
sigguard_pass(int sig)
{
	int i = sigguard_slot(sig);
	void (*h)(int) = SIG_DFL;

	if (i >= 0 && installed[i]) {
		h = saved[i].sa_handler;
		sigaction(sig, &saved[i], NULL);
	} else
		signal(sig, SIG_DFL);
	if (h == SIG_DFL)
		raise(sig);
	else if (h != SIG_IGN && h != sigguard_handler)
		h(sig);
}

static void
sigguard_handler(int sig)
{
	/*
	 * A child forked while we guard runs this handler until it resets
	 * its signals: what it gets is meant for it, so pass it on.
	 * Between builtins (only the standing guard holds), stop what
	 * stands and pass it on too.
	 */
	if (getpid() != owner || depth <= (standing != NULL)) {
		if (getpid() == owner && standing != NULL)
			standing();
		sigguard_pass(sig);
		return;
	}
	if (caught == 0)
		caught = sig;
}

/*
 * Catch whichever fatal signals are at SIG_DFL (or ours, inherited), and
 * with FRONT those bash handles itself only to end the shell.
 */
static void
sigguard_install(int front)
{
	struct sigaction sa, cur;
	int i;

	if (nguarded == 0) {
		for (i = 0; i < NFATAL; i++)
			guarded[nguarded++] = fatal[i];
		for (i = SIGRTMIN; i <= SIGRTMAX && nguarded < NSIG; i++)
			guarded[nguarded++] = i;
	}
	caught = 0;
	owner = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigguard_handler;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < NGUARDED; i++) {
		if (sigaction(guarded[i], NULL, &cur) < 0)
			continue;
		if (cur.sa_handler == sigguard_handler) {
			/*
			 * Still in front (or left there by the shell we were
			 * forked from: saved[] is a copy of its own): keep
			 * what we stand in front of.
			 */
			if (!installed[i]) {
				memset(&saved[i], 0, sizeof(saved[i]));
				saved[i].sa_handler = SIG_DFL;
			}
			installed[i] = 1;
			continue;
		}
		installed[i] = 0;
		saved[i] = cur;
		if (saved[i].sa_handler != SIG_DFL &&
		    (!front || saved[i].sa_handler != termsig_sighandler))
			continue;
		if (sigaction(guarded[i], &sa, NULL) == 0)
			installed[i] = 1;
	}
}

/* Put back what we replaced, where no trap has replaced us since. */
static void
sigguard_uninstall(void)
{
	struct sigaction cur;
	int i;

	for (i = 0; i < NGUARDED; i++)
		if (installed[i]) {
			if (sigaction(guarded[i], NULL, &cur) == 0 &&
			    cur.sa_handler == sigguard_handler)
				sigaction(guarded[i], &saved[i], NULL);
			installed[i] = 0;
		}
}

/* Start catching untrapped fatal signals, until the builtin returns. */
void
sigguard_begin(void)
{
	if (owner != getpid()) {
		depth = 0;		/* a child forked while guarding */
		standing = NULL;
	}
	if (depth++ == 0)
		sigguard_install(0);
	if (depth == 1 + (standing != NULL)) {
		caught = 0;
		proctree_adopt(1);
	}
	bg_unwind(sigguard_end, NULL);
}

/* Put back the dispositions sigguard_begin replaced. */
void
sigguard_end(void)
{
	if (owner != getpid()) {
		depth = 0;
		standing = NULL;
	}
	if (depth == 0)
		return;
	if (depth == 1 + (standing != NULL))
		proctree_adopt(0);
	if (--depth == 0)
		sigguard_uninstall();
}

/*
 * While children outlive the builtin that started them, keep the guard
 * between builtins; STOP (NULL: stand down) is called from the handler
 * when a signal comes with no builtin running.
 */
void
sigguard_stand(void (*stop)(void))
{
	if (owner != getpid()) {
		depth = 0;
		standing = NULL;
	}
	if (stop != NULL && depth <= (standing != NULL)) {
		/*
		 * bash sets its handler up once (EXIT trap, read -t): do it
		 * now, so that it does not later replace ours unseen.  Each
		 * call also puts us back where `trap - SIG' undid us.
		 */
		if (!interactive_shell)
			initialize_terminating_signals();
		if (standing == NULL)
			depth++;
		standing = stop;
		sigguard_install(1);
	} else if (stop == NULL && standing != NULL) {
		standing = NULL;
		if (--depth == 0)
			sigguard_uninstall();
	} else if (stop != NULL)
		standing = stop;
}

/*
 * In a child forked while guarding: put back the dispositions we
 * replaced.  bash does not know our handler, so its own resets in the
 * child leave it in place, and a shell-function child would then shrug
 * off SIGTERM (an exec'd command gets SIG_DFL from exec anyway).
 */
void
sigguard_child(void)
{
	int i;

	for (i = 0; depth > 0 && i < NGUARDED; i++)
		if (installed[i])
			sigaction(guarded[i], &saved[i], NULL);
	depth = 0;
	standing = NULL;
}

/* Return the first guarded signal caught since sigguard_begin, or 0. */
int
sigguard_caught(void)
{
	return (caught);
}

/*
 * Let SIG take its course as if no handler had been installed: die of
 * it (SIG_DFL, unblocked, sent to ourselves) or, in front of bash's own
 * terminating-signal handler, hand it over (bash's next QUIT runs the
 * EXIT trap and ends the shell).  Returns only if SIG is not fatal.
 */
void
sigguard_raise(int sig)
{
	sigset_t set;
	int i = sigguard_slot(sig);

	caught = 0;
	if (i >= 0 && installed[i] && saved[i].sa_handler != SIG_DFL) {
		sigguard_pass(sig);
		return;
	}
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
}
