# bench/lib.sh - shared helpers for the bgtools benchmarks.
# shellcheck shell=bash
#
# How a benchmark script is written (bench/NAME.sh; `make bench' runs
# bench/run.sh, which runs every bench/*.sh but lib.sh and run.sh, each in a
# fresh `bash bench/NAME.sh' with BGTOOLS_SO exported):
#
#	#!/bin/bash
#	# bench/NAME.sh - what it compares, against what, and the targets.
#	. "$(dirname "$0")/lib.sh"
#	bench_init "NAME: one-line title"	# strict mode, builtins, tmpdir
#
#	n=$(bench_runs 200)			# 200 x BENCH_RUNS_SCALE, >= 5
#	for ((i = 0; i < n; i++)); do		# interleave the two sides
#		bench_time_us t timeout_run 10 true
#		bench_expect 0 $? "timeout_run 10 true"	# check every run
#		bg+=("$t")
#		...
#	done
#	bench_median m_bg "${bg[@]}"
#	bench_median m_alt "${alt[@]}"
#	bench_row "timeout_run 10 true, per call" "$m_bg" "$m_alt" \
#	    "faster" "$(bench_met "$m_bg" -lt "$m_alt")"
#	# or, for a ratio target: "ratio <= 1.00" "$(bench_met_ratio ...)"
#	bench_table
#
# Conventions:
# - Every time is an integer number of microseconds, taken from
#   $EPOCHREALTIME (no date(1), no subshell per sample).
# - Report medians, of at least 5 runs (more for fast cases); interleave the
#   bgtools side and the alternative so that load on the machine hits both.
# - Check every result (exit status, pid, output): a wrong result calls
#   bench_fail, which prints BENCH FAILED on stderr and exits 1.  A missed
#   target is not a failure: it is reported as "no" in the met? column.
# - A script prints exactly one table (bench_table) plus free-form notes on
#   stderr; it must finish in about 2 minutes.  BENCH_RUNS_SCALE (default 1)
#   multiplies the run counts given to bench_runs, for quick smoke runs
#   (e.g. 0.2) or steadier numbers (e.g. 3).
# - Keep process start-up out of what is measured where it is not the
#   point: bench_sleep sleeps without a fork, bench_now_us stamps a time
#   into a variable (a job can write it to a file just before it exits).
# - bench_table also writes the table to $BENCH_RESULTS/NAME.md when
#   BENCH_RESULTS is set (run.sh sets it to bench/results, git-ignored).

# BGTOOLS_SO: the library under test.
BGTOOLS_SO=${BGTOOLS_SO:-$(dirname "${BASH_SOURCE[0]}")/../bgtools.so}
BENCH_RUNS_SCALE=${BENCH_RUNS_SCALE:-1}
BENCH_ROWS=()
BENCH_NAME=
BENCH_TITLE=
BENCH_TMP=
BENCH_SLEEP_FD=

# bench_fail MESSAGE...: report a wrong result and end the script with 1.
bench_fail() {
	printf 'BENCH FAILED (%s): %s\n' "${BENCH_NAME:-bench}" "$*" >&2
	exit 1
}

# bench_note MESSAGE...: print an informative line on stderr.
bench_note() {
	printf '%s: %s\n' "${BENCH_NAME:-bench}" "$*" >&2
}

# bench_init TITLE [BUILTIN...]: strict mode (set -u), load waitany,
# waitall, timeout_run, killjobs and any BUILTIN named, make $BENCH_TMP
# (removed on exit) and the fifo bench_sleep reads.  The script's name
# (bench/NAME.sh) names its results file.
bench_init() {
	BENCH_TITLE=$1
	shift
	BENCH_NAME=$(basename "$0" .sh)
	set -u
	enable -f "$BGTOOLS_SO" waitany waitall timeout_run killjobs "$@" ||
	    bench_fail "cannot load $BGTOOLS_SO (run make first)"
	BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-$BENCH_NAME.XXXXXX") ||
	    bench_fail "mktemp failed"
	trap 'bench_cleanup' EXIT
	if ! mkfifo "$BENCH_TMP/sleep.fifo" ||
	    ! exec {BENCH_SLEEP_FD}<>"$BENCH_TMP/sleep.fifo"; then
		bench_fail "cannot open $BENCH_TMP/sleep.fifo"
	fi
}

# bench_sleep SECONDS: sleep without starting a process (read with a
# timeout on a fifo nobody writes to), so that a job's own start-up cost
# stays out of what is measured.  Usable in jobs: they inherit the fd.
bench_sleep() {
	local _bs_line
	read -r -t "$1" -u "$BENCH_SLEEP_FD" _bs_line
	return 0
}

# bench_cleanup: stop leftover jobs and remove $BENCH_TMP (the EXIT trap).
bench_cleanup() {
	local st=$?
	killjobs -g 1 2>/dev/null
	[ -n "$BENCH_TMP" ] && rm -rf -- "$BENCH_TMP"
	return "$st"
}

# bench_runs N: print N scaled by BENCH_RUNS_SCALE, at least 5.
bench_runs() {
	local n
	n=$(awk -v n="$1" -v s="$BENCH_RUNS_SCALE" \
	    'BEGIN { printf "%d", n * s + 0.5 }')
	((n < 5)) && n=5
	echo "$n"
}

