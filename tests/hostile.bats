#!/usr/bin/env bats
# Hostile environments: the builtins inside $( ), ( ) and a lastpipe
# pipeline, under a CHLD trap, with job control on and off, when fork
# fails (RLIMIT_NPROC, as a user other than root, which ignores it), when
# $TMPDIR is full, and with their output going to a closed pipe.

load test_helper
bats_require_minimum_version 1.5.0

# Per-test state cleaned up by teardown: tmpfs mounts, and the directory
# of the unprivileged user.
MOUNTS=()
NP_DIR=

eval "helper_$(declare -f teardown)"

# setup: the builtins loaded, and the test's own directory as the working
# directory (child scripts write files there).
setup() {
	bg_enable
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount -l "$m" 2> /dev/null || true
	done
	[ -z "$NP_DIR" ] || rm -rf "$NP_DIR"
	helper_teardown
}

# small_tmpfs DIR OPTIONS: mount a tmpfs with OPTIONS on DIR (made), or
# skip the test when that is not possible here.
small_tmpfs() {
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" 2> /dev/null ||
	    skip "cannot mount a tmpfs here"
	MOUNTS+=("$1")
}

# --- $( ) and ( ) ---------------------------------------------------------

@test "hostile: every builtin works inside \$( ), its output and status captured" {
	run -0 bgsh '
		f() { echo "f:$1"; return "${2:-0}"; }
		x=$(timeout_run 5 f a 3; echo "st=$?"); echo "timeout_run[$x]"
		x=$(pool -k f ::: a b; echo "st=$?"); echo "pool[$x]"
		x=$(retry -n 1 f a; echo "st=$?"); echo "retry[$x]"
		x=$(every -n 2 0.01 f a; echo "st=$?"); echo "every[$x]"
		x=$( (sleep 0.2; exit 7) & waitany $!; echo "st=$?"); echo "waitany[$x]"
		x=$( (sleep 0.2; exit 7) & (sleep 0.3; exit 8) & waitall -a s; echo "st=$? ${s[*]}"); echo "waitall[$x]"
		x=$(sleep 5 & killjobs -g 1; echo "st=$?"); echo "killjobs[$x]"'
	assert_output - <<-'EOF'
	timeout_run[f:a
	st=3]
	pool[f:a
	f:b
	st=0]
	retry[f:a
	st=0]
	every[f:a
	f:a
	st=0]
	waitany[st=7]
	waitall[st=7 7 8]
	killjobs[st=0]
	EOF
}

@test "hostile: inside \$( ) the parent's jobs are not waited for or killed" {
	mark 5.
	run -0 bgsh '
		sleep "$1" & outer=$!
		x=$(waitany -t 1 "$outer"; echo "st=$?"); echo "waitany[$x]"
		x=$(waitany -t 1; echo "st=$?"); echo "waitany-all[$x]"
		x=$(waitall -t 1; echo "st=$?"); echo "waitall-all[$x]"
		x=$(killjobs -g 0; echo "st=$?"); echo "killjobs-all[$x]"
		x=$(killjobs -g 0 "$outer"; echo "st=$?"); echo "killjobs[$x]"
		kill -0 "$outer" && echo "outer alive"
		kill "$outer"' "$REPLY"
	assert_line "waitany[st=127]"
	assert_line "waitany-all[st=127]"
	assert_line "waitall-all[st=0]"
	assert_line "killjobs-all[st=0]"
	assert_line "killjobs[st=127]"
	assert_line "outer alive"
	assert_output --partial "is not a child of this shell"
}

@test "hostile: inside \$( ) a job of its own that already ended is still reported" {
	# bgtools tells the parent's jobs from the substitution's own by their
	# parent pid in /proc; a job that has ended has no /proc entry left.
	run -0 bgsh '
		x=$( (exit 7) & p=$!; pause 0.2; waitany "$p"; echo "st=$?" ); echo "waitany-id[$x]"
		x=$( (exit 7) & pause 0.2; waitany; echo "st=$?" ); echo "waitany[$x]"
		x=$( (exit 7) & pause 0.2; waitall -a s; echo "st=$? ${s[*]}" ); echo "waitall[$x]"
		x=$( (exit 7) & p=$!; pause 0.2; wait "$p"; echo "st=$?" ); echo "bash-wait[$x]"'
	assert_output - <<-'EOF'
	waitany-id[st=7]
	waitany[st=7]
	waitall[st=7 7]
	bash-wait[st=7]
	EOF
}

