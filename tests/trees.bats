#!/usr/bin/env bats
# Whole process trees: what a stop reaches when the tree holds other
# process groups (a nested timeout_run or pool), new sessions (setsid),
# stopped processes, and processes whose parent has died.
#
# Every script runs in a child bash (bgsh: a process left behind cannot
# hold bats' output pipe open).  Processes that
# must not outlive a test sleep for a duration from mark, so that
# no_leftovers finds exactly them.

load test_helper
bats_require_minimum_version 1.5.0

# --- nested bgtools children (issue 10, item 7) ----------------------------

@test "trees: timeout_run -s KILL reaches a nested timeout_run's command" {
	mark 101.; m=$REPLY
	for setm in +m -m; do
		run -0 bgsh '
			set $2
			g() { timeout_run 100 sleep "$1"; }
			t0=$EPOCHREALTIME
			timeout_run -s KILL 0.5 g "$1"; st=$?
			echo "st=$st fast=$(( $(ms_since $t0) < 3000 ))"' \
		    "$m" "$setm"
		assert_output "st=137 fast=1"
		no_leftovers "$(pat "$m")"
	done
}

@test "trees: timeout_run -s KILL reaches the jobs of a nested pool" {
	mark 102.; m=$REPLY
	for setm in +m -m; do
		run -0 bgsh '
			set $2
			h() { pool -j2 sleep ::: "$1" "$1"; }
			timeout_run -s KILL 0.5 h "$1"; echo "st=$?"' "$m" "$setm"
		assert_output "st=137"
		no_leftovers "$(pat "$m")"
	done
}

@test "trees: pool --timeout reaches a nested timeout_run's command in a job that ignores TERM" {
	mark 103.; m=$REPLY
	run -0 bgsh '
		k() { trap "" TERM; timeout_run 100 sleep "$1"; }
		t0=$EPOCHREALTIME
		pool --timeout 0.5 k ::: "$1"; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 4000 ))"' "$m"
	assert_output "st=1 fast=1"
	no_leftovers "$(pat "$m")"
}

@test "trees: timeout_run reaches a process that started a session of its own (setsid)" {
	mark 104.; a=$REPLY
	mark 105.; b=$REPLY
	for setm in +m -m; do
		run -0 bgsh '
			set $3
			f() { setsid sleep "$1" & sleep "$2"; }
			timeout_run 0.5 f "$1" "$2"; echo "st=$?"' "$a" "$b" "$setm"
		assert_output "st=124"
		no_leftovers "$(pat "$a")"
		no_leftovers "$(pat "$b")"
	done
}

@test "trees: in a set -euo pipefail script a nested tree is stopped and the status caught" {
	mark 108.; m=$REPLY
	run -0 bgsh '
		set -euo pipefail
		g() { timeout_run 100 sleep "$1"; }
		st=0; timeout_run -s KILL 0.3 g "$1" || st=$?
		echo "st=$st"' "$m"
	assert_output "st=137"
	no_leftovers "$(pat "$m")"
}

@test "trees: a stopped process in a nested group gets SIGCONT after TERM and ends at once" {
	mark 109.; a=$REPLY
	mark 110.; b=$REPLY
	run -0 bgsh '
		f() { set -m; sleep "$1" & kill -STOP $!; sleep "$2"; }
		t0=$EPOCHREALTIME
		timeout_run -k 10 0.3 f "$1" "$2"; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 3000 ))"' "$a" "$b"
	assert_output "st=124 fast=1"
	no_leftovers "$(pat "$a")"
	no_leftovers "$(pat "$b")"
}

@test "trees: timeout_run --foreground in a script stops the command's children too, never the shell" {
	# The job is in the shell's own group: its tree is found by ppid, and
	# the group is never signalled (the shell would get the signal).
	mark 111.; m=$REPLY
	run -0 bgsh '
		f() { sleep "$1"; }
		timeout_run --foreground 0.3 f "$1"; echo "st=$?"
		echo "still here"' "$m"
	assert_output "$(printf '%s\n' st=124 'still here')"
	no_leftovers "$(pat "$m")"
}
