/* subst.c - GNU parallel's replacement strings: {} {.} {/} {//} {/.} {#} {%} {N} */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "subst.h"

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

/* Return the length of the replacement string at P ("{...}"), or 0. */
static size_t
subst_at(const char *p)
{
	static const char *const names[] = {
		"{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", NULL
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (strncmp(p, names[i], strlen(names[i])) == 0)
			return (strlen(names[i]));
	if (p[0] == '{' && p[1] >= '1' && p[1] <= '9') {
		for (i = 1; p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (p[i] == '}')
			return (i + 1);
	}
	return (0);
}

/* Return non-zero if any word of TMPL holds a replacement string. */
int
subst_has(WORD_LIST *tmpl)
{
	const char *p;

	for (; tmpl; tmpl = tmpl->next)
		for (p = tmpl->word->word; (p = strchr(p, '{')) != NULL; p++)
			if (subst_at(p))
				return (1);
	return (0);
}

/* Append the value V transformed as replacement string R says. */
static void
subst_one(struct sbuf *b, const char *r, size_t rlen, const char *v)
{
	const char *slash, *base, *dot;
	char *trim;
	size_t len;

	/* "a/b/" names b, as for dirname and basename. */
	len = strlen(v);
	while (len > 1 && v[len - 1] == '/')
		len--;
	if (v[len] != '\0') {
		trim = xmalloc(len + 1);
		memcpy(trim, v, len);
		trim[len] = '\0';
		subst_one(b, r, rlen, trim);
		free(trim);
		return;
	}
	slash = strrchr(v, '/');
	base = slash ? slash + 1 : v;
	if (rlen == 3 && r[1] == '.') {			/* {.}: no extension */
		dot = strrchr(base, '.');
		sbuf_add(b, v, dot && dot != base ? (size_t)(dot - v) : strlen(v));
	} else if (rlen == 3 && r[1] == '/')		/* {/}: basename */
		sbuf_add(b, base, strlen(base));
	else if (rlen == 4 && r[2] == '/') {		/* {//}: dirname */
		if (slash)
			sbuf_add(b, v, slash == v ? 1 : (size_t)(slash - v));
		else
			sbuf_add(b, ".", 1);
	} else if (rlen == 4 && r[2] == '.') {		/* {/.}: basename, no ext */
		dot = strrchr(base, '.');
		sbuf_add(b, base, dot && dot != base ? (size_t)(dot - base) :
		    strlen(base));
	} else
		sbuf_add(b, v, strlen(v));
}

static void
subst_word(struct sbuf *b, const char *w, char **vals, int n, long seq,
    int slot)
{
	char num[32], *joined;
	size_t r;
	long k;
	int i;

	while (*w) {
		if (*w != '{' || (r = subst_at(w)) == 0) {
			sbuf_add(b, w++, 1);
			continue;
		}
		if (w[1] == '#' || w[1] == '%') {
			snprintf(num, sizeof(num), "%ld", w[1] == '#' ? seq :
			    (long)slot);
			sbuf_add(b, num, strlen(num));
		} else if (w[1] >= '1' && w[1] <= '9') {
			k = strtol(w + 1, NULL, 10);
			if (k <= n)
				sbuf_add(b, vals[k - 1], strlen(vals[k - 1]));
		} else {
			/* {} and friends on several values: each, space-joined. */
			for (i = 0; i < n; i++) {
				if (i)
					sbuf_add(b, " ", 1);
				joined = vals[i];
				subst_one(b, w, r, joined);
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
 * Build a job's words from the template TMPL and its N values VALS: each
 * replacement string is replaced ({#} by SEQ, {%} by SLOT); a word that
 * is exactly "{}" becomes one word per value.  Without any replacement
 * string the values are appended as words.  Return a new list.
 */
WORD_LIST *
subst_build(WORD_LIST *tmpl, char **vals, int n, long seq, int slot)
{
	struct sbuf b;
	WORD_LIST *rev, *w;
	int i, any;

	rev = NULL;
	any = subst_has(tmpl);
	memset(&b, 0, sizeof(b));
	for (w = tmpl; w; w = w->next) {
		if (!any || strchr(w->word->word, '{') == NULL) {
			rev = subst_push(rev, w->word->word);
			continue;
		}
		if (strcmp(w->word->word, "{}") == 0 && n > 1) {
			for (i = 0; i < n; i++)
				rev = subst_push(rev, vals[i]);
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
