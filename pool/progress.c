/* progress.c - what a pool shows of its progress, and its jobs' runtimes */

/*
 * --progress and --eta print what GNU parallel 20260522 prints: a header
 * naming the computers, then a status line, "ETA: 3s Left: 5 AVG: 0.61s
 * local:2/3/100%/0.7s" (jobs running / completed / % of started jobs /
 * seconds per completed job), redrawn in place.  The ETA is GNU's too: an
 * average smoothed towards the latest one as the pool nears its end, that
 * does not go up by less than 10% (it would only jitter).
 *
 * A line redrawn with \r is of no use in a CI log: it lands there as one
 * endless line, or as thousands.  --progress-every (pool's own) prints
 * one plain line every DURATION, or each time another N% of the jobs
 * are done, and a last one at the end: counts, elapsed time, ETA.  The
 * counts make it testable without a clock.  Every kind of line goes
 * through the pump's one progress slot (pool/pump.c), drawn when stderr
 * has nothing else to print, so it never lands inside a job's output; a
 * line still waiting there when the next is due is replaced by it (the
 * counts only grow).
 *
 * --timeout N% needs the median runtime of the jobs that succeeded so
 * far: GNU parallel keeps a remedian (a median of medians of rows of 999,
 * three rows deep), so memory stays bounded on endless inputs; so do we.
 * GNU sorts each row as strings ("10.2" < "9.1"); we sort numbers.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "duration.h"
#include "progress.h"

/*
 * Parse --progress-every's TEXT: a duration (DURATION > 0 into NS) or N%
 * of the jobs (1..100 into PCT).  Return 0, or -1 if TEXT is neither.
 */
int
progress_every_parse(const char *text, int64_t *ns, int *pct)
{
	char *end;
	long n;
	size_t len = strlen(text);

	*ns = 0;
	*pct = 0;
	if (len > 1 && text[len - 1] == '%') {
		n = strtol(text, &end, 10);
		if (end != text + len - 1 || text[0] < '0' || text[0] > '9' ||
		    n < 1 || n > 100)
			return (-1);
		*pct = (int)n;
		return (0);
	}
	return (duration_parse(text, ns) < 0 || *ns <= 0 ? -1 : 0);
}

/* GNU parallel's header: the computers, then what the status line says. */
void
progress_header(const struct progress_counts *c, char *buf, size_t size)
{
	snprintf(buf, size, "\nComputers / CPU threads / Max jobs to run\n"
	    "1:local / %d / %d\n\nComputer:jobs running/jobs completed/"
	    "%%of started jobs/Average seconds to complete\n", c->ncpu,
	    c->jobs);
}

/* GNU parallel's compute_eta: the smoothed ETA in seconds; AVG into AVG. */
static long
progress_eta(struct progress *pr, const struct progress_counts *c,
    double *avg)
{
	long total, left, eta;
	double pct, passed;

	*avg = 0;
	if (c->done == 0)
		return (0);
	total = c->total > c->done ? c->total : c->done;
	left = total - c->done;
	pct = (double)c->done / total;
	if (pr->first_done == 0)
		pr->first_done = c->elapsed > 0 ? c->elapsed : 1;
	passed = (c->elapsed - pr->first_done) / 1e9;
	*avg = passed / c->done;
	if (pr->smoothed == 0)
		pr->smoothed = *avg;
	pr->smoothed = (1 - pct) * pr->smoothed + pct * *avg;
	eta = (long)(left * pr->smoothed);
	if (eta * 0.90 < pr->last_eta && pr->last_eta < eta)
		eta = pr->last_eta;	/* up by less than 10%: keep it */
	else
		pr->last_eta = eta;
	return (eta);
}

/* GNU parallel's status line for --progress and --eta, into BUF. */
void
progress_gnu_line(struct progress *pr, const struct progress_counts *c,
    char *buf, size_t size)
{
	char eta[96];
	double avg, secs;
	long left, eta_s, total;
	int pct;

	eta[0] = '\0';
	if (pr->eta) {
		eta_s = progress_eta(pr, c, &avg);
		total = c->total > c->done ? c->total : c->done;
		left = total - c->done;
		snprintf(eta, sizeof(eta), "ETA: %lds Left: %ld AVG: %.2fs  ",
		    eta_s, left, avg);
	}
	pct = c->started ? (int)((c->running + c->done) * 100 / c->started) :
	    0;
	secs = c->done ? c->elapsed / 1e9 / c->done : 0;
	snprintf(buf, size, "%slocal:%d/%ld/%d%%/%.1fs ", eta, c->running,
	    c->done, pct, secs);
}

