/* pipe.c - pool --pipe and --pipepart: input cut into blocks of records */

/*
 * GNU parallel's --pipe gives each job a block of stdin on its stdin,
 * cut where one record ends and the next starts (--recend, --recstart),
 * so that no record is ever split.  It reads what was left over from the
 * last block up to the next multiple of --block bytes, and cuts that at
 * its last record boundary; with -N, N records whatever their size.  We
 * cut the same way, so that the jobs see the same blocks as GNU's.
 *
 * A block is spooled to an unlinked file ($TMPDIR, --tmpdir) that is
 * the job's stdin, not fed through a pipe: a job that does not read its
 * stdin then blocks nothing, a retry reads the same block again, and the
 * loop never waits on a job's pipe.  At most -j blocks (and one being
 * read) exist at a time, and memory holds about two blocks, whatever the
 * size of the input: a record longer than the buffer is streamed to its
 * spool while we look for its end.
 *
 * stdin is read only when poll says it has something: a slow producer
 * must not keep the loop from reaping jobs or taking a signal.  We never
 * set O_NONBLOCK on it, as others share that file description.
 *
 * --pipepart cuts a regular file by offsets (the first boundary after
 * each --block bytes, as GNU's) and copies nothing through the pool: a
 * job reads its range from the file itself (pipe_child).
 *
 * --roundrobin starts the -j jobs once, each with a pipe on its stdin,
 * and a forked feeder process cuts stdin as above and writes each block
 * whole into whichever pipe can take one (GNU parallel's): the loop of
 * the pool never writes to a job, and a job that stops reading only
 * blocks the feeder.  A job starts once its pipe has a block.
 *
 * The cutting functions (pipe_cut_next, pipe_cut_last) and the parsers
 * are pure and fuzzed (fuzz/fuzz_pipe.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "fds.h"
#include "output.h"
#include "pipe.h"

#define PIPE_CHUNK	(64 * 1024)
#define PIPE_NREC_BUF	(1024 * 1024)	/* -N: the buffer's size */

/*
 * Parse --block S: a whole number of bytes with an optional unit, GNU
 * parallel's: k m g t (powers of 1000) and K M G T (of 1024).  Store it
 * in *OUT and return 0, or return -1 if S is no such size, is 0 or is
 * over PIPE_BLOCK_MAX.
 */
int
pipe_size_parse(const char *s, int64_t *out)
{
	static const char units[] = "kmgtKMGT";
	const char *u;
	int64_t n, mul;
	int i;

	if (*s < '0' || *s > '9')
		return (-1);
	for (n = 0; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > PIPE_BLOCK_MAX)
			return (-1);
	}
	mul = 1;
	if (*s != '\0') {
		if (s[1] != '\0' || (u = strchr(units, *s)) == NULL)
			return (-1);
		for (i = 0; i <= (u - units) % 4; i++)
			mul *= u - units < 4 ? 1000 : 1024;
	}
	if (n == 0 || n > PIPE_BLOCK_MAX / mul)
		return (-1);
	*out = n * mul;
	return (0);
}

/* --header with --pipe: `:' (one line) or a number of lines, 1..1e6. */
int
pipe_header_parse(const char *s, long *out)
{
	long n;

	if (strcmp(s, ":") == 0) {
		*out = 1;
		return (0);
	}
	if (*s < '0' || *s > '9')
		return (-1);
	for (n = 0; *s >= '0' && *s <= '9'; s++)
		if ((n = n * 10 + (*s - '0')) > 1000000)
			return (-1);
	if (*s != '\0')
		return (-1);
	*out = n;
	return (0);
}

/*
 * Turn GNU parallel's escapes in S (\n \t \r \0 \\ \' \") into their
 * bytes, in place; return the new length (a \0 makes a NUL byte).
 */
size_t
pipe_unescape(char *s)
{
	static const char from[] = "ntr0\\'\"", to[] = "\n\t\r\0\\'\"";
	const char *e;
	size_t i, n;

	for (i = n = 0; s[i] != '\0'; i++) {
		if (s[i] == '\\' && s[i + 1] != '\0' &&
		    (e = strchr(from, s[i + 1])) != NULL) {
			s[n++] = to[e - from];
			i++;
		} else
			s[n++] = s[i];
	}
	s[n] = '\0';
	return (n);
}

/* Is there a record boundary at P in BUF (LEN bytes)? */
static int
pipe_is_cut(const char *buf, size_t len, size_t p, const struct pipe_rec *r)
{
	return (p >= 1 && p >= r->elen && p + r->slen <= len &&
	    memcmp(buf + p - r->elen, r->end, r->elen) == 0 &&
	    memcmp(buf + p, r->start, r->slen) == 0);
}

