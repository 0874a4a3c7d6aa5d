/* pool.h - a bounded pool of worker jobs: scheduling, halting, logging */

#ifndef BGTOOLS_POOL_H
#define BGTOOLS_POOL_H

#include <stdint.h>

#include "backoff.h"
#include "cgroup.h"
#include "input.h"
#include "joblog.h"
#include "launch.h"
#include "jobref.h"
#include "reslimits.h"
#include "report.h"
#include "results.h"
#include "output.h"
#include "progress.h"
#include "pipe.h"
#include "term.h"
#include "waitset.h"

#define HALT_NEVER	0
#define HALT_SOON	1	/* start no more jobs, let running ones end */
#define HALT_NOW	2	/* stop the running jobs too */

#define POOL_SHOW_V	0x01	/* -v: each command on stdout, in its output */
#define POOL_SHOW_T	0x02	/* -t: each command on stderr as it starts */

#define PM_NONE		0
#define PM_BAR		1	/* --bar on a terminal: pool's own line */
#define PM_GNU_TTY	2	/* --progress, --eta on a terminal */
#define PM_GNU_LOG	3	/* ... elsewhere: the header, the last line */
#define PM_PLAIN	4	/* --progress-every: plain lines */

#define HALT_FAIL	0
#define HALT_SUCCESS	1
#define HALT_DONE	2

struct pool_cfg {
	int jobs;			/* -j */
	int tty;			/* --tty, -o: jobs read the terminal */
	int halt_when, halt_on;		/* --halt WHEN,ON=COUNT */
	long halt_count;
	int halt_pct;			/* COUNT is a percentage */
	int64_t timeout_ns;		/* --timeout, per job */
	double timeout_pct;		/* --timeout N%: of the median runtime */
	int64_t delay_ns;		/* --delay between starts */
	int retries;			/* --retries: attempts in all */
	struct backoff backoff;		/* between attempts */
	int out_mode;			/* OUT_GROUP, OUT_UNGROUP, OUT_LINE */
	int keep_order;			/* -k */
	char *tagstring;		/* --tag / --tagstring */
	char *joblog;			/* --joblog FILE */
	int resume;			/* 1: --resume, 2: --resume-failed */
	char *results;			/* --results DIR or FILE.csv... */
	int files;			/* --files */
	char *tmpdir;			/* --tmpdir: the jobs' TMPDIR too */
	int color;			/* --color, --ctag */
	char *status_array;		/* -S ARRAY */
	int bar, dry_run;
	int progress;			/* 1: --progress, 2: --eta */
	int64_t every_ns;		/* --progress-every DURATION */
	int every_pct;			/* --progress-every N% */
	int raw_cmd;			/* no command: `eval ITEM', shown as ITEM */
	int show_cmd;			/* POOL_SHOW_*: -v, -t */
	int capture;			/* jobs' output goes through pipes */
	struct limits lim;		/* --load, --memfree, --limit, --nice */
	struct termseq termseq;		/* --termseq; n == 0: pool's own */
	int ci;				/* --ci-groups: CI_* */
	const char *junit;		/* --junit FILE (batch only) */
	struct launch launch;		/* --launcher, --sshlogin, --env */
	struct pipe_opts pipe;		/* --pipe, --pipepart (pool/pipe.c) */
};

/* A job that ended before its turn to print (-k), or waits to be retried. */
struct pool_held {
	long seq;
	int attempt;
	char **vals;
	int nvals;
	int64_t ready;			/* retry: when it may start again */
	struct pipe_blk blk;		/* --pipe: its block */
	int done;			/* -k: it ended, its output is in cap */
	struct outcap *cap;
	struct pool_held *next;
};

struct pool_worker {
	struct jobref ref;
	int active, slot, attempt;
	long seq;
	char **vals;
	int nvals;
	char *cmd;			/* the job's text, for the joblog */
	char *tag;
	char *resdir;			/* --results DIR/SEQ, or NULL */
	int64_t start, deadline, kill_at;
	double start_wall;
	int timed_out, killed;
	struct outcap *cap;		/* its captured output; NULL with -u */
	int ended;			/* reaped: status and signaled hold */
	int status, signaled;
	int64_t left_at;		/* leftovers: the next step is due */
	int left_step;			/* 0: none seen, 1: TERM sent, 2: KILL */
	int reslost;			/* --results: a failure was reported */
	int term_step;			/* the next --termseq step to send */
	int requeue;			/* stopped by a limit: run it again */
	int lfd;			/* launched: its stdin pipe's writer */
	char *wdtmp;			/* --workdir ... of a local job */
	struct pipe_blk blk;		/* --pipe: the block on its stdin */
};

struct pool {
	struct pool_cfg cfg;
	int ttyfd;			/* --tty: /dev/tty, > 0; else none */
	char *name;			/* --sem id; NULL in batch mode */
	WORD_LIST *tmpl;		/* the command and its arguments */
	struct input in;
	char **ahead;			/* --delay: the next item, read early */
	int nahead;
	struct pool_worker *w;
	int running;
	long next_seq, ndone, nfailed, nsucceeded, nkilled;
	int halting, halt_status;
	int interrupted;
	int fatal;			/* could not start a job: status 255 */
	int cut_short;			/* a job's output met a full $TMPDIR */
	int lost_results;		/* --results could not be written */
	struct results res;		/* --results FILE.csv/.tsv/.json */
	pid_t owner;			/* the shell the pool belongs to */
	int forkwait;			/* out of processes: wait for a job */
	int forkfails;			/* ... with none running: pauses so far */
	int forkwarned, fdwarned;
	int64_t next_fork;		/* ... the end of the pause */
	struct output out;
	struct joblog log;
	struct report rep;		/* --ci-groups, --junit */
	int lost_report;		/* --junit could not be written */
	struct pool_held *held;		/* -k: started, not yet printed */
	struct pool_held *retry;	/* failed, waiting for another try */
	long nheld;			/* -k: entries in held */
	long keep_max;			/* -k: at most this many held */
	int64_t next_start, t0, last_bar, bar_due;
	int pmode;			/* PM_*: what progress it shows */
	struct progress prog;		/* --progress, --eta, --progress-every */
	long nstarted;			/* jobs started, for --progress */
	struct remedian med;		/* --timeout N%: successful runtimes */
	int64_t lim_due;		/* limits: next look (0: now) */
	int lim_hold;			/* limits: start nothing */
	struct cgroups cg;		/* --mem-limit, --cpu-quota */
	struct waitset ws;
	struct pipe_in pin;		/* --pipe, --pipepart: the blocks */
	struct pipe_blk next_blk;	/* ... the next job's (pool_start) */
	int pipe_wait;			/* ... stdin has nothing yet: poll it */
};

int pool_init(struct pool *, const struct pool_cfg *, WORD_LIST *);
int pool_pipe_open(struct pool *);
int pool_run(struct pool *);
int pool_submit(struct pool *, WORD_LIST *);
int pool_drain(struct pool *);
int pool_poll(struct pool *);
void pool_free(struct pool *);
int pool_status(const struct pool *);
char *pool_tagstr(const struct pool *, char **, int, long, int);
void pool_record(struct pool *, long, int);
void pool_halt_check(struct pool *, int);
int pool_signaled(struct jobref *);
int pool_sigpipe_kills(void);

#endif
