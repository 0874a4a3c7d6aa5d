/* jobref.c - name background jobs, read their fate, consume them once */

/*
 * bash forgets finished background jobs early: a script drops a dead job
 * from the job table as soon as another job starts, `jobs' and an
 * interactive "Done" notice delete it, and its status survives only in
 * bgpids, the ring of saved statuses that `wait PID' reads.  bash's own
 * `wait -n' looks only at the job table, so it loses those jobs.
 *
 * We keep a ledger (pid -> status | flags) of the background jobs bash has
 * moved to bgpids, read incrementally from bgpids each call, and of the
 * jobs bgtools has already reported, so that a job is reported exactly
 * once whichever way bash forgot it.  The job table always wins over the
 * ledger for a pid, since a pid in the table is a newer job (pid reuse).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bashapi.h"
#include "exitcodes.h"
#include "jobref.h"
#include "pidset.h"
#include "proctree.h"

/* Ledger values: the exit status in the low byte, then these flags. */
#define LEDGER_CONSUMED	0x200	/* reported by bgtools already */
#define LEDGER_HAVE	0x400	/* a worker's status, read from bgpids */

static struct pidset ledger;
static struct pidstat *seen_storage;	/* bgpids as of our last look */
static ps_index_t seen_head;
static pid_t ledger_pid;		/* the process the ledger belongs to */

/*
 * Return 1 if PID was allocated after this process's own pid, i.e. it can
 * only be a child started in here.  The kernel hands out pids in
 * increasing order, wrapping at pid_max; we take "after" to mean within
 * the next half of the pid space.
 */
static int
jobref_pid_after_me(pid_t pid)
{
	static long pid_max;
	char buf[32];
	long d;
	int fd;
	ssize_t n;

	if (pid_max == 0) {
		pid_max = 32768;
		if ((fd = open("/proc/sys/kernel/pid_max", O_RDONLY |
		    O_CLOEXEC)) >= 0) {
			if ((n = read(fd, buf, sizeof(buf) - 1)) > 0) {
				buf[n] = '\0';
				pid_max = atol(buf) > 0 ? atol(buf) : pid_max;
			}
			close(fd);
		}
	}
	d = ((long)pid - (long)getpid() + pid_max) % pid_max;
	return (d > 0 && d < pid_max / 2);
}

/*
 * A process forked from the one the ledger belongs to (a subshell, a
 * command substitution, an async child that runs an inherited EXIT trap
 * before it execs) inherits the ledger and bgpids: statuses and workers
 * of jobs that are not its own.  It starts afresh, before any use, but
 * for the statuses bash already saved of its own children (a pid after
 * its own: the parent's jobs were all started before it).
 */
static void
ledger_mine(void)
{
	ps_index_t i;
	pid_t me, pid;

	if ((me = getpid()) == ledger_pid)
		return;
	if (ledger_pid != 0) {
		pidset_clear(&ledger);
		for (i = 0; bgpids.storage && i < bgpids.nalloc; i++)
			if ((pid = bgpids.storage[i].pid) > 0 &&
			    jobref_pid_after_me(pid))
				pidset_put(&ledger, pid,
				    bgpids.storage[i].status & 0xff);
		seen_storage = bgpids.storage;
		seen_head = bgpids.storage ? bgpids.head : 0;
	}
	ledger_pid = me;
}

static void
ledger_scan(ps_index_t from, ps_index_t to)
{
	ps_index_t i;
	pid_t pid;
	int *v;

	for (i = from; i < to; i++) {
		pid = bgpids.storage[i].pid;
		if (pid <= 0)
			continue;
		/* bash cleaned up a worker of ours: keep its status. */
		if ((v = pidset_get(&ledger, pid)) != NULL) {
			if ((*v & JOBREF_OWNED) && !(*v & LEDGER_HAVE))
				*v = JOBREF_OWNED | LEDGER_HAVE |
				    (bgpids.storage[i].status & 0xff);
			continue;
		}
		pidset_put(&ledger, pid, bgpids.storage[i].status & 0xff);
	}
}

