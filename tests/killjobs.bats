#!/usr/bin/env bats
# killjobs: SIGNAL, a grace period, then KILL; nothing left behind.
#
# Every script runs in a child bash (bgsh): bats keeps jobs of its own in
# the test shell, and killjobs there would stop them.  Processes that must
# not outlive a test sleep for a duration that mark hands out (93.<digits>,
# unique to the test and to this run of the suite), passed to the script as
# an argument: no_leftovers "$(pat "$m")" finds them, teardown kills them if
# the test fails, and a run that overlaps ours on the same machine neither
# sees nor kills them.  Where the output shows a job's command text (`jobs',
# killjobs -v), the mark is spliced into the script instead.

load test_helper
bats_require_minimum_version 1.5.0

# A job that ignores TERM: `bash -c "$TERM_PROOF" _ READYFILE SECS &'.
TERM_PROOF='trap "" TERM; : > "$1"; exec sleep "$2"'
export TERM_PROOF

# --- what is stopped ----------------------------------------------------------

@test "killjobs: with no id it stops every running job" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 bgsh '
		sleep "$1" & a=$!
		sleep "$2" & b=$!
		killjobs; echo "killjobs=$?"
		wait $a; echo "a=$?"
		wait $b; echo "b=$?"' "$m1" "$m2"
	assert_output - <<-EOF
	killjobs=0
	a=143
	b=143
	EOF
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: returns 0 quickly when every job ends on TERM" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	mark 93.; m3=$REPLY
	run -0 bgsh '
		sleep "$1" & sleep "$2" & sleep "$3" &
		t0=$EPOCHREALTIME
		killjobs; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 2500 ))"' "$m1" "$m2" "$m3"
	assert_output "st=0 fast=1"
	no_leftovers "$(pat "$m1")|$(pat "$m2")|$(pat "$m3")"
}

@test "killjobs: a job that ignores TERM gets KILL after -g GRACE and the status is 1" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 bgsh '
		bash -c "$TERM_PROOF" _ "$1/ready" "$2" & stubborn=$!
		sleep "$3" & meek=$!
		await "$1/ready"
		t0=$EPOCHREALTIME
		killjobs -g 300ms; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 2300 ))"
		wait $stubborn; echo "stubborn=$?"
		wait $meek; echo "meek=$?"' "$BATS_TEST_TMPDIR" "$m1" "$m2"
	assert_output - <<-EOF
	st=1 fast=1
	stubborn=137
	meek=143
	EOF
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: -g 0 sends KILL at once after the signal" {
	mark 93.; m=$REPLY
	run -0 bgsh '
		bash -c "$TERM_PROOF" _ "$1/ready" "$2" & p=$!
		await "$1/ready"
		t0=$EPOCHREALTIME
		killjobs -g 0; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 1000 ))"
		wait $p; echo "p=$?"' "$BATS_TEST_TMPDIR" "$m"
	assert_output - <<-EOF
	st=1 fast=1
	p=137
	EOF
	no_leftovers "$(pat "$m")"
}

@test "killjobs: --grace is the long form of -g" {
	mark 93.; m=$REPLY
	run -0 bgsh '
		bash -c "$TERM_PROOF" _ "$1/ready" "$2" & p=$!
		await "$1/ready"
		t0=$EPOCHREALTIME
		killjobs --grace=100ms; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 2100 ))"' "$BATS_TEST_TMPDIR" "$m"
	assert_output "st=1 fast=1"
	no_leftovers "$(pat "$m")"
}

@test "killjobs: -s SIGNAL sends that signal first, by name or number, in any case" {
	run -0 bgsh '
		for s in USR1 SIGHUP usr2 9 --signal=HUP; do
			sleep 3 & p=$!
			if [[ $s == --* ]]; then killjobs $s; else killjobs -s $s; fi
			st=$?
			wait $p
			echo "$s: killjobs=$st job=$?"
		done'
	assert_output - <<-EOF
	USR1: killjobs=0 job=138
	SIGHUP: killjobs=0 job=129
	usr2: killjobs=0 job=140
	9: killjobs=0 job=137
	--signal=HUP: killjobs=0 job=129
	EOF
}

