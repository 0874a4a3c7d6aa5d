/* load.c - what every builtin of bgtools shares: loading, variables */

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "bashapi.h"
#include "jobref.h"
#include "load.h"

/*
 * Refuse to load NAME into a bash other than the one whose headers we were
 * built against: the job table, bgpids and the unwind stack are read
 * directly, and their layout changes between releases.  Return 1 to load.
 */
int
load_check(const char *name)
{
	if (strcmp(dist_version, DISTVERSION) == 0) {
		jobref_loaded();
		return (1);
	}
	fprintf(stderr, "%s: built for bash %s, this is bash %s: not loaded "
	    "(rebuild bgtools.so against this bash)\n", name, DISTVERSION,
	    dist_version);
	return (0);
}

/*
 * `enable -d NAME' is about to remove NAME (bash gives us no way to say
 * no), and the .so too if NAME was its last builtin.  If BUSY says that
 * state of ours outlives the call (a --sem pool with jobs), pin the .so
 * in memory with RTLD_NODELETE, so that nothing of ours is unmapped under
 * it and `enable -f' brings NAME back to the same state (`pool --wait'
 * then collects those jobs).  The jobs themselves are bash's: `jobs',
 * `wait' and `kill' keep working either way.
 */
void
load_unload(const char *name, int (*busy)(void))
{
	Dl_info self;

	if (busy == NULL || !busy())
		return;
	if (dladdr((void *)load_unload, &self) == 0 || self.dli_fname == NULL ||
	    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) ==
	    NULL)
		return;
	fprintf(stderr, "%s: warning: jobs still running: %s stays loaded; "
	    "`enable -f %s %s' brings it back with them\n", name,
	    self.dli_fname, self.dli_fname, name);
}

/*
 * Parse TEXT as a signal (TERM, SIGTERM, term, 15) into *SIG.  Return 0,
 * or -1 after bash's "TEXT: invalid signal specification".
 */
int
signal_arg(const char *text, int *sig)
{
	*sig = decode_signal((char *)text, DSIG_SIGPREFIX | DSIG_NOCASE);
	if (*sig > 0 && *sig < NSIG)
		return (0);
	sh_invalidsig((char *)text);
	return (-1);
}

/* Return 1 if NAME may be assigned to, else print why and return 0. */
int
var_name_ok(const char *name)
{
	if (legal_identifier(name))
		return (1);
	sh_invalidid((char *)name);
	return (0);
}

/* Assign VALUE to the shell variable NAME.  Return 0, or -1 if refused. */
int
var_set(const char *name, const char *value)
{
	SHELL_VAR *v;

	v = bind_variable(name, (char *)value, 0);
	if (v == NULL || readonly_p(v) || noassign_p(v))
		return (-1);
	stupidly_hack_special_variables((char *)name);
	return (0);
}

/* Assign the number N to the shell variable NAME. */
int
var_set_int(const char *name, intmax_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%jd", n);
	return (var_set(name, buf));
}

/* Unset the shell variable NAME, if it is set and not readonly. */
void
var_unset(const char *name)
{
	SHELL_VAR *v;

	v = find_variable(name);
	if (v && !readonly_p(v))
		unbind_variable(name);
}

/*
 * Return NAME as an empty indexed array (as mapfile does: a local array
 * stays local), or NULL after printing why it cannot be one.
 */
SHELL_VAR *
var_array(const char *name)
{
	SHELL_VAR *v;

	v = find_or_make_array_variable((char *)name, 1);
	if (v == NULL)
		return (NULL);
	if (!array_p(v)) {
		builtin_error("%s: not an indexed array", name);
		return (NULL);
	}
	array_flush(array_cell(v));
	VUNSETATTR(v, att_invisible);
	return (v);
}

/* Set element I of the indexed array V to the number N. */
void
var_array_set(SHELL_VAR *v, intmax_t i, intmax_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%jd", n);
	array_insert(array_cell(v), i, buf);
}
