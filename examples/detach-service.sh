#!/bin/bash
# examples/detach-service.sh - start a service that outlives the shell, stop it later.
#
# The hand-written way:
#
#	nohup ./serve > serve.log 2>&1 &
#	echo $! > serve.pid
#	disown
#	...
#	kill "$(cat serve.pid)"		# in the stop script
#
# leaves stdin on the terminal, the process in the shell's session (a
# hangup still reaches what it starts), a pid file that a later `kill'
# trusts after the pid was recycled, and no way to know whether the
# service stopped or needs a KILL.  With bgtools:
#
#	detach -o serve.log -p serve.pid serve
#	...
#	detach --stop serve.pid
#
# serve may be a shell function; its whole tree is stopped.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" detach || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# 1. The "start script": a shell that defines the service, a function
# that starts a worker and writes a heartbeat, detaches it, and exits.
cat > "$tmp/start.sh" <<START
enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" detach || exit 1
serve() {
	trap 'echo "serve: stopping"; exit 0' TERM
	sleep 600 &		# a worker of its own
	while :; do
		date +%s.%N > "$tmp/beat"
		sleep 0.1
	done
}
detach -o "$tmp/serve.log" -p "$tmp/serve.pid" serve
START
bash "$tmp/start.sh" || exit 1
read -r pid start < "$tmp/serve.pid"
# Its first heartbeat (up to 5 s: a loaded machine is slow to start it).
for ((i = 0; i < 50; i++)); do [ -s "$tmp/beat" ] && break; sleep 0.1; done
kill -0 "$pid" && [ -s "$tmp/beat" ] && alive=yes
echo "started: pid $pid (start time $start), running after its shell exited: ${alive:-no}"

# 2. A second start is refused while it runs.
detach -o /dev/null -p "$tmp/serve.pid" sleep 1 2> /dev/null || refused=yes

# 3. The "stop script".
out=$(detach --stop "$tmp/serve.pid")
st=$?
echo "stop: $out (status $st)"
sleep 0.2
# shellcheck disable=SC2009 # counts by state (ps stat), not by name
left=$(ps -o stat= -s "$pid" | grep -vc "^Z")	# zombies wait for init

if [ "$alive" = yes ] && [ "$refused" = yes ] && [ "$st" = 0 ] &&
    [ "$left" = 0 ] && [ ! -e "$tmp/serve.pid" ] &&
    grep -q '^serve: stopping$' "$tmp/serve.log"; then
	echo "ok: detached, outlived its shell, stopped with its worker"
else
	echo "FAILED: alive=$alive refused=$refused st=$st left=$left" >&2
	exit 1
fi
