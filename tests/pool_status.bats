#!/usr/bin/env bats
# pool --status: what a --sem pool is doing, as a line, JSON or an array
# (issue 15).

load test_helper
bats_require_minimum_version 1.5.0

@test "pool --status: running, done, failed and submitted, as a line, JSON and an associative array" {
	run -0 bgsh '
		f() { [ "$1" = slow ] && { read -t 30 -u 9 || :; }; return "$2"; }
		pool --sem -j3 f quick 0
		pool --sem f quick 3
		pool --sem f slow 0
		for ((i = 0; i < 200; i++)); do
			declare -A S; pool --status -A S
			(( S[done] == 2 )) && break
			pause 0.02
		done
		echo "running=${S[running]} done=${S[done]} succeeded=${S[succeeded]} failed=${S[failed]} submitted=${S[submitted]} queued=${S[queued]} slots=${S[slots]} id=[${S[id]}]"
		pool --status | sed "s/, [0-9.]*s\$/, Ts/"
		pool --status --json | sed "s/\"elapsed\":[0-9.]*/\"elapsed\":T/"
		pkill -f "^read" 2>/dev/null
		kill $(jobs -p) 2>/dev/null
		pool --wait; echo "wait=$?"'
	assert_line -n 0 "running=1 done=2 succeeded=1 failed=1 submitted=3 queued=0 slots=3 id=[]"
	assert_line -n 1 "pool: 1 running, 0 queued for retry, 2 done, 1 failed, 3 submitted, Ts"
	assert_line -n 2 '{"id":"","running":1,"queued":0,"submitted":3,"done":2,"succeeded":1,"failed":1,"elapsed":T,"slots":3}'
	assert_line -n 3 "wait=2"
}

@test "pool --status: prints the output of the jobs that ended first, and pool --wait still has every status" {
	run -0 bgsh '
		g() { echo "out-$1"; return "$1"; }
		pool --sem -j2 --id w g 0
		pool --sem --id w g 4
		for ((i = 0; i < 200; i++)); do
			declare -A S; pool --status --id w -A S
			(( S[done] == 2 )) && break
			pause 0.02
		done
		pool --status --id w | sed "s/, [0-9.]*s\$//"
		pool --wait --id w; echo "wait=$?"'
	assert_output - <<-'EOF'
	out-0
	out-4
	pool w: 0 running, 0 queued for retry, 2 done, 1 failed, 2 submitted
	wait=1
	EOF
}

@test "pool --status: in \$( ) it shows the parent's pool and changes nothing there" {
	run -0 bgsh '
		f() { return 5; }
		pool --sem f x
		for ((i = 0; i < 200; i++)); do
			declare -A S; pool --status -A S
			(( S[done] == 1 )) && break
			pause 0.02
		done
		s=$(pool --status | cut -d, -f1-3)
		echo "sub: $s"
		pool --wait; echo "wait=$?"'
	assert_output - <<-'EOF'
	sub: pool: 0 running, 0 queued for retry, 1 done
	wait=1
	EOF
}

@test "pool --status: a job waiting for a retry counts as queued" {
	run -0 bgsh '
		f() { return 1; }
		pool --sem --retries 2 --retry-delay 30s f x
		for ((i = 0; i < 200; i++)); do
			declare -A S; pool --status -A S
			(( S[queued] == 1 )) && break
			pause 0.02
		done
		echo "queued=${S[queued]} running=${S[running]} done=${S[done]}"'
	assert_output "queued=1 running=0 done=0"
}

@test "pool --status: bad calls are refused with the reason and change nothing" {
	run -0 bgsh '
		pool --status; echo "none=$?"
		pool --status --id nope; echo "nope=$?"
		pool --sem -j2 true
		pool --status true; echo "cmd=$?"
		pool --json; echo "json=$?"
		pool --status --json -A S; echo "both=$?"
		pool --status --sem true; echo "sem=$?"
		pool --wait --status; echo "waitstatus=$?"
		pool --status -A 1bad; echo "name=$?"
		declare -r R=1; pool --status -A R; echo "ro=$?"
		declare -a I=(); pool --status -A I; echo "indexed=$?"
		pool --wait; echo "wait=$?"' 2>&1
	assert_line "none=1"
	assert_line "nope=1"
	assert_line "cmd=2"
	assert_line "json=2"
	assert_line "both=2"
	assert_line "sem=2"
	assert_line "waitstatus=2"
	assert_line --partial "pool: --status reports on a pool: not with --sem or --wait"
	assert_line "name=2"
	assert_line "ro=1"
	assert_line "indexed=1"
	assert_line "wait=0"
	assert_line --partial "pool: --status: no pool: nothing submitted with --sem since the last --wait"
	assert_line --partial "pool: --status: nope: no such pool"
	assert_line --partial "pool: --json and -A report on a pool: only with --status"
	assert_line --partial "pool: R: readonly variable"
	assert_line --partial "pool: I: not an associative array"
}

@test "pool --status: a set -euo pipefail script goes on after it" {
	run -0 bgsh '
		set -euo pipefail
		pool --sem true
		pool --status > /dev/null
		declare -A S; pool --status -A S
		pool --wait
		echo "ok done=${S[done]:-?}"'
	assert_output --regexp '^ok done=[01]$'
}
