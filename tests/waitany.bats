#!/usr/bin/env bats
# waitany: the first of a set of jobs to end, its status reported once.
#
# Every script runs in a child bash (bgsh): bats keeps jobs of its own in
# the test shell, and `jobs' or a bare `wait' there would see them.

load test_helper
bats_require_minimum_version 1.5.0

# --- which jobs, which status -------------------------------------------

@test "waitany: returns the status of the first job to end among the pids given" {
	run -0 bgsh '
		(sleep 2; exit 6) & slow=$!
		(sleep 0.2; exit 5) & fast=$!
		waitany -p p $slow $fast
		echo "st=$? fast=$(( p == fast ))"
		kill $slow'
	assert_output "st=5 fast=1"
}

@test "waitany: a job spec such as %2 names a job" {
	run -0 bgsh '
		sleep 3 &
		(sleep 0.2; exit 6) & two=$!
		sleep 3 &
		waitany -p p %2
		echo "st=$? two=$(( p == two ))"
		waitany -t 50ms %1 %3
		echo "st=$?"
		kill %1 %3'
	assert_output - <<-EOF
	st=6 two=1
	st=124
	EOF
}

@test "waitany: with no id it waits for any background job" {
	run -0 bgsh '
		sleep 2 & slow=$!
		(sleep 0.1; exit 3) & a=$!
		waitany -p p
		echo "st=$? a=$(( p == a ))"
		kill $slow'
	assert_output "st=3 a=1"
}

@test "waitany: returns the job's status: 0, 1, 127 from a job, 128+N for a signal" {
	run -0 bgsh '
		true &
		waitany; echo "true=$?"
		false &
		waitany; echo "false=$?"
		(exit 127) &
		waitany -p p; echo "exit127=$? p=${p:+set}"
		sh -c "kill -TERM \$\$" &
		waitany; echo "term=$?"
		sh -c "kill -KILL \$\$" &
		waitany; echo "kill=$?"
		nosuchcommand-bgtools 2>/dev/null &
		waitany; echo "notfound=$?"'
	assert_output - <<-EOF
	true=0
	false=1
	exit127=127 p=set
	term=143
	kill=137
	notfound=127
	EOF
}

@test "waitany: -p VAR gets the pid of the job reported" {
	run -0 bgsh '
		(exit 4) & a=$!
		waitany -p p
		echo "st=$? p=$(( p == a ))"'
	assert_output "st=4 p=1"
}

@test "waitany: -p VAR is unset on timeout (124)" {
	run -0 bgsh '
		sleep 2 &
		p=old
		waitany -t 20ms -p p
		echo "st=$? p=${p-unset}"
		kill %1'
	assert_output "st=124 p=unset"
}

@test "waitany: -p VAR is unset when nothing is left to wait for (127)" {
	run -0 bgsh '
		(exit 127) & a=$!
		waitany -p p
		echo "st=$? p=$(( p == a ))"
		waitany -p p
		echo "st=$? p=${p-unset}"
		p=old
		waitany -p p
		echo "st=$? p=${p-unset}"'
	assert_output - <<-EOF
	st=127 p=1
	st=127 p=unset
	st=127 p=unset
	EOF
}

@test "waitany: -p VAR assigns a function's local variable, not the global" {
	run -0 bgsh '
		f() {
			local p=keep
			(exit 2) &
			waitany -p p
			echo "in: st=$? p=$(( p == $! ))"
			waitany -t 10ms -p p
			echo "in: st=$? p=${p-unset}"
		}
		p=global
		f
		echo "out: p=$p"'
	assert_output - <<-EOF
	in: st=2 p=1
	in: st=127 p=unset
	out: p=global
	EOF
}

# --- no status is lost, none is reported twice ------------------------------

@test "waitany: a job that ended before the call is still reported" {
	# One compound command: bash -c tidies dead jobs between lines.
	run -0 bgsh '{
		sleep 2 & slow=$!
		(exit 7) & a=$!
		pause 0.3
		waitany -p p
		echo "st=$? a=$(( p == a ))"
		kill $slow
	}'
	assert_output "st=7 a=1"
}

