#!/usr/bin/env bats
# retry: attempts, backoff and jitter, status lists, deadlines, -t, --alive,
# signals during the sleep, set -e, bad input.

load test_helper
bats_require_minimum_version 1.5.0

@test "retry: a command that succeeds at once runs once and returns 0" {
	n=0
	f() { n=$((n + 1)); }
	run --separate-stderr retry f
	assert_success
	assert_equal "$stderr" ""
	retry f
	assert_equal "$n" 1
}

@test "retry: a function that fails twice is retried and its variables survive" {
	n=0
	f() { n=$((n + 1)); result="made by attempt $RETRY_ATTEMPT"; ((n >= 3)); }
	retry -q -d 10ms f
	assert_equal "$?" 0
	assert_equal "$n" 3
	assert_equal "$result" "made by attempt 3"
}

@test "retry: giving up returns the last status and reports every attempt" {
	run -7 --separate-stderr retry -n 3 -d 10ms --jitter none sh -c 'exit 7'
	assert_equal "${stderr_lines[0]}" "retry: attempt 1/3 failed with status 7; retrying in 0.01s"
	assert_equal "${stderr_lines[1]}" "retry: attempt 2/3 failed with status 7; retrying in 0.02s"
	assert_equal "${stderr_lines[2]}" "retry: attempt 3/3 failed with status 7"
	assert_equal "${stderr_lines[3]}" "retry: giving up after 3 attempts"
	assert_equal "${#stderr_lines[@]}" 4
}

@test "retry: -q prints nothing and -v adds each attempt's time" {
	run -1 --separate-stderr retry -q -n 2 -d 0 false
	assert_equal "$stderr" ""
	run -1 --separate-stderr retry -v -n 2 -d 0 false
	[[ ${stderr_lines[0]} =~ ^retry:\ attempt\ 1/2\ failed\ with\ status\ 1\ after\ [0-9.]+(ms|s)\;\ retrying\ in\ 0s$ ]] ||
	    fail "unexpected: ${stderr_lines[0]}"
	n=0
	f() { n=$((n + 1)); ((n >= 2)); }
	run --separate-stderr retry -v -d 0 f
	assert_success
	[[ ${stderr_lines[1]} =~ ^retry:\ attempt\ 2/5\ succeeded\ after\ .*\ in\ all$ ]] ||
	    fail "unexpected: ${stderr_lines[1]}"
}

@test "retry: delays grow by the factor up to the cap (--jitter none)" {
	stamps=()
	f() { stamps+=("$(now_ms)"); return 1; }
	run -1 --separate-stderr retry -n 5 -d 100ms -b 2 -m 250ms --jitter none f
	assert_equal "${stderr_lines[0]}" "retry: attempt 1/5 failed with status 1; retrying in 0.1s"
	assert_equal "${stderr_lines[1]}" "retry: attempt 2/5 failed with status 1; retrying in 0.2s"
	assert_equal "${stderr_lines[2]}" "retry: attempt 3/5 failed with status 1; retrying in 0.25s"
	assert_equal "${stderr_lines[3]}" "retry: attempt 4/5 failed with status 1; retrying in 0.25s"
	# The same run in this shell, to time the gaps between attempts.
	retry -q -n 5 -d 100ms -b 2 -m 250ms --jitter none f || true
	assert_equal "${#stamps[@]}" 5
	want=(100 200 250 250)
	for i in 0 1 2 3; do
		gap=$((stamps[i + 1] - stamps[i]))
		((gap >= want[i] - 2 && gap < want[i] + 400)) ||
		    fail "gap $i is $gap ms, expected about ${want[i]} ms"
	done
}

# jitter_draws JITTER: print the 200 delays (in ms) retry draws with
# JITTER for a 10 ms delay, one a line.
jitter_draws() {
	retry -n 201 -d 10ms -m 10ms --jitter "$1" false 2>&1 |
	    sed -n 's/.*retrying in \([0-9.]*\)\(m*s\)$/\1 \2/p' |
	    awk '{ print ($2 == "s" ? $1 * 1000 : $1) }'
}

# check_draws LOW HIGH: the draws on stdin (ms) are 200, all within
# [LOW, HIGH], and spread over at least half of that range.
check_draws() {
	awk -v lo="$1" -v hi="$2" '
	    NR == 1 { min = max = $1 }
	    { if ($1 < min) min = $1; if ($1 > max) max = $1
	      if ($1 < lo - 0.001 || $1 > hi + 0.001) { print "out of bounds: " $1; bad = 1 } }
	    END { if (NR != 200) { print "draws: " NR; bad = 1 }
	          if (max - min < (hi - lo) / 2) { print "spread: " min " to " max; bad = 1 }
	          exit bad }'
}

