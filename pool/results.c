/* results.c - --results FILE.csv/.tsv/.json records, and --files */

/*
 * GNU parallel's --results NAME writes one record a job when NAME ends
 * in .csv, .tsv or .json (-.csv, -.tsv, -.json: to stdout), with the
 * columns Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval,
 * Signal, Command, V1..Vn (or the --header names), Stdout, Stderr, and
 * then prints no job output.  Its CSV quoting (combine_ref) is kept:
 * a field is quoted when it holds '"' (doubled), white space, the
 * separator or NUL.  Its JSON escapes '"', '\' and control characters
 * (\u00XX); it passes other bytes raw, so invalid UTF-8 in a job's
 * output made invalid JSON: we write each byte that is not part of a
 * valid UTF-8 sequence as \ufffd, so every line parses.
 *
 * A job's output is in its spool (pool/output.c), never in memory.  When
 * the job ends its record is built into the same spool, as hidden
 * chunks (OUT_RECORD), and its output chunks are hidden; when its turn
 * to print comes (at once, or in order with -k) the record is copied to
 * the file, or to stdout through the pump as the job's only output.  A
 * copy that fails is cut back, so the file holds whole records only.
 *
 * --files copies a job's stdout into a file of its own in --tmpdir and
 * prints that file's name in its place.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bashapi.h"
#include "pump.h"
#include "joblog.h"
#include "results.h"

/* A record being built: buffered, then appended to a spool. */
struct rw {
	struct outcap *c;
	int fmt;
	char *buf;
	size_t n;
	int err;		/* errno of a failed append */
	unsigned char carry[8];	/* JSON: an unfinished UTF-8 sequence */
	int ncarry;
	int quote;		/* CSV: the field must be quoted */
};

static void
rw_flush(struct rw *w)
{
	if (w->c == NULL)	/* a header line: longer ones are cut */
		w->err = E2BIG;
	if (w->n > 0 && !w->err && output_put(w->c, OUT_RECORD, w->buf,
	    w->n) < 0)
		w->err = errno;
	w->n = 0;
}

static void
rw_put(struct rw *w, const char *s, size_t n)
{
	size_t k;

	while (n > 0) {
		if (w->n == PUMP_CHUNK)
			rw_flush(w);
		k = PUMP_CHUNK - w->n < n ? PUMP_CHUNK - w->n : n;
		memcpy(w->buf + w->n, s, k);
		w->n += k;
		s += k;
		n -= k;
	}
}

static void
rw_str(struct rw *w, const char *s)
{
	rw_put(w, s, strlen(s));
}

/*
 * The length of the valid UTF-8 sequence at S (N bytes), 0 if S[0]
 * starts none, -1 if the N bytes are a valid start of one.
 */
static int
utf8_len(const unsigned char *s, size_t n)
{
	int need, lo = 0x80, hi = 0xbf, j;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else
		return (0);
	for (j = 1; j < need; j++) {
		if ((size_t)j >= n)
			return (-1);
		if (s[j] < (j == 1 ? lo : 0x80) || s[j] > (j == 1 ? hi : 0xbf))
			return (0);
	}
	return (need);
}

/*
 * JSON-escape S (N bytes) into W; stop before a UTF-8 sequence that N
 * cuts unless FINAL.  Return the bytes consumed.
 */
static size_t
json_run(struct rw *w, const unsigned char *s, size_t n, int final)
{
	char esc[8];
	size_t i = 0;
	int k;

	while (i < n) {
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i++];
			rw_put(w, esc, 2);
		} else if (s[i] < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[i++]);
			rw_put(w, esc, 6);
		} else if (s[i] < 0x80) {
			rw_put(w, (const char *)s + i++, 1);
		} else if ((k = utf8_len(s + i, n - i)) > 0) {
			rw_put(w, (const char *)s + i, (size_t)k);
			i += (size_t)k;
		} else if (k < 0 && !final)
			break;
		else {
			rw_str(w, "\\ufffd");
			i++;
		}
	}
	return (i);
}

