#!/bin/bash
# bench/jobinfo.sh - the cost of one jobinfo call against ps.
#
#   a. 100 background jobs: `jobinfo > file' (CPU and RSS summed over
#      each job's whole tree, one pass over /proc) vs `ps -o
#      pid,pgid,stat,etimes,time,rss,args --ppid $$ > file' (the shell's
#      children only, not their trees).  Target: faster.
#   b. 1,000 jobs, jobinfo alone: for information (cheap enough to call
#      every second means well under 100 ms).
#
# Medians of interleaved runs; every run checks the line count.  About
# 20 s.
#
# Usage: bash bench/jobinfo.sh   (BGTOOLS_SO; BENCH_RUNS_SCALE scales runs)

. "$(dirname "$0")/lib.sh"
bench_init "jobinfo: one call with 100 and 1,000 jobs vs ps --ppid" jobinfo

# start N: N more background jobs, each a sleep.
start() {
	local i
	for ((i = 0; i < $1; i++)); do
		sleep 600 &
	done
}

# count FILE WANT WHAT: fail unless FILE has WANT lines.
count() {
	local got
	got=$(wc -l < "$1")
	[ "$got" = "$2" ] || bench_fail "$3: $got lines, expected $2"
}

start 100
bench_sleep 0.5
n=$(bench_runs 30)
ji=() ps=() ps1k=()
for ((i = 0; i < n; i++)); do
	bench_time_us t jobinfo > "$BENCH_TMP/ji"
	count "$BENCH_TMP/ji" 100 jobinfo
	ji+=("$t")
	bench_time_us t ps -o pid,pgid,stat,etimes,time,rss,args --ppid $$ > "$BENCH_TMP/ps"
	count "$BENCH_TMP/ps" 102 ps	# ps itself and its header
	ps+=("$t")
done
bench_median m_ji "${ji[@]}"
bench_median m_ps "${ps[@]}"
bench_row "a. 100 jobs: jobinfo vs ps --ppid" "$m_ji" "$m_ps" "faster" \
    "$(bench_met "$m_ji" -lt "$m_ps")"

start 900
bench_sleep 1
big=()
for ((i = 0; i < n; i++)); do
	bench_time_us t jobinfo > "$BENCH_TMP/ji"
	count "$BENCH_TMP/ji" 1000 jobinfo
	big+=("$t")
	bench_time_us t ps -o pid,pgid,stat,etimes,time,rss,args --ppid $$ > "$BENCH_TMP/ps"
	ps1k+=("$t")
done
bench_median m_big "${big[@]}"
bench_median m_ps1k "${ps1k[@]}"
bench_row "b. 1,000 jobs: jobinfo vs ps --ppid" "$m_big" "$m_ps1k" \
    "< 100 ms" "$(bench_met "$m_big" -lt 100000)"
# shellcheck disable=SC2046 # one word a pid, as kill wants
kill $(jobs -p) 2> /dev/null
bench_table
