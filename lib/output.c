/* output.c - capture jobs' output and print it whole, in order, tagged */

/*
 * Grouped output goes to a pair of unlinked files in $TMPDIR per job
 * (O_TMPFILE, else mkstemp+unlink).  The child writes through a file
 * description it shares with us, so once it has ended the file offset
 * is the length of its output.  When the job has ended (and, with -k,
 * when it is its turn) the parent copies that much out (sendfile, but
 * not into a pipe: see output_aliases), seeks back to 0 and keeps the
 * pair for the next job.  Not truncating is what makes it cheap: the
 * next job overwrites pages already in the page cache instead of
 * allocating blocks again (a 20 MB job costs half as much); a file past
 * SPOOL_KEEP is truncated, so disk use stays bounded.  Nothing
 * has to be read while jobs run, a job's output never sits in memory
 * (a 20 MB job costs 20 MB of disk cache, not of shell), and no pipe can
 * fill up and stall a chatty job.  --line-buffer needs lines as they
 * come, so it uses pipes that the pool's wait loop drains.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "bashapi.h"
#include "output.h"

#define CHUNK		65536
#define COPY_CHUNK	262144	/* output_copy through a buffer */
#define MAX_PARTIAL	65536	/* a longer unfinished line is printed as is */
#define SPOOL_KEEP	(64L << 20)	/* a bigger recycled file is truncated */

static int
output_tmpfile(void)
{
	char *dir, path[4096];
	int fd;

	dir = get_string_value("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return (fd);
	snprintf(path, sizeof(path), "%s/bgtools.XXXXXX", dir);
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0)
		return (-1);
	unlink(path);
	return (fd);
}

/* Write all of BUF to FD; return 0 or -1. */
static int
output_write(int fd, const char *buf, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return (-1);
		buf += k;
		n -= (size_t)k;
	}
	return (0);
}

/*
 * Prepare C to capture a job's output in mode O->mode.  Return 0, or -1
 * with errno set.
 */
int
output_open(struct output *o, struct outcap *c)
{
	int i, p[2];

	memset(c, 0, sizeof(*c));
	c->rfd[0] = c->rfd[1] = c->wfd[0] = c->wfd[1] = -1;
	if (o->mode == OUT_UNGROUP)
		return (0);
	for (i = 0; i < 2; i++) {
		if (o->mode == OUT_LINE) {
			if (pipe2(p, O_CLOEXEC) < 0)
				return (-1);
			fcntl(p[0], F_SETFL, O_NONBLOCK);
			c->rfd[i] = p[0];
			c->wfd[i] = p[1];
			continue;
		}
		if (o->nspare > 0)
			c->rfd[i] = o->spare[--o->nspare];
		else if ((c->rfd[i] = output_tmpfile()) < 0)
			return (-1);
		c->wfd[i] = c->rfd[i];
	}
	return (0);
}

/* In the parent, once the child runs: close the pipes' write ends. */
void
output_started(struct output *o, struct outcap *c)
{
	int i;

	if (o->mode != OUT_LINE)
		return;
	for (i = 0; i < 2; i++)
		if (c->wfd[i] >= 0) {
			close(c->wfd[i]);
			c->wfd[i] = -1;
		}
}

/* Write BUF (N bytes) to FD with TAG before each line start. */
static int
output_tagged(int fd, const char *tag, int *bol, const char *buf, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		if (*bol && tag && output_write(fd, tag, strlen(tag)) < 0)
			return (-1);
		nl = memchr(buf, '\n', n);
		k = nl ? (size_t)(nl - buf) + 1 : n;
		if (output_write(fd, buf, k) < 0)
			return (-1);
		*bol = nl != NULL;
		buf += k;
		n -= k;
	}
	return (0);
}

/* The length of what a job wrote to the spool file FD (it has ended). */
off_t
output_length(int fd)
{
	off_t n;

	n = lseek(fd, 0, SEEK_CUR);
	return (n < 0 ? 0 : n);
}

/*
 * Return 1 if sendfile to FD leaves it holding our pages rather than a
 * copy: a pipe or a socket.  splice hands the page cache pages to the
 * pipe, and the reader sees them as they are when it reads; a spool file
 * rewound for the next job would be overwritten in place under it (seen
 * under -k: a job's bytes in another's output).  So a file spliced there
 * is truncated (its pages leave the file, the pipe keeps them) instead.
 */
static int
output_aliases(int fd)
{
	struct stat st;

	return (fstat(fd, &st) < 0 || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));
}

/*
 * Copy what a job wrote to FROM to TO; a TAG goes before every line.  Set
 * *SPLICED if FROM's pages went into a pipe (FROM must then be truncated).
 */
