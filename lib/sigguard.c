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

static void
sigguard_handler(int sig)
{
	/*
	 * A child forked while we guard runs this handler until it resets
	 * its signals: what it gets is meant for it, so take the default.
	 */
	if (getpid() != owner) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (caught == 0)
		caught = sig;
}

/* Start catching whichever fatal signals are at SIG_DFL. */
void
sigguard_begin(void)
{
	struct sigaction sa;
	int i;

	if (owner != getpid())
		depth = 0;		/* a child forked while guarding */
	if (depth++ > 0)
		return;
	proctree_adopt(1);
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
		installed[i] = 0;
		if (sigaction(guarded[i], NULL, &saved[i]) < 0 ||
		    saved[i].sa_handler != SIG_DFL)
			continue;
		if (sigaction(guarded[i], &sa, NULL) == 0)
			installed[i] = 1;
	}
	bg_unwind(sigguard_end, NULL);
}

/* Put back the dispositions sigguard_begin replaced. */
void
sigguard_end(void)
{
	int i;

	if (owner != getpid())
		depth = 0;
	if (depth == 0 || --depth > 0)
		return;
	for (i = 0; i < NGUARDED; i++)
		if (installed[i]) {
			sigaction(guarded[i], &saved[i], NULL);
			installed[i] = 0;
		}
	proctree_adopt(0);
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
}

/* Return the first guarded signal caught since sigguard_begin, or 0. */
int
sigguard_caught(void)
{
	return (caught);
}

/*
 * Die of SIG as if no handler had been installed: restore SIG_DFL,
 * unblock SIG and send it to ourselves.  Returns only if SIG is not fatal.
 */
void
sigguard_raise(int sig)
{
	sigset_t set;

	caught = 0;
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
}
