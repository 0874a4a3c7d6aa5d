/* launch.c - run pool's jobs through a launcher: ssh, srun, docker exec */

/*
 * A launched job is `PREFIX... LINE': the prefix words (--launcher, or
 * `SSH [-p PORT] HOST' for an --sshlogin host), then ONE word, a shell
 * command line.  ssh joins its arguments with spaces for the remote
 * shell, so one word or many arrive alike; a launcher that ends its
 * prefix with `bash -c' gets the same line as the script.  A launcher
 * known to exec its arguments (srun, docker, podman, kubectl, env; not
 * with an ssh word, nor a last word -c; launch_execs) gets the line's
 * words instead, `bash --norc -c WRAPPER pool JOB WD', so it needs no
 * `bash -c'; any other (a user's script) gets the one line.
 *
 * The line is `exec bash --norc -c WRAPPER pool JOB' (--norc: a bash
 * started by sshd reads ~/.bashrc, as the login shell before it already
 * did; each further bash that sees SSH_CLIENT and a shell level below 2
 * reads it again: 1.1 s a bash here, with pyenv's init in ~/.bashrc).
 * JOB is the job as shell
 * text, each word quoted (single quotes, as printf %q would need), after
 * the `declare -f' text of a function job (and of every function its
 * text names, to a fixed point) and the --env variables.  It travels as
 * an argument, never in the environment: no environment variable is
 * needed on the far side, none is forwarded by sshd anyway.
 *
 * WRAPPER makes the remote work end with the launcher.  Killing a local
 * ssh without a terminal leaves the remote command running (orphaned to
 * init); `ssh -tt' would stop it but merges stderr into stdout.  So the
 * job runs in its own process group (set -m while the wrapper starts it;
 * off again, and the wrapper's own stderr on /dev/null from the start of
 * the job: a job that ends before set +m got a job notice, `[1]- Exit 1
 * ...', into its stderr) and a watcher reads the
 * wrapper's stdin: pool gives the launcher a pipe whose write end only
 * pool holds, until the job is reaped.  When the local launcher dies,
 * or pool itself, ssh's connection goes, sshd closes the remote stdin,
 * the watcher reads EOF and TERMs the job's group.
 *
 * --workdir (GNU parallel's --wd): the wrapper makes the directory
 * (mkdir -p, as GNU does) and runs the job in it; `...' is a new
 * directory under ~/.parallel/tmp, removed when the job ends; `.' is
 * the local cwd's path below $HOME, below the remote $HOME (the cwd
 * itself when it is not below $HOME).  A local job gets the same in its
 * forked child (launch_wd_enter); its `...' is made by pool and removed
 * after the job is reaped.
 *
 * {host} and {sshlogin} (in the launcher here, in the command through
 * subst.c) and the joblog's Host column all come from launch_where, with
 * GNU parallel's meaning.  --filter-hosts runs `true' through each
 * host's launcher words (launch_prefix, the same as a job's) once, as a
 * timed child job, before the first job: a host that does not answer is
 * left out, and so are its slots.
 *
 * --controlmaster (GNU parallel's -M): every ssh of an --sshlogin host
 * gets `-o ControlMaster=auto -o ControlPath=DIR/%C -o
 * ControlPersist=60', DIR a private temp dir.  Before the first job,
 * `ssh HOST -N' (or the --filter-hosts check) starts each host's
 * master: with ControlPersist it detaches (its own session, stdio on
 * /dev/null), out of every job's process group, so stopping a job never
 * stops a master that other jobs' sessions run through.  (Started by the
 * first jobs instead, two first ssh's at once would race for the socket;
 * the loser runs on its own connection and says so on the job's stderr.)
 * The jobs' ssh's run their sessions through the master, without a new
 * connection and login.  Killing a job's ssh (a mux client) closes its
 * session on the master, so the remote watcher sees EOF as before.  When
 * the pool ends (pool_end, before a signal that ends the shell is passed
 * on), each master in DIR is told to exit as `ssh -O exit' would,
 * straight over its socket (launch_cm_exit: no child, which a pending
 * signal would stop at once), and DIR goes; should pool not get that far
 * (the shell KILLed), ControlPersist=60 ends an idle master a minute
 * later.  Through --launcher pool cannot know where ssh's options go: -M
 * is refused there.
 *
 * A TERM, HUP or INT sent to the wrapper (a local launcher's process
 * group, srun's step signals) is passed on to the job the same way.  The
 * job's status is the wrapper's: a job killed by signal N reads as status
 * 128+N.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attempt.h"
#include "bashapi.h"
#include "duration.h"
#include "launch.h"
#include "subst.h"

#define LAUNCH_MAXFN	256	/* functions shipped with one job */
#define LAUNCH_FILTER_S	10	/* --filter-hosts: seconds a host has */
#define LAUNCH_CM_EXIT_S	5	/* ssh -O exit: seconds it has */

static const char wrapper[] =
    "set -m; trap 'kill -TERM -- -$p 2>/dev/null' HUP TERM INT\n"
    "d=\n"
    "case $2 in\n"
    "'') ;;\n"
    "...) mkdir -p \"$HOME/.parallel/tmp\" &&\n"
    "  d=$(mktemp -d \"$HOME/.parallel/tmp/pool-XXXXXX\") && cd \"$d\" ||"
    " exit 1 ;;\n"
    "\\~*) mkdir -p \"$HOME${2#\\~}\" && cd \"$HOME${2#\\~}\" || exit 1 ;;\n"
    "*) mkdir -p -- \"$2\" && cd -- \"$2\" || exit 1 ;;\n"
    "esac\n"
    "exec 3>&2 2>/dev/null\n"
    "bash --norc -c \"$1\" </dev/null 2>&3 3>&- & p=$!\n"
    "{ cat >/dev/null; kill -TERM -- -$p; } >/dev/null 2>&1 3>&- & w=$!\n"
    "set +m\n"
    "wait $p; s=$?\n"
    "kill -- -$w 2>/dev/null\n"
    "[ -z \"$d\" ] || rm -rf -- \"$d\"\n"
    "exit $s\n";

