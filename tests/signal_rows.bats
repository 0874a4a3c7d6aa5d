#!/usr/bin/env bats
# One signal harness for every builtin that waits: a row per builtin, and
# for each row the same cases, with job control off and on:
#   - an untrapped TERM, INT or HUP: the script dies of it (128+N);
#   - a trapped TERM, INT or USR1: the trap runs once, the builtin returns
#     128+N and the script goes on;
#   - an EXIT trap and an untrapped TERM: the EXIT trap runs once and the
#     script dies of TERM;
#   - set -e and a trapped TERM: the trap runs once, the builtin's 143
#     ends the script with 143.
# (With set -m, one signal of each kind: see row.)
# After each case nothing the builtin started is left running: no worker,
# no grandchild, and no worker went on after the signal.  waitany and
# waitall start nothing: the job they wait for is the shell's own and
# outlives a script that dies, as with bash's `wait' (the trapped case
# checks that it is still there and waitable).  killjobs's job ignores
# the signals, so the signal waits until its grace is over (help
# killjobs).  jobinfo and detach never block, so they have no row.

load test_helper
bats_require_minimum_version 1.5.0

victim_script() {
	fixture victim-rows.bash
}

victim_ready() {
	[ -e "$D/ready" ]
}

# owns ROW: the builtin of ROW started the work (and must stop it).
owns() {
	[ "$1" != waitany ] && [ "$1" != waitall ]
}

# nothing_left ROW CASE: no worker, no sleep of the mark, no worker that
# went on.  For a row that does not own its job, kill what is left.
nothing_left() {
	local p
	if ! owns "$1"; then
		pkill -KILL -f "$(pat "$M")" || true
		while read -r p; do kill -KILL "$p" 2> /dev/null || true; done < "$D/workers"
		return 0
	fi
	while read -r p; do
		alive "$p" || continue
		fail "$1 $2: worker $p still running: $(tr '\0' ' ' < "/proc/$p/cmdline")"
	done < "$D/workers"
	no_leftovers "$(pat "$M")" || fail "$1 $2: a sleep of the work was left running"
	[ ! -e "$D/after" ] || fail "$1 $2: a worker went on after the signal"
}

load signal_harness

# trapped_more ROW SIG: waitany's and waitall's job (the shell's own) is
# still there, left to the script.
trapped_more() {
	owns "$1" || alive "$(head -n 1 "$D/workers")" ||
	    fail "$1 trapped $2: the job is gone"
}

# exit_trap ROW SETM: an EXIT trap runs once; the script dies of TERM.
exit_trap() {
	EXITTRAP=1 signal_victim TERM "$1" "" "$2"
	(( VSTATUS == 143 )) || fail "$1 EXIT trap (set -m: $2): status $VSTATUS; out: $(cat "$D/out")"
	[ "$(cat "$D/exit.log")" = exit ] || fail "$1 EXIT trap: ran: $(cat "$D/exit.log" 2>&1)"
	nothing_left "$1" "EXIT trap"
}

# errexit ROW SETM: under set -e, a trapped TERM's 143 ends the script.
errexit() {
	ERREXIT=1 signal_victim TERM "$1" TERM "$2"
	(( VSTATUS == 143 )) || fail "$1 set -e (set -m: $2): status $VSTATUS; out: $(cat "$D/out")"
	[ "$(cat "$D/trap.log")" = "trap TERM" ] || fail "$1 set -e: trap log: $(cat "$D/trap.log")"
	! grep -q continued "$D/out" || fail "$1 set -e: the script went on"
	nothing_left "$1" "set -e"
}

# row ROW SETM: the cases of ROW: all of them with job control off; with
# it on, one of each kind (untrapped, trapped, EXIT trap, set -e), which
# is what set -m changes (the job's process group), to keep the time down.
row() {
	local sig
	for sig in TERM INT HUP; do
		[ "$2" = 0 ] || [ "$sig" = TERM ] || continue
		untrapped "$1" "$2" "$sig"
	done
	for sig in TERM INT USR1; do
		[ "$2" = 0 ] || [ "$sig" = INT ] || continue
		trapped "$1" "$2" "$sig"
	done
	exit_trap "$1" "$2"
	errexit "$1" "$2"
}

@test "signal rows: timeout_run, set +m" { row timeout_run 0; }
@test "signal rows: timeout_run, set -m" { row timeout_run 1; }
@test "signal rows: pool, set +m" { row pool 0; }
@test "signal rows: pool, set -m" { row pool 1; }
@test "signal rows: pool --sem then --wait, set +m" { row pool_sem 0; }
@test "signal rows: pool --sem then --wait, set -m" { row pool_sem 1; }
@test "signal rows: retry -t, set +m" { row retry 0; }
@test "signal rows: retry -t, set -m" { row retry 1; }
@test "signal rows: every -t, set +m" { row every 0; }
@test "signal rows: every -t, set -m" { row every 1; }
@test "signal rows: onchange, set +m" { row onchange 0; }
@test "signal rows: onchange, set -m" { row onchange 1; }
@test "signal rows: killjobs, set +m" { row killjobs 0; }
@test "signal rows: killjobs, set -m" { row killjobs 1; }
@test "signal rows: waitany, set +m" { row waitany 0; }
@test "signal rows: waitany, set -m" { row waitany 1; }
@test "signal rows: waitall, set +m" { row waitall 0; }
@test "signal rows: waitall, set -m" { row waitall 1; }
