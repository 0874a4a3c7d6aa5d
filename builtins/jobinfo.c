/* jobinfo - what the shell's jobs are doing: state, age, CPU, memory */

/*
 * `jobs -l' says a job runs; not for how long, nor what its whole tree
 * costs.  jobinfo reads the job table (the pids, group, state and
 * command bash keeps) and, with one pass over /proc for every job at
 * once (lib/proctree.c: proctree_usage), sums CPU time and resident
 * memory over each job's process tree: its processes, its own process
 * group, and their descendants.  One pass keeps it cheap enough to call
 * every second with a thousand jobs.  It changes nothing: no job is
 * reported, notified or consumed.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bashapi.h"
#include "jobref.h"
#include "load.h"
#include "vars.h"
#include "opts.h"
#include "proctree.h"

enum { JI_JOB, JI_PIDS, JI_PGID, JI_STATE, JI_STATUS, JI_STARTED,
	JI_ELAPSED, JI_USER, JI_SYS, JI_RSS, JI_NPROC, JI_COMMAND, JI_NCOL };

static const char *const ji_names[JI_NCOL] = {
	"job", "pids", "pgid", "state", "status", "start", "elapsed",
	"user", "sys", "rss", "nproc", "command"
};

static const char *const ji_heads[JI_NCOL] = {
	"JOB", "PIDS", "PGID", "STATE", "STATUS", "STARTED", "ELAPSED",
	"USER", "SYS", "RSS_KB", "NPROC", "COMMAND"
};

/* One job: what the table says, and what its tree uses. */
struct ji_job {
	struct jobref ref;
	int state;			/* JOBREF_* */
	pid_t *pids;
	int npids;
	pid_t pgid, group;		/* group: its own group, or 0 */
	char *cmd;
	struct proctree_use use;
	char *cell[JI_NCOL];		/* the fields, formatted */
};

static const struct optdef ji_opts[] = {
	{ NULL, 'A', 1 },
	{ NULL, 'j', 0 },
	{ NULL, 0, 0 }
};

/* The job's processes and command text (processes joined by " | "). */
static void
ji_procs(struct ji_job *j)
{
	PROCESS *p;
	size_t len;

	if (j->ref.job == NO_JOB || jobs[j->ref.job] == NULL) {
		j->pids = xmalloc(sizeof(pid_t));
		j->pids[0] = j->ref.pid;
		j->npids = 1;
		j->cmd = savestring("");
		return;
	}
	len = 1;
	p = jobs[j->ref.job]->pipe;
	do {
		j->npids++;
		len += strlen(p->command ? p->command : "") + 3;
		p = p->next;
	} while (p != jobs[j->ref.job]->pipe);
	j->pids = xmalloc(j->npids * sizeof(pid_t));
	j->cmd = xmalloc(len);
	j->cmd[0] = '\0';
	j->npids = 0;
	do {
		if (j->npids)
			strcat(j->cmd, " | ");
		strcat(j->cmd, p->command ? p->command : "");
		j->pids[j->npids++] = p->pid;
		p = p->next;
	} while (p != jobs[j->ref.job]->pipe);
	j->pgid = jobs[j->ref.job]->pgrp;
	j->group = jobref_ownpgrp(&j->ref) ? j->pgid : 0;
}

/* Every job of the shell's table (pool's workers too), in order. */
static int
ji_all(struct jobref **refs, int *n)
{
	int i, cap = 0;

	*refs = NULL;
	*n = 0;
	for (i = 0; i < js.j_jobslots; i++) {
		if (jobs[i] == NULL || (jobs[i]->flags & J_FOREGROUND) ||
		    jobref_foreign(i))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*refs = xrealloc(*refs, cap * sizeof(**refs));
		}
		memset(&(*refs)[*n], 0, sizeof(**refs));
		(*refs)[*n].pid = jobs[i]->pipe->pid;
		(*refs)[(*n)++].job = i;
	}
	return (0);
}

static char *
ji_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new string, printf-style. */
static char *
ji_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return (s ? s : savestring("?"));
}

