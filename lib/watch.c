/* watch.c - inotify watches on files and trees, changed paths collected once */

/*
 * onchange sleeps in waitset with the inotify descriptor among its fds;
 * this file turns what the kernel reports into a list of changed paths,
 * each once however many events it had (an editor's write-rename burst
 * is one path).  A file operand is watched through its directory,
 * filtered by name: an editor that saves by renaming a new file over the
 * old one replaces the inode a watch on the file itself would follow, and
 * the next save would go unseen.  With -r, a directory that appears is
 * watched at once and what it already holds is reported: files created
 * in it before its watch was added would otherwise be lost.  A watch
 * that cannot be added because of the per-user limit is an error that
 * names the sysctl to raise, never a silent gap.
 */

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fds.h"
#include "bashapi.h"
#include "watch.h"

#define WATCH_DEFAULT	(IN_CREATE | IN_CLOSE_WRITE | IN_DELETE | \
	IN_MOVED_FROM | IN_MOVED_TO)
#define WATCH_BUF	65536

struct watch_ent {
	char *path;		/* NULL: slot unused */
	int root;		/* an operand's directory: its loss ends us */
	int whole;		/* a directory operand: every entry counts */
	char **names;		/* only these entries (file operands); NULL: all */
	size_t nnames;
};

static const struct {
	const char *name;
	uint32_t mask;
} watch_names[] = {
	{ "all", IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_DELETE |
	    IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB },
	{ "attrib", IN_ATTRIB },
	{ "create", IN_CREATE },
	{ "delete", IN_DELETE },
	{ "modify", IN_MODIFY },
	{ "move", IN_MOVED_FROM | IN_MOVED_TO },
	{ "write", IN_CLOSE_WRITE },
	{ NULL, 0 }
};

/*
 * Parse LIST, event names separated by commas, into *MASK.  Return 0, or
 * -1 after "NAME: invalid event name".
 */
int
watch_events(const char *list, uint32_t *mask)
{
	const char *p, *e;
	size_t n;
	int i;

	*mask = 0;
	for (p = list; ; p = e + 1) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		for (i = 0; watch_names[i].name; i++)
			if (strlen(watch_names[i].name) == n &&
			    strncmp(watch_names[i].name, p, n) == 0)
				break;
		if (watch_names[i].name == NULL) {
			builtin_error("%.*s: invalid event name", (int)n, p);
			return (-1);
		}
		*mask |= watch_names[i].mask;
		if (e == NULL)
			break;
	}
	return (0);
}

/* FNV-1a of S. */
static size_t
watch_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (h);
}

/* Grow P's hash table to twice its entries at least, and rehash. */
static void
watch_paths_rehash(struct watch_paths *p)
{
	size_t i, j, n;

	n = p->nslot ? p->nslot * 2 : 64;
	free(p->slot);
	p->slot = xmalloc(n * sizeof(*p->slot));
	memset(p->slot, 0, n * sizeof(*p->slot));
	p->nslot = n;
	for (i = 0; i < p->n; i++) {
		j = watch_hash(p->v[i]) & (n - 1);
		while (p->slot[j])
			j = (j + 1) & (n - 1);
		p->slot[j] = i + 1;
	}
}

/* Add PATH to P unless it is there already. */
void
watch_paths_add(struct watch_paths *p, const char *path)
{
	size_t j;

	if (p->nslot < 2 * (p->n + 1))
		watch_paths_rehash(p);
	j = watch_hash(path) & (p->nslot - 1);
	for (; p->slot[j]; j = (j + 1) & (p->nslot - 1))
		if (strcmp(p->v[p->slot[j] - 1], path) == 0)
			return;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = savestring(path);
	p->slot[j] = p->n;
}

/* Add FROM's paths to TO (each once) and empty FROM. */
void
watch_paths_merge(struct watch_paths *to, struct watch_paths *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		watch_paths_add(to, from->v[i]);
	watch_paths_clear(from);
}

/* Empty P, keeping its memory for the next run. */
void
watch_paths_clear(struct watch_paths *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
	if (p->slot)
		memset(p->slot, 0, p->nslot * sizeof(*p->slot));
}

void
watch_init(struct watch *w)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->gitignore = 1;
}