/*
 * --regexp: the first boundary P >= FROM in BUF (LEN bytes), after
 * FROM - PIPE_RE_SPAN: where a match of (END)START has END end, P > 0.
 * With LAST, the last one instead.  Return 0 if there is none.
 */
static size_t
pipe_cut_re(const char *buf, size_t len, size_t from, int last,
    const struct pipe_rec *r)
{
	regmatch_t m[2];
	size_t at, p, found;

	at = from > PIPE_RE_SPAN ? from - PIPE_RE_SPAN : 0;
	for (found = 0; at < len; at = (size_t)m[0].rm_so + 1) {
		m[0].rm_so = (regoff_t)at;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(r->re, buf, 2, m, REG_STARTEND |
		    (at > 0 && buf[at - 1] != '\n' ? REG_NOTBOL : 0)) != 0)
			break;
		p = m[1].rm_eo < 0 ? 0 : (size_t)m[1].rm_eo;
		if (p >= 1 && p >= from) {
			if (!last)
				return (p);
			found = p;
		}
	}
	return (found);
}

/*
 * Return the first record boundary P >= FROM in BUF (LEN bytes): END
 * ends at P and START begins there, both inside BUF, P > 0.  Return 0 if
 * there is none yet.
 */
size_t
pipe_cut_next(const char *buf, size_t len, size_t from,
    const struct pipe_rec *r)
{
	const char *hit;
	size_t p;

	if (from < 1)
		from = 1;
	if (r->re)
		return (pipe_cut_re(buf, len, from, 0, r));
	if (r->elen == 0 && r->slen == 0)
		return (from <= len ? from : 0);
	if (from < r->elen)
		from = r->elen;
	/* memchr for the separator's first byte, then compare it all. */
	while (from + r->slen <= len) {
		if (r->elen) {
			hit = memchr(buf + from - r->elen, r->end[0],
			    len - r->slen - from + 1);
			p = hit ? (size_t)(hit - buf) + r->elen : 0;
		} else {
			hit = memchr(buf + from, r->start[0],
			    len - r->slen - from + 1);
			p = hit ? (size_t)(hit - buf) : 0;
		}
		if (hit == NULL)
			return (0);
		if (pipe_is_cut(buf, len, p, r))
			return (p);
		from = p + 1;
	}
	return (0);
}

/* Return the last record boundary in BUF (LEN bytes), or 0 for none. */
size_t
pipe_cut_last(const char *buf, size_t len, const struct pipe_rec *r)
{
	size_t p;

	if (len == 0)
		return (0);
	if (r->re)
		return (pipe_cut_re(buf, len, 1, 1, r));
	if (r->elen == 0 && r->slen == 0)
		return (len);
	for (p = len - (r->slen < len ? r->slen : len); p >= 1; p--) {
		if (r->elen && buf[p - 1] != r->end[r->elen - 1])
			continue;
		if (pipe_is_cut(buf, len, p, r))
			return (p);
	}
	return (0);
}

/* Write N bytes of BUF to FD; 0, or -1 with errno set. */
static int
pipe_write(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, buf, n)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		buf += w;
		n -= (size_t)w;
	}
	return (0);
}

/*
 * Read what PI's input has, at most WANT bytes, without blocking.
 * Return 1 if something came (or EOF), 0 if nothing is there yet, or -1.
 */
static int
pipe_read(struct pipe_in *pi, size_t want)
{
	struct pollfd pfd;
	ssize_t n;

	if (pi->beg > 0 && pi->len + want > pi->cap) {
		memmove(pi->buf, pi->buf + pi->beg, pi->len - pi->beg);
		pi->len -= pi->beg;
		pi->beg = 0;
	}
	if (want > pi->cap - pi->len)
		want = pi->cap - pi->len;
	pfd.fd = pi->fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) == 0)
		return (0);
	if ((n = read(pi->fd, pi->buf + pi->len, want)) < 0)
		return (errno == EINTR || errno == EAGAIN ? 0 : -1);
	if (n == 0)
		pi->eof = 1;
	pi->len += (size_t)n;
	return (1);
}

