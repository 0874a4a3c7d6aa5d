/* persist.h - pool --persist: workers that run item after item */

#ifndef BGTOOLS_PERSIST_H
#define BGTOOLS_PERSIST_H

#include "pool.h"

int persist_refuse(const struct pool_cfg *, const struct input *);
int persist_run(struct pool *);

#endif
