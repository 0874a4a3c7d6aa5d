/* timeout_run - run a function, builtin or command under a time limit */

/*
 * coreutils timeout for everything the shell can run.  The command runs
 * as a child job in a process group of its own, and the signal reaches
 * its whole tree (lib/term.c: a function's grandchildren, a nested
 * timeout_run's command in a group of its own, setsid).  What the command
 * leaves running when it ends by itself is stopped too (TERM, KILL after
 * the -k grace): unlike coreutils, whose time limit a background process
 * escapes, but as systemd does for a service; a limit that can be escaped
 * by `&' limits nothing.  Exit statuses follow coreutils: the command's
 * own status; 124 when the limit passed (the command's status with
 * --preserve-status); 137 when KILL was needed (-k, or -s KILL); 125 when
 * timeout_run itself failed, usage errors included (a 2 could not be told
 * from the command's own); 126/127 when the command cannot be run or is
 * not found.  A signal that reaches the shell meanwhile (Ctrl-C, TERM,
 * HUP, a trapped one) is forwarded to the command's tree, which gets the
 * -k grace (1s without -k) before KILL; timeout_run then returns 128+N
 * and the signal takes its course in the shell (trap, prompt, or death).
 */

#include <stdio.h>
#include <string.h>

#include "bashapi.h"
#include "attempt.h"
#include "duration.h"
#include "exitcodes.h"
#include "load.h"
#include "opts.h"
#include "term.h"

#define OPT_PRESERVE	256
#define OPT_FOREGROUND	257

struct tr_args {
	int sig;
	int64_t limit, kill_after;
	int preserve, foreground, verbose;
	WORD_LIST *cmd;
};

static const struct optdef tr_opts[] = {
	{ "signal", 's', 1 },
	{ "kill-after", 'k', 1 },
	{ "preserve-status", OPT_PRESERVE, 0 },
	{ "foreground", OPT_FOREGROUND, 0 },
	{ "verbose", 'v', 0 },
	{ NULL, 0, 0 }
};

/*
 * Parse TEXT as -s's signal into *SIG: as signal_arg, and also 0 (or
 * EXIT), which signals nothing, as coreutils accepts: at the limit the
 * command is left to run, and -k's KILL still comes.
 */
static int
tr_signal(const char *text, int *sig)
{
	if (decode_signal((char *)text, DSIG_SIGPREFIX | DSIG_NOCASE) == 0) {
		*sig = 0;
		return (0);
	}
	return (signal_arg(text, sig));
}

/*
 * Parse LIST into A.  Return 0; 125 for any error of timeout_run's own,
 * usage errors included, as coreutils timeout (a 2 could not be told from
 * the command's own 2); 2 after --help, as bash's builtins.
 */
static int
tr_parse(WORD_LIST *list, struct tr_args *a)
{
	struct opts o;
	int c;

	memset(a, 0, sizeof(*a));
	a->sig = SIGTERM;
	opts_init(&o, list);
	while ((c = opts_next(&o, tr_opts)) != OPTS_END) {
		switch (c) {
		case 's':
			if (tr_signal(o.arg, &a->sig) < 0)
				return (EXIT_CANCELED);
			break;
		case 'k':
			if (duration_arg(o.arg, &a->kill_after) < 0)
				return (EXIT_CANCELED);
			break;
		case OPT_PRESERVE:
			a->preserve = 1;
			break;
		case OPT_FOREGROUND:
			a->foreground = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case OPTS_HELP:
			return (EX_USAGE);
		default:
			return (EXIT_CANCELED);
		}
	}
	if (o.list == NULL || o.list->next == NULL) {
		builtin_usage();
		return (EXIT_CANCELED);
	}
	if (duration_arg(o.list->word->word, &a->limit) < 0)
		return (EXIT_CANCELED);
	a->cmd = o.list->next;
	return (0);
}

/* -v: say what coreutils timeout says, a plain message, not a warning. */
static void
tr_say(void *arg, int sig)
{
	const struct tr_args *a = arg;
	char *name;

	name = signal_name(sig);
	if (strncmp(name, "SIG", 3) == 0)
		name += 3;
	fprintf(stderr, "timeout_run: sending signal %s to command '%s'\n",
	    name, a->cmd->word->word);
	fflush(stderr);
}

/*
 * Run A's command as a child job (lib/attempt.c, as retry -t and every -t
 * do) and give coreutils timeout's status.
 */
