/* reslimits.c - pool within the machine's limits: --load, --memfree, --limit */

/*
 * GNU parallel's names and meanings.  Before a job starts, pool asks:
 * is the 1-minute load average above --load, is MemAvailable (what the
 * kernel says can be had without swapping, /proc/meminfo) below
 * --memfree, does the --limit command exit 1?  Then it starts nothing.
 * Below half of --memfree, or when the --limit command exits 2, the
 * youngest running job is stopped (along --termseq) and put back at the
 * front of the queue, to run again from the start later: its output so
 * far is dropped and it is not logged.
 *
 * None of these tell us when they change: the kernel sends no signal
 * when the load falls.  So while holding, pool looks again when one of
 * its jobs ends (that may be what frees the resource) and otherwise once
 * a second (LIMITS_RECHECK_NS, a deadline of the loop's one sleep,
 * lib/waitset.c), as GNU parallel does; with --memfree or --limit it
 * also looks once a second while jobs run, to stop the youngest in time.
 * There is no loop of short sleeps.
 *
 * The --limit command runs in `$BASH -c' (GNU parallel uses $SHELL), its
 * stdin /dev/null (pool's own stdin may hold the items), and pool waits
 * for it with every signal blocked, by its pid: bash's SIGCHLD handler
 * cannot take its status first.  GNU's predefined `io', `mem', `load'
 * limit scripts are not provided.
 *
 * Per job, --nice and --rlimit (prlimit(1)'s names: cpu seconds, as and
 * fsize bytes; GNU parallel has no such option) are set in the job's
 * child before its command; posix_spawn can do neither, so with them
 * every job is forked (lib/child.c CHILD_FORK).  A limit above the hard
 * one is refused at once, not left to fail in every job.
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bashapi.h"
#include "reslimits.h"

extern char **environ;

/*
 * --load MAX: a load average (0.5), or N% of NCPU CPUs, into *MAX.
 * Return 0, or -1 if TEXT is neither.
 */
int
limits_load_parse(const char *text, long ncpu, double *max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isfinite(v) || v <= 0 || v > 1e9)
		return (-1);
	if (*end == '%') {
		v = v * ncpu / 100;
		end++;
	}
	if (*end != '\0')
		return (-1);
	*max = v;
	return (0);
}

/*
 * --memfree SIZE: bytes, with GNU parallel's suffixes: K M G T P (and
 * Ki Mi...) powers of 1024, k m g t p powers of 1000.  Return 0, or -1.
 */
int
limits_size_parse(const char *text, int64_t *bytes)
{
	static const char units[] = "kmgtp";
	const char *u;
	double v, mul;
	char *end;
	int k;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isfinite(v) || v <= 0 || *text == '-')
		return (-1);
	mul = 1;
	if (*end != '\0') {
		if ((u = strchr(units, *end | 0x20)) == NULL)
			return (-1);
		for (k = 0; k <= u - units; k++)
			mul *= *end == (*end | 0x20) && end[1] != 'i' ?
			    1000 : 1024;
		end += 1 + (end[1] == 'i');
	}
	if (*end != '\0' || v * mul > 9e18)
		return (-1);
	*bytes = (int64_t)(v * mul);
	return (*bytes > 0 ? 0 : -1);
}

static const struct {
	const char *name;
	int res;
} limits_names[] = {
	{ "cpu", RLIMIT_CPU },
	{ "as", RLIMIT_AS },
	{ "fsize", RLIMIT_FSIZE },
};

/* --rlimit: one NAME=VALUE into L.  Return 0, or -1 after saying why. */
static int
limits_rlimit_one(char *spec, struct limits *l)
{
	struct rlimit cur;
	char *eq;
	int64_t v;
	intmax_t n;
	size_t i;

	if ((eq = strchr(spec, '=')) == NULL)
		return (-1);
	*eq++ = '\0';
	for (i = 0; i < 3 && strcmp(spec, limits_names[i].name); i++)
		;
	if (i == 3 || (i == 0 ? !legal_number(eq, &n) || n < 1 ||
	    n > 1000000000 : limits_size_parse(eq, &v) < 0))
		return (-1);
	if (i == 0)
		v = (int64_t)n;
	if (getrlimit(limits_names[i].res, &cur) == 0 &&
	    cur.rlim_max != RLIM_INFINITY && (rlim_t)v > cur.rlim_max &&
	    geteuid() != 0) {
		builtin_error("--rlimit %s=%s: above the hard limit (%llu)",
		    spec, eq, (unsigned long long)cur.rlim_max);
		return (-2);
	}
	l->rl[l->nrl].res = limits_names[i].res;
	l->rl[l->nrl++].max = (rlim_t)v;
	return (0);
}

