#!/usr/bin/env bats
# Signals from outside reaching a script blocked in timeout_run or waitany:
# untrapped ones kill the script and leave no worker behind; trapped ones
# run the trap once, end the wait with 128+N, and the script goes on.

load test_helper
bats_require_minimum_version 1.5.0

# The victim script.  Arguments: MODE (tr: blocked in `timeout_run 30 f';
# wa: blocked in `waitany' on a sleep job), TRAPSIG (a signal to trap, or
# ""), SETM (1 for set -m), MARK (the sleep duration), DIR.  It writes
# DIR/pgid (the group of timeout_run's command), DIR/ready once blocked,
# DIR/trap.log (one line per trap run) and DIR/out.
victim_script() {
	fixture victim-signals.bash
}

# victim_ready MODE: the victim has written DIR/ready (see start_victim).
victim_ready() {
	[ -e "$D/ready" ]
}

# group_gone PGID: fail if a process other than a zombie is in group PGID.
group_gone() {
	local p
	for p in $(pgrep -g "$1"); do
		alive "$p" || continue
		fail "group $1 still has: $(tr '\0' ' ' < /proc/$p/cmdline)"
	done
}

signum() {
	kill -l "$1"
}

load signal_harness

# nothing_left MODE CASE: in tr mode, nothing of timeout_run's command
# remains (in wa mode the job is the shell's own: left to the test).
nothing_left() {
	[ "$1" = tr ] || return 0
	group_gone "$(cat "$D/pgid")"
	no_leftovers "$(pat "$M")"
}

# trapped_more MODE SIG: in tr mode, the script's next timeout_run works.
trapped_more() {
	[ "$1" = tr ] || return 0
	grep -qx again "$D/out" || fail "$1 trapped $2: no 'again': $(cat "$D/out")"
}

# --- timeout_run ----------------------------------------------------------

@test "signals: an untrapped TERM kills a script blocked in timeout_run, leaving no worker" {
	untrapped tr 0 TERM
}

@test "signals: an untrapped INT kills a script blocked in timeout_run, leaving no worker" {
	untrapped tr 0 INT
}

@test "signals: an untrapped HUP kills a script blocked in timeout_run, leaving no worker" {
	untrapped tr 0 HUP
}

@test "signals: an untrapped TERM kills a set -m script blocked in timeout_run, leaving no worker" {
	untrapped tr 1 TERM
}

@test "signals: an untrapped INT kills a set -m script blocked in timeout_run, leaving no worker" {
	untrapped tr 1 INT
}

@test "signals: an untrapped HUP kills a set -m script blocked in timeout_run, leaving no worker" {
	untrapped tr 1 HUP
}

@test "signals: a trapped INT during timeout_run runs the trap once, returns 130 and the script goes on" {
	trapped tr 0 INT
}

@test "signals: a trapped TERM during timeout_run runs the trap once, returns 143 and the script goes on" {
	trapped tr 0 TERM
}

@test "signals: a trapped USR1 during timeout_run runs the trap once, returns 138 and the script goes on" {
	trapped tr 0 USR1
}

@test "signals: trapped INT, TERM and USR1 during timeout_run under set -m behave the same" {
	trapped tr 1 INT
	trapped tr 1 TERM
	trapped tr 1 USR1
}

@test "signals: an untrapped INT is forwarded and the function's INT-ignoring children are killed after the grace" {
	# `sleep &' inside the function ignores SIGINT (an async command
	# without job control), so only the KILL after the grace ends it.
	signal_victim INT tr "" 0
	ms=$VMS
	[ "$VSTATUS" = 130 ] || fail "status $VSTATUS; $(cat "$D/out")"
	group_gone "$(cat "$D/pgid")"
	no_leftovers "$(pat "$M")"
	(( ms < 6000 )) || fail "took ${ms}ms"
}

@test "signals: the script dies of the signal within a few seconds of it" {
	signal_victim TERM tr "" 0
	ms=$VMS
	[ "$VSTATUS" = 143 ] || fail "status $VSTATUS"
	(( ms < 3000 )) || fail "took ${ms}ms"
}

@test "signals: after timeout_run returns, INT, TERM and HUP are back at their defaults" {
	# SigCgt is the mask of caught signals: INT is bit 2, HUP 1, TERM 15.
	run -0 bg_bash '
		caught() { awk "/^SigCgt/ {print \$2}" /proc/$$/status; }
		before=$(caught)
		timeout_run 5 true
		timeout_run 0.05 sleep 5
		timeout_run 5 nosuch 2>/dev/null
		after=$(caught)
		[ "$before" = "$after" ] && echo same || echo "$before -> $after"'
	assert_output "same"
}

