/* child.c - start a command as a real bash job */

/*
 * bash's SIGCHLD handler reaps every child of the shell and records its
 * status in the job table; a pid it does not know is dropped.  So every
 * child we start is registered exactly as make_child registers `cmd &'
 * (a PROCESS in the_pipeline, made a job by stop_pipeline) while SIGCHLD
 * is blocked, and we never call waitpid: we read the child's fate from
 * the job table.
 *
 * We do make_child's work here instead of calling it, for two reasons.
 * make_child cannot fail: when fork fails it retries for 15 s, then
 * longjmps to the top level, which ends a script and skips the caller's
 * cleanup; we return -1 and let the builtin stop cleanly.  And it always
 * copies the whole shell: a disk command is started with posix_spawn
 * instead (vfork and exec, no copy of bash's 8 MB), which is most of the
 * cost of a short job.  Functions, builtins, and whatever posix_spawn
 * cannot start (a script without #!, a file that vanished: bash's own
 * fallbacks and messages) are forked.
 *
 * A forked child must differ from `cmd &': its own process group even
 * without job control (so a timeout or Ctrl-C can signal the whole tree;
 * otherwise a function's grandchildren survive), default SIGINT/SIGQUIT
 * dispositions (a forwarded signal must work), the shell's stdin on
 * request, and variables set before the command runs.  A function or
 * builtin child is also a child subreaper: what its descendants orphan
 * (a double fork, setsid) re-parents to it and stays in its tree, and
 * when it ends, after its EXIT trap, it stops what it leaves running
 * (TERM, then KILL; lib/term.c), as systemd stops what a service leaves
 * in its control group.  Not a disk command exec'd in place: the
 * setting survives execve, and a program that does not expect children
 * would keep its adopted orphans as zombies.  In the child we
 * reset what execute_in_subshell resets for `( ... ) &', then run the
 * words as a simple command with expansion inhibited (the builtin's
 * arguments were expanded once already) and CMD_NO_FORK, so a disk
 * command replaces the child instead of forking again.  A spawned disk
 * command gets the same: own group, default signals (except those the
 * user or the shell's parent ignored), the same environment.
 */

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fds.h"
#include "bashapi.h"
#include "child.h"
#include "sigguard.h"
#include "term.h"
#include "vars.h"

/*
 * Return the job text for WORDS, quoted so that `jobs' shows what the user
 * would have typed: f 'a b' '*'.  The caller owns the string.
 */
char *
child_text(WORD_LIST *words)
{
	WORD_LIST *w;
	char *text, *q;
	size_t len, cap;

	cap = 64;
	len = 0;
	text = xmalloc(cap);
	text[0] = '\0';
	for (w = words; w; w = w->next) {
		q = (*w->word->word == '\0' ||
		    sh_contains_shell_metas(w->word->word)) ?
		    sh_single_quote(w->word->word) : savestring(w->word->word);
		while (len + strlen(q) + 2 > cap) {
			cap *= 2;
			text = xrealloc(text, cap);
		}
		if (len)
			text[len++] = ' ';
		strcpy(text + len, q);
		len += strlen(q);
		free(q);
	}
	return (text);
}

static void
child_stdin_null(void)
{
	int fd;

	fd = open("/dev/null", O_RDONLY);
	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
}

/*
 * In the child: what make_child does in the child it forks, but for the
 * signal mask: child_reset restores it once the handlers are reset.
 */
static void
child_forked(const struct child_opts *o)
{
	unset_bash_input(0);
	CLRINTERRUPT;
	if ((o->flags & CHILD_OWNPGRP) ||
	    (job_control && !(o->flags & CHILD_SHELLPGRP)))
		setpgid(0, 0);
	default_tty_job_signals();
	close_pgrp_pipe();
}

/*
 * In the child: become a plain asynchronous subshell, as `( ... ) &'.
 * child_spawn forks with INT, TERM and CHLD blocked, and they stay
 * blocked until the shell's handlers are replaced: a TERM sent the moment
 * the job starts (a timeout, a halt, Ctrl-C) would otherwise run the
 * parent's handler or trap in the child, which only sets a flag that the
 * reset then clears, and the job would run on until KILL.  Blocked, it
 * waits and takes its default course when the mask is restored.
 */
