/* term.c - stop jobs: signal, grace period, then KILL */

/*
 * A job is stopped when it is dead in bash's job table (its processes
 * reaped by bash's SIGCHLD handler) and, when it has a process group of
 * its own, when nothing is left in that group: a function's background
 * grandchildren live there.  The jobs' deaths wake us through SIGCHLD;
 * grandchildren are not our children and send us nothing, so for them
 * alone we look again with a short, growing pause (1 ms doubling to
 * 32 ms) until the grace period ends.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
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

enum { T_GONE, T_JOB, T_GROUP };

/*
 * Return non-zero if a process other than a zombie is left in group PG.
 * killpg(PG, 0) alone counts zombies: orphans are reaped by init, which
 * may take a second or more (seen in containers), and a zombie needs no
 * signal.  So when killpg finds someone, /proc tells what it is.
 */
static int
term_group_live(pid_t pg)
{
	struct proctree t;
	int live;

	if (killpg(pg, 0) < 0 && errno == ESRCH)
		return (0);
	proctree_init(&t);
	proctree_add_group(&t, pg);
	live = proctree_collect(&t);
	proctree_free(&t);
	return (live != 0);
}

static int
term_alive(struct jobref *r, pid_t pg)
{
	int st;

	st = jobref_state(r);
	if (st == JOBREF_RUNNING || st == JOBREF_STOPPED)
		return (T_JOB);
	if (pg > 0 && term_group_live(pg))
		return (T_GROUP);
	return (T_GONE);
}

/* The sooner of two deadlines, 0 being none. */
static int64_t
term_sooner(int64_t a, int64_t b)
{
	return (a == 0 || (b != 0 && b < a) ? b : a);
}

/*
 * Sleep in W for *PAUSE (doubling it up to 32 ms) or until DEADLINE, if
 * sooner: grandchildren send us no SIGCHLD.  A signal ends the sleep and
 * stays pending for the caller.
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

static void
term_kill(struct jobref *r, const pid_t *pg, const int *alive, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (alive[i] == T_JOB)
			jobref_signal(&r[i], SIGKILL);
		else if (alive[i] == T_GROUP)
			killpg(pg[i], SIGKILL);
}

/*
 * Stop the N jobs in R: send SIG to each (its whole process group when it
 * has one), wait up to GRACE nanoseconds (TERM_FOREVER: as long as the
 * jobs themselves take) for them and their groups to be gone, then send
 * SIGKILL to what is left and wait for it to be reaped.  W must come from
 * waitset_begin; signals that arrive meanwhile stay pending for the
 * caller.  Return TERM_KILLED if a job needed SIGKILL, TERM_STRAGGLERS if
 * only leftovers in a group did, else 0.
 */
int
term_jobs(struct waitset *w, struct jobref *r, int n, int sig, int64_t grace)
{
	pid_t *pg;
	int *alive, i, jobs_left, groups_left, ret, killed;
	int64_t deadline, pause, now;

	pg = xmalloc((n ? n : 1) * sizeof(*pg));
	alive = xmalloc((n ? n : 1) * sizeof(*alive));
	for (i = 0; i < n; i++) {
		pg[i] = jobref_ownpgrp(&r[i]) ? jobs[r[i].job]->pgrp : 0;
		if (term_alive(&r[i], pg[i]) == T_JOB)
			jobref_signal(&r[i], sig);
		else if (pg[i] > 0)
			killpg(pg[i], sig);
	}
	now = duration_now();
	deadline = grace == TERM_FOREVER ? 0 : now + grace;
	ret = killed = 0;
	pause = 1000000;
	for (;;) {
		jobs_left = groups_left = 0;
		for (i = 0; i < n; i++) {
			alive[i] = term_alive(&r[i], pg[i]);
			jobs_left += alive[i] == T_JOB;
			groups_left += alive[i] == T_GROUP;
		}
		if (jobs_left + groups_left == 0)
			break;
		now = duration_now();
		if (jobs_left == 0 && deadline == 0)
			deadline = now + STRAGGLER_GRACE_NS;
		if (deadline && now >= deadline) {
			if (killed)
				break;		/* unkillable (D state): give up */
			term_kill(r, pg, alive, n);
			ret |= jobs_left ? TERM_KILLED : TERM_STRAGGLERS;
			killed = 1;
			deadline = now + KILL_REAP_NS;
			continue;
		}
		if (jobs_left) {
			waitset_deadline(w, deadline);
			waitset_sleep(w);
		} else
			term_pause(w, &pause, deadline);
	}
	waitset_deadline(w, 0);
	free(pg);
	free(alive);
	return (ret);
}
