/* subst.h - GNU parallel's replacement strings: {} {.} {/} {//} {/.} {#} {%} {N} */

#ifndef BGTOOLS_SUBST_H
#define BGTOOLS_SUBST_H

#include "bashapi.h"

int subst_has(WORD_LIST *);
WORD_LIST *subst_build(WORD_LIST *, char **, int, long, int);

#endif
