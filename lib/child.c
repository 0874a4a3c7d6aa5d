/* child.c - start a command as a real bash job */

/*
 * bash's SIGCHLD handler reaps every child of the shell and records its
 * status in the job table; a pid it does not know is dropped.  So every
 * child we start goes through make_child (which registers the pid) and
 * stop_pipeline (which turns it into a job), exactly as `cmd &' does, and
 * we never call waitpid: we read the child's fate from the job table.
 *
 * We fork the child ourselves rather than handing `cmd &' to
 * execute_command, because the child must differ from `cmd &': its own
 * process group even without job control (so a timeout or Ctrl-C can
 * signal the whole tree; otherwise a function's grandchildren survive),
 * default SIGINT/SIGQUIT dispositions (a forwarded signal must work), the
 * shell's stdin on request, and variables set before the command runs.
 * In the child we reset what execute_in_subshell resets for `( ... ) &',
 * then run the words as a simple command with expansion inhibited (the
 * builtin's arguments were expanded once already) and CMD_NO_FORK, so a
 * disk command replaces the child instead of forking again.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bashapi.h"
#include "child.h"
#include "sigguard.h"

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

/* In the child: become a plain asynchronous subshell, as `( ... ) &'. */
static void
child_reset(const struct child_opts *o)
{
	sigguard_child();
	if (o->flags & CHILD_OWNPGRP)
		setpgid(0, 0);
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
}

/* In the child: run WORDS and exit with their status.  Never returns. */
static void
child_exec(WORD_LIST *words, const struct child_opts *o)
{
	COMMAND *volatile cmd;
	int code, status;

	child_reset(o);
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
	subshell_exit(status);
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
 * with errno set if no job could be made.
 */
pid_t
child_spawn(WORD_LIST *words, const struct child_opts *o, int *jobp)
{
	pid_t pid, oldbang;
	int j;

	oldbang = last_asynchronous_pid;
	pid = make_child(child_text(words), FORK_ASYNC);
	if (pid < 0)
		return (-1);
	if (pid == 0)
		child_exec(words, o);
	/* Both sides set the group: whichever runs first wins the race. */
	if (o->flags & CHILD_OWNPGRP)
		setpgid(pid, pid);
	j = stop_pipeline(1, (COMMAND *)NULL);
	if (j >= 0 && jobs[j]) {
		j = child_lowslot(j);
		if (o->flags & CHILD_OWNPGRP)
			jobs[j]->pgrp = pid;
	}
	if ((o->flags & CHILD_TTY) && job_control)
		give_terminal_to(pid, 0);
	if ((o->flags & CHILD_SETBANG) == 0)
		last_asynchronous_pid = oldbang;
	*jobp = j;
	return (pid);
}
