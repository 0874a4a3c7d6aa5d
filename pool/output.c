/* output.c - capture jobs' output and print it whole, in order, tagged */

/*
 * The pool's side of output capture; pool/pump.c moves the bytes.  Each
 * captured job gets two pipes (stdout, stderr) of its own.  Grouped
 * output is spooled to an unlinked file in $TMPDIR that only the pump
 * writes (a job's output never sits in the shell's memory, and no job
 * waits for a slow reader), and printed when the pool says so: when the
 * job has ended, and with -k when its turn has come.  A spool is reused
 * by the next job without truncating it (we know how much of it is
 * ours); one past SPOOL_KEEP is truncated, so disk use stays bounded.
 *
 * A spool's chunks name their stream: 0 stdout, 1 stderr, and two that
 * are never printed, OUT_HIDDEN (output that --files or a --results
 * record took the place of) and OUT_RECORD (pool/results.c's record,
 * waiting for the job's turn); output_each reads and hides them, and
 * output_put adds to them.
 *
 * A job is over when its pipes reach EOF; a process it left behind may
 * hold them open, so the pool stops such leftovers and then closes the
 * capture: the pump reads what is left and ignores anything later.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fds.h"
#include "bashapi.h"
#include "output.h"
#include "pump.h"

#define SPOOL_KEEP	(64L << 20)	/* a bigger spool is truncated */
#define TAG_MAX		4096		/* a longer tag is cut */

/* --tmpdir of the pool call under way; NULL: $TMPDIR, or /tmp. */
static char *output_dir;

/*
 * Make DIR (NULL: none) the --tmpdir of this pool call: spools, --files
 * and scratch files go there.  A builtin's statics outlive the call, so
 * every call sets it.
 */
void
output_settmp(const char *dir)
{
	free(output_dir);
	output_dir = dir ? savestring(dir) : NULL;
}

/* The directory for temporary files: --tmpdir, $TMPDIR, or /tmp. */
const char *
output_tmpdir(void)
{
	char *dir;

	if (output_dir)
		return (output_dir);
	dir = get_string_value("TMPDIR");
	return (dir == NULL || *dir == '\0' ? "/tmp" : dir);
}

/*
 * Return a new unlinked file in output_tmpdir(), open for reading and
 * writing and close-on-exec, or -1 with errno set.
 */
int
output_tmpfile(void)
{
	const char *dir;
	char path[4096];
	int fd;

	dir = output_tmpdir();
	fd = fd_high(open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
	if (fd >= 0)
		return (fd);
	if (errno == EMFILE || errno == ENFILE)
		return (-1);
	snprintf(path, sizeof(path), "%s/bgtools.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	if ((fd = fd_high(fd)) < 0)
		return (-1);
	return (fd);
}

/* A spool for a new job of O's: a recycled one, or a new file. */
static int
output_spool(struct output *o)
{
	if (o->nspare > 0)
		return (o->spare[--o->nspare]);
	return (output_tmpfile());
}

/* Keep spool FD, of which USED bytes were written, for O's next job. */
static void
output_recycle(struct output *o, int fd, off_t used)
{
	if (fd < 0)
		return;
	if (o->nspare == OUT_SPARE_MAX ||
	    (used > SPOOL_KEEP && ftruncate(fd, 0) < 0)) {
		close(fd);
		return;
	}
	o->spare[o->nspare++] = fd;
}

/*
 * Make a sink for the shell's descriptor FD as it is now.  Writing must
 * never block: a regular file does not; a pipe or terminal is opened
 * again through /proc, giving us a description of our own to make
 * non-blocking (the shell's own stays as it is); a socket takes
 * MSG_DONTWAIT.
 */
struct sink *
output_sink(int fd)
{
	struct sink *s;
	struct stat st;
	char path[64];

	s = xmalloc(sizeof(*s));
	memset(s, 0, sizeof(*s));
	s->stage = xmalloc(STAGE_SIZE);
	s->fd = s->wfd = fcntl(fd, F_DUPFD_CLOEXEC, FD_HIGH);
	if (s->fd < 0 || fstat(s->fd, &st) < 0) {
		/* Closed (`2>&-'): it fails when there is something to say. */
		s->how = SINK_FILE;
		return (s);
	}
	s->tty = isatty(s->fd);
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ||
	    (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))) {
		s->how = SINK_FILE;
		return (s);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	s->wfd = fd_high(open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY));
	if (s->wfd >= 0) {
		s->how = SINK_NB;
		if (s->wfd >= 0)
			return (s);
	}
	s->wfd = s->fd;
	s->how = S_ISSOCK(st.st_mode) ? SINK_SOCK : SINK_POLL;
	return (s);
}

