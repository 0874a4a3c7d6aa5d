/* words.h - an option's word among a fixed set, and what it stands for */

/*
 * Options such as --halt now,fail=1, --trim lr or --ci-groups github take
 * one of a few words.  Each parser keeps its own table of them; this is
 * the one lookup.  A header, not a module: the parsers are also linked
 * without bash into the fuzzers, and this needs nothing.
 */

#ifndef BGTOOLS_WORDS_H
#define BGTOOLS_WORDS_H

#include <string.h>

struct word_value {
	const char *word;	/* NULL ends a table */
	int value;
};

/* Set *VALUE to what W stands for in table T and return 0, or return -1. */
static inline int
word_lookup(const struct word_value *t, const char *w, int *value)
{
	for (; t->word; t++)
		if (strcmp(w, t->word) == 0) {
			*value = t->value;
			return (0);
		}
	return (-1);
}

#endif
