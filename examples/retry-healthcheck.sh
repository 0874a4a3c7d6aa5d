#!/bin/bash
# examples/retry-healthcheck.sh - wait for a service to come up, but not
# for one that crashed.
#
# The hand-written way:
#
#	for i in $(seq 30); do
#		curl -fsS http://localhost:8080/health && break
#		kill -0 "$pid" 2>/dev/null || { echo crashed; exit 1; }
#		sleep 1
#	done
#
# polls at a fixed rate, notices a crash only once per second, cannot
# bound the total time exactly and forgets to fail when the loop runs
# out.  With bgtools:
#
#	retry -n 0 -T 30 -d 100ms -m 1s --alive "$pid" healthy
#
# polls with a growing, jittered delay for at most 30 s, returns 0 as
# soon as `healthy' succeeds, and 69 the moment the service dies (the
# sleep wakes up when it does).  `healthy' is a shell function run in
# this shell, so what it learns (here: the version the service reports)
# is still set afterwards.
#
# The service here is a stand-in that writes its status to a file; in
# real life `healthy' would be `curl -fsS http://localhost:8080/health'.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" retry || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# service DELAY FATE: after DELAY seconds, either report "ok v1.4" and
# serve for a while (FATE=up), or crash with status 3 (FATE=crash).
service() {
	sleep "$1"
	if [ "$2" = crash ]; then
		echo "service: cannot bind port: address in use" >&2
		exit 3
	fi
	echo "ok v1.4" > "$tmp/status"
	exec sleep 30
}

# healthy: succeed when the service says ok; remember its version.
healthy() {
	local state
	[ -f "$tmp/status" ] && read -r state version < "$tmp/status" &&
	    [ "$state" = ok ]
}

# ms_since START: milliseconds since START (an $EPOCHREALTIME value).
ms_since() {
	echo $(((${EPOCHREALTIME/[^0-9]/} - ${1/[^0-9]/}) / 1000))
}

# 1. A slow start: healthy after 0.5 s.
service 0.5 up &
svc=$!
start=$EPOCHREALTIME
retry -q -n 0 -T 10 -d 100ms -m 500ms --alive "$svc" healthy
st1=$?
ms1=$(ms_since "$start")
echo "slow start: retry returned $st1 after $ms1 ms; version=${version-}"
kill "$svc"
wait "$svc" 2>/dev/null

# 2. A crash during start-up: retry gives up at once, long before 10 s.
rm -f "$tmp/status"
service 0.3 crash 2>/dev/null &
svc=$!
start=$EPOCHREALTIME
retry -n 0 -T 10 -d 2 -m 5s --alive "$svc" healthy 2>"$tmp/log"
st2=$?
ms2=$(ms_since "$start")
wait "$svc"
crash=$?
echo "crash: retry returned $st2 after $ms2 ms; the service exited $crash"
tail -n 1 "$tmp/log"

if [ "$st1" = 0 ] && [ "${version-}" = v1.4 ] && ((ms1 >= 400)) &&
    [ "$st2" = 69 ] && [ "$crash" = 3 ] && ((ms2 < 2000)); then
	echo "ok: waited for the slow service, gave up on the crashed one at once"
else
	echo "FAILED: unexpected result" >&2
	exit 1
fi
