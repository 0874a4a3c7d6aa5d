/* subst.h - GNU parallel's replacement strings: {} {.} {/} {//} {/.} {#} {%} {N} */

#ifndef BGTOOLS_SUBST_H
#define BGTOOLS_SUBST_H

#include "bashapi.h"

struct launch;

/* What the replacement strings are, for the pool being run. */
struct subst_rules {
	const char *repl;	/* -I STR: STR instead of {}; NULL for {} */
	int plus;		/* --plus: {+/} {+.} {..} {...} {##} ... */
	long total;		/* {##}: the number of jobs */
	int context;		/* -X: a word with {} repeated per value */
	int multi;		/* -m: a word with {} spread over the values */
	int noargs;		/* -N 0: the values are not used */
	char **names;		/* --header: {name} is {N}, N-1 its index */
	int nnames;
	const struct launch *launch;	/* {host} {sshlogin}, or NULL */
};

void subst_use(const struct subst_rules *);
int subst_has(WORD_LIST *);
int subst_has_total(WORD_LIST *);
WORD_LIST *subst_build(WORD_LIST *, char **, int, long, int);

#endif
