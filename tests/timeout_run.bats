#!/usr/bin/env bats
# timeout_run: running functions, builtins and disk commands under a limit;
# exit statuses, signals, process groups, and what must not leak back.

load test_helper
bats_require_minimum_version 1.5.0

# --- running things -------------------------------------------------------

@test "timeout_run: a shell function gets its arguments intact, spaces and globs included" {
	cd "$BATS_TEST_TMPDIR"
	touch a1 a2 'a b'
	run -0 bg_bash '
		f() { printf "<%s>" "$#" "$@"; echo; }
		timeout_run 5 f "a b" "*" "a?" "" "\$HOME" "~" "x  y"'
	assert_output '<7><a b><*><a?><><$HOME><~><x  y>'
}

@test "timeout_run: a builtin runs in the child and its output comes back" {
	run -0 bg_bash 'timeout_run 5 printf "%s|" "a b" "*"; echo; timeout_run 5 echo hi'
	assert_line -n 0 'a b|*|'
	assert_line -n 1 'hi'
}

@test "timeout_run: a disk command runs with its arguments intact" {
	cd "$BATS_TEST_TMPDIR"
	touch a1 a2
	run -0 bg_bash 'timeout_run 5 /bin/echo "x  y" "a*"; timeout_run 5 env printf "%s\n" ok'
	assert_line -n 0 'x  y a*'
	assert_line -n 1 'ok'
}

@test "timeout_run: the command's exit status comes back: 0, 1 and 7" {
	run -0 bg_bash '
		f() { return 7; }
		timeout_run 5 true; echo "true=$?"
		timeout_run 5 false; echo "false=$?"
		timeout_run 5 f; echo "func=$?"
		timeout_run 5 sh -c "exit 7"; echo "disk=$?"
		timeout_run 5 /bin/false; echo "diskfalse=$?"'
	assert_output "$(printf '%s\n' true=0 false=1 func=7 disk=7 diskfalse=1)"
}

@test "timeout_run: a command that is not found returns 127 with bash's message" {
	run -127 timeout_run 5 nosuch
	assert_output --partial "timeout_run: nosuch: command not found"
}

@test "timeout_run: a directory as the command returns 126" {
	run -126 timeout_run 5 "$BATS_TEST_TMPDIR"
}

@test "timeout_run: a file without execute permission as the command returns 126" {
	f=$BATS_TEST_TMPDIR/noexec
	printf '#!/bin/sh\necho ran\n' > "$f"
	chmod 644 "$f"
	run -126 timeout_run 5 "$f"
	refute_output --partial "ran"
}

@test "timeout_run: a command killed by signal N returns 128+N" {
	run -0 bg_bash '
		f() { kill -TERM $BASHPID; }
		timeout_run 5 sh -c "kill -USR1 \$\$"; echo "usr1=$?"
		timeout_run 5 sh -c "kill -KILL \$\$"; echo "kill=$?"
		timeout_run 5 f; echo "func=$?"'
	assert_output "$(printf '%s\n' usr1=138 kill=137 func=143)"
}

@test "timeout_run: a duration of 0 means no limit" {
	run -0 bg_bash 'timeout_run 0 sleep 0.3; echo "st=$?"'
	assert_output "st=0"
}

# --- timing out -----------------------------------------------------------

@test "timeout_run: a disk command that outlives 10ms returns 124 promptly" {
	t0=$(now_ms)
	run -124 timeout_run 10ms sleep 5
	ms=$(elapsed_since "$t0")
	(( ms < 2000 )) || fail "took ${ms}ms"
}

@test "timeout_run: a shell function that outlives 250ms returns 124 after the limit" {
	f() { sleep 5; }
	t0=$(now_ms)
	run -124 timeout_run 250ms f
	ms=$(elapsed_since "$t0")
	(( ms >= 240 )) || fail "returned early: ${ms}ms"
	(( ms < 3000 )) || fail "took ${ms}ms"
}

