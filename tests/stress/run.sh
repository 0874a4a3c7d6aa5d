#!/usr/bin/env bash
# run.sh - the long reliability trials: nothing lost, nothing left behind,
# signals at random moments.  The trials are the functions of
# tests/reliability_helper.bash (tests/reliability.bats runs a few of
# each); here each scenario runs many, some side by side.
#
# Usage: tests/stress/run.sh [-j LANES] [-s SEED] [-n MAX] [SCENARIO...]
#        tests/stress/run.sh -t 'TRIAL'     (one trial, e.g. 'rel_random 4242')
#        tests/stress/run.sh -l             (list the scenarios)
#
# Prints a line per scenario as it ends, then the table
#   | scenario | trials | failures |
# and the messages of the failed trials (each named by the line that
# reruns it with -t; their files are kept); exits 1 if a trial failed.
# A scenario whose tool (tmux, strace) is missing runs no trial.  About 7
# minutes on 2 cores (more when busy); -n MAX runs at most MAX trials of
# each scenario, spread over its list (CI's short run).  The trials use a copy of bgtools.so (BGTOOLS_SO,
# default the one in the source tree), so a rebuild meanwhile does not
# disturb them.

here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
SEED=$((RANDOM * 32768 + RANDOM))
LANES=3
ONE=
LIST=
MAX=
while getopts j:s:t:ln: opt; do
	case $opt in
	j) LANES=$OPTARG ;;
	s) SEED=$OPTARG ;;
	t) ONE=$OPTARG ;;
	l) LIST=1 ;;
	n) MAX=$OPTARG ;;
	*) sed -n "7,9s/^# //p" "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# --- the helpers, outside bats --------------------------------------------

# test_helper.bash loads bats' libraries and uses `fail': stand-ins.
bats_load_library() { :; }
fail() {
	printf '%s\n' "$*" >&2
	return 1
}
BATS_TEST_DIRNAME=$tests
. "$tests/test_helper.bash"
. "$tests/reliability_helper.bash"

# --- the scenarios --------------------------------------------------------

# Each scenario: an id, how many trials run side by side, a title, and a
# function trials_ID that prints one trial (a command line) per line.
SC_ID=() SC_LANES=() SC_TITLE=()
scenario() {
	SC_ID+=("$1")
	SC_LANES+=("$2")
	SC_TITLE+=("$3")
}

scenario pool100k 1 "nothing lost: 100,000 pool jobs, every --status-array status (-j4 -u)"
trials_pool100k() {
	echo "rel_lost_pool 100000 $SEED -j4 -u"
}

scenario poolout 2 "nothing lost: 10,000 pool jobs, grouped -k / sh -c --line-buffer"
trials_poolout() {
	echo "rel_lost_pool 10000 $((SEED + 1)) -j3 -k"
	echo "rel_lost_pool 10000 $((SEED + 2)) disk -j4 --line-buffer"
}

scenario waitany 2 "nothing lost: 1,000 & jobs drained by waitany (plain, jobs between, interleaved, set -m) or waitall -a"
trials_waitany() {
	local mode i
	for mode in plain jobs interleave setm waitall; do
		for i in 1 2; do
			echo "rel_lost_waitany 1000 $((SEED + i)) $mode"
		done
	done
}

scenario interactive 1 "nothing lost: 1,000 jobs drained by waitany in bash -i after their Done notices"
trials_interactive() {
	command -v tmux > /dev/null || return 0
	echo "rel_lost_interactive 1000 $SEED plain"
	echo "rel_lost_interactive 1000 $((SEED + 1)) jobs"
}

scenario paths 2 "nothing left behind: every path of every builtin, ~70 calls (set -m or not)"
trials_paths() {
	local b m
	for b in pool timeout_run retry every waitany waitall killjobs; do
		for m in 0 1; do
			echo "rel_paths $b $m"
		done
	done
}

scenario signals 3 "nothing left behind: TERM/INT/HUP/Ctrl-C, trapped INT/TERM/HUP/USR1, set -e; 9 builtins x set -m or not"
trials_signals() {
	local b h m
	for b in pool timeout_run retry retry_t every every_t waitany waitall killjobs; do
		for h in TERM INT HUP group trapped:USR1 trapped:INT trapped:TERM trapped:HUP sete; do
			for m in 0 1; do
				echo "rel_sigpath $b $h $m"
			done
		done
	done
}

scenario ctrlc 1 "nothing left behind: interactive Ctrl-C in each of 9 builtins"
trials_ctrlc() {
	command -v tmux > /dev/null || return 0
	echo "rel_ctrl_c pool timeout_run retry retry_t every every_t waitany waitall killjobs"
}

scenario random 3 "signals at random moments: pool, timeout_run, retry, every (shell or child), waitany loop"
trials_random() {
	local i
	for ((i = 0; i < 200; i++)); do
		echo "rel_random $((SEED + i))"
	done
}

scenario busy 3 "signals at random moments: trapped, while retry/every run shell code"
trials_busy() {
	local i b
	for ((i = 0; i < 40; i++)); do
		b=retry_busy
		(( i % 2 )) && b=every_busy
		echo "rel_random $((SEED + 1000 + i)) $b 'INT TERM HUP USR1'"
	done
}

scenario trees 3 "whole trees: nested timeout_run/pool, setsid, daemons, a script's & jobs; stopped at random moments"
trials_trees() {
	local i
	for ((i = 0; i < 120; i++)); do
		echo "rel_tree $((SEED + 2000 + i))"
	done
}

scenario forkwin 2 "nothing left behind: TERM during the fork of a job (strace holds it)"
trials_forkwin() {
	command -v strace > /dev/null || return 0
	echo "rel_fork_race 'timeout_run 10 f'"
	echo "rel_fork_race 'pool -j2 f ::: 1 2'"
	echo "rel_fork_race 'retry -q -n 2 -t 10 f'"
	echo "rel_fork_race 'every -n 2 -t 10 1 f'"
}

