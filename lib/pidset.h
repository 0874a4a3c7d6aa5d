/* pidset.h - a small hash map from pid to an int */

#ifndef BGTOOLS_PIDSET_H
#define BGTOOLS_PIDSET_H

#include <sys/types.h>

struct pidset {
	pid_t *keys;		/* 0: empty slot, -1: deleted slot */
	int *vals;
	size_t cap, used, live;
};

int *pidset_get(struct pidset *, pid_t);
int pidset_put(struct pidset *, pid_t, int);
void pidset_del(struct pidset *, pid_t);
void pidset_clear(struct pidset *);
void pidset_free(struct pidset *);

#define PIDSET_EACH(s, i) \
	for ((i) = 0; (i) < (s)->cap; (i)++) if ((s)->keys[(i)] > 0)

#endif