/* Forget what bash no longer remembers, so the ledger stays bounded. */
static void
ledger_prune(void)
{
	struct pidset keep;
	size_t i;
	ps_index_t k;
	int *v;

	memset(&keep, 0, sizeof(keep));
	for (k = 0; bgpids.storage && k < bgpids.nalloc; k++)
		if (bgpids.storage[k].pid > 0 &&
		    (v = pidset_get(&ledger, bgpids.storage[k].pid)) != NULL)
			pidset_put(&keep, bgpids.storage[k].pid, *v);
	PIDSET_EACH(&ledger, i)
		if ((ledger.vals[i] & JOBREF_OWNED) &&
		    get_job_by_pid(ledger.keys[i], 0, NULL) != NO_JOB)
			pidset_put(&keep, ledger.keys[i], ledger.vals[i]);
	pidset_free(&ledger);
	ledger = keep;
}

/*
 * Bring the ledger up to date with bgpids: read the statuses bash saved
 * since our last look.  A new storage arena means bash cleared bgpids
 * (`wait' with no arguments discards every saved status), so the unread
 * statuses we had are forgotten too.  Call with SIGCHLD blocked.
 */
void
jobref_sync(void)
{
	size_t i;

	ledger_mine();
	if (bgpids.storage != seen_storage) {
		PIDSET_EACH(&ledger, i)
			if ((ledger.vals[i] & (LEDGER_CONSUMED | JOBREF_OWNED)) == 0)
				pidset_del(&ledger, ledger.keys[i]);
		seen_storage = bgpids.storage;
		seen_head = 0;
	}
	if (bgpids.storage == NULL)
		return;
	if (bgpids.head < seen_head) {		/* the ring wrapped */
		ledger_scan(seen_head, bgpids.nalloc);
		seen_head = 0;
	}
	ledger_scan(seen_head, bgpids.head);
	seen_head = bgpids.head;
	if (ledger.live > 2 * (size_t)bgpids.nalloc + 1024)
		ledger_prune();
}

/*
 * Return non-zero if job J is not a child of this process: inside $( )
 * bash keeps the parent's job table visible (for `$(jobs)'), and so does
 * a job forked from there (an `&' child that runs an inherited EXIT trap
 * before it execs: bash 5.1 lets it), but those processes are some other
 * shell's children, and we could never see them end.  A process still
 * there is ours if its parent is us.  One already gone (reaped: by us, or
 * by the parent before it forked us) is ours if its pid came after ours:
 * the parent's jobs were all started before.  The top-level shell owns
 * every job in its table.
 */
int
jobref_foreign(int j)
{
	struct proc p;
	pid_t pid;

	if (subshell_environment == 0)
		return (0);
	pid = jobs[j]->pipe->pid;
	if (proctree_stat(pid, &p) < 0)
		return (!jobref_pid_after_me(pid));
	return (p.ppid != getpid());
}

/* Note which process loaded us: a child forked later starts afresh. */
void
jobref_loaded(void)
{
	ledger_mine();
}

/* Return the pid of job J's last process, which $! names. */
static pid_t
jobref_lastpid(int j)
{
	PROCESS *p;

	for (p = jobs[j]->pipe; p->next != jobs[j]->pipe; p = p->next)
		;
	return (p->pid);
}

/* Return the job index holding PID, using R->job as a hint. */
static int
jobref_find(struct jobref *r)
{
	PROCESS *p;

	if (r->job >= 0 && r->job < js.j_jobslots && jobs[r->job]) {
		p = jobs[r->job]->pipe;
		do {
			if (p->pid == r->pid)
				return (r->job);
			p = p->next;
		} while (p != jobs[r->job]->pipe);
	}
	r->job = get_job_by_pid(r->pid, 0, NULL);
	return (r->job);
}

/*
 * Return the state of the job R names, and store its exit status in
 * R->status once it is done.  Call with SIGCHLD blocked.
 */
