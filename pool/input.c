/* input.c - pool's items: ::: words, :::: files, arrays, stdin */

/*
 * Several sources make the product of their values, as GNU parallel's
 * `::: a b ::: 1 2' runs a 1, a 2, b 1, b 2.  A source given with :::+
 * or ::::+ is linked to the one before: they make pairs, not the
 * product, and the shortest ends the group (GNU parallel's rule for
 * :::+); --link links them all, and there the shorter ones wrap around
 * (GNU parallel's rule for --link).  Jobs are numbered: job K's values
 * come from K read as a number whose digits are the groups' positions,
 * the last group fastest, so that --shuf is a permutation of 0..total-1.
 * A single file or stdin is read one item at a time, so that a million
 * lines cost no memory; the others are loaded first (the product needs
 * them all), and so is everything for --shuf.  Each job's values are
 * numbered here, whether or not they are run: --shard I/N (pool/shard.c)
 * skips those of other copies without changing the numbers of its own.
 * With --colsep, --csv or --header, each value is split into columns
 * (pool/columns.c) as it is taken, and the columns are the job's values;
 * --header's first line of each source names them instead of making a
 * job.
 */

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bashapi.h"
#include "input.h"
#include "words.h"

/*
 * Parse TEXT, the argument of --trim (n, l, r, lr or rl), into *TRIM.
 * Return 0, or -1 if it is none of those.  Pure, for fuzzing.
 */
int
input_trim_parse(const char *text, int *trim)
{
	static const struct word_value t[] = {
		{ "n", 0 }, { "l", INPUT_TRIM_L }, { "r", INPUT_TRIM_R },
		{ "lr", INPUT_TRIM_L | INPUT_TRIM_R },
		{ "rl", INPUT_TRIM_L | INPUT_TRIM_R }, { NULL, 0 }
	};

	return (word_lookup(t, text, trim));
}

/*
 * Say what the word W is among the operands: INPUT_WORDS (:::),
 * INPUT_FILES (::::), either with INPUT_LINKED (:::+, ::::+), or 0.
 * The separators are IN's (--arg-sep, --arg-file-sep).
 */
int
input_sep(const struct input *in, const char *w)
{
	const char *seps[2];
	size_t n;
	int i;

	seps[0] = in->arg_sep ? in->arg_sep : ":::";
	seps[1] = in->arg_file_sep ? in->arg_file_sep : "::::";
	for (i = 0; i < 2; i++) {
		n = strlen(seps[i]);
		if (strncmp(w, seps[i], n) != 0)
			continue;
		if (w[n] == '\0')
			return (i ? INPUT_FILES : INPUT_WORDS);
		if (w[n] == '+' && w[n + 1] == '\0')
			return ((i ? INPUT_FILES : INPUT_WORDS) | INPUT_LINKED);
	}
	return (0);
}

