/* onchange - run a command when files change (inotify, no polling) */

/*
 * What `inotifywait -m | while read' and entr do, for everything the
 * shell can run: a function keeps the script's state, and no event is
 * lost between runs.  The inotify descriptor is read in the same sleep
 * as the child's end and the signals (waitset), so events are drained
 * while the command runs (the kernel's queue would otherwise overflow on
 * a big burst) and merged into the next run's path list, each path once.
 * A run starts once the events have been quiet for the debounce time (or
 * ten debounce times after the first, so that a file written without a
 * pause still gets runs).  Each run is a child job in a process group of
 * its own, as with timeout_run, so that a restart, the time limit or
 * Ctrl-C stops its whole tree with the term sequence (lib/term.c).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "bashapi.h"
#include "attempt.h"
#include "child.h"
#include "duration.h"
#include "exitcodes.h"
#include "jobref.h"
#include "load.h"
#include "vars.h"
#include "opts.h"
#include "term.h"
#include "waitset.h"
#include "watch.h"

#define OC_QUEUE	0
#define OC_RESTART	1
#define OC_IGNORE	2

#define OC_GONE		3
#define OC_DEFAULT_DEBOUNCE	(100LL * 1000000)
#define OC_GRACE_NS	(1000LL * 1000000)

#define OPT_ONCE	256
#define OPT_NOGIT	257

struct oc_args {
	uint32_t mask;
	int recursive, gitignore, args, once, initial, busy;
	int64_t debounce, limit, kill_after;
	char *var;
	char **exclude;
	int nexclude;
	WORD_LIST *paths;	/* up to the "--" */
	int npaths;
	WORD_LIST *cmd;
};

/* What a call holds: freed on every way out. */
struct oc_state {
	struct waitset ws;
	struct watch w;
	struct watch_paths pend, cur, drop;
	struct jobref r;
	int active, status, sig;
	int initial;		/* the running one is -i's run */
	int64_t first, last, deadline;
};

static const struct optdef oc_opts[] = {
	{ "args", 'a', 0 },
	{ "debounce", 'd', 1 },
	{ "events", 'e', 1 },
	{ "initial", 'i', 0 },
	{ "kill-after", 'k', 1 },
	{ "no-default-ignore", OPT_NOGIT, 0 },
	{ "on-busy", 'b', 1 },
	{ "once", OPT_ONCE, 0 },
	{ "recursive", 'r', 0 },
	{ "time-limit", 't', 1 },
	{ "var", 'v', 1 },
	{ "exclude", 'x', 1 },
	{ NULL, 0, 0 }
};

static int
oc_busy(const char *s, int *busy)
{
	if (strcmp(s, "queue") == 0)
		*busy = OC_QUEUE;
	else if (strcmp(s, "restart") == 0)
		*busy = OC_RESTART;
	else if (strcmp(s, "ignore") == 0)
		*busy = OC_IGNORE;
	else {
		builtin_error("%s: invalid mode (queue, restart or ignore)", s);
		return (-1);
	}
	return (0);
}

/* Apply option C with argument ARG to A; return 0 or -1 (message shown). */
static int
oc_opt(struct oc_args *a, int c, char *arg)
{
	switch (c) {
	case 'a':
		a->args = 1;
		return (0);
	case 'b':
		return (oc_busy(arg, &a->busy));
	case 'd':
		return (duration_arg(arg, &a->debounce));
	case 'e':
		return (watch_events(arg, &a->mask));
	case 'i':
		a->initial = 1;
		return (0);
	case 'k':
		return (duration_arg(arg, &a->kill_after));
	case 'r':
		a->recursive = 1;
		return (0);
	case 't':
		return (duration_arg(arg, &a->limit));
	case 'v':
		a->var = arg;
		return (var_name_ok(arg) ? 0 : -1);
	case 'x':
		a->exclude = xrealloc(a->exclude,
		    (a->nexclude + 2) * sizeof(char *));
		a->exclude[a->nexclude++] = arg;
		a->exclude[a->nexclude] = NULL;
		return (0);
	case OPT_NOGIT:
		a->gitignore = 0;
		return (0);
	case OPT_ONCE:
		a->once = 1;
		return (0);
	}
	return (-1);
}

/* Split the operands into PATH... and, after "--", the command. */
static int
oc_operands(struct oc_args *a, WORD_LIST *l)
{
	a->paths = l;
	for (a->npaths = 0; l && strcmp(l->word->word, "--") != 0;
	    l = l->next)
		a->npaths++;
	if (a->npaths == 0 || l == NULL || l->next == NULL) {
		builtin_usage();
		return (EX_USAGE);
	}
	a->cmd = l->next;
	return (0);
}

