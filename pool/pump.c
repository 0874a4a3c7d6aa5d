/* pump.c - move jobs' output from their pipes to the spool and the sinks */

/*
 * Every captured job writes to two pipes of its own; the pump reads them.
 * Grouped output goes into a spool file only we write (each chunk behind
 * a header naming its stream), line and pass-through output is staged
 * for the sinks at once.  A sink is our own copy of the shell's stdout or
 * stderr, written without ever blocking: a reader that does not read
 * must not make the pool deaf to signals, timeouts or halts.
 *
 * Why pipes and not files the job writes itself: a job that reopens its
 * output (`echo x >/dev/stderr', `exec >/proc/self/fd/1') would truncate
 * a file; a pipe cannot be truncated, and it is the job's own, so what a
 * straggler writes late is never taken for another job's output.
 *
 * Who runs the pump: the pool's own wait loop, which polls the epoll
 * descriptor with everything else, while a pool call runs; between
 * calls of `pool --sem', jobs go on writing, so a thread takes over
 * (parked again as soon as the next call comes).  The thread blocks
 * every signal, never calls malloc (bash's own allocator is not
 * thread-safe: main allocates, the pump only uses), and shares every
 * field of the engine, the captures and the sinks under one lock.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fds.h"
#include "pump.h"

#define PUMP_EVENTS	64

static struct {
	pid_t owner;		/* the process this engine belongs to */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int epfd, wakefd;
	struct ptag wake;
	struct outcap *caps;	/* being read, or emitted */
	struct outcap *qhead, *qtail;
	int thread, started, parked, inthread, quit;
	int refs;		/* outputs using the engine */
	struct sink *barsink;	/* --bar: where it is drawn, and what */
	char bar[512];
	size_t barlen;
	int barshown, bardirty, barfinal;
} pe;

/* Read buffer of whoever runs the pump (under the lock). */
static char pump_buf[PUMP_CHUNK];

void
pump_lock(void)
{
	pthread_mutex_lock(&pe.lock);
}

void
pump_unlock(void)
{
	pthread_mutex_unlock(&pe.lock);
}

/*
 * Make the engine of this process, once: a forked child (a function job
 * running a pool of its own) starts afresh and leaves its parent's
 * descriptors alone.  Return 0, or -1 with errno set.
 */
int
pump_init(void)
{
	struct epoll_event ev;

	if (pe.owner == getpid()) {
		pe.refs++;
		return (0);
	}
	memset(&pe, 0, sizeof(pe));
	pthread_mutex_init(&pe.lock, NULL);
	pthread_cond_init(&pe.cond, NULL);
	/* Kept between `pool --sem' calls: out of the script's fds. */
	pe.epfd = fd_high(epoll_create1(EPOLL_CLOEXEC));
	pe.wakefd = fd_high(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (pe.epfd < 0 || pe.wakefd < 0) {
		if (pe.epfd >= 0)
			close(pe.epfd);
		if (pe.wakefd >= 0)
			close(pe.wakefd);
		return (-1);
	}
	pe.wake.kind = TAG_WAKE;
	ev.events = EPOLLIN;
	ev.data.ptr = &pe.wake;
	epoll_ctl(pe.epfd, EPOLL_CTL_ADD, pe.wakefd, &ev);
	pe.owner = getpid();
	pe.refs = 1;
	return (0);
}

/*
 * An output is done with the engine.  With none left, the thread (if
 * any) ends and the descriptors close: a shell that ran a pool keeps
 * no descriptor of ours.
 */
void
pump_release(void)
{
	if (pe.owner != getpid() || --pe.refs > 0)
		return;
	pump_lock();
	if (pe.thread) {
		pe.quit = 1;
		pe.parked = 0;
		pthread_cond_broadcast(&pe.cond);
		pump_wake();
		while (pe.thread)
			pthread_cond_wait(&pe.cond, &pe.lock);
	}
	pump_unlock();
	close(pe.epfd);
	close(pe.wakefd);
	pe.owner = 0;
}

/* The descriptor that is readable when the pump has work. */
int
pump_epfd(void)
{
	return (pe.epfd);
}

/* Make whoever runs the pump look at the captures again. */
void
pump_wake(void)
{
	uint64_t one = 1;

	(void)!write(pe.wakefd, &one, sizeof(one));
}

/* In a forked child: the parent's engine is none of its business. */
void
pump_child(void)
{
	if (pe.owner == 0 || pe.owner == getpid())
		return;
	close(pe.epfd);
	close(pe.wakefd);
	pe.owner = 0;
}

static void
pump_watch(struct outcap *c, int i, int on)
{
	struct epoll_event ev;

	if (c->rfd[i] < 0 || c->watched[i] == on)
		return;
	ev.events = EPOLLIN;
	ev.data.ptr = &c->pt[i];
	if (epoll_ctl(pe.epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, c->rfd[i],
	    &ev) == 0)
		c->watched[i] = on;
}

/* Start reading C's pipes (the lock is held). */
void
pump_add(struct outcap *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		c->pt[i].kind = TAG_PIPE;
		c->pt[i].stream = i;
		c->pt[i].cap = c;
		pump_watch(c, i, 1);
	}
	c->anext = pe.caps;
	pe.caps = c;
	c->added = 1;
}

