/* input.c - pool's items: ::: words, :::: files, arrays, stdin */

/*
 * Several sources make the product of their values, as GNU parallel's
 * `::: a b ::: 1 2' runs a 1, a 2, b 1, b 2.  A single file or stdin is
 * read one item at a time, so that a million lines cost no memory; the
 * others are loaded first (the product needs them all).  Each job's
 * values are numbered here, whether or not they are run: --shard I/N
 * (pool/shard.c) skips those of other copies without changing the
 * numbers of its own.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bashapi.h"
#include "input.h"

static struct source *
input_new(struct input *in, const char *name)
{
	struct source *s;

	in->src = xrealloc(in->src, (in->nsrc + 1) * sizeof(*in->src));
	s = &in->src[in->nsrc++];
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->delim = '\n';
	return (s);
}

static void
source_push(struct source *s, const char *v, size_t len)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->vals = xrealloc(s->vals, s->cap * sizeof(*s->vals));
	}
	s->vals[s->n] = xmalloc(len + 1);
	memcpy(s->vals[s->n], v, len);
	s->vals[s->n][len] = '\0';
	s->n++;
}

/*
 * Add the words of LIST up to the next ":::" or "::::" as a source; store
 * the rest in *REST.  Return 0.
 */
int
input_add_words(struct input *in, WORD_LIST *list, WORD_LIST **rest)
{
	struct source *s;

	s = input_new(in, ":::");
	for (; list; list = list->next) {
		if (strcmp(list->word->word, ":::") == 0 ||
		    strcmp(list->word->word, "::::") == 0)
			break;
		source_push(s, list->word->word, strlen(list->word->word));
	}
	*rest = list;
	return (0);
}

/* Read items from FP, separated by DELIM, as a lazy source NAME. */
static int
input_add_fp(struct input *in, FILE *fp, int delim, const char *name)
{
	struct source *s;

	s = input_new(in, name);
	s->fp = fp;
	s->delim = delim;
	return (0);
}

/*
 * Add the lines of the file PATH ("-" for stdin) as a source.  Return 0,
 * or -1 after printing why it cannot be read.
 */
int
input_add_file(struct input *in, const char *path, int delim)
{
	FILE *fp;
	int fd;

	if (strcmp(path, "-") == 0)
		return (input_add_fd(in, 0, delim));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		builtin_error("%s: cannot read: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return (-1);
	}
	return (input_add_fp(in, fp, delim, path));
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
	return (input_add_fp(in, fp, delim, "stdin"));
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
	s = input_new(in, name);
	a = array_cell(v);
	for (e = element_forw(a->head); e != a->head; e = element_forw(e))
		source_push(s, element_value(e), strlen(element_value(e)));
	return (0);
}

static int
source_read(struct source *s)
{
	char *line;
	size_t cap;
	ssize_t n;

	line = NULL;
	cap = 0;
	n = getdelim(&line, &cap, s->delim, s->fp);
	if (n < 0) {
		free(line);
		return (0);
	}
	if (n > 0 && line[n - 1] == s->delim)
		n--;
	source_push(s, line, (size_t)n);
	free(line);
	return (1);
}

/*
 * Load every source that must be loaded (all of them when there are
 * several) and work out the number of jobs when it is known.  Return 0.
 */
int
input_prepare(struct input *in)
{
	long total;
	int i;

	if (in->max_args < 1)
		in->max_args = 1;
	in->odo = xmalloc((in->nsrc + 1) * sizeof(*in->odo));
	memset(in->odo, 0, (in->nsrc + 1) * sizeof(*in->odo));
	if (in->nsrc == 1 && in->src[0].fp) {
		in->total = -1;
		return (0);
	}
	total = 1;
	for (i = 0; i < in->nsrc; i++) {
		if (in->src[i].fp) {
			while (source_read(&in->src[i]))
				;
			fclose(in->src[i].fp);
			in->src[i].fp = NULL;
		}
		total *= (long)in->src[i].n;
	}
	if (in->nsrc == 1)
		total = (total + in->max_args - 1) / in->max_args;
	if (in->shard_n > 0)
		total = total > in->shard_i ?
		    (total - in->shard_i - 1) / in->shard_n + 1 : 0;
	in->total = in->nsrc ? total : 0;
	return (0);
}

static char **
input_single(struct input *in, int *nvals)
{
	struct source *s = &in->src[0];
	char **vals;
	int k;

	vals = xmalloc(in->max_args * sizeof(*vals));
	for (k = 0; k < in->max_args; k++) {
		if (s->fp) {
			/* A lazy source keeps one value at a time. */
			s->n = 0;
			if (!source_read(s))
				break;
			vals[k] = s->vals[0];
			s->n = 0;
			continue;
		}
		if (in->odo[0] >= s->n)
			break;
		vals[k] = savestring(s->vals[in->odo[0]]);
		in->odo[0]++;
	}
	if (k == 0) {
		free(vals);
		in->done = 1;
		return (NULL);
	}
	*nvals = k;
	return (vals);
}

/* The values of the next job in the input, shard or not. */
static char **
input_take(struct input *in, int *nvals)
{
	char **vals;
	int i;

	if (in->done || in->nsrc == 0) {
		in->done = 1;
		return (NULL);
	}
	if (in->nsrc == 1)
		return (input_single(in, nvals));
	for (i = 0; i < in->nsrc; i++)
		if (in->src[i].n == 0) {
			in->done = 1;
			return (NULL);
		}
	if (in->odo[in->nsrc])		/* the odometer wrapped: done */
		return ((in->done = 1), (char **)NULL);
	vals = xmalloc(in->nsrc * sizeof(*vals));
	for (i = 0; i < in->nsrc; i++)
		vals[i] = savestring(in->src[i].vals[in->odo[i]]);
	/* Advance the last source fastest, as GNU parallel orders them. */
	for (i = in->nsrc - 1; i >= 0; i--) {
		if (++in->odo[i] < in->src[i].n)
			break;
		in->odo[i] = 0;
		if (i == 0)
			in->odo[in->nsrc] = 1;
	}
	*nvals = in->nsrc;
	return (vals);
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
	free(in->odo);
	memset(in, 0, sizeof(*in));
}