static struct source *
input_new(struct input *in, const char *name, int link)
{
	struct source *s;

	in->src = xrealloc(in->src, (in->nsrc + 1) * sizeof(*in->src));
	s = &in->src[in->nsrc++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->delim = '\n';
	s->link = link;
	/* Split, the columns are trimmed, not the line (columns.c). */
	s->trim = in->split ? 0 : in->trim;
	s->skip_blank = in->skip_blank;
	s->csv = in->split && in->cols.csv ? in->cols.sep : 0;
	return (s);
}

static int
input_blank(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f');
}

/*
 * Keep the value V (LEN bytes), trimmed as --trim says.  Return 0, or
 * -1 if -r drops it as blank.
 */
static int
source_push(struct source *s, const char *v, size_t len)
{
	if (s->trim & INPUT_TRIM_L)
		while (len > 0 && input_blank((unsigned char)*v))
			v++, len--;
	if (s->trim & INPUT_TRIM_R)
		while (len > 0 && input_blank((unsigned char)v[len - 1]))
			len--;
	if (s->skip_blank) {
		size_t i;

		for (i = 0; i < len && input_blank((unsigned char)v[i]); i++)
			;
		if (i == len)
			return (-1);
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->vals = xrealloc(s->vals, s->cap * sizeof(*s->vals));
	}
	s->vals[s->n] = xmalloc(len + 1);
	memcpy(s->vals[s->n], v, len);
	s->vals[s->n][len] = '\0';
	s->n++;
	return (0);
}

/*
 * Add the words of LIST up to the next separator as a source, linked to
 * the one before if LINK; store the rest in *REST.  Return 0.
 */
int
input_add_words(struct input *in, WORD_LIST *list, WORD_LIST **rest, int link)
{
	struct source *s;

	s = input_new(in, ":::", link);
	for (; list; list = list->next) {
		if (input_sep(in, list->word->word))
			break;
		source_push(s, list->word->word, strlen(list->word->word));
	}
	*rest = list;
	return (0);
}

/* Read items from FP, separated by DELIM, as a lazy source NAME. */
static int
input_add_fp(struct input *in, FILE *fp, int delim, const char *name,
    int link)
{
	struct source *s;

	s = input_new(in, name, link);
	s->fp = fp;
	s->delim = delim;
	return (0);
}

/*
 * Add the lines of the file PATH ("-" for stdin) as a source, linked to
 * the one before if LINK.  Return 0, or -1 after printing why it cannot
 * be read.
 */
int
input_add_file(struct input *in, const char *path, int delim, int link)
{
	FILE *fp;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (input_add_fd(in, 0, delim) < 0)
			return (-1);
		in->src[in->nsrc - 1].link = link;
		return (0);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		builtin_error("%s: cannot read: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return (-1);
	}
	return (input_add_fp(in, fp, delim, path, link));
}

/* Add the items on file descriptor FD, separated by DELIM.  Return 0/-1. */
int
input_add_fd(struct input *in, int fd, int delim)
{
	FILE *fp;
	int d;

	d = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (d < 0 || (fp = fdopen(d, "r")) == NULL) {
		builtin_error("cannot read standard input: %s", strerror(errno));
		if (d >= 0)
			close(d);
		return (-1);
	}
	return (input_add_fp(in, fp, delim, "stdin", 0));
}

/* Add the elements of the indexed array NAME.  Return 0, or -1. */
int
input_add_array(struct input *in, const char *name)
{
	SHELL_VAR *v;
	ARRAY *a;
	ARRAY_ELEMENT *e;
	struct source *s;

	v = find_variable(name);
	if (v == NULL || !array_p(v) || invisible_p(v)) {
		builtin_error("%s: not an indexed array", name);
		return (-1);
	}
	s = input_new(in, name, 0);
	a = array_cell(v);
	for (e = element_forw(a->head); e != a->head; e = element_forw(e))
		source_push(s, element_value(e), strlen(element_value(e)));
	return (0);
}

/*
 * --csv: while the record in *LINE (LEN bytes) ends inside a quoted
 * field, append the delimiter and the next line.  Return its length.
 */
static ssize_t
source_csv_more(struct source *s, char **line, size_t *cap, size_t len)
{
	char *more = NULL;
	size_t mcap = 0;
	ssize_t m;

	while (columns_csv_status(*line, len, s->csv) == CSV_OPEN &&
	    (m = getdelim(&more, &mcap, s->delim, s->fp)) > 0) {
		if (more[m - 1] == s->delim)
			m--;
		if (len + (size_t)m + 2 > *cap) {
			*cap = len + (size_t)m + 2;
			*line = xrealloc(*line, *cap);
		}
		(*line)[len++] = (char)s->delim;
		memcpy(*line + len, more, (size_t)m);
		len += (size_t)m;
		(*line)[len] = '\0';
	}
	free(more);
	return ((ssize_t)len);
}

/* Read S's next value (one that -r keeps).  Return 1, or 0 at the end. */
static int
source_read(struct source *s)
{
	char *line;
	size_t cap;
	ssize_t n;
	int kept;

	line = NULL;
	cap = 0;
	do {
		n = getdelim(&line, &cap, s->delim, s->fp);
		if (n < 0) {
			free(line);
			return (0);
		}
		if (n > 0 && line[n - 1] == s->delim)
			n--;
		if (s->csv)
			n = source_csv_more(s, &line, &cap, (size_t)n);
		kept = source_push(s, line, (size_t)n) == 0;
	} while (!kept);
	free(line);
	return (1);
}

/*
 * Group the sources: a source starts a group unless it is linked to the
 * one before.  A group makes as many values as its shortest source, or
 * with --link its longest (the others wrap), none if one is empty.
 * Return the number of jobs.
 */
static long
input_group(struct input *in)
{
	size_t len;
	long total;
	int g, i;

	in->gfirst = xmalloc((in->nsrc + 1) * sizeof(*in->gfirst));
	in->glen = xmalloc((in->nsrc + 1) * sizeof(*in->glen));
	in->ngrp = 0;
	for (i = 0; i < in->nsrc; i++) {
		len = in->src[i].n;
		if (i > 0 && (in->src[i].link || in->link_all)) {
			g = in->ngrp - 1;
			if (len == 0 || in->src[in->gfirst[g]].n == 0)
				in->glen[g] = 0;
			else if (in->link_all ? len > in->glen[g] :
			    len < in->glen[g])
				in->glen[g] = len;
			continue;
		}
		in->gfirst[in->ngrp] = i;
		in->glen[in->ngrp++] = len;
	}
	in->gfirst[in->ngrp] = in->nsrc;
	total = 1;
	for (g = 0; g < in->ngrp; g++) {
		if (in->glen[g] > 0 && total > LONG_MAX / (long)in->glen[g])
			return (LONG_MAX);
		total *= (long)in->glen[g];
	}
	return (total);
}

#define INPUT_SHUF_MAX	(1L << 22)	/* jobs shuffled in a table */

static uint64_t
input_rand(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;	/* xorshift64 */
	return (*x);
}

static unsigned long
input_gcd(unsigned long a, unsigned long b)
{
	while (b)
		a %= b, a ^= b, b ^= a, a ^= b;
	return (a);
}

/*
 * --shuf: the jobs in a random order (Fisher-Yates).  Beyond
 * INPUT_SHUF_MAX jobs a table would cost too much memory: job K is then
 * (A*K + B) mod total, A prime to the total, a permutation that is
 * random enough to spread the jobs and costs nothing.
 */
static void
input_shuffle(struct input *in)
{
	struct timespec ts;
	uint64_t x;
	long i, j, t;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 40) ^ 0x9e3779b97f4a7c15ULL;
	if (in->total > INPUT_SHUF_MAX) {
		do
			in->shuf_a = 1 + input_rand(&x) % (in->total - 1);
		while (input_gcd(in->shuf_a, (unsigned long)in->total) != 1);
		in->shuf_b = input_rand(&x) % in->total;
		return;
	}
	in->perm = xmalloc((in->total + 1) * sizeof(*in->perm));
	for (i = 0; i < in->total; i++)
		in->perm[i] = i;
	for (i = in->total - 1; i > 0; i--) {
		j = (long)(input_rand(&x) % (uint64_t)(i + 1));
		t = in->perm[i], in->perm[i] = in->perm[j], in->perm[j] = t;
	}
}

