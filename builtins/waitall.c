/* waitall - wait for every job of a set, optionally failing fast */

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
#include "term.h"
#include "waitargs.h"
#include "waitset.h"

/* How long the jobs stopped by -f get between TERM and KILL. */
#define FAILFAST_GRACE_NS	(5000LL * 1000000)

struct wa_state {
	struct jobref *v;
	char *done;
	int n, first_fail;
};

static const struct optdef waitall_opts[] = {
	{ "timeout", 't', 1 },
	{ "fail-fast", 'f', 0 },
	{ NULL, 'a', 1 },
	{ NULL, 0, 0 }
};

/* Note the jobs of S that are done; return non-zero if one failed. */
static int
wa_scan(struct wa_state *s, int *live)
{
	int i, st, failed;

	failed = 0;
	*live = 0;
	for (i = 0; i < s->n; i++) {
		if (s->done[i])
			continue;
		st = jobref_state(&s->v[i]);
		if (st == JOBREF_GONE) {
			s->v[i].status = EXIT_ENOENT;
			st = JOBREF_DONE;
		}
		if (st != JOBREF_DONE) {
			*live += 1;
			continue;
		}
		s->done[i] = 1;
		if (s->v[i].status != 0) {
			failed = 1;
			if (s->first_fail < 0)
				s->first_fail = i;
		}
	}
	return (failed);
}

/* Stop every job of S that still runs, and note how each ended. */
static void
wa_stop_rest(struct wa_state *s, struct waitset *w)
{
	struct jobref *rest;
	int i, k, live;

	rest = xmalloc(s->n * sizeof(*rest));
	for (i = k = 0; i < s->n; i++)
		if (!s->done[i])
			rest[k++] = s->v[i];
	term_jobs(w, rest, k, SIGTERM, FAILFAST_GRACE_NS);
	free(rest);
	wa_scan(s, &live);
}

static int
wa_fill(struct wa_state *s, const char *array)
{
	SHELL_VAR *a;
	int i;

	if (array == NULL)
		return (0);
	if ((a = var_array(array)) == NULL)
		return (-1);
	for (i = 0; i < s->n; i++)
		if (s->done[i])
			var_array_set(a, i, s->v[i].status);
	return (0);
}

/*
 * Wait for S in W (with POLL, look once and do not wait); return 0 when
 * all are done, 124, or -SIG.
 */
static int
wa_loop(struct wa_state *s, struct waitset *w, int failfast, int poll)
{
	int live, r, looked;

	for (looked = 0;; looked++) {
		if (wa_scan(s, &live) && failfast && live) {
			wa_stop_rest(s, w);
			return (0);
		}
		if (live == 0)
			return (0);
		if ((r = waitset_turn(w, poll, looked)) != 0)
			return (r < 0 ? EXIT_TIMEDOUT : -r);
	}
}

static int
wa_run(const struct waitargs *a)
{
	struct wa_state s;
	struct waitset w;
	int i, ret;

	if (waitargs_begin(a, &w) < 0)
		return (EXECUTION_FAILURE);
	memset(&s, 0, sizeof(s));
	ret = a->ids ? jobref_parse(a->ids, &s.v, &s.n, 0) :
	    jobref_all(&s.v, &s.n);
	if (ret != 0) {
		waitset_end(&w);
		return (ret);
	}
	s.done = xmalloc(s.n + 1);
	memset(s.done, 0, s.n + 1);
	s.first_fail = -1;
	ret = wa_loop(&s, &w, a->failfast, a->poll);
	/* Timeout or signal: nothing is consumed, every job stays waitable. */
	if (ret == 0)
		for (i = 0; i < s.n; i++)
			jobref_consume(&s.v[i], 0);
	if (wa_fill(&s, a->var) < 0 && ret == 0)
		ret = EXECUTION_FAILURE;
	else if (ret == 0 && s.first_fail >= 0)
		ret = s.v[s.first_fail].status;
	free(s.v);
	free(s.done);
	if (ret < 0)
		return (waitset_deliver(&w, -ret));
	waitset_end(&w);
	return (ret);
}

static int
waitall_builtin(WORD_LIST *list)
{
	struct waitargs a;
	int ret;

	if ((ret = waitargs_parse(list, waitall_opts, &a)) != 0)
		return (ret);
	/* A readonly or associative ARRAY is refused before any wait. */
	if (a.var && var_array(a.var) == NULL)
		return (EXECUTION_FAILURE);
	return (wa_run(&a));
}

BG_LOADERS(waitall)

/* Help text: the layout of its Options section is in lib/load.h. */
static char *waitall_doc[] = {
	"Wait for every job of a set to end.",
	"",
	"Wait until all the jobs named by ID (pids or job specs such as %2)",
	"have ended.  With no ID, wait for every background job of the shell",
	"that no waitany or waitall has reported yet, including jobs that",
	"already ended (stopped jobs are left out).",
	"",
	"The jobs waited for leave the job table once all have ended; `wait",
	"PID' still returns their statuses.  An ID whose job was already",
	"reported (by waitany, say) still gives its status.  bash does not",
	"record who collected a status, so with no ID a job already collected",
	"by bash's own `wait' or `wait -n' is counted again, and so may be a",
	"finished process substitution, which bash keeps in the same place:",
	"give IDs when it matters.",
	"",
	"Options:",
	"  -t, --timeout DURATION",
	"\t\t\tgive up after DURATION (1.5, 250ms, 2s, 1m, 1h, 1d;",
	"\t\t\tplain numbers are seconds): return 124, leave every job",
	"\t\t\trunning and waitable, nothing consumed.  -t 0 does not",
	"\t\t\twait, as `read -t 0': 124 at once unless every job has",
	"\t\t\tended",
	"  -f, --fail-fast\tfail fast: at the first job that fails, stop the",
	"\t\t\tothers with their whole process trees, as killjobs does",
	"\t\t\t(TERM, KILL 5s later), and return the failed job's",
	"\t\t\tstatus",
	"  -a ARRAY\t\tset ARRAY[i] to the exit status of the i-th job (in the",
	"\t\t\torder of the IDs given); jobs still running after a",
	"\t\t\ttimeout or signal are left unset.  An ARRAY that cannot",
	"\t\t\tbe assigned (readonly, associative) is refused before",
	"\t\t\tanything is waited for",
	"",
	"A signal with a trap ends the wait with status 128+N and the trap",
	"runs; the jobs keep running.",
	"",
	"Exit Status:",
	"0 if every job succeeded; otherwise the status of the first job to",
	"fail (in the order they ended); 124 if DURATION passed first (with",
	"-t 0: if a job still runs); 128+N if signal N arrived; 127 for an ID",
	"that names no job of this shell; 1 if ARRAY cannot be assigned; 2",
	"for a usage error or a malformed ID.",
	(char *)NULL
};

BG_EXPORT struct builtin waitall_struct = {
	"waitall",
	waitall_builtin,
	BUILTIN_ENABLED,
	waitall_doc,
	"waitall [-t DURATION] [-f] [-a ARRAY] [id ...]",
	0
};