int
jobref_state(struct jobref *r)
{
	int j, *v;

	ledger_mine();
	if ((j = jobref_find(r)) != NO_JOB) {
		if (DEADJOB(j)) {
			r->status = job_exit_status(j);
			return (JOBREF_DONE);
		}
		return (STOPPED(j) ? JOBREF_STOPPED : JOBREF_RUNNING);
	}
	jobref_sync();
	v = pidset_get(&ledger, r->pid);
	if (v == NULL || (*v & (JOBREF_OWNED | LEDGER_HAVE)) == JOBREF_OWNED)
		return (JOBREF_GONE);
	r->status = *v & 0xff;
	return (JOBREF_DONE);
}

/* Return non-zero if bgtools has already reported PID's job. */
int
jobref_consumed(pid_t pid)
{
	int *v;

	ledger_mine();
	if (get_job_by_pid(pid, 0, NULL) != NO_JOB)
		return (0);
	v = pidset_get(&ledger, pid);
	return (v && (*v & LEDGER_CONSUMED));
}

/*
 * Mark R's job as reported and take it out of the job table.  Unless
 * NOBGPID, its status moves to bgpids so that `wait PID' still returns
 * it, as after `wait -n'.  Call with SIGCHLD blocked, once R is done.
 */
void
jobref_consume(struct jobref *r, int nobgpid)
{
	int j, *v, owned;

	ledger_mine();
	v = pidset_get(&ledger, r->pid);
	owned = v && (*v & JOBREF_OWNED);
	if ((j = jobref_find(r)) != NO_JOB) {
		delete_job(j, nobgpid ? DEL_NOBGPID : 0);
		/* A frozen job list (lastpipe, CHLD trap) ignores delete_job. */
		if (jobs[j])
			jobs[j]->flags |= J_NOTIFIED;
	}
	if (nobgpid || owned)
		pidset_del(&ledger, r->pid);
	else
		pidset_put(&ledger, r->pid, (r->status & 0xff) | LEDGER_CONSUMED);
	r->job = NO_JOB;
}

/* Mark PID as a bgtools worker (OWN) or the user's again (!OWN). */
void
jobref_own(pid_t pid, int own)
{
	ledger_mine();
	if (own)
		pidset_put(&ledger, pid, JOBREF_OWNED);
	else
		pidset_del(&ledger, pid);
}

static int
jobref_is_owned(pid_t pid)
{
	int *v;

	ledger_mine();
	v = pidset_get(&ledger, pid);
	return (v && (*v & JOBREF_OWNED));
}

static int
jobref_add(struct jobref **v, int *n, int *cap, pid_t pid, int job,
    const char *word)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].pid = pid;
	(*v)[*n].job = job;
	(*v)[*n].status = 0;
	(*v)[*n].word = word;
	(*n)++;
	return (0);
}

/*
 * Collect every background job of the shell that no bgtools builtin has
 * reported yet: running, finished and still in the table, or finished
 * and already dropped to bgpids.  Stopped jobs and bgtools' own workers
 * are left out.  Store a new array in *OUT and its length in *N.  Call
 * with SIGCHLD blocked.  Return 0.
 */
int
jobref_all(struct jobref **out, int *n)
{
	int i, cap, *v;
	size_t k;
	pid_t pid;

	jobref_sync();
	*out = NULL;
	*n = cap = 0;
	for (i = 0; i < js.j_jobslots; i++) {
		if (jobs[i] == NULL || (jobs[i]->flags & J_FOREGROUND) ||
		    STOPPED(i) || jobref_foreign(i))
			continue;
		pid = jobref_lastpid(i);
		if (pid <= 0 || jobref_is_owned(pid))
			continue;
		jobref_add(out, n, &cap, pid, i, NULL);
	}
	PIDSET_EACH(&ledger, k) {
		v = &ledger.vals[k];
		if (*v & (LEDGER_CONSUMED | JOBREF_OWNED))
			continue;
		if (get_job_by_pid(ledger.keys[k], 0, NULL) != NO_JOB)
			continue;
		jobref_add(out, n, &cap, ledger.keys[k], NO_JOB, NULL);
	}
	return (0);
}

