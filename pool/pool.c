/* pool.c - a bounded pool of worker jobs: scheduling, halting, logging */

/*
 * Workers are real bash jobs (lib/child.c) in process groups of their
 * own, marked J_NOTIFIED so that bash never prints "Done" for them, and
 * owned in the ledger (lib/jobref.c) so that waitany leaves them alone.
 * One loop does everything, with every signal blocked except while it
 * sleeps in ppoll (lib/waitset.c): reap the workers that ended, stop the
 * ones past --timeout (TERM, then KILL a second later, without waiting),
 * start new ones while slots are free, then sleep until a child ends, a
 * deadline (timeout, --delay, a retry's backoff) passes, the output
 * pump has work (pool/pump.c), or a signal arrives.  Since the job table
 * cannot change while signals are blocked, a worker we have not reaped
 * yet is never cleaned up by bash under our feet.
 *
 * A job is over when its process has ended *and* its output pipes have
 * reached EOF.  Whatever it left running in its process group (`sleep &'
 * in a function) is stopped first, TERM then KILL, as systemd stops what
 * is left of a unit: it would hold the pipes open, and what it wrote
 * later would have nowhere to go.
 *
 * --termseq replaces pool's own stops (--timeout: TERM, KILL a second
 * later; halt now and signals: the signal, KILL 2 s later) with its
 * sequence: a timeout moves along it from the loop, without waiting;
 * the others go through lib/term.c.  The machine's limits (--load,
 * --memfree, --limit: pool/reslimits.c) are asked before jobs start.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fds.h"
#include "bashapi.h"
#include "child.h"
#include "duration.h"
#include "exitcodes.h"
#include "load.h"
#include "vars.h"
#include "pool.h"
#include "proctree.h"
#include "subst.h"
#include "term.h"

#define KILL_AFTER_NS	(1000LL * 1000000)	/* --timeout: TERM, then KILL */
#define FORK_TRIES	4		/* pauses of 50, 100, 200, 400 ms */
#define FORK_PAUSE_NS	(50LL * 1000000)
#define POOL_NOPROC	(-2)		/* pool_start: no process, try later */
#define STOP_GRACE_NS	(2000LL * 1000000)	/* halt now, signals */
#define KEEP_MAX	256	/* -k: ended jobs held before we stop starting */
#define LEFT_TERM_NS	(200LL * 1000000)	/* leftovers: TERM, then KILL */
#define LEFT_KILL_NS	(1000LL * 1000000)	/* ... then give up on them */
/* Linux's limit for one environment string (MAX_ARG_STRLEN). */
#define ENV_STRING_MAX	(32 * 4096)

struct pool_spawn {
	struct pool *p;
	struct pool_worker *wk;
	int bigitem;			/* POOL_ITEM is not exported */
	int launched;			/* its stdin: pool's pipe (launch.c) */
	int lrd;			/* ... the pipe's read end */
};

static double
pool_wallclock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * -k: how many jobs may wait for their turn to print.  Each keeps its
 * spool open until then, so the limit on open files bounds it too: a
 * long first job must not make the pool run out of descriptors (it
 * stops starting jobs instead, until the first one has printed).
 */
static long
pool_keep_max(const struct pool *p)
{
	struct rlimit rl;
	DIR *d;
	long open, room;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return (KEEP_MAX);
	open = 0;
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while (readdir(d) != NULL)
			open++;
		closedir(d);
	}
	/* The engine and sinks, then five per running job (pipes, spool). */
	room = (long)rl.rlim_cur - open - 16 - 5L * p->cfg.jobs;
	return (room < 1 ? 1 : room > KEEP_MAX ? KEEP_MAX : room);
}

/*
 * What progress CFG asks for, where stderr is: a line redrawn in place
 * on a terminal (--progress and --eta as GNU parallel draws it, else
 * --bar's); elsewhere --progress-every's plain lines, or GNU parallel's
 * header and its last status line only (no \r in a log).
 */
static int
pool_pmode(const struct pool_cfg *cfg)
{
	int tty = isatty(STDERR_FILENO);

	if (tty && cfg->progress)
		return (PM_GNU_TTY);
	if (tty && cfg->bar)
		return (PM_BAR);
	if (cfg->every_ns || cfg->every_pct)
		return (PM_PLAIN);
	return (cfg->progress ? PM_GNU_LOG : PM_NONE);
}

/*
 * Set up pool P to run the command TMPL (NULL in --sem mode, where each
 * submission brings its own) with the options in CFG.  Return 0, or -1
 * after printing why not.
 */
int
pool_init(struct pool *p, const struct pool_cfg *cfg, WORD_LIST *tmpl)
{
	struct stat st;

	p->cfg = *cfg;
	/* A --sem pool outlives the words its options came from. */
	p->cfg.tagstring = cfg->tagstring ? savestring(cfg->tagstring) : NULL;
	p->cfg.joblog = cfg->joblog ? savestring(cfg->joblog) : NULL;
	p->cfg.results = cfg->results ? savestring(cfg->results) : NULL;
	p->cfg.status_array = cfg->status_array ?
	    savestring(cfg->status_array) : NULL;
	p->cfg.lim.cmd = cfg->lim.cmd ? savestring(cfg->lim.cmd) : NULL;
	p->cfg.tmpdir = cfg->tmpdir ? savestring(cfg->tmpdir) : NULL;
	p->tmpl = tmpl ? copy_word_list(tmpl) : NULL;
	p->w = xmalloc(cfg->jobs * sizeof(*p->w));
	memset(p->w, 0, cfg->jobs * sizeof(*p->w));
	p->owner = getpid();
	p->res.fd = -1;
	/* --tty: no terminal, no error (GNU parallel's /dev/null then). */
	p->ttyfd = cfg->tty ? fd_high(open("/dev/tty", O_RDONLY | O_CLOEXEC |
	    O_NOCTTY)) : -1;
	p->res.fmt = cfg->results ? results_format(cfg->results) : RES_NONE;
	p->cfg.capture = cfg->out_mode != OUT_UNGROUP || cfg->results != NULL;
	/*
	 * Records and --files read a job's output from its spool; --results
	 * DIR hides it there (GNU parallel prints none, in any mode).
	 */
	if (p->res.fmt >= RES_DIR || cfg->files)
		p->cfg.out_mode = OUT_GROUP;
	p->pmode = pool_pmode(cfg);
	if (output_begin(&p->out, cfg->keep_order && cfg->out_mode == OUT_LINE ?
	    OUT_GROUP : p->cfg.out_mode, p->cfg.capture, cfg->bar) < 0) {
		builtin_error("cannot capture output: %s", strerror(errno));
		return (-1);
	}
	/* The pump's progress line is where every kind of it is drawn. */
	p->out.bar = p->pmode != PM_NONE;
	p->out.color = cfg->color;
	p->prog.gnu = cfg->progress != 0;
	p->prog.eta = cfg->progress == 2;
	p->prog.every_ns = cfg->every_ns;
	p->prog.every_pct = cfg->every_pct;
	p->next_seq = 1;
	p->keep_max = pool_keep_max(p);
	p->t0 = duration_now();
	if (cfg->joblog && joblog_open(&p->log, cfg->joblog, cfg->resume) < 0)
		return (-1);
	if (report_open(&p->rep, report_ci_resolve(cfg->ci,
	    get_string_value("GITHUB_ACTIONS"), get_string_value("GITLAB_CI")),
	    cfg->junit) < 0)
		return (-1);
	if (cfg->status_array && var_array(cfg->status_array) == NULL)
		return (-1);
	if (p->res.fmt > RES_DIR && results_open(&p->res, cfg->results) < 0)
		return (-1);
	if (p->res.fmt == RES_DIR && mkdir(cfg->results, 0777) < 0 &&
	    (errno != EEXIST || (stat(cfg->results, &st) == 0 &&
	    !S_ISDIR(st.st_mode) && (errno = ENOTDIR)))) {
		builtin_error("%s: %s", cfg->results, strerror(errno));
		return (-1);
	}
	return (0);
}

