/* report.c - for CI: log sections around each job's output, JUnit XML */

/*
 * Beyond GNU parallel: a long pool in a CI log is one wall of text.
 * --ci-groups wraps each job's grouped output in the CI system's
 * collapsible-section markers, printed by the pump around the job's
 * output (pool/pump.c), so they stay with it in every order (-k or
 * not); a failed job's title says so, and on GitLab its section is left
 * open.  --junit writes JUnit XML, which CI test UIs read: one
 * <testcase> per job, with a <failure> holding the exit status and the
 * tail of the job's stderr.  The testcases go to an unlinked temporary
 * file as jobs end (memory stays flat however many jobs there are); the
 * XML file is written when the pool ends, halted or not, since the
 * totals head it.  What goes into the XML is escaped and made valid
 * UTF-8 (a tail may cut a character in two), and characters XML 1.0
 * forbids become U+FFFD.
 *
 * --color and --ctag give each job GNU parallel's colours: a background
 * and a black or white text readable on it, taken by the job's Seq from
 * GNU's palette in GNU's order (adjacent ones dissimilar), so that the
 * same job has the same colour in both.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bashapi.h"
#include "output.h"
#include "report.h"
#include "words.h"

static void
rbuf_add(struct rbuf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? b->cap * 2 : 128;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
rbuf_str(struct rbuf *b, const char *s)
{
	rbuf_add(b, s, strlen(s));
}

/*
 * --ci-groups KIND: github, gitlab, auto or none into *CI.  Return 0, or
 * -1 if it is none of those.  Pure.
 */
int
report_ci_parse(const char *text, int *ci)
{
	static const struct word_value t[] = {
		{ "github", CI_GITHUB }, { "gitlab", CI_GITLAB },
		{ "auto", CI_AUTO }, { "none", CI_NONE }, { NULL, 0 }
	};

	return (word_lookup(t, text, ci));
}

/* CI_AUTO: GitHub if GITHUB_ACTIONS is "true", GitLab if GITLAB_CI is. */
int
report_ci_resolve(int ci, const char *github, const char *gitlab)
{
	if (ci != CI_AUTO)
		return (ci);
	if (github && strcmp(github, "true") == 0)
		return (CI_GITHUB);
	if (gitlab && strcmp(gitlab, "true") == 0)
		return (CI_GITLAB);
	return (CI_NONE);
}

/* The length of the valid UTF-8 character at S (N bytes left), or 0. */
static size_t
report_utf8(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return (1);
	len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 :
	    s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (len == 0 || len > n)
		return (0);
	cp = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000) ||
	    cp == 0xfffe || cp == 0xffff)) || (len == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)))
		return (0);
	return (len);
}

/* Append S (N bytes) to B as XML text or attribute value.  Pure. */
void
report_xml(struct rbuf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	rbuf_add(b, "", 0);
	while (i < n) {
		switch (p[i]) {
		case '&': rbuf_str(b, "&amp;"); i++; continue;
		case '<': rbuf_str(b, "&lt;"); i++; continue;
		case '>': rbuf_str(b, "&gt;"); i++; continue;
		case '"': rbuf_str(b, "&quot;"); i++; continue;
		case '\'': rbuf_str(b, "&apos;"); i++; continue;
		case '\t': case '\n': rbuf_add(b, s + i, 1); i++; continue;
		case '\r': rbuf_str(b, "&#13;"); i++; continue;
		}
		k = p[i] < 0x20 ? 0 : report_utf8(p + i, n - i);
		if (k == 0) {
			rbuf_str(b, "\xef\xbf\xbd");	/* U+FFFD */
			i++;
			continue;
		}
		rbuf_add(b, s + i, k);
		i += k;
	}
}

/*
 * Append J's title to B: its name with control characters made spaces
 * (a newline would end a marker line), and if it failed, how.
 */
void
report_title(struct rbuf *b, const struct report_job *j)
{
	char what[96];
	size_t i, start;

	start = b->len;
	rbuf_str(b, j->name);
	for (i = start; i < b->len; i++)
		if ((unsigned char)b->s[i] < 0x20 || b->s[i] == 0x7f)
			b->s[i] = ' ';
	if (j->status == 0)
		return;
	if (j->timed_out)
		snprintf(what, sizeof(what), " (failed: timed out)");
	else if (j->signaled)
		snprintf(what, sizeof(what), " (failed: killed by signal %d)",
		    j->status - 128);
	else
		snprintf(what, sizeof(what), " (failed: exit status %d)",
		    j->status);
	rbuf_str(b, what);
}