@test "timeout_run: a command that outlives 1s returns 124 after the limit" {
	t0=$(now_ms)
	run -124 timeout_run 1 sleep 5
	ms=$(elapsed_since "$t0")
	(( ms >= 990 )) || fail "returned early: ${ms}ms"
	(( ms < 5000 )) || fail "took ${ms}ms"
}

@test "timeout_run: --preserve-status returns 143 for a command killed by TERM" {
	run -143 timeout_run --preserve-status 0.1 sleep 5
}

@test "timeout_run: --preserve-status returns the status of a command that handles TERM" {
	run -0 bg_bash '
		f() { trap "exit 5" TERM; sleep 5 & wait; }
		timeout_run --preserve-status 0.1 f; echo "preserved=$?"
		timeout_run 0.1 f; echo "plain=$?"'
	assert_output "$(printf '%s\n' preserved=5 plain=124)"
}

@test "timeout_run: -s INT sends SIGINT on timeout" {
	run -0 bg_bash_dfl '
		timeout_run -s INT 0.1 sleep 5; echo "plain=$?"
		timeout_run --preserve-status -s INT 0.1 sleep 5; echo "preserved=$?"
		f() { trap "exit 42" INT; sleep 5 & wait; }
		timeout_run --preserve-status -s INT 0.1 f; echo "func=$?"'
	assert_output "$(printf '%s\n' plain=124 preserved=130 func=42)"
}

@test "timeout_run: -s SIGUSR1 sends SIGUSR1 on timeout" {
	run -0 bg_bash '
		timeout_run -s SIGUSR1 0.1 sleep 5; echo "plain=$?"
		timeout_run --preserve-status -s SIGUSR1 0.1 sleep 5; echo "preserved=$?"
		timeout_run --preserve-status -s usr1 0.1 sleep 5; echo "lower=$?"'
	assert_output "$(printf '%s\n' plain=124 preserved=138 lower=138)"
}

@test "timeout_run: -s KILL and -s 9 kill the command, which dies of SIGKILL" {
	run -0 bg_bash '
		f() { trap "" TERM; sleep 5; }
		timeout_run --preserve-status -s KILL 0.1 f; echo "name=$?"
		timeout_run --preserve-status -s 9 0.1 sleep 5; echo "number=$?"'
	assert_output "$(printf '%s\n' name=137 number=137)"
}

@test "timeout_run: -s KILL returns 137 as coreutils timeout does" {
	# coreutils: "the exit status is 128+9 rather than 124" for KILL.
	run -137 timeout_run -s KILL 0.1 sleep 5
	run -137 timeout_run -s 9 0.1 sleep 5
}

@test "timeout_run: -k sends KILL to a TERM-ignoring function, returns 137 and leaves nothing" {
	mark 7.33; m=$REPLY
	t0=$(now_ms)
	run -137 bg_bash 'f() { trap "" TERM; sleep "$1"; }
		timeout_run -k 0.2 0.1 f "$1"' "$m"
	ms=$(elapsed_since "$t0")
	(( ms < 5000 )) || fail "took ${ms}ms"
	no_leftovers "$(pat "$m")"
}

@test "timeout_run: without -k a TERM-ignoring command is waited for, not killed" {
	run -0 bg_bash '
		f() { trap "" TERM; sleep 0.5; return 6; }
		timeout_run --preserve-status 0.1 f; echo "st=$?"'
	assert_output "st=6"
}

# --- process groups -------------------------------------------------------

@test "timeout_run: a timed-out function's grandchildren are all gone (job control off)" {
	mark 7.31; a=$REPLY
	mark 7.32; b=$REPLY
	run -0 bg_bash '
		f() { sleep "$1" & sleep "$2"; }
		timeout_run 0.2 f "$1" "$2"; echo "st=$?"' "$a" "$b"
	assert_output "st=124"
	no_leftovers "$(pat "$a")"
	no_leftovers "$(pat "$b")"
}

