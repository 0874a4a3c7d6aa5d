/* pool - run a command over many items, a bounded number at a time */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fds.h"
#include "bashapi.h"
#include "attempt.h"
#include "columns.h"
#include "duration.h"
#include "exitcodes.h"
#include "input.h"
#include "load.h"
#include "vars.h"
#include "opts.h"
#include "persist.h"
#include "pipe.h"
#include "refuse.h"
#include "pool.h"
#include "poolspec.h"
#include "progress.h"
#include "report.h"
#include "sigguard.h"
#include "reslimits.h"
#include "shard.h"
#include "launch.h"
#include "subst.h"

#define NSEMS		32

enum {
	O_HALT = 256, O_TIMEOUT, O_RETRIES, O_RETRY_DELAY, O_RETRY_BACKOFF,
	O_RETRY_MAX, O_RETRY_JITTER, O_LINEBUF, O_GROUP, O_TAG, O_TAGSTRING,
	O_JOBLOG, O_RESUME, O_RESUME_FAILED, O_RESULTS, O_BAR, O_DELAY,
	O_DRYRUN, O_SEM, O_WAIT, O_ID, O_STATUS, O_JSON, O_PERSIST,
	O_LINK, O_TRIM, O_ARGSEP, O_ARGFILESEP, O_SHUF, O_PLUS, O_XARGS,
	O_SHARD, O_TERMSEQ, O_NICE, O_LOAD, O_MEMFREE, O_LIMIT, O_RLIMIT,
	O_CSV, O_HEADER, O_CIGROUPS, O_JUNIT,
	O_MEMLIMIT, O_CPUQUOTA,
	O_LAUNCHER, O_SLF, O_SSH, O_ENV, O_STATUS_ARRAY, O_WORKDIR,
	O_FILTERHOSTS, O_FILES, O_TMPDIR,
	O_PROGRESS, O_ETA, O_PROGRESS_EVERY, O_RETRY_FAILED,
	O_COLOR, O_CTAG, O_CTAGSTRING,
	O_PIPE, O_PIPEPART, O_BLOCK, O_RECEND, O_RECSTART,
	O_TF, O_TRANSFER, O_RETURN, O_CLEANUP, O_TRC, O_BF,
	O_ROUNDROBIN, O_MAXCHARS, O_REGEXP, O_TTY
};

static const struct optdef pool_opts[] = {
	{ "jobs", 'j', 1 },
	{ "halt", O_HALT, 1 },
	{ "timeout", O_TIMEOUT, 1 },
	{ "retries", O_RETRIES, 1 },
	{ "retry-delay", O_RETRY_DELAY, 1 },
	{ "retry-backoff", O_RETRY_BACKOFF, 1 },
	{ "retry-max", O_RETRY_MAX, 1 },
	{ "retry-jitter", O_RETRY_JITTER, 1 },
	{ "keep-order", 'k', 0 },
	{ "line-buffer", O_LINEBUF, 0 },
	{ "lb", O_LINEBUF, 0 },
	{ "ungroup", 'u', 0 },
	{ "tty", O_TTY, 0 },
	{ "open-tty", 'o', 0 },
	{ "group", O_GROUP, 0 },
	{ "tag", O_TAG, 0 },
	{ "tagstring", O_TAGSTRING, 1 },
	{ "joblog", O_JOBLOG, 1 },
	{ "resume", O_RESUME, 0 },
	{ "resume-failed", O_RESUME_FAILED, 0 },
	{ "results", O_RESULTS, 1 },
	{ "res", O_RESULTS, 1 },
	{ "files", O_FILES, 0 },
	{ "output-as-files", O_FILES, 0 },
	{ "tmpdir", O_TMPDIR, 1 },
	{ "tempdir", O_TMPDIR, 1 },
	{ "status-array", O_STATUS_ARRAY, 1 },
	{ "bar", O_BAR, 0 },
	{ "delay", O_DELAY, 1 },
	{ "dry-run", O_DRYRUN, 0 },
	{ "array", 'a', 1 },
	{ "null", '0', 0 },
	{ "delimiter", 'd', 1 },
	{ "max-args", 'n', 1 },
	{ "sem", O_SEM, 0 },
	{ "semaphore", O_SEM, 0 },
	{ "wait", O_WAIT, 0 },
	{ "id", O_ID, 1 },
	{ "status", O_STATUS, 0 },
	{ "json", O_JSON, 0 },
	{ "persist", O_PERSIST, 0 },
	{ NULL, 'A', 1 },
	/* GNU parallel's inputs and aliases (issue 13) */
	{ "max-procs", 'P', 1 },
	{ "halt-on-error", O_HALT, 1 },
	{ "link", O_LINK, 0 },
	{ "xapply", O_LINK, 0 },
	{ "no-run-if-empty", 'r', 0 },
	{ "trim", O_TRIM, 1 },
	{ "arg-sep", O_ARGSEP, 1 },
	{ "arg-file-sep", O_ARGFILESEP, 1 },
	{ "shuf", O_SHUF, 0 },
	{ NULL, 'I', 1 },
	{ "plus", O_PLUS, 0 },
	{ "verbose", 'v', 0 },
	{ NULL, 't', 0 },
	{ NULL, 'X', 0 },
	{ NULL, 'm', 0 },
	{ "xargs", O_XARGS, 0 },
	{ NULL, 'N', 1 },
	{ "shard", O_SHARD, 1 },
	{ "termseq", O_TERMSEQ, 1 },
	{ "term-seq", O_TERMSEQ, 1 },
	{ "nice", O_NICE, 1 },
	{ "load", O_LOAD, 1 },
	{ "memfree", O_MEMFREE, 1 },
	{ "limit", O_LIMIT, 1 },
	{ "rlimit", O_RLIMIT, 1 },
	{ "mem-limit", O_MEMLIMIT, 1 },
	{ "cpu-quota", O_CPUQUOTA, 1 },
	{ "colsep", 'C', 1 },
	{ "col-sep", 'C', 1 },
	{ "csv", O_CSV, 0 },
	{ "header", O_HEADER, 1 },
	{ "ci-groups", O_CIGROUPS, 1 },
	{ "junit", O_JUNIT, 1 },
	/* launchers and remote hosts (issue 14); -S is GNU parallel's --sshlogin */
	{ "launcher", O_LAUNCHER, 1 },
	{ "sshlogin", 'S', 1 },
	{ "slf", O_SLF, 1 },
	{ "sshloginfile", O_SLF, 1 },
	{ "ssh", O_SSH, 1 },
	{ "env", O_ENV, 1 },
	{ "workdir", O_WORKDIR, 1 },
	{ "wd", O_WORKDIR, 1 },
	{ "filter-hosts", O_FILTERHOSTS, 0 },
	{ "controlmaster", 'M', 0 },
	{ "transferfile", O_TF, 1 },
	{ "tf", O_TF, 1 },
	{ "transfer", O_TRANSFER, 0 },
	{ "return", O_RETURN, 1 },
	{ "cleanup", O_CLEANUP, 0 },
	{ "trc", O_TRC, 1 },
	{ "basefile", O_BF, 1 },
	{ "bf", O_BF, 1 },
	/* progress and reruns (issue 13) */
	{ "progress", O_PROGRESS, 0 },
	{ "eta", O_ETA, 0 },
	{ "progress-every", O_PROGRESS_EVERY, 1 },
	{ "retry-failed", O_RETRY_FAILED, 0 },
	{ "color", O_COLOR, 0 },
	{ "colour", O_COLOR, 0 },
	{ "ctag", O_CTAG, 0 },
	{ "ctagstring", O_CTAGSTRING, 1 },
	{ "ctag-string", O_CTAGSTRING, 1 },
	/* block input (issue 13): pool/pipe.c */
	{ "pipe", O_PIPE, 0 },
	{ "spreadstdin", O_PIPE, 0 },
	{ "pipepart", O_PIPEPART, 0 },
	{ "pipe-part", O_PIPEPART, 0 },
	{ "block", O_BLOCK, 1 },
	{ "block-size", O_BLOCK, 1 },
	{ "recend", O_RECEND, 1 },
	{ "recstart", O_RECSTART, 1 },
	{ "roundrobin", O_ROUNDROBIN, 0 },
	{ "round-robin", O_ROUNDROBIN, 0 },
	{ "max-chars", 's', 1 },
	{ "regexp", O_REGEXP, 0 },
	{ "regex", O_REGEXP, 0 },
	{ NULL, 0, 0 }
};

struct pool_args {
	struct pool_cfg cfg;
	const char *array;
	const char *into;		/* --status -A ARRAY */
	int delim, sem, wait, status, json, persist;
	int out_set;			/* output options given: 1 -u, 2, 4 */
	int jobs_set;			/* -j given */
	long max_args;
	const char *id;
	WORD_LIST *operands;
	struct input in;		/* input options only: --link, --trim... */
	struct subst_rules rules;	/* -I, --plus */
	long shard_i, shard_n;		/* --shard I/N */
	const char *colsep;		/* --colsep */
	const char *tmpdir;		/* --tmpdir */
	int csv, header, trim_set;	/* --csv, --header :, --trim */
	int retry_failed;		/* --retry-failed */
	const char *header_arg;		/* --header, as given */
	long nrec;			/* -N, or -1 */
	int n_set, pipe_set;		/* -n given; --block... given */
	int rr;				/* --roundrobin */
};

/* The --sem pools alive between calls, by --id. */
static struct pool *sems[NSEMS];

static int
pool_bad(const char *value, const char *what)
{
	builtin_error("%s: invalid %s", value, what);
	return (EX_USAGE);
}

static long
pool_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return (n > 0 ? n : 1);
}

/*
 * --timeout: a duration, or N% (GNU parallel's: N% of the median runtime
 * of the jobs that succeeded so far; N as digits, with a fraction).
 */
static int
pool_parse_timeout(struct pool_args *a, const char *v)
{
	size_t n = strlen(v), i, dots;

	a->cfg.timeout_pct = 0;
	a->cfg.timeout_ns = 0;
	if (n < 1 || v[n - 1] != '%')
		return (duration_arg(v, &a->cfg.timeout_ns) < 0 ? EX_USAGE : 0);
	for (i = dots = 0; i < n - 1; i++)
		if (v[i] == '.' && i > 0 && i < n - 2)
			dots++;
		else if (v[i] < '0' || v[i] > '9')
			return (pool_bad(v, "timeout"));
	a->cfg.timeout_pct = strtod(v, NULL);
	if (dots > 1 || a->cfg.timeout_pct <= 0)
		return (pool_bad(v, "timeout"));
	return (0);
}

/* -d: one character, or \n, \t, \0, \\. */
static int
pool_parse_delim(const char *s)
{
	if (s[0] != '\0' && s[1] == '\0')
		return ((unsigned char)s[0]);
	if (s[0] == '\\' && s[2] == '\0')
		switch (s[1]) {
		case 'n': return ('\n');
		case 't': return ('\t');
		case '0': return ('\0');
		case '\\': return ('\\');
		}
	return (-1);
}

/*
 * -j 0, GNU parallel's "as many as possible": 256 jobs, fewer when half
 * of `ulimit -u' or a quarter of what `ulimit -n' leaves above the
 * script's 0-9 (each job holds pipes and a spool file, all at FD_HIGH and
 * above: lib/fds.c) is less, at least 1.  Beyond those, pool already runs
 * fewer jobs when fork or open fails.
 */
static int
pool_jobs_max(void)
{
	struct rlimit rl;
	rlim_t n = 256;

	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 2 < n)
		n = rl.rlim_cur / 2;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur > FD_HIGH && (rl.rlim_cur - FD_HIGH) / 4 < n)
		n = (rl.rlim_cur - FD_HIGH) / 4;
	return (n > 0 ? (int)n : 1);
}

static int
pool_number(const char *s, long lo, long hi, long *out)
{
	intmax_t n;

	if (!legal_number(s, &n) || n < lo || n > hi)
		return (-1);
	*out = (long)n;
	return (0);
}

