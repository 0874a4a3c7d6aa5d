# shellcheck shell=bash
# signal_harness.bash - the one harness for a script blocked in a builtin
# and signalled from outside (load test_helper first).  A file that loads
# it defines, besides victim_script and victim_ready (see start_victim):
#   nothing_left ROW CASE   fail if what ROW's builtin started is left
#   trapped_more ROW SIG    (optional) more checks after a trapped SIG
# ROW is the victim's MODE; SETM is 1 for set -m.

# untrapped ROW SETM SIG: SIG kills the script (128+N), which printed no
# status and did not go on; nothing is left.
untrapped() {
	local n
	n=$(kill -l "$3")
	signal_victim "$3" "$1" "" "$2"
	(( VSTATUS == 128 + n )) ||
	    fail "$1 untrapped $3 (set -m: $2): status $VSTATUS, want $((128 + n)); out: $(cat "$D/out")"
	! grep -q -e '^st=' -e continued "$D/out" ||
	    fail "$1 untrapped $3: the script went on: $(cat "$D/out")"
	nothing_left "$1" "untrapped $3"
}

# trapped ROW SETM SIG: the trap runs once, the builtin returns 128+N and
# the script goes on; nothing is left.
trapped() {
	local n
	n=$(kill -l "$3")
	signal_victim "$3" "$1" "$3" "$2"
	(( VSTATUS == 0 )) ||
	    fail "$1 trapped $3 (set -m: $2): status $VSTATUS; out: $(cat "$D/out")"
	[ "$(cat "$D/trap.log")" = "trap $3" ] ||
	    fail "$1 trapped $3: trap log: $(cat "$D/trap.log")"
	if ! grep -qx "st=$((128 + n))" "$D/out" || ! grep -qx continued "$D/out"; then
		fail "$1 trapped $3: out: $(cat "$D/out")"
	fi
	if declare -F trapped_more > /dev/null; then
		trapped_more "$1" "$3"
	fi
	nothing_left "$1" "trapped $3"
}
