/* waitargs.c - what waitany and waitall take: IDs, -t, a variable, -f */

/*
 * The two builtins that wait for jobs read the same arguments the same
 * way; each one's option table says which of them it accepts (-p VAR for
 * waitany, -a ARRAY and -f for waitall), so one parser serves both.
 */

#include <string.h>

#include "bashapi.h"
#include "duration.h"
#include "vars.h"
#include "waitargs.h"

/* Parse LIST by DEFS into A; return 0, or EX_USAGE after the message. */
int
waitargs_parse(WORD_LIST *list, const struct optdef *defs,
    struct waitargs *a)
{
	struct opts o;
	int c;

	memset(a, 0, sizeof(*a));
	opts_init(&o, list);
	while ((c = opts_next(&o, defs)) != OPTS_END) {
		switch (c) {
		case 't':
			if (duration_arg(o.arg, &a->limit) < 0)
				return (EX_USAGE);
			a->poll = a->limit == 0;
			break;
		case 'f':
			a->failfast = 1;
			break;
		case 'a':
		case 'p':
			if (!var_name_ok(o.arg))
				return (EX_USAGE);
			a->var = o.arg;
			break;
		default:
			return (EX_USAGE);
		}
	}
	a->ids = o.list;
	return (0);
}

/*
 * Begin the wait in W, with A's -t as its deadline.  Return 0, or -1
 * after the message, with W ended.
 */
int
waitargs_begin(const struct waitargs *a, struct waitset *w)
{
	if (waitset_begin(w, a->limit ? duration_now() + a->limit : 0, 0) == 0)
		return (0);
	waitset_end(w);
	return (-1);
}