/* The pids joined by SEP. */
static char *
ji_pidlist(const struct ji_job *j, const char *sep)
{
	char *s, *t;
	int i;

	s = ji_fmt("%ld", (long)j->pids[0]);
	for (i = 1; i < j->npids; i++) {
		t = ji_fmt("%s%s%ld", s, sep, (long)j->pids[i]);
		free(s);
		s = t;
	}
	return (s);
}

/* Format J's fields; NOW_BOOT and NOW_REAL are seconds; MACHINE: epoch. */
static void
ji_cells(struct ji_job *j, double now_boot, double now_real, int machine,
    const char *sep)
{
	static const char *const st[] = { "running", "stopped", "done",
	    "gone" };
	double tck, start, age;
	time_t t;
	char buf[32];

	tck = (double)sysconf(_SC_CLK_TCK);
	j->cell[JI_JOB] = j->ref.job == NO_JOB ? savestring("-") :
	    ji_fmt("%d", j->ref.job + 1);
	j->cell[JI_PIDS] = ji_pidlist(j, sep);
	j->cell[JI_PGID] = ji_fmt("%ld", (long)j->pgid);
	j->cell[JI_STATE] = savestring(st[j->state]);
	j->cell[JI_STATUS] = j->state == JOBREF_DONE ?
	    ji_fmt("%d", j->ref.status) : savestring("-");
	if (j->use.start) {
		start = j->use.start / tck;
		age = now_boot - start;
		t = (time_t)(now_real - age);
		if (machine)
			j->cell[JI_STARTED] = ji_fmt("%.2f", now_real - age);
		else {
			strftime(buf, sizeof(buf), "%H:%M:%S", localtime(&t));
			j->cell[JI_STARTED] = savestring(buf);
		}
		j->cell[JI_ELAPSED] = ji_fmt("%.2f", age < 0 ? 0 : age);
	} else {
		j->cell[JI_STARTED] = savestring("-");
		j->cell[JI_ELAPSED] = savestring("-");
	}
	j->cell[JI_USER] = ji_fmt("%.2f", j->use.utime / tck);
	j->cell[JI_SYS] = ji_fmt("%.2f", j->use.stime / tck);
	j->cell[JI_RSS] = ji_fmt("%llu", j->use.rss / 1024);
	j->cell[JI_NPROC] = ji_fmt("%d", j->use.nproc);
	j->cell[JI_COMMAND] = savestring(j->cmd);
}

/* Read the state and processes of the N jobs in R into V. */
static void
ji_collect(struct jobref *r, int n, struct ji_job *v)
{
	pid_t **roots, *groups;
	struct proctree_use *use;
	int i, *nroots;

	roots = xmalloc((n + 1) * sizeof(*roots));
	nroots = xmalloc((n + 1) * sizeof(*nroots));
	groups = xmalloc((n + 1) * sizeof(*groups));
	use = xmalloc((n + 1) * sizeof(*use));
	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof(v[i]));
		v[i].ref = r[i];
		v[i].state = jobref_state(&v[i].ref);
		ji_procs(&v[i]);
		roots[i] = v[i].pids;
		nroots[i] = v[i].state == JOBREF_DONE ? 0 : v[i].npids;
		groups[i] = v[i].state == JOBREF_DONE ? 0 : v[i].group;
	}
	proctree_usage(roots, nroots, groups, n, use);
	for (i = 0; i < n; i++)
		v[i].use = use[i];
	free(roots);
	free(nroots);
	free(groups);
	free(use);
}

