# test_helper.bash - shared setup and helpers for the bgtools bats suite.
#
# Each test runs in a fresh bash: setup() loads the builtins there, and
# teardown() kills what a failing test may have left behind.
# Assertions about `jobs', bare `wait' or an empty job table belong in a
# child shell (bg_bash, bgsh, psh), since bats keeps its own jobs in the
# test shell.
#
# Globals that helpers set for the .bats files to read (VSTATUS, VMS,
# SHPID, ...) look unused to shellcheck, which sees this file alone:
# shellcheck disable=SC2034

bats_load_library bats-support
bats_load_library bats-assert

BGTOOLS_SO=${BGTOOLS_SO:-$BATS_TEST_DIRNAME/../bgtools.so}
BGTOOLS_BUILTINS="waitany waitall timeout_run killjobs pool retry every onchange jobinfo detach"
export BGTOOLS_SO BGTOOLS_BUILTINS

# Per-test state that teardown cleans up: the sleep durations handed out
# by mark, the pid of a victim script (start_victim), the tmux socket of
# an interactive shell (start_shell, which also sets SHPID).
MARKS=()
VICTIM=
TM=
SHPID=

# bg_enable: load the builtins into this shell.
bg_enable() {
	# shellcheck disable=SC2086 # a list of names, split on purpose
	enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS
}

# setup: every test starts with the builtins loaded.
setup() {
	bg_enable
}

# teardown: kill the victim script, the tmux server and every sleep of a
# mark that the test may have left behind.
teardown() {
	local m
	if [ -n "$VICTIM" ]; then
		kill -KILL "$VICTIM" 2>/dev/null || true
	fi
	if [ -n "$TM" ]; then
		tm kill-server 2>/dev/null || true
	fi
	for m in "${MARKS[@]}"; do
		pkill -KILL -f "$(pat "$m")" || true
	done
}

# --- time -----------------------------------------------------------------

# now_ms: print the wall-clock time in milliseconds.
now_ms() {
	local t=$EPOCHREALTIME
	echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 ))
}

# elapsed_since T0: print the milliseconds since now_ms printed T0.
elapsed_since() {
	echo $(( $(now_ms) - $1 ))
}

# --- processes ------------------------------------------------------------

# mark BASE: set REPLY to a sleep duration unique to this test, BASE
# followed by digits (7.31 -> 7.31412312345, 30. -> 30.412312345), so that
# concurrent runs never see each other's processes.  teardown kills its
# sleeps if a failing test left them behind.
mark() {
	local m=$1$$$RANDOM
	MARKS+=("$m")
	REPLY=$m
}

# pat DURATION: a pgrep -f regex for `sleep DURATION' alone, which matches
# neither the script text nor the arguments of the bash that started it.
pat() {
	printf 'sleep %s$' "${1//./[.]}"
}

# alive PID: succeed if process PID exists and is not a zombie.
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ]
}

# no_leftovers PATTERN: fail if a process whose command line matches
# PATTERN (a pgrep -f regex) is still alive (zombies do not count).
no_leftovers() {
	local pids p
	pids=$(pgrep -f -- "$1") || return 0
	for p in $pids; do
		alive "$p" || continue
		echo "left behind: $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)" >&2
		return 1
	done
}

# gone PATTERN: wait (up to 15 s) until nothing matches PATTERN.
gone() {
	local i
	for ((i = 0; i < 150; i++)); do
		pgrep -f -- "$1" > /dev/null || break
		sleep 0.1
	done
	no_leftovers "$1"
}

# wait_procs N PATTERN: wait (up to 10 s) until at least N processes match
# PATTERN (a pgrep -f regex).
wait_procs() {
	local end
	end=$(( $(now_ms) + 10000 ))
	while (( $(pgrep -cf -- "$2") < $1 )); do
		(( $(now_ms) < end )) ||
		    fail "never saw $1 processes matching '$2'${TM:+; pane:
$(pane)}"
		sleep 0.02
	done
}

# --- child shells ---------------------------------------------------------

# BG_LOAD: the first line of every child script: load the builtins, or
# exit 99.
BG_LOAD='enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
'

