/* term.c - stop jobs and what they leave: signal, grace period, KILL */

/*
 * A job is stopped when it is dead in bash's job table (its processes
 * reaped by bash's SIGCHLD handler) and no live process of its tree is
 * left (lib/proctree.c: its processes, its own group, and their
 * descendants in whatever group or session they moved to: a nested
 * timeout_run's or pool's children, setsid).  The signal goes once to
 * every process found when the stop begins; what a job forks while it
 * stops (a trap's clean-up) is left to finish; once the jobs are gone,
 * what the signal missed (forked while it was pending, blocked around a
 * fork) gets it then; what is left when the grace period is over gets
 * KILL, as systemd does with a unit's control group.  That is the one
 * step SIG, GRACE; pool --termseq gives several (TERM,200,TERM,100,...,
 * as GNU parallel), each signal going to what is left when the previous
 * wait is over, and KILL after the last if the sequence did not end so.  The jobs' deaths wake us through SIGCHLD; the rest of
 * the tree sends us nothing, so for it alone we look again with a short,
 * growing pause (1 ms doubling to 32 ms) until the grace period ends.
 *
 * Nothing is read from /proc when nothing can be left: a job that has
 * ended and whose process group is empty costs one killpg(PG, 0).
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bashapi.h"
#include "duration.h"
#include "jobref.h"
#include "proctree.h"
#include "term.h"

/* How long stragglers get when the jobs themselves may take forever. */
#define STRAGGLER_GRACE_NS	(1000LL * 1000000)
/* How long SIGKILL may take to be reaped before we stop looking. */
#define KILL_REAP_NS		(5000LL * 1000000)

/* The sooner of two deadlines, 0 being none. */
static int64_t
term_sooner(int64_t a, int64_t b)
{
	return (a == 0 || (b != 0 && b < a) ? b : a);
}

/*
 * Sleep in W for *PAUSE (doubling it up to 32 ms) or until DEADLINE, if
 * sooner: processes that are not our children send us no SIGCHLD.  A
 * signal ends the sleep and stays pending for the caller.
 */
static void
term_pause(struct waitset *w, int64_t *pause, int64_t deadline)
{
	waitset_deadline(w, term_sooner(duration_now() + *pause,
	    deadline));
	waitset_sleep(w);
	if (*pause < 32000000)
		*pause *= 2;
}

/* Return how many of the N jobs in R are still running or stopped. */
static int
term_running(struct jobref *r, int n)
{
	int i, st, left;

	for (i = left = 0; i < n; i++) {
		st = jobref_state(&r[i]);
		left += st == JOBREF_RUNNING || st == JOBREF_STOPPED;
	}
	return (left);
}

/*
 * Parse TEXT as a signal (TERM, SIGTERM, term, 15) into *SIG.  Return 0,
 * or -1 after bash's "TEXT: invalid signal specification".
 */
int
signal_arg(const char *text, int *sig)
{
	*sig = decode_signal((char *)text, DSIG_SIGPREFIX | DSIG_NOCASE);
	if (*sig > 0 && *sig < NSIG)
		return (0);
	sh_invalidsig((char *)text);
	return (-1);
}

/*
 * --termseq: "SIG,MS,SIG,MS,..." (GNU parallel's TERM,200,TERM,100,
 * TERM,50,KILL,25) into S.  Return 0, or -1 if TEXT is not such a list.
 */
int
termseq_parse(const char *text, struct termseq *s)
{
	char *copy, *tok, *save;
	intmax_t ms;
	int i;

	copy = savestring(text);
	s->n = 0;
	for (i = 0, tok = strtok_r(copy, ",", &save); tok;
	    i++, tok = strtok_r(NULL, ",", &save)) {
		if (i / 2 >= TERMSEQ_MAX)
			break;
		if (i % 2 == 0) {
			s->sig[i / 2] = decode_signal(tok,
			    DSIG_SIGPREFIX | DSIG_NOCASE);
			if (s->sig[i / 2] <= 0 || s->sig[i / 2] >= NSIG)
				break;
		} else if (!legal_number(tok, &ms) || ms < 0 ||
		    ms > 86400000)
			break;
		else
			s->ns[s->n++] = (int64_t)ms * 1000000;
	}
	free(copy);
	/* Every SIG has its MS, nothing is left over, commas not doubled. */
	return (tok || i == 0 || i % 2 || text[0] == ',' ||
	    strstr(text, ",,") || text[strlen(text) - 1] == ',' ? -1 : 0);
}

/*
 * Step K of S is over at NOW (its wait ran out): send T the next signal
 * of S, or KILL once S is over; set *DEADLINE for the new step.  Return 1
 * if that was KILL.
 */
static int
term_next(struct proctree *t, const struct termseq *s, int k, int64_t now,
    int64_t *deadline)
{
	int sig;

	sig = k < s->n ? s->sig[k] : SIGKILL;
	proctree_collect(t);
	proctree_signal(t, sig);
	*deadline = now + (sig == SIGKILL ? KILL_REAP_NS : s->ns[k]);
	return (sig == SIGKILL);
}

/*
 * Wait in W until the N jobs in R are dead and T has no live member,
 * moving along S: T was sent S's first signal; when its wait is over, the
 * next one goes to whatever T holds then (forked meanwhile included), and
 * so on, then KILL (if S did not end with it), and we wait for that too.
 * A wait of TERM_FOREVER lasts as long as the jobs take, then
 * STRAGGLER_GRACE_NS for the rest.  Return the TERM_* flags.
 */
