#!/usr/bin/env bats
# pool and signals: a script blocked in a pool receives TERM, INT or HUP
# from outside (untrapped: it dies of the signal; trapped: the trap runs
# once and pool returns 128+N), and Ctrl-C in an interactive shell.  In
# every case no worker and no worker's child may be left running.

load test_helper
bats_require_minimum_version 1.5.0

MARKS=()
VICTIM=
TM=

# mark BASE: a sleep duration unique to this test, e.g. 7.51 ->
# 7.5112345678, so that concurrent runs never see each other's processes.
mark() {
	local m=$1$$$RANDOM
	MARKS+=("$m")
	REPLY=$m
}

# pat DURATION: a pgrep -f regex for `sleep DURATION' alone.
pat() {
	printf 'sleep %s$' "${1//./[.]}"
}

tm() {
	env -u TMUX tmux -L "$TM" "$@"
}

teardown() {
	local m
	[ -n "$VICTIM" ] && kill -KILL "$VICTIM" 2>/dev/null
	[ -n "$TM" ] && { tm kill-server 2>/dev/null || true; }
	for m in "${MARKS[@]}"; do
		pkill -KILL -f "$(pat "$m")" || true
	done
}

# --- a script, signalled from outside ------------------------------------

# The victim script.  Arguments: MODE, TRAPSIG (a signal to trap, or ""),
# SETM (1 for set -m), MARK (the sleep duration), DIR.  MODE is
#   batch   pool -j3 over six items
#   wait    three --sem jobs, then blocked in pool --wait
#   submit  -j2, the third --sem call blocked waiting for a slot
#   stubborn  batch, but the jobs ignore TERM, INT and HUP
# Each job records its pid in DIR/workers, starts a background sleep (a
# grandchild) and a foreground one, and would write DIR/after if it went
# on.  DIR/out gets the script's output.
write_victim() {
	cat > "$BATS_TEST_TMPDIR/victim.sh" <<'EOF'
enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
mode=$1 trapsig=$2 setm=$3 m=$4 dir=$5
[ "$setm" = 1 ] && set -m
[ -n "$trapsig" ] && trap 'echo "trap $trapsig" >> "$dir/trap.log"; echo "trap ran"' "$trapsig"
f() {
	[ "$mode" = stubborn ] && trap "" TERM INT HUP
	echo "$BASHPID" >> "$dir/workers"
	sleep "$m" &
	echo "$1" >> "$dir/started"
	sleep "$m"
	echo "$1" >> "$dir/after"
}
case $mode in
batch|stubborn)
	pool -j3 f ::: 1 2 3 4 5 6
	;;
wait)
	for i in 1 2 3; do pool --sem -j3 f "$i"; done
	pool --wait
	;;
submit)
	for i in 1 2 3; do
		pool --sem -j2 f "$i"
		r=$?
		[ "$r" = 0 ] || break
	done
	(exit "$r")
	;;
esac
echo "st=$?"
jobs
echo continued
EOF
}

# start_victim MODE TRAPSIG SETM: start the victim in the background with
# SIGINT at its default (a `&' job of a non-interactive shell would have it
# ignored), wait until its jobs run, set VICTIM, M and D.
start_victim() {
	local i want=3
	[ "$1" = submit ] && want=2
	mark 7.5; M=$REPLY
	D=$BATS_TEST_TMPDIR/v$RANDOM
	mkdir -p "$D"
	write_victim
	env --default-signal=INT,TERM,HUP bash "$BATS_TEST_TMPDIR/victim.sh" \
	    "$1" "$2" "$3" "$M" "$D" > "$D/out" 2>&1 &
	VICTIM=$!
	for ((i = 0; i < 500; i++)); do
		[ -e "$D/started" ] && (( $(wc -l < "$D/started") >= want )) && break
		sleep 0.02
	done
	(( $(wc -l < "$D/started" 2>/dev/null || echo 0) >= want )) ||
	    fail "victim never got ready: $(cat "$D/out")"
	# Let it get from the last start into pool's wait.
	sleep 0.3
}

