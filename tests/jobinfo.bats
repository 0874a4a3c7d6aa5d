#!/usr/bin/env bats
# jobinfo: the fields of each job (pids, group, state, age, CPU and memory
# of the whole tree), its output forms, bad input, and its cost at scale.

load test_helper
bats_require_minimum_version 1.5.0

# field LINE N: the Nth space-separated field of a plain jobinfo line.
field() {
	local -a f
	read -ra f <<< "$1"
	echo "${f[$2 - 1]}"
}

@test "jobinfo: a function job's tree is counted whole: 3 processes, RSS, its pid and command" {
	mark 7.51; m=$REPLY
	run -0 bg_bash '
		f() { sleep "$1" & sleep "$1"; }
		f "$1" &
		p=$!
		for ((i = 0; i < 500; i++)); do (( $(pgrep -cf "^sleep $1\$") >= 2 )) && break; sleep 0.01; done
		jobinfo; echo "st=$? p=$p"
		kill %1; pkill -f "^sleep $1\$"' "$m"
	line=${lines[0]}
	p=${lines[1]##*p=}
	assert_line -n 1 "st=0 p=$p"
	[ "$(field "$line" 1)" = 1 ] || fail "job: $line"
	[ "$(field "$line" 2)" = "$p" ] || fail "pids: $line"
	[ "$(field "$line" 4)" = running ] || fail "state: $line"
	[ "$(field "$line" 5)" = - ] || fail "status: $line"
	[ "$(field "$line" 11)" = 3 ] || fail "nproc: $line"
	(( $(field "$line" 10) > 100 )) || fail "rss: $line"
	[[ $line == *' f "$1"' ]] || fail "command, as jobs shows it: $line"
	no_leftovers "$(pat "$m")"
}

@test "jobinfo: CPU time of a busy job is counted, user and system; elapsed and start are plausible" {
	run -0 bg_bash '
		busy() { local i=0; while ((i < 400000)); do ((i++)); done; sleep 5; }
		busy &
		sleep 1.5
		t=$EPOCHSECONDS
		jobinfo -A J %1
		echo "user=${J[1,user]} elapsed=${J[1,elapsed]} start=${J[1,start]%.*} t=$t"
		kill %1'
	[[ $output =~ user=([0-9.]+)\ elapsed=([0-9.]+)\ start=([0-9]+)\ t=([0-9]+) ]] ||
	    fail "$output"
	awk -v u="${BASH_REMATCH[1]}" 'BEGIN { exit !(u >= 0.1) }' || fail "user time: $output"
	awk -v e="${BASH_REMATCH[2]}" 'BEGIN { exit !(e >= 1.2 && e < 30) }' || fail "elapsed: $output"
	(( ${BASH_REMATCH[4]} - ${BASH_REMATCH[3]} >= 1 && ${BASH_REMATCH[4]} - ${BASH_REMATCH[3]} < 30 )) ||
	    fail "start: $output"
}

@test "jobinfo: a grandchild in a session of its own still counts for its job" {
	mark 7.52; m=$REPLY
	run -0 bg_bash '
		f() { setsid sleep "$1" & sleep "$1"; }
		f "$1" &
		for ((i = 0; i < 500; i++)); do (( $(pgrep -cf "^sleep $1\$") >= 2 )) && break; sleep 0.01; done
		jobinfo -A J; echo "nproc=${J[1,nproc]}"
		pkill -f "^sleep $1\$"; kill %1 2>/dev/null; wait' "$m"
	assert_line "nproc=3"
	no_leftovers "$(pat "$m")"
}

@test "jobinfo: states: stopped (set -m, STOP), done with its status, killed by a signal" {
	mark 7.53; m=$REPLY
	run -0 bg_bash '
		set -m
		sleep "$1" &
		kill -STOP %1
		(exit 3) & p2=$!
		sleep "$1" & p3=$!
		kill -KILL $p3
		sleep 0.3
		# bash 5.1 and 5.2 have dropped the finished jobs from the
		# table (they announced them; named pPID), 5.3 may still hold
		# them (named by job number): J[jobs] says which.
		jobinfo -A J2 $p2; k2=${J2[jobs]}
		jobinfo -A J3 $p3; k3=${J3[jobs]}
		jobinfo -A J %1
		echo "1=${J[1,state]} 2=${J2[$k2,state]}:${J2[$k2,status]} 3=${J3[$k3,state]}:${J3[$k3,status]}"
		echo "pgid1=${J[1,pgid]} pid1=${J[1,pids]}"
		kill -KILL %1' "$m"
	assert_line "1=stopped 2=done:3 3=done:137"
	[[ $output =~ pgid1=([0-9]+)\ pid1=([0-9]+) ]] || fail "$output"
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
	    fail "under set -m the job leads its own group: $output"
	no_leftovers "$(pat "$m")"
}

@test "jobinfo: -A fills an associative array, jobs lists the job numbers; a local -A stays local" {
	run -0 bg_bash '
		sleep 5 & sleep 5 &
		g() { local -A L; jobinfo -A L; echo "local=${L[jobs]}"; }
		g
		declare -p L 2>/dev/null || echo "no global L"
		jobinfo -A G; echo "global=${G[jobs]} cmd=${G[2,command]}"
		kill %1 %2'
	assert_line "local=1 2"
	assert_line "no global L"
	assert_line "global=1 2 cmd=sleep 5"
}

@test "jobinfo: -j prints one valid JSON object per job with the documented fields" {
	command -v python3 > /dev/null || skip "no python3"
	run -0 bg_bash '
		sleep 5 &
		f() { echo "a \"quoted\" \\ arg"; sleep 5; }
		f x &
		jobinfo -j > "$1/out.json"
		kill %1 %2' "$BATS_TEST_TMPDIR"
	run -0 python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
for r in rows:
    assert set(r) == {"job","pids","pgid","state","status","start","elapsed","user","sys","rss","nproc","command"}, r
    assert r["state"] == "running" and r["status"] is None and isinstance(r["pids"], list)
print(rows[0]["command"], "|", rows[1]["command"])' "$BATS_TEST_TMPDIR/out.json"
	assert_output "sleep 5 | f x"
}

@test "jobinfo: with no jobs prints nothing and returns 0; a finished job named by pid is shown done" {
	run -0 bg_bash '
		jobinfo; echo "empty=$?"
		(exit 4) & p=$!
		sleep 0.2; : ; : 
		jobinfo -A J "$p"; k=${J[jobs]}; echo "st=$? state=${J[$k,state]} status=${J[$k,status]} pid=${J[$k,pids]}"
		echo "p=$p"'
	assert_line -n 0 "empty=0"
	p=${lines[2]#p=}
	assert_line -n 1 "st=0 state=done status=4 pid=$p"
}

@test "jobinfo: it consumes nothing: wait still gets the status afterwards" {
	run -0 bg_bash '
		(sleep 0.2; exit 5) & p=$!
		jobinfo > /dev/null
		sleep 0.4
		jobinfo > /dev/null
		wait "$p"; echo "wait=$?"'
	assert_output "wait=5"
}

@test "jobinfo: pool's running jobs are listed" {
	mark 7.54; m=$REPLY
	run -0 bg_bash '
		pool --sem -j 2 sleep "$1"
		pool --sem -j 2 sleep "$1"
		jobinfo > "$2/out"; grep -c "sleep $1" "$2/out"
		pkill -f "^sleep $1\$"; pool --wait > /dev/null 2>&1; :' "$m" "$BATS_TEST_TMPDIR"
	assert_output "2"
	no_leftovers "$(pat "$m")"
}

@test "jobinfo: bad input: unknown job 127, malformed id 2, bad -A name 2, -A with -j 2, readonly array 1" {
	run -0 bg_bash '
		jobinfo %9; echo "unknown=$?"
		jobinfo abc; echo "malformed=$?"
		jobinfo -A 1x; echo "name=$?"
		jobinfo -A X -j; echo "both=$?"
		jobinfo -Q; echo "opt=$?"
		jobinfo -A; echo "noarg=$?"
		declare -rA R=([a]=1); jobinfo -A R; echo "ro=$?"
		declare -a I; jobinfo -A I; echo "indexed=$?"' 2>&1
	assert_line "unknown=127"
	assert_line "malformed=2"
	assert_line "name=2"
	assert_line "both=2"
	assert_line "opt=2"
	assert_line "noarg=2"
	assert_line "ro=1"
	assert_line "indexed=1"
	assert_output --partial "jobinfo: %9: no such job"
	assert_output --partial "jobinfo: \`abc': not a pid or valid job spec"
	assert_output --partial "jobinfo: \`1x': not a valid identifier"
	assert_output --partial "jobinfo: -A and -j cannot be used together"
	assert_output --partial "jobinfo: -Q: invalid option"
	assert_output --partial "jobinfo: -A: option requires an argument"
	assert_output --partial "jobinfo: R: readonly variable"
	assert_output --partial "jobinfo: I: not an associative array"
}

@test "jobinfo: set -euo pipefail scripts can call it and catch its failure" {
	run -0 bg_bash '
		set -euo pipefail
		sleep 5 &
		jobinfo > "$1/out"; wc -l < "$1/out"
		jobinfo | wc -l
		st=0; jobinfo %7 2>/dev/null || st=$?
		echo "st=$st"
		kill %1' "$BATS_TEST_TMPDIR"
	assert_line -n 0 "1"
	# A pipeline element is a subshell without the shell's jobs.
	assert_line -n 1 "0"
	assert_line -n 2 "st=127"
}

@test "jobinfo: on a terminal the jobs are an aligned table under a header" {
	require_tmux
	start_shell
	mark 31.8; m=$REPLY
	run_line "sleep $m & sleep $m & f() { sleep $m; }; f &"
	run_line 'jobinfo'
	wait_for '^JOB +PIDS +PGID +STATE +STATUS +STARTED +ELAPSED +USER +SYS +RSS_KB +NPROC +COMMAND$'
	run -0 pane
	# Every row's STATE starts in the header's STATE column.
	col=$(grep -m1 '^JOB ' <<< "$output" | awk '{ print index($0, "STATE") }')
	n=0
	while IFS= read -r l; do
		[[ ${l:col-1:7} == running ]] && n=$((n + 1))
	done < <(grep -E "^[123] " <<< "$output")
	[ "$n" = 3 ] || fail "rows not aligned: $output"
	run_line 'kill %1 %2 %3'
	no_leftovers "$(pat "$m")" || true
}

@test "jobinfo: 1,000 jobs are all listed, each once, in well under a second per call" {
	mark 30.; m=$REPLY
	run -0 bg_bash '
		for ((i = 0; i < 1000; i++)); do sleep "$1" & done
		t=$EPOCHREALTIME
		jobinfo > "$2/out"
		t1=$EPOCHREALTIME
		echo "ms=$(( (${t1/./} - ${t/./}) / 1000 ))"
		echo "lines=$(wc -l < "$2/out") jobs=$(cut -d" " -f1 "$2/out" | sort -un | wc -l) nproc1=$(awk "\$11 == 1" "$2/out" | wc -l)"
		kill $(jobs -p); wait' "$m" "$BATS_TEST_TMPDIR"
	assert_line "lines=1000 jobs=1000 nproc1=1000"
	ms=${lines[0]#ms=}
	(( ms < 3000 )) || fail "one call took ${ms}ms"
	no_leftovers "$(pat "$m")"
}