# bench_now_us VAR: set VAR to the current time in microseconds.
bench_now_us() {
	local -n _bn_var=$1
	_bn_var=${EPOCHREALTIME/[^0-9]/}
}

# bench_time_us VAR COMMAND [ARG...]: run COMMAND in the current shell, set
# VAR to its wall time in microseconds and return COMMAND's status.
bench_time_us() {
	local _bt_var=$1 _bt_t0 _bt_t1 _bt_st
	shift
	_bt_t0=${EPOCHREALTIME/[^0-9]/}
	"$@"
	_bt_st=$?
	_bt_t1=${EPOCHREALTIME/[^0-9]/}
	printf -v "$_bt_var" '%d' $((_bt_t1 - _bt_t0))
	return "$_bt_st"
}

# bench_expect WANT GOT WHAT: fail loudly unless status GOT equals WANT.
bench_expect() {
	[ "$1" = "$2" ] || bench_fail "$3: exit status $2, expected $1"
}

# bench_median VAR N...: set VAR to the median of the integers N (the mean
# of the two middle values, rounded down, for an even count).
bench_median() {
	local -n _bm_var=$1
	local -a _bm_s
	shift
	(($# > 0)) || bench_fail "bench_median: no samples"
	mapfile -t _bm_s < <(printf '%s\n' "$@" | sort -n)
	if (($# % 2)); then
		_bm_var=${_bm_s[$# / 2]}
	else
		_bm_var=$(((_bm_s[$# / 2 - 1] + _bm_s[$# / 2]) / 2))
	fi
}

# bench_fmt_us US: print a microsecond count as milliseconds, "1.234 ms".
bench_fmt_us() {
	local us=$1 sign=
	((us < 0)) && { sign=-; us=$((-us)); }
	printf '%s%d.%03d ms' "$sign" $((us / 1000)) $((us % 1000))
}

# bench_ratio BG ALT: print BG/ALT with two decimals ("n/a" if ALT <= 0).
bench_ratio() {
	awk -v a="$1" -v b="$2" \
	    'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# bench_met A OP B [A OP B...]: print "yes" if every integer comparison
# holds (OP as in test(1): -lt -le -eq -ge -gt), else "no".
bench_met() {
	while (($# >= 3)); do
		test "$1" "$2" "$3" || { echo no; return; }
		shift 3
	done
	echo yes
}

# bench_met_ratio BG ALT MAX: print "yes" if BG/ALT, rounded to two
# decimals as the ratio column shows it, is at most MAX, else "no".
bench_met_ratio() {
	awk -v a="$1" -v b="$2" -v m="$3" 'BEGIN {
		r = b > 0 ? sprintf("%.2f", a / b) + 0 : 0
		print (b > 0 && r <= m + 0) ? "yes" : "no" }'
}

# bench_row NAME BG_US ALT_US TARGET MET: add a table row.  BG_US and
# ALT_US are microseconds; TARGET is a short text; MET is yes or no.
bench_row() {
	BENCH_ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$1" \
	    "$(bench_fmt_us "$2")" "$(bench_fmt_us "$3")" \
	    "$(bench_ratio "$2" "$3")" "$4" "$5")")
}

# bench_row_unit NAME BG ALT UNIT DIV TARGET MET: add a table row whose
# integers BG and ALT are shown divided by DIV, with two decimals and UNIT
# ("µs", DIV 1000: a total over 1,000 attempts shown per attempt); a ratio
# under 0.01 gets four decimals.
bench_row_unit() {
	BENCH_ROWS+=("$(awk -v n="$1" -v a="$2" -v b="$3" -v u="$4" -v d="$5" \
	    -v t="$6" -v m="$7" 'BEGIN {
		r = b <= 0 ? "n/a" : sprintf(a / b < 0.01 ? "%.4f" : "%.2f", a / b)
		printf "| %s | %.2f %s | %.2f %s | %s | %s | %s |",
		    n, a / d, u, b / d, u, r, t, m }')")
}

# bench_table: print the markdown table of every row added, and save it as
# $BENCH_RESULTS/NAME.md when BENCH_RESULTS is set.
bench_table() {
	local out
	out=$(
		printf '### %s\n\n' "$BENCH_TITLE"
		printf '| benchmark | bgtools | alternative | ratio (bgtools/alternative) | target | met? |\n'
		printf '|---|---:|---:|---:|---|---|\n'
		printf '%s\n' "${BENCH_ROWS[@]}"
	)
	printf '%s\n' "$out"
	if [ -n "${BENCH_RESULTS:-}" ]; then
		mkdir -p "$BENCH_RESULTS" &&
		    printf '%s\n\n%s\n' "$out" "$(bench_env)" \
		    > "$BENCH_RESULTS/$BENCH_NAME.md"
	fi
}

# bench_env: one line describing the machine the numbers come from.
bench_env() {
	printf '_bash %s, %s cores, load %s, %s_\n' "$BASH_VERSION" \
	    "$(nproc 2>/dev/null || echo ?)" \
	    "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)" \
	    "$(date -u '+%Y-%m-%d %H:%M UTC')"
}