# reap_victim: wait (up to 10 s) for the victim to end; set VSTATUS and
# VMS (the milliseconds it took from the call).
reap_victim() {
	local i st t0
	t0=$(now_ms)
	for ((i = 0; i < 1000; i++)); do
		st=$(awk '{print $3}' "/proc/$VICTIM/stat" 2>/dev/null) || break
		[ "$st" = Z ] && break
		sleep 0.01
	done
	VMS=$(( $(now_ms) - t0 ))
	if [ -e "/proc/$VICTIM" ] && [ "$st" != Z ]; then
		fail "victim still running after 10s: $(cat "$D/out")"
	fi
	VSTATUS=0
	wait "$VICTIM" || VSTATUS=$?
	VICTIM=
}

# nothing_left: no worker pid and no sleep of the mark is alive, and no
# job went on after its sleep.
nothing_left() {
	local p st
	for p in $(cat "$D/workers"); do
		st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$st" = Z ] && continue
		fail "worker $p still running: $(tr '\0' ' ' < "/proc/$p/cmdline")"
	done
	no_leftovers "$(pat "$M")" || fail "a sleep of the jobs was left running"
	[ ! -e "$D/after" ] || fail "a job went on after the signal: $(cat "$D/after")"
}

# untrapped MODE SIG SETM: SIG kills the script, which leaves nothing.
untrapped() {
	local n
	n=$(kill -l "$2")
	start_victim "$1" "" "$3"
	kill -"$2" "$VICTIM"
	reap_victim
	(( VSTATUS == 128 + n )) || fail "status $VSTATUS, wanted $((128 + n)); out: $(cat "$D/out")"
	grep -q continued "$D/out" && fail "the script went on: $(cat "$D/out")"
	nothing_left
}

# trapped MODE SIG SETM: the trap runs once, pool returns 128+N, the
# script goes on, and nothing is left.
trapped() {
	local n
	n=$(kill -l "$2")
	start_victim "$1" "$2" "$3"
	kill -"$2" "$VICTIM"
	reap_victim
	(( VSTATUS == 0 )) || fail "status $VSTATUS; out: $(cat "$D/out")"
	run -0 cat "$D/trap.log"
	assert_output "trap $2"
	run -0 cat "$D/out"
	assert_output - <<-EOF
	trap ran
	st=$((128 + n))
	continued
	EOF
	nothing_left
}

@test "pool signals: untrapped TERM kills a script blocked in a batch pool and leaves no worker or grandchild" {
	untrapped batch TERM 0
}

@test "pool signals: untrapped INT kills a script blocked in a batch pool and leaves no worker or grandchild" {
	untrapped batch INT 0
}

@test "pool signals: untrapped HUP kills a script blocked in a batch pool and leaves no worker or grandchild" {
	untrapped batch HUP 0
}

@test "pool signals: untrapped TERM under set -m kills the script and leaves nothing" {
	untrapped batch TERM 1
}

@test "pool signals: untrapped INT under set -m kills the script and leaves nothing" {
	untrapped batch INT 1
}

@test "pool signals: untrapped TERM ends the script within a second, well before the KILL grace" {
	start_victim batch "" 0
	t0=$(now_ms)
	kill -TERM "$VICTIM"
	reap_victim
	ms=$(( $(now_ms) - t0 ))
	(( VSTATUS == 143 )) || fail "status $VSTATUS"
	# Jobs that die of TERM need no KILL 2s later.
	(( ms < 1500 )) || fail "took ${ms}ms"
	nothing_left
}

@test "pool signals: trapped TERM runs the trap once, pool returns 143 and the script goes on" {
	trapped batch TERM 0
}

@test "pool signals: trapped INT runs the trap once, pool returns 130 and the script goes on" {
	trapped batch INT 0
}

@test "pool signals: trapped HUP runs the trap once, pool returns 129 and the script goes on" {
	trapped batch HUP 0
}

@test "pool signals: trapped TERM under set -m runs the trap once and leaves nothing" {
	trapped batch TERM 1
}

@test "pool signals: untrapped TERM during pool --wait kills the script and its --sem jobs" {
	untrapped wait TERM 0
}

