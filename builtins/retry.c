/* retry - run a command until it succeeds, with backoff and jitter */

/*
 * Every script grows its own retry loop, and external retry tools can
 * neither call shell functions nor keep what a function sets.  retry runs
 * the command in the current shell, as `if command; then' would (so a
 * failing attempt does not trigger set -e and a successful one keeps its
 * variables), or with -t as a child job under a time limit, the way
 * timeout_run does (lib/attempt.c).  Between attempts it sleeps on an
 * absolute deadline (lib/backoff.c) that a trap or Ctrl-C interrupts and
 * that other jobs ending does not.
 *
 * The delays grow exponentially up to a cap with full jitter by default,
 * so that many clients that failed together do not retry in lock-step.
 * A total deadline is never slept past: when the next delay would end
 * after it, retry gives up at once rather than sleep in vain.
 *
 * Exit statuses: 0 on success; the last attempt's status when giving up
 * (124 if it timed out, 137 if KILL was needed); RETRY_GONE (69, sysexits'
 * EX_UNAVAILABLE: outside the 124-127 and 128+N ranges, and rare among
 * commands) when the --alive process died; 127 if the command is not
 * found; 128+N for signal N; 2 for bad usage or values; 1 if RETRY_ATTEMPT
 * cannot be set.
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bashapi.h"
#include "attempt.h"
#include "backoff.h"
#include "codes.h"
#include "duration.h"
#include "exitcodes.h"
#include "load.h"
#include "term.h"
#include "vars.h"
#include "opts.h"
#include "proctree.h"
#include "waitset.h"

#define RETRY_GONE	69	/* the --alive process has died */

#define OPT_JITTER	256
#define OPT_ON		257
#define OPT_STOP_ON	258
#define OPT_UNTIL	259
#define OPT_ALIVE	260

enum { V_SUCCESS, V_RETRY, V_STOP };

struct retry_args {
	int attempts;		/* 0: unlimited (needs a deadline) */
	struct backoff b;
	struct attempt_opts ao;	/* -T -t -k -s -v */
	struct codes on, stop_on, until;
	int has_on, has_until, quiet;
	pid_t alive;		/* 0: none */
	WORD_LIST *cmd;
};

struct retry_state {
	int n;			/* attempts made */
	int status, how;
	int64_t start, deadline, began, took;
	int alivefd;
	COMMAND *here;		/* without -t: the command, made once */
};

static const struct optdef retry_opts[] = {
	{ "alive", OPT_ALIVE, 1 },
	{ "attempts", 'n', 1 },
	{ "delay", 'd', 1 },
	{ "factor", 'b', 1 },
	{ "jitter", OPT_JITTER, 1 },
	{ "max-delay", 'm', 1 },
	{ "on", OPT_ON, 1 },
	{ "quiet", 'q', 0 },
	{ "stop-on", OPT_STOP_ON, 1 },
	{ "until", OPT_UNTIL, 1 },
	ATTEMPT_OPTDEFS,
	{ NULL, 0, 0 }
};

/* Parse TEXT as a count 0..INT_MAX; else print "TEXT: invalid WHAT". */
static int
retry_count(const char *text, const char *what, int *n)
{
	intmax_t v;

	if (legal_number(text, &v) && v >= 0 && v <= INT_MAX) {
		*n = (int)v;
		return (0);
	}
	builtin_error("%s: invalid %s", text, what);
	return (-1);
}

static int
retry_pid(const char *text, pid_t *pid)
{
	intmax_t v;

	if (legal_number(text, &v) && v > 0 && v == (pid_t)v) {
		*pid = (pid_t)v;
		return (0);
	}
	builtin_error("%s: invalid process id", text);
	return (-1);
}

/* Apply option C with argument ARG to A; return 0 or -1 (message shown). */
static int
retry_opt(struct retry_args *a, int c, char *arg)
{
	switch (c) {
	case 'b':
		if (backoff_factor_parse(&a->b, arg) == 0)
			return (0);
		builtin_error("%s: invalid factor", arg);
		return (-1);
	case 'd':
		return (duration_arg(arg, &a->b.first_ns));
	case 'm':
		return (duration_arg(arg, &a->b.max_ns));
	case 'n':
		return (retry_count(arg, "attempt count", &a->attempts));
	case 'q':
		a->quiet = 1;
		return (0);
	case OPT_ALIVE:
		return (retry_pid(arg, &a->alive));
	case OPT_JITTER:
		if (backoff_jitter_parse(&a->b, arg) == 0)
			return (0);
		builtin_error("%s: invalid jitter", arg);
		return (-1);
	case OPT_ON:
		a->has_on = 1;
		return (codes_arg(&a->on, arg));
	case OPT_STOP_ON:
		return (codes_arg(&a->stop_on, arg));
	case OPT_UNTIL:
		a->has_until = 1;
		return (codes_arg(&a->until, arg));
	}
	return (attempt_opt(&a->ao, c, arg) == 0 ? 0 : -1);
}

