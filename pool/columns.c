/* columns.c - --colsep, --csv: an item's columns for {1} {2} ... */

/*
 * GNU parallel splits each item into columns, and the columns are the
 * job's values: {1} {2} ..., {} all of them space-joined, and appended
 * as words of their own when the command has no replacement string.
 * --colsep is a Perl regular expression there; POSIX has extended
 * regular expressions, so the Perl escapes people write in a colsep
 * (\t \s \d \w and their negations) are translated and the rest is left
 * to regcomp.  The split is Perl's split(/RE/, LINE, -1): empty fields
 * are kept, also at the end.
 *
 * --csv is RFC 4180: a field may be quoted, a quote inside it doubled,
 * and a quoted field may hold the separator or a newline (the record
 * then goes on over the next line: input.c reads on while
 * columns_csv_split says CSV_OPEN).  A quote anywhere else is refused,
 * as Text::CSV (GNU parallel's parser) refuses it, rather than guessed.
 * The parser is pure (malloc only), for fuzzing.
 */

#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "input.h"

struct cbuf {
	char *s;
	size_t len, cap;
};

static int
cbuf_add(struct cbuf *b, const char *p, size_t n)
{
	char *s;

	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 32;
		if ((s = realloc(b->s, b->cap)) == NULL)
			return (-1);
		b->s = s;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return (0);
}

/* The ERE for the Perl escape \C (0 if C has no translation). */
static const char *
columns_escape(int c, int in_bracket)
{
	switch (c) {
	case 't': return ("\t");
	case 'n': return ("\n");
	case 'r': return ("\r");
	case 's': return (in_bracket ? "[:space:]" : "[[:space:]]");
	case 'd': return (in_bracket ? "0-9" : "[0-9]");
	case 'w': return (in_bracket ? "[:alnum:]_" : "[[:alnum:]_]");
	case 'S': return (in_bracket ? NULL : "[^[:space:]]");
	case 'D': return (in_bracket ? NULL : "[^0-9]");
	case 'W': return (in_bracket ? NULL : "[^[:alnum:]_]");
	}
	return (NULL);
}

/*
 * Translate the Perl regular expression PERL into an ERE in *ERE (a new
 * string).  Return 0, or -1 out of memory.  Pure.
 */
int
columns_regex(const char *perl, char **ere)
{
	struct cbuf b = { NULL, 0, 0 };
	const char *p, *t;
	int in_bracket = 0, r = cbuf_add(&b, "", 0);

	for (p = perl; *p && r == 0; p++) {
		if (*p == '\\' && p[1] &&
		    (t = columns_escape((unsigned char)p[1], in_bracket))) {
			r = cbuf_add(&b, t, strlen(t));
			p++;
			continue;
		}
		if (*p == '\\' && p[1]) {
			r = cbuf_add(&b, p, 2);
			p++;
			continue;
		}
		if (*p == '[' && !in_bracket) {
			in_bracket = 1;
			r = cbuf_add(&b, p, 1);
			if (p[1] == '^' || p[1] == ']')
				r = r ? r : cbuf_add(&b, ++p, 1);
			continue;
		}
		if (*p == ']' && in_bracket)
			in_bracket = 0;
		r = cbuf_add(&b, p, 1);
	}
	if (r < 0) {
		free(b.s);
		return (-1);
	}
	*ere = b.s;
	return (0);
}

struct fields {
	char **v;
	int n, cap;
};

static int
fields_push(struct fields *f, const char *s, size_t len)
{
	char **v, *c;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		if ((v = realloc(f->v, f->cap * sizeof(*v))) == NULL)
			return (-1);
		f->v = v;
	}
	if ((c = malloc(len + 1)) == NULL)
		return (-1);
	memcpy(c, s, len);
	c[len] = '\0';
	f->v[f->n++] = c;
	return (0);
}

static void
fields_free(struct fields *f)
{
	while (f->n > 0)
		free(f->v[--f->n]);
	free(f->v);
	f->v = NULL;
}

/*
 * Read one quoted field from *P (just after its opening quote) to END
 * into B; leave *P after the closing quote.  Return CSV_OK, CSV_OPEN if
 * the text ends inside it, or CSV_BAD if the closing quote is not
 * followed by SEP or the end.
 */
static int
csv_quoted(const char **p, const char *end, int sep, struct cbuf *b)
{
	const char *q = *p;

	for (;;) {
		if (q == end)
			return (CSV_OPEN);
		if (*q != '"') {
			if (cbuf_add(b, q++, 1) < 0)
				return (CSV_BAD);
			continue;
		}
		if (q + 1 < end && q[1] == '"') {
			if (cbuf_add(b, "\"", 1) < 0)
				return (CSV_BAD);
			q += 2;
			continue;
		}
		q++;
		*p = q;
		return (q == end || *q == sep ? CSV_OK : CSV_BAD);
	}
}

/*
 * Split the CSV record S (LEN bytes; one trailing CR dropped, as RFC
 * 4180 ends lines with CRLF) at SEP into *OUT (a new array of *N new
 * strings) on CSV_OK; nothing is stored otherwise.  Pure.
 */
