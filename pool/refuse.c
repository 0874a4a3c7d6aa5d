/* refuse.c - GNU parallel options pool does not have, and why */

/*
 * A user copies a `parallel' line into `pool'.  An option pool does not
 * have must not be taken for an item or the command, nor be refused as
 * a mere typo: the table below names every option of GNU parallel
 * 20260522 (`parallel --help', its options table) that pool does not
 * accept, each with the reason, so that `pool --sqlmaster x' says
 * `pool: --sqlmaster: not supported: no SQL job queue: ...' (status 2).
 * Another spelling of an option pool has says which spelling pool takes.
 * GNU's internal options (--_pipe-means-argfiles...) are left out.
 */

#include <string.h>

#include "bashapi.h"
#include "refuse.h"

struct refusal {
	const char *names;	/* `|' between; a short option as "-q" */
	const char *why;
};

#define SPELL(s)	"pool spells it " s

static const struct refusal refusals[] = {
	/* other spellings of options pool has */
	{ "keeporder", SPELL("--keep-order (-k)") },
	{ "line-buffered|linebuffer|linebuffered", SPELL("--line-buffer") },
	{ "jl", SPELL("--joblog") },
	{ "result", SPELL("--results") },
	{ "resumefailed", SPELL("--resume-failed") },
	{ "retryfailed", SPELL("--retry-failed") },
	{ "tag-string", SPELL("--tagstring") },
	{ "dryrun|dr", SPELL("--dry-run") },
	{ "maxprocs", SPELL("--max-procs (-j)") },
	{ "maxargs", SPELL("--max-args (-n)") },
	{ "max-replace-args|maxreplaceargs", SPELL("-N") },
	{ "maxchars", SPELL("--max-chars (-s)") },
	{ "norunifempty", SPELL("--no-run-if-empty (-r)") },
	{ "haltonerror", SPELL("--halt") },
	{ "argsep", SPELL("--arg-sep") },
	{ "argfilesep", SPELL("--arg-file-sep") },
	{ "blocksize", SPELL("--block") },
	{ "round", SPELL("--roundrobin") },
	{ "filterhosts|filter-host", SPELL("--filter-hosts") },
	{ "outputasfiles", SPELL("--files") },
	{ "work-dir", SPELL("--workdir") },
	{ "semaphore-name|semaphorename", SPELL("--id") },
	{ "replace|-i", SPELL("-I STR (GNU's -i is deprecated)") },
	{ "arg-file|argfile", "pool's -a names a bash array: give a file "
	    "as :::: FILE" },
	{ "help|-h", "use `help pool'" },
	/* what a builtin does otherwise */
	{ "fg|bg", "pool --sem already runs the job in the background of "
	    "this shell; pool --wait waits for it" },
	{ "semaphore-timeout|semaphoretimeout|st", "pool --sem waits for a "
	    "free slot; bound the wait with timeout_run" },
	{ "shebang|hashbang", "pool is a shell builtin, not a #! "
	    "interpreter: write the script in bash" },
	{ "embed|combineexec|combine-exec|combineexecutable|"
	    "combine-executable", "pool is a builtin: a script loads "
	    "bgtools.so with enable -f" },
	{ "recordenv|record-env|session", "env_parallel's: pool runs in "
	    "this shell, whose functions and variables the jobs have" },
	{ "plain|profile|-J", "pool reads no ~/.parallel profile or "
	    "$PARALLEL: keep options in a shell function" },
	{ "version|-V|min-version|minversion", "pool is part of bgtools, "
	    "not a GNU parallel version" },
	{ "shell-completion|shellcompletion", "bash completes builtins "
	    "with `complete'" },
	{ "shell-quote|shellquote|shell_quote", "use printf %q" },
	{ "quote|-q", "pool never re-parses the command: its words are "
	    "run as given, as -q does" },
	{ "bibtex|citation|will-cite|willcite|nn|nonotice|no-notice",
	    "pool prints no citation notice: drop the option" },
	{ "tollef|gnu", "retired in GNU parallel" },
	{ "sql|-B|-g|-H|-T|-U|-W|-Y|ctrl-c|ctrlc|no-ctrl-c|no-ctrlc|noctrlc",
	    "retired in GNU parallel" },
	{ "unsafe", "GNU parallel's: pool has no unsafe mode to enable" },
	{ "fast", "GNU parallel's reduced mode: pool has one mode" },
	{ "debug|-D", "GNU parallel's internals: pool has no debug output" },
	{ "silent", "pool prints no command unless -v or -t asks" },
	{ "no-keep-order|nokeeporder|nok|no-k", "pool reads no profile "
	    "whose -k this would undo: leave out -k" },
	/* machines and remote hosts */
	{ "sql-master|sqlmaster|sql-worker|sqlworker|sql-and-worker|"
	    "sqlandworker", "no SQL job queue: pool's queue lives in this "
	    "shell (--sem, --persist)" },
	{ "number-of-cpus|numberofcpus|number-of-sockets|numberofsockets|"
	    "number-of-cores|numberofcores|number-of-threads|"
	    "numberofthreads", "pool prints no hardware facts: use nproc" },
	{ "use-sockets-instead-of-threads|usesocketsinsteadofthreads|"
	    "use-cores-instead-of-threads|usecoresinsteadofthreads|"
	    "use-cpus-instead-of-cores|usecpusinsteadofcores",
	    "pool counts online CPUs: give -j N for another count" },
	{ "max-line-length-allowed|maxlinelengthallowed|show-limits|"
	    "showlimits", "pool prints no system limits: use getconf "
	    "ARG_MAX" },
	{ "noswap", "no swap check: use --memfree" },
	{ "memsuspend", "pool does not suspend jobs for memory: --memfree "
	    "delays starting them" },
	{ "onall|nonall", "pool runs each job once, not on every host: "
	    "loop over the hosts with --launcher" },
	{ "hgrp|hostgrp|hostgroup|hostgroups", "no host groups: give the "
	    "hosts with --sshlogin" },
	{ "ssh-delay|sshdelay", "no delay between ssh starts alone: "
	    "--delay spaces all jobs" },
	{ "rsync-opts|rsyncopts", "pool's --transferfile and --return take "
	    "rsync's default options (put others in ~/.ssh/config or the "
	    "command)" },
	/* replacement strings, input */
	{ "parens|rpl", "no Perl replacement strings: -I and --plus give "
	    "the fixed ones" },
	{ "extensionreplace|er|basenamereplace|bnr|dirnamereplace|dnr|"
	    "basenameextensionreplace|bner|seqreplace|slotreplace",
	    "only {} is renamed (-I); {.} {/} {//} {/.} {#} {%} keep "
	    "their names" },
	{ "template|tmpl", "no file templates: write the file in the "
	    "command" },
	{ "linkinputsource|xapplyinputsource", "link sources with :::+ "
	    "and ::::+" },
	{ "eof|-e|-E", "no end-of-file string: cut the input with sed "
	    "first" },
	{ "skip-first-line|skipfirstline", "use --header : or tail -n +2" },
	{ "max-lines|maxlines|-l|-L", "use -n (items a job) or -N (--pipe: "
	    "records a block)" },
	{ "exit|-x", "an item too long for -s already ends the input "
	    "with an error" },
	{ "match|filter", "no Perl filters: filter the items before pool" },
	{ "total-jobs|totaljobs|total", "pool counts the items itself" },
	{ "milestone|ms", "no milestones: run pool once per stage" },
	{ "process-slot-var|processslotvar", "use {%} in the command" },
	{ "interactive|-p", "pool asks nothing before a job: filter the "
	    "items first" },
	/* --pipe extras */
	{ "remove-rec-sep|removerecsep|rrs", "pool keeps the records "
	    "whole: strip the separators in the command" },
	{ "block-timeout|blocktimeout|bt", "a block is cut when full or at "
	    "end of input only" },
	{ "cat|fifo", "pool's --pipe block is a regular file on the job's "
	    "stdin already: read /dev/stdin" },
	{ "tee|bin|group-by|groupby", "not in pool: --shard routes items "
	    "by a column" },
	/* output */
	{ "files0|output-as-files0|outputasfiles0", "use --files (one name "
	    "a line)" },
	{ "latest-line|latestline|ll|tmux|tmux-pane|tmuxpane", "pool "
	    "prints output, not a live screen: use --tag, --line-buffer or "
	    "--bar" },
	{ "color-failed|colour-failed|colorfailed|colourfailed|color-fail|"
	    "colour-fail|colorfail|colourfail|cf", "failed jobs are in "
	    "--joblog and --status-array, not coloured" },
	{ "use-compress-program|compress-program|usecompressprogram|"
	    "compressprogram|use-decompress-program|decompress-program|"
	    "usedecompressprogram|decompressprogram|compress", "pool keeps "
	    "captured output uncompressed in unlinked files (--tmpdir)" },
	{ NULL, NULL }
};