/* Return the values of WK joined by spaces, as POOL_ITEM shows them. */
static char *
pool_item(const struct pool_worker *wk)
{
	size_t len;
	char *j;
	int i;

	for (len = 1, i = 0; i < wk->nvals; i++)
		len += strlen(wk->vals[i]) + 1;
	j = xmalloc(len);
	j[0] = '\0';
	for (i = 0; i < wk->nvals; i++) {
		if (i)
			strcat(j, " ");
		strcat(j, wk->vals[i]);
	}
	return (j);
}

/*
 * A launched job's stdin is a pipe whose writer only pool holds, until
 * the job is reaped: its remote side ends when the launcher's does
 * (see launch.c).  Return 0, or -1 with errno set.
 */
static int
pool_launch_pipe(struct pool_worker *wk, struct pool_spawn *ctx)
{
	int fd[2];

	if (pipe_high(fd, O_CLOEXEC) < 0)
		return (-1);
	ctx->lrd = fd[0];
	wk->lfd = fd[1];
	return (0);
}

/* In the child: the pipe on stdin; no job's writer left open. */
static void
pool_launch_child(struct pool_spawn *s)
{
	int i;

	if (s->launched) {
		dup2(s->lrd, 0);
		close(s->lrd);
	} else if (launch_wd_enter(&s->p->cfg.launch, s->wk->wdtmp) < 0)
		_exit(1);
	for (i = 0; i < s->p->cfg.jobs; i++)
		if (s->p->w[i].lfd > 0)
			close(s->p->w[i].lfd);
	if (s->p->ttyfd > 0)
		dup2(s->p->ttyfd, 0);
	if (s->p->cfg.pipe.mode)
		pipe_child(&s->p->pin, &s->wk->blk);
}

/* In a forked child, before the command: close what is not its own. */
static void
pool_child_setup(void *arg)
{
	struct pool_spawn *s = arg;
	struct pool *p = s->p;
	char *item;
	int i;

	/* Function workers do not exec: close the other jobs' captures. */
	output_child();
	pool_launch_child(s);
	limits_child(&p->cfg.lim);
	cgroup_child(&p->cg, s->wk->slot);
	/* Its stdio would seek our item file back at exit: not its to use. */
	for (i = 0; i < p->in.nsrc; i++)
		if (p->in.src[i].fp)
			close(fileno(p->in.src[i].fp));
	/* Too long to export (see pool_env): a shell variable, at least. */
	if (s->bigitem) {
		item = pool_item(s->wk);
		bind_variable("POOL_ITEM", item, 0);
		free(item);
	}
}

/*
 * Fill ENV with the job's POOL_* variables (and TMPDIR, for --tmpdir) as
 * NAME=VALUE strings.  An
 * item too long for one environment string (Linux refuses to exec a
 * program with one over 128 KiB) is left out: the job's programs must
 * still run.  A function job gets it as a shell variable instead.
 * Return 1 if POOL_ITEM was left out.
 */
static int
pool_env(const struct pool *p, const struct pool_worker *wk, char *env[6])
{
	char *item;
	int n, big;

	n = 0;
	item = pool_item(wk);
	big = strlen(item) + sizeof("POOL_ITEM=") > ENV_STRING_MAX;
	if (!big) {
		env[n] = xmalloc(strlen(item) + sizeof("POOL_ITEM="));
		strcpy(env[n], "POOL_ITEM=");
		strcat(env[n++], item);
	}
	free(item);
	env[n] = xmalloc(48);
	snprintf(env[n++], 48, "POOL_SEQ=%ld", wk->seq);
	env[n] = xmalloc(48);
	snprintf(env[n++], 48, "POOL_SLOT=%d", wk->slot);
	env[n] = xmalloc(48);
	snprintf(env[n++], 48, "POOL_ATTEMPT=%d", wk->attempt);
	/* --tmpdir is the jobs' $TMPDIR too, as in GNU parallel. */
	if (p->cfg.tmpdir) {
		env[n] = xmalloc(strlen(p->cfg.tmpdir) + sizeof("TMPDIR="));
		strcpy(env[n], "TMPDIR=");
		strcat(env[n++], p->cfg.tmpdir);
	}
	env[n] = NULL;
	return (big);
}

/*
 * Return the --tagstring of job SEQ in slot SLOT with the values VALS,
 * its replacement strings done and a tab added, or NULL without one.
 */
char *
pool_tagstr(const struct pool *p, char **vals, int nvals, long seq, int slot)
{
	WORD_LIST one, *w;
	WORD_DESC d;
	char *tag;

	if (p->cfg.tagstring == NULL)
		return (NULL);
	d.word = p->cfg.tagstring;
	d.flags = 0;
	one.word = &d;
	one.next = NULL;
	/* A bare {} spreads several values over words: join them back. */
	w = subst_build(&one, vals, nvals, seq, slot);
	tag = string_list(w);
	tag = xrealloc(tag, strlen(tag) + 2);
	strcat(tag, "\t");
	dispose_words(w);
	return (tag);
}

static char *
pool_tag(struct pool *p, struct pool_worker *wk)
{
	return (pool_tagstr(p, wk->vals, wk->nvals, wk->seq, wk->slot));
}

/* --color: WK's tag in its colour (NULL without --color). */
static char *
pool_color_tag(const struct pool *p, const struct pool_worker *wk)
{
	char color[64], *tag;

	if (!p->cfg.color)
		return (NULL);
	report_color(wk->seq, color, sizeof(color));
	tag = xmalloc(strlen(color) + (wk->tag ? strlen(wk->tag) : 0) + 1);
	strcpy(tag, color);
	strcat(tag, wk->tag ? wk->tag : "");
	return (tag);
}

/* The counts P's progress lines are made of, at NOW. */
static void
pool_counts(const struct pool *p, int64_t now, struct progress_counts *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	c->done = p->ndone;
	c->failed = p->nfailed + p->nkilled;
	c->total = p->in.total;
	c->started = p->nstarted;
	c->running = p->running;
	c->jobs = p->cfg.jobs;
	c->ncpu = n > 0 ? (int)n : 1;
	c->elapsed = now - p->t0;
}

/* --bar's own line, into LINE. */
static void
pool_bar_line(const struct progress_counts *c, int final, char *line,
    size_t size)
{
	char eta[32];

	eta[0] = '\0';
	if (c->total > 0 && c->done > 0 && !final)
		snprintf(eta, sizeof(eta), ", ETA %.0fs", (double)c->elapsed /
		    1e9 / c->done * (c->total - c->done));
	if (c->total >= 0)
		snprintf(line, size, "pool: %ld/%ld done, %d running, %ld "
		    "failed, %.1fs%s", c->done, c->total, c->running,
		    c->failed, c->elapsed / 1e9, eta);
	else
		snprintf(line, size, "pool: %ld done, %d running, %ld failed, "
		    "%.1fs", c->done, c->running, c->failed, c->elapsed / 1e9);
}

/* --progress-every: a plain line when one is due, and the last one. */
static void
pool_plain(struct pool *p, const struct progress_counts *c, int final)
{
	char line[256];

	if (final || progress_plain_due(&p->prog, c, c->elapsed)) {
		progress_plain_line(c, line, sizeof(line));
		output_bar(&p->out, line, 1);
	}
	p->bar_due = p->prog.every_ns && !final ? p->t0 + p->prog.next_at : 0;
}

/*
 * The progress line (pool/progress.c says which), on a terminal at most
 * ten times a second.  The pump draws it, and takes it away before any
 * job output reaches the terminal; a plain line (FINAL, or off a
 * terminal) is drawn once, when the sink has nothing else to print.
 * Jobs stopped by a halt or a signal count as failed.
 */
