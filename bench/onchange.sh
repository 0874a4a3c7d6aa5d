#!/bin/bash
# bench/onchange.sh - onchange's change-to-run latency against
# `inotifywait -m | while read' and entr.
#
# Each side watches a directory of its own and runs a command that
# appends $EPOCHREALTIME (or date's time) to a stamp file; the loop
# writes a file, noting the time just before, and waits for the new
# stamp.  Latency = stamp - write time, median of several runs, the
# sides interleaved.
#
#   a. a shell function: onchange -d 0 vs `inotifywait -m ... | while
#      read; do f; done' (f in the pipeline's subshell).  For information:
#      each onchange run is a child job (a fork of the shell, in a group
#      of its own so that it can be stopped), the loop runs f in its own
#      subshell with no fork, so the difference is the cost of that fork
#      (timeout_run f costs the same).
#   b. a disk command (sh -c 'date ...' on every side): onchange -d 0 vs
#      entr, which runs only disk commands.  Target: faster.
#   c. onchange with its default 100 ms debounce vs entr: for information
#      (the debounce is the price of one run per editor save).
#
# Needs inotify-tools and entr (make bench-deps).  About 30 s.
#
# Usage: bash bench/onchange.sh   (BGTOOLS_SO; BENCH_RUNS_SCALE scales runs)

. "$(dirname "$0")/lib.sh"
bench_init "onchange: change-to-run latency vs inotifywait | while read, entr" onchange

command -v inotifywait > /dev/null || bench_fail "no inotifywait (make bench-deps)"
command -v entr > /dev/null || bench_fail "no entr (make bench-deps)"

T=$BENCH_TMP
DATE_CMD='date +%s%6N >> "$0"'

# fn_stamp FILE: the function the shell-side watchers run.
fn_stamp() {
	echo "${EPOCHREALTIME/[^0-9]/}" >> "$1"
}

# side NAME: make NAME's watched directory and stamp file.
side() {
	mkdir -p "$T/$1"
	: > "$T/$1.stamps"
}

# await_line FILE N: wait (up to 5 s) until FILE has N lines.
await_line() {
	local i
	for ((i = 0; i < 5000; i++)); do
		(($(wc -l < "$1") >= $2)) && return 0
		bench_sleep 0.001
	done
	bench_fail "no run after a change (${1##*/})"
}

# probe NAME N VAR: write a file in NAME's directory, wait for stamp N,
# set VAR to the latency in microseconds.
probe() {
	local -n _p_var=$3
	local t0 last
	bench_now_us t0
	echo "$2" > "$T/$1/f"
	await_line "$T/$1.stamps" "$2"
	last=$(tail -n 1 "$T/$1.stamps")
	_p_var=$((last - t0))
	((_p_var >= 0)) || bench_fail "$1: stamp before the change"
	bench_sleep 0.15
}

for s in oc_fn iw_fn oc_cmd entr oc_deb; do side "$s"; done
touch "$T/entr/f"

onchange -d 0 -e write "$T/oc_fn" -- fn_stamp "$T/oc_fn.stamps" &
inotifywait -m -q -e close_write --format '%w%f' "$T/iw_fn" |
    while read -r _; do fn_stamp "$T/iw_fn.stamps"; done &
onchange -d 0 -e write "$T/oc_cmd" -- sh -c "$DATE_CMD" "$T/oc_cmd.stamps" &
echo "$T/entr/f" | entr -n -p sh -c "$DATE_CMD" "$T/entr.stamps" &
onchange -e write "$T/oc_deb" -- sh -c "$DATE_CMD" "$T/oc_deb.stamps" &
bench_sleep 0.5		# the watches are in place

n=$(bench_runs 15)
a_oc=() a_iw=() b_oc=() b_en=() c_oc=()
for ((i = 1; i <= n; i++)); do
	probe oc_fn "$i" t; a_oc+=("$t")
	probe iw_fn "$i" t; a_iw+=("$t")
	probe oc_cmd "$i" t; b_oc+=("$t")
	probe entr "$i" t; b_en+=("$t")
	probe oc_deb "$i" t; c_oc+=("$t")
done
killjobs -g 1

bench_median m_aoc "${a_oc[@]}"
bench_median m_aiw "${a_iw[@]}"
bench_median m_boc "${b_oc[@]}"
bench_median m_ben "${b_en[@]}"
bench_median m_coc "${c_oc[@]}"
bench_row "a. function: onchange -d 0 vs inotifywait -m \| while read" \
    "$m_aoc" "$m_aiw" "information" "-"
bench_row "b. disk command: onchange -d 0 vs entr" "$m_boc" "$m_ben" \
    "faster" "$(bench_met "$m_boc" -lt "$m_ben")"
bench_row "c. disk command: onchange (100 ms debounce) vs entr" "$m_coc" \
    "$m_ben" "information" "-"
bench_table