@test "waitany: a job that ended before bash dropped it from the job table is still reported" {
	# A script's bash drops a dead job from its table at the next fork;
	# the status then lives only in bash's list of saved statuses.
	run -0 bgsh '
		(exit 7) & a=$!
		sleep 0.2
		/bin/true
		sleep 0.1 & b=$!
		waitany -p p $a
		echo "st=$? a=$(( p == a ))"'
	assert_output "st=7 a=1"
}

@test "waitany: calling jobs before waitany does not lose statuses" {
	run -0 bgsh '
		(exit 3) & (exit 4) & (exit 5) &
		pause 0.3
		jobs >/dev/null
		got=()
		for i in 1 2 3; do waitany; got+=($?); done
		waitany -p p; last=$?
		echo "$(printf "%s\n" "${got[@]}" | sort | tr "\n" " ")last=$last p=${p-unset}"'
	assert_output "3 4 5 last=127 p=unset"
}

@test "waitany: after jobs, bash's own wait -n loses the statuses that waitany keeps" {
	# Shows why waitany exists (bash 5.2): the same script with wait -n
	# gets 127 for jobs that `jobs' has listed.
	script='
		(exit 3) & (exit 4) &
		pause 0.3
		jobs >/dev/null
		$1; a=$?; $1; b=$?
		echo "$1: $(( a < b ? a : b )) $(( a < b ? b : a ))"'
	run -0 bgsh "$script" "wait -n"
	assert_output "wait -n: 127 127"
	run -0 bgsh "$script" waitany
	assert_output "waitany: 3 4"
}

@test "waitany: each job is reported exactly once" {
	run -0 bgsh '
		started=()
		for i in 1 2 3 4 5 6; do (sleep 0.0$i; exit $i) & started+=("$! $i"); done
		(exit 9) & started+=("$! 9")
		got=()
		while :; do
			st=0; waitany -p p || st=$?
			[[ -v p ]] || break
			got+=("$p $st")
		done
		echo "last=$st"
		printf "%s\n" "${started[@]}" | sort > "$1/started"
		printf "%s\n" "${got[@]}" | sort > "$1/got"
		diff "$1/started" "$1/got" && echo same' "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	last=127
	same
	EOF
}

@test "waitany: a job already reported is not reported again when named" {
	run -0 bgsh '
		(exit 4) & a=$!
		waitany $a; echo "first=$?"
		waitany -p p $a; echo "again=$? p=${p-unset}"
		waitany -p p $a $a; echo "twice=$? p=${p-unset}"'
	assert_output - <<-EOF
	first=4
	again=127 p=unset
	twice=127 p=unset
	EOF
}

@test "waitany: the job reported leaves the job table" {
	# One compound command: bash -c tidies dead jobs between lines.  The
	# job not reported shows that `jobs' would list a dead job.
	run -0 bgsh '{
		(sleep 0.1; exit 5) & five=$!
		(sleep 0.1; exit 4) & four=$!
		pause 0.4
		waitany $four; echo "st=$?"
		jobs
	}'
	assert_line --index 0 "st=4"
	assert_line --partial "Exit 5"
	refute_line --partial "Exit 4"
}

@test "waitany: wait PID still returns the status of a job waitany reported" {
	run -0 bgsh '
		(sleep 0.1; exit 4) & a=$!
		waitany -p p; echo "waitany=$?"
		wait $p; echo "wait=$?"'
	assert_output - <<-EOF
	waitany=4
	wait=4
	EOF
}

# --- time limits ------------------------------------------------------------

@test "waitany: -t gives up after 10ms, 100ms and 1s with 124, within generous bounds" {
	run -0 bgsh '
		sleep 5 &
		for lim in 10ms:10 0.01:10 100ms:100 1s:1000 1:1000; do
			t0=$EPOCHREALTIME
			waitany -t ${lim%:*} -p p; st=$?
			ms=$(ms_since $t0)
			echo "${lim%:*} st=$st p=${p-unset} late=$(( ms > ${lim#*:} + 1500 ))"
		done
		kill %1'
	assert_output - <<-EOF
	10ms st=124 p=unset late=0
	0.01 st=124 p=unset late=0
	100ms st=124 p=unset late=0
	1s st=124 p=unset late=0
	1 st=124 p=unset late=0
	EOF
}

