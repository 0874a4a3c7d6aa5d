#!/usr/bin/env bats
# Interactive shells under a pty (tmux): Ctrl-C during waitany and
# timeout_run, "Done" notices, and jobs the shell already announced.

load test_helper
bats_require_minimum_version 1.5.0

# wait_blocked: wait until the shell sleeps in ppoll (the builtins' wait),
# not in pselect (readline), so that a Ctrl-C reaches the builtin.
wait_blocked() {
	local nr end
	case $(uname -m) in
	x86_64) nr=271 ;;
	aarch64) nr=73 ;;
	*) sleep 1; return 0 ;;
	esac
	end=$(( $(now_ms) + 10000 ))
	while (( $(now_ms) < end )); do
		[ "$(cut -d' ' -f1 "/proc/$SHPID/syscall" 2>/dev/null)" = "$nr" ] &&
		    return 0
		sleep 0.02
	done
	fail "the shell never blocked in the builtin; pane:
$(pane)"
}

# refute_done_notices: fail if the pane shows a "Done" notice for a job
# that the waitany loop reported.  An interactive bash 5.3 (not in posix
# mode) reports the jobs that ended after every `;' of a line, 5.1 and
# 5.2 after the whole line: on 5.3, jobs that ended before the loop began
# get their notice from bash before it, and only the lines from W= on
# count.
refute_done_notices() {
	run -0 pane
	if ((BASH_VERSINFO[0] > 5 || BASH_VERSINFO[1] >= 3)); then
		run -0 sed -n '/^W=/,$p' <<< "$output"
		assert_line --index 0 --regexp '^W=[0-9]+$'
	fi
	refute_output --partial "Done"
}

setup() {
	bg_enable
	start_shell
}

@test "interactive: Ctrl-C during waitany gives the prompt back with \$? 130 and the job still running" {
	mark 30; m=$REPLY
	run_line "sleep $m &"
	type_line 'waitany'
	wait_blocked
	t0=$(now_ms)
	tm send-keys C-c
	wait_prompt
	ms=$(( $(now_ms) - t0 ))
	(( ms < 3000 )) || fail "prompt after ${ms}ms"
	run_line 'echo "st=$?"'
	wait_for '^st=130$'
	run_line 'jobs; echo JOBS_END'
	wait_for "^\[1\]\+ +Running +sleep $m &$"
	pgrep -f "$(pat "$m")" > /dev/null || fail "the job was killed"
}

@test "interactive: the job interrupted by Ctrl-C in waitany can still be waited for" {
	run_line "sleep 1.5 &"
	type_line 'waitany'
	wait_blocked
	tm send-keys C-c
	wait_prompt
	run_line 'waitany; echo "again=$?"'
	wait_for '^again=0$'
}

@test "interactive: Ctrl-C during timeout_run stops the function and its children, \$? is 130" {
	mark 31.5; m=$REPLY
	run_line "f() { sleep $m & sleep $m; }"
	type_line 'timeout_run 30 f'
	wait_blocked
	wait_procs 2 "$(pat "$m")"
	t0=$(now_ms)
	tm send-keys C-c
	wait_prompt
	ms=$(( $(now_ms) - t0 ))
	(( ms < 5000 )) || fail "prompt after ${ms}ms"
	run_line 'echo "st=$?"'
	wait_for '^st=130$'
	no_leftovers "$(pat "$m")"
	run_line 'echo "usable $((6 * 7))"'
	wait_for '^usable 42$'
	run_line 'jobs >~/jobs.out; echo "jobs_bytes=$(wc -c <~/jobs.out)"'
	wait_for '^jobs_bytes=0$'
}

@test "interactive: timeout_run still times out with 124 in an interactive shell" {
	mark 31.6; m=$REPLY
	run_line "f() { sleep $m & sleep $m; }"
	run_line 'timeout_run 0.2 f; echo "st=$?"'
	wait_for '^st=124$'
	no_leftovers "$(pat "$m")"
}

@test "interactive: waitany on 20 finished jobs leaves no Done notices and an empty job table" {
	run_line 'for i in {1..20}; do (exit 0) & done 2>/dev/null; n=0; for i in {1..20}; do waitany && n=$((n+1)); done; echo "W=$n"'
	wait_for '^W=20$'
	run_line ''
	run_line ''
	run_line 'jobs >~/jobs.out; echo "jobs_bytes=$(wc -c <~/jobs.out)"'
	wait_for '^jobs_bytes=0$'
	run_line 'waitany; echo "more=$?"'
	wait_for '^more=127$'
	refute_done_notices
}

