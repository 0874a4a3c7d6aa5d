#!/bin/bash
# bench/pipe.sh - pool --pipe and --pipepart against GNU parallel's.
#
#   a. PIPE_MB (default 1024) MB of text lines on stdin through
#      `pool --pipe wc -l' (default --block 1M, -j the CPU count) vs
#      `parallel --pipe wc -l', Debian's 20221122 and, where
#      ../shared/peers has it, 20260522.  Target: ratio <= 1.00.
#   b. the same file through `pool --pipepart wc -l :::: FILE' vs
#      `parallel --pipepart -a FILE wc -l'.  Target: ratio <= 1.00.
#   c. the same stdin through `pool --pipe --roundrobin wc -l' vs
#      `parallel --pipe --roundrobin wc -l'.  Target: ratio <= 1.00.
#
# The file is made once in $TMPDIR (yes | head -c).  Every run checks
# the lines the jobs counted against the file's and the status; pool's
# and parallel's runs are interleaved; medians of PIPE_RUNS (default 3).
# The size is PIPE_MB: 1024 (the issue's 1 GB) for the full bench, which
# takes about 10 minutes on 2 cores (`make bench' runs it so); --quick
# makes it 64 MB (a look in well under a minute), PIPE_MB=N any size.
#
# Usage: bash bench/pipe.sh [--quick]   (BGTOOLS_SO, PIPE_MB, PIPE_RUNS)

. "$(dirname "$0")/lib.sh"
bench_init "pool --pipe, --pipepart: against GNU parallel" pool

QUICK_MB=64
[ "${1:-}" = --quick ] && : "${PIPE_MB:=$QUICK_MB}"
MB=${PIPE_MB:-1024}
RUNS=${PIPE_RUNS:-3}
PEER=$(dirname "$0")/../../shared/peers/gnu-parallel
FILE=$BENCH_TMP/in
LINE='bench line 0123456789 abcdefghijklmnopqrstuvwxyz'

command -v parallel >/dev/null || bench_fail "GNU parallel is not installed"
yes "$LINE" | head -c $((MB * 1024 * 1024)) > "$FILE"
BYTES=$(stat -c %s "$FILE")
LINES=$(wc -l < "$FILE")	# newlines: the last line is cut short
bench_note "input: $BYTES bytes, $LINES lines in $FILE"

# sum_lines FILE: the sum of the first column of FILE.
sum_lines() {
	awk '{ s += $1 } END { print s + 0 }' "$1"
}

# run_one VAR WHAT CMD...: time CMD (its output to a file) into VAR, check
# its status and that its jobs counted every line once.
run_one() {
	local -n _ro=$1
	local what=$2 st=0 t0 t1 n
	shift 2
	t0=$EPOCHREALTIME
	"$@" > "$BENCH_TMP/out" || st=$?
	t1=$EPOCHREALTIME
	bench_expect 0 "$st" "$what"
	n=$(sum_lines "$BENCH_TMP/out")
	[ "$n" = "$LINES" ] || bench_fail "$what: counted $n lines, not $LINES"
	_ro=$(( ${t1/./} - ${t0/./} ))
}

pool_pipe() { pool --pipe wc -l < "$FILE"; }
pool_part() { pool --pipepart wc -l :::: "$FILE"; }
gnu_pipe() { parallel --pipe wc -l < "$FILE"; }
gnu_part() { parallel --pipepart -a "$FILE" wc -l; }
new_pipe() { PATH=$PEER:$PATH parallel --pipe wc -l < "$FILE"; }
new_part() { PATH=$PEER:$PATH parallel --pipepart -a "$FILE" wc -l; }
pool_rr() { pool --pipe --roundrobin wc -l < "$FILE"; }
gnu_rr() { parallel --pipe --roundrobin wc -l < "$FILE"; }
new_rr() { PATH=$PEER:$PATH parallel --pipe --roundrobin wc -l < "$FILE"; }

# compare MODE NAME ALT...: medians of pool's MODE and each ALT's runs.
compare() {
	local mode=$1 name=$2 alt t m_bg m i
	local -a bg=() times=()
	shift 2
	declare -A all=()
	for ((i = 0; i < RUNS; i++)); do
		run_one t "pool --$mode" "pool_$mode"
		bg+=("$t")
		for alt in "$@"; do
			run_one t "$alt" "$alt"
			all[$alt]+="$t "
		done
	done
	bench_median m_bg "${bg[@]}"
	for alt in "$@"; do
		read -ra times <<< "${all[$alt]}"
		bench_median m "${times[@]}"
		bench_row "$name, ${MB} MB: pool vs ${alt%_*} ($([ "${alt%_*}" = gnu ] &&
		    echo 20221122 || echo 20260522))" "$m_bg" "$m" "ratio <= 1.00" \
		    "$(bench_met_ratio "$m_bg" "$m" 1.00)"
	done
}

alts_pipe=(gnu_pipe)
alts_part=(gnu_part)
alts_rr=(gnu_rr)
if [ -x "$PEER/parallel" ]; then
	alts_pipe+=(new_pipe)
	alts_part+=(new_part)
	alts_rr+=(new_rr)
else
	bench_note "no $PEER/parallel: GNU parallel 20260522 rows left out"
fi
compare pipe "--pipe wc -l" "${alts_pipe[@]}"
compare part "--pipepart wc -l" "${alts_part[@]}"
compare rr "--pipe --roundrobin wc -l" "${alts_rr[@]}"
bench_table
