#!/usr/bin/env bats
# pool --progress, --eta (GNU parallel's lines), --progress-every (plain
# lines for CI logs), --retry-failed, --timeout N%, --color and --ctag
# (issue 13).  Where
# Debian's `parallel' (20221122) or GNU parallel 20260522 in
# ../shared/peers is there, the expectation comes from it; the clock is
# kept out: counts are compared, seconds are masked.

load test_helper
bats_require_minimum_version 1.5.0

PEER=$BATS_TEST_DIRNAME/../../shared/peers/gnu-parallel/parallel

# need_gnu: skip without Debian's parallel.
need_gnu() {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
}

# masked: stdin with GNU's progress made comparable: the status line's
# last redraw only (after the last \r), seconds as S, "CPU cores" (20221122)
# as 20260522's "CPU threads", the noise of a missing /dev/tty dropped.
masked() {
	grep -v '/dev/tty' | sed -E -e 's/.*\r//' -e 's/\x1b\[K//g' \
	    -e 's/[0-9]+\.[0-9]+s/Ss/g' -e 's/ETA: [0-9]+s/ETA: Ns/' \
	    -e 's/CPU cores/CPU threads/'
}

# oddjob: a script that prints "run N" and fails for odd N, in $T.
oddjob() {
	T=$BATS_TEST_TMPDIR
	printf '#!/bin/sh\necho "run $1"\nexit $(($1 %% 2))\n' > "$T/odd"
	chmod +x "$T/odd"
}

# --- --progress and --eta ---------------------------------------------------

@test "pool --progress off a terminal: GNU's header and last status line, no \\r" {
	local err=$BATS_TEST_TMPDIR/err
	run -0 psh 'pool -j2 --progress echo ::: a b c 2>"$1"' "$err"
	assert_equal "$(sort <<<"$output")" $'a\nb\nc'
	run grep -c $'\r' "$err"
	assert_output 0
	run -0 masked < "$err"
	assert_output "
Computers / CPU threads / Max jobs to run
1:local / $(nproc) / 2

Computer:jobs running/jobs completed/%of started jobs/Average seconds to complete
local:0/3/100%/Ss "
}

@test "pool --progress: the header and the last status line are GNU parallel's" {
	local err=$BATS_TEST_TMPDIR/err theirs
	psh 'pool -j2 --progress true ::: a b c 2>"$1"' "$err"
	need_gnu
	# 20221122's header comes in varying order and parts, with status
	# lines between: its computer lines and last status line only.
	theirs=$(parallel -j2 --progress true ::: a b c 2>&1 | masked |
	    grep -E '^(Computers|1:local|local:0/3)' | sort -u)
	assert_equal "$(masked < "$err" | grep -E '^(Computers|1:local|local:0/3)' | sort -u)" "$theirs"
	[ -x "$PEER" ] || skip "GNU parallel 20260522 is not in ../shared/peers"
	theirs=$("$PEER" -j2 --progress true ::: a b c 2>&1 | masked)
	assert_equal "$(masked < "$err")" "$theirs"
}

@test "pool --eta: GNU parallel's ETA, Left and AVG before the status line" {
	local err=$BATS_TEST_TMPDIR/err theirs
	run -0 psh 'pool -j1 --eta true ::: 1 2 3 4 2>"$1"' "$err"
	run -0 tail -1 < <(masked < "$err")
	assert_output 'ETA: Ns Left: 0 AVG: Ss  local:0/4/100%/Ss '
	if command -v parallel >/dev/null; then
		# 20221122 leaves the "Computer:" line out: its last line only.
		theirs=$(parallel -j1 --eta true ::: 1 2 3 4 2>&1 | masked)
		assert_equal "$(masked < "$err" | tail -1)" "${theirs##*$'\n'}"
	fi
	[ -x "$PEER" ] || skip "GNU parallel 20260522 is not in ../shared/peers"
	theirs=$("$PEER" -j1 --eta true ::: 1 2 3 4 2>&1 | masked)
	assert_equal "$(masked < "$err")" "$theirs"
}

