/* joblog.c - GNU parallel's --joblog: write it, read it back to resume */

/*
 * The format is GNU parallel's, byte for byte, so that its tools and
 * users' scripts read ours: a header line, then one tab-separated line a
 * job: Seq, Host (the job's sshlogin without NCPUS/, as GNU parallel
 * writes it; ":" for this machine), Starttime (epoch seconds, 3
 * decimals), JobRuntime (%10.3f), Send, Receive (stdout bytes), Exitval,
 * Signal, Command.  Exitval and Signal are those of GNU parallel
 * 20260522 (joblog_exit), shared with --results' records.
 *
 * --retry-failed reads it back as GNU parallel does: each job's Command
 * becomes an item (the command line given is ignored), the jobs that
 * succeeded are skipped as by --resume-failed, and the new lines are
 * appended.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bashapi.h"
#include "joblog.h"

static const char joblog_header[] =
    "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

static void
joblog_mark(struct joblog *l, long seq, int what)
{
	long n;

	if (seq < 1)
		return;
	if (seq >= l->nseen) {
		n = l->nseen ? l->nseen : 64;
		while (n <= seq)
			n *= 2;
		l->seen = xrealloc(l->seen, n);
		memset(l->seen + l->nseen, 0, n - l->nseen);
		l->nseen = n;
	}
	/* A later line for the same job (a rerun) wins. */
	l->seen[seq] = (char)what;
}

static void
joblog_read(struct joblog *l, FILE *fp)
{
	char *line, *f[9], *p;
	size_t cap;
	long seq;
	int i;

	line = NULL;
	cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		for (p = line, i = 0; i < 9 && p; i++)
			f[i] = strsep(&p, "\t");
		if (i < 8 || (seq = strtol(f[0], NULL, 10)) < 1)
			continue;	/* the header, or not ours */
		joblog_mark(l, seq, atoi(f[6]) == 0 && atoi(f[7]) == 0 ?
		    JOBLOG_OK : JOBLOG_FAILED);
	}
	free(line);
}

/* Keep LINE's command (its 9th field on) as job SEQ's in *CMDS (*N). */
static void
joblog_keep(char ***cmds, long *n, long seq, const char *cmd)
{
	long k;

	if (seq > *n) {
		k = *n ? *n : 64;
		while (k < seq)
			k *= 2;
		*cmds = xrealloc(*cmds, k * sizeof(**cmds));
		memset(*cmds + *n, 0, (k - *n) * sizeof(**cmds));
		*n = k;
	}
	free((*cmds)[seq - 1]);
	(*cmds)[seq - 1] = savestring(cmd);	/* a later line wins */
}

/* The commands of FP's lines, as words in the order of their Seq. */
static WORD_LIST *
joblog_words(FILE *fp)
{
	char *line, *f[9], *p, **cmds;
	size_t cap;
	long seq, n, last, i;
	int k;
	WORD_LIST *list;

	line = NULL;
	cap = 0;
	cmds = NULL;
	n = last = 0;
	while (getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "\n")] = '\0';
		for (p = line, k = 0; k < 8 && p; k++)
			f[k] = strsep(&p, "\t");
		if (k < 8 || p == NULL || (seq = strtol(f[0], NULL, 10)) < 1)
			continue;	/* the header, or not ours */
		joblog_keep(&cmds, &n, seq, p);
		last = seq > last ? seq : last;
	}
	free(line);
	list = NULL;
	for (i = last; i > 0; i--) {
		list = make_word_list(make_word(cmds[i - 1] ? cmds[i - 1] : ""),
		    list);
		free(cmds[i - 1]);
	}
	free(cmds);
	return (list);
}

/*
 * --retry-failed: the commands of the joblog PATH (+FILE as FILE), one
 * word a job in the order of their Seq, a gap as an empty word, into
 * *CMDS.  Return 1 if PATH does not exist (GNU parallel then runs the
 * command line as given), 0, or -1 after printing why it cannot be read.
 */
int
joblog_commands(const char *path, WORD_LIST **cmds)
{
	FILE *fp;

	*cmds = NULL;
	if (path[0] == '+' && path[1] != '\0')
		path++;
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return (1);
		builtin_error("%s: cannot read the joblog: %s", path,
		    strerror(errno));
		return (-1);
	}
	*cmds = joblog_words(fp);
	fclose(fp);
	return (0);
}

/*
 * Open the joblog PATH.  With RESUME, read the jobs it lists and append;
 * otherwise start it afresh.  PATH +FILE appends to FILE, without the
 * header line (GNU parallel's --joblog +FILE).  Return 0, or -1 after
 * printing why.
 */
int
joblog_open(struct joblog *l, const char *path, int resume)
{
	FILE *fp;
	int append;

	memset(l, 0, sizeof(*l));
	if ((append = path[0] == '+' && path[1] != '\0'))
		path++;
	if (resume && (fp = fopen(path, "re")) != NULL) {
		joblog_read(l, fp);
		fclose(fp);
	}
	l->fp = fopen(path, resume || append ? "ae" : "we");
	if (l->fp == NULL) {
		builtin_error("%s: cannot write the joblog: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (ftell(l->fp) == 0 && !append)
		fputs(joblog_header, l->fp);
	fflush(l->fp);
	return (0);
}

/* Return what the joblog read at open says of job SEQ. */
int
joblog_seen(const struct joblog *l, long seq)
{
	return (seq > 0 && seq < l->nseen ? l->seen[seq] : JOBLOG_UNSEEN);
}

/*
 * The Exitval and Signal of a job with shell status STATUS, as GNU
 * parallel 20260522 writes them: a job killed by signal N has 128+N and
 * N (20221122 wrote 0 and N); one that --timeout stopped, -1 and N.
 */
void
joblog_exit(int status, int signaled, int timed_out, int *exitval, int *sig)
{
	*sig = signaled ? status - 128 : 0;
	*exitval = timed_out ? -1 : status;
}

/*
 * Append job SEQ's line; STATUS is a shell status (128+N for signal N),
 * SIGNALED says whether a signal ended it, TIMED_OUT whether --timeout
 * did.
 */
void
joblog_write(struct joblog *l, long seq, const char *host, double start,
    double runtime, size_t received, int status, int signaled,
    int timed_out, const char *cmd)
{
	int exitval, sig;

	if (l->fp == NULL)
		return;
	joblog_exit(status, signaled, timed_out, &exitval, &sig);
	fprintf(l->fp, "%ld\t%s\t%.3f\t%10.3f\t0\t%zu\t%d\t%d\t%s\n", seq,
	    host, start, runtime, received, exitval, sig, cmd);
	fflush(l->fp);
}

/* Close the joblog. */
void
joblog_close(struct joblog *l)
{
	if (l->fp)
		fclose(l->fp);
	free(l->seen);
	memset(l, 0, sizeof(*l));
}