/* --header: take the first HLINES lines.  PIPE_BLOCK once they are in. */
static int
pipe_header(struct pipe_in *pi)
{
	size_t i;
	long nl;
	int r;

	for (;;) {
		for (i = pi->beg, nl = 0; i < pi->len && nl < pi->hlines; i++)
			nl += pi->buf[i] == '\n';
		if (nl == pi->hlines || pi->eof)
			break;
		if (pi->len == pi->cap) {
			errno = EFBIG;	/* a header longer than a block */
			return (PIPE_ERR);
		}
		/* A block at a time, as GNU's: the rest is the leftover. */
		if ((r = pipe_read(pi, (size_t)pi->block)) <= 0)
			return (r < 0 ? PIPE_ERR : PIPE_WAIT);
	}
	pi->hlen = i - pi->beg;
	pi->head = malloc(pi->hlen + 1);
	if (pi->head == NULL)
		return (PIPE_ERR);
	memcpy(pi->head, pi->buf + pi->beg, pi->hlen);
	pi->beg = i;
	pi->hdone = 1;
	return (PIPE_BLOCK);
}

/* --roundrobin, in the feeder: job I has gone, its pipe with it. */
static void
pipe_rr_drop(struct pipe_in *pi, int i)
{
	close(pi->rrfd[pi->rr + i]);
	pi->rrfd[pi->rr + i] = -1;
}

/*
 * --roundrobin, in the feeder: the pipe of a job that can take the next
 * block now, the one after the last taken first; the pipe gets the
 * --header lines the first time.  A job that has gone (its pipe's
 * reader closed) is dropped.  Return the pipe (its job's index in
 * rrcur), or -1 (EPIPE: every job has gone).
 */
static int
pipe_rr_pick(struct pipe_in *pi)
{
	struct pollfd *pfd = pi->rrpoll;
	int i, k, live;

	for (;;) {
		for (i = live = 0; i < pi->rr; i++) {
			pfd[i].fd = pi->rrfd[pi->rr + i];
			pfd[i].events = POLLOUT;
			pfd[i].revents = 0;
			live += pfd[i].fd >= 0;
		}
		if (live == 0) {
			errno = EPIPE;
			return (-1);
		}
		if (poll(pfd, (nfds_t)pi->rr, -1) < 0 && errno != EINTR)
			return (-1);
		for (k = 0; k < pi->rr; k++) {
			i = (pi->rrnext + k) % pi->rr;
			if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL))
				pipe_rr_drop(pi, i);
			else if (pfd[i].revents & POLLOUT)
				break;
		}
		if (k == pi->rr)
			continue;
		pi->rrnext = i + 1;
		if (pi->hlen && !pi->rrhead[i] && pipe_write(pfd[i].fd,
		    pi->head, pi->hlen) < 0) {
			if (errno != EPIPE)
				return (-1);
			pipe_rr_drop(pi, i);
			continue;
		}
		pi->rrhead[i] = 1;
		pi->rrcur = i;
		return (pfd[i].fd);
	}
}

/*
 * --roundrobin, in the feeder: N bytes more of the block into its job's
 * pipe.  A job that goes before it has taken a byte of the block loses
 * nothing: the block goes whole to another.  One that goes within its
 * block stopped reading it, as `head' does: the rest of that block is
 * dropped (its first bytes are the job's, a record cut), and the next
 * block goes to another.  Either way the other jobs go on with the
 * input: one job gone is not all of them.  Return 0, or -1 with errno
 * set (EPIPE: every job has gone).
 */
static int
pipe_rr_spool(struct pipe_in *pi, size_t n)
{
	size_t done;
	ssize_t w;

	for (done = 0; !pi->rrdrop && done < n; ) {
		if (pi->out < 0 && (pi->out = pipe_rr_pick(pi)) < 0)
			return (-1);
		if ((w = write(pi->out, pi->buf + pi->beg + done,
		    n - done)) >= 0)
			done += (size_t)w;
		else if (errno == EPIPE && pi->inblock + done == 0) {
			pipe_rr_drop(pi, pi->rrcur);
			pi->out = -1;
		} else if (errno == EPIPE)
			pi->rrdrop = 1;
		else if (errno != EINTR)
			return (-1);
	}
	if (pi->out < 0 && (pi->out = pipe_rr_pick(pi)) < 0)
		return (-1);	/* a block's first 0 bytes: a job for it */
	pi->beg += n;
	pi->inblock += n;
	return (0);
}

/* Spool N bytes from the buffer's start into the block; 0 or -1. */
static int
pipe_spool(struct pipe_in *pi, size_t n)
{
	if (pi->rrkid)
		return (pipe_rr_spool(pi, n));
	if (pi->out < 0) {
		if ((pi->out = output_tmpfile()) < 0)
			return (-1);
		if (pi->hlen && pipe_write(pi->out, pi->head, pi->hlen) < 0)
			return (-1);
	}
	if (pipe_write(pi->out, pi->buf + pi->beg, n) < 0)
		return (-1);
	pi->beg += n;
	pi->inblock += n;
	return (0);
}