static void
pool_bar(struct pool *p, int final)
{
	struct progress_counts c;
	int64_t now;
	char line[512];

	if (p->pmode == PM_NONE)
		return;
	now = duration_now();
	pool_counts(p, now, &c);
	if (p->pmode == PM_PLAIN || (p->pmode == PM_GNU_LOG && !final)) {
		if (p->pmode == PM_PLAIN)
			pool_plain(p, &c, final);
		return;
	}
	if (!final && now - p->last_bar < 100000000) {
		p->bar_due = p->last_bar + 100000000;	/* soon, not lost */
		return;
	}
	p->last_bar = now;
	p->bar_due = now + 1000000000;	/* the clock moves on */
	if (p->pmode == PM_BAR)
		pool_bar_line(&c, final, line, sizeof(line));
	else
		progress_gnu_line(&p->prog, &c, line, sizeof(line));
	output_bar(&p->out, line, final);
}

/* --progress, --eta: GNU parallel's header, once, before any job. */
static void
pool_bar_header(struct pool *p)
{
	struct progress_counts c;
	char head[512];

	if (p->pmode != PM_GNU_TTY && p->pmode != PM_GNU_LOG)
		return;
	pool_counts(p, duration_now(), &c);
	progress_header(&c, head, sizeof(head));
	head[strlen(head) - 1] = '\0';	/* the pump ends it */
	output_bar(&p->out, head, 1);
}

/* --status-array: record STATUS as element SEQ-1 of P's status array. */
void
pool_record(struct pool *p, long seq, int status)
{
	SHELL_VAR *v;
	char buf[16];

	if (p->cfg.status_array == NULL)
		return;
	v = find_variable(p->cfg.status_array);
	if (v == NULL || !array_p(v))
		return;
	snprintf(buf, sizeof(buf), "%d", status);
	array_insert(array_cell(v), seq - 1, buf);
}

/* --results: write TEXT to DIR/NAME; return 0, or -1 with errno set. */
static int
pool_results_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;
	int r;

	path = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	f = fopen(path, "we");
	free(path);
	if (f == NULL)
		return (-1);
	r = fputs(text, f) < 0;
	return (fclose(f) < 0 || r ? -1 : 0);
}

/* output_each's callback that keeps nothing. */
static int
pool_nothing(void *arg, const char *buf, size_t n)
{
	(void)arg;
	(void)buf;
	(void)n;
	return (0);
}

/* --results DIR: say once that DIR/SEQ lost something, and count it. */
static void
pool_results_lost(struct pool *p, struct pool_worker *wk, int e)
{
	if (wk->reslost++)
		return;
	builtin_warning("%s: %s", wk->resdir, strerror(e));
	p->lost_results++;
}

/*
 * --results DIR: make DIR/SEQ for WK's job and write its command there
 * (its stdout and stderr are saved as they come, by the pump).  Return
 * the directory's name, or NULL without --results.
 */
static char *
pool_results_start(struct pool *p, struct pool_worker *wk)
{
	char *dir;

	if (p->res.fmt != RES_DIR)
		return (NULL);
	dir = xmalloc(strlen(p->cfg.results) + 32);
	sprintf(dir, "%s/%ld", p->cfg.results, wk->seq);
	wk->resdir = dir;
	if ((mkdir(dir, 0777) < 0 && errno != EEXIST) ||
	    pool_results_file(dir, "cmd", wk->cmd) < 0)
		pool_results_lost(p, wk, errno);
	return (dir);
}

/* --results DIR: DIR/SEQ/status, and whether the output got there. */
static void
pool_results_end(struct pool *p, struct pool_worker *wk, int status)
{
	char buf[16];
	int e;

	if (wk->resdir == NULL)
		return;
	snprintf(buf, sizeof(buf), "%d\n", status);
	if (pool_results_file(wk->resdir, "status", buf) < 0)
		pool_results_lost(p, wk, errno);
	if (wk->cap && (output_trouble(wk->cap, &e) & OUT_TROUBLE_RESULTS))
		pool_results_lost(p, wk, e);
}

/* --results FILE, --files: say once that something was not saved. */
static void
pool_results_failed(struct pool *p, const char *what, int e)
{
	if (p->lost_results++ == 0)
		builtin_warning("%s: %s", what, strerror(e));
}

/*
 * --results DIR: WK's output is in DIR/SEQ, and printed nowhere, as GNU
 * parallel 20260522 (and 20221122) does; with --files, the name of its
 * stdout file is (GNU's: DIR/1/VALUE/stdout; ours DIR/SEQ/stdout).
 */
static void
pool_results_quiet(struct pool *p, struct pool_worker *wk)
{
	char *name;

	output_each(wk->cap, 0, 1, pool_nothing, NULL);
	output_each(wk->cap, 1, 1, pool_nothing, NULL);
	if (!p->cfg.files || wk->resdir == NULL)
		return;
	name = xmalloc(strlen(wk->resdir) + sizeof("/stdout\n"));
	sprintf(name, "%s/stdout\n", wk->resdir);
	output_put(wk->cap, 0, name, strlen(name));
	free(name);
}

/*
 * --results FILE.csv/.tsv/.json: build WK's record (STATUS, RUNTIME);
 * --files: save its stdout in a file and print the file's name instead.
 */
static void
pool_results_record(struct pool *p, struct pool_worker *wk, int status,
    double runtime)
{
	struct results_job j;
	char *name;

	if (wk->cap && p->res.fmt == RES_DIR) {
		pool_results_quiet(p, wk);
		return;
	}
	if (wk->cap && p->cfg.files) {
		if (results_files(wk->cap, &name) < 0)
			pool_results_failed(p, name, errno);
		free(name);
		/* GNU parallel drops a --files job's stderr. */
		output_each(wk->cap, 1, 1, pool_nothing, NULL);
	}
	if (wk->cap == NULL || p->res.fmt <= RES_DIR)
		return;
	memset(&j, 0, sizeof(j));
	j.seq = wk->seq;
	j.host = launch_where(&p->cfg.launch, wk->slot, 1);
	j.start = wk->start_wall;
	j.runtime = runtime;
	j.received = output_bytes(wk->cap);
	j.status = status;
	j.signaled = wk->signaled;
	j.timed_out = wk->timed_out;
	j.cmd = wk->cmd;
	j.vals = wk->vals;
	j.nvals = wk->nvals;
	j.names = p->in.names;
	j.nnames = p->in.nnames;
	if (results_record(&p->res, &j, wk->cap) < 0) {
		pool_results_failed(p, p->cfg.results, errno);
		/* No half record: hide what of it got into the spool. */
		output_each(wk->cap, OUT_RECORD, 1, pool_nothing, NULL);
	}
}

/* WK's output may be printed now (or, --results FILE, its record). */
static void
pool_release(struct pool *p, struct outcap *c)
{
	if (p->res.fmt <= RES_DIR) {
		output_emit(c);
		return;
	}
	if (results_release(&p->res, c) < 0)
		pool_results_failed(p, p->cfg.results, errno);
}

/* The halt policy: after a job ended with STATUS, should we stop? */
void
pool_halt_check(struct pool *p, int status)
{
	long count, base;

	if (p->cfg.halt_when == HALT_NEVER || p->halting)
		return;
	count = p->cfg.halt_on == HALT_FAIL ? p->nfailed :
	    p->cfg.halt_on == HALT_SUCCESS ? p->nsucceeded : p->ndone;
	if (p->cfg.halt_pct) {
		base = p->in.total > 0 ? p->in.total : p->ndone;
		if (base == 0 || (p->in.total <= 0 && p->ndone < 3) ||
		    count * 100 < p->cfg.halt_count * base)
			return;
	} else if (count < p->cfg.halt_count)
		return;
	p->halting = p->cfg.halt_when;
	p->halt_status = p->cfg.halt_on == HALT_FAIL ? status :
	    p->cfg.halt_on == HALT_SUCCESS ? 0 : -1;
}

/* -k: print, in start order, every held job whose turn has come. */
static void
pool_emit_ready(struct pool *p, int all)
{
	struct pool_held *h;

	while ((h = p->held) != NULL && (h->done || all)) {
		p->held = h->next;
		p->nheld--;
		if (h->cap)
			pool_release(p, h->cap);
		free(h);
	}
}