@test "retry: full jitter draws delays between 0 and the delay" {
	run check_draws 0 10 < <(jitter_draws full)
	assert_success
}

@test "retry: equal jitter draws delays between half the delay and the delay" {
	run check_draws 5 10 < <(jitter_draws equal)
	assert_success
}

@test "retry: a jitter fraction of 0.2 draws delays between 80% and 100%" {
	run check_draws 8 10 < <(jitter_draws 0.2)
	assert_success
}

@test "retry: --on retries only the statuses listed and fails at once on others" {
	n=0
	f() { n=$((n + 1)); return $((n < 3 ? 75 : 4)); }
	run -4 --separate-stderr retry --on 75,100-110 -d 0 f
	assert_equal "${stderr_lines[2]}" "retry: attempt 3/5 failed with status 4, which is not retried"
	n=0 st=0
	retry -q --on 75 -d 0 f || st=$?
	assert_equal "$st/$n" "4/3"
	run -9 retry -q --on 75,100-110 -d 0 sh -c 'exit 9'
}

@test "retry: --stop-on fails at once on the statuses listed" {
	n=0
	f() { n=$((n + 1)); return $((n < 2 ? 1 : 3)); }
	st=0
	retry -q --stop-on 2-3 -d 0 f || st=$?
	assert_equal "$st/$n" "3/2"
}

@test "retry: --until fail waits until a file is gone" {
	f=$BATS_TEST_TMPDIR/lock
	touch "$f"
	(sleep 0.3; rm -f "$f") &
	t0=$(now_ms)
	run retry -q -n 0 -T 10 -d 50ms -b 1 --jitter none --until fail test -e "$f"
	assert_success
	[ ! -e "$f" ] || fail "the file is still there"
	ms=$(elapsed_since "$t0")
	((ms >= 250 && ms < 3000)) || fail "took $ms ms"
}

@test "retry: --until gives up with status 1 when the command keeps succeeding" {
	run -1 --separate-stderr retry -n 2 -d 0 --until 1-255 true
	assert_equal "${stderr_lines[0]}" "retry: attempt 1/2 returned status 0; retrying in 0s"
	assert_equal "${stderr_lines[2]}" "retry: giving up after 2 attempts"
}

@test "retry: an attempt killed by SIGINT is not retried" {
	# perl: SIGINT may be ignored from the start under bats, and bash
	# cannot undo that.
	run -130 retry -q -t 0 -d 0 perl -e '$SIG{INT} = "DEFAULT"; kill "INT", $$'
	n=0
	f() { n=$((n + 1)); return 130; }
	st=0
	retry -q -d 0 f || st=$?
	assert_equal "$st/$n" "130/1"
}

@test "retry: the deadline is never slept past" {
	# Attempts at 0, 500 and 1000 ms; a fourth would start at 1.5 s, after
	# the 1.2 s deadline, so retry gives up at once at about 1 s.
	t0=$(now_ms)
	run -1 --separate-stderr retry -n 0 -T 1.2 -d 500ms -b 1 --jitter none false
	ms=$(elapsed_since "$t0")
	((ms >= 950 && ms < 1400)) || fail "took $ms ms (deadline 1.2 s)"
	assert_equal "${#stderr_lines[@]}" 4
	assert_equal "${stderr_lines[3]}" "retry: giving up after 3 attempts: the next one would start after the deadline"
}

@test "retry: with -t, an attempt still running at the deadline is stopped" {
	t0=$(now_ms)
	run -124 retry -q -T 300ms -t 10 sleep 10
	ms=$(elapsed_since "$t0")
	((ms >= 250 && ms < 2000)) || fail "took $ms ms (deadline 300 ms)"
}

@test "retry: -t stops a timed-out attempt's whole tree, grandchildren included" {
	mark 30.; nap=$REPLY
	f() { sleep "$nap" & sleep "$nap"; }
	t0=$(now_ms)
	run -124 --separate-stderr retry -n 2 -d 0 -t 200ms f
	ms=$(elapsed_since "$t0")
	((ms < 3000)) || fail "took $ms ms"
	assert_equal "${stderr_lines[0]}" "retry: attempt 1/2 failed with status 124 (timed out); retrying in 0s"
	sleep 0.2
	no_leftovers "sleep $nap"
}

