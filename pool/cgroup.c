/* cgroup.c - per-job memory and CPU caps in cgroups: --mem-limit, --cpu-quota */

/*
 * rlimits cannot cap what a job and its children use together, a cgroup
 * can.  At its first job a pool makes one cgroup of its own under the
 * shell's (bgtools-PID-N), and in it one per job slot (1, 2, ...) with
 * the caps; a job's child moves itself into its slot's cgroup after the
 * fork and before its command (so every job is forked, as with --nice),
 * and whatever it starts inherits the cgroup: nothing escapes the cap.
 *
 * Where: a cgroup v2 hierarchy if the shell's cgroup there has the
 * controller and can hand it down (its cgroup.subtree_control), else the
 * controller's cgroup v1 hierarchy (hybrid systems: memory and cpu are
 * often still v1, and v2 refuses to hand a controller down from a
 * cgroup that holds processes, as the shell's usually does).  v2:
 * memory.max (and memory.swap.max 0), cpu.max; v1:
 * memory.limit_in_bytes (and memsw, where it exists), cpu.cfs_quota_us
 * per CG_PERIOD_US.  Where neither can be written (not root, no such
 * controller), pool says so once and runs the jobs without that cap:
 * better a job than none, but never silently.
 *
 * A job over its memory cap is killed by the kernel's OOM killer (KILL:
 * status 137); the slot's oom_kill count (v1 memory.oom_control, v2
 * memory.events) going up while the job ran tells pool it was the cap,
 * and it says so.  When the pool ends (also on Ctrl-C or TERM, before
 * the signal is passed on) what is left in its cgroups is killed (a
 * cgroup with processes in it cannot be removed) and they are removed.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bashapi.h"
#include "cgroup.h"

#define CG_MEM	0
#define CG_CPU	1

static const struct {
	const char *opt, *name;
} cg_ctl[2] = {
	{ "--mem-limit", "memory" },
	{ "--cpu-quota", "cpu" },
};

/* Read PATH into BUF (SIZE bytes, NUL-terminated); return 0, or -1. */
static int
cg_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return (-1);
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return (-1);
	buf[n] = '\0';
	return (0);
}

/* Write TEXT to the control file DIR/FILE; return 0, or -1. */
static int
cg_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return (-1);
	n = write(fd, text, strlen(text));
	close(fd);
	return (n == (ssize_t)strlen(text) ? 0 : -1);
}

/* Return non-zero if WORD is one of LIST's words (spaces or commas). */
static int
cg_has(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *s;

	for (s = list; (s = strstr(s, word)) != NULL; s += len)
		if ((s == list || strchr(" ,\n", s[-1])) &&
		    strchr(" ,\n", s[len]))
			return (1);
	return (0);
}

/*
 * Find the mount of the v2 hierarchy (V2) or the v1 one with controller
 * CTL: its mount point into MNT and its root into ROOT (PATH_MAX each).
 * Return 0, or -1 if there is none.
 */
static int
cg_mount(const char *ctl, int v2, char *mnt, char *root)
{
	char line[4096], type[64], opts[1024];
	const char *dash;
	FILE *f;
	int r;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return (-1);
	r = -1;
	while (r < 0 && fgets(line, sizeof(line), f))
		if ((dash = strstr(line, " - ")) != NULL &&
		    sscanf(dash, " - %63s %*s %1023s", type, opts) == 2 &&
		    sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2 &&
		    (v2 ? strcmp(type, "cgroup2") == 0 :
		    strcmp(type, "cgroup") == 0 && cg_has(opts, ctl)))
			r = 0;
	fclose(f);
	return (r);
}

/*
 * The shell's own cgroup directory for controller CTL, in the v2
 * hierarchy (V2) or its v1 one, into DIR (PATH_MAX).  Return 0, or -1.
 */
