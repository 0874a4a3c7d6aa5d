/* waitargs.h - what waitany and waitall take: IDs, -t, a variable, -f */

#ifndef BGTOOLS_WAITARGS_H
#define BGTOOLS_WAITARGS_H

#include <stdint.h>

#include "bashapi.h"
#include "opts.h"
#include "waitset.h"

struct waitargs {
	int64_t limit;		/* -t DURATION, 0: none */
	int poll;		/* -t 0: look once, do not wait */
	char *var;		/* waitany -p VAR, waitall -a ARRAY */
	int failfast;		/* waitall -f */
	WORD_LIST *ids;
};

int waitargs_parse(WORD_LIST *, const struct optdef *, struct waitargs *);
int waitargs_begin(const struct waitargs *, struct waitset *);

#endif
