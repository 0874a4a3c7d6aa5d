# reliability_helper.bash - "nothing lost, nothing left behind, signals at
# random moments": the trials shared by tests/reliability.bats (a few of
# each) and tests/stress/run.sh (many of each).
#
# Load it after test_helper.bash.  Every trial function runs under `set -e'
# (bats runs tests that way; stress/run.sh runs each trial in a `set -e'
# subshell), reports a problem with `fail' and works in a directory of its
# own, REL_D.
#
# Every shell under test is a session leader (rel_spawn starts it through
# a small perl wrapper that calls setsid and records the real wait status,
# so that "exit 143" and "killed by SIGTERM" differ).  Everything it starts
# stays in its session, in whatever process group and orphans included, so
# "nothing left behind" is: no process of that session is alive once the
# shell is gone (rel_clean), and, inside the shell after each call
# (rel_check, no fork): no new process in the session, no descendant (by
# ppid) outside it, no unreaped child, the same open fds, the same `jobs
# -p', the same $!.

# --- inside the shell under test ------------------------------------------

# REL_PROBE: functions for the shell under test; REL_TMP must name a
# writable directory.
#   rel_snap           record the fds, $!, `jobs -p' and the session's
#                      processes (the user's own, which may stay)
#   rel_check LABEL [JOBS]
#                      print "LABEL: ok", or "LABEL: BAD" and what differs
#                      from the snapshot: fds, $!, jobs (JOBS: the pids
#                      `jobs -p' should print, default the snapshot's), a
#                      new live process in the session, a descendant (by
#                      ppid) that left the session, a zombie child, a job
#                      of JOBS that died
# Neither forks, so they see the shell exactly as the builtin left it.
REL_PROBE='
rel_procs() {
	local f line a
	REL_P=() REL_OUT=()
	for f in /proc/[0-9]*/stat; do
		{ read -r line < "$f"; } 2> /dev/null || continue
		a=(${line##*) })
		if [ "${a[3]}" = "$REL_SID" ]; then
			REL_P[${line%% *}]="${a[0]} ${a[1]}"
		else
			REL_OUT[${line%% *}]="${a[0]} ${a[1]}"
		fi
	done
	return 0
}
rel_ours() {
	local p=$1 i s
	for ((i = 0; i < 30; i++)); do
		s=(${REL_OUT[p]-${REL_P[p]-X 0}})
		p=${s[1]}
		[ "$p" = "$BASHPID" ] && return 0
		(( p > 1 )) || return 1
	done
	return 1
}
rel_snap() {
	local line a
	read -r line < "/proc/$BASHPID/stat"
	a=(${line##*) })
	REL_SID=${a[3]}
	a=("/proc/$BASHPID/fd/"*)
	REL_FDS=${a[*]##*/}
	REL_BANG=${!-none}
	jobs -p > "$REL_TMP/rel.jobs"
	mapfile -t REL_JOBS < "$REL_TMP/rel.jobs"
	rel_procs
	REL_BEFORE=" ${!REL_P[*]} "
}
rel_check() {
	local label=$1 want=${2-${REL_JOBS[*]}} bad= a p s j c
	a=("/proc/$BASHPID/fd/"*)
	a=${a[*]##*/}
	[ "$a" = "$REL_FDS" ] || bad+=" fds:[$REL_FDS]->[$a]"
	[ "${!-none}" = "$REL_BANG" ] || bad+=" \$!:$REL_BANG->${!-none}"
	jobs -p > "$REL_TMP/rel.jobs"
	mapfile -t j < "$REL_TMP/rel.jobs"
	[ "${j[*]}" = "$want" ] || bad+=" jobs:[$want]->[${j[*]}]"
	rel_procs
	for p in "${!REL_P[@]}"; do
		[ "$p" = "$BASHPID" ] && continue
		s=(${REL_P[p]})
		if [ "${s[0]}" = Z ]; then
			[ "${s[1]}" = "$BASHPID" ] && bad+=" zombie:$p"
		elif [[ $REL_BEFORE != *" $p "* ]]; then
			c=()
			{ mapfile -d "" c < "/proc/$p/cmdline"; } 2> /dev/null
			bad+=" left:$p(${c[*]})"
		fi
	done
	for p in "${!REL_OUT[@]}"; do
		[[ ${REL_OUT[p]} != Z* ]] && rel_ours "$p" && bad+=" escaped:$p"
	done
	for p in $want; do
		[[ -v REL_P[p] && ${REL_P[p]} != Z* ]] || bad+=" died:$p"
	done
	echo "$label: ${bad:+BAD}${bad:-ok}"
}
'

# REL_VLIB: what every shell under test starts with.  From the
# environment: REL_D (its directory), REL_SETM (1: set -m), REL_TRAP (a
# signal to trap: the trap appends $BASH_COMMAND to $REL_D/trap.log),
# REL_M and REL_UM (the sleep durations of workers and of the user's own
# jobs).  Work functions for the builtins to run:
#   started    append $BASHPID to $dir/started (the outside waits for it)
#   ok okgc    succeed after a moment (okgc: with a grandchild it waits for)
#   bad        fail with 3 after a moment
#   hang       started, then a background and a foreground sleep "$m":
#              runs until stopped
#   stub       as hang, ignoring TERM, INT and HUP: only KILL stops it
#   phalt      item 1 fails with 7 after 0.1 s, the others hang
#   gstub      as hang, but the background sleep ignores TERM
REL_VLIB='enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
dir=$REL_D m=$REL_M um=$REL_UM REL_TMP=$REL_D
[ "$REL_SETM" = 1 ] && set -m
[ -n "$REL_TRAP" ] && trap "echo \"\$BASH_COMMAND\" >> \"\$dir/trap.log\"" "$REL_TRAP"
'"$REL_PROBE"'
started() { echo "$BASHPID" >> "$dir/started"; }
ok() { sleep 0.02; }
okgc() { sleep 0.03 & sleep 0.05; wait "$!"; }
bad() { sleep 0.02; return 3; }
hang() { started; sleep "$m" & sleep "$m"; }
stub() { trap "" TERM INT HUP; started; sleep "$m" & sleep "$m"; }
phalt() { if [ "$1" = 1 ]; then sleep 0.1; return 7; fi; hang; }
gstub() { started; (trap "" TERM; exec sleep "$m") & sleep "$m"; }
'

# --- outside: start, signal and reap a shell under test -------------------

# The perl wrapper: fork; the child becomes a session leader, closes every
# fd but 0, 1 and 2 (bats keeps some open) and execs the command; the
# parent writes the child's pid to DIR/pid, waits, and writes "exit N" or
# "signal N" to DIR/wst.
REL_SPAWN_PL='
use POSIX ();
my $dir = shift;
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	POSIX::setsid();
	POSIX::close($_) for 3 .. 1023;
	exec(@ARGV) or POSIX::_exit(127);
}
sub put { my ($n, $s) = @_; open(my $f, ">", "$dir/$n.tmp") or die;
	print $f "$s\n"; close($f); rename("$dir/$n.tmp", "$dir/$n"); }
put("pid", $pid);
waitpid($pid, 0);
put("wst", ($? & 127) ? "signal " . ($? & 127) : "exit " . ($? >> 8));
'

# rel_dir: make a fresh directory for a trial, REL_D, and new marks:
# REL_M for the sleeps of workers, REL_UM for the user's own jobs (which
# a shell killed by a signal leaves running, as bash does).  REL_DESC,
# which prefixes some messages, is emptied.
rel_dir() {
	REL_DESC=
	REL_D=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/rel.XXXXXX")
	REL_M=300.$$$RANDOM$RANDOM
	REL_UM=301.$$$RANDOM$RANDOM
	export REL_D REL_M REL_UM
}

# rel_spawn SCRIPT: run SCRIPT (REL_VLIB, then SCRIPT) in a new bash, a
# session leader with every signal at its default, stdin /dev/null, its
# output in REL_D/out; set RV to its pid (its session id).  REL_SETM and
# REL_TRAP (see REL_VLIB) are passed on.
rel_spawn() {
	local i
	printf '%s\n%s\n' "$REL_VLIB" "$1" > "$REL_D/v.sh"
	export REL_SETM=${REL_SETM:-0} REL_TRAP=${REL_TRAP:-}
	perl -e "$REL_SPAWN_PL" "$REL_D" env --default-signal \
	    bash "$REL_D/v.sh" < /dev/null > "$REL_D/out" 2>&1 &
	REL_WRAPPER=$!
	for ((i = 0; i < 500; i++)); do
		[ -s "$REL_D/pid" ] && break
		sleep 0.01
	done
	read -r RV < "$REL_D/pid" || fail "the shell under test never started"
}

# rel_out: the shell's output so far, for messages.
rel_out() {
	cat "$REL_D/out" 2> /dev/null
}

# rel_session SID: list "PID STAT ARGS" of the processes of session SID.
rel_session() {
	ps -eo pid=,sid=,stat=,args= | awk -v s="$1" '$2 == s { $2 = ""; print }'
}

# rel_kill_session SID: KILL every process of session SID.
rel_kill_session() {
	local p
	for p in $(rel_session "$1" | awk '{print $1}'); do
		kill -KILL "$p" 2> /dev/null || true
	done
}

# rel_reap [SECONDS]: wait (default 20 s) for the shell under test to end;
# set RWST to "exit N" or "signal N".  On a hang, kill its session and fail.
rel_reap() {
	local i limit=$(( ${1:-20} * 100 ))
	for ((i = 0; i < limit; i++)); do
		[ -s "$REL_D/wst" ] && break
		sleep 0.01
	done
	if [ ! -s "$REL_D/wst" ]; then
		rel_kill_session "$RV"
		wait "$REL_WRAPPER" || true
		fail "${REL_DESC:+$REL_DESC: }the shell under test still ran after ${1:-20}s: $(rel_out)"
	fi
	wait "$REL_WRAPPER" || true
	read -r RWST < "$REL_D/wst"
}

# rel_clean [IGNORE]: fail if a process of the shell's session (RV) is
# alive, other than those whose command line matches the regex IGNORE (the
# user's own jobs); then kill them all.  Zombies are dead: once the shell
# is gone they are init's to reap, which takes a second or more here (the
# shell's own unreaped children are rel_check's business).
rel_clean() {
	local ignore=${1:-^\$^} left i
	for ((i = 0; i < 20; i++)); do
		left=$(rel_session "$RV" | awk -v re="$ignore" '$2 !~ /^Z/ {
		    s = $0; sub(/^ *[0-9]+ +[^ ]+ +/, "", s); if (s !~ re) print }')
		# A process that is exiting has no command line ([sleep]):
		# give it a moment to be gone.
		grep -qv '^ *[0-9]* *[^ ]* *\[' <<< "$left" && break
		[ -z "$left" ] && break
		sleep 0.05
	done
	rel_kill_session "$RV"
	[ -z "$left" ] || fail "${REL_DESC:+$REL_DESC: }left behind in the session of $RV:
$left
output: $(rel_out)"
}

# rel_ready N [SECONDS]: wait until N workers have written REL_D/started,
# then until the shell sleeps in ppoll (a builtin's wait).
rel_ready() {
	local i n limit=$(( ${2:-10} * 100 ))
	for ((i = 0; i < limit; i++)); do
		n=0
		[ -e "$REL_D/started" ] && n=$(wc -l < "$REL_D/started")
		(( n >= $1 )) && break
		[ -s "$REL_D/wst" ] && fail "the shell ended early ($(cat "$REL_D/wst")): $(rel_out)"
		sleep 0.01
	done
	(( n >= $1 )) || fail "only $n of $1 workers started: $(rel_out)"
	rel_blocked "$RV"
}

# rel_blocked PID: wait (up to 5 s) until PID sleeps in ppoll.
rel_blocked() {
	local nr i sc
	case $(uname -m) in
	x86_64) nr=271 ;;
	aarch64) nr=73 ;;
	*) sleep 0.3; return 0 ;;
	esac
	for ((i = 0; i < 500; i++)); do
		read -r sc _ < "/proc/$1/syscall" 2> /dev/null || return 0
		[ "$sc" = "$nr" ] && return 0
		sleep 0.01
	done
	fail "process $1 never blocked in ppoll: $(rel_out)"
}

# rel_sig SIG HOW: send SIG to the shell under test; HOW "group" sends it
# to its whole process group, as a terminal's Ctrl-C does.
rel_sig() {
	local to=$RV
	[ "$2" = group ] && to=-$RV
	kill -"$1" -- "$to" 2> /dev/null ||
	    fail "${REL_DESC:+$REL_DESC: }the shell ended before the signal: $(rel_out)"
}

# rel_lines FILE: the number of lines of FILE (0 if there is none).
rel_lines() {
	if [ -e "$1" ]; then wc -l < "$1"; else echo 0; fi
}

# rel_checks_ok: every rel_check line of the output says ok, and there is
# at least one.
rel_checks_ok() {
	local bad
	bad=$(grep -E '^[^ ]+: BAD' "$REL_D/out" || true)
	[ -z "$bad" ] || fail "$bad"
	grep -qE '^[^ ]+: ok$' "$REL_D/out" || fail "no check ran: $(rel_out)"
}

# --- nothing lost: pool --status-array ------------------------------------------------

# rel_lost_pool N SEED [disk] [POOL OPTION...]: run N pool jobs of a
# function; item I exits with a status computed from I and SEED (0-255)
# or, one in six, kills itself with a signal (HUP INT KILL USR1 USR2 PIPE
# ALRM TERM).  Every --status-array entry must be the item's status (128+N for a
# signal), pool's status the count of failures (101 for over 100), and
# the shell as it was (rel_check).  With "disk" the jobs are `sh -c'
# given the status as their item, instead of a function.  (The items go
# through a file and no big array is kept: a fork costs in proportion to
# the memory of the shell.)
rel_lost_pool() {
	local n=$1 seed=$2 disk=0 limit
	shift 2
	[ "${1-}" = disk ] && { disk=1; shift; }
	limit=$(( 60 + n / 500 ))
	rel_dir
	rel_spawn "n=$n seed=$seed disk=$disk opts=($*)"'
sigs=(1 2 9 10 12 13 14 15)
# code_of I: REPLY = what item I does: N < 1000 exit N, else die of N-1000.
code_of() {
	local h=$(( ((($1 + 7) * 2654435761 + seed * 40503) >> 5) & 0x7fffffff ))
	if (( h % 6 == 0 )); then
		REPLY=$((1000 + sigs[h / 6 % 8]))
	else
		REPLY=$(( (h >> 3) % 256 ))
	fi
}
f() {
	code_of "$1"
	(( REPLY < 1000 )) || kill -$((REPLY - 1000)) $BASHPID
	return "$REPLY"
}
# The items go through a file, and nothing big is kept in the shell:
# every fork costs in proportion to the memory of the shell.
for ((i = 0; i < n; i++)); do
	if [ "$disk" = 1 ]; then code_of "$i"; echo "$REPLY"; else echo "$i"; fi
done > "$dir/items"
rel_snap
t0=$EPOCHREALTIME
if [ "$disk" = 1 ]; then
	pool "${opts[@]}" --status-array got sh -c '\''[ "$1" -lt 1000 ] || kill -$(($1 - 1000)) $$; exit "$1"'\'' sh :::: "$dir/items" > /dev/null
else
	pool "${opts[@]}" --status-array got f :::: "$dir/items" > /dev/null
fi
st=$?
t1=$EPOCHREALTIME
echo "pool took $(( (${t1/./} - ${t0/./}) / 1000 ))ms" >&2
fails=0 wrong=0 first=
for ((i = 0; i < n; i++)); do
	code_of "$i"
	(( REPLY < 1000 )) && want=$REPLY || want=$((REPLY - 1000 + 128))
	[ "$want" = 0 ] || fails=$((fails + 1))
	if [ "${got[i]-unset}" != "$want" ]; then
		wrong=$((wrong + 1))
		[ -n "$first" ] || first=" (item $i: ${got[i]-unset}, want $want)"
	fi
done
(( fails > 100 )) && fails=101
echo "st=$st count=${#got[@]} wrong=$wrong$first"
echo "want: st=$fails count=$n wrong=0"
rel_check pool'
	rel_reap "$limit"
	[ "$RWST" = "exit 0" ] || fail "shell: $RWST; $(rel_out)"
	[ "$(sed -n "s/^want: //p" "$REL_D/out")" = "$(grep "^st=" "$REL_D/out")" ] ||
	    fail "pool $* over $n items, seed $seed: $(rel_out)"
	rel_checks_ok
	rel_clean
}

# --- nothing lost: & jobs drained with waitany ----------------------------

# rel_lost_waitany N SEED MODE: start N `&' jobs, each ending (after 0 to
# 30 ms) with a status drawn from SEED or, one in five, killed by a signal
# of its own; drain them with `waitany -p'.  MODE: plain; jobs (`jobs'
# runs before each waitany); interleave (half are started first, one more
# after each report); setm (plain under set -m); waitall (no waitany loop:
# `waitall -a' with every pid).  Each pid must be reported exactly once
# with its status, the last waitany must say 127, and the shell must be as
# it was (no job, no zombie, no fd).
rel_lost_waitany() {
	local n=$1 seed=$2 mode=$3
	rel_dir
	REL_SETM=0
	[ "$mode" = setm ] && REL_SETM=1
	rel_spawn "n=$n seed=$seed mode=$mode"'
RANDOM=$seed
sigs=(1 9 10 15)
rel_snap
exec 3> "$dir/started.list" 4> "$dir/got.list"
nstarted=0
start_one() {
	local r=$RANDOM s
	if (( r % 5 == 0 )); then
		s=${sigs[r / 5 % 4]}
		(sleep 0.0$((r % 4)); kill -"$s" $BASHPID) &
		echo "$! $((128 + s))" >&3
	else
		(sleep 0.0$((r % 4)); exit $(( (r >> 2) % 256 ))) &
		echo "$! $(( (r >> 2) % 256 ))" >&3
	fi
	nstarted=$((nstarted + 1))
	pids+=($!)
}
first=$n
[ "$mode" = interleave ] && first=$((n / 2))
for ((i = 0; i < first; i++)); do start_one; done
if [ "$mode" = waitall ]; then
	st=0
	waitall -a got "${pids[@]}" || st=$?
	for i in "${!pids[@]}"; do echo "${pids[i]} ${got[i]-unset}" >&4; done
	exec 3>&- 4>&-
	st=0
	waitany -p p || st=$?
	echo "reported=${#got[@]} last=$st${p+ (reported $p)}"
	REL_BANG=$!
	rel_check drain
	exit
fi
k=0
while :; do
	[ "$mode" = jobs ] && jobs > /dev/null
	st=0
	waitany -t 10 -p p || st=$?
	[[ -v p ]] || break
	echo "$p $st" >&4
	k=$((k + 1))
	[ "$mode" = interleave ] && (( nstarted < n )) && start_one
done
exec 3>&- 4>&-
echo "reported=$k last=$st"
REL_BANG=$!
rel_check drain'
	rel_reap 60
	[ "$RWST" = "exit 0" ] || fail "shell: $RWST; $(rel_out)"
	grep -qx "reported=$n last=127" "$REL_D/out" ||
	    fail "waitany $mode, $n jobs, seed $seed: $(rel_out)"
	rel_same_lists "$n"
	rel_checks_ok
	rel_clean
}

# rel_same_lists N: REL_D/started.list and REL_D/got.list ("PID STATUS"
# lines) hold the same N lines, whatever their order.
rel_same_lists() {
	local d
	sort "$REL_D/started.list" > "$REL_D/started.sorted"
	sort "$REL_D/got.list" > "$REL_D/got.sorted"
	[ "$(wc -l < "$REL_D/started.sorted")" = "$1" ] ||
	    fail "started $(wc -l < "$REL_D/started.sorted") jobs, not $1"
	d=$(diff "$REL_D/started.sorted" "$REL_D/got.sorted" | head -n 20) ||
	    fail "started (<) and reported (>) differ:
$d"
}

# rel_teardown: kill what is left of the last shell under test.
rel_teardown() {
	[ -n "${RV-}" ] && rel_kill_session "$RV"
	return 0
}

# rel_lost_interactive N SEED [jobs]: as rel_lost_waitany, in an
# interactive bash under tmux (start_shell): the jobs are started on one
# command line; an empty command line lets bash print their "Done"
# notices (and forget them); then a waitany loop drains them (with `jobs'
# before each call if the third argument is "jobs").
rel_lost_interactive() {
	local n=$1 seed=$2 mode=${3:-plain}
	rel_dir
	{
		echo "REL_TMP=$REL_D n=$n seed=$seed mode=$mode"
		echo "$REL_PROBE"
		cat <<'EOF'
ia_start() {
	local i r
	RANDOM=$seed
	rel_snap
	exec 3> "$REL_TMP/started.list"
	for ((i = 0; i < n; i++)); do
		r=$RANDOM
		if (( r % 5 == 0 )); then
			(sleep 0.0$((r % 4)); kill -9 $BASHPID) &
			echo "$! 137" >&3
		else
			(sleep 0.0$((r % 4)); exit $(( (r >> 2) % 256 ))) &
			echo "$! $(( (r >> 2) % 256 ))" >&3
		fi
	done 2> /dev/null
	exec 3>&-
}
ia_drain() {
	local k=0 st p
	exec 4> "$REL_TMP/got.list"
	while :; do
		[ "$mode" = jobs ] && jobs > /dev/null
		st=0
		waitany -t 10 -p p || st=$?
		[[ -v p ]] || break
		echo "$p $st" >&4
		k=$((k + 1))
	done
	exec 4>&-
	REL_BANG=$!
	rel_check drain
	echo "reported=$k last=$st"
}
EOF
	} > "$REL_D/ia.sh"
	start_shell
	run_line "source $REL_D/ia.sh"
	# 1,000 forks of an interactive shell: bash walks its job table at
	# each, several seconds when the machine is busy.
	run_line "ia_start" 60
	sleep 0.3
	run_line "" 30
	# The premise: bash announced (and forgot) finished jobs.
	pane | grep -qE '^\[[0-9]+\][-+ ] +(Done|Exit|Killed)' ||
	    fail "bash printed no job notices: $(pane | tail -n 5)"
	run_line "ia_drain" 60
	wait_for "^reported=[0-9]+ last="
	run_line ""
	pane | grep -qx "reported=$n last=127" ||
	    fail "interactive waitany, $n jobs, seed $seed: $(pane | grep '^reported=')"
	pane | grep -qx 'drain: ok' || fail "$(pane | grep '^drain: ')"
	rel_same_lists "$n"
}

# --- nothing left behind: every path of every builtin, in the shell -------

# REL_T: `t LABEL WANT COMMAND...' runs COMMAND (output to a file), says
# "LABEL: BAD status" unless it returned WANT, then rel_check LABEL
# (T_JOBS, if set, is the `jobs -p' wanted).  await_started N waits until
# N lines are in $dir/started.  A user's job (sleep "$um") runs all along:
# it must survive every call but the last killjobs.
REL_T='
T_N=0
t() {
	local label=$1 want=$2 st=0
	shift 2
	"$@" > "$dir/t.out" 2>&1 || st=$?
	T_N=$((T_N + 1))
	[ "$st" = "$want" ] ||
	    echo "$label: BAD status $st, want $want: $(tr "\n" " " < "$dir/t.out")"
	rel_check "$label" ${T_JOBS+"$T_JOBS"}
}
await_started() {
	local i n=0
	for ((i = 0; i < 500; i++)); do
		[ -e "$dir/started" ] && { mapfile -t s < "$dir/started"; n=${#s[@]}; }
		(( n >= $1 )) && return 0
		sleep 0.01
	done
	echo "await: BAD only $n of $1 started"
}
selfkill() { kill -"$1" $BASHPID; }
phalt2() { if [ "$1" = 1 ]; then sleep 0.05; return 7; fi; sleep 0.2; }
pecho() { echo "out $1"; echo "err $1" >&2; }
sbad() { sleep 0.02; return $(( $1 % 2 )); }
psem() { local i; for i in 1 2 3 4 5; do pool --sem -j2 sbad "$i" || return; done; pool --wait; }
flaky() { FLAKY=$((FLAKY + 1)); (( FLAKY % 3 == 0 )); }
sleep "$um" &
ujob=$!
dead=$(sh -c "echo \$\$")
'

# rel_paths_body BUILTIN SETM: print the cases of BUILTIN (see REL_T).
rel_paths_body() {
	case $1 in
	pool) cat <<'EOF'
rel_snap
t success 0 pool -j3 okgc ::: 1 2 3 4 5 6
t failure 3 pool -j3 bad ::: 1 2 3
t grouped 0 pool -j2 -k --tag pecho ::: 1 2 3 4
t line-buffer 0 pool -j2 --line-buffer pecho ::: 1 2 3
t ungroup 0 pool -u -j4 okgc ::: 1 2 3 4 5 6 7 8
t results 0 pool -j2 --results "$dir/res" --joblog "$dir/jl" pecho ::: 1 2 3
t status-array 2 pool --status-array st -j2 bad ::: 1 2
t signal-death 2 pool -j2 selfkill ::: KILL TERM
t disk 1 pool -j2 sh -c 'exit $1' sh ::: 0 1
t not-found 127 pool -j2 rel_nosuchcmd ::: 1
t usage 2 pool -j abc ok ::: 1
t timeout 3 pool -j3 --timeout 0.3 hang ::: 1 2 3
t timeout-kill 2 pool -j2 --timeout 0.2 stub ::: 1 2
t timeout-grandchild 3 pool -j3 --timeout 0.2 gstub ::: 1 2 3
t halt-now 7 pool -j3 --halt now,fail=1 phalt ::: 1 2 3 4 5
t halt-soon 7 pool -j3 --halt soon,fail=1 phalt2 ::: 1 2 3 4 5
t retries 1 pool --retries 3 bad ::: 1
t sem 3 psem
t dry-run 0 pool --dry-run ok ::: 1 2
EOF
		;;
	timeout_run) cat <<'EOF'
rel_snap
t success 0 timeout_run 5 okgc
t failure 3 timeout_run 5 bad
t timeout 124 timeout_run 0.2 hang
t timeout-kill 137 timeout_run -k 0.2 0.2 stub
t timeout-grandchild 124 timeout_run 0.2 gstub
t timeout-int 124 timeout_run -s INT -k 0.3 0.2 hang
t preserve-status 143 timeout_run --preserve-status 0.2 hang
t disk 124 timeout_run 0.2 sleep "$m"
t builtin 0 timeout_run 1 true
t signal-death 137 timeout_run 5 selfkill KILL
t not-found 127 timeout_run 1 rel_nosuchcmd
t foreground 124 timeout_run --foreground 0.2 sleep "$m"
t bad-duration 125 timeout_run 5x true
t usage 125 timeout_run
EOF
		;;
	retry) cat <<'EOF'
rel_snap
t success 0 retry -q -n 5 -d 0.02 flaky
t give-up 3 retry -q -n 3 -d 0.02 bad
t disk 1 retry -q -n 2 -d 0.02 false
t stop-on 3 retry -q -n 5 -d 0.02 --stop-on 3 bad
t deadline 3 retry -q -n 0 -T 0.3 -d 0.05 bad
t alive 69 retry -q -n 5 -d 0.05 --alive "$dead" bad
t child 0 retry -q -n 3 -d 0.02 -t 0 okgc
t timeout 124 retry -q -n 2 -d 0.02 -t 0.2 hang
t timeout-kill 137 retry -q -n 1 -t 0.2 -k 0.2 stub
t timeout-grandchild 124 retry -q -n 1 -t 0.2 gstub
t deadline-child 124 retry -q -n 0 -T 0.3 -t 5 hang
t not-found 127 retry -q -n 2 -d 0.02 rel_nosuchcmd
t usage 2 retry -n
EOF
		;;
	every) cat <<'EOF'
rel_snap
t count 0 every -n 3 0.05 ok
t stop-on-failure 3 every -n 5 --stop-on-failure 0.05 bad
t deadline 0 every -T 0.35 0.1 ok
t child 0 every -n 2 -t 0 0.05 okgc
t timeout 0 every -n 2 -t 0.2 0.05 hang
t timeout-stop 124 every -n 3 --stop-on-failure -t 0.2 0.05 hang
t timeout-kill 137 every -n 2 --stop-on-failure -t 0.1 -k 0.1 0.05 stub
t timeout-grandchild 124 every -n 2 --stop-on-failure -t 0.2 0.05 gstub
t catch-up 0 every -n 3 --catch-up 0.02 ok
t not-found 127 every -n 2 0.05 rel_nosuchcmd
t usage 2 every
EOF
		;;
	waitany) cat <<'EOF'
T_JOBS=$ujob
(exit 5) & p=$!; rel_snap
t by-id 5 waitany "$p"
(sleep 0.1; exit 6) & p=$!; rel_snap
t any 6 waitany -p got
(sleep 0.1; kill -9 $BASHPID) & p=$!; rel_snap
t killed 137 waitany "$p"
okgc & p=$!; rel_snap
t grandchild 0 waitany "$p"
sleep "$m" & p=$!; rel_snap
T_JOBS="$ujob $p" t timeout 124 waitany -t 0.2 "$p"
kill "$p"; wait "$p"; rel_snap
t after-wait 143 waitany "$p"
t usage 2 waitany -t
EOF
		;;
	waitall) cat <<'EOF'