/*
 * --transferfile, --return, --cleanup (GNU parallel's): the job of a
 * --sshlogin host runs as `bash -c XFER pool WD CLEAN DOTS NTF NRET NSSH
 * SSH... HOST LINE TF... RET...': send the TF files, run `SSH... HOST
 * LINE' (on pool's pipe, as any launched job), fetch the RET files, and
 * with CLEAN remove both on the remote side (and their directories, when
 * that leaves them empty), with DOTS the `...' workdir.  --basefile uses
 * it too: an empty LINE runs no job; CLEAN `only' sends nothing and
 * removes the TF files.  Where a file
 * goes is rsync -R's (GNU's table): a relative path below the remote
 * workdir, an absolute one where it is, and for DIR/./PATH, PATH below
 * the workdir.  rsync when there is one here (it must be on the remote
 * side too, as for GNU), else tar over the same ssh; both through the
 * --controlmaster master.  The status is the job's; 1 when a TF file
 * cannot be read (the job does not run) or a RET file did not come back
 * from a job that succeeded.
 */
static const char xfer[] =
    "wd=$1 clean=$2 dots=$3 ntf=$4 nret=$5 n=$6; shift 6\n"
    "ssh=(\"${@:1:n-1}\") host=${!n}; shift \"$n\"\n"
    "line=$1; shift\n"
    "tf=(\"${@:1:ntf}\") ret=(\"${@:ntf+1:nret}\")\n"
    "case $wd in '' | \\~) rd=. ;; \\~/*) rd=${wd#\\~/} ;; *) rd=$wd ;; esac\n"
    "q() { printf %q \"$1\"; }\n"
    "e=; for w in \"${ssh[@]}\"; do e+=\"'${w//\\'/\\'\\'}' \"; done\n"
    "rs=; command -v rsync >/dev/null && rs=1\n"
    "where() {\n"
    "  f=$1; while [[ $f == ./* ]]; do f=${f#./}; done\n"
    "  case $f in\n"
    "  */./*) b=${f%%/./*}/ r=$rd p=${f#*/./} ;;\n"
    "  /*) b=/ r=/ p=${f#/} ;;\n"
    "  *) b=. r=$rd p=$f ;;\n"
    "  esac\n"
    "}\n"
    "send() {\n"
    "  where \"$1\"\n"
    "  if [ -n \"$rs\" ]; then\n"
    "    [ \"$b\" = . ] && src=$p || src=${b%/}/./$p\n"
    "    rsync -rlDzR -e \"$e\" --rsync-path=\"mkdir -p $(q \"$r\") && rsync\" \\\n"
    "      -- \"$src\" \"$host:$r/\"\n"
    "  else\n"
    "    tar -C \"$b\" -cf - -- \"$p\" | \"${ssh[@]}\" \"$host\" \\\n"
    "      \"mkdir -p $(q \"$r\") && tar -C $(q \"$r\") -xf -\"\n"
    "  fi\n"
    "}\n"
    "fetch() {\n"
    "  where \"$1\"\n"
    "  mkdir -p -- \"$b\" || return\n"
    "  if [ -n \"$rs\" ]; then\n"
    "    rsync -rlDzR -e \"$e\" --rsync-path=\"cd $(q \"$r\") && rsync\" \\\n"
    "      -- \"$host:$p\" \"$b/\"\n"
    "  else\n"
    "    \"${ssh[@]}\" \"$host\" \"cd $(q \"$r\") && tar -cf - -- $(q \"$p\")\" |\n"
    "      tar -C \"$b\" -xf -\n"
    "  fi\n"
    "}\n"
    "set -o pipefail\n"
    "[ \"$clean\" != only ] || tf=()\n"
    "for f in \"${tf[@]}\"; do\n"
    "  [ -r \"$f\" ] || { echo \"pool: $f: cannot transfer: $([ -e \"$f\" ] &&"
    " echo not readable || echo no such file)\" >&2; exit 1; }\n"
    "done\n"
    "for f in \"${tf[@]}\"; do\n"
    "  send \"$f\" </dev/null || { echo \"pool: $f: cannot transfer to $host\" >&2;"
    " exit 1; }\n"
    "done\n"
    "s=0; [ -z \"$line\" ] || { \"${ssh[@]}\" \"$host\" \"$line\"; s=$?; }\n"
    "for f in \"${ret[@]}\"; do\n"
    "  fetch \"$f\" </dev/null || { echo \"pool: $f: not returned from $host\" >&2;"
    " [ $s != 0 ] || s=1; }\n"
    "done\n"
    "c=; [ \"$clean\" != only ] || tf=(\"${@:1:ntf}\")\n"
    "for f in \"${tf[@]}\" \"${ret[@]}\"; do\n"
    "  [ -n \"$clean\" ] || break\n"
    "  where \"$f\"; c+=\"(cd $(q \"$r\") && rm -f -- $(q \"$p\")\"\n"
    "  [[ $p != */* ]] || c+=\" && rmdir -p -- $(q \"${p%/*}\") 2>/dev/null\"\n"
    "  c+=\"); \"\n"
    "done\n"
    "[ -z \"$dots\" ] || c+=\"rm -rf -- $(q \"$rd\")\"\n"
    "[ -z \"$c\" ] || \"${ssh[@]}\" \"$host\" \"$c\" </dev/null >/dev/null 2>&1\n"
    "exit $s\n";

static int
launch_bad(const char *v, const char *what)
{
	builtin_error("%s: invalid %s", v, what);
	return (EX_USAGE);
}

/* Add one `[NCPUS/]HOST[:PORT]' (or `:', this machine) to L. */
static int
launch_host_add(struct launch *l, const char *spec)
{
	struct lhost h;
	const char *s, *slash, *colon;
	char *end;
	long n;

	memset(&h, 0, sizeof(h));
	s = spec;
	if ((slash = strchr(s, '/')) != NULL) {
		errno = 0;
		n = strtol(s, &end, 10);
		if (end != slash || end == s || n < 1 || n > 100000 || errno)
			return (launch_bad(spec, "sshlogin"));
		h.ncpus = (int)n;
		s = slash + 1;
	}
	if (strcmp(s, ":") != 0) {
		colon = strrchr(s, ':');
		if (colon && (colon[1] == '\0' ||
		    strspn(colon + 1, "0123456789") != strlen(colon + 1)))
			return (launch_bad(spec, "sshlogin"));
		if (*s == '\0' || *s == ':' || strpbrk(s, " \t\n/") != NULL)
			return (launch_bad(spec, "sshlogin"));
		h.name = colon ? substring(s, 0, (int)(colon - s)) :
		    savestring(s);
		h.port = colon ? savestring(colon + 1) : NULL;
		h.login = savestring(s);
	}
	l->hosts = xrealloc(l->hosts, (l->nhosts + 1) * sizeof(h));
	l->hosts[l->nhosts++] = h;
	return (0);
}