@test "killjobs: only the jobs named are stopped" {
	# The marks are spliced into the script: `jobs' shows c's text.
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	mark 93.; m3=$REPLY
	run -0 bgsh '
		sleep '"$m1"' & a=$!
		sleep '"$m2"' & b=$!
		sleep '"$m3"' & c=$!
		killjobs $a %2; echo "killjobs=$?"
		kill -0 $a 2>/dev/null || echo "a gone"
		kill -0 $b 2>/dev/null || echo "b gone"
		kill -0 $c && echo "c running"
		jobs
		kill $c'
	assert_output --regexp "^killjobs=0
a gone
b gone
c running
\[3\]\+ +Running +sleep ${m3//./[.]} &$"
	no_leftovers "$(pat "$m1")|$(pat "$m2")|$(pat "$m3")"
}

@test "killjobs: with job control the whole process group dies, grandchildren included" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 --separate-stderr bgsh '
		set -m
		f() { sleep "$2" & : > "$1/ready.$BASHPID"; sleep "$3"; }
		f "$1" "$2" "$3" & a=$!
		f "$1" "$2" "$3" & b=$!
		await "$1/ready.$a" && await "$1/ready.$b"
		killjobs; echo "killjobs=$?"
		jobs | wc -l' "$BATS_TEST_TMPDIR" "$m1" "$m2"
	assert_output - <<-EOF
	killjobs=0
	0
	EOF
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: without job control every process of a pipeline job is signalled" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 bgsh '
		sleep "$1" | sleep "$2" &
		pause 0.2
		killjobs; echo "killjobs=$?"' "$m1" "$m2"
	assert_output "killjobs=0"
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: a stopped job is continued so that it ends on TERM" {
	mark 93.; m=$REPLY
	run -0 --separate-stderr bgsh '
		set -m
		sleep "$1" & p=$!
		kill -STOP $p
		pause 0.2
		t0=$EPOCHREALTIME
		killjobs; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 2500 ))"
		wait $p; echo "p=$?"' "$m"
	assert_output - <<-EOF
	st=0 fast=1
	p=143
	EOF
	no_leftovers "$(pat "$m")"
}

@test "killjobs: the job table is empty afterwards and wait PID still returns each status" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 --separate-stderr bgsh '
		for m in +m -m; do
			set $m
			sleep "$1" & a=$!
			sleep "$2" & b=$!
			kill -STOP $b
			pause 0.2
			killjobs; echo "$m: killjobs=$?"
			jobs | wc -l
			wait $a; echo "a=$?"
			wait $b; echo "b=$?"
			waitany -p p; echo "waitany=$? p=${p-unset}"
		done' "$m1" "$m2"
	assert_output - <<-EOF
	+m: killjobs=0
	0
	a=143
	b=143
	waitany=127 p=unset
	-m: killjobs=0
	0
	a=143
	b=143
	waitany=127 p=unset
	EOF
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: a job that had already ended is left for waitany to report" {
	# killjobs stops the running and stopped jobs; a finished one keeps
	# its status for whoever collects it.
	mark 93.; m=$REPLY
	run -0 bgsh '{
		sleep "$1" & a=$!
		(exit 3) & b=$!
		pause 0.2
		killjobs; echo "killjobs=$?"
		waitany -p p; echo "waitany=$? b=$(( p == b ))"
		jobs | wc -l
		wait $a; echo "a=$?"
	}' "$m"
	assert_output - <<-EOF
	killjobs=0
	waitany=3 b=1
	0
	a=143
	EOF
}

@test "killjobs: with no job to stop it returns 0 at once" {
	run -0 bgsh '
		(exit 3) & wait $!
		t0=$EPOCHREALTIME
		killjobs; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 1000 ))"'
	assert_output "st=0 fast=1"
}

