#!/bin/bash
# examples/timeout.sh - run a shell function under a time limit.
#
# The hand-written way: coreutils timeout only runs programs, so either
#
#	export -f wait_for_file
#	timeout 2 bash -c 'wait_for_file "$1"' _ "$file"
#
# (a new bash, and every variable the function reads must be exported), or
# a watchdog job:
#
#	wait_for_file "$file" & pid=$!
#	( sleep 2; kill "$pid" ) 2>/dev/null & watchdog=$!
#	wait "$pid"; st=$?
#	kill "$watchdog"
#
# which leaves the function's own children running and cannot tell a
# timeout from a failure.
#
# With bgtools:
#
#	timeout_run 2 wait_for_file "$file"	# 124 if it timed out
#
# The function runs as a child in a process group of its own, sees every
# variable and function of the script, and its whole process tree is
# stopped at the limit.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" timeout_run || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

poll_interval=0.05	# not exported: the function still sees it

# wait_for_file FILE: poll until FILE exists.
wait_for_file() {
	until [ -e "$1" ]; do
		sleep "$poll_interval"
	done
}

# ms_since START: milliseconds since START (an $EPOCHREALTIME value).
ms_since() {
	echo $(((${EPOCHREALTIME/[^0-9]/} - ${1/[^0-9]/}) / 1000))
}

# 1. The file shows up after 300 ms: well within the limit.
(sleep 0.3; touch "$tmp/ready") &
start=$EPOCHREALTIME
timeout_run 2 wait_for_file "$tmp/ready"
st1=$?
echo "ready file: status $st1 after $(ms_since "$start") ms"
wait

# 2. The file never shows up: the function is stopped after 500 ms.
start=$EPOCHREALTIME
timeout_run 500ms wait_for_file "$tmp/never"
st2=$?
ms2=$(ms_since "$start")
echo "missing file: status $st2 after $ms2 ms (124: timed out)"

if [ "$st1" = 0 ] && [ "$st2" = 124 ] && ((ms2 >= 500 && ms2 < 3000)); then
	echo "ok: the function finished in time once and was stopped once"
else
	echo "FAILED: unexpected result" >&2
	exit 1
fi