/* --sshlogin LIST: comma-separated hosts.  Return 0 or EX_USAGE. */
int
launch_hosts(struct launch *l, const char *list)
{
	char *copy, *s, *next;
	int r;

	if (*list == '\0')
		return (launch_bad("''", "sshlogin"));
	copy = savestring(list);
	r = 0;
	for (s = copy; r == 0 && s; s = next) {
		if ((next = strchr(s, ',')) != NULL)
			*next++ = '\0';
		r = launch_host_add(l, s);
	}
	free(copy);
	return (r);
}

/* Remember when --slf FILE (stat ST) was read: launch_reread. */
static void
launch_stamp(struct launch *l, const char *path, const struct stat *st)
{
	l->slf = path;
	l->slf_mtime = st->st_mtim;
	l->slf_size = st->st_size;
	l->slf_ino = st->st_ino;
	l->slf_next = duration_now() + 1000000000LL;
}

/* --slf FILE: one sshlogin a line; blank lines and # comments skipped. */
int
launch_slf(struct launch *l, const char *path)
{
	char line[4096], *s, *e;
	struct stat st;
	FILE *fp;
	int r, n, first;

	if ((fp = fopen(path, "r")) == NULL) {
		builtin_error("%s: %s", path, strerror(errno));
		return (EXECUTION_FAILURE);
	}
	if (fstat(fileno(fp), &st) == 0)
		launch_stamp(l, path, &st);
	first = l->nhosts;
	r = n = 0;
	while (r == 0 && fgets(line, sizeof(line), fp)) {
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == ' ' ||
		    e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
		if (*s && (r = launch_hosts(l, s)) == 0)
			n++;
	}
	fclose(fp);
	if (r == 0 && n == 0) {
		builtin_error("%s: no sshlogin in the file", path);
		r = EX_USAGE;
	}
	for (; first < l->nhosts; first++)
		l->hosts[first].slf = path;
	return (r);
}

/* --workdir DIR: `...', `.' or a directory, local and remote. */
int
launch_workdir(struct launch *l, const char *dir)
{
	if (*dir == '\0')
		return (launch_bad("''", "workdir"));
	l->workdir = dir;
	return (0);
}

/*
 * --workdir for the far side: `~' or `~/REL' for `.' (see above), else
 * as given, or "" without --workdir.  A new string.
 */
static char *
launch_wd_remote(const struct launch *l)
{
	const char *home;
	char *cwd, *r;
	size_t n;

	if (l->workdir == NULL || strcmp(l->workdir, ".") != 0)
		return (savestring(l->workdir ? l->workdir : ""));
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return (savestring("~"));
	home = get_string_value("HOME");
	n = home ? strlen(home) : 0;
	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n > 0 && strncmp(cwd, home, n) == 0 &&
	    (cwd[n] == '\0' || cwd[n] == '/')) {
		r = xmalloc(strlen(cwd + n) + 2);
		r[0] = '~';
		strcpy(r + 1, cwd + n);
	} else
		r = savestring(cwd);
	free(cwd);
	return (r);
}

/* mkdir -p DIR (DIR is changed, and put back).  0, or -1 with errno. */
static int
launch_mkdirs(char *dir)
{
	char *s;

	for (s = dir + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
			*s = '/';
			return (-1);
		}
		*s = '/';
	}
	return (mkdir(dir, 0777) < 0 && errno != EEXIST ? -1 : 0);
}

/*
 * --workdir `...' for a local job: a new directory under
 * ~/.parallel/tmp (GNU's place), or NULL (message printed) or NULL
 * without `...'.  launch_wd_remove takes it away.
 */
char *
launch_wd_make(const struct launch *l)
{
	const char *home;
	char *dir;

	if (l->workdir == NULL || strcmp(l->workdir, "...") != 0)
		return (NULL);
	home = get_string_value("HOME");
	dir = xmalloc(strlen(home ? home : "") + 40);
	sprintf(dir, "%s/.parallel/tmp", home ? home : "");
	if (launch_mkdirs(dir) == 0) {
		strcat(dir, "/pool-XXXXXX");
		if (mkdtemp(dir) != NULL)
			return (dir);
	}
	builtin_error("%s: %s", dir, strerror(errno));
	free(dir);
	return (NULL);
}

static int
launch_rm1(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return (remove(path) < 0 && errno != ENOENT ? -1 : 0);
}

