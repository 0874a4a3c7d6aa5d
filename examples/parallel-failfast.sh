#!/bin/bash
# examples/parallel-failfast.sh - run steps in parallel, stop at the first
# failure.
#
# The hand-written way:
#
#	pids=()
#	for s in compile lint unit-tests; do step "$s" & pids+=($!); done
#	for p in "${pids[@]}"; do
#		wait "$p" || { kill "${pids[@]}" 2>/dev/null; exit 1; }
#	done
#
# waits in start order (a failure of the last step is noticed only when the
# first one ends), kill misses the steps' own children and never escalates,
# and which step failed, with what status, is lost.
#
# With bgtools:
#
#	for s in compile lint unit-tests; do step "$s" & done
#	waitall -f -a status || exit
#
# waitall -f returns as soon as any step fails, with that step's status;
# the others get TERM (KILL 5 s later) and are reaped; status[i] holds
# each step's exit status, in the order they were started.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" waitall || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# step NAME SECONDS STATUS: a fake build step that takes SECONDS and ends
# with STATUS.
step() {
	sleep "$2"
	touch "$tmp/$1.done"
	echo "$1: finished with status $3"
	return "$3"
}

names=(compile lint unit-tests)
start=${EPOCHREALTIME/[^0-9]/}

# Job control gives each step a process group of its own, so the TERM of
# -f reaches whatever the step started (here, its sleep) too.
set -m
step compile 2 0 &
step lint 0.2 3 &
step unit-tests 1.5 0 &
set +m

waitall -f -a status
st=$?
ms=$(((${EPOCHREALTIME/[^0-9]/} - start) / 1000))

echo "waitall -f returned $st after $ms ms"
for i in "${!names[@]}"; do
	echo "  ${names[i]}: status ${status[i]-unset}"
done

# The check: lint's failure (3) came back, the two slow steps were stopped
# by TERM (128+15) before they could finish.
if [ "$st" = 3 ] && [ "${status[1]-}" = 3 ] &&
    [ "${status[0]-}" = 143 ] && [ "${status[2]-}" = 143 ] &&
    [ ! -e "$tmp/compile.done" ] && [ ! -e "$tmp/unit-tests.done" ]; then
	echo "ok: failed fast on lint, the other steps were stopped"
else
	echo "FAILED: unexpected result" >&2
	exit 1
fi