static int
retry_parse(WORD_LIST *list, struct retry_args *a)
{
	struct opts o;
	int c;

	memset(a, 0, sizeof(*a));
	a->attempts = 5;
	attempt_opts_init(&a->ao);
	backoff_init(&a->b);
	codes_add(&a->until, 0, 0);
	opts_init(&o, list);
	while ((c = opts_next(&o, retry_opts)) != OPTS_END) {
		if (c == OPTS_ERROR || c == OPTS_HELP)
			return (EX_USAGE);
		if (retry_opt(a, c, o.arg) < 0)
			return (EX_USAGE);
	}
	if (o.list == NULL) {
		builtin_usage();
		return (EX_USAGE);
	}
	if (a->attempts == 0 && a->ao.total == 0) {
		builtin_error("-n 0 (no limit on attempts) needs -T DEADLINE");
		return (EX_USAGE);
	}
	a->cmd = o.list;
	return (0);
}

/* Return an fd that is readable once PID has ended, or -1. */
static int
retry_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return ((int)syscall(SYS_pidfd_open, pid, 0));
#else
	(void)pid;
	errno = ENOSYS;
	return (-1);
#endif
}

/* Return non-zero if the --alive process has ended (or become a zombie). */
static int
retry_dead(const struct retry_args *a, const struct retry_state *s)
{
	struct pollfd p;
	struct proc st;

	if (s->alivefd >= 0) {
		p.fd = s->alivefd;
		p.events = POLLIN;
		return (poll(&p, 1, 0) > 0);
	}
	if (kill(a->alive, 0) < 0 && errno == ESRCH)
		return (1);
	return (proctree_stat(a->alive, &st) == 0 && !PROC_LIVE(&st));
}

static void
retry_closefd(void *p)
{
	close((int)(intptr_t)p);
}

/* Say "attempt 2/5" (or "attempt 2" without a limit) into BUF. */
static const char *
retry_which(const struct retry_args *a, const struct retry_state *s,
    char *buf, size_t size)
{
	if (a->attempts)
		snprintf(buf, size, "attempt %d/%d", s->n, a->attempts);
	else
		snprintf(buf, size, "attempt %d", s->n);
	return (buf);
}

/* Say how the last attempt ended, and what comes next (WHAT). */
static void
retry_say(const struct retry_args *a, const struct retry_state *s,
    const char *what)
{
	char which[64], took[32];

	if (a->quiet)
		return;
	took[0] = '\0';
	if (a->ao.verbose) {
		strcpy(took, " after ");
		duration_format(s->took, took + 7, sizeof(took) - 7);
	}
	fprintf(stderr, "retry: %s %s status %d%s%s%s\n",
	    retry_which(a, s, which, sizeof(which)),
	    a->has_until ? "returned" : "failed with", s->status,
	    s->how == ATTEMPT_TIMEDOUT ? " (timed out)" : "", took, what);
	fflush(stderr);
}

static int
retry_giveup(const struct retry_args *a, const struct retry_state *s,
    const char *why, int status)
{
	if (!a->quiet) {
		fprintf(stderr, "retry: giving up after %d attempt%s%s%s\n",
		    s->n, s->n == 1 ? "" : "s", why ? ": " : "",
		    why ? why : "");
		fflush(stderr);
	}
	return (status);
}

/* Give up because the --alive process has died. */
static int
retry_gone(const struct retry_args *a, const struct retry_state *s)
{
	char why[64];

	snprintf(why, sizeof(why), "process %ld has died", (long)a->alive);
	return (retry_giveup(a, s, why, RETRY_GONE));
}

/* Run attempt S->n + 1 of A's command and note how it went in S. */
static void
retry_once(const struct retry_args *a, struct retry_state *s)
{
	s->n++;
	var_export_int("RETRY_ATTEMPT", s->n);
	s->began = duration_now();
	s->status = attempt_once(&a->ao, a->cmd, s->here, s->deadline,
	    s->alivefd, &s->how);
	s->took = duration_now() - s->began;
}

/* Decide what S's last status calls for. */
static int
retry_judge(const struct retry_args *a, const struct retry_state *s)
{
	if (s->how == ATTEMPT_FAILED)
		return (V_STOP);
	if (codes_has(&a->until, s->status))
		return (V_SUCCESS);
	if (codes_has(&a->stop_on, s->status))
		return (V_STOP);
	if (a->has_on)
		return (codes_has(&a->on, s->status) ? V_RETRY : V_STOP);
	/* Ctrl-C that killed the attempt means stop, not try again. */
	return (s->status == EXIT_SIGNAL(SIGINT) ? V_STOP : V_RETRY);
}