void
output_sink_free(struct sink *s)
{
	if (s->wfd >= 0 && s->wfd != s->fd)
		close(s->wfd);
	if (s->fd >= 0)
		close(s->fd);
	free(s->stage);
	free(s);
}

/*
 * Set up O for MODE (OUT_*): CAPTURE, jobs write to pipes we read (all
 * but a plain -u); BAR, a progress line is drawn on stderr if it is a
 * terminal.  The output goes where the shell's stdout and stderr point
 * now.  Return 0, or -1 with errno set.
 */
int
output_begin(struct output *o, int mode, int capture, int bar)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->capture = capture;
	if (pump_init() < 0)
		return (-1);
	fflush(stdout);
	fflush(stderr);
	o->sink[0] = output_sink(1);
	o->sink[1] = output_sink(2);
	o->bar = bar && o->sink[1]->tty;
	return (0);
}

static void
output_cap_free(struct outcap *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->rfd[i] >= 0)
			close(c->rfd[i]);
		if (c->wfd[i] >= 0)
			close(c->wfd[i]);
		if (c->resfd[i] >= 0)
			close(c->resfd[i]);
		free(c->buf[i]);
	}
	if (c->spool >= 0)
		output_recycle(c->o, c->spool, c->spooled);
	free(c->tag);
	free(c->head);
	free(c->foot);
	free(c);
}

/* Open DIR/NAME for --results; -1 if it cannot be. */
static int
output_resfile(const char *dir, const char *name)
{
	char *path;
	int fd;

	path = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(path, "%s/%s", dir, name);
	fd = fd_high(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666));
	free(path);
	return (fd);
}

static int
output_pipes(struct outcap *c)
{
	int i, p[2];

	for (i = 0; i < 2; i++) {
		if (pipe_high(p, O_CLOEXEC) < 0)
			return (-1);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		c->rfd[i] = p[0];
		c->wfd[i] = p[1];
	}
	return (0);
}

/*
 * Prepare the capture of a job's output in O, with TAG (NULL: none)
 * before each line, saved to RESDIR/stdout and RESDIR/stderr too unless
 * RESDIR is NULL.  Store the descriptors the job must write to in WFD.
 * Return the capture, or NULL with errno set (EMFILE: too many open
 * files, try again when a job has ended).  A --results file that cannot
 * be made is not an error here: output_trouble reports it.
 */
struct outcap *
output_open(struct output *o, const char *tag, const char *resdir,
    int wfd[2])
{
	struct outcap *c;
	int i, e;

	c = xmalloc(sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->o = o;
	c->mode = o->mode;
	c->spool = -1;
	for (i = 0; i < 2; i++) {
		c->rfd[i] = c->wfd[i] = c->resfd[i] = -1;
		c->bol[i] = 1;
	}
	if (output_pipes(c) < 0 ||
	    (c->mode == OUT_GROUP && (c->spool = output_spool(o)) < 0)) {
		e = errno;
		output_cap_free(c);
		errno = e;
		return (NULL);
	}
	for (i = 0; i < 2 && c->mode != OUT_GROUP; i++)
		c->buf[i] = xmalloc(PUMP_CHUNK);
	if (tag) {
		c->tag = savestring(tag);
		if (strlen(c->tag) > TAG_MAX)
			c->tag[TAG_MAX] = '\0';
	}
	for (i = 0; resdir && i < 2; i++)
		if ((c->resfd[i] = output_resfile(resdir, i ? "stderr" :
		    "stdout")) < 0 && !(c->trouble & OUT_TROUBLE_RESULTS)) {
			c->trouble |= OUT_TROUBLE_RESULTS;
			c->rerrno = errno;
		}
	wfd[0] = c->wfd[0];
	wfd[1] = c->wfd[1];
	c->next = o->caps;
	o->caps = c;
	o->ncaps++;
	return (c);
}

/* The job runs: close our write ends, and let the pump read. */
void
output_started(struct outcap *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		close(c->wfd[i]);
		c->wfd[i] = -1;
	}
	pump_lock();
	pump_add(c);
	pump_unlock();
}

/* Return 1 once everything C's job wrote has been read (EOF). */
int
output_eof(struct outcap *c)
{
	int r;

	pump_lock();
	r = c->state != CAP_READING;
	pump_unlock();
	return (r);
}