static int
cg_self(const char *ctl, int v2, char *dir)
{
	char line[4096], mnt[PATH_MAX], root[PATH_MAX], *ctls, *path;
	size_t rl;
	FILE *f;
	int r;

	if (cg_mount(ctl, v2, mnt, root) < 0 ||
	    (f = fopen("/proc/self/cgroup", "re")) == NULL)
		return (-1);
	r = -1;
	while (r < 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if ((ctls = strchr(line, ':')) == NULL ||
		    (path = strchr(++ctls, ':')) == NULL)
			continue;
		*path++ = '\0';
		if (v2 ? *ctls != '\0' : !cg_has(ctls, ctl))
			continue;
		/* A bind mount of a subtree shows the path from its root. */
		rl = strcmp(root, "/") ? strlen(root) : 0;
		if (strncmp(path, root, rl) == 0)
			r = snprintf(dir, PATH_MAX, "%s%s", mnt,
			    strcmp(path + rl, "/") ? path + rl : "") <
			    PATH_MAX ? 0 : -1;
	}
	fclose(f);
	return (r);
}

/*
 * Return non-zero if the v2 cgroup SELF has the controller PLUS names
 * (+memory) and hands it down to its children (its subtree_control).
 */
static int
cg_v2_hands(const char *self, const char *plus)
{
	char path[PATH_MAX], buf[1024];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", self);
	return (cg_read(path, buf, sizeof(buf)) == 0 &&
	    cg_has(buf, plus + 1) &&
	    cg_write(self, "cgroup.subtree_control", plus) == 0);
}

/*
 * Make the pool's cgroup for controller K under the shell's: NAME in
 * the v2 hierarchy if the controller can be handed down there, else in
 * the v1 one.  Return its path (the caller's), or NULL.
 */
static char *
cg_make(struct cgroups *cg, int k, const char *name)
{
	char self[PATH_MAX], plus[16], *dir;
	int v2, shared, made;

	snprintf(plus, sizeof(plus), "+%s", cg_ctl[k].name);
	for (v2 = 1; v2 >= 0; v2--) {
		if (cg_self(cg_ctl[k].name, v2, self) < 0 ||
		    (v2 && !cg_v2_hands(self, plus)))
			continue;
		dir = xmalloc(strlen(self) + strlen(name) + 2);
		sprintf(dir, "%s/%s", self, name);
		/* v2: both controllers in the one cgroup, made once. */
		shared = v2 && cg->dir[CG_MEM] && cg->v2[CG_MEM] &&
		    strcmp(dir, cg->dir[CG_MEM]) == 0;
		made = !shared && mkdir(dir, 0755) == 0;
		if ((shared || made) && (!v2 || cg_v2_hands(dir, plus))) {
			cg->v2[k] = v2;
			return (dir);
		}
		if (made)
			rmdir(dir);
		free(dir);
	}
	return (NULL);
}

/* Write controller K's cap into the slot cgroup DIR; return 0, or -1. */
static int
cg_cap(const struct cgroups *cg, int k, const char *dir)
{
	char v[64];

	if (k == CG_MEM) {
		snprintf(v, sizeof(v), "%lld", (long long)cg->mem);
		if (cg_write(dir, cg->v2[k] ? "memory.max" :
		    "memory.limit_in_bytes", v) < 0)
			return (-1);
		/* Not round the cap through swap, where there is any. */
		(void)(cg->v2[k] ? cg_write(dir, "memory.swap.max", "0") :
		    cg_write(dir, "memory.memsw.limit_in_bytes", v));
		return (0);
	}
	if (cg->v2[k]) {
		snprintf(v, sizeof(v), "%ld %ld", cg->cpu, CG_PERIOD_US);
		return (cg_write(dir, "cpu.max", v));
	}
	snprintf(v, sizeof(v), "%ld", CG_PERIOD_US);
	(void)cg_write(dir, "cpu.cfs_period_us", v);
	snprintf(v, sizeof(v), "%ld", cg->cpu);
	return (cg_write(dir, "cpu.cfs_quota_us", v));
}

/* A slot's cgroup under DIR, into PATH (PATH_MAX); FILE in it if set. */
static void
cg_slot_path(char *path, const char *dir, int slot, const char *file)
{
	snprintf(path, PATH_MAX, "%s/%d%s%s", dir, slot, file ? "/" : "",
	    file ? file : "");
}

