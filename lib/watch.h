/* watch.h - inotify watches on files and trees, changed paths collected once */

#ifndef BGTOOLS_WATCH_H
#define BGTOOLS_WATCH_H

#include <stddef.h>
#include <stdint.h>

/* The changed paths of one run: each once, in the order first seen. */
struct watch_paths {
	char **v;
	size_t n, cap;
	size_t *slot;		/* hash table of indices + 1; 0: empty */
	size_t nslot;
};

struct watch_ent;

struct watch {
	int fd;			/* the inotify descriptor, -1: none */
	uint32_t mask;		/* IN_* events reported */
	int recursive;		/* -r: new subdirectories are watched */
	int gitignore;		/* leave out every path with a .git component */
	char **exclude;		/* glob patterns, NULL-terminated */
	struct watch_ent *ent;	/* by watch descriptor */
	size_t nent;
	int root_gone;		/* a watched root was deleted or moved */
	char *gone_path;
	int overflow;		/* the kernel's queue overflowed */
	int limit;		/* a watch could not be added: ENOSPC */
};

#define WATCH_EVENTS_DEFAULT	0	/* see watch_events */

int watch_events(const char *, uint32_t *);
void watch_init(struct watch *);
int watch_add(struct watch *, const char *);
int watch_read(struct watch *, struct watch_paths *);
void watch_free(struct watch *);

void watch_paths_add(struct watch_paths *, const char *);
void watch_paths_merge(struct watch_paths *, struct watch_paths *);
void watch_paths_clear(struct watch_paths *);

#endif