/* The section's opening line for J's output (a new string), or NULL. */
char *
report_head(int ci, const struct report_job *j)
{
	struct rbuf b = { NULL, 0, 0 };
	char pre[128];

	if (ci == CI_GITHUB)
		rbuf_str(&b, "::group::");
	else if (ci == CI_GITLAB) {
		snprintf(pre, sizeof(pre), "\033[0Ksection_start:%ld:"
		    "pool_job_%ld%s\r\033[0K", (long)j->start, j->seq,
		    j->status ? "" : "[collapsed=true]");
		rbuf_str(&b, pre);
	} else
		return (NULL);
	report_title(&b, j);
	rbuf_str(&b, "\n");
	return (b.s);
}

/* The section's closing line (a new string), or NULL. */
char *
report_foot(int ci, const struct report_job *j)
{
	char line[128];

	if (ci == CI_GITHUB)
		return (savestring("::endgroup::\n"));
	if (ci != CI_GITLAB)
		return (NULL);
	snprintf(line, sizeof(line), "\033[0Ksection_end:%ld:pool_job_%ld"
	    "\r\033[0K\n", (long)(j->start + j->secs), j->seq);
	return (savestring(line));
}

static double
report_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/*
 * Start R: CI sections of kind CI, JUnit XML into JUNIT (NULL: none).
 * Return 0, or -1 after saying why the report cannot be made.
 */
int
report_open(struct report *r, int ci, const char *junit)
{
	memset(r, 0, sizeof(*r));
	r->body = -1;
	r->ci = ci;
	r->t0 = report_now();
	if (junit == NULL)
		return (0);
	/* Made now: a file that cannot be written stops the pool first. */
	if ((r->out = fopen(junit, "we")) == NULL) {
		builtin_error("--junit: %s: %s", junit, strerror(errno));
		return (-1);
	}
	if ((r->body = output_tmpfile()) < 0) {
		builtin_error("--junit: cannot make a temporary file: %s",
		    strerror(errno));
		fclose(r->out);
		r->out = NULL;
		return (-1);
	}
	r->junit = savestring(junit);
	return (0);
}

/*
 * Write B to R's body with write(2), not stdio: the jobs are forks of
 * this process, and a stdio buffer would be flushed again by each.
 */
static void
report_put(struct report *r, const struct rbuf *b)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		if ((n = write(r->body, b->s + off, b->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			r->failed = errno;
			return;
		}
		off += (size_t)n;
	}
}

/* Append how J failed ("exit status 3"), XML-escaped, to B. */
static void
report_failure(struct rbuf *b, const struct report_job *j)
{
	struct rbuf t = { NULL, 0, 0 };
	struct report_job only = *j;

	only.name = "";
	report_title(&t, &only);
	/* " (failed: exit status 3)" -> "failed: exit status 3" */
	report_xml(b, t.s + 2, t.len - 3);
	free(t.s);
}

/* Add J to the JUnit report. */
void
report_job(struct report *r, const struct report_job *j)
{
	struct rbuf b = { NULL, 0, 0 };
	char num[64];

	if (r->out == NULL)
		return;
	r->n++;
	r->secs += j->secs;
	rbuf_str(&b, "    <testcase classname=\"pool\" name=\"");
	report_xml(&b, j->name, strlen(j->name));
	snprintf(num, sizeof(num), "\" time=\"%.3f\"", j->secs);
	rbuf_str(&b, num);
	if (j->status == 0) {
		rbuf_str(&b, "/>\n");
		report_put(r, &b);
		free(b.s);
		return;
	}
	r->nfail++;
	rbuf_str(&b, ">\n      <failure type=\"");
	rbuf_str(&b, j->timed_out ? "timeout" : j->signaled ? "signal" :
	    "exit");
	rbuf_str(&b, "\" message=\"");
	report_failure(&b, j);
	rbuf_str(&b, "\">");
	report_xml(&b, j->tail ? j->tail : "", j->tail ? j->ntail : 0);
	rbuf_str(&b, "</failure>\n    </testcase>\n");
	report_put(r, &b);
	free(b.s);
}

