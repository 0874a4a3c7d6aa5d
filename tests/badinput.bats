#!/usr/bin/env bats
# Bad input: every option that takes a value, of every builtin, fed a
# missing, empty, negative, non-numeric, huge, type-overflowing and
# suffixed value; ids that name no job of the shell; commands that cannot
# run.  A bad value gets bash's message (`NAME: VALUE: invalid ...',
# `NAME: -x: option requires an argument'), the status help documents
# (2; 125 for every error of timeout_run's, usage errors included, as
# coreutils timeout), and has no
# effect: no command runs, no job is signalled or reported.
#
# The option table is data: BAD_OPTS lists each option and the kind of
# value it takes, BAD_VALUES what each class of value of a kind must give.
# bad_rows turns them into rows that one child bash per builtin runs
# (BAD_RUNNER), printing each row that failed.

load test_helper
bats_require_minimum_version 1.5.0

# BUILTIN|OPTION|KIND.  OPTION DURATION/INTERVAL is the operand.
BAD_OPTS='
waitany|-t|dur
waitany|--timeout|dur
waitany|-p|var
waitall|-t|dur
waitall|--timeout|dur
waitall|-a|var
timeout_run|-s|sig
timeout_run|--signal|sig
timeout_run|-k|dur
timeout_run|--kill-after|dur
timeout_run|DURATION|operand
killjobs|-s|sig
killjobs|--signal|sig
killjobs|-g|dur
killjobs|--grace|dur
pool|-j|jobs
pool|--jobs|jobs
pool|--halt|halt
pool|--halt-on-error|halt
pool|--timeout|dur
pool|--retries|retries
pool|--retry-delay|dur
pool|--retry-backoff|pfactor
pool|--retry-max|dur
pool|--retry-jitter|jitter
pool|--delay|delay
pool|--progress-every|every
pool|-S|sshlogin
pool|--status-array|var
pool|-a|var
pool|--array|var
pool|-d|delim
pool|--delimiter|delim
pool|-n|maxargs
pool|--max-args|maxargs
pool|-s|maxchars
pool|--max-chars|maxchars
pool|--tagstring|str
pool|--ctagstring|str
pool|--ctag-string|str
pool|--joblog|str
pool|--results|str
pool|--res|str
pool|--tmpdir|str
pool|--tempdir|str
pool|--id|str
pool|-A|avar
pool|-P|jobs
pool|--max-procs|jobs
pool|-N|nargs
pool|--trim|trim
pool|--arg-sep|sep
pool|--arg-file-sep|sep
pool|-I|repl
pool|--shard|shard
pool|--termseq|termseq
pool|--term-seq|termseq
pool|--nice|nice
pool|--load|load
pool|--memfree|size
pool|--limit|str
pool|--rlimit|rlimit
pool|--mem-limit|memlimit
pool|--cpu-quota|cpuquota
pool|-C|colsep
pool|--colsep|colsep
pool|--col-sep|colsep
pool|--ci-groups|ci
pool|--junit|junit
pool|--launcher|launcher
pool|--sshlogin|sshlogin
pool|--ssh|sshcmd
pool|--env|envname
pool|--workdir|workdir
pool|--wd|workdir
pool|--transferfile|tfile
pool|--tf|tfile
pool|--return|rfile
pool|--trc|rfile
pool|--basefile|bfile
pool|--bf|bfile
pool|--block|pblock
pool|--block-size|pblock
pool|--recend|prec
pool|--recstart|prec
pool|--header|hdr
retry|-n|attempts
retry|--attempts|attempts
retry|-d|dur
retry|--delay|dur
retry|-b|rfactor
retry|--factor|rfactor
retry|-m|dur
retry|--max-delay|dur
retry|--jitter|jitter
retry|-T|dur
retry|--deadline|dur
retry|-t|dur
retry|--timeout|dur
retry|-k|dur
retry|--kill-after|dur
retry|-s|sig
retry|--signal|sig
retry|--on|codes
retry|--stop-on|codes
retry|--until|codes
retry|--alive|pid
every|-n|runs
every|--count|runs
every|-T|dur
every|--deadline|dur
every|-t|dur
every|--timeout|dur
every|-k|dur
every|--kill-after|dur
every|-s|sig
every|--signal|sig
every|INTERVAL|operand
onchange|-e|events
onchange|--events|events
onchange|-x|str
onchange|--exclude|str
onchange|-d|dur
onchange|--debounce|dur
onchange|-v|var
onchange|--var|var
onchange|-b|mode
onchange|--on-busy|mode
onchange|-k|dur
onchange|--kill-after|dur
onchange|-t|dur
onchange|--time-limit|dur
jobinfo|-A|var
detach|-o|str
detach|--log|str
detach|-p|str
detach|--pidfile|str
detach|-v|var
detach|--var|var
detach|--stop|str
detach|-k|dur
detach|--kill-after|dur
'

