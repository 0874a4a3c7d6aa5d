/* proctree.c - processes from /proc: one process, a whole tree */

/*
 * A job's process group is not its process tree: a nested timeout_run or
 * pool puts its own children in groups of their own, setsid starts a new
 * session, and a plain `cmd &' in a script shares the shell's group, so
 * that killpg either misses them or cannot be used at all.  What does hold
 * a tree together is the parent pid, and, once a parent has died, the
 * group and session its children were in.  So a tree here is: its roots
 * (the job's processes, the job's own group), every process whose parent
 * is a member, every member of a group a member is in (but the caller's
 * own group), every member of a session a member leads, to a fixed point.
 * Members are known by pid and start time, so a recycled pid (pid_max is
 * often 32768) is never taken for a member; a member once seen stays one
 * after its parent dies, when it re-parents and the ppid link is gone.
 *
 * This kernel interface has no list of a process's children that we can
 * count on (/proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN), so a
 * tree is found by reading every /proc/PID/stat: about a millisecond for
 * a few hundred processes.  Callers keep that off their hot paths: a job
 * that ended and whose group is empty (killpg(PG, 0) fails with ESRCH)
 * needs no scan.
 *
 * Orphans of a tree whose parent died go to the nearest child subreaper,
 * else to init, out of reach.  While a builtin owns children the shell is
 * a subreaper (proctree_adopt): orphans come back to it, bash's SIGCHLD
 * handler reaps them silently (it drops pids it does not know), and their
 * group or session still ties them to their tree; one adopted after the
 * first scan, whose parent was forked too late to be seen, is taken for
 * a member by that alone (the shell forks nothing while it stops a tree).  A forked job child is
 * a subreaper for its whole life (lib/child.c), so a function's own
 * descendants stay under it, linked by ppid, until it ends.
 *
 * This is also the only place that parses /proc/PID/stat.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pidset.h"
#include "proctree.h"

/* The shell as child subreaper: nesting, and whether we turned it on. */
static int adopt_depth;
static int adopt_set;
static pid_t adopt_owner;

/*
 * Parse the text of /proc/PID/stat in BUF into *P.  The command name is
 * in parentheses and may hold spaces and ')', so the fields are read after
 * the last ')'.  Return 0, or -1 if BUF is not such a line.
 */
static int
proc_parse(const char *buf, struct proc *p)
{
	const char *q;
	long pid, ppid, pgrp, sid;
	char state;

	if ((q = strrchr(buf, ')')) == NULL || q[1] == '\0' ||
	    sscanf(buf, "%ld", &pid) != 1)
		return (-1);
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	   cmajflt utime stime cutime cstime priority nice threads
	   itrealvalue starttime vsize rss */
	if (sscanf(q + 2, "%c %ld %ld %ld %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu %*d %*d %*d %*d %*d %*d %llu %*u %llu", &state, &ppid, &pgrp,
	    &sid, &p->utime, &p->stime, &p->start, &p->rss) != 8)
		return (-1);
	p->pid = (pid_t)pid;
	p->ppid = (pid_t)ppid;
	p->pgrp = (pid_t)pgrp;
	p->sid = (pid_t)sid;
	p->state = state;
	return (0);
}

/* Read /proc/NAME/stat into *P; return 0, or -1 with errno set. */
static int
proc_read(const char *name, struct proc *p)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (-1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = ESRCH;
		return (-1);
	}
	buf[n] = '\0';
	if (proc_parse(buf, p) < 0) {
		errno = EINVAL;
		return (-1);
	}
	return (0);
}

/*
 * Read process PID's stat into *P.  Return 0, or -1 with errno set
 * (ENOENT: no such process).
 */
int
proctree_stat(pid_t pid, struct proc *p)
{
	char name[24];

	snprintf(name, sizeof(name), "%ld", (long)pid);
	return (proc_read(name, p));
}

/*
 * Read every process into a new array stored in *OUT; return how many,
 * or -1 if /proc cannot be read.  The caller frees *OUT.
 */
