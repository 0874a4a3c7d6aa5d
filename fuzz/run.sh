#!/usr/bin/env bash
# run.sh - replay the regression inputs, then fuzz each target for a while.
# Usage: fuzz/run.sh BUILDDIR SECONDS NAME...
#
# For each NAME, BUILDDIR/fuzz_NAME (built by `make fuzz') first runs
# every file of fuzz/regress/NAME/ and fuzz/corpus/NAME/ once: inputs that
# once broke a parser must keep passing.  Then it fuzzes for SECONDS,
# starting from the committed seeds; what it learns stays in
# BUILDDIR/corpus/NAME, and a crash is saved as BUILDDIR/crash-NAME-*.
# The status is 1 if any target failed.
set -u
shopt -s nullglob
here=$(cd "$(dirname "$0")" && pwd)
build=$1 seconds=$2
shift 2
failed=

for name; do
	bin=$build/fuzz_$name
	log=$build/$name.log
	mkdir -p "$build/corpus/$name"
	dict=()
	[ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")

	inputs=("$here"/regress/"$name"/* "$here"/corpus/"$name"/*)
	if [ "${#inputs[@]}" -gt 0 ] &&
	    ! "$bin" "${inputs[@]}" >"$log" 2>&1; then
		echo "fuzz $name: a regression or seed input fails:" >&2
		tail -n 30 "$log" >&2
		failed=1
		continue
	fi
	echo "fuzz $name: ${#inputs[@]} regression and seed inputs pass"

	if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=256 -print_final_stats=1 "${dict[@]}" \
	    -artifact_prefix="$build/crash-$name-" \
	    "$build/corpus/$name" "$here/corpus/$name" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
		echo "fuzz $name: ${seconds}s, ${runs:-?} runs, $cov, no crash"
	else
		echo "fuzz $name: FAILED; the input is saved in" \
		    "$build/crash-$name-*:" >&2
		grep -E 'ERROR|property failed|text:|SUMMARY|Test unit' "$log" \
		    >&2 || tail -n 30 "$log" >&2
		echo "fuzz $name: once fixed, copy the input to" \
		    "fuzz/regress/$name/ (full log: $log)" >&2
		failed=1
	fi
done
[ -z "$failed" ]
