/* killjobs - stop jobs gracefully: SIGNAL, a grace period, then KILL */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "duration.h"
#include "jobref.h"
#include "load.h"
#include "opts.h"
#include "term.h"
#include "waitset.h"

#define DEFAULT_GRACE_NS	(5000LL * 1000000)

static const struct optdef killjobs_opts[] = {
	{ "signal", 's', 1 },
	{ "grace", 'g', 1 },
	{ "verbose", 'v', 0 },
	{ NULL, 0, 0 }
};

/*
 * Every live job of the shell (running or stopped), workers included; not
 * a running foreground job: that is our own pipeline (lastpipe).
 */
static void
kj_all(struct jobref **out, int *n)
{
	PROCESS *p;
	int i, cap;

	*out = NULL;
	*n = cap = 0;
	for (i = 0; i < js.j_jobslots; i++) {
		if (jobs[i] == NULL || DEADJOB(i) || jobref_foreign(i) ||
		    ((jobs[i]->flags & J_FOREGROUND) && !STOPPED(i)))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		for (p = jobs[i]->pipe; p->next != jobs[i]->pipe; p = p->next)
			;
		(*out)[*n].pid = p->pid;
		(*out)[*n].job = i;
		(*out)[*n].status = 0;
		(*out)[*n].word = NULL;
		(*n)++;
	}
}

/* -v: routine progress, as plain messages (not warnings), as retry's. */
static void
kj_say(struct jobref *v, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].job != NO_JOB && jobs[v[i].job])
			fprintf(stderr, "killjobs: sending %s to [%d] %ld (%s)\n",
			    signal_name(sig), v[i].job + 1, (long)v[i].pid,
			    jobs[v[i].job]->pipe->command);
	fflush(stderr);
}

static int
kj_run(WORD_LIST *ids, int sig, int64_t grace, int verbose)
{
	struct waitset w;
	struct jobref *v;
	int i, n, t, ret;

	waitset_begin(&w, 0, WAITSET_GUARD);	/* no deadline: cannot fail */
	if (ids) {
		if ((ret = jobref_parse(ids, &v, &n, JOBREF_SKIPDONE)) != 0) {
			waitset_end(&w);
			return (ret);
		}
	} else
		kj_all(&v, &n);
	if (verbose)
		kj_say(v, n, sig);
	t = term_jobs(&w, v, n, sig, grace);
	if (verbose && t) {
		fprintf(stderr, "killjobs: grace period over: sent KILL\n");
		fflush(stderr);
	}
	for (i = 0; i < n; i++) {
		jobref_state(&v[i]);
		jobref_consume(&v[i], 0);
	}
	free(v);
	ret = t ? EXECUTION_FAILURE : EXECUTION_SUCCESS;
	/* A signal that came while we cleaned up now takes its course. */
	if (waitset_signal() != 0)
		return (waitset_deliver(&w, waitset_signal()));
	waitset_end(&w);
	return (ret);
}

static int
killjobs_builtin(WORD_LIST *list)
{
	struct opts o;
	int64_t grace;
	int c, sig, verbose, ret;

	sig = SIGTERM;
	grace = DEFAULT_GRACE_NS;
	verbose = 0;
	opts_init(&o, list);
	while ((c = opts_next(&o, killjobs_opts)) != OPTS_END) {
		switch (c) {
		case 's':
			if (signal_arg(o.arg, &sig) < 0)
				return (EX_USAGE);
			break;
		case 'g':
			if (duration_arg(o.arg, &grace) < 0)
				return (EX_USAGE);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return (EX_USAGE);
		}
	}
	/*
	 * A child forked just before the shell exits can get TERM before it
	 * resets the traps it inherited, and then runs the parent's EXIT
	 * trap (`trap killjobs EXIT') with the parent's job table: not ours.
	 */
	if (subshell_environment & SUBSHELL_IGNTRAP)
		return (EXECUTION_SUCCESS);
	begin_unwind_frame("killjobs");
	ret = kj_run(o.list, sig, grace, verbose);
	run_unwind_frame("killjobs");
	return (ret);
}

BG_LOADERS(killjobs)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *killjobs_doc[] = {
	"Stop jobs gracefully: SIGNAL, a grace period, then KILL.",
	"",
	"Send SIGNAL to each job named by ID (pids or job specs such as %2;",
	"with no ID, every running or stopped job of the shell), wait up to",
	"GRACE for them to end, send KILL to whatever is left, and reap it",
	"all: no job, zombie or orphan remains, and the jobs leave the job",
	"table (`wait PID' still returns their statuses).  Meant for",
	"`trap killjobs EXIT'.",
	"",
	"SIGNAL reaches each job's whole process tree: its processes, its own",
	"process group if it has one, and their descendants, also those in",
	"groups or sessions of their own (a nested timeout_run or pool,",
	"setsid), also for a plain `cmd &' in a script, which shares the",
	"shell's group.  What a job forks while it stops (a trap's clean-up)",
	"is not sent SIGNAL; once the jobs are gone, what SIGNAL missed gets",
	"it then, and whatever is left at the end of GRACE gets KILL.  Stopped",
	"processes are sent SIGCONT after SIGNAL so that they can act on it.",
	"Out of reach: a process that left its job's group and session after",
	"its parent died, before killjobs started (a daemon that",
	"double-forked).",
	"",
	"Options:",
	"  -s, --signal SIGNAL",
	"\t\t\tthe first signal (name or number; default TERM)",
	"  -g, --grace GRACE",
	"\t\t\thow long to wait before KILL (default 5s; 0: KILL at",
	"\t\t\tonce after SIGNAL)",
	"  -v, --verbose\tsay on stderr what is sent to which job",
	"",
	"Signals that reach the shell meanwhile wait until the jobs are gone,",
	"then take their course (trap, or the script's end).",
	"",
	"Exit Status:",
	"0 if every job ended before KILL; 1 if KILL was needed; 128+N if",
	"signal N (trapped) arrived while it waited (the jobs are stopped as",
	"asked all the same, then the trap runs); 2 for a usage error or a",
	"malformed ID; 127 for an ID that names no job.",
	(char *)NULL
};

BG_EXPORT struct builtin killjobs_struct = {
	"killjobs",
	killjobs_builtin,
	BUILTIN_ENABLED,
	killjobs_doc,
	"killjobs [-s SIGNAL] [-g GRACE] [-v] [id ...]",
	0
};