/* The block is spooled: hand it over in B. */
static int
pipe_done(struct pipe_in *pi, struct pipe_blk *b)
{
	memset(b, 0, sizeof(*b));
	b->fd = pi->rrkid ? 0 : pi->out;	/* a job's pipe stays open */
	if (pi->rrdrop)
		pipe_rr_drop(pi, pi->rrcur);
	pi->rrdrop = 0;
	pi->out = -1;
	pi->tgt = 0;
	pi->found = 0;
	pi->from = 0;
	pi->inblock = 0;
	if (pi->rrkid)
		return (PIPE_BLOCK);
	return (lseek(b->fd, 0, SEEK_SET) < 0 ? PIPE_ERR : PIPE_BLOCK);
}

/*
 * Spool until NEED records of the block are in (or the input ends): the
 * -N way, and the end of a record longer than the buffer.  A buffer half
 * full of one block goes to its spool but for the bytes a boundary may
 * still begin in.
 */
static int
pipe_stream(struct pipe_in *pi, struct pipe_blk *b, long need)
{
	size_t n, p, k, w;
	int r;

	k = pi->rec.elen + pi->rec.slen;
	for (;;) {
		n = pi->len - pi->beg;
		while (pi->found < need && (p = pipe_cut_next(pi->buf +
		    pi->beg, n, pi->from, &pi->rec)) != 0) {
			pi->found++;
			pi->last = p;
			pi->from = p + 1;
		}
		if (pi->found == need)
			return (pipe_spool(pi, pi->last) < 0 ? PIPE_ERR :
			    pipe_done(pi, b));
		if (pi->eof && n == 0 && pi->out < 0)
			return (PIPE_EOF);
		if (pi->eof)
			return (pipe_spool(pi, n) < 0 ? PIPE_ERR :
			    pipe_done(pi, b));
		/* Every boundary up to here has been seen. */
		if (n >= pi->rec.slen && pi->from < n - pi->rec.slen + 1)
			pi->from = n - pi->rec.slen + 1;
		if (n > k && n >= pi->cap / 2) {
			w = n - k;
			if (pipe_spool(pi, w) < 0)
				return (PIPE_ERR);
			pi->from -= w;
		}
		/* A block at a time: what is read past the end is left over. */
		if ((r = pipe_read(pi, (size_t)pi->block)) <= 0)
			return (r < 0 ? PIPE_ERR : PIPE_WAIT);
	}
}

/*
 * --pipe by size, as GNU parallel: the bytes left over from the last
 * block and more up to the next multiple of --block, cut at the last
 * record boundary (all of it at the end of the input).
 */
static int
pipe_next_size(struct pipe_in *pi, struct pipe_blk *b)
{
	size_t n, p;
	int r;

	if (pi->out >= 0)
		return (pipe_stream(pi, b, 1));	/* a long record goes on */
	if (pi->tgt == 0) {
		n = pi->len - pi->beg;
		pi->tgt = n + (size_t)pi->block - n % (size_t)pi->block;
		if (pi->tgt > pi->cap)
			pi->tgt = pi->cap;
	}
	while ((n = pi->len - pi->beg) < pi->tgt && !pi->eof)
		if ((r = pipe_read(pi, pi->tgt - n)) <= 0)
			return (r < 0 ? PIPE_ERR : PIPE_WAIT);
	if (n == 0)
		return (PIPE_EOF);
	p = pi->eof ? n : pipe_cut_last(pi->buf + pi->beg, n, &pi->rec);
	if (p > 0)
		return (pipe_spool(pi, p) < 0 ? PIPE_ERR : pipe_done(pi, b));
	/* No boundary in it: one record longer than the block. */
	pi->from = n >= pi->rec.slen ? n - pi->rec.slen + 1 : 1;
	pi->found = 0;
	if (pipe_spool(pi, 0) < 0)
		return (PIPE_ERR);
	return (pipe_stream(pi, b, 1));
}

/*
 * --pipepart: the first record boundary at or after offset FROM of the
 * file (its size if none), read in windows of the buffer's size.
 * Return it, or -1 with errno set.
 */