T_JOBS=$ujob
(exit 0) & a=$!; (sleep 0.1; exit 0) & b=$!; rel_snap
t success 0 waitall "$a" "$b"
(exit 4) & a=$!; (sleep 0.1) & b=$!; rel_snap
t failure 4 waitall -a arr "$a" "$b"
sleep "$m" & a=$!; (sleep 0.1; exit 9) & b=$!; rel_snap
t fail-fast 9 waitall -f "$a" "$b"
if [ "$REL_SETM" = 1 ]; then
	hang & a=$!; (sleep 0.2; exit 9) & b=$!; rel_snap
	t fail-fast-group 9 waitall -f "$a" "$b"
fi
sleep "$m" & a=$!; rel_snap
T_JOBS="$ujob $a" t timeout 124 waitall -t 0.2 "$a"
kill "$a"; wait "$a"; rel_snap
t usage 2 waitall -t
EOF
		;;
	killjobs) cat <<'EOF'
T_JOBS=$ujob
sleep "$m" & a=$!; sleep "$m" & b=$!; rel_snap
t two 0 killjobs "$a" "$b"
(trap "" TERM; started; exec sleep "$m") & a=$!; await_started 1; rel_snap
t stubborn 1 killjobs -g 0.2 "$a"
if [ "$REL_SETM" = 1 ]; then
	hang & a=$!; await_started 2; rel_snap
	t group 0 killjobs -g 2 "$a"
	stub & a=$!; await_started 3; rel_snap
	t group-stubborn 1 killjobs -g 0.2 "$a"