static int
pool_opt_retry(struct pool_args *a, int c, const char *v)
{
	int64_t ns;
	long n;

	switch (c) {
	case O_RETRIES:
		if (pool_number(v, 0, 1000000, &n) < 0)
			return (pool_bad(v, "retry count"));
		a->cfg.retries = n ? (int)n : 1;
		return (0);
	case O_RETRY_DELAY:
	case O_RETRY_MAX:
		if (duration_arg(v, &ns) < 0)
			return (EX_USAGE);
		*(c == O_RETRY_DELAY ? &a->cfg.backoff.first_ns :
		    &a->cfg.backoff.max_ns) = ns;
		return (0);
	case O_RETRY_BACKOFF:
		if (backoff_factor_parse(&a->cfg.backoff, v) < 0)
			return (pool_bad(v, "backoff factor"));
		return (0);
	default:
		if (backoff_jitter_parse(&a->cfg.backoff, v) < 0)
			return (pool_bad(v, "jitter"));
		return (0);
	}
}

/*
 * --shard, --termseq, --nice, --load, --memfree, --limit, --rlimit,
 * --mem-limit, --cpu-quota.
 */
static int
pool_opt_limits(struct pool_args *a, int c, char *v)
{
	long n;

	switch (c) {
	case O_SHARD:
		return (shard_parse(v, &a->shard_i, &a->shard_n) < 0 ?
		    EX_USAGE : 0);
	case O_TERMSEQ:
		return (termseq_parse(v, &a->cfg.termseq) < 0 ?
		    pool_bad(v, "termination sequence") : 0);
	case O_NICE:
		if (pool_number(v, -39, 39, &n) < 0)
			return (pool_bad(v, "niceness"));
		a->cfg.lim.nice = (int)n;
		a->cfg.lim.nice_set = 1;
		return (0);
	case O_LOAD:
		return (limits_load_parse(v, pool_ncpu(), &a->cfg.lim.load) <
		    0 ? pool_bad(v, "load") : 0);
	case O_MEMFREE:
		return (limits_size_parse(v, &a->cfg.lim.memfree) < 0 ?
		    pool_bad(v, "size") : 0);
	case O_RLIMIT:
		return (limits_rlimit_parse(v, &a->cfg.lim) < 0 ? EX_USAGE : 0);
	case O_MEMLIMIT:
		return (limits_size_parse(v, &a->cfg.lim.mem_limit) < 0 ?
		    pool_bad(v, "size") : 0);
	case O_CPUQUOTA:
		return (cgroup_quota_parse(v, &a->cfg.lim.cpu_quota) < 0 ?
		    pool_bad(v, "CPU quota") : 0);
	default:
		a->cfg.lim.cmd = v;
		return (0);
	}
}

/*
 * --launcher, --sshlogin, --slf, --ssh, --env, --workdir, --transferfile,
 * --return, --trc: pool/launch.c.
 */
static int
pool_opt_launch(struct pool_args *a, int c, char *v)
{
	struct launch *l = &a->cfg.launch;

	switch (c) {
	case O_LAUNCHER:
		if (*v == '\0')
			return (pool_bad("''", "launcher"));
		l->prefix = v;
		return (0);
	case 'S':
		return (launch_hosts(l, v));
	case O_SLF:
		return (launch_slf(l, v));
	case O_SSH:
		if (*v == '\0')
			return (pool_bad("''", "ssh command"));
		l->ssh = v;
		return (0);
	case O_WORKDIR:
		return (launch_workdir(l, v));
	case O_TF: case O_RETURN: case O_TRC: case O_BF:
		return (launch_files(l, c == O_TF ? LAUNCH_TF : c == O_TRC ?
		    LAUNCH_TRC : c == O_BF ? LAUNCH_BF : LAUNCH_RET, v));
	default:
		return (launch_env(l, v));
	}
}

/* The options with a value that say what the items are and how used. */
static int
pool_opt_input(struct pool_args *a, int c, char *v)
{
	long n;

	switch (c) {
	case 'n':
	case 'N':
		if (pool_number(v, c == 'N' ? 0 : 1, 1000000, &n) < 0)
			return (pool_bad(v, "argument count"));
		if (c == 'N')
			a->nrec = n;
		else
			a->n_set = 1;
		a->max_args = n ? n : 1;
		a->rules.noargs = n == 0;	/* -N 0: one item, none used */
		return (0);
	case 's':
		if (pool_number(v, 1, 1L << 30, &n) < 0)
			return (pool_bad(v, "command line length"));
		a->in.max_chars = (size_t)n;
		return (0);
	case 'I':
		if (*v == '\0')
			return (pool_bad("''", "replacement string"));
		a->rules.repl = v;
		return (0);
	case 'C':
		if (*v == '\0')
			return (pool_bad("''", "column separator"));
		a->colsep = v;
		return (0);
	case O_CIGROUPS:
		return (report_ci_parse(v, &a->cfg.ci) < 0 ? pool_bad(*v ? v :
		    "''", "CI system (github, gitlab, auto or none)") : 0);
	case O_JUNIT:
		if (*v == '\0')
			return (pool_bad("''", "JUnit file"));
		a->cfg.junit = v;
		return (0);
	case O_HEADER:
		a->header_arg = v;	/* its meaning depends on --pipe */
		return (0);
	case O_BLOCK:
		a->pipe_set = 2;
		return (pipe_size_parse(v, &a->cfg.pipe.block) < 0 ?
		    pool_bad(v, "block size") : 0);
	case O_RECEND:
	case O_RECSTART:
		a->pipe_set = 1;
		*(c == O_RECEND ? &a->cfg.pipe.recend : &a->cfg.pipe.recstart) =
		    v;
		return (0);
	case O_TRIM:
		a->trim_set = 1;
		return (input_trim_parse(v, &a->in.trim) < 0 ?
		    pool_bad(v, "trim mode (n, l, r, lr or rl)") : 0);
	case O_ARGSEP:
	case O_ARGFILESEP:
		if (*v == '\0')
			return (pool_bad("''", "separator"));
		*(c == O_ARGSEP ? &a->in.arg_sep : &a->in.arg_file_sep) = v;
		return (0);
	default:
		return (pool_opt_retry(a, c, v));
	}
}

static int
pool_opt_value(struct pool_args *a, int c, char *v)
{
	switch (c) {
	case 'j':
	case 'P':
		a->jobs_set = 1;
		if (strcmp(v, "0") == 0) {
			a->cfg.jobs = pool_jobs_max();
			return (0);
		}
		return (poolspec_jobs(v, pool_ncpu(), &a->cfg.jobs) < 0 ?
		    pool_bad(v, "job count") : 0);
	case O_HALT:
		return (poolspec_halt(v, &a->cfg) < 0 ?
		    pool_bad(v, "halt specification") : 0);
	case O_TIMEOUT:
		return (pool_parse_timeout(a, v));
	case O_PROGRESS_EVERY:
		return (progress_every_parse(v, &a->cfg.every_ns,
		    &a->cfg.every_pct) < 0 ? pool_bad(v, "progress interval") :
		    0);
	case O_DELAY:
		return (duration_arg(v, &a->cfg.delay_ns) < 0 ? EX_USAGE : 0);
	case 'a':
		a->array = v;	/* checked once --pipepart is known */
		return (0);
	case O_STATUS_ARRAY:
		if (!var_name_ok(v))
			return (EX_USAGE);
		a->cfg.status_array = v;
		return (0);
	case 'd':
		return ((a->delim = pool_parse_delim(v)) < 0 ?
		    pool_bad(v, "delimiter") : 0);
	case O_TAGSTRING:
		a->cfg.tagstring = v;
		return (0);
	case O_CTAGSTRING:
		a->cfg.tagstring = v;
		a->cfg.color = 1;
		return (0);
	case O_JOBLOG:
		a->cfg.joblog = v;
		return (0);
	case O_RESULTS:
		a->cfg.results = v;
		return (0);
	case O_TMPDIR:
		a->tmpdir = a->cfg.tmpdir = v;
		return (0);
	case O_ID:
		a->id = v;
		return (0);
	case 'A':
		a->into = v;
		return (var_name_ok(v) ? 0 : EX_USAGE);
	case O_SHARD: case O_TERMSEQ: case O_NICE: case O_LOAD:
	case O_MEMFREE: case O_LIMIT: case O_RLIMIT:
	case O_MEMLIMIT: case O_CPUQUOTA:
		return (pool_opt_limits(a, c, v));
	case O_LAUNCHER: case 'S': case O_SLF: case O_SSH: case O_ENV:
	case O_WORKDIR: case O_TF: case O_RETURN: case O_TRC: case O_BF:
		return (pool_opt_launch(a, c, v));
	default:
		return (pool_opt_input(a, c, v));
	}
}

static int
pool_opt_flag(struct pool_args *a, int c)
{
	switch (c) {
	case 'k': a->cfg.keep_order = 1; break;
	case O_TTY: a->cfg.tty = 2; break;	/* and GNU's -j1 -u */
	case 'o': a->cfg.tty = 1; break;
	case 'u': a->cfg.out_mode = OUT_UNGROUP; a->out_set |= 1; break;
	case O_LINEBUF: a->cfg.out_mode = OUT_LINE; a->out_set |= 2; break;
	case O_FILTERHOSTS: a->cfg.launch.filter = 1; break;
	case 'M': a->cfg.launch.cmaster = 1; break;
	case O_CLEANUP: a->cfg.launch.cleanup = 1; break;
	case O_TRANSFER: launch_files(&a->cfg.launch, LAUNCH_TF, "{}"); break;
	case O_GROUP: a->cfg.out_mode = OUT_GROUP; a->out_set |= 4; break;
	case O_TAG: a->cfg.tagstring = "{}"; break;
	case O_RESUME: a->cfg.resume = 1; break;
	case O_RESUME_FAILED: a->cfg.resume = 2; break;
	case O_BAR: a->cfg.bar = 1; break;
	case O_PROGRESS: a->cfg.progress |= 1; break;
	case O_ETA: a->cfg.progress = 2; break;
	case O_RETRY_FAILED: a->retry_failed = 1; break;
	case O_COLOR: a->cfg.color = 1; break;
	case O_CTAG: a->cfg.color = 1; a->cfg.tagstring = "{}"; break;
	case O_DRYRUN: a->cfg.dry_run = 1; break;
	case '0': a->delim = '\0'; break;
	case O_SEM: a->sem = 1; break;
	case O_WAIT: a->wait = 1; break;
	case O_STATUS: a->status = 1; break;
	case O_JSON: a->json = 1; break;
	case O_PERSIST: a->persist = 1; break;
	case O_LINK: a->in.link_all = 1; break;
	case 'r': a->in.skip_blank = 1; break;
	case O_SHUF: a->in.shuf = 1; break;
	case O_PLUS: a->rules.plus = 1; break;
	case 'v': a->cfg.show_cmd |= POOL_SHOW_V; break;
	case 't': a->cfg.show_cmd |= POOL_SHOW_T; break;
	case 'X': a->rules.context = 1; a->in.xargs = INPUT_SPREAD; break;
	case 'm': a->rules.multi = 1; a->in.xargs = INPUT_SPREAD; break;
	case O_XARGS: a->in.xargs = INPUT_FILL; break;
	case O_CSV: a->csv = 1; break;
	case O_FILES: a->cfg.files = 1; break;
	case O_PIPE:
		if (a->cfg.pipe.mode == PIPE_OFF)
			a->cfg.pipe.mode = PIPE_STDIN;
		break;
	case O_PIPEPART: a->cfg.pipe.mode = PIPE_PART; break;
	case O_ROUNDROBIN: a->rr = 1; break;
	case O_REGEXP: a->cfg.pipe.regexp = 1; a->pipe_set |= 1; break;
	default: return (-1);
	}
	return (0);
}

/*
 * Options that cannot work together are refused, with the reason: an
 * option accepted and then silently ignored would be a lie.
 */
