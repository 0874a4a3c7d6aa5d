#!/bin/bash
# bench/run.sh - run every benchmark and print its table (`make bench').
#
# Runs each bench/*.sh except lib.sh and run.sh, in sorted order, each in
# a fresh bash with BGTOOLS_SO exported (default: bgtools.so next to this
# directory) and BENCH_RESULTS=bench/results, where each script also saves
# its table as NAME.md.  Exits 1 if any benchmark failed (a wrong result),
# not if a target was missed.
#
# Usage: bash bench/run.sh [NAME...]	(NAME: core, or bench/core.sh)

dir=$(cd "$(dirname "$0")" && pwd) || exit 1
BGTOOLS_SO=${BGTOOLS_SO:-$dir/../bgtools.so}
BENCH_RESULTS=${BENCH_RESULTS:-$dir/results}
export BGTOOLS_SO BENCH_RESULTS

if [ ! -f "$BGTOOLS_SO" ]; then
	echo "run.sh: $BGTOOLS_SO: not found (run make first)" >&2
	exit 1
fi

scripts=()
if (($#)); then
	for name in "$@"; do
		name=${name##*/}
		scripts+=("$dir/${name%.sh}.sh")
	done
else
	for f in "$dir"/*.sh; do
		case ${f##*/} in
		lib.sh | run.sh) ;;
		*) scripts+=("$f") ;;
		esac
	done
fi

failed=()
for f in "${scripts[@]}"; do
	name=${f##*/}
	echo
	if [ ! -f "$f" ]; then
		echo "run.sh: $f: no such benchmark" >&2
		failed+=("$name")
		continue
	fi
	t0=$SECONDS
	bash "$f" || failed+=("$name")
	echo
	echo "_${name}: $((SECONDS - t0)) s_"
done

echo
if ((${#failed[@]})); then
	echo "run.sh: failed: ${failed[*]}" >&2
	exit 1
fi
echo "results saved under $BENCH_RESULTS/"