@test "timeout_run: a timed-out function's grandchildren are all gone (job control on)" {
	mark 7.34; a=$REPLY
	mark 7.35; b=$REPLY
	run -0 bg_bash '
		set -m
		f() { sleep "$1" & sleep "$2"; }
		timeout_run 0.2 f "$1" "$2"; echo "st=$?"' "$a" "$b"
	assert_output "st=124"
	no_leftovers "$(pat "$a")"
	no_leftovers "$(pat "$b")"
}

@test "timeout_run: a grandchild that ignores TERM is killed after the grace" {
	mark 7.36; a=$REPLY
	mark 7.37; b=$REPLY
	t0=$(now_ms)
	run -0 bg_bash '
		f() { (trap "" TERM; sleep "$1") & sleep "$2"; }
		timeout_run 0.2 f "$1" "$2"; echo "st=$?"' "$a" "$b"
	ms=$(elapsed_since "$t0")
	assert_output "st=124"
	no_leftovers "$(pat "$a")"
	no_leftovers "$(pat "$b")"
	(( ms < 6000 )) || fail "took ${ms}ms"
}

@test "timeout_run: the command runs in a process group of its own" {
	run -0 bg_bash '
		f() { read -r _ _ _ _ pg _ < /proc/$BASHPID/stat; echo "$BASHPID $pg"; }
		read -r pid pg < <(timeout_run 5 f)
		[ "$pid" = "$pg" ] && echo own
		[ "$pg" != "$(ps -o pgid= $$ | tr -d " ")" ] && echo differs'
	assert_output "$(printf '%s\n' own differs)"
}

# --- what stays in the child, what the shell keeps ------------------------

@test "timeout_run: variables set by the command do not leak into the shell" {
	run -0 bg_bash '
		x=outer
		f() { x=inner; y=new; export z=exp; cd /; }
		cd /tmp || exit
		timeout_run 5 f
		echo "x=$x y=${y-unset} z=${z-unset} pwd=$PWD"'
	assert_output "x=outer y=unset z=unset pwd=/tmp"
}

@test "timeout_run: the command keeps the shell's stdin" {
	run -0 bg_bash '
		echo hi | timeout_run 1 cat
		f() { local l; while read -r l; do echo "got $l"; done; }
		printf "a\nb\n" | timeout_run 1 f'
	assert_output "$(printf '%s\n' hi 'got a' 'got b')"
}

@test "timeout_run: exit inside a function ends only the child, with its status" {
	run -0 bg_bash '
		f() { exit 3; }
		timeout_run 5 f; echo "st=$?"
		echo "shell still here"'
	assert_output "$(printf '%s\n' st=3 'shell still here')"
}

@test "timeout_run: set -e inside the function stops the function, not the shell" {
	run -0 bg_bash '
		f() { set -e; echo before; false; echo notreached; }
		timeout_run 5 f; echo "st=$?"
		case $- in *e*) echo "set -e leaked";; *) echo "no errexit";; esac'
	assert_output "$(printf '%s\n' before st=1 'no errexit')"
}

@test "timeout_run: -v says on stderr which signal it sends, as coreutils does, not as a warning" {
	run -124 --separate-stderr timeout_run -v 0.1 sleep 5
	assert_equal "$output" ""
	assert_equal "$stderr" "timeout_run: sending signal TERM to command 'sleep'"
	run -124 --separate-stderr timeout_run -v -s usr1 0.1 sleep 5
	assert_equal "$stderr" "timeout_run: sending signal USR1 to command 'sleep'"
}

@test "timeout_run: -v says nothing when the command ends in time" {
	run -0 --separate-stderr timeout_run -v 5 true
	assert_equal "$stderr" ""
}