fi
rel_snap
T_JOBS= t all 0 killjobs
EOF
		;;
	esac
	echo 'echo "cases=$T_N"'
}

# rel_paths BUILTIN SETM: run the cases of BUILTIN in one shell (set -m
# if SETM is 1); every case must return its status and pass rel_check,
# and once the shell has exited nothing but the user's job may remain.
rel_paths() {
	local n
	rel_dir
	REL_SETM=$2
	rel_spawn "$REL_T$(rel_paths_body "$1")"
	rel_reap 60
	[ "$RWST" = "exit 0" ] || fail "$1: shell: $RWST; $(rel_out)"
	rel_checks_ok
	n=$(sed -n 's/^cases=//p' "$REL_D/out")
	# shellcheck disable=SC2015 # fail never returns
	[ -n "$n" ] && [ "$(grep -c ': ok$' "$REL_D/out")" = "$n" ] ||
	    fail "$1: not every case checked: $(rel_out)"
	rel_clean "^sleep ${REL_UM//./[.]}\$"
}

# --- nothing left behind: signals and set -e ------------------------------

# rel_sig_body BUILTIN SETE: print a script that blocks in BUILTIN once
# its workers have started (rel_sig_ready says how many), then prints
# "st=$?" and a rel_check line.  With SETE 1 it runs under set -e a
# call of BUILTIN that fails by itself (rel_sete_status says how).
# pool: three jobs of six running; timeout_run, retry_t, every_t: one
# child running; retry and every: asleep between attempts or runs;
# waitany, waitall: two user jobs running; killjobs: in the grace period
# of two jobs that ignore TERM.
rel_sig_body() {
	local b=$1 sete=$2 want=
	[ "$sete" = 1 ] && echo 'set -e'
	case $b in
	waitany|waitall) echo 'sleep "$um" & sleep "$um" &' ;;
	killjobs)
		echo '(trap "" TERM; started; exec sleep "$m") &'
		echo '(trap "" TERM; started; exec sleep "$m") &'
		echo 'while [ "$(wc -l < "$dir/started")" -lt 2 ]; do sleep 0.01; done'
		[ "$sete" = 1 ] && echo "trap 'killjobs -g 0.3' EXIT"
		want=' ""'
		;;
	esac
	echo 'rfail() { started; return 1; }'
	echo 'rel_snap'
	if [ "$sete" = 1 ]; then
		case $b in
		pool) echo 'pool -j3 --halt now,fail=1 phalt ::: 1 2 3 4' ;;
		timeout_run) echo 'timeout_run 0.3 hang' ;;
		retry) echo 'retry -q -n 2 -d 0.05 rfail' ;;
		retry_t) echo 'retry -q -n 2 -d 0.05 -t 0.2 hang' ;;
		every) echo 'every -n 5 --stop-on-failure 0.05 bad' ;;
		every_t) echo 'every -n 5 --stop-on-failure -t 0.2 0.05 hang' ;;
		waitany) echo '(exit 5) & waitany $!' ;;
		waitall) echo 'sleep "$m" & a=$!; (sleep 0.2; exit 6) & waitall -f "$a" $!' ;;
		killjobs) echo 'false' ;;
		esac
		echo 'echo "st=$? (set -e did not exit)"'
		return
	fi
	case $b in
	pool) echo 'pool -j3 hang ::: 1 2 3 4 5 6' ;;
	timeout_run) echo 'timeout_run 30 hang' ;;
	retry) echo 'retry -q -n 5 -d 30 --jitter none rfail' ;;
	retry_t) echo 'retry -q -t 30 -n 3 hang' ;;
	every) echo 'every 30 started' ;;
	every_t) echo 'every -t 0 30 hang' ;;
	waitany) echo 'started; waitany' ;;
	waitall) echo 'started; waitall' ;;
	killjobs) echo 'killjobs -g 1' ;;
	esac
	echo 'echo "st=$?"'
	echo "rel_check after$want"
	echo 'echo "went on"'
}