/* Seconds as 45s, 2m05s, 1h02m05s. */
static void
progress_secs(long s, char *buf, size_t size)
{
	if (s >= 3600)
		snprintf(buf, size, "%ldh%02ldm%02lds", s / 3600, s / 60 % 60,
		    s % 60);
	else if (s >= 60)
		snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, size, "%lds", s);
}

/*
 * --progress-every's plain line into BUF: "pool: progress 12/40 done
 * (30%), 1 failed, 4 running, 1m02s elapsed, ETA 2m35s" (no total, no
 * ETA while the total is unknown).
 */
void
progress_plain_line(const struct progress_counts *c, char *buf, size_t size)
{
	char el[32], eta[48], done[64];
	long secs = (long)(c->elapsed / 1000000000);

	progress_secs(secs, el, sizeof(el));
	eta[0] = '\0';
	if (c->total >= 0) {
		snprintf(done, sizeof(done), "%ld/%ld done (%ld%%)", c->done,
		    c->total, c->total ? c->done * 100 / c->total : 100);
		if (c->done > 0) {
			strcpy(eta, ", ETA ");
			progress_secs((long)((double)c->elapsed / 1e9 /
			    c->done * (c->total - c->done) + 0.5),
			    eta + 6, sizeof(eta) - 6);
		}
	} else
		snprintf(done, sizeof(done), "%ld done", c->done);
	snprintf(buf, size, "pool: progress %s, %ld failed, %d running, %s "
	    "elapsed%s", done, c->failed, c->running, el, eta);
}

/*
 * --progress-every: is a plain line due at NOW (ns since the pool began)?
 * Every every_ns, or each time the done count passes the next N% of the
 * total (the line at 100% is the last line, printed at the end).
 */
int
progress_plain_due(struct progress *pr, const struct progress_counts *c,
    int64_t now)
{
	long mark;
	int due = 0;

	if (pr->every_ns) {
		if (pr->next_at == 0)
			pr->next_at = now + pr->every_ns;
		while (now >= pr->next_at) {
			pr->next_at += pr->every_ns;
			due = 1;
		}
		return (due);
	}
	if (pr->every_pct == 0 || c->total <= 0)
		return (0);
	for (;;) {
		/* The next mark: ceil(k * N% of the total), k = 1, 2, ... */
		mark = ((pr->next_done + 1) * pr->every_pct * c->total + 99) /
		    100;
		if (c->done < mark)
			break;
		pr->next_done++;
		due = 1;
	}
	return (due && c->done < c->total);
}

static int
remedian_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* The lower median of the N values in ROW, as GNU parallel takes it. */
static double
remedian_of(const double *row, long n)
{
	double tmp[REMEDIAN_K];

	memcpy(tmp, row, n * sizeof(*row));
	qsort(tmp, n, sizeof(*tmp), remedian_cmp);
	return (tmp[(n - 1) / 2]);
}

/* Add the runtime V (seconds) to the running median R. */
void
remedian_add(struct remedian *r, double v)
{
	long i = r->n++, k = REMEDIAN_K, n0, n1, n2;
	int j;

	for (j = 0; j < 3; j++)
		if (r->row[j] == NULL)
			r->row[j] = xmalloc(REMEDIAN_K * sizeof(double));
	r->row[0][i % k] = v;
	n0 = r->n < k ? r->n : k;
	r->row[1][i / k % k] = remedian_of(r->row[0], n0);
	n1 = i / k + 1 < k ? i / k + 1 : k;
	r->row[2][i / k / k % k] = remedian_of(r->row[1], n1);
	n2 = i / k / k + 1 < k ? i / k / k + 1 : k;
	r->median = remedian_of(r->row[2], n2);
}

/* Release R's rows. */
void
remedian_free(struct remedian *r)
{
	int j;

	for (j = 0; j < 3; j++)
		free(r->row[j]);
	memset(r, 0, sizeof(*r));
}
