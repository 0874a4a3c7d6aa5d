#!/bin/bash
# examples/service-cleanup.sh - start helper services, and make sure they
# are gone when the script ends, however it ends.
#
# The hand-written way:
#
#	web & web_pid=$!
#	worker & worker_pid=$!
#	trap 'kill "$web_pid" "$worker_pid" 2>/dev/null; wait' EXIT
#
# needs a line for every job, misses their children, and hangs in `wait'
# when a service ignores TERM.
#
# With bgtools:
#
#	trap killjobs EXIT
#
# killjobs sends TERM to every job of the shell, KILL after a grace
# period (5 s by default, -g to change) to whatever ignored it, and reaps
# them all.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" killjobs || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# web: a fake service that writes a heartbeat every 100 ms.
web() {
	while :; do
		echo "web $EPOCHREALTIME" >> "$tmp/heartbeat"
		sleep 0.1
	done
}

# worker: a fake service that ignores TERM: only KILL stops it.
worker() {
	trap '' TERM
	while :; do
		echo "worker $EPOCHREALTIME" >> "$tmp/heartbeat"
		sleep 0.1
	done
}

# stop_services: the EXIT trap.  TERM to every job, KILL 500 ms later to
# those still there (here, the worker).
stop_services() {
	killjobs -g 500ms
	echo "app: killjobs returned $? (1: KILL was needed)"
}

# app: the script proper.  It runs in a subshell here only so that this
# example can check afterwards that nothing was left running.
app() {
	trap stop_services EXIT

	# Job control gives each service a process group of its own, so
	# killjobs reaches what the service started too.
	set -m
	web &
	echo "$!" > "$tmp/pids"
	worker &
	echo "$!" >> "$tmp/pids"
	set +m

	echo "app: services started, working for 300 ms"
	sleep 0.3
	echo "app: done, exiting"
}

(app)
mapfile -t pids < "$tmp/pids"

# The check: both services are gone (killjobs reaped them, so a pid that
# answers kill -0 would be a live process) and the heartbeats stopped.
sleep 0.2
beats=$(wc -l < "$tmp/heartbeat")
sleep 0.3
beats_later=$(wc -l < "$tmp/heartbeat")
echo "heartbeats: $beats, 300 ms later: $beats_later"
for pid in "${pids[@]}"; do
	if kill -0 "$pid" 2>/dev/null; then
		echo "FAILED: service $pid still running" >&2
		exit 1
	fi
done
if ((beats > 0 && beats_later == beats)); then
	echo "ok: both services were stopped when the app exited"
else
	echo "FAILED: the services did not run, or are still running" >&2
	exit 1
fi
