/* cgroup.h - per-job memory and CPU caps in cgroups: --mem-limit, --cpu-quota */

#ifndef BGTOOLS_CGROUP_H
#define BGTOOLS_CGROUP_H

#include <stdint.h>

#define CG_PERIOD_US	100000L	/* the CPU quota's period: the kernel's default */

struct cgroups {
	int64_t mem;		/* --mem-limit, bytes: 0 for none */
	long cpu;		/* --cpu-quota, us per CG_PERIOD_US: 0 for none */
	int state;		/* 0: not set up yet, 1: set up */
	int warned;		/* a slot's cgroup could not be made */
	int nslot;
	int v2[2];		/* per controller: in a cgroup v2 hierarchy */
	char *dir[2];		/* per controller: the pool's cgroup, or NULL */
	char **procs;		/* [2 * (SLOT - 1) + K]: cgroup.procs, or NULL */
	long *oom;		/* per slot: its oom_kill count at the job's start */
};

int cgroup_quota_parse(const char *, long *);
void cgroup_begin(struct cgroups *, int64_t, long, int);
int cgroup_active(const struct cgroups *);
void cgroup_job_start(struct cgroups *, int);
void cgroup_child(const struct cgroups *, int);
int cgroup_oom(const struct cgroups *, int);
void cgroup_end(struct cgroups *);

#endif
