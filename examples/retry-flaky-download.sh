#!/bin/bash
# examples/retry-flaky-download.sh - retry a download on transient errors
# only, with a time limit per attempt.
#
# The hand-written way:
#
#	for delay in 1 2 4 8; do
#		curl -fsS -o "$out" "$url" && break
#		sleep "$delay"
#	done
#
# retries a 404 as eagerly as a dropped connection, lets a hung transfer
# block forever, and ends with status 0 even when every attempt failed.
# With bgtools:
#
#	retry -n 5 -d 1 -t 30 --on 7,28,56,124 fetch "$url" "$out"
#
# retries only what may go away (7: cannot connect, 28 and 124: too
# slow, 56: connection reset), fails at once on anything else (22: HTTP
# error), stops a hung attempt after 30 s with its whole process tree,
# and returns the last attempt's status.  fetch is a shell function:
# nothing to export, no `bash -c'.
#
# To run offline, fetch here reads a local "mirror" directory and answers
# with curl's exit statuses; in real life it would be
# `curl -fsS -o "$2" "$1"'.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" retry || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mirror=$tmp/mirror

# fetch NAME OUT: copy NAME from the mirror to OUT.  Like curl -f: 7 if
# the mirror is down, 22 if NAME is not there; a name ending in .slow
# hangs (a stalled transfer).
fetch() {
	[ -d "$mirror" ] || return 7
	case $1 in
	*.slow) sleep 30 ;;
	esac
	[ -f "$mirror/$1" ] || return 22
	cp "$mirror/$1" "$2"
}

# 1. The mirror is down for 0.4 s: a few attempts, then success.  Equal
# jitter keeps each delay at least half its nominal value (50, 100, 200,
# 400 ms...), so the mirror is back before the attempts run out.
(sleep 0.4; mkdir "$mirror" && echo "release 2.1" > "$mirror/app.tar") &
retry -n 6 -d 100ms --jitter equal -t 5 --on 7,28,56,124 \
    fetch app.tar "$tmp/app.tar" 2>"$tmp/log1"
st1=$?
wait
echo "mirror down at first: status $st1, $(grep -c 'failed with status 7' "$tmp/log1") attempts failed with 7, got: $(cat "$tmp/app.tar" 2>/dev/null)"

# 2. A file that is not there: not retried, status 22 at once.
retry -n 6 -d 100ms -t 5 --on 7,28,56,124 fetch missing.tar "$tmp/x" \
    2>"$tmp/log2"
st2=$?
echo "missing file: status $st2; $(tail -n 1 "$tmp/log2")"

# 3. A transfer that hangs: each attempt is stopped after 200 ms (124),
# its `sleep' included, and retry gives up after 3 attempts.
echo data > "$mirror/big.slow"
retry -n 3 -d 50ms -t 200ms --on 7,28,56,124 fetch big.slow "$tmp/big" \
    2>"$tmp/log3"
st3=$?
echo "stalled transfer: status $st3; $(tail -n 1 "$tmp/log3")"

if [ "$st1" = 0 ] && [ "$(cat "$tmp/app.tar")" = "release 2.1" ] &&
    [ "$st2" = 22 ] && [ "$(wc -l < "$tmp/log2")" = 1 ] &&
    [ "$st3" = 124 ] && grep -q "giving up after 3 attempts" "$tmp/log3"; then
	echo "ok: transient errors retried, a missing file not, hung attempts stopped"
else
	echo "FAILED: unexpected result" >&2
	cat "$tmp"/log* >&2
	exit 1
fi