# KIND|CLASS|VALUE|PROBLEM: PROBLEM is what follows `NAME: ' in the
# message (%s the value), or ok for a value that must be accepted.  Every
# kind has a valid row, so that a builtin that refuses everything fails.
# Durations are clamped, not refused, when huge (coreutils does the same).
# pool --delay's huge values are in a test of their own (a delay is slept).
BAD_VALUES='
dur|empty||%s: invalid duration
dur|negative|-1|%s: invalid duration
dur|non-numeric|abc|%s: invalid duration
dur|huge|99999999999999999999|ok
dur|overflow|1e400|ok
dur|suffix|5xs|%s: invalid duration
dur|hex|0x10|%s: invalid duration
dur|valid|0.5|ok
delay|empty||%s: invalid duration
delay|negative|-1|%s: invalid duration
delay|non-numeric|abc|%s: invalid duration
delay|suffix|5xs|%s: invalid duration
delay|valid|0.1|ok
every|empty||%s: invalid progress interval
every|negative|-1|%s: invalid progress interval
every|non-numeric|abc|%s: invalid progress interval
every|suffix|5xs|%s: invalid progress interval
every|zero|0%|%s: invalid progress interval
every|overflow|101%|%s: invalid progress interval
every|valid|10%|ok
pblock|empty||%s: invalid block size
pblock|suffix|5xs|%s: invalid block size
pblock|zero|0|%s: invalid block size
pblock|valid|1k|the input is cut into blocks only with --pipe or --pipepart (--block, --recend, --recstart)
prec|valid|x|the input is cut into blocks only with --pipe or --pipepart (--block, --recend, --recstart)
hdr|bad|x|%s: invalid header (pool has `--header :'"'"': the first line)
operand|empty||%s: invalid duration
operand|negative|-1|%s: invalid option
operand|non-numeric|abc|%s: invalid duration
operand|huge|99999999999999999999|ok
operand|overflow|1e400|ok
operand|suffix|5xs|%s: invalid duration
operand|valid|2|ok
sig|empty||%s: invalid signal specification
sig|negative|-1|%s: invalid signal specification
sig|non-numeric|abc|%s: invalid signal specification
sig|huge|99999999999999999999|%s: invalid signal specification
sig|overflow|65|%s: invalid signal specification
sig|suffix|15x|%s: invalid signal specification
sig|zero|0|%s: invalid signal specification
sig|valid|HUP|ok
var|empty||`%s'"'"': not a valid identifier
var|negative|-1|`%s'"'"': not a valid identifier
var|huge|99999999999999999999|`%s'"'"': not a valid identifier
var|suffix|5xs|`%s'"'"': not a valid identifier
var|valid|abc|ok
avar|empty||`%s'"'"': not a valid identifier
avar|negative|-1|`%s'"'"': not a valid identifier
avar|suffix|5xs|`%s'"'"': not a valid identifier
avar|valid|abc|--json and -A report on a pool: only with --status
jobs|empty||%s: invalid job count
jobs|negative|-99999|%s: invalid job count
jobs|non-numeric|abc|%s: invalid job count
jobs|huge|99999999999999999999|%s: invalid job count
jobs|overflow|2147483648|%s: invalid job count
jobs|suffix|5xs|%s: invalid job count
jobs|zero|0|ok
jobs|fraction|0.5|%s: invalid job count
jobs|valid|2|ok
halt|empty||%s: invalid halt specification
halt|negative|now,fail=-1|%s: invalid halt specification
halt|non-numeric|soon,fail=abc|%s: invalid halt specification
halt|huge|99999999999999999999|%s: invalid halt specification
halt|overflow|soon,fail=99999999999999999999|%s: invalid halt specification
halt|suffix|now,fail=1x|%s: invalid halt specification
halt|valid|soon,fail=1|ok
retries|empty||%s: invalid retry count
retries|negative|-1|%s: invalid retry count
retries|non-numeric|abc|%s: invalid retry count
retries|huge|99999999999999999999|%s: invalid retry count
retries|overflow|2147483648|%s: invalid retry count
retries|suffix|5xs|%s: invalid retry count
retries|valid|2|ok
pfactor|empty||%s: invalid backoff factor
pfactor|negative|-1|%s: invalid backoff factor
pfactor|non-numeric|abc|%s: invalid backoff factor
pfactor|overflow|1e400|%s: invalid backoff factor
pfactor|suffix|2x|%s: invalid backoff factor
pfactor|below-one|0.5|%s: invalid backoff factor
pfactor|valid|1.5|ok
shard|empty||%s: invalid shard
shard|negative|-1/2|%s: invalid shard
shard|non-numeric|a/b|%s: invalid shard
shard|huge|0/99999999999999999999|%s: invalid shard
shard|out-of-range|2/2|%s: invalid shard
shard|zero|0/0|%s: invalid shard
shard|valid|0/1|ok
termseq|empty||%s: invalid termination sequence
termseq|negative|TERM,-1|%s: invalid termination sequence
termseq|non-numeric|TERM,abc|%s: invalid termination sequence
termseq|huge|TERM,99999999999999999999|%s: invalid termination sequence
termseq|odd|TERM|%s: invalid termination sequence
termseq|signal|NOSUCH,10|%s: invalid termination sequence
termseq|valid|TERM,10,KILL,10|ok
nice|empty||%s: invalid niceness
nice|negative|-40|%s: invalid niceness
nice|non-numeric|abc|%s: invalid niceness
nice|huge|99999999999999999999|%s: invalid niceness
nice|suffix|5x|%s: invalid niceness
nice|valid|5|ok
load|empty||%s: invalid load
load|negative|-1|%s: invalid load
load|non-numeric|abc|%s: invalid load
load|overflow|1e400|%s: invalid load
load|suffix|5x|%s: invalid load
load|zero|0|%s: invalid load
load|valid|100000|ok
size|empty||%s: invalid size
size|negative|-1|%s: invalid size
size|non-numeric|abc|%s: invalid size
size|overflow|1e400|%s: invalid size
size|suffix|5x|%s: invalid size
size|zero|0|%s: invalid size
size|valid|1k|ok
memlimit|empty||%s: invalid size
memlimit|negative|-1|%s: invalid size
memlimit|non-numeric|abc|%s: invalid size
memlimit|overflow|1e400|%s: invalid size
memlimit|suffix|5x|%s: invalid size
memlimit|zero|0|%s: invalid size
memlimit|valid|1G|ok
cpuquota|empty||%s: invalid CPU quota
cpuquota|negative|-1|%s: invalid CPU quota
cpuquota|non-numeric|abc|%s: invalid CPU quota
cpuquota|overflow|1e400|%s: invalid CPU quota
cpuquota|suffix|5x|%s: invalid CPU quota
cpuquota|zero|0|%s: invalid CPU quota
cpuquota|below-1%|0.5%|%s: invalid CPU quota
cpuquota|huge|100001|%s: invalid CPU quota
cpuquota|valid|50%|ok
rlimit|empty||%s: invalid resource limit
rlimit|negative|cpu=-1|%s: invalid resource limit
rlimit|non-numeric|cpu=abc|%s: invalid resource limit
rlimit|huge|cpu=99999999999999999999|%s: invalid resource limit
rlimit|suffix|as=5x|%s: invalid resource limit
rlimit|name|nosuch=1|%s: invalid resource limit
rlimit|valid|cpu=60,as=1G,fsize=1G|ok
rfactor|empty||%s: invalid factor
rfactor|negative|-1|%s: invalid factor
rfactor|non-numeric|abc|%s: invalid factor
rfactor|overflow|1e400|%s: invalid factor
rfactor|suffix|2x|%s: invalid factor
rfactor|below-one|0.5|%s: invalid factor
rfactor|valid|1.5|ok
jitter|empty||%s: invalid jitter
jitter|negative|-1|%s: invalid jitter
jitter|non-numeric|abc|%s: invalid jitter
jitter|huge|99999999999999999999|%s: invalid jitter
jitter|above-one|1.5|%s: invalid jitter
jitter|suffix|0.5x|%s: invalid jitter
jitter|valid|equal|ok
delim|empty||%s: invalid delimiter
delim|negative|-1|%s: invalid delimiter
delim|non-numeric|abc|%s: invalid delimiter
delim|suffix|5xs|%s: invalid delimiter
delim|valid|,|ok
maxargs|empty||%s: invalid argument count
maxargs|negative|-1|%s: invalid argument count
maxargs|non-numeric|abc|%s: invalid argument count
maxargs|huge|99999999999999999999|%s: invalid argument count
maxargs|overflow|2147483648|%s: invalid argument count
maxargs|suffix|5xs|%s: invalid argument count
maxargs|zero|0|%s: invalid argument count
maxargs|valid|1|ok
maxchars|empty||%s: invalid command line length
maxchars|negative|-1|%s: invalid command line length
maxchars|non-numeric|abc|%s: invalid command line length
maxchars|huge|99999999999999999999|%s: invalid command line length
maxchars|suffix|5xs|%s: invalid command line length
maxchars|zero|0|%s: invalid command line length
nargs|empty||%s: invalid argument count
nargs|negative|-1|%s: invalid argument count
nargs|non-numeric|abc|%s: invalid argument count
nargs|huge|99999999999999999999|%s: invalid argument count
nargs|suffix|5xs|%s: invalid argument count
nargs|zero|0|ok
trim|empty||%s: invalid trim mode (n, l, r, lr or rl)
trim|non-numeric|abc|%s: invalid trim mode (n, l, r, lr or rl)
trim|suffix|lrx|%s: invalid trim mode (n, l, r, lr or rl)
trim|valid|lr|ok
sep|empty||'"'"''"'"': invalid separator
sep|valid|:::|ok
repl|empty||'"'"''"'"': invalid replacement string
repl|valid|@@|ok
colsep|empty||'"'"''"'"': invalid column separator
colsep|regex|(|%s: invalid column separator
colsep|valid|,|ok
ci|empty||'"'"''"'"': invalid CI system (github, gitlab, auto or none)
ci|other|jenkins|%s: invalid CI system (github, gitlab, auto or none)
ci|valid|github|ok
junit|empty||'"'"''"'"': invalid JUnit file
junit|valid|/dev/null|ok
launcher|empty||'"'"''"'"': invalid launcher
launcher|open-quote|'"'"'a|%s: invalid launcher
launcher|blank| |%s: invalid launcher
sshlogin|empty||'"'"''"'"': invalid sshlogin
sshlogin|zero|0/h|%s: invalid sshlogin
sshlogin|non-numeric|x/h|%s: invalid sshlogin
sshlogin|port|h:p|%s: invalid sshlogin
sshlogin|empty-host|a,,b|: invalid sshlogin
sshlogin|valid|:|ok
sshcmd|empty||'"'"''"'"': invalid ssh command
sshcmd|open-quote|"x|%s: invalid ssh command
envname|empty||`%s'"'"': not a valid identifier
envname|digit|1x|`%s'"'"': not a valid identifier
workdir|empty||'"'"''"'"': invalid workdir
workdir|valid|.|ok
tfile|empty||'"'"''"'"': invalid transferfile
tfile|valid|{}|ok
rfile|empty||'"'"''"'"': invalid return file
rfile|valid|{}.out|ok
bfile|empty||'"'"''"'"': invalid basefile
bfile|valid|base.txt|ok
attempts|empty||%s: invalid attempt count
attempts|negative|-1|%s: invalid attempt count
attempts|non-numeric|abc|%s: invalid attempt count
attempts|huge|99999999999999999999|%s: invalid attempt count
attempts|overflow|2147483648|%s: invalid attempt count
attempts|suffix|5xs|%s: invalid attempt count
attempts|valid|2|ok
runs|empty||%s: invalid run count
runs|negative|-1|%s: invalid run count
runs|non-numeric|abc|%s: invalid run count
runs|huge|99999999999999999999|%s: invalid run count
runs|overflow|9223372036854775808|%s: invalid run count
runs|suffix|5xs|%s: invalid run count
runs|valid|1|ok
codes|empty||%s: invalid exit status list
codes|negative|-1|%s: invalid exit status list
codes|non-numeric|abc|%s: invalid exit status list
codes|huge|99999999999999999999|%s: invalid exit status list
codes|overflow|256|%s: invalid exit status list
codes|suffix|5xs|%s: invalid exit status list
codes|valid|0,100-110|ok
pid|empty||%s: invalid process id
pid|negative|-1|%s: invalid process id
pid|non-numeric|abc|%s: invalid process id
pid|huge|99999999999999999999|%s: invalid process id
pid|overflow|2147483648|%s: invalid process id
pid|suffix|5xs|%s: invalid process id
pid|zero|0|%s: invalid process id
pid|valid|1|ok
events|empty||%s: invalid event name
events|negative|-1|%s: invalid event name
events|non-numeric|abc|%s: invalid event name
events|suffix|createx|%s: invalid event name
events|valid|create,write|ok
mode|empty||%s: invalid mode (queue, restart or ignore)
mode|negative|-1|%s: invalid mode (queue, restart or ignore)
mode|non-numeric|abc|%s: invalid mode (queue, restart or ignore)
mode|suffix|queuex|%s: invalid mode (queue, restart or ignore)
mode|valid|restart|ok
'

# Rows no kind covers: BUILTIN|ARGS|STATUS|MESSAGE (ARGS as bash words,
# evaluated with $p the job of the row; STATUS ok or a status).
BAD_EXTRA='
waitany|--timeout= "$p"|2|: invalid duration
waitany|-X "$p"|2|-X: invalid option
waitall|--timeout=x "$p"|2|x: invalid duration
waitall|-f=1 "$p"|2|-=: invalid option
timeout_run||125|usage:
timeout_run|5|125|usage:
timeout_run|--kill-after=-1 5 mk|125|-1: invalid duration
timeout_run|--foreground=x 5 mk|125|--foreground=x: invalid option
timeout_run|--nosuch 5 mk|125|--nosuch: invalid option
timeout_run|0 mk|ok|
timeout_run|-s 0 5 mk|ok|
timeout_run|-s EXIT 5 mk|ok|
killjobs|--grace= "$p"|2|: invalid duration
killjobs|-s SIGNOSUCH "$p"|2|SIGNOSUCH: invalid signal specification
killjobs|-X "$p"|2|-X: invalid option
pool|--jobs=abc mk ::: 1|2|abc: invalid job count
pool|-j 0% mk ::: 1|2|0%: invalid job count
pool|-j5x mk ::: 1|2|5x: invalid job count
pool|--halt=never mk ::: 1|ok|
pool|--pipe mk ::: 1|2|--pipe reads its blocks from stdin, not from ::: items (--pipepart :::: FILE cuts a file)
pool|--pipe --block 5x mk|2|5x: invalid block size
pool|--pipe --block 0 mk|2|0: invalid block size
pool|--block 1k mk ::: 1|2|the input is cut into blocks only with --pipe or --pipepart (--block, --recend, --recstart)
pool|--pipepart mk|2|--pipepart needs a file: :::: FILE or -a FILE
pool|-X mk ::: 1 ::: 2|2|-X, -m and --xargs: one input source, not 2
pool|--resume mk ::: 1|2|--resume needs --joblog FILE
pool|:::+ 1|2|:::+: no input source before it to link to
pool|--trim x mk ::: 1|2|x: invalid trim mode
pool|--sem|2|missing command
pool|--joblog "" mk ::: 1|1|: cannot write the joblog
pool|--results "" mk ::: 1|1|: No such file or directory
pool|--results afile mk ::: 1|1|afile: 
pool|--results /no/such/r.csv mk ::: 1|1|/no/such/r.csv: cannot write the results: No such file or directory
pool|--tmpdir "" mk ::: 1|1|: cannot use as --tmpdir: No such file or directory
pool|--tmpdir afile mk ::: 1|1|afile: cannot use as --tmpdir: Not a directory
pool|--files -u mk ::: 1|2|--files and --results FILE.csv/.tsv/.json save the captured output of each job: not with -u
retry||2|usage:
retry|-n 0 mk|2|-n 0 (no limit on attempts) needs -T DEADLINE
retry|-n 0 -T 5 mk|ok|
retry|--attempts=5xs mk|2|5xs: invalid attempt count
retry|--quiet=1 mk|2|--quiet=1: invalid option
retry|--nosuch mk|2|--nosuch: invalid option
every||2|usage:
every|-n 1|2|usage:
every|-n 1 0 mk|2|0: invalid interval
every|--count= 1 mk|2|: invalid run count
every|--stop-on-failure=1 -n 1 1 mk|2|--stop-on-failure=1: invalid option
every|-n 1 --catch-up=x 1 mk|2|--catch-up=x: invalid option
onchange||2|usage:
onchange|afile mk|2|usage:
onchange|-- mk|2|usage:
onchange|afile --|2|usage:
onchange|-e create, afile -- mk|2|: invalid event name
onchange|nosuchfile -- mk|1|nosuchfile: No such file or directory
onchange|--once=1 afile -- mk|2|--once=1: invalid option
onchange|afile -- no_such_cmd_x|127|no_such_cmd_x: command not found
jobinfo|-A x -j|2|-A and -j cannot be used together
jobinfo|-Q|2|-Q: invalid option
jobinfo|%99|127|%99: no such job
detach||2|usage:
detach|--stop afile mk|2|--stop takes no command
detach|-o /dev/null no_such_cmd_x|127|no_such_cmd_x: command not found
detach|-o nodir/log mk|1|nodir/log: cannot open the log: No such file or directory
detach|-o /dev/null -p nodir/pid mk|1|nodir/pid: cannot write the pid file: No such file or directory
detach|--stop afile|1|afile: not a pid file of detach
detach|--pidfile=|2|usage:
'

# What goes around the option under test: before it (HEAD) and after its
# value (TAIL), so that a valid value makes a call that succeeds at once.
bad_head() {
	case $1 in
	every) echo '-n 1' ;;
	esac
}

bad_tail() {
	case $1 in
	waitany | waitall | killjobs) echo '"$p"' ;;
	timeout_run) echo '5 mk' ;;
	pool) echo 'mk ::: 1' ;;
	retry) echo 'mk' ;;
	every) echo '1 mk' ;;
	onchange) echo '-i -t 0.3 afile -- mk' ;;
	detach) echo '-o /dev/null mk' ;;
	esac
}

