/* persist.c - pool --persist: workers that run item after item */

/*
 * Forking a copy of the shell per item costs about a millisecond, far
 * more than a small function call.  In this mode pool forks -j workers,
 * real bash jobs as in the forking mode (lib/child.c), and each runs item
 * after item as a function call in its own process, never forking again
 * (a disk command is still forked by bash, inside the worker).  Every
 * item keeps what a forked job has: its own status (--status-array, the
 * joblog, the pool's status) and its own output, printed whole, in order
 * with -k.
 *
 * The items live in a mapping the workers share (pool/feed.c): the
 * shell puts them there before the first fork when it has them all
 * (:::, -a), and a lone :::: file or stdin is streamed by one more job,
 * the reader, which publishes what it has read whenever its next read
 * could block (and every READ_BATCH items); a worker that is ahead
 * sleeps on a futex until more come.  The shell keeps
 * no copy.  The mapping also holds the next item to claim (an atomic
 * add: no lock, no messages; while many items wait a worker claims up
 * to CLAIM_MAX at once, fewer near the end, so that the workers do not
 * all write the same line per item, and each item of a claim is still
 * its own call), each worker's claim not yet begun (its replacement
 * goes on with it), and a slot per item that the worker
 * fills: state, status, and where its output starts and ends in the
 * worker's spools (an unlinked file per worker and stream in $TMPDIR,
 * the worker's fds 1 and 2; the parent reads them with pread, so the
 * shared offset measures each item).  The parent reads the slots: with
 * -k it prints the finished prefix, else each item as it ends, and fills
 * --status-array and the joblog.
 *
 * The parent sleeps in lib/waitset.c.  A worker writes a byte to a pipe
 * after an item only when the parent has said it sleeps (a flag in the
 * mapping, set before its last look), and once woken the parent gathers
 * for a millisecond (10 without output, joblog or halt to see to) before
 * it asks for the next byte: a wake-up per millisecond at most, not one
 * per item.  Between its count and its look at the flag, the worker has a
 * full fence, as the parent has between the flag and its last look: one
 * of them sees the other, so no wake-up is missed and the parent needs
 * no timed second look.  What a worker writes per item is in a cache
 * line of its own.
 *
 * Memory: the parent takes items in as they finish and gives back the
 * pages of the slots and values below the first item not yet taken in
 * (persist_release), so that the shell's RSS does not grow with the
 * number of items; only --status-array does.  Workers wait (on a futex
 * the parent moves when it takes items in) while they are FLOW_ITEMS
 * items ahead of what the parent has seen (on a loaded machine
 * it may not get the CPU for a while: 1,000,000 items then grew its peak
 * RSS by up to 12 MB); an item that runs long holds back only the memory
 * after it (release goes by prefix), never the other workers.  Each
 * writer maps its pages a little ahead (feed_ahead: 256 kB a call,
 * never below what it writes), since a page fault per page costs more
 * than the items on it on some virtual machines.
 *
 * Anything that ends an item other than a return from the call (`exit',
 * a `set -e' failure, a fatal expansion error: bash's longjmp to
 * top_level) ends the worker: the item's status is recorded, its EXIT
 * trap run, and the parent starts a replacement that goes on with the
 * items not yet claimed.  Nothing of bash's unwinding is trusted after
 * such a jump, and each item still runs once.  A worker killed by a
 * signal is replaced the same way; its item gets 128+N.
 *
 * --timeout: a call cannot be interrupted from outside but by killing
 * its process, so the parent, which knows when each running item began
 * (its slot), stops the worker whose item is past its time as forking
 * mode stops a job, and the replacement goes on.  To be sure the signal
 * hits that item and not the next, the parent first takes the slot from
 * RUNNING to TIMEOUT with a compare-and-swap; a worker that loses the
 * same race as it ends the item dies of TERM itself (the item did run
 * past its time).  The parent's sleep ends at the earliest deadline.
 *
 * --halt: pool_halt_check decides, in the parent, as for jobs.  But the
 * parent looks only from time to time, and items take microseconds: so
 * the item that reaches the count, in its worker, closes the queue at
 * once (an exchange on the claim counter), and no item is begun after
 * it; `now' then has the parent stop the workers.
 *
 * --retries: a failed attempt runs again at once in the same worker,
 * its output so far passed over; an attempt that ends its worker (a
 * jump, a signal, --timeout) is run again by the replacement, which the
 * parent forks with that item to begin with.  Only the last attempt is
 * recorded: one status, one joblog line, one output, as in forking mode.
 *
 * Hostile items.  What an item leaves running is stopped at its end, as
 * a job's leftovers are, so that nothing writes into the spools between
 * items.  The spools are append-only and each item's end is the file's
 * end, so an item that opens /dev/stdout again with `>>' appends as it
 * would to a pipe; `>' truncates the file, which no descriptor flag can
 * forbid: the parent notices a spool that shrank and says so (help pool).
 * Out of descriptors for the spools, fewer workers run.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "bashapi.h"
#include "child.h"
#include "duration.h"
#include "exitcodes.h"
#include "feed.h"
#include "output.h"
#include "persist.h"
#include "pump.h"
#include "reslimits.h"
#include "subst.h"
#include "term.h"

#define SLOT_FREE		0	/* not claimed, or claimed and not begun */
#define SLOT_RUNNING	1
#define SLOT_DONE		2
#define SLOT_TIMEOUT	3	/* the parent stops its worker: --timeout */

#define GATHER_NS	(1000LL * 1000)		/* woken: gather this long */
/* ... with no output, joblog or halt to see to: statuses only. */
#define GATHER_QUIET_NS	(10LL * 1000 * 1000)
/* Workers wait while this many items are done that the parent has not seen. */
#define FLOW_ITEMS	8192
/* Asleep with no item finished: look again this often. */
#define STOP_GRACE_NS	(2000LL * 1000000)	/* signals: TERM, then KILL */
#define KILL_AFTER_NS	(1000LL * 1000000)	/* --timeout: TERM, then KILL */
/* What an item leaves running: TERM, then KILL (pool.c's LEFT_TERM_NS). */
#define LEFT_NS		(200LL * 1000000)
/* sh->next once --halt closed the queue: above any item. */
#define CLOSED_AT	(LONG_MAX / 2)
/* Growing claims: at most this many items at once. */
#define CLAIM_MAX	64
#define READ_CHUNK	65536
/* The reader publishes at least every this many items. */
#define READ_BATCH	256
#define OUT_BUF		65536
/* Give back the memory of items taken in this much at a time. */
#define RELEASE_BYTES	(128L * 1024)
/* Linux's limit for one environment string (MAX_ARG_STRLEN). */
#define ENV_STRING_MAX	(32 * 4096)

/* One item, in the shared table; the worker writes, the parent reads. */
struct pslot {
	int state;			/* SLOT_*, stored last (release) */
	int status;
	int worker;			/* 1..j: whose spools hold its output */
	int sig;			/* its worker died of a signal in it */
	int timedout;			/* ... which --timeout sent */
	int killed;			/* stopped by --halt now (parent's) */
	int attempt;			/* --retries: 1.. (the worker's) */
	int64_t out0, out1, err0, err1;	/* its bytes in the spools */
	int64_t t0, t1;			/* monotonic, for the joblog */
	double wall0;
};

/*
 * The head of the shared mapping.  NEXT, written by every claim, has a
 * cache line of its own, away from what a worker reads per item.
 */
struct pshared {
	long next;			/* the next item to claim */
	char pad[64 - sizeof(long)];
	int sleeping;			/* the parent wants a byte */
	int closed;			/* --halt closed the queue: no retry */
	long hcount;			/* --halt: items that count */
	long limit;			/* items claimed before a halt closed */
	long seen;			/* items the parent knows are done */
	int seengen;			/* futex word: moves with seen */
	int throttled;			/* a worker waits on seengen */
};

/*
 * What a worker writes per item, in a cache line of its own: two
 * workers writing one line would pass it to and fro at every item.
 */
struct pwshared {
	long cur;			/* its item, or -1 */
	long from, to;			/* its claim not begun */
	long ndone;			/* items it finished, for wake-ups */
} __attribute__((aligned(64)));

/* A spool read back in chunks: each worker's items come in order. */
struct preader {
	char *buf;
	off_t off;
	size_t len;
};

