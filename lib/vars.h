/* vars.h - the shell variables the builtins read and set */

#ifndef BGTOOLS_VARS_H
#define BGTOOLS_VARS_H

#include "bashapi.h"

int var_name_ok(const char *);
int var_set(const char *, const char *);
int var_set_int(const char *, intmax_t);
int var_export(const char *, const char *, int);
void var_export_int(const char *, intmax_t);
void var_unset(const char *);
SHELL_VAR *var_array(const char *);
SHELL_VAR *var_assoc(const char *);
void var_array_set(SHELL_VAR *, intmax_t, intmax_t);
int var_protect(const char *);

#endif
