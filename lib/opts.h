/* opts.h - short and GNU-style long options for builtins */

#ifndef BGTOOLS_OPTS_H
#define BGTOOLS_OPTS_H

#include "bashapi.h"

struct optdef {
	const char *lng;	/* long name without "--", or NULL */
	int key;		/* short option letter, or a code above 255 */
	int has_arg;
};

struct opts {
	WORD_LIST *list;	/* after the loop: the operands */
	const char *cluster;	/* rest of a "-abc" word */
	char optbuf[3];
	char *arg;		/* the option's argument */
	char *word;		/* the option as written, for messages */
};

#define OPTS_END	-1
#define OPTS_ERROR	-2	/* message and usage printed: return EX_USAGE */
#define OPTS_HELP	-3	/* --help: help printed: return EX_USAGE */

void opts_init(struct opts *, WORD_LIST *);
int opts_next(struct opts *, const struct optdef *);

#endif
