/* every - run a command periodically on a fixed-rate schedule */

/*
 * A `while sleep N; do cmd; done' loop drifts: each round lasts N plus
 * the command's time plus the loop's.  every starts run k at
 * t0 + (k-1) * INTERVAL on an absolute CLOCK_MONOTONIC timer (through
 * waitset_pause), so the command's own time never pushes later
 * runs back.  Runs never overlap: when one overruns INTERVAL, the ticks
 * it covered are skipped and the next run waits for the next tick on the
 * schedule; with --catch-up it starts at once instead (one late run,
 * then the schedule again), as Go's time.Ticker does.
 *
 * every runs in the foreground, the command in the current shell like
 * retry without -t (or as a timed child job with -t); put it in the
 * background with `&' and stop it with kill %N or killjobs.
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "bashapi.h"
#include "attempt.h"
#include "duration.h"
#include "exitcodes.h"
#include "load.h"
#include "term.h"
#include "vars.h"
#include "opts.h"
#include "waitset.h"

#define OPT_STOP_FAIL	256
#define OPT_CATCH_UP	257

struct every_args {
	int64_t interval;
	intmax_t count;		/* -n, 0: no limit */
	struct attempt_opts ao;	/* -T -t -k -s -v */
	int stop_on_failure, catch_up;
	WORD_LIST *cmd;
};

static const struct optdef every_opts[] = {
	{ "catch-up", OPT_CATCH_UP, 0 },
	{ "count", 'n', 1 },
	{ "stop-on-failure", OPT_STOP_FAIL, 0 },
	ATTEMPT_OPTDEFS,
	{ NULL, 0, 0 }
};

/* Apply option C with argument ARG to A; return 0 or -1 (message shown). */
static int
every_opt(struct every_args *a, int c, char *arg)
{
	switch (c) {
	case 'n':
		if (legal_number(arg, &a->count) && a->count >= 0)
			return (0);
		builtin_error("%s: invalid run count", arg);
		return (-1);
	case OPT_CATCH_UP:
		a->catch_up = 1;
		return (0);
	case OPT_STOP_FAIL:
		a->stop_on_failure = 1;
		return (0);
	}
	return (attempt_opt(&a->ao, c, arg) == 0 ? 0 : -1);
}

static int
every_parse(WORD_LIST *list, struct every_args *a)
{
	struct opts o;
	int c;

	memset(a, 0, sizeof(*a));
	attempt_opts_init(&a->ao);
	opts_init(&o, list);
	while ((c = opts_next(&o, every_opts)) != OPTS_END) {
		if (c == OPTS_ERROR || c == OPTS_HELP)
			return (EX_USAGE);
		if (every_opt(a, c, o.arg) < 0)
			return (EX_USAGE);
	}
	if (o.list == NULL || o.list->next == NULL) {
		builtin_usage();
		return (EX_USAGE);
	}
	if (duration_arg(o.list->word->word, &a->interval) < 0)
		return (EX_USAGE);
	if (a->interval == 0) {
		builtin_error("%s: invalid interval", o.list->word->word);
		return (EX_USAGE);
	}
	a->cmd = o.list->next;
	return (0);
}

/* When tick K (1-based) of the schedule from T0 starts; saturates. */
static int64_t
every_at(int64_t t0, intmax_t k, int64_t interval)
{
	int64_t off;

	if (__builtin_mul_overflow((int64_t)(k - 1), interval, &off) ||
	    __builtin_add_overflow(t0, off, &off))
		return (INT64_MAX);
	return (off);
}

/*
 * After the run of tick TICK, return when the next run starts and store
 * its tick in *NEXT: the next tick, or if the run overran it, the first
 * tick still ahead (or, with --catch-up, now, as the latest tick passed).
 */
static int64_t
every_next(const struct every_args *a, int64_t t0, intmax_t tick,
    intmax_t *next)
{
	int64_t now, at;
	intmax_t latest;

	now = duration_now();
	*next = tick + 1;
	if ((at = every_at(t0, *next, a->interval)) >= now)
		return (at);
	latest = (now - t0) / a->interval + 1;	/* its start has passed */
	*next = a->catch_up ? latest : latest + 1;
	at = a->catch_up ? now : every_at(t0, *next, a->interval);
	if (a->ao.verbose)
		fprintf(stderr, "every: tick %jd overran the interval; next "
		    "run: tick %jd%s\n", tick, *next, a->catch_up ? ", now" : "");
	return (at);
}

static void
every_say(const struct every_args *a, intmax_t tick, int status,
    int64_t took)
{
	char buf[32];

	if (!a->ao.verbose)
		return;
	duration_format(took, buf, sizeof(buf));
	fprintf(stderr, "every: tick %jd ended with status %d after %s\n",
	    tick, status, buf);
	fflush(stderr);
}