static long
proc_scan(struct proc **out)
{
	DIR *d;
	struct dirent *e;
	struct proc *v, *nv;
	size_t n, cap;

	*out = NULL;
	if ((d = opendir("/proc")) == NULL)
		return (-1);
	v = NULL;
	n = cap = 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 512;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if (proc_read(e->d_name, &v[n]) == 0)
			n++;
	}
	closedir(d);
	*out = v;
	return ((long)n);
}

/*
 * Return 1 if a process other than a zombie is in group PG (or in doubt).
 * killpg(PG, 0) alone counts zombies, and an orphan's zombie may wait a
 * second or more for init (seen in containers): so when killpg finds
 * someone, /proc tells what it is.
 */
int
proctree_group_live(pid_t pg)
{
	struct proc *v;
	long n, i;
	int live;

	if (pg <= 0 || (killpg(pg, 0) < 0 && errno == ESRCH))
		return (0);
	if ((n = proc_scan(&v)) < 0)
		return (1);
	live = 0;
	for (i = 0; i < n && !live; i++)
		live = v[i].pgrp == pg && PROC_LIVE(&v[i]);
	free(v);
	return (live);
}

/* Start an empty tree: the caller, its group and session never in it. */
void
proctree_init(struct proctree *t)
{
	memset(t, 0, sizeof(*t));
	t->self = getpid();
	t->self_pgrp = getpgrp();
	t->self_sid = getsid(0);
}

/* Release T's storage. */
void
proctree_free(struct proctree *t)
{
	free(t->m);
	free(t->grp);
	free(t->sess);
	free(t->prior);
	memset(t, 0, sizeof(*t));
}

static struct proctree_member *
tree_find(struct proctree *t, pid_t pid)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->m[i].pid == pid)
			return (&t->m[i]);
	return (NULL);
}

static struct proctree_member *
tree_put(struct proctree *t, pid_t pid)
{
	struct proctree_member *m;

	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		if ((m = realloc(t->m, t->cap * sizeof(*m))) == NULL) {
			t->cap = t->n;
			return (NULL);
		}
		t->m = m;
	}
	m = &t->m[t->n++];
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	return (m);
}

static int
ids_has(const pid_t *v, size_t n, pid_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == id)
			return (1);
	return (0);
}

static void
ids_add(pid_t **v, size_t *n, size_t *cap, pid_t id)
{
	pid_t *nv;

	if (ids_has(*v, *n, id))
		return;
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		if ((nv = realloc(*v, *cap * sizeof(*nv))) == NULL) {
			*cap = *n;
			return;
		}
		*v = nv;
	}
	(*v)[(*n)++] = id;
}

/*
 * Make process PID a root of T: it and its descendants are members.  The
 * caller itself may be a root (to collect its own descendants); it is
 * never signalled.
 */
void
proctree_add_pid(struct proctree *t, pid_t pid)
{
	struct proctree_member *m;

	/* Taken to be alive until a scan says otherwise. */
	if (pid > 1 && tree_find(t, pid) == NULL &&
	    (m = tree_put(t, pid)) != NULL)
		m->live = 1;
}

/* Make every member of process group PG a root of T (not the caller's). */
void
proctree_add_group(struct proctree *t, pid_t pg)
{
	if (pg > 1 && pg != t->self_pgrp)
		ids_add(&t->grp, &t->ngrp, &t->gcap, pg);
}

/* Return 1 if P was a child of the caller at T's first scan. */
static int
tree_prior(const struct proctree *t, const struct proc *p)
{
	size_t i;

	for (i = 0; i < t->nprior; i++)
		if (t->prior[i].pid == p->pid && t->prior[i].start == p->start)
			return (1);
	return (0);
}

/* At T's first scan, note the caller's children in the N of V. */
static void
tree_note_prior(struct proctree *t, const struct proc *v, size_t n)
{
	struct proc *np;
	size_t i;

	if (t->known == NULL || t->scans > 0)
		return;
	for (i = 0; i < n; i++) {
		if (v[i].ppid != t->self)
			continue;
		if (t->nprior % 32 == 0) {
			np = realloc(t->prior, (t->nprior + 32) * sizeof(*np));
			if (np == NULL) {
				t->known = NULL;  /* out of memory: adopt none */
				return;
			}
			t->prior = np;
		}
		t->prior[t->nprior++] = v[i];
	}
}

