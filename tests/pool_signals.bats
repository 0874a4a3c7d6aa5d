#!/usr/bin/env bats
# pool and signals: a script blocked in a pool receives TERM, INT or HUP
# from outside (untrapped: it dies of the signal; trapped: the trap runs
# once and pool returns 128+N), and Ctrl-C in an interactive shell.  In
# every case no worker and no worker's child may be left running.

load test_helper
bats_require_minimum_version 1.5.0

# --- a script, signalled from outside ------------------------------------

load pool_victim

load signal_harness

# trapped_more ROW SIG: the script's whole output (the trap echoes too).
trapped_more() {
	run -0 cat "$D/out"
	assert_output - <<-EOF
	trap ran
	st=$((128 + $(kill -l "$2")))
	continued
	EOF
}

@test "pool signals: untrapped TERM kills a script blocked in a batch pool and leaves no worker or grandchild" {
	untrapped batch 0 TERM
}

@test "pool signals: untrapped INT kills a script blocked in a batch pool and leaves no worker or grandchild" {
	untrapped batch 0 INT
}

@test "pool signals: untrapped HUP kills a script blocked in a batch pool and leaves no worker or grandchild" {
	untrapped batch 0 HUP
}

@test "pool signals: untrapped TERM under set -m kills the script and leaves nothing" {
	untrapped batch 1 TERM
}

@test "pool signals: untrapped INT under set -m kills the script and leaves nothing" {
	untrapped batch 1 INT
}

@test "pool signals: untrapped TERM ends the script within a second, well before the KILL grace" {
	signal_victim TERM batch "" 0
	ms=$VMS
	(( VSTATUS == 143 )) || fail "status $VSTATUS"
	# Jobs that die of TERM need no KILL 2s later.
	(( ms < 1500 )) || fail "took ${ms}ms"
	nothing_left
}

@test "pool signals: trapped TERM runs the trap once, pool returns 143 and the script goes on" {
	trapped batch 0 TERM
}

@test "pool signals: trapped INT runs the trap once, pool returns 130 and the script goes on" {
	trapped batch 0 INT
}

@test "pool signals: trapped HUP runs the trap once, pool returns 129 and the script goes on" {
	trapped batch 0 HUP
}

@test "pool signals: trapped TERM under set -m runs the trap once and leaves nothing" {
	trapped batch 1 TERM
}

@test "pool signals: untrapped TERM during pool --wait kills the script and its --sem jobs" {
	untrapped wait 0 TERM
}

@test "pool signals: trapped INT during pool --wait runs the trap once and stops the --sem jobs" {
	trapped wait 0 INT
}

@test "pool signals: untrapped HUP while pool --sem waits for a slot kills the script and its jobs" {
	untrapped submit 0 HUP
}

@test "pool signals: trapped TERM while pool --sem waits for a slot returns 143 and stops the jobs" {
	trapped submit 0 TERM
}

@test "pool signals: untrapped TERM between pool calls kills the script and its --sem jobs" {
	untrapped between 0 TERM
}

@test "pool signals: untrapped INT between pool calls kills the script and its --sem jobs" {
	untrapped between 0 INT
}

@test "pool signals: untrapped HUP between pool calls under set -m kills the script and its --sem jobs" {
	untrapped between 1 HUP
}

@test "pool signals: TERM between pool calls runs an EXIT trap set after the --sem calls, then stops the jobs" {
	untrapped between_exit 0 TERM
	run -0 cat "$D/trap.log"
	assert_output "exit trap"
}

@test "pool signals: once pool --wait has collected the --sem jobs, TERM and a trap set and reset meanwhile act as without pool" {
	run bg_bash_dfl '
		pool --sem true
		trap "echo trapped" TERM
		kill -TERM $BASHPID
		trap - TERM
		pool --wait; echo "waited=$?"
		x=$(kill -TERM $BASHPID; echo "subshell went on")
		echo "x=$x"
		kill -TERM $BASHPID
		echo "went on"'
	assert_equal "$status" 143
	assert_output - <<-EOF
	trapped
	waited=0
	x=
	EOF
}

@test "pool signals: jobs that ignore the signal are killed after the grace period, then the script dies" {
	signal_victim TERM stubborn "" 0
	ms=$VMS
	(( VSTATUS == 143 )) || fail "status $VSTATUS; out: $(cat "$D/out")"
	(( ms >= 1500 && ms < 8000 )) || fail "took ${ms}ms, the grace is 2s"
	nothing_left
}

@test "pool signals: TERM that the script ignores (trap '' TERM) does not stop the pool" {
	mark 0.4; m=$REPLY
	PSH_LIMIT=30 run -0 psh '
		trap "" TERM
		f() { sleep "$1"; echo "done $POOL_SEQ"; }
		( sleep 0.2; kill -TERM $$ ) &
		pool -k -j2 f ::: "$1" "$1"
		echo "st=$?"' "$m"
	assert_output - <<-'EOF'
	done 1
	done 2
	st=0
	EOF
}

# --- interactive: Ctrl-C under a pty --------------------------------------

# wait_running N: wait until N sleeps of the mark run, then 0.3 s more.
wait_running() {
	wait_procs "$1" "$(pat "$M")"
	sleep 0.3
}

# start_pool_shell: start_shell, then define f there: a job that starts
# two sleeps of a new mark M and would print "after" if it went on.
start_pool_shell() {
	start_shell
	mark 7.6; M=$REPLY
	run_line "f() { sleep $M & sleep $M; echo after; }"
}

@test "pool signals: interactive Ctrl-C mid-pool gives the prompt back with \$? 130 and nothing running" {
	start_pool_shell
	type_line 'pool -j3 f ::: 1 2 3 4 5'
	wait_running 6
	tm send-keys C-c
	wait_prompt
	run_line 'echo "st=$?"'
	wait_for '^st=130$'
	no_leftovers "$(pat "$M")"
	run_line 'jobs; echo "jobs end"'
	wait_for '^jobs end$'
	run -0 pane
	assert_line 'bgt> jobs; echo "jobs end"'
	refute_line after
	# `jobs' printed nothing: its command line is followed by "jobs end".
	run -0 bash -c 'printf "%s\n" "$1" | grep -A1 -F "bgt> jobs; echo" | tail -n 1' _ "$output"
	assert_output "jobs end"
}

@test "pool signals: interactive Ctrl-C during pool --wait stops the --sem jobs" {
	start_pool_shell
	run_line 'for i in 1 2; do pool --sem -j2 f $i; done'
	wait_running 4
	type_line 'pool --wait'
	sleep 0.3
	tm send-keys C-c
	wait_prompt
	run_line 'echo "st=$?"'
	wait_for '^st=130$'
	no_leftovers "$(pat "$M")"
	run_line 'jobs; echo "jobs end"'
	run -0 bash -c 'printf "%s\n" "$1" | grep -A1 -F "bgt> jobs; echo" | tail -n 1' _ "$(pane)"
	assert_output "jobs end"
}

@test "pool signals: interactive pool prints no Done lines and a pool after a Ctrl-C still works" {
	start_pool_shell
	type_line 'pool -j2 f ::: 1 2'
	wait_running 4
	tm send-keys C-c
	wait_prompt
	run_line 'g() { echo "g $1"; return $(( $1 % 2 )); }'
	run_line 'pool -k -j3 g ::: 1 2 3 4 5 6; echo "st=$?"'
	wait_for '^st=3$'
	run_line 'sleep 0.2; true'
	run_line 'echo "end"'
	run -0 pane
	refute_line --regexp '(Done|Exit|Interrupt|Terminated)'
	assert_line "g 6"
}
