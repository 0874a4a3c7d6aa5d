#!/usr/bin/env bats
# Reliability: nothing lost, nothing left behind, signals at random
# moments.  The quick versions of tests/stress/run.sh: the trials live in
# reliability_helper.bash, and each test runs a few of them.
#
# Every shell under test is a session leader, so "nothing left behind"
# means: inside the shell after each call, no new process of its session,
# no zombie child, the same fds, `jobs -p' and $! (rel_check); and once
# the shell is gone, no live process of its session (rel_clean).

load test_helper
load reliability_helper
bats_require_minimum_version 1.5.0

# test_helper's teardown, then whatever is left of the shell under test.
eval "th_$(declare -f teardown)"
teardown() {
	rel_teardown
	th_teardown
}

# --- nothing lost ---------------------------------------------------------

@test "reliability: 5,000 pool jobs with random statuses and signal deaths each get the right --status-array status" {
	rel_lost_pool 5000 "$RANDOM" -j4 -u
}

@test "reliability: 1,000 pool jobs with grouped, ordered output each get the right --status-array status" {
	rel_lost_pool 1000 "$RANDOM" -j3 -k
}

@test "reliability: 1,000 sh -c pool jobs with random statuses and signal deaths each get the right --status-array status" {
	rel_lost_pool 1000 "$RANDOM" disk -j4 --line-buffer
}

@test "reliability: 1,000 & jobs with random statuses and signal deaths drained with waitany are each reported once" {
	rel_lost_waitany 1000 "$RANDOM" plain
}

@test "reliability: 1,000 & jobs drained with waitany with jobs run between the calls are each reported once" {
	rel_lost_waitany 1000 "$RANDOM" jobs
}

@test "reliability: jobs started while waitany drains the others are each reported once" {
	rel_lost_waitany 600 "$RANDOM" interleave
}

@test "reliability: 600 & jobs under set -m drained with waitany are each reported once" {
	rel_lost_waitany 600 "$RANDOM" setm
}

@test "reliability: waitall -a gives each of 1,000 & jobs with random statuses and signal deaths its own status" {
	rel_lost_waitany 1000 "$RANDOM" waitall
}

@test "reliability: in an interactive shell, 600 jobs whose Done bash already printed are each reported once by waitany" {
	require_tmux
	rel_lost_interactive 600 "$RANDOM" jobs
}

# --- nothing left behind: every path, in the shell ------------------------

@test "reliability: pool leaves nothing behind on success, failure, timeout, halt, retries, --sem and usage errors" {
	rel_paths pool 0
}

@test "reliability: timeout_run leaves nothing behind on success, failure, timeout, KILL and errors" {
	rel_paths timeout_run 0
}

@test "reliability: retry leaves nothing behind in the shell and with child attempts, on every way out" {
	rel_paths retry 0
}

@test "reliability: every leaves nothing behind in the shell and with child runs, on every way out" {
	rel_paths every 0
}

@test "reliability: waitany leaves nothing behind and takes only the job it reports out of the table" {
	rel_paths waitany 0
}

@test "reliability: waitall leaves nothing behind, fail-fast included, with and without set -m" {
	rel_paths waitall 0
	rel_paths waitall 1
}

@test "reliability: killjobs leaves nothing behind, stubborn jobs and process groups included" {
	rel_paths killjobs 0
	rel_paths killjobs 1
}

# --- nothing left behind: signals and set -e ------------------------------

# Each: untrapped TERM, Ctrl-C (INT to the process group), a trapped USR1
# and a set -e exit, with a shell blocked in the builtin.
SIGHOWS="TERM group trapped:USR1 sete"

@test "reliability: pool under TERM, Ctrl-C, a trapped USR1 or set -e leaves nothing behind" {
	for how in $SIGHOWS; do rel_sigpath pool "$how"; done
}

@test "reliability: timeout_run under TERM, Ctrl-C, a trapped USR1 or set -e leaves nothing behind" {
	for how in $SIGHOWS; do rel_sigpath timeout_run "$how"; done
}

@test "reliability: retry, in its sleep or in a child attempt, under TERM, Ctrl-C, a trapped USR1 or set -e leaves nothing behind" {
	for how in $SIGHOWS; do rel_sigpath retry "$how"; rel_sigpath retry_t "$how"; done
}

