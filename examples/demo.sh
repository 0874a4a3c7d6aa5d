#!/bin/bash
# examples/demo.sh - a short tour of the builtins (`make demo').
#
#   pool         a shell function over many items, 4 at a time
#   retry        a flaky function retried with backoff, in this shell
#   waitall      parallel jobs, one fails; then the same with fail-fast (-f)
#   timeout_run  a shell function stopped at its time limit
#   waitany      jobs reported one by one as they end, with a deadline (-t)
#   killjobs     the jobs still running are stopped and reaped
#
# Each line is stamped with the time since the start.  The script checks
# every result and exits 1 if one is not what the builtins promise.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" \
    pool retry waitany waitall timeout_run killjobs || exit 1

start=${EPOCHREALTIME/[^0-9]/}
failures=0

# say TEXT: print TEXT after the time since the start, "[1.234s] TEXT".
say() {
	local ms=$(((${EPOCHREALTIME/[^0-9]/} - start) / 1000))
	printf '[%d.%03ds] %s\n' $((ms / 1000)) $((ms % 1000)) "$*"
}

# check WHAT WANT GOT: count a failure unless GOT is WANT.
check() {
	[ "$2" = "$3" ] && return
	say "UNEXPECTED: $1: got '$3', expected '$2'"
	failures=$((failures + 1))
}

# task NAME SECONDS STATUS: a fake job that works for SECONDS, then says
# so and ends with STATUS.
task() {
	sleep "$2"
	say "  $1 ends with status $3"
	return "$3"
}

# spawn NAME SECONDS STATUS: start task as a job in a process group of its
# own (job control), so that stopping it stops its sleep as well.
declare -A name_of
spawn() {
	set -m
	task "$@" &
	set +m
	name_of[$!]=$1
}

echo "== pool: a shell function over 8 images, 4 at a time, tagged output"
resize() {
	sleep "0.$((RANDOM % 3 + 1))"
	if [ "$1" = img5.png ]; then
		echo "cannot read $1" >&2
		return 1
	fi
	echo "resized to ${1%.png}-small.png"
}
pool -j4 -k --tag --status-array st resize ::: img{1..8}.png
rc=$?
say "pool returned $rc (the number of failed jobs); statuses: ${st[*]}"
check "pool status" 1 "$rc"
check "pool statuses" "0 0 0 0 1 0 0 0" "${st[*]}"

echo
echo "== retry: a flaky function, 100 ms backoff doubling; its variables stay"
tries=0
flaky() {
	tries=$((tries + 1))
	[ "$tries" -ge 3 ] || return 7
	answer="ok after $tries tries"
}
retry -n 5 -d 100ms --jitter none flaky
rc=$?
say "retry returned $rc; answer='$answer'"
check "retry status" 0 "$rc"
check "retry answer" "ok after 3 tries" "$answer"

echo
echo "== waitall: three jobs in parallel, one fails"
spawn build 0.3 0
spawn lint 0.2 2
spawn test 0.4 0
waitall -a st
rc=$?
say "waitall returned $rc; statuses: build=${st[0]} lint=${st[1]} test=${st[2]}"
check "waitall status" 2 "$rc"
check "statuses" "0 2 0" "${st[*]}"

echo
echo "== waitall -f: fail fast, the slow job is stopped"
spawn slow-job 3 0
spawn bad-job 0.2 1
waitall -f -a st
rc=$?
say "waitall -f returned $rc; statuses: slow-job=${st[0]} bad-job=${st[1]}"
check "waitall -f status" 1 "$rc"
check "statuses" "143 1" "${st[*]}"

echo
echo "== timeout_run: a shell function with a 500 ms limit"
spin() {
	while :; do sleep 0.1; done
}
timeout_run 500ms spin
rc=$?
say "timeout_run returned $rc (124: timed out)"
check "timeout_run status" 124 "$rc"

echo
echo "== waitany -t: report jobs as they end, give up after 700 ms of silence"
spawn fast 0.2 0
spawn medium 0.6 3
spawn stuck 30 0
done_names=
while waitany -t 700ms -p pid; rc=$?; [ -n "${pid+set}" ]; do
	say "waitany: ${name_of[$pid]} (pid $pid) reported, status $rc"
	done_names+=" ${name_of[$pid]}"
done
say "waitany returned $rc (124: deadline passed); still running:" \
    "$(jobs -r | wc -l) job"
check "waitany reports" " fast medium" "$done_names"
check "waitany deadline status" 124 "$rc"

echo
echo "== killjobs: stop and reap whatever is left"
killjobs -g 1s
rc=$?
say "killjobs returned $rc (0: every job ended on TERM);" \
    "jobs left: $(jobs | wc -l)"
check "killjobs status" 0 "$rc"
check "jobs left" 0 "$(jobs | wc -l)"

echo
if ((failures)); then
	echo "demo: $failures unexpected results" >&2
	exit 1
fi
say "demo: all done"