/* Forget C, which is done (the lock is held). */
void
pump_remove(struct outcap *c)
{
	struct outcap **pp;

	for (pp = &pe.caps; *pp; pp = &(*pp)->anext)
		if (*pp == c) {
			*pp = c->anext;
			break;
		}
	c->added = 0;
}

/* Watch sink S for room to write, or stop (the lock is held). */
void
pump_sink_watch(struct sink *s, int on)
{
	struct epoll_event ev;

	if (s->waiting == on)
		return;
	ev.events = EPOLLOUT;
	ev.data.ptr = &s->pt;
	s->pt.kind = TAG_SINK;
	s->pt.sink = s;
	if (epoll_ctl(pe.epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, s->wfd,
	    &ev) == 0 || !on)
		s->waiting = on;
}

/*
 * Write what S has staged, without blocking.  Return 1 if all of it is
 * written, 0 if the rest must wait for room, -1 if the sink failed.
 */
/*
 * Write what of BUF's N bytes S takes now, without blocking; return the
 * count, or -1 with errno (EAGAIN: no room yet).
 */
ssize_t
sink_write(struct sink *s, const char *buf, size_t n)
{
	struct pollfd p;

	if (s->how == SINK_POLL) {
		p.fd = s->wfd;
		p.events = POLLOUT;
		if (poll(&p, 1, 0) != 1) {
			errno = EAGAIN;
			return (-1);
		}
		if (n > 4096)
			n = 4096;	/* a pipe with room takes a page */
	}
	if (s->how == SINK_SOCK)
		return (send(s->wfd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL));
	return (write(s->wfd, buf, n));
}

static int
sink_flush(struct sink *s)
{
	ssize_t k;

	while (s->soff < s->slen && !s->failed) {
		k = sink_write(s, s->stage + s->soff, s->slen - s->soff);
		if (k > 0)
			s->soff += (size_t)k;
		else if (k < 0 && errno == EINTR)
			continue;
		else if (k < 0 && errno == EAGAIN)
			break;
		else
			s->failed = k < 0 ? errno : EIO;
	}
	if (s->failed)
		s->soff = s->slen = 0;
	if (s->soff == s->slen) {
		s->soff = s->slen = 0;
		pump_sink_watch(s, 0);
		return (s->failed ? -1 : 1);
	}
	pump_sink_watch(s, 1);
	return (0);
}

static int
sink_room(const struct sink *s, size_t n)
{
	return (s->slen + n <= STAGE_SIZE);
}

static void
sink_put(struct sink *s, const char *p, size_t n)
{
	memcpy(s->stage + s->slen, p, n);
	s->slen += n;
}

/* --color: what ends each coloured line, before its newline. */
#define COLOR_END(c)	((c)->o->color ? "\033[m" : "")

/*
 * Stage up to N bytes of BUF for S, TAG before every line start (*BOL:
 * at a line start) and END (--color's reset) before every newline.
 * Return how many bytes of BUF were staged.
 */