@test "pool --eta reads stdin to the end first: Left counts every item" {
	run -0 psh 'seq 5 | pool -j1 --eta true 2>&1 >/dev/null | tail -1'
	assert_output --regexp '^ETA: [0-9]+s Left: 0 AVG: [0-9.]+s  local:0/5/100%/'
}

@test "pool --progress on a terminal: the status line redrawn in place, then a newline" {
	run -0 script -qec "bash -c 'enable -f \"$BGTOOLS_SO\" pool; pool -j2 --progress true ::: 1 2 3 4; echo after'" /dev/null
	assert_output --partial 'Computer:jobs running/jobs completed'
	assert_output --partial $'\r\e[Klocal:'
	assert_output --regexp $'local:0/4/100%/[0-9.]+s \r?\n.*after'
}

# --- --progress-every -------------------------------------------------------

@test "pool --progress-every 25%: a plain line each quarter of the jobs, then the last" {
	local err=$BATS_TEST_TMPDIR/err
	run -4 psh 'j() { [ "$(( $1 % 3 ))" != 0 ]; }; pool -j1 --progress-every 25% j ::: 1 2 3 4 5 6 7 8 9 10 11 12 2>"$1"' "$err"
	run -0 sed -E 's/ [01] running, [0-9hm]+s elapsed.*//' "$err"
	assert_output "pool: progress 3/12 done (25%), 1 failed,
pool: progress 6/12 done (50%), 2 failed,
pool: progress 9/12 done (75%), 3 failed,
pool: progress 12/12 done (100%), 4 failed,"
	run grep -c $'\r' "$err"
	assert_output 0
}

@test "pool --progress-every N%: elapsed time and ETA on each line" {
	run -0 psh 'pool -j1 --progress-every 50% true ::: 1 2 3 4 2>&1'
	assert_line --index 0 --regexp '^pool: progress 2/4 done \(50%\), 0 failed, [01] running, [0-9]+s elapsed, ETA [0-9]+s$'
	assert_line --index 1 --regexp '^pool: progress 4/4 done \(100%\), 0 failed, 0 running, [0-9]+s elapsed, ETA 0s$'
}

@test "pool --progress-every DURATION: plain lines while a long job runs, and the last" {
	mark 1.
	run -0 psh 'pool -j1 --progress-every 0.2 sleep ::: "$1" 2>&1' "$REPLY"
	assert [ "${#lines[@]}" -ge 2 ]
	assert_line --index 0 'pool: progress 0/1 done (0%), 0 failed, 1 running, 0s elapsed'
	assert_line --index -1 --regexp '^pool: progress 1/1 done \(100%\), 0 failed, 0 running, [0-9]+s elapsed, ETA 0s$'
}

@test "pool --progress-every with stdin read as it comes: counts without a total" {
	run -0 psh 'seq 3 | pool -j1 --progress-every 10s true 2>&1'
	assert_output --regexp '^pool: progress 3 done, 0 failed, 0 running, [0-9]+s elapsed$'
}

@test "pool --progress-every on a terminal with --bar: the bar is drawn, not the lines" {
	run -0 script -qec "bash -c 'enable -f \"$BGTOOLS_SO\" pool; pool -j1 --bar --progress-every 50% true ::: 1 2 3 4'" /dev/null
	assert_output --partial 'pool: 4/4 done, 0 running, 0 failed'
	refute_output --partial 'pool: progress'
}

@test "pool --progress, --eta, --progress-every: bad values and modes are usage errors, nothing runs" {
	local v
	for v in 0% 101% abc 5x% -1 0 %; do
		run -2 psh 'pool --progress-every "$1" echo ran ::: a' "$v"
		assert_output --partial "pool: $v: invalid progress interval"
		refute_output --partial ran
	done
	run -2 psh 'pool --sem --progress echo ran'
	assert_output --partial 'report on a batch'
	run -2 psh 'pool --persist --eta echo ran ::: a'
	assert_output --partial 'report on a batch'
	refute_output --partial ran
}

