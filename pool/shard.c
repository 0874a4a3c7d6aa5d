/* shard.c - pool --shard: this copy's share of the items */

/*
 * N copies of one script, started by an outer scheduler (a Slurm array
 * job, a Kubernetes Indexed Job, an AWS Batch array job, GitLab's
 * `parallel:'), split the items without talking to each other: copy I
 * runs the items whose 0-based input position modulo N is I.  Round
 * robin rather than contiguous ranges, because it needs no total: it
 * works on stdin of unknown length, and the copies' loads stay even when
 * cost grows along the input.  {#} and POOL_SEQ stay the global position,
 * so the copies' joblogs (and --results directories) merge by simply
 * concatenating them.  The filter is applied where items are numbered
 * (pool/input.c); this file only works out I and N.
 *
 * `--shard auto' reads them from the environment, first found wins:
 *   Slurm	SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (0 if unset),
 *		divided by SLURM_ARRAY_TASK_STEP (1), of SLURM_ARRAY_TASK_COUNT
 *   Kubernetes	JOB_COMPLETION_INDEX; the count is not in the environment
 *		of an Indexed Job: pass .spec.completions as `auto/N'
 *   AWS Batch	AWS_BATCH_JOB_ARRAY_INDEX of AWS_BATCH_JOB_ARRAY_SIZE
 *   GitLab	CI_NODE_INDEX (1-based) of CI_NODE_TOTAL
 * `auto/N' gives the count for any of them; where the environment also
 * has one, the two must agree.
 */

#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "shard.h"

struct shard_env {
	const char *index, *count;
	int base;		/* the index of the first copy */
};

static const struct shard_env shard_envs[] = {
	{ "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", 0 },
	{ "JOB_COMPLETION_INDEX", NULL, 0 },
	{ "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE", 0 },
	{ "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },
	{ NULL, NULL, 0 }
};

/* The integer value of shell variable NAME in *N: 1, 0 if unset, -1 bad. */
static int
shard_var(const char *name, long *n)
{
	intmax_t v;
	char *s;

	if ((s = get_string_value(name)) == NULL || *s == '\0')
		return (0);
	if (!legal_number(s, &v) || v < 0 || v > 1000000000) {
		builtin_error("%s=%s: invalid shard", name, s);
		return (-1);
	}
	*n = (long)v;
	return (1);
}

/* Slurm: the task id's place among the array's ids. */
static int
shard_slurm(long *index)
{
	long min, step;

	min = 0;
	step = 1;
	if (shard_var("SLURM_ARRAY_TASK_MIN", &min) < 0 ||
	    shard_var("SLURM_ARRAY_TASK_STEP", &step) < 0)
		return (-1);
	if (*index < min || step < 1 || (*index - min) % step) {
		builtin_error("SLURM_ARRAY_TASK_ID=%ld: invalid shard", *index);
		return (-1);
	}
	*index = (*index - min) / step;
	return (0);
}

/*
 * --shard auto[/N]: I and N from the first scheduler's variables set;
 * COUNT is N, or 0.  Return 0, or -1 after saying why not.
 */
static int
shard_auto(long count, long *index, long *total)
{
	const struct shard_env *e;
	long n;
	int r;

	for (e = shard_envs; e->index; e++)
		if ((r = shard_var(e->index, index)) != 0)
			break;
	if (e->index == NULL) {
		builtin_error("--shard auto: no array job index in the "
		    "environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, "
		    "AWS_BATCH_JOB_ARRAY_INDEX, CI_NODE_INDEX)");
		return (-1);
	}
	if (r < 0 || (e->index[0] == 'S' && shard_slurm(index) < 0))
		return (-1);
	if (*index < e->base)
		return (builtin_error("%s=%ld: invalid shard", e->index,
		    *index), -1);
	*index -= e->base;
	n = 0;
	if (e->count && (r = shard_var(e->count, &n)) < 0)
		return (-1);
	if (n == 0 && (n = count) == 0) {
		builtin_error("--shard auto: %s is set but %s is not: give the "
		    "count as --shard auto/N", e->index, e->count ? e->count :
		    "the count");
		return (-1);
	}
	if (count && n != count) {
		builtin_error("--shard auto/%ld: %s=%ld says otherwise", count,
		    e->count, n);
		return (-1);
	}
	*total = n;
	return (0);
}

/*
 * Parse SPEC, `I/N', `auto' or `auto/N', into *INDEX (0-based) and
 * *COUNT.  Return 0, or -1 after printing why not (`pool: 3/2: invalid
 * shard').
 */
int
shard_parse(const char *spec, long *index, long *count)
{
	const char *slash;
	char *head;
	intmax_t i, n;
	int ok, autom;

	slash = strchr(spec, '/');
	n = 0;
	if (slash && (!legal_number(slash + 1, &n) || n < 1 ||
	    n > 1000000000))
		return (builtin_error("%s: invalid shard", spec), -1);
	head = savestring(spec);
	if (slash)
		head[slash - spec] = '\0';
	autom = strcmp(head, "auto") == 0;
	ok = slash && legal_number(head, &i) && i >= 0 && i < n;
	free(head);
	if (autom) {
		if (shard_auto((long)n, index, count) < 0)
			return (-1);
		if (*index < *count)
			return (0);
		builtin_error("%s: invalid shard: index %ld of %ld", spec,
		    *index, *count);
		return (-1);
	}
	if (!ok)
		return (builtin_error("%s: invalid shard", spec), -1);
	*index = (long)i;
	*count = (long)n;
	return (0);
}