@test "hostile: inside ( ) the builtins see the subshell's jobs, not the parent's" {
	mark 5.
	run -0 bgsh '
		sleep "$1" & outer=$!
		( (sleep 0.1; exit 7) & p=$!; pause 0.3; waitany "$p"; echo "waitany=$?" )
		( (exit 4) & (pause 0.1; exit 5) & waitall -a s; echo "waitall=$? ${s[*]}" )
		( killjobs -g 0; echo "killjobs=$?" )
		( pool -k echo ::: a b; timeout_run 0.1 sleep 2; echo "timeout_run=$?" )
		kill -0 "$outer" && echo "outer alive"
		kill "$outer"' "$REPLY"
	assert_output - <<-'EOF'
	waitany=7
	waitall=4 4 5
	killjobs=0
	a
	b
	timeout_run=124
	outer alive
	EOF
}

# --- lastpipe ---------------------------------------------------------------

@test "hostile: with lastpipe, the builtins as the last element of a pipeline run in the shell and read the pipe" {
	run -0 bgsh '
		shopt -s lastpipe
		f() { echo "f:$1"; }
		printf "a\nb\n" | pool -k f; echo "pool=$?"
		echo hello | retry -n 1 read v; echo "retry=$? v=$v"
		echo hi | every -n 1 1 read w; echo "every=$? w=$w"
		echo piped | timeout_run 5 cat; echo "timeout_run=$?"'
	assert_output - <<-'EOF'
	f:a
	f:b
	pool=0
	retry=0 v=hello
	every=0 w=hi
	piped
	timeout_run=0
	EOF
}

