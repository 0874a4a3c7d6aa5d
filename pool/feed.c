/* feed.c - pool --persist's items, in a mapping its processes share */

/*
 * The workers of pool --persist are forked copies of the shell, so an
 * item they are to run must be in memory they share with whoever reads
 * it: the shell itself for items it has whole before the first fork
 * (:::, -a), or the reader job that streams stdin or a :::: file while
 * the workers run (pool/persist.c).  One writer appends each item's
 * values (strings, NUL after each) to a byte area and its place to an
 * index, then publishes the count with a release store; readers read
 * below the count without a lock.
 *
 * The mapping cannot move once the workers have it, and its final size
 * is not known while items stream, so it is reserved whole at the start
 * on a memfd: a sparse file costs nothing but address space, and pages
 * come as they are written.  Under `ulimit -v' the reservation halves
 * until it fits; an input beyond it ends with an error.
 *
 * A reader that is ahead of the writer sleeps on a futex in the mapping
 * (no polling); the writer wakes the sleepers only when there are any,
 * so a publish costs a store and a load while nobody waits.  Both sides
 * use sequentially consistent operations on the count and the number of
 * sleepers: either the writer sees a sleeper, or the sleeper sees the
 * count.
 */

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bashapi.h"
#include "feed.h"

#define FEED_CAP	(1L << 27)		/* items, at most */
#define FEED_BCAP	((size_t)1 << 35)	/* bytes of values, at most */
#define FEED_MINCAP	(1L << 12)
#define FEED_HEAD	4096
/* feed_ahead maps this much past what is about to be written. */
#define FEED_AHEAD	((uintptr_t)256 * 1024)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23	/* Linux 5.14 */
#endif

/* A shared mapping of LEN bytes on a sparse memfd; NULL, errno set. */
static void *
feed_map(size_t len)
{
	void *m;
	int fd, e;

	if ((fd = memfd_create("pool-persist", MFD_CLOEXEC)) < 0)
		return (NULL);
	m = MAP_FAILED;
	if (ftruncate(fd, (off_t)len) == 0)
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	e = errno;
	close(fd);
	errno = e;
	return (m == MAP_FAILED ? NULL : m);
}

/*
 * Reserve F, with room besides for the caller (F->extra): FIXED bytes
 * and PER bytes an item.  Return 0, or -1 with errno set.
 */
int
feed_open(struct feed *f, size_t fixed, size_t per)
{
	char *m;
	long cap;
	size_t bcap, xlen;

	memset(f, 0, sizeof(*f));
	fixed = (fixed + 63) & ~(size_t)63;
	for (cap = FEED_CAP, bcap = FEED_BCAP; ; cap /= 2, bcap /= 2) {
		xlen = fixed + (size_t)cap * per;
		f->maplen = FEED_HEAD + xlen +
		    (size_t)cap * sizeof(struct feed_item) + bcap;
		if ((m = feed_map(f->maplen)) != NULL)
			break;
		if ((errno != ENOMEM && errno != EFBIG) || cap <= FEED_MINCAP)
			return (-1);
	}
	f->h = (struct feed_head *)m;
	f->extra = m + FEED_HEAD;
	f->idx = (struct feed_item *)(m + FEED_HEAD + xlen);
	f->bytes = (char *)(f->idx + cap);
	f->cap = cap;
	f->bcap = bcap;
	return (0);
}

/*
 * Append an item of N values VALS (not yet published).  Return 0, or -1
 * with errno ENOSPC when the reservation is full.
 */
int
feed_put(struct feed *f, char **vals, int n)
{
	size_t len, k;
	int i;

	for (len = 0, i = 0; i < n; i++)
		len += strlen(vals[i]) + 1;
	if (f->n >= f->cap || len > f->bcap - f->blen) {
		errno = ENOSPC;
		return (-1);
	}
	feed_ahead(&f->wmark[0], f->idx + f->n + 1, f->idx + f->cap);
	feed_ahead(&f->wmark[1], f->bytes + f->blen + len, f->bytes + f->bcap);
	f->idx[f->n].off = (int64_t)f->blen;
	f->idx[f->n].nvals = n;
	for (i = 0; i < n; i++) {
		k = strlen(vals[i]) + 1;
		memcpy(f->bytes + f->blen, vals[i], k);
		f->blen += k;
	}
	f->n++;
	return (0);
}

static void
feed_wake(struct feed *f)
{
	__atomic_add_fetch(&f->h->seq, 1, __ATOMIC_SEQ_CST);
	(void)syscall(SYS_futex, &f->h->seq, FUTEX_WAKE, INT_MAX, NULL,
	    NULL, 0);
}

/* Let readers see the items written so far; EOF: there are no more. */
void
feed_publish(struct feed *f, int eof)
{
	__atomic_store_n(&f->h->avail, f->n, __ATOMIC_SEQ_CST);
	if (eof)
		__atomic_store_n(&f->h->eof, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&f->h->waiters, __ATOMIC_SEQ_CST) > 0)
		feed_wake(f);
}

