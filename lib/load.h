/* load.h - what every builtin of bgtools shares: loading and unloading */

#ifndef BGTOOLS_LOAD_H
#define BGTOOLS_LOAD_H

#include "bashapi.h"

/* Only the builtins' entry points leave the .so (-fvisibility=hidden). */
#define BG_EXPORT	__attribute__((visibility("default")))

/*
 * NAME_builtin_load refuses a bash other than the one we were built for;
 * NAME_builtin_unload calls BUSY (NULL: none), which returns non-zero if
 * state outlives the call (a --sem pool with jobs): then the .so stays
 * mapped (load_pin), whatever `enable -d' does.
 */
#define BG_LOADERS_BUSY(name, busy) \
	BG_EXPORT int name##_builtin_load(char *); \
	BG_EXPORT void name##_builtin_unload(char *); \
	int name##_builtin_load(char *n) { return (load_check(n)); } \
	void name##_builtin_unload(char *n) { load_unload(n, (busy)); }
#define BG_LOADERS(name)	BG_LOADERS_BUSY(name, NULL)

/*
 * NAME_doc, the text of `help NAME': in its Options section an option's text
 * starts at column 24 of what help prints, each line indented by four
 * spaces, not of the strings in the source: an option line may look a tab
 * short there.  tests/load.bats checks the layout of every builtin.
 */

int load_check(const char *);
void load_unload(const char *, int (*)(void));

#endif