static int
tr_run(const struct tr_args *a)
{
	struct attempt at;
	int st;

	memset(&at, 0, sizeof(at));
	at.deadline = a->limit ? duration_now() + a->limit : 0;
	at.kill_after = a->kill_after;
	at.sig = a->sig;
	at.watchfd = -1;
	at.foreground = a->foreground;
	if (a->verbose) {
		at.say = tr_say;
		at.sayarg = (void *)a;
	}
	st = attempt_child(a->cmd, &at);
	if (at.how == ATTEMPT_FAILED || at.how == ATTEMPT_NOPROC)
		return (EXIT_CANCELED);
	if (at.how != ATTEMPT_TIMEDOUT)
		return (st);
	/* As coreutils: KILL, sent by -k or as -s KILL, makes it 137. */
	if (st == EXIT_SIGNAL(SIGKILL) || a->sig == SIGKILL)
		return (EXIT_SIGNAL(SIGKILL));
	return (a->preserve ? at.status : EXIT_TIMEDOUT);
}

static int
timeout_run_builtin(WORD_LIST *list)
{
	struct tr_args a;
	int ret;

	if ((ret = tr_parse(list, &a)) != 0)
		return (ret);
	if (!attempt_findable(a.cmd->word->word))
		return (EXIT_ENOENT);
	begin_unwind_frame("timeout_run");
	ret = tr_run(&a);
	run_unwind_frame("timeout_run");
	return (ret);
}

BG_LOADERS(timeout_run)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *timeout_run_doc[] = {
	"Run a command with a time limit.",
	"",
	"Run COMMAND with ARGs (a shell function, builtin or disk command) and",
	"stop it if it still runs after DURATION (1.5, 250ms, 2s, 1m, 1h, 1d;",
	"plain numbers are seconds; 0 means no limit), like coreutils timeout",
	"but for everything the shell can run, without exporting functions.",
	"",
	"COMMAND runs as a child job in a process group of its own, and SIGNAL",
	"reaches its whole process tree, grandchildren included, also those in",
	"groups or sessions of their own (a nested timeout_run or pool,",
	"setsid).  It is a child: variables it sets do not reach the shell.",
	"It keeps the shell's stdin.",
	"",
	"What COMMAND leaves running when it ends by itself (a function's",
	"background jobs and their children, what a command leaves in its",
	"process group) is stopped then: TERM, and KILL after the -k grace (1s",
	"without -k), as systemd stops what a service leaves behind.  coreutils",
	"timeout leaves it running; here a time limit cannot be escaped with",
	"`&'.  Start what must outlive COMMAND outside timeout_run.",
	"",
	"Options:",
	"  -s, --signal SIGNAL",
	"\t\t\tsend SIGNAL on timeout (name or number; default TERM;",
	"\t\t\t0 sends nothing: only -k's KILL comes, as with",
	"\t\t\tcoreutils)",
	"  -k, --kill-after DURATION",
	"\t\t\tsend KILL if COMMAND still runs DURATION after SIGNAL;",
	"\t\t\twithout -k, wait for COMMAND to end",
	"  --preserve-status",
	"\t\t\ton timeout, return COMMAND's own status, not 124",
	"  --foreground\tlet COMMAND use the terminal as a foreground job",
	"\t\t\t(read it, get Ctrl-C and Ctrl-Z itself).  Under job",
	"\t\t\tcontrol it still gets its own process group; without",
	"\t\t\tjob control (scripts) it stays in the shell's group,",
	"\t\t\twhich is never signalled: COMMAND and its children are,",
	"\t\t\tone by one (coreutils --foreground spares the children)",
	"  -v, --verbose\tsay on stderr which signal is sent, as coreutils:",
	"\t\t\ttimeout_run: sending signal TERM to command 'f'",
	"",
	"If the shell gets SIGINT (Ctrl-C), SIGTERM, SIGHUP, a trapped signal",
	"or any other that would end it (USR1, ALRM, ...) while COMMAND runs,",
	"the signal is passed on to COMMAND's tree,",
	"KILL follows after the -k grace (1s by default), and timeout_run",
	"returns 128+N with nothing left running; then the signal takes its",
	"usual course in the shell (its trap runs, or the script ends).",
	"",
	"Exit Status:",
	"COMMAND's exit status if it ends in time (128+N if signal N killed",
	"it); 124 if it timed out (COMMAND's status with --preserve-status);",
	"137 if KILL was needed; 125 if timeout_run itself failed or was given",
	"a bad duration or signal, or for a usage error (unknown option, no",
	"COMMAND: a 2 could not be told from COMMAND's own 2); 126 if COMMAND",
	"cannot be run; 127 if it is not found; 128+N if the shell got signal",
	"N; 2 after --help.",
	(char *)NULL
};

BG_EXPORT struct builtin timeout_run_struct = {
	"timeout_run",
	timeout_run_builtin,
	BUILTIN_ENABLED,
	timeout_run_doc,
	"timeout_run [-s SIGNAL] [-k DURATION] [--preserve-status] [--foreground] [-v] DURATION command [arg ...]",
	0
};