/* output_each's callback: a piece of a JSON string (W's carry first). */
static int
json_piece(void *arg, const char *buf, size_t n)
{
	struct rw *w = arg;
	const unsigned char *s = (const unsigned char *)buf;
	unsigned char tmp[8];
	size_t k, m, used;

	if (w->ncarry > 0) {
		m = n < 3 ? n : 3;
		memcpy(tmp, w->carry, (size_t)w->ncarry);
		memcpy(tmp + w->ncarry, s, m);
		used = json_run(w, tmp, (size_t)w->ncarry + m, 0);
		if (used < (size_t)w->ncarry) {
			/* Still cut (N < 3): keep all of it for later. */
			memmove(w->carry, tmp + used, w->ncarry + m - used);
			w->ncarry = (int)(w->ncarry + m - used);
			return (0);
		}
		s += used - (size_t)w->ncarry;
		n -= used - (size_t)w->ncarry;
		w->ncarry = 0;
	}
	k = json_run(w, s, n, 0);
	memcpy(w->carry, s + k, n - k);
	w->ncarry = (int)(n - k);
	return (0);
}

/* The end of a JSON string: what is left of the carry is invalid. */
static void
json_end(struct rw *w)
{
	json_run(w, w->carry, (size_t)w->ncarry, 1);
	w->ncarry = 0;
	rw_put(w, "\"", 1);
}

/* output_each's callback: must this CSV field be quoted? */
static int
csv_scan(void *arg, const char *buf, size_t n)
{
	struct rw *w = arg;
	char sep = w->fmt == RES_CSV ? ',' : '\t';
	size_t i;

	for (i = 0; i < n && !w->quote; i++)
		w->quote = buf[i] == '\0' || buf[i] == sep ||
		    strchr("\" \t\n\r\f\v", buf[i]) != NULL;
	return (0);
}

/* output_each's callback: a piece of a CSV field, '"' doubled. */
static int
csv_piece(void *arg, const char *buf, size_t n)
{
	struct rw *w = arg;
	const char *q;

	while ((q = memchr(buf, '"', n)) != NULL) {
		rw_put(w, buf, (size_t)(q - buf) + 1);
		rw_put(w, "\"", 1);
		n -= (size_t)(q - buf) + 1;
		buf = q + 1;
	}
	rw_put(w, buf, n);
	return (0);
}

/* Write the string S as a field (SEP before it unless it is the first). */
static void
rw_field(struct rw *w, const char *s, int first)
{
	size_t n = strlen(s);

	if (w->fmt == RES_JSON) {
		rw_put(w, "\"", 1);
		json_piece(w, s, n);
		json_end(w);
		return;
	}
	if (!first)
		rw_put(w, w->fmt == RES_CSV ? "," : "\t", 1);
	w->quote = 0;
	csv_scan(w, s, n);
	if (w->quote)
		rw_put(w, "\"", 1);
	csv_piece(w, s, n);
	if (w->quote)
		rw_put(w, "\"", 1);
}

/* Write stream I of C's output as a field, and hide it from printing. */
static void
rw_stream(struct rw *w, struct outcap *c, int i)
{
	int r;

	if (w->fmt == RES_JSON) {
		rw_put(w, "\"", 1);
		r = output_each(c, i, 1, json_piece, w);
		json_end(w);
	} else {
		rw_put(w, w->fmt == RES_CSV ? "," : "\t", 1);
		w->quote = 0;
		r = output_each(c, i, 0, csv_scan, w);
		if (w->quote)
			rw_put(w, "\"", 1);
		if (r == 0)
			r = output_each(c, i, 1, csv_piece, w);
		if (w->quote)
			rw_put(w, "\"", 1);
	}
	if (r < 0 && !w->err)
		w->err = errno;
}