/* Return 1 if the scanned process P is a member of T. */
static int
tree_claims(struct proctree *t, const struct proc *p)
{
	struct proctree_member *m;

	if ((m = tree_find(t, p->pid)) != NULL &&
	    (m->start == 0 || m->start == p->start))
		return (1);
	if (ids_has(t->grp, t->ngrp, p->pgrp) ||
	    ids_has(t->sess, t->nsess, p->sid))
		return (1);
	/* A child of a member seen in this scan (not a recycled pid). */
	m = tree_find(t, p->ppid);
	if (m != NULL && m->seen && p->start >= m->start)
		return (1);
	/*
	 * An orphan the caller adopted (it is a subreaper while it stops
	 * the tree) since the first scan: its parent, a member forked after
	 * our last look, died meanwhile (KILL), maybe after it left the
	 * tree's groups and sessions.  The caller forks nothing while it
	 * stops a tree, and KNOWN keeps its own jobs out all the same.
	 */
	return (t->known != NULL && t->scans > 0 && p->ppid == t->self &&
	    !tree_prior(t, p) && !t->known(p->pid));
}

/* Note the scanned member P in T: its identity, its group and session. */
static void
tree_note(struct proctree *t, const struct proc *p)
{
	struct proctree_member *m;

	if ((m = tree_find(t, p->pid)) == NULL &&
	    (m = tree_put(t, p->pid)) == NULL)
		return;
	if (m->start != 0 && m->start != p->start)
		m->signalled = 0;	/* a new process with a recycled pid */
	m->start = p->start;
	m->pgrp = p->pgrp;
	m->state = p->state;
	m->seen = 1;
	m->live = PROC_LIVE(p);
	if (p->pid == t->self)
		return;
	proctree_add_group(t, p->pgrp);
	if (p->sid == p->pid && p->sid != t->self_sid)
		ids_add(&t->sess, &t->nsess, &t->scap, p->sid);
}

/*
 * Mark in ANC which of the N processes in V are the caller's ancestors:
 * never members, whatever group or session they share with one.
 */
static void
tree_ancestors(const struct proc *v, size_t n, char *anc)
{
	pid_t pid;
	size_t i;
	int depth;

	pid = getppid();
	for (depth = 0; pid > 1 && depth < 1000; depth++) {
		for (i = 0; i < n && v[i].pid != pid; i++)
			;
		if (i == n)
			break;
		anc[i] = 1;
		pid = v[i].ppid;
	}
}

/*
 * Read every process and bring T up to date: find its members (see the
 * top of this file) and whether each is alive.  Return the number of live
 * members other than the caller, or -1 if /proc cannot be read.
 */
int
proctree_collect(struct proctree *t)
{
	struct proc *v;
	char *in, *anc;
	long n;
	size_t i, k;
	int grew, live;

	if ((n = proc_scan(&v)) < 0)
		return (-1);
	in = calloc((size_t)n + 1, 2);
	if (in == NULL) {
		free(v);
		return (-1);
	}
	anc = in + n + 1;
	tree_ancestors(v, (size_t)n, anc);
	tree_note_prior(t, v, (size_t)n);
	for (k = 0; k < t->n; k++)
		t->m[k].live = t->m[k].seen = 0;
	do {
		grew = 0;
		for (i = 0; i < (size_t)n; i++) {
			if (in[i] || anc[i] || v[i].pid == 1 ||
			    !tree_claims(t, &v[i]))
				continue;
			in[i] = 1;
			tree_note(t, &v[i]);
			grew = 1;
		}
	} while (grew);
	live = 0;
	for (k = 0; k < t->n; k++)
		live += t->m[k].live && t->m[k].pid != t->self;
	t->scans++;
	free(in);
	free(v);
	return (live);
}

/* Return 1 if a process is in one of T's groups (a zombie counts). */
int
proctree_groups_busy(const struct proctree *t)
{
	size_t i;

	for (i = 0; i < t->ngrp; i++)
		if (killpg(t->grp[i], 0) == 0 || errno != ESRCH)
			return (1);
	return (0);
}