# rel_sig_ready BUILTIN: how many lines of $dir/started show that it is
# blocked where rel_sig_body wants it.
rel_sig_ready() {
	case $1 in
	pool) echo 3 ;;
	killjobs) echo 2 ;;
	*) echo 1 ;;
	esac
}

# rel_sete_status BUILTIN: the status a set -e script ends with.
rel_sete_status() {
	case $1 in
	pool) echo 7 ;;
	timeout_run|retry_t|every_t) echo 124 ;;
	retry|killjobs) echo 1 ;;
	every) echo 3 ;;
	waitany) echo 5 ;;
	waitall) echo 6 ;;
	esac
}

# rel_keeps BUILTIN: a regex for the processes that may outlive the
# shell: the user's own jobs, which bash leaves running (killjobs stops
# its jobs, so nothing may outlive it).
rel_keeps() {
	case $1 in
	waitany|waitall) echo "^sleep ${REL_UM//./[.]}\$" ;;
	*) echo '^$^' ;;
	esac
}

# rel_sigpath BUILTIN HOW [SETM]: block a shell in BUILTIN and
#   HOW=SIG          send it SIG (untrapped): it must die of SIG
#   HOW=group        send SIGINT to its process group, as Ctrl-C does
#   HOW=trapped:SIG  trap SIG and send it: the trap runs once, BUILTIN
#                    returns 128+N, rel_check passes, the script goes on
#   HOW=sete         no signal: under set -e, BUILTIN fails by itself and
#                    the shell exits with its status
# and then nothing of its session may be left (but the user's jobs).
rel_sigpath() {
	local b=$1 how=$2 sig n sete=0 trapped=
	rel_dir
	REL_SETM=${3:-0} REL_TRAP=
	REL_DESC="$b, $how, set -m=$REL_SETM"
	case $how in
	sete) sete=1 ;;
	group) sig=INT ;;
	trapped:*) sig=${how#trapped:} trapped=1 REL_TRAP=$sig ;;
	*) sig=$how ;;
	esac
	rel_spawn "$(rel_sig_body "$b" "$sete")"
	if [ "$sete" = 1 ]; then
		rel_reap 20
		[ "$RWST" = "exit $(rel_sete_status "$b")" ] ||
		    fail "$b under set -e: $RWST, want exit $(rel_sete_status "$b"); $(rel_out)"
		rel_clean "$(rel_keeps "$b")"
		return
	fi
	n=$(kill -l "$sig")
	rel_ready "$(rel_sig_ready "$b")"
	rel_sig "$sig" "$how"
	rel_reap 20
	if [ -n "$trapped" ]; then
		[ "$RWST" = "exit 0" ] || fail "$b, trapped $sig: $RWST; $(rel_out)"
		[ "$(rel_lines "$REL_D/trap.log")" = 1 ] ||
		    fail "$b: the $sig trap ran $(rel_lines "$REL_D/trap.log") times"
		grep -qx "st=$((128 + n))" "$REL_D/out" ||
		    fail "$b, trapped $sig: want st=$((128 + n)): $(rel_out)"
		rel_checks_ok
		grep -qx "went on" "$REL_D/out" || fail "$b: did not go on: $(rel_out)"
	else
		[ "$RWST" = "signal $n" ] ||
		    fail "$b, $how: $RWST, want signal $n; $(rel_out)"
		! grep -q '^st=' "$REL_D/out" || fail "$b: the script went on: $(rel_out)"
	fi
	rel_clean "$(rel_keeps "$b")"
}

