/* subst.c - GNU parallel's replacement strings: {} {.} {/} {#} {%} {N}... */

/*
 * A replacement string is `{', an optional source number N, an
 * operation, `}': {1/.} is the basename without extension of the first
 * source's value.  --plus adds GNU parallel's {+/} {+.} {..} {...}
 * {+..} {+...} {/..} {/...} {##}, each defined as its regular
 * expression in GNU parallel (the comments quote them), so that
 * {} = {+/}/{/} = {.}.{+.} = {..}.{+..}.  -I STR makes STR stand for
 * {}; as in GNU parallel, {} and {N} are then plain text.  --header
 * names columns: {NAME} is {N} for the column N it names, {NAME.} {N.}.
 * {host} and {sshlogin} (GNU parallel's, --plus there) are the job
 * slot's --sshlogin host (launch_where); pool also knows them without
 * --plus when the jobs run through --sshlogin or --launcher, where a
 * literal {host} is not what anyone means.
 *
 * With several values a job (-n, -X, -m), a word that is exactly {}
 * becomes one word per value.  -X (GNU parallel's context replace)
 * repeats any other word that holds a value's replacement string once
 * per value: pre-{}-post gives pre-a-post pre-b-post.  -m spreads it:
 * pre-a b-post, the values as words of their own, as GNU parallel's
 * quoting makes the shell see them.
 *
 * The rules are set by the pool call that runs (subst_use) rather than
 * carried to every call: a batch pool runs to its end inside one call,
 * and a pool inside a job is in another process.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "launch.h"
#include "subst.h"

enum {
	OP_ALL, OP_NOEXT, OP_BASE, OP_DIR, OP_BASENOEXT, OP_SEQ, OP_SLOT,
	OP_TOTAL, OP_PDIR, OP_PEXT, OP_PEXT2, OP_PEXT3, OP_NOEXT2,
	OP_NOEXT3, OP_BASENOEXT2, OP_BASENOEXT3, OP_HOST, OP_SSHLOGIN
};

/* The operations that stand for no value: {#} {%} {##} {host}... */
#define OP_NOVALUE(op)	((op) == OP_SEQ || (op) == OP_SLOT || \
	(op) == OP_TOTAL || (op) == OP_HOST || (op) == OP_SSHLOGIN)

struct subst_op {
	const char *name;	/* between `{' (and N) and `}' */
	int op;
	int plus;		/* only with --plus (2: or a launcher) */
	int positional;		/* may follow a source number */
};

/* Longer names first where one is the start of another. */
static const struct subst_op subst_ops[] = {
	{ "", OP_ALL, 0, 1 }, { ".", OP_NOEXT, 0, 1 },
	{ "//", OP_DIR, 0, 1 }, { "/...", OP_BASENOEXT3, 1, 1 },
	{ "/..", OP_BASENOEXT2, 1, 1 }, { "/.", OP_BASENOEXT, 0, 1 },
	{ "/", OP_BASE, 0, 1 }, { "##", OP_TOTAL, 1, 0 },
	{ "#", OP_SEQ, 0, 0 }, { "%", OP_SLOT, 0, 0 },
	{ "+/", OP_PDIR, 1, 1 }, { "+...", OP_PEXT3, 1, 1 },
	{ "+..", OP_PEXT2, 1, 1 }, { "+.", OP_PEXT, 1, 1 },
	{ "...", OP_NOEXT3, 1, 1 }, { "..", OP_NOEXT2, 1, 1 },
	{ "host", OP_HOST, 2, 0 }, { "sshlogin", OP_SSHLOGIN, 2, 0 },
	{ NULL, 0, 0, 0 }
};

static struct subst_rules rules = { NULL, 0, -1, 0, 0, 0, NULL, 0, NULL };

/* Return non-zero if operation O is known under the rules in force. */
static int
subst_known(const struct subst_op *o)
{
	if (o->plus == 2)
		return (rules.plus || (rules.launch &&
		    launch_active(rules.launch)));
	return (!o->plus || rules.plus);
}

