# pool_victim.bash - the victim of pool's signal tests, shared by
# pool_signals.bats and pool_persist.bats (load test_helper first): a
# script blocked in pool, signalled from outside by signal_victim.

# The victim script.  Arguments: MODE, TRAPSIG (a signal to trap, or ""),
# SETM (1 for set -m), MARK (the sleep duration), DIR.  MODE is
#   batch   pool -j3 over six items
#   wait    three --sem jobs, then blocked in pool --wait
#   submit  -j2, the third --sem call blocked waiting for a slot
#   stubborn  batch, but the jobs ignore TERM, INT and HUP
#   between   three --sem jobs, then blocked in bash's own `read' (no
#             bgtools builtin is running when the signal comes)
#   between_exit  the same with an EXIT trap set after the --sem calls
#   persist   pool --persist -j3 over six items (tests/pool_persist.bats)
# Each job records its pid in DIR/workers, starts a background sleep (a
# grandchild) and a foreground one, and would write DIR/after if it went
# on.  DIR/out gets the script's output.
victim_script() {
	fixture victim-pool-signals.bash
}

# victim_ready MODE: the victim's jobs run: three of them have written
# DIR/started (two in submit mode, where the third waits for a slot).
victim_ready() {
	local want=3
	[ "$1" = submit ] && want=2
	[ -e "$D/started" ] && (( $(wc -l < "$D/started") >= want ))
}

# nothing_left: no worker pid and no sleep of the mark is alive, and no
# job went on after its sleep.
nothing_left() {
	local p
	while read -r p; do
		alive "$p" || continue
		fail "worker $p still running: $(tr '\0' ' ' < "/proc/$p/cmdline")"
	done < "$D/workers"
	no_leftovers "$(pat "$M")" || fail "a sleep of the jobs was left running"
	[ ! -e "$D/after" ] || fail "a job went on after the signal: $(cat "$D/after")"
}
