#!/usr/bin/env bats
# detach: a command that outlives the shell (not a child, not a job, a
# session of its own, /dev/null in, output to a log), its pid file, and
# --stop with the term sequence; stale pid files; bad input.

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	bg_enable
	export HOME=$BATS_TEST_TMPDIR/home XDG_STATE_HOME=
	mkdir -p "$HOME"
	T=$BATS_TEST_TMPDIR
}

# stat_field PID N: field N of /proc/PID/stat (after the command name).
stat_field() {
	local s n=$2
	s=$(cat "/proc/$1/stat") || return 1
	s=${s##*) }
	set -- $s
	shift $((n - 3))
	echo "$1"
}

# await_file FILE: wait up to 10 s for FILE to have content.
await_file() {
	local i
	for ((i = 0; i < 500; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.02
	done
	fail "$1 never got content"
}

@test "detach: a function runs detached: its output in the log, pid in VAR and PIDFILE with its start time" {
	mark 7.61; m=$REPLY
	run -0 bg_bash '
		f() { echo "f says $*"; echo "err" >&2; sleep "$m"; }
		m=$1
		detach -o "$2/log" -p "$2/pid" -v P f "a b" c; echo "st=$? P=$P"
		jobs; echo "jobs_end"' "$m" "$T"
	[[ ${lines[0]} =~ ^st=0\ P=([0-9]+)$ ]] || fail "$output"
	p=${BASH_REMATCH[1]}
	assert_line -n 1 "jobs_end"
	wait_procs 1 "$(pat "$m")"
	alive "$p" || fail "not running"
	read -r fp fstart < "$T/pid"
	[ "$fp" = "$p" ] || fail "pid file says $fp"
	[ "$fstart" = "$(stat_field "$p" 22)" ] || fail "start time $fstart"
	await_file "$T/log"
	sleep 0.2
	run cat "$T/log"
	assert_line "f says a b c"
	assert_line "err"
	kill "$p"
}

@test "detach: the process is no child of the shell, leads its own session, reads /dev/null, holds no other fd" {
	mark 7.62; m=$REPLY
	run -0 bg_bash 'set -m; detach -o "$2/log" -v P sleep "$1"; echo "P=$P shell=$$"; exec 3> "$2/x"' "$m" "$T"
	[[ $output =~ P=([0-9]+)\ shell=([0-9]+) ]] || fail "$output"
	p=${BASH_REMATCH[1]}
	wait_procs 1 "$(pat "$m")"
	[ "$(stat_field "$p" 4)" != "${BASH_REMATCH[2]}" ] || fail "a child of the shell"
	[ "$(stat_field "$p" 6)" = "$p" ] || fail "session $(stat_field "$p" 6), not its own"
	[ "$(stat_field "$p" 7)" = 0 ] || fail "has a controlling terminal"
	[ "$(readlink "/proc/$p/fd/0")" = /dev/null ] || fail "stdin $(readlink "/proc/$p/fd/0")"
	[ "$(readlink "/proc/$p/fd/1")" = "$T/log" ] || fail "stdout"
	run ls "/proc/$p/fd"
	assert_output "0
1
2"
	kill "$p"
}

@test "detach: the default log is \$XDG_STATE_HOME/bgtools/NAME.log, else ~/.local/state/bgtools/NAME.log" {
	run -0 bg_bash '
		detach /bin/echo one; XDG_STATE_HOME=$1/state detach echo two
		sleep 0.5' "$T"
	run cat "$HOME/.local/state/bgtools/echo.log"
	assert_output "one"
	run cat "$T/state/bgtools/echo.log"
	assert_output "two"
}

@test "detach: it survives the shell's exit, the shell's death by KILL, and a HUP sent to it" {
	mark 7.63; m=$REPLY
	bg_bash 'detach -o /dev/null -p "$2/pid" sleep "$1"' "$m" "$T"
	read -r p _ < "$T/pid"
	sleep 0.2
	alive "$p" || fail "gone after the shell's exit"
	kill -HUP "$p"
	sleep 0.3
	alive "$p" || fail "gone after a HUP"
	bash -c 'enable -f "$BGTOOLS_SO" detach; detach -o /dev/null -p "$2/pid2" sleep "$1"; kill -KILL $$' x "$m" "$T" || true
	read -r p2 _ < "$T/pid2"
	sleep 0.2
	alive "$p2" || fail "gone after the shell was killed"
	kill "$p" "$p2"
}

@test "detach: an interactive shell's hangup (its terminal closed) and Ctrl-C leave it running" {
	require_tmux
	mark 31.9; m=$REPLY
	start_shell
	run_line "detach -o $T/log -p $T/pid sleep $m; echo \"st=\$?\""
	wait_for '^st=0$'
	read -r p _ < "$T/pid"
	type_line 'sleep 30'
	sleep 0.5
	tm send-keys C-c
	wait_prompt
	alive "$p" || fail "Ctrl-C reached it"
	tm kill-server
	TM=
	for ((i = 0; i < 100; i++)); do alive "$SHPID" || break; sleep 0.05; done
	alive "$SHPID" && fail "the shell survived its hangup"
	sleep 0.3
	alive "$p" || fail "the hangup reached it"
	kill "$p"
}

@test "detach: --stop stops it and its whole tree with TERM, says so, removes the pid file" {
	mark 7.64; m=$REPLY
	run -0 bg_bash '
		f() { sleep "$1" & sleep "$1"; }
		detach -o /dev/null -p "$2/pid" f "$1"
		for ((i = 0; i < 500; i++)); do (( $(pgrep -cf "^sleep $1\$") >= 2 )) && break; sleep 0.01; done
		read -r p _ < "$2/pid"
		detach --stop "$2/pid"; echo "st=$?"
		echo "p=$p"' "$m" "$T"
	p=${lines[2]#p=}
	assert_line -n 0 "pid $p stopped by TERM"
	assert_line -n 1 "st=0"
	[ ! -e "$T/pid" ] || fail "pid file left"
	no_leftovers "$(pat "$m")"
}

@test "detach: --stop escalates to KILL after -k for a TERM-ignoring process: 137" {
	mark 7.65; m=$REPLY
	t0=$(now_ms)
	run -0 bg_bash '
		f() { trap "" TERM; sleep "$1"; }
		detach -o /dev/null -p "$2/pid" f "$1"
		sleep 0.3
		detach --stop "$2/pid" -k 0.5; echo "st=$?"' "$m" "$T"
	ms=$(elapsed_since "$t0")
	assert_line -n 0 --regexp "^pid [0-9]+ killed: still running 0.5s after TERM$"
	assert_line -n 1 "st=137"
	no_leftovers "$(pat "$m")"
	(( ms < 8000 )) || fail "took ${ms}ms"
}

@test "detach: a stale pid file (process gone, or its pid reused) is told apart: 3, removed, nothing signalled" {
	mark 7.66; m=$REPLY
	sleep "$m" &
	other=$!
	# The pid of a live process, with a start time that is not its own.
	echo "$other 12345" > "$T/stale"
	run -3 detach --stop "$T/stale"
	assert_output --partial "detach: $T/stale: not running (pid $other has ended; the pid is another process's now)"
	[ ! -e "$T/stale" ] || fail "stale pid file left"
	alive "$other" || fail "the other process was signalled"
	# The pid file of a process that ended: not running either.
	run -0 bg_bash 'detach -o /dev/null -p "$1/pid" /bin/true; sleep 0.5; detach --stop "$1/pid"; echo "st=$?"' "$T"
	assert_output --partial "st=3"
	kill "$other"
}

@test "detach: a pid file whose process still runs refuses a second start: 1, nothing started" {
	mark 7.67; m=$REPLY
	run -0 bg_bash '
		detach -o /dev/null -p "$2/pid" sleep "$1"; echo "first=$?"
		detach -o /dev/null -p "$2/pid" sleep "$1"; echo "second=$?"
		sleep 0.2; pgrep -cf "^sleep $1\$"
		detach --stop "$2/pid" > /dev/null' "$m" "$T"
	assert_line "first=0"
	assert_line "second=1"
	assert_line "1"
	assert_output --regexp "detach: $T/pid: already running \(pid [0-9]+\)"
	no_leftovers "$(pat "$m")"
}

@test "detach: bad input gets bash-style messages and starts nothing" {
	run -0 bg_bash '
		mk() { : > "$1/ran"; }
		detach; echo "none=$?"
		detach -v 1x -o /dev/null mk "$1"; echo "var=$?"
		detach -Q mk "$1"; echo "opt=$?"
		detach --stop; echo "stoparg=$?"
		detach --stop "$1/p" mk "$1"; echo "both=$?"
		detach --stop "$1/p" -k 5x; echo "grace=$?"
		detach no_such_cmd_x; echo "nf=$?"
		detach -o "$1/no/dir/log" mk "$1"; echo "log=$?"
		detach -o /dev/null -p "$1/no/dir/pid" mk "$1"; echo "pidfile=$?"
		detach --stop "$1/missing"; echo "missing=$?"
		echo garbage > "$1/bad"; detach --stop "$1/bad"; echo "bad=$?"
		sleep 0.3; [ ! -e "$1/ran" ] || echo RAN' "$T"
	assert_line "none=2"
	assert_line "var=2"
	assert_line "opt=2"
	assert_line "stoparg=2"
	assert_line "both=2"
	assert_line "grace=2"
	assert_line "nf=127"
	assert_line "log=1"
	assert_line "pidfile=1"
	assert_line "missing=1"
	assert_line "bad=1"
	refute_line "RAN"
	assert_output --partial "detach: usage: detach"
	assert_output --partial "detach: \`1x': not a valid identifier"
	assert_output --partial "detach: -Q: invalid option"
	assert_output --partial "detach: --stop: option requires an argument"
	assert_output --partial "detach: --stop takes no command"
	assert_output --partial "detach: 5x: invalid duration"
	assert_output --partial "detach: no_such_cmd_x: command not found"
	assert_output --partial "detach: $T/no/dir/log: cannot open the log: No such file or directory"
	assert_output --partial "detach: $T/no/dir/pid: cannot write the pid file: No such file or directory"
	assert_output --partial "detach: $T/missing: No such file or directory"
	assert_output --partial "detach: $T/bad: not a pid file of detach"
}

@test "detach: set -euo pipefail: detach and --stop succeed, a failed --stop is caught" {
	mark 7.68; m=$REPLY
	run -0 bg_bash '
		set -euo pipefail
		detach -o /dev/null -p "$2/pid" sleep "$1"
		detach --stop "$2/pid" > /dev/null
		st=0; detach --stop "$2/pid" 2> /dev/null || st=$?
		echo "st=$st done"' "$m" "$T"
	assert_output "st=1 done"
	no_leftovers "$(pat "$m")"
}

@test "detach: under set -m too it is neither a job nor in the shell's process group" {
	mark 7.69; m=$REPLY
	run -0 bg_bash '
		set -m
		detach -o /dev/null -v P sleep "$1"
		jobs; echo "jobs_end pg=$(ps -o pgid= -p $$ | tr -d " ") P=$P"' "$m"
	[[ ${lines[0]} =~ ^jobs_end\ pg=([0-9]+)\ P=([0-9]+)$ ]] || fail "$output"
	[ "$(stat_field "${BASH_REMATCH[2]}" 5)" != "${BASH_REMATCH[1]}" ] ||
	    fail "in the shell's group"
	kill "${BASH_REMATCH[2]}"
}

@test "detach: a function's pid file is removed when it ends by itself, unless a later detach replaced it" {
	run -0 bg_bash '
		f() { sleep 0.3; }
		detach -o /dev/null -p "$1/pid a" f
		sleep 1; [ -e "$1/pid a" ] && echo "left" || echo "removed"
		detach -o /dev/null -p "$1/pid b" f
		echo "1 2" > "$1/pid b"
		sleep 1; [ -e "$1/pid b" ] && echo "kept" || echo "wrongly removed"
		detach -o /dev/null -p "$1/pid c" sleep 0.3
		sleep 1; [ -e "$1/pid c" ] && echo "disk left"
		detach --stop "$1/pid c"; echo "st=$?"' "$T"
	assert_line -n 0 "removed"
	assert_line -n 1 "kept"
	assert_line -n 2 "disk left"
	assert_line "st=3"
}

@test "detach: trapped signals arriving while it starts the process do not make it report a failure" {
	# A trapped USR1 storm: the read of the detached process's pid used
	# to end with EINTR, and detach said "cannot fork" for a process it
	# had started (130 of 300 here).
	mark 6.1; local m=$REPLY
	run -0 bgsh '
		trap : USR1
		( while kill -USR1 $$ 2> /dev/null; do :; done ) &
		spam=$!
		ok=0
		for i in {1..100}; do
			detach -o /dev/null -v pid sleep "$1" && kill -0 "$pid" && ok=$((ok + 1))
		done
		kill "$spam"
		echo "ok=$ok"' "$m"
	assert_output "ok=100"
	pkill -f "$(pat "$m")" || true
}