/* Use R (copied) for the replacement strings from now on. */
void
subst_use(const struct subst_rules *r)
{
	rules = *r;
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sbuf_add(struct sbuf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 64;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/*
 * --header: the length of {NAME} or {NAME OP} (OP one that may follow a
 * source number) at P, or 0; store as subst_at.  A name wins over an
 * operation, as GNU parallel rewrites {NAME} to {N} before all else.
 */
static size_t
subst_named(const char *p, int *pos, int *op)
{
	const struct subst_op *o;
	size_t len, n;
	int j;

	for (j = 0; j < rules.nnames; j++) {
		len = strlen(rules.names[j]);
		if (len == 0 || strncmp(p + 1, rules.names[j], len) != 0)
			continue;
		for (o = subst_ops; o->name; o++) {
			n = strlen(o->name);
			if (!o->positional || !subst_known(o) ||
			    strncmp(p + 1 + len, o->name, n) != 0 ||
			    p[1 + len + n] != '}')
				continue;
			*pos = j + 1;
			*op = o->op;
			return (len + n + 2);
		}
	}
	return (0);
}

/*
 * Return the length of the replacement string at P, or 0; store its
 * source number (0: every value) in *POS and its operation in *OP.
 */
static size_t
subst_at(const char *p, int *pos, int *op)
{
	const struct subst_op *o;
	size_t i, n;

	if (p[0] == '{' && rules.nnames && (n = subst_named(p, pos, op)))
		return (n);

	if (rules.repl && *rules.repl &&
	    strncmp(p, rules.repl, strlen(rules.repl)) == 0) {
		*pos = 0;
		*op = OP_ALL;
		return (strlen(rules.repl));
	}
	if (p[0] != '{')
		return (0);
	*pos = 0;
	for (i = 1; p[i] >= '0' && p[i] <= '9' && i < 8; i++)
		*pos = *pos * 10 + (p[i] - '0');
	if (i > 1 && (p[1] == '0' || rules.repl))
		return (0);
	for (o = subst_ops; o->name; o++) {
		n = strlen(o->name);
		if (!subst_known(o) || (i > 1 && !o->positional) ||
		    (rules.repl && o->op == OP_ALL) ||
		    strncmp(p + i, o->name, n) != 0 || p[i + n] != '}')
			continue;
		*op = o->op;
		return (i + n + 1);
	}
	return (0);
}

/* Return non-zero if any word of TMPL holds a replacement string. */
int
subst_has(WORD_LIST *tmpl)
{
	const char *p;
	int pos, op;

	for (; tmpl; tmpl = tmpl->next)
		for (p = tmpl->word->word; *p; p++)
			if (subst_at(p, &pos, &op))
				return (1);
	return (0);
}

/* Return non-zero if TMPL uses {##}: the input must be counted first. */
int
subst_has_total(WORD_LIST *tmpl)
{
	const char *p;
	int pos, op;

	for (; tmpl; tmpl = tmpl->next)
		for (p = tmpl->word->word; *p; p++)
			if (subst_at(p, &pos, &op) && op == OP_TOTAL)
				return (1);
	return (0);
}

/*
 * The offset in V (LEN bytes) of the dot that starts its last K
 * extensions, GNU parallel's (\.[^/.]*){K}$, or -1 if it has fewer.
 */
static long
subst_exts(const char *v, size_t len, int k)
{
	size_t i = len;

	while (k-- > 0) {
		while (i > 0 && v[i - 1] != '.' && v[i - 1] != '/')
			i--;
		if (i == 0 || v[i - 1] != '.')
			return (-1);
		i--;
	}
	return ((long)i);
}

/* Append the --plus operation OP on the value V. */
static void
subst_plus(struct sbuf *b, int op, const char *v)
{
	const char *slash, *base, *dot;
	size_t len = strlen(v);
	long e;

	slash = strrchr(v, '/');
	base = slash ? slash + 1 : v;
	switch (op) {
	case OP_PDIR:		/* s:/[^/]*$:: || s:.*$:: */
		if (slash)
			sbuf_add(b, v, (size_t)(slash - v));
		return;
	case OP_PEXT:		/* s:.*\.:: || s:.*$:: */
		if ((dot = strrchr(v, '.')) != NULL)
			sbuf_add(b, dot + 1, strlen(dot + 1));
		return;
	case OP_PEXT2:		/* s:.*\.([^/.]*\.[^/.]*)$:$1: || s:.*$:: */
	case OP_PEXT3:
		e = subst_exts(v, len, op == OP_PEXT2 ? 2 : 3);
		if (e >= 0)
			sbuf_add(b, v + e + 1, len - (size_t)e - 1);
		return;
	case OP_NOEXT2:		/* s:\.[^/.]*\.[^/.]*$:: */
	case OP_NOEXT3:
		e = subst_exts(v, len, op == OP_NOEXT2 ? 2 : 3);
		sbuf_add(b, v, e >= 0 ? (size_t)e : len);
		return;
	default:		/* {/..} {/...}: s:.*\/::, then as above */
		len = strlen(base);
		e = subst_exts(base, len, op == OP_BASENOEXT2 ? 2 : 3);
		sbuf_add(b, base, e >= 0 ? (size_t)e : len);
		return;
	}
}

/* Append the value V transformed by OP (a path operation). */
static void
subst_one(struct sbuf *b, int op, const char *v)
{
	const char *slash, *base, *dot;
	char *trim;
	size_t len;

	if (op == OP_ALL) {
		sbuf_add(b, v, strlen(v));
		return;
	}
	if (op >= OP_PDIR) {
		subst_plus(b, op, v);
		return;
	}
	/* "a/b/" names b, as for dirname and basename. */
	len = strlen(v);
	while (len > 1 && v[len - 1] == '/')
		len--;
	if (v[len] != '\0') {
		trim = xmalloc(len + 1);
		memcpy(trim, v, len);
		trim[len] = '\0';
		subst_one(b, op, trim);
		free(trim);
		return;
	}
	slash = strrchr(v, '/');
	base = slash ? slash + 1 : v;
	dot = strrchr(base, '.');
	if (dot == base)
		dot = NULL;
	if (op == OP_NOEXT)
		sbuf_add(b, v, dot ? (size_t)(dot - v) : strlen(v));
	else if (op == OP_BASE)
		sbuf_add(b, base, strlen(base));
	else if (op == OP_DIR) {
		if (slash)
			sbuf_add(b, v, slash == v ? 1 : (size_t)(slash - v));
		else
			sbuf_add(b, ".", 1);
	} else			/* OP_BASENOEXT */
		sbuf_add(b, base, dot ? (size_t)(dot - base) : strlen(base));
}

static void
subst_word(struct sbuf *b, const char *w, char **vals, int n, long seq,
    int slot)
{
	const char *w2;
	char num[32];
	size_t r;
	int i, pos, op;

	while (*w) {
		if ((r = subst_at(w, &pos, &op)) == 0) {
			sbuf_add(b, w++, 1);
			continue;
		}
		if (op == OP_HOST || op == OP_SSHLOGIN) {
			w2 = launch_where(rules.launch, slot, op == OP_SSHLOGIN);
			sbuf_add(b, w2, strlen(w2));
		} else if (OP_NOVALUE(op)) {
			snprintf(num, sizeof(num), "%ld", op == OP_SEQ ? seq :
			    op == OP_SLOT ? (long)slot : rules.total);
			sbuf_add(b, num, strlen(num));
		} else if (pos > 0) {
			if (pos <= n)
				subst_one(b, op, vals[pos - 1]);
		} else {
			/* {} and friends on several values: each, space-joined. */
			for (i = 0; i < n; i++) {
				if (i)
					sbuf_add(b, " ", 1);
				subst_one(b, op, vals[i]);
			}
		}
		w += r;
	}
}

static WORD_LIST *
subst_push(WORD_LIST *rev, const char *s)
{
	return (make_word_list(make_word((char *)s), rev));
}

/*
 * Return the number of value replacement strings in W (not {#} {%}
 * {##} {host} {sshlogin}); store the offset and length of the first
 * in *OFF and *LEN.
 */
static int
subst_values_in(const char *w, size_t *off, size_t *len)
{
	const char *p;
	size_t r;
	int pos, op, k;

	k = 0;
	for (p = w; *p; p += r ? r : 1) {
		if ((r = subst_at(p, &pos, &op)) == 0 || OP_NOVALUE(op))
			continue;
		if (k++ == 0)
			*off = (size_t)(p - w), *len = r;
	}
	return (k);
}

/* Push word W with the values taken one at a time (-X) onto REV. */
static WORD_LIST *
subst_context(WORD_LIST *rev, struct sbuf *b, const char *w, char **vals,
    int n, long seq, int slot)
{
	int i;

	for (i = 0; i < n; i++) {
		b->len = 0;
		sbuf_add(b, "", 0);
		subst_word(b, w, vals + i, 1, seq, slot);
		rev = subst_push(rev, b->s);
	}
	return (rev);
}

/*
 * Push word W, whose one value replacement string is at OFF (LEN bytes),
 * spread over the values (-m): the text before it joins the first value,
 * the text after it the last.
 */
static WORD_LIST *
subst_spread(WORD_LIST *rev, struct sbuf *b, const char *w, size_t off,
    size_t len, char **vals, int n, long seq, int slot)
{
	char *pre, *rs;
	int i;

	pre = xmalloc(off + 1 + len + 1);	/* PRE, NUL, RS, NUL */
	memcpy(pre, w, off);
	pre[off] = '\0';
	rs = pre + off + 1;
	memcpy(rs, w + off, len);
	rs[len] = '\0';
	for (i = 0; i < n; i++) {
		b->len = 0;
		sbuf_add(b, "", 0);
		if (i == 0)
			subst_word(b, pre, vals, n, seq, slot);
		subst_word(b, rs, vals + i, 1, seq, slot);
		if (i == n - 1)
			subst_word(b, w + off + len, vals, n, seq, slot);
		rev = subst_push(rev, b->s);
	}
	free(pre);
	return (rev);
}

/*
 * Build a job's words from the template TMPL and its N values VALS: each
 * replacement string is replaced ({#} by SEQ, {%} by SLOT); a word that
 * is exactly "{}" (or -I's string) becomes one word per value.  Without
 * any replacement string the values are appended as words.  Return a
 * new list.
 */
WORD_LIST *
subst_build(WORD_LIST *tmpl, char **vals, int n, long seq, int slot)
{
	struct sbuf b;
	WORD_LIST *rev, *w;
	const char *all;
	size_t off = 0, len = 0;
	int i, k, any;

	rev = NULL;
	if (rules.noargs)
		n = 0;
	any = subst_has(tmpl);
	all = rules.repl ? rules.repl : "{}";
	memset(&b, 0, sizeof(b));
	for (w = tmpl; w; w = w->next) {
		if (!any) {
			rev = subst_push(rev, w->word->word);
			continue;
		}
		if (strcmp(w->word->word, all) == 0 && n > 1) {
			for (i = 0; i < n; i++)
				rev = subst_push(rev, vals[i]);
			continue;
		}
		k = n > 1 && (rules.context || rules.multi) ?
		    subst_values_in(w->word->word, &off, &len) : 0;
		if (k > 0 && rules.context) {
			rev = subst_context(rev, &b, w->word->word, vals, n,
			    seq, slot);
			continue;
		}
		if (k == 1 && rules.multi) {
			rev = subst_spread(rev, &b, w->word->word, off, len,
			    vals, n, seq, slot);
			continue;
		}
		b.len = 0;
		sbuf_add(&b, "", 0);
		subst_word(&b, w->word->word, vals, n, seq, slot);
		rev = subst_push(rev, b.s);
	}
	if (!any)
		for (i = 0; i < n; i++)
			rev = subst_push(rev, vals[i]);
	free(b.s);
	return (REVERSE_LIST(rev, WORD_LIST *));
}