int
output_copy(int from, int to, const char *tag, size_t *bytes, int *spliced)
{
	char *buf;
	off_t off, len;
	ssize_t k;
	int bol, r;

	if ((len = output_length(from)) == 0)
		return (0);
	*bytes += (size_t)len;
	off = 0;
	if (tag == NULL) {
		if (output_aliases(to))
			*spliced = 1;
		while (off < len) {
			k = sendfile(to, from, &off, (size_t)(len - off));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
		}
		if (off >= len)
			return (0);
		if (errno != EINVAL && errno != ENOSYS)
			return (-1);
	}
	/* Tagged, or sendfile cannot write there: through a buffer. */
	buf = xmalloc(COPY_CHUNK);
	bol = 1;
	r = 0;
	while (r == 0 && off < len && (k = pread(from, buf,
	    (size_t)(len - off < COPY_CHUNK ? len - off : COPY_CHUNK), off)) > 0) {
		r = output_tagged(to, tag, &bol, buf, (size_t)k);
		off += k;
	}
	if (r == 0 && !bol && tag)
		r = output_write(to, "\n", 1);
	free(buf);
	return (r);
}

/*
 * Return 1 if C's spool files sit on a full file system: a job that
 * failed then may have lost output (and its error message with it).
 */
int
output_full(const struct outcap *c)
{
	struct statvfs sv;

	return (c->rfd[0] >= 0 && c->rfd[0] == c->wfd[0] &&
	    fstatvfs(c->rfd[0], &sv) == 0 && sv.f_bavail == 0);
}

/* Make spool file FD ready for the next job; return 0 or -1. */
static int
output_rewind(int fd, int spliced)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return (-1);
	if ((spliced || st.st_size > SPOOL_KEEP) && ftruncate(fd, 0) < 0)
		return (-1);
	return (lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1);
}

/* Recycle (or close) C's files and pipes. */
void
output_discard(struct output *o, struct outcap *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->rfd[i] >= 0 && o->mode == OUT_GROUP &&
		    output_rewind(c->rfd[i], c->spliced) == 0) {
			if (o->nspare == o->capspare) {
				o->capspare = o->capspare ? 2 * o->capspare : 16;
				o->spare = xrealloc(o->spare,
				    o->capspare * sizeof(*o->spare));
			}
			o->spare[o->nspare++] = c->rfd[i];
		} else if (c->rfd[i] >= 0)
			close(c->rfd[i]);
		if (c->wfd[i] >= 0 && c->wfd[i] != c->rfd[i])
			close(c->wfd[i]);
		c->rfd[i] = c->wfd[i] = -1;
		free(c->part[i]);
		c->part[i] = NULL;
		c->plen[i] = 0;
	}
}

/*
 * Line mode: read what C's pipes hold and print every whole line (all of
 * it when FINAL, after the job ended), each behind TAG.  Return 0, or -1
 * if writing failed.
 */
int
output_pump(struct output *o, struct outcap *c, const char *tag, int final)
{
	char buf[CHUNK], *nl;
	size_t keep;
	ssize_t k;
	int i, bol;

	for (i = 0; i < 2; i++) {
		k = -1;
		while (c->rfd[i] >= 0 && (k = read(c->rfd[i], buf, sizeof(buf))) > 0) {
			if (i == 0)
				c->bytes += (size_t)k;
			c->part[i] = xrealloc(c->part[i], c->plen[i] + (size_t)k);
			memcpy(c->part[i] + c->plen[i], buf, (size_t)k);
			c->plen[i] += (size_t)k;
		}
		/* At EOF, stop polling the pipe: it would be ready forever. */
		if (c->rfd[i] >= 0 && k == 0) {
			close(c->rfd[i]);
			c->rfd[i] = -1;
		}
		if (c->plen[i] == 0)
			continue;
		nl = NULL;
		for (keep = c->plen[i]; keep > 0; keep--)
			if (c->part[i][keep - 1] == '\n') {
				nl = c->part[i] + keep - 1;
				break;
			}
		if (final || c->plen[i] > MAX_PARTIAL)
			keep = c->plen[i];
		else if (nl == NULL)
			continue;
		bol = 1;
		if (output_tagged(i + 1, tag, &bol, c->part[i], keep) < 0 ||
		    (!bol && final && tag && output_write(i + 1, "\n", 1) < 0))
			o->failed = 1;
		memmove(c->part[i], c->part[i] + keep, c->plen[i] - keep);
		c->plen[i] -= keep;
	}
	return (o->failed ? -1 : 0);
}

/*
 * Print the output C captured (stdout, then stderr), each line behind
 * TAG when TAG is not NULL, and recycle C.  Return 0, or -1 if writing to
 * the shell's stdout or stderr failed (e.g. EPIPE).
 */
int
output_emit(struct output *o, struct outcap *c, const char *tag)
{
	int i;

	if (o->mode == OUT_LINE)
		output_pump(o, c, tag, 1);
	else if (o->mode == OUT_GROUP) {
		fflush(stdout);
		fflush(stderr);
		for (i = 0; i < 2; i++)
			if (c->rfd[i] >= 0 &&
			    output_copy(c->rfd[i], i + 1, tag, i ? &(size_t){0} :
			    &c->bytes, &c->spliced) < 0)
				o->failed = 1;
	}
	output_discard(o, c);
	return (o->failed ? -1 : 0);
}

/* Close every recycled file. */
void
output_free(struct output *o)
{
	while (o->nspare > 0)
		close(o->spare[--o->nspare]);
	free(o->spare);
	o->spare = NULL;
	o->capspare = 0;
}