@test "pool --progress under set -euo pipefail: the pool's status is unchanged" {
	run -1 psh 'set -euo pipefail; pool --progress --progress-every 50% false ::: 1 2>/dev/null; echo not reached'
	refute_output --partial 'not reached'
	run -0 psh 'set -euo pipefail; pool --eta true ::: 1 2 2>/dev/null; echo reached'
	assert_output reached
}

# --- --timeout N% -----------------------------------------------------------

@test "pool --timeout N%: a job past N% of the median runtime is stopped, logged as GNU's" {
	local log=$BATS_TEST_TMPDIR/log
	mark 30.
	run -1 psh 'pool -j1 --timeout 300% --joblog "$2" sleep ::: 0.1 0.1 0.1 "$1" 0.1' "$REPLY" "$log"
	run -0 cut -f1,7,8 "$log"
	assert_output $'Seq\tExitval\tSignal\n1\t0\t0\n2\t0\t0\n3\t0\t0\n4\t-1\t15\n5\t0\t0'
	need_gnu
	run -1 parallel -j1 --timeout 300% --joblog "$log" sleep ::: 0.1 0.1 0.1 "$REPLY" 0.1
	run -0 cut -f1,7,8 "$log"
	assert_output $'Seq\tExitval\tSignal\n1\t0\t0\n2\t0\t0\n3\t0\t0\n4\t-1\t15\n5\t0\t0'
}

@test "pool --timeout N%: before a job has succeeded there is no limit, as GNU parallel" {
	run -0 psh 'pool -j1 --timeout 10% sleep ::: 0.5'
	run -0 psh 'pool -j1 --timeout 50% sh -c "exit \$0" ::: 3 0 2>/dev/null; echo next; pool -j1 --timeout 1% sleep ::: 0.3'
	assert_output next
}

@test "pool --timeout N%: only successful jobs make the median" {
	local log=$BATS_TEST_TMPDIR/log
	# Two slow failures, then one quick success: a slow job after it is stopped.
	run -3 psh 'pool -j1 --timeout 200% --joblog "$1" sh -c "sleep \$0; exit \$1" ::: 0.6 0.6 0.05 0.6 :::+ 1 1 0 0' "$log"
	run -0 cut -f1,7,8 "$log"
	assert_output $'Seq\tExitval\tSignal\n1\t1\t0\n2\t1\t0\n3\t0\t0\n4\t-1\t15'
}

@test "pool --timeout: bad percentages are usage errors, nothing runs" {
	local v
	for v in 5x% % 1.2.3% -5% 0% .5% 5.%; do
		run -2 psh 'pool --timeout "$1" echo ran ::: a' "$v"
		assert_output --partial "pool: $v: invalid timeout"
		refute_output --partial ran
	done
	run -2 psh 'pool --persist --timeout 50% echo ran ::: a'
	assert_output --partial 'not with --persist'
}

# --- --retry-failed ---------------------------------------------------------

@test "pool --retry-failed: reruns the failed jobs of the joblog, appends, as GNU parallel" {
	local log=$BATS_TEST_TMPDIR/log mine
	oddjob
	run -3 psh 'pool -k -j2 --joblog "$1" "$2" ::: 1 2 3 4 5' "$log" "$T/odd"
	run -3 psh 'pool -k -j2 --joblog "$1" --retry-failed ignored command ::: x' "$log"
	assert_output $'run 1\nrun 3\nrun 5'
	mine=$(cut -f1,7,9 "$log" | sort -n)
	run -0 cut -f1,7 "$log"
	assert_equal "${#lines[@]}" 9
	need_gnu
	rm "$log"
	run -3 parallel -k -j2 --joblog "$log" "$T/odd" ::: 1 2 3 4 5
	run -3 parallel -k -j2 --joblog "$log" --retry-failed ignored command ::: x
	assert_output $'run 1\nrun 3\nrun 5'
	assert_equal "$mine" "$(cut -f1,7,9 "$log" | sort -n)"
}

