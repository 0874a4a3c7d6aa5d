#!/bin/bash
# bench/core.sh - the core builtins against what bash and coreutils offer.
#
#   a. waitany wake-up latency vs `wait -n': from a job's last instruction
#      (it stamps $EPOCHREALTIME into a file, then exits) to the waiter's
#      return.  Target: no worse than `wait -n' (ratio <= 1.00).
#   b. timeout_run overshoot vs coreutils timeout on 10 ms, 250 ms and 1 s
#      limits (`sleep 5' under the limit; overshoot = wall time - limit).
#      Target: under 5 ms late and no later than coreutils.
#   c. the cost of a call that does not time out: `timeout_run 10 true'
#      vs `timeout 10 true' (and /bin/true on both sides, where both have
#      to exec).  Target: faster.
#
# Both sides run interleaved in the same loop; every run checks its exit
# status (and, for a, the pid reported).  About 40 s in all.
#
# Usage: bash bench/core.sh   (BGTOOLS_SO, BENCH_RUNS_SCALE: see lib.sh)

. "$(dirname "$0")/lib.sh"
bench_init "core: waitany, timeout_run"

# --- a. wake-up latency -------------------------------------------------

# latency_job FILE STATUS: the watched job.  It sleeps long enough for the
# parent to be waiting, writes its last timestamp to FILE (already open, so
# that only the exit remains) and exits with STATUS.
latency_job() {
	exec 4>"$1"
	bench_sleep 0.02
	printf '%s\n' "${EPOCHREALTIME/[^0-9]/}" >&4
	exit "$2"
}

# latency_sample WAITER: start one job, wait for it with WAITER (waitany
# or wait -n, both with -p and the job's pid), check the status and pid,
# and append the latency in microseconds to the array named lat_WAITER.
# The pid is given to both: waitany with no ID would also report the jobs
# `wait -n' already collected (see waitany's help: do not mix the two).
latency_sample() {
	local waiter=$1 want=$((RANDOM % 4)) pid got st t0 t1
	local stamp=$BENCH_TMP/stamp
	latency_job "$stamp" "$want" &
	pid=$!
	if [ "$waiter" = waitany ]; then
		waitany -p got "$pid"
	else
		wait -n -p got "$pid"
	fi
	st=$?
	bench_now_us t1
	bench_expect "$want" "$st" "$waiter (job $pid)"
	[ "${got-}" = "$pid" ] ||
	    bench_fail "$waiter -p reported '${got-}', expected $pid"
	read -r t0 < "$stamp" || bench_fail "no timestamp from job $pid"
	local -n lat=lat_${waiter% -n}
	lat+=($((t1 - t0)))
}

lat_waitany=()
lat_wait=()
n=$(bench_runs 400)
bench_note "a. wake-up latency, $n samples each"
for ((i = 0; i < n; i++)); do
	if ((i % 2)); then
		latency_sample waitany
		latency_sample "wait -n"
	else
		latency_sample "wait -n"
		latency_sample waitany
	fi
done
bench_median m_bg "${lat_waitany[@]}"
bench_median m_alt "${lat_wait[@]}"
bench_row "a. wake-up latency: waitany vs wait -n (median of $n)" \
    "$m_bg" "$m_alt" "ratio <= 1.00" \
    "$(bench_met_ratio "$m_bg" "$m_alt" 1.00)"

# --- b. timeout overshoot -----------------------------------------------

# overshoot_sample LIMIT LIMIT_US CMD...: run CMD LIMIT sleep 5, check it
# timed out (124), print the overshoot in microseconds.
overshoot_sample() {
	local limit=$1 limit_us=$2 t st
	shift 2
	bench_time_us t "$@" "$limit" sleep 5
	st=$?
	bench_expect 124 "$st" "$* $limit sleep 5"
	echo $((t - limit_us))
}

for spec in 0.01:10000:21 0.25:250000:9 1:1000000:5; do
	IFS=: read -r limit limit_us runs <<< "$spec"
	runs=$(bench_runs "$runs")
	bench_note "b. overshoot on a ${limit}s limit, $runs runs each"
	over_bg=()
	over_alt=()
	for ((i = 0; i < runs; i++)); do
		# Command substitution would add a fork to the measured time:
		# run in this shell and read the result from a file.
		overshoot_sample "$limit" "$limit_us" timeout_run \
		    > "$BENCH_TMP/o" || exit 1
		over_bg+=("$(< "$BENCH_TMP/o")")
		overshoot_sample "$limit" "$limit_us" timeout \
		    > "$BENCH_TMP/o" || exit 1
		over_alt+=("$(< "$BENCH_TMP/o")")
	done
	bench_median m_bg "${over_bg[@]}"
	bench_median m_alt "${over_alt[@]}"
	bench_row "b. overshoot, ${limit}s limit: timeout_run vs timeout (median of $runs)" \
	    "$m_bg" "$m_alt" "< 5 ms and <= timeout" \
	    "$(bench_met "$m_bg" -lt 5000 "$m_bg" -le "$m_alt")"
done

# --- c. per-call overhead -----------------------------------------------

# overhead_rows CMD RUNS: time RUNS calls of `timeout_run 10 CMD' and
# `timeout 10 CMD', interleaved, checking each status is 0.
overhead_rows() {
	local cmd=$1 runs t
	local -a bg=() alt=()
	runs=$(bench_runs "$2")
	bench_note "c. overhead of timeout 10 $cmd, $runs calls each"
	for ((i = 0; i < runs; i++)); do
		bench_time_us t timeout_run 10 "$cmd"
		bench_expect 0 $? "timeout_run 10 $cmd"
		bg+=("$t")
		bench_time_us t timeout 10 "$cmd"
		bench_expect 0 $? "timeout 10 $cmd"
		alt+=("$t")
	done
	bench_median m_bg "${bg[@]}"
	bench_median m_alt "${alt[@]}"
	bench_row "c. per call: timeout_run 10 $cmd vs timeout 10 $cmd (median of $runs)" \
	    "$m_bg" "$m_alt" "faster" "$(bench_met "$m_bg" -lt "$m_alt")"
}

overhead_rows true 200
overhead_rows /bin/true 100

bench_table
