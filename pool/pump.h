/* pump.h - what output.c and the pump share: captures, sinks, the engine */

#ifndef BGTOOLS_PUMP_H
#define BGTOOLS_PUMP_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include "output.h"

#define PUMP_CHUNK	65536	/* one read from a job's pipe */
#define LINE_PART	65536	/* an unfinished line this long is printed */
#define STAGE_SIZE	262144	/* a sink's bytes accepted, not yet written */

enum { CAP_READING, CAP_READ, CAP_QUEUED, CAP_DONE };
enum { VERDICT_NONE, VERDICT_EMIT, VERDICT_DISCARD };
enum { TAG_WAKE, TAG_PIPE, TAG_SINK };

/* What an epoll event points at. */
struct ptag {
	int kind;		/* TAG_* */
	int stream;		/* TAG_PIPE: 0 stdout, 1 stderr */
	struct outcap *cap;
	struct sink *sink;
};

/* Where output goes: our own copy of the shell's stdout or stderr. */
struct sink {
	int fd;			/* a dup: the shell may move its fd 1 later */
	int wfd;		/* what we write to: non-blocking, or fd */
	int how;		/* SINK_* */
	int tty;
	char *stage;		/* accepted bytes not yet written */
	size_t soff, slen;
	int waiting;		/* wfd is watched for POLLOUT */
	int failed;		/* errno of a failed write: nothing more goes */
	struct outcap *owner;	/* line mode: printed part of a line */
	int owner_stream;
	struct ptag pt;
};

#define SINK_FILE	0	/* a regular file or /dev/null: never blocks */
#define SINK_NB		1	/* wfd is our own O_NONBLOCK description */
#define SINK_SOCK	2	/* a socket: send with MSG_DONTWAIT */
#define SINK_POLL	3	/* none of those: poll, then small writes */

/* One job's output, from its pipes to the sinks. */
struct outcap {
	struct output *o;
	int mode;		/* OUT_GROUP, OUT_LINE, OUT_UNGROUP */
	int rfd[2];		/* pipes' read ends, -1 at EOF */
	int wfd[2];		/* write ends, closed once the job runs */
	int watched[2];		/* rfd is in the epoll set */
	int spool;		/* OUT_GROUP: chunks, each behind a header */
	off_t spooled;
	size_t bytes;		/* stdout bytes, for the joblog */
	int resfd[2];		/* --results files, -1 */
	char *tag;
	char *head, *foot;	/* --ci-groups: lines around the output */
	int wrapped;		/* 1: head staged, 2: foot staged too */
	char *buf[2];		/* line and pass modes: read, not yet staged */
	size_t blen[2];
	int bol[2];		/* at the start of a line (tagging) */
	int state, verdict, closing, added;
	int trouble, rerrno;	/* OUT_TROUBLE_* */
	int epass;		/* emission: stream being printed */
	off_t eoff;		/* next byte of the spool to print */
	size_t eleft;		/* of the current chunk */
	struct ptag pt[2];
	struct outcap *next;	/* o->caps */
	struct outcap *anext;	/* the engine's captures */
	struct outcap *qnext;	/* the emission queue */
};

/* A chunk's header in the spool. */
struct chunkhdr {
	unsigned int len;
	unsigned int stream;
};

ssize_t sink_write(struct sink *, const char *, size_t);
int spool_chunk(struct outcap *, int, const char *, size_t);
void pump_lock(void);
void pump_unlock(void);
int pump_init(void);
void pump_release(void);
int pump_epfd(void);
void pump_wake(void);
void pump_add(struct outcap *);
void pump_remove(struct outcap *);
void pump_queue(struct outcap *);
void pump_unqueue(struct output *);
int pump_run(void);
void pump_park(void);
void pump_unpark(void);
void pump_sink_watch(struct sink *, int);
void pump_bar(struct sink *, const char *, size_t, int);
int pump_bar_pending(void);
void pump_progress(void);
void pump_child(void);

#endif