@test "waitany: the long option --timeout works with = and as two words" {
	run -0 bgsh '
		sleep 2 &
		waitany --timeout=20ms; echo "st=$?"
		waitany --timeout 20ms; echo "st=$?"
		waitany -t20ms; echo "st=$?"
		kill %1'
	assert_output - <<-EOF
	st=124
	st=124
	st=124
	EOF
}

@test "waitany: after a timeout the jobs still run and stay waitable" {
	run -0 bgsh '
		(sleep 0.5; exit 3) & a=$!
		waitany -t 50ms; echo "st=$?"
		kill -0 $a && echo running
		jobs
		waitany -p p; echo "st=$? a=$(( p == a ))"'
	assert_line --index 0 "st=124"
	assert_line --index 1 "running"
	assert_line --index 2 --regexp '^\[1\]\+ +Running +\( sleep 0.5; exit 3 \) &$'
	assert_line --index 3 "st=3 a=1"
}

@test "waitany: after a timeout bash's wait PID still gets the status" {
	run -0 bgsh '
		(sleep 0.3; exit 3) & a=$!
		waitany -t 20ms $a; echo "st=$?"
		wait $a; echo "wait=$?"'
	assert_output - <<-EOF
	st=124
	wait=3
	EOF
}

@test "waitany: -t 0 does not wait: 124 at once while the job runs, its status once it has ended" {
	# As `read -t 0': the "is it still running?" check, without kill -0.
	run -0 bgsh '
		(sleep 1; exit 3) & p=$!
		t0=$EPOCHREALTIME
		waitany -t 0 -p got "$p"; st=$?
		echo "running: st=$st got=${got-unset} fast=$(( $(ms_since $t0) < 500 ))"
		waitany -t 0; echo "any: st=$?"
		(exit 4) & q=$!
		pause 0.3
		waitany -t 0 -p got "$q"; echo "ended: st=$? got=$(( got == q ))"
		waitany -t 0 "$q"; echo "again: st=$?"
		wait "$p"; echo "p=$?"'
	assert_output - <<-EOF
	running: st=124 got=unset fast=1
	any: st=124
	ended: st=4 got=1
	again: st=127
	p=3
	EOF
}

@test "waitany: -t 0 sees a job that ended just before, even before bash reaped it" {
	run -0 bgsh '
		for i in {1..20}; do
			true & p=$!
			while [ -d /proc/$p ] && [ "$(cut -d" " -f3 /proc/$p/stat 2>/dev/null)" != Z ]; do :; done
			waitany -t 0 "$p"; echo "st=$?"
		done | sort | uniq -c'
	assert_output --regexp '^ +20 st=0$'
}

@test "waitany: a positive duration below a nanosecond still times out" {
	# coreutils `timeout 1e-10 sleep 3' gives up at once; 1e-10 is not 0.
	run -0 bgsh '
		sleep 3 &
		t0=$EPOCHREALTIME
		waitany -t 1e-10; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 2000 ))"
		kill %1 2>/dev/null || :'
	assert_output "st=124 fast=1"
}

# --- signals ----------------------------------------------------------------

# trapped_signal SIG N: a trapped SIG sent during waitany runs the trap,
# waitany returns 128+N, and the job keeps running.
trapped_signal() {
	run -0 bgsh '
		trap "echo trapped $1" "$1"
		sleep 5 & p=$!
		(sleep 0.3; kill -s "$1" $$) &
		t0=$EPOCHREALTIME
		waitany -p x $p; st=$?
		echo "st=$st x=${x-unset} fast=$(( $(ms_since $t0) < 3000 ))"
		kill -0 $p && echo still running
		kill $p
		waitany $p; echo "then=$?"' "$1"
	assert_output - <<-EOF
	trapped $1
	st=$(( 128 + $2 )) x=unset fast=1
	still running
	then=143
	EOF
}