static off_t
pipe_part_cut(struct pipe_in *pi, off_t from)
{
	off_t ws;
	ssize_t got;
	size_t p;

	for (;;) {
		ws = from - (off_t)pi->rec.elen - 1;
		if ((got = pread(pi->fd, pi->buf, pi->cap, ws)) < 0)
			return (-1);
		p = pipe_cut_next(pi->buf, (size_t)got, (size_t)(from - ws),
		    &pi->rec);
		if (p != 0)
			return (ws + (off_t)p);
		if (ws + got >= pi->size || got == 0)
			return (pi->size);
		if (ws + got - (off_t)pi->rec.slen + 1 > from)
			from = ws + got - (off_t)pi->rec.slen + 1;
	}
}

/* --pipepart: the next range, [pos, first boundary past pos + block). */
static int
pipe_next_part(struct pipe_in *pi, struct pipe_blk *b)
{
	off_t end;

	if (pi->pos >= pi->size)
		return (PIPE_EOF);
	end = pi->size;
	if (pi->size - pi->pos > pi->block &&
	    (end = pipe_part_cut(pi, pi->pos + pi->block +
	    (off_t)pi->rec.elen)) < 0)
		return (PIPE_ERR);
	memset(b, 0, sizeof(*b));
	b->part = 1;
	b->start = pi->pos;
	b->end = end;
	pi->pos = end;
	return (PIPE_BLOCK);
}

/*
 * --roundrobin, in the feeder: wait for the input, and meanwhile for the
 * jobs to go: a pool stopped (TERM, --halt) while its input is silent
 * must not leave us waiting on a producer that may never write again.
 * Return 0 once the input has something, -1 once every job has gone.
 */
static int
pipe_rr_idle(struct pipe_in *pi)
{
	struct pollfd *pfd = pi->rrpoll;
	int i, live;

	for (i = live = 0; i < pi->rr; i++) {
		pfd[i].fd = pi->rrfd[pi->rr + i];
		if (pi->rrdrop && i == pi->rrcur)
			pfd[i].fd = -1;	/* gone within its block */
		pfd[i].events = 0;	/* POLLERR: its reader has gone */
		live += pfd[i].fd >= 0;
	}
	if (live == 0)
		return (-1);
	pfd[pi->rr].fd = pi->fd;
	pfd[pi->rr].events = POLLIN;
	if (poll(pfd, (nfds_t)pi->rr + 1, -1) < 0)
		return (0);
	for (i = 0; i < pi->rr; i++) {
		if (!(pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL)))
			continue;
		/* The block being written: pipe_done drops it at its end. */
		if (pi->out >= 0 && i == pi->rrcur)
			pi->rrdrop = 1;
		else
			pipe_rr_drop(pi, i);
	}
	return (0);
}

/*
 * --roundrobin, in the feeder process: cut the input as for --pipe, each
 * block written whole to one job's pipe (pipe_rr_pick), until the input
 * ends or every job has gone.  It never returns.
 */
static void
pipe_rr_feed(struct pipe_in *pi)
{
	struct pipe_blk b;
	sigset_t none;
	int i, r, fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a job gone: EPIPE, said below */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	/* Not the shell's stdout: a $( ) must not wait for us. */
	if ((fd = open("/dev/null", O_WRONLY)) >= 0 && fd != 1) {
		dup2(fd, 1);
		close(fd);
	}
	for (i = 0; i < pi->rr; i++)
		close(pi->rrfd[i]);
	pi->rrkid = 1;
	while ((r = pipe_next(pi, &b)) != PIPE_EOF) {
		/* Every job gone: the rest is unread, as `seq | head'. */
		if (r == PIPE_ERR && errno == EPIPE)
			_exit(0);
		if (r == PIPE_ERR) {
			dprintf(2, "pool: --roundrobin: %s\n", strerror(errno));
			_exit(1);
		}
		if (r == PIPE_WAIT && pipe_rr_idle(pi) < 0)
			_exit(0);
	}
	_exit(0);
}

/*
 * --roundrobin: make a pipe for each of the jobs and fork the feeder
 * that writes the blocks into them; the jobs get the read ends.  The
 * feeder is no job of the shell's (bash reaps it); it ends when the
 * input does or the jobs have all gone.  Return 0, or -1 with errno set.
 */