static void
child_reset(const struct child_opts *o)
{
	sigguard_child();
	child_forked(o);
	if ((o->flags & CHILD_TTY) && job_control)
		give_terminal_to(getpid(), 0);
	subshell_level++;
	interactive_shell = interactive = login_shell = 0;
	expand_aliases = 0;
	loop_level = 0;
	subshell_environment = SUBSHELL_ASYNC;
	reset_terminating_signals();
	clear_pending_traps();
	reset_signal_handlers();
	subshell_environment |= SUBSHELL_RESETTRAP;
	subshell_environment &= ~SUBSHELL_IGNTRAP;
	if (running_trap > 0) {
		run_trap_cleanup(running_trap - 1);
		running_trap = 0;
	}
	/* Not setup_async_signals: a forwarded SIGINT must reach it. */
	set_sigint_handler();
	set_sigchld_handler();
	without_job_control();
	coproc_closeall();
	clear_fifo_list();
	if ((o->flags & CHILD_KEEPSTDIN) == 0)
		child_stdin_null();
	default_buffered_input = -1;
	last_asynchronous_pid = NO_PID;
	restore_sigmask();
}

/* In the child: move the captures into place and export O's variables. */
static void
child_apply(const struct child_opts *o)
{
	char **e, *eq, *name;

	if (o->outfd > 0)
		dup2(o->outfd, 1);
	if (o->errfd > 0)
		dup2(o->errfd, 2);
	for (e = o->env; e && *e; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		name = substring(*e, 0, (int)(eq - *e));
		var_export(name, eq + 1, 1);
		free(name);
	}
}

/*
 * In the child: keep what WORDS' descendants orphan under us, if WORDS
 * run as shell code here (a function or builtin, not a disk command).
 */
static void
child_adopt(WORD_LIST *words)
{
	char *name;

	name = words->word->word;
	if (find_function(name) || find_shell_builtin(name))
		prctl(PR_SET_CHILD_SUBREAPER, 1);
}

/* In the child: run WORDS and exit with their status.  Never returns. */
/*
 * In the grandchild of child_detach: the write end of the pipe that
 * child_detach waits on until our signal handlers are reset (-1 in any
 * other child).
 */
static int child_ready_fd = -1;

static void
child_exec(WORD_LIST *words, const struct child_opts *o)
{
	COMMAND *volatile cmd;
	int code, status;

	child_reset(o);
	if (child_ready_fd >= 0) {
		close(child_ready_fd);
		child_ready_fd = -1;
	}
	child_adopt(words);
	child_apply(o);
	if (o->setup)
		o->setup(o->arg);
	cmd = bg_make_simple();
	cmd->value.Simple->words = copy_word_list(words);
	cmd->flags |= CMD_NO_FORK | CMD_INHIBIT_EXPANSION;
	cmd->value.Simple->flags |= CMD_NO_FORK | CMD_INHIBIT_EXPANSION;
	/* `exit', `set -e' and signals jump to top_level: catch them here. */
	code = setjmp_nosigs(top_level);
	if (code)
		status = last_command_exit_value;
	else if (return_catch_flag && setjmp_nosigs(return_catch))
		status = return_catch_value;
	else
		/* execute_command, not _internal: a pipeline needs its fd bitmap. */
		status = execute_command(cmd);
	/*
	 * subshell_exit, ending in _exit instead of exit: the streams are
	 * flushed all the same, and the child skips the library destructors
	 * and exit-time work of a full bash (about 10% of a function job).
	 */
	last_command_exit_value = status;
	if (signal_is_trapped(0))
		status = run_exit_trap();
	if ((o->flags & CHILD_LEAVE) == 0)
		term_leftovers(o->grace ? o->grace : CHILD_GRACE_NS);
	fflush(NULL);
	_exit(status);
}