/* The status to give up with: never 0, even when 0 was not success. */
static int
retry_last(const struct retry_state *s)
{
	return (s->status ? s->status : EXECUTION_FAILURE);
}

/*
 * After a failed attempt: sleep the backoff delay, unless the attempts,
 * the deadline or the --alive process are used up.  Return -1 to go on,
 * else the status to return.
 */
static int
retry_pause(struct retry_args *a, struct retry_state *s)
{
	char buf[128], d[32];
	int64_t delay, now;
	int r;

	if (a->attempts && s->n >= a->attempts) {
		retry_say(a, s, "");
		return (retry_giveup(a, s, NULL, retry_last(s)));
	}
	delay = backoff_delay(&a->b, s->n);
	now = duration_now();
	if (s->deadline && now + delay >= s->deadline) {
		retry_say(a, s, "");
		return (retry_giveup(a, s, now >= s->deadline ?
		    "deadline reached" : "the next one would start after the "
		    "deadline", retry_last(s)));
	}
	duration_format(delay, d, sizeof(d));
	snprintf(buf, sizeof(buf), "; retrying in %s", d);
	retry_say(a, s, buf);
	r = waitset_pause(now + delay, s->alivefd);
	if (r < 0) {
		QUIT;
		return (EXIT_SIGNAL(-r));
	}
	return (r == WAITSET_WOKEN ? retry_gone(a, s) : -1);
}

/* The verdict of S's last attempt as a status, or -1 to go on. */
static int
retry_verdict(struct retry_args *a, struct retry_state *s)
{
	char which[64], took[32], all[32];

	switch (retry_judge(a, s)) {
	case V_SUCCESS:
		if (a->ao.verbose && !a->quiet) {
			duration_format(s->took, took, sizeof(took));
			duration_format(duration_now() - s->start, all,
			    sizeof(all));
			fprintf(stderr, "retry: %s succeeded after %s, %s in "
			    "all\n", retry_which(a, s, which, sizeof(which)),
			    took, all);
		}
		return (0);
	case V_STOP:
		retry_say(a, s, ", which is not retried");
		return (retry_last(s));
	}
	return (retry_pause(a, s));
}

/* The attempts, as attempt_main's RUN (ARG: the retry_args). */
static int
retry_run(void *arg)
{
	struct retry_args *a = arg;
	struct retry_state s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.alivefd = -1;
	s.start = duration_now();
	s.deadline = a->ao.total ? s.start + a->ao.total : 0;
	if (a->alive && (s.alivefd = retry_pidfd(a->alive)) >= 0)
		bg_unwind(retry_closefd, (void *)(intptr_t)s.alivefd);
	if (a->ao.timeout < 0)
		s.here = attempt_prepare(a->cmd);
	for (;;) {
		if (a->alive && retry_dead(a, &s))
			return (retry_gone(a, &s));
		retry_once(a, &s);
		if (s.how == ATTEMPT_SIGNALLED)
			return (s.status);
		if (s.how == ATTEMPT_WATCHED)
			return (retry_gone(a, &s));
		if ((ret = retry_verdict(a, &s)) >= 0)
			return (ret);
	}
}

static int
retry_builtin(WORD_LIST *list)
{
	struct retry_args a;
	int ret;

	if ((ret = retry_parse(list, &a)) != 0)
		return (ret);
	return (attempt_main("retry", a.cmd->word->word, "RETRY_ATTEMPT", retry_run,
	    &a));
}