@test "killjobs: wait, wait -n and jobs still work after killjobs" {
	mark 93.; m=$REPLY
	run -0 bgsh '
		sleep "$1" &
		killjobs; echo "killjobs=$?"
		(sleep 0.2; exit 4) &
		wait -n; echo "wait -n=$?"
		(exit 6) & wait $!; echo "wait pid=$?"
		sleep 0.2 &
		jobs
		wait; echo "wait=$?"' "$m"
	assert_line --index 0 "killjobs=0"
	assert_line --index 1 "wait -n=4"
	assert_line --index 2 "wait pid=6"
	assert_line --index 3 --regexp '^\[[0-9]+\]\+ +Running +sleep 0.2 &$'
	assert_line --index 4 "wait=0"
}

# --- trap killjobs EXIT ---------------------------------------------------------

@test "killjobs: trap killjobs EXIT leaves nothing behind after the script exits" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	mark 93.; m3=$REPLY
	mark 93.; m4=$REPLY
	run -3 bgsh '
		trap killjobs EXIT
		sleep "$1" &
		sleep "$2" | sleep "$3" &
		(exec sleep "$4") &
		pause 0.1
		exit 3' "$m1" "$m2" "$m3" "$m4"
	no_leftovers "$(pat "$m1")|$(pat "$m2")|$(pat "$m3")|$(pat "$m4")"
}

@test "killjobs: trap killjobs EXIT stops a function job's children in a script (issue 10, item 14)" {
	# A plain `f &' in a script shares the shell's process group: no
	# killpg; the function's subshell and its sleep are found by ppid.
	mark 93.; m=$REPLY
	for setm in +m -m; do
		run -0 --separate-stderr bgsh '
			set $2
			start_service() { sleep "$1"; }
			trap killjobs EXIT
			start_service "$1" & svc=$!
			pause 0.3
			echo started' "$m" "$setm"
		assert_output "started"
		no_leftovers "$(pat "$m")"
	done
}

@test "killjobs: a named job's children are stopped too, without job control" {
	mark 93.; m=$REPLY
	run -0 bgsh '
		set -euo pipefail
		f() { sleep "$1"; }
		f "$1" & a=$!
		pause 0.3
		killjobs "$a"; echo "killjobs=$?"
		wait "$a" || echo "f=$?"' "$m"
	assert_output - <<-EOF
	killjobs=0
	f=143
	EOF
	no_leftovers "$(pat "$m")"
}

@test "killjobs: trap killjobs EXIT also stops grandchildren under set -m" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 --separate-stderr bgsh '
		set -m
		trap killjobs EXIT
		f() { sleep "$2" & : > "$1/ready.$BASHPID"; sleep "$3"; }
		f "$1" "$2" "$3" & a=$!
		await "$1/ready.$a"
		echo started' "$BATS_TEST_TMPDIR" "$m1" "$m2"
	assert_output "started"
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: trap killjobs EXIT runs when set -e ends the script" {
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -1 bgsh '
		set -e
		trap "killjobs -g 200ms" EXIT
		sleep "$2" &
		bash -c "$TERM_PROOF" _ "$1/ready" "$3" &
		await "$1/ready"
		false
		echo unreachable' "$BATS_TEST_TMPDIR" "$m1" "$m2"
	refute_output --partial unreachable
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: a child that runs the inherited EXIT trap before it execs trips over nothing of bgtools' (issue 10, item 15)" {
	# killjobs' TERM reaches `sleep &' before it execs: the child runs
	# the EXIT trap it inherited, and bash then waits for the last
	# process it thinks it made.  That must not be a pool worker of the
	# parent's ("wait_for: No record of process N").  20 runs: it used
	# to happen 19 times in 20.
	mark 93.; m=$REPLY
	cat > "$BATS_TEST_TMPDIR/exit15.sh" <<-'EOF'
	enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
	pool -j8 true ::: 1; trap 'killjobs -v' EXIT; sleep "$1" &
	EOF
	run -0 --separate-stderr bgsh '
		for i in {1..20}; do bash "$1" "$2"; done
		echo done' "$BATS_TEST_TMPDIR/exit15.sh" "$m"
	assert_output "done"
	[[ $stderr != *"No record"* ]] || fail "stderr: $stderr"
	[ "$(grep -c "sending SIGTERM" <<< "$stderr")" -ge 20 ] || fail "stderr: $stderr"
	no_leftovers "$(pat "$m")"
}