@test "retry: -t -k sends KILL to an attempt that ignores TERM (137)" {
	# The function ignores TERM, and so does the sleep it becomes.
	mark 30.; nap=$REPLY
	f() { trap '' TERM; exec sleep "$nap"; }
	run -137 retry -q -n 1 -t 300ms -k 100ms f
	sleep 0.1
	no_leftovers "sleep $nap"
}

@test "retry: with -t, attempts are child jobs that see RETRY_ATTEMPT" {
	log=$BATS_TEST_TMPDIR/log
	f() { echo "$RETRY_ATTEMPT $BASHPID" >> "$log"; leaked=yes; ((RETRY_ATTEMPT >= 2)); }
	retry -q -d 0 -t 5 f
	assert_equal "$?" 0
	run cat "$log"
	assert_line --index 0 --regexp '^1 [0-9]+$'
	assert_line --index 1 --regexp '^2 [0-9]+$'
	refute_line --partial " $BASHPID"
	assert_equal "${leaked-unset}" unset
	run bg_bash 'retry -q -d 0 -t 5 true; jobs; echo "jobs listed"'
	assert_output "jobs listed"
}

@test "retry: RETRY_ATTEMPT is exported to disk commands" {
	run retry -q -d 0 bash -c '[ "$RETRY_ATTEMPT" = 3 ]'
	assert_success
}

@test "retry: RETRY_ATTEMPT gets its previous value back, also when nested" {
	unset RETRY_ATTEMPT
	retry true
	assert_equal "${RETRY_ATTEMPT-unset}" unset
	RETRY_ATTEMPT=outer
	inner() { retry -q -d 0 -n 2 false; seen="$seen $RETRY_ATTEMPT"; ((RETRY_ATTEMPT >= 2)); }
	seen=
	retry -q -d 0 inner
	assert_equal "$seen" " 1 2"
	assert_equal "$RETRY_ATTEMPT" outer
	readonly RETRY_ATTEMPT
	run -1 retry true
	assert_output --partial "RETRY_ATTEMPT: readonly variable"
}

@test "retry: --alive gives up at once when the service dies during the sleep" {
	sleep 0.4 &
	svc=$!
	t0=$(now_ms)
	run -69 --separate-stderr retry -n 0 -T 20 -d 5 --jitter none --alive "$svc" false
	ms=$(elapsed_since "$t0")
	((ms >= 300 && ms < 2000)) || fail "took $ms ms"
	assert_equal "${stderr_lines[-1]}" "retry: giving up after 1 attempt: process $svc has died"
}

@test "retry: --alive stops a -t attempt that hangs when the service dies" {
	sleep 0.4 &
	svc=$!
	t0=$(now_ms)
	mark 30.; nap=$REPLY
	run -69 retry -q -n 3 -t 20 -d 0 --alive "$svc" sleep "$nap"
	ms=$(elapsed_since "$t0")
	((ms >= 300 && ms < 3000)) || fail "took $ms ms"
	sleep 0.1
	no_leftovers "sleep $nap"
}

@test "retry: --alive with a process already gone runs nothing" {
	sleep 0 &
	dead=$!
	wait "$dead"
	ran=no st=0
	f() { ran=yes; }
	retry -q --alive "$dead" f || st=$?
	assert_equal "$st/$ran" "69/no"
}

@test "retry: the health-check pattern succeeds once the service answers" {
	ready=$BATS_TEST_TMPDIR/ready
	(sleep 0.3; touch "$ready"; exec sleep 5) &
	svc=$!
	run retry -q -n 0 -T 10 -d 50ms -m 100ms --alive "$svc" test -e "$ready"
	assert_success
	kill "$svc"
}