@test "timeout_run: -v with -k reports the KILL as well" {
	run -137 --separate-stderr bg_bash 'f() { trap "" TERM; sleep 3; }
		timeout_run -v -k 0.1 0.1 f'
	assert_equal "$stderr" "timeout_run: sending signal TERM to command 'f'
timeout_run: sending signal KILL to command 'f'"
}

@test "timeout_run: -s 0 sends nothing at the limit: 124 once the command ends, 137 with -k (as coreutils)" {
	# coreutils: `timeout -s0 -k1 .1 sleep 10' returns 137.
	run -0 --separate-stderr bg_bash '
		t0=$EPOCHREALTIME
		timeout_run -s 0 0.1 sleep 0.5; st=$?
		echo "plain=$st waited=$(( (${EPOCHREALTIME/./} - ${t0/./}) >= 450000 ))"
		timeout_run -s 0 -k 0.2 0.1 sleep 5; echo "k=$?"
		timeout_run -s EXIT --preserve-status 0.1 sleep 0.3; echo "preserve=$?"
		timeout_run -v -s 0 -k 0.1 0.1 sleep 5; echo "v=$?"'
	assert_output "$(printf '%s\n' 'plain=124 waited=1' k=137 preserve=0 v=137)"
	assert_equal "$stderr" "timeout_run: sending signal EXIT to command 'sleep'
timeout_run: sending signal KILL to command 'sleep'"
}

@test "timeout_run: \$! is unchanged by timeout_run" {
	run -0 bg_bash '
		timeout_run 5 true
		echo "none=${!:-empty}"
		sleep 0.01 & b=$!
		timeout_run 5 true
		timeout_run 0.05 sleep 5
		[ "$!" = "$b" ] && echo same || echo "changed: $b -> $!"'
	assert_output "$(printf '%s\n' none=empty same)"
}

@test "timeout_run: the job table is empty afterwards and wait and wait -n still work" {
	run -0 bg_bash '
		timeout_run 5 true
		timeout_run 0.05 sleep 5
		f() { exit 4; }; timeout_run 5 f
		echo "jobs:[$(jobs)]"
		jobs
		(exit 4) & p=$!
		wait "$p"; echo "wait=$?"
		# Still running when wait -n starts: bash itself sometimes loses
		# a job that ended before wait -n, bgtools or not.
		(sleep 0.2; exit 6) &
		wait -n; echo "waitn=$?"
		wait -n; echo "none=$?"
		sleep 0.1 & wait; echo "bare=$?"
		jobs'
	assert_output "$(printf '%s\n' 'jobs:[]' wait=4 waitn=6 none=127 bare=0)"
}

@test "timeout_run: a set -euo pipefail script catches the status with || st=\$?" {
	run -0 bg_bash '
		set -euo pipefail
		st=0; timeout_run 0.1 sleep 5 || st=$?; echo "timeout=$st"
		st=0; timeout_run 5 true || st=$?; echo "ok=$st"
		st=0; timeout_run 5 nosuch 2>/dev/null || st=$?; echo "notfound=$st"
		st=0; timeout_run 5 sh -c "exit 3" | cat || st=$?; echo "pipe=$st"
		echo end'
	assert_output "$(printf '%s\n' timeout=124 ok=0 notfound=127 pipe=3 end)"
}

@test "timeout_run: a set -e script dies on a timeout that is not caught" {
	run -124 bg_bash 'set -e; timeout_run 0.1 sleep 5; echo notreached'
	refute_output --partial notreached
}

# --- bad input ------------------------------------------------------------

@test "timeout_run: an unknown option is a usage error with the usage line, status 125 as coreutils" {
	# A 2 could not be told from the command's own status 2.
	run -125 timeout_run -x 1 true
	assert_output --partial "-x: invalid option"
	assert_output --partial "usage: timeout_run"
	run -125 timeout_run --bogus 1 true
	assert_output --partial "--bogus: invalid option"
	assert_output --partial "usage: timeout_run"
}