/* Remove DIR (from launch_wd_make) and all in it; free it. */
void
launch_wd_remove(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, launch_rm1, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/*
 * In a local job's child: go to the --workdir (TMP for `...', made by
 * launch_wd_make).  Return 0, or -1 after a message.
 */
int
launch_wd_enter(const struct launch *l, const char *tmp)
{
	char *dir;
	int r;

	if (l->workdir == NULL || strcmp(l->workdir, ".") == 0)
		return (0);
	if (strcmp(l->workdir, "...") == 0 && tmp == NULL)
		return (-1);	/* launch_wd_make said why */
	dir = savestring(tmp ? tmp : l->workdir);
	r = launch_mkdirs(dir) < 0 || chdir(dir) < 0 ? -1 : 0;
	if (r < 0)
		builtin_error("%s: %s", dir, strerror(errno));
	free(dir);
	/* A function job's pwd and $PWD are bash's idea of the cwd. */
	if (r == 0 && (dir = getcwd(NULL, 0)) != NULL) {
		set_working_directory(dir);
		bind_variable("PWD", dir, 0);
		free(dir);
	}
	return (r);
}

/*
 * --transferfile FILE, --return FILE, --basefile FILE (WHICH: LAUNCH_TF,
 * LAUNCH_RET, LAUNCH_BF), or
 * --trc FILE (LAUNCH_TRC: --transferfile {} --return FILE --cleanup, as
 * GNU's).  Return 0 or EX_USAGE.
 */
int
launch_files(struct launch *l, int which, const char *file)
{
	if (*file == '\0')
		return (launch_bad("''", which == LAUNCH_TF ? "transferfile" :
		    which == LAUNCH_BF ? "basefile" : "return file"));
	if (which == LAUNCH_BF) {
		l->bf = xrealloc(l->bf, (l->nbf + 1) * sizeof(char *));
		l->bf[l->nbf++] = (char *)file;
		return (0);
	}
	if (which == LAUNCH_TRC) {
		l->cleanup = 1;
		launch_files(l, LAUNCH_TF, "{}");
	}
	if (which == LAUNCH_TF) {
		l->tf = xrealloc(l->tf, (l->ntf + 1) * sizeof(char *));
		l->tf[l->ntf++] = (char *)file;
	} else {
		l->ret = xrealloc(l->ret, (l->nret + 1) * sizeof(char *));
		l->ret[l->nret++] = (char *)file;
	}
	return (0);
}

/* --env NAME: a variable or function shipped with each launched job. */
int
launch_env(struct launch *l, const char *name)
{
	if (!legal_identifier(name)) {
		builtin_error("`%s': not a valid identifier", name);
		return (EX_USAGE);
	}
	l->env = xrealloc(l->env, (l->nenv + 1) * sizeof(char *));
	l->env[l->nenv++] = (char *)name;
	return (0);
}

/*
 * Split S into words as the shell would: blanks separate, quotes and
 * backslashes quote; nothing is expanded.  Return the words as a
 * NULL-terminated vector (in *OUT) and their count, or -1 on an open
 * quote or an empty S.
 */
static int
launch_split(const char *s, char ***out)
{
	char **v, *buf, *b, q;
	int n, inword;

	v = xmalloc((strlen(s) / 2 + 2) * sizeof(char *));
	buf = b = xmalloc(strlen(s) + 1);
	n = inword = 0;
	for (q = 0;; s++) {
		if (*s == '\0' || (!q && (*s == ' ' || *s == '\t' ||
		    *s == '\n'))) {
			if (q)
				break;
			if (inword) {
				*b = '\0';
				v[n++] = savestring(buf);
				b = buf;
			}
			inword = 0;
			if (*s == '\0')
				break;
			continue;
		}
		inword = 1;
		if (q == '\'' ? *s == '\'' : q == '"' ? *s == '"' :
		    (*s == '\'' || *s == '"')) {
			q = q ? 0 : *s;
			continue;
		}
		if (*s == '\\' && s[1] && (q == 0 || (q == '"' &&
		    strchr("\"\\$`", s[1]))))
			s++;
		*b++ = *s;
	}
	free(buf);
	v[n] = NULL;
	*out = v;
	if (q == 0 && n > 0)
		return (n);
	strvec_dispose(v);
	return (-1);
}

/* Return 0 if L's options make sense together, else EX_USAGE. */
int
launch_check(const struct launch *l)
{
	char **v;
	int i;

	if (l->prefix && launch_split(l->prefix, &v) < 0)
		return (launch_bad(l->prefix, "launcher"));
	if (l->prefix)
		strvec_dispose(v);
	if (l->ssh && launch_split(l->ssh, &v) < 0)
		return (launch_bad(l->ssh, "ssh command"));
	if (l->ssh)
		strvec_dispose(v);
	for (i = 0; l->prefix && i < l->nhosts; i++)
		if (l->hosts[i].port) {
			builtin_error("%s:%s: with --launcher, give the port "
			    "in the launcher", l->hosts[i].name,
			    l->hosts[i].port);
			return (EX_USAGE);
		}
	if (l->cmaster && (l->prefix || l->nhosts == 0)) {
		builtin_error("--controlmaster needs --sshlogin or --slf, "
		    "and no --launcher");
		return (EX_USAGE);
	}
	if (l->prefix && (l->ntf || l->nret || l->nbf || l->cleanup)) {
		builtin_error("--transferfile, --return, --basefile and "
		    "--cleanup need --sshlogin or --slf, and no --launcher");
		return (EX_USAGE);
	}
	if ((l->ssh || l->nenv) && !launch_active(l)) {
		builtin_error("--ssh and --env need --launcher, --sshlogin "
		    "or --slf");
		return (EX_USAGE);
	}
	return (0);
}

int
launch_active(const struct launch *l)
{
	return (l->prefix != NULL || l->nhosts > 0);
}

/* The number of slots: -j PER_HOST, or the hosts' NCPUS/ (PER_HOST
 * for a host without). */
int
launch_slots(const struct launch *l, int per_host)
{
	long n;
	int i;

	if (l->nhosts == 0)
		return (per_host);
	for (n = i = 0; i < l->nhosts; i++)
		n += l->hosts[i].ncpus ? l->hosts[i].ncpus : per_host;
	return (n > 100000 ? 100000 : (int)n);
}

static int
launch_same_host(const struct lhost *a, const struct lhost *b)
{
	return (a->ncpus == b->ncpus && (a->login == NULL ?
	    b->login == NULL : b->login && strcmp(a->login, b->login) == 0));
}

/*
 * Match the hosts of N (a new reading of --slf) with L's from the file:
 * one of L's found keeps (or gets back) its slots, one not found is gone;
 * each of N's taken is marked in TAKEN.  Return whether any changed.
 */
static int
launch_match(struct launch *l, const struct launch *n, char *taken)
{
	int i, j, was, changed;

	changed = 0;
	for (i = 0; i < l->nhosts; i++) {
		if (l->hosts[i].slf != l->slf)
			continue;	/* -S, or an --slf before the last */
		was = l->hosts[i].gone;
		l->hosts[i].gone = 1;
		for (j = 0; j < n->nhosts; j++)
			if (!taken[j] && launch_same_host(&l->hosts[i],
			    &n->hosts[j])) {
				taken[j] = 1;
				l->hosts[i].gone = 0;
				break;
			}
		changed |= was != l->hosts[i].gone;
	}
	return (changed);
}

/*
 * --slf FILE changed since it was read (GNU parallel re-reads it when a
 * job ends, at most once a second; pool_fill asks): a host no longer in
 * it gets no new job (its running ones finish), a new one is added after
 * the others, with new slots, so that every slot keeps its host, and a
 * host put back gets its slots back.  A file that cannot be read or has
 * no sshlogin now leaves the hosts as they are (said once).  A new
 * host is not checked (--filter-hosts) and has no -M master.  Of several
 * --slf, the last is re-read.  Return the
 * number of slots, new or not, when the hosts changed, else 0.
 */
int
launch_reread(struct launch *l)
{
	struct launch n;
	struct stat st;
	char *taken;
	int j, changed;

	if (l->slf == NULL || duration_now() < l->slf_next)
		return (0);
	l->slf_next = duration_now() + 1000000000LL;
	if (stat(l->slf, &st) < 0 || (st.st_mtim.tv_sec ==
	    l->slf_mtime.tv_sec && st.st_mtim.tv_nsec ==
	    l->slf_mtime.tv_nsec && st.st_size == l->slf_size &&
	    st.st_ino == l->slf_ino))
		return (0);
	memset(&n, 0, sizeof(n));
	if (launch_slf(&n, l->slf) != 0) {
		launch_stamp(l, l->slf, &st);
		launch_free(&n);
		return (0);
	}
	launch_stamp(l, l->slf, &st);
	taken = xmalloc(n.nhosts + 1);
	memset(taken, 0, n.nhosts + 1);
	changed = launch_match(l, &n, taken);
	for (j = 0; j < n.nhosts; j++) {
		if (taken[j])
			continue;
		l->hosts = xrealloc(l->hosts, (l->nhosts + 1) *
		    sizeof(l->hosts[0]));
		l->hosts[l->nhosts] = n.hosts[j];
		l->hosts[l->nhosts++].late = 1;
		memset(&n.hosts[j], 0, sizeof(n.hosts[j]));
		changed = 1;
	}
	free(taken);
	launch_free(&n);
	return (changed ? launch_slots(l, l->jobs) : 0);
}

/* The host of SLOT (1-based): the hosts' slots follow each other. */
static const struct lhost *
launch_host(const struct launch *l, int slot)
{
	int i, n;

	for (n = i = 0; i < l->nhosts; i++) {
		n += l->hosts[i].ncpus ? l->hosts[i].ncpus : l->jobs;
		if (slot <= n)
			return (&l->hosts[i]);
	}
	return (l->nhosts ? &l->hosts[l->nhosts - 1] : NULL);
}

/* May SLOT take a new job (its host not gone from --slf)? */
int
launch_usable(const struct launch *l, int slot)
{
	const struct lhost *h;

	return ((h = launch_host(l, slot)) == NULL || !h->gone);
}

/*
 * GNU parallel's {host} (LOGIN 0: the host name, without user@ and
 * :port) or {sshlogin} (LOGIN 1: as given, without NCPUS/) of SLOT, the
 * joblog's Host column: `:' for this machine or without --sshlogin.
 */
const char *
launch_where(const struct launch *l, int slot, int login)
{
	const struct lhost *h;
	const char *at;

	if (l == NULL || (h = launch_host(l, slot)) == NULL || !h->name)
		return (":");
	if (login)
		return (h->login);
	at = strrchr(h->name, '@');
	return (at ? at + 1 : h->name);
}

/* A growing string. */
struct lbuf {
	char *s;
	size_t len, cap;
};

static void
lbuf_add(struct lbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

/* Add S quoted for a shell: as is when it is safe, else in '...'. */
static void
lbuf_quoted(struct lbuf *b, const char *s)
{
	char *q;

	if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZ0123456789_./:,+@%-") == strlen(s)) {
		lbuf_add(b, s);
		return;
	}
	q = sh_single_quote(s);
	lbuf_add(b, q);
	free(q);
}

static int
launch_known(char **names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (1);
	return (0);
}

/* Add to NAMES the functions named by a word of TEXT, not there yet. */
static int
launch_callees(const char *text, char **names, int n)
{
	static const char *sep = " \t\n;|&(){}<>\"'`$=\\!";
	const char *s;
	char *word;
	size_t len;

	for (s = text; *s && n < LAUNCH_MAXFN; s += len) {
		s += strspn(s, sep);
		if ((len = strcspn(s, sep)) == 0)
			break;
		word = substring(s, 0, (int)len);
		if (!launch_known(names, n, word) && find_function(word))
			names[n++] = word;
		else
			free(word);
	}
	return (n);
}

/*
 * Add the `declare -f' text of the function job CMD (if it is one), of
 * the functions named with --env, and of every function their text names.
 */
static void
launch_functions(const struct launch *l, WORD_LIST *cmd, struct lbuf *b)
{
	char *names[LAUNCH_MAXFN], *text;
	SHELL_VAR *f;
	int i, n;

	n = 0;
	if (find_function(cmd->word->word))
		names[n++] = savestring(cmd->word->word);
	for (i = 0; i < l->nenv && n < LAUNCH_MAXFN; i++)
		if (find_function(l->env[i]) &&
		    !launch_known(names, n, l->env[i]))
			names[n++] = savestring(l->env[i]);
	for (i = 0; i < n; i++) {
		f = find_function(names[i]);
		text = savestring(named_function_string(names[i],
		    function_cell(f), FUNC_MULTILINE | FUNC_EXTERNAL));
		n = launch_callees(text, names, n);
		lbuf_add(b, text);
		lbuf_add(b, "\n");
		free(text);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
}

/* Add the --env variables: scalars exported, arrays declared. */
static void
launch_vars(const struct launch *l, struct lbuf *b)
{
	SHELL_VAR *v;
	char *val;
	int i;

	for (i = 0; i < l->nenv; i++) {
		v = find_variable(l->env[i]);
		if (v == NULL || invisible_p(v) || function_p(v))
			continue;
		if (array_p(v) || assoc_p(v)) {
			val = array_p(v) ? array_to_assign(array_cell(v), 0) :
			    assoc_to_assign(assoc_cell(v), 0);
			lbuf_add(b, array_p(v) ? "declare -a " :
			    "declare -A ");
			lbuf_add(b, l->env[i]);
			lbuf_add(b, "=");
			lbuf_add(b, val ? val : "()");
			free(val);
		} else {
			lbuf_add(b, "declare -x ");
			lbuf_add(b, l->env[i]);
			lbuf_add(b, "=");
			lbuf_quoted(b, value_cell(v) ? value_cell(v) : "");
		}
		lbuf_add(b, "\n");
	}
}

/* JOB: CMD as shell text, after its functions and the --env variables. */
static char *
launch_job(const struct launch *l, WORD_LIST *cmd)
{
	struct lbuf job;
	WORD_LIST *w;

	memset(&job, 0, sizeof(job));
	lbuf_add(&job, "");
	launch_functions(l, cmd, &job);
	launch_vars(l, &job);
	for (w = cmd; w; w = w->next) {
		lbuf_quoted(&job, w->word->word);
		lbuf_add(&job, w->next ? " " : "\n");
	}
	return (job.s);
}

static const char *
launch_base(const char *path)
{
	const char *base = strrchr(path, '/');

	return (base ? base + 1 : path);
}

/*
 * Is the --launcher one known to exec its arguments: its first word
 * srun, docker, podman, kubectl or env, no word of it ssh (which joins
 * them for a shell), its last not -c (`bash -c': the line is the
 * script)?  Any other launcher (a script of the user's, say) gets the
 * one line, as it always did.
 */
static int
launch_execs(const struct launch *l)
{
	static const char *known[] = { "srun", "docker", "podman",
	    "kubectl", "env", NULL };
	char **v;
	int i, n, r;

	if (l->prefix == NULL || (n = launch_split(l->prefix, &v)) < 0)
		return (0);
	for (r = i = 0; known[i]; i++)
		r |= strcmp(launch_base(v[0]), known[i]) == 0;
	r = r && strcmp(v[n - 1], "-c") != 0;
	for (i = 0; r && i < n; i++)
		r = strcmp(launch_base(v[i]), "ssh") != 0;
	strvec_dispose(v);
	return (r);
}

/* The words `bash --norc -c SCRIPT pool' before ARGS (taken over). */
static WORD_LIST *
launch_bash(const char *script, WORD_LIST *args)
{
	args = make_word_list(make_word("pool"), args);
	args = make_word_list(make_word(script), args);
	args = make_word_list(make_word("-c"), args);
	args = make_word_list(make_word("--norc"), args);
	return (make_word_list(make_word("bash"), args));
}

/* For a launcher that execs: the words `bash --norc -c WRAPPER pool JOB WD'. */
static WORD_LIST *
launch_argv(const struct launch *l, WORD_LIST *cmd, const char *wd)
{
	WORD_LIST *out;
	char *job;

	job = launch_job(l, cmd);
	out = make_word_list(make_word(wd), NULL);
	out = make_word_list(make_word(job), out);
	free(job);
	return (launch_bash(wrapper, out));
}

/* The one word after the prefix: `exec bash --norc -c WRAPPER pool JOB WD'. */
static char *
launch_line(const struct launch *l, WORD_LIST *cmd, const char *wd)
{
	struct lbuf line;
	char *job;

	memset(&line, 0, sizeof(line));
	job = launch_job(l, cmd);
	lbuf_add(&line, "exec bash --norc -c ");
	lbuf_quoted(&line, wrapper);
	lbuf_add(&line, " pool ");
	lbuf_quoted(&line, job);
	lbuf_add(&line, " ");
	lbuf_quoted(&line, wd);
	free(job);
	return (line.s);
}

/* Replace every {%}, {host} and {sshlogin} in WORD: a new string. */
static char *
launch_subst(const struct launch *l, const char *word, int slot)
{
	struct lbuf b;
	char num[32];
	const char *s;

	memset(&b, 0, sizeof(b));
	lbuf_add(&b, "");
	snprintf(num, sizeof(num), "%d", slot);
	for (s = word; *s;) {
		if (strncmp(s, "{%}", 3) == 0) {
			lbuf_add(&b, num);
			s += 3;
		} else if (strncmp(s, "{host}", 6) == 0) {
			lbuf_add(&b, launch_where(l, slot, 0));
			s += 6;
		} else if (strncmp(s, "{sshlogin}", 10) == 0) {
			lbuf_add(&b, launch_where(l, slot, 1));
			s += 10;
		} else {
			char c[2] = { *s++, '\0' };

			lbuf_add(&b, c);
		}
	}
	return (b.s);
}

/* --controlmaster: put ssh's -o options for the master before OUT. */
static WORD_LIST *
launch_cm_words(const struct launch *l, WORD_LIST *out)
{
	char *path;

	if (l->cmdir == NULL)
		return (out);
	out = make_word_list(make_word("ControlPersist=60"), out);
	out = make_word_list(make_word("-o"), out);
	path = xmalloc(strlen(l->cmdir) + 20);
	sprintf(path, "ControlPath=%s/%%C", l->cmdir);
	out = make_word_list(make_word(path), out);
	free(path);
	out = make_word_list(make_word("-o"), out);
	out = make_word_list(make_word("ControlMaster=auto"), out);
	return (make_word_list(make_word("-o"), out));
}

/* Put the launcher's words for host H (NULL: none) in SLOT before OUT. */
static WORD_LIST *
launch_prefix(const struct launch *l, const struct lhost *h, int slot,
    WORD_LIST *out)
{
	char **v, *host;
	int i, n;

	host = h ? h->name : NULL;
	if (l->prefix == NULL && h->port) {
		out = make_word_list(make_word(host), out);
		out = make_word_list(make_word(h->port), out);
		out = make_word_list(make_word("-p"), out);
	} else if (l->prefix == NULL)
		out = make_word_list(make_word(host), out);
	/*
	 * -M: a host added by a re-read of --slf has no master (starting one
	 * is a child job, not to be run amid the pool's; nor may a job's
	 * ssh start it, in the job's process group): its jobs connect each.
	 */
	if (l->prefix == NULL && !(h && h->late))
		out = launch_cm_words(l, out);
	n = launch_split(l->prefix ? l->prefix : l->ssh ? l->ssh : "ssh", &v);
	for (i = n - 1; i >= 0; i--) {
		out = make_word_list(make_word(""), out);
		free(out->word->word);
		out->word->word = launch_subst(l, v[i], slot);
	}
	strvec_dispose(v);
	return (out);
}

/* Do the job's files travel (--transferfile, --return, --cleanup)? */
static int
launch_moves(const struct launch *l, const struct lhost *h)
{
	return (h && h->name && l->prefix == NULL &&
	    (l->ntf || l->nret || l->cleanup));
}

/*
 * The remote --workdir of a job: launch_wd_remote's, but for `...' when
 * files travel: pool names the new directory (below ~/.parallel/tmp, as
 * GNU's), since they go there before the job and come back after it.
 */
static char *
launch_wd_job(const struct launch *l, const struct lhost *h, long seq)
{
	static unsigned long n;
	char host[256], *wd;

	if (!launch_moves(l, h) || l->workdir == NULL ||
	    strcmp(l->workdir, "...") != 0)
		return (launch_wd_remote(l));
	if (gethostname(host, sizeof(host)) < 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, "/ ")] = '\0';
	wd = xmalloc(strlen(host) + 100);
	sprintf(wd, "~/.parallel/tmp/pool-%s-%ld-%ld-%lu", host,
	    (long)getpid(), seq, ++n);
	return (wd);
}

/* Add the FILES (replacement strings done with VALS, SEQ, SLOT) to OUT. */
static WORD_LIST *
launch_names(char **files, int nfiles, char **vals, int nvals, long seq,
    int slot, WORD_LIST *out, int *count)
{
	WORD_LIST one, *w;
	WORD_DESC d;
	int i;

	for (i = nfiles - 1; i >= 0; i--) {
		d.word = files[i];
		d.flags = 0;
		one.word = &d;
		one.next = NULL;
		w = subst_build(&one, vals, nvals, seq, slot);
		*count += list_length((GENERIC_LIST *)w);
		out = (WORD_LIST *)list_append((GENERIC_LIST *)w,
		    (GENERIC_LIST *)out);
	}
	return (out);
}

/*
 * The job as `bash -c XFER ...' around the launcher words PFX and LINE
 * (see xfer above).
 */
static WORD_LIST *
launch_xfer_run(WORD_LIST *pfx, const char *wd, const char *clean,
    const char *dots, WORD_LIST *files, int ntf, int nret)
{
	WORD_LIST *out;
	char num[32];

	/* The words of ssh and the host: all of PFX but LINE. */
	snprintf(num, sizeof(num), "%d",
	    list_length((GENERIC_LIST *)pfx) - 1);
	out = (WORD_LIST *)list_append((GENERIC_LIST *)pfx,
	    (GENERIC_LIST *)files);
	out = make_word_list(make_word(num), out);
	snprintf(num, sizeof(num), "%d", nret);
	out = make_word_list(make_word(num), out);
	snprintf(num, sizeof(num), "%d", ntf);
	out = make_word_list(make_word(num), out);
	out = make_word_list(make_word(dots), out);
	out = make_word_list(make_word(clean), out);
	out = make_word_list(make_word(wd), out);
	return (launch_bash(xfer, out));
}

static WORD_LIST *
launch_xfer(const struct launch *l, WORD_LIST *pfx, char *wd, char **vals,
    int nvals, long seq, int slot)
{
	WORD_LIST *files;
	int ntf, nret;

	ntf = nret = 0;
	files = launch_names(l->ret, l->nret, vals, nvals, seq, slot, NULL,
	    &nret);
	files = launch_names(l->tf, l->ntf, vals, nvals, seq, slot, files,
	    &ntf);
	return (launch_xfer_run(pfx, wd, l->cleanup ? "1" : "", l->workdir &&
	    strcmp(l->workdir, "...") == 0 ? "1" : "", files, ntf, nret));
}

/*
 * The words that run CMD (job SEQ, its values VALS) in SLOT through the
 * launcher: a new list, or NULL when the slot's host is this machine
 * (`:').
 */
WORD_LIST *
launch_wrap(const struct launch *l, WORD_LIST *cmd, int slot, char **vals,
    int nvals, long seq)
{
	const struct lhost *h;
	WORD_LIST *out;
	char *wd;

	h = launch_host(l, slot);
	if (h && h->name == NULL)
		return (NULL);
	wd = launch_wd_job(l, h, seq);
	if (launch_execs(l))
		out = launch_argv(l, cmd, wd);
	else {
		out = make_word_list(make_word(""), NULL);
		free(out->word->word);
		out->word->word = launch_line(l, cmd, wd);
	}
	out = launch_prefix(l, h, slot, out);
	if (launch_moves(l, h))
		out = launch_xfer(l, out, wd, vals, nvals, seq, slot);
	free(wd);
	return (out);
}

/*
 * launch_quiet's shell: the command runs as a job of its own (set -m: its
 * own process group, set up by this bash before the exec, so no window)
 * and the shell waits for it.  What the command leaves behind stays in
 * that group: a --controlmaster master, which ssh forks off once it is
 * logged in and its socket is listening.  attempt_child TERMs the
 * group of the child it ran once that child ends (leftovers); were the
 * master in it, a master not yet in its own session (daemon(3) forks,
 * then calls setsid) died with it, and the first jobs' ssh's made their
 * own connections.  So when ssh's foreground process exits, the socket
 * is ready and the master safe.  A timeout or a signal stops the
 * command's group through the trap.
 */
#define LAUNCH_QUIET_JOB \
    "set -m; trap 'kill -TERM -- -$p; exit 1' HUP INT TERM\n" \
    "\"$@\" & p=$!\n" \
    "set +m; wait $p\n"
static const char quiet[] = "exec </dev/null >/dev/null 2>&1\n"
    LAUNCH_QUIET_JOB;
/* The same with stderr kept: --basefile's messages. */
static const char loud[] = "exec </dev/null >/dev/null\n" LAUNCH_QUIET_JOB;

/*
 * Run W (freed) quietly (stdin, stdout, stderr /dev/null) as a timed
 * child job, for at most SECS seconds; SECS 0: untimed, stderr kept.
 * Return its status, or 128+N if the shell got signal N meanwhile
 * (*SIGNALLED set).
 */
static int
launch_quiet(WORD_LIST *w, int secs, int *signalled)
{
	struct attempt a;
	int st;

	w = make_word_list(make_word("pool"), w);
	w = make_word_list(make_word(secs ? quiet : loud), w);
	w = make_word_list(make_word("-c"), w);
	w = make_word_list(make_word("bash"), w);
	memset(&a, 0, sizeof(a));
	a.deadline = secs ? duration_now() + secs * 1000000000LL : 0;
	a.kill_after = 1000000000LL;
	a.sig = SIGTERM;
	a.watchfd = -1;
	st = attempt_child(w, &a);
	dispose_words(w);
	*signalled = a.how == ATTEMPT_SIGNALLED;
	return (st);
}

/*
 * Does host I answer?  Run `true' through its launcher for at most
 * LAUNCH_FILTER_S seconds.  Return 0 if it did, 1 if not, 128+N if the
 * shell got signal N meanwhile.
 */
static int
launch_answers(const struct launch *l, int i, int slot)
{
	WORD_LIST *w;
	int st, sig;

	w = make_word_list(make_word("true"), NULL);
	w = launch_prefix(l, &l->hosts[i], slot, w);
	st = launch_quiet(w, LAUNCH_FILTER_S, &sig);
	return (sig ? st : st != 0);
}

/* Drop host I from L. */
static void
launch_drop(struct launch *l, int i)
{
	builtin_warning("%s: does not answer: skipped (--filter-hosts)",
	    l->hosts[i].login);
	free(l->hosts[i].name);
	free(l->hosts[i].port);
	free(l->hosts[i].login);
	memmove(&l->hosts[i], &l->hosts[i + 1],
	    (l->nhosts - i - 1) * sizeof(l->hosts[0]));
	l->nhosts--;
}

/*
 * --filter-hosts: once, before the first job, leave out the hosts that
 * do not answer (GNU parallel's), one after the other, saying which.
 * Return 0, 128+N on signal N, or 1 (message printed) if none is left.
 */
static int
launch_filter(struct launch *l)
{
	int i, slot, r, n;

	if (!l->filter)
		return (0);
	for (i = 0, slot = 1; i < l->nhosts;) {
		n = l->hosts[i].ncpus ? l->hosts[i].ncpus : l->jobs;
		r = l->hosts[i].name ? launch_answers(l, i, slot) : 0;
		if (r > 1)
			return (r);
		if (r == 1) {
			launch_drop(l, i);
			continue;
		}
		i++;
		slot += n;
	}
	if (l->nhosts == 0) {
		builtin_error("--filter-hosts: no host answers");
		return (EXECUTION_FAILURE);
	}
	return (0);
}

/*
 * --controlmaster: the private dir of the masters' sockets, in $TMPDIR
 * (/tmp if unset or too long for a socket path).  0, or 1 after a
 * message.
 */
static int
launch_cm_dir(struct launch *l)
{
	const char *tmp;

	tmp = get_string_value("TMPDIR");
	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 40)
		tmp = "/tmp";
	l->cmdir = xmalloc(strlen(tmp) + 20);
	sprintf(l->cmdir, "%s/pool-cm-XXXXXX", tmp);
	if (mkdtemp(l->cmdir) != NULL)
		return (0);
	builtin_error("%s: %s", l->cmdir, strerror(errno));
	free(l->cmdir);
	l->cmdir = NULL;
	return (EXECUTION_FAILURE);
}