# bad_rows BUILTIN: print BUILTIN's rows, BUILTIN|ARGS|STATUS|MESSAGE.
bad_rows() {
	local b=$1 ob opt kind vk class value problem st head tail msg
	head=$(bad_head "$b")
	tail=$(bad_tail "$b")
	st=2
	[ "$b" = timeout_run ] && st=125
	while IFS='|' read -r ob opt kind; do
		[ "$ob" = "$b" ] || continue
		if [ "$kind" != operand ]; then
			echo "$b|$opt|$st|$opt: option requires an argument"
		fi
		while IFS='|' read -r vk class value problem; do
			[ "$vk" = "$kind" ] || continue
			# shellcheck disable=SC2059
			msg=$(printf "$problem" "$value")
			if [ "$kind" = operand ]; then
				printf '%s|%s %q %s|' "$b" "$head" "$value" \
				    "${tail#* }"
			else
				printf '%s|%s %s %q %s|' "$b" "$head" "$opt" \
				    "$value" "$tail"
			fi
			if [ "$problem" = ok ] ||
			    [ "$b/$kind/$class" = timeout_run/sig/zero ]; then
				# timeout_run -s 0: coreutils' "signal nothing".
				echo "ok|"
			else
				echo "$st|$msg"
			fi
		done <<< "$BAD_VALUES"
	done <<< "$BAD_OPTS"
	while IFS='|' read -r ob opt kind msg; do
		[ "$ob" = "$b" ] && echo "$b|$opt|$kind|$msg"
	done <<< "$BAD_EXTRA"
	return 0
}

