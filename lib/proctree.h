/* proctree.h - processes from /proc: one process, a whole tree */

#ifndef BGTOOLS_PROCTREE_H
#define BGTOOLS_PROCTREE_H

#include <stddef.h>
#include <sys/types.h>

/* One process, as /proc/PID/stat describes it. */
struct proc {
	pid_t pid, ppid, pgrp, sid;
	char state;			/* R, S, D, T, t, Z, X, ... */
	unsigned long long start;	/* clock ticks after boot */
	unsigned long long utime, stime;	/* CPU, clock ticks */
	unsigned long long rss;		/* resident pages */
};

/* What a job's whole process tree uses (proctree_usage). */
struct proctree_use {
	unsigned long long utime, stime;	/* CPU, clock ticks */
	unsigned long long rss;		/* resident bytes */
	unsigned long long start;	/* earliest root's start, ticks after
					   boot; 0: none seen */
	int nproc;			/* live processes */
};

#define PROC_LIVE(p)	((p)->state != 'Z' && (p)->state != 'X')
#define PROC_STOPPED(p)	((p)->state == 'T' || (p)->state == 't')

/* A member of a tree: a process seen once, known by pid and start time. */
struct proctree_member {
	pid_t pid, pgrp;
	unsigned long long start;	/* 0: not seen yet (a root by pid) */
	char state;			/* at the last look */
	char seen;			/* in the last scan */
	char live;			/* alive (not a zombie) at the last look */
	char signalled;			/* sent a signal by proctree_signal */
};

struct proctree {
	struct proctree_member *m;
	size_t n, cap;
	pid_t *grp;			/* groups signalled as a whole */
	size_t ngrp, gcap;
	pid_t *sess;			/* sessions a member started */
	size_t nsess, scap;
	pid_t self, self_pgrp, self_sid;	/* never signalled */
	/*
	 * If KNOWN is set, the caller's children that were not there at the
	 * first scan (PRIOR) are members, but those KNOWN says are its own
	 * (see tree_claims).
	 */
	int (*known)(pid_t);
	struct proc *prior;
	size_t nprior;
	int scans;
};

int proctree_stat(pid_t, struct proc *);
void proctree_init(struct proctree *);
void proctree_free(struct proctree *);
void proctree_add_pid(struct proctree *, pid_t);
void proctree_add_group(struct proctree *, pid_t);
int proctree_collect(struct proctree *);
int proctree_recheck(struct proctree *);
int proctree_signal(struct proctree *, int);
int proctree_signal_new(struct proctree *, int);
int proctree_groups_busy(const struct proctree *);
int proctree_group_live(pid_t);
void proctree_adopt(int);
int proctree_usage(pid_t *const *, const int *, const pid_t *, int,
    struct proctree_use *);

#endif
