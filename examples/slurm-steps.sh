#!/bin/bash
# examples/slurm-steps.sh - many short tasks inside one Slurm allocation,
# each an srun job step, with pool's per-task statuses and output.
#
#	sbatch -n 8 examples/slurm-steps.sh		# 8 steps at a time
#	sbatch --array=0-3 -n 2 examples/slurm-steps.sh	# 4 tasks share the items
#
# HPC centres advise job steps (or one array job) over thousands of tiny
# jobs in the queue.  The hand-written way,
#
#	for i in $(seq 24); do srun --exclusive -N1 -n1 ./task "$i" & done; wait
#
# starts every srun at once (each waits in the controller for a CPU), and
# loses which task failed.  pool runs $SLURM_NTASKS steps at a time, keeps
# each task's status and output (grouped, in input order with -k), and
# stops the steps on --timeout or Ctrl-C/TERM (srun passes TERM on to the
# step).  srun execs its arguments, so the launcher ends with `bash -c';
# a shell function travels as text.  Under an array job, --shard auto gives
# each array task its share (round robin); the outputs concatenate to the
# full set.
#
# Outside Slurm (no srun, no allocation) it runs the same jobs through a
# plain `bash -c' launcher, so it can be tried anywhere.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" pool || exit 1

# The task: a checksum of some generated data, and a failure for item 13.
task() {
	[ "$1" != 13 ] || { echo "task $1: unlucky" >&2; return 3; }
	echo "task $1: $(seq "$1" 1000 | sha256sum | cut -c1-12)${SLURM_STEP_ID:+ (step $SLURM_STEP_ID)}"
}

if [ -n "${SLURM_JOB_ID:-}" ] && command -v srun > /dev/null; then
	launcher="srun --exclusive -N1 -n1 bash -c"
	jobs=${SLURM_NTASKS:-1}
else
	launcher="bash -c"
	jobs=4
fi
shard=()
[ -z "${SLURM_ARRAY_TASK_ID:-}" ] || shard=(--shard auto)

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
pool -k -j "$jobs" "${shard[@]}" --timeout 60 --launcher "$launcher" \
    --status-array st task ::: {1..24} > "$out" 2> /dev/null
failed=$?
cat "$out"

# Check: every item of this share ran once, and only 13 failed.
want=24
[ -z "${shard[*]}" ] || want=$(seq 0 23 | awk -v i="$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))" \
    -v n="${SLURM_ARRAY_TASK_COUNT:-1}" '$1 % n == i' | wc -l)
ran=$(grep -c '^task ' "$out")
bad=0
for s in "${st[@]}"; do [ "$s" = 0 ] || bad=$((bad + 1)); done
if [ "${#st[@]}" != "$want" ] || [ "$ran" != "$((want - bad))" ] ||
    [ "$failed" != "$bad" ] || [ "$bad" -gt 1 ]; then
	echo "slurm-steps: $ran of $want ran, $bad failed (pool said $failed)" >&2
	exit 1
fi
echo "slurm-steps: $want tasks, $bad failed (item 13 is unlucky)"