/* Kill what is left in DIR's slot cgroups, remove them and DIR. */
static int
cg_remove(const char *dir, int nslot)
{
	char path[PATH_MAX];
	struct timespec ts = { 0, 5000000 };
	int s, tries, pid, r;
	FILE *f;

	r = 0;
	for (s = 1; s <= nslot; s++) {
		cg_slot_path(path, dir, s, NULL);
		for (tries = 0; rmdir(path) < 0 && errno == EBUSY &&
		    tries < 200; tries++) {
			cg_slot_path(path, dir, s, "cgroup.procs");
			if ((f = fopen(path, "re")) != NULL) {
				while (fscanf(f, "%d", &pid) == 1)
					if (pid > 0 && pid != getpid())
						kill(pid, SIGKILL);
				fclose(f);
			}
			nanosleep(&ts, NULL);
			cg_slot_path(path, dir, s, NULL);
		}
		if (access(path, F_OK) == 0)
			r = -1;
	}
	return (rmdir(dir) < 0 && errno != ENOENT ? -1 : r);
}

/*
 * --cpu-quota PERCENT: of one CPU (200% is two), the % optional, into
 * *US, microseconds per CG_PERIOD_US.  Return 0, or -1.
 */
int
cgroup_quota_parse(const char *text, long *us)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !isfinite(v) || *text == '-')
		return (-1);
	if (*end == '%')
		end++;
	if (*end != '\0' || v < 1 || v > 100000)
		return (-1);
	*us = (long)(v * CG_PERIOD_US / 100 + 0.5);
	return (0);
}

/* Make SLOT's cgroup for controller K, with its cap; return 0, or -1. */
static int
cg_slot_make(struct cgroups *cg, int k, int slot)
{
	char path[PATH_MAX];
	int i = 2 * (slot - 1) + k;

	if (cg->procs[i] != NULL)
		return (0);
	cg_slot_path(path, cg->dir[k], slot, NULL);
	if ((mkdir(path, 0755) < 0 && errno != EEXIST) ||
	    cg_cap(cg, k, path) < 0)
		return (-1);
	cg_slot_path(path, cg->dir[k], slot, "cgroup.procs");
	cg->procs[i] = savestring(path);
	return (0);
}

/*
 * Set up controller K's cgroup in CG under NAME, and slot 1's to see
 * that the cap can be set (the others as their first jobs start: -j may
 * be large).  Return 0, or -1.
 */
static int
cg_begin_one(struct cgroups *cg, int k, const char *name)
{
	if ((cg->dir[k] = cg_make(cg, k, name)) == NULL)
		return (-1);
	if (cg_slot_make(cg, k, 1) == 0)
		return (0);
	/* v2, shared with memory: those cgroups and caps stay. */
	if (k == CG_MEM || cg->dir[CG_MEM] == NULL ||
	    strcmp(cg->dir[k], cg->dir[CG_MEM]) != 0)
		cg_remove(cg->dir[k], cg->nslot);
	free(cg->dir[k]);
	cg->dir[k] = NULL;
	return (-1);
}

/*
 * Before a pool's first job: cgroups for NSLOT job slots capped at MEM
 * bytes (0: no cap) and CPU microseconds per CG_PERIOD_US (0: none), in
 * CG.  A cap that cannot be had is said once; the jobs run without it.
 */
void
cgroup_begin(struct cgroups *cg, int64_t mem, long cpu, int nslot)
{
	static int npools;
	char name[64];
	int k;

	if (cg->state || (mem == 0 && cpu == 0))
		return;
	memset(cg, 0, sizeof(*cg));
	cg->state = 1;
	cg->mem = mem;
	cg->cpu = cpu;
	cg->nslot = nslot;
	cg->procs = xmalloc(2 * nslot * sizeof(*cg->procs));
	memset(cg->procs, 0, 2 * nslot * sizeof(*cg->procs));
	cg->oom = xmalloc(nslot * sizeof(*cg->oom));
	memset(cg->oom, 0, nslot * sizeof(*cg->oom));
	snprintf(name, sizeof(name), "bgtools-%ld-%d", (long)getpid(),
	    ++npools);
	for (k = 0; k < 2; k++)
		if ((k == CG_MEM ? mem : cpu) && cg_begin_one(cg, k, name) < 0)
			builtin_warning("%s: no writable cgroup with the %s "
			    "controller; running without the limit",
			    cg_ctl[k].opt, cg_ctl[k].name);
}

