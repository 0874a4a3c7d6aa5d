/* waitset.c - the one way bgtools sleeps: until a child changes state, a
   deadline passes, a descriptor is ready or a signal arrives */

/*
 * bash's SIGCHLD handler must run for the job table to change, so we never
 * block SIGCHLD while asleep and never use signalfd or sigtimedwait on it.
 * The caller blocks every signal (waitset_begin), looks at the job table
 * and at pending signals, and then sleeps in ppoll with the mask it had
 * before: ppoll unblocks atomically, so a SIGCHLD that arrives after the
 * look still ends the sleep (no lost wake-up, no polling).  A deadline is
 * an absolute CLOCK_MONOTONIC timerfd, which fires within a fraction of a
 * millisecond; a relative ppoll timeout carries the kernel's slack.
 *
 * Every builtin sleeps here and nowhere else (skalibs' iopause is the
 * model): the waits for children, the pauses between retries and ticks,
 * the grace periods while jobs are stopped.  So there is one place that
 * decides which signals end a sleep, and one place that gives a
 * terminating signal back to bash: waitset_end, whatever path the caller
 * took.  A signal held back and never given back would be lost (a TERM
 * during retry's pause let the script go on and exit 0).
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fds.h"
#include "bashapi.h"
#include "duration.h"
#include "exitcodes.h"
#include "sigguard.h"
#include "waitset.h"

/* A terminating signal taken away from bash until we have cleaned up. */
static int held_termsig;
/* Waitsets begun and not ended: only these may hold a signal back. */
static int active;
/* The process the two above belong to. */
static pid_t owner;

/*
 * A child forked while its parent held a waitset (a pool job, say)
 * inherits the count and a held signal that are not its own: forget them.
 */
static void
waitset_mine(void)
{
	pid_t me;

	if ((me = getpid()) != owner) {
		owner = me;
		active = held_termsig = 0;
	}
}

/*
 * Block all signals but the synchronous ones, remembering the old mask in
 * W, and arm DEADLINE (absolute monotonic ns; 0 for none).  With
 * WAITSET_GUARD, catch untrapped INT/TERM/HUP until waitset_end.  Return 0,
 * or -1 after the message if the timer could not be made (never without
 * a DEADLINE); call waitset_end either way.
 */
int
waitset_begin(struct waitset *w, int64_t deadline, int flags)
{
	sigset_t all;

	waitset_mine();
	w->tfd = -1;
	w->deadline = 0;
	w->guarded = 0;
	w->begun = 1;
	active++;
	if (flags & WAITSET_GUARD) {
		sigguard_begin();
		w->guarded = 1;
	}
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigprocmask(SIG_BLOCK, &all, &w->realmask);
	/*
	 * Whatever the caller had blocked, the sleep must see children.  A
	 * SIGPIPE (our output is gone) stays blocked until waitset_end:
	 * writes fail with EPIPE instead, the jobs are stopped first, and
	 * the signal then takes its course.
	 */
	w->oldmask = w->realmask;
	sigdelset(&w->oldmask, SIGCHLD);
	sigaddset(&w->oldmask, SIGPIPE);
	if (waitset_deadline(w, deadline) == 0)
		return (0);
	builtin_error("cannot make a timer: %s", strerror(errno));
	return (-1);
}

/* Move W's deadline to DEADLINE (absolute monotonic ns; 0 for none). */
int
waitset_deadline(struct waitset *w, int64_t deadline)
{
	struct itimerspec its;

	w->deadline = deadline;
	if (deadline == 0) {
		if (w->tfd >= 0) {
			close(w->tfd);
			w->tfd = -1;
		}
		return (0);
	}
	if (w->tfd < 0 &&
	    (w->tfd = fd_high(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC |
	    TFD_NONBLOCK))) < 0)
		return (-1);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = deadline / 1000000000;
	its.it_value.tv_nsec = deadline % 1000000000;
	return (timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL));
}