static int
oc_parse(WORD_LIST *list, struct oc_args *a)
{
	struct opts o;
	int c;

	memset(a, 0, sizeof(*a));
	a->mask = IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM |
	    IN_MOVED_TO;
	a->gitignore = 1;
	a->debounce = OC_DEFAULT_DEBOUNCE;
	a->var = "ONCHANGE_PATHS";
	opts_init(&o, list);
	while ((c = opts_next(&o, oc_opts)) != OPTS_END) {
		if (c == OPTS_ERROR || c == OPTS_HELP)
			return (EX_USAGE);
		if (oc_opt(a, c, o.arg) < 0)
			return (EX_USAGE);
	}
	return (oc_operands(a, o.list));
}

/* Watch every path operand.  Return 0, or 1 after a message. */
static int
oc_watch(const struct oc_args *a, struct watch *w)
{
	WORD_LIST *l;
	int i;

	w->mask = a->mask;
	w->recursive = a->recursive;
	w->gitignore = a->gitignore;
	w->exclude = a->exclude;
	for (l = a->paths, i = 0; i < a->npaths; l = l->next, i++)
		if (watch_add(w, l->word->word) < 0)
			return (EXECUTION_FAILURE);
	return (0);
}

/* In a forked run: the watch is the shell's, not the command's. */
static void
oc_child_setup(void *arg)
{
	close(*(int *)arg);
}

/* The command's words, with the changed paths after them under -a. */
static WORD_LIST *
oc_words(const struct oc_args *a, const struct watch_paths *p)
{
	WORD_LIST *words, *l;
	size_t i;

	words = copy_word_list(a->cmd);
	if (!a->args || p->n == 0)
		return (words);
	for (l = words; l->next; l = l->next)
		;
	for (i = 0; i < p->n; i++, l = l->next)
		l->next = make_word_list(make_word(p->v[i]), NULL);
	return (words);
}

/* Start a run with s->cur as its paths.  Return 0 or 1 (message shown). */
static int
oc_start(const struct oc_args *a, struct oc_state *s)
{
	struct child_opts co;
	SHELL_VAR *v;
	WORD_LIST *words;
	size_t i;

	if ((v = var_array(a->var)) == NULL)
		return (EXECUTION_FAILURE);
	for (i = 0; i < s->cur.n; i++)
		array_insert(array_cell(v), i, s->cur.v[i]);
	memset(&co, 0, sizeof(co));
	co.flags = CHILD_KEEPSTDIN | CHILD_OWNPGRP;
	co.grace = a->kill_after;
	co.setup = oc_child_setup;
	co.arg = &s->w.fd;
	words = oc_words(a, &s->cur);
	memset(&s->r, 0, sizeof(s->r));
	s->r.pid = child_spawn(words, &co, &s->r.job);
	dispose_words(words);
	if (s->r.pid < 0) {
		builtin_error("cannot fork: %s", strerror(errno));
		return (EXECUTION_FAILURE);
	}
	jobref_own(s->r.pid, 1);
	s->active = 1;
	return (0);
}

/*
 * If the run has ended, stop what it left behind, consume its job and
 * keep its status.  Return 1 if it has ended.
 */
static int
oc_reap(const struct oc_args *a, struct oc_state *s)
{
	int st;

	if (!s->active)
		return (0);
	st = jobref_state(&s->r);
	if (st != JOBREF_DONE && st != JOBREF_GONE)
		return (0);
	if (st == JOBREF_DONE)
		term_jobs(&s->ws, &s->r, 1, SIGTERM, a->kill_after ?
		    a->kill_after : CHILD_GRACE_NS);
	s->status = st == JOBREF_DONE ? s->r.status : EXECUTION_FAILURE;
	jobref_consume(&s->r, 1);
	s->active = 0;
	return (1);
}

/* Stop the running command's tree with SIG, the term sequence. */
static void
oc_stop(const struct oc_args *a, struct oc_state *s, int sig)
{
	if (!s->active)
		return;
	term_jobs(&s->ws, &s->r, 1, sig, a->kill_after ? a->kill_after :
	    OC_GRACE_NS);
	if (!oc_reap(a, s)) {
		jobref_consume(&s->r, 1);
		s->active = 0;
	}
}

/* Drain the events into the pending list (or drop them: -b ignore). */
static int
oc_read(const struct oc_args *a, struct oc_state *s)
{
	struct watch_paths *into;
	int n;

	into = s->active && a->busy == OC_IGNORE ? &s->drop : &s->pend;
	if ((n = watch_read(&s->w, into)) < 0)
		return (-1);
	watch_paths_clear(&s->drop);
	if (n > 0 && s->pend.n > 0) {
		s->last = duration_now();
		if (s->first == 0)
			s->first = s->last;
	}
	return (0);
}