@test "interactive: waitany on 20 running jobs leaves no Done notices" {
	run_line 'for i in {1..20}; do sleep 0.$((RANDOM % 5)) & done 2>/dev/null; n=0; for i in {1..20}; do waitany && n=$((n+1)); done; echo "W=$n"'
	wait_for '^W=20$'
	run_line ''
	run_line ''
	run_line 'jobs >~/jobs.out; echo "jobs_bytes=$(wc -c <~/jobs.out)"'
	wait_for '^jobs_bytes=0$'
	refute_done_notices
}

@test "interactive: waitany reports a job whose Exit notice the shell already printed" {
	run_line '(exit 5) &'
	run_line ''
	run_line ''
	wait_for 'Exit 5 +\( exit 5 \)'
	run_line 'waitany; echo "st=$?"'
	wait_for '^st=5$'
	run_line 'waitany; echo "again=$?"'
	wait_for '^again=127$'
}

@test "interactive: waitany -p reports a job whose Done notice the shell already printed" {
	run_line '(exit 0) &'
	run_line 'echo "pid=$!"'
	run_line ''
	wait_for 'Done +\( exit 0 \)'
	pid=$(pane | sed -n 's/^pid=\([0-9]*\)$/\1/p')
	[ -n "$pid" ] || fail "no pid in pane"
	run_line 'waitany -p v; echo "st=$? v=$v"'
	wait_for "^st=0 v=$pid\$"
}

@test "interactive: a job listed by jobs is still reported by waitany" {
	run_line '(exit 3) &'
	run_line 'sleep 0.3; jobs'
	wait_for 'Exit 3'
	run_line 'waitany; echo "st=$?"'
	wait_for '^st=3$'
}

@test "interactive: a SIGHUP to the shell during timeout_run leaves no HUP-ignoring grandchild" {
	mark 31.7; a=$REPLY
	mark 31.8; b=$REPLY
	run_line "f() { (trap '' HUP; sleep $a) & sleep $b; }"
	type_line 'timeout_run 30 f'
	wait_blocked
	wait_procs 1 "$(pat "$a")"
	kill -HUP "$SHPID"
	end=$(( $(now_ms) + 10000 ))
	while alive "$SHPID"; do
		(( $(now_ms) < end )) || fail "the shell survived SIGHUP"
		sleep 0.02
	done
	no_leftovers "$(pat "$b")"
	no_leftovers "$(pat "$a")"
}

@test "interactive: pool --bar keeps the progress line and job output on separate lines" {
	run_line 'f() { sleep 0.$(( $1 % 3 )); echo "done $1"; echo "err $1" >&2; }'
	run_line 'pool --bar -j2 f ::: 1 2 3 4 5 6; echo "st=$?"'
	wait_for '^st=0$'
	local out
	out=$(pane)
	# Every job line stands alone: no bar text glued before or after it.
	for i in 1 2 3 4 5 6; do
		grep -qx "done $i" <<< "$out" || fail "no clean 'done $i' line:
$out"
		grep -qx "err $i" <<< "$out" || fail "no clean 'err $i' line:
$out"
	done
	grep -q 'pool:.*done.*pool:' <<< "$out" && fail "two bars on a line:
$out"
	grep -qx 'pool: 6/6 done, 0 running, 0 failed, [0-9.]*s' <<< "$out" ||
	    fail "no final bar:
$out"
}

@test "interactive: after Ctrl-C the last bar counts the stopped jobs as failed" {
	type_line 'pool --bar -j2 sleep ::: 0.1 0.1 30 30 30'
	wait_for 'pool: 2/5 done, 2 running'
	tm send-keys C-c
	wait_prompt
	local out
	out=$(pane)
	grep -qE 'pool: 4/5 done, 0 running, 2 failed' <<< "$out" || fail "$out"
}

@test "interactive: pool --tty gives each job the terminal and takes it back; the prompt works after" {
	type_line 'pool --tty --status-array st sh -c "read l; echo \"got \$l\"" ::: 1 2; echo "st=$? ${st[*]}"'
	sleep 0.5
	tm send-keys 'first' Enter
	wait_for '^got first$'
	tm send-keys 'second' Enter
	wait_for '^got second$'
	wait_for '^st=0 0 0$'
	run_line 'echo "usable $((6 * 7))"'
	wait_for '^usable 42$'
}
