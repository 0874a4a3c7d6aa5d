#!/usr/bin/env bats
# pool through a REAL single-node Slurm that this file starts
# (tests/cluster/slurm.sh: munged, slurmctld and slurmd under a temp dir,
# stopped by pid in teardown_file): jobs as srun steps inside an salloc
# allocation, and --shard auto under sbatch --array.  Where slurmd cannot
# run (not root, packages missing), every test skips and says why.
# `make test-cluster' runs this file (BGTOOLS_CLUSTER=1); in `make test'
# it skips, so that CI starts the daemons once, in its own stage.
#
# srun execs its arguments: pool gives it `bash --norc -c WRAPPER ...' as
# words (see pool/launch.c), no `bash -c' needed at the end of the
# launcher; one that ends so gets the line as before (SRUN_C).  --exclusive makes steps of one allocation take their
# own CPUs (Slurm 22.05: it implies --exact), so two steps run at once on
# the 2-CPU node and a third waits for a CPU.

load test_helper
bats_require_minimum_version 1.5.0

SRUN="srun --exclusive -N1 -n1"
SRUN_C="srun --exclusive -N1 -n1 bash -c"

setup_file() {
	local d=$BATS_FILE_TMPDIR/slurm out st=0
	export SLURM_SKIP= SLURM_DIR=$d
	if [ "${BGTOOLS_CLUSTER:-}" != 1 ]; then
		SLURM_SKIP="a real Slurm: make test-cluster runs these (BGTOOLS_CLUSTER=1)"
		SLURM_DIR=
		return 0
	fi
	mkdir -p "$d"
	out=$("$BATS_TEST_DIRNAME/cluster/slurm.sh" start "$d") || st=$?
	if [ "$st" != 0 ]; then
		SLURM_SKIP=${out#SKIP: }
		[ -n "$SLURM_SKIP" ] || SLURM_SKIP="tests/cluster/slurm.sh failed ($st)"
		echo "# pool_slurm: skipped: $SLURM_SKIP" >&3
		return 0
	fi
	eval "$out"
	export PATH=$PATH:/usr/sbin
}

teardown_file() {
	[ -z "${SLURM_DIR:-}" ] || "$BATS_TEST_DIRNAME/cluster/slurm.sh" stop "$SLURM_DIR"
}

need_slurm() {
	[ -z "$SLURM_SKIP" ] || skip "$SLURM_SKIP"
}

# in_alloc SCRIPT [ARG...]: run SCRIPT (builtins loaded) as the command
# of an `salloc -N1 -n2' allocation, stopped after 120 s.
in_alloc() {
	local script=$1
	shift
	timeout -k 5 120 salloc -Q -N1 -n2 \
	    bash -c "$BG_LOAD$script" in_alloc "$@" 3>&-
}

@test "pool --launcher srun: each job a step; per-job statuses, grouped output in input order" {
	need_slurm
	run -0 --separate-stderr in_alloc '
		pool -k -j2 --status-array st --launcher "$1" \
		    sh -c "echo \"\$1 one \$SLURM_STEP_ID\"; sleep 0.3; echo \"\$1 two\"; exit \$2" _ \
		    ::: a "b c" d :::+ 0 3 0
		echo "rc=$? st=${st[*]}"
	' "$SRUN"
	# Each job ran as its own step: three different step ids.
	[ "$(grep -o ' one [0-9]*$' <<< "$output" | sort -u | wc -l)" = 3 ]
	[ "${lines[0]% *}" = "a one" ]
	[ "${lines[1]}" = "a two" ]
	[ "${lines[2]% *}" = "b c one" ]
	[ "${lines[3]}" = "b c two" ]
	[ "${lines[4]% *}" = "d one" ]
	[ "${lines[5]}" = "d two" ]
	assert_line "rc=1 st=0 3 0"
}

@test "pool --launcher srun: a function job and its --env variable, no trailing bash -c" {
	need_slurm
	run -0 in_alloc '
		helper() { echo "helper $1 step=$SLURM_STEP_ID"; }
		job() { helper "$1"; echo "X=$X"; return 3; }
		X="two words"
		pool -k --status-array st --launcher "$1" --env X job ::: "a b"
		echo "rc=$? st=${st[*]}"
	' "$SRUN"
	assert_line --regexp '^helper a b step=[0-9]+$'
	assert_line "X=two words"
	assert_line "rc=1 st=3"
}

@test "pool --launcher srun: two steps run at once on the 2-CPU allocation" {
	need_slurm
	run -0 in_alloc '
		t0=$EPOCHREALTIME
		pool -j2 --launcher "$1" sleep ::: 2 2 2 2
		echo "rc=$? ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))"
	' "$SRUN"
	assert_line --regexp '^rc=0 ms=[0-9]+$'
	local ms=${lines[-1]#*ms=}
	# One at a time would take 8 s; two at once about 4.
	((ms >= 3900 && ms < 7500))
}

@test "pool --launcher srun --timeout: the step is cancelled, nothing left running" {
	need_slurm
	mark 71.
	local m=$REPLY
	run -0 in_alloc '
		t0=$EPOCHREALTIME
		pool --timeout 2 --status-array st --launcher "$1" \
		    sh -c "touch $2/started; exec sleep $3" ::: 1
		echo "rc=$? st=${st[*]} ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))"
	' "$SRUN" "$BATS_TEST_TMPDIR" "$m"
	[ -e "$BATS_TEST_TMPDIR/started" ]
	# srun's status: its step was killed (by TERM, or slurmstepd's KILL).
	assert_line --regexp '^rc=1 st=(137|143) ms=[0-9]+$'
	local ms=${lines[-1]#*ms=}
	((ms < 30000))
	gone "$(pat "$m")"
}

@test "pool --launcher srun: TERM to the shell stops the running steps" {
	need_slurm
	mark 72.
	local m=$REPLY i pid
	in_alloc '
		echo $$ > "$2/pid"
		pool -j2 --launcher "$1" sh -c "touch $2/started\$1; exec sleep $3" _ ::: 1 2
		echo "rc=$?" > "$2/rc"
	' "$SRUN" "$BATS_TEST_TMPDIR" "$m" &
	for ((i = 0; i < 300; i++)); do
		[ -e "$BATS_TEST_TMPDIR/started1" ] && [ -e "$BATS_TEST_TMPDIR/started2" ] && break
		sleep 0.1
	done
	[ -e "$BATS_TEST_TMPDIR/started2" ]
	# Both steps' sleeps run (under slurmstepd, not under pool).
	[ "$(pgrep -cf -- "$(pat "$m")")" = 2 ]
	kill -TERM "$(cat "$BATS_TEST_TMPDIR/pid")"
	wait $! || true
	# The shell died of its TERM once pool returned: no line after pool.
	[ ! -e "$BATS_TEST_TMPDIR/rc" ]
	gone "$(pat "$m")"
}

@test "pool --launcher srun under set -euo pipefail: a failed step stops the script" {
	need_slurm
	run -1 in_alloc '
		set -euo pipefail
		pool --launcher "$1" sh -c "exit \$1" _ ::: 0 5 0
		echo "not reached"
	' "$SRUN_C"
	refute_output --partial "not reached"
}

@test "pool --shard auto under sbatch --array=0-2: each array task runs its share, together the full set" {
	need_slurm
	local d=$BATS_TEST_TMPDIR i
	cat > "$d/job.sh" <<-EOF
		#!/usr/bin/env bash
		set -euo pipefail
		enable -f "$BGTOOLS_SO" pool
		pool -k --shard auto --joblog "$d/log.\$SLURM_ARRAY_TASK_ID" \\
		    sh -c 'echo "\$1 task \$SLURM_ARRAY_TASK_ID"' _ ::: {1..10}
	EOF
	run -0 timeout -k 5 120 sbatch --wait -Q --array=0-2 -N1 -n1 \
	    -o "$d/out.%a" -e "$d/err.%a" "$d/job.sh"
	for i in 0 1 2; do
		cat "$d/err.$i" >&2
		[ ! -s "$d/err.$i" ]
	done
	# Round robin on the 0-based position: task I has the items I, I+3...
	[ "$(cat "$d/out.0")" = $'1 task 0\n4 task 0\n7 task 0\n10 task 0' ]
	[ "$(cat "$d/out.1")" = $'2 task 1\n5 task 1\n8 task 1' ]
	[ "$(cat "$d/out.2")" = $'3 task 2\n6 task 2\n9 task 2' ]
	[ "$(cat "$d"/out.* | cut -d' ' -f1 | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 " ]
	# The joblogs concatenate: {#} (Seq) stays the global position.
	[ "$(tail -q -n +2 "$d"/log.* | cut -f1 | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 " ]
}

@test "pool --shard auto outside an array job: a clear error, nothing run" {
	need_slurm
	run -2 --separate-stderr in_alloc '
		unset SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_COUNT
		pool --shard auto echo ran ::: 1 2
	'
	[ -z "$output" ]
	[[ $stderr == *"pool: "*"auto"* ]]
}

@test "examples/slurm-steps.sh: as an sbatch job (steps) and as an array job (shards), each checks its own result" {
	need_slurm
	local d=$BATS_TEST_TMPDIR ex=$BATS_TEST_DIRNAME/../examples/slurm-steps.sh
	run -0 timeout -k 5 120 sbatch --wait -Q -N1 -n2 -o "$d/one.out" "$ex"
	run -0 cat "$d/one.out"
	assert_line "slurm-steps: 24 tasks, 1 failed (item 13 is unlucky)"
	# Each job ran as an srun step of its own.
	[ "$(grep '^task ' "$d/one.out" | grep -o '(step [0-9]*)$' | sort -u | wc -l)" = 23 ]
	run -0 timeout -k 5 120 sbatch --wait -Q --array=0-1 -N1 -n1 -o "$d/arr.%a" "$ex"
	run -0 cat "$d/arr.0" "$d/arr.1"
	assert_line "slurm-steps: 12 tasks, 0 failed (item 13 is unlucky)"
	assert_line "slurm-steps: 12 tasks, 1 failed (item 13 is unlucky)"
	[ "$(grep '^task ' "$d/arr.0" "$d/arr.1" | cut -d' ' -f2 | sort -n | tr -d : | paste -sd' ')" = "$(seq 24 | grep -vx 13 | paste -sd' ')" ]
}