/*
 * The length of V as GNU parallel quotes it for the shell: as it is if
 * made of - _ . + / letters and digits, '' if empty, else in single
 * quotes, each run of quotes as '"RUN"' (none at either end).  Pure.
 */
size_t
input_quoted_len(const char *v)
{
	size_t n, i;

	if (*v == '\0')
		return (2);
	n = strspn(v, "-_.+/0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
	if (v[n] == '\0')
		return (n);
	n = strlen(v) + 2;
	for (i = 0; v[i]; i++)
		if (v[i] == '\'' && (i == 0 || v[i - 1] != '\''))
			n += 4;		/* '"' before the run, "' after */
	if (v[0] == '\'')
		n -= 2;
	if (v[strlen(v) - 1] == '\'')
		n -= 2;
	return (n);
}

/*
 * Can job FIRST..K (its line LEN so far) take value K?  With -s its
 * command line must stay under -s characters (GNU parallel's count);
 * else its values under INPUT_MAX_CHARS bytes.  Adds the value to *LEN.
 */
static int
input_fits(struct input *in, size_t first, size_t k, size_t *len)
{
	const char *v = in->src[0].vals[k];

	if (in->max_chars == 0) {
		*len += strlen(v) + 1;
		return (k == first || *len <= INPUT_MAX_CHARS);
	}
	*len += in->ch_m * input_quoted_len(v) + in->ch_b;
	return (*len < in->max_chars);
}

/*
 * -X, -m, --xargs: cut the one source's values into jobs, each of at
 * most -n values (if given) and INPUT_MAX_CHARS bytes or -s characters,
 * and for -X and -m at most an even share of the -j slots, as GNU
 * parallel.  A value too long for -s alone ends the input there (the
 * jobs before it run; input_take says so).  Return the number of jobs.
 */
static long
input_cut(struct input *in, int nmax)
{
	struct source *s = &in->src[0];
	size_t per, first, k, len;

	per = nmax > 0 ? (size_t)nmax : s->n;
	if (in->xargs == INPUT_SPREAD && in->jobs > 0 &&
	    (s->n + in->jobs - 1) / in->jobs < per)
		per = (s->n + in->jobs - 1) / in->jobs;
	if (per < 1)
		per = 1;
	in->cuts = xmalloc((s->n + 1) * sizeof(*in->cuts));
	in->ncuts = 0;
	for (first = 0; first < s->n; first = k) {
		len = in->ch_a;
		for (k = first; k < s->n && k - first < per; k++)
			if (!input_fits(in, first, k, &len))
				break;
		if (k == first) {
			in->toolong = k + 1;
			in->toolong_len = len;
			break;
		}
		in->cuts[in->ncuts++] = first;
	}
	in->cuts[in->ncuts] = in->toolong ? in->toolong - 1 : s->n;
	return (in->ncuts);
}

/*
 * Split V into its columns (*COLS, *NCOLS).  Return 0, or -1 after
 * saying that V is no CSV record.
 */
static int
input_cols(struct input *in, const char *v, char ***cols, int *ncols)
{
	if (columns_split(&in->cols, v, cols, ncols) == CSV_OK)
		return (0);
	builtin_error("%.80s: not a CSV record (RFC 4180: a field with a "
	    "quote is quoted, its quotes doubled)", v);
	return (-1);
}

/*
 * --header: each source's first value names its columns, numbered on
 * from the columns of the sources before (GNU parallel's {name} is
 * {N}).  Return 0, or -1 after a message.
 */
static int
input_take_header(struct input *in)
{
	struct source *s;
	char **cols;
	int i, ncols;

	for (i = 0; i < in->nsrc; i++) {
		s = &in->src[i];
		if (s->fp && s->n == 0 && !source_read(s))
			continue;
		if (s->n == 0)
			continue;
		if (input_cols(in, s->vals[0], &cols, &ncols) < 0)
			return (-1);
		in->names = xrealloc(in->names, (in->nnames + ncols + 1) *
		    sizeof(*in->names));
		memcpy(in->names + in->nnames, cols, ncols * sizeof(*cols));
		in->nnames += ncols;
		in->names[in->nnames] = NULL;
		free(cols);
		free(s->vals[0]);
		memmove(s->vals, s->vals + 1, --s->n * sizeof(*s->vals));
	}
	return (0);
}

/* --csv: every loaded value is a record.  Return 0, or -1 after saying. */
static int
input_check_csv(struct input *in)
{
	char **cols;
	size_t k;
	int i, n;

	for (i = 0; in->split && in->cols.csv && i < in->nsrc; i++)
		for (k = 0; k < in->src[i].n; k++) {
			if (input_cols(in, in->src[i].vals[k], &cols, &n) < 0)
				return (-1);
			input_free_vals(cols, n);
		}
	return (0);
}

/* "--header :" (the first line), the one form pool has.  Pure. */
int
input_header_parse(const char *text)
{
	return (strcmp(text, ":") == 0 ? 0 : -1);
}

/*
 * Load every source that must be loaded (all of them when there are
 * several, or with --shuf, {##}, -X, -m or --xargs) and work out the number of jobs when it is
 * known.  Return 0, or -1 after saying why the input is bad.
 */
int
input_prepare(struct input *in)
{
	int i;

	int nmax = in->max_args;

	if (in->max_args < 1)
		in->max_args = 1;
	if (in->header && input_take_header(in) < 0)
		return (-1);
	if (in->nsrc == 1 && in->src[0].fp && !in->shuf && !in->load_all &&
	    !in->xargs) {
		in->total = -1;
		return (0);
	}
	for (i = 0; i < in->nsrc; i++)
		if (in->src[i].fp) {
			while (source_read(&in->src[i]))
				;
			fclose(in->src[i].fp);
			in->src[i].fp = NULL;
		}
	if (input_check_csv(in) < 0)
		return (-1);
	in->total = input_group(in);
	if (in->nsrc == 1)
		in->total = in->xargs ? input_cut(in, nmax) :
		    ((long)in->src[0].n + in->max_args - 1) / in->max_args;
	if (in->nsrc == 0)
		in->total = 0;
	if (in->shuf && in->total > 0)
		input_shuffle(in);
	in->all = in->total;
	if (in->shard_n > 0 && in->total >= 0)
		in->total = in->total > in->shard_i ?
		    (in->total - in->shard_i - 1) / in->shard_n + 1 : 0;
	return (0);
}

/* The next job's values from the lazy source S (up to -n of them). */
static char **
input_lazy(struct input *in, struct source *s, int *nvals)
{
	char **vals;
	int k;

	vals = xmalloc(in->max_args * sizeof(*vals));
	for (k = 0; k < in->max_args; k++) {
		/* A lazy source keeps one value at a time. */
		s->n = 0;
		if (!source_read(s))
			break;
		vals[k] = s->vals[0];
		s->n = 0;
	}
	if (k == 0) {
		free(vals);
		in->done = 1;
		return (NULL);
	}
	*nvals = k;
	return (vals);
}

/* Job K's values from the one loaded source: -n of them, or its cut. */
static char **
input_slice(struct input *in, long k, int *nvals)
{
	struct source *s = &in->src[0];
	size_t first, end;
	char **vals;
	int i;

	first = (size_t)k * (size_t)in->max_args;
	end = first + (size_t)in->max_args;
	if (in->cuts)
		first = in->cuts[k], end = in->cuts[k + 1];
	if (end > s->n)
		end = s->n;
	vals = xmalloc((end - first + 1) * sizeof(*vals));
	for (i = 0; first + i < end; i++)
		vals[i] = savestring(s->vals[first + i]);
	*nvals = i;
	return (vals);
}

/* Job K's values, one from each source: the last group moves fastest. */
static char **
input_pick(struct input *in, long k, int *nvals)
{
	struct source *s;
	char **vals;
	size_t pos;
	int g, i;

	vals = xmalloc(in->nsrc * sizeof(*vals));
	for (g = in->ngrp - 1; g >= 0; g--) {
		pos = (size_t)k % in->glen[g];
		k /= (long)in->glen[g];
		for (i = in->gfirst[g]; i < in->gfirst[g + 1]; i++) {
			s = &in->src[i];
			vals[i] = savestring(s->vals[pos % s->n]);
		}
	}
	*nvals = in->nsrc;
	return (vals);
}

/* The values of the next job in the input, shard or not. */
static char **
input_take(struct input *in, int *nvals)
{
	long k;

	if (in->done || in->nsrc == 0) {
		in->done = 1;
		return (NULL);
	}
	if (in->total < 0)
		return (input_lazy(in, &in->src[0], nvals));
	if (in->next >= in->all) {
		in->done = 1;
		if (in->toolong) {
			builtin_error("-s %zu: command line too long (%zu) at "
			    "%.80s", in->max_chars, in->toolong_len,
			    in->src[0].vals[in->toolong - 1]);
			in->error = 1;
		}
		return (NULL);
	}
	k = in->perm ? in->perm[in->next] : in->next;
	if (in->shuf_a)
		k = (long)(((unsigned __int128)in->shuf_a * (unsigned long)k +
		    in->shuf_b) % (unsigned long)in->all);
	in->next++;
	if (in->nsrc == 1)
		return (input_slice(in, k, nvals));
	return (input_pick(in, k, nvals));
}

/*
 * Replace the N values VALS by their columns.  Return the new array, or
 * NULL after a message (a record that is no CSV ends the input).
 */
static char **
input_columns(struct input *in, char **vals, int *n)
{
	char **out, **c;
	int i, k, m;

	out = NULL;
	m = 0;
	for (i = 0; i < *n; i++) {
		if (input_cols(in, vals[i], &c, &k) < 0) {
			input_free_vals(out, m);
			input_free_vals(vals, *n);
			in->error = in->done = 1;
			return (NULL);
		}
		out = xrealloc(out, (m + k + 1) * sizeof(*out));
		memcpy(out + m, c, k * sizeof(*c));
		m += k;
		free(c);
	}
	input_free_vals(vals, *n);
	*n = m;
	return (out);
}

/*
 * Return the values of the next job of this shard (a new array of *NVALS
 * strings, for input_free_vals), or NULL when the input is exhausted;
 * its position is then in IN->pos.
 */
char **
input_next(struct input *in, int *nvals)
{
	char **vals;

	while ((vals = input_take(in, nvals)) != NULL) {
		if (in->shard_n <= 0 || in->pos++ % in->shard_n == in->shard_i)
			break;
		input_free_vals(vals, *nvals);
	}
	if (vals && in->shard_n <= 0)
		in->pos++;
	if (vals && in->split)
		vals = input_columns(in, vals, nvals);
	return (vals);
}

/* Free an array returned by input_next. */
void
input_free_vals(char **vals, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
}

/* Release everything IN holds. */
void
input_free(struct input *in)
{
	size_t k;
	int i;

	for (i = 0; i < in->nsrc; i++) {
		if (in->src[i].fp)
			fclose(in->src[i].fp);
		for (k = 0; k < in->src[i].n; k++)
			free(in->src[i].vals[k]);
		free(in->src[i].vals);
	}
	free(in->src);
	free(in->gfirst);
	free(in->glen);
	free(in->perm);
	free(in->cuts);
	for (i = 0; i < in->nnames; i++)
		free(in->names[i]);
	free(in->names);
	columns_free(&in->cols);
	memset(in, 0, sizeof(*in));
}
