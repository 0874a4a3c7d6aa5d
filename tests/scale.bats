#!/usr/bin/env bats
# Scale: a thousand simultaneous jobs, every status reported exactly once.
#
# Each script records what it started ("PID STATUS" per job) and what the
# builtin reported, and the test compares the two sorted lists.  Each test
# takes a few seconds on 2 cores; the hard limit in bgsh is 60 s.  Jobs
# that must not outlive a test sleep for a duration that mark hands out
# (94.<digits>, unique to the test and to this run of the suite):
# no_leftovers "$(pat "$m")" finds them, teardown kills them if the test
# fails, and a run that overlaps ours on the same machine neither sees nor
# kills them.

load test_helper
bats_require_minimum_version 1.5.0

# Compare the lists the script left in $BATS_TEST_TMPDIR: started and got.
same_lists() {
	local dir=$BATS_TEST_TMPDIR
	sort "$dir/started" > "$dir/started.sorted"
	sort "$dir/got" > "$dir/got.sorted"
	run -0 wc -l < "$dir/started.sorted"
	assert_output "$1"
	run -0 diff "$dir/started.sorted" "$dir/got.sorted"
	assert_output ""
}

# DRAIN: the waitany loop shared by the tests below; $1 is run before each
# call, its output discarded (":" or "jobs").  The -t 10 turns a stall into
# a short count instead of a hang.
DRAIN='
	n=0
	while :; do
		$1 > /dev/null
		st=0
		waitany -t 10 -p p || st=$?
		[[ -v p ]] || break
		echo "$p $st" >&3
		n=$((n + 1))
	done
	echo "reported=$n last=$st"
	jobs | wc -l'
export DRAIN

@test "scale: 1,000 simultaneous jobs drained with waitany report every status exactly once" {
	run -0 bgsh '
		exec 3> "$2/got"
		for ((i = 1; i <= 1000; i++)); do
			(exit $((i % 256))) &
			echo "$! $((i % 256))"
		done > "$2/started"
		eval "$DRAIN"' : "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	reported=1000 last=127
	0
	EOF
	same_lists 1000
}

@test "scale: 1,000 jobs drained with waitany while jobs runs between the calls" {
	run -0 bgsh '
		exec 3> "$2/got"
		for ((i = 1; i <= 1000; i++)); do
			(sleep 0.$((i % 4)); exit $((i % 256))) &
			echo "$! $((i % 256))"
		done > "$2/started"
		eval "$DRAIN"' "jobs" "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	reported=1000 last=127
	0
	EOF
	same_lists 1000
}

@test "scale: 1,000 jobs still running when the waitany loop starts are each reported once" {
	run -0 bgsh '
		exec 3> "$2/got"
		for ((i = 1; i <= 1000; i++)); do
			(sleep 1; exit $((i % 256))) &
			echo "$! $((i % 256))"
		done > "$2/started"
		eval "$DRAIN"' : "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	reported=1000 last=127
	0
	EOF
	same_lists 1000
}

@test "scale: 1,000 jobs with job control on drained with waitany" {
	run -0 --separate-stderr bgsh '
		set -m
		exec 3> "$2/got"
		for ((i = 1; i <= 1000; i++)); do
			(exit $((i % 256))) &
			echo "$! $((i % 256))"
		done > "$2/started"
		eval "$DRAIN"' : "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	reported=1000 last=127
	0
	EOF
	same_lists 1000
}

@test "scale: with job control on, jobs that end while bash prints their notices are not stalled" {
	# Five rounds of 1,000 jobs, each round on lines of its own: bash
	# (set -m, not interactive) prints the "Done" notices between lines,
	# and a child that ends meanwhile must still be collected.  A stall
	# shows as 124 from waitall -t.
	round='
		for ((i = 1; i <= 1000; i++)); do (exit 1) & done
		st=0; waitall -t 8 -a a || st=$?; echo "st=$st n=${#a[@]}"
'
	run -0 --separate-stderr bgsh "set -m
$round$round$round$round$round"
	assert_output - <<-EOF
	st=1 n=1000
	st=1 n=1000
	st=1 n=1000
	st=1 n=1000
	st=1 n=1000
	EOF
}

@test "scale: waitall -a collects the statuses of 1,000 jobs in the order given" {
	run -0 bgsh '
		pids=()
		for ((i = 1; i <= 1000; i++)); do
			(exit $((i % 256))) &
			pids+=($!)
			echo "$! $((i % 256))"
		done > "$2/started"
		rc=0
		waitall -a st "${pids[@]}" || rc=$?
		for i in "${!pids[@]}"; do echo "${pids[i]} ${st[i]}"; done > "$2/got"
		echo "rc=$(( rc > 0 )) n=${#st[@]}"
		jobs | wc -l' : "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	rc=1 n=1000
	0
	EOF
	same_lists 1000
}

@test "scale: waitall with no id collects 1,000 jobs, including those already ended" {
	run -0 bgsh '
		for ((i = 1; i <= 1000; i++)); do
			(sleep 0.$((i % 3)); exit $((i % 256))) &
			echo "$((i % 256))"
		done > "$2/started"
		rc=0
		waitall -a st || rc=$?
		printf "%s\n" "${st[@]}" > "$2/got"
		echo "n=${#st[@]}"
		waitany -p p; echo "after=$? p=${p-unset}"' : "$BATS_TEST_TMPDIR"
	assert_output - <<-EOF
	n=1000
	after=127 p=unset
	EOF
	same_lists 1000
}

@test "scale: killjobs stops 300 running jobs quickly and leaves none" {
	mark 94.; m=$REPLY
	run -0 bgsh '
		for ((i = 1; i <= 300; i++)); do sleep "$1" & done
		t0=$EPOCHREALTIME
		killjobs; st=$?
		echo "st=$st fast=$(( $(ms_since $t0) < 10000 ))"
		jobs | wc -l' "$m"
	assert_output - <<-EOF
	st=0 fast=1
	0
	EOF
	no_leftovers "$(pat "$m")"
}