@test "hostile: with lastpipe, waitany and waitall do not wait for their own pipeline" {
	run -0 bgsh '
		shopt -s lastpipe
		t0=$EPOCHREALTIME
		{ pause 0.5; echo left; } | { waitany; echo "waitany=$? ms=$(ms_since "$t0")"; cat; }
		t0=$EPOCHREALTIME
		{ pause 0.5; echo left; } | { waitall; echo "waitall=$? ms=$(ms_since "$t0")"; cat; }'
	assert_line -n 0 --regexp '^waitany=127 ms=[0-9]+$'
	assert_line -n 2 --regexp '^waitall=0 ms=[0-9]+$'
	(( ${lines[0]##*ms=} < 400 && ${lines[2]##*ms=} < 400 )) ||
	    fail "waited for the pipeline: $output"
}

@test "hostile: with lastpipe, killjobs leaves its own pipeline alone and stops the background jobs" {
	# waitany and waitall skip the foreground job (the pipeline they are
	# part of); killjobs with no id killed the pipeline's first element.
	mark 5.
	run -0 bgsh '
		shopt -s lastpipe
		sleep "$1" & bg=$!
		{ pause 0.5; echo left; } | { killjobs -g 1; echo "killjobs=$?"; cat; }
		echo "pipestatus=${PIPESTATUS[*]}"
		kill -0 "$bg" 2>/dev/null && echo "bg alive" || echo "bg stopped"' "$REPLY"
	assert_output - <<-'EOF'
	killjobs=0
	left
	pipestatus=0 0
	bg stopped
	EOF
}

# --- traps and job control ----------------------------------------------------

@test "hostile: a CHLD trap runs for each child and every status still arrives" {
	run -0 bgsh '
		n=0
		trap "n=\$((n + 1))" CHLD
		f() { pause 0.1; return "$1"; }
		(pause 0.1; exit 5) & p=$!; (pause 0.2; exit 6) & q=$!
		waitany "$q"; echo "waitany=$?"
		waitall -a st "$p" "$q"; echo "waitall=$? ${st[*]}"
		timeout_run 5 f 3; echo "timeout_run=$?"
		timeout_run 0.1 sleep 3; echo "timeout_run-limit=$?"
		pool -k --status-array st f ::: 1 2 3; echo "pool=$? ${st[*]}"
		for i in 1 2; do pool --sem --status-array ss f "$i"; done; pool --wait; echo "sem=$? ${ss[*]}"
		retry -q -n 2 -d 1ms -t 5 f 4; echo "retry=$?"
		every -n 2 -t 5 --stop-on-failure 0.05 f 9; echo "every=$?"
		# Once it runs sleep: a TERM before exec is lost in bash (see
		# killjobs.bats), and KILL would make it 1.
		sleep 5 &
		until [[ $(tr "\0" " " < /proc/$!/cmdline) == sleep* ]]; do :; done
		killjobs -g 1; echo "killjobs=$?"
		echo "chld-traps=$n"'
	assert_output --partial - <<-'EOF'
	waitany=6
	waitall=5 5 6
	timeout_run=3
	timeout_run-limit=124
	pool=3 1 2 3
	sem=2 1 2
	retry=4
	every=9
	killjobs=0
	EOF
	# 2 + 2 + 3 + 2 + 2 + 1 + 1 children at least.
	(( ${lines[-1]#chld-traps=} >= 13 )) || fail "too few CHLD traps: ${lines[-1]}"
}

@test "hostile: a CHLD trap that runs jobs (deleting finished jobs) loses no status" {
	run -0 bgsh '
		trap "jobs > /dev/null" CHLD
		(pause 0.1; exit 5) & (pause 0.2; exit 6) &
		waitany; echo "waitany=$?"
		waitany; echo "waitany=$?"
		waitany; echo "waitany=$?"
		(pause 0.1; exit 3) & p=$!
		pause 0.3
		waitall -a st "$p"; echo "waitall=$? ${st[*]}"
		f() { pause 0.$1; return "$1"; }
		pool -j2 --status-array st f ::: 1 2 3 4; echo "pool=$? ${st[*]}"'
	assert_output - <<-'EOF'
	waitany=5
	waitany=6
	waitany=127
	waitall=3 3
	pool=4 1 2 3 4
	EOF
}

@test "hostile: every builtin behaves the same with set -m and set +m" {
	run -0 bgsh '
		f() { return "$1"; }
		for m in -m +m; do
			set $m
			(exit 3) & waitany $!; a=$?
			(exit 4) & (pause 0.1; exit 5) & waitall -a s; b="$? ${s[*]}"
			timeout_run 5 f 6; c=$?
			timeout_run 0.1 sleep 5; d=$?
			pool --status-array st f ::: 0 1 2; e="$? ${st[*]}"
			retry -q -n 2 -d 1ms f 7; g=$?
			retry -q -n 2 -d 1ms -t 1 f 7; h=$?
			every -n 2 --stop-on-failure 0.01 f 8; i=$?
			every -n 2 -t 1 --stop-on-failure 0.01 f 8; j=$?
			sleep 5 & sleep 5 & killjobs -g 1; k=$?
			echo "$m: $a|$b|$c|$d|$e|$g|$h|$i|$j|$k|jobs=$(jobs | wc -l)"
		done'
	assert_output - <<-'EOF'
	-m: 3|4 4 5|6|124|2 0 1 2|7|7|8|8|0|jobs=0
	+m: 3|4 4 5|6|124|2 0 1 2|7|7|8|8|0|jobs=0
	EOF
}

# --- fork fails: RLIMIT_NPROC as an unprivileged user ------------------------
#
# Root ignores RLIMIT_NPROC, so these run as a uid of their own (no other
# process can share its count).  `ulimit -S -u N' then allows N processes
# of that uid, the shell included; nothing in the limited part of a script
# may fork except the builtin under test (no $( )).  Designed behaviour:
# pool waits for one of its jobs to end and retries while some run; with
# none running it retries for under ~1 s, then says `pool: fork: ERROR'
# (`pool: cannot fork: ERROR' is as clear) and returns 255 with nothing
# left running; timeout_run says so and returns 125; an attempt of
# retry -t or a run of every -t fails with 126 and a message, then the
# usual policy applies.

# np_setup: pick a uid that owns no process and a directory it can use;
# skip the test unless we are root with setpriv.
np_setup() {
	[ "$(id -u)" = 0 ] || skip "needs root to switch to another uid"
	command -v setpriv > /dev/null || skip "no setpriv"
	NP_UID=$((42000 + $$ % 10000))
	! pgrep -U "$NP_UID" > /dev/null || skip "uid $NP_UID is in use"
	NP_DIR=$(mktemp -d /tmp/bgtools-np.XXXXXX)
	chown "$NP_UID" "$NP_DIR"
	chmod 755 "$NP_DIR"
}

# np_bash SCRIPT [ARG...]: run SCRIPT as NP_UID in a bash with the
# builtins and BG_CHILD_HELPERS loaded and fd 9 open for pause, killed
# after 30 s.  HARD is the hard process limit, for restoring the soft one.
np_bash() {
	local script=$1
	shift
	timeout -k 5 30 setpriv --reuid="$NP_UID" --regid="$NP_UID" \
	    --clear-groups env --default-signal TMPDIR="$NP_DIR" \
	    HOME="$NP_DIR" bash -c "$BG_LOAD$BG_CHILD_HELPERS$BG_PAUSE_FD"'
		cd "$HOME" || exit 97
		HARD=$(ulimit -H -u)
		'"$script" np "$@"
}

@test "hostile: fork fails with no pool job running: pool says so and returns 255 within ~1 s, nothing left" {
	np_setup
	run np_bash '
		g() { pause 0.2; echo "g $1"; }
		ulimit -S -u 1
		t0=$EPOCHREALTIME
		pool -j2 g ::: 1 2 3 2> err; a=$?
		b=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		t0=$EPOCHREALTIME
		pool -j2 sleep ::: 0.1 0.1 2>> err; c=$?
		d=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		jobs > jobs.out
		ulimit -S -u "$HARD"
		echo "function=$a ms=$b"
		echo "disk=$c ms=$d"
		echo "jobs=[$(cat jobs.out)]"
		echo "jobs-after=[$(jobs)]"
		cat err
		pool g ::: again; echo "after=$?"'
	assert_success
	assert_line --regexp '^function=255 ms=[0-9]+$'
	assert_line --regexp '^disk=255 ms=[0-9]+$'
	assert_line "jobs=[]"
	assert_line "jobs-after=[]"
	assert_line --regexp "pool: (cannot )?fork: Resource temporarily unavailable$"
	refute_line "g 1"
	assert_line "g again"
	assert_line "after=0"
	local ms
	for ms in $(grep -oE 'ms=[0-9]+' <<< "$output"); do
		(( ${ms#ms=} < 3000 )) || fail "pool took ${ms#ms=} ms to give up"
	done
}

@test "hostile: fork fails while pool jobs run: pool waits for a slot and runs every job" {
	np_setup
	run np_bash '
		g() { pause 0.3; echo "g $1"; }
		ulimit -S -u 3
		t0=$EPOCHREALTIME
		pool -j4 -k --status-array st g ::: 1 2 3 4 5 6 > out 2> err; a="$? ${st[*]}"
		b=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		pool -j4 --status-array st sleep ::: 0.3 0.3 0.3 0.3 0.3 0.3 2>> err; c="$? ${st[*]}"
		jobs > jobs.out
		ulimit -S -u "$HARD"
		echo "function=$a"
		echo "disk=$c"
		echo "ms=$b"
		cat out
		echo "jobs=[$(cat jobs.out)]"'
	assert_success
	assert_line "function=0 0 0 0 0 0 0"
	assert_line "disk=0 0 0 0 0 0 0"
	assert_output --partial "$(printf 'g %s\n' 1 2 3 4 5 6)"
	assert_line "jobs=[]"
	# Two at a time: three rounds of 0.3 s.
	(( ${lines[2]#ms=} >= 850 )) || fail "more than 2 jobs ran at once: ${lines[2]}"
}

@test "hostile: fork fails on a pool --sem submission: 255, no half-started pool, later submissions work" {
	np_setup
	run np_bash '
		g() { echo "g $1"; }
		ulimit -S -u 1
		pool --sem -j2 g 1 2> err; a=$?
		jobs > jobs.out
		pool --wait; b=$?
		ulimit -S -u "$HARD"
		echo "sem=$a"
		echo "jobs=[$(cat jobs.out)]"
		echo "wait=$b"
		pool --sem -j2 --status-array st g 2; echo "sem2=$?"
		pool --wait; echo "wait2=$? ${st[*]}"
		cat err'
	assert_success
	assert_line "sem=255"
	assert_line "jobs=[]"
	assert_line "sem2=0"
	assert_line "g 2"
	refute_line "g 1"
	assert_line --regexp '^wait2=0 '
	assert_line --regexp "pool: (cannot )?fork: Resource temporarily unavailable$"
}

@test "hostile: fork fails: timeout_run says fork and returns 125, for a function and a disk command" {
	np_setup
	run np_bash '
		g() { echo ran; }
		ulimit -S -u 1
		timeout_run 5 g 2> err; a=$?
		timeout_run 5 sleep 0.1 2>> err; b=$?
		jobs > jobs.out
		ulimit -S -u "$HARD"
		echo "function=$a"
		echo "disk=$b"
		echo "jobs=[$(cat jobs.out)]"
		cat err'
	assert_success
	assert_line "function=125"
	assert_line "disk=125"
	assert_line "jobs=[]"
	refute_line "ran"
	run grep -c "timeout_run: .*fork.*: Resource temporarily unavailable" <<< "$output"
	assert_output 2
}

@test "hostile: fork fails: an attempt of retry -t fails with 126 and is retried as usual" {
	np_setup
	run np_bash '
		g() { echo ran; }
		hold() { pause 0.4; }
		ulimit -S -u 1
		retry -n 3 -d 10ms -t 5 g > out 2> err; a=$?
		ulimit -S -u "$HARD"
		hold &
		ulimit -S -u 2
		retry -n 100 -d 20ms --jitter none -t 5 g >> out 2> err2; b=$?
		ulimit -S -u "$HARD"
		echo "retry=$a"
		echo "recovered=$b"
		cat out
		wait
		cat err; echo ---; cat err2'
	assert_success
	assert_line "retry=126"
	assert_line "recovered=0"
	assert_line "ran"
	assert_line --partial "attempt 1/3 failed with status 126; retrying"
	assert_line --partial "giving up after 3 attempts"
	assert_output --partial "fork"
	assert_line --partial "attempt 1/100 failed with status 126; retrying"
}

@test "hostile: fork fails: a run of every -t fails with 126; --stop-on-failure returns it, else the runs go on" {
	np_setup
	run np_bash '
		g() { echo ran; }
		ulimit -S -u 1
		every -n 3 -t 5 0.05 g > out 2> err; a=$?
		every -n 3 -t 5 --stop-on-failure 0.05 g >> out 2>> err; b=$?
		ulimit -S -u "$HARD"
		echo "every=$a"
		echo "stop=$b"
		cat out
		echo "forkmsgs=$(grep -c fork err)"'
	assert_success
	assert_line "every=0"
	assert_line "stop=126"
	refute_line "ran"
	(( ${lines[-1]#forkmsgs=} >= 4 )) || fail "each failed run should say why: $output"
}

# --- a full $TMPDIR -------------------------------------------------------------

@test "hostile: pool cannot make its output files in \$TMPDIR: it says so, fails, and runs nothing" {
	# nr_inodes=1: the tmpfs root is its only inode, no file can be made.
	small_tmpfs "$BATS_TEST_TMPDIR/full" size=1m,nr_inodes=1
	run bgsh '
		export TMPDIR=$1
		mk() { echo ran > "$2"; }
		pool --status-array st mk ::: 1 2; echo "batch=$? [${st[*]}]"
		pool --sem mk 3; echo "sem=$?"
		pool --wait; echo "wait=$?"
		echo "jobs=[$(jobs)]"' "$BATS_TEST_TMPDIR/full" "$BATS_TEST_TMPDIR/ran"
	assert_success
	assert_line --partial 'pool: cannot capture output in $TMPDIR: No space left on device'
	assert_line --regexp '^batch=[1-9][0-9]* '
	assert_line --regexp '^sem=[1-9][0-9]*$'
	assert_line "jobs=[]"
	assert [ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

# spew_pool ERR_OK: in a 1 MB $TMPDIR, run pool on 3 jobs that write 1.5 MB
# each, silently (its error message would be cut short as well, so only
# pool can say what happened); the job fails as head does, or when ERR_OK
# is 1 returns 0 however its writes went.  Check that pool
# ends soon, says there was no space left, and leaves nothing behind.
spew_pool() {
	small_tmpfs "$BATS_TEST_TMPDIR/small" size=1m
	local n=$((1500000 + $$ % 1000))
	run bgsh '
		export TMPDIR=$1
		if [ "$3" = 1 ]; then
			spew() { head -c "$1" /dev/zero 2> /dev/null; return 0; }
		else
			spew() { head -c "$1" /dev/zero 2> /dev/null; }
		fi
		t0=$EPOCHREALTIME
		pool -j2 --status-array st spew "$2" ::: 1 2 3 > out; echo "pool=$? [${st[*]}] ms=$(ms_since "$t0")"
		echo "jobs=[$(jobs)]"
		echo "used=$(df --output=used "$TMPDIR" | tail -n 1 | tr -d " ")"' \
	    "$BATS_TEST_TMPDIR/small" "$n" "$1"
	assert_success
	assert_line "jobs=[]"
	assert_line "used=0"
	(( $(grep -oE 'ms=[0-9]+' <<< "$output" | cut -d= -f2) < 10000 )) ||
	    fail "pool took too long: $output"
	no_leftovers "head -c $n"
	grep -qi "no space left" <<< "$output" ||
	    fail "no word of the full \$TMPDIR: $output"
}

@test "hostile: jobs that fail because their output fills \$TMPDIR: pool says so, fails, no hang, nothing left" {
	spew_pool 0
	assert_line --regexp '^pool=[1-9][0-9]* '
}

@test "hostile: jobs whose output a full \$TMPDIR cut short but that exit 0: pool still says so" {
	# The job cannot tell (its last command succeeded); pool can, from
	# the file system it put the output on.
	spew_pool 1
}

# --- a closed pipe ----------------------------------------------------------------

@test "hostile: pool | head -1 ends at once in every output mode and leaves nothing running" {
	mark 0.5
	run -0 bgsh '
		f() { local i; for ((i = 0; i < 2000; i++)); do echo "line $1 $i"; done; sleep "$2"; }
		for mode in --group -k --line-buffer -u; do
			t0=$EPOCHREALTIME
			pool -j2 $mode f ::: 1 2 3 4 ::: "$1" | head -n 1 > /dev/null
			echo "$mode: ${PIPESTATUS[0]} $(ms_since "$t0")"
		done' "$REPLY"
	local mode st ms
	while read -r mode st ms; do
		(( st != 0 )) || fail "$mode: pool succeeded writing to a closed pipe"
		(( ms < 8000 )) || fail "$mode: took $ms ms"
	done <<< "$output"
	assert_equal "${#lines[@]}" 4
	no_leftovers "$(pat "$REPLY")"
}

@test "hostile: a pool that writes to a closed pipe stops its remaining jobs early" {
	mark 0.2
	run -0 bgsh '
		g() { sleep "$1"; echo "x $2"; }
		t0=$EPOCHREALTIME
		pool -j2 g "$1" ::: $(seq 1 40) | true
		echo "sigpipe=${PIPESTATUS[0]} ms=$(ms_since "$t0")"
		trap "" PIPE
		t0=$EPOCHREALTIME
		pool -j2 g "$1" ::: $(seq 1 40) 2> err | true
		echo "ignored=${PIPESTATUS[0]} ms=$(ms_since "$t0")"
		cat err' "$REPLY"
	assert_line --regexp '^sigpipe=141 ms=[0-9]+$'
	assert_line --regexp '^ignored=[1-9][0-9]* ms=[0-9]+$'
	assert_line --partial "pool: write error: Broken pipe"
	local ms
	for ms in $(grep -oE 'ms=[0-9]+' <<< "$output"); do
		# 40 jobs of 0.2 s, 2 at a time, would take 4 s.
		(( ${ms#ms=} < 2000 )) || fail "pool ran on: $output"
	done
	no_leftovers "$(pat "$REPLY")"
}

@test "hostile: timeout_run, retry and every writing to a closed pipe end at once" {
	run -0 bgsh '
		f() { local i; for ((i = 0; i < 5000; i++)); do echo "line $i"; done; }
		t0=$EPOCHREALTIME
		timeout_run 5 f | true; echo "timeout_run=${PIPESTATUS[0]} $(ms_since "$t0")"
		t0=$EPOCHREALTIME
		timeout_run 20 yes | head -n 1 > /dev/null; echo "timeout_run-yes=${PIPESTATUS[0]} $(ms_since "$t0")"
		t0=$EPOCHREALTIME
		retry -q -n 3 -d 10ms -t 5 f | true; echo "retry=${PIPESTATUS[0]} $(ms_since "$t0")"
		t0=$EPOCHREALTIME
		every -n 3 0.05 f | head -n 1 > /dev/null; echo "every=${PIPESTATUS[0]} $(ms_since "$t0")"'
	local name ms
	while IFS='= ' read -r name st ms; do
		(( st != 0 )) || fail "$name: status 0 writing to a closed pipe"
		(( ms < 5000 )) || fail "$name: took $ms ms"
	done <<< "$output"
	assert_equal "${#lines[@]}" 4
	no_leftovers '^yes$'
}

@test "hostile: no free descriptor for a timer: waitany -t and waitall -t say so, return 1 and leave signals unblocked" {
	# Every descriptor up to the limit taken: timerfd_create fails.  The
	# builtins used to return with all signals still blocked, so a trap
	# never ran again.
	run -0 --separate-stderr bgsh '
		trap "echo trapped" USR1
		sleep 5 & ulimit -n 20
		for i in {3..19}; do eval "exec $i</dev/null"; done
		waitany -t 1 %1; echo "waitany=$?"
		waitall -t 1 %1; echo "waitall=$?"
		exec 5>&-
		kill -USR1 $$; echo after
		kill %1; wait %1; echo "wait=$?"'
	[[ $stderr == *": waitany: cannot make a timer: Too many open files"* ]]
	[[ $stderr == *": waitall: cannot make a timer: Too many open files"* ]]
	assert_output - <<-EOF
	waitany=1
	waitall=1
	trapped
	after
	wait=143
	EOF
}

# The script owns descriptors 0 to 9 (lib/fds.c): what a builtin keeps
# there is the script's to take, silently.
@test "hostile: a --sem pool's descriptors survive the script's exec 3> ... 9> between calls" {
	run -0 bgsh '
		ls /proc/$$/fd > s0
		pool --sem -j2 sh -c "sleep 0.5; echo slept"
		pool --sem -j2 echo first
		ls /proc/$$/fd > s1
		low() { awk "\$1 <= 9" "$1" | sort -n | tr "\n" " "; }
		[ "$(low s0)" = "$(low s1)" ] && echo "none of ours in 0-9"
		exec 3> fd3 4> fd4 5> fd5 6> fd6 7> fd7 8> fd8 9> fd9
		pool --sem -j2 echo second
		pool --wait; echo "wait=$?"'
	assert_line "none of ours in 0-9"
	assert_line slept
	assert_line first
	assert_line second
	assert_line wait=0
}

@test "hostile: with 0, 1 or 2 closed, pool's own descriptors never take their place" {
	# The job lists its shell's descriptors while pool runs: 0-9 are the
	# same as the shell had before it (a simple ls: a pipeline would
	# make pipes there).
	run -0 bgsh '
		f() {
			local _ pp
			read -r _ _ _ pp _ < /proc/$BASHPID/stat
			ls "/proc/$pp/fd" > "$1"
		}
		low() { awk "\$1 <= 9" "$1" | sort -n | tr "\n" " "; }
		{ ls /proc/$$/fd > a0; pool f ::: "$PWD/a"; } 2>&-
		{ ls /proc/$$/fd > b0; pool -j3 f ::: "$PWD/b"; } <&-
		echo "$(low a0)|$(low a)"
		echo "$(low b0)|$(low b)"'
	# Closed before pool, and still closed under it.
	[[ ${lines[0]%|*} != *" 2 "* && ${lines[1]%|*} != "0 "* ]] ||
	    fail "the descriptor was open before pool: $output"
	assert_equal "${lines[0]#*|}" "${lines[0]%|*}"
	assert_equal "${lines[1]#*|}" "${lines[1]%|*}"
}

@test "hostile: under ulimit -n 10, with no room above 9, waitany -t and waitall -t still work" {
	# Descriptors go above 9 when they can (lib/fds.c), not at any price.
	run -0 bgsh '
		ulimit -n 10
		sleep 0.1 & waitany -t 5; echo "waitany=$?"
		(exit 3) & waitall -t 5 -a st $!; echo "waitall=$? ${st[*]}"'
	assert_output - <<-'EOF'
	waitany=0
	waitall=3 3
	EOF
}

@test "hostile: progress lines to a closed or full stderr end the pool with a write error, never a hang" {
	local o r
	for o in --progress --eta "--progress-every 0.05" "--progress-every 10%"; do
		for r in '2>&-' '2>/dev/full'; do
			# shellcheck disable=SC2086 # the option and its argument
			run -1 bgsh "f() { sleep 0.01; }; pool -j2 $o f ::: \$(seq 20) $r"
		done
	done
	# Nothing to say on a closed stderr: the pool runs whole.
	run -0 bgsh 'pool -j2 --status-array st true ::: $(seq 20) 2>&-; echo "${#st[@]}"'
	assert_output 20
}