static int
term_wait(struct waitset *w, struct proctree *t, struct jobref *r, int n,
    const struct termseq *s)
{
	int64_t deadline, pause, now;
	int jobs_left, tree_left, killed, ret, late, k;

	deadline = s->ns[0] == TERM_FOREVER ? 0 : duration_now() + s->ns[0];
	ret = late = 0;
	killed = s->sig[0] == SIGKILL;
	pause = 1000000;
	for (k = 1;; ) {
		jobs_left = term_running(r, n);
		/*
		 * The jobs are part of the tree: look at it once they end,
		 * and read everything once more before calling it gone: an
		 * orphan forked after the last look may have come back to us.
		 */
		tree_left = jobs_left || proctree_recheck(t) > 0 ||
		    proctree_collect(t) > 0;
		if (jobs_left + tree_left == 0)
			break;
		/*
		 * Once the jobs are gone, what is left that the signal missed
		 * was forked while it was on its way (bash forks with TERM
		 * blocked): it is left behind, and gets the signal now, once.
		 * Before, a new process may be a trap's clean-up: spared.
		 */
		if (jobs_left == 0 && !late++ && !killed &&
		    proctree_collect(t) > 0)
			proctree_signal_new(t, s->sig[k - 1 < s->n ? k - 1 : 0]);
		now = duration_now();
		if (jobs_left == 0 && deadline == 0)
			deadline = now + STRAGGLER_GRACE_NS;
		if (deadline && now >= deadline) {
			if (killed)
				break;		/* unkillable (D state): give up */
			if ((killed = term_next(t, s, k++, now, &deadline)))
				ret |= jobs_left ? TERM_KILLED : TERM_STRAGGLERS;
			continue;
		}
		if (jobs_left) {
			waitset_deadline(w, deadline);
			waitset_sleep(w);
		} else
			term_pause(w, &pause, deadline);
	}
	waitset_deadline(w, 0);
	return (ret);
}

/* S: the one step SIG, GRACE (then KILL). */
static void
term_simple(struct termseq *s, int sig, int64_t grace)
{
	s->n = 1;
	s->sig[0] = sig;
	s->ns[0] = grace;
}

/*
 * Stop the N jobs in R along S (--termseq): send its first signal to
 * every process of their trees (and to each process group in them but
 * the shell's), wait up to its time for the trees to be gone, send the
 * next signal to what is left, and so on; then SIGKILL to what is still
 * there, and wait for it to be reaped.  A job that has ended is stopped
 * too if its own group still holds something.  W must come from
 * waitset_begin; signals that arrive meanwhile stay pending for the
 * caller.  Return TERM_KILLED if a job needed SIGKILL, TERM_STRAGGLERS if
 * only what they left did, else 0.
 */
int
term_jobs_seq(struct waitset *w, struct jobref *r, int n,
    const struct termseq *s)
{
	struct proctree t;
	int i, live, ret;

	proctree_init(&t);
	t.known = jobref_known;
	for (i = live = 0; i < n; i++)
		live += jobref_roots(&r[i], &t);
	ret = 0;
	if (live > 0 || proctree_groups_busy(&t)) {
		/* Orphans of the trees come back to us meanwhile. */
		proctree_adopt(1);
		proctree_collect(&t);
		proctree_signal(&t, s->sig[0]);
		ret = term_wait(w, &t, r, n, s);
		proctree_adopt(0);
	}
	proctree_free(&t);
	return (ret);
}

/*
 * Stop the N jobs in R: SIG, then SIGKILL after GRACE nanoseconds
 * (TERM_FOREVER: as long as the jobs themselves take); see term_jobs_seq.
 */
int
term_jobs(struct waitset *w, struct jobref *r, int n, int sig, int64_t grace)
{
	struct termseq s;

	term_simple(&s, sig, grace);
	return (term_jobs_seq(w, r, n, &s));
}

/*
 * In a job child about to exit (lib/child.c), after its EXIT trap: stop
 * what it leaves running, its descendants (it is their subreaper, so
 * they are all under it), with TERM, then KILL after GRACE nanoseconds.
 * Nothing is read from /proc when it has no child left at all.
 */
void
term_leftovers(int64_t grace)
{
	struct waitset w;
	struct proctree t;
	struct termseq s;
	siginfo_t si;

	si.si_pid = 0;
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return;			/* ECHILD: nothing left */
	proctree_init(&t);
	proctree_add_pid(&t, t.self);
	if (proctree_collect(&t) > 0) {
		waitset_begin(&w, 0, 0);	/* no deadline: cannot fail */
		proctree_signal(&t, SIGTERM);
		term_simple(&s, SIGTERM, grace);
		term_wait(&w, &t, NULL, 0, &s);
		waitset_end(&w);
	}
	proctree_free(&t);
}

/*
 * Stop process PID, known by its START time (lib/proctree.c), and its
 * whole tree, which belongs to no job of ours (detach --stop): SIG, then
 * KILL after GRACE nanoseconds.  W must come from waitset_begin.  Return
 * the TERM_* flags (TERM_STRAGGLERS: KILL was needed), or -1 if PID is
 * not that process (gone, or its pid reused).
 */
int
term_process(struct waitset *w, pid_t pid, unsigned long long start,
    int sig, int64_t grace)
{
	struct proctree t;
	struct termseq s;
	struct proc p;
	int ret;

	if (proctree_stat(pid, &p) < 0 || p.start != start || !PROC_LIVE(&p))
		return (-1);
	proctree_init(&t);
	proctree_add_pid(&t, pid);
	proctree_add_group(&t, pid);
	proctree_collect(&t);
	proctree_signal(&t, sig);
	term_simple(&s, sig, grace);
	ret = term_wait(w, &t, NULL, 0, &s);
	proctree_free(&t);
	return (ret);
}