static struct pool_held *
pool_held_find(struct pool *p, long seq)
{
	struct pool_held *h;

	for (h = p->held; h; h = h->next)
		if (h->seq == seq)
			return (h);
	return (NULL);
}

static void
pool_worker_clear(struct pool_worker *wk)
{
	if (wk->vals)
		input_free_vals(wk->vals, wk->nvals);
	free(wk->cmd);
	free(wk->tag);
	free(wk->resdir);
	if (wk->lfd > 0)
		close(wk->lfd);	/* a launched job: its remote side ends */
	wk->lfd = 0;
	launch_wd_remove(wk->wdtmp);
	wk->wdtmp = NULL;
	pipe_blk_close(&wk->blk);
	wk->vals = NULL;
	wk->cmd = wk->tag = wk->resdir = NULL;
	wk->cap = NULL;
	wk->active = 0;
}

/*
 * Queue WK's item to be started again as attempt ATTEMPT once READY has
 * come (0: at once); the item's values move to the queue.
 */
static void
pool_requeue(struct pool *p, struct pool_worker *wk, int attempt,
    int64_t ready)
{
	struct pool_held *r;

	r = xmalloc(sizeof(*r));
	memset(r, 0, sizeof(*r));
	r->seq = wk->seq;
	r->vals = wk->vals;
	r->nvals = wk->nvals;
	r->attempt = attempt;
	r->ready = ready;
	r->blk = wk->blk;
	wk->blk.fd = 0;
	wk->vals = NULL;
	r->next = p->retry;
	p->retry = r;
}

/* Queue WK's item for another attempt after the backoff delay. */
static void
pool_retry_later(struct pool *p, struct pool_worker *wk)
{
	pool_requeue(p, wk, wk->attempt + 1, duration_now() +
	    backoff_delay(&p->cfg.backoff, wk->attempt));
	if (wk->cap)
		output_discard(wk->cap);
	pool_worker_clear(wk);
}

/* Output of a job that is final: now, or held until its turn (-k). */
static void
pool_output(struct pool *p, struct pool_worker *wk)
{
	struct pool_held *h;

	if (wk->cap == NULL)
		return;
	if (p->cfg.keep_order && (h = pool_held_find(p, wk->seq)) != NULL) {
		h->cap = wk->cap;
		h->done = 1;
		pool_emit_ready(p, 0);
		return;
	}
	pool_release(p, wk->cap);
}

/*
 * --ci-groups, --junit: report WK's finished job (STATUS): its section
 * lines go around its output, its testcase into the JUnit file.
 */
static void
pool_report(struct pool *p, struct pool_worker *wk, int status)
{
	struct report_job j;
	char *name, tail[REPORT_TAIL];

	if (p->rep.ci == CI_NONE && p->rep.out == NULL)
		return;
	name = wk->tag ? savestring(wk->tag) : savestring(wk->cmd);
	if (wk->tag && *name)
		name[strlen(name) - 1] = '\0';	/* the tag's tab */
	memset(&j, 0, sizeof(j));
	j.seq = wk->seq;
	j.name = name;
	j.start = wk->start_wall;
	j.secs = (duration_now() - wk->start) / 1e9;
	j.status = status;
	j.signaled = wk->signaled;
	j.timed_out = wk->timed_out;
	if (status != 0 && wk->cap && p->rep.out) {
		j.tail = tail;
		j.ntail = output_tail(wk->cap, tail, sizeof(tail));
	}
	report_job(&p->rep, &j);
	if (wk->cap && p->rep.ci != CI_NONE)
		output_wrap(wk->cap, report_head(p->rep.ci, &j),
		    report_foot(p->rep.ci, &j));
	free(name);
}

/*
 * --timeout N%: job WK's deadline, N% of the median runtime of the jobs
 * that succeeded so far; none (0) before the first one, as GNU parallel.
 */
static int64_t
pool_deadline_of(const struct pool *p, const struct pool_worker *wk)
{
	if (p->cfg.timeout_ns)
		return (wk->start + p->cfg.timeout_ns);
	if (p->cfg.timeout_pct <= 0 || p->med.n == 0)
		return (0);
	return (wk->start + 1 + (int64_t)(p->med.median * 1e9 *
	    p->cfg.timeout_pct / 100));
}

/* --timeout N%: a job succeeded in RUNTIME s: move the deadlines. */
static void
pool_median(struct pool *p, double runtime)
{
	struct pool_worker *wk;
	int i;

	if (p->cfg.timeout_pct <= 0)
		return;
	remedian_add(&p->med, runtime);
	for (i = 0; i < p->cfg.jobs; i++) {
		wk = &p->w[i];
		if (wk->active && !wk->ended && !wk->timed_out &&
		    !wk->requeue)
			wk->deadline = pool_deadline_of(p, wk);
	}
}

/* WK's job is over, its output read: record it, print it or retry it. */
static void
pool_finish(struct pool *p, struct pool_worker *wk)
{
	int e, status = wk->status;
	double runtime;

	p->running--;
	p->forkwait = 0;
	p->lim_due = 0;		/* what held jobs back may be gone */
	if (wk->requeue) {
		/* Stopped for the machine's sake: from the start, later. */
		pool_requeue(p, wk, wk->attempt, 0);
		if (wk->cap)
			output_discard(wk->cap);
		pool_worker_clear(wk);
		return;
	}
	if (status != 0 && wk->attempt < p->cfg.retries && !p->halting &&
	    !p->interrupted && !wk->killed) {
		pool_retry_later(p, wk);
		return;
	}
	/* Its writes failed, or will have: say so, whatever its status. */
	if (wk->cap && (output_trouble(wk->cap, &e) & OUT_TROUBLE_FULL)) {
		builtin_warning("job %ld (%s): no space left in $TMPDIR for "
		    "its output, which may be cut short", wk->seq, wk->cmd);
		p->cut_short = 1;
	}
	pool_record(p, wk->seq, status);
	runtime = (duration_now() - wk->start) / 1e9;
	if (status == 0 && !wk->killed)
		pool_median(p, runtime);
	joblog_write(&p->log, wk->seq,
	    launch_where(&p->cfg.launch, wk->slot, 1), wk->start_wall, runtime,
	    wk->cap ? output_bytes(wk->cap) : 0, status, wk->signaled,
	    wk->timed_out, wk->cmd);
	pool_results_end(p, wk, status);
	pool_results_record(p, wk, status, runtime);
	if (cgroup_oom(&p->cg, wk->slot))
		builtin_warning(status == 128 + SIGKILL ? "job %ld: killed at "
		    "its --mem-limit" : "job %ld: a process of it was killed "
		    "at its --mem-limit", wk->seq);
	pool_report(p, wk, status);
	p->ndone++;
	if (status == 0)
		p->nsucceeded++;
	else if (wk->killed)
		p->nkilled++;
	else
		p->nfailed++;
	pool_output(p, wk);
	if (!wk->killed)
		pool_halt_check(p, status);
	pool_worker_clear(wk);
}

/* Return non-zero if R's job died of a signal (for the joblog). */
int
pool_signaled(struct jobref *r)
{
	PROCESS *pr;

	if (r->job == NO_JOB || jobs[r->job] == NULL)
		return (r->status > 128);
	for (pr = jobs[r->job]->pipe; pr->next != jobs[r->job]->pipe;
	    pr = pr->next)
		;
	return (WIFSIGNALED(pr->status));
}

/*
 * WK's job has ended: stop what it left running in its group (TERM, then
 * KILL LEFT_TERM_NS later), and once nothing holds its pipes, or the
 * last step is over, finish it.
 */