@test "reliability: every, between runs or in a child run, under TERM, Ctrl-C, a trapped USR1 or set -e leaves nothing behind" {
	for how in $SIGHOWS; do rel_sigpath every "$how"; rel_sigpath every_t "$how"; done
}

@test "reliability: waitany and waitall under TERM, Ctrl-C, a trapped USR1 or set -e leave nothing behind" {
	for how in $SIGHOWS; do rel_sigpath waitany "$how"; rel_sigpath waitall "$how"; done
}

@test "reliability: killjobs under TERM, Ctrl-C, a trapped USR1 or set -e (trap killjobs EXIT) still stops every job" {
	for how in $SIGHOWS; do rel_sigpath killjobs "$how"; done
}

@test "reliability: HUP and INT to a set -m shell blocked in pool or timeout_run leave nothing behind" {
	for b in pool timeout_run; do
		rel_sigpath "$b" HUP 1
		rel_sigpath "$b" INT 1
	done
}

@test "reliability: an untrapped USR1 kills a shell blocked in pool or timeout_run and leaves nothing behind" {
	# Only INT, TERM and HUP are guarded (lib/sigguard.c): any other
	# signal that kills the shell orphans the jobs' process groups.
	rel_sigpath pool USR1
	rel_sigpath timeout_run USR1
}

@test "reliability: interactive Ctrl-C in each builtin returns 130 and leaves nothing behind" {
	require_tmux
	rel_ctrl_c pool timeout_run retry retry_t every every_t waitany waitall killjobs
}

# --- signals at random moments --------------------------------------------

# A failure names its seed: tests/stress/run.sh -t 'rel_random SEED' reruns it.
@test "reliability: 20 signals at random moments (INT, TERM, HUP, USR1; trapped or not) in a busy pool, timeout_run, retry, every or waitany loop" {
	local s base=$RANDOM
	for ((s = base; s < base + 20; s++)); do
		rel_random "$s"
	done
}

# A failure names its seed: tests/stress/run.sh -t 'rel_tree SEED' reruns it.
@test "reliability: 12 nested trees (timeout_run, pool, setsid, daemons, & jobs) stopped at random moments leave nothing anywhere" {
	local s base=$RANDOM
	for ((s = base; s < base + 12; s++)); do
		rel_tree "$s"
	done
}

@test "reliability: TERM while retry -t or every -t forks an attempt leaves no attempt behind" {
	command -v strace > /dev/null || skip "no strace"
	rel_fork_race 'retry -q -n 2 -t 10 f'
	rel_fork_race 'every -n 2 -t 10 1 f'
}

@test "reliability: TERM while timeout_run or pool forks its job leaves no job behind" {
	command -v strace > /dev/null || skip "no strace"
	rel_fork_race 'timeout_run 10 f'
	rel_fork_race 'pool -j2 f ::: 1 2'
}

@test "reliability: a trapped signal during an attempt of retry in the shell ends retry with 128+N" {
	run -0 bg_bash '
		trap "got=1; echo trapped" USR1
		spin() { (( n++ )) || kill -USR1 $$; while [ -z "$got" ]; do :; done; return 1; }
		retry -q -n 3 -d 0.01 spin
		echo "st=$? attempts=$n"'
	assert_output - <<-'EOF'
	trapped
	st=138 attempts=1
	EOF
}

@test "reliability: a trapped signal during a run of every in the shell ends every with 128+N" {
	run -0 bg_bash '
		trap "got=1; echo trapped" USR1
		spin() { (( n++ )) || kill -USR1 $$; while [ -z "$got" ]; do :; done; }
		every -n 3 0.01 spin
		echo "st=$? runs=$n"'
	assert_output - <<-'EOF'
	trapped
	st=138 runs=1
	EOF
}

@test "reliability: pool output through every path, with stragglers and under ulimit -n, is whole, in order, never mixed" {
	rel_output "$RANDOM" --group
	rel_output "$RANDOM" -k 40
	rel_output "$RANDOM" --line-buffer
}

@test "reliability: a signal at a random moment ends a pool whose output pipe is full, in every output mode" {
	local mode
	for mode in --group -k --line-buffer -u; do
		rel_fullpipe "$RANDOM" "$mode" TERM
	done
}