static size_t
sink_stage(struct sink *s, const char *tag, const char *end, int *bol,
    const char *buf, size_t n)
{
	const char *nl;
	size_t k, done, tl, el = strlen(end);

	if (tag == NULL) {
		k = STAGE_SIZE - s->slen < n ? STAGE_SIZE - s->slen : n;
		sink_put(s, buf, k);
		if (k)
			*bol = buf[k - 1] == '\n';
		return (k);
	}
	tl = strlen(tag);
	for (done = 0; done < n; done += k) {
		if (*bol) {
			if (!sink_room(s, tl + 1))
				break;
			sink_put(s, tag, tl);
			*bol = 0;
		}
		nl = memchr(buf + done, '\n', n - done);
		k = nl ? (size_t)(nl - (buf + done)) + 1 : n - done;
		if (nl && el && sink_room(s, k + el)) {
			sink_put(s, buf + done, k - 1);
			sink_put(s, end, el);
			sink_put(s, "\n", 1);
			*bol = 1;
			continue;
		}
		if (nl && el)
			k--;	/* the newline waits for room for END */
		if (!sink_room(s, k))
			k = STAGE_SIZE - s->slen;
		if (k == 0)
			break;
		sink_put(s, buf + done, k);
		*bol = buf[done + k - 1] == '\n';
	}
	return (done);
}

/* Before job output reaches a terminal, take the progress line away. */
static void
pump_bar_erase(struct sink *s)
{
	if (!pe.barshown || pe.barsink == NULL || !s->tty ||
	    pe.barsink->slen > 0)
		return;
	sink_put(pe.barsink, "\r\033[K", 4);
	sink_flush(pe.barsink);
	pe.barshown = 0;
	pe.bardirty = 1;
}

/*
 * Line and pass-through modes: stage what of C's stream I can be
 * printed now (whole lines; a partial line once LINE_PART long, which
 * then keeps the sink until its line ends; all of it at EOF).
 */
static void
pump_lines(struct outcap *c, int i)
{
	struct sink *s = c->o->sink[i];
	size_t n, k;
	char *nl;
	int eof;

	eof = c->rfd[i] < 0;
	while (c->blen[i] > 0) {
		if (s->failed) {
			c->blen[i] = 0;
			break;
		}
		if (s->slen > 0 || (s->owner && (s->owner != c ||
		    s->owner_stream != i)))
			return;
		n = c->blen[i];
		if (c->mode == OUT_LINE && !eof && n < LINE_PART) {
			nl = memrchr(c->buf[i], '\n', n);
			if (nl == NULL)
				break;
			n = (size_t)(nl - c->buf[i]) + 1;
		}
		pump_bar_erase(s);
		k = sink_stage(s, c->tag, COLOR_END(c), &c->bol[i], c->buf[i],
		    n);
		memmove(c->buf[i], c->buf[i] + k, c->blen[i] - k);
		c->blen[i] -= k;
		/* A line cut short holds the sink until it ends. */
		if (c->mode == OUT_LINE) {
			s->owner = c->bol[i] ? NULL : c;
			s->owner_stream = i;
		}
		sink_flush(s);
	}
	if (eof && c->blen[i] == 0 && s->owner == c && s->owner_stream == i) {
		if (c->tag && !c->bol[i] &&
		    sink_room(s, 1 + strlen(COLOR_END(c)))) {
			sink_put(s, COLOR_END(c), strlen(COLOR_END(c)));
			sink_put(s, "\n", 1);
			c->bol[i] = 1;
			sink_flush(s);
		}
		if (c->bol[i] || c->tag == NULL)
			s->owner = NULL;
	}
	if (c->rfd[i] >= 0 && c->blen[i] < PUMP_CHUNK)
		pump_watch(c, i, 1);
}

/*
 * Append N bytes of BUF to C's spool as one chunk of stream I, with the
 * pump's lock held.  Return 0, or -1 with errno set (ENOSPC for a short
 * write): the spool then ends at its last whole chunk.
 */
int
spool_chunk(struct outcap *c, int i, const char *buf, size_t n)
{
	struct chunkhdr h;
	struct iovec iov[2];
	ssize_t k;

	h.len = (unsigned int)n;
	h.stream = (unsigned int)i;
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)buf;
	iov[1].iov_len = n;
	k = pwritev(c->spool, iov, 2, c->spooled);
	if (k == (ssize_t)(n + sizeof(h))) {
		c->spooled += k;
		return (0);
	}
	if (k >= 0)
		errno = ENOSPC;
	return (-1);
}