/* Return non-zero if PATH is left out: under .git, or matching -x. */
static int
watch_excluded(const struct watch *w, const char *path)
{
	const char *base, *g;
	char **x;

	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (w->gitignore)
		for (g = path; (g = strstr(g, ".git")) != NULL; g += 4)
			if ((g == path || g[-1] == '/') &&
			    (g[4] == '\0' || g[4] == '/'))
				return (1);
	for (x = w->exclude; x && *x; x++)
		if (fnmatch(*x, base, 0) == 0 || fnmatch(*x, path, 0) == 0)
			return (1);
	return (0);
}

/* DIR/NAME in a new string. */
static char *
watch_join(const char *dir, const char *name)
{
	size_t n;
	char *s;

	n = strlen(dir);
	s = xmalloc(n + strlen(name) + 2);
	strcpy(s, dir);
	if (n == 0 || dir[n - 1] != '/')
		s[n++] = '/';
	strcpy(s + n, name);
	return (s);
}

/* The entry for watch descriptor WD, made if need be. */
static struct watch_ent *
watch_slot(struct watch *w, int wd)
{
	size_t n;

	if ((size_t)wd >= w->nent) {
		n = (size_t)wd * 2 + 16;
		w->ent = xrealloc(w->ent, n * sizeof(*w->ent));
		memset(w->ent + w->nent, 0, (n - w->nent) * sizeof(*w->ent));
		w->nent = n;
	}
	return (&w->ent[wd]);
}

/*
 * Watch directory DIR; ROOT if an operand's.  Return its entry, NULL if
 * DIR vanished meanwhile, or NULL with w->limit (ENOSPC) or after a
 * message for another failure (check errno != ENOENT).
 */
static struct watch_ent *
watch_dir(struct watch *w, const char *dir, int root)
{
	struct watch_ent *e;
	uint32_t mask;
	int wd;

	mask = w->mask | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
	if (w->recursive)
		mask |= IN_CREATE | IN_MOVED_TO;
	if ((wd = inotify_add_watch(w->fd, dir, mask)) < 0) {
		if (errno == ENOSPC) {
			w->limit = 1;
			builtin_error("%s: inotify watch limit reached: raise "
			    "fs.inotify.max_user_watches (sysctl)", dir);
		} else if (errno != ENOENT)
			builtin_error("%s: cannot watch: %s", dir,
			    strerror(errno));
		return (NULL);
	}
	e = watch_slot(w, wd);
	if (e->path == NULL)
		e->path = savestring(dir);
	e->root |= root;
	return (e);
}

static int watch_tree(struct watch *, const char *, int,
    struct watch_paths *);

/*
 * Watch the subdirectories of DIR (with -r); report what DIR holds into
 * REPORT if not NULL (DIR is new: its entries were made before its
 * watch).  Return 0 or -1.
 */
