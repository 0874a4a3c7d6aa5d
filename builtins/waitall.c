/* waitall - wait for every job of a set, optionally failing fast */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "duration.h"
#include "jobref.h"
#include "load.h"
#include "opts.h"
#include "term.h"
#include "waitset.h"

/* How long the jobs stopped by -f get between TERM and KILL. */
#define FAILFAST_GRACE_NS	(5000LL * 1000000)

struct wa_state {
	struct jobref *v;
	char *done;
	int n, ndone, first_fail;
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
			s->v[i].status = 127;
			st = JOBREF_DONE;
		}
		if (st != JOBREF_DONE) {
			*live += 1;
			continue;
		}
		s->done[i] = 1;
		s->ndone++;
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

/* Wait for S in W; return 0 when all are done, 124, or -SIG. */
static int
wa_loop(struct wa_state *s, struct waitset *w, int failfast)
{
	int live, sig;

	for (;;) {
		if (wa_scan(s, &live) && failfast && live) {
			wa_stop_rest(s, w);
			return (0);
		}
		if (live == 0)
			return (0);
		if ((sig = waitset_signal()) != 0)
			return (-sig);
		if (waitset_expired(w))
			return (124);
		waitset_sleep(w);
	}
}

static int
wa_run(WORD_LIST *ids, int64_t limit, int failfast, const char *array)
{
	struct wa_state s;
	struct waitset w;
	int i, ret;

	if (waitset_begin(&w, limit ? duration_now() + limit : 0, 0) < 0) {
		builtin_error("cannot make a timer: %s", strerror(errno));
		return (EXECUTION_FAILURE);
	}
	memset(&s, 0, sizeof(s));
	ret = ids ? jobref_parse(ids, &s.v, &s.n, 0) : jobref_all(&s.v, &s.n);
	if (ret != 0) {
		waitset_end(&w);
		return (ret);
	}
	s.done = xmalloc(s.n + 1);
	memset(s.done, 0, s.n + 1);
	s.first_fail = -1;
	ret = wa_loop(&s, &w, failfast);
	/* Timeout or signal: nothing is consumed, every job stays waitable. */
	if (ret == 0)
		for (i = 0; i < s.n; i++)
			jobref_consume(&s.v[i], 0);
	if (wa_fill(&s, array) < 0 && ret == 0)
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
	struct opts o;
	int64_t limit;
	char *array;
	int c, failfast;

	limit = 0;
	failfast = 0;
	array = NULL;
	opts_init(&o, list);
	while ((c = opts_next(&o, waitall_opts)) != OPTS_END) {
		switch (c) {
		case 't':
			if (duration_arg(o.arg, &limit) < 0)
				return (EX_USAGE);
			break;
		case 'f':
			failfast = 1;
			break;
		case 'a':
			if (!var_name_ok(o.arg))
				return (EX_USAGE);
			array = o.arg;
			break;
		default:
			return (EX_USAGE);
		}
	}
	return (wa_run(o.list, limit, failfast, array));
}

BG_LOADERS(waitall)

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
	"  -t DURATION\tgive up after DURATION (1.5, 250ms, 2s, 1m, 1h, 1d;",
	"\t\tplain numbers are seconds; 0 means no limit): return 124,",
	"\t\tleave every job running and waitable, nothing consumed",
	"  -f\t\tfail fast: at the first job that fails, stop the others",
	"\t\twith their whole process trees, as killjobs does (TERM,",
	"\t\tKILL 5s later), and return the failed job's status",
	"  -a ARRAY\tset ARRAY[i] to the exit status of the i-th job (in",
	"\t\tthe order of the IDs given); jobs still running after a",
	"\t\ttimeout or signal are left unset",
	"",
	"A signal with a trap ends the wait with status 128+N and the trap",
	"runs; the jobs keep running.",
	"",
	"Exit Status:",
	"0 if every job succeeded; otherwise the status of the first job to",
	"fail (in the order they ended); 124 if DURATION passed first; 128+N",
	"if signal N arrived; 127 for an ID that names no job of this shell;",
	"2 for a usage error or a malformed ID.",
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