@test "waitany: a trapped USR1 during the wait runs the trap and returns 138" {
	trapped_signal USR1 10
}

@test "waitany: a trapped INT during the wait runs the trap and returns 130" {
	trapped_signal INT 2
}

@test "waitany: a trapped TERM during the wait runs the trap and returns 143" {
	trapped_signal TERM 15
}

@test "waitany: a CHLD trap does not end the wait" {
	run -0 bgsh '
		trap "echo chld" CHLD
		(sleep 0.4; exit 4) & a=$!
		(sleep 0.1; exit 2) &
		waitany -p p $a
		echo "st=$? a=$(( p == a ))"'
	assert_line "st=4 a=1"
}

# --- living with bash's own job builtins ------------------------------------

@test "waitany: wait, wait -n and jobs still work after waitany" {
	run -0 bgsh '
		(exit 3) & a=$!
		(sleep 0.3; exit 4) & b=$!
		(sleep 0.6; exit 5) & c=$!
		waitany -p p; echo "waitany=$? a=$(( p == a ))"
		jobs | wc -l
		wait -n; echo "wait -n=$?"
		wait $c; echo "wait c=$?"
		wait $a; echo "wait a=$?"
		jobs | wc -l
		sleep 0.2 &
		wait; echo "wait=$?"
		jobs | wc -l'
	assert_output - <<-EOF
	waitany=3 a=1
	2
	wait -n=4
	wait c=5
	wait a=3
	0
	wait=0
	0
	EOF
}