@test "killjobs: in a subshell the parent's jobs are left alone" {
	mark 93.; m=$REPLY
	run -0 bgsh '
		sleep "$1" & p=$!
		( killjobs -g 1; echo "sub: st=$?" )
		kill -0 $p && echo "parent job running"
		kill $p' "$m"
	assert_output - <<-EOF
	sub: st=0
	parent job running
	EOF
}

@test "killjobs: in a command substitution the parent's jobs are left alone" {
	# They are not the command substitution's children: it cannot reap
	# them, and `( killjobs )' leaves them alone too.
	mark 93.; m=$REPLY
	run -0 bgsh '
		sleep "$1" & p=$!
		t0=$EPOCHREALTIME
		out=$(killjobs -g 1; echo "st=$?")
		echo "$out fast=$(( $(ms_since $t0) < 1500 ))"
		kill -0 $p 2>/dev/null && echo "parent job running"
		kill $p 2>/dev/null || :' "$m"
	assert_output - <<-EOF
	st=0 fast=1
	parent job running
	EOF
}

@test "killjobs: trap killjobs EXIT in a command substitution stops only its own jobs" {
	# A job forked from the $( ) that gets killjobs' TERM before it has
	# reset the traps it inherited may run the EXIT trap itself (bash 5.1
	# lets it; 5.2 and 5.3 mark it SUBSHELL_IGNTRAP): its killjobs must
	# leave alone the jobs that are not its own children.  f waits until
	# its job runs sleep: a TERM that bash's handler takes in the child
	# before exec is lost there (bash's race, not ours), and then the job
	# needs KILL after the grace, which `fast' would count.
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	run -0 bgsh '
		sleep "$1" & p=$!
		f() {
			trap killjobs EXIT
			sleep "$1" &
			until [[ $(tr "\0" " " < /proc/$!/cmdline) == sleep* ]]; do :; done
			echo inner
		}
		t0=$EPOCHREALTIME
		out=$(f "$2")
		echo "$out fast=$(( $(ms_since $t0) < 3000 ))"
		kill -0 $p 2>/dev/null && echo "parent job running"
		kill $p 2>/dev/null || :' "$m1" "$m2"
	assert_output - <<-EOF
	inner fast=1
	parent job running
	EOF
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

# --- signals while killjobs waits -------------------------------------------------

@test "killjobs: an untrapped TERM that arrives meanwhile kills the script once the jobs are gone" {
	tmp=$BATS_TEST_TMPDIR
	mark 93.; m1=$REPLY
	mark 93.; m2=$REPLY
	bgsh '
		bash -c "$TERM_PROOF" _ "$1/ready" "$2" &
		sleep "$3" &
		await "$1/ready"
		echo $$ > "$1/pid"
		killjobs -g 1s
		echo "after killjobs=$?"' "$tmp" "$m1" "$m2" > "$tmp/out" 2>&1 &
	script=$!
	for ((i = 0; i < 500; i++)); do [[ -s $tmp/pid ]] && break; sleep 0.02; done
	sleep 0.3
	kill -TERM "$(cat "$tmp/pid")"
	st=0
	wait $script || st=$?
	assert_equal "$st" 143
	run cat "$tmp/out"
	refute_output --partial "after killjobs"
	no_leftovers "$(pat "$m1")|$(pat "$m2")"
}

@test "killjobs: a trapped signal that arrives meanwhile runs its trap once the jobs are gone" {
	tmp=$BATS_TEST_TMPDIR
	mark 93.; m=$REPLY
	bgsh '
		bash -c "$TERM_PROOF" _ "$1/ready" "$2" & p=$!
		trap "kill -0 $p 2>/dev/null && echo trap: job alive || echo trap: job gone" USR1
		await "$1/ready"
		echo $$ > "$1/pid"
		killjobs -g 1s; st=$?
		echo "killjobs=$st"' "$tmp" "$m" > "$tmp/out" 2>&1 &
	script=$!
	for ((i = 0; i < 500; i++)); do [[ -s $tmp/pid ]] && break; sleep 0.02; done
	sleep 0.3
	kill -USR1 "$(cat "$tmp/pid")"
	wait $script
	run cat "$tmp/out"
	assert_line --index 0 "trap: job gone"
	assert_line --index 1 --regexp '^killjobs=(1|138)$'
	no_leftovers "$(pat "$m")"
}

# --- -v ----------------------------------------------------------------------

@test "killjobs: -v says on stderr what it sends to which job, as plain messages" {
	# The mark is spliced into the script: the message shows the job's text.
	mark 93.; m=$REPLY
	run -0 --separate-stderr bgsh '
		sleep '"$m"' & echo $!
		killjobs -v'
	pid=$output
	[[ $pid =~ ^[0-9]+$ ]] || fail "stdout: $output"
	assert_equal "$stderr" "killjobs: sending SIGTERM to [1] $pid (sleep $m)"
	refute [ "${stderr//grace period over/}" != "$stderr" ]
}

@test "killjobs: -v says when the grace period is over and KILL is sent" {
	mark 93.; m=$REPLY
	run -1 --separate-stderr bgsh '
		bash -c "$TERM_PROOF" _ "$1/ready" "$2" &
		await "$1/ready"
		killjobs -v -s term -g 100ms' "$BATS_TEST_TMPDIR" "$m"
	assert_equal "$output" ""
	[[ $stderr == *"sending SIGTERM to [1] "* ]] || fail "stderr: $stderr"
	[[ $stderr == *$'\n'"killjobs: grace period over: sent KILL" ]] ||
	    fail "stderr: $stderr"
	[[ $stderr != *warning* ]] || fail "stderr: $stderr"
}

@test "killjobs: without -v it prints nothing" {
	mark 93.; m=$REPLY
	run -0 --separate-stderr bgsh 'sleep "$1" & killjobs' "$m"
	assert_equal "$output" ""
	assert_equal "$stderr" ""
}

# --- bad calls ---------------------------------------------------------------

@test "killjobs: a bad signal, grace, option or id is refused and nothing is stopped" {
	mark 93.; m=$REPLY
	run -0 bgsh '
		sleep "$1" & a=$!
		bad=("-s BOGUS" "-s 0" "-s 99" "-g x" "-g -1" "-g inf" "-x" "-s" "abc" "99999" "%9" "$a abc" "$a 99999")
		for i in "${!bad[@]}"; do killjobs ${bad[i]} 2>&1; echo "$i: st=$?"; done
		kill -0 $a && echo "still running"
		kill $a' "$m"
	assert_line "0: st=2"
	assert_line --partial "killjobs: BOGUS: invalid signal specification"
	assert_line "1: st=2"
	assert_line "2: st=2"
	assert_line "3: st=2"
	assert_line --partial "killjobs: x: invalid duration"
	assert_line "4: st=2"
	assert_line --partial "killjobs: -1: invalid duration"
	assert_line "5: st=2"
	assert_line "6: st=2"
	assert_line --partial "killjobs: -x: invalid option"
	assert_line --partial "usage: killjobs [-s SIGNAL] [-g GRACE] [-v] [id ...]"
	assert_line "7: st=2"
	assert_line --partial "killjobs: -s: option requires an argument"
	assert_line "8: st=2"
	assert_line --partial "killjobs: \`abc': not a pid or valid job spec"
	assert_line "9: st=127"
	assert_line --partial "killjobs: pid 99999 is not a child of this shell"
	assert_line "10: st=127"
	assert_line --partial "killjobs: %9: no such job"
	assert_line "11: st=2"
	assert_line "12: st=127"
	assert_line "still running"
}
