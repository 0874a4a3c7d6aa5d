/* pidset.c - a small hash map from pid to an int */

#include <stdlib.h>
#include <string.h>

#include "pidset.h"

static size_t
pidset_slot(const struct pidset *s, pid_t pid)
{
	return (((size_t)pid * 2654435761u) & (s->cap - 1));
}

/* Return a pointer to the value stored for PID in S, or NULL. */
int *
pidset_get(struct pidset *s, pid_t pid)
{
	size_t i;

	if (s->cap == 0)
		return (NULL);
	for (i = pidset_slot(s, pid); s->keys[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == pid)
			return (&s->vals[i]);
	return (NULL);
}

static int
pidset_grow(struct pidset *s)
{
	struct pidset n;
	size_t i;

	n.cap = s->cap ? s->cap * 2 : 64;
	while (n.cap < s->live * 4)
		n.cap *= 2;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.vals = calloc(n.cap, sizeof(*n.vals));
	if (n.keys == NULL || n.vals == NULL) {
		free(n.keys);
		free(n.vals);
		return (-1);
	}
	n.used = n.live = 0;
	for (i = 0; i < s->cap; i++)
		if (s->keys[i] > 0)
			pidset_put(&n, s->keys[i], s->vals[i]);
	free(s->keys);
	free(s->vals);
	*s = n;
	return (0);
}

/* Store VAL for PID in S.  Return 0, or -1 when out of memory. */
int
pidset_put(struct pidset *s, pid_t pid, int val)
{
	int *v;
	size_t i;

	if ((v = pidset_get(s, pid)) != NULL) {
		*v = val;
		return (0);
	}
	if ((s->used + 1) * 2 > s->cap && pidset_grow(s) < 0)
		return (-1);
	for (i = pidset_slot(s, pid); s->keys[i] > 0; i = (i + 1) & (s->cap - 1))
		;
	if (s->keys[i] == 0)
		s->used++;
	s->keys[i] = pid;
	s->vals[i] = val;
	s->live++;
	return (0);
}

/* Remove PID from S, if present. */
void
pidset_del(struct pidset *s, pid_t pid)
{
	int *v;
	size_t i;

	if ((v = pidset_get(s, pid)) == NULL)
		return;
	i = (size_t)(v - s->vals);
	s->keys[i] = -1;
	s->live--;
}

/* Empty S, keeping its storage. */
void
pidset_clear(struct pidset *s)
{
	if (s->cap)
		memset(s->keys, 0, s->cap * sizeof(*s->keys));
	s->used = s->live = 0;
}

/* Release S's storage. */
void
pidset_free(struct pidset *s)
{
	free(s->keys);
	free(s->vals);
	memset(s, 0, sizeof(*s));
}
