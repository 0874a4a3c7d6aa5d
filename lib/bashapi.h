/* bashapi.h - bash's headers, and what Debian's headers leave out */

#ifndef BGTOOLS_BASHAPI_H
#define BGTOOLS_BASHAPI_H

#include <config.h>

#include <signal.h>
#include <stdio.h>

#include "builtins.h"
#include "shell.h"
#include "jobs.h"
#include "bashgetopt.h"
#include "common.h"
#include "make_cmd.h"
#include "sig.h"
#include "unwind_prot.h"
#include "version.h"

/*
 * bash 5.1 does not install execute_cmd.h (5.2 added it to the installed
 * headers): declare what we use of it, with 5.1's types.
 */
#if DEFAULT_COMPAT_LEVEL >= 52
#include "execute_cmd.h"
#else
extern volatile int last_command_exit_value;
extern char *this_command_name;
extern int execute_command(COMMAND *);
extern void setup_async_signals(void);
extern int execute_shell_function(SHELL_VAR *, WORD_LIST *);
#endif

/*
 * Debian ships no trap.h, input.h or timer.h; these are exported by every
 * bash from 5.1 to 5.3 with these signatures.  Not find_shell_builtin:
 * common.h declares it in every version (5.3 with a const argument, which
 * a redeclaration here would contradict).
 */
extern int pending_traps[];
extern int running_trap;
extern int default_buffered_input;
extern int return_catch_flag;
extern int return_catch_value;
extern procenv_t return_catch;
extern int subshell_level;
extern int loop_level;
extern int expand_aliases;
extern int login_shell;
extern volatile sig_atomic_t terminating_signal;
extern struct bgpids bgpids;

extern void reset_signal_handlers(void);
extern void set_signal(int, char *);
extern void clear_pending_traps(void);
extern void run_trap_cleanup(int);
extern int run_exit_trap(void);
extern int decode_signal(char *, int);
extern char *signal_name(int);
extern int signal_is_trapped(int);
extern int signal_is_ignored(int);
extern sighandler trap_handler(int);
extern void clear_fifo_list(void);
extern void coproc_closeall(void);
extern char *search_for_command(const char *, int);
extern int executable_file(const char *);
extern int sync_buffered_stream(int);
extern void unset_bash_input(int);
extern int signal_is_hard_ignored(int);
extern sigset_t top_level_mask;
extern int restricted;
extern char *trap_list[];
extern void restore_default_signal(int);

/* jobs.c keeps these global but jobs.h does not declare them. */
extern PROCESS *the_pipeline;

/* findcmd.h: enter a command found in PATH into the hash table. */
#ifndef CMDSRCH_HASH
#define CMDSRCH_HASH	0x01
#endif

/* 5.2 marks a fresh child that must not run inherited traps yet. */
#ifndef SUBSHELL_IGNTRAP
#define SUBSHELL_IGNTRAP	0
#endif

/* Private to jobs.c in 5.1 to 5.3: keep a deleted job out of bgpids. */
#ifndef DEL_NOBGPID
#define DEL_NOBGPID	2
#endif

#ifndef DSIG_NOCASE
#define DSIG_SIGPREFIX	0x01
#define DSIG_NOCASE	0x02
#endif

/* 5.3 gave make_bare_simple_command a line number. */
#if DEFAULT_COMPAT_LEVEL >= 53
#define bg_make_simple()	make_bare_simple_command(0)
#else
#define bg_make_simple()	make_bare_simple_command()
#endif

/* 5.3 typed add_unwind_protect's arguments; older headers left them open. */
#if DEFAULT_COMPAT_LEVEL >= 53
#define bg_unwind(fn, arg) \
	add_unwind_protect((sh_uwfunc_t *)(fn), (void *)(arg))
#else
#define bg_unwind(fn, arg)	add_unwind_protect((fn), (void *)(arg))
#endif

#endif