/*
 * --controlmaster: start each host's master, one host after the other:
 * `ssh ... HOST -N' (no remote command, so no remote login shell and its
 * ~/.bashrc; with ControlPersist ssh goes to the background as soon as
 * it is logged in).  Return 0, or 128+N on signal N.
 */
static int
launch_cm_start(struct launch *l)
{
	WORD_LIST *w;
	int i, st, sig;

	for (i = 0; i < l->nhosts; i++) {
		if (l->hosts[i].name == NULL)
			continue;
		w = make_word_list(make_word("-N"), NULL);
		w = launch_prefix(l, &l->hosts[i], i + 1, w);
		st = launch_quiet(w, LAUNCH_FILTER_S, &sig);
		if (sig)
			return (st);
	}
	return (0);
}

/*
 * --basefile (GNU parallel's): send the files to each --sshlogin host
 * (CLEAN ""), once, before the first job; or (CLEAN "only") remove them
 * there when the pool ends, with --cleanup.  Through xfer, one host after
 * the other, untimed, its messages on stderr; a file that does not go
 * does not stop the pool (its jobs say what they miss).  Not to the
 * hosts a re-read of --slf adds.  Return 0, or 128+N on signal N.
 */
static int
launch_bf(struct launch *l, const char *clean)
{
	WORD_LIST *w;
	char *wd;
	int i, k, slot, st, sig;

	wd = launch_wd_remote(l);
	for (i = 0, slot = 1; i < l->nhosts; i++) {
		/* A file a time: one missing does not keep the others. */
		for (k = 0; l->hosts[i].name && !l->hosts[i].late &&
		    k < l->nbf; k++) {
			w = make_word_list(make_word(""), NULL);
			w = launch_prefix(l, &l->hosts[i], slot, w);
			w = launch_xfer_run(w, strcmp(wd, "...") ? wd : "",
			    clean, "", make_word_list(make_word(l->bf[k]),
			    NULL), 1, 0);
			st = launch_quiet(w, 0, &sig);
			if (sig) {
				free(wd);
				return (st);
			}
		}
		slot += l->hosts[i].ncpus ? l->hosts[i].ncpus : l->jobs;
	}
	free(wd);
	return (0);
}