/* Save N bytes of stream I read for C: --results, then spool or buffer. */
static void
pump_keep(struct outcap *c, int i, const char *buf, size_t n)
{

	if (i == 0)
		c->bytes += n;
	if (c->resfd[i] >= 0 && write(c->resfd[i], buf, n) != (ssize_t)n &&
	    !(c->trouble & OUT_TROUBLE_RESULTS)) {
		c->trouble |= OUT_TROUBLE_RESULTS;
		c->rerrno = errno ? errno : ENOSPC;
	}
	if (c->mode != OUT_GROUP) {
		memcpy(c->buf[i] + c->blen[i], buf, n);
		c->blen[i] += n;
		return;
	}
	if (!(c->trouble & OUT_TROUBLE_FULL) && spool_chunk(c, i, buf, n) < 0)
		c->trouble |= OUT_TROUBLE_FULL;
}

static void
pump_eof(struct outcap *c, int i)
{
	pump_watch(c, i, 0);
	close(c->rfd[i]);
	c->rfd[i] = -1;
}

/*
 * Read what stream I of C has (all of it when C is closing: the job is
 * over and what is left in the pipe is the last of it).
 */
static void
pump_read(struct outcap *c, int i)
{
	size_t room;
	ssize_t n;

	do {
		room = PUMP_CHUNK;
		if (c->mode != OUT_GROUP) {
			room = PUMP_CHUNK - c->blen[i];
			if (room == 0) {
				/* The sink is behind: let the job wait. */
				pump_watch(c, i, 0);
				return;
			}
		}
		n = read(c->rfd[i], pump_buf, room);
		if (n > 0)
			pump_keep(c, i, pump_buf, (size_t)n);
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			pump_eof(c, i);
		else if (c->closing && errno == EAGAIN)
			pump_eof(c, i);	/* what is left of a late writer */
		if (c->mode != OUT_GROUP)
			pump_lines(c, i);
	} while (n > 0 && c->closing && c->rfd[i] >= 0);
}

/* Enqueue C for printing (the lock is held). */
void
pump_queue(struct outcap *c)
{
	c->state = CAP_QUEUED;
	c->epass = 0;
	c->eoff = 0;
	c->eleft = 0;
	c->bol[0] = c->bol[1] = 1;
	c->qnext = NULL;
	if (pe.qtail)
		pe.qtail->qnext = c;
	else
		pe.qhead = c;
	pe.qtail = c;
}

static void
pump_dequeue(void)
{
	struct outcap *c = pe.qhead;

	pe.qhead = c->qnext;
	if (pe.qhead == NULL)
		pe.qtail = NULL;
	c->qnext = NULL;
	c->state = CAP_DONE;
}

/* Drop O's captures from the emission queue: they are done (cancel). */
void
pump_unqueue(struct output *o)
{
	struct outcap **pp, *c;

	pe.qtail = NULL;
	for (pp = &pe.qhead; (c = *pp) != NULL;) {
		if (c->o == o) {
			*pp = c->qnext;
			c->state = CAP_DONE;
			continue;
		}
		pe.qtail = c;
		pp = &c->qnext;
	}
}

/*
 * --ci-groups: stage C's section head on stdout before its output (FOOT
 * 0), or its foot after all of it, stderr included (FOOT 1).  Return 1
 * once staged, 0 if the sink must drain first.
 */
static int
pump_wrap(struct outcap *c, int foot)
{
	struct sink *s = c->o->sink[0];
	const char *line = foot ? c->foot : c->head;
	size_t n;

	if (line == NULL || c->wrapped > foot || s->failed)
		return (1);
	n = strlen(line);
	if (!sink_room(s, n))
		return (sink_flush(s), 0);
	pump_bar_erase(s);
	sink_put(s, line, n);
	c->wrapped = foot + 1;
	return (1);
}

/*
 * Print the next piece of C's spool: stream 0's chunks, then stream 1's.
 * Return 1 when all of it is staged, 0 if the sink must drain first.
 */