/* Fork a child that runs WORDS; return its pid, or -1 with errno set. */
static pid_t
child_fork(WORD_LIST *words, const struct child_opts *o)
{
	SigHandler *oterm;
	pid_t pid;
	int e;

	/* As make_child: an interactive shell ignores TERM, its child must not. */
	oterm = interactive_shell ? set_signal_handler(SIGTERM, SIG_DFL) : NULL;
	/* Reading a script: leave its fd where bash's buffer says it is. */
	if (default_buffered_input > 0)
		sync_buffered_stream(default_buffered_input);
	pid = fork();
	if (pid == 0)
		child_exec(words, o);
	e = errno;
	if (interactive_shell)
		set_signal_handler(SIGTERM, oterm);
	errno = e;
	return (pid);
}

/*
 * Return the full path of WORDS' command if it is a disk command that
 * posix_spawn can start the way a forked child would, else NULL.
 */
static char *
child_direct(WORD_LIST *words, const struct child_opts *o)
{
	char *name, *path;

	if (words == NULL || (o->flags & (CHILD_TTY | CHILD_FORK)) ||
	    restricted)
		return (NULL);
	/* Under set -m bash puts a job in its own group: so do we, or fork. */
	if (job_control && (o->flags & CHILD_OWNPGRP) == 0)
		return (NULL);
	name = words->word->word;
	if (*name == '\0' || find_function(name) || find_shell_builtin(name))
		return (NULL);
	path = search_for_command(name, CMDSRCH_HASH);
	if (path && executable_file(path) == 0) {
		free(path);
		path = NULL;
	}
	return (path);
}

/* Return 1 if the NAME=VALUE string S names a variable set in ENV. */
static int
child_envset(char **env, const char *s)
{
	const char *eq;

	eq = strchr(s, '=');
	for (; eq && env && *env; env++)
		if (strncmp(*env, s, (size_t)(eq - s) + 1) == 0)
			return (1);
	return (0);
}

/*
 * Return the environment bash would give the command at PATH: the
 * exported variables, O's, and $_ naming the command.  The array (not
 * the strings, except *UNDER) is the caller's to free.
 */
static char **
child_envp(const struct child_opts *o, const char *path, char **under)
{
	char **envp;
	size_t n, k, m, i;

	maybe_make_export_env();
	for (n = 0; export_env && export_env[n]; n++)
		;
	for (k = 0; o->env && o->env[k]; k++)
		;
	envp = xmalloc((n + k + 2) * sizeof(char *));
	for (m = i = 0; i < n; i++)
		if (strncmp(export_env[i], "_=", 2) != 0 &&
		    !child_envset(o->env, export_env[i]))
			envp[m++] = export_env[i];
	for (i = 0; i < k; i++)
		envp[m++] = o->env[i];
	*under = xmalloc(strlen(path) + 3);
	strcpy(*under, "_=");
	strcpy(*under + 2, path);
	envp[m++] = *under;
	envp[m] = NULL;
	return (envp);
}

/*
 * Start the disk command PATH with WORDS' arguments, as child_fork would
 * have run it.  Return its pid, or -1 with errno set (nothing started).
 */
static pid_t
child_posix(const char *path, WORD_LIST *words, const struct child_opts *o)
{
	posix_spawnattr_t at;
	posix_spawn_file_actions_t fa;
	sigset_t dfl;
	char **argv, **envp, *under;
	short fl;
	pid_t pid;
	int s, e;

	/* Signals the user or our parent ignored stay ignored; the rest default. */
	sigemptyset(&dfl);
	for (s = 1; s < NSIG; s++)
		if (!signal_is_ignored(s) && !signal_is_hard_ignored(s))
			sigaddset(&dfl, s);
	posix_spawnattr_init(&at);
	fl = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	if (o->flags & CHILD_OWNPGRP) {
		fl |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&at, 0);
	}
	posix_spawnattr_setflags(&at, fl);
	posix_spawnattr_setsigmask(&at, &top_level_mask);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawn_file_actions_init(&fa);
	if ((o->flags & CHILD_KEEPSTDIN) == 0)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (o->outfd > 0)
		posix_spawn_file_actions_adddup2(&fa, o->outfd, 1);
	if (o->errfd > 0)
		posix_spawn_file_actions_adddup2(&fa, o->errfd, 2);
	argv = strvec_from_word_list(words, 0, 0, NULL);
	envp = child_envp(o, path, &under);
	e = posix_spawn(&pid, path, &fa, &at, argv, envp);
	free(argv);
	free(envp);
	free(under);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (e) {
		errno = e;
		return (-1);
	}
	return (pid);
}