@test "retry: a trapped signal during the sleep runs the trap and returns 128+N" {
	run bg_bash '
		trap "echo USR1 trap ran" USR1
		(sleep 0.3; kill -USR1 $$) &
		t0=${EPOCHREALTIME/./}
		retry -q -n 3 -d 10 false
		st=$?
		echo "status $st after $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"'
	assert_success
	assert_line "USR1 trap ran"
	assert_line --regexp '^status 138 after [0-9]+ ms$'
	ms=${lines[1]##* after }
	ms=${ms% ms}
	((ms >= 250 && ms < 3000)) || fail "took $ms ms"
}

@test "retry: an untrapped TERM during the sleep ends the script as TERM" {
	run bg_bash '(sleep 0.3; kill -TERM $$) & retry -q -n 3 -d 10 false; echo not reached'
	assert_equal "$status" 143
	refute_output --partial "not reached"
}

@test "retry: other jobs ending do not cut the sleep short" {
	run bg_bash '
		sleep 0.05 & sleep 0.1 & sleep 0.2 &
		t0=${EPOCHREALTIME/./}
		retry -q -n 2 -d 500ms --jitter none false
		echo "status $? after $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"'
	assert_line --regexp '^status 1 after [0-9]+ ms$'
	ms=${output##* after }
	ms=${ms% ms}
	((ms >= 490 && ms < 3000)) || fail "took $ms ms"
}

@test "retry: under set -euo pipefail a failing attempt neither exits nor fires ERR" {
	run bg_bash '
		set -euo pipefail
		trap "echo ERR fired" ERR
		n=0
		f() { n=$((n + 1)); false; echo "f went on after false"; ((n >= 2)); }
		retry -q -d 0 f
		echo "after retry n=$n"
		g() { tries=$((tries + 1)); false | true; }
		tries=0
		retry -q -n 2 -d 0 g || echo "pipefail failure, $tries attempts"
		retry -q -n 2 -d 0 false
		echo "not reached"'
	assert_equal "$status" 1
	assert_equal "${lines[0]}" "f went on after false"
	assert_equal "${lines[1]}" "f went on after false"
	assert_equal "${lines[2]}" "after retry n=2"
	assert_equal "${lines[3]}" "pipefail failure, 2 attempts"
	assert_equal "${lines[4]}" "ERR fired"
	assert_equal "${#lines[@]}" 5
}

@test "retry: bad input is refused with status 2 and nothing is run" {
	ran=no
	f() { ran=yes; }
	for args in "-n abc" "-n -1" "-d 5x" "-m soon" "-b 0.5" "-b x" \
	    "--jitter lots" "--jitter 1.5" "-T 1y" "-t -3" "--on 300" \
	    "--on 5-3" "--stop-on ,1" "--until a" "--alive abc" \
	    "--alive 0" "-s NOSUCHSIG" "-n 0" "--bogus" "-x"; do
		run -2 retry $args f
	done
	assert_equal "$ran" no
	run -2 retry -n abc f
	assert_output --partial "retry: abc: invalid attempt count"
	run -2 retry -d 5x f
	assert_output --partial "retry: 5x: invalid duration"
	run -2 retry --on 1,x f
	assert_output --partial "retry: 1,x: invalid exit status list"
	run -2 retry
	assert_output --partial "retry: usage: retry"
	run -127 retry no-such-command-xyz
	assert_output --partial "no-such-command-xyz: command not found"
}

@test "retry: help retry documents the options and exit statuses" {
	run help retry
	assert_success
	assert_output --partial "Exit Status:"
	assert_output --partial "69 (EX_UNAVAILABLE)"
	assert_output --partial "set -e"
}

# --- interactive: a real bash -i under tmux -------------------------------

@test "retry: interactive Ctrl-C ends the backoff sleep and returns to the prompt (130)" {
	require_tmux
	start_shell
	type_line 'f() { return 1; }; retry -n 3 -d 60 f; echo not reached'
	wait_last 'retrying in'
	t0=$(now_ms)
	tm send-keys C-c
	wait_prompt
	ms=$(elapsed_since "$t0")
	run_line 'echo "status=$?"'
	run pane
	assert_line "status=130"
	refute_line "not reached"
	((ms < 3000)) || fail "the prompt came back after $ms ms"
}

@test "retry: interactive Ctrl-C during a -t attempt stops its tree and the retries" {
	require_tmux
	start_shell
	mark 30.; nap=$REPLY
	type_line "retry -n 3 -d 0 -t 60 bash -c 'sleep $nap & sleep $nap'; echo not reached"
	for ((i = 0; i < 100; i++)); do
		[ "$(pgrep -fc "sleep $nap")" = 2 ] && break
		sleep 0.05
	done
	tm send-keys C-c
	wait_prompt
	run_line 'echo "status=$?"'
	run pane
	assert_line "status=130"
	refute_line "not reached"
	sleep 0.2
	no_leftovers "sleep $nap"
}