/* Return non-zero if CG puts jobs in cgroups. */
int
cgroup_active(const struct cgroups *cg)
{
	return (cg->dir[CG_MEM] != NULL || cg->dir[CG_CPU] != NULL);
}

/* The oom_kill count of CG's SLOT, or 0. */
static long
cg_oom_count(const struct cgroups *cg, int slot)
{
	char path[PATH_MAX], buf[4096], *s;

	if (cg->dir[CG_MEM] == NULL || slot < 1 || slot > cg->nslot)
		return (0);
	cg_slot_path(path, cg->dir[CG_MEM], slot, cg->v2[CG_MEM] ?
	    "memory.events" : "memory.oom_control");
	if (cg_read(path, buf, sizeof(buf)) < 0 ||
	    (s = strstr(buf, "oom_kill ")) == NULL)
		return (0);
	return (strtol(s + 9, NULL, 10));
}

/*
 * In the parent, as SLOT's job starts: its cgroups, if it has none yet
 * (if that fails, pool says so once and the job runs uncapped); its
 * OOM kills so far.
 */
void
cgroup_job_start(struct cgroups *cg, int slot)
{
	int k;

	if (slot < 1 || slot > cg->nslot)
		return;
	for (k = 0; k < 2; k++)
		if (cg->dir[k] && cg_slot_make(cg, k, slot) < 0 &&
		    !cg->warned++)
			builtin_warning("%s: slot %d: %s; running without the "
			    "limit", cg_ctl[k].opt, slot, strerror(errno));
	if (cg->procs[2 * (slot - 1) + CG_MEM])
		cg->oom[slot - 1] = cg_oom_count(cg, slot);
}

/*
 * In SLOT's job's child, before its command: into its cgroups.  Only
 * async-signal-safe calls (the pump thread may hold a lock at the fork).
 * If that fails, the job says so on its stderr and runs without the cap.
 */
void
cgroup_child(const struct cgroups *cg, int slot)
{
	static const char msg[] = "pool: cannot enter the job's cgroup\n";
	char num[24], *p;
	const char *path;
	pid_t pid;
	int k, fd, ok;

	if (slot < 1 || slot > cg->nslot)
		return;
	p = num + sizeof(num);
	for (pid = getpid(); pid > 0 || p == num + sizeof(num); pid /= 10)
		*--p = '0' + pid % 10;
	for (k = 0; k < 2; k++) {
		if ((path = cg->procs[2 * (slot - 1) + k]) == NULL ||
		    (k == CG_CPU && cg->procs[2 * (slot - 1)] &&
		    strcmp(path, cg->procs[2 * (slot - 1)]) == 0))
			continue;
		ok = (fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0 &&
		    write(fd, p, num + sizeof(num) - p) > 0;
		if (fd >= 0)
			close(fd);
		if (!ok)
			ok = write(2, msg, sizeof(msg) - 1) > 0;
	}
}

/*
 * After SLOT's job: return non-zero if the OOM killer killed something
 * of it at its --mem-limit.
 */
int
cgroup_oom(const struct cgroups *cg, int slot)
{
	return (cg->dir[CG_MEM] && slot >= 1 && slot <= cg->nslot &&
	    cg_oom_count(cg, slot) > cg->oom[slot - 1]);
}

/*
 * When the pool ends: kill what is left in CG's cgroups, remove them and
 * free CG.  Called again, it does nothing.
 */
void
cgroup_end(struct cgroups *cg)
{
	int k, s;

	if (!cg->state)
		return;
	for (k = 1; k >= 0; k--) {
		if (cg->dir[k] == NULL || (k == CG_CPU && cg->dir[CG_MEM] &&
		    strcmp(cg->dir[k], cg->dir[CG_MEM]) == 0))
			continue;
		if (cg_remove(cg->dir[k], cg->nslot) < 0)
			builtin_warning("%s: %s", cg->dir[k], strerror(errno));
	}
	for (s = 0; s < 2 * cg->nslot; s++)
		free(cg->procs[s]);
	free(cg->procs);
	free(cg->oom);
	free(cg->dir[0]);
	free(cg->dir[1]);
	memset(cg, 0, sizeof(*cg));
}