static int
pipe_rr_start(struct pipe_in *pi)
{
	pid_t pid;
	int i, pp[2];

	pi->rrfd = malloc(2 * (size_t)pi->rr * sizeof(int));
	pi->rrhead = calloc((size_t)pi->rr, 1);
	pi->rrpoll = calloc((size_t)pi->rr + 1, sizeof(struct pollfd));
	if (pi->rrfd == NULL || pi->rrhead == NULL || pi->rrpoll == NULL)
		return (-1);
	for (i = 0; i < 2 * pi->rr; i++)
		pi->rrfd[i] = -1;
	for (i = 0; i < pi->rr; i++) {
		/* Above 0-2 (a closed stdout): a job's stdio is made there. */
		if (pipe_high(pp, O_CLOEXEC) < 0)
			return (-1);
		/* A block fits: the feeder waits less on one job. */
		(void)fcntl(pp[1], F_SETPIPE_SZ, (int)(pi->block <
		    1024 * 1024 ? pi->block : 1024 * 1024));
		pi->rrfd[i] = pp[0];
		pi->rrfd[pi->rr + i] = pp[1];
	}
	if ((pid = fork()) < 0)
		return (-1);
	if (pid == 0)
		pipe_rr_feed(pi);
	for (i = 0; i < pi->rr; i++) {
		close(pi->rrfd[pi->rr + i]);
		pi->rrfd[pi->rr + i] = -1;
	}
	return (0);
}

/*
 * --roundrobin, in the pool: the next job's pipe, once the feeder has
 * written to it (it fills them in turn), so that a short input starts
 * fewer jobs and an empty one none, as GNU parallel's.  PI's fd is the
 * pipe to wait on meanwhile (PIPE_WAIT).
 */
static int
pipe_rr_next(struct pipe_in *pi, struct pipe_blk *b)
{
	struct pollfd pfd;

	if (pi->rrfd == NULL) {
		if (pipe_rr_start(pi) < 0)
			return (PIPE_ERR);
		close(pi->fd);		/* stdin is the feeder's now */
		pi->fd = pi->rrfd[0];
	}
	if (pi->rrgiven == pi->rr)
		return (PIPE_EOF);
	pfd.fd = pi->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 0)
		return (PIPE_WAIT);
	if (!(pfd.revents & POLLIN))
		return (PIPE_EOF);	/* the feeder ended before it */
	memset(b, 0, sizeof(*b));
	b->rrfd = pi->fd;
	pi->rrfd[pi->rrgiven++] = -1;
	pi->fd = pi->rrgiven < pi->rr ? pi->rrfd[pi->rrgiven] : -1;
	return (PIPE_BLOCK);
}

/*
 * Take PI's next block into B.  Return PIPE_BLOCK, PIPE_WAIT (stdin has
 * nothing yet: poll it, then call again), PIPE_EOF, or PIPE_ERR with
 * errno set.
 */
int
pipe_next(struct pipe_in *pi, struct pipe_blk *b)
{
	int r;

	if (pi->rr && !pi->rrkid)
		return (pipe_rr_next(pi, b));

	if (pi->hlines && !pi->hdone) {
		if ((r = pipe_header(pi)) != PIPE_BLOCK)
			return (r);
		pi->pos = (off_t)pi->hlen;
	}
	if (pi->mode == PIPE_PART)
		return (pipe_next_part(pi, b));
	if (pi->nrec)
		return (pipe_stream(pi, b, pi->nrec));
	return (pipe_next_size(pi, b));
}

/*
 * --regexp: compile (END)START into R (GNU parallel's Perl regular
 * expressions, as ERE: pool/columns.c's translation; END '' alone is
 * any one byte, as GNU's).  R's END and START stay empty strings, their lengths
 * PIPE_RE_SPAN / 2: the bytes a boundary may take, kept back while
 * reading on.  Return 0, or -1 (EINVAL: no such expression).
 */
/* Are the parentheses of ERE balanced (outside brackets)?  0 or -1. */
static int
pipe_re_groups(const char *ere)
{
	const char *p;
	int depth, br;

	for (p = ere, depth = br = 0; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (br && *p == ']' && p[-1] != '[' &&
		    !(p[-1] == '^' && p[-2] == '['))
			br = 0;
		else if (!br && *p == '[')
			br = 1;
		else if (!br && *p == '(')
			depth++;
		else if (!br && *p == ')' && --depth < 0)
			return (-1);
	}
	return (depth == 0 ? 0 : -1);
}