/*
 * C's job is over and what it left behind is stopped: read what its
 * pipes still hold, then stop reading them even if someone still has
 * them open.
 */
void
output_close(struct outcap *c)
{
	pump_lock();
	c->closing = 1;
	pump_unlock();
	pump_wake();
}

/* The number of bytes C's job wrote to stdout (for the joblog). */
size_t
output_bytes(struct outcap *c)
{
	size_t n;

	pump_lock();
	n = c->bytes;
	pump_unlock();
	return (n);
}

/* What went wrong with C (OUT_TROUBLE_*), with the errno in *ERR. */
int
output_trouble(struct outcap *c, int *err)
{
	int t;

	pump_lock();
	t = c->trouble;
	*err = c->rerrno;
	pump_unlock();
	return (t);
}

/*
 * Decide what becomes of C's output (V: VERDICT_*).  Grouped output that
 * has all been read is queued at once: the queue's order is the order of
 * these calls (-k).
 */
static void
output_verdict(struct outcap *c, int v)
{
	pump_lock();
	c->verdict = v;
	if (!c->added)
		c->state = CAP_DONE;	/* never started: nothing to read */
	else if (c->state == CAP_READ && v == VERDICT_EMIT &&
	    c->mode == OUT_GROUP && (c->spooled > 0 || c->head))
		pump_queue(c);
	else if (c->state == CAP_READ)
		c->state = CAP_DONE;
	pump_progress();
	pump_unlock();
	pump_wake();
}

/*
 * --ci-groups: print HEAD before C's output and FOOT after it (both new
 * strings, C's from now on), even if it has none.  Before output_emit.
 */
void
output_wrap(struct outcap *c, char *head, char *foot)
{
	pump_lock();
	c->head = head;
	c->foot = foot;
	pump_unlock();
}

/*
 * Copy the last MAX bytes (at most) C's job wrote to stderr into BUF;
 * return how many.  Grouped output only, once all of it is read.
 */
size_t
output_tail(struct outcap *c, char *buf, size_t max)
{
	struct chunkhdr h;
	off_t off, end;
	size_t total = 0, skip, got = 0, k;
	int pass;

	pump_lock();
	end = c->mode == OUT_GROUP && c->state != CAP_READING ? c->spooled : 0;
	pump_unlock();
	for (pass = 0; pass < 2; pass++) {
		skip = total > max ? total - max : 0;
		for (off = 0; off + (off_t)sizeof(h) <= end; off += h.len) {
			if (pread(c->spool, &h, sizeof(h), off) != sizeof(h))
				return (got);
			off += sizeof(h);
			if (h.stream != 1)
				continue;
			if (pass == 0) {
				total += h.len;
				continue;
			}
			k = skip >= h.len ? 0 : h.len - skip;
			if (k > 0 && pread(c->spool, buf + got, k, off + (off_t)
			    (h.len - k)) == (ssize_t)k)
				got += k;
			skip = skip >= h.len ? skip - h.len : 0;
		}
	}
	return (got);
}

/*
 * Grouped output, once all of it is read: pass each piece of stream I
 * of C's spool (0 stdout, 1 stderr, OUT_RECORD...) to FN(ARG, BUF, N),
 * in order.  With HIDE, those pieces will not be printed.  Return 0, or
 * -1 with errno set if the spool could not be read or FN returned -1.
 */
int
output_each(struct outcap *c, int i, int hide,
    int (*fn)(void *, const char *, size_t), void *arg)
{
	struct chunkhdr h;
	char buf[PUMP_CHUNK];
	off_t off, end;
	size_t k;
	ssize_t n;

	if (c == NULL)
		return (0);
	pump_lock();
	end = c->mode == OUT_GROUP && c->state != CAP_READING ? c->spooled : 0;
	pump_unlock();
	for (off = 0; off + (off_t)sizeof(h) <= end; off += h.len) {
		if (pread(c->spool, &h, sizeof(h), off) != sizeof(h))
			return (errno = EIO, -1);
		off += sizeof(h);
		if (h.stream != (unsigned int)i)
			continue;
		if (hide) {
			h.stream = OUT_HIDDEN;
			if (pwrite(c->spool, &h, sizeof(h), off -
			    (off_t)sizeof(h)) != sizeof(h))
				return (-1);
		}
		for (k = 0; k < h.len; k += (size_t)n) {
			n = pread(c->spool, buf, h.len - k < sizeof(buf) ?
			    h.len - k : sizeof(buf), off + (off_t)k);
			if (n <= 0)
				return (errno = n ? errno : EIO, -1);
			if (fn(arg, buf, (size_t)n) < 0)
				return (-1);
		}
	}
	return (0);
}

