/* detach - start a command that outlives the shell; stop it later */

/*
 * `nohup cmd > log 2>&1 & disown' done once, right: the command is
 * forked twice (lib/child.c: child_detach), so it is no child of the
 * shell and never in its job table, leads a session of its own (no
 * controlling terminal: a hangup reaches it only if sent by hand, and
 * SIGHUP is ignored as nohup does), reads /dev/null, and appends its
 * output to a log file, never to the terminal.  Its pid goes to a pid
 * file written atomically (a temporary file renamed over it), with the
 * process's start time from /proc: `detach --stop' then stops only that
 * process, never one that got its pid after it died (pid_max is often
 * 32768), and stops its whole tree with the term sequence (lib/term.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bashapi.h"
#include "attempt.h"
#include "child.h"
#include "duration.h"
#include "exitcodes.h"
#include "load.h"
#include "vars.h"
#include "opts.h"
#include "proctree.h"
#include "term.h"
#include "waitset.h"

#define OPT_STOP	256
#define DT_GRACE_NS	(5000LL * 1000000)
#define DT_NOTRUNNING	3

struct dt_args {
	char *log, *pidfile, *var, *stop;
	int64_t grace;
	WORD_LIST *cmd;
};

static const struct optdef dt_opts[] = {
	{ "kill-after", 'k', 1 },
	{ "log", 'o', 1 },
	{ "pidfile", 'p', 1 },
	{ "stop", OPT_STOP, 1 },
	{ "var", 'v', 1 },
	{ NULL, 0, 0 }
};

static int
dt_parse(WORD_LIST *list, struct dt_args *a)
{
	struct opts o;
	int c;

	memset(a, 0, sizeof(*a));
	a->grace = DT_GRACE_NS;
	opts_init(&o, list);
	while ((c = opts_next(&o, dt_opts)) != OPTS_END) {
		switch (c) {
		case 'k':
			if (duration_arg(o.arg, &a->grace) < 0)
				return (EX_USAGE);
			break;
		case 'o':
			a->log = o.arg;
			break;
		case 'p':
			a->pidfile = o.arg;
			break;
		case 'v':
			a->var = o.arg;
			if (!var_name_ok(o.arg))
				return (EX_USAGE);
			break;
		case OPT_STOP:
			a->stop = o.arg;
			break;
		default:
			return (EX_USAGE);
		}
	}
	a->cmd = o.list;
	if ((a->stop == NULL) == (a->cmd == NULL)) {
		if (a->stop)
			builtin_error("--stop takes no command");
		builtin_usage();
		return (EX_USAGE);
	}
	return (0);
}

/* mkdir -p DIR (mode 0700 for what it makes).  Return 0 or -1. */
static int
dt_mkdirs(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return (-1);
		}
		*p = '/';
	}
	return (mkdir(dir, 0700) < 0 && errno != EEXIST ? -1 : 0);
}

/* A new string: A then B. */
static char *
dt_cat(const char *a, const char *b)
{
	char *s;

	s = xmalloc(strlen(a) + strlen(b) + 1);
	strcpy(s, a);
	strcat(s, b);
	return (s);
}

/*
 * The default log: $XDG_STATE_HOME/bgtools/NAME.log, or
 * $HOME/.local/state/bgtools/NAME.log, NAME the command's last path
 * component; the directory is made.  A new string, or NULL after a
 * message.
 */
static char *
dt_default_log(const char *cmd)
{
	const char *base, *state, *home;
	char *dir, *path;

	base = strrchr(cmd, '/') ? strrchr(cmd, '/') + 1 : cmd;
	state = get_string_value("XDG_STATE_HOME");
	home = get_string_value("HOME");
	if (state && *state == '/')
		dir = dt_cat(state, "/bgtools");
	else if (home && *home == '/')
		dir = dt_cat(home, "/.local/state/bgtools");
	else {
		builtin_error("no HOME for the default log: give -o LOGFILE");
		return (NULL);
	}
	if (dt_mkdirs(dir) < 0) {
		builtin_error("%s: %s", dir, strerror(errno));
		free(dir);
		return (NULL);
	}
	path = xmalloc(strlen(dir) + strlen(base) + 6);
	sprintf(path, "%s/%s.log", dir, base);
	free(dir);
	return (path);
}

/*
 * Read PIDFILE: "PID START".  Return 0, 1 if it cannot be read or is not
 * a pid file (message shown).
 */
static int
dt_read(const char *pidfile, pid_t *pid, unsigned long long *start)
{
	FILE *f;
	long p;
	int n;

	if ((f = fopen(pidfile, "re")) == NULL) {
		builtin_error("%s: %s", pidfile, strerror(errno));
		return (EXECUTION_FAILURE);
	}
	n = fscanf(f, "%ld %llu", &p, start);
	fclose(f);
	if (n != 2 || p <= 1 || p > INT_MAX) {
		builtin_error("%s: not a pid file of detach", pidfile);
		return (EXECUTION_FAILURE);
	}
	*pid = (pid_t)p;
	return (0);
}