# The child script: run each row of $3 (the builtin's rows), with $1 a
# sleep duration for killjobs' victims and $2 the marker file that mk
# creates.  Print one FAIL line per row that failed, then the counts.
BAD_RUNNER='
m=$1 marker=$2 rows=$3 other=${4:-} out=$PWD/row.out
mk() { : > "$marker"; }
: > afile
n=0 failed=0
while IFS="|" read -r b args want msg; do
	[ -n "$b" ] || continue
	n=$((n + 1))
	msg=${msg//@SELF@/$$}
	rm -f "$marker"
	abc=(x)
	# jobinfo -A makes an associative array and, as declare -A, will not
	# convert an indexed one.
	[ "$b" = jobinfo ] && unset abc
	case $b in
	waitany | waitall) (exit 3) & p=$! ;;
	killjobs) sleep "$m" & p=$! ;;
	*) p= ;;
	esac
	eval "set -- $args"
	echo "row $n: $b $args" > "$PWD/current"
	"$b" "$@" > "$out" 2>&1 < /dev/null
	got=$? why=
	if [ "$want" = skip ]; then
		# waitany, as wait does: the bad id is skipped, the job reported.
		[ "$got" = 3 ] || why="status $got, not 3;"
		grep -qF -- "$b: $msg" "$out" || why+=" no \"$b: $msg\";"
		waitany "$p" > /dev/null 2>&1
		[ $? = 127 ] || why+=" the job was not reported;"
	elif [ "$want" = ok ]; then
		case $b in
		waitany | waitall)
			[ "$got" = 3 ] || why="status $got, not 3;"
			waitany "$p" > /dev/null 2>&1
			[ $? = 127 ] || why+=" the job was not reported;" ;;
		killjobs)
			[ "$got" = 0 ] || why="status $got, not 0;"
			kill -0 "$p" 2> /dev/null && why+=" the job still runs;" ;;
		jobinfo)
			[ "$got" = 0 ] || why="status $got, not 0;" ;;
		detach)
			# mk runs detached: give it time.
			[ "$got" = 0 ] || why="status $got, not 0;"
			for ((i = 0; i < 250; i++)); do
				[ -e "$marker" ] && break
				sleep 0.02
			done
			[ -e "$marker" ] || why+=" the command did not run;" ;;
		onchange)
			# -i ran mk; no change came before -t: 124.
			[ "$got" = 124 ] || why="status $got, not 124;"
			[ -e "$marker" ] || why+=" the command did not run;" ;;
		*)
			[ "$got" = 0 ] || why="status $got, not 0;"
			[ -e "$marker" ] || why+=" the command did not run;" ;;
		esac
	else
		[ "$got" = "$want" ] || why="status $got, not $want;"
		grep -qF -- "$b: $msg" "$out" || why+=" no \"$b: $msg\";"
		case $b in
		waitany | waitall)
			waitany "$p" > /dev/null 2>&1
			st=$?
			[ "$st" = 3 ] || why+=" the job was reported ($st);" ;;
		killjobs)
			kill -0 "$p" 2> /dev/null || why+=" the job was killed;" ;;
		*)
			[ -e "$marker" ] && why+=" the command ran;" ;;
		esac
	fi
	if [ "$b" = killjobs ]; then
		kill -KILL "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	fi
	if [ -n "$why" ]; then
		failed=$((failed + 1))
		echo "FAIL row $n: $b $args:$why output: $(head -c 300 "$out")"
	fi