# --- signals at random moments --------------------------------------------

# REL_RANDOM_LIB: the busy workloads of rel_random.
#   rw    a child job: a background and a foreground sleep of 0-50 ms
#   rwf   rw, then fail
#   spin  in the shell: started, then about 20 ms of shell code, no fork
#   quick in the shell: started, then fail at once
#   tw    a function that forks a sleep of 0-20 ms 600 times
REL_RANDOM_LIB='
rw() { started; sleep 0.0$((RANDOM % 6)) & sleep 0.0$((RANDOM % 6)); wait "$!"; return $((RANDOM % 4 == 0)); }
rwf() { rw; return 1; }
spin() { local i; started; for ((i = 0; i < 3000; i++)); do :; done; return 1; }
quick() { started; return 1; }
tw() { local i; started; for ((i = 0; i < 600; i++)); do sleep 0.0$((RANDOM % 3)) & (( i % 3 )) || wait; done; wait; }
'

# rel_random_body BUILTIN: the script of a random trial.
rel_random_body() {
	echo "$REL_RANDOM_LIB"
	echo 'rel_snap'
	case $1 in
	pool) echo 'pool -j4 rw ::: {1..300}' ;;
	pool_k) echo 'pool -j4 -k --tag rw ::: {1..300} > /dev/null' ;;
	timeout_run) echo 'timeout_run 30 tw' ;;
	retry) echo 'retry -q -n 0 -T 5 -d 0.02 -b 1.5 -m 0.3 quick' ;;
	retry_busy) echo 'retry -q -n 0 -T 5 -d 0.02 -b 1.5 -m 0.3 spin' ;;
	retry_t) echo 'retry -q -n 0 -T 60 -t 5 -d 0.02 -m 0.1 rwf' ;;
	every) echo 'every -T 5 0.05 quick' ;;
	every_busy) echo 'every -T 5 0.05 spin' ;;
	every_t) echo 'every -t 5 0.05 rw' ;;
	waitany) cat <<'EOF'