static void
pool_settle(struct pool *p, struct pool_worker *wk, int64_t now)
{
	int left;

	left = wk->left_step < 3 && proctree_group_live(wk->ref.pid);
	if (!left && (wk->cap == NULL || output_eof(wk->cap))) {
		pool_finish(p, wk);
		return;
	}
	if (!left) {
		/* Someone outside its group holds its pipes: stop reading. */
		output_close(wk->cap);
		wk->left_step = 3;
		return;
	}
	if (wk->left_step == 0) {
		killpg(wk->ref.pid, SIGTERM);
		killpg(wk->ref.pid, SIGCONT);
		wk->left_step = 1;
		wk->left_at = now + LEFT_TERM_NS;
	} else if (now >= wk->left_at && wk->left_step == 1) {
		killpg(wk->ref.pid, SIGKILL);
		wk->left_step = 2;
		wk->left_at = now + LEFT_KILL_NS;
	} else if (now >= wk->left_at) {
		wk->left_step = 3;	/* unkillable (D state): leave it */
		if (wk->cap)
			output_close(wk->cap);
	}
}

/* WK's job is done in the job table: take its status, consume it. */
static void
pool_ended(struct pool *p, struct pool_worker *wk, int st)
{
	if (st == JOBREF_GONE)
		wk->ref.status = EXIT_ENOENT;	/* bash's wait: no such job */
	wk->status = wk->ref.status;
	wk->signaled = pool_signaled(&wk->ref);
	jobref_consume(&wk->ref, 1);
	wk->ended = 1;
	/* --tty under set -m: the terminal was the job's, it is ours again. */
	if (p->ttyfd > 0 && job_control)
		give_terminal_to(shell_pgrp, 0);
	/* A timed-out job's leftovers get no second chance. */
	if (wk->timed_out) {
		killpg(wk->ref.pid, SIGKILL);
		wk->left_step = 2;
		wk->left_at = duration_now() + LEFT_KILL_NS;
	}
}

/*
 * Move WK's stop (--timeout, or a limit) along, at NOW: the next signal
 * of --termseq, KILL after it; without --termseq, TERM then KILL every
 * KILL_AFTER_NS.
 */
static void
pool_term_next(struct pool *p, struct pool_worker *wk, int64_t now)
{
	const struct termseq *s = &p->cfg.termseq;
	int k = wk->term_step++;

	if (k < s->n) {
		jobref_signal(&wk->ref, s->sig[k]);
		wk->kill_at = now + s->ns[k];
		return;
	}
	jobref_signal(&wk->ref, k == 0 ? SIGTERM : SIGKILL);
	wk->kill_at = now + KILL_AFTER_NS;
}

/* Reap the workers that ended; move timed-out ones along TERM -> KILL. */
static void
pool_reap(struct pool *p)
{
	struct pool_worker *wk;
	int64_t now;
	int i, st;

	now = duration_now();
	for (i = 0; i < p->cfg.jobs; i++) {
		wk = &p->w[i];
		if (!wk->active)
			continue;
		if (!wk->ended) {
			st = jobref_state(&wk->ref);
			if (st == JOBREF_DONE || st == JOBREF_GONE)
				pool_ended(p, wk, st);
			else if (wk->deadline && now >= wk->deadline &&
			    !wk->timed_out) {
				wk->timed_out = 1;
				pool_term_next(p, wk, now);
			} else if (wk->timed_out && now >= wk->kill_at)
				pool_term_next(p, wk, now);
		}
		if (wk->ended)
			pool_settle(p, wk, now);
	}
	if (output_failed(&p->out))
		p->halting = HALT_NOW;
	output_collect(&p->out);
}

static int
pool_free_slot(const struct pool *p)
{
	int i;

	for (i = 0; i < p->cfg.jobs; i++)
		if (!p->w[i].active && launch_usable(&p->cfg.launch, i + 1))
			return (i);
	return (-1);
}

/* Is there a slot for a new job?  (--slf: a removed host's is none.) */
static int
pool_room(const struct pool *p)
{
	return (p->running < p->cfg.jobs &&
	    (p->cfg.launch.slf == NULL || pool_free_slot(p) >= 0));
}

/* --slf FILE changed: new hosts bring new slots (launch_reread). */
static void
pool_hosts(struct pool *p)
{
	int n;

	if ((n = launch_reread(&p->cfg.launch)) <= p->cfg.jobs)
		return;
	p->w = xrealloc(p->w, n * sizeof(*p->w));
	memset(p->w + p->cfg.jobs, 0, (n - p->cfg.jobs) * sizeof(*p->w));
	p->cfg.jobs = n;
}

/* -k: remember the start order of SEQ, to print its output in turn. */
static void
pool_hold(struct pool *p, long seq)
{
	struct pool_held *h, **tail;

	h = xmalloc(sizeof(*h));
	memset(h, 0, sizeof(*h));
	h->seq = seq;
	for (tail = &p->held; *tail; tail = &(*tail)->next)
		;
	*tail = h;
	p->nheld++;
}

/*
 * A job could not start for error E (WHAT failed: "fork", or the pipes
 * and spool of its output).  If that is for lack of processes (EAGAIN,
 * ENOMEM) or descriptors (EMFILE, ENFILE), plan the next try and return
 * 1: when one of our jobs ends, or, with none running, after a pause (50
 * ms, doubling); after FORK_TRIES pauses in a row return 0: the pool
 * gives up.  GNU parallel likewise runs fewer jobs at a time when the
 * system has no more processes to give.
 */
static int
pool_noproc(struct pool *p, int e, const char *what)
{
	int *warned;

	if (e != EAGAIN && e != ENOMEM && e != EMFILE && e != ENFILE)
		return (0);
	if (p->running > 0) {
		warned = e == EMFILE || e == ENFILE ? &p->fdwarned :
		    &p->forkwarned;
		if (!(*warned)++)
			builtin_warning("cannot %s: %s; waiting for a job to "
			    "end", what, strerror(e));
		p->forkwait = 1;
		return (1);
	}
	if (p->forkfails >= FORK_TRIES)
		return (0);
	p->next_fork = duration_now() + (FORK_PAUSE_NS << p->forkfails++);
	return (1);
}

/*
 * WK could not start for error E (WHAT failed).  Return POOL_NOPROC if it
 * is to be tried again later (queued unless it came with its own WORDS,
 * in --sem mode), else -1 after saying why.
 */
static int
pool_unstarted(struct pool *p, struct pool_worker *wk, WORD_LIST *words,
    int e, const char *what)
{
	if (pool_noproc(p, e, what)) {
		if (words == NULL)
			pool_requeue(p, wk, wk->attempt, 0);
		pool_worker_clear(wk);
		return (POOL_NOPROC);
	}
	builtin_error("cannot %s: %s", what, strerror(e));
	pool_worker_clear(wk);
	p->fatal = 1;
	return (-1);
}

/* Print the command instead of running it (--dry-run). */
static int
pool_dry(struct pool *p, struct pool_worker *wk)
{
	printf("%s\n", wk->cmd);
	fflush(stdout);
	pool_worker_clear(wk);
	p->ndone++;
	p->nsucceeded++;
	return (0);
}

/*
 * -v: the command line goes first in the job's stdout, so that it is
 * grouped, tagged and ordered with the job's output (GNU parallel's -v):
 * written into the new, empty pipe FD before the job starts.  A line too
 * long for the pipe, or with -u (FD < 0), goes straight to stdout.
 */
static void
pool_verbose(const char *cmd, int fd)
{
	size_t len = strlen(cmd) + 1;
	int cap;

	if (fd >= 0 && ((cap = fcntl(fd, F_GETPIPE_SZ)) >= (int)len ||
	    fcntl(fd, F_SETPIPE_SZ, (int)len) >= (int)len)) {
		if (write(fd, cmd, len - 1) == (ssize_t)len - 1 &&
		    write(fd, "\n", 1) == 1)
			return;
	}
	printf("%s\n", cmd);
	fflush(stdout);
}

