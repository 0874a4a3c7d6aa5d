/* opts.c - short and GNU-style long options for builtins */

/*
 * bash's internal_getopt knows no long options, and GNU parallel and
 * coreutils timeout, whose option names we keep, use them.  Options end
 * at the first operand, at "--", or at a lone "-": everything after is
 * the command and its arguments, never options of ours.
 */

#include <string.h>

#include "bashapi.h"
#include "opts.h"

/* Start reading options from LIST. */
void
opts_init(struct opts *o, WORD_LIST *list)
{
	memset(o, 0, sizeof(*o));
	o->list = list;
}

static const struct optdef *
opts_short(const struct optdef *defs, int c)
{
	for (; defs->key || defs->lng; defs++)
		if (defs->key == c && c < 256)
			return (defs);
	return (NULL);
}

static int
opts_bad(struct opts *o, int missing)
{
	if (missing)
		sh_needarg(o->word);
	else
		sh_invalidopt(o->word);
	builtin_usage();
	return (OPTS_ERROR);
}

static int
opts_long(struct opts *o, const struct optdef *defs, char *w)
{
	const struct optdef *d;
	char *eq;
	size_t n;

	eq = strchr(w + 2, '=');
	n = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);
	o->word = w;
	for (d = defs; d->key || d->lng; d++)
		if (d->lng && strlen(d->lng) == n &&
		    strncmp(d->lng, w + 2, n) == 0)
			break;
	if (!(d->key || d->lng)) {
		if (strcmp(w, "--help") == 0) {
			builtin_help();
			return (OPTS_HELP);
		}
		return (opts_bad(o, 0));
	}
	o->arg = NULL;
	if (d->has_arg) {
		if (eq)
			o->arg = eq + 1;
		else if (o->list) {
			o->arg = o->list->word->word;
			o->list = o->list->next;
		} else
			return (opts_bad(o, 1));
	} else if (eq)
		return (opts_bad(o, 0));
	return (d->key);
}

/*
 * Return the next option's key from O (its argument in O->arg), OPTS_END
 * when the operands begin (O->list), or OPTS_ERROR / OPTS_HELP after
 * printing the message, usage line or help.
 */
int
opts_next(struct opts *o, const struct optdef *defs)
{
	const struct optdef *d;
	char *w;
	int c;

	if (o->cluster == NULL || *o->cluster == '\0') {
		if (o->list == NULL)
			return (OPTS_END);
		w = o->list->word->word;
		if (w[0] != '-' || w[1] == '\0')
			return (OPTS_END);
		o->list = o->list->next;
		if (strcmp(w, "--") == 0)
			return (OPTS_END);
		if (w[1] == '-')
			return (opts_long(o, defs, w));
		o->cluster = w + 1;
	}
	c = (unsigned char)*o->cluster++;
	o->optbuf[0] = '-';
	o->optbuf[1] = (char)c;
	o->optbuf[2] = '\0';
	o->word = o->optbuf;
	if ((d = opts_short(defs, c)) == NULL)
		return (opts_bad(o, 0));
	o->arg = NULL;
	if (d->has_arg) {
		if (*o->cluster) {
			o->arg = (char *)o->cluster;
			o->cluster = NULL;
		} else if (o->list) {
			o->arg = o->list->word->word;
			o->list = o->list->next;
		} else
			return (opts_bad(o, 1));
	}
	return (d->key);
}
