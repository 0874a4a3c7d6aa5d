#!/usr/bin/env bats
# Adversarial use of pool's output and jobs: every way a job can write
# its output, readers that do not read, stragglers that outlive their job,
# limits on descriptors and the environment, long lines, a progress bar.
# Each case broke "nothing lost, nothing left behind" once (issue 10).

load test_helper
bats_require_minimum_version 1.5.0

setup() {
	bg_enable
	cd "$BATS_TEST_TMPDIR"
}

# --- every path to a job's stdout and stderr ------------------------------

@test "adversarial: output reopened through /dev/stdout, /proc/self/fd/1, /dev/fd/1, >> and exec > is kept whole, grouped and -k" {
	run -0 --separate-stderr bgsh '
		f() {
			echo "a-$1"; echo "b-$1" > /dev/stdout; echo "c-$1"
			echo "d-$1" >> /dev/stdout; echo "e-$1" > /proc/self/fd/1
			echo "f-$1" > /dev/fd/1; exec > /dev/stdout; echo "g-$1"
		}
		pool -j1 f ::: 1
		pool -j3 -k f ::: 2 3 4
		pool -j3 f ::: 5 | sort'
	local want i l
	for i in 1 2 3 4 5; do
		for l in a b c d e f g; do want+="$l-$i"$'\n'; done
	done
	assert_output "${want%$'\n'}"
}

@test "adversarial: echo to /dev/stderr in a job reaches the shell's stderr, after its stdout" {
	run -0 bgsh '
		g() { echo "err-$1" > /dev/stderr; echo "out-$1"; echo "err2-$1" > /proc/self/fd/2; }
		pool -j2 -k g ::: 1 2 2>&1'
	assert_output "$(printf '%s\n' out-1 err-1 err2-1 out-2 err-2 err2-2)"
}

@test "adversarial: a job that truncates its own output file descriptor cannot erase what it wrote before" {
	# : > /dev/stdout opens the job's stdout with O_TRUNC.
	run -0 bgsh '
		f() { echo "kept-$1"; : > /dev/stdout; : > /proc/self/fd/2; echo "after-$1"; }
		pool -k --line-buffer f ::: 1 2 2>/dev/null
		pool -k f ::: 3'
	assert_output "$(printf '%s\n' kept-1 after-1 kept-2 after-2 kept-3 after-3)"
}

# --- --results in every output mode ---------------------------------------

@test "adversarial: --results keeps every byte of stdout and stderr with --line-buffer, -u and grouped" {
	run -0 bgsh '
		f() { echo "out $1"; echo "err $1" >&2; printf "no newline %s" "$1"; }
		for m in --line-buffer -u --group -k; do
			pool $m --results "r$m" f ::: a b > /dev/null 2>&1
			echo "$m $? $(cat "r$m/1/stdout" | tr "\n" "|") $(cat "r$m/2/stderr")"
		done'
	assert_line -- "--line-buffer 0 out a|no newline a err b"
	assert_line -- "-u 0 out a|no newline a err b"
	assert_line -- "--group 0 out a|no newline a err b"
	assert_line -- "-k 0 out a|no newline a err b"
}

@test "adversarial: --results DIR removed mid-run: each loss is reported and the pool fails" {
	run bgsh '
		f() { [ "$1" = 2 ] && rm -rf res; echo "out $1"; }
		pool -j1 --results res f ::: 1 2 3 4 > /dev/null; echo "st=$?"'
	assert_line "st=1"
	assert_output --partial "res/3: No such file or directory"
	assert_output --partial "res/4: No such file or directory"
}

# --- a reader that does not read ------------------------------------------

