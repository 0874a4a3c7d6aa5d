#!/bin/bash
# bench/persist.sh - pool --persist against the forking mode and the peers.
#
# Two workloads at -j2, medians of 5 (BENCH_RUNS_SCALE scales), µs/item:
#   colon  f(){ :; } over 20,000 items, every item's status checked
#          (pool --status-array: 20,000 zeros).  Target for pool --persist: <= 3.3.
#   echo   f(){ echo "$1"; } with -k into a file, checked byte for byte
#          against seq.  Target for pool --persist: <= 5.
# Rows: pool --persist; pool forking (-u --status-array / -k); forkrun v3.4.3 batched
# (thousands of lines per call: its function loops over "$@"; no per-item
# status) and -L 1 (one line per call); GNU parallel 20260522 --fast
# (`:' and `echo' as commands: its /bin/sh chunks cannot call a bash
# function); a bash loop (`f "$i" &' and `wait -n' when 2 run, its
# statuses collected; colon only, it has no order).  The forking rows run
# FORK_ITEMS items (they cost about 1 ms an item); µs/item is comparable.
# A missing peer is skipped with a note.  Ratio: the row's µs/item over
# pool --persist's.
#
# Then --timeout 1ms on TIMEOUT_ITEMS (default 1000) items that each run
# `sleep 1': every item is stopped (--status-array checked: all 143), in --persist
# (a new worker per item) and in forking mode; medians of 5, µs/item.
#
# Usage: bash bench/persist.sh   (BGTOOLS_SO, BENCH_RUNS_SCALE: lib.sh)

. "$(dirname "$0")/lib.sh"
bench_init "pool --persist: 20,000 small items at -j2, µs per item" pool

ITEMS=20000
FORK_ITEMS=500
PEERS=$(dirname "$0")/../../shared/peers
FRUN=$PEERS/forkrun/frun.bash
PARALLEL_DIR=$PEERS/gnu-parallel
RESULTS=()

f() { :; }
g() { echo "$1"; }
# forkrun batched: one call gets many lines.
fb() { :; }
gb() { printf '%s\n' "$@"; }

seq "$ITEMS" > "$BENCH_TMP/items"
seq "$FORK_ITEMS" > "$BENCH_TMP/items.fork"
# shellcheck disable=SC2034 # used in the strings measure evaluates
mapfile -t items < "$BENCH_TMP/items"
# shellcheck disable=SC2034 # likewise
mapfile -t fitems < "$BENCH_TMP/items.fork"