struct pworker {
	struct jobref ref;
	int active;
	int spool[2];			/* its stdout and stderr, or -1 */
	struct preader rd[2];
	off_t seen[2];			/* where its last item taken in ended */
	int timed_out;			/* its item passed --timeout */
	int64_t kill_at;		/* ... KILL (again) then */
};

struct persist {
	struct pool *p;
	struct pshared *sh;
	struct pwshared *ws;		/* per worker, shared */
	struct pslot *slot;
	struct feed feed;		/* the items (pool/feed.c) */
	long n;				/* items known to be there */
	int stream;			/* the reader job streams them */
	int nw, nactive;
	struct pworker *w;
	struct pworker rdr;		/* the reader job */
	long rfrom, rto;		/* ... for the next worker forked */
	int notify[2];
	int capture;			/* spools */
	int64_t gather;			/* woken, gather this long */
	long lo, scan, seen;		/* printed prefix; scanned; ndone */
	long freed;			/* items below: taken in, memory given back */
	long *pend;			/* scanned, not finished (no -k) */
	long npend, cappend;
	char *obuf;			/* output on its way to fd ofd */
	size_t olen;
	int ofd, werr, stopping, forkwarned, truncwarned;
	int cut;			/* a signal came: print no more */
	int halted;			/* --halt: the queue is closed */
	long hneed;			/* --halt: this many items halt */
	long redo;			/* --retries: the next worker's first */
	int redo_attempt;		/* ... item, as this attempt; or -1 */
	int redo_status;		/* ... and how the last one ended */
	struct sink *sink[2];		/* the shell's stdout and stderr */
	/* In a worker only. */
	int me;
	long start, end;		/* its claim: items not begun */
	struct feed_mark slotmark;	/* its slots mapped ahead */
	off_t at[2];			/* where its spools end */
	char slotstr[16];		/* POOL_SLOT */
	pid_t made;			/* bash's last fork before the item */
	char *cwd;
	mode_t mask;
	char *joined;
	size_t joinedcap;
};

static double
persist_wallclock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Say that --persist cannot do WHAT yet; return the usage status. */
static int
persist_no(const char *what)
{
	builtin_error("--persist: %s is not supported yet; drop --persist",
	    what);
	return (EX_USAGE);
}

/*
 * Return 0 if the options in CFG and the inputs in IN can run in
 * persistent workers, else EX_USAGE after saying which cannot: an
 * option accepted and ignored would be a lie.
 */
int
persist_refuse(const struct pool_cfg *cfg, const struct input *in)
{
	if (cfg->delay_ns)
		return (persist_no("--delay"));
	if (cfg->out_mode == OUT_LINE)
		return (persist_no("--line-buffer"));
	if (cfg->results)
		return (persist_no("--results"));
	if (cfg->files)
		return (persist_no("--files"));
	if (cfg->resume)
		return (persist_no("--resume"));
	if (cfg->bar)
		return (persist_no("--bar"));
	if (cfg->dry_run)
		return (persist_no("--dry-run"));
	if (cfg->show_cmd)
		return (persist_no(cfg->show_cmd & POOL_SHOW_V ? "-v" : "-t"));
	if (in->shard_n > 0)
		return (persist_no("--shard"));
	if (limits_active(&cfg->lim) || cfg->lim.nice_set || cfg->lim.nrl ||
	    cfg->lim.mem_limit || cfg->lim.cpu_quota)
		return (persist_no("--load, --memfree, --limit, --nice, "
		    "--rlimit, --mem-limit or --cpu-quota"));
	if (cfg->termseq.n)
		return (persist_no("--termseq"));
	if (cfg->color)
		return (persist_no("--color or --ctag"));
	return (0);
}

/* --- in a worker --------------------------------------------------- */

/*
 * Reading the umask takes a system call, which costs as much as a small
 * item; only the umask builtin changes it, so in a worker that builtin
 * goes through persist_umask, which notes that the umask must be put
 * back after the item.
 */
static sh_builtin_func_t *bash_umask;
static int umask_touched;

static int
persist_umask(WORD_LIST *list)
{
	umask_touched = 1;
	return (bash_umask(list));
}

static void
persist_hook_umask(void)
{
	int i;

	for (i = 0; i < num_shell_builtins; i++)
		if (shell_builtins[i].name &&
		    strcmp(shell_builtins[i].name, "umask") == 0 &&
		    shell_builtins[i].function != persist_umask) {
			bash_umask = shell_builtins[i].function;
			shell_builtins[i].function = persist_umask;
		}
}

static void
persist_bind(const char *name, const char *value, int export)
{
	SHELL_VAR *v;

	if ((v = bind_variable(name, (char *)value, 0)) == NULL)
		return;
	if (export)
		VSETATTR(v, att_exported);
	else
		VUNSETATTR(v, att_exported);
}

/* Bind NAME to VALUE, exported, unless it is so already (cheaper). */
static void
persist_keep(const char *name, const char *value)
{
	SHELL_VAR *v;

	v = find_variable(name);
	if (v == NULL || !exported_p(v) || array_p(v) || assoc_p(v) ||
	    value_cell(v) == NULL || strcmp(value_cell(v), value) != 0)
		persist_bind(name, value, 1);
}

/*
 * Set item IDX's POOL_* variables, as a forked job gets them; its NVALS
 * values are VALS.
 */
static void
persist_vars(struct persist *ps, long idx, int attempt, char **vals,
    int nvals)
{
	size_t len;
	char num[32];
	int i;

	for (len = 1, i = 0; i < nvals; i++)
		len += strlen(vals[i]) + 1;
	if (len > ps->joinedcap) {
		ps->joinedcap = len * 2;
		ps->joined = xrealloc(ps->joined, ps->joinedcap);
	}
	for (len = 0, i = 0; i < nvals; i++) {
		if (i)
			ps->joined[len++] = ' ';
		strcpy(ps->joined + len, vals[i]);
		len += strlen(vals[i]);
	}
	ps->joined[len] = '\0';
	persist_bind("POOL_ITEM", ps->joined, len + 11 <= ENV_STRING_MAX);
	persist_bind("POOL_SEQ", inttostr(idx + 1, num, sizeof(num)), 1);
	persist_keep("POOL_SLOT", ps->slotstr);
	persist_keep("POOL_ATTEMPT", attempt == 1 ? "1" :
	    inttostr(attempt, num, sizeof(num)));
}

/*
 * Attempt ATTEMPT of item IDX (values VALS) begins: say where its
 * output starts, then that it runs.  Once it is the worker's item, it
 * leaves the claim that a replacement would go on with.
 */
static void
persist_begin(struct persist *ps, long idx, int attempt, char **vals,
    int nvals)
{
	struct pslot *s = &ps->slot[idx];
	struct pwshared *me = &ps->ws[ps->me];

	/*
	 * Release, not sequentially consistent, stores (here and per item
	 * below): on x86 a locked store waits for the item's stores to
	 * reach memory, which took more time than the rest of our part.
	 */
	__atomic_store_n(&me->cur, idx, __ATOMIC_RELEASE);
	if (me->from <= idx)
		__atomic_store_n(&me->from, idx + 1, __ATOMIC_RELEASE);
	s->worker = ps->me + 1;
	s->attempt = attempt;
	ps->made = last_made_pid;
	/* Where the last item ended: one lseek per stream and item. */
	s->out0 = ps->at[0];
	s->err0 = ps->at[1];
	if (ps->p->log.fp || ps->p->cfg.timeout_ns)
		s->t0 = duration_now();
	if (ps->p->log.fp)
		s->wall0 = persist_wallclock();
	__atomic_store_n(&s->state, SLOT_RUNNING, __ATOMIC_RELEASE);
	persist_vars(ps, idx, attempt, vals, nvals);
}

/* The parent has taken items in (or closed the queue): wake the waiters. */
static void
persist_unthrottle(struct persist *ps)
{
	__atomic_add_fetch(&ps->sh->seengen, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&ps->sh->throttled, 0, __ATOMIC_SEQ_CST))
		(void)syscall(SYS_futex, &ps->sh->seengen, FUTEX_WAKE,
		    INT_MAX, NULL, NULL, 0);
}

/*
 * --halt soon or now: claim no more items.  The first to close (a worker
 * or the parent) learns how many were claimed: those are all that run.
 */