@test "waitany: background functions with arguments holding spaces and globs" {
	cd "$BATS_TEST_TMPDIR"
	touch a1 a2 'a b'
	run -0 bgsh '
		f() { printf "<%s>" "$@" > "out.$BASHPID"; echo >> "out.$BASHPID"; return $#; }
		f "a b" "a*" "?" "" "[a]1" &
		p=$!
		waitany -p q; echo "st=$? p=$(( p == q ))"
		cat out.*'
	assert_output - <<-'EOF'
	st=5 p=1
	<a b><a*><?><><[a]1>
	EOF
}

# --- scripts ---------------------------------------------------------------

@test "waitany: a set -euo pipefail script drains its jobs with || st=\$?" {
	run -0 bgsh '
		set -euo pipefail
		declare -A want=()
		for i in 0 1 2 3 127; do (sleep 0.0$((i % 10)); exit $i) & want[$!]=$i; done
		n=0
		while :; do
			st=0
			waitany -p p || st=$?
			[[ -v p ]] || break
			[[ ${want[$p]} == "$st" ]]
			unset "want[$p]"
			n=$((n + 1))
		done
		echo "n=$n left=${#want[@]} last=$st"'
	assert_output "n=5 left=0 last=127"
}

@test "waitany: while waitany -p p; do ... done ends cleanly under set -e" {
	run -0 bgsh '
		set -euo pipefail
		for i in 1 2 3; do sleep 0.0$i & done
		n=0
		while waitany -p p; do n=$((n + 1)); done
		echo "n=$n p=${p-unset}"'
	assert_output "n=3 p=unset"
}

@test "waitany: with job control on (set -m) every status is reported once" {
	# --separate-stderr: with set -m bash prints "[1] Exit 3" on stderr.
	run -0 --separate-stderr bgsh '
		set -m
		(exit 3) & (sleep 0.2; exit 4) & sleep 0.1 &
		pause 0.05
		jobs > /dev/null
		got=()
		while :; do st=0; waitany -p p || st=$?; [[ -v p ]] || break; got+=($st); done
		echo "$(printf "%s\n" "${got[@]}" | sort | tr "\n" " ")last=$st"
		jobs | wc -l'
	assert_output - <<-EOF
	0 3 4 last=127
	0
	EOF
}

@test "waitany: with job control off (set +m) every status is reported once" {
	run -0 bgsh '
		set +m
		(exit 3) & (sleep 0.2; exit 4) & sleep 0.1 &
		pause 0.05
		jobs > /dev/null
		got=()
		while :; do st=0; waitany -p p || st=$?; [[ -v p ]] || break; got+=($st); done
		echo "$(printf "%s\n" "${got[@]}" | sort | tr "\n" " ")last=$st"
		jobs | wc -l'
	assert_output - <<-EOF
	0 3 4 last=127
	0
	EOF
}

@test "waitany: with job control on a stopped job is not waited for" {
	run -0 --separate-stderr bgsh '
		set -m
		sleep 3 & p=$!
		kill -STOP $p
		pause 0.2
		t0=$EPOCHREALTIME
		waitany -p x; echo "st=$? x=${x-unset} fast=$(( $(ms_since $t0) < 2000 ))"
		waitany -t 2 $p; echo "named=$?"
		kill -KILL $p
		pause 0.2
		waitany $p; echo "then=$?"'
	assert_output - <<-EOF
	st=127 x=unset fast=1
	named=127
	then=137
	EOF
}

@test "waitany: in a subshell the parent's jobs are not waited for" {
	run -0 bgsh '
		sleep 1 &
		( waitany -t 3 -p p; echo "sub: st=$? p=${p-unset}" )
		kill %1'
	assert_output "sub: st=127 p=unset"
}

@test "waitany: in a subshell, its own job that ended before its first call is still reported" {
	# The subshell starts bgtools' state afresh at its first call, but
	# keeps what bash saved of its own children (pids after its own).
	run -0 bgsh '
		sleep 0.5 & parent=$!
		(
			(exit 3) & p=$!
			sleep 0.2	# a foreground job: bash drops the dead one
			waitany -p got "$p"; echo "sub: st=$? got=$(( got == p ))"
			waitany -t 0 "$parent"; echo "parent: st=$?"
		) 2>&1
		wait "$parent"; echo "wait=$?"'
	assert_line -n 0 "sub: st=3 got=1"
	assert_line -n 1 --regexp "waitany: pid [0-9]+ is not a child of this shell$"
	assert_line -n 2 "parent: st=127"
	assert_line -n 3 "wait=0"
}

@test "waitany: in a command substitution the parent's jobs are not waited for" {
	# They are not children of the command substitution: without -t this
	# would never return.
	run -0 bgsh '
		sleep 1 & p=$!
		t0=$EPOCHREALTIME
		out=$(waitany -t 3 -p q; echo "st=$? q=${q-unset}")
		echo "$out fast=$(( $(ms_since $t0) < 2500 ))"
		kill $p 2>/dev/null || :'
	assert_output "st=127 q=unset fast=1"
}

@test "waitany: with ids, a process substitution's saved status is not mixed in" {
	# bash saves a process substitution's status where it saves those of
	# finished jobs, with nothing to tell them apart: an id-less waitany
	# may report it (documented in help waitany); ids never do.
	run -0 bgsh '
		cat <(exit 6) > /dev/null
		(sleep 0.1; exit 3) & a=$!
		waitany -p p "$a"; echo "st=$? a=$(( p == a ))"
		waitany -p p "$a"; echo "st=$? p=${p-unset}"'
	assert_output - <<-EOF
	st=3 a=1
	st=127 p=unset
	EOF
}

# --- bad calls ---------------------------------------------------------------

@test "waitany: an unknown option is a usage error (status 2 and the usage line)" {
	run -2 bgsh 'waitany -x'
	assert_line --partial "waitany: -x: invalid option"
	assert_line --partial "usage: waitany [-t DURATION] [-p VAR] [id ...]"
	run -2 bgsh 'waitany --bogus'
	assert_line --partial "waitany: --bogus: invalid option"
}

@test "waitany: -t and -p without an argument are usage errors" {
	run -2 bgsh 'waitany -t'
	assert_line --partial "waitany: -t: option requires an argument"
	assert_line --partial "usage: waitany"
	run -2 bgsh 'waitany -p'
	assert_line --partial "waitany: -p: option requires an argument"
}

@test "waitany: malformed durations are rejected with status 2" {
	for d in abc -1 '' inf nan 5x 1e 0x10 ' 1' '1 ' infinity; do
		run -2 --separate-stderr bgsh 'sleep 1 & waitany -t "$1"' "$d"
		assert_equal "$output" ""
		[[ $stderr == *"waitany: $d: invalid duration" ]] ||
		    fail "-t '$d': $stderr"
	done
}

@test "waitany: -p with an invalid name is rejected with status 2" {
	run -2 bgsh 'waitany -p 1bad'
	assert_output --partial "waitany: \`1bad': not a valid identifier"
	run -2 bgsh 'waitany -p "a b"'
	assert_output --partial "not a valid identifier"
}

@test "waitany: an id that is not a pid or job spec is rejected with status 2" {
	for id in abc 0 1.5 12x; do
		run -2 bgsh 'waitany "$1"' "$id"
		assert_output --partial "waitany: \`$id': not a pid or valid job spec"
	done
}

@test "waitany: an id that names no child is skipped with wait's message, and the others are waited for" {
	# As `wait 1 $child': bash's message, then the child's status.
	run -0 --separate-stderr bgsh '
		(sleep 0.2; exit 5) & a=$!
		waitany -p got 1 "$a" 99999 %9; echo "st=$? got=$(( got == a ))"
		set -euo pipefail
		(exit 6) & b=$!
		st=0; waitany 1 "$b" || st=$?; echo "st=$st"'
	assert_output - <<-EOF
	st=5 got=1
	st=6
	EOF
	[[ $stderr == *"waitany: pid 1 is not a child of this shell"* ]] || fail "$stderr"
	[[ $stderr == *"waitany: pid 99999 is not a child of this shell"* ]] || fail "$stderr"
	[[ $stderr == *"waitany: %9: no such job"* ]] || fail "$stderr"
}

@test "waitany: -p VAR that cannot be unset returns 1 with wait's message and consumes nothing" {
	# As `wait -n -p RO': "RO: cannot unset: readonly variable", 1.
	run -0 --separate-stderr bgsh '
		readonly RO=x
		(exit 3) & p=$!
		pause 0.2
		waitany -p RO "$p"; echo "ro=$? RO=$RO"
		f() { local -r L=1; waitany -p L; echo "local=$?"; }; f
		waitany -p BASH_VERSINFO; echo "special=$?"
		waitany -p got; echo "st=$? got=$(( got == p ))"'
	assert_output - <<-EOF
	ro=1 RO=x
	local=1
	special=1
	st=3 got=1
	EOF
	[[ $stderr == *"waitany: RO: cannot unset: readonly variable"* ]] || fail "$stderr"
}

@test "waitany: a pid or job that is not this shell's gives 127 and a message" {
	run -127 bgsh 'waitany 99999'
	assert_output --partial "waitany: pid 99999 is not a child of this shell"
	run -127 bgsh 'sleep 0.2 & waitany %9'
	assert_output --partial "waitany: %9: no such job"
	run -127 bgsh 'waitany 1'
	assert_output --partial "pid 1 is not a child of this shell"
}

@test "waitany: a bad call waits for and consumes nothing" {
	run -0 bgsh '
		(exit 7) & a=$!
		pause 0.2
		bad=("-x" "-t abc" "-t" "-p 1bad" "abc $a" "$a abc" "99999" "%9")
		for i in "${!bad[@]}"; do
			t0=$EPOCHREALTIME
			waitany ${bad[i]} 2>/dev/null; st=$?
			echo "$i: $st fast=$(( $(ms_since $t0) < 1000 ))"
		done
		waitany -p p; echo "st=$? a=$(( p == a ))"'
	assert_output - <<-EOF
	0: 2 fast=1
	1: 2 fast=1
	2: 2 fast=1
	3: 2 fast=1
	4: 2 fast=1
	5: 2 fast=1
	6: 127 fast=1
	7: 127 fast=1
	st=7 a=1
	EOF
}