/* Wake every reader for good: feed_wait returns at once from now on. */
void
feed_stop(struct feed *f)
{
	__atomic_store_n(&f->h->stop, 1, __ATOMIC_SEQ_CST);
	feed_wake(f);
}

/*
 * Sleep until item IDX may be read, or no more items will come, or
 * feed_stop.  Return the number of items that may be read: IDX is
 * readable if it is below.
 */
long
feed_wait(struct feed *f, long idx)
{
	struct feed_head *h = f->h;
	long n;
	int seq;

	for (;;) {
		seq = __atomic_load_n(&h->seq, __ATOMIC_SEQ_CST);
		n = __atomic_load_n(&h->avail, __ATOMIC_SEQ_CST);
		if (idx < n || __atomic_load_n(&h->eof, __ATOMIC_SEQ_CST) ||
		    __atomic_load_n(&h->stop, __ATOMIC_SEQ_CST))
			return (n);
		__atomic_add_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&h->avail, __ATOMIC_SEQ_CST) <= idx &&
		    !__atomic_load_n(&h->eof, __ATOMIC_SEQ_CST) &&
		    !__atomic_load_n(&h->stop, __ATOMIC_SEQ_CST))
			(void)syscall(SYS_futex, &h->seq, FUTEX_WAIT, seq,
			    NULL, NULL, 0);
		__atomic_sub_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
	}
}

/*
 * Item IDX's values (published): an array of *N pointers into the
 * mapping, valid until the next call in this process.
 */
char **
feed_vals(struct feed *f, long idx, int *n)
{
	const char *s;
	int i;

	*n = f->idx[idx].nvals;
	if (*n + 1 > f->valscap) {
		f->valscap = (*n + 1) * 2;
		f->vals = xrealloc(f->vals, f->valscap * sizeof(*f->vals));
	}
	s = f->bytes + f->idx[idx].off;
	for (i = 0; i < *n; i++) {
		f->vals[i] = (char *)s;
		s += strlen(s) + 1;
	}
	f->vals[i] = NULL;
	return (f->vals);
}

/*
 * This process is about to write below UPTO in an area of the mapping
 * that ends at END; M says how far it has mapped the area.  A page of a
 * shared mapping that a process touches first costs a page fault in that
 * process: about 1 us on bare metal, 10 us on some virtual machines,
 * where faults were 17% of --persist's CPU time.  Mapping FEED_AHEAD at
 * once (MADV_POPULATE_WRITE: one system call) costs a tenth of that a
 * page.  Only what lies ahead of the caller is mapped, never what it
 * left behind: the pages there may have been given back (feed_drop) and
 * must stay so.  Before Linux 5.14 the faults stay.
 */
void
feed_ahead(struct feed_mark *m, const void *upto, const void *end)
{
	static int unsupported;
	uintptr_t pg, lo, hi;

	if ((uintptr_t)upto <= m->upto || unsupported)
		return;
	pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	lo = (uintptr_t)upto - 1;
	lo = (m->upto > lo ? m->upto : lo) & ~(pg - 1);
	hi = ((uintptr_t)upto + FEED_AHEAD) & ~(pg - 1);
	if (hi > (uintptr_t)end)
		hi = (uintptr_t)end & ~(pg - 1);
	if (hi <= lo)
		return;
	if (madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) < 0 &&
	    errno == EINVAL)
		unsupported = 1;
	m->upto = hi;
}

/*
 * Give back the pages of the mapping that lie wholly in FROM..TO and
 * not below FLOOR (where the area that FROM..TO is in begins): memory
 * nobody will read again (a shared mapping's pages stay in the memfd,
 * and in each process's RSS, until removed).  A page read after this
 * reads zeros.
 */
void
feed_drop(const void *floor, const void *from, const void *to)
{
	uintptr_t pg, lo, hi;

	pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	lo = (uintptr_t)from & ~(pg - 1);
	if (lo < (uintptr_t)floor)
		lo = ((uintptr_t)floor + pg - 1) & ~(pg - 1);
	hi = (uintptr_t)to & ~(pg - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_REMOVE);
}

/*
 * Items FROM..TO-1 (published) will not be read again by anyone: give
 * back their pages.
 */
void
feed_release(struct feed *f, long from, long to)
{
	if (to <= from)
		return;
	feed_drop(f->idx, f->idx + from, f->idx + to);
	feed_drop(f->bytes, f->bytes + f->idx[from].off,
	    f->bytes + f->idx[to].off);
}

/* Let go of F's mapping and memory. */
void
feed_close(struct feed *f)
{
	if (f->h)
		munmap(f->h, f->maplen);
	free(f->vals);
	memset(f, 0, sizeof(*f));
}