static void
persist_close(struct persist *ps)
{
	long old;

	__atomic_store_n(&ps->sh->closed, 1, __ATOMIC_SEQ_CST);
	persist_unthrottle(ps);
	old = __atomic_exchange_n(&ps->sh->next, CLOSED_AT, __ATOMIC_SEQ_CST);
	if (old < CLOSED_AT)
		__atomic_store_n(&ps->sh->limit, old, __ATOMIC_SEQ_CST);
	feed_stop(&ps->feed);
}

/*
 * --halt: count an item that ended with STATUS if it is of the kind
 * that halts; the item that reaches the count closes the queue at once,
 * so that no worker claims an item after it (pool_halt_check, in the
 * parent, still decides the halt and its status).
 */
static void
persist_halt_count(struct persist *ps, int status)
{
	int on = ps->p->cfg.halt_on;

	if (ps->p->cfg.halt_when == HALT_NEVER ||
	    (on == HALT_FAIL && status == 0) ||
	    (on == HALT_SUCCESS && status != 0))
		return;
	if (__atomic_add_fetch(&ps->sh->hcount, 1, __ATOMIC_SEQ_CST) >=
	    ps->hneed)
		persist_close(ps);
}

/*
 * The parent has judged this worker's item past --timeout and is about
 * to stop the worker (persist_timeouts): die of its TERM as the item
 * would have, rather than go on with a later item that TERM would hit.
 */
static void
persist_doomed(void)
{
	sigset_t set;

	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	for (;;)
		pause();
}

/* How many items the workers have finished. */
static long
persist_ndone(const struct persist *ps)
{
	long n;
	int i;

	for (i = 0, n = 0; i < ps->nw; i++)
		n += __atomic_load_n(&ps->ws[i].ndone, __ATOMIC_SEQ_CST);
	return (n);
}

/*
 * Wake the parent if it asked, after a count of ours moved: the fence
 * orders that store before the look at `sleeping' (see the top).
 */
static void
persist_poke(struct persist *ps)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&ps->sh->sleeping, __ATOMIC_ACQUIRE) &&
	    __atomic_exchange_n(&ps->sh->sleeping, 0, __ATOMIC_SEQ_CST))
		(void)!write(ps->notify[1], "", 1);
}

/*
 * Take slot S from RUNNING to STATE.  Only --timeout has the parent
 * race for it (persist_expire, a compare-and-swap): if the parent won,
 * die of its TERM.  Without --timeout a plain store does.
 */
