#!/usr/bin/env bats
# The test harness itself: a child script that hangs fails its test and
# leaves nothing behind that could hold the suite's own pipes open.

load test_helper
bats_require_minimum_version 1.5.0

@test "harness: a timed-out script's hung subshell that caught TERM is killed, and bats' fd 3 never reached it" {
	mark 7.7; local m=$REPLY
	run -124 bg_timed 1 hang '
		( trap "" TERM; ls -l /proc/$BASHPID/fd/ > "$2/fds"; sleep "$1" ) &
		wait' "$m" "$BATS_TEST_TMPDIR"
	local left
	left=$(pgrep -cf "$(pat "$m")") || true
	assert_equal "$left" 0
	run grep -c ' 3 -> ' "$BATS_TEST_TMPDIR/fds"
	assert_output 0
}