done <<< "$rows"
echo "rows=$n failed=$failed"
'

# bad_run ROWS [ARG]: run BAD_RUNNER over ROWS in a child bash in a
# directory of its own (pool --joblog and --results write there), killed
# after 30 s; a hang fails the test naming the row that hung.
bad_run() {
	local st=0
	mark 30.
	mkdir -p "$BATS_TEST_TMPDIR/cwd"
	cd "$BATS_TEST_TMPDIR/cwd"
	run bg_timed 30 badinput "$BG_LOAD$BAD_RUNNER" "$REPLY" \
	    "$BATS_TEST_TMPDIR/marker" "$@"
	if (( status == 124 || status == 137 )); then
		fail "hung at $(cat current); output:
$output"
	fi
}

# bad_table BUILTIN: run BUILTIN's rows; the test passes when every row
# ran and none failed.
bad_table() {
	local rows n
	rows=$(bad_rows "$1")
	n=$(grep -c . <<< "$rows")
	[ "$n" -gt 10 ] || fail "only $n rows for $1"
	bad_run "$rows"
	assert_output "rows=$n failed=0"
	assert_success
}

# help_valued_opts BUILTIN: print each option that BUILTIN's help lists
# with a value (`-t DURATION', `-s, --signal SIGNAL', `--id NAME').
help_valued_opts() {
	local line spec piece prev opt
	local -a pieces
	help "$1" | while IFS= read -r line; do
		[[ $line =~ ^\ {6}(-[^$'\t']*) ]] || continue
		spec=${BASH_REMATCH[1]%%  *}
		IFS=, read -ra pieces <<< "$spec"
		prev=
		for piece in "${pieces[@]}"; do
			piece=${piece# }
			if [[ $piece =~ ^(--?[a-zA-Z0-9][a-z-]*)\ [A-Z] ]]; then
				opt=${BASH_REMATCH[1]}
				# `-s, --signal SIGNAL': the short alias takes it too.
				[[ $prev =~ ^-[a-zA-Z0-9]$ ]] && printf '%s\n' "$prev"
				printf '%s\n' "$opt"
			fi
			prev=$piece
		done
	done
}

# --- the table ------------------------------------------------------------

@test "badinput: waitany rejects every bad -t and -p value, consuming no job" {
	bad_table waitany
}

@test "badinput: waitall rejects every bad -t and -a value, consuming no job" {
	bad_table waitall
}

@test "badinput: timeout_run rejects every bad -s, -k and DURATION with 125 (usage errors too, as coreutils), running nothing" {
	bad_table timeout_run
}

@test "badinput: killjobs rejects every bad -s and -g value, signalling no job" {
	bad_table killjobs
}

@test "badinput: pool rejects every bad option value, running nothing" {
	bad_table pool
}

@test "badinput: retry rejects every bad option value, running nothing" {
	bad_table retry
}

@test "badinput: every rejects every bad option value and INTERVAL, running nothing" {
	bad_table every
}

@test "badinput: onchange rejects every bad option value and operand, watching and running nothing" {
	bad_table onchange
}

@test "badinput: jobinfo rejects a bad -A name and bad ids" {
	local rows
	rows=$(bad_rows jobinfo)
	bad_run "$rows"
	assert_output "rows=$(grep -c . <<< "$rows") failed=0"
}

@test "badinput: detach rejects every bad option value, starting nothing" {
	local rows
	rows=$(bad_rows detach)
	bad_run "$rows"
	assert_output "rows=$(grep -c . <<< "$rows") failed=0"
}

@test "badinput: the table covers every option that help lists with a value" {
	# An option added to a builtin's help but not to BAD_OPTS fails here.
	local b o n=0 missing=
	for b in $BGTOOLS_BUILTINS; do
		for o in $(help_valued_opts "$b"); do
			n=$((n + 1))
			grep -q "^$b|$o|" <<< "$BAD_OPTS" || missing+=" $b $o"
		done
	done
	[ -z "$missing" ] || fail "options not in BAD_OPTS:$missing"
	(( n >= 40 )) || fail "only $n options found in help: the parser is broken"
}

# --- ids that name no job of the shell --------------------------------------

# Each row passes a job of the shell first, then the bad id: the whole call
# fails and the good job is left alone (but waitany, which skips an id of
# no job after the message, as `wait' does, and reports the good job).
# @SELF@ and @OTHER@ stand for the shell's pid and a process that is not
# its child.
BAD_IDS='
%99|127|%99: no such job
%nosuch|127|%nosuch: no such job
%?nosuch|127|%?nosuch: no such job
1|127|pid 1 is not a child of this shell
"$$"|127|pid @SELF@ is not a child of this shell
"$other"|127|pid @OTHER@ is not a child of this shell
0|2|`0'"'"': not a pid or valid job spec
abc|2|`abc'"'"': not a pid or valid job spec
""|2|`'"'"': not a pid or valid job spec
2147483648|2|`2147483648'"'"': not a pid or valid job spec
99999999999999999999|2|`99999999999999999999'"'"': not a pid or valid job spec
-5|2|-5: invalid option
'

@test "badinput: unknown job specs and pids that are not children: 127 (malformed: 2), the good jobs untouched; waitany skips them" {
	local rows b id st msg other
	mark 40.
	sleep "$REPLY" &
	other=$!
	rows=
	for b in waitany waitall killjobs; do
		while IFS='|' read -r id st msg; do
			[ -n "$id" ] || continue
			msg=${msg//@OTHER@/$other}
			[ "$b/$st" = waitany/127 ] && st=skip
			if [ "$id" = -5 ]; then
				# An option-like id is read as an option.
				rows+="$b|$id \"\$p\"|$st|$msg"$'\n'
			else
				rows+="$b|\"\$p\" $id|$st|$msg"$'\n'
			fi
		done <<< "$BAD_IDS"
	done
	bad_run "$rows" "$other"
	alive "$other" || fail "the process that is not a child was killed"
	kill "$other"
	assert_output "rows=36 failed=0"
	assert_success
}

# --- commands that cannot run -----------------------------------------------

@test "badinput: timeout_run: a missing command is 127, a directory 126, and nothing is left in the job table" {
	run -0 bgsh '
		timeout_run 5 nosuch_cmd_bg; echo "missing=$?"
		timeout_run 5 "$PWD"; echo "dir=$?"
		timeout_run -k 1 1 /etc/passwd; echo "noexec=$?"
		echo "jobs=[$(jobs)]"'
	assert_line "missing=127"
	assert_line "dir=126"
	assert_line "noexec=126"
	assert_line "jobs=[]"
	assert_output --partial "timeout_run: nosuch_cmd_bg: command not found"
	assert_output --partial ": Is a directory"
}

@test "badinput: retry: a missing command is 127 at once, with or without -t; a directory fails each attempt with 126" {
	run -0 bgsh '
		retry -n 3 -d 1ms nosuch_cmd_bg; echo "missing=$?"
		retry -n 3 -d 1ms -t 5 nosuch_cmd_bg; echo "missing-t=$?"'
	assert_line "missing=127"
	assert_line "missing-t=127"
	assert_output --partial "retry: nosuch_cmd_bg: command not found"
	# Not found: no attempt is made, so none is reported.
	refute_output --partial "attempt"
	run -0 bgsh '
		retry -n 2 -d 1ms "$PWD"; echo "dir=$?"
		retry -n 2 -d 1ms -t 5 "$PWD"; echo "dir-t=$?"'
	assert_line "dir=126"
	assert_line "dir-t=126"
	assert_output --partial "attempt 1/2 failed with status 126"
}

@test "badinput: every: a missing command is 127 at once; a directory's runs fail with 126" {
	run -0 bgsh '
		every -n 2 0.01 nosuch_cmd_bg; echo "missing=$?"
		every -n 2 -t 5 0.01 nosuch_cmd_bg; echo "missing-t=$?"
		every -n 2 --stop-on-failure 0.01 "$PWD"; echo "dir=$?"
		every -n 2 -t 5 --stop-on-failure 0.01 "$PWD"; echo "dir-t=$?"
		every -n 2 0.01 "$PWD" 2>/dev/null; echo "dir-nostop=$?"'
	assert_line "missing=127"
	assert_line "missing-t=127"
	assert_line "dir=126"
	assert_line "dir-t=126"
	assert_line "dir-nostop=0"
	assert_output --partial "every: nosuch_cmd_bg: command not found"
}

@test "badinput: pool: a missing command is 127 at once, batch and --sem; each job of a directory fails with 126" {
	run -0 bgsh '
		pool --status-array st nosuch_cmd_bg ::: 1 2; echo "missing=$? [${st[*]}]"
		pool --status-array st "$PWD" ::: 1 2; echo "dir=$? ${st[*]}"
		pool --sem --status-array ss nosuch_cmd_bg; echo "semmissing=$?"
		pool --sem --status-array ss "$PWD"; pool --wait
		echo "sem=$? ${ss[*]}"'
	assert_line "missing=127 []"
	assert_line "dir=2 126 126"
	assert_line "semmissing=127"
	assert_line "sem=1 126"
	assert_output --partial "pool: nosuch_cmd_bg: command not found"
}

@test "badinput: pool --delay takes a huge value, and a delay is only slept between job starts" {
	# GNU parallel starts the first job at once and does not wait after
	# the last: `parallel --delay 3 echo ::: 1' takes no time.
	PSH_LIMIT=10 run psh '
		t0=$EPOCHREALTIME
		pool --delay 2 echo ::: one; echo "one=$? ms=$(ms_since "$t0")"
		pool --delay 99999999999999999999 echo ::: one; echo "huge=$?"
		pool --delay 1e400 echo ::: one; echo "overflow=$?"'
	assert_line -n 1 --regexp '^one=0 ms=[0-9]+$'
	(( ${lines[1]##*ms=} < 1500 )) ||
	    fail "pool slept its --delay after the last job: ${lines[1]}"
	assert_line "huge=0"
	assert_line "overflow=0"
	assert_success
}