/* Seconds on CLOCK (CLOCK_BOOTTIME: the clock of /proc's start times). */
static double
ji_clock(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Print the rows; on a terminal aligned under a header. */
static void
ji_print(struct ji_job *v, int n, int table)
{
	int w[JI_NCOL], i, c, len;

	for (c = 0; c < JI_NCOL; c++)
		w[c] = table ? (int)strlen(ji_heads[c]) : 0;
	for (i = 0; table && i < n; i++)
		for (c = 0; c < JI_NCOL; c++)
			if ((len = (int)strlen(v[i].cell[c])) > w[c])
				w[c] = len;
	if (table && n > 0) {
		for (c = 0; c < JI_NCOL - 1; c++)
			printf("%-*s ", w[c], ji_heads[c]);
		printf("%s\n", ji_heads[JI_NCOL - 1]);
	}
	for (i = 0; i < n; i++) {
		for (c = 0; c < JI_NCOL - 1; c++)
			printf("%-*s ", w[c], v[i].cell[c]);
		printf("%s\n", v[i].cell[JI_NCOL - 1]);
	}
}

/* S as a JSON string. */
static void
ji_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* One JSON object per line; numbers stay numbers, "-" becomes null. */
static void
ji_json(struct ji_job *v, int n)
{
	int i, c, k;

	for (i = 0; i < n; i++) {
		putchar('{');
		for (c = 0; c < JI_NCOL; c++) {
			printf("%s\"%s\":", c ? "," : "", ji_names[c]);
			if (c == JI_PIDS) {
				putchar('[');
				for (k = 0; k < v[i].npids; k++)
					printf("%s%ld", k ? "," : "",
					    (long)v[i].pids[k]);
				putchar(']');
			} else if (strcmp(v[i].cell[c], "-") == 0)
				printf("null");
			else if (c == JI_STATE || c == JI_COMMAND)
				ji_json_str(v[i].cell[c]);
			else
				printf("%s", v[i].cell[c]);
		}
		printf("}\n");
	}
}

/* J's key in -A's array: its job number, or pPID out of the table. */
static void
ji_key(const struct ji_job *j, char *buf, size_t size)
{
	if (j->ref.job == NO_JOB)
		snprintf(buf, size, "p%ld", (long)j->ref.pid);
	else
		snprintf(buf, size, "%d", j->ref.job + 1);
}

/*
 * Fill the associative array NAME: NAME[jobs] lists the job numbers,
 * NAME[N,FIELD] holds job N's FIELD.  Return 0, or 1 after a message.
 */
static int
ji_assoc(const char *name, struct ji_job *v, int n)
{
	SHELL_VAR *var;
	char key[64], id[32], *list, *t;
	int i, c;

	if ((var = var_assoc(name)) == NULL)
		return (EXECUTION_FAILURE);
	list = savestring("");
	for (i = 0; i < n; i++) {
		ji_key(&v[i], id, sizeof(id));
		for (c = 0; c < JI_NCOL; c++) {
			snprintf(key, sizeof(key), "%s,%s", id, ji_names[c]);
			assoc_insert(assoc_cell(var), savestring(key),
			    v[i].cell[c]);
		}
		t = ji_fmt("%s%s%s", list, i ? " " : "", id);
		free(list);
		list = t;
	}
	assoc_insert(assoc_cell(var), savestring("jobs"), list);
	free(list);
	return (0);
}

static void
ji_free(struct ji_job *v, int n)
{
	int i, c;

	for (i = 0; i < n; i++) {
		for (c = 0; c < JI_NCOL; c++)
			free(v[i].cell[c]);
		free(v[i].pids);
		free(v[i].cmd);
	}
	free(v);
}

static int
ji_parse(WORD_LIST *list, char **array, int *json, WORD_LIST **ids)
{
	struct opts o;
	int c;

	*array = NULL;
	*json = 0;
	opts_init(&o, list);
	while ((c = opts_next(&o, ji_opts)) != OPTS_END) {
		if (c == 'A') {
			*array = o.arg;
			if (!var_name_ok(o.arg))
				return (EX_USAGE);
		} else if (c == 'j')
			*json = 1;
		else
			return (EX_USAGE);
	}
	if (*array && *json) {
		builtin_error("-A and -j cannot be used together");
		builtin_usage();
		return (EX_USAGE);
	}
	*ids = o.list;
	return (0);
}

/* Collect, format and show the jobs R (N of them). */
static int
ji_show(struct jobref *r, int n, const char *array, int json)
{
	struct ji_job *v;
	double boot, real;
	int i, ret = 0, table;

	v = xmalloc((n + 1) * sizeof(*v));
	ji_collect(r, n, v);
	boot = ji_clock(CLOCK_BOOTTIME);
	real = ji_clock(CLOCK_REALTIME);
	table = !array && !json && isatty(fileno(stdout));
	for (i = 0; i < n; i++)
		ji_cells(&v[i], boot, real, array || json,
		    array ? " " : ",");
	if (array)
		ret = ji_assoc(array, v, n);
	else if (json)
		ji_json(v, n);
	else
		ji_print(v, n, table);
	ji_free(v, n);
	return (ret);
}

static int
jobinfo_builtin(WORD_LIST *list)
{
	struct jobref *r;
	WORD_LIST *ids;
	sigset_t set, old;
	char *array;
	int json, n, ret;

	if ((ret = ji_parse(list, &array, &json, &ids)) != 0)
		return (ret);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (ids)
		ret = jobref_parse(ids, &r, &n, 0);
	else
		ret = ji_all(&r, &n);
	if (ret == 0)
		ret = ji_show(r, n, array, json);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (ret == 0 || ret == EXECUTION_FAILURE)
		free(r);
	return (ret ? ret : sh_chkwrite(EXECUTION_SUCCESS));
}

BG_LOADERS(jobinfo)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *jobinfo_doc[] = {
	"Show what the shell's jobs are doing.",
	"",
	"For each job ID (a job spec such as %2 or a pid; by default every",
	"job of the shell, pool's running jobs included), show:",
	"  JOB\t\tthe job number (as %N), - for a job no longer in the table",
	"  PIDS\t\tits processes, as bash knows them",
	"  PGID\t\tits process group",
	"  STATE\t\trunning, stopped or done",
	"  STATUS\tits exit status once done (128+N: killed by signal N)",
	"  STARTED\twhen its first process started (a time of day; with",
	"\t\t-A and -j, seconds since the epoch)",
	"  ELAPSED\tseconds since then",
	"  USER, SYS\tCPU seconds, user and system, summed over the job's",
	"\t\twhole process tree: its processes, its own process group,",
	"\t\tand their descendants, wherever they moved",
	"  RSS_KB\tresident memory of that tree, KiB",
	"  NPROC\t\tthe number of live processes in that tree",
	"  COMMAND\tthe job's command text, as `jobs' shows it",
	"The tree's figures are live: a job that is done has none left",
	"(STARTED and ELAPSED are - then).",
	"",
	"On a terminal the jobs are a table under a header; otherwise each",
	"job is one line of the same fields, separated by spaces, the pids",
	"joined by commas, and the command last (it may hold spaces).",
	"",
	"Options:",
	"  -A ARRAY\t\tput the fields into the associative array ARRAY",
	"\t\t\tinstead: ARRAY[jobs] lists the job numbers,",
	"\t\t\tARRAY[N,FIELD] holds job N's FIELD (N is pPID for a job",
	"\t\t\tno longer in the table, named by its pid): job, pids",
	"\t\t\t(space-separated), pgid, state, status, start, elapsed,",
	"\t\t\tuser, sys, rss, nproc, command); fields with no value",
	"\t\t\thold -",
	"  -j\t\tprint one JSON object per job and line, with the same",
	"\t\t\tfield names (pids an array, no value: null)",
	"",
	"Like `wait', jobinfo sees the shell's jobs only in the shell",
	"itself: in a pipeline or a command substitution it runs in a",
	"subshell, which has no jobs (jobinfo | grep finds nothing; use -A,",
	"or print to a file).",
	"",
	"jobinfo changes nothing: jobs it shows are neither notified nor",
	"consumed; `wait', waitany and `jobs' see them as before.  One pass",
	"over /proc serves every job, so it is cheap enough to call every",
	"second.",
	"",
	"Exit Status:",
	"0; 1 if ARRAY cannot be assigned (readonly, or not associative);",
	"127 if an ID names no job of the shell (nothing is shown); 2 for",
	"a usage error or a malformed ID.",
	(char *)NULL
};

BG_EXPORT struct builtin jobinfo_struct = {
	"jobinfo",
	jobinfo_builtin,
	BUILTIN_ENABLED,
	jobinfo_doc,
	"jobinfo [-A ARRAY | -j] [id ...]",
	0
};
