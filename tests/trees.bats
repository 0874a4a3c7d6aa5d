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
@test "trees: a daemon that double-forked into a new session is still reached while its job runs" {
	mark 106.; a=$REPLY
	mark 107.; b=$REPLY
	run -0 bgsh '
		f() { (setsid sh -c "sleep $1 & exit" &); sleep "$2"; }
		timeout_run 0.5 f "$1" "$2"; echo "st=$?"' "$a" "$b"
	assert_output "st=124"
	no_leftovers "$(pat "$a")"
	no_leftovers "$(pat "$b")"
}

@test "trees: a process forked while TERM was on its way gets TERM too, not KILL after the grace" {
	# bash forks with TERM blocked: a job stopped just as it forks has a
	# child that TERM missed.  Once the job is gone, that child gets TERM.
	mark 112.; m=$REPLY
	for setm in +m -m; do
		run -0 bgsh '
			set $2
			f() { sleep "$1"; }
			for i in {1..15}; do
				f "$1" &
				t0=$EPOCHREALTIME
				killjobs -g 3; st=$?
				ms=$(ms_since "$t0")
				(( st == 0 && ms < 1500 )) ||
				    { echo "try $i: st=$st ${ms}ms"; break; }
			done
			echo done' "$m" "$setm"
		assert_output "done"
		no_leftovers "$(pat "$m")"
	done
}

# --- what a job leaves running when it ends --------------------------------

@test "trees: timeout_run stops what a function leaves running when it ends" {
	mark 120.; m=$REPLY
	for setm in +m -m; do
		run -0 bgsh '
			set $2
			f() { sleep "$1" & echo started; }
			t0=$EPOCHREALTIME
			timeout_run 5 f "$1"; st=$?
			echo "st=$st fast=$(( $(ms_since $t0) < 2000 ))"' "$m" "$setm"
		assert_output "$(printf '%s\n' started 'st=0 fast=1')"
		no_leftovers "$(pat "$m")"
	done
}

@test "trees: timeout_run stops what a disk command leaves in its group" {
	mark 121.; m=$REPLY
	run -0 bgsh '
		timeout_run 5 sh -c "sleep $1 & exit 3"; echo "st=$?"' "$m"
	assert_output "st=3"
	no_leftovers "$(pat "$m")"
}

@test "trees: retry -t and every -t stop what each attempt leaves running" {
	mark 122.; m=$REPLY
	run -0 bgsh '
		f() { sleep "$1" & return 1; }
		retry -q -n 3 -d 0 -t 5 f "$1"; echo "retry=$?"
		g() { sleep "$1" & }
		every -n 3 -t 5 0.05 g "$1"; echo "every=$?"
		n=$(pgrep -fc "^sleep ${1//./[.]}\$") || :
		echo "left=${n:-0}"' "$m"
	assert_output "$(printf '%s\n' retry=1 every=0 left=0)"
	no_leftovers "$(pat "$m")"
}

@test "trees: a leftover that ignores TERM gets KILL after -k, or 1s without" {
	mark 123.; m=$REPLY
	run -0 bgsh '
		f() {
			rm -f "$2/ready"
			(trap "" TERM; : > "$2/ready"; sleep "$1") &
			await "$2/ready"
		}
		t0=$EPOCHREALTIME
		timeout_run -k 0.2 5 f "$1" "$2"; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 1500 ))"
		t0=$EPOCHREALTIME
		timeout_run 5 f "$1" "$2"; st=$?
		echo "st=$st ms=$(( $(ms_since $t0) >= 900 && $(ms_since $t0) < 4000 ))"' \
	    "$m" "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' 'st=0 fast=1' 'st=0 ms=1')"
	no_leftovers "$(pat "$m")"
}

@test "trees: the EXIT trap runs first, and a leftover can clean up on TERM" {
	mark 124.; m=$REPLY
	run -0 bgsh '
		f() {
			trap "echo \"exit trap: \$(jobs -p | wc -l) job\"" EXIT
			(trap "echo cleaned > \"\$2/clean\"; exit" TERM
			 sleep "$1" & wait) &
			pause 0.2
		}
		timeout_run 5 f "$1" "$2"; echo "st=$?"
		cat "$2/clean"' "$m" "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' 'exit trap: 1 job' st=0 cleaned)"
	no_leftovers "$(pat "$m")"
}

@test "trees: pool stops what a function job leaves running when it ends" {
	mark 125.; m=$REPLY
	run -0 bgsh '
		h() { sleep "$1" & echo started; }
		pool h ::: "$1"; echo "st=$?"' "$m"
	assert_output "$(printf '%s\n' started st=0)"
	no_leftovers "$(pat "$m")"
}

# --- orphans: the subreapers ------------------------------------------------

@test "trees: a function job's orphan stays under the job (it is a subreaper)" {
	mark 126.; m=$REPLY
	run -0 bgsh '
		g() {
			(sleep "$1" &)
			local p
			p=$(pgrep -f "^sleep ${1//./[.]}\$")
			read -r _ _ _ ppid _ < "/proc/$p/stat"
			echo "under job: $(( ppid == BASHPID ))"
		}
		timeout_run 5 g "$1"; echo "st=$?"' "$m"
	assert_output "$(printf '%s\n' 'under job: 1' st=0)"
	no_leftovers "$(pat "$m")"
}

@test "trees: an orphan of a disk command comes back to the shell and bash reaps it silently" {
	# The disk command cannot be a subreaper (posix_spawn, no code of
	# ours runs in it), so the orphan re-parents to the shell, which is
	# one while timeout_run runs; bash drops the unknown pid's status.
	run -0 --separate-stderr bgsh '
		timeout_run 5 sh -c "(setsid sleep 0.3 & echo \$! > \"\$1/pid\")
		    sleep 0.1
		    read -r _ _ _ pp _ < /proc/\$(cat \"\$1/pid\")/stat
		    echo \$pp > \"\$1/ppid\"
		    sleep 0.5" sh "$1"
		echo "st=$? adopted=$(( $(cat "$1/ppid") == $$ ))"
		z=0
		for f in /proc/[0-9]*/stat; do
			{ read -r line < "$f"; } 2>/dev/null || continue
			a=(${line##*) })
			[ "${a[0]}" = Z ] && [ "${a[1]}" = $$ ] && z=$((z + 1))
		done
		echo "zombies=$z jobs=$(jobs | wc -l)"
		wait; echo "wait=$?"' "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' 'st=0 adopted=1' 'zombies=0 jobs=0' wait=0)"
	assert_equal "$stderr" ""
}

@test "trees: the shell is a subreaper only while a builtin runs, and never after exec" {
	# Were it left on, the program exec'd after the call would adopt
	# this orphan instead of init.
	run -0 bgsh '
		timeout_run 1 true
		retry -q -n 1 -t 1 true
		every -n 1 -t 1 1 true
		killjobs
		trap "echo trapped" USR1
		(sleep 0.2; kill -USR1 $$) & timeout_run 5 sleep 2; echo "st=$?"
		exec bash -c "(sleep 0.5 & echo \$! > \"\$1/pid\"); sleep 0.1
		    read -r _ _ _ pp _ < /proc/\$(cat \"\$1/pid\")/stat
		    echo \"adopted by the exec'\''d program: \$(( pp == \$\$ ))\"" \
		    bash "$1"' "$BATS_TEST_TMPDIR"
	assert_output "$(printf '%s\n' trapped st=138 "adopted by the exec'd program: 0")"
}