static int
watch_scan(struct watch *w, const char *dir, struct watch_paths *report)
{
	struct dirent *d;
	struct stat st;
	DIR *dp;
	char *sub;
	int isdir, ret = 0;

	if ((dp = opendir(dir)) == NULL)
		return (0);	/* gone again, or unreadable: its events say */
	while (ret == 0 && (d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		sub = watch_join(dir, d->d_name);
		isdir = d->d_type == DT_DIR;
		if (d->d_type == DT_UNKNOWN && lstat(sub, &st) == 0)
			isdir = S_ISDIR(st.st_mode);
		if (!watch_excluded(w, sub)) {
			if (report && (w->mask & (IN_CREATE | IN_MOVED_TO)))
				watch_paths_add(report, sub);
			if (isdir)
				ret = watch_tree(w, sub, 0, report);
		}
		free(sub);
	}
	closedir(dp);
	return (ret);
}

/* Watch DIR, and with -r its whole tree.  Return 0 or -1 (message shown). */
static int
watch_tree(struct watch *w, const char *dir, int root, struct watch_paths *report)
{
	if (watch_dir(w, dir, root) == NULL)
		return (errno == ENOENT && !w->limit ? 0 : -1);
	return (w->recursive ? watch_scan(w, dir, report) : 0);
}

/* Watch the directory of file PATH for PATH's name only. */
static int
watch_file(struct watch *w, const char *path)
{
	struct watch_ent *e;
	const char *slash;
	char *dir;

	slash = strrchr(path, '/');
	dir = slash ? savestring(path) : savestring(".");
	if (slash)
		dir[slash == path ? 1 : slash - path] = '\0';
	e = watch_dir(w, dir, 1);
	free(dir);
	if (e == NULL)
		return (-1);
	if (e->whole)
		return (0);		/* watched whole already */
	e->names = xrealloc(e->names, (e->nnames + 1) * sizeof(char *));
	e->names[e->nnames++] = savestring(slash ? slash + 1 : path);
	return (0);
}

/*
 * Watch operand PATH: a directory (its tree with -r) or a file.  Return
 * 0, or -1 after a message (watch limit reached: w->limit).
 */
int
watch_add(struct watch *w, const char *path)
{
	struct watch_ent *e;
	struct stat st;
	char *p;
	size_t n;
	int ret = 0;

	if (w->fd < 0 &&
	    (w->fd = fd_high(inotify_init1(IN_NONBLOCK | IN_CLOEXEC))) < 0) {
		builtin_error("inotify: %s", strerror(errno));
		return (-1);
	}
	if (stat(path, &st) < 0) {
		builtin_error("%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode))
		return (watch_file(w, path));
	p = savestring(path);
	for (n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
		p[n - 1] = '\0';
	if ((e = watch_dir(w, p, 1)) == NULL) {
		if (errno == ENOENT)
			builtin_error("%s: %s", p, strerror(errno));
		ret = -1;
	} else {
		/* A whole directory: drop a file operand's name filter. */
		e->whole = 1;
		for (n = 0; n < e->nnames; n++)
			free(e->names[n]);
		free(e->names);
		e->names = NULL;
		e->nnames = 0;
		if (w->recursive)
			ret = watch_scan(w, p, NULL);
	}
	free(p);
	return (ret);
}

/* Return non-zero if entry E reports NAME. */
static int
watch_wants(const struct watch_ent *e, const char *name)
{
	size_t i;

	if (e->names == NULL)
		return (1);
	for (i = 0; i < e->nnames; i++)
		if (strcmp(e->names[i], name) == 0)
			return (1);
	return (0);
}

static void
watch_forget(struct watch_ent *e)
{
	size_t i;

	for (i = 0; i < e->nnames; i++)
		free(e->names[i]);
	free(e->names);
	free(e->path);
	memset(e, 0, sizeof(*e));
}

/*
 * The queue overflowed: which paths changed is lost, so report every
 * root, and say so once.
 */
static void
watch_overflow(struct watch *w, struct watch_paths *p)
{
	size_t i;

	if (!w->overflow)
		builtin_warning("inotify queue overflowed: changed paths "
		    "lost; the watched roots are passed instead");
	w->overflow = 1;
	for (i = 0; i < w->nent; i++)
		if (w->ent[i].path && w->ent[i].root)
			watch_paths_add(p, w->ent[i].path);
}

/* Handle one event EV into P.  Return 0 or -1 (watch limit). */
static int
watch_event(struct watch *w, const struct inotify_event *ev,
    struct watch_paths *p)
{
	struct watch_ent *e;
	char *full;
	int ret = 0;

	if (ev->mask & IN_Q_OVERFLOW) {
		watch_overflow(w, p);
		return (0);
	}
	if (ev->wd < 0 || (size_t)ev->wd >= w->nent ||
	    (e = &w->ent[ev->wd])->path == NULL)
		return (0);
	if (ev->mask & IN_IGNORED) {
		watch_forget(e);
		return (0);
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
		if (e->root && !w->root_gone) {
			w->root_gone = 1;
			w->gone_path = savestring(e->path);
		}
		return (0);
	}
	if (ev->len == 0 || !watch_wants(e, ev->name))
		return (0);
	full = watch_join(e->path, ev->name);
	if (!watch_excluded(w, full)) {
		if (w->recursive && (ev->mask & IN_ISDIR) &&
		    (ev->mask & (IN_CREATE | IN_MOVED_TO)))
			ret = watch_tree(w, full, 0, p);
		if (ev->mask & w->mask)
			watch_paths_add(p, full);
	}
	free(full);
	return (ret);
}

/*
 * Read every event queued on W into P.  Return the number of events, or
 * -1 if a watch could not be added (w->limit, message shown).
 */
int
watch_read(struct watch *w, struct watch_paths *p)
{
	char buf[WATCH_BUF] __attribute__((aligned(8)));
	const struct inotify_event *ev;
	ssize_t n, off;
	int count = 0;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n; off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			count++;
			if (watch_event(w, ev, p) < 0)
				return (-1);
		}
	}
	return (count);
}

void
watch_free(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->nent; i++)
		if (w->ent[i].path)
			watch_forget(&w->ent[i]);
	free(w->ent);
	free(w->gone_path);
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->ent = NULL;
	w->nent = 0;
}