/* The schedule, as attempt_main's RUN (ARG: the every_args). */
static int
every_run(void *arg)
{
	const struct every_args *a = arg;
	COMMAND *here;
	int64_t t0, deadline, began, next;
	intmax_t tick, runs;
	int status, how, r;

	here = a->ao.timeout < 0 ? attempt_prepare(a->cmd) : NULL;
	t0 = duration_now();
	deadline = a->ao.total ? t0 + a->ao.total : 0;
	for (tick = 1, runs = 0;;) {
		var_export_int("EVERY_TICK", tick);
		began = duration_now();
		status = attempt_once(&a->ao, a->cmd, here, deadline, -1,
		    &how);
		if (how == ATTEMPT_SIGNALLED || how == ATTEMPT_FAILED)
			return (status);
		every_say(a, tick, status, duration_now() - began);
		if (a->stop_on_failure && status != 0)
			return (status);
		if (a->count && ++runs >= a->count)
			return (EXECUTION_SUCCESS);
		next = every_next(a, t0, tick, &tick);
		if (deadline && next >= deadline)
			return (EXECUTION_SUCCESS);
		if ((r = waitset_pause(next, -1)) < 0) {
			QUIT;
			return (EXIT_SIGNAL(-r));
		}
	}
}

static int
every_builtin(WORD_LIST *list)
{
	struct every_args a;
	int ret;

	if ((ret = every_parse(list, &a)) != 0)
		return (ret);
	return (attempt_main("every", a.cmd->word->word, "EVERY_TICK", every_run,
	    &a));
}

BG_LOADERS(every)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *every_doc[] = {
	"Run a command periodically, on a fixed-rate schedule.",
	"",
	"Run COMMAND with ARGs (a shell function, builtin or disk command)",
	"every INTERVAL (1.5, 250ms, 2s, 1m, 1h, 1d; plain numbers are",
	"seconds), in the foreground, until a limit below is reached or a",
	"signal stops it.  Run k starts at (k-1) * INTERVAL after the first",
	"one, on an absolute clock: unlike a `while sleep' loop, the time",
	"COMMAND takes does not push later runs back, and nothing drifts.",
	"For background work, put it in the background (every 1m sync &)",
	"and stop it with kill %N or killjobs.",
	"",
	"Runs never overlap.  When a run takes longer than INTERVAL, the",
	"ticks it overran are skipped and the next run starts at the next",
	"tick of the schedule (-v says so); with --catch-up the next run",
	"starts as soon as the late one ends, and the schedule resumes after",
	"it.  Either way no backlog of runs builds up.",
	"",
	"Without -t, COMMAND runs in the current shell, as in `if COMMAND;",
	"then': a failing run triggers neither `set -e' nor the ERR trap,",
	"and variables a function sets are kept from one run to the next.",
	"With -t, each run is a child job in a process group of its own, as",
	"with timeout_run, stopped with its whole process tree at the limit;",
	"what a run leaves running when it ends is stopped then (TERM, KILL",
	"after the -k grace or 1s), so that runs never pile up.",
	"",
	"EVERY_TICK holds the number of the tick being run (1 for the",
	"first), exported for disk commands; after skipped ticks it jumps,",
	"so the run was scheduled (EVERY_TICK-1) * INTERVAL after the first.",
	"When every returns, EVERY_TICK gets back its previous value (or is",
	"unset).",
	"",
	"Options:",
	"  -n, --count COUNT",
	"\t\t\tstop after COUNT runs (0: no limit, the default)",
	"  -T, --deadline DURATION",
	"\t\t\tstop once DURATION has passed since the first run: no",
	"\t\t\trun starts after it, and every returns as soon as the",
	"\t\t\tnext tick would come after it.  With -t, a run still",
	"\t\t\tgoing at the deadline is stopped",
	"  --stop-on-failure",
	"\t\t\tstop after the first run that fails, returning its",
	"\t\t\tstatus",
	"  --catch-up\tafter a run that overran INTERVAL, start the next run",
	"\t\t\tat once instead of waiting for the next tick",
	"  -t, --timeout DURATION",
	"\t\t\trun COMMAND as a child job and stop it after DURATION",
	"\t\t\t(SIGNAL to its process tree; status 124); -t 0: a child",
	"\t\t\tjob with no time limit",
	"  -k, --kill-after DURATION",
	"\t\t\twith -t: send KILL if the run still goes DURATION after",
	"\t\t\tSIGNAL (status 137)",
	"  -s, --signal SIGNAL",
	"\t\t\twith -t: the signal sent at the limit (default TERM)",
	"  -v, --verbose\tsay on stderr how each run ended and which ticks",
	"\t\t\twere skipped",
	"",
	"The sleep between runs is a real wait: other jobs ending do not",
	"disturb it.  Ctrl-C in an interactive shell stops every and returns",
	"to the prompt; a signal with a trap ends it with status 128+N and",
	"the trap runs.",
	"",
	"Exit Status:",
	"0 when COUNT runs were made or the deadline was reached, whatever",
	"the runs returned; with --stop-on-failure, the failed run's status",
	"(124 if it timed out, 137 if it needed KILL); 125 if a child job",
	"could not be started (no timer); 126 for a run -t that could not",
	"fork for lack of processes (a failed run); 127 if COMMAND is not",
	"found; 128+N if signal N stopped it; 1 if EVERY_TICK is readonly; 2",
	"for a usage error or an invalid value (nothing is run).",
	(char *)NULL
};

BG_EXPORT struct builtin every_struct = {
	"every",
	every_builtin,
	BUILTIN_ENABLED,
	every_doc,
	"every [-v] [-n COUNT] [-T DURATION] [-t DURATION] [option ...] INTERVAL command [arg ...]",
	0
};