/* Copy R's testcases into FP after the totals.  Return 0, or -1. */
static int
report_write(struct report *r, FILE *fp)
{
	char buf[65536], stamp[32];
	time_t t0 = (time_t)r->t0;
	struct tm tm;
	ssize_t n;
	off_t off = 0;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S",
	    localtime_r(&t0, &tm));
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites tests=\"%ld\" failures=\"%ld\" errors=\"0\" "
	    "time=\"%.3f\">\n  <testsuite name=\"pool\" tests=\"%ld\" "
	    "failures=\"%ld\" errors=\"0\" skipped=\"0\" time=\"%.3f\" "
	    "timestamp=\"%s\">\n", r->n, r->nfail, report_now() - r->t0,
	    r->n, r->nfail, report_now() - r->t0, stamp);
	while ((n = pread(r->body, buf, sizeof(buf), off)) > 0) {
		fwrite(buf, 1, (size_t)n, fp);
		off += n;
	}
	fprintf(fp, "  </testsuite>\n</testsuites>\n");
	if (n < 0 || r->failed)
		errno = n < 0 ? errno : r->failed;
	return (n < 0 || r->failed || ferror(fp) ? -1 : 0);
}

/*
 * End R: write the JUnit file.  Return 0, or -1 after saying why it
 * could not be written.
 */
int
report_close(struct report *r)
{
	int rc;

	if (r->out == NULL)
		return (0);
	rc = report_write(r, r->out);
	if (fclose(r->out) != 0)
		rc = -1;
	r->out = NULL;
	if (rc < 0)
		builtin_error("--junit: %s: cannot write: %s", r->junit,
		    strerror(errno));
	close(r->body);
	report_free(r);
	return (rc);
}

/* Release R without writing (an interrupted pool: see pool_free). */
void
report_free(struct report *r)
{
	/* A zeroed R (a pool that failed before report_open) has no out. */
	if (r->out) {
		fclose(r->out);
		close(r->body);
	}
	free(r->junit);
	r->out = NULL;
	r->body = -1;
	r->junit = NULL;
}

/* GNU parallel's colour combinations: backgrounds with black, then white. */
static const short report_bg[2][12][2] = {
	{ { 6, 7 }, { 9, 11 }, { 13, 15 }, { 40, 51 }, { 75, 87 },
	  { 113, 123 }, { 147, 159 }, { 171, 182 }, { 185, 231 },
	  { 249, 254 }, { 0, -1 }, { 0, -1 } },
	{ { 1, 9 }, { 12, 13 }, { 16, 45 }, { 52, 81 }, { 88, 114 },
	  { 124, 149 }, { 160, 178 }, { 180, 180 }, { 182, 184 },
	  { 196, 214 }, { 232, 250 }, { 0, -1 } },
};

#define REPORT_NCOLOR	512

static short report_pal[REPORT_NCOLOR][2];	/* background, text */
static int report_npal;

/* GNU's order: by index mod 23, then mod 7 falling, stable; reversed. */
static int
report_color_cmp(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	if (a % 23 != b % 23)
		return (a % 23 - b % 23);
	if (a % 7 != b % 7)
		return (b % 7 - a % 7);
	return (a - b);
}

static void
report_palette(void)
{
	short all[REPORT_NCOLOR][2];
	int order[REPORT_NCOLOR], n, g, r, c, i;

	for (n = g = 0; g < 2; g++)
		for (r = 0; r < 12; r++)
			for (c = report_bg[g][r][0]; c <= report_bg[g][r][1];
			    c++) {
				all[n][0] = (short)c;
				all[n++][1] = g ? 231 : 0;
			}
	for (i = 0; i < n; i++)
		order[i] = i;
	qsort(order, n, sizeof(*order), report_color_cmp);
	/* Reversed, then rotated by 54, as GNU parallel does. */
	for (i = 0; i < n; i++) {
		r = order[n - 1 - (54 + i) % n];
		report_pal[i][0] = all[r][0];
		report_pal[i][1] = all[r][1];
	}
	report_npal = n;
}

/*
 * --color: job SEQ's colour, GNU parallel's "\e[48;5;BG;38;5;FGm\e[K",
 * into BUF (SIZE bytes).
 */
void
report_color(long seq, char *buf, size_t size)
{
	int k;

	if (report_npal == 0)
		report_palette();
	k = (int)(seq % report_npal);
	snprintf(buf, size, "\033[48;5;%03d;38;5;%03dm\033[K",
	    report_pal[k][0], report_pal[k][1]);
}
