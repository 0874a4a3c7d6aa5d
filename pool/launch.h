/* launch.h - run pool's jobs through a launcher: ssh, srun, docker exec */

#ifndef BGTOOLS_LAUNCH_H
#define BGTOOLS_LAUNCH_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "bashapi.h"

struct lhost {
	char *name;			/* NULL: the local machine (`:') */
	char *port;			/* host:PORT, or NULL */
	char *login;			/* the sshlogin without NCPUS/ */
	int ncpus;			/* NCPUS/host; 0: -j */
	const char *slf;		/* read from --slf FILE, or NULL */
	int gone;			/* no longer in it: no new job */
	int late;			/* added by a re-read: no -M master */
};

struct launch {
	const char *prefix;		/* --launcher PREFIX, or NULL */
	const char *ssh;		/* --ssh CMD, or NULL: ssh */
	struct lhost *hosts;		/* --sshlogin, --slf */
	int nhosts;
	char **env;			/* --env NAME... */
	int nenv;
	int jobs;			/* slots per host without NCPUS/ */
	const char *workdir;		/* --workdir DIR, or NULL */
	int filter;			/* --filter-hosts */
	int cmaster;			/* --controlmaster */
	char *cmdir;			/* its sockets' dir, once made */
	char **tf;			/* --transferfile FILE... */
	int ntf;
	char **ret;			/* --return FILE... */
	int nret;
	int cleanup;			/* --cleanup */
	char **bf;			/* --basefile FILE... */
	int nbf;
	const char *slf;		/* --slf FILE, re-read if it changes */
	struct timespec slf_mtime;	/* its mtime, size, inode when read */
	off_t slf_size;
	ino_t slf_ino;
	int64_t slf_next;		/* duration_now() of the next look */
};

/* launch_files: which list FILE goes to. */
#define LAUNCH_TF	1	/* --transferfile FILE */
#define LAUNCH_RET	2	/* --return FILE */
#define LAUNCH_TRC	3	/* --trc FILE: --transferfile {}, --return FILE,
				   --cleanup */
#define LAUNCH_BF	4	/* --basefile FILE */

int launch_hosts(struct launch *, const char *);
int launch_slf(struct launch *, const char *);
int launch_env(struct launch *, const char *);
int launch_workdir(struct launch *, const char *);
int launch_files(struct launch *, int, const char *);
char *launch_wd_make(const struct launch *);
void launch_wd_remove(char *);
int launch_wd_enter(const struct launch *, const char *);
int launch_check(const struct launch *);
int launch_active(const struct launch *);
int launch_start(struct launch *);
int launch_slots(const struct launch *, int);
int launch_reread(struct launch *);
int launch_usable(const struct launch *, int);
const char *launch_where(const struct launch *, int, int);
WORD_LIST *launch_wrap(const struct launch *, WORD_LIST *, int, char **, int,
    long);
void launch_end(struct launch *, int);
void launch_free(struct launch *);

#endif