/* When the pending paths are due for a run: quiet, or waiting too long. */
static int64_t
oc_due(const struct oc_args *a, const struct oc_state *s)
{
	int64_t quiet, cap;

	quiet = s->last + a->debounce;
	cap = s->first + 10 * a->debounce;
	return (quiet < cap ? quiet : cap);
}

/* Start a run with the pending paths if they are due.  Return 0 or 1. */
static int
oc_maybe_run(const struct oc_args *a, struct oc_state *s)
{
	if (s->pend.n == 0 || duration_now() < oc_due(a, s))
		return (0);
	if (s->active && a->busy != OC_RESTART)
		return (0);
	if (s->active) {
		/* The stopped run did not finish with its paths. */
		oc_stop(a, s, SIGTERM);
		watch_paths_merge(&s->cur, &s->pend);
	} else {
		watch_paths_clear(&s->cur);
		watch_paths_merge(&s->cur, &s->pend);
	}
	s->first = s->last = 0;
	s->initial = 0;
	return (oc_start(a, s));
}

/* Sleep until an event, the child's end, a signal, or what is due. */
static void
oc_sleep(const struct oc_args *a, struct oc_state *s)
{
	struct pollfd pfd[2];
	int64_t at;

	at = s->deadline;
	if (s->pend.n && (!s->active || a->busy == OC_RESTART) &&
	    (at == 0 || oc_due(a, s) < at))
		at = oc_due(a, s);
	waitset_deadline(&s->ws, at);
	pfd[1].fd = s->w.fd;
	pfd[1].events = POLLIN;
	pfd[1].revents = 0;
	waitset_sleep_fds(&s->ws, pfd, 2);
}

/*
 * The loop: read events, reap the run, start the next.  Return the exit
 * status, or -1 with s->sig set when a signal ends it.
 */
static int
oc_loop(const struct oc_args *a, struct oc_state *s)
{
	for (;;) {
		if ((s->sig = waitset_signal()) != 0) {
			oc_stop(a, s, s->sig);
			return (-1);
		}
		if (oc_read(a, s) < 0) {
			oc_stop(a, s, SIGTERM);
			return (EXECUTION_FAILURE);
		}
		if (oc_reap(a, s) && a->once && !s->initial)
			return (s->status);
		if (s->w.root_gone && !s->active) {
			builtin_error("%s: watched directory deleted or moved",
			    s->w.gone_path);
			return (OC_GONE);
		}
		if (s->deadline && duration_now() >= s->deadline) {
			oc_stop(a, s, SIGTERM);
			return (EXIT_TIMEDOUT);
		}
		if (!s->w.root_gone && oc_maybe_run(a, s) != 0) {
			oc_stop(a, s, SIGTERM);
			return (EXECUTION_FAILURE);
		}
		oc_sleep(a, s);
	}
}

static void
oc_free(struct oc_state *s)
{
	watch_free(&s->w);
	watch_paths_clear(&s->pend);
	watch_paths_clear(&s->cur);
	watch_paths_clear(&s->drop);
	free(s->pend.v);
	free(s->pend.slot);
	free(s->cur.v);
	free(s->cur.slot);
	free(s->drop.v);
	free(s->drop.slot);
}

static int
oc_run(const struct oc_args *a)
{
	struct oc_state s;
	int ret;

	memset(&s, 0, sizeof(s));
	watch_init(&s.w);
	if ((ret = oc_watch(a, &s.w)) != 0) {
		oc_free(&s);
		return (ret);
	}
	waitset_begin(&s.ws, 0, WAITSET_GUARD);
	s.deadline = a->limit ? duration_now() + a->limit : 0;
	s.initial = a->initial;
	ret = a->initial ? oc_start(a, &s) : 0;
	if (ret == 0)
		ret = oc_loop(a, &s);
	oc_free(&s);
	if (ret < 0)
		return (waitset_deliver(&s.ws, s.sig));
	waitset_end(&s.ws);
	return (ret);
}

static int
onchange_builtin(WORD_LIST *list)
{
	struct oc_args a;
	int ret;

	if ((ret = oc_parse(list, &a)) != 0) {
		free(a.exclude);
		return (ret);
	}
	if (!attempt_findable(a.cmd->word->word)) {
		free(a.exclude);
		return (EXIT_ENOENT);
	}
	begin_unwind_frame("onchange");
	bg_unwind(xfree, a.exclude);
	ret = oc_run(&a);
	run_unwind_frame("onchange");
	return (ret);
}