/*
 * Resolve each word of IDS (a pid or a job spec such as %2) to a job.
 * FLAGS: with JOBREF_SKIPDONE, ids whose job bgtools already reported are
 * left out silently; with JOBREF_SKIPUNKNOWN, an id that names no job of
 * the shell is left out after bash's message, as `wait' does.  Store a
 * new array in *OUT and its length in *N.  Return 0; 2 after a malformed
 * id, 127 after an unknown one (messages printed; nothing stored).  Call
 * with SIGCHLD blocked.
 */
int
jobref_parse(WORD_LIST *ids, struct jobref **out, int *n, int flags)
{
	WORD_LIST one;
	intmax_t num;
	pid_t pid;
	int j, cap, ret;
	char *w;

	jobref_sync();
	*out = NULL;
	*n = cap = ret = 0;
	for (; ids; ids = ids->next) {
		w = ids->word->word;
		if (*w == '%') {
			one.next = NULL;
			one.word = ids->word;
			j = get_job_spec(&one);
			if (j < 0 || j >= js.j_jobslots || jobs[j] == NULL) {
				sh_badjob(w);
				if ((flags & JOBREF_SKIPUNKNOWN) == 0)
					ret = ret ? ret : EXIT_ENOENT;
				continue;
			}
			pid = jobref_lastpid(j);
		} else if (legal_number(w, &num) && num > 0 &&
		    num == (pid_t)num) {
			pid = (pid_t)num;
			j = get_job_by_pid(pid, 0, NULL);
		} else {
			builtin_error("`%s': not a pid or valid job spec", w);
			ret = 2;
			continue;
		}
		if ((j == NO_JOB && pidset_get(&ledger, pid) == NULL) ||
		    (j != NO_JOB && jobref_foreign(j))) {
			builtin_error("pid %ld is not a child of this shell",
			    (long)pid);
			if ((flags & JOBREF_SKIPUNKNOWN) == 0)
				ret = ret ? ret : EXIT_ENOENT;
			continue;
		}
		if ((flags & JOBREF_SKIPDONE) && jobref_consumed(pid))
			continue;
		jobref_add(out, n, &cap, pid, j, w);
	}
	if (ret) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return (ret);
}

/* Return non-zero if R's job runs in a process group of its own. */
int
jobref_ownpgrp(const struct jobref *r)
{
	return (r->job != NO_JOB && jobs[r->job] &&
	    jobs[r->job]->pgrp > 0 && jobs[r->job]->pgrp != shell_pgrp &&
	    jobs[r->job]->pgrp != getpgrp());
}

/* Return 1 if PID is a process of a job in the shell's job table. */
int
jobref_known(pid_t pid)
{
	return (get_job_by_pid(pid, 0, NULL) != NO_JOB);
}

/*
 * Add R's job to the tree T (lib/proctree.c): its own process group, if
 * it has one, and, while it runs, its processes.  Return 1 if the job is
 * still running or stopped, else 0.
 */
int
jobref_roots(struct jobref *r, struct proctree *t)
{
	PROCESS *p;
	int st;

	st = jobref_state(r);
	if (r->job == NO_JOB || jobs[r->job] == NULL)
		return (0);
	if (jobref_ownpgrp(r))
		proctree_add_group(t, jobs[r->job]->pgrp);
	if (st != JOBREF_RUNNING && st != JOBREF_STOPPED)
		return (0);
	p = jobs[r->job]->pipe;
	do {
		if (PALIVE(p))
			proctree_add_pid(t, p->pid);
		p = p->next;
	} while (p != jobs[r->job]->pipe);
	return (1);
}

/*
 * Send SIG to every process of R's tree, grandchildren in groups and
 * sessions of their own included, and to each process group in it but
 * the shell's: a running job's whole tree, or what an ended one left in
 * its own group.  Stopped processes are continued so that they see the
 * signal.  Return the number of processes and groups signalled.  This
 * reads every /proc/PID/stat unless the job has ended and left nothing.
 */
int
jobref_signal(struct jobref *r, int sig)
{
	struct proctree t;
	int n;

	proctree_init(&t);
	n = 0;
	if (jobref_roots(r, &t) || proctree_groups_busy(&t)) {
		proctree_collect(&t);
		n = proctree_signal(&t, sig);
	}
	proctree_free(&t);
	return (n);
}