tag=${um#*.}
exec 3> "$dir/started.list"
for ((i = 0; i < 60; i++)); do
	k=$((RANDOM % 256))
	sh -c 'sleep "$1"; exit "$2"' sh "$((RANDOM % 2)).$((RANDOM % 10))$tag" "$k" &
	echo "$! $k" >&3
done
exec 3>&-
started
rel_snap
k=0 intr=0
while :; do
	st=0
	waitany -p p || st=$?
	if [[ -v p ]]; then
		echo "$p $st" >> "$dir/got.list"
		k=$((k + 1))
	elif (( st > 128 && st != 255 )); then
		intr=$((intr + 1))
	else
		break
	fi
done
echo "reported=$k intr=$intr"
REL_BANG=$!
rel_check after ""
echo "went on"
exit
EOF
		;;
	esac
	echo 'echo "st=$?"'
	echo 'rel_check after'
	echo 'echo "went on"'
}

# rel_random SEED [BUILTIN] [SIGS]: one trial, everything drawn from
# SEED.  A builtin, unless BUILTIN is given: pool; pool_k (grouped output
# in temporary files, -k --tag); timeout_run; retry and every in the
# shell (attempts that fail at once); retry_t and every_t (child jobs);
# waitany (a waitany loop over 60 jobs); and only when given, retry_busy
# and every_busy (in the shell, attempts that run shell code for 20 ms,
# always with a trapped signal).  A signal of SIGS (default INT TERM HUP
# USR1), trapped or not (untrapped USR1 is left out unless SIGS is given:
# only INT, TERM and HUP are guarded), sent to the shell or (INT) to its
# process group; set -m or not; a delay of 0-800 ms after the builtin
# first blocked.  Untrapped: the shell dies of the signal.  Trapped: the
# trap runs exactly once, the builtin returns 128+N and rel_check passes
# (waitany: every job still reported exactly once).  Either way nothing
# is left in the session but the user's jobs.
rel_random() {
	local seed=$1 sigs b sig how=pid trapped n delay
	read -ra sigs <<< "${3:-INT TERM HUP USR1}"
	local builtins=(pool pool_k timeout_run retry retry_t every every_t waitany) desc
	RANDOM=$seed
	: "$RANDOM" "$RANDOM" "$RANDOM"
	b=${builtins[RANDOM % ${#builtins[@]}]}
	[ -n "${2-}" ] && b=$2
	sig=${sigs[RANDOM % ${#sigs[@]}]}
	trapped=$((RANDOM % 2))
	[ "$sig" = USR1 ] && [ -z "${3-}" ] && trapped=1
	[[ $b == *_busy ]] && trapped=1
	[ "$sig" = INT ] && [ "$b" != waitany ] && (( RANDOM % 2 )) && how=group
	rel_dir
	REL_SETM=$((RANDOM % 2)) REL_TRAP=
	delay=$((RANDOM % 801))
	[ "$trapped" = 1 ] && REL_TRAP=$sig
	n=$(kill -l "$sig")
	REL_DESC="seed $seed: $b, $sig to the $how, trapped=$trapped, set -m=$REL_SETM, after ${delay}ms"
	desc=$REL_DESC
	[ -z "${REL_DRY-}" ] || { echo "$desc"; return 0; }
	rel_spawn "$(rel_random_body "$b")"
	rel_ready 1
	sleep "$(printf '0.%03d' "$delay")"
	rel_sig "$sig" "$how"
	rel_reap 30
	if [ "$trapped" = 0 ]; then
		[ "$RWST" = "signal $n" ] || fail "$desc: $RWST; $(rel_out)"
		! grep -q '^went on' "$REL_D/out" || fail "$desc: the script went on"
		rel_clean "${REL_UM#*.}"
		return
	fi
	[ "$RWST" = "exit 0" ] || fail "$desc: $RWST; $(rel_out)"
	[ "$(rel_lines "$REL_D/trap.log")" = 1 ] ||
	    fail "$desc: the trap ran $(rel_lines "$REL_D/trap.log") times"
	rel_checks_ok
	grep -qx 'went on' "$REL_D/out" || fail "$desc: $(rel_out)"
	if [ "$b" = waitany ]; then
		grep -qx 'reported=60 intr=[01]' "$REL_D/out" || fail "$desc: $(rel_out)"
		# A waitany that the trap interrupted returned 128+N (not a
		# status); the trap may also have run between two calls.
		if grep -qx 'reported=60 intr=1' "$REL_D/out"; then
			grep -q '^waitany' "$REL_D/trap.log" ||
			    fail "$desc: the trap ran at $(cat "$REL_D/trap.log")"
		fi
		rel_same_lists 60
	else
		grep -qx "st=$((128 + n))" "$REL_D/out" ||
		    fail "$desc: want st=$((128 + n)); $(rel_out)"
	fi
	rel_clean "${REL_UM#*.}"
}

# --- whole trees at random moments (issue 10, items 7 and 14) -------------

# REL_TREE_LIB: nested trees for rel_tree; every sleep in them is "$m", so
# that what left the session is found too (pgrep), not only by rel_clean.
#   nest_t  timeout_run of hang (a group of its own, inside the job's)
#   nest_p  pool -j2 of hang (two more groups)
#   nest_s  hang beside a setsid sleep (a session of its own)
#   nest_d  hang beside a daemon that double-forked into a new session
#   nest_k  nest_t with TERM ignored (pool --timeout's case)
REL_TREE_LIB='
nest_t() { timeout_run 100 hang; }
nest_p() { pool -j2 hang ::: 1 2; }
nest_s() { setsid sleep "$m" & hang; }
nest_d() { (setsid sh -c "sleep $m & exit" &); hang; }
nest_k() { trap "" TERM; timeout_run 100 hang; }
'

# rel_tree_body MODE NEST DELAY: the script of a rel_tree trial.
rel_tree_body() {
	local mode=$1 nest=$2 delay=$3
	echo "$REL_TREE_LIB"
	echo 'rel_snap'
	case $mode in
	limit) echo "timeout_run 0.$delay $nest" ;;
	kill) echo "timeout_run -s KILL 0.$delay $nest" ;;
	signal) echo "timeout_run 30 $nest" ;;
	pool)
		echo "pool --timeout 0.$delay $nest ::: 1 2"
		# pool does not wait yet for the tree of a job it KILLed at
		# its timeout to be gone (pool/pool.c): let it settle.
		echo 'st=$?; sleep 0.3; (exit $st)'
		;;
	killjobs|waitall|exit)
		# A script's plain & jobs, in the shell's group without set -m.
		echo "$nest & $nest &"
		[ "$mode" = waitall ] && echo '(sleep 0.3; exit 3) &'
		echo 'while [ "$(wc -l < "$dir/started" 2>/dev/null)" -lt 2 ]; do sleep 0.01; done'
		echo "sleep 0.$delay"
		case $mode in
		killjobs) echo 'killjobs -g 0.5' ;;
		waitall) echo 'waitall -f' ;;
		exit) echo "trap 'killjobs -g 0.5' EXIT"; echo 'exit 7' ;;
		esac
		echo 'echo "st=$?"'
		echo 'REL_BANG=$!'
		echo 'rel_check after ""'
		echo 'echo "went on"'
		return
		;;
	esac
	echo 'echo "st=$?"'
	echo 'rel_check after'
	echo 'echo "went on"'
}