/*
 * Register the new child PID, running TEXT, as make_child does in the
 * parent, and make it a job; return the job's index.  OWN: it has its
 * own process group already.  SIGCHLD is blocked:
 * the child cannot have been reaped yet.
 */
static int
child_register(char *text, pid_t pid, int own)
{
	PROCESS *t, *p;
	int j;

	/* After the fork, so the child did not inherit the pgrp pipe. */
	making_children();
	if (pipeline_pgrp == 0)
		pipeline_pgrp = job_control ? pid : shell_pgrp;
	if (job_control && !own)
		setpgid(pid, pipeline_pgrp);
	t = xmalloc(sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->running = PS_RUNNING;
	t->command = text;
	if (the_pipeline == NULL)
		t->next = t;
	else {
		for (p = the_pipeline; p->next != the_pipeline; p = p->next)
			;
		p->next = t;
		t->next = the_pipeline;
	}
	if (the_pipeline == NULL)
		the_pipeline = t;
	last_asynchronous_pid = pid;
	/* A dead job holding a recycled pid goes (make_child's delete_old_job). */
	j = get_job_by_pid(pid, 0, &p);
	if (j != NO_JOB && jobs[j]) {
		if (JOBSTATE(j) == JDEAD)
			delete_job(j, DEL_NOBGPID);
		else if (p)
			p->pid = 0;
	}
	last_made_pid = pid;
	js.c_totforked++;
	js.c_living++;
	return (stop_pipeline(1, (COMMAND *)NULL));
}

/*
 * Move the new job J down to the lowest free slot of the job table, so
 * job numbers stay small and the table does not grow with every job: an
 * interactive shell never compacts it and appends after the last used
 * slot, so 100,000 pool jobs would leave 100,000 slots, each scanned at
 * every lookup.  Return the job's index.
 */
static int
child_lowslot(int j)
{
	int i;

	for (i = 0; i < j && jobs[i]; i++)
		;
	if (i >= j)
		return (j);
	jobs[i] = jobs[j];
	jobs[j] = NULL;
	if (js.j_current == j)
		js.j_current = i;
	if (js.j_previous == j)
		js.j_previous = i;
	if (i < js.j_firstj)
		js.j_firstj = i;
	while (js.j_lastj > 0 && jobs[js.j_lastj] == NULL)
		js.j_lastj--;
	return (i);
}

/*
 * Start WORDS (a shell function, builtin or disk command; the words are
 * not expanded again) as a background job of the shell, with the options
 * in O.  Store the job's index in *JOBP.  Return the child's pid, or -1
 * with errno set (EAGAIN: out of processes) if nothing was started.
 */
pid_t
child_spawn(WORD_LIST *words, const struct child_opts *o, int *jobp)
{
	sigset_t set, oset;
	pid_t pid, oldbang, oldmade;
	char *path;
	int j, e;

	oldbang = last_asynchronous_pid;
	oldmade = last_made_pid;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &oset);
	pid = -1;
	if ((path = child_direct(words, o)) != NULL) {
		pid = child_posix(path, words, o);
		free(path);
	}
	if (pid < 0)
		pid = child_fork(words, o);
	if (pid < 0) {
		e = errno;
		sigprocmask(SIG_SETMASK, &oset, NULL);
		errno = e;
		return (-1);
	}
	/* Both sides set the group: whichever runs first wins the race. */
	if (o->flags & CHILD_OWNPGRP)
		setpgid(pid, pid);
	else if ((o->flags & CHILD_SHELLPGRP) && pipeline_pgrp == 0)
		pipeline_pgrp = shell_pgrp;	/* child_register's group */
	j = child_register(child_text(words), pid,
	    (o->flags & CHILD_OWNPGRP) != 0);
	if (j >= 0 && jobs[j]) {
		j = child_lowslot(j);
		if (o->flags & CHILD_OWNPGRP)
			jobs[j]->pgrp = pid;
	}
	if ((o->flags & CHILD_TTY) && job_control)
		give_terminal_to(pid, 0);
	if ((o->flags & CHILD_SETBANG) == 0)
		last_asynchronous_pid = oldbang;
	/*
	 * As bash does around a process substitution: our job is not the
	 * command bash is making.  A child that bash forks next starts with
	 * this value, and if a signal makes it run an inherited EXIT trap
	 * before it execs, it waits for last_made_pid after each command:
	 * a pool worker's pid, long gone ("wait_for: No record of process").
	 */
	last_made_pid = oldmade;
	sigprocmask(SIG_SETMASK, &oset, NULL);
	*jobp = j;
	return (pid);
}