/*
 * Return the number of T's live members other than the caller, as cheaply
 * as possible: the members known alive are looked at one by one, and only
 * when none is left but a group is not empty (a zombie, or a process
 * forked since) or a session may hold some, is everything read again.
 */
int
proctree_recheck(struct proctree *t)
{
	struct proctree_member *m;
	struct proc p;
	size_t k;
	int live;

	live = 0;
	for (k = 0; k < t->n; k++) {
		m = &t->m[k];
		if (!m->live || m->pid == t->self)
			continue;
		if (proctree_stat(m->pid, &p) < 0 || !PROC_LIVE(&p) ||
		    (m->start != 0 && p.start != m->start))
			m->live = 0;
		else
			live++;
	}
	if (live > 0 || (t->nsess == 0 && !proctree_groups_busy(t)))
		return (live);
	return (proctree_collect(t));
}

/* Return 1 if PGRP is one of the groups T signals as a whole. */
static int
proctree_group_of(const struct proctree *t, pid_t pgrp)
{
	size_t i;

	for (i = 0; i < t->ngrp; i++)
		if (t->grp[i] == pgrp)
			return (1);
	return (0);
}

/*
 * Send SIG to each group of T and to every live member (as found by the
 * last collect) outside those groups; a stopped process then gets
 * SIGCONT so that it can act on SIG, as bash's kill does for a stopped
 * job.  A member is sent SIG once: a second copy that arrives after its
 * trap has run (a loaded machine lets it) would run the trap again.
 * Return the number of processes and groups signalled.
 */
int
proctree_signal(struct proctree *t, int sig)
{
	struct proctree_member *m;
	size_t i, k;
	int n, cont, stopped;

	n = 0;
	cont = sig != SIGKILL && sig != SIGCONT && sig != 0;
	for (i = 0; i < t->ngrp; i++) {
		if (killpg(t->grp[i], sig) == 0)
			n++;
		for (stopped = 0, k = 0; k < t->n && !stopped; k++)
			stopped = t->m[k].live && t->m[k].pgrp == t->grp[i] &&
			    PROC_STOPPED(&t->m[k]);
		if (cont && stopped)
			killpg(t->grp[i], SIGCONT);
	}
	for (k = 0; k < t->n; k++) {
		m = &t->m[k];
		if (!m->live || m->pid == t->self)
			continue;
		m->signalled = 1;
		if (proctree_group_of(t, m->pgrp))
			continue;
		if (kill(m->pid, sig) == 0)
			n++;
		if (cont && PROC_STOPPED(m))
			kill(m->pid, SIGCONT);
	}
	return (n);
}

/*
 * Make the shell a child subreaper (ON), or put back the setting it had
 * (!ON), nesting: orphans of what it started re-parent to it instead of
 * init while a builtin owns children.  The setting survives execve, so it
 * is never left on once the builtin returns (a script's later `exec'
 * would hand it to another program).  A forked child starts with the
 * kernel's setting cleared and a depth of its own.
 */
void
proctree_adopt(int on)
{
	int cur;

	if (adopt_owner != getpid()) {
		adopt_owner = getpid();
		adopt_depth = adopt_set = 0;
	}
	if (on) {
		if (adopt_depth++ > 0)
			return;
		cur = 0;
		if (prctl(PR_GET_CHILD_SUBREAPER, &cur) == 0 && cur == 0 &&
		    prctl(PR_SET_CHILD_SUBREAPER, 1) == 0)
			adopt_set = 1;
		return;
	}
	if (adopt_depth == 0 || --adopt_depth > 0)
		return;
	if (adopt_set)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	adopt_set = 0;
}

/*
 * Send SIG to the live members of T that no proctree_signal reached: the
 * ones forked after it, by a member that had SIG pending but blocked
 * (bash blocks TERM and INT around fork, so its child misses a signal
 * sent to the group while it forks), or adopted since.  Stopped ones get
 * SIGCONT too.  Groups are not signalled again: a member that handles
 * SIG is not interrupted twice.  Return the number of processes
 * signalled.
 */