# rel_tree_status MODE: the statuses MODE may end with, as a regex.
rel_tree_status() {
	case $1 in
	limit) echo '^st=(124|137)$' ;;
	kill) echo '^st=137$' ;;
	pool) echo '^st=2$' ;;
	killjobs) echo '^st=[01]$' ;;
	waitall) echo '^st=3$' ;;
	esac
}

# rel_tree SEED: one trial, drawn from SEED: a nested tree (nest_t, nest_p,
# nest_s, nest_d; nest_k under pool) stopped at a random moment, by
# timeout_run's limit (TERM or KILL), pool --timeout, a signal to the
# shell (TERM, INT or HUP, trapped or not) while timeout_run waits, or,
# for a script's plain & jobs (item 14), killjobs, waitall -f or `trap
# killjobs EXIT'; set -m or not.  Then no process of the trees may be
# left, in the session or out of it.  (A plain & job that double-forks
# out of its tree is out of reach: the shell is no subreaper then, so
# those modes leave nest_d out.)
rel_tree() {
	local seed=$1 modes=(limit kill signal pool killjobs waitall exit)
	local nests=(nest_t nest_p nest_s nest_d) sigs=(TERM INT HUP)
	local mode nest delay sig trapped=0 n want desc left
	RANDOM=$seed
	: "$RANDOM" "$RANDOM"
	mode=${modes[RANDOM % ${#modes[@]}]}
	nest=${nests[RANDOM % ${#nests[@]}]}
	case $mode in
	pool) nest=nest_k ;;
	killjobs|waitall|exit) nest=${nests[RANDOM % 3]} ;;
	esac
	printf -v delay '%03d' $((RANDOM % 700 + 100))
	sig=${sigs[RANDOM % 3]}
	trapped=$((RANDOM % 2))
	rel_dir
	REL_SETM=$((RANDOM % 2)) REL_TRAP=
	[ "$mode" = signal ] && [ "$trapped" = 1 ] && REL_TRAP=$sig
	desc="seed $seed: $mode $nest, set -m=$REL_SETM, 0.${delay}s"
	[ "$mode" = signal ] && desc+=", $sig trapped=$trapped"
	REL_DESC=$desc
	[ -z "${REL_DRY-}" ] || { echo "$desc"; return 0; }
	rel_spawn "$(rel_tree_body "$mode" "$nest" "$delay")"
	if [ "$mode" = signal ]; then
		rel_ready 1
		sleep "0.$delay"
		rel_sig "$sig" pid
	fi
	rel_reap 30
	n=$(kill -l "$sig")
	if [ "$mode" = signal ] && [ "$trapped" = 0 ]; then
		[ "$RWST" = "signal $n" ] || fail "$desc: $RWST; $(rel_out)"
	elif [ "$mode" = exit ]; then
		[ "$RWST" = "exit 7" ] || fail "$desc: $RWST; $(rel_out)"
	else
		[ "$RWST" = "exit 0" ] || fail "$desc: $RWST; $(rel_out)"
		want=$(rel_tree_status "$mode")
		[ "$mode" = signal ] && want="^st=$((128 + n))\$"
		grep -qE "$want" "$REL_D/out" || fail "$desc: want $want; $(rel_out)"
		rel_checks_ok
	fi
	rel_clean
	sleep 0.2
	left=$(pgrep -af "^sleep ${REL_M//./[.]}\$" || true)
	[ -z "$left" ] || {
		pkill -KILL -f "^sleep ${REL_M//./[.]}\$" || true
		fail "$desc: left behind out of the session: $left"
	}
}

# --- Ctrl-C in an interactive shell ---------------------------------------

# rel_ctrl_c BUILTIN...: in one interactive bash under tmux (start_shell),
# for each BUILTIN: block in it (as rel_sig_body does), press Ctrl-C, and
# check that the prompt comes back with $? 130, that rel_check passes (no
# new process in the session, no zombie, the same fds and $!, `jobs' as
# before, but empty after killjobs) and that the shell still works.
rel_ctrl_c() {
	local b cmd want ready
	rel_dir
	{
		echo "REL_TMP=$REL_D dir=$REL_D m=$REL_M um=$REL_UM"
		echo "$REL_PROBE"
		echo "$REL_VLIB" | sed -n '/^started()/,$p'
		echo 'rfail() { started; return 1; }'
	} > "$REL_D/cc.sh"
	start_shell
	run_line "source $REL_D/cc.sh"
	RV=$SHPID
	for b in "$@"; do
		want='' ready=1
		rm -f "$REL_D/started"
		case $b in
		pool) cmd='pool -j3 hang ::: 1 2 3 4 5' ready=3 ;;
		timeout_run) cmd='timeout_run 30 hang' ;;
		retry) cmd='retry -q -n 5 -d 30 rfail' ;;
		retry_t) cmd='retry -q -t 30 -n 3 hang' ;;
		every) cmd='every 30 started' ;;
		every_t) cmd='every -t 0 30 hang' ;;
		waitany|waitall)
			run_line 'sleep "$um" &'
			cmd="started; $b"
			;;
		killjobs)
			run_line '(trap "" TERM; exec sleep "$m") &'
			run_line 'sleep 0.2'
			cmd='started; killjobs -g 1'
			want=' ""'
			;;
		esac
		run_line 'rel_snap'
		type_line "$cmd"
		rel_ready "$ready"
		tm send-keys C-c
		wait_prompt
		run_line "echo \"$b st=\$?\""
		run_line "rel_check $b$want"
		run_line "echo \"$b still \$((6 * 7))\""
		pane | grep -qx "$b st=130" || fail "$b: $(pane | grep "^$b st=")"
		pane | grep -qx "$b: ok" || fail "$(pane | grep "^$b: ")"
		pane | grep -qx "$b still 42" || fail "$b: the shell is not usable"
		run_line 'kill %% 2> /dev/null; wait'
	done
}

