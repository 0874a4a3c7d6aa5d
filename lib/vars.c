/* vars.c - the shell variables the builtins read and set */

/*
 * Every builtin that hands something back through a variable (-p VAR,
 * -a ARRAY, pool's status array, retry's RETRY_ATTEMPT, a job's POOL_*)
 * goes through here, so that each rule is kept in one place: a name is
 * checked as bash's own builtins check it, a readonly variable is
 * refused with bash's message, bash's special variables get their side
 * effects (stupidly_hack_special_variables), and a change to what is
 * exported reaches the environment of the next disk command
 * (array_needs_making).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "vars.h"

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

/*
 * Return the associative array NAME, emptied (made if unset), or NULL
 * after saying why not (readonly, or another kind of variable).
 */
SHELL_VAR *
var_assoc(const char *name)
{
	SHELL_VAR *v;

	v = find_variable((char *)name);
	if (v && (readonly_p(v) || noassign_p(v))) {
		builtin_error("%s: readonly variable", name);
		return (NULL);
	}
	if (v && !assoc_p(v)) {
		builtin_error("%s: not an associative array", name);
		return (NULL);
	}
	if (v == NULL)
		v = make_new_assoc_variable((char *)name);
	assoc_flush(assoc_cell(v));
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

/*
 * Bind NAME to VALUE, exported or not as EXPORT says (a job's variables
 * must reach the disk commands it runs).  Return 0, or -1 if refused.
 */
int
var_export(const char *name, const char *value, int export)
{
	SHELL_VAR *v;

	v = bind_variable(name, (char *)value, 0);
	if (v == NULL || readonly_p(v) || noassign_p(v))
		return (-1);
	if (export)
		VSETATTR(v, att_exported);
	else
		VUNSETATTR(v, att_exported);
	array_needs_making = 1;
	return (0);
}

/* Set NAME to the number N and export it (retry's and every's counters). */
void
var_export_int(const char *name, intmax_t n)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%jd", n);
	var_export(name, buf, 1);
}

struct var_saved {
	char *name;
	char *value;		/* NULL: it was unset */
	int exported;
};

static void
var_restore(struct var_saved *s)
{
	if (s->value == NULL) {
		unbind_variable(s->name);
		array_needs_making = 1;
	} else
		var_export(s->name, s->value, s->exported);
	free(s->name);
	free(s->value);
	free(s);
}

/*
 * Arrange for the shell variable NAME to get its present value (or unset
 * state) back when the caller's unwind frame is run, even through a
 * signal's unwinding.  Return 0, or -1 after printing why NAME cannot be
 * used (readonly, or not a plain string).
 */
int
var_protect(const char *name)
{
	struct var_saved *s;
	SHELL_VAR *v;

	v = find_variable(name);
	if (v && (readonly_p(v) || noassign_p(v))) {
		sh_readonly(name);
		return (-1);
	}
	if (v && (array_p(v) || assoc_p(v) || nameref_p(v) ||
	    function_p(v))) {
		builtin_error("%s: not a plain variable", name);
		return (-1);
	}
	s = xmalloc(sizeof(*s));
	s->name = savestring(name);
	s->value = (v && !invisible_p(v) && value_cell(v)) ?
	    savestring(value_cell(v)) : NULL;
	s->exported = v && exported_p(v);
	bg_unwind(var_restore, s);
	return (0);
}