/*
 * In the grandchild of child_detach: a session of its own, which it
 * leads (no controlling terminal, no SIGHUP when one hangs up), then run
 * WORDS as a job child does.  Never returns.
 */
static void
child_detached(WORD_LIST *words, const struct child_opts *o)
{
	setsid();
	child_exec(words, o);
}

/*
 * Read the pid the middle child of child_detach writes into FD.  A
 * trapped signal to the shell must not cut this short: the grandchild is
 * started by then, and detach would say it failed while it runs.
 */
static int
child_read_pid(int fd, pid_t *pid)
{
	ssize_t k;

	while ((k = read(fd, pid, sizeof(*pid))) < 0 && errno == EINTR)
		;
	return (k == (ssize_t)sizeof(*pid) ? 0 : -1);
}

/*
 * Wait until the detached grandchild has its signal handlers reset (it
 * closes its end of FD then, or exec or death does): a TERM sent before
 * that, by `detach --stop' right after detach, reached a handler of the
 * shell's, was taken and lost at exec, and the process needed KILL.  A
 * signal to the shell (EINTR) ends the wait.
 */
static void
child_detach_ready(int fd)
{
	char c;

	(void)!read(fd, &c, 1);
}

/*
 * Start WORDS (a shell function, builtin or disk command) detached from
 * the shell: forked twice, the middle process ending at once, so that it
 * is no child of ours (bash reaps the middle one and, not knowing its
 * pid, drops it: nothing enters the job table) and outlives the shell.
 * It leads a session of its own.  O as for child_spawn.  Return its pid,
 * or -1 with errno set.
 */
pid_t
child_detach(WORD_LIST *words, const struct child_opts *o)
{
	SigHandler *oterm;
	sigset_t set, oset;
	pid_t pid, mid;
	int p[2], r[2], e;

	if (pipe_high(p, O_CLOEXEC) < 0)
		return (-1);
	if (pipe_high(r, O_CLOEXEC) < 0) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	if (default_buffered_input > 0)
		sync_buffered_stream(default_buffered_input);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &oset);
	/* As child_fork: an interactive shell ignores TERM, its child must not. */
	oterm = interactive_shell ? set_signal_handler(SIGTERM, SIG_DFL) : NULL;
	if ((mid = fork()) == 0) {
		close(p[0]);
		close(r[0]);
		child_ready_fd = r[1];
		if ((pid = fork()) == 0)
			child_detached(words, o);
		e = pid < 0 ? -errno : 0;
		(void)!write(p[1], pid < 0 ? (pid_t *)&e : &pid, sizeof(pid));
		_exit(0);
	}
	e = errno;
	if (interactive_shell)
		set_signal_handler(SIGTERM, oterm);
	sigprocmask(SIG_SETMASK, &oset, NULL);
	close(p[1]);
	close(r[1]);
	pid = -1;
	if (mid < 0)
		errno = e;
	else if (child_read_pid(p[0], &pid) < 0)
		errno = EIO, pid = -1;
	else if (pid < 0)
		errno = -pid, pid = -1;
	else
		child_detach_ready(r[0]);
	close(p[0]);
	close(r[0]);
	return (pid);
}