BG_LOADERS(onchange)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *onchange_doc[] = {
	"Run a command when files change.",
	"",
	"Watch each PATH (a file or a directory; with -r a whole tree) with",
	"inotify, and run COMMAND with ARGs (a shell function, builtin or",
	"disk command) after each change, until a limit below or a signal",
	"ends it.  Nothing is polled: onchange sleeps until the kernel",
	"reports a change, the run ends, or a signal arrives.",
	"",
	"Changes are debounced: a run starts once no change has come for",
	"the debounce time (-d, 100ms by default; at the latest ten debounce",
	"times after the first change), so an editor's write-rename burst is",
	"one run.  The changed paths (PATH/NAME, each once, in the order",
	"first seen) are in the array ONCHANGE_PATHS (-v to name another)",
	"when the run starts, and with -a are also passed to COMMAND as",
	"arguments after ARGs (a disk command sees no arrays).  The array",
	"keeps the last run's paths when onchange returns.",
	"",
	"Each run is a child job in a process group of its own, as with",
	"timeout_run: variables it sets do not reach the shell; it keeps",
	"the shell's stdin; what it leaves running when it ends is stopped",
	"(TERM, KILL after the -k grace or 1s).  Runs never overlap.  What",
	"happens to changes that come while a run goes on (-b):",
	"  queue\t\tthey are kept, merged, and passed to one more run",
	"\t\tafter it ends (the default); no change is lost",
	"  restart\tthe run is stopped with its whole tree (TERM, KILL",
	"\t\tafter the -k grace or 1s) and started again with its",
	"\t\tpaths and the new ones, as entr -r or watchexec --restart",
	"  ignore\tthey are dropped",
	"",
	"A file PATH is watched through its directory, so a file replaced",
	"by rename (as editors save) is still followed.  With -r, a",
	"directory that appears is watched at once, and what it already",
	"holds is reported as changed.  Paths with a .git component are",
	"left out unless --no-default-ignore.",
	"",
	"Options:",
	"  -r, --recursive\twatch directories' whole trees",
	"  -e, --events LIST",
	"\t\t\tthe kinds of change reported, separated by commas:",
	"\t\t\tcreate, write (a file closed after writing), modify",
	"\t\t\t(every write), delete, move, attrib, all; default",
	"\t\t\tcreate,write,delete,move",
	"  -x, --exclude PATTERN",
	"\t\t\tleave out paths whose name or whole path matches the",
	"\t\t\tglob PATTERN (repeatable); with -r an excluded",
	"\t\t\tdirectory is not watched",
	"  --no-default-ignore",
	"\t\t\talso report paths under .git",
	"  -d, --debounce DURATION",
	"\t\t\tquiet time before a run (default 100ms)",
	"  -v, --var ARRAY\tput the changed paths in ARRAY (default",
	"\t\t\tONCHANGE_PATHS)",
	"  -a, --args\talso pass the changed paths as arguments",
	"  -b, --on-busy MODE",
	"\t\t\tqueue (default), restart or ignore: see above",
	"  -k, --kill-after DURATION",
	"\t\t\tgrace between TERM and KILL when a run is stopped",
	"\t\t\t(default 1s)",
	"  -i, --initial\trun COMMAND once at the start, with no paths",
	"  --once\t\treturn after the first run a change started (not -i's),",
	"\t\t\twith its status",
	"  -t, --time-limit DURATION",
	"\t\t\treturn after DURATION (124; 0: no limit, the default);",
	"\t\t\ta run still going then is stopped",
	"",
	"DURATION is 1.5, 250ms, 2s, 1m, 1h or 1d; plain numbers are",
	"seconds.  If the shell gets SIGINT (Ctrl-C), TERM, HUP or a trapped",
	"signal, the running command's tree is stopped and onchange returns",
	"128+N; nothing it started is left behind.  When the kernel's event",
	"queue overflows, the watched roots are passed instead of the lost",
	"paths, with a warning.",
	"",
	"Exit Status:",
	"With --once, the run's status (128+N if signal N killed it); 124",
	"when the -t limit ends it; 3 when a watched directory (a PATH, or",
	"the directory of a file PATH) is deleted or moved (after the run",
	"going on ends); 1 if a PATH cannot be watched (missing, or the",
	"inotify watch limit fs.inotify.max_user_watches is reached, also",
	"later under -r) or a run cannot be started; 127 if COMMAND is not",
	"found; 128+N if the shell got signal N; 2 for a usage error or an",
	"invalid value (nothing is watched or run).",
	(char *)NULL
};

BG_EXPORT struct builtin onchange_struct = {
	"onchange",
	onchange_builtin,
	BUILTIN_ENABLED,
	onchange_doc,
	"onchange [-r] [-e LIST] [-x PATTERN] [-d DURATION] [-v ARRAY] [-a] [-b MODE] [-i] [--once] [-t DURATION] PATH... -- command [arg ...]",
	0
};