/* Return 1 if PID, started at START, still runs (the same process). */
static int
dt_alive(pid_t pid, unsigned long long start)
{
	struct proc p;

	return (proctree_stat(pid, &p) == 0 && p.start == start &&
	    PROC_LIVE(&p));
}

/*
 * detach --stop: stop the process PIDFILE names, and its tree: TERM,
 * KILL after the grace.  Say how it ended; remove the pid file.
 */
static int
dt_stop(const struct dt_args *a)
{
	unsigned long long start;
	struct waitset w;
	char buf[32];
	pid_t pid;
	int t, sig;

	if (dt_read(a->stop, &pid, &start) != 0)
		return (EXECUTION_FAILURE);
	if (!dt_alive(pid, start)) {
		builtin_error("%s: not running (pid %ld has ended%s)", a->stop,
		    (long)pid, kill(pid, 0) == 0 ? "; the pid is another "
		    "process's now" : "");
		unlink(a->stop);
		return (DT_NOTRUNNING);
	}
	waitset_begin(&w, 0, 0);
	t = term_process(&w, pid, start, SIGTERM, a->grace);
	sig = waitset_signal();
	waitset_end(&w);
	unlink(a->stop);
	if (t < 0) {
		printf("pid %ld had ended\n", (long)pid);
		return (sh_chkwrite(EXECUTION_SUCCESS));
	}
	duration_format(a->grace, buf, sizeof(buf));
	if (t & (TERM_KILLED | TERM_STRAGGLERS))
		printf("pid %ld killed: still running %s after TERM\n",
		    (long)pid, buf);
	else
		printf("pid %ld stopped by TERM\n", (long)pid);
	if (sig)
		QUIT;
	t = t & (TERM_KILLED | TERM_STRAGGLERS) ? EXIT_SIGNAL(SIGKILL) : 0;
	return (sh_chkwrite(t));
}

/*
 * In the detached process, before a function or builtin: an EXIT trap
 * that removes PIDFILE when it ends, if the file still names it (a later
 * detach may have replaced it).  A disk command replaces the shell: its
 * pid file stays, and --stop or a later start tells it is stale.
 */
static void
dt_trap(const char *pidfile)
{
	char *q, *cmd;

	q = sh_single_quote(pidfile);
	cmd = xmalloc(2 * strlen(q) + 96);
	sprintf(cmd, "{ read -r _p _ < %s && [ \"$_p\" = \"$BASHPID\" ] && "
	    "rm -f -- %s; } 2>/dev/null", q, q);
	set_signal(0, cmd);
	free(cmd);
	free(q);
}

/* In the detached process, before the command: what nohup and daemons do. */
static void
dt_setup(void *arg)
{
	long fd, max;

	signal(SIGHUP, SIG_IGN);
	if (arg)
		dt_trap(arg);
	/* The shell's other descriptors (a terminal, a pipe) are not its. */
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3, ~0U, 0) == 0)
		return;
#endif
	max = sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		close((int)fd);
}

/*
 * Open a temporary file next to PIDFILE for dt_publish; its name in *TMP.
 * Return the descriptor, or -1 after a message.
 */
