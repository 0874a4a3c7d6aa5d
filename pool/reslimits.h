/* reslimits.h - pool within the machine's limits: --load, --memfree, --limit */

#ifndef BGTOOLS_RESLIMITS_H
#define BGTOOLS_RESLIMITS_H

#include <stdint.h>
#include <sys/resource.h>

#define LIMITS_GO	0	/* start another job */
#define LIMITS_HOLD	1	/* start none for now */
#define LIMITS_SHED	2	/* and stop the youngest, to run it later */

#define LIMITS_RECHECK_NS	(1000LL * 1000000)

struct limits {
	double load;		/* --load: 0 for none */
	int64_t memfree;	/* --memfree, bytes: 0 for none */
	char *cmd;		/* --limit */
	int nice, nice_set;	/* --nice */
	int64_t mem_limit;	/* --mem-limit, bytes: 0 for none */
	long cpu_quota;		/* --cpu-quota: pool/cgroup.c, 0 for none */
	int nrl;		/* --rlimit: how many of rl */
	struct {
		int res;
		rlim_t max;
	} rl[3];
};

int limits_load_parse(const char *, long, double *);
int limits_size_parse(const char *, int64_t *);
int limits_rlimit_parse(const char *, struct limits *);
int limits_active(const struct limits *);
int limits_check(const struct limits *);
void limits_child(const struct limits *);

#endif