int
proctree_signal_new(struct proctree *t, int sig)
{
	struct proctree_member *m;
	size_t k;
	int n;

	for (n = 0, k = 0; k < t->n; k++) {
		m = &t->m[k];
		if (!m->live || m->signalled || m->pid == t->self)
			continue;
		if (kill(m->pid, sig) == 0)
			n++;
		m->signalled = 1;
		if (sig != SIGKILL && sig != SIGCONT && sig != 0 &&
		    PROC_STOPPED(m))
			kill(m->pid, SIGCONT);
	}
	return (n);
}

/*
 * The owner of process I of V (N processes): the job whose root it is,
 * whose own group it is in, or its parent's owner; -1 for none (the
 * shell itself, and what is not under a job).  OWN caches the answers
 * (-2: not known yet); STACK has room for N.  Iterative: a deep chain of
 * parents must not exhaust our stack.
 */
static int
use_owner(const struct proc *v, struct pidset *idx, struct pidset *roots,
    struct pidset *groups, int *own, int *stack, long i)
{
	long top = 0, cur = i;
	int *j, o;

	while (own[cur] == -2) {
		if ((j = pidset_get(roots, v[cur].pid)) != NULL)
			o = *j;
		else if ((j = pidset_get(groups, v[cur].pgrp)) != NULL)
			o = *j;
		else if (v[cur].pid == getpid() || v[cur].ppid <= 1 ||
		    (j = pidset_get(idx, v[cur].ppid)) == NULL)
			o = -1;
		else {
			stack[top++] = (int)cur;
			cur = *j;
			continue;
		}
		own[cur] = o;
	}
	while (top > 0)
		own[stack[--top]] = own[cur];
	return (own[cur]);
}

/* Add live process P to U; its start if it is a root of U's job. */
static void
use_add(struct proctree_use *u, const struct proc *p, int root, long page)
{
	if (root && p->start && (u->start == 0 || p->start < u->start))
		u->start = p->start;
	if (!PROC_LIVE(p))
		return;
	u->utime += p->utime;
	u->stime += p->stime;
	u->rss += p->rss * (unsigned long long)page;
	u->nproc++;
}

/*
 * Sum the resources of K jobs' process trees, with one look at /proc for
 * all of them (a job's tree is what its roots ROOTS[J] (NROOTS[J] pids)
 * and, if GROUPS[J] > 0, its own process group hold, and their
 * descendants), into U[0..K-1].  Return 0, or -1 if /proc cannot be read.
 */
int
proctree_usage(pid_t *const *roots, const int *nroots, const pid_t *groups,
    int k, struct proctree_use *u)
{
	struct pidset idx, rs, gs;
	struct proc *v;
	long n, i, page;
	int *own, *stack, j, r;

	memset(u, 0, k * sizeof(*u));
	if ((n = proc_scan(&v)) < 0)
		return (-1);
	memset(&idx, 0, sizeof(idx));
	memset(&rs, 0, sizeof(rs));
	memset(&gs, 0, sizeof(gs));
	for (j = 0; j < k; j++) {
		for (r = 0; r < nroots[j]; r++)
			pidset_put(&rs, roots[j][r], j);
		if (groups[j] > 0)
			pidset_put(&gs, groups[j], j);
	}
	own = malloc((n + 1) * sizeof(int));
	stack = malloc((n + 1) * sizeof(int));
	page = sysconf(_SC_PAGESIZE);
	for (i = 0; i < n && own && stack; i++) {
		pidset_put(&idx, v[i].pid, (int)i);
		own[i] = -2;
	}
	for (i = 0; i < n && own && stack; i++)
		if ((j = use_owner(v, &idx, &rs, &gs, own, stack, i)) >= 0)
			use_add(&u[j], &v[i], pidset_get(&rs, v[i].pid) != NULL,
			    page);
	free(own);
	free(stack);
	free(v);
	pidset_free(&idx);
	pidset_free(&rs);
	pidset_free(&gs);
	return (0);
}
