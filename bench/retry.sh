#!/bin/bash
# bench/retry.sh - retry and every against a bash loop and Debian's retry.
#
#   a. per-attempt overhead: `retry -q -n 1000 -d 0 f' (f a shell function
#      returning 1) vs a hand-written bash loop calling f.  Target: ratio
#      <= 1.00.
#   b. `retry -n 1000 -d 0 false' vs the Debian retry tool
#      (`/usr/bin/retry -t 1000 -d 0 -- false'), per attempt.  Target:
#      faster.  bash's false is a builtin, so ours runs no process.
#   c. the same with /bin/false on both sides (a fork and exec per
#      attempt for both): for information.
#   d. delay accuracy: 5 sleeps of 50 ms to 253 ms (-b 1.5, --jitter
#      none); the worst gap between attempt starts minus the computed
#      delay, vs a hand loop with sleep(1).  Target: within 5 ms.
#   e. every's drift: how late tick 50 of `every 20ms f' starts (f takes
#      about 5 ms), vs `while sleep 0.02; do f; done'.  Target: < 5 ms.
#
# Both sides run interleaved in one loop, medians of at least 5 runs, and
# every run checks its status and attempt count.  Needs bash, bgtools.so,
# bench/lib.sh and (for b, c) the Debian package retry; prints one
# markdown table, saved as $BENCH_RESULTS/retry.md when BENCH_RESULTS is
# set (bench/run.sh sets it).  About a minute.
#
# Usage: bash bench/retry.sh   (BGTOOLS_SO; BENCH_RUNS_SCALE scales runs)

. "$(dirname "$0")/lib.sh"
bench_init "retry, every: overhead, delay accuracy, drift" retry every
DEBIAN_RETRY=/usr/bin/retry
[ -x "$DEBIAN_RETRY" ] ||
    bench_fail "$DEBIAN_RETRY not found (apt-get install retry)"

# --- a, b, c: per-attempt overhead ----------------------------------------

attempts=0
f() {
	attempts=$((attempts + 1))
	return 1
}

# hand_loop N: what scripts write by hand.
hand_loop() {
	local i
	for ((i = 1; i <= $1; i++)); do
		f && return 0
	done
	return 1
}

# check_attempts WANT WHAT: check f ran WANT times since the last check.
check_attempts() {
	[ "$attempts" = "$1" ] || bench_fail "$2: $attempts attempts, expected $1"
	attempts=0
}

a_bg=() a_alt=()
n=$(bench_runs 21)
bench_note "a. retry vs a bash loop, 1000 attempts of a function, $n runs"
for ((r = 0; r < n; r++)); do
	bench_time_us t retry -q -n 1000 -d 0 f
	bench_expect 1 $? "retry -q -n 1000 -d 0 f"
	check_attempts 1000 "retry -n 1000 f"
	a_bg+=("$t")
	bench_time_us t hand_loop 1000
	bench_expect 1 $? "hand_loop 1000"
	check_attempts 1000 "hand loop"
	a_alt+=("$t")
done
bench_median m_bg "${a_bg[@]}"
bench_median m_alt "${a_alt[@]}"
bench_row_unit \
    "a. per attempt: retry -q -n 1000 -d 0 f vs a bash for loop calling f" \
    "$m_bg" "$m_alt" µs 1000 "ratio <= 1.00" \
    "$(bench_met "$m_bg" -le "$m_alt")"

b_bg=() b_alt=()
n=$(bench_runs 5)
bench_note "b. retry vs Debian retry on false, 1000 attempts, $n runs"
for ((r = 0; r < n; r++)); do
	bench_time_us t retry -n 1000 -d 0 false 2>/dev/null
	bench_expect 1 $? "retry -n 1000 -d 0 false"
	b_bg+=("$t")
	bench_time_us t "$DEBIAN_RETRY" -t 1000 -d 0 -- false 2>/dev/null
	bench_expect 1 $? "$DEBIAN_RETRY -t 1000 -d 0 -- false"
	b_alt+=("$t")
done
bench_median m_bg "${b_bg[@]}"
bench_median m_alt "${b_alt[@]}"
bench_row_unit \
    "b. per attempt: retry -n 1000 -d 0 false vs Debian retry -t 1000 -d 0 false" \
    "$m_bg" "$m_alt" µs 1000 "faster" "$(bench_met "$m_bg" -lt "$m_alt")"

