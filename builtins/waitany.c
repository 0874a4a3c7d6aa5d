/* waitany - wait for the first of a set of jobs to end, with a deadline */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "duration.h"
#include "exitcodes.h"
#include "jobref.h"
#include "load.h"
#include "vars.h"
#include "opts.h"
#include "waitargs.h"
#include "waitset.h"

static const struct optdef waitany_opts[] = {
	{ "timeout", 't', 1 },
	{ NULL, 'p', 1 },
	{ NULL, 0, 0 }
};

/*
 * Wait, in W, until one of the N jobs in V is done (with POLL, look once
 * and do not wait); return its index, -1 on timeout, -2 when none can end
 * (all gone or stopped), or -(128+SIG) when a signal ends the wait.
 */
static int
waitany_loop(struct waitset *w, struct jobref *v, int n, int poll)
{
	int i, st, live, r, looked;

	for (looked = 0;; looked++) {
		live = 0;
		for (i = 0; i < n; i++) {
			st = jobref_state(&v[i]);
			if (st == JOBREF_DONE)
				return (i);
			live += st == JOBREF_RUNNING;
		}
		if (live == 0)
			return (-2);
		if ((r = waitset_turn(w, poll, looked)) != 0)
			return (r < 0 ? -1 : -EXIT_SIGNAL(r));
	}
}

static int
waitany_builtin(WORD_LIST *list)
{
	struct waitargs a;
	struct waitset w;
	struct jobref *v;
	int n, i, ret;

	if ((ret = waitargs_parse(list, waitany_opts, &a)) != 0)
		return (ret);
	/* As `wait -n -p VAR': VAR is unset first, or nothing is done. */
	if (a.var && builtin_unbind_variable(a.var) == -2)
		return (EXECUTION_FAILURE);
	if (waitargs_begin(&a, &w) < 0)
		return (EXECUTION_FAILURE);
	ret = a.ids ? jobref_parse(a.ids, &v, &n, JOBREF_SKIPDONE |
	    JOBREF_SKIPUNKNOWN) : jobref_all(&v, &n);
	if (ret != 0) {
		waitset_end(&w);
		return (ret);
	}
	i = n ? waitany_loop(&w, v, n, a.poll) : -2;
	if (i >= 0) {
		jobref_consume(&v[i], 0);
		ret = v[i].status;
		if (a.var)
			var_set_int(a.var, v[i].pid);
	} else
		ret = i == -1 ? EXIT_TIMEDOUT : i == -2 ? EXIT_ENOENT : -i;
	free(v);
	if (ret > 128 && i < -2)
		return (waitset_deliver(&w, ret - 128));
	waitset_end(&w);
	return (ret);
}

BG_LOADERS(waitany)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *waitany_doc[] = {
	"Wait for the first of several jobs to end.",
	"",
	"Wait until the first of the jobs named by ID (a pid or a job spec such",
	"as %2) ends, and return its exit status.  With no ID, wait for any",
	"background job of the shell.  An ID that names no job of the shell is",
	"skipped after bash's message, as with `wait': the others are waited",
	"for.",
	"",
	"Unlike `wait -n', no status is ever lost: a job that ended before the",
	"call, that `jobs' already listed, or whose \"Done\" an interactive",
	"shell already printed is still reported, and every job is reported",
	"exactly once.  The job reported leaves the job table; `wait PID' still",
	"returns its status afterwards, as after `wait -n'.  Stopped jobs are",
	"not waited for.  Jobs already reported by waitany or waitall are",
	"skipped.  bash does not record who collected a status, so with no ID",
	"a job already collected by bash's own `wait' or `wait -n' is reported",
	"once more, and so may be the status of a finished process",
	"substitution, which bash keeps in the same place: give IDs when it",
	"matters.",
	"",
	"Options:",
	"  -t, --timeout DURATION",
	"\t\t\tgive up after DURATION (1.5, 250ms, 2s, 1m, 1h, 1d;",
	"\t\t\tplain numbers are seconds) with 124; the jobs keep",
	"\t\t\trunning and stay waitable.  -t 0 does not wait, as",
	"\t\t\t`read -t 0': a job that has already ended is reported,",
	"\t\t\telse it returns 124 at once (is it still running?)",
	"  -p VAR\t\tstore the pid of the job reported in VAR; VAR is unset",
	"\t\t\tfirst, and stays unset when nothing is reported",
	"\t\t\t(timeout, nothing to wait for, signal), so 127 is never",
	"\t\t\tambiguous.  A VAR that cannot be unset (readonly) is",
	"\t\t\trefused before anything is waited for, as by",
	"\t\t\t`wait -n -p VAR'",
	"",
	"A signal with a trap ends the wait with status 128+N and the trap",
	"runs.  In an interactive shell, Ctrl-C ends the wait and leaves the",
	"jobs running.",
	"",
	"Exit Status:",
	"The exit status of the job reported (128+N if a signal N killed it);",
	"124 if DURATION passed first (with -t 0: if no job had ended); 127",
	"if there is nothing to wait for (no job, or no ID names one); 128+N",
	"if signal N arrived; 1 if VAR cannot be unset; 2 for a usage error",
	"or a malformed ID.",
	(char *)NULL
};

BG_EXPORT struct builtin waitany_struct = {
	"waitany",
	waitany_builtin,
	BUILTIN_ENABLED,
	waitany_doc,
	"waitany [-t DURATION] [-p VAR] [id ...]",
	0
};