# --- the fork window ------------------------------------------------------

# rel_fork_race COMMAND: run COMMAND (a builtin calling f, a function that
# sleeps) in a bash whose first fork strace holds for a second after it
# returns in the child, and send TERM to that bash meanwhile: the builtin
# must hold the signal until its child is stopped, so that the shell dies
# of TERM and no child or grandchild is left.  Needs strace.
rel_fork_race() {
	local i p pid left
	rel_dir
	cat > "$REL_D/race.sh" <<EOF
enable -f "\$BGTOOLS_SO" \$BGTOOLS_BUILTINS || exit 99
f() { sleep $REL_M; return 1; }
echo "shell \$\$" > "$REL_D/shell"
$1
echo "st=\$?"
EOF
	env --default-signal strace -o /dev/null -f -e trace=clone \
	    -e inject=clone:delay_exit=1000000:when=1 \
	    bash "$REL_D/race.sh" < /dev/null > "$REL_D/out" 2>&1 &
	REL_WRAPPER=$!
	for ((i = 0; i < 500; i++)); do
		[ -s "$REL_D/shell" ] && break
		sleep 0.01
	done
	read -r _ pid < "$REL_D/shell" || fail "$1: the shell never started"
	sleep 0.3
	kill -TERM "$pid"
	for ((i = 0; i < 300; i++)); do
		alive "$pid" || break
		sleep 0.01
	done
	alive "$pid" && fail "$1: the shell outlived TERM by 3s"
	# An orphaned child's own first fork is held for a second too.
	sleep 1.2
	left=$(pgrep -af "sleep ${REL_M//./[.]}\$|^bash $REL_D/race[.]sh" || true)
	while read -r p _; do
		[ -z "$p" ] || kill -KILL "$p" 2> /dev/null || true
	done <<< "$left"
	wait "$REL_WRAPPER" || true
	[ -z "$left" ] || fail "$1: TERM during the fork left: $left"
	! grep -q '^st=' "$REL_D/out" || fail "$1: the script went on: $(rel_out)"
}

# --- nothing lost, nothing mixed up: pool's output ------------------------

# rel_output SEED MODE [NOFILE]: 150 jobs of a function that writes its
# three lines through a path chosen from SEED (plain, /dev/stdout,
# /proc/self/fd/1 with >>, /dev/fd/1, exec >), with random pauses, one line
# to /dev/stderr, and (one job in four) a background child that prints a
# LATE line a second after the job has ended (the pool stops it first; a
# shorter pause raced a loaded machine: the line could be written before
# the pool even saw the job end, and then it is the job's output).  MODE: --group, -k or --line-buffer;
# NOFILE: run under `ulimit -n NOFILE'.  Every line must be there exactly
# once, a job's lines together and in order (grouped, -k), jobs in input
# order with -k, no LATE line, every status 0, and the shell as it was.
rel_output() {
	local seed=$1 mode=$2 nofile=${3:-}
	rel_dir
	rel_spawn "seed=$seed mode=$mode nofile=$nofile"'
n=150
f() {
	local i k=$(( ($1 * 7 + seed) % 6 ))
	for ((i = 1; i <= 3; i++)); do
		case $(( (k + i) % 5 )) in
		0) echo "job $1 line $i" ;;
		1) echo "job $1 line $i" > /dev/stdout ;;
		2) echo "job $1 line $i" >> /proc/self/fd/1 ;;
		3) echo "job $1 line $i" > /dev/fd/1 ;;
		4) exec > /dev/stdout; echo "job $1 line $i" ;;
		esac
		(( (k + i) % 3 )) || sleep 0.00$(( (seed + $1 * i) % 7 ))
	done
	echo "job $1 err" > /dev/stderr
	(( k % 4 )) || { (sleep 1; echo "LATE $1") & }
}
[ -n "$nofile" ] && ulimit -n "$nofile"
rel_snap
pool -j4 "$mode" --status-array got f ::: $(seq $n) > "$dir/o" 2> "$dir/e"
st=$?
bad=
[ "$st" = 0 ] || bad+=" st=$st"
grep -q LATE "$dir/o" "$dir/e" && bad+=" late-output"
[ "$(wc -l < "$dir/o")" = $((3 * n)) ] || bad+=" lines=$(wc -l < "$dir/o")"
[ "$(grep -c "err$" "$dir/e")" = "$n" ] || bad+=" err-lines"
for ((i = 1; i <= n; i++)); do
	[ "${got[i - 1]}" = 0 ] || { bad+=" status[$i]=${got[i - 1]}"; break; }
done
if [ "$mode" = --line-buffer ]; then
	sort "$dir/o" > "$dir/o.sorted"
	for ((i = 1; i <= n; i++)); do printf "job %s line %s\n" $i 1 $i 2 $i 3; done | sort > "$dir/want"
	cmp -s "$dir/o.sorted" "$dir/want" || bad+=" lines-differ"
else
	prev=0 line=0
	while read -r _ j _ l; do
		if [ "$l" = 1 ]; then
			[ "$line" = 0 ] || [ "$line" = 3 ] || { bad+=" split:$j"; break; }
			[ "$mode" = -k ] && [ "$j" != $((prev + 1)) ] && { bad+=" order:$prev->$j"; break; }
			prev=$j
		elif [ "$j" != "$prev" ] || [ "$l" != $((line + 1)) ]; then
			bad+=" mixed:$j.$l"; break
		fi
		line=$l
	done < "$dir/o"
fi
echo "output: ${bad:+BAD}${bad:-ok}"
rel_check pool'
	rel_reap 60
	[ "$RWST" = "exit 0" ] || fail "shell: $RWST; $(rel_out)"
	rel_checks_ok
	rel_clean
}

# rel_fullpipe SEED MODE SIG: a pool whose stdout is a pipe nobody reads
# (a job writes 4 MB, another sleeps) gets SIG (untrapped) at a moment
# drawn from SEED, 0.2 to 1.4 s in.  The shell must die of SIG within 1.5
# s of it, leaving nothing of the pool behind; MODE: --group, -k,
# --line-buffer or -u.
rel_fullpipe() {
	local seed=$1 mode=$2 sig=$3 t0 ms
	rel_dir
	mkfifo "$REL_D/fifo"
	rel_spawn "mode=$mode"'
f() { if [ "$1" = big ]; then head -c 4000000 /dev/zero; else started; sleep "$m"; fi; }
sleep "$um" < "$dir/fifo" &
exec > "$dir/fifo"
pool -j2 $mode f ::: big slow slow2
echo "went on" >&2'
	rel_ready 1
	sleep "0.$(( 2 + seed % 12 ))"
	t0=$(now_ms)
	rel_sig "$sig"
	rel_reap 10
	ms=$(elapsed_since "$t0")
	[ "$RWST" = "signal $(kill -l "$sig")" ] || fail "$mode: shell: $RWST; $(rel_out)"
	(( ms < 1500 )) || fail "$mode: took ${ms}ms after $sig"
	rel_clean "sleep $REL_UM"
}