c_bg=() c_alt=()
bench_note "c. the same on /bin/false, 200 attempts, $n runs"
for ((r = 0; r < n; r++)); do
	bench_time_us t retry -n 200 -d 0 /bin/false 2>/dev/null
	bench_expect 1 $? "retry -n 200 -d 0 /bin/false"
	c_bg+=("$t")
	bench_time_us t "$DEBIAN_RETRY" -t 200 -d 0 -- /bin/false 2>/dev/null
	bench_expect 1 $? "$DEBIAN_RETRY -t 200 -d 0 -- /bin/false"
	c_alt+=("$t")
done
bench_median m_bg "${c_bg[@]}"
bench_median m_alt "${c_alt[@]}"
bench_row_unit \
    "c. per attempt: the same on /bin/false (fork and exec on both sides)" \
    "$m_bg" "$m_alt" µs 200 "(information)" "-"

# --- d. delay accuracy ----------------------------------------------------

# The delays with -d 50ms -b 1.5 --jitter none, in microseconds.
want=(50000 75000 112500 168750 253125)
stamps=()
stamp() {
	stamps+=("${EPOCHREALTIME/[^0-9]/}")
	return 1
}

# worst_error ARRAY: append to ARRAY the worst |gap - delay| of the 6
# stamps taken (us), and clear them.
worst_error() {
	local -n _we=$1
	local i gap err worst=0
	((${#stamps[@]} == 6)) || bench_fail "${#stamps[@]} attempts, expected 6"
	for i in 0 1 2 3 4; do
		gap=$((stamps[i + 1] - stamps[i]))
		err=$((gap - want[i]))
		err=${err#-}
		((err > worst)) && worst=$err
	done
	stamps=()
	_we+=("$worst")
}

# sleep_loop: the hand-written backoff with sleep(1), same delays.
sleep_loop() {
	local d
	stamp
	for d in 0.05 0.075 0.1125 0.16875 0.253125; do
		sleep "$d"
		stamp
	done
	return 1
}

d_bg=() d_alt=()
n=$(bench_runs 5)
bench_note "d. delay accuracy, 5 sleeps of 50 to 253 ms, $n runs"
for ((r = 0; r < n; r++)); do
	bench_time_us t retry -q -n 6 -d 50ms -b 1.5 --jitter none stamp
	bench_expect 1 $? "retry -q -n 6 -d 50ms -b 1.5 --jitter none stamp"
	worst_error d_bg
	bench_time_us t sleep_loop
	bench_expect 1 $? "sleep_loop"
	worst_error d_alt
done
bench_median m_bg "${d_bg[@]}"
bench_median m_alt "${d_alt[@]}"
bench_row_unit \
    "d. delay accuracy: worst error of 5 backoff sleeps vs sleep(1) in a loop" \
    "$m_bg" "$m_alt" ms 1000 "<= 5 ms" "$(bench_met "$m_bg" -le 5000)"

# --- e. every's drift -----------------------------------------------------

# work [TICK]: note when tick TICK (default: $EVERY_TICK) started, then
# keep busy for 5 ms.
ticks=()
work() {
	local end=$((${EPOCHREALTIME/[^0-9]/} + 5000))
	stamps+=("${EPOCHREALTIME/[^0-9]/}")
	ticks+=("${1-$EVERY_TICK}")
	while ((${EPOCHREALTIME/[^0-9]/} < end)); do :; done
	return 0
}

# late50 ARRAY: append to ARRAY how late the 50th run started against its
# slot, (tick - 1) x 20 ms after the first (us); clear the stamps.  A run
# delayed past its tick by a busy machine makes every skip to the next
# tick: that is on schedule again, not late.
late50() {
	local -n _l=$1
	((${#stamps[@]} == 50)) || bench_fail "${#stamps[@]} runs, expected 50"
	_l+=($((stamps[49] - stamps[0] - (ticks[49] - 1) * 20000)))
	stamps=() ticks=()
}

while_loop() {
	local k
	work 1
	for ((k = 2; k <= 50; k++)); do
		sleep 0.02
		work "$k"
	done
}

e_bg=() e_alt=()
bench_note "e. every 20ms vs a while-sleep loop, 50 ticks, $n runs"
for ((r = 0; r < n; r++)); do
	bench_time_us t every -n 50 20ms work
	bench_expect 0 $? "every -n 50 20ms work"
	late50 e_bg
	bench_time_us t while_loop
	bench_expect 0 $? "while_loop"
	late50 e_alt
done
bench_median m_bg "${e_bg[@]}"
bench_median m_alt "${e_alt[@]}"
bench_row_unit "e. drift: lateness of tick 50, every 20ms vs while sleep 0.02" \
    "$m_bg" "$m_alt" ms 1000 "< 5 ms" "$(bench_met "$m_bg" -lt 5000)"

bench_table