static int
pool_conflicts(struct pool_args *a)
{
	const char *why;

	why = NULL;
	if (a->cfg.out_mode == OUT_UNGROUP && a->cfg.keep_order)
		why = "-k and -u: output that is not captured cannot be "
		    "put in order";
	else if ((a->out_set & 1) && a->out_set > 1)
		why = "-u and --line-buffer or --group: choose one output mode";
	else if (a->wait && a->sem)
		why = "--sem and --wait: submit a job or wait for the pool, "
		    "not both";
	else if (a->status && (a->sem || a->wait))
		why = "--status reports on a pool: not with --sem or --wait";
	else if ((a->json || a->into) && !a->status)
		why = "--json and -A report on a pool: only with --status";
	else if (a->json && a->into)
		why = "--json and -A: choose one";
	else if (a->persist && (a->sem || a->wait || a->status))
		why = "--persist runs a batch: not with --sem, --wait or "
		    "--status";
	else if (a->rules.context + a->rules.multi + (a->in.xargs ==
	    INPUT_FILL) > 1)
		why = "-X, -m and --xargs: choose one";
	else if (a->in.max_chars && !a->in.xargs)
		why = "-s (--max-chars) sizes the jobs of -X, -m and --xargs: "
		    "give one of them";
	else if (a->in.arg_sep && a->in.arg_file_sep &&
	    strcmp(a->in.arg_sep, a->in.arg_file_sep) == 0)
		why = "--arg-sep and --arg-file-sep: the same separator";
	else if ((a->sem || a->wait || a->status) && (a->shard_n ||
	    limits_active(&a->cfg.lim)))
		why = "--shard, --load, --memfree and --limit work on a "
		    "batch: not with --sem, --wait or --status";
	else if ((a->sem || a->wait || a->status) && (a->cfg.lim.mem_limit ||
	    a->cfg.lim.cpu_quota))
		why = "--mem-limit and --cpu-quota work on a batch (its "
		    "cgroups go with it): not with --sem, --wait or --status";
	else if ((a->colsep || a->csv || a->header) && (a->max_args > 1 ||
	    a->in.xargs || a->sem || a->wait || a->status))
		why = "--colsep, --csv and --header make one job of each "
		    "line's columns: not with -n, -N, -X, -m, --xargs, --sem, "
		    "--wait or --status";
	else if (a->cfg.ci != CI_NONE && a->cfg.out_mode != OUT_GROUP)
		why = "--ci-groups wraps each job's grouped output: not with "
		    "-u or --line-buffer";
	else if ((a->cfg.ci != CI_NONE || a->cfg.junit) && a->persist)
		why = "--ci-groups and --junit: not with --persist yet";
	else if (a->cfg.junit && (a->sem || a->wait || a->status))
		why = "--junit reports on a batch: not with --sem, --wait or "
		    "--status";
	else if (a->cfg.tty && (a->sem || a->wait || a->status ||
	    a->persist || a->cfg.pipe.mode || launch_active(&a->cfg.launch)))
		why = "--tty and -o give a local batch job the terminal: not "
		    "with --sem, --wait, --status, --persist, --pipe, "
		    "--pipepart or a launcher";
	else if ((a->sem || a->wait || a->status || a->persist) &&
	    (launch_active(&a->cfg.launch) || a->cfg.launch.workdir))
		why = "--launcher, --sshlogin, --slf and --workdir work on a "
		    "batch: not with --sem, --wait, --status or --persist";
	if (why == NULL)
		return (0);
	builtin_error("%s", why);
	return (EX_USAGE);
}

/*
 * --colsep, --csv, --header: each item is split into columns.  --header
 * alone splits at tabs, --csv alone at commas (GNU parallel's defaults);
 * an explicit --colsep trims the columns unless --trim says otherwise.
 */
static int
pool_columns(struct pool_args *a)
{
	const char *sep;
	int trim;

	if (!a->colsep && !a->csv && !a->header)
		return (0);
	sep = a->colsep ? a->colsep : a->csv ? NULL : "\t";
	trim = a->colsep && !a->trim_set ? INPUT_TRIM_L | INPUT_TRIM_R :
	    a->in.trim;
	if (columns_set(&a->in.cols, sep, a->csv, trim) < 0) {
		builtin_error("%s: invalid column separator%s", a->colsep,
		    a->csv ? " (--csv: one character, not a quote)" : "");
		return (EX_USAGE);
	}
	a->in.split = 1;
	a->in.header = a->header;
	return (0);
}

/* --results FILE.csv/.tsv/.json and --files against the output modes. */
static int
pool_conflicts_out(struct pool_args *a)
{
	const char *why;
	int file;

	why = NULL;
	file = a->cfg.results && results_format(a->cfg.results) > RES_DIR;
	if ((file || a->cfg.files) && (a->out_set & 1))
		why = "--files and --results FILE.csv/.tsv/.json save the "
		    "captured output of each job: not with -u";
	else if (a->cfg.files && (a->out_set & 2))
		why = "--files prints a job's file name when it ends: not "
		    "with --line-buffer";
	else if (a->cfg.files && file)
		why = "--files and --results FILE.csv/.tsv/.json: choose one";
	if (why == NULL)
		return (0);
	builtin_error("%s", why);
	return (EX_USAGE);
}

/* --progress, --eta, --progress-every, --timeout N%, --retry-failed, --color. */
static int
pool_conflicts_progress(struct pool_args *a)
{
	const char *why;
	int prog;

	why = NULL;
	prog = a->cfg.progress || a->cfg.every_ns || a->cfg.every_pct;
	if (prog && (a->sem || a->wait || a->status || a->persist))
		why = "--progress, --eta and --progress-every report on a "
		    "batch: not with --sem, --wait, --status or --persist";
	else if (a->cfg.timeout_pct > 0 && a->persist)
		why = "--timeout N%: not with --persist yet";
	else if (a->cfg.color && a->cfg.out_mode == OUT_UNGROUP)
		why = "--color, --ctag colour the output pool captures: not "
		    "with -u";
	else if (a->retry_failed && a->cfg.joblog == NULL)
		why = "--retry-failed reruns the failed jobs of a joblog: "
		    "give it with --joblog FILE";
	else if (a->retry_failed && (a->sem || a->wait || a->status ||
	    a->persist || a->cfg.resume))
		why = "--retry-failed runs a batch from the joblog: not with "
		    "--sem, --wait, --status, --persist or --resume";
	if (why == NULL)
		return (0);
	builtin_error("%s", why);
	return (EX_USAGE);
}