@test "pool signals: trapped INT during pool --wait runs the trap once and stops the --sem jobs" {
	trapped wait INT 0
}

@test "pool signals: untrapped HUP while pool --sem waits for a slot kills the script and its jobs" {
	untrapped submit HUP 0
}

@test "pool signals: trapped TERM while pool --sem waits for a slot returns 143 and stops the jobs" {
	trapped submit TERM 0
}

@test "pool signals: jobs that ignore the signal are killed after the grace period, then the script dies" {
	start_victim stubborn "" 0
	t0=$(now_ms)
	kill -TERM "$VICTIM"
	reap_victim
	ms=$(( $(now_ms) - t0 ))
	(( VSTATUS == 143 )) || fail "status $VSTATUS; out: $(cat "$D/out")"
	(( ms >= 1500 && ms < 8000 )) || fail "took ${ms}ms, the grace is 2s"
	nothing_left
}

@test "pool signals: TERM that the script ignores (trap '' TERM) does not stop the pool" {
	mark 0.4; m=$REPLY
	run -0 timeout 30 env --default-signal bash -c '
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
		trap "" TERM
		f() { sleep "$1"; echo "done $POOL_SEQ"; }
		( sleep 0.2; kill -TERM $$ ) &
		pool -k -j2 f ::: "$1" "$1"
		echo "st=$?"' bash "$m"
	assert_output - <<-'EOF'
	done 1
	done 2
	st=0
	EOF
}

# --- interactive: Ctrl-C under a pty --------------------------------------

# pane: the whole pane and its history, wrapped lines joined, trailing
# blanks removed.
pane() {
	tm capture-pane -p -J -S - 2>/dev/null | sed 's/[[:space:]]*$//'
}

# wait_for REGEX [SECONDS]: poll the pane until a line matches REGEX.
wait_for() {
	local re=$1 secs=${2:-10} end
	end=$(( $(now_ms) + secs * 1000 ))
	while (( $(now_ms) < end )); do
		pane | grep -Eq -- "$re" && return 0
		sleep 0.05
	done
	fail "no line matching '$re' within ${secs}s; pane:
$(pane)"
}

# wait_prompt [SECONDS]: poll until the last non-empty line is a bare prompt.
wait_prompt() {
	local secs=${1:-10} end
	end=$(( $(now_ms) + secs * 1000 ))
	while (( $(now_ms) < end )); do
		[ "$(pane | grep -v '^$' | tail -n 1)" = "bgt>" ] && return 0
		sleep 0.05
	done
	fail "no prompt within ${secs}s; pane:
$(pane)"
}

type_line() {
	tm send-keys -l -- "$1"
	tm send-keys Enter
}

run_line() {
	type_line "$1"
	wait_prompt
}

# wait_running N: wait until N sleeps of the mark run.
wait_running() {
	local end n
	end=$(( $(now_ms) + 10000 ))
	while (( $(now_ms) < end )); do
		n=$(pgrep -f "$(pat "$M")" | wc -l)
		(( n >= $1 )) && { sleep 0.3; return 0; }
		sleep 0.05
	done
	fail "never saw $1 sleeps running; pane:
$(pane)"
}

start_shell() {
	local cmd
	TM=bgpool$$_${BATS_TEST_NUMBER}
	cmd=$(printf '%q ' env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" \
	    TERM=xterm HISTFILE=/dev/null PS1='bgt> ' \
	    BGTOOLS_SO="$BGTOOLS_SO" BGTOOLS_BUILTINS="$BGTOOLS_BUILTINS" \
	    bash --norc --noprofile -i)
	tm new-session -d -x 200 -y 50 "$cmd"
	wait_prompt
	run_line 'enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS && echo LOADED'
	wait_for '^LOADED$'
	mark 7.6; M=$REPLY
	run_line "f() { sleep $M & sleep $M; echo after; }"
}

@test "pool signals: interactive Ctrl-C mid-pool gives the prompt back with \$? 130 and nothing running" {
	start_shell
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
	start_shell
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
	start_shell
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
