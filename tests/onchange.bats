#!/usr/bin/env bats
# onchange: runs on file changes (inotify), the changed paths, debounce,
# what happens to changes during a run, the end (limit, --once, a deleted
# root, signals), and that nothing is lost or left behind.

load test_helper
bats_require_minimum_version 1.5.0

# OC: helpers for the child scripts, which get the test's directory as $1.
#   W            the watched directory ($1/w, made empty)
#   rec          the command: an initial run (no paths) makes $1/ready;
#                others append their paths to $1/log and "run N" to $1/runs
#   stop_at N    (in rec) once $1/log has N lines, USR1 to the script,
#                whose trap makes onchange return 138
#   ready        wait until the initial run has happened (the watches are
#                in place before it starts)
OC='T=$1; W=$T/w; mkdir -p "$W"; : > "$T/log"; : > "$T/runs"
STOP=
rec() {
	if ((${#ONCHANGE_PATHS[@]} == 0)); then : > "$T/ready"; return; fi
	printf "%s\n" "${ONCHANGE_PATHS[@]}" >> "$T/log"
	echo "run ${#ONCHANGE_PATHS[@]}" >> "$T/runs"
	if [[ -n $STOP ]] && (( $(wc -l < "$T/log") >= STOP )); then kill -USR1 $$; fi
}
trap "echo usr1" USR1
ready() { await "$T/ready"; }
'

# oc SCRIPT: run SCRIPT (after OC) in bgsh with the test's directory.
oc() {
	bgsh "$OC$1" "$BATS_TEST_TMPDIR" "${@:2}"
}

# --- runs and their paths -------------------------------------------------

@test "onchange: a change runs a function with the changed paths in ONCHANGE_PATHS" {
	run -0 oc '
		f() { echo "n=${#ONCHANGE_PATHS[@]} first=${ONCHANGE_PATHS[0]##*/} args=$*"; }
		( sleep 0.5; touch "$W/a b" ) &
		onchange --once -t 10 "$W" -- f x y; echo "st=$?"'
	assert_line "n=1 first=a b args=x y"
	assert_line "st=0"
}

@test "onchange: -a passes the changed paths as arguments, to a disk command too" {
	run -0 oc '
		( sleep 0.5; touch "$W/p1" ) &
		onchange -a --once -t 10 "$W" -- /bin/echo got; echo "st=$?"'
	assert_line "got $BATS_TEST_TMPDIR/w/p1"
	assert_line "st=0"
}

@test "onchange: --once returns the command's status (function and disk command)" {
	run -0 oc '
		f() { return 7; }
		( sleep 0.5; touch "$W/a" ) &
		onchange --once -t 10 "$W" -- f; echo "f=$?"
		( sleep 0.5; touch "$W/b" ) &
		onchange --once -t 10 "$W" -- sh -c "exit 9"; echo "sh=$?"'
	assert_line "f=7"
	assert_line "sh=9"
}

@test "onchange: -i runs once at the start with an empty path list; --once waits for a change-started run" {
	run -0 oc '
		f() { echo "run n=${#ONCHANGE_PATHS[@]}"; : > "$T/ready"; }
		( ready; touch "$W/a" ) &
		onchange -i --once -t 10 "$W" -- f; echo "st=$?"'
	assert_line -n 0 "run n=0"
	assert_line -n 1 "run n=1"
	assert_line -n 2 "st=0"
}

@test "onchange: a burst of 20 changes within the debounce time is one run" {
	run -0 oc '
		( ready; for i in {1..20}; do echo x > "$W/f$i"; done ) &
		onchange -i --once -d 300ms -t 10 "$W" -- rec; echo "st=$?"
		echo "runs: $(paste -sd, "$T/runs")"'
	assert_line "st=0"
	assert_line "runs: run 20"
}

@test "onchange: changes during a run are queued into one more run, each path once" {
	run -0 oc '
		STOP=4
		slow() { rec; [[ ${ONCHANGE_PATHS[0]} == */a ]] && sleep 1; return 0; }
		( ready; touch "$W/a"; sleep 0.5; touch "$W/b" "$W/c"; echo z > "$W/b"; touch "$W/d" ) &
		onchange -i -t 20 "$W" -- slow; echo "st=$?"
		echo "runs: $(paste -sd, "$T/runs")"; sort "$T/log" | uniq -d | sed "s/^/dup /"'
	assert_line "st=138"
	assert_line "runs: run 1,run 3"
	refute_output --partial "dup "
}

@test "onchange: -b ignore drops the changes that come during a run" {
	run -0 oc '
		slow() { rec; ((${#ONCHANGE_PATHS[@]} == 0)) || sleep 2; }
		( ready; touch "$W/a"; sleep 0.8; touch "$W/b"; sleep 2.5; touch "$W/c" ) &
		onchange -i -b ignore -t 6 "$W" -- slow; echo "st=$?"
		sed "s,.*/,," "$T/log"'
	assert_line "st=124"
	assert_line "a"
	assert_line "c"
	refute_line "b"
}

@test "onchange: -b restart stops the run's whole tree and starts again with its paths and the new ones" {
	mark 7.41; m=$REPLY
	run -0 oc '
		m=$2
		slow() { rec; sleep "$m" & sleep "$m"; }
		( ready; touch "$W/a"; sleep 0.8; touch "$W/b"; sleep 0.8 ) &
		onchange -i -b restart -t 2.5 "$W" -- slow; echo "st=$?"
		echo "runs: $(paste -sd, "$T/runs")"
		echo "log: $(sed "s,.*/,," "$T/log" | paste -sd,)"' "$m"
	assert_line "st=124"
	assert_line "runs: run 1,run 2"
	assert_line "log: a,a,b"
	no_leftovers "$(pat "$m")"
}

@test "onchange: -r watches subdirectories, new ones too, and reports what a new one already holds" {
	mkdir -p "$BATS_TEST_TMPDIR/w/old/deeper"
	run -0 oc '
		STOP=4
		( ready; touch "$W/old/deeper/x"; mkdir -p "$W/n1/n2"; touch "$W/n1/n2/y" ) &
		onchange -r -i -t 10 "$W" -- rec; echo "st=$?"
		sed "s,^$W/,," "$T/log" | sort'
	assert_line "st=138"
	assert_line "old/deeper/x"
	assert_line "n1"
	assert_line "n1/n2"
	assert_line "n1/n2/y"
}

@test "onchange: without -r a change in a subdirectory is not reported" {
	mkdir -p "$BATS_TEST_TMPDIR/w/sub"
	run -0 oc '
		( ready; touch "$W/sub/x"; sleep 0.3; touch "$W/top" ) &
		onchange -i --once -t 10 "$W" -- rec; echo "st=$?"
		sed "s,^$W/,," "$T/log"'
	assert_line "st=0"
	assert_line "top"
	refute_line "sub/x"
}

@test "onchange: .git is left out by default, --no-default-ignore keeps it, -x leaves out a glob" {
	mkdir -p "$BATS_TEST_TMPDIR/w/.git"
	run -0 oc '
		( ready; touch "$W/.git/index" "$W/x.swp" "$W/.gitignore" "$W/keep" ) &
		onchange -r -x "*.swp" -i --once -t 10 "$W" -- rec; echo "st=$?"
		( sleep 0.5; touch "$W/.git/HEAD" ) &
		onchange -r --no-default-ignore --once -t 10 "$W" -- rec
		sed "s,^$W/,," "$T/log"'
	assert_line "st=0"
	assert_line ".gitignore"
	assert_line "keep"
	assert_line ".git/HEAD"
	refute_line ".git/index"
	refute_line "x.swp"
}

@test "onchange: a file operand replaced by rename, as editors save, is still followed" {
	run -0 oc '
		STOP=2
		echo 1 > "$W/conf"; touch "$W/other"
		( ready; echo 2 > "$W/tmp1"; mv "$W/tmp1" "$W/conf"; sleep 0.4; touch "$W/other"
		  echo 3 > "$W/tmp2"; mv "$W/tmp2" "$W/conf" ) &
		onchange -i -t 10 "$W/conf" -- rec; echo "st=$?"
		echo "log: $(paste -sd, "$T/log")"'
	assert_line "st=138"
	assert_line "log: $BATS_TEST_TMPDIR/w/conf,$BATS_TEST_TMPDIR/w/conf"
}

@test "onchange: -e create reports creations only, not writes or deletions" {
	touch "$BATS_TEST_TMPDIR/w-existing"
	mkdir -p "$BATS_TEST_TMPDIR/w"
	echo a > "$BATS_TEST_TMPDIR/w/old"
	run -0 oc '
		( ready; echo b >> "$W/old"; rm "$W/old"; sleep 0.3; touch "$W/new" ) &
		onchange -e create -i --once -t 10 "$W" -- rec; echo "st=$?"
		echo "log: $(sed "s,^$W/,," "$T/log" | paste -sd,)"'
	assert_line "st=0"
	assert_line "log: new"
}

# --- how it ends ----------------------------------------------------------

@test "onchange: a deleted watched directory ends it with status 3 and a message" {
	run -0 oc '
		( ready; rm -rf "$W" ) &
		onchange -i -t 10 "$W" -- rec; echo "st=$?"'
	assert_line "st=3"
	assert_output --partial "onchange: $BATS_TEST_TMPDIR/w: watched directory deleted or moved"
}

@test "onchange: -t ends it with 124 and stops the run still going, grandchildren included" {
	mark 7.42; m=$REPLY
	t0=$(now_ms)
	run -0 oc '
		m=$2
		slow() { sleep "$m" & sleep "$m"; }
		( sleep 0.5; touch "$W/a" ) &
		onchange -t 1 "$W" -- slow; echo "st=$?"' "$m"
	ms=$(elapsed_since "$t0")
	assert_output "st=124"
	no_leftovers "$(pat "$m")"
	(( ms < 8000 )) || fail "took ${ms}ms"
}

@test "onchange: an untrapped TERM to the script stops onchange and its run's tree (set -m off and on)" {
	for setm in +m -m; do
		mark 7.43; m=$REPLY
		D=$BATS_TEST_TMPDIR/t$setm; mkdir -p "$D/w"
		env --default-signal bash -c "$BG_LOAD"'
			set '"$setm"'
			slow() { : > "$1/started"; sleep "$2" & sleep "$2"; }
			onchange -i -t 20 "$1/w" -- slow "$1" "$3"; echo "st=$?"' \
		    x "$D" "$m" "$m" > "$D/out" 2>&1 &
		pid=$!
		for ((i = 0; i < 500; i++)); do [ -e "$D/started" ] && break; sleep 0.02; done
		wait_procs 2 "$(pat "$m")"
		kill -TERM "$pid"
		st=0; wait "$pid" || st=$?
		[ "$st" = 143 ] || fail "set $setm: status $st: $(cat "$D/out")"
		run cat "$D/out"
		refute_output --partial "st="
		no_leftovers "$(pat "$m")"
	done
}

@test "onchange: set -euo pipefail catches --once's failure with || st=\$?, and set -e dies on it" {
	run -1 oc '
		set -euo pipefail
		( sleep 0.5; touch "$W/a" ) &
		st=0; onchange --once -t 10 "$W" -- false || st=$?
		echo "st=$st"
		( sleep 0.5; touch "$W/b" ) &
		onchange --once -t 10 "$W" -- false
		echo "not reached"'
	assert_line "st=1"
	refute_line "not reached"
}

@test "onchange: the job table is empty afterwards, \$! is unchanged, and a run's variables stay in it" {
	run -0 oc '
		f() { X=set; }
		X=orig
		( sleep 0.5; touch "$W/a" ) &
		c=$!
		onchange --once -t 10 "$W" -- f; echo "st=$? X=$X"
		wait "$c"
		[ "$!" = "$c" ] && echo "bang ok"
		jobs; echo "jobs_end"'
	assert_line "st=0 X=orig"
	assert_line "bang ok"
	assert_line -n 2 "jobs_end"
	assert_equal "${#lines[@]}" 3
}

# --- bad input -------------------------------------------------------------

@test "onchange: bad input gets bash-style messages, status 2 (127: no such command, 1: no such path), and runs nothing" {
	run -0 oc '
		f() { echo RAN; }
		onchange -t abc "$W" -- f; echo "t=$?"
		onchange -d 5x "$W" -- f; echo "d=$?"
		onchange -e create,bogus "$W" -- f; echo "e=$?"
		onchange -b sometimes "$W" -- f; echo "b=$?"
		onchange -v 1bad "$W" -- f; echo "v=$?"
		onchange -Q "$W" -- f; echo "Q=$?"
		onchange "$W" f; echo "nosep=$?"
		onchange -- f; echo "nopath=$?"
		onchange "$W" --; echo "nocmd=$?"
		onchange "$T/missing" -- f; echo "missing=$?"
		onchange "$W" -- no_such_cmd_x; echo "nf=$?"'
	assert_line "t=2"
	assert_line "d=2"
	assert_line "e=2"
	assert_line "b=2"
	assert_line "v=2"
	assert_line "Q=2"
	assert_line "nosep=2"
	assert_line "nopath=2"
	assert_line "nocmd=2"
	assert_line "missing=1"
	assert_line "nf=127"
	assert_output --partial "onchange: abc: invalid duration"
	assert_output --partial "onchange: 5x: invalid duration"
	assert_output --partial "onchange: bogus: invalid event name"
	assert_output --partial "onchange: sometimes: invalid mode (queue, restart or ignore)"
	assert_output --partial "onchange: \`1bad': not a valid identifier"
	assert_output --partial "onchange: -Q: invalid option"
	assert_output --partial "onchange: usage: onchange"
	assert_output --partial "onchange: $BATS_TEST_TMPDIR/missing: No such file or directory"
	assert_output --partial "onchange: no_such_cmd_x: command not found"
	refute_output --partial "RAN"
}

@test "onchange: the inotify watch limit gives an error naming fs.inotify.max_user_watches" {
	command -v unshare > /dev/null || skip "no unshare"
	mkdir -p "$BATS_TEST_TMPDIR/w"/d{1..8}
	# A user namespace has its own inotify limits, writable by its root.
	unshare -U -r true 2> /dev/null || skip "no user namespaces"
	run unshare -U -r bash -c '
		echo 4 > /proc/sys/user/max_inotify_watches || exit 77
		enable -f "$BGTOOLS_SO" onchange || exit 99
		onchange -r -t 5 "$1" -- true; echo "st=$?"' x "$BATS_TEST_TMPDIR/w"
	[ "$status" = 77 ] && skip "cannot set the limit here"
	assert_line "st=1"
	assert_output --partial "inotify watch limit reached: raise fs.inotify.max_user_watches"
}

# --- interactive ----------------------------------------------------------

@test "onchange: Ctrl-C in an interactive shell stops it and its run's tree, \$? 130, jobs empty" {
	require_tmux
	mark 31.7; m=$REPLY
	start_shell
	mkdir -p "$BATS_TEST_TMPDIR/w"
	run_line "f() { sleep $m & sleep $m; }"
	type_line "onchange -i $BATS_TEST_TMPDIR/w -- f"
	wait_procs 2 "$(pat "$m")"
	t0=$(now_ms)
	tm send-keys C-c
	wait_prompt
	ms=$(elapsed_since "$t0")
	(( ms < 5000 )) || fail "prompt after ${ms}ms"
	run_line 'echo "st=$?"'
	wait_for '^st=130$'
	no_leftovers "$(pat "$m")"
	run_line 'jobs >~/jobs.out; echo "jobs_bytes=$(wc -c <~/jobs.out)"'
	wait_for '^jobs_bytes=0$'
}

# --- scale ----------------------------------------------------------------

@test "onchange: 10,000 files created in a watched tree are each reported exactly once across runs" {
	run -0 oc '
		STOP=10000
		mkdir -p "$W/sub"
		( ready; for i in {1..10000}; do : > "$W/sub/f$i"; done ) &
		onchange -r -e create -i -t 50 "$W" -- rec; echo "st=$?"
		echo "lines=$(wc -l < "$T/log") unique=$(sort -u "$T/log" | wc -l) runs=$(wc -l < "$T/runs")"'
	assert_line "st=138"
	assert_line --regexp "^lines=10000 unique=10000 runs=[0-9]+$"
}