/* Start WK's job, CMD, with its output captured or not; return its pid. */
static pid_t
pool_spawn(struct pool *p, struct pool_worker *wk, WORD_LIST *cmd,
    int launched)
{
	struct child_opts co;
	struct pool_spawn ctx;
	char *env[6], *ctag;
	pid_t pid;
	int i, wfd[2];

	memset(&co, 0, sizeof(co));
	co.flags = CHILD_OWNPGRP;
	/* posix_spawn can neither renice nor set limits. */
	if (p->cfg.lim.nice_set || p->cfg.lim.nrl)
		co.flags |= CHILD_FORK;
	/* Nor move the job into its cgroup before its command. */
	cgroup_begin(&p->cg, p->cfg.lim.mem_limit, p->cfg.lim.cpu_quota,
	    p->cfg.jobs);
	if (cgroup_active(&p->cg)) {
		co.flags |= CHILD_FORK;
		cgroup_job_start(&p->cg, wk->slot);
	}
	if (p->cfg.capture) {
		ctag = pool_color_tag(p, wk);
		wk->cap = output_open(&p->out, ctag ? ctag : wk->tag,
		    pool_results_start(p, wk), wfd);
		free(ctag);
		if (wk->cap == NULL)
			return (-2);
		co.outfd = wfd[0];
		co.errfd = wfd[1];
	}
	/* --pipe: the block on its stdin, from its start (a retry too). */
	if (p->cfg.pipe.mode) {
		co.flags |= CHILD_FORK;
		if (wk->blk.fd > 0 && lseek(wk->blk.fd, 0, SEEK_SET) < 0)
			return (-1);
		if (wk->blk.part && pipe_blk_open(&p->pin, &wk->blk) < 0)
			return (-2);	/* EMFILE: when a job has ended */
	}
	ctx.launched = launched;
	if (launched && pool_launch_pipe(wk, &ctx) < 0) {
		pipe_blk_started(&wk->blk);
		return (-1);
	}
	/* A launched job's stdin, a local one's --workdir: in the child. */
	co.flags |= launched || p->cfg.launch.workdir ? CHILD_FORK : 0;
	/*
	 * --tty: the terminal on its stdin (in the child), and the job in the
	 * foreground group: the shell's in a script, its own (given the
	 * terminal) under set -m, as a foreground command is.  But one group
	 * only has the terminal: with more than one job at a time, each in a
	 * group of its own, all but the last started would be stopped by
	 * SIGTTIN for good once they read it, so they stay in the shell's.
	 */
	if (p->ttyfd > 0)
		co.flags = CHILD_FORK | (!job_control ? 0 : p->cfg.jobs == 1 ?
		    CHILD_TTY | CHILD_OWNPGRP : CHILD_SHELLPGRP);
	if (p->cfg.show_cmd & POOL_SHOW_V)
		pool_verbose(wk->cmd, p->cfg.capture ? wfd[0] : -1);
	ctx.bigitem = pool_env(p, wk, env);
	co.env = env;
	co.setup = pool_child_setup;
	ctx.p = p;
	ctx.wk = wk;
	co.arg = &ctx;
	pid = child_spawn(cmd, &co, &wk->ref.job);
	pipe_blk_started(&wk->blk);
	if (launched)
		close(ctx.lrd);
	for (i = 0; env[i]; i++)
		free(env[i]);
	return (pid);
}

/*
 * Take a free slot for job SEQ (attempt ATTEMPT), with the values VALS
 * (taken over) in batch mode or the words WORDS in --sem mode, and make
 * its command; -t prints it.
 */
static struct pool_worker *
pool_claim(struct pool *p, long seq, int attempt, char **vals, int nvals,
    WORD_LIST *words, WORD_LIST **cmdp)
{
	struct pool_worker *wk;

	wk = &p->w[pool_free_slot(p)];
	memset(wk, 0, sizeof(*wk));
	wk->slot = (int)(wk - p->w) + 1;
	wk->seq = seq;
	wk->attempt = attempt;
	wk->blk = p->next_blk;
	memset(&p->next_blk, 0, sizeof(p->next_blk));
	wk->vals = vals;
	wk->nvals = nvals;
	*cmdp = words ? copy_word_list(words) :
	    subst_build(p->tmpl, vals, nvals, seq, wk->slot);
	wk->cmd = p->cfg.raw_cmd && (*cmdp)->next ?
	    string_list((*cmdp)->next) : child_text(*cmdp);
	if (p->cfg.show_cmd & POOL_SHOW_T) {
		fprintf(stderr, "%s\n", wk->cmd);
		fflush(stderr);
	}
	return (wk);
}

/*
 * Start WK's command CMD (disposed of here): through the launcher, or in
 * a --workdir of its own.  Return its pid, or < 0 as pool_spawn does.
 */
static pid_t
pool_launch(struct pool *p, struct pool_worker *wk, WORD_LIST *cmd)
{
	WORD_LIST *lcmd;
	pid_t pid;
	int e, launched;

	launched = launch_active(&p->cfg.launch) &&
	    (lcmd = launch_wrap(&p->cfg.launch, cmd, wk->slot, wk->vals,
	    wk->nvals, wk->seq)) != NULL;
	if (launched) {
		dispose_words(cmd);
		cmd = lcmd;
	} else
		wk->wdtmp = launch_wd_make(&p->cfg.launch);
	pid = pool_spawn(p, wk, cmd, launched);
	e = errno;
	dispose_words(cmd);
	errno = e;
	return (pid);
}

/* WK's job, process PID, has started: count it, time it. */
static void
pool_started(struct pool *p, struct pool_worker *wk, pid_t pid)
{
	p->forkfails = 0;
	p->next_fork = 0;
	wk->ref.pid = pid;
	if (wk->ref.job >= 0 && jobs[wk->ref.job])
		jobs[wk->ref.job]->flags |= J_NOTIFIED;	/* never "Done" */
	jobref_own(pid, 1);
	if (wk->cap)
		output_started(wk->cap);
	p->running++;
	wk->start = duration_now();
	wk->start_wall = pool_wallclock();
	wk->deadline = pool_deadline_of(p, wk);
	if (wk->attempt == 1)
		p->nstarted++;
	if (p->cfg.delay_ns)
		p->next_start = wk->start + p->cfg.delay_ns;
	if (p->cfg.keep_order && wk->attempt == 1 &&
	    !pool_held_find(p, wk->seq))
		pool_hold(p, wk->seq);
}

/*
 * Start job SEQ (attempt ATTEMPT) in a free slot: with the values VALS
 * (taken over) in batch mode, or as the words WORDS in --sem mode.
 * Return 0, POOL_NOPROC to try again later, or -1 after printing why it
 * could not start.
 */
static int
pool_start(struct pool *p, long seq, int attempt, char **vals, int nvals,
    WORD_LIST *words)
{
	struct pool_worker *wk;
	WORD_LIST *cmd;
	pid_t pid;
	int e;

	wk = pool_claim(p, seq, attempt, vals, nvals, words, &cmd);
	if (p->cfg.dry_run) {
		dispose_words(cmd);
		return (pool_dry(p, wk));
	}
	wk->tag = pool_tag(p, wk);
	wk->active = 1;
	pid = pool_launch(p, wk, cmd);
	e = errno;
	if (pid < 0) {
		if (wk->cap)
			output_discard(wk->cap);
		return (pool_unstarted(p, wk, words, e, pid != -2 ? "fork" :
		    e == EMFILE || e == ENFILE ? "open files for its output" :
		    "capture output in $TMPDIR"));
	}
	pool_started(p, wk, pid);
	return (0);
}

/* Take the first retry whose backoff is over, or NULL. */
static struct pool_held *
pool_retry_ready(struct pool *p, int64_t now)
{
	struct pool_held **pp, *r;

	for (pp = &p->retry; (r = *pp) != NULL; pp = &r->next)
		if (r->ready <= now) {
			*pp = r->next;
			return (r);
		}
	return (NULL);
}

/* A limit says the machine is short: stop the youngest job, requeue it. */
static void
pool_shed(struct pool *p, int64_t now)
{
	struct pool_worker *wk, *young;
	int i;

	young = NULL;
	for (i = 0; i < p->cfg.jobs; i++) {
		wk = &p->w[i];
		if (wk->active && !wk->ended && !wk->timed_out &&
		    (young == NULL || wk->start > young->start))
			young = wk;
	}
	if (young == NULL)
		return;
	young->requeue = 1;
	young->deadline = now;		/* pool_reap stops it, as a timeout */
}