@test "timeout_run: a missing DURATION or command is a usage error, status 125 as coreutils" {
	run -125 timeout_run
	assert_output --partial "usage: timeout_run"
	run -125 timeout_run 1
	assert_output --partial "usage: timeout_run"
	run -125 timeout_run -s
	assert_output --partial "usage: timeout_run"
}

@test "timeout_run: --help prints the help and returns 2, as bash's builtins" {
	run -2 timeout_run --help
	assert_output --partial "Run a command with a time limit."
}

@test "timeout_run: an invalid signal returns 125 with bash's message" {
	run -125 timeout_run -s BOGUS 1 true
	assert_output --partial "timeout_run: BOGUS: invalid signal specification"
	run -125 timeout_run -s -1 1 true
	assert_output --partial "invalid signal specification"
	run -125 timeout_run -s 99999 1 true
	assert_output --partial "invalid signal specification"
}

@test "timeout_run: bad durations return 125 with 'invalid duration'" {
	for d in abc -1 '' inf nan 1x 0x10 1.5q ' 1' 1ms2; do
		run -125 timeout_run -- "$d" true
		assert_output --partial "timeout_run: $d: invalid duration"
	done
}

@test "timeout_run: a bad -k duration returns 125 with 'invalid duration'" {
	for d in abc -1 '' inf nan 1x; do
		run -125 timeout_run -k "$d" 1 true
		assert_output --partial "timeout_run: $d: invalid duration"
	done
}

@test "timeout_run: a negative DURATION without -- is an invalid option, status 125" {
	run -125 timeout_run -1 true
	assert_output --partial "invalid option"
}

@test "timeout_run: huge durations are accepted and the command runs normally" {
	run -0 bg_bash '
		t0=$SECONDS
		timeout_run 4294967296 echo big; echo "st=$?"
		timeout_run 1e9 echo exp; echo "st=$?"
		timeout_run 99999999999999999999d echo days; echo "st=$?"
		timeout_run 1e9 sleep 0.1; echo "st=$?"
		(( SECONDS - t0 < 5 )) && echo fast'
	assert_output "$(printf '%s\n' big st=0 exp st=0 days st=0 st=0 fast)"
}

@test "timeout_run: a bad call starts nothing" {
	cd "$BATS_TEST_TMPDIR"
	run -0 bg_bash '
		timeout_run -x 1 touch f1 2>/dev/null; echo "opt=$?"
		timeout_run 2>/dev/null; echo "none=$?"
		timeout_run 1 2>/dev/null; echo "nocmd=$?"
		timeout_run -s BOGUS 1 touch f2 2>/dev/null; echo "sig=$?"
		timeout_run abc touch f3 2>/dev/null; echo "dur=$?"
		timeout_run -k nan 1 touch f4 2>/dev/null; echo "kdur=$?"
		timeout_run 1 nosuch 2>/dev/null; echo "nf=$?"
		echo "bang=${!:-empty}"
		jobs; echo "jobs done"
		ls f? 2>/dev/null || echo "no files"'
	assert_output "$(printf '%s\n' opt=125 none=125 nocmd=125 sig=125 dur=125 kdur=125 nf=127 bang=empty 'jobs done' 'no files')"
}

@test "timeout_run: --foreground in a script still times out with 124" {
	run -0 bg_bash 'timeout_run --foreground 0.1 sleep 5; echo "st=$?"
		timeout_run --foreground 5 echo ok; echo "st=$?"'
	assert_output "$(printf '%s\n' st=124 ok st=0)"
}

@test "timeout_run: a function that runs a pipeline works (children get an fd bitmap)" {
	run -0 bg_bash 'h() { echo hi | cat | tr h H; }; timeout_run 5 h; echo "st=$?"
		retry -t 5 h; echo "st=$?"; every -n 1 -t 5 1 h; echo "st=$?"'
	assert_output $'Hi\nst=0\nHi\nst=0\nHi\nst=0'
}