/*
 * Return the signal that should end a wait, or 0: a pending trap (other
 * than SIGCHLD's, which `wait' ignores too), an interactive SIGINT, a
 * terminating signal, or one caught by the guard.
 *
 * A terminating signal (bash's own handler: an EXIT trap is set, or an
 * interactive SIGHUP) is held back from bash while a waitset is begun:
 * its SIGCHLD handler checks terminating_signal (CHECK_TERMSIG in
 * waitchld) and would exit at the first child that ends while we stop
 * our jobs.  waitset_end gives it back.
 */
int
waitset_signal(void)
{
	int sig;

	waitset_mine();
	if (terminating_signal && active > 0) {
		held_termsig = terminating_signal;
		terminating_signal = 0;
	}
	if (held_termsig)
		return (held_termsig);
	if (terminating_signal)
		return (terminating_signal);
	if (interrupt_state)
		return (SIGINT);
	if ((sig = sigguard_caught()) != 0)
		return (sig);
	for (sig = 1; sig < NSIG; sig++)
		if (pending_traps[sig] && sig != SIGCHLD)
			return (sig);
	return (0);
}

/* Return non-zero if W's deadline has passed. */
int
waitset_expired(const struct waitset *w)
{
	return (w->deadline != 0 && duration_now() >= w->deadline);
}

/*
 * Make bash reap a child that has ended but that its SIGCHLD handler has
 * not reaped: while bash prints job notices under job control it defers
 * reaping (queue_sigchld), and a SIGCHLD that came meanwhile may not be
 * followed by another.  waitid with WNOWAIT looks without reaping (the
 * status stays bash's); if a zombie is there, a SIGCHLD of our own makes
 * the handler run as soon as ppoll unblocks it.  Once per zombie, so a
 * child bash cannot reap cannot make us spin.
 */
static void
waitset_kick(void)
{
	static pid_t kicked;
	siginfo_t si;

	si.si_pid = 0;
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid > 0 && si.si_pid != kicked) {
		kicked = si.si_pid;
		kill(getpid(), SIGCHLD);
	}
}

/*
 * Sleep until a signal handler runs (bash's SIGCHLD handler among them),
 * the deadline passes, or one of the N descriptors in FDS is ready (FDS
 * may be NULL; its slot 0 is ours).  Call with signals blocked by
 * waitset_begin.
 */
void
waitset_sleep_fds(struct waitset *w, struct pollfd *fds, int n)
{
	static const struct timespec zero;
	struct pollfd one;
	uint64_t ticks;

	/*
	 * ppoll runs pending handlers only when it fails with EINTR: with a
	 * descriptor that is always ready, SIGCHLD would wait forever and
	 * bash would reap nothing.  Let pending signals in first.
	 */
	if (fds != NULL && n > 1 &&
	    ppoll(NULL, 0, &zero, &w->oldmask) < 0 && errno == EINTR)
		return;		/* a handler ran: the caller looks again */
	waitset_kick();
	if (fds == NULL) {
		fds = &one;
		n = 1;
	}
	fds[0].fd = w->tfd;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	if (ppoll(fds, n, NULL, &w->oldmask) > 0 && w->tfd >= 0 &&
	    fds[0].revents)
		(void)!read(w->tfd, &ticks, sizeof(ticks));
}

/*
 * Let the signal handlers that are due run (bash's SIGCHLD handler among
 * them), without sleeping: a poll's one look at the job table then sees
 * every child that has ended.  Call with signals blocked by waitset_begin.
 */
void
waitset_poll(struct waitset *w)
{
	static const struct timespec zero;

	waitset_kick();
	ppoll(NULL, 0, &zero, &w->oldmask);
}

/*
 * One turn of a loop that waits for jobs, after the caller's LOOKED-th
 * look at them (0 first): return a signal that arrived, -1 once the wait
 * is over (W's deadline passed, or with POLL a second look is due), or 0
 * after sleeping until something changed (with POLL: after letting the
 * SIGCHLD handler run once, so that a child that has ended counts).
 */
int
waitset_turn(struct waitset *w, int poll, int looked)
{
	int sig;

	if ((sig = waitset_signal()) != 0)
		return (sig);
	if (poll && looked)
		return (-1);
	if (poll)
		waitset_poll(w);
	else if (waitset_expired(w))
		return (-1);
	else
		waitset_sleep(w);
	return (0);
}