static void
persist_leave(struct persist *ps, struct pslot *s, int state)
{
	int running = SLOT_RUNNING;

	if (ps->p->cfg.timeout_ns == 0)
		__atomic_store_n(&s->state, state, __ATOMIC_RELEASE);
	else if (!__atomic_compare_exchange_n(&s->state, &running, state, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		persist_doomed();
}

/* Item IDX ended with STATUS: record it, wake the parent if it asked. */
static void
persist_done(struct persist *ps, long idx, int status)
{
	struct pslot *s = &ps->slot[idx];
	struct pwshared *me = &ps->ws[ps->me];

	fflush(stdout);
	fflush(stderr);
	if (ps->capture) {
		s->out1 = ps->at[0] = lseek(ps->w[ps->me].spool[0], 0, SEEK_END);
		s->err1 = ps->at[1] = lseek(ps->w[ps->me].spool[1], 0, SEEK_END);
	}
	if (ps->p->log.fp)
		s->t1 = duration_now();
	s->status = status;
	persist_leave(ps, s, SLOT_DONE);
	__atomic_store_n(&me->cur, -1L, __ATOMIC_RELAXED);
	persist_halt_count(ps, status);
	/* Only this worker writes its count. */
	__atomic_store_n(&me->ndone, me->ndone + 1, __ATOMIC_RELEASE);
	persist_poke(ps);
}

/*
 * --retries: may an attempt numbered ATTEMPT that ended with STATUS run
 * again?  As in forking mode: not once the pool halts.
 */
static int
persist_retry_due(const struct persist *ps, int attempt, int status)
{
	return (status != 0 && attempt < ps->p->cfg.retries &&
	    !__atomic_load_n(&ps->sh->closed, __ATOMIC_SEQ_CST));
}

/*
 * --retries: item IDX's attempt failed and runs again in this worker.
 * Its output so far is passed over (the next attempt's starts after it);
 * the slot is taken back from RUNNING, so that the parent cannot time
 * the next attempt out by the last one's start (if it already has, the
 * last attempt did run past its time: die of its TERM).
 */
static void
persist_again(struct persist *ps, long idx)
{
	fflush(stdout);
	fflush(stderr);
	persist_leave(ps, &ps->slot[idx], SLOT_FREE);
	if (ps->capture) {
		ps->at[0] = lseek(ps->w[ps->me].spool[0], 0, SEEK_END);
		ps->at[1] = lseek(ps->w[ps->me].spool[1], 0, SEEK_END);
	}
}

/*
 * The worker's end, with status CODE: stop what its items left running
 * (as a job does).
 */
static void
persist_exit(int code)
{
	fflush(NULL);
	term_leftovers(CHILD_GRACE_NS);
	_exit(code);
}

/*
 * Item IDX left by a jump with STATUS: record it, end the worker.  An
 * attempt to be retried is not recorded: the worker ends with STATUS in
 * the item, and the parent has a new worker run it again.
 */
static void
persist_die(struct persist *ps, long idx, int status)
{
	last_command_exit_value = status;
	if (signal_is_trapped(0))
		status = run_exit_trap();
	if (persist_retry_due(ps, ps->slot[idx].attempt, status))
		persist_exit(status);
	persist_done(ps, idx, status);
	persist_exit(0);
}

/*
 * Run the EXIT trap an item set, as a forked job would at its end, and
 * clear it for the next item.  Return STATUS (an `exit' in the trap
 * jumps to top_level instead).
 */
static int
persist_exit_trap(int status)
{
	char *cmd;

	cmd = savestring(trap_list[0]);
	restore_default_signal(0);
	last_command_exit_value = status;
	parse_and_execute(cmd, "exit trap", SEVAL_NONINT | SEVAL_NOHIST |
	    SEVAL_RESETLINE);
	last_command_exit_value = status;
	return (status);
}

/*
 * Put back what an item may have changed and we reset: see help pool.
 * What it left running (`cmd &', a daemon) is stopped as forking mode
 * stops a job's leftovers, before its output's end is taken: nothing it
 * writes later lands in another item's.  Only an item that forked can
 * have left any (bash notes each fork in last_made_pid): the others
 * cost no system call.
 */
static int
persist_reset(struct persist *ps, int status)
{
	if (signal_is_trapped(0))
		status = persist_exit_trap(status);
	if (last_made_pid != ps->made)
		term_leftovers(LEFT_NS);
	if (ps->cwd && (the_current_working_directory == NULL ||
	    strcmp(the_current_working_directory, ps->cwd) != 0) &&
	    chdir(ps->cwd) == 0) {
		set_working_directory(ps->cwd);
		bind_variable("PWD", ps->cwd, 0);
	}
	if (umask_touched) {
		umask(ps->mask);
		umask_touched = 0;
	}
	return (status);
}

/* Run the words WORDS (taken over) as the item's command. */
static int
persist_call(WORD_LIST *words)
{
	SHELL_VAR *f;
	COMMAND *cmd;
	int status;

	if ((f = find_function(words->word->word)) != NULL) {
		/* No simple command around it: set -e acts inside only. */
		status = execute_shell_function(f, words);
		dispose_words(words);
	} else {
		cmd = bg_make_simple();
		cmd->value.Simple->words = words;
		cmd->flags |= CMD_INHIBIT_EXPANSION;
		cmd->value.Simple->flags |= CMD_INHIBIT_EXPANSION;
		status = execute_command(cmd);
		dispose_command(cmd);
	}
	last_command_exit_value = status;
	return (status);
}

/* Run attempt ATTEMPT of item IDX in this worker; return its status. */
static int
persist_attempt(struct persist *ps, long idx, int attempt)
{
	WORD_LIST *words;
	volatile int code;	/* set again after a longjmp */
	char **vals;
	int nvals;

	vals = feed_vals(&ps->feed, idx, &nvals);
	persist_begin(ps, idx, attempt, vals, nvals);
	words = subst_build(ps->p->tmpl, vals, nvals, idx + 1, ps->me + 1);
	/* `exit', set -e, fatal errors: bash jumps to top_level. */
	code = setjmp_nosigs(top_level);
	if (code == 0 && return_catch_flag && setjmp_nosigs(return_catch))
		code = -1;
	if (code != 0)
		persist_die(ps, idx, code < 0 ? return_catch_value :
		    last_command_exit_value);
	return (persist_reset(ps, persist_call(words)));
}

/*
 * --retry-delay: attempt FAILED of an item failed; wait as forking mode
 * does before the next (the item's slot is free meanwhile: --timeout
 * counts the attempts, not the waits).  Return 0 if --halt closed the
 * queue meanwhile: the last attempt stands.
 */
static int
persist_backoff(struct persist *ps, int failed)
{
	int64_t d;

	d = backoff_delay(&ps->p->cfg.backoff, failed);
	if (d > 0)
		(void)waitset_pause(duration_now() + d, -1);
	return (!__atomic_load_n(&ps->sh->closed, __ATOMIC_SEQ_CST));
}

/*
 * The last attempt of item IDX, which ended with STATUS, stands after
 * all (--halt closed the queue during --retry-delay): record it.
 */
static void
persist_stands(struct persist *ps, long idx, int status)
{
	ps->slot[idx].t0 = duration_now();
	__atomic_store_n(&ps->slot[idx].state, SLOT_RUNNING, __ATOMIC_RELEASE);
	persist_done(ps, idx, status);
}

/* Run item IDX, from attempt ATTEMPT on (--retries), and record it. */
static void
persist_item(struct persist *ps, long idx, int attempt)
{
	int status;

	while ((status = persist_attempt(ps, idx, attempt)) != 0 &&
	    persist_retry_due(ps, attempt, status)) {
		persist_again(ps, idx);
		if (!persist_backoff(ps, attempt)) {
			persist_stands(ps, idx, status);
			return;
		}
		attempt++;
	}
	persist_done(ps, idx, status);
}

/* In the worker, before its first item: let go of what is not its. */
static void
persist_worker_init(struct persist *ps)
{
	int i;

	output_child();
	for (i = 0; i < ps->p->in.nsrc; i++)
		if (ps->p->in.src[i].fp)
			close(fileno(ps->p->in.src[i].fp));
	close(ps->notify[0]);
	for (i = 0; i < ps->nw; i++)
		if (i != ps->me && ps->w[i].spool[0] >= 0) {
			close(ps->w[i].spool[0]);
			close(ps->w[i].spool[1]);
		}
	ps->cwd = the_current_working_directory ?
	    savestring(the_current_working_directory) : NULL;
	ps->mask = umask(022);
	umask(ps->mask);
	if (ps->capture) {
		ps->at[0] = lseek(ps->w[ps->me].spool[0], 0, SEEK_END);
		ps->at[1] = lseek(ps->w[ps->me].spool[1], 0, SEEK_END);
	}
	persist_hook_umask();
	/* --retry-delay's jitter: not the same draws in every worker. */
	ps->p->cfg.backoff.rng ^= (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL;
	if (ps->p->cfg.backoff.rng == 0)
		ps->p->cfg.backoff.rng = 1;
	snprintf(ps->slotstr, sizeof(ps->slotstr), "%d", ps->me + 1);
	ps->joined = NULL;
	ps->joinedcap = 0;
}

/*
 * How many items to claim at once: one while few are left, more while
 * the queue is long (a claim is an atomic add on a line every worker
 * writes), so that near the end the workers share what is left.
 */
static long
persist_claim_size(const struct persist *ps)
{
	long left;

	left = __atomic_load_n(&ps->feed.h->avail, __ATOMIC_RELAXED) -
	    __atomic_load_n(&ps->sh->next, __ATOMIC_RELAXED);
	left /= 8L * ps->nw;
	return (left < 1 ? 1 : left > CLAIM_MAX ? CLAIM_MAX : left);
}

/*
 * Wait while the workers are more than FLOW_ITEMS items ahead of what
 * the parent has seen (it did not get the CPU): the slots it has not
 * taken in yet are memory it cannot give back.  An item that runs long
 * does not stop the others: the parent sees the items done after it.
 */
static void
persist_throttle(struct persist *ps)
{
	int gen;

	for (;;) {
		gen = __atomic_load_n(&ps->sh->seengen, __ATOMIC_ACQUIRE);
		__atomic_store_n(&ps->sh->throttled, 1, __ATOMIC_SEQ_CST);
		if (persist_ndone(ps) - __atomic_load_n(&ps->sh->seen,
		    __ATOMIC_SEQ_CST) <= FLOW_ITEMS ||
		    __atomic_load_n(&ps->sh->closed, __ATOMIC_SEQ_CST))
			return;
		persist_poke(ps);
		(void)syscall(SYS_futex, &ps->sh->seengen, FUTEX_WAIT, gen,
		    NULL, NULL, 0);
	}
}

/*
 * The next item for this worker: the next of its claim, or of a new
 * one; once it is read in (streamed items may not be yet: sleep), return
 * it.  -1: none is left, or the queue is closed.
 */
static long
persist_next(struct persist *ps)
{
	long idx, k;

	if (ps->start >= ps->end) {
		persist_throttle(ps);
		k = persist_claim_size(ps);
		idx = __atomic_fetch_add(&ps->sh->next, k, __ATOMIC_SEQ_CST);
		if (idx >= CLOSED_AT)
			return (-1);
		__atomic_store_n(&ps->ws[ps->me].from, idx, __ATOMIC_SEQ_CST);
		__atomic_store_n(&ps->ws[ps->me].to, idx + k, __ATOMIC_SEQ_CST);
		ps->start = idx;
		ps->end = idx + k;
		feed_ahead(&ps->slotmark, &ps->slot[idx + k],
		    &ps->slot[ps->feed.cap]);
	}
	idx = ps->start++;
	/* The next item's slot is written first thing: fetch its line now. */
	if (ps->start < ps->end)
		__builtin_prefetch(&ps->slot[ps->start], 1);
	if (__atomic_load_n(&ps->sh->closed, __ATOMIC_ACQUIRE))
		return (-1);
	if (idx < __atomic_load_n(&ps->feed.h->avail, __ATOMIC_ACQUIRE) ||
	    idx < feed_wait(&ps->feed, idx))
		return (idx);
	return (-1);
}

/* A worker's life (lib/child.c's setup hook): claim, run, repeat. */
static void
persist_worker(void *arg)
{
	struct persist *ps = arg;
	long idx;

	persist_worker_init(ps);
	/* What its predecessor claimed and had not begun. */
	ps->start = ps->rfrom;
	ps->end = ps->rto;
	/* --retries: the item whose last attempt ended its predecessor. */
	if (ps->redo >= 0 && persist_backoff(ps, ps->redo_attempt - 1))
		persist_item(ps, ps->redo, ps->redo_attempt);
	else if (ps->redo >= 0)
		persist_stands(ps, ps->redo, ps->redo_status);
	while ((idx = persist_next(ps)) >= 0)
		persist_item(ps, idx, 1);
	/* Nothing of its claim is left for a replacement. */
	__atomic_store_n(&ps->ws[ps->me].from, ps->end, __ATOMIC_SEQ_CST);
	persist_exit(0);
}

/*
 * May the reader read on before it publishes what it has read?  Only
 * while its buffer holds the whole next item: reading it cannot block.
 * A publish may wake workers (a system call each), so one a buffer
 * costs less than one an item.  -n, --csv, -r: an item may take more
 * lines than the buffer holds; publish each at once.
 */
static int
persist_buffered(const struct input *in)
{
#ifdef __GLIBC__
	const struct source *s = &in->src[0];
	FILE *fp = s->fp;

	if (fp == NULL || in->max_args > 1 || s->csv || s->skip_blank ||
	    in->skip_blank)
		return (0);
	return (fp->_IO_read_ptr < fp->_IO_read_end &&
	    memchr(fp->_IO_read_ptr, s->delim,
	    (size_t)(fp->_IO_read_end - fp->_IO_read_ptr)) != NULL);
#else
	return (0);
#endif
}

/*
 * The reader job's life (lib/child.c's setup hook): read the input (a
 * lone file or stdin) item by item into the feed, and publish them for
 * the workers before it could block, until its end or --halt.
 */
static void
persist_reader(void *arg)
{
	struct persist *ps = arg;
	char **vals;
	int i, k, nvals, r;

	output_child();
	close(ps->notify[0]);
	close(ps->notify[1]);
	for (i = 0; i < ps->nw; i++)
		for (k = 0; k < 2; k++)
			if (ps->w[i].spool[k] >= 0)
				close(ps->w[i].spool[k]);
	while (!__atomic_load_n(&ps->sh->closed, __ATOMIC_SEQ_CST) &&
	    (vals = input_next(&ps->p->in, &nvals)) != NULL) {
		r = feed_put(&ps->feed, vals, nvals);
		input_free_vals(vals, nvals);
		if (r < 0) {
			builtin_error("--persist: item %ld: %s",
			    ps->feed.n + 1, strerror(errno));
			ps->feed.h->error = 1;
			break;
		}
		if (!persist_buffered(&ps->p->in) ||
		    ps->feed.n % READ_BATCH == 0)
			feed_publish(&ps->feed, 0);
	}
	if (ps->p->in.error)
		ps->feed.h->error = 1;
	feed_publish(&ps->feed, 1);
	_exit(0);
}

/* --- in the shell: output ------------------------------------------ */

/*
 * Write N bytes of BUF to the shell's FD (1 or 2) through its sink
 * (pool/output.c: a description of our own that never blocks); keep
 * the first error.  Waiting for room is a sleep in the waitset, so a
 * signal ends it, and once a signal stops the pool nothing more is
 * written: a reader that does not read holds back only the output.
 */
static void
persist_write(struct persist *ps, int fd, const char *buf, size_t n)
{
	struct pollfd fds[2];
	struct sink *s = ps->sink[fd == 2];
	size_t off;
	ssize_t k;

	for (off = 0; off < n && !ps->werr && !ps->cut; ) {
		if ((k = sink_write(s, buf + off, n - off)) > 0) {
			off += (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0 || errno != EAGAIN) {
			ps->werr = k < 0 ? errno : EIO;
			break;
		}
		fds[1].fd = s->wfd;
		fds[1].events = POLLOUT;
		fds[1].revents = 0;
		waitset_deadline(&ps->p->ws, 0);
		waitset_sleep_fds(&ps->p->ws, fds, 2);
		if (waitset_signal() != 0)
			ps->cut = 1;
	}
}

static void
persist_flush(struct persist *ps)
{
	if (ps->olen)
		persist_write(ps, ps->ofd, ps->obuf, ps->olen);
	ps->olen = 0;
}

/* Queue N bytes of BUF for the shell's descriptor FD. */
static void
persist_put(struct persist *ps, int fd, const char *buf, size_t n)
{
	if (ps->ofd != fd || ps->olen + n > OUT_BUF)
		persist_flush(ps);
	ps->ofd = fd;
	if (n >= OUT_BUF) {
		persist_write(ps, fd, buf, n);
		return;
	}
	if (ps->obuf == NULL)
		ps->obuf = xmalloc(OUT_BUF);
	memcpy(ps->obuf + ps->olen, buf, n);
	ps->olen += n;
}

/* Queue N bytes of BUF for FD, TAG before each line (*BOL: at one). */
static void
persist_tagged(struct persist *ps, int fd, const char *buf, size_t n,
    const char *tag, int *bol)
{
	const char *nl;
	size_t k;

	if (tag == NULL) {
		persist_put(ps, fd, buf, n);
		return;
	}
	while (n > 0) {
		if (*bol)
			persist_put(ps, fd, tag, strlen(tag));
		nl = memchr(buf, '\n', n);
		k = nl ? (size_t)(nl - buf) + 1 : n;
		persist_put(ps, fd, buf, k);
		*bol = nl != NULL;
		buf += k;
		n -= k;
	}
}

/* Print bytes FROM..TO of WK's spool STREAM (0 stdout, 1 stderr). */
static void
persist_copy(struct persist *ps, struct pworker *wk, int stream,
    off_t from, off_t to, const char *tag)
{
	struct preader *r = &wk->rd[stream];
	ssize_t k;
	size_t n;
	int bol = 1;

	while (from < to && !ps->werr) {
		if (from < r->off || from >= r->off + (off_t)r->len) {
			if (r->buf == NULL)
				r->buf = xmalloc(READ_CHUNK);
			k = pread(wk->spool[stream], r->buf, READ_CHUNK, from);
			if (k <= 0)
				break;
			r->off = from;
			r->len = (size_t)k;
		}
		n = (size_t)((to < r->off + (off_t)r->len ? to :
		    r->off + (off_t)r->len) - from);
		persist_tagged(ps, stream + 1, r->buf + (from - r->off), n,
		    tag, &bol);
		from += n;
	}
}

/* --- in the shell: items ------------------------------------------- */

/* The joblog line of item IDX. */
static void
persist_log(struct persist *ps, long idx)
{
	const struct pslot *s = &ps->slot[idx];
	WORD_LIST *words;
	char **vals;
	char *cmd;
	int nvals;

	vals = feed_vals(&ps->feed, idx, &nvals);
	words = subst_build(ps->p->tmpl, vals, nvals, idx + 1, s->worker);
	cmd = child_text(words);
	dispose_words(words);
	joblog_write(&ps->p->log, idx + 1, ":", s->wall0, (s->t1 - s->t0) / 1e9,
	    (size_t)(s->out1 - s->out0), s->status, s->sig, s->timedout, cmd);
	free(cmd);
}

/*
 * An item that opened /dev/stdout (or stderr) with `>' truncated its
 * worker's spool (O_TRUNC reaches the file whatever our descriptor's
 * O_APPEND): bytes not yet printed are gone, and what the reader holds
 * of the file is stale.  Notice it (a spool that shrank), say so once,
 * and read afresh.
 */
static void
persist_truncated(struct persist *ps, struct pworker *wk, long idx)
{
	const struct pslot *s = &ps->slot[idx];
	off_t from[2] = { s->out0, s->err0 }, to[2] = { s->out1, s->err1 };
	struct stat st;
	int k;

	for (k = 0; k < 2; k++) {
		if (from[k] >= wk->seen[k] && to[k] >= from[k]) {
			wk->seen[k] = to[k];
			continue;
		}
		/*
		 * An item taken in out of its worker's order starts before
		 * SEEN too (seen under load, with no `>' anywhere): only a
		 * spool now shorter than what was seen was truncated.
		 */
		if (to[k] >= from[k] && wk->spool[k] >= 0 &&
		    fstat(wk->spool[k], &st) == 0 && st.st_size >= wk->seen[k])
			continue;
		if (!ps->truncwarned++)
			builtin_warning("item %ld truncated its output "
			    "(`>/dev/std%s'?; use `>>'): output may be lost",
			    idx + 1, k ? "err" : "out");
		wk->rd[k].len = 0;
		wk->seen[k] = to[k];
	}
}

/* Item IDX is done: record it, print its output (unless stopping). */
static void
persist_finish(struct persist *ps, long idx)
{
	const struct pslot *s = &ps->slot[idx];
	struct pool *p = ps->p;
	struct pworker *wk;
	char **vals;
	char *tag;
	int nvals;

	pool_record(p, idx + 1, s->status);
	if (p->log.fp)
		persist_log(ps, idx);
	p->ndone++;
	if (s->status == 0)
		p->nsucceeded++;
	else if (s->killed)
		p->nkilled++;
	else
		p->nfailed++;
	if (!s->killed)
		pool_halt_check(p, s->status);
	if (!ps->capture || ps->cut || s->worker < 1)
		return;
	wk = &ps->w[s->worker - 1];
	persist_truncated(ps, wk, idx);
	vals = feed_vals(&ps->feed, idx, &nvals);
	tag = pool_tagstr(p, vals, nvals, idx + 1, s->worker);
	persist_copy(ps, wk, 0, s->out0, s->out1, tag);
	persist_copy(ps, wk, 1, s->err0, s->err1, tag);
	free(tag);
}

/* Is item IDX done?  (Below ps->freed its slot is given back.) */
static int
persist_isdone(const struct persist *ps, long idx)
{
	return (idx < ps->freed ||
	    __atomic_load_n(&ps->slot[idx].state, __ATOMIC_ACQUIRE) ==
	    SLOT_DONE);
}

/* In completion order: what was pending, then what was claimed since. */
static void
persist_collect_any(struct persist *ps)
{
	long i, k, top;

	for (i = k = 0; i < ps->npend; i++)
		if (persist_isdone(ps, ps->pend[i]))
			persist_finish(ps, ps->pend[i]);
		else
			ps->pend[k++] = ps->pend[i];
	ps->npend = k;
	top = __atomic_load_n(&ps->sh->next, __ATOMIC_ACQUIRE);
	if (top > ps->n)
		top = ps->n;
	for (; ps->scan < top; ps->scan++)
		if (persist_isdone(ps, ps->scan))
			persist_finish(ps, ps->scan);
		else {
			if (ps->npend == ps->cappend) {
				ps->cappend = ps->cappend ? ps->cappend * 2 : 16;
				ps->pend = xrealloc(ps->pend,
				    ps->cappend * sizeof(*ps->pend));
			}
			ps->pend[ps->npend++] = ps->scan;
		}
}

/*
 * Every item below the first one not yet taken in is done with: give
 * back the memory of its slot and its values, a RELEASE_BYTES' worth
 * of slots at a time, so that the shell's RSS does not grow with the
 * number of items (bar --status-array's own).
 */
static void
persist_release(struct persist *ps)
{
	long upto;

	upto = ps->p->cfg.keep_order ? ps->lo :
	    ps->npend ? ps->pend[0] : ps->scan;
	/* feed_release reads the place of item UPTO: one that is there. */
	if (upto >= ps->n)
		upto = ps->n - 1;
	if ((upto - ps->freed) * (long)sizeof(struct pslot) < RELEASE_BYTES)
		return;
	feed_drop(ps->slot, ps->slot + ps->freed, ps->slot + upto);
	feed_release(&ps->feed, ps->freed, upto);
	ps->freed = upto;
}

/*
 * Take in the items that finished: with -k the finished prefix, else
 * each one.  FINAL: every worker is gone; items that never ran (a
 * signal stopped the pool) are passed over.
 */
static void
persist_collect(struct persist *ps, int final)
{
	if (!ps->p->cfg.keep_order)
		persist_collect_any(ps);
	else
		for (; ps->lo < ps->n; ps->lo++)
			if (persist_isdone(ps, ps->lo))
				persist_finish(ps, ps->lo);
			else if (!final)
				break;
	persist_flush(ps);
	if (!final)
		persist_release(ps);
}

/*
 * Every worker is gone and every item was claimed, yet item IDX never
 * ended: its worker was killed between the claim and the start.  It did
 * not run; say so, and count it as failed (255, as a job that could not
 * start).
 */
static void
persist_orphans(struct persist *ps)
{
	long i, lim;

	/* Once --halt closed the queue, claims are left unbegun. */
	if (__atomic_load_n(&ps->sh->closed, __ATOMIC_SEQ_CST))
		return;
	lim = __atomic_load_n(&ps->sh->limit, __ATOMIC_SEQ_CST);
	if (lim > ps->n)
		lim = ps->n;
	for (i = ps->freed; i < lim; i++)
		if (!persist_isdone(ps, i)) {
			builtin_warning("item %ld did not run: its worker "
			    "was killed before it began", i + 1);
			ps->slot[i].status = 255;
			ps->slot[i].worker = 0;
			__atomic_store_n(&ps->slot[i].state, SLOT_DONE,
			    __ATOMIC_RELEASE);
		}
}

/* --- in the shell: workers ----------------------------------------- */

/* The words `jobs' shows for a worker: pool --persist COMMAND... */
static WORD_LIST *
persist_jobwords(const struct pool *p)
{
	return (make_word_list(make_word("pool"),
	    make_word_list(make_word("--persist"), copy_word_list(p->tmpl))));
}

/*
 * Fork WK, a job in its own group that runs SETUP (with PS): a worker,
 * or the reader.  Return 0, or -1 with errno set.
 */
static int
persist_fork(struct persist *ps, struct pworker *wk, void (*setup)(void *))
{
	struct child_opts co;
	WORD_LIST *words;
	pid_t pid;

	memset(&co, 0, sizeof(co));
	co.flags = CHILD_OWNPGRP;
	if (ps->capture && wk != &ps->rdr) {
		co.outfd = wk->spool[0];
		co.errfd = wk->spool[1];
	}
	co.setup = setup;
	co.arg = ps;
	words = persist_jobwords(ps->p);
	pid = child_spawn(words, &co, &wk->ref.job);
	dispose_words(words);
	if (pid < 0)
		return (-1);
	wk->ref.pid = pid;
	if (wk->ref.job >= 0 && jobs[wk->ref.job])
		jobs[wk->ref.job]->flags |= J_NOTIFIED;	/* never "Done" */
	jobref_own(pid, 1);
	wk->active = 1;
	return (0);
}

/*
 * Start worker I, with what its predecessor claimed and had not begun
 * (ps->rfrom..rto) and its --retries item (ps->redo); return 0, or -1
 * with errno set.
 */
static int
persist_start(struct persist *ps, int i)
{
	ps->me = i;
	ps->ws[i].cur = ps->redo;
	ps->ws[i].from = ps->rfrom;
	ps->ws[i].to = ps->rto;
	if (persist_fork(ps, &ps->w[i], persist_worker) < 0)
		return (-1);
	ps->nactive++;
	return (0);
}

/* Start worker I, or say why not: the pool is fatal without any. */
static void
persist_spawn(struct persist *ps, int i)
{
	if (persist_start(ps, i) == 0)
		return;
	if (ps->nactive > 0) {
		if (!ps->forkwarned++)
			builtin_warning("cannot fork: %s; going on with fewer "
			    "workers", strerror(errno));
		return;
	}
	builtin_error("cannot fork: %s", strerror(errno));
	ps->p->fatal = 1;
}

/*
 * Item IDX ended with its worker I, whose status was STATUS and SIG (it
 * died of a signal): record that end, and whatever it wrote.
 */
static void
persist_ended(struct persist *ps, int i, long idx, int status, int sig)
{
	struct pworker *wk = &ps->w[i];
	struct pslot *s = &ps->slot[idx];

	s->worker = i + 1;
	s->status = status;
	s->sig = sig;
	s->timedout = wk->timed_out;
	s->killed = ps->halted && ps->p->cfg.halt_when == HALT_NOW;
	s->t1 = duration_now();
	if (ps->capture) {
		s->out1 = lseek(wk->spool[0], 0, SEEK_END);
		s->err1 = lseek(wk->spool[1], 0, SEEK_END);
		if (s->state == SLOT_FREE)
			s->out0 = s->out1, s->err0 = s->err1;
	}
	__atomic_store_n(&s->state, SLOT_DONE, __ATOMIC_RELEASE);
	if (!ps->stopping)
		persist_halt_count(ps, s->status);
}

/*
 * --retries: item IDX's attempt ended its worker with STATUS (a jump
 * out of the call, a signal, --timeout).  If it runs again, note it for
 * the next worker (ps->redo) and return 1.  Only an attempt that began
 * counts: a worker killed before that says nothing of the item.
 */
static int
persist_redo(struct persist *ps, long idx, int status)
{
	struct pslot *s = &ps->slot[idx];

	if (ps->stopping || ps->halted || s->state == SLOT_FREE ||
	    !persist_retry_due(ps, s->attempt, status))
		return (0);
	__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
	ps->redo = idx;
	ps->redo_attempt = s->attempt + 1;
	ps->redo_status = status;
	return (1);
}

/* How many items there are so far; once all are read, the total. */
static void
persist_count(struct persist *ps)
{
	struct feed_head *h = ps->feed.h;
	int eof;

	eof = __atomic_load_n(&h->eof, __ATOMIC_SEQ_CST);
	ps->n = __atomic_load_n(&h->avail, __ATOMIC_SEQ_CST);
	if (eof && ps->stream && ps->p->in.total < 0)
		ps->p->in.total = ps->n;
}

/* May items be left to claim (or still to come)? */
static int
persist_more(struct persist *ps)
{
	long next;

	next = __atomic_load_n(&ps->sh->next, __ATOMIC_SEQ_CST);
	return (next < CLOSED_AT &&
	    (!__atomic_load_n(&ps->feed.h->eof, __ATOMIC_SEQ_CST) ||
	    next < ps->n));
}

/*
 * Worker I has ended.  The item it was running, if any, gets its end:
 * the worker's status (128+N for signal N), and whatever it wrote; or,
 * with --retries, another attempt.  Then a replacement goes on with
 * that attempt and the items not yet claimed.
 */
static void
persist_died(struct persist *ps, int i)
{
	struct pworker *wk = &ps->w[i];
	int status = wk->ref.status, sig = pool_signaled(&wk->ref);
	long idx;

	persist_count(ps);
	idx = __atomic_load_n(&ps->ws[i].cur, __ATOMIC_ACQUIRE);
	/* Its claim: a replacement goes on with it (idx too if not begun). */
	ps->rfrom = ps->ws[i].from;
	ps->rto = ps->ws[i].to;
	if (ps->feed.h->eof && ps->rto > ps->n)
		ps->rto = ps->n;
	if (ps->rfrom >= ps->rto ||
	    __atomic_load_n(&ps->sh->closed, __ATOMIC_SEQ_CST))
		ps->rfrom = ps->rto = 0;
	if (idx >= 0 && idx < ps->n && !persist_isdone(ps, idx) &&
	    !(ps->rfrom <= idx && idx < ps->rto) &&
	    !persist_redo(ps, idx, status))
		persist_ended(ps, i, idx, status, sig);
	jobref_consume(&wk->ref, 1);
	/* What it left in its group dies with it. */
	killpg(wk->ref.pid, SIGKILL);
	wk->active = 0;
	wk->timed_out = 0;
	ps->nactive--;
	if (!ps->stopping && !ps->p->fatal && (ps->redo >= 0 ||
	    ps->rfrom < ps->rto || persist_more(ps)))
		persist_spawn(ps, i);
	/* No worker to run it again: its last attempt stands. */
	if (ps->redo >= 0 && !wk->active)
		persist_ended(ps, i, ps->redo, status, sig);
	ps->redo = -1;
	ps->rfrom = ps->rto = 0;
}

/*
 * The reader has ended.  If it did not say that the input is at its end
 * (it was killed), the input ends here: say so unless the pool stops
 * anyway, and wake the workers that wait for more.
 */
static void
persist_read_end(struct persist *ps)
{
	struct feed_head *h = ps->feed.h;
	int sig = pool_signaled(&ps->rdr.ref);

	jobref_consume(&ps->rdr.ref, 1);
	killpg(ps->rdr.ref.pid, SIGKILL);
	ps->rdr.active = 0;
	if (!__atomic_load_n(&h->eof, __ATOMIC_SEQ_CST)) {
		if (!ps->stopping && !ps->halted && !h->error) {
			builtin_error("--persist: the reader of the items ended "
			    "early (%s %d)", sig ? "signal" : "status",
			    sig ? sig : ps->rdr.ref.status);
			h->error = 1;
		}
		__atomic_store_n(&h->eof, 1, __ATOMIC_SEQ_CST);
		feed_stop(&ps->feed);
	}
	if (h->error)
		ps->p->in.error = 1;
}

/* Take in the workers that ended. */
static void
persist_reap(struct persist *ps)
{
	int i, st;

	if (ps->rdr.active && ((st = jobref_state(&ps->rdr.ref)) ==
	    JOBREF_DONE || st == JOBREF_GONE))
		persist_read_end(ps);
	for (i = 0; i < ps->nw; i++) {
		if (!ps->w[i].active)
			continue;
		st = jobref_state(&ps->w[i].ref);
		if (st == JOBREF_GONE)
			ps->w[i].ref.status = EXIT_ENOENT;
		if (st == JOBREF_DONE || st == JOBREF_GONE)
			persist_died(ps, i);
	}
}

static int64_t
persist_min(int64_t a, int64_t b)
{
	return (a == 0 || (b != 0 && b < a) ? b : a);
}

/*
 * --timeout: worker I's item IDX began at T0; if its time is up at NOW,
 * take the item from the worker (it may be ending it this moment: then
 * it dies of TERM itself, see persist_doomed) and stop the worker as
 * forking mode stops a job: TERM to its tree, KILL every second after.
 * Return when to look again.
 */
static int64_t
persist_expire(struct persist *ps, int i, long idx, int64_t now)
{
	struct pworker *wk = &ps->w[i];
	struct pslot *s = &ps->slot[idx];
	int running = SLOT_RUNNING;
	int64_t due;

	due = s->t0 + ps->p->cfg.timeout_ns;
	if (now < due)
		return (due);
	if (!__atomic_compare_exchange_n(&s->state, &running, SLOT_TIMEOUT,
	    0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return (now + ps->p->cfg.timeout_ns);	/* it just ended */
	wk->timed_out = 1;
	wk->kill_at = now + KILL_AFTER_NS;
	jobref_signal(&wk->ref, SIGTERM);
	return (wk->kill_at);
}

/*
 * --timeout: stop the workers whose item has run too long, KILL those
 * stopped a second ago and still there.  Return the next time to look:
 * the earliest deadline, where an item that begins from now on counts
 * as beginning now.  0 without --timeout.
 */
static int64_t
persist_timeouts(struct persist *ps)
{
	struct pworker *wk;
	int64_t now, next, due;
	long idx;
	int i;

	if (ps->p->cfg.timeout_ns == 0 || ps->stopping)
		return (0);
	now = duration_now();
	for (i = 0, next = 0; i < ps->nw; i++) {
		if (!(wk = &ps->w[i])->active)
			continue;
		if (wk->timed_out && now >= wk->kill_at) {
			jobref_signal(&wk->ref, SIGKILL);
			wk->kill_at = now + KILL_AFTER_NS;
		}
		due = wk->timed_out ? wk->kill_at :
		    now + ps->p->cfg.timeout_ns;
		idx = __atomic_load_n(&ps->ws[i].cur, __ATOMIC_ACQUIRE);
		if (!wk->timed_out && idx >= 0 && idx < ps->n &&
		    __atomic_load_n(&ps->slot[idx].state, __ATOMIC_ACQUIRE) ==
		    SLOT_RUNNING)
			due = persist_expire(ps, i, idx, now);
		next = persist_min(next, due);
	}
	return (next);
}

/* A signal: stop every worker (SIG to its group, KILL after a grace). */
static void
persist_stop(struct persist *ps, int sig)
{
	struct jobref *refs;
	int i, n;

	ps->stopping = 1;
	refs = xmalloc((ps->nw + 1) * sizeof(*refs));
	for (i = n = 0; i < ps->nw; i++)
		if (ps->w[i].active)
			refs[n++] = ps->w[i].ref;
	if (ps->rdr.active)
		refs[n++] = ps->rdr.ref;
	if (n)
		term_jobs(&ps->p->ws, refs, n, sig, STOP_GRACE_NS);
	free(refs);
	persist_reap(ps);
}

/*
 * Sleep until a worker ends, a signal comes, DUE (a --timeout; 0: none)
 * passes, or items finish.  Just woken by progress, gather for
 * ps->gather first instead of asking for the next byte.
 */
static void
persist_sleep(struct persist *ps, int64_t due)
{
	struct waitset *ws = &ps->p->ws;
	char buf[64];
	long done;

	done = persist_ndone(ps);
	if (done != ps->seen) {
		ps->seen = done;
		__atomic_store_n(&ps->sh->seen, done, __ATOMIC_SEQ_CST);
		persist_unthrottle(ps);
		waitset_deadline(ws, persist_min(due,
		    duration_now() + ps->gather));
		waitset_sleep(ws);
		return;
	}
	__atomic_store_n(&ps->sh->sleeping, 1, __ATOMIC_SEQ_CST);
	if (persist_ndone(ps) == done) {
		waitset_deadline(ws, due);
		waitset_sleep_fd(ws, ps->notify[0]);
	}
	__atomic_store_n(&ps->sh->sleeping, 0, __ATOMIC_SEQ_CST);
	while (read(ps->notify[0], buf, sizeof(buf)) > 0)
		;
}

/*
 * The pool halts: pool_halt_check said so, or a worker closed the queue
 * (with -k the parent may not have taken in the item that did yet).
 * Soon: the running items end as they will; now: their workers are
 * stopped as forking mode stops its jobs, and the items count as killed.
 */
static void
persist_halt(struct persist *ps)
{
	if (ps->halted || (!ps->p->halting &&
	    (ps->p->cfg.halt_when == HALT_NEVER ||
	    __atomic_load_n(&ps->sh->hcount, __ATOMIC_SEQ_CST) < ps->hneed)))
		return;
	ps->halted = 1;
	persist_close(ps);
	/* No more items are wanted: the reader may wait for ever. */
	if (ps->rdr.active)
		jobref_signal(&ps->rdr.ref, SIGKILL);
	if (ps->p->cfg.halt_when == HALT_NOW && !ps->stopping)
		persist_stop(ps, SIGTERM);
}

/* Run every item; return 0, or -SIG if signal SIG stopped the pool. */
static int
persist_loop(struct persist *ps)
{
	int64_t due;
	int i, sig;

	if (ps->stream && persist_fork(ps, &ps->rdr, persist_reader) < 0) {
		builtin_error("cannot fork: %s", strerror(errno));
		ps->p->fatal = 1;
		return (0);
	}
	for (i = 0; i < ps->nw && !ps->p->fatal; i++)
		persist_spawn(ps, i);
	for (;;) {
		persist_count(ps);
		persist_reap(ps);
		due = persist_timeouts(ps);
		persist_collect(ps, 0);
		if ((sig = waitset_signal()) != 0) {
			ps->p->interrupted = sig;
			ps->cut = 1;
			persist_stop(ps, sig == SIGINT || sig == SIGTERM ||
			    sig == SIGHUP ? sig : SIGTERM);
			persist_collect(ps, 1);
			return (-sig);
		}
		if (ps->werr && !ps->stopping)
			persist_stop(ps, SIGTERM);
		persist_halt(ps);
		if (ps->nactive == 0 && !ps->rdr.active)
			break;
		/* No worker left to run what it reads: it is not wanted. */
		if (ps->nactive == 0 && !ps->feed.h->eof)
			jobref_signal(&ps->rdr.ref, SIGKILL);
		persist_sleep(ps, due);
	}
	if (!ps->stopping && !ps->p->fatal)
		persist_orphans(ps);
	persist_collect(ps, 1);
	return (0);
}

/* --- set-up and the end -------------------------------------------- */

/*
 * Put the items of P's input, all known now, in the feed before the
 * workers are forked.  Return 0, or -1 after saying why not.
 */
static int
persist_fill(struct persist *ps)
{
	char **vals;
	int nvals, r;

	while ((vals = input_next(&ps->p->in, &nvals)) != NULL) {
		r = feed_put(&ps->feed, vals, nvals);
		input_free_vals(vals, nvals);
		if (r < 0) {
			builtin_error("--persist: item %ld: %s", ps->feed.n + 1,
			    strerror(errno));
			return (-1);
		}
	}
	feed_publish(&ps->feed, 1);
	ps->n = ps->feed.n;
	return (0);
}

/*
 * The shared mapping (pool/feed.c's, with our head, the workers' claims
 * and a slot an item after it); 0 or -1 (errno).
 */
static int
persist_open(struct persist *ps)
{
	long j = ps->p->cfg.jobs;
	size_t head, fixed;

	/* feed.extra is page-aligned: so are the workers' lines. */
	head = (sizeof(struct pshared) + 63) & ~(size_t)63;
	fixed = head + j * sizeof(struct pwshared);
	if (feed_open(&ps->feed, fixed, sizeof(struct pslot)) < 0)
		return (-1);
	ps->sh = ps->feed.extra;
	ps->sh->limit = LONG_MAX;
	ps->ws = (struct pwshared *)((char *)ps->sh + head);
	ps->slot = (struct pslot *)((char *)ps->ws + j *
	    sizeof(struct pwshared));
	return (0);
}

/*
 * Open each worker's two spools; 0 or -1 (errno).  Out of descriptors
 * (EMFILE, ENFILE: `ulimit -n' below 2 a worker), go on with fewer
 * workers, as forking mode runs fewer jobs, leaving a pair free for the
 * shell's own needs (forks, the items' redirections in the workers
 * before they close the others' spools); fatal only without one.
 */
static int
persist_spools(struct persist *ps)
{
	int i, k, e, nw;

	for (i = 0; i < ps->nw; i++)
		for (k = 0; k < 2; k++)
			if ((ps->w[i].spool[k] = output_tmpfile()) < 0)
				goto short_of;
			else
				(void)fcntl(ps->w[i].spool[k], F_SETFL,
				    O_APPEND);
	return (0);
short_of:
	e = errno;
	if ((e != EMFILE && e != ENFILE) || i == 0)
		return (-1);
	nw = i > 1 ? i - 1 : 1;
	for (; i >= nw; i--)
		for (k = 0; k < 2; k++)
			if (ps->w[i].spool[k] >= 0) {
				close(ps->w[i].spool[k]);
				ps->w[i].spool[k] = -1;
			}
	builtin_warning("--persist: cannot open spools for %d workers: %s; "
	    "going on with %d", ps->nw, strerror(e), nw);
	ps->nw = nw;
	return (0);
}

/* The workers, the wake-up pipe, the spools; 0 or -1 (errno). */
static int
persist_setup(struct persist *ps)
{
	int i, k;

	ps->nw = ps->p->cfg.jobs;
	if (!ps->stream && ps->n < ps->nw)
		ps->nw = (int)ps->n;
	ps->w = xmalloc(ps->nw * sizeof(*ps->w));
	memset(ps->w, 0, ps->nw * sizeof(*ps->w));
	for (i = 0; i < ps->nw; i++)
		ps->w[i].spool[0] = ps->w[i].spool[1] = -1;
	if (pipe2(ps->notify, O_CLOEXEC | O_NONBLOCK) < 0)
		return (-1);
	for (k = 0; ps->capture && k < 2; k++)
		ps->sink[k] = output_sink(k + 1);	/* a closed fd: EBADF later */
	return (ps->capture ? persist_spools(ps) : 0);
}

static void
persist_free(struct persist *ps)
{
	long i;
	int k;

	for (i = 0; i < ps->nw; i++)
		for (k = 0; k < 2; k++) {
			if (ps->w[i].spool[k] >= 0)
				close(ps->w[i].spool[k]);
			free(ps->w[i].rd[k].buf);
		}
	for (k = 0; k < 2; k++) {
		if (ps->notify[k] >= 0)
			close(ps->notify[k]);
		if (ps->sink[k])
			output_sink_free(ps->sink[k]);
	}
	feed_close(&ps->feed);
	free(ps->w);
	free(ps->pend);
	free(ps->obuf);
}

/*
 * Run every item of P's input in persistent workers (see the top of
 * this file) and return the pool's status, as pool_run does.
 */
int
persist_run(struct pool *p)
{
	struct persist ps;
	int r;

	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.capture = p->cfg.capture;
	ps.gather = ps.capture || p->log.fp != NULL ||
	    p->cfg.halt_when != HALT_NEVER ? GATHER_NS : GATHER_QUIET_NS;
	ps.seen = -1;
	ps.redo = -1;
	ps.notify[0] = ps.notify[1] = -1;
	fflush(stdout);
	fflush(stderr);
	if (persist_open(&ps) < 0) {
		builtin_error("--persist: cannot set up workers: %s",
		    strerror(errno));
		return (EXECUTION_FAILURE);
	}
	/*
	 * A lone file or stdin is streamed: a reader job feeds the workers.
	 * Not from a terminal: a job of its own group could not read it.
	 */
	ps.stream = p->in.total < 0 && !isatty(fileno(p->in.src[0].fp));
	if (!ps.stream && (persist_fill(&ps) < 0 || ps.n == 0)) {
		persist_free(&ps);
		return (ps.n == 0 && !p->in.error ? 0 : EXECUTION_FAILURE);
	}
	/* All items known: a --halt N% counts of them all (else the parent). */
	if (!ps.stream)
		p->in.total = ps.n;
	ps.hneed = !p->cfg.halt_pct ? p->cfg.halt_count : ps.stream ?
	    LONG_MAX : (p->cfg.halt_count * ps.n + 99) / 100;
	if (persist_setup(&ps) < 0) {
		builtin_error("--persist: cannot set up workers: %s",
		    strerror(errno));
		persist_free(&ps);
		return (EXECUTION_FAILURE);
	}
	waitset_begin(&p->ws, 0, WAITSET_GUARD);
	r = persist_loop(&ps);
	persist_flush(&ps);
	persist_free(&ps);
	if (r < 0)
		return (waitset_deliver(&p->ws, -r));
	waitset_end(&p->ws);
	if (ps.werr) {
		/* As pool_end: a closed pipe ends the shell as it would anyone. */
		if (ps.werr == EPIPE && pool_sigpipe_kills())
			kill(getpid(), SIGPIPE);
		builtin_error("write error: %s", strerror(ps.werr));
		return (EXECUTION_FAILURE);
	}
	return (pool_status(p));
}
