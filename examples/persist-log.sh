#!/bin/bash
# examples/persist-log.sh - a shell function over every line of a
# 100,000-line log, with every line's status and output in order.
#
# The forking way, one copy of the shell per line (about a millisecond
# each, more in a big shell):
#
#	pool -j2 -k --status-array st check :::: app.log > report
#
# With --persist, -j workers are forked once and each calls the function
# line after line; each line still has its own status in st[] and its
# own output, printed in input order (-k):
#
#	pool --persist -j2 -k --status-array st check :::: app.log > report
#
# The log is streamed (read by one more job while the workers run), so
# it may as well come from a pipe that is still being written: the
# first line is checked before the producer ends.
#
#	pool --persist -j2 -k --status-array st check < <(tail -n +1 app.log)
#
# This script makes the log, runs --persist over all of it and the
# forking command over its first FORK_LINES lines (the whole log would
# take minutes that way), checks that both agree line for line, and
# prints both times.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" pool || exit 1

LINES=100000
FORK_LINES=${FORK_LINES:-500}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# A log: TIME LEVEL COMPONENT MESSAGE; one line in 50 an ERROR, one in
# 7 a WARN.
awk -v n="$LINES" 'BEGIN {
	split("api db cache auth queue", comp, " ")
	for (i = 1; i <= n; i++) {
		lvl = i % 50 == 0 ? "ERROR" : i % 7 == 0 ? "WARN" : "INFO"
		printf "2026-12-05T06:%02d:%02d %s %s request %d took %d ms\n",
		    i / 3600 % 60, i / 60 % 60, lvl, comp[i % 5 + 1], i, i % 997
	}
}' > "$tmp/app.log"
head -n "$FORK_LINES" "$tmp/app.log" > "$tmp/head.log"

# check LINE: report a WARN or ERROR line as `COMPONENT LEVEL: MESSAGE';
# status 1 for an ERROR, 0 otherwise.
check() {
	local level comp msg=${1#* }
	level=${msg%% *} msg=${msg#* }
	comp=${msg%% *} msg=${msg#* }
	case $level in
	ERROR) echo "$comp $level: $msg"; return 1 ;;
	WARN) echo "$comp $level: $msg" ;;
	esac
	return 0
}

# seconds T0: the seconds since $EPOCHREALTIME was T0, 3 decimals.
seconds() {
	local us=$(( ${EPOCHREALTIME/./} - ${1/./} ))
	printf '%d.%03d' $((us / 1000000)) $((us % 1000000 / 1000))
}

t0=$EPOCHREALTIME
pool --persist -j2 -k --status-array pst check :::: "$tmp/app.log" > "$tmp/persist.out"
prc=$?
tp=$(seconds "$t0")

# The same through a pipe.
t0=$EPOCHREALTIME
pool --persist -j2 -k --status-array sst check < <(cat "$tmp/app.log") > "$tmp/stdin.out"
src=$?
ts=$(seconds "$t0")

t0=$EPOCHREALTIME
pool -j2 -k --status-array fst check :::: "$tmp/head.log" > "$tmp/fork.out"
frc=$?
tf=$(seconds "$t0")

# Both fail with the number of ERROR lines (101 for more than 100).
errors=$((LINES / 50))
want=$((errors > 100 ? 101 : errors))
[ "$prc" = "$want" ] || { echo "--persist: status $prc, not $want"; exit 1; }
[ "${#pst[@]}" = "$LINES" ] ||
    { echo "--persist: ${#pst[@]} statuses, not $LINES"; exit 1; }
[ "$(wc -l < "$tmp/persist.out")" = "$(grep -cE ' (WARN|ERROR) ' "$tmp/app.log")" ] ||
    { echo "--persist: wrong number of report lines"; exit 1; }

# Through a pipe: the same statuses and report.
if [ "$src" != "$prc" ] || [ "${sst[*]}" != "${pst[*]}" ]; then
	echo "--persist from a pipe: statuses differ"
	exit 1
fi
cmp -s "$tmp/stdin.out" "$tmp/persist.out" ||
    { echo "--persist from a pipe: report differs"; exit 1; }

# The forking run and the same lines of the --persist run agree.
[ "${fst[*]}" = "${pst[*]:0:FORK_LINES}" ] ||
    { echo "statuses differ between --persist and forking"; exit 1; }
n=$(wc -l < "$tmp/fork.out")
head -n "$n" "$tmp/persist.out" | cmp -s - "$tmp/fork.out" ||
    { echo "output differs between --persist and forking"; exit 1; }
ferr=$((FORK_LINES / 50))
[ "$frc" = "$((ferr > 100 ? 101 : ferr))" ] ||
    { echo "forking: status $frc"; exit 1; }

echo "pool --persist -j2 -k --status-array: $LINES lines in ${tp}s" \
    "($(( ${tp/./} * 1000 / LINES )) µs a line), status $prc"
echo "the same through a pipe (stdin): ${ts}s" \
    "($(( ${ts/./} * 1000 / LINES )) µs a line), status $src"
echo "pool -j2 -k --status-array (forking): $FORK_LINES lines in ${tf}s" \
    "($(( ${tf/./} * 1000 / FORK_LINES )) µs a line), status $frc"
echo "statuses and report lines agree on the first $FORK_LINES lines"
