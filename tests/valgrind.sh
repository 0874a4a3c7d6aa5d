#!/usr/bin/env bash
# valgrind.sh - run bash under valgrind memcheck with the builtins loaded.
# Usage: tests/valgrind.sh [BGTOOLS_SO]     (default: $BGTOOLS_SO, ./bgtools.so)
#
# bash is not ours, so valgrind runs bash itself; the builtins run inside
# it, and so do the jobs they fork (a fork stays under valgrind; an exec
# of a disk command leaves it, --trace-children=no).  The bash is the
# one running this script.  Three workloads: a 1,000-job pool (function
# jobs, some failing, -k --tag --status-array; then --timeout and --sem), timeout_run
# with its limit firing (TERM, then KILL with -k), and retry loops (in
# the shell, and with -t as timed child jobs).  Each workload checks its
# own results, so a wrong status fails too.
#
# Every process logs to its own file.  An error is ours when a frame of
# its stacks (where it happened, or where the memory was allocated or
# freed) is in bgtools.so: its source paths are lib/ and builtins/ of
# the tree it was built in (the directory that holds it), and bash has
# no debug symbols here.  Any error of ours fails the run.  Other
# errors are bash's own: listed, but failing only with VALGRIND_STRICT=1.
# Known bash noise goes in tests/valgrind.supp, each entry with a comment
# saying why it is bash's and not ours (it holds none today).
#
# Exit status: 0 if clean, 1 if an error is ours or a workload failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
so=${1:-${BGTOOLS_SO:-$root/bgtools.so}}
sodir=$(cd "$(dirname "$so")" && pwd)
so=$sodir/$(basename "$so")
logs=$(mktemp -d "${TMPDIR:-/tmp}/bgtools-valgrind.XXXXXX")
trap 'rm -rf "$logs"' EXIT
failed=

[ -f "$so" ] || { echo "valgrind.sh: $so: not built" >&2; exit 1; }
command -v valgrind >/dev/null ||
    { echo "valgrind.sh: valgrind is not installed" >&2; exit 1; }

# vg NAME SCRIPT: run SCRIPT in bash under memcheck, logs in $logs/NAME.
vg() {
	local name=$1 script=$2 t0 st
	mkdir -p "$logs/$name"
	t0=$SECONDS
	valgrind --tool=memcheck --error-exitcode=99 --leak-check=no \
	    --trace-children=no --child-silent-after-fork=no \
	    --fullpath-after= --num-callers=30 \
	    --suppressions="$here/valgrind.supp" \
	    --log-file="$logs/$name/vg.%p" ${VALGRIND_FLAGS:-} \
	    "$BASH" -c "enable -f '$so' pool timeout_run retry || exit 3
$script" >"$logs/$name/out" 2>&1
	st=$?
	if [ "$st" -ne 0 ]; then
		echo "valgrind: $name: FAILED (status $st):" >&2
		tail -n 20 "$logs/$name/out" >&2
		failed=1
	fi
	report "$name" "$((SECONDS - t0))"
}

# report NAME SECS: sort the errors in NAME's logs into ours and bash's.
report() {
	local name=$1 secs=$2 ours bash
	awk -v src="$sodir" -v so="$so" -v dir="$logs/$name" '
	function flush() {
		# Stacks that are not errors: a process killed by a signal.
		if (block ~ /== +(at|by) 0x/ &&
		    block !~ /^\n==[0-9]+== Process terminating/) {
			if (index(block, src "/lib/") || index(block, src "/pool/") ||
			    index(block, src "/builtins/") || index(block, so))
				{ print block > (dir "/ours"); n_ours++ }
			else
				{ print block > (dir "/bash"); n_bash++ }
		}
		block = ""
	}
	FNR == 1 { flush() }
	/^==[0-9]+== *$/ { flush(); next }
	/^==[0-9]+== / { block = block "\n" $0 }
	END { flush(); printf "%d %d\n", n_ours, n_bash }
	' "$logs/$name"/vg.* >"$logs/$name/count"
	read -r ours bash <"$logs/$name/count"
	echo "valgrind: $name: ${secs}s, $ours errors in bgtools.so," \
	    "$bash in bash itself"
	if [ "$ours" -gt 0 ]; then
		cat "$logs/$name/ours" >&2
		failed=1
	fi
	if [ "$bash" -gt 0 ]; then
		echo "valgrind: $name: bash's own errors (not bgtools):" >&2
		cat "$logs/$name/bash" >&2
		[ -n "${VALGRIND_STRICT:-}" ] && failed=1
	fi
}

# 1,000 function jobs, every seventh failing; output grouped, in order and
# tagged; statuses in an array.  pool's status: 142 failures, capped 101.
# Then jobs stopped by --timeout, and the --sem / --wait mode.
vg pool '
f() { echo "out $1"; echo "err $1" >&2; return $(($1 % 7 == 0)); }
pool -j8 -k --tag --status-array st f ::: $(seq 1000) >/dev/null 2>&1
r=$?
[ "$r" -eq 101 ] || { echo "pool: status $r, not 101"; exit 1; }
[ "${#st[@]}" -eq 1000 ] || { echo "pool: ${#st[@]} statuses"; exit 1; }
n=0; for s in "${st[@]}"; do n=$((n + s)); done
[ "$n" -eq 142 ] || { echo "pool: $n failures, not 142"; exit 1; }
out=$(pool -j4 --timeout 0.2 sleep ::: 0 5 0 5 2>&1)
[ $? -eq 2 ] || { echo "pool --timeout: not 2 failures"; exit 1; }
{ for i in $(seq 20); do pool --sem -j4 f "$i"; done; pool --wait; } \
    >/dev/null 2>&1
r=$?; [ "$r" -eq 2 ] || { echo "pool --sem: status $r, not 2"; exit 1; }
'

# The limit fires: TERM ends a disk command and a function; KILL (-k) a
# command that ignores TERM.
vg timeout_run '
timeout_run 0.3 sleep 10
r=$?; [ "$r" -eq 124 ] || { echo "timeout_run sleep: $r, not 124"; exit 1; }
f() { while :; do sleep 0.05; done; }
timeout_run 0.3 f
r=$?; [ "$r" -eq 124 ] || { echo "timeout_run f: $r, not 124"; exit 1; }
timeout_run -k 0.2 0.2 bash -c "trap \"\" TERM; sleep 10"
r=$?; [ "$r" -eq 137 ] || { echo "timeout_run -k: $r, not 137"; exit 1; }
timeout_run 5 true
r=$?; [ "$r" -eq 0 ] || { echo "timeout_run true: $r, not 0"; exit 1; }
'

# retry in the shell until the fourth attempt, with exit-code lists; and
# with -t, each attempt a timed child job that times out.
vg retry '
n=0; g() { n=$((n + 1)); [ "$n" -ge 4 ]; }
retry -q -n 6 -d 10ms --jitter equal g
r=$?; [ "$r" -eq 0 ] && [ "$n" -eq 4 ] ||
    { echo "retry g: status $r after $n attempts"; exit 1; }
h() { return 75; }
retry -q -n 3 -d 1ms --on 75,100-110 --stop-on 1 h
r=$?; [ "$r" -eq 75 ] || { echo "retry --on: $r, not 75"; exit 1; }
retry -q -n 3 -d 10ms -b 1.5 -m 20ms -t 0.2 sleep 5
r=$?; [ "$r" -eq 124 ] || { echo "retry -t: $r, not 124"; exit 1; }
'

[ -z "$failed" ] && echo "valgrind: clean"
[ -z "$failed" ]