static int
pump_emit_step(struct outcap *c)
{
	struct sink *s;
	struct chunkhdr h;
	size_t want, k;
	ssize_t n;

	if (!pump_wrap(c, 0))
		return (0);
	while (c->epass < 2) {
		s = c->o->sink[c->epass];
		if (s->failed)
			return (1);
		if (c->eleft == 0 && c->eoff >= c->spooled) {
			if (c->tag && !c->bol[c->epass]) {
				if (!sink_room(s, 1 + strlen(COLOR_END(c))))
					return (sink_flush(s), 0);
				sink_put(s, COLOR_END(c), strlen(COLOR_END(c)));
				sink_put(s, "\n", 1);
				c->bol[c->epass] = 1;
			}
			/* All of stdout out before stderr (2>&1 keeps order). */
			if (sink_flush(s) == 0)
				return (0);
			c->epass++;
			c->eoff = 0;
			continue;
		}
		if (c->eleft == 0) {
			if (pread(c->spool, &h, sizeof(h), c->eoff) !=
			    (ssize_t)sizeof(h))
				return (1);
			c->eoff += sizeof(h);
			if ((int)h.stream != c->epass) {
				c->eoff += h.len;
				continue;
			}
			c->eleft = h.len;
		}
		if (s->slen > STAGE_SIZE / 2 && sink_flush(s) == 0)
			return (0);
		want = c->eleft < sizeof(pump_buf) ? c->eleft : sizeof(pump_buf);
		if (want > STAGE_SIZE - s->slen)
			want = STAGE_SIZE - s->slen;
		if ((n = pread(c->spool, pump_buf, want, c->eoff)) <= 0)
			return (1);
		pump_bar_erase(s);
		k = sink_stage(s, c->tag, COLOR_END(c), &c->bol[c->epass],
		    pump_buf, (size_t)n);
		c->eoff += k;
		c->eleft -= k;
	}
	return (pump_wrap(c, 1));
}

/* Print queued captures in order, as far as the sinks take them. */
static void
pump_emit(void)
{
	struct outcap *c;

	while ((c = pe.qhead) != NULL) {
		if (c->verdict == VERDICT_DISCARD) {
			pump_dequeue();
			continue;
		}
		if (!pump_emit_step(c))
			return;
		if (sink_flush(c->o->sink[0]) == 0 ||
		    sink_flush(c->o->sink[1]) == 0)
			return;
		pump_dequeue();
	}
}

/* Draw the progress line again once nothing else is printing. */
static void
pump_bar_draw(void)
{
	struct sink *s = pe.barsink;

	if (s != NULL && s->failed) {
		/* stderr is closed or full: the line is lost, not awaited. */
		pe.bardirty = 0;
		pe.barsink = NULL;
		return;
	}
	if (s == NULL || !pe.bardirty || pe.qhead != NULL || s->slen > 0 ||
	    s->owner != NULL)
		return;
	if (s->slen + pe.barlen + 8 > STAGE_SIZE)
		return;
	if (s->tty)	/* elsewhere, each line is a plain one */
		sink_put(s, "\r\033[K", 4);
	sink_put(s, pe.bar, pe.barlen);
	pe.barshown = !pe.barfinal;
	pe.bardirty = 0;
	if (pe.barfinal)
		pe.barsink = NULL;
	sink_flush(s);
}

/*
 * Set the progress line to TEXT (N bytes; FINAL: the last one, ended by
 * a newline) on sink S (the lock is held).
 */
void
pump_bar(struct sink *s, const char *text, size_t n, int final)
{
	if (n > sizeof(pe.bar) - 1)
		n = sizeof(pe.bar) - 1;
	memcpy(pe.bar, text, n);
	if (final)
		pe.bar[n++] = '\n';
	pe.barlen = n;
	pe.barsink = s;
	pe.bardirty = 1;
	pe.barfinal = final;
}

/* Return 1 while a progress line waits to be drawn (the lock is held). */
int
pump_bar_pending(void)
{
	return (pe.barsink != NULL && pe.bardirty && pe.barfinal);
}

/*
 * Move everything along: read what closing captures have left, mark the
 * finished ones, print the queue, draw the bar.  The lock is held.
 */
