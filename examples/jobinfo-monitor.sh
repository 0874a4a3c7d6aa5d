#!/bin/bash
# examples/jobinfo-monitor.sh - watch background jobs: alive, how long, how much.
#
# The hand-written way:
#
#	while kill -0 "$pid" 2>/dev/null; do
#		ps -o etimes=,time=,rss= -p "$pid"
#		sleep 1
#	done
#
# sees one process: not the children a job's function or script started
# (where the CPU and memory go), a recycled pid looks alive, and it cannot
# tell a stopped job from a running one.  With bgtools:
#
#	jobinfo -A J; echo "${J[1,state]} ${J[1,elapsed]}s cpu ${J[1,user]}s"
#
# reads the shell's own job table and sums CPU time and resident memory
# over each job's whole process tree, for every job at once.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" jobinfo killjobs ||
    exit 1

# A job whose work happens in its children: two busy subshells.
crunch() {
	for _ in 1 2; do
		( n=0; while ((n < 200000)); do ((n++)); done; sleep 5 ) &
	done
	wait
}
crunch &
sleep 5 &

ok=
for ((tick = 1; tick <= 20; tick++)); do
	sleep 0.2
	jobinfo -A J
	printf 'tick %2d:' "$tick"
	for j in ${J[jobs]}; do
		printf '  %%%s %s %s procs %ss cpu %s KiB' "$j" "${J[$j,state]}" \
		    "${J[$j,nproc]}" "${J[$j,user]}" "${J[$j,rss]}"
	done
	echo
	# Done once crunch's children have done their counting.
	if [ "${J[1,nproc]}" -ge 3 ] &&
	    awk -v u="${J[1,user]}" 'BEGIN { exit !(u >= 0.2) }'; then
		ok=1
		break
	fi
done
jobinfo	# the plain form: one line per job
killjobs
if [ -n "$ok" ]; then
	echo "ok: crunch's CPU time, spent in its children, is counted for it"
else
	echo "FAILED: crunch's children were not counted" >&2
	exit 1
fi