/* Is NAME (N bytes) one of the `|'-separated NAMES? */
static int
refuse_match(const char *names, const char *name, size_t n)
{
	const char *p, *bar;
	size_t len;

	for (p = names; *p; p = bar + 1) {
		bar = strchr(p, '|');
		len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return (1);
		if (bar == NULL)
			break;
	}
	return (0);
}

/*
 * Return why pool does not have the option WORD (`--name', `--name=v'
 * or `-c'), or NULL if the table does not name it.
 */
const char *
refuse_why(const char *word)
{
	const struct refusal *r;
	const char *name;
	size_t n;

	if (word[0] != '-')
		return (NULL);
	name = word[1] == '-' ? word + 2 : word;
	n = strcspn(name, "=");
	for (r = refusals; r->names; r++)
		if (refuse_match(r->names, name, n))
			return (r->why);
	return (NULL);
}

/*
 * Look at the option opts_next would read next from O: if the table
 * names it, say `pool: --NAME: not supported: WHY' and return 1, else
 * return 0.  A short option inside a cluster (-kq) is looked at too.
 */
int
refuse_check(const struct opts *o)
{
	char one[3] = "-";
	const char *w, *why;
	size_t n;

	if (o->cluster && *o->cluster)
		one[1] = *o->cluster;
	else if (o->list == NULL)
		return (0);
	else {
		w = o->list->word->word;
		if (w[0] != '-' || w[1] == '\0' || strcmp(w, "--") == 0)
			return (0);
		one[1] = w[1] == '-' ? '\0' : w[1];
	}
	w = one[1] ? one : o->list->word->word;
	if ((why = refuse_why(w)) == NULL)
		return (0);
	n = strcspn(w, "=");
	builtin_error("%.*s: not supported: %s", (int)n, w, why);
	builtin_usage();
	return (1);
}