int
pipe_rec_regex(struct pipe_rec *r, const char *end, const char *start)
{
	char *e, *st, *all;
	size_t n;
	int bad;

	/* --regexp --recend '' alone: GNU's (?s:.), any byte ends one. */
	if (columns_regex(*end || *start ? end : "(.|\n)", &e) < 0)
		return (-1);
	if (columns_regex(start, &st) < 0) {
		free(e);
		return (-1);
	}
	n = strlen(e) + strlen(st) + 8;
	all = malloc(n);
	r->re = malloc(sizeof(*r->re));
	if (all == NULL || r->re == NULL) {
		free(e), free(st), free(all), free(r->re);
		r->re = NULL;
		return (-1);
	}
	snprintf(all, n, "(%s)(%s)", e, st);
	/* Perl's /m, as GNU's: ^ and $ at each line, . not a newline. */
	bad = regcomp(r->re, all, REG_EXTENDED | REG_NEWLINE);
	/* A stray `)' (a literal to glibc) would make group 1 another. */
	if (!bad && (pipe_re_groups(e) < 0 || pipe_re_groups(st) < 0)) {
		regfree(r->re);
		bad = 1;
	}
	free(e), free(st), free(all);
	if (bad) {
		free(r->re);
		r->re = NULL;
		errno = EINVAL;
		return (-1);
	}
	r->elen = r->slen = PIPE_RE_SPAN / 2;
	return (0);
}

/* Free R's compiled expression, if it has one. */
void
pipe_rec_free(struct pipe_rec *r)
{
	if (r->re) {
		regfree(r->re);
		free(r->re);
		r->re = NULL;
	}
}

/* Copy S (with GNU parallel's escapes) to *DST; return its length. */
static size_t
pipe_sep(char **dst, const char *s)
{
	*dst = strdup(s);
	return (*dst ? pipe_unescape(*dst) : 0);
}

/*
 * Set PI up to cut FD (stdin's dup, or the --pipepart file; PI closes
 * it) as O says.  Return 0, or -1 with errno set.
 */