@test "pool --retry-failed: nothing failed, nothing runs; no joblog yet, the command line runs" {
	local log=$BATS_TEST_TMPDIR/log
	oddjob
	run -0 psh 'pool -k --joblog "$1" --retry-failed "$2" ::: 2 4' "$log" "$T/odd"
	assert_output $'run 2\nrun 4'
	run -0 psh 'pool --joblog "$1" --retry-failed "$2" ::: 1' "$log" "$T/odd"
	assert_output ''
	need_gnu
	rm "$log"
	run -0 parallel -k --joblog "$log" --retry-failed "$T/odd" ::: 2 4
	assert_output $'run 2\nrun 4'
	run -0 parallel --joblog "$log" --retry-failed "$T/odd" ::: 1
	assert_output ''
}

@test "pool --retry-failed: a job that succeeds on the rerun is not run a third time" {
	local log=$BATS_TEST_TMPDIR/log flag=$BATS_TEST_TMPDIR/flag
	run -1 psh 'pool --joblog "$1" sh -c "test -e \$0 || { touch \$0; exit 1; }" ::: "$2"' "$log" "$flag"
	run -0 psh 'pool --joblog "$1" --retry-failed' "$log"
	run -0 psh 'pool --joblog "$1" --retry-failed; wc -l < "$1"' "$log"
	assert_output 3
}

@test "pool --retry-failed: without --joblog, or with --resume: usage errors" {
	run -2 psh 'pool --retry-failed echo ran ::: a'
	assert_output --partial 'give it with --joblog FILE'
	refute_output --partial ran
	run -2 psh 'pool --joblog "$1" --retry-failed --resume echo ran ::: a' "$BATS_TEST_TMPDIR/log"
	assert_output --partial 'not with'
	refute_output --partial ran
}

@test "pool --retry-failed under set -euo pipefail: a job failing again stops the script" {
	local log=$BATS_TEST_TMPDIR/log
	oddjob
	run -1 psh 'set -euo pipefail; pool --joblog "$1" "$2" ::: 1 2 || true; pool --joblog "$1" --retry-failed; echo not reached' "$log" "$T/odd"
	assert_output --partial 'run 1'
	refute_output --partial 'not reached'
}

# --- --color, --ctag --------------------------------------------------------

@test "pool --color: each job's lines in GNU parallel's colour for its Seq, byte for byte" {
	local mine=$BATS_TEST_TMPDIR/mine
	run -0 psh 'pool -k --color echo ::: $(seq 320) > "$1"' "$mine"
	# Seq 1 and 2: GNU's first two colours; the palette has 307.
	run -0 head -2 "$mine"
	assert_output $'\e[48;5;178;38;5;000m\e[K1\e[m\n\e[48;5;039;38;5;231m\e[K2\e[m'
	assert_equal "$(grep -c $'\e\\[48;5;178;38;5;000m' "$mine")" 2
	[ -x "$PEER" ] || skip "GNU parallel 20260522 is not in ../shared/peers"
	cmp "$mine" <("$PEER" -k --color echo ::: $(seq 320))
}

@test "pool --ctag, --ctagstring: the tag coloured too; stderr and an unended line as GNU's" {
	local mine=$BATS_TEST_TMPDIR/mine
	run -0 psh 'f() { printf "x\ny"; echo e1 >&2; }; pool -k --ctagstring "<{}>" f ::: a b > "$1" 2>&1' "$mine"
	run -0 head -2 "$mine"
	assert_output $'\e[48;5;178;38;5;000m\e[K<a>\tx\e[m\n\e[48;5;178;38;5;000m\e[K<a>\ty\e[m'
	run -0 psh 'pool -k --ctag --line-buffer echo ::: a'
	assert_output $'\e[48;5;178;38;5;000m\e[Ka\ta\e[m'
	[ -x "$PEER" ] || skip "GNU parallel 20260522 is not in ../shared/peers"
	f() { printf 'x\ny'; echo e1 >&2; }
	export -f f
	cmp "$mine" <(SHELL=/bin/bash "$PEER" -k --ctagstring "<{}>" f ::: a b 2>&1)
	cmp <(bg_bash 'pool -k --ctag echo ::: a b') <("$PEER" -k --ctag echo ::: a b)
}

@test "pool --color with -u: a usage error, nothing runs" {
	run -2 psh 'pool -u --color echo ran ::: a'
	assert_output --partial 'not with -u'
	refute_output --partial ran
}