/* Return the RES_* that the --results NAME asks for (GNU's rule). */
int
results_format(const char *name)
{
	size_t n = strlen(name);

	if (n >= 4 && strcasecmp(name + n - 4, ".csv") == 0)
		return (RES_CSV);
	if (n >= 4 && strcasecmp(name + n - 4, ".tsv") == 0)
		return (RES_TSV);
	if (n >= 5 && strcasecmp(name + n - 5, ".json") == 0)
		return (RES_JSON);
	return (RES_DIR);
}

/*
 * Set up R for the --results NAME (a file format: see results_format):
 * truncate the file, or use stdout for -.csv, -.tsv and -.json.  Return
 * 0, or -1 after printing why.
 */
int
results_open(struct results *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->fmt = results_format(name);
	if (r->fmt == RES_DIR || strncmp(name, "-.", 2) == 0)
		return (0);
	r->fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (r->fd < 0) {
		builtin_error("%s: cannot write the results: %s", name,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* CSV/TSV: the header line, names from J (V1..Vn without --header). */
static void
results_head(struct results *r, const struct results_job *j)
{
	static const char *const cols[] = { "Seq", "Host", "Starttime",
	    "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command" };
	struct rw w;
	char v[32];
	size_t i;
	int k;

	memset(&w, 0, sizeof(w));
	w.fmt = r->fmt;
	w.buf = xmalloc(PUMP_CHUNK);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		rw_field(&w, cols[i], i == 0);
	for (k = 0; k < j->nvals; k++) {
		snprintf(v, sizeof(v), "V%d", k + 1);
		rw_field(&w, j->nnames == j->nvals ? j->names[k] : v, 0);
	}
	rw_field(&w, "Stdout", 0);
	rw_field(&w, "Stderr", 0);
	rw_put(&w, "\n", 1);	/* the header is far below PUMP_CHUNK */
	r->head = w.buf;
	r->head[w.n < PUMP_CHUNK ? w.n : PUMP_CHUNK - 1] = '\0';
}

/*
 * The columns Seq to Signal, as GNU parallel 20260522 has them: Host is
 * the job's sshlogin (`:' here), a string like any other field.
 */
static void
results_numbers(struct rw *w, const struct results_job *j)
{
	const char *sep = w->fmt == RES_CSV ? "," : "\t";
	char buf[256];
	int exitval, sig;

	joblog_exit(j->status, j->signaled, j->timed_out, &exitval, &sig);
	if (w->fmt == RES_JSON) {
		snprintf(buf, sizeof(buf), "{ \"Seq\": %ld, \"Host\": ", j->seq);
		rw_str(w, buf);
		rw_field(w, j->host ? j->host : ":", 0);
		snprintf(buf, sizeof(buf), ", \"Starttime\": %.3f, "
		    "\"JobRuntime\": %.3f, \"Send\": 0, \"Receive\": %zu, "
		    "\"Exitval\": %d, \"Signal\": %d, \"Command\": ",
		    j->start, j->runtime, j->received, exitval, sig);
	} else {
		snprintf(buf, sizeof(buf), "%ld", j->seq);
		rw_str(w, buf);
		rw_field(w, j->host ? j->host : ":", 0);
		snprintf(buf, sizeof(buf), "%s%.3f%s%.3f%s0%s%zu%s%d%s%d", sep,
		    j->start, sep, j->runtime, sep, sep, j->received, sep,
		    exitval, sep, sig);
	}
	rw_str(w, buf);
}

/*
 * Build job J's record in its capture C (R: a file format), hiding its
 * output from printing; results_release writes it out.  Return 0, or -1
 * with errno set (the spool could not take it).
 */
int
results_record(struct results *r, const struct results_job *j,
    struct outcap *c)
{
	struct rw w;
	int k;

	if (r->head == NULL && r->fmt != RES_JSON)
		results_head(r, j);
	memset(&w, 0, sizeof(w));
	w.c = c;
	w.fmt = r->fmt;
	w.buf = xmalloc(PUMP_CHUNK);
	results_numbers(&w, j);
	rw_field(&w, j->cmd, 0);
	if (w.fmt == RES_JSON)
		rw_str(&w, ", \"V\": [ ");
	for (k = 0; k < j->nvals; k++) {
		if (w.fmt == RES_JSON && k > 0)
			rw_put(&w, ",", 1);
		rw_field(&w, j->vals[k], 0);
	}
	if (w.fmt == RES_JSON)
		rw_str(&w, " ], \"Stdout\": ");
	rw_stream(&w, c, 0);
	if (w.fmt == RES_JSON)
		rw_str(&w, ", \"Stderr\": ");
	rw_stream(&w, c, 1);
	rw_str(&w, w.fmt == RES_JSON ? " }\n" : "\n");
	rw_flush(&w);
	free(w.buf);
	errno = w.err;
	return (w.err ? -1 : 0);
}

/* output_each's callback: append to R's file, R->end not yet moved. */
static int
results_append(void *arg, const char *buf, size_t n)
{
	struct results *r = arg;
	ssize_t k;

	while (n > 0) {
		if ((k = write(r->fd, buf, n)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		buf += k;
		n -= (size_t)k;
	}
	return (0);
}

/* output_each's callback: C's record becomes its printed stdout. */
static int
results_to_stdout(void *arg, const char *buf, size_t n)
{
	return (output_put(arg, 0, buf, n));
}

/*
 * C's job's turn to print has come: write its record (and the header
 * line before the first one), then print or drop C.  Return 0, or -1
 * with errno set; a record that could not be written whole is cut back
 * off the file.
 */
int
results_release(struct results *r, struct outcap *c)
{
	int e, ret = 0;

	if (r->fd < 0) {
		if (r->head && !r->headed && output_put(c, 0, r->head,
		    strlen(r->head)) == 0)
			r->headed = 1;
		ret = output_each(c, OUT_RECORD, 0, results_to_stdout, c);
		e = errno;
		output_untag(c);
		output_emit(c);
		errno = e;
		return (ret);
	}
	if (r->head && !r->headed)
		ret = results_append(r, r->head, strlen(r->head));
	if (ret == 0)
		ret = output_each(c, OUT_RECORD, 0, results_append, r);
	e = errno;
	if (ret == 0) {
		r->headed = 1;
		r->end = lseek(r->fd, 0, SEEK_CUR);
	} else if (ftruncate(r->fd, r->end) == 0)
		lseek(r->fd, r->end, SEEK_SET);
	output_discard(c);
	errno = e;
	return (ret);
}

/*
 * --files: move C's stdout into a new file in --tmpdir and make its
 * name, on a line, C's stdout.  Store the name in *NAMEP (a new
 * string).  Return 0, or -1 with errno set.
 */
int
results_files(struct outcap *c, char **namep)
{
	struct results tmp;
	char *path;
	size_t n;
	int r, e;

	n = strlen(output_tmpdir()) + 32;
	path = xmalloc(n);
	snprintf(path, n, "%s/poolXXXXXX.par", output_tmpdir());
	memset(&tmp, 0, sizeof(tmp));
	if ((tmp.fd = mkostemps(path, 4, O_CLOEXEC)) < 0) {
		*namep = path;
		return (-1);
	}
	r = output_each(c, 0, 1, results_append, &tmp);
	e = errno;
	if (close(tmp.fd) < 0 && r == 0) {
		r = -1;
		e = errno;
	}
	*namep = path;
	strcat(path, "\n");	/* n has room for it */
	if (output_put(c, 0, path, strlen(path)) < 0 && r == 0) {
		r = -1;
		e = errno;
	}
	path[strlen(path) - 1] = '\0';
	errno = e;
	return (r);
}

/* Release R. */
void
results_close(struct results *r)
{
	if (r->fmt > RES_DIR && r->fd >= 0)
		close(r->fd);
	free(r->head);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