# BG_CHILD_HELPERS: functions that bgsh and psh scripts can call.
#   ms_since T   the milliseconds since T, an earlier $EPOCHREALTIME
#   rss_kb       the shell's VmRSS in kB, in REPLY (no fork)
#   peak_init / peak_enter / peak_leave / peak_max: count the jobs that
#                run at once (each job calls enter and leave around its work)
#   pause SECS   wait without forking (a foreground command makes bash tidy
#                its job table, which some tests must avoid); bgsh only: it
#                reads from the fifo on fd 9 that BG_PAUSE_FD opens
#   await FILE   wait (up to 10 s) until FILE exists, for jobs that say
#                they are ready; bgsh only, as it pauses
BG_CHILD_HELPERS='ms_since() { local n=$EPOCHREALTIME; echo $(( (${n/./} - ${1/./}) / 1000 )); }
rss_kb() { local k v r; while read -r k v r; do [ "$k" = VmRSS: ] && REPLY=$v; done < /proc/$BASHPID/status; }
peak_init() { PEAKDIR=$(mktemp -d "$BATS_TEST_TMPDIR/peak.XXXXXX"); mkdir "$PEAKDIR/run" "$PEAKDIR/seen"; }
peak_enter() { local n; mkdir "$PEAKDIR/run/$BASHPID"; n=$(ls "$PEAKDIR/run" | wc -l); echo "$n" > "$PEAKDIR/seen/$BASHPID"; }
peak_leave() { rmdir "$PEAKDIR/run/$BASHPID"; }
peak_max() { cat "$PEAKDIR"/seen/* | sort -n | tail -n 1; }
pause() { read -t "$1" -u 9 || :; }
await() { local i; for ((i = 0; i < 1000; i++)); do [[ -e $1 ]] && return; pause 0.01; done; return 1; }
'

# BG_PAUSE_FD: open fd 9 on a fifo nobody writes to, for pause; exit 98
# if that fails.
BG_PAUSE_FD='pause_fifo=$(mktemp -u) && mkfifo "$pause_fifo" && exec 9<>"$pause_fifo" &&
    rm -f "$pause_fifo" || exit 98
'

# bg_bash SCRIPT [ARGS...]: run SCRIPT in a new non-interactive bash with
# the builtins loaded.  Use with `run'.
bg_bash() {
	local script=$1
	shift
	bash -c "$BG_LOAD$script" bg_bash "$@"
}

# bg_bash_dfl SCRIPT [ARGS...]: bg_bash with SIGINT and SIGQUIT at their
# defaults; bats started in the background has them ignored, and an ignored
# signal stays ignored in the shell's children.
bg_bash_dfl() {
	local script=$1
	shift
	env --default-signal=INT,QUIT bash -c "$BG_LOAD$script" bg_bash "$@"
}

# bg_timed LIMIT NAME SCRIPT [ARG...]: run SCRIPT in a new bash as $0 NAME,
# killed after LIMIT seconds (a hang fails the test instead of blocking the
# suite; KILL 5 s later), with every signal at its default disposition (a
# shell started from a background job has INT ignored).  bats' own fd 3
# stays out of the script; on a timeout, every process the script left
# (found by a variable in its environment) gets KILL too: timeout(1)
# reaches only its child's group, and a hung subshell that caught TERM
# would otherwise hold a pipe of whoever ran the suite open for good.
bg_timed() {
	local limit=$1 name=$2 script=$3 tag st=0
	shift 3
	tag=$BATS_TEST_TMPDIR/bg_timed.$((++BG_TIMED_N))
	BG_TIMED_TAG=$tag timeout -k 5 "$limit" env --default-signal \
	    bash -c "$script" "$name" "$@" 3>&- || st=$?
	case $st in 124 | 137) kill_tagged "$tag" ;; esac
	return "$st"
}

# kill_tagged TAG: send KILL to every process whose environment has
# BG_TIMED_TAG=TAG.
kill_tagged() {
	local f
	for f in /proc/[0-9]*/environ; do
		grep -qzxF "BG_TIMED_TAG=$1" "$f" 2> /dev/null &&
		    kill -KILL "${f//[^0-9]/}" 2> /dev/null
	done
	return 0
}

# psh SCRIPT [ARG...]: run SCRIPT under bg_timed with the builtins and
# BG_CHILD_HELPERS loaded, with a limit of PSH_LIMIT seconds (default 60);
# its output goes straight to ours.
psh() {
	local script=$1
	shift
	bg_timed "${PSH_LIMIT:-60}" psh "$BG_LOAD$BG_CHILD_HELPERS$script" "$@"
}

# bgsh SCRIPT [ARG...]: as psh with a 60 s limit and fd 9 open for pause,
# but with the script's output in files (printed afterwards, stdout
# first), so that a process it leaves behind cannot hold bats' pipe open.
bgsh() {
	local script=$1 out=$BATS_TEST_TMPDIR/bgsh.$((++BGSH_N)) st=0
	shift
	bg_timed 60 bgsh "$BG_LOAD$BG_CHILD_HELPERS$BG_PAUSE_FD$script" "$@" \
	    > "$out.stdout" 2> "$out.stderr" || st=$?
	cat "$out.stdout"
	cat "$out.stderr" >&2
	return $st
}

# --- a victim script, signalled from outside ------------------------------
#
# A file that uses start_victim defines victim_script (print the victim
# script's body: `fixture NAME' for a file in tests/fixtures) and victim_ready MODE (succeed once the victim is blocked
# where the test wants it, judging by the files it wrote in $D).  The
# victim gets MODE TRAPSIG SETM MARK DIR; before its body, it loads the
# builtins, sets mode, trapsig, setm, m and dir from them, and turns on
# set -m if SETM is 1.

# fixture NAME: print tests/fixtures/NAME, a script the tests run (real
# files, so that shellcheck reads them: tests/shellcheck.bats).
fixture() {
	cat "$BATS_TEST_DIRNAME/fixtures/$1"
}

