#!/usr/bin/env bats
# every: fixed-rate schedule without drift, overruns, limits, -t, signals,
# running in the background, bad input.

load test_helper
bats_require_minimum_version 1.5.0

# us_now: microseconds from $EPOCHREALTIME.
us_now() {
	echo "${EPOCHREALTIME/./}"
}

@test "every: 50 ticks start within a few ms of the schedule, without drift" {
	stamps=() ticks=() offs=()
	# Each run takes about 5 ms: a `while sleep' loop would drift by 250 ms.
	f() {
		stamps+=("${EPOCHREALTIME/./}")
		ticks+=("$EVERY_TICK")
		local end=$((${EPOCHREALTIME/./} + 5000))
		while ((${EPOCHREALTIME/./} < end)); do :; done
	}
	every -n 50 20ms f
	assert_equal "${#stamps[@]}" 50
	# The machine is shared: a run may start late now and then (or even
	# miss its tick and wait for the next), but lateness never adds up.
	# The schedule's origin is the median of (start - slot), so that one
	# late first run does not shift every other.
	for ((k = 0; k < 50; k++)); do
		offs+=($((stamps[k] - (ticks[k] - 1) * 20000)))
	done
	origin=$(printf '%s\n' "${offs[@]}" | sort -n | sed -n 25p)
	off=0
	for ((k = 0; k < 50; k++)); do
		d=$((offs[k] - origin))
		d=${d#-}
		((d > 5000)) && off=$((off + 1))
	done
	echo "$off of 50 starts over 5 ms off the schedule; last tick ${ticks[49]}"
	((off <= 10)) || fail "$off starts were more than 5 ms off the schedule"
}

@test "every: -n runs COUNT times, EVERY_TICK counts ticks from 1, then is restored" {
	EVERY_TICK=before
	ticks=()
	f() { ticks+=("$EVERY_TICK"); }
	every -n 4 100ms f
	assert_equal "$?" 0
	assert_equal "${#ticks[@]}" 4
	assert_equal "${ticks[0]}" 1
	# Consecutive unless a stall on a busy machine made it skip a tick.
	((ticks[0] < ticks[1] && ticks[1] < ticks[2] && ticks[2] < ticks[3])) ||
	    fail "ticks: ${ticks[*]}"
	assert_equal "$EVERY_TICK" before
}

@test "every: EVERY_TICK is exported to disk commands" {
	log=$BATS_TEST_TMPDIR/log
	every -n 3 100ms bash -c 'echo "tick $EVERY_TICK" >> "$1"' _ "$log"
	run cat "$log"
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 "tick 1"
	assert_line --index 1 --regexp '^tick [2-9]$'
}

# overrun_log EVERY_OPTIONS...: run `every -n 3 EVERY_OPTIONS 200ms f'
# where tick 1 takes 500 ms, and read its log into K[i] (the tick of run
# i), S[i] and E[i] (its start and end, in ms since every was called).
overrun_log() {
	local log=$BATS_TEST_TMPDIR/log t0 i tick
	t0=$(us_now)
	f() {
		echo "$EVERY_TICK $((($(us_now) - t0) / 1000))" >> "$log"
		((EVERY_TICK == 1)) && sleep 0.5
		echo "$((($(us_now) - t0) / 1000))" >> "$log"
	}
	every -n 3 "$@" 200ms f || return
	mapfile -t lines < "$log"
	K=() S=() E=()
	for i in 0 1 2; do
		read -r tick start <<< "${lines[2 * i]}"
		K+=("$tick") S+=("$start") E+=("${lines[2 * i + 1]}")
	done
	echo "runs: ${lines[*]}"
}

@test "every: a run that overruns INTERVAL skips the missed ticks, never overlaps" {
	overrun_log
	assert_equal "${K[0]}" 1
	# Tick 1 ends at about 500 ms, past the slots of ticks 2 and 3 (200
	# and 400 ms): the next run waits for the first slot still ahead.
	((K[1] >= 3)) || fail "the run after the overrun was tick ${K[1]}"
	(((K[1] - 2) * 200 <= E[0] + 5)) || fail "tick $((K[1] - 1)) was skipped needlessly"
	((S[1] >= (K[1] - 1) * 200 - 2)) || fail "tick ${K[1]} started early"
	((S[1] >= E[0] && S[2] >= E[1])) || fail "runs overlapped"
	((K[2] > K[1] && S[2] >= (K[2] - 1) * 200 - 2)) ||
	    fail "tick ${K[2]} started at ${S[2]} ms"
}

@test "every: -v says how each run ended and which ticks an overrun skipped" {
	f() { ((EVERY_TICK > 1)) || sleep 0.5; }
	run --separate-stderr every -v -n 2 200ms f
	assert_success
	[[ ${stderr_lines[0]} =~ ^every:\ tick\ 1\ ended\ with\ status\ 0\ after\ 0\.[5-9] ]] ||
	    fail "${stderr_lines[0]}"
	# Tick 4 (at 600 ms) unless the machine is so busy that tick 1 ended
	# later than that.
	[[ ${stderr_lines[1]} =~ ^every:\ tick\ 1\ overran\ the\ interval\;\ next\ run:\ tick\ ([4-9])$ ]] ||
	    fail "${stderr_lines[1]}"
	[[ ${stderr_lines[2]} == "every: tick ${BASH_REMATCH[1]} ended with status 0 after "* ]] ||
	    fail "${stderr_lines[2]}"
}

@test "every: --catch-up starts the late run at once, then keeps the schedule" {
	overrun_log --catch-up
	assert_equal "${K[0]}" 1
	# Tick 1 ends at about 500 ms: the latest tick whose slot has passed
	# (3, at 400 ms) runs at once; the next waits for its slot.
	((K[1] >= 3 && (K[1] - 1) * 200 <= E[0] + 5 && K[1] * 200 > E[0] - 5)) ||
	    fail "the late run was tick ${K[1]}, tick 1 ended at ${E[0]} ms"
	((S[1] - E[0] < 100)) || fail "the late run started $((S[1] - E[0])) ms after"
	((K[2] == K[1] + 1 || S[1] > K[1] * 200)) ||
	    fail "tick ${K[2]} followed tick ${K[1]}"
	((S[2] >= (K[2] - 1) * 200 - 2)) || fail "tick ${K[2]} started early"
}

@test "every: -T stops before the deadline and starts no run after it" {
	log=$BATS_TEST_TMPDIR/log
	t0=$(us_now)
	f() { echo "$EVERY_TICK" >> "$log"; }
	every -T 450ms 100ms f
	assert_equal "$?" 0
	ms=$((($(us_now) - t0) / 1000))
	((ms >= 390 && ms < 600)) || fail "returned after $ms ms"
	run cat "$log"
	assert_output $'1\n2\n3\n4\n5'
}

@test "every: failures do not stop it unless --stop-on-failure" {
	n=0
	f() { n=$((n + 1)); return $((n == 2 ? 3 : 0)); }
	every -n 4 10ms f
	assert_equal "$?/$n" "0/4"
	n=0 st=0
	every --stop-on-failure -n 4 10ms f || st=$?
	assert_equal "$st/$n" "3/2"
}

@test "every: a function's variables carry over and set -e does not fire" {
	run bg_bash '
		set -euo pipefail
		total=0
		f() { total=$((total + EVERY_TICK)); false; echo "went on $EVERY_TICK"; }
		every -n 3 50ms f
		echo "total $total"'
	assert_success
	assert_output $'went on 1\nwent on 2\nwent on 3\ntotal 6'
}

@test "every: -t stops a run that hangs, grandchildren included (124)" {
	mark 30.; nap=$REPLY
	f() { sleep "$nap" & sleep "$nap"; }
	t0=$(us_now)
	run -124 every --stop-on-failure -t 200ms 1s f
	ms=$((($(us_now) - t0) / 1000))
	((ms >= 150 && ms < 3000)) || fail "took $ms ms"
	sleep 0.2
	no_leftovers "sleep $nap"
}

@test "every: a trapped signal during the sleep runs the trap and returns 128+N" {
	run bg_bash '
		trap "echo USR1 trap ran" USR1
		(sleep 0.3; kill -USR1 $$) &
		every 10 true
		echo "status $?"'
	assert_success
	assert_output $'USR1 trap ran\nstatus 138'
}

@test "every: in the background with &, kill %1 stops it and no run follows" {
	run bg_bash '
		log=$1
		f() { echo "$EVERY_TICK" >> "$log"; }
		every 50ms f &
		pid=$!
		sleep 0.3
		kill %1
		wait "$pid"
		echo "status $?"
		n=$(wc -l < "$log")
		sleep 0.2
		[ "$(wc -l < "$log")" = "$n" ] && echo "no run after kill ($n runs)"
	' "$BATS_TEST_TMPDIR/log"
	assert_line "status 143"
	assert_line --regexp '^no run after kill \(([2-9]) runs\)$'
}

@test "every: killjobs stops a background every" {
	run bg_bash '
		every 20ms true &
		sleep 0.1
		killjobs
		echo "killjobs $?"
		jobs
		echo "jobs listed"'
	assert_line --index 0 "killjobs 0"
	assert_line --index 1 "jobs listed"
}

@test "every: bad input is refused with status 2 and nothing is run" {
	ran=no
	f() { ran=yes; }
	for args in "0" "-1" "5x" "-n abc 1" "-n -2 1" "-T soon 1" \
	    "-t 1y 1" "-s NOSUCHSIG 1" "--bogus 1" "-x 1"; do
		run -2 every $args f
	done
	assert_equal "$ran" no
	run -2 every 5x f
	assert_output --partial "every: 5x: invalid duration"
	run -2 every 0 f
	assert_output --partial "every: 0: invalid interval"
	run -2 every -n abc 1 f
	assert_output --partial "every: abc: invalid run count"
	run -2 every 1
	assert_output --partial "every: usage: every"
	run -127 every 1 no-such-command-xyz
	assert_output --partial "no-such-command-xyz: command not found"
}

@test "every: help every documents overruns and exit statuses" {
	run help every
	assert_success
	assert_output --partial "Exit Status:"
	assert_output --partial "--catch-up"
	assert_output --partial "never overlap"
}

# --- interactive: a real bash -i under tmux -------------------------------

@test "every: interactive Ctrl-C stops it, in a sleep or in a run, back to the prompt" {
	require_tmux
	start_shell
	type_line 'every 60 echo ran; echo not reached'
	wait_last '^ran$'
	tm send-keys C-c
	wait_prompt
	run_line 'echo "status=$?"'
	mark 30.; nap=$REPLY
	type_line "every 60 sleep $nap; echo not reached"
	for ((i = 0; i < 100; i++)); do
		pgrep -f "sleep $nap" > /dev/null && break
		sleep 0.05
	done
	tm send-keys C-c
	wait_prompt
	run_line 'echo "status=$?"'
	run pane
	assert_equal "$(grep -c '^status=130$' <<< "$output")" 2
	refute_line "not reached"
	no_leftovers "sleep $nap"
}