@test "adversarial: with a full output pipe, --timeout is still enforced" {
	mark 30.1; local m=$REPLY
	run -0 bgsh '
		f() { if [ "$1" = big ]; then head -c 5000000 /dev/zero; else sleep "$2"; fi; }
		t0=$EPOCHREALTIME
		exec 3>&1
		{ pool -j2 --timeout 1 --status-array st f ::: big slow ::: "$1"; echo "st=$? ${st[*]} ms=$(ms_since "$t0")" >&3; } |
		    { sleep 3; echo "at 3s: $(pgrep -cf "sleep $1\$")" >&3; wc -c; }' "$m"
	assert_line "at 3s: 0"
	assert_line "5000000"
	assert_line --regexp '^st=1 0 143 ms=[0-9]+$'
	local ms=${lines[1]##*ms=}
	(( ms < 10000 )) || fail "took ${ms}ms"
	no_leftovers "$(pat "$m")"
}

@test "adversarial: TERM to a script whose pool's output pipe is full ends it within a second, nothing left" {
	mark 30.2; local m=$REPLY
	cat > victim.sh <<-'EOF'
		enable -f "$BGTOOLS_SO" pool
		f() { if [ "$1" = big ]; then head -c 5000000 /dev/zero; else sleep "$2"; fi; }
		pool -j2 f ::: big slow ::: "$1"
		echo "went on" >&2
	EOF
	mark 10.1; local r=$REPLY
	env --default-signal bash victim.sh "$m" 2> err | sleep "$r" &
	local pid
	for ((i = 0; i < 100; i++)); do
		pid=$(pgrep -o -f "bash victim.sh $m") && break
		sleep 0.05
	done
	[ -n "$pid" ] || fail "no victim"
	sleep 1
	local t0=$(now_ms)
	kill -TERM "$pid"
	while alive "$pid" && (( $(elapsed_since "$t0") < 5000 )); do sleep 0.05; done
	local ms=$(elapsed_since "$t0")
	alive "$pid" && fail "still running ${ms}ms after TERM"
	(( ms < 1500 )) || fail "took ${ms}ms"
	run cat err
	refute_output --partial "went on"
	no_leftovers "$(pat "$m")"
	pkill -f "$(pat "$r")" || true
}

@test "adversarial: Ctrl-C style INT to a script with a full output pipe ends it, in every output mode" {
	mark 30.3; local m=$REPLY mode
	mark 10.2; local r=$REPLY
	for mode in --group -k --line-buffer; do
		cat > victim.sh <<-'EOF'
			enable -f "$BGTOOLS_SO" pool
			f() { if [ "$1" = big ]; then head -c 5000000 /dev/zero; else sleep "$2"; fi; }
			pool -j2 $3 --tag f ::: big slow ::: "$1"
		EOF
		env --default-signal bash victim.sh "$m" x "$mode" | sleep "$r" &
		local pid= i
		for ((i = 0; i < 100; i++)); do
			pid=$(pgrep -o -f "bash victim.sh $m") && break
			sleep 0.05
		done
		sleep 0.8
		kill -INT "$pid"
		for ((i = 0; i < 30; i++)); do alive "$pid" || break; sleep 0.05; done
		alive "$pid" && fail "$mode: still running 1.5s after INT"
		no_leftovers "$(pat "$m")"
		pkill -f "$(pat "$r")" || true
	done
}

# --- what a job leaves behind ---------------------------------------------

@test "adversarial: a background child's late output is never charged to another job" {
	run -0 bgsh '
		f() { if [ "$1" = 1 ]; then (sleep 0.3; echo LATE-from-job1) & echo job1; else sleep 1; echo job2; fi; }
		pool -j1 --tag f ::: 1 2 2> err; cat err
		pool -j1 --line-buffer --tag f ::: 1 2
		pool -j1 -k f ::: 1 2'
	refute_output --partial "LATE"
	assert_output "$(printf '1\tjob1\n2\tjob2\n1\tjob1\n2\tjob2\njob1\njob2')"
}

@test "adversarial: what a job leaves running when it ends is stopped, in every output mode" {
	mark 30.4; local m=$REPLY
	run -0 bgsh '
		h() { sleep "$2" & echo "started $1"; }
		for mode in --group -k --line-buffer -u; do
			pool $mode h ::: 1 ::: "$1"
		done
		sleep 0.5
		echo "left: $(pgrep -cf "sleep $1\$")"' "$m"
	assert_line "left: 0"
	assert_equal "$(grep -c started <<< "$output")" 4
	no_leftovers "$(pat "$m")"
}

@test "adversarial: a TERM-ignoring leftover is killed and the pool still ends" {
	mark 30.5; local m=$REPLY
	run -0 bgsh '
		h() { (trap "" TERM; sleep "$1") & echo started; }
		t0=$EPOCHREALTIME
		pool h ::: "$1"; echo "st=$? ms=$(ms_since "$t0")"' "$m"
	assert_line "started"
	assert_line --regexp '^st=0 ms=[0-9]+$'
	local ms=${lines[1]##*ms=}
	(( ms < 3000 )) || fail "took ${ms}ms"
	no_leftovers "$(pat "$m")"
}

# --- limits: descriptors, the environment ---------------------------------

@test "adversarial: under ulimit -n 64 a -k pool of 100 items runs them all, in order, with at most one warning" {
	# The first item outlasts the others: they all wait for it, held.
	run -0 --separate-stderr bgsh '
		f() { [ "$1" = 1 ] && pause 1; echo "item $1"; }
		ulimit -n 64
		pool -j4 -k --status-array st f ::: $(seq 100); echo "st=$? n=${#st[@]}"'
	assert_equal "${#lines[@]}" 101
	assert_line -n 0 "item 1"
	assert_line -n 99 "item 100"
	assert_line -n 100 "st=0 n=100"
	(( $(grep -c warning <<< "$stderr") <= 1 )) || fail "$stderr"
	refute_output --partial TMPDIR
}

@test "adversarial: under a tight ulimit -n pool runs fewer jobs, says why, and never blames \$TMPDIR" {
	run -0 --separate-stderr bgsh '
		f() { pause 0.05; echo "item $1"; }
		ulimit -n 20
		pool -j8 --status-array st f ::: $(seq 20) > out; echo "st=$? n=${#st[@]}"
		sort -n -k2 out | tail -n 1'
	assert_line "item 20"
	assert_line "st=0 n=20"
	[[ $stderr != *TMPDIR* ]] || fail "$stderr"
	[[ -z $stderr || $stderr == *"open files"* ]] || fail "$stderr"
}

@test "adversarial: an item over 128 KiB does not break the job's programs; a function still sees POOL_ITEM" {
	run -0 --separate-stderr bgsh '
		f() { printf "%s " "${#POOL_ITEM}"; wc -w <<< "$*"; }
		seq 100000 | pool -n 30000 -k f
		g() { /bin/echo "ran $#"; }
		seq 100000 | pool -n 30000 -k g'
	# 1..30000 joined by spaces is 168,893 bytes; 30001..60000 179,999.
	assert_output "$(printf '%s\n' '168893 30000' '179999 30000' '179999 30000' '60000 10000' 'ran 30000' 'ran 30000' 'ran 30000' 'ran 10000')"
	assert_equal "$stderr" ""
}

# --- long lines with --line-buffer ----------------------------------------

@test "adversarial: --line-buffer never glues another job's bytes into a line over 64 KiB" {
	run -0 bgsh '
		long() { head -c 100000 /dev/zero | tr "\0" a; pause 0.4; echo END; }
		short() { local i; for i in 1 2 3; do pause 0.1; echo "short-$i"; done; }
		pool -j2 --line-buffer eval ::: long short'
	local line
	for line in "${lines[@]}"; do
		case $line in
		short-[123]) ;;
		*) [[ ${#line} = 100003 && ${line//a/} = END ]] ||
		    fail "a line mixed up: ${line:0:40}...${line: -40} (${#line})" ;;
		esac
	done
	assert_equal "${#lines[@]}" 4
}

# --- the shell's own wait and subshells -----------------------------------

@test "adversarial: pool --wait in \$( ) or ( ) says the pool is the parent's and returns at once" {
	mark 3.1; local m=$REPLY
	run -0 bgsh '
		pool --sem sleep "$1"
		t0=$EPOCHREALTIME
		out=$(pool --wait 2>&1); echo "cs=$? [$out]"
		( pool --wait ); echo "sub=$?"
		echo "ms=$(ms_since "$t0")"
		kill %1; pool --wait; echo "wait=$?"' "$m"
	assert_line --regexp '^cs=1 \[.*pool: --wait: the pool belongs to the parent shell\]$'
	assert_line "sub=1"
	assert_line "wait=1"
	local ms=${lines[2]#ms=}
	(( ms < 2000 )) || fail "took ${ms}ms"
}

@test "adversarial: a subshell may run a --sem pool of its own beside its parent's" {
	run -0 bgsh '
		f() { pause 0.2; return "$1"; }
		pool --sem --status-array st f 1
		( pool --sem --status-array sub f 2; pool --sem --status-array sub f 3; pool --wait; echo "sub=$? ${sub[*]}" )
		pool --wait; echo "parent=$? ${st[*]}"'
	assert_line "sub=2 2 3"
	assert_line "parent=1 1"
}

# pool --sem hands its pump to a thread as it returns; a fork right then
# (the subshell) once copied a lock held by the thread's start-up (ASan's
# allocator) into the child, which hung for good.
@test "adversarial: 40 subshells forked the moment pool --sem returns each run a pool of their own" {
	run -0 bgsh '
		f() { return "$1"; }
		for ((i = 1; i <= 40; i++)); do
			pool --sem --status-array st f 1
			( pool --sem --status-array sub f 2; pool --wait; echo "sub=$?" ) || exit
			pool --wait
		done > "$1"
		sort "$1" | uniq -c' "$BATS_TEST_TMPDIR/out"
	assert_output --regexp '^ +40 sub=1$'
}

# --- a missing command, conflicting options -------------------------------

@test "adversarial: a missing command is reported once, 127, and nothing starts" {
	run --separate-stderr bgsh '
		pool nosuchcmd ::: $(seq 10000); echo "batch=$?"
		pool --sem nosuchcmd x; echo "sem=$?"
		echo "jobs=[$(jobs)]"'
	assert_line "batch=127"
	assert_line "sem=127"
	assert_line "jobs=[]"
	assert_equal "$(grep -c 'pool: nosuchcmd: command not found' <<< "$stderr")" 2
	assert_equal "$(wc -l <<< "$stderr")" 2
}

@test "adversarial: options that cannot work together are refused with the reason" {
	local c
	for c in "-k -u" "--line-buffer -u" "-u --group"; do
		run -2 bg_bash "pool $c echo ::: a"
		assert_output --regexp "pool: .*(order|output mode)"
	done
	run -2 bg_bash 'pool --wait echo ::: a'
	assert_output --partial "--wait: no command"
	run -2 bg_bash 'pool --sem echo ::: a'
	assert_output --partial "--sem: one command and its arguments, no ::: items"
	run -2 bg_bash 'pool --sem --wait echo'
	assert_output --partial "not both"
}

# --- --tag costs little ---------------------------------------------------

@test "adversarial: --tag writes many lines at once, not a write per line and per tag" {
	command -v strace > /dev/null || skip "no strace"
	run -0 bgsh '
		f() { seq 20000; }
		strace -f -e trace=write -o trace bash -c "enable -f \"\$BGTOOLS_SO\" pool; f() { seq 20000; }; pool --tag f ::: x" > out
		echo "lines=$(wc -l < out) writes=$(grep -c "^[0-9]* *write(1," trace)"'
	assert_line --regexp '^lines=20000 writes=[0-9]+$'
	local w=${output##*writes=}
	(( w < 100 )) || fail "$w writes for 20,000 tagged lines"
}

@test "adversarial: bash's own wait does not lose the statuses of --sem jobs" {
	run -0 bgsh '
		f() { pause 0.2; echo "out $1"; return "$1"; }
		pool --sem --status-array st f 0; pool --sem --status-array st f 3; wait; echo "wait=$?"
		pool --wait; echo "rc=$? st=${st[*]}"
		pool --sem -j1 --status-array s2 f 0; pool --sem --status-array s2 f 4; sleep 0.1 & wait; wait
		pool --wait; echo "rc=$? s2=${s2[*]}"'
	assert_output "$(printf '%s\n' 'out 0' 'out 3' wait=0 'rc=1 st=0 3' 'out 0' 'out 4' 'rc=1 s2=0 4')"
}

@test "adversarial: wait with ids or -n still goes straight to bash while a --sem pool lives" {
	run -0 bgsh '
		f() { pause 2; return "$1"; }
		pool --sem --status-array st f 5
		( exit 7 ) & p=$!
		wait "$p"; echo "id=$?"
		( exit 8 ) &
		wait -n; echo "n=$?"
		pool --wait; echo "rc=$? st=${st[*]}"'
	assert_output "$(printf '%s\n' id=7 n=8 'rc=1 st=5')"
}

@test "adversarial: --line-buffer --tag on an endless writer still honours --timeout" {
	run -0 bgsh '
		t0=$EPOCHREALTIME
		pool --line-buffer --tag --timeout 1 yes ::: x > /dev/null; echo "st=$? ms=$(ms_since "$t0")"
		t0=$EPOCHREALTIME
		pool --tag --timeout 1 yes ::: x | head -c 1000000 | wc -c; echo "ms=$(ms_since "$t0")"'
	assert_line --regexp '^st=1 ms=[0-9]+$'
	local ms=${lines[0]##*ms=}
	(( ms < 3000 )) || fail "took ${ms}ms to stop yes after 1s"
	assert_line "1000000"
}

@test "adversarial: a chatty --sem job does not stall while the shell does other things" {
	run -0 bgsh '
		f() { head -c 3000000 /dev/zero; : > "$1"; }
		pool --sem f done1 > out
		for ((i = 0; i < 200; i++)); do [ -e done1 ] && break; pause 0.02; done
		echo "finished before --wait: $([ -e done1 ] && echo yes || echo no)"
		pool --wait; echo "wait=$? bytes=$(wc -c < out)"'
	assert_output "$(printf '%s\n' 'finished before --wait: yes' 'wait=0 bytes=3000000')"
}
