#!/bin/bash
# examples/every-heartbeat.sh - periodic background work that keeps time.
#
# The hand-written way:
#
#	while sleep 0.1; do heartbeat; done &
#
# drifts: each round lasts 100 ms plus the time heartbeat takes plus the
# loop's own, so after a minute the beats are seconds late.  With bgtools:
#
#	every 100ms heartbeat &
#
# starts beat k at exactly (k-1) x 100 ms after the first, whatever each
# beat costs, never runs two at once (a slow beat makes it skip ticks,
# not pile them up), and stops with kill %N or killjobs.  heartbeat is a
# shell function and sees the script's variables; EVERY_TICK numbers
# the beats.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" every killjobs ||
    exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
log=$tmp/beats

# heartbeat: log the beat number and the time; take 20 ms of work.
heartbeat() {
	echo "$EVERY_TICK ${EPOCHREALTIME/[^0-9]/}" >> "$log"
	sleep 0.02
}

# 1. In the background for about 1 s, then stopped with killjobs.
every 100ms heartbeat &
sleep 1.05
killjobs
st1=$?
n=$(wc -l < "$log")

# How far was each beat from its slot on the schedule?
worst=$(awk 'NR == 1 { t0 = $2 }
    { d = $2 - t0 - ($1 - 1) * 100000; if (d < 0) d = -d; if (d > w) w = d }
    END { printf "%d", w / 1000 }' "$log")
echo "background: $n beats in 1.05 s, worst $worst ms off the schedule; killjobs returned $st1"

# 2. In the foreground, bounded: at most 5 s, stop at the first failure.
checks=0
check_disk() {
	checks=$((checks + 1))
	((checks < 3))		# the third check "fails"
}
every -T 5 --stop-on-failure 50ms check_disk
st2=$?
echo "foreground: stopped after $checks checks with status $st2"

if ((n >= 10 && n <= 12)) && ((worst < 50)) && [ "$st1" = 0 ] &&
    [ "$checks" = 3 ] && [ "$st2" = 1 ]; then
	echo "ok: beats kept the schedule, and the failing check stopped every"
else
	echo "FAILED: unexpected result" >&2
	exit 1
fi