# check_zeros N: fail unless st holds N statuses, all 0.
check_zeros() {
	local all=" ${st[*]} "
	((${#st[@]} == $1)) || bench_fail "${#st[@]} statuses, expected $1"
	[[ $all =~ \ [^0\ ] ]] && bench_fail "a status is not 0: ${BASH_REMATCH[0]}"
	return 0
}

# check_out FILE N: fail unless FILE is seq N byte for byte.
check_out() {
	seq "$2" | cmp -s - "$1" || bench_fail "$3: output differs from seq $2"
}

# per_item US N: print US/N with one decimal.
per_item() {
	awk -v u="$1" -v n="$2" 'BEGIN { printf "%.1f", u / n }'
}

# measure NAME N COLON-CMD ECHO-CMD: time each command 5 times (ECHO-CMD
# writes $BENCH_TMP/out; "" skips it) and add a result row.
measure() {
	local name=$1 n=$2 c=$3 e=$4 i t runs
	local -a tc=() te=()
	runs=$(bench_runs 5)
	for ((i = 0; i < runs; i++)); do
		st=()
		bench_time_us t eval "$c" || bench_fail "$name: status $?"
		[[ $c == *--status-array* ]] && check_zeros "$n"
		tc+=("$t")
		if [ -n "$e" ]; then
			bench_time_us t eval "$e" > "$BENCH_TMP/out" ||
			    bench_fail "$name (echo): status $?"
			check_out "$BENCH_TMP/out" "$n" "$name"
			te+=("$t")
		fi
	done
	bench_median mc "${tc[@]}"
	me=
	[ -n "$e" ] && bench_median me "${te[@]}"
	RESULTS+=("$name|$(per_item "$mc" "$n")|${me:+$(per_item "$me" "$n")}")
}

# loop_run N: the bash loop over 1..N, 2 at a time; fail on a bad status.
loop_run() {
	local i r=0 k=0
	for ((i = 1; i <= $1; i++)); do
		f "$i" &
		if ((++k >= 2)); then
			wait -n || r=1
			((k--))
		fi
	done
	while ((k-- > 0)); do wait -n || r=1; done
	return "$r"
}

measure "pool --persist (-u --status-array / -k)" "$ITEMS" \
    'pool --persist -j2 -u --status-array st f ::: "${items[@]}"' \
    'pool --persist -j2 -k g ::: "${items[@]}"'
measure "pool forking (-u --status-array / -k), $FORK_ITEMS items" "$FORK_ITEMS" \
    'pool -j2 -u --status-array st f ::: "${fitems[@]}"' \
    'pool -j2 -k g ::: "${fitems[@]}"'
if [ -r "$FRUN" ]; then
	# frun.bash is not written for set -u.
	set +u
	# shellcheck source=/dev/null # a peer's file, outside the repository
	. "$FRUN"
	measure "forkrun batched (no per-item status)" "$ITEMS" \
	    'frun -j 2 fb < "$BENCH_TMP/items" 2> /dev/null' \
	    'frun -j 2 -k gb < "$BENCH_TMP/items" 2> /dev/null'
	measure "forkrun -L 1 (no per-item status)" "$ITEMS" \
	    'frun -j 2 -L 1 f < "$BENCH_TMP/items" 2> /dev/null' \
	    'frun -j 2 -k -L 1 g < "$BENCH_TMP/items" 2> /dev/null'
	set -u
else
	bench_note "forkrun rows skipped: no $FRUN"
fi
if [ -x "$PARALLEL_DIR/parallel" ]; then
	measure "GNU parallel 20260522 --fast (: and echo)" "$ITEMS" \
	    'PATH=$PARALLEL_DIR:$PATH parallel --fast -j2 : ::: "${items[@]}"' \
	    'PATH=$PARALLEL_DIR:$PATH parallel --fast -j2 -k echo ::: "${items[@]}"'
else
	bench_note "GNU parallel --fast row skipped: no $PARALLEL_DIR/parallel"
fi
measure "bash f & + wait -n loop, $FORK_ITEMS items" "$FORK_ITEMS" \
    'loop_run "$FORK_ITEMS"' ""

# The table: µs per item, and the ratio to pool --persist's.
IFS='|' read -r _ base_c base_e <<< "${RESULTS[0]}"
out=$(
	printf '### %s\n\n' "$BENCH_TITLE"
	printf '| tool | colon µs/item | ratio | echo -k µs/item | ratio |\n'
	printf '|---|---:|---:|---:|---:|\n'
	for r in "${RESULTS[@]}"; do
		IFS='|' read -r name c e <<< "$r"
		printf '| %s | %s | %s | %s | %s |\n' "$name" "$c" \
		    "$(awk -v a="$c" -v b="$base_c" 'BEGIN { printf "%.2f", a / b }')" \
		    "${e:-n/a}" "$([ -n "$e" ] && awk -v a="$e" -v b="$base_e" \
		    'BEGIN { printf "%.2f", a / b }' || echo n/a)"
	done
	printf '\nTargets for pool --persist: colon <= 3.3 µs/item (%s), ' \
	    "$(awk -v c="$base_c" 'BEGIN { print (c <= 3.3) ? "met" : "not met" }')"
	printf 'echo -k <= 5 µs/item (%s).\n' \
	    "$(awk -v e="$base_e" 'BEGIN { print (e <= 5) ? "met" : "not met" }')"
)
# --timeout: every item stopped, in both modes.
TIMEOUT_ITEMS=${TIMEOUT_ITEMS:-1000}
sl() { sleep 1; }
check_143() {
	local all=" ${st[*]} "
	((${#st[@]} == TIMEOUT_ITEMS)) || bench_fail "${#st[@]} statuses"
	[[ $all =~ \ ([^1\ ]|1[^4]|14[^3]) ]] && bench_fail "a status is not 143"
	return 0
}
# timeout_row MODE: set TROW to MODE's median µs/item.
timeout_row() {
	local -a tt=()
	local i t
	for ((i = 0; i < $(bench_runs 5); i++)); do
		st=()
		bench_time_us t pool ${1:+"$1"} -j2 --status-array st --timeout 1ms sl \
		    ::: $(seq "$TIMEOUT_ITEMS")
		check_143
		tt+=("$t")
	done
	bench_median t "${tt[@]}"
	TROW=$(per_item "$t" "$TIMEOUT_ITEMS")
}
timeout_row --persist
tp=$TROW
timeout_row ""
tf=$TROW
out+=$(
	printf '\n\n| --timeout 1ms, %s items of `sleep 1`, -j2 | µs/item |\n' "$TIMEOUT_ITEMS"
	printf '|---|---:|\n| pool --persist | %s |\n| pool forking | %s |\n' "$tp" "$tf"
	printf '\nRatio persist/forking: %s (target: within 2x).\n' \
	    "$(awk -v a="$tp" -v b="$tf" 'BEGIN { printf "%.2f", a / b }')"
)
printf '%s\n' "$out"
if [ -n "${BENCH_RESULTS:-}" ]; then
	mkdir -p "$BENCH_RESULTS" && printf '%s\n' "$out" > "$BENCH_RESULTS/$BENCH_NAME.md"
fi