/*
 * --rlimit NAME=VALUE[,NAME=VALUE...]: cpu=SECONDS, as=SIZE, fsize=SIZE
 * (SIZE as for --memfree), each the soft and hard limit of every job.
 * Return 0, or -1 after saying why not.
 */
int
limits_rlimit_parse(const char *text, struct limits *l)
{
	char *copy, *tok, *save;
	int r;

	copy = savestring(text);
	l->nrl = 0;
	r = *text && *text != ',' && !strstr(text, ",,") &&
	    text[strlen(text) - 1] != ',' ? 0 : -1;
	for (tok = strtok_r(copy, ",", &save); tok && r == 0;
	    tok = strtok_r(NULL, ",", &save))
		r = l->nrl < 3 ? limits_rlimit_one(tok, l) : -1;
	free(copy);
	if (r == -1)
		builtin_error("%s: invalid resource limit", text);
	return (r < 0 ? -1 : 0);
}

/* Return non-zero if L holds jobs back at all. */
int
limits_active(const struct limits *l)
{
	return (l->load > 0 || l->memfree > 0 || l->cmd != NULL);
}

/* MemAvailable in bytes, or -1 if the kernel does not say. */
static int64_t
limits_memavail(void)
{
	char line[256];
	long long kb;
	FILE *f;

	if ((f = fopen("/proc/meminfo", "re")) == NULL)
		return (-1);
	kb = -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return (kb < 0 ? -1 : kb * 1024);
}

/* limits_run's work, with SIGCHLD blocked. */
static int
limits_spawn(const char *cmd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dfl;
	char *argv[4], *sh;
	pid_t pid;
	int st;

	sh = get_string_value("BASH");
	argv[0] = sh && *sh ? sh : "/bin/sh";
	argv[1] = "-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigfillset(&dfl);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	st = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (st != 0) {
		builtin_warning("--limit: %s: %s", argv[0], strerror(st));
		return (LIMITS_HOLD);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return (LIMITS_HOLD);
	return (WIFEXITED(st) ? WEXITSTATUS(st) : LIMITS_HOLD);
}

/*
 * Run the --limit command CMD; return its exit status (1 if it died).
 * SIGCHLD stays blocked until we have reaped it: bash's handler reaps
 * every child it is told about (waitpid(-1)), and taking ours first
 * would leave us ECHILD and a "hold" for ever.
 */
static int
limits_run(const char *cmd)
{
	sigset_t chld, old;
	int st;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	st = limits_spawn(cmd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return (st);
}

/*
 * Ask L whether a job may start: LIMITS_GO, LIMITS_HOLD, or LIMITS_SHED
 * (stop the youngest job too).  A --limit status other than 0, 1 and 2
 * holds, as in GNU parallel.
 */
int
limits_check(const struct limits *l)
{
	double avg;
	int64_t avail;
	int r, c;

	r = LIMITS_GO;
	if (l->memfree > 0 && (avail = limits_memavail()) >= 0 &&
	    avail < l->memfree)
		r = avail < l->memfree / 2 ? LIMITS_SHED : LIMITS_HOLD;
	if (r == LIMITS_GO && l->load > 0 && getloadavg(&avg, 1) == 1 &&
	    avg > l->load)
		r = LIMITS_HOLD;
	if (r != LIMITS_SHED && l->cmd != NULL &&
	    (c = limits_run(l->cmd)) != 0)
		r = c == 2 ? LIMITS_SHED : LIMITS_HOLD;
	return (r);
}

/*
 * In a job's child, before its command: --rlimit's limits; --nice N adds
 * N to its niceness,
 * as `nice -n N' does (GNU parallel runs jobs so).  If that is refused
 * (a negative N without the privilege), the job says so on its stderr
 * and runs anyway, as nice(1) does.
 */
void
limits_child(const struct limits *l)
{
	struct rlimit rl;
	int i;

	for (i = 0; i < l->nrl; i++) {
		rl.rlim_cur = rl.rlim_max = l->rl[i].max;
		if (setrlimit(l->rl[i].res, &rl) < 0)
			fprintf(stderr, "pool: --rlimit: %s\n",
			    strerror(errno));
	}
	if (!l->nice_set)
		return;
	errno = 0;
	if (nice(l->nice) == -1 && errno != 0)
		fprintf(stderr, "pool: --nice %d: %s\n", l->nice,
		    strerror(errno));
}
