#!/usr/bin/env bats
# examples.bats - every examples/*.sh runs, works and leaves nothing behind.
#
# Adding an example needs no change here: the first test runs every
# examples/*.sh found when the suite runs.  What an example must do:
#
# - be a bash script that loads the library with
#	enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" NAME... || exit 1
#   (make test exports BGTOOLS_SO; the scripts are run with `bash FILE');
# - check its own result and exit 0 only when it worked;
# - finish in a few seconds (EXAMPLE_TIMEOUT, 60 s, is only a hard stop);
# - leave no process running: each example runs in a session of its own
#   (setsid), and any live process left in that session fails the test
#   (zombies do not count).
#
# Add an explicit test below only to check an example's own output.

load test_helper

EXAMPLES_DIR=$BATS_TEST_DIRNAME/../examples
EXAMPLE_TIMEOUT=60

# session_leftovers SID: print the live processes left in session SID,
# waiting up to 1 s for them to end; return 1 if any remain (after
# killing them, so that one failure does not spill into other tests).
session_leftovers() {
	local sid=$1 i p left
	for ((i = 0; i < 10; i++)); do
		left=
		for p in $(pgrep -s "$sid"); do
			alive "$p" && left+=" $p"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	for p in $left; do
		echo "left running: $p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null)"
		kill -KILL "$p" 2>/dev/null
	done
	return 1
}

# example_exec FILE: run FILE with bash in a new session under a timeout,
# write the session id to $BATS_TEST_TMPDIR/sid, return FILE's status.
example_exec() {
	local sidfile=$BATS_TEST_TMPDIR/sid
	rm -f "$sidfile"
	timeout -k 5 "$EXAMPLE_TIMEOUT" setsid -w bash -c \
	    'echo "$$" > "$1" && exec bash "$2"' _ "$sidfile" "$1"
}

# run_example NAME: run examples/NAME.sh as example_exec does, with its
# stdout and stderr in a file (a pipe, as `run' uses, would wait for any
# process left holding it), then fail if it left a process running.  Sets
# $status, $output and $lines as `run' does, and $example_ms (wall time).
run_example() {
	local t0 st=0 out=$BATS_TEST_TMPDIR/out
	t0=$(now_ms)
	example_exec "$EXAMPLES_DIR/$1.sh" > "$out" 2>&1 || st=$?
	example_ms=$(($(now_ms) - t0))
	session_leftovers "$(cat "$BATS_TEST_TMPDIR/sid")" ||
	    fail "examples/$1.sh left processes running"
	run bash -c 'cat "$1"; exit "$2"' _ "$out" "$st"
}

@test "examples: every examples/*.sh exits 0 and leaves nothing running" {
	local f name st failed=() n=0 out=$BATS_TEST_TMPDIR/out
	for f in "$EXAMPLES_DIR"/*.sh; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		name=${f##*/}
		st=0
		example_exec "$f" > "$out" 2>&1 || st=$?
		if ! session_leftovers "$(cat "$BATS_TEST_TMPDIR/sid")" \
		    >> "$out"; then
			st="$st, left processes running"
		fi
		if [ "$st" != 0 ]; then
			failed+=("$name")
			echo "--- examples/$name failed (status $st):"
			cat "$out"
		fi
	done
	((n >= 5)) || fail "only $n examples found in $EXAMPLES_DIR"
	((${#failed[@]} == 0)) || fail "failed examples: ${failed[*]}"
}

@test "examples: every example fails when the library cannot be loaded" {
	local f failed=()
	for f in "$EXAMPLES_DIR"/*.sh; do
		BGTOOLS_SO=$BATS_TEST_TMPDIR/missing.so \
		    timeout 20 bash "$f" > /dev/null 2>&1 && failed+=("${f##*/}")
	done
	((${#failed[@]} == 0)) ||
	    fail "exit 0 without the library (BGTOOLS_SO ignored?): ${failed[*]}"
}

@test "examples/demo.sh: shows every builtin at work and finishes in seconds" {
	run_example demo
	assert_success
	assert_line --regexp 'waitall returned 2; statuses: build=0 lint=2 test=0$'
	assert_line --regexp 'waitall -f returned 1; statuses: slow-job=143 bad-job=1$'
	assert_line --regexp 'timeout_run returned 124 '
	assert_line --regexp 'waitany: fast \(pid [0-9]+\) reported, status 0$'
	assert_line --regexp 'waitany: medium \(pid [0-9]+\) reported, status 3$'
	assert_line --regexp 'waitany returned 124 '
	assert_line --regexp 'killjobs returned 0 .*jobs left: 0$'
	assert_line --regexp 'demo: all done$'
	((example_ms < 20000)) || fail "took $example_ms ms"
}

@test "examples/parallel-failfast.sh: the first failure stops the other steps" {
	run_example parallel-failfast
	assert_success
	assert_line --regexp '^waitall -f returned 3 after [0-9]+ ms$'
	assert_line "  compile: status 143"
	assert_line "  lint: status 3"
	assert_line "  unit-tests: status 143"
	refute_line --partial "compile: finished"
	assert_line "ok: failed fast on lint, the other steps were stopped"
}

@test "examples/timeout.sh: a shell function finishes in time once, times out once" {
	run_example timeout
	assert_success
	assert_line --regexp '^ready file: status 0 after [0-9]+ ms$'
	assert_line --regexp '^missing file: status 124 after [0-9]+ ms'
	assert_line "ok: the function finished in time once and was stopped once"
}

@test "examples/first-of.sh: the first good mirror wins, a failed one is skipped" {
	run_example first-of
	assert_success
	assert_line "broken.example.org answered with status 7"
	assert_line "fast.example.org answered with status 0"
	refute_line --partial "slow.example.org answered"
	assert_line --regexp '^winner: fast.example.org after [0-9]+ ms$'
	assert_line "ok: first good answer kept, the slow mirror was stopped"
}

@test "examples/service-cleanup.sh: trap killjobs EXIT leaves no service behind" {
	run_example service-cleanup
	assert_success
	assert_line "app: killjobs returned 1 (1: KILL was needed)"
	assert_line "ok: both services were stopped when the app exited"
}