/*
 * Append N bytes of BUF to C's spool as stream I (after output_each,
 * before C is printed or discarded).  Return 0, or -1 with errno set.
 */
int
output_put(struct outcap *c, int i, const char *buf, size_t n)
{
	int r;

	pump_lock();
	r = spool_chunk(c, i, buf, n);
	pump_unlock();
	return (r);
}

/* Print C's output without its tag (it was replaced by a record). */
void
output_untag(struct outcap *c)
{
	pump_lock();
	free(c->tag);
	c->tag = NULL;
	pump_unlock();
}

/* Print C's output (grouped: once all of it is read), then release C. */
void
output_emit(struct outcap *c)
{
	output_verdict(c, VERDICT_EMIT);
}

/* Throw C's output away (a failed attempt that will be retried). */
void
output_discard(struct outcap *c)
{
	output_verdict(c, VERDICT_DISCARD);
}

/* Return 1 while something of O's is still to be read or printed. */
int
output_busy(struct output *o)
{
	struct outcap *c;
	int busy;

	pump_lock();
	pump_progress();
	busy = o->sink[0]->slen > 0 || o->sink[1]->slen > 0 ||
	    (o->bar && pump_bar_pending());
	for (c = o->caps; c && !busy; c = c->next)
		busy = c->state != CAP_DONE;
	pump_unlock();
	return (busy);
}

/* Free O's captures that the pump is done with. */
void
output_collect(struct output *o)
{
	struct outcap **pp, *c;

	pump_lock();
	for (pp = &o->caps; (c = *pp) != NULL;) {
		if (c->state != CAP_DONE) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		o->ncaps--;
		if (c->added)
			pump_remove(c);
		output_cap_free(c);
	}
	pump_unlock();
}

/* Return the errno of a failed write to O's stdout or stderr, or 0. */
int
output_failed(struct output *o)
{
	int e;

	pump_lock();
	e = o->sink[0]->failed ? o->sink[0]->failed : o->sink[1]->failed;
	pump_unlock();
	return (e);
}

/*
 * Drop whatever of O's is not printed yet and stop reading its jobs'
 * pipes (the pool was interrupted: nothing may make it wait now).
 */
void
output_cancel(struct output *o)
{
	struct outcap *c;
	int i;

	pump_lock();
	for (c = o->caps; c; c = c->next) {
		c->verdict = VERDICT_DISCARD;
		for (i = 0; i < 2; i++)
			if (c->rfd[i] >= 0) {
				if (c->watched[i])
					c->watched[i] = 0;	/* close drops it */
				close(c->rfd[i]);
				c->rfd[i] = -1;
			}
		c->blen[0] = c->blen[1] = 0;
		c->state = CAP_DONE;
	}
	pump_unqueue(o);
	for (i = 0; i < 2; i++) {
		o->sink[i]->slen = o->sink[i]->soff = 0;
		o->sink[i]->owner = NULL;
		pump_sink_watch(o->sink[i], 0);
	}
	pump_unlock();
}

/* Show TEXT as O's progress line (FINAL: the last one). */
void
output_bar(struct output *o, const char *text, int final)
{
	if (!o->bar)
		return;
	pump_lock();
	pump_bar(o->sink[1], text, strlen(text), final);
	pump_progress();
	pump_unlock();
}

/* Release O; every capture must have been collected. */
void
output_end(struct output *o)
{
	int i;

	output_cancel(o);
	output_collect(o);
	pump_lock();
	for (i = 0; i < 2; i++)
		if (o->sink[i]) {
			pump_sink_watch(o->sink[i], 0);
			output_sink_free(o->sink[i]);
			o->sink[i] = NULL;
		}
	pump_unlock();
	while (o->nspare > 0)
		close(o->spare[--o->nspare]);
	pump_release();
}

/*
 * Handle what the pump has to do now; the pool's loop calls this when
 * output_pollfd() is readable.
 */
int
output_run(void)
{
	return (pump_run());
}

/* A descriptor that is readable when the pump has work. */
int
output_pollfd(void)
{
	return (pump_epfd());
}

/* Let the thread pump while the shell does other things (--sem). */
void
output_detach(void)
{
	pump_unpark();
}

/* Take the pump back from the thread: a pool call runs it now. */
void
output_attach(void)
{
	pump_park();
}

/* In a forked child: none of the parent's captures is its business. */
void
output_child(void)
{
	pump_child();
}