/*
 * --load, --memfree, --limit: may jobs start?  Asked when a job has
 * ended, else once a second (pool/reslimits.c says why).
 */
static void
pool_limits(struct pool *p)
{
	int64_t now;
	int r;

	if (!limits_active(&p->cfg.lim) || p->halting)
		return;
	/* Nothing left to start, nothing to stop: no need to ask. */
	if (p->in.done && p->ahead == NULL && p->retry == NULL &&
	    (p->running == 0 || (!p->cfg.lim.memfree && !p->cfg.lim.cmd)))
		return;
	now = duration_now();
	if (p->lim_due && now < p->lim_due)
		return;
	r = limits_check(&p->cfg.lim);
	p->lim_hold = r != LIMITS_GO;
	p->lim_due = now + LIMITS_RECHECK_NS;
	if (r == LIMITS_SHED)
		pool_shed(p, now);
}

/*
 * --pipe, --pipepart: take the next block for the job pool_fill starts.
 * Return 1 if there is one; 0 if not yet (stdin is polled meanwhile) or
 * no more (the input is done; a read or spool error says why first).
 */
static int
pool_pipe_next(struct pool *p)
{
	int r;

	r = pipe_next(&p->pin, &p->next_blk);
	if (r == PIPE_BLOCK) {
		p->in.pos++;
		return (1);
	}
	if (r == PIPE_WAIT) {
		p->pipe_wait = 1;
		return (0);
	}
	if (r == PIPE_ERR) {
		builtin_error("cannot %s: %s", errno == EFBIG ?
		    "read the --header lines" : "read and spool a block",
		    strerror(errno));
		p->fatal = 1;
	}
	p->in.done = 1;
	return (0);
}

/*
 * --pipe, --pipepart: set P up to cut stdin or the file into blocks.
 * Return 0, or -1 after saying why not.
 */
int
pool_pipe_open(struct pool *p)
{
	const char *name;
	int fd;

	name = p->cfg.pipe.mode == PIPE_PART ? p->cfg.pipe.file :
	    "standard input";
	fd = p->cfg.pipe.mode == PIPE_PART ?
	    open(name, O_RDONLY | O_CLOEXEC) : fcntl(0, F_DUPFD_CLOEXEC, 10);
	if (fd < 0 || pipe_open(&p->pin, &p->cfg.pipe, fd) < 0) {
		builtin_error("%s: %s%s", name, strerror(errno),
		    errno == ESPIPE ? " (--pipepart needs a regular file)" :
		    "");
		if (fd >= 0 && p->pin.fd != fd)
			close(fd);
		return (-1);
	}
	/* --pipepart without --block: 10 ranges a job slot (GNU's). */
	if (p->pin.block == 0)
		p->pin.block = p->pin.size / (10 * (off_t)p->cfg.jobs) + 1;
	p->in.total = -1;
	return (0);
}

/* Start jobs while slots are free: due retries first, then new items. */
static void
pool_fill(struct pool *p)
{
	struct pool_held *r;
	char **vals;
	int nvals, seen, k;
	int64_t now;
	long seq;

	pool_limits(p);
	pool_hosts(p);
	while (!p->halting && pool_room(p) && !output_failed(&p->out) &&
	    !p->forkwait && !p->lim_hold) {
		if (p->cfg.keep_order && p->nheld >= p->keep_max)
			break;
		now = duration_now();
		if ((p->next_start && now < p->next_start) ||
		    (p->next_fork && now < p->next_fork)) {
			/* Is there a next job to wait for at all? */
			if (p->ahead == NULL && !p->in.done &&
			    !p->cfg.pipe.mode)
				p->ahead = input_next(&p->in, &p->nahead);
			break;
		}
		if ((r = pool_retry_ready(p, now)) != NULL) {
			seq = r->seq;
			p->next_blk = r->blk;
			k = pool_start(p, seq, r->attempt, r->vals, r->nvals,
			    NULL);
			free(r);
			if (k == POOL_NOPROC)
				break;
			if (k < 0)
				p->halting = HALT_SOON;
			continue;
		}
		if ((vals = p->ahead) != NULL) {
			nvals = p->nahead;
			p->ahead = NULL;
		} else if (p->cfg.pipe.mode) {
			if (!pool_pipe_next(p))
				break;
			nvals = 0;
		} else if ((vals = input_next(&p->in, &nvals)) == NULL)
			break;
		seq = p->in.pos;	/* its input position (--shard) */
		p->next_seq = seq + 1;
		seen = joblog_seen(&p->log, seq);
		if ((p->cfg.resume == 1 && seen != JOBLOG_UNSEEN) ||
		    (p->cfg.resume == 2 && seen == JOBLOG_OK)) {
			input_free_vals(vals, nvals);
			pipe_blk_close(&p->next_blk);
			continue;
		}
		k = pool_start(p, seq, 1, vals, nvals, NULL);
		if (k == POOL_NOPROC)
			break;
		if (k < 0)
			p->halting = HALT_SOON;
	}
}

static int64_t
pool_min(int64_t a, int64_t b)
{
	return (a == 0 || (b != 0 && b < a) ? b : a);
}

/* The next moment the loop must wake up for, or 0 for none. */
static int64_t
pool_deadline(struct pool *p)
{
	struct pool_held *r;
	int64_t d;
	int i;

	d = 0;
	for (i = 0; i < p->cfg.jobs; i++)
		if (p->w[i].active && p->w[i].ended)
			d = pool_min(d, p->w[i].left_step > 0 &&
			    p->w[i].left_step < 3 ? p->w[i].left_at : 0);
		else if (p->w[i].active)
			d = pool_min(d, p->w[i].timed_out ? p->w[i].kill_at :
			    p->w[i].deadline);
	if (!p->halting && pool_room(p)) {
		for (r = p->retry; r; r = r->next)
			d = pool_min(d, r->ready);
		if (p->next_start && (p->ahead || !p->in.done || p->retry))
			d = pool_min(d, p->next_start);
		d = pool_min(d, p->next_fork);
	}
	if (p->pmode != PM_NONE)
		d = pool_min(d, p->bar_due);
	/* Limits: look again while holding, or to stop the youngest. */
	if (!p->halting && (p->lim_hold || (p->running &&
	    (p->cfg.lim.memfree || p->cfg.lim.cmd))))
		d = pool_min(d, p->lim_due);
	return (d);
}

/* Stop every running worker (SIG to its group, KILL after a grace). */
static void
pool_stop_all(struct pool *p, int sig)
{
	struct jobref *refs;
	int i, n;

	refs = xmalloc((p->cfg.jobs + 1) * sizeof(*refs));
	for (i = n = 0; i < p->cfg.jobs; i++)
		if (p->w[i].active && !p->w[i].ended) {
			p->w[i].killed = 1;
			refs[n++] = p->w[i].ref;
		}
	if (n && p->cfg.termseq.n)
		term_jobs_seq(&p->ws, refs, n, &p->cfg.termseq);
	else if (n)
		term_jobs(&p->ws, refs, n, sig, STOP_GRACE_NS);
	free(refs);
	pool_reap(p);
}

/* Sleep until something happens: a child, a deadline, output, a signal. */
static void
pool_sleep(struct pool *p)
{
	struct pollfd fds[3];

	waitset_deadline(&p->ws, pool_deadline(p));
	fds[1].fd = output_pollfd();
	fds[1].events = POLLIN;
	fds[1].revents = 0;
	/* --pipe: a block waits for stdin to have more. */
	fds[2].fd = p->pipe_wait ? p->pin.fd : -1;
	fds[2].events = POLLIN;
	fds[2].revents = 0;
	waitset_sleep_fds(&p->ws, fds, 3);
	p->pipe_wait = 0;
	if (fds[1].revents)
		output_run();
}

#define LOOP_DRAIN	0	/* until every job has ended */
#define LOOP_SLOT	1	/* until a slot is free (--sem) */
#define LOOP_POLL	2	/* one pass, no sleep (--status) */