/* Sleep as waitset_sleep_fds does, with no descriptors of the caller's. */
void
waitset_sleep(struct waitset *w)
{
	waitset_sleep_fds(w, NULL, 0);
}

/*
 * Sleep as waitset_sleep does, and also until FD (if >= 0) is readable.
 * Return 1 if FD is readable (or hung up), else 0.
 */
int
waitset_sleep_fd(struct waitset *w, int fd)
{
	struct pollfd pfd[2];

	if (fd < 0) {
		waitset_sleep(w);
		return (0);
	}
	pfd[1].fd = fd;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	waitset_sleep_fds(w, pfd, 2);
	return (pfd[1].revents != 0);
}

/*
 * Sleep until DEADLINE (absolute CLOCK_MONOTONIC ns), or until FD (if
 * >= 0) is readable.  Children ending meanwhile do not end the sleep.
 * Return 0 when the time has passed, WAITSET_WOKEN when FD is readable,
 * or -SIG when signal SIG should end it (a pending trap, an interactive
 * SIGINT, a terminating signal): the caller tidies up, then lets the
 * signal take its course (QUIT; return 128+SIG).  Without a timer (no fd
 * left) the sleep is a relative ppoll timeout, a little less precise.
 */
int
waitset_pause(int64_t deadline, int fd)
{
	struct waitset w;
	struct pollfd pfd[2];
	struct timespec ts;
	int64_t left;
	int sig, ret;

	waitset_begin(&w, 0, 0);
	if (waitset_deadline(&w, deadline) < 0)
		w.deadline = deadline;
	for (;;) {
		if ((sig = waitset_signal()) != 0) {
			ret = -sig;
			break;
		}
		if ((left = deadline - duration_now()) <= 0) {
			ret = 0;
			break;
		}
		if (w.tfd >= 0) {
			if (waitset_sleep_fd(&w, fd)) {
				ret = WAITSET_WOKEN;
				break;
			}
			continue;
		}
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		ts.tv_sec = left / 1000000000;
		ts.tv_nsec = left % 1000000000;
		if (ppoll(pfd, 1, &ts, &w.oldmask) > 0 && fd >= 0) {
			ret = WAITSET_WOKEN;
			break;
		}
	}
	waitset_end(&w);
	return (ret);
}

/*
 * Restore the signal mask, close the timer and stop guarding.  A
 * terminating signal held back from bash goes back to it: bash acts on it
 * at its next check (an EXIT trap runs, the shell dies of the signal).  A
 * signal the guard caught kills the shell, as it would have without us.
 */
void
waitset_end(struct waitset *w)
{
	int sig;

	waitset_mine();
	if (w->tfd >= 0)
		close(w->tfd);
	w->tfd = -1;
	if (w->begun) {
		w->begun = 0;
		if (active > 0)
			active--;
	}
	if (held_termsig) {
		terminating_signal = held_termsig;
		held_termsig = 0;
	}
	sigprocmask(SIG_SETMASK, &w->realmask, NULL);
	if (w->guarded) {
		sig = sigguard_caught();
		sigguard_end();
		w->guarded = 0;
		/*
		 * Caught after the caller's last look (while it stopped what
		 * its job left, say): the shell dies of it all the same.
		 */
		if (sig)
			sigguard_raise(sig);
	}
}

/*
 * After the builtin has cleaned up what it owns, let SIG take its course
 * as bash would have: a guarded signal kills the shell, an interactive
 * SIGINT or a terminating signal unwinds to the top level (QUIT), and a
 * trapped signal returns 128+SIG so the trap runs after the builtin.
 * Ends W if it has not been ended.  Returns 128+SIG when it returns.
 */
int
waitset_deliver(struct waitset *w, int sig)
{
	int guarded;

	guarded = w->guarded && sigguard_caught() == sig;
	waitset_end(w);
	if (guarded)
		sigguard_raise(sig);
	QUIT;
	return (EXIT_SIGNAL(sig));
}