/*
 * Once, before the first job: make --controlmaster's dir and start the
 * masters (--filter-hosts' check starts them), leave out the hosts that
 * do not answer (--filter-hosts), send the --basefile files.  Return 0, 128+N on signal N, or 1
 * after a message.
 */
int
launch_start(struct launch *l)
{
	int r;

	if (l->cmaster && (r = launch_cm_dir(l)) != 0)
		return (r);
	if (l->cmaster && !l->filter && (r = launch_cm_start(l)) != 0)
		return (r);
	if ((r = launch_filter(l)) != 0)
		return (r);
	return (launch_bf(l, ""));
}

/* Put the 32-bit big-endian N at P. */
static void
launch_put32(unsigned char *p, uint32_t n)
{
	p[0] = n >> 24;
	p[1] = n >> 16;
	p[2] = n >> 8;
	p[3] = n;
}

/*
 * Tell the ssh master on socket PATH to exit, as `ssh -O exit' does (its
 * PROTOCOL.mux, version 4: a hello each way, then MUX_C_TERMINATE), and
 * wait up to LAUNCH_CM_EXIT_S seconds for its answer or its end.  No
 * child: this also works while pool unwinds after a signal, when a child
 * job would be stopped at once.
 */
static void
launch_cm_exit(const char *path)
{
	struct sockaddr_un sa;
	struct timeval tv = { LAUNCH_CM_EXIT_S, 0 };
	unsigned char msg[24], buf[256];
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	launch_put32(msg, 8);
	launch_put32(msg + 4, 0x00000001);	/* MUX_MSG_HELLO */
	launch_put32(msg + 8, 4);		/* version */
	launch_put32(msg + 12, 8);
	launch_put32(msg + 16, 0x10000005);	/* MUX_C_TERMINATE */
	launch_put32(msg + 20, 1);		/* request id */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, msg, sizeof(msg)) == (ssize_t)sizeof(msg))
		/* Its hello, its OK; then EOF once it has gone. */
		while (read(fd, buf, sizeof(buf)) > 0)
			;
	close(fd);
}