scenario usr1 2 "nothing left behind: untrapped USR1 in pool, timeout_run, retry -t, every -t"
trials_usr1() {
	local b
	for b in pool timeout_run retry_t every_t; do
		echo "rel_sigpath $b USR1 0"
	done
}

scenario output 2 "nothing lost or mixed: pool output through /dev/stdout, /proc/self/fd, exec >, late stragglers; grouped, -k, --line-buffer, ulimit -n 40"
trials_output() {
	local mode i
	for mode in --group -k --line-buffer; do
		for i in 1 2 3 4; do
			echo "rel_output $((SEED + i)) $mode"
		done
		echo "rel_output $((SEED + 5)) $mode 40"
	done
}

scenario fullpipe 2 "nothing left behind: TERM/INT/HUP at random moments to a pool whose output pipe is full, 4 output modes"
trials_fullpipe() {
	local mode sig i=0
	for mode in --group -k --line-buffer -u; do
		for sig in TERM INT HUP; do
			echo "rel_fullpipe $((SEED + i++)) $mode $sig"
		done
	done
}

# --- running trials -------------------------------------------------------

# spread: of the lines on stdin, at most MAX, evenly spaced (all without -n).
spread() {
	local lines i
	mapfile -t lines
	if [ -z "$MAX" ] || (( ${#lines[@]} <= MAX )); then
		(( ${#lines[@]} == 0 )) || printf '%s\n' "${lines[@]}"
		return
	fi
	for ((i = 0; i < MAX; i++)); do
		printf '%s\n' "${lines[i * ${#lines[@]} / MAX]}"
	done
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bgtools-stress.XXXXXX")
KEEP=
trap '[ -n "$KEEP" ] || rm -rf "$WORK"' EXIT
src=${BGTOOLS_SO:-$tests/../bgtools.so}
[ -f "$src" ] || { echo "run.sh: $src: no such file (run make)" >&2; exit 2; }
cp "$src" "$WORK/bgtools.so"
export BGTOOLS_SO=$WORK/bgtools.so

# trial LINE LOG: run one trial as bats would run a test (set -e, then
# the teardowns); its output goes to LOG.  Return its status.
trial() {
	(
		BATS_TEST_TMPDIR=$(mktemp -d "$WORK/trial.XXXXXX")
		export BATS_TEST_TMPDIR
		set -e
		trap 'rel_teardown; teardown' EXIT
		eval "$1"
	) > "$2" 2>&1 < /dev/null
}

# lane N LANES RESULTS: run trials N, N+LANES, ... of the list on stdin,
# appending "ok|FAIL<TAB>LINE<TAB>LOG" to RESULTS.
lane() {
	local n=$1 lanes=$2 results=$3 i=0 line log res
	while IFS= read -r line; do
		if (( i++ % lanes == n )); then
			log=$WORK/log.$n.$i
			# Not in a condition: that would turn off set -e in it.
			trial "$line" "$log"
			res=$?
			(( res == 0 )) && res=ok || res=FAIL
			printf '%s\t%s\t%s\n' "$res" "$line" "$log" >> "$results"
		fi
	done
}

if [ -n "$LIST" ]; then
	for i in "${!SC_ID[@]}"; do
		printf '%-12s %s\n' "${SC_ID[i]}" "${SC_TITLE[i]}"
	done
	exit 0
fi

if [ -n "$ONE" ]; then
	trial "$ONE" "$WORK/one.log"
	st=$?
	cat "$WORK/one.log"
	echo "$( ((st)) && echo FAIL || echo ok ): $ONE"
	exit $(( st != 0 ))
fi

[ $# -gt 0 ] || set -- "${SC_ID[@]}"
echo "stress: seed $SEED (rerun with -s $SEED), up to $LANES trials at a time"
t_all=$(now_ms)
rows=() failed=0 details=
for id in "$@"; do
	for i in "${!SC_ID[@]}"; do
		[ "${SC_ID[i]}" = "$id" ] && break
	done
	[ "${SC_ID[i]}" = "$id" ] || { echo "run.sh: $id: no such scenario" >&2; exit 2; }
	lanes=${SC_LANES[i]}
	(( lanes > LANES )) && lanes=$LANES
	results=$WORK/results.$id
	: > "$results"
	"trials_$id" | spread > "$WORK/list.$id"
	t0=$(now_ms)
	for ((n = 0; n < lanes; n++)); do
		lane "$n" "$lanes" "$results" < "$WORK/list.$id" &
	done
	wait
	total=$(wc -l < "$results")
	bad=$(grep -c '^FAIL' "$results")
	secs=$(( ($(now_ms) - t0 + 500) / 1000 ))
	printf '%-12s %4d trials %3d failures %4ds  %s\n' "$id" "$total" "$bad" \
	    "$secs" "${SC_TITLE[i]}"
	rows+=("| ${SC_TITLE[i]} | $total | $bad |")
	failed=$((failed + bad))
	while IFS=$'\t' read -r res line log; do
		[ "$res" = FAIL ] || continue
		details+="
--- $id: -t \"$line\"
$(grep -v '^$' "$log" | head -n 15)"
	done < "$results"
done

echo
echo "| scenario | trials | failures |"
echo "|---|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "stress: $(( ($(now_ms) - t_all + 500) / 1000 ))s, $failed failed trials"
if [ -n "$details" ]; then
	KEEP=1
	printf '\nFailed trials (logs and directories kept in %s):%s\n' \
	    "$WORK" "$details"
fi
[ "$failed" -eq 0 ]
