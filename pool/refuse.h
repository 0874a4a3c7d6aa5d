/* refuse.h - GNU parallel options pool does not have, and why */

#ifndef BGTOOLS_REFUSE_H
#define BGTOOLS_REFUSE_H

#include "opts.h"

const char *refuse_why(const char *);
int refuse_check(const struct opts *);

#endif