/*
 * When the pool ends (pool_end, before a signal that ends the shell is
 * passed on; launch_free on the other ways out): --controlmaster's
 * masters stop, each socket's in the dir, and the dir goes.
 */
void
launch_end(struct launch *l, int ok)
{
	struct dirent *e;
	char *path;
	DIR *d;

	/* --basefile --cleanup: at an end not by a signal, before -M's go. */
	if (ok && l->cleanup && l->nbf)
		launch_bf(l, "only");
	l->nbf = 0;
	if (l->cmdir == NULL)
		return;
	if ((d = opendir(l->cmdir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			path = xmalloc(strlen(l->cmdir) + strlen(e->d_name) + 2);
			sprintf(path, "%s/%s", l->cmdir, e->d_name);
			launch_cm_exit(path);
			free(path);
		}
		closedir(d);
	}
	launch_wd_remove(l->cmdir);
	l->cmdir = NULL;
}

void
launch_free(struct launch *l)
{
	int i;

	launch_end(l, 0);

	for (i = 0; i < l->nhosts; i++) {
		free(l->hosts[i].name);
		free(l->hosts[i].port);
		free(l->hosts[i].login);
	}
	free(l->hosts);
	free(l->env);
	free(l->tf);
	free(l->ret);
	free(l->bf);
	memset(l, 0, sizeof(*l));
}