/* --tmpdir DIR must be a directory we can make files in: say why not. */
static int
pool_tmpdir_ok(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0 || (!S_ISDIR(st.st_mode) &&
	    (errno = ENOTDIR)) || (access(dir, W_OK | X_OK) < 0)) {
		builtin_error("%s: cannot use as --tmpdir: %s", dir,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* --regexp: --recend and --recstart must make a regular expression. */
static int
pool_pipe_regexp(const struct pipe_opts *po)
{
	struct pipe_rec r;

	memset(&r, 0, sizeof(r));
	if (pipe_rec_regex(&r, po->recend ? po->recend : po->recstart ? "" :
	    "\n", po->recstart ? po->recstart : "") == 0) {
		pipe_rec_free(&r);
		return (0);
	}
	builtin_error("%s%s%s: invalid regular expression (--regexp: POSIX "
	    "ERE with Perl's \\t \\n \\s \\d \\w)", po->recend ?
	    po->recend : "", po->recend && po->recstart ? " " : "",
	    po->recstart ? po->recstart : "");
	return (-1);
}

/*
 * --pipe, --pipepart: what -N, --header and -a mean with them, and the
 * options that cannot go with a block on each job's stdin.  Return 0, or
 * a status after saying why not.
 */
static int
pool_pipe_args(struct pool_args *a)
{
	struct pipe_opts *po = &a->cfg.pipe;
	const char *why = NULL;

	if (po->mode == PIPE_OFF) {
		if (a->rr)
			why = "--roundrobin hands out --pipe's blocks: only "
			    "with --pipe";
		if (a->header_arg && input_header_parse(a->header_arg) < 0)
			return (pool_bad(*a->header_arg ? a->header_arg : "''",
			    "header (pool has `--header :': the first line)"));
		a->header = a->header_arg != NULL;
		if (a->array && !var_name_ok(a->array))
			return (EX_USAGE);
		if (a->pipe_set)
			why = "the input is cut into blocks only with --pipe or "
			    "--pipepart (--block, --recend, --recstart)";
	} else if (a->header_arg &&
	    pipe_header_parse(a->header_arg, &po->hlines) < 0)
		return (pool_bad(*a->header_arg ? a->header_arg : "''",
		    "header (with --pipe: `:' or a number of lines)"));
	else if (a->nrec == 0 || (a->nrec > 0 && po->mode == PIPE_PART))
		why = "-N with --pipe is the number of records a block, at "
		    "least 1; --pipepart cuts by size only (as GNU parallel)";
	else if (a->sem || a->wait || a->status || a->persist)
		why = "--pipe and --pipepart run a batch: not with --sem, "
		    "--wait, --status or --persist";
	else if (a->n_set || a->in.xargs || a->colsep || a->csv ||
	    a->in.link_all || a->in.shuf || a->shard_n ||
	    launch_active(&a->cfg.launch))
		why = "--pipe and --pipepart give each job a block on its "
		    "stdin: not with -n, -X, -m, --xargs, --colsep, --csv, "
		    "--link, --shuf, --shard or remote jobs";
	else if (a->array && po->mode == PIPE_STDIN)
		why = "--pipe cuts stdin: not with -a (--pipepart -a FILE "
		    "cuts a file)";
	else if (a->rr && (po->mode != PIPE_STDIN || a->cfg.retries > 1))
		why = "--roundrobin writes --pipe's blocks into the jobs' "
		    "pipes: only with --pipe, and not with --retries (a "
		    "block cannot be given again)";
	if (why) {
		builtin_error("%s", why);
		return (EX_USAGE);
	}
	po->nrec = a->nrec > 0 ? a->nrec : 0;
	po->rr = a->rr ? a->cfg.jobs : 0;
	if (po->regexp && pool_pipe_regexp(po) < 0)
		return (EX_USAGE);
	if (po->mode == PIPE_PART && a->pipe_set != 2)
		po->block = 0;	/* GNU's: 10 ranges a job slot */
	po->file = po->mode == PIPE_PART ? a->array : NULL;
	a->array = po->mode == PIPE_OFF ? a->array : NULL;
	return (0);
}

static int
pool_parse(WORD_LIST *list, struct pool_args *a)
{
	const struct optdef *d;
	struct opts o;
	int c, r;

	memset(a, 0, sizeof(*a));
	a->cfg.jobs = (int)pool_ncpu();
	a->cfg.out_mode = OUT_GROUP;
	a->cfg.retries = 1;
	backoff_init(&a->cfg.backoff);
	a->cfg.backoff.first_ns = 0;	/* GNU parallel retries at once */
	a->delim = '\n';
	a->nrec = -1;
	a->cfg.pipe.block = 1024 * 1024;	/* GNU parallel's 1M */
	a->rules.total = -1;
	subst_use(&a->rules);		/* the defaults, until parsed */
	opts_init(&o, list);
	while ((c = refuse_check(&o) ? OPTS_ERROR : opts_next(&o,
	    pool_opts)) != OPTS_END) {
		if (c == OPTS_ERROR || c == OPTS_HELP)
			return (EX_USAGE);
		for (d = pool_opts; d->key != c; d++)
			;
		if ((r = d->has_arg ? pool_opt_value(a, c, o.arg) :
		    pool_opt_flag(a, c)) != 0)
			return (r);
	}
	if ((r = pool_pipe_args(a)) != 0)
		return (r);
	/* --tty: GNU parallel's -j1 -u, unless -j or an output mode says. */
	if (a->cfg.tty == 2 && !a->jobs_set)
		a->cfg.jobs = 1;
	if (a->cfg.tty == 2 && !a->out_set)
		a->cfg.out_mode = OUT_UNGROUP;
	if (a->cfg.resume && a->cfg.joblog == NULL) {
		builtin_error("--resume needs --joblog FILE");
		return (EX_USAGE);
	}
	a->operands = o.list;
	subst_use(&a->rules);
	if ((r = launch_check(&a->cfg.launch)) != 0)
		return (r);
	/* --sshlogin: slots from each host's NCPUS/, -j for the others. */
	a->cfg.launch.jobs = a->cfg.jobs;
	a->cfg.jobs = launch_slots(&a->cfg.launch, a->cfg.jobs);
	if ((r = pool_conflicts(a)) != 0 || (r = pool_conflicts_out(a)) != 0 ||
	    (r = pool_conflicts_progress(a)) != 0)
		return (r);
	if (a->tmpdir && pool_tmpdir_ok(a->tmpdir) < 0)
		return (EXECUTION_FAILURE);
	return (pool_columns(a));
}

static int
pool_is_sep(const struct pool_args *a, WORD_LIST *w)
{
	return (w && input_sep(&a->in, w->word->word) != 0);
}

/*
 * Add the sources that follow the separators from W on to IN.  Return 0,
 * or a status after printing why not.
 */
static int
pool_sources(struct pool_args *a, struct input *in, WORD_LIST *w)
{
	WORD_LIST *rest;
	int kind;

	while (w) {
		kind = input_sep(in, w->word->word);
		rest = w->next;
		if ((kind & INPUT_LINKED) && in->nsrc == 0) {
			builtin_error("%s: no input source before it to link to",
			    w->word->word);
			return (EX_USAGE);
		}
		if (kind & INPUT_WORDS)
			input_add_words(in, rest, &rest, kind & INPUT_LINKED);
		else
			for (; rest && !pool_is_sep(a, rest); rest = rest->next)
				if (input_add_file(in, rest->word->word,
				    a->delim, kind & INPUT_LINKED) < 0)
					return (EXECUTION_FAILURE);
		w = rest;
	}
	return (0);
}

/*
 * Split the operands into the command template (cut off in *TMPL, a
 * list the caller disposes) and the item sources, added to IN.  Return
 * 0, or a status after printing why not.
 */
/*
 * --retry-failed: the joblog's commands are the items, run as given
 * (GNU parallel ignores the command line then), the jobs that succeeded
 * skipped.  Return 1 if there is no joblog yet (the command line runs),
 * else as pool_inputs.
 */
static int
pool_retry_inputs(struct pool_args *a, struct input *in, WORD_LIST **tmpl)
{
	WORD_LIST *cmds, *rest;
	int r;

	a->cfg.resume = 2;
	if ((r = joblog_commands(a->cfg.joblog, &cmds)) != 0)
		return (r < 0 ? EXECUTION_FAILURE : 1);
	a->cfg.raw_cmd = 1;
	*in = a->in;
	in->max_args = 1;
	in->jobs = a->cfg.jobs;
	in->arg_sep = in->arg_file_sep = "\n";	/* no command has one */
	input_add_words(in, cmds, &rest, 0);
	if (cmds)
		dispose_words(cmds);
	*tmpl = make_word_list(make_word("eval"), NULL);
	return (0);
}

static int
pool_inputs(struct pool_args *a, struct input *in, WORD_LIST **tmpl)
{
	WORD_LIST *w, *prev;
	int r;

	*tmpl = NULL;
	if (a->retry_failed && (r = pool_retry_inputs(a, in, tmpl)) != 1)
		return (r);
	prev = NULL;
	for (w = a->operands; w && !pool_is_sep(a, w); w = w->next)
		prev = w;
	/* No command: each item is one, run as `eval ITEM' (GNU parallel). */
	a->cfg.raw_cmd = prev == NULL;
	*in = a->in;
	in->max_args = (int)a->max_args;
	in->shard_i = a->shard_i;
	in->shard_n = a->shard_n;
	if ((r = pool_sources(a, in, w)) != 0)
		return (r);
	if (a->array && input_add_array(in, a->array) < 0)
		return (EXECUTION_FAILURE);
	if (in->nsrc == 0 && input_add_fd(in, 0, a->delim) < 0)
		return (EXECUTION_FAILURE);
	if (in->xargs && in->nsrc > 1) {
		builtin_error("-X, -m and --xargs: one input source, not %d",
		    in->nsrc);
		return (EX_USAGE);
	}
	in->jobs = a->cfg.jobs;
	if (a->cfg.raw_cmd) {
		*tmpl = make_word_list(make_word("eval"), NULL);
		return (0);
	}
	/* The template only: a copy of the items after it costs their size. */
	w = prev->next;
	prev->next = NULL;
	*tmpl = copy_word_list(a->operands);
	prev->next = w;
	return (0);
}

/*
 * --pipe, --pipepart: the operands up to a separator are the command
 * (cut off in *TMPL); --pipepart's file is `:::: FILE' or -a FILE, as
 * GNU parallel's.  Return 0, or a status after saying why not.
 */
static int
pool_pipe_inputs(struct pool_args *a, WORD_LIST **tmpl)
{
	struct pipe_opts *po = &a->cfg.pipe;
	WORD_LIST *w, *prev;

	*tmpl = NULL;
	prev = NULL;
	for (w = a->operands; w && !pool_is_sep(a, w); w = w->next)
		prev = w;
	if (prev == NULL) {
		builtin_error("--pipe and --pipepart need a command to read "
		    "each block");
		return (EX_USAGE);
	}
	if (w && (po->mode == PIPE_STDIN || po->file || w->next == NULL ||
	    w->next->next || input_sep(&a->in, w->word->word) !=
	    INPUT_FILES)) {
		builtin_error(po->mode == PIPE_STDIN ? "--pipe reads its "
		    "blocks from stdin, not from %s items (--pipepart :::: "
		    "FILE cuts a file)" : "--pipepart cuts one file, given as "
		    ":::: FILE or -a FILE, not %s", w->word->word);
		return (EX_USAGE);
	}
	if (w)
		po->file = w->next->word->word;
	if (po->mode == PIPE_PART && po->file == NULL) {
		builtin_error("--pipepart needs a file: :::: FILE or -a FILE");
		return (EX_USAGE);
	}
	*tmpl = copy_word_list(a->operands);
	for (w = *tmpl; w->next && !pool_is_sep(a, w->next); w = w->next)
		;
	if (w->next)
		dispose_words(w->next);
	w->next = NULL;
	return (0);
}

/* The length of the command line WORDS make, spaces between. */
static size_t
pool_line_len(WORD_LIST *words)
{
	WORD_LIST *w;
	size_t n;

	for (n = 0, w = words; w; w = w->next)
		n += strlen(w->word->word) + (w->next != NULL);
	dispose_words(words);
	return (n);
}

/*
 * -s: a job's command line is a + sum(m * q(v) + b) for its values v
 * (q: their quoted length) with -X, -m and --xargs; measure a, m and b
 * on TMPL with the values x, xx, and x x.
 */
static void
pool_chars_model(struct input *in, WORD_LIST *tmpl)
{
	char *x[] = { "x", "x" }, *xx[] = { "xx" };
	size_t l1, l2, l11;

	l1 = pool_line_len(subst_build(tmpl, x, 1, 1, 1));
	l2 = pool_line_len(subst_build(tmpl, xx, 1, 1, 1));
	l11 = pool_line_len(subst_build(tmpl, x, 2, 1, 1));
	in->ch_m = l2 - l1;
	in->ch_b = l11 - l1 - in->ch_m;
	in->ch_a = l1 - in->ch_m - in->ch_b;
}

/*
 * Return 0 if the command of TMPL can be run, else 127 after saying
 * `pool: NAME: command not found' once (not once per item).  A command
 * name made of replacement strings is known only per job.
 */
static int
pool_findable(WORD_LIST *tmpl)
{
	WORD_LIST one;

	one = *tmpl;
	one.next = NULL;
	if (subst_has(&one) || attempt_findable(tmpl->word->word))
		return (0);
	return (EXIT_ENOENT);
}

/* Unwind-protect: a longjmp out of a pool (QUIT) must not leak it. */
static void
pool_cleanup(void *arg)
{
	struct pool *p = arg;
	int i;

	for (i = 0; p->w && i < p->cfg.jobs; i++)
		if (p->w[i].active)
			killpg(p->w[i].ref.pid, SIGKILL);
	pool_free(p);
	free(p);
}

static int
pool_sem_index(const char *id, int create)
{
	int i, free_slot;

	free_slot = -1;
	for (i = 0; i < NSEMS; i++) {
		if (sems[i] && strcmp(sems[i]->name, id) == 0)
			return (i);
		if (!sems[i] && free_slot < 0)
			free_slot = i;
	}
	if (!create || free_slot < 0)
		return (-1);
	return (free_slot);
}

/*
 * The shell dies of an untrapped signal between pool calls (see
 * lib/sigguard.c): TERM the groups of this shell's --sem jobs.  Called
 * from a signal handler, so only killpg; no grace, no wait.
 */
static void
pool_sems_stop(void)
{
	struct pool *p;
	int i, j;

	for (i = 0; i < NSEMS; i++) {
		if ((p = sems[i]) == NULL || p->owner != getpid() || !p->w)
			continue;
		for (j = 0; j < p->cfg.jobs; j++)
			if (p->w[j].active && !p->w[j].ended) {
				killpg(p->w[j].ref.pid, SIGTERM);
				killpg(p->w[j].ref.pid, SIGCONT);
			}
	}
}

/* Keep the signal guard up between calls while --sem jobs run. */
static void
pool_sems_stand(void)
{
	int i;

	for (i = 0; i < NSEMS; i++)
		if (sems[i] && sems[i]->owner == getpid() &&
		    sems[i]->running > 0) {
			sigguard_stand(pool_sems_stop);
			return;
		}
	sigguard_stand(NULL);
}

static void
pool_sem_forget(void *arg)
{
	int i = (int)(intptr_t)arg;

	if (sems[i]) {
		pool_cleanup(sems[i]);
		sems[i] = NULL;
	}
	pool_sems_stand();
}

/*
 * bash's own `wait' with no job ids waits for every job, ours too, then
 * throws every saved status away (POSIX allows it: the shell may forget
 * them once `wait' has returned).  A --sem job that ended inside it
 * would be lost to `pool --wait' (127).  So once a --sem pool exists,
 * `wait' goes through pool_wait_hook: this shell's --sem pools collect
 * their own jobs first, printing their output and keeping their statuses
 * for `pool --wait', then bash's wait does the rest.  `wait' with ids or
 * -n goes straight to bash: it keeps what it does not report.
 */
static sh_builtin_func_t *bash_wait;

static int
pool_wait_hook(WORD_LIST *list)
{
	WORD_LIST *w;
	int i, r;

	for (w = list; w; w = w->next)
		if (w->word->word[0] != '-' || strchr(w->word->word, 'n'))
			return (bash_wait(list));
	for (i = 0; i < NSEMS; i++) {
		if (sems[i] == NULL || sems[i]->owner != getpid() ||
		    sems[i]->running == 0)
			continue;
		r = pool_drain(sems[i]);
		if (r > 128 && sems[i]->interrupted) {
			pool_sem_forget((void *)(intptr_t)i);
			return (r);
		}
	}
	pool_sems_stand();
	return (bash_wait(list));
}

/* Put pool_wait_hook in front of bash's `wait', once. */
static void
pool_hook_wait(void)
{
	int i;

	for (i = 0; bash_wait == NULL && i < num_shell_builtins; i++)
		if (shell_builtins[i].name &&
		    strcmp(shell_builtins[i].name, "wait") == 0 &&
		    shell_builtins[i].function != pool_wait_hook) {
			bash_wait = shell_builtins[i].function;
			shell_builtins[i].function = pool_wait_hook;
		}
}

/* pool --sem: submit one job to the pool named ID, making it if new. */
static int
pool_sem(struct pool_args *a)
{
	struct pool *p;
	WORD_LIST *w;
	int i, r;

	if (a->operands == NULL) {
		builtin_error("missing command");
		builtin_usage();
		return (EX_USAGE);
	}
	for (w = a->operands; w; w = w->next)
		if (pool_is_sep(a, w)) {
			builtin_error("--sem: one command and its arguments, no "
			    "%s items", w->word->word);
			return (EX_USAGE);
		}
	if ((r = pool_findable(a->operands)) != 0)
		return (r);
	if ((i = pool_sem_index(a->id, 1)) < 0) {
		builtin_error("%s: too many pools", a->id);
		return (EXECUTION_FAILURE);
	}
	/* A subshell's copy of its parent's pool is not its own: a new one. */
	if (sems[i] && sems[i]->owner != getpid())
		sems[i] = NULL;
	if ((p = sems[i]) == NULL) {
		p = xmalloc(sizeof(*p));
		memset(p, 0, sizeof(*p));
		if (pool_init(p, &a->cfg, NULL) < 0) {
			pool_cleanup(p);
			return (EXECUTION_FAILURE);
		}
		p->name = savestring(a->id);
		sems[i] = p;
		pool_hook_wait();
	}
	begin_unwind_frame("pool");
	bg_unwind(pool_sem_forget, (intptr_t)i);
	r = pool_submit(p, a->operands);
	discard_unwind_frame("pool");
	if (r > 128 && p->interrupted)
		pool_sem_forget((void *)(intptr_t)i);
	return (r);
}

/* pool --wait: wait for every job of the pool named ID, then forget it. */
static int
pool_sem_wait(struct pool_args *a)
{
	int i, r;

	if (a->operands) {
		builtin_error("--wait: no command: it waits for the jobs of "
		    "`pool --sem'");
		return (EX_USAGE);
	}
	if ((i = pool_sem_index(a->id, 0)) < 0)
		return (EXECUTION_SUCCESS);	/* nothing was submitted */
	/* $( ) and ( ) copy the parent's pool, not its jobs. */
	if (sems[i]->owner != getpid()) {
		builtin_error("--wait: the pool belongs to the parent shell");
		return (EXECUTION_FAILURE);
	}
	begin_unwind_frame("pool");
	bg_unwind(pool_sem_forget, (intptr_t)i);
	r = pool_drain(sems[i]);
	run_unwind_frame("pool");
	return (r);
}

/* The fields of pool --status, in order. */
static const char *const stat_names[] = {
	"id", "running", "queued", "submitted", "done", "succeeded",
	"failed", "elapsed", "slots"
};
#define NSTAT	(sizeof(stat_names) / sizeof(stat_names[0]))

/* Fill V with P's fields as text (V[0] is P's name, not copied). */
static void
pool_stat_cells(const struct pool *p, char v[][32])
{
	const struct pool_held *h;
	long queued = 0;

	for (h = p->retry; h; h = h->next)
		queued++;
	snprintf(v[1], 32, "%d", p->running);
	snprintf(v[2], 32, "%ld", queued);
	snprintf(v[3], 32, "%ld", p->next_seq - 1);
	snprintf(v[4], 32, "%ld", p->ndone);
	snprintf(v[5], 32, "%ld", p->nsucceeded);
	snprintf(v[6], 32, "%ld", p->nfailed + p->nkilled);
	snprintf(v[7], 32, "%.1f", (duration_now() - p->t0) / 1e9);
	snprintf(v[8], 32, "%d", p->cfg.jobs);
}

/* -A ARRAY: ARRAY[FIELD] for each field; 0, or 1 after a message. */
static int
pool_stat_assoc(const char *name, const char *id, char v[][32])
{
	SHELL_VAR *var;
	size_t i;

	if ((var = var_assoc(name)) == NULL)
		return (EXECUTION_FAILURE);
	for (i = 0; i < NSTAT; i++)
		assoc_insert(assoc_cell(var), savestring(stat_names[i]),
		    i ? v[i] : (char *)id);
	return (EXECUTION_SUCCESS);
}

/* --json: one object; the id is the only string (escaped). */
static void
pool_stat_json(const char *id, char v[][32])
{
	const unsigned char *c;
	size_t i;

	printf("{\"id\":\"");
	for (c = (const unsigned char *)id; *c; c++)
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20)
			printf("\\u%04x", *c);
		else
			putchar(*c);
	printf("\"");
	for (i = 1; i < NSTAT; i++)
		printf(",\"%s\":%s", stat_names[i], v[i]);
	printf("}\n");
}

/*
 * pool --status: what the pool named ID is doing.  In the shell that
 * owns it, what ended is taken in first (output printed, statuses
 * counted); a subshell sees the pool as its parent last saw it.
 */
static int
pool_sem_status(struct pool_args *a)
{
	char v[NSTAT][32];
	struct pool *p;
	int i, r;

	if (a->operands) {
		builtin_error("--status: no command: it reports on the jobs "
		    "of `pool --sem'");
		return (EX_USAGE);
	}
	if ((i = pool_sem_index(a->id, 0)) < 0) {
		if (*a->id)
			builtin_error("--status: %s: no such pool", a->id);
		else
			builtin_error("--status: no pool: nothing submitted "
			    "with --sem since the last --wait");
		return (EXECUTION_FAILURE);
	}
	p = sems[i];
	if (p->owner == getpid() && (r = pool_poll(p)) != 0) {
		if (p->interrupted)
			pool_sem_forget((void *)(intptr_t)i);
		return (r);
	}
	pool_stat_cells(p, v);
	if (a->into)
		return (pool_stat_assoc(a->into, a->id, v));
	if (a->json)
		pool_stat_json(a->id, v);
	else
		printf("pool%s%s: %s running, %s queued for retry, %s done, "
		    "%s failed, %s submitted, %ss\n", *a->id ? " " : "",
		    a->id, v[1], v[2], v[4], v[6], v[3], v[7]);
	return (sh_chkwrite(EXECUTION_SUCCESS));
}

/* Return non-zero if the --tagstring uses {##} (the jobs in all). */
static int
pool_tag_total(const struct pool_args *a)
{
	WORD_DESC d;
	WORD_LIST one;

	if (a->cfg.tagstring == NULL)
		return (0);
	d.word = a->cfg.tagstring;
	d.flags = 0;
	one.word = &d;
	one.next = NULL;
	return (subst_has_total(&one));
}

static int
pool_batch(struct pool_args *a)
{
	struct pool *p;
	WORD_LIST *tmpl;
	int r;

	/* --controlmaster, --filter-hosts: the hosts that answer, slots. */
	if ((r = launch_start(&a->cfg.launch)) != 0) {
		launch_free(&a->cfg.launch);
		return (r);
	}
	if (a->cfg.launch.filter)
		a->cfg.jobs = launch_slots(&a->cfg.launch,
		    a->cfg.launch.jobs);
	p = xmalloc(sizeof(*p));
	memset(p, 0, sizeof(*p));
	p->cfg.launch = a->cfg.launch;	/* pool_free frees it, in any case */
	if ((r = a->cfg.pipe.mode ? pool_pipe_inputs(a, &tmpl) :
	    pool_inputs(a, &p->in, &tmpl)) != 0 ||
	    (a->persist && (r = persist_refuse(&a->cfg, &p->in)) != 0) ||
	    (r = pool_init(p, &a->cfg, tmpl) < 0 ? EXECUTION_FAILURE : 0)) {
		if (tmpl)
			dispose_words(tmpl);
		pool_cleanup(p);
		return (r);
	}
	if ((r = pool_findable(tmpl)) != 0) {
		dispose_words(tmpl);
		pool_cleanup(p);
		return (r);
	}
	/* --eta and --progress-every N% need the total: GNU reads all. */
	p->in.load_all = subst_has_total(tmpl) || pool_tag_total(a) ||
	    a->cfg.progress == 2 || a->cfg.every_pct;
	if (p->in.max_chars)
		pool_chars_model(&p->in, tmpl);
	dispose_words(tmpl);
	if (a->cfg.pipe.mode ? pool_pipe_open(p) < 0 :
	    input_prepare(&p->in) < 0) {
		pool_cleanup(p);
		return (EXECUTION_FAILURE);
	}
	a->rules.total = p->in.total;
	a->rules.names = p->in.names;
	a->rules.nnames = p->in.nnames;
	a->rules.launch = &p->cfg.launch;
	subst_use(&a->rules);
	begin_unwind_frame("pool");
	bg_unwind(pool_cleanup, p);
	r = a->persist ? persist_run(p) : pool_run(p);
	if (p->in.toolong && r < 128)
		r = 255;	/* -s: an item too long alone, GNU parallel's */
	else if (p->in.error && r == 0)
		r = EXECUTION_FAILURE;	/* a record that is no CSV */
	run_unwind_frame("pool");
	a->rules.names = NULL;
	a->rules.nnames = 0;
	a->rules.launch = NULL;
	subst_use(&a->rules);
	return (r);
}

static int
pool_builtin(WORD_LIST *list)
{
	struct pool_args a;
	int r;

	if ((r = pool_parse(list, &a)) != 0) {
		launch_free(&a.cfg.launch);
		return (r);
	}
	if (a.id == NULL)
		a.id = "";
	output_settmp(a.tmpdir);
	if (a.wait)
		r = pool_sem_wait(&a);
	else if (a.status)
		r = pool_sem_status(&a);
	else if (a.sem)
		r = pool_sem(&a);
	else
		return (pool_batch(&a));
	pool_sems_stand();
	return (r);
}

/* Return 1 if some --sem pool still has jobs (see load_unload). */
static int
pool_busy(void)
{
	int i;

	for (i = 0; i < NSEMS; i++)
		if (sems[i] && sems[i]->running > 0)
			return (1);
	return (0);
}

BG_LOADERS_BUSY(pool, pool_busy)

static char *pool_doc[] = {
	"Run a command over many items, a bounded number at a time.",
	"",
	"Batch mode: run COMMAND [ARG...] once per item, at most -j jobs at a",
	"time, and wait for all of them:",
	"    pool [options] COMMAND [ARG...] ::: ITEM...",
	"    pool [options] COMMAND [ARG...] :::: FILE...   (one item a line)",
	"    pool [options] -a ARRAY COMMAND [ARG...]       (a bash array)",
	"    ... | pool [options] COMMAND [ARG...]          (stdin, a line each)",
	"With no COMMAND, each item is the command line (GNU parallel's",
	"`parallel < cmds.txt'): `pool ::: \"f a\" \"echo b\"' runs eval ITEM,",
	"functions included; --dry-run, -t and the joblog show ITEM.",
	"Several ::: / :::: groups (and -a) combine into every combination,",
	"as in GNU parallel: `pool f ::: a b ::: 1 2' runs f a 1, f a 2, f b 1,",
	"f b 2.  :::+ ITEM... and ::::+ FILE... link a source to the one before",
	"instead: `pool f ::: a b :::+ 1 2' runs f a 1, f b 2; the shortest of",
	"linked sources ends them (--link links every source, and there the",
	"shorter ones wrap around), as in GNU parallel.  COMMAND is a shell",
	"function (no export -f needed: the job sees the script's variables,",
	"arrays and functions), a builtin or a disk command; the item is",
	"appended as the last argument unless an argument holds a replacement",
	"string: {} the item, {.} without extension, {/} basename, {//}",
	"dirname, {/.} basename without extension, {#} the job's sequence",
	"number, {%} its slot, {1} {2}... the value from each source, and",
	"{1.} {1/} {1//} {1/.} {2/}... the same on one source's value.  With",
	"--plus also (as GNU parallel defines them, so that {} = {+/}/{/} =",
	"{.}.{+.} = {..}.{+..}): {+/} the directory, {+.} the extension, {..}",
	"and {...} without two or three extensions, {+..} and {+...} those",
	"extensions, {/..} {/...} the basename without them, {##} the number",
	"of jobs (stdin is read to the end first), {host} the job's",
	"--sshlogin host name (no user@, no :port) and {sshlogin} its",
	"sshlogin without NCPUS/ (both `:' on this machine); these two also",
	"without --plus when jobs run through --sshlogin or --launcher.",
	"-I STR: STR stands for {} (and {} and {1} {2}... are plain text, as",
	"in GNU parallel).",
	"",
	"Persistent workers (--persist), for many small items:",
	"    pool --persist [options] FUNCTION [ARG...] ::: ITEM...",
	"forks -j workers once; each runs item after item as a call in its own",
	"process (microseconds an item instead of a fork's millisecond), and",
	"each item still has its own exit status (--status-array, --joblog,",
	"the pool's status), its own output (grouped, -k in input order as the",
	"finished prefix grows, --tag), POOL_* variables and replacement",
	"strings, as in the forking mode.  Unlike GNU parallel's --fast, which",
	"runs jobs in chunks whose --timeout, --retries and --halt act per",
	"chunk, nothing is per batch here; pool has no --fast option.  The",
	"workers are jobs (`jobs' shows them as `pool --persist COMMAND') and",
	"leave the table when the pool ends.  Items come from :::, -a, ::::",
	"FILE and stdin.  A lone :::: FILE or stdin (not a terminal: that is",
	"read to its end first) is streamed: one more job reads it while the",
	"workers run, so the first item runs before the producer ends, and the",
	"items are held once, in memory the workers share (the shell keeps",
	"none of them).  While many items wait, a worker claims several at",
	"once (up to 64, fewer near the end); each is still its own call with",
	"its own status.  For a very long list, stdin or :::: FILE costs less",
	"than ::: \"${array[@]}\", whose words bash itself expands and frees",
	"(about a microsecond an item).  A disk command runs too,",
	"forked by its worker for each item.  `exit', `return' outside a",
	"function, a `set -e' failure or a fatal error (${x:?}) inside an",
	"item ends that item with its status, after its EXIT trap, and ends",
	"its worker; a signal that kills the worker gives the item 128+N.  A",
	"new worker goes on with the items not yet begun (those its worker",
	"had claimed first): each item runs once.",
	"--timeout acts per item: an item past it is stopped with its worker",
	"as a job is (TERM to its tree, KILL every second after), gets the",
	"same status (--status-array 143, joblog -1 and 15), and a new worker",
	"goes on.",
	"--halt soon: the item that reaches the count closes the queue (no",
	"item is begun after it; items already begun end as they will);",
	"--halt now: their workers are stopped too.  Items never begun get",
	"no status, as in forking mode.  With streamed items, --halt N% is",
	"seen by the shell as items end (their total is not known before):",
	"an item or two more may begin.",
	"--retries N acts per item, as in forking mode: a failing item (an",
	"item past --timeout, or one that ended its worker, included) runs",
	"again at once, in its worker or the one that replaces it, up to N",
	"times in all, never once the pool halts; POOL_ATTEMPT counts; -S,",
	"the status, the joblog line and the output (grouped or -k) are the",
	"last attempt's.  Other items are never run again.  --retry-delay",
	"waits as in forking mode, in the worker (its item's --timeout does",
	"not count the wait); a --halt meanwhile ends the retries.",
	"Ctrl-C, TERM and HUP stop the workers as they stop jobs.",
	"Reset before each item: POOL_ITEM, POOL_SEQ, POOL_SLOT, POOL_ATTEMPT.",
	"Put back after each item: the directory (and PWD) and the umask (when",
	"the umask builtin ran); an EXIT trap the item set is run and cleared,",
	"as a job's would be at its end; what the item left running (`cmd &',",
	"disowned or not) is stopped as a job's leftovers are (TERM, KILL 0.2 s",
	"later), so nothing it writes lands in a later item's output.  Not",
	"reset: everything else an item changes in its worker is seen by the",
	"later items of that worker: variables (global ones, and unset ones),",
	"OLDPWD, functions defined or unset, set and shopt options, traps",
	"other than EXIT, descriptors opened or moved with exec (`exec >FILE'",
	"sends the later items' output there), aliases and the directory",
	"stack.  The workers' stdout and",
	"stderr are append-only files (spools), not pipes: `>>/dev/stdout' and",
	"`exec >>/dev/stdout' work as in forking mode, but `>/dev/stdout' (or",
	"/dev/stderr, /proc/self/fd/1) truncates its worker's spool: that",
	"item's output and its worker's earlier output not yet printed is",
	"lost or garbled, and a warning names the first item seen doing it.",
	"Not supported yet with --persist (refused with an error, never",
	"ignored): --delay, --line-buffer, --results, --files, --resume,",
	"--bar, --dry-run, -v, -t, --sem, --shard, --load, --memfree, --limit,",
	"--nice, --rlimit, --mem-limit, --cpu-quota, --termseq, --launcher,",
	"--sshlogin, --slf, --workdir, --ci-groups, --junit, --color, --ctag,",
	"--pipe, --pipepart, --progress, --eta, --progress-every,",
	"--retry-failed, --timeout N%.",
	"As in forking mode, a reader that does not read holds back the",
	"output and the items after it, never a signal: Ctrl-C and TERM",
	"still stop everything.",
	"",
	"Incremental mode, for loops (like GNU sem, without its cost per call):",
	"    for f in *.c; do pool --sem -j4 cc -c \"$f\"; done",
	"    pool --wait",
	"`pool --sem' starts the job as soon as a slot is free and returns at",
	"once; `pool --wait' waits for every job and returns the same status a",
	"batch would.  --id NAME keeps several pools apart.  The first --sem",
	"call of a pool fixes its options; later ones only submit.  The jobs'",
	"output is read while the shell does other things and printed by the",
	"next pool call.  bash's own `wait' (without ids) first lets the --sem",
	"pools collect their jobs, so `pool --wait' still has their statuses.",
	"A pool belongs to the shell that made it: in $( ) or ( ) `pool --wait'",
	"says so and returns 1, and --sem there makes a pool of the subshell's.",
	"",
	"    pool --status [--id NAME] [--json | -A ARRAY]",
	"reports on a --sem pool without waiting: jobs running, queued for a",
	"retry, submitted, done, succeeded, failed (killed ones included), the",
	"seconds since its first job, its slots (-j); one line, or a JSON",
	"object, or the associative ARRAY with those keys and `id'.  It first",
	"takes in what ended (output printed, statuses counted).  A --sem pool",
	"has no total, so there is no ETA (use --bar in batch mode).  In $( )",
	"it shows the pool as the shell last saw it (use -A in the shell for",
	"an exact count).  Status 1 if there is no such pool (none submitted",
	"since the last --wait).",
	"",
	"Each job is a real bash job in its own process group, with stdin from",
	"/dev/null, and these variables (exported): POOL_ITEM (the item; items",
	"space-joined), POOL_SEQ (1-based input position), POOL_SLOT (1..j),",
	"POOL_ATTEMPT (1-based).  A POOL_ITEM over 128 KiB cannot be exported",
	"(Linux refuses to run a program with so long an environment string):",
	"a function job still sees it as a shell variable, a program does not.",
	"Jobs show in `jobs' while they run and leave the table as they end: no",
	"\"Done\" lines, and waitany ignores them.  A job is over when it has",
	"ended and its output is all read: what it left running in its process",
	"group (`sleep 60 &' in a function) is stopped then, TERM and KILL 200",
	"ms later, as systemd stops what is left of a unit; anything still",
	"holding its output is ignored from then on, so a straggler's late",
	"output is never printed as another job's.  A COMMAND that is not a",
	"function, builtin or program is reported once, and nothing runs (127).",
	"",
	"The options below have GNU parallel's names and meanings, but where",
	"said.",
	"",
	"Options:",
	"  -j, --jobs N\tjobs at a time: N; N% of the online CPUs; +N or -N: the",
	"\t\t\tonline CPUs plus or minus N (default: the online CPUs);",
	"\t\t\t0: as many as possible, 256 or fewer if half of",
	"\t\t\t`ulimit -u' or a quarter of `ulimit -n' less 10 (the",
	"\t\t\tscript's descriptors 0-9, never pool's) is less",
	"  -P, --max-procs N",
	"\t\t\tthe same as -j N",
	"  --halt SPEC\tSPEC is WHEN,ON=N: WHEN is now (stop running jobs: TERM",
	"\t\t\tto each group, KILL 2s later) or soon (start no more);",
	"\t\t\tON is fail, success or done; N a count or N% (of all",
	"\t\t\tjobs).  Also: never, 1 (soon,fail=1), 2 (now,fail=1)",
	"  --halt-on-error SPEC",
	"\t\t\tthe same as --halt SPEC",
	"  --timeout DURATION",
	"\t\t\tstop a job that runs longer (TERM to its group, KILL 1s",
	"\t\t\tlater); it counts as failed.  --timeout N%: longer than",
	"\t\t\tN% of the median runtime of the jobs that succeeded so",
	"\t\t\tfar (GNU parallel's; before the first one, no limit); N",
	"\t\t\tas digits with a fraction: 200%, 150.5%",
	"  --retries N\trun a failing job up to N times in all",
	"  --retry-delay D\twait D before a retry (default 0), then",
	"  --retry-backoff F",
	"\t\t\tmultiply the wait by F each time (default 2),",
	"  --retry-max D\tup to D (default 60s), with",
	"  --retry-jitter J\tfull, equal, none or a fraction (default full)",
	"  -k, --keep-order\tprint jobs' output in input order",
	"  --group\t\teach job's stdout, then stderr, printed whole when it",
	"\t\t\tends (the default); jobs write to pipes of their own,",
	"\t\t\tread into unlinked files in $TMPDIR (never the shell's",
	"\t\t\tmemory), so nothing a job does (`echo >/dev/stderr',",
	"\t\t\t`: >/dev/stdout') can cut what it wrote before",
	"  --line-buffer\twhole lines as they come (with -k: grouped); a line",
	"\t\t\tover 64 KiB is printed in parts, and no other job's",
	"\t\t\toutput goes between them",
	"  --lb\t\tthe same as --line-buffer",
	"  -u, --ungroup\tjobs write straight to the shell's stdout/stderr (with",
	"\t\t\t--results DIR, into its files only); not with -k,",
	"\t\t\t--group or --line-buffer",
	"  --tty\t\teach job's stdin is the terminal (/dev/tty), and the",
	"\t\t\tjob is in the foreground: in the shell's process group",
	"\t\t\t(its own, given the terminal, under set -m with -j1:",
	"\t\t\tone group only has the terminal, so with -j2 or more",
	"\t\t\tthe shell's there too); with GNU parallel's -j1 -u",
	"\t\t\tunless -j or an output mode is given;",
	"\t\t\twithout a terminal, stdin is /dev/null (as GNU's).  The",
	"\t\t\tjobs are still stopped whole (--timeout, --halt,",
	"\t\t\tsignals)",
	"  -o, --open-tty\tthe terminal on each job's stdin, as --tty, without",
	"\t\t\tits -j1 -u",
	"  --tag\t\tprefix each output line with the item and a tab",
	"  --tagstring STR\tprefix with STR (replacement strings work)",
	"  --color\t\teach job's output lines in a colour of its own (GNU",
	"\t\t\tparallel's palette, by Seq: a background and black or",
	"\t\t\twhite text), whatever stdout is, as GNU parallel; a",
	"\t\t\tlast line without a newline gets one. Not with -u (its",
	"\t\t\toutput is not pool's to colour)",
	"  --colour\t\tthe same as --color",
	"  --ctag\t\t--tag and --color",
	"  --ctagstring STR\t--tagstring STR and --color",
	"  --ctag-string STR",
	"\t\t\tthe same as --ctagstring STR",
	"  --joblog FILE\tlog each job in GNU parallel's format; +FILE appends to",
	"\t\t\tFILE (no header line, as GNU parallel); Host is the",
	"\t\t\tjob's {sshlogin} (`:' on this machine); Exitval and",
	"\t\t\tSignal as GNU parallel 20260522: a job killed by signal",
	"\t\t\tN 128+N and N, one --timeout stopped -1 and N",
	"  --resume\t\tskip the jobs FILE already lists",
	"  --resume-failed\tskip the jobs FILE lists as succeeded",
	"  --retry-failed\trun again the jobs FILE lists as failed, each by its",
	"\t\t\tCommand there, with its Seq; the command line and its",
	"\t\t\titems are ignored (GNU parallel's), unless FILE does",
	"\t\t\tnot exist yet; new lines are appended.  Needs --joblog;",
	"\t\t\tnot with --resume",
	"  --results DIR\tsave DIR/SEQ/{cmd,stdout,stderr,status}, every byte in",
	"\t\t\tevery output mode; a file that cannot be written is",
	"\t\t\treported and makes the status 1.  Not GNU parallel's",
	"\t\t\tlayout (DIR/1/VALUE/seq, ...): one directory a job by",
	"\t\t\tits sequence number, which any value (/, .., long)",
	"\t\t\tfits.  No job output is printed, in any output mode (as",
	"\t\t\tGNU parallel; 20260522 prints the stdout file's name",
	"\t\t\twith --line-buffer: here only with --files)",
	"  --res NAME\tthe same as --results NAME",
	"  --results FILE\tFILE.csv, FILE.tsv or FILE.json: one record a job,",
	"\t\t\twritten in the order output is printed (-k: input",
	"\t\t\torder): Seq, Host (:), Starttime, JobRuntime, Send (0),",
	"\t\t\tReceive (stdout bytes), Exitval, Signal, Command,",
	"\t\t\tV1..Vn (--header: the column names), Stdout, Stderr, as",
	"\t\t\tGNU parallel (.json: one object a line, the values in",
	"\t\t\t\"V\": [...]); no job output is printed. -.csv, -.tsv,",
	"\t\t\t-.json: the records on stdout.  A killed job: Exitval",
	"\t\t\t128+N, Signal N; timed out: Exitval -1.  CSV quotes a",
	"\t\t\tfield with a quote, white space, the separator or NUL;",
	"\t\t\tJSON writes each byte that is not valid UTF-8 as",
	"\t\t\t\\ufffd.  A record that cannot be written whole is cut",
	"\t\t\toff the file again (status 1); any other name is a DIR,",
	"\t\t\tas in GNU",
	"  --files\t\tsave each job's stdout in a new file in --tmpdir",
	"\t\t\t(poolXXXXXX.par, kept) and print its name instead",
	"\t\t\t(tagged, in order with -k); stderr is dropped, as GNU",
	"\t\t\tparallel drops it.  With --results DIR, the name of",
	"\t\t\tDIR/SEQ/stdout.  Not with -u, --line-buffer or",
	"\t\t\t--results F.csv",
	"  --output-as-files",
	"\t\t\tthe same as --files",
	"  --tmpdir DIR\twhere output spools and --files go (default $TMPDIR,",
	"\t\t\telse /tmp); DIR must be a writable directory, checked",
	"\t\t\tbefore anything runs.  It is the jobs' $TMPDIR too, as",
	"\t\t\tin GNU parallel",
	"  --tempdir DIR\tthe same as --tmpdir DIR",
	"  --status-array A\tset A[SEQ-1] to each job's exit status (long name only:",
	"\t\t\t-S is GNU parallel's --sshlogin)",
	"  --bar\t\ta progress line on stderr (only on a terminal), taken",
	"\t\t\taway while job output is printed; jobs a halt or a",
	"\t\t\tsignal stopped count as failed",
	"  --progress\tGNU parallel's progress on stderr: a header (computers,",
	"\t\t\tCPU threads, -j), then the status line",
	"\t\t\t`local:RUNNING/DONE/%STARTED/SECS-A-JOB', redrawn on a",
	"\t\t\tterminal; elsewhere only the last one is printed (no \\r",
	"\t\t\tin a log: see below)",
	"  --eta\t\t--progress with GNU's `ETA: Ns Left: N AVG: Ns' first;",
	"\t\t\treads all input first, for the total",
	"  --progress-every SPEC",
	"\t\t\tSPEC is D or N%: one plain line on stderr every",
	"\t\t\tduration D (30s, 1m) or each time N% more of the jobs",
	"\t\t\tare done, and a last one at the end, for CI logs:",
	"\t\t\t`pool: progress 12/40 done (30%), 1 failed, 4 running,",
	"\t\t\t1m02s elapsed, ETA 2m35s' (N% reads all input first).",
	"\t\t\tOn a terminal --bar, --progress and --eta draw their",
	"\t\t\tline instead.  Batch mode only",
	"  --delay DURATION\twait DURATION between job starts",
	"  --dry-run\t\tprint the commands, run nothing",
	"  -v, --verbose\tprint each command first in its job's stdout (grouped,",
	"\t\t\ttagged and ordered with its output)",
	"  -t\t\tprint each command on stderr as it starts",
	"  -a, --array ARRAY",
	"\t\t\titems from the indexed array ARRAY",
	"  -0, --null\titems are NUL-separated",
	"  -d, --delimiter DELIM",
	"\t\t\titems are DELIM-separated",
	"  -n, --max-args N\tpass N items to each job",
	"  --persist\t\tpersistent workers, see above",
	"  -N N\t\tthe same (GNU parallel's -N: {1}..{N} are the items);",
	"\t\t\t-N 0: one item a job, not passed",
	"  -X\t\tas many items a job as spread them evenly over the -j",
	"\t\t\tslots (and at most -n, and 128 KiB); a word with {} is",
	"\t\t\trepeated per item: pre-{} -> pre-a pre-b",
	"  -m\t\tas -X, but the items spread over one word's place:",
	"\t\t\tpre-{}-post -> pre-a b-post (a and b words of their",
	"\t\t\town); -X and -m take one input source",
	"  --xargs\t\tas many items a job as 128 KiB holds (or -n)",
	"  -s, --max-chars N",
	"\t\t\twith -X, -m, --xargs: as many items a job as keep its",
	"\t\t\tcommand line under N characters, counted as GNU",
	"\t\t\tparallel 20260522 does (the items shell-quoted as it",
	"\t\t\tquotes them); an item too long alone ends the input",
	"\t\t\tthere with an error and status 255, as GNU's",
	"  --link\t\tpair the sources (see :::+ above)",
	"  --xapply\t\tthe same as --link",
	"  -r, --no-run-if-empty",
	"\t\t\tblank items (spaces only) make no job",
	"  --trim MODE\tremove blanks around items: l (left), r (right), lr or",
	"\t\t\trl (both), n (none, the default)",
	"  --arg-sep SEP\tSEP instead of ::: (and SEP+ for :::+)",
	"  --arg-file-sep SEP",
	"\t\t\tSEP instead of :::: (and SEP+ for ::::+)",
	"  --shuf\t\trun the jobs in a random order (reads all input first)",
	"  -C, --colsep REGEX",
	"\t\t\tsplit each item into columns at REGEX (GNU parallel's",
	"\t\t\tPerl regex: \\t \\s \\d \\w work; the rest is an extended",
	"\t\t\tregex); the columns are the job's values: {1} {2}...,",
	"\t\t\t{} (and --tag) all of them; trimmed unless --trim says;",
	"\t\t\tone job a line (not with -n, -X, -m, --xargs, --sem)",
	"  -C, --col-sep REGEX",
	"\t\t\tthe same as --colsep REGEX",
	"  --csv\t\titems are RFC 4180 CSV records: \"a,b\",c is two columns,",
	"\t\t\t\"\" a quote; a quoted newline reads on (GNU parallel",
	"\t\t\tstops there); a stray quote is an error (status 1; no",
	"\t\t\tjob runs if the items are read first, else the input",
	"\t\t\tends there); the separator is ',' or --colsep's one",
	"\t\t\tcharacter",
	"  --header SPEC\tSPEC is `:': the first item of each source names its",
	"\t\t\tcolumns (split at tabs without --colsep, as GNU",
	"\t\t\tparallel): {name} {name.} {name/}... are {N} {N.} {N/}",
	"\t\t\tof its column.  With --pipe or --pipepart, SPEC is N",
	"\t\t\tor `:' (1): the first N lines of the input start",
	"\t\t\tevery block.  Other forms are refused",
	"  --pipe\t\tGNU parallel's: stdin cut into blocks of whole records,",
	"\t\t\tone block on each job's stdin; no items (::: is",
	"\t\t\trefused), {} is empty.  A block is the leftover of the",
	"\t\t\tlast one and more bytes up to a multiple of --block,",
	"\t\t\tcut at its last record end (GNU parallel's blocks); a",
	"\t\t\trecord longer than that is a block of its own, whole.",
	"\t\t\tBlocks are spooled to unlinked files in $TMPDIR",
	"\t\t\t(--tmpdir): a job's stdin is a regular file, not a",
	"\t\t\tpipe; at most -j blocks exist at a time, and memory",
	"\t\t\tholds about two.  -k, --tag, --joblog, --halt,",
	"\t\t\t--timeout and --retries (the same block again) work as",
	"\t\t\tfor items",
	"  --spreadstdin\tthe same as --pipe",
	"  --roundrobin\twith --pipe: start the -j jobs once; each block goes",
	"\t\t\twhole to whichever job's stdin (a pipe) can take it",
	"\t\t\t(GNU parallel's); --header lines once a job.  A forked",
	"\t\t\tfeeder writes the pipes; not with --retries.  A job",
	"\t\t\tthat ends before its input does leaves the rest to the",
	"\t\t\tothers (what its pipe held is lost with it, as with",
	"\t\t\t`head'; GNU parallel dies of SIGPIPE)",
	"  --round-robin\tthe same as --roundrobin",
	"  --pipepart\tcut a regular file, :::: FILE or -a FILE (with",
	"\t\t\t--pipepart, -a names a file, as GNU parallel's): each",
	"\t\t\trange ends at the first record end past --block bytes",
	"\t\t\t(default: 10 ranges a job slot, as GNU parallel); the",
	"\t\t\tjob reads it from the file itself (nothing is copied",
	"\t\t\tthrough the shell); a file cut short under a job stops",
	"\t\t\tthat job (TERM) with a message, never a short range",
	"  --pipe-part\tthe same as --pipepart",
	"  --block SIZE\tblock size, default 1M; k m g t are powers of 1000, K M",
	"\t\t\tG T of 1024 (GNU parallel's units); at most 1G",
	"  --block-size SIZE",
	"\t\t\tthe same as --block SIZE",
	"  --recend STR\ta record ends with STR (default \\n; \\n \\t \\r \\0 \\\\ are",
	"\t\t\tescapes); '' with no --recstart: no records, blocks of",
	"\t\t\texactly --block bytes",
	"  --recstart STR\ta record starts with STR (then --recend is '' unless",
	"\t\t\tgiven: both given, a block ends where the one meets the",
	"\t\t\tother)",
	"  --regexp\t\t--recend and --recstart are regular expressions",
	"\t\t\t(GNU parallel's are Perl's; pool's are POSIX ERE,",
	"\t\t\twith Perl's \\t \\n \\r \\s \\d \\w \\S \\D \\W translated):",
	"\t\t\ta block is cut where END's match ends and START's",
	"\t\t\tbegins; a separator of up to 512 bytes each; ^ and $",
	"\t\t\tmatch at lines, . no newline (Perl's /m, as GNU's)",
	"  --regex\t\tthe same as --regexp",
	"  -N N\t\twith --pipe: N records a block, whatever their size",
	"\t\t\t(not with --pipepart, as GNU parallel)",
	"  -I STR\t\tSTR instead of {} (see above)",
	"  --plus\t\tthe replacement strings of GNU parallel's --plus",
	"  --ci-groups KIND\tfor CI logs (not GNU parallel's): each job's grouped",
	"\t\t\toutput in a collapsible section, even with none.",
	"\t\t\tgithub: `::group::TITLE' before it, `::endgroup::'",
	"\t\t\tafter it (stderr included); gitlab:",
	"\t\t\t`\\e[0Ksection_start:START:pool_job_SEQ",
	"\t\t\t[collapsed=true]\\r\\e[0KTITLE' and",
	"\t\t\t`\\e[0Ksection_end:END:pool_job_SEQ\\r\\e[0K' (epoch",
	"\t\t\tseconds); auto: github if GITHUB_ACTIONS is true,",
	"\t\t\tgitlab if GITLAB_CI is, else none. TITLE is the tag",
	"\t\t\t(--tag, --tagstring) or the command, control characters",
	"\t\t\tmade spaces; a failed job's adds",
	"\t\t\t` (failed: exit status N)',",
	"\t\t\t`(failed: killed by signal N)' or",
	"\t\t\t`(failed: timed out)', and its GitLab section is open.",
	"\t\t\tNot with -u, --line-buffer or --persist",
	"  --junit FILE\tJUnit XML for CI test reports, written when the pool",
	"\t\t\tends (halted or stopped by a signal too): one",
	"\t\t\t<testcase> per job in the order they end, named as",
	"\t\t\t--ci-groups titles, with its run time; a failed one has",
	"\t\t\ta <failure> with how it failed and the last 4 KiB of",
	"\t\t\tits stderr (grouped output only), escaped and made",
	"\t\t\tvalid UTF-8. FILE is made before any job runs; batch",
	"\t\t\tonly",
	"  --sem\t\tincremental mode, see above",
	"  --semaphore\tthe same as --sem",
	"  --wait\t\twait for the --sem jobs, see above",
	"  --id NAME\t\tthe --sem pool NAME, see above",
	"  --status\t\treport on a --sem pool, see above",
	"  --json\t\twith --status: one JSON object",
	"  -A ARRAY\t\twith --status: into the associative ARRAY",
	"  --shard SPEC\tSPEC is I/N: run only the jobs whose 0-based input",
	"\t\t\tposition modulo N is I, so N copies of a script split",
	"\t\t\tthe work untold; {#} stays the global position, so the",
	"\t\t\tcopies' joblogs concatenate into the whole.",
	"\t\t\t`--shard auto[/N]' reads I and N from Slurm",
	"\t\t\t(SLURM_ARRAY_TASK_ID - _MIN, of _COUNT), a Kubernetes",
	"\t\t\tIndexed Job (JOB_COMPLETION_INDEX; pass",
	"\t\t\t.spec.completions as auto/N), AWS Batch",
	"\t\t\t(AWS_BATCH_JOB_ARRAY_INDEX, _SIZE) or GitLab",
	"\t\t\t(CI_NODE_INDEX, 1-based, CI_NODE_TOTAL).  Not GNU",
	"\t\t\tparallel's --shard (a --pipe column hash)",
	"  --termseq SEQ\tSEQ is SIG,MS,...: stop jobs (--timeout, --halt now, a",
	"\t\t\tsignal to the shell, --memfree, --limit) by sending",
	"\t\t\tSIG, waiting up to MS ms, and so on, then KILL; GNU",
	"\t\t\tparallel's default TERM,200,TERM,100,TERM,50, KILL,25",
	"\t\t\tis not pool's (see --halt, --timeout, and signals",
	"\t\t\tbelow); also --term-seq",
	"  --nice N\t\trun jobs at the shell's niceness plus N (nice -n)",
	"  --rlimit LIMITS\tLIMITS is R=V,...: per-job limits, soft and hard, as",
	"\t\t\tprlimit(1): cpu=SECONDS (SIGXCPU, then KILL), as=SIZE",
	"\t\t\t(address space), fsize=SIZE (largest file written; SIZE",
	"\t\t\tas for --memfree); not GNU parallel's; above the hard",
	"\t\t\tlimit (not root): refused",
	"  --mem-limit SIZE\tcap each job's memory, with all it starts, at SIZE",
	"\t\t\t(as for --memfree) in a cgroup of its own; a job over",
	"\t\t\tit is killed by the kernel (status 137) and pool says",
	"\t\t\tso: `job N: killed at its --mem-limit'",
	"  --cpu-quota PERCENT",
	"\t\t\tcap each job's CPU time at PERCENT of one CPU (50%,",
	"\t\t\t200% for two; the % optional) in a cgroup of its own.",
	"\t\t\tBoth: cgroup v2 where the shell's cgroup can hand the",
	"\t\t\tcontroller down (memory.max, cpu.max), else v1",
	"\t\t\t(memory.limit_in_bytes, cpu.cfs_quota_us); where",
	"\t\t\tneither is writable (not root, no controller) pool",
	"\t\t\tsays so once and runs the jobs without the cap.  Every",
	"\t\t\tjob is forked; what is left in the cgroups is killed",
	"\t\t\twhen the pool ends.  With --launcher, the local process",
	"\t\t\tonly.  Batch only; not GNU parallel's",
	"  --load MAX\tstart no job while the 1-minute load average is above",
	"\t\t\tMAX (a number, or N% of the CPUs)",
	"  --memfree SIZE\tstart no job while MemAvailable is below SIZE (K M G T",
	"\t\t\tP: powers of 1024, k m g t p: of 1000); below SIZE/2",
	"\t\t\tstop the youngest job (--termseq) and run it again",
	"\t\t\tlater, from the start",
	"  --limit CMD\trun CMD (bash -c) before starting a job: exit 0 start,",
	"\t\t\t1 (or other) hold, 2 stop the youngest job and run it",
	"\t\t\tagain later.  While held, pool asks again when a job",
	"\t\t\tends, else once a second; --shard, --load, --memfree,",
	"\t\t\t--limit: batch only",
	"  --launcher PREFIX",
	"\t\t\trun each job as PREFIX... LINE: PREFIX split into words",
	"\t\t\tas the shell would (quotes, backslashes, no expansion),",
	"\t\t\t{%} in it the job's slot, {host} and {sshlogin} its",
	"\t\t\t--sshlogin host as in the command (`:' without; ssh",
	"\t\t\t{sshlogin} keeps a user@); LINE one word, the job as a",
	"\t\t\tbash command line, each word quoted, run by bash",
	"\t\t\tthrough a wrapper that TERMs the job's group when its",
	"\t\t\tstdin (a pipe pool holds until the job ends) closes:",
	"\t\t\twhen the launcher or its ssh connection dies",
	"\t\t\t(--timeout, --halt now, signals), the remote job ends",
	"\t\t\ttoo, moments later.  A launcher that starts with srun,",
	"\t\t\tdocker, podman, kubectl or env (programs that exec",
	"\t\t\ttheir arguments), has no ssh word and does not end",
	"\t\t\twith -c gets LINE's words instead, `bash --norc -c",
	"\t\t\tWRAPPER pool JOB DIR': no `bash -c' needed.  A job",
	"\t\t\tkilled by signal N reads as status 128+N",
	"  -S, --sshlogin LIST",
	"\t\t\t[NCPUS/]HOST[:PORT],... (GNU parallel's; it can be",
	"\t\t\tgiven again): jobs spread over the hosts, NCPUS slots",
	"\t\t\teach (-j for a host without), through",
	"\t\t\t`SSH [-p PORT] HOST' or --launcher; `:' is this",
	"\t\t\tmachine, no launcher.  Also --slf FILE",
	"\t\t\t(--sshloginfile): one a line, # comments; when it",
	"\t\t\tchanges, re-read as a job ends, once a second at most",
	"\t\t\t(GNU's): a new host gets slots and jobs, a host taken",
	"\t\t\tout gets no new job (its running ones finish); a file",
	"\t\t\tleft with no host is ignored.  A host added so is",
	"\t\t\tnot checked by --filter-hosts, and has no -M master",
	"  --ssh CMD\t\tthe ssh command (default ssh) of --sshlogin hosts,",
	"\t\t\tsplit as PREFIX; unused with --launcher",
	"  --env NAME\twith a launcher: define variable or function NAME for",
	"\t\t\tthe job (repeatable).  A function job is sent as its",
	"\t\t\t`declare -f' text, with every function its text names,",
	"\t\t\tinside LINE (an argument: at most 128 KiB on Linux),",
	"\t\t\tnever in the environment. Scalars arrive exported,",
	"\t\t\tarrays as arrays; nothing else travels: not other",
	"\t\t\tvariables or the environment, traps, shell options,",
	"\t\t\topen fds, POOL_* (ssh does not forward them), the cwd",
	"\t\t\t(see --workdir).  The remote side needs bash; launcher",
	"\t\t\toptions: batch only, not with --persist",
	"  --workdir DIR\t(--wd) run each job in DIR, made if missing (mkdir -p),",
	"\t\t\tlocal and remote jobs alike (GNU parallel's); a",
	"\t\t\trelative DIR is below the remote home (ssh's cwd).",
	"\t\t\t`...': a new directory under ~/.parallel/tmp for each",
	"\t\t\tjob, removed with all in it when the job ends; `.': the",
	"\t\t\tlocal cwd (remote: its path below $HOME, below the",
	"\t\t\tremote $HOME).  A DIR that cannot be made fails the",
	"\t\t\tjob, status 1. Batch only, not with --persist",
	"  --filter-hosts\t(GNU parallel's) before the first job, run `true' on",
	"\t\t\teach --sshlogin host through its launcher, one host",
	"\t\t\tafter the other, 10 s each at most; leave out the hosts",
	"\t\t\twhere it fails, with a warning for each; status 1 and",
	"\t\t\tno job run if none answers",
	"  -M, --controlmaster",
	"\t\t\t(GNU parallel's) one ssh connection per --sshlogin host",
	"\t\t\tfor the whole pool: before the first job, each host's",
	"\t\t\tmaster (ControlMaster=auto, its socket in a private",
	"\t\t\ttemp dir), which every job's ssh then goes through;",
	"\t\t\twhen pool ends (also on a signal) each is told to exit",
	"\t\t\t(as ssh -O exit) and the dir goes; ControlPersist=60",
	"\t\t\tends a master left idle should pool be KILLed.  Needs",
	"\t\t\t--sshlogin or --slf, not with --launcher (put ssh's -o",
	"\t\t\tControl... options in it instead)",
	"  --transferfile FILE",
	"\t\t\t(--tf; GNU parallel's) before a --sshlogin job, send",
	"\t\t\tFILE (replacement strings done) with rsync, or with",
	"\t\t\ttar over the job's ssh when there is no rsync here: a",
	"\t\t\trelative path goes below the remote --workdir (else",
	"\t\t\tthe remote home), an absolute one where it is,",
	"\t\t\tDIR/./PATH to PATH below the workdir.  A FILE that",
	"\t\t\tcannot be read fails its job, status 1, not run.",
	"\t\t\tRepeatable.  Nothing moves for `:'; not with",
	"\t\t\t--launcher.  --transfer is --tf {}",
	"  --return FILE\tafter a --sshlogin job, fetch FILE from where",
	"\t\t\t--transferfile would have put it to the same path",
	"\t\t\there (repeatable); one that does not come back fails",
	"\t\t\ta job that succeeded, status 1",
	"  --cleanup\t\tafter the job, remove its --transferfile and --return",
	"\t\t\tfiles on the remote side, and the directories that",
	"\t\t\tleaves empty; the --basefile files when the pool ends",
	"\t\t\t(not by a signal)",
	"  --basefile FILE\t(--bf; GNU's) send FILE (as --transferfile) to each",
	"\t\t\t--sshlogin host once, before the first job; one that",
	"\t\t\tdoes not go is said and the jobs run.  Repeatable.  Not",
	"\t\t\tto hosts a re-read of --slf adds",
	"  --trc FILE\t--transfer --return FILE --cleanup (GNU's)",
	"",
	"GNU parallel options that pool does not have are refused with the",
	"reason (`pool: --sqlmaster: not supported: no SQL job queue...',",
	"status 2); another spelling of one pool has names pool's.",
	"",
	"Ctrl-C, TERM or HUP stop every job (the signal to each group, KILL",
	"2s later); pool then returns 128+N and the shell's traps run.  A",
	"trapped signal, or any other that would end the shell (USR1, ALRM,",
	"...), does the same with TERM to the jobs, then takes its course.",
	"While --sem jobs run, a signal that ends the shell between pool",
	"calls (untrapped, or bash's own handling with an EXIT trap) first",
	"sends TERM to their groups, without a grace: the shell is dying.  For",
	"that, the first --sem call turns on bash's own handling of such",
	"signals (as setting an EXIT trap does): the shell still dies of them.",
	"Writing the output never blocks: a reader that does not read holds",
	"back the output only, never a timeout, a halt or a signal.  When a",
	"signal stops the pool, output not yet written is dropped.  If writing",
	"fails (a closed pipe), the jobs are stopped as by --halt now, and the",
	"shell then gets SIGPIPE as any command writing there would.  A closed",
	"stdout or stderr (`2>&-') or a full disk fails the same way, with",
	"`pool: write error: ...' and status 1, when there is something to",
	"write there (a job's output or a progress line), not before.",
	"",
	"Out of processes (fork fails with EAGAIN, e.g. under `ulimit -u') or",
	"of open files (`ulimit -n'), pool runs fewer jobs at a time, as GNU",
	"parallel does: it warns once and starts the next job when one of its",
	"own has ended; with none of its own running it tries again after 50,",
	"100, 200 and 400 ms, then stops with `pool: cannot fork: ...' and",
	"status 255, nothing running.  With -k, jobs waiting for their turn",
	"keep a file open each: pool starts no more of them than the limit on",
	"open files leaves room for.",
	"`enable -d pool' while a --sem pool has jobs keeps bgtools.so loaded",
	"(with a warning), so that `enable -f' and `pool --wait' collect them.",
	"",
	"Exit Status:",
	"0 if every job succeeded; else the number of jobs that failed (101 if",
	"more than 100), as GNU parallel; with --halt ...,fail=N, the status of",
	"the job that made it halt; 128+N if signal N stopped the pool; 1 if",
	"--sem refused after a halt, the --joblog, --junit or --results could",
	"not be made or written, writing the output failed, a job's output",
	"was cut short by a full $TMPDIR, a --csv record was malformed, or",
	"`pool --wait' ran in a subshell; 127 if",
	"COMMAND was not found; 255 if a job could not be started (no",
	"process, no room for its output files; GNU parallel's \"other",
	"error\"); 2 for a usage error, a bad value (`pool: abc: invalid job",
	"count') or options that cannot go together (-k with -u).",
	(char *)NULL
};

BG_EXPORT struct builtin pool_struct = {
	"pool",
	pool_builtin,
	BUILTIN_ENABLED,
	pool_doc,
	"pool [-j N] [--halt SPEC] [-k] [options] command [arg ...] [:::[+] item ... | ::::[+] file ...]",
	0
};