BG_LOADERS(retry)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *retry_doc[] = {
	"Run a command until it succeeds, with backoff and jitter.",
	"",
	"Run COMMAND with ARGs (a shell function, builtin or disk command)",
	"until it succeeds, at most ATTEMPTS times, sleeping a growing delay",
	"after each failure.  The delay after the n-th failure is",
	"min(MAX_DELAY, DELAY * FACTOR^(n-1)), less a random part (jitter),",
	"so that many clients that failed together do not retry in",
	"lock-step.  Durations are 1.5, 250ms, 2s, 1m, 1h or 1d; plain",
	"numbers are seconds.",
	"",
	"Without -t, COMMAND runs in the current shell, as in `if COMMAND;",
	"then': a failing attempt triggers neither `set -e' nor the ERR trap",
	"(inside a function either), and the variables a function sets",
	"survive.  With -t, each attempt is a child job in a process group",
	"of its own, as with timeout_run: at the limit its whole process",
	"tree is stopped, what it leaves running when it ends is stopped",
	"then (TERM, KILL after the -k grace or 1s) so that attempts never",
	"pile up, and variables it sets do not reach the shell.",
	"",
	"RETRY_ATTEMPT holds the attempt number (1 for the first), exported",
	"for disk commands.  When retry returns, RETRY_ATTEMPT gets back its",
	"previous value (or is unset), so nested retry calls each see",
	"their own count.",
	"",
	"Options:",
	"  -n, --attempts ATTEMPTS",
	"\t\t\tmake at most ATTEMPTS attempts (default 5; 0: no limit,",
	"\t\t\tallowed only with -T)",
	"  -d, --delay DELAY",
	"\t\t\tthe delay after the first failure (default 1s)",
	"  -b, --factor FACTOR",
	"\t\t\teach delay is FACTOR (>= 1) times the one before",
	"\t\t\t(default 2)",
	"  -m, --max-delay MAX_DELAY",
	"\t\t\tno delay exceeds MAX_DELAY (default 60s)",
	"  --jitter JITTER\thow much of each delay d is drawn at random: full",
	"\t\t\t(from 0 to d; the default), equal (d/2 to d), none",
	"\t\t\t(exactly d), or a fraction F from 0 to 1 ((1-F)*d to",
	"\t\t\td).  Jitter only shortens a delay: MAX_DELAY stays a",
	"\t\t\tcap",
	"  -T, --deadline DURATION",
	"\t\t\tgive up once DURATION has passed since retry started.",
	"\t\t\tretry never sleeps past it: when the next delay would",
	"\t\t\tend after it, retry gives up at once.  With -t, an",
	"\t\t\tattempt still running at the deadline is stopped (124);",
	"\t\t\twithout -t it runs in the shell and is not interrupted",
	"  -t, --timeout DURATION",
	"\t\t\trun each attempt as a child job and stop it after",
	"\t\t\tDURATION (SIGNAL to its process tree; status 124);",
	"\t\t\t-t 0: a child job with no time limit",
	"  -k, --kill-after DURATION",
	"\t\t\twith -t: send KILL if the attempt still runs DURATION",
	"\t\t\tafter SIGNAL (status 137); without -k, wait for it",
	"  -s, --signal SIGNAL",
	"\t\t\twith -t: the signal sent at the limit (default TERM)",
	"  --on CODES\tretry only on the statuses in CODES; fail at once on",
	"\t\t\tany other",
	"  --stop-on CODES\tfail at once on the statuses in CODES",
	"  --until CODES\tsucceed on the statuses in CODES instead of 0, and",
	"\t\t\tretry the others: `retry --until fail test -e F' waits",
	"\t\t\tuntil the file F is gone",
	"  --alive PID\tgive up as soon as process PID has died: checked",
	"\t\t\tbefore each attempt, during each sleep and, with -t,",
	"\t\t\tduring each attempt.  The health-check pattern: poll a",
	"\t\t\tservice until it answers, but stop if it crashed",
	"  -q, --quiet\tprint no messages",
	"  -v, --verbose\talso say how long each attempt took",
	"",
	"CODES is a comma-separated list of exit statuses and ranges, such",
	"as 75,100-110 or 100- (up to 255), and the words success (0) and",
	"fail (1-255).  An attempt that ends by SIGINT (status 130) is not",
	"retried unless --on names 130: Ctrl-C means stop.",
	"",
	"Unless -q, retry reports each failed attempt on stderr, e.g.",
	"  retry: attempt 2/5 failed with status 7; retrying in 1.8s",
	"and ends with `retry: giving up after 5 attempts' when it does.",
	"",
	"The sleep between attempts is a real wait: other jobs ending do not",
	"disturb it.  Ctrl-C in an interactive shell stops retry and returns",
	"to the prompt; a signal with a trap ends retry with status 128+N",
	"and the trap runs.  With -t, a signal that reaches the shell during",
	"an attempt is passed on to the attempt's process group first.",
	"",
	"Exit Status:",
	"0 if an attempt succeeded.  Otherwise the last attempt's status",
	"(124 if it timed out, 137 if it needed KILL; 1 if it was 0 and",
	"--until wanted another); 69 (EX_UNAVAILABLE) if the --alive process",
	"died; 125 if a child job could not be started (no timer); 126 for",
	"an attempt -t that could not fork for lack of processes (retried as",
	"any failure); 127 if COMMAND is not found; 128+N if signal N ended",
	"retry; 1 if RETRY_ATTEMPT is readonly; 2 for a usage error or an",
	"invalid value (nothing is run).",
	(char *)NULL
};

BG_EXPORT struct builtin retry_struct = {
	"retry",
	retry_builtin,
	BUILTIN_ENABLED,
	retry_doc,
	"retry [-qv] [-n ATTEMPTS] [-d DELAY] [-T DURATION] [-t DURATION] [option ...] command [arg ...]",
	0
};