int
pipe_open(struct pipe_in *pi, const struct pipe_opts *o, int fd)
{
	struct stat st;
	char *e, *s;

	memset(pi, 0, sizeof(*pi));
	pi->out = -1;
	pi->fd = fd;
	pi->mode = o->mode;
	pi->block = o->block;
	pi->nrec = o->nrec;
	pi->hlines = o->hlines;
	pi->rr = o->rr;
	/* Only --recstart: no --recend (GNU parallel's rule). */
	pi->rec.elen = pipe_sep(&e, o->recend ? o->recend :
	    o->recstart ? "" : "\n");
	pi->rec.slen = pipe_sep(&s, o->recstart ? o->recstart : "");
	pi->rec.end = e;
	pi->rec.start = s;
	if (e && s && o->regexp && pipe_rec_regex(&pi->rec, o->recend ?
	    o->recend : o->recstart ? "" : "\n", o->recstart ?
	    o->recstart : "") < 0)
		return (-1);
	pi->cap = 2 * (size_t)o->block + PIPE_CHUNK;
	if (pi->mode == PIPE_PART)
		pi->cap = PIPE_CHUNK + pi->rec.elen + pi->rec.slen;
	if (e == NULL || s == NULL || (pi->buf = malloc(pi->cap)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	if (pi->mode == PIPE_PART) {
		if (fstat(fd, &st) < 0)
			return (-1);
		if (!S_ISREG(st.st_mode)) {
			errno = ESPIPE;
			return (-1);
		}
		pi->size = st.st_size;
	}
	return (0);
}

/* Close B's spool, if it has one. */
void
pipe_blk_close(struct pipe_blk *b)
{
	if (b->fd > 0)
		close(b->fd);
	if (b->rrfd > 0)
		close(b->rrfd);
	b->fd = b->rrfd = 0;
}

/*
 * --pipepart, in the pool just before B's job forks: what its child
 * needs, made here so that a lack of descriptors (EMFILE) makes the pool
 * wait for a job to end, as for its output pipes, instead of failing the
 * job in its child.  The last range without a header is the file itself,
 * opened again at the range's start (an offset of its own); any other is
 * a pipe that a helper fills (pipe_child_part).  Return 0, or -1 with
 * errno set.
 */
int
pipe_blk_open(const struct pipe_in *pi, struct pipe_blk *b)
{
	char path[64];
	int pp[2];

	b->in = b->copy = 0;
	if (b->end == pi->size && pi->hlen == 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", pi->fd);
		if ((b->in = fd_high(open(path, O_RDONLY | O_CLOEXEC))) < 0 ||
		    lseek(b->in, b->start, SEEK_SET) < 0) {
			pipe_blk_started(b);
			return (-1);
		}
		return (0);
	}
	if (pipe_high(pp, O_CLOEXEC) < 0)
		return (-1);
	/* A bigger pipe: fewer turns between the helper and the job. */
	(void)fcntl(pp[1], F_SETPIPE_SZ, 1024 * 1024);
	b->in = pp[0];
	b->copy = pp[1];
	return (0);
}

/*
 * In the pool, once B's job has forked: close what pipe_blk_open made,
 * and a --roundrobin job's pipe: held open here (or in a later job),
 * the pipe of a job that has gone would never tell the feeder so, and
 * the feeder would wait on it for ever.
 */
void
pipe_blk_started(struct pipe_blk *b)
{
	if (b->in > 0)
		close(b->in);
	if (b->copy > 0)
		close(b->copy);
	if (b->rrfd > 0)
		close(b->rrfd);
	b->in = b->copy = b->rrfd = 0;
}

/*
 * Copy up to WANT bytes at offset OFF of the file FROM into the pipe TO:
 * with splice (no byte goes through user space), or read and write
 * where the file system cannot splice.  Return the count, 0 at the end of
 * the file, or -1 with errno set.
 */
static ssize_t
pipe_part_step(int from, int to, loff_t off, size_t want)
{
	char buf[65536];
	loff_t at = off;
	ssize_t n;

	n = splice(from, &at, to, NULL, want, 0);
	if (n >= 0 || (errno != EINVAL && errno != ENOSYS))
		return (n);
	n = pread(from, buf, want < sizeof(buf) ? want : sizeof(buf), off);
	if (n > 0 && pipe_write(to, buf, (size_t)n) < 0)
		return (-1);
	return (n);
}

/*
 * The helper of job JOB, which reads the range B of PI's file through a
 * pipe: the header, then the range.  A range it cannot copy whole must
 * not pass for a short one: it says so on the job's stderr and stops the
 * job with TERM.  A job that stops reading (EPIPE) is left to its end.
 */
static void
pipe_part_copy(const struct pipe_in *pi, const struct pipe_blk *b, pid_t job)
{
	loff_t off;
	ssize_t n;

	close(b->in);
	if (pipe_write(b->copy, pi->head, pi->hlen) < 0)
		_exit(1);
	n = 0;
	for (off = b->start; off < b->end; ) {
		n = pipe_part_step(pi->fd, b->copy, off,
		    (size_t)(b->end - off));
		if (n > 0)
			off += n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	if (off == b->end || (n < 0 && errno == EPIPE))
		_exit(off != b->end);
	dprintf(2, "pool: --pipepart: %s at byte %lld\n",
	    n == 0 ? "the file ended" : strerror(errno), (long long)off);
	if (getppid() == job)
		kill(job, SIGTERM);
	_exit(1);
}

/*
 * In the forked child of a job that reads the range B of the file: on its
 * stdin, the file itself or the pipe of a helper of its own (in its
 * process group) that copies the header and the range.
 */
static void
pipe_child_part(const struct pipe_in *pi, const struct pipe_blk *b)
{
	pid_t job = getpid();

	if (b->copy > 0) {
		switch (fork()) {
		case -1:
			dprintf(2, "pool: --pipepart: cannot fork: %s\n",
			    strerror(errno));
			_exit(126);
		case 0:
			pipe_part_copy(pi, b, job);
		}
		close(b->copy);
	}
	dup2(b->in, 0);
	close(b->in);
}

/*
 * In a job's forked child: block B of PI on its stdin.  A --roundrobin
 * job closes the pipes of the jobs still to start: a function job does
 * not exec, and would keep them open past their own jobs' ends.
 */
void
pipe_child(const struct pipe_in *pi, const struct pipe_blk *b)
{
	int i;

	if (b->part)
		pipe_child_part(pi, b);
	else if (b->fd > 0)
		dup2(b->fd, 0);
	else if (b->rrfd > 0) {
		dup2(b->rrfd, 0);
		close(b->rrfd);
		for (i = 0; i < pi->rr; i++)
			if (pi->rrfd[i] > 0)
				close(pi->rrfd[i]);
	}
}

/* Release what PI holds (nothing if pipe_open never set it up). */
void
pipe_close(struct pipe_in *pi)
{
	int i;

	if (pi->mode == 0)
		return;		/* all zero: fd 0 is not ours */
	if (pi->out >= 0)
		close(pi->out);
	for (i = 0; pi->rrfd && i < 2 * pi->rr; i++) {
		if (pi->rrfd[i] == pi->fd)
			pi->fd = -1;	/* --roundrobin: a pipe, not stdin */
		if (pi->rrfd[i] >= 0)
			close(pi->rrfd[i]);
	}
	if (pi->fd > 0)
		close(pi->fd);
	free(pi->rrfd);
	free(pi->rrhead);
	free(pi->rrpoll);
	free(pi->buf);
	free(pi->head);
	free((char *)pi->rec.end);
	free((char *)pi->rec.start);
	pipe_rec_free(&pi->rec);
	memset(pi, 0, sizeof(*pi));
}