/* Run P's loop in MODE; return 0, or -SIG if signal SIG stopped it. */
static int
pool_loop(struct pool *p, int mode)
{
	int sig;

	for (;;) {
		output_run();
		pool_reap(p);
		if ((sig = waitset_signal()) != 0) {
			p->interrupted = sig;
			pool_stop_all(p, sig == SIGINT || sig == SIGTERM ||
			    sig == SIGHUP ? sig : SIGTERM);
			/* Nothing may keep us now: drop unprinted output. */
			output_cancel(&p->out);
			pool_reap(p);
			pool_bar(p, 1);
			return (-sig);
		}
		if (p->halting == HALT_NOW && p->running)
			pool_stop_all(p, SIGTERM);
		if (mode == LOOP_SLOT && (p->halting ||
		    (pool_room(p) && (!p->cfg.keep_order ||
		    p->nheld < p->keep_max) && !p->forkwait &&
		    duration_now() >= p->next_fork)))
			return (0);
		pool_fill(p);
		pool_bar(p, 0);
		if (mode == LOOP_POLL || (mode == LOOP_DRAIN &&
		    p->running == 0 && (p->halting || (p->retry == NULL &&
		    p->in.done && p->ahead == NULL))))
			return (0);
		pool_sleep(p);
	}
}

/*
 * Return the pool's exit status, as GNU parallel's: 0 if every job
 * succeeded, else the number of failed jobs (101 for more than 100); the
 * failing job's status when --halt stopped on a failure; 255 when a job
 * could not be started at all (GNU parallel's "other error").
 */
int
pool_status(const struct pool *p)
{
	if (p->fatal)
		return (255);
	if (output_failed((struct output *)&p->out))
		return (EXECUTION_FAILURE);
	if (p->halting && p->halt_status >= 0)
		return (p->halt_status);
	if (p->nfailed == 0)
		return (p->cut_short || p->lost_results || p->lost_report ?
		    EXECUTION_FAILURE : 0);
	return (p->nfailed > 100 ? 101 : (int)p->nfailed);
}

/* Return 1 if SIGPIPE would end the shell (not trapped, not ignored). */
int
pool_sigpipe_kills(void)
{
	struct sigaction sa;

	return (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL);
}

/*
 * Wait until the pump has printed everything of P's: what is held (-k)
 * and the last progress line.  Return 0, or -SIG if signal SIG came
 * first: then what is left is dropped (a reader that does not read must
 * not keep the shell from its signal).
 */
static int
pool_flush(struct pool *p)
{
	struct pollfd fds[2];
	int sig;

	pool_emit_ready(p, 1);
	pool_bar(p, 1);
	waitset_deadline(&p->ws, 0);
	while (output_busy(&p->out)) {
		if ((sig = waitset_signal()) != 0) {
			output_cancel(&p->out);
			return (-sig);
		}
		fds[1].fd = output_pollfd();
		fds[1].events = POLLIN;
		fds[1].revents = 0;
		waitset_sleep_fds(&p->ws, fds, 2);
		output_run();
	}
	output_collect(&p->out);
	return (0);
}

/*
 * End a pool call that got R (0, or -SIG from the loop).  A write error
 * on a closed pipe ends the shell with SIGPIPE afterwards, as it would
 * have in any builtin that writes there (unless SIGPIPE is trapped or
 * ignored: then pool says so and returns 1).
 */
static int
pool_end(struct pool *p, int r)
{
	int e;

	if (r < 0)
		output_cancel(&p->out);
	else
		r = pool_flush(p);
	if (report_close(&p->rep) < 0)
		p->lost_report = 1;
	launch_end(&p->cfg.launch, r >= 0);	/* -M: before a signal */
	cgroup_end(&p->cg);
	if (r < 0)
		return (waitset_deliver(&p->ws, -r));
	waitset_end(&p->ws);
	if ((e = output_failed(&p->out)) != 0) {
		if (e == EPIPE && pool_sigpipe_kills())
			kill(getpid(), SIGPIPE);
		builtin_error("write error: %s", strerror(e));
	}
	return (pool_status(p));
}

/*
 * Batch mode: run every item of P's input, at most cfg.jobs at a time,
 * and return the pool's status (or 128+N after signal N).
 */
int
pool_run(struct pool *p)
{
	waitset_begin(&p->ws, 0, WAITSET_GUARD);
	pool_bar_header(p);
	pool_bar(p, 0);
	return (pool_end(p, pool_loop(p, LOOP_DRAIN)));
}

/*
 * --sem mode: start WORDS as the pool's next job as soon as a slot is
 * free.  Return 0 once started; the halt status if the pool has halted
 * (nothing is started); 1 if it could not start; 128+N after signal N
 * (every worker is then stopped).
 */
int
pool_submit(struct pool *p, WORD_LIST *words)
{
	int r;

	output_attach();
	waitset_begin(&p->ws, 0, WAITSET_GUARD);
	r = pool_loop(p, LOOP_SLOT);
	if (r < 0)
		return (pool_end(p, r));
	if (p->halting) {
		waitset_end(&p->ws);
		r = pool_status(p);
		return (r ? r : 1);
	}
	/* Out of processes: wait as for a slot, then try again. */
	while ((r = pool_start(p, p->next_seq, 1, NULL, 0, words)) ==
	    POOL_NOPROC) {
		if ((r = pool_loop(p, LOOP_SLOT)) < 0)
			return (pool_end(p, r));
		if (p->halting) {
			waitset_end(&p->ws);
			r = pool_status(p);
			return (r ? r : 1);
		}
	}
	if (r == 0)
		p->next_seq++;
	waitset_end(&p->ws);
	/* The jobs go on writing while the shell runs: the thread pumps. */
	output_detach();
	return (r < 0 ? (p->fatal ? 255 : 1) : 0);
}

/*
 * --sem mode: take in what ended since the last call (statuses, output,
 * retries due), without waiting; return 0, or the status of a signal
 * that stopped the pool meanwhile.
 */
int
pool_poll(struct pool *p)
{
	int r;

	output_attach();
	waitset_begin(&p->ws, 0, WAITSET_GUARD);
	if ((r = pool_loop(p, LOOP_POLL)) < 0)
		return (pool_end(p, r));
	waitset_end(&p->ws);
	output_detach();
	return (0);
}

/* --sem mode: wait for every job; return the pool's status. */
int
pool_drain(struct pool *p)
{
	output_attach();
	waitset_begin(&p->ws, 0, WAITSET_GUARD);
	p->in.done = 1;
	return (pool_end(p, pool_loop(p, LOOP_DRAIN)));
}

/* Release everything P holds; P itself is the caller's. */
void
pool_free(struct pool *p)
{
	struct pool_held *h;
	int i;

	output_attach();
	for (i = 0; p->w && i < p->cfg.jobs; i++)
		if (p->w[i].active)
			pool_worker_clear(&p->w[i]);
	while ((h = p->held) != NULL) {
		p->held = h->next;
		free(h);
	}
	while ((h = p->retry) != NULL) {
		p->retry = h->next;
		pipe_blk_close(&h->blk);
		input_free_vals(h->vals, h->nvals);
		free(h);
	}
	if (p->ahead)
		input_free_vals(p->ahead, p->nahead);
	if (p->out.sink[0])
		output_end(&p->out);
	joblog_close(&p->log);
	input_free(&p->in);
	if (p->ttyfd > 0)
		close(p->ttyfd);
	pipe_blk_close(&p->next_blk);
	pipe_close(&p->pin);
	if (p->tmpl)
		dispose_words(p->tmpl);
	free(p->w);
	free(p->name);
	free(p->cfg.tagstring);
	free(p->cfg.joblog);
	free(p->cfg.results);
	results_close(&p->res);
	free(p->cfg.status_array);
	free(p->cfg.lim.cmd);
	free(p->cfg.tmpdir);
	report_free(&p->rep);	/* interrupted before pool_end */
	remedian_free(&p->med);
	launch_free(&p->cfg.launch);
	cgroup_end(&p->cg);	/* ended before pool_end */
	memset(p, 0, sizeof(*p));
}