# --- waitany --------------------------------------------------------------

@test "signals: an untrapped TERM kills a script blocked in waitany" {
	untrapped wa 0 TERM
}

@test "signals: an untrapped INT kills a script blocked in waitany" {
	untrapped wa 0 INT
}

@test "signals: an untrapped HUP kills a script blocked in waitany" {
	untrapped wa 0 HUP
}

@test "signals: untrapped TERM, INT and HUP kill a set -m script blocked in waitany" {
	untrapped wa 1 TERM
	untrapped wa 1 INT
	untrapped wa 1 HUP
}

@test "signals: a trapped INT during waitany runs the trap once and returns 130" {
	trapped wa 0 INT
}

@test "signals: a trapped TERM during waitany runs the trap once and returns 143" {
	trapped wa 0 TERM
}

@test "signals: a trapped USR1 during waitany runs the trap once and returns 138" {
	trapped wa 0 USR1
}

@test "signals: trapped INT, TERM and USR1 during waitany under set -m behave the same" {
	trapped wa 1 INT
	trapped wa 1 TERM
	trapped wa 1 USR1
}

@test "signals: a trapped signal during waitany leaves the job running and waitable" {
	run -0 bg_bash '
		trap "echo trapped" USR1
		sleep 0.5 & p=$!
		( sleep 0.1; kill -USR1 $$ ) &
		waitany "$p"; echo "st=$?"
		kill -0 "$p" && echo running
		waitany "$p"; echo "st=$?"'
	assert_output "$(printf '%s\n' trapped st=138 running st=0)"
}

# --- with an EXIT trap, bash catches INT/TERM/HUP itself ------------------

@test "signals: a script with an EXIT trap killed by TERM in timeout_run leaves no TERM-ignoring grandchild" {
	export EXITTRAP=1 GRANDCHILD='(trap "" TERM; sleep "$m") &'
	signal_victim TERM tr "" 0
	[ "$VSTATUS" = 143 ] || fail "status $VSTATUS"
	run cat "$D/exit.log"
	assert_output "exit"
	group_gone "$(cat "$D/pgid")"
	no_leftovers "$(pat "$M")"
}

@test "signals: a script with an EXIT trap killed by INT in timeout_run leaves no INT-ignoring grandchild" {
	export EXITTRAP=1
	signal_victim INT tr "" 0
	[ "$VSTATUS" = 130 ] || fail "status $VSTATUS"
	run cat "$D/exit.log"
	assert_output "exit"
	group_gone "$(cat "$D/pgid")"
	no_leftovers "$(pat "$M")"
}

# --- an EXIT trap and a TERM while each builtin sleeps --------------------
#
# With an EXIT trap set, bash catches TERM itself (termsig_sighandler) and
# our waits hold the signal back while they tidy up.  Whatever the path
# out of the wait, the signal must reach bash again: the EXIT trap runs
# and the script dies of TERM.  (It was swallowed by retry's and every's
# pause: the script went on and exited 0.)

# exit_trap_case CMD: run CMD in a script with an EXIT trap that gets a
# TERM 0.5 s in; it must print "EXIT trap", never "went on", and die of TERM.
exit_trap_case() {
	local st=0
	run bg_timed 20 victim "$BG_LOAD$BG_CHILD_HELPERS"'
		trap "echo EXIT trap" EXIT
		(sleep 0.5; kill -TERM $$) &
		'"$1"'
		echo "went on: $?"'
	[ "$status" = 143 ] || fail "$1: status $status, output: $output"
	[[ $output == *"EXIT trap"* ]] || fail "$1: no EXIT trap: $output"
	[[ $output != *"went on"* ]] || fail "$1: went on: $output"
}

@test "signals: a TERM to a script with an EXIT trap ends it, whichever builtin it is blocked in" {
	mark 5.2; local m=$REPLY
	exit_trap_case 'retry -q -n 3 -d 3s --jitter none false'
	exit_trap_case 'retry -q -n 3 -d 3s --jitter none -t 10 false'
	exit_trap_case 'every -n 2 3s true'
	exit_trap_case 'every -n 2 -t 10 3s true'
	exit_trap_case "sleep $m & waitany"
	exit_trap_case "sleep $m & waitall"
	exit_trap_case "timeout_run 10 sleep $m"
	exit_trap_case "pool -j2 sleep ::: $m $m"
	exit_trap_case "pool --sem sleep $m; pool --wait"
	exit_trap_case "(trap \"\" TERM; sleep $m) & sleep 0.1; killjobs -g 3s \$!"
	no_leftovers "$(pat "$m")"
}