void
pump_progress(void)
{
	struct outcap *c;
	int i;

	for (c = pe.caps; c; c = c->anext) {
		for (i = 0; i < 2; i++) {
			if (c->closing && c->rfd[i] >= 0)
				pump_read(c, i);
			if (c->mode != OUT_GROUP && c->blen[i] > 0)
				pump_lines(c, i);
		}
		if (c->state != CAP_READING || c->rfd[0] >= 0 || c->rfd[1] >= 0)
			continue;
		if (c->mode != OUT_GROUP && (c->blen[0] || c->blen[1] ||
		    c->o->sink[0]->owner == c || c->o->sink[1]->owner == c))
			continue;
		c->state = CAP_READ;
	}
	for (c = pe.caps; c; c = c->anext)
		if (c->state == CAP_READ && c->verdict != VERDICT_NONE) {
			if (c->verdict == VERDICT_EMIT && c->mode == OUT_GROUP &&
			    (c->spooled > 0 || c->head))
				pump_queue(c);
			else
				c->state = CAP_DONE;
		}
	pump_emit();
	pump_bar_draw();
}

static void
pump_event(struct epoll_event *ev)
{
	struct ptag *t = ev->data.ptr;
	uint64_t n;

	switch (t->kind) {
	case TAG_WAKE:
		(void)!read(pe.wakefd, &n, sizeof(n));
		break;
	case TAG_PIPE:
		if (t->cap->rfd[t->stream] >= 0)
			pump_read(t->cap, t->stream);
		break;
	case TAG_SINK:
		sink_flush(t->sink);
		break;
	}
}

/*
 * Handle what is ready now, without waiting (the pool's loop calls this
 * when the epoll descriptor is readable).  Return the number of events.
 */
int
pump_run(void)
{
	struct epoll_event ev[PUMP_EVENTS];
	int i, n;

	pump_lock();
	n = epoll_wait(pe.epfd, ev, PUMP_EVENTS, 0);
	for (i = 0; i < n; i++)
		pump_event(&ev[i]);
	pump_progress();
	pump_unlock();
	return (n > 0 ? n : 0);
}

/* The thread: run the pump while the shell is busy elsewhere. */
static void *
pump_thread(void *arg)
{
	struct epoll_event ev[PUMP_EVENTS];
	int i, n;

	(void)arg;
	pump_lock();
	pe.started = 1;
	pthread_cond_broadcast(&pe.cond);
	pump_unlock();
	for (;;) {
		pump_lock();
		while (pe.parked && !pe.quit)
			pthread_cond_wait(&pe.cond, &pe.lock);
		if (pe.quit) {
			pe.thread = 0;
			pe.started = 0;
			pe.quit = 0;
			pthread_cond_broadcast(&pe.cond);
			pump_unlock();
			return (NULL);
		}
		pe.inthread = 1;
		pump_unlock();
		n = epoll_wait(pe.epfd, ev, PUMP_EVENTS, -1);
		pump_lock();
		pe.inthread = 0;
		for (i = 0; i < n; i++)
			pump_event(&ev[i]);
		pump_progress();
		pthread_cond_broadcast(&pe.cond);
		pump_unlock();
	}
	return (NULL);
}

/*
 * Hand the pump to the thread (started the first time, with every
 * signal blocked: they are the shell's to handle).  If no thread can be
 * made, jobs that fill their pipes wait for the next pool call.
 *
 * We return only once the new thread runs our code: the shell forks
 * right after (`pool --sem f; ( ... )'), and a fork taken while the
 * thread was still being set up by the C library or a sanitizer could
 * copy a lock they hold into the child, locked for good.  A subshell
 * under ASan hung this way (its allocator lock, taken in the thread's
 * start-up); once started, the thread takes no lock but ours, which
 * pump_init makes anew in a child.
 */
void
pump_unpark(void)
{
	pthread_attr_t at;
	sigset_t all, old;
	pthread_t th;

	pump_lock();
	pe.parked = 0;
	if (!pe.thread) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		pthread_attr_init(&at);
		pthread_attr_setstacksize(&at, 256 * 1024);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &at, pump_thread, NULL) == 0) {
			pe.thread = 1;
			while (!pe.started)
				pthread_cond_wait(&pe.cond, &pe.lock);
		}
		pthread_attr_destroy(&at);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_cond_broadcast(&pe.cond);
	pump_unlock();
}

/* Take the pump back from the thread: the caller runs it now. */
void
pump_park(void)
{
	if (pe.owner != getpid())
		return;
	pump_lock();
	pe.parked = 1;
	if (pe.thread) {
		pump_wake();
		while (pe.inthread)
			pthread_cond_wait(&pe.cond, &pe.lock);
	}
	pump_unlock();
}