# start_victim MODE TRAPSIG SETM: start the victim in the background with
# SIGINT, SIGTERM and SIGHUP at their defaults (a `&' job of a
# non-interactive shell would have SIGINT ignored), wait (up to 10 s)
# until it is ready, then 0.3 s more for it to get into the wait itself.
# Sets VICTIM (its pid), M (a mark for its sleeps) and D (its directory;
# D/out gets its output).
start_victim() {
	local i
	mark 7.5; M=$REPLY
	D=$BATS_TEST_TMPDIR/v$RANDOM
	mkdir -p "$D"
	{
		printf '%s' "$BG_LOAD"
		echo 'mode=$1 trapsig=$2 setm=$3 m=$4 dir=$5'
		echo '[ "$setm" = 1 ] && set -m'
		victim_script
	} > "$BATS_TEST_TMPDIR/victim.sh"
	env --default-signal=INT,TERM,HUP bash "$BATS_TEST_TMPDIR/victim.sh" \
	    "$1" "$2" "$3" "$M" "$D" > "$D/out" 2>&1 &
	VICTIM=$!
	for ((i = 0; i < 500; i++)); do
		victim_ready "$1" && break
		sleep 0.02
	done
	victim_ready "$1" || fail "victim never got ready: $(cat "$D/out")"
	sleep 0.3
}

# reap_victim: wait (up to 10 s) for the victim to end; set VSTATUS.
reap_victim() {
	local i ended=
	for ((i = 0; i < 1000; i++)); do
		alive "$VICTIM" || { ended=1; break; }
		sleep 0.01
	done
	[ -n "$ended" ] || fail "victim still running after 10s: $(cat "$D/out")"
	VSTATUS=0
	wait "$VICTIM" || VSTATUS=$?
	VICTIM=
}

# signal_victim SIG MODE TRAPSIG SETM: start_victim MODE TRAPSIG SETM, send
# it SIG, reap_victim; set VMS to the milliseconds from the kill until the
# victim was reaped.
signal_victim() {
	local t0
	start_victim "$2" "$3" "$4"
	t0=$(now_ms)
	kill -"$1" "$VICTIM"
	reap_victim
	VMS=$(elapsed_since "$t0")
}

# --- an interactive bash under tmux ---------------------------------------

# require_tmux: skip the test if tmux is not installed.
require_tmux() {
	command -v tmux > /dev/null || skip "no tmux"
}

# tm ARGS...: tmux on this test's own server, whose socket lives in the
# test's temporary directory (bats removes it).
tm() {
	env -u TMUX tmux -S "$TM" "$@"
}

# pane: the whole pane and its history, wrapped lines joined, trailing
# blanks (kept by -J) removed.
pane() {
	tm capture-pane -p -J -S - 2>/dev/null | sed 's/[[:space:]]*$//'
}

# wait_for REGEX [SECONDS]: poll the pane until a line matches REGEX.
wait_for() {
	local re=$1 secs=${2:-10} end
	end=$(( $(now_ms) + secs * 1000 ))
	while (( $(now_ms) < end )); do
		pane | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	fail "no line matching '$re' within ${secs}s; pane:
$(pane)"
}

# wait_last REGEX [SECONDS]: poll the pane until its last non-empty line
# matches REGEX.
wait_last() {
	local re=$1 secs=${2:-10} end
	end=$(( $(now_ms) + secs * 1000 ))
	while (( $(now_ms) < end )); do
		pane | grep -v '^$' | tail -n 1 | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	fail "the last line never matched '$re' within ${secs}s; pane:
$(pane)"
}

# wait_prompt [SECONDS]: poll until the last non-empty line is a bare prompt.
wait_prompt() {
	wait_last '^bgt>$' "${1:-10}"
}

# type_line TEXT: type TEXT and Enter at the prompt.
type_line() {
	tm send-keys -l -- "$1"
	tm send-keys Enter
}

# run_line TEXT [SECONDS]: type TEXT and wait for the prompt to come back.
run_line() {
	type_line "$1"
	wait_prompt "${2:-10}"
}

# start_shell: start `bash --norc -i' (prompt "bgt> ", a clean
# environment, HOME the test's temporary directory) in a 200x50 tmux pane,
# load the builtins there and set SHPID to its pid.
start_shell() {
	local cmd
	TM=$BATS_TEST_TMPDIR/tmux.sock
	cmd=$(printf '%q ' env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" \
	    TERM=xterm HISTFILE=/dev/null PS1='bgt> ' \
	    BGTOOLS_SO="$BGTOOLS_SO" BGTOOLS_BUILTINS="$BGTOOLS_BUILTINS" \
	    bash --norc --noprofile -i)
	tm new-session -d -x 200 -y 50 "$cmd"
	wait_prompt
	run_line 'enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS && echo $$ > ~/shpid && echo LOADED'
	wait_for '^LOADED$'
	SHPID=$(cat "$BATS_TEST_TMPDIR/shpid")
}