int
columns_csv_split(const char *s, size_t len, int sep, char ***out, int *n)
{
	struct fields f = { NULL, 0, 0 };
	struct cbuf b = { NULL, 0, 0 };
	const char *p = s, *end, *e;
	int r = CSV_OK;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	end = s + len;
	for (;;) {
		b.len = 0;
		if (p < end && *p == '"') {
			p++;
			r = csv_quoted(&p, end, sep, &b);
		} else {
			for (e = p; e < end && *e != sep && *e != '"'; e++)
				;
			r = e < end && *e == '"' ? CSV_BAD :
			    cbuf_add(&b, p, (size_t)(e - p)) < 0 ? CSV_BAD :
			    CSV_OK;
			p = e;
		}
		if (r != CSV_OK ||
		    (r = fields_push(&f, b.s ? b.s : "", b.len)) != CSV_OK)
			break;
		if (p == end)
			break;
		p++;		/* the separator */
	}
	free(b.s);
	if (r != CSV_OK) {
		fields_free(&f);
		return (r == CSV_OPEN ? CSV_OPEN : CSV_BAD);
	}
	*out = f.v;
	*n = f.n;
	return (CSV_OK);
}

/* What columns_csv_split says of S (LEN bytes), nothing kept.  Pure. */
int
columns_csv_status(const char *s, size_t len, int sep)
{
	char **f;
	int n, r;

	if ((r = columns_csv_split(s, len, sep, &f, &n)) == CSV_OK) {
		while (n > 0)
			free(f[--n]);
		free(f);
	}
	return (r);
}

/*
 * Set C up from --colsep COLSEP (NULL: none) and --csv (CSV).  Return
 * 0, or -1 with the reason in ERRBUF-less form: the caller reports it.
 */
int
columns_set(struct columns *c, const char *colsep, int csv, int trim)
{
	char *ere;
	int r;

	memset(c, 0, sizeof(*c));
	c->csv = csv;
	c->sep = ',';
	c->trim = trim;
	if (colsep == NULL)
		return (0);
	if (csv) {
		/* Text::CSV's sep_char: one character. */
		if (colsep[0] == '\0' || colsep[1] != '\0' || *colsep == '"')
			return (-1);
		c->sep = (unsigned char)*colsep;
		return (0);
	}
	if (*colsep == '\0' || columns_regex(colsep, &ere) < 0)
		return (-1);
	r = regcomp(&c->re, ere, REG_EXTENDED);
	free(ere);
	if (r != 0)
		return (-1);
	c->re_set = 1;
	return (0);
}

static int
columns_blank(int ch)
{
	return (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f');
}

/* Push S..S+LEN, trimmed as C says, onto F.  Return 0, or -1. */
static int
columns_push(const struct columns *c, struct fields *f, const char *s,
    size_t len)
{
	if (c->trim & INPUT_TRIM_L)
		while (len > 0 && columns_blank((unsigned char)*s))
			s++, len--;
	if (c->trim & INPUT_TRIM_R)
		while (len > 0 && columns_blank((unsigned char)s[len - 1]))
			len--;
	return (fields_push(f, s, len));
}

/* Perl's split(/RE/, S, -1), each field pushed onto F.  Return 0/-1. */
static int
columns_regex_split(const struct columns *c, const char *s,
    struct fields *f)
{
	const char *start = s, *pos = s, *q;
	regmatch_t m;
	int flags = 0;

	while (regexec(&c->re, pos, 1, &m, flags) == 0) {
		q = pos + m.rm_so;
		if (m.rm_so == m.rm_eo) {
			/* An empty match splits between characters. */
			if (*q == '\0')
				break;
			if (q == start) {
				pos = q + 1;
				flags = REG_NOTBOL;
				continue;
			}
		}
		if (columns_push(c, f, start, (size_t)(q - start)) < 0)
			return (-1);
		start = pos = pos + m.rm_eo;
		if (m.rm_so == m.rm_eo)
			pos++;
		flags = REG_NOTBOL;
	}
	return (columns_push(c, f, start, strlen(start)));
}

/*
 * Split the item S into its columns: *OUT, a new array of *N new
 * strings.  Return CSV_OK, or CSV_BAD/CSV_OPEN for a malformed CSV
 * record (nothing stored).
 */
int
columns_split(const struct columns *c, const char *s, char ***out, int *n)
{
	struct fields f = { NULL, 0, 0 };
	int i, r;

	if (c->csv) {
		if ((r = columns_csv_split(s, strlen(s), c->sep, out, n)) != 0)
			return (r);
		for (i = 0; c->trim && i < *n; i++) {
			f.n = 0;
			if (columns_push(c, &f, (*out)[i], strlen((*out)[i])) == 0) {
				free((*out)[i]);
				(*out)[i] = f.v[0];
			}
		}
		free(f.v);
		return (CSV_OK);
	}
	if (columns_regex_split(c, s, &f) < 0) {
		fields_free(&f);
		return (CSV_BAD);
	}
	*out = f.v;
	*n = f.n;
	return (CSV_OK);
}

/* Release what columns_set made. */
void
columns_free(struct columns *c)
{
	if (c->re_set)
		regfree(&c->re);
	c->re_set = 0;
}