static int
dt_pidtmp(const char *pidfile, char **tmp)
{
	int fd;

	*tmp = dt_cat(pidfile, ".XXXXXX");
	if ((fd = mkostemp(*tmp, O_CLOEXEC)) < 0) {
		builtin_error("%s: cannot write the pid file: %s", pidfile,
		    strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return (fd);
}

/* Write "PID START" to FD and rename TMP over PIDFILE.  Return 0 or -1. */
static int
dt_publish(int fd, char *tmp, const char *pidfile, pid_t pid,
    unsigned long long start)
{
	char buf[64];
	int n, ret = 0;

	n = snprintf(buf, sizeof(buf), "%ld %llu\n", (long)pid, start);
	if (write(fd, buf, n) != n || fsync(fd) < 0 ||
	    rename(tmp, pidfile) < 0) {
		builtin_error("%s: cannot write the pid file: %s", pidfile,
		    strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	close(fd);
	return (ret);
}

/* Refuse to start over a pid file whose process still runs. */
static int
dt_running(const char *pidfile)
{
	unsigned long long start;
	FILE *f;
	long p;

	if ((f = fopen(pidfile, "re")) == NULL)
		return (0);
	if (fscanf(f, "%ld %llu", &p, &start) == 2 && p > 1 &&
	    p <= INT_MAX && dt_alive((pid_t)p, start)) {
		fclose(f);
		builtin_error("%s: already running (pid %ld)", pidfile, p);
		return (1);
	}
	fclose(f);
	return (0);
}

/* Open the log (appending), default or -o.  Return the fd or -1. */
static int
dt_log(const struct dt_args *a)
{
	char *path;
	int fd;

	path = a->log ? savestring(a->log) :
	    dt_default_log(a->cmd->word->word);
	if (path == NULL)
		return (-1);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		builtin_error("%s: cannot open the log: %s", path,
		    strerror(errno));
	free(path);
	return (fd);
}

/* Start A's command detached.  Return 0 or 1 (message shown). */
static int
dt_start(const struct dt_args *a)
{
	struct child_opts co;
	struct proc p;
	char *tmp = NULL;
	int logfd, pfd = -1;
	pid_t pid;

	if (a->pidfile && dt_running(a->pidfile))
		return (EXECUTION_FAILURE);
	if ((logfd = dt_log(a)) < 0)
		return (EXECUTION_FAILURE);
	if (a->pidfile && (pfd = dt_pidtmp(a->pidfile, &tmp)) < 0) {
		close(logfd);
		return (EXECUTION_FAILURE);
	}
	memset(&co, 0, sizeof(co));
	co.flags = CHILD_LEAVE;
	co.outfd = co.errfd = logfd;
	co.setup = dt_setup;
	co.arg = a->pidfile;
	pid = child_detach(a->cmd, &co);
	close(logfd);
	if (pid < 0) {
		builtin_error("cannot fork: %s", strerror(errno));
		if (tmp)
			unlink(tmp);
		free(tmp);
		return (EXECUTION_FAILURE);
	}
	p.start = 0;
	proctree_stat(pid, &p);
	if (a->pidfile && dt_publish(pfd, tmp, a->pidfile, pid, p.start) < 0) {
		free(tmp);
		return (EXECUTION_FAILURE);
	}
	free(tmp);
	if (a->var && var_set_int(a->var, pid) < 0) {
		builtin_error("%s: cannot assign", a->var);
		return (EXECUTION_FAILURE);
	}
	return (0);
}

static int
detach_builtin(WORD_LIST *list)
{
	struct dt_args a;
	int ret;

	if ((ret = dt_parse(list, &a)) != 0)
		return (ret);
	if (a.stop)
		return (dt_stop(&a));
	if (!attempt_findable(a.cmd->word->word))
		return (EXIT_ENOENT);
	return (dt_start(&a));
}

BG_LOADERS(detach)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *detach_doc[] = {
	"Start a command that outlives the shell; stop it later.",
	"",
	"Run COMMAND with ARGs (a shell function, builtin or disk command)",
	"detached from the shell, as `nohup COMMAND > LOG 2>&1 & disown'",
	"means to: it is no child of the shell (forked twice) and not in its",
	"job table (jobs, wait and killjobs do not see it), it leads a",
	"session of its own with no controlling terminal, SIGHUP is ignored",
	"(as nohup does), stdin is /dev/null, and stdout and stderr are",
	"appended to LOGFILE, never the terminal.  The shell's other open",
	"descriptors are closed in it.  It keeps running when the shell",
	"exits, is killed, or loses its terminal.  A shell function runs in",
	"a forked copy of the shell, as with pool: it sees the script's",
	"functions and variables as they were at the start.",
	"",
	"detach returns at once.  The pid goes to VAR (-v) and to PIDFILE",
	"(-p), written atomically (a temporary file renamed over it) as",
	"`PID STARTTIME', STARTTIME the process's start time in clock ticks",
	"after boot (/proc/PID/stat): a pid file whose process has ended,",
	"its pid perhaps taken by another process since, is told apart from",
	"a live one.  detach refuses to start over a pid file whose process",
	"still runs.  When a function or builtin ends by itself, an EXIT trap",
	"removes its pid file (unless the function sets its own EXIT trap);",
	"a disk command's stays (it replaced the shell), and is seen as",
	"stale later.  --stop removes it.",
	"",
	"With --stop PIDFILE, stop the process it names and its whole tree",
	"(its session, group and descendants): TERM, then KILL after the -k",
	"grace (5s by default); say on stdout how it ended (\"pid N stopped",
	"by TERM\", or \"pid N killed: ...\"), and remove PIDFILE.",
	"",
	"Options:",
	"  -o, --log LOGFILE",
	"\t\t\tappend output to LOGFILE (made if need be); default",
	"\t\t\t$XDG_STATE_HOME/bgtools/NAME.log, or",
	"\t\t\t$HOME/.local/state/bgtools/NAME.log, NAME the command's",
	"\t\t\tlast path component",
	"  -p, --pidfile PIDFILE",
	"\t\t\twrite the pid and start time to PIDFILE",
	"  -v, --var VAR\tassign the pid to the shell variable VAR",
	"  --stop PIDFILE\tstop the process PIDFILE names (see above)",
	"  -k, --kill-after DURATION",
	"\t\t\twith --stop: the grace between TERM and KILL",
	"",
	"Exit Status:",
	"Starting: 0 once it runs; 1 if the log or the pid file cannot be",
	"written, the pid file names a process that still runs, or it cannot",
	"be forked (nothing is started); 127 if COMMAND is not found.",
	"Stopping: 0 if TERM stopped it; 137 if KILL was needed; 3 if it was",
	"not running (the pid file is removed); 1 if PIDFILE cannot be read",
	"or is not a pid file.  2 for a usage error or an invalid value.",
	(char *)NULL
};

BG_EXPORT struct builtin detach_struct = {
	"detach",
	detach_builtin,
	BUILTIN_ENABLED,
	detach_doc,
	"detach [-o LOGFILE] [-p PIDFILE] [-v VAR] command [arg ...]  or  detach --stop PIDFILE [-k DURATION]",
	0
};
