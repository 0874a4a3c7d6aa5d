#!/bin/bash
# bench/persist.sh - pool --persist against the forking mode and the peers.
#
# Two workloads at -j2, medians of 5 (BENCH_RUNS_SCALE scales), µs/item:
#   colon  f(){ :; } over 20,000 items, every item's status checked
#          (pool --status-array: 20,000 zeros).  Target for pool --persist: <= 3.3.
#   echo   f(){ echo "$1"; } with -k into a file, checked byte for byte
#          against seq.  Target for pool --persist: <= 5.
# Rows: pool --persist; pool forking (-u --status-array / -k); forkrun v3.4.3 batched
# (thousands of lines per call: its function loops over "$@"; no per-item
# status) and -L 1 (one line per call); GNU parallel 20260522 --fast
# (`:' and `echo' as commands: its /bin/sh chunks cannot call a bash
# function); a bash loop (`f "$i" &' and `wait -n' when 2 run, its
# statuses collected; colon only, it has no order); and the floor: a
# plain `for' loop calling the function in the shell itself (one CPU).  The forking rows run
# FORK_ITEMS items (they cost about 1 ms an item); µs/item is comparable.
# A missing peer is skipped with a note.  Ratio: the row's µs/item over
# pool --persist's.
#
# The same with the items on stdin (a pipe: pool --persist streams them
# through its reader job; target: within 1.5x of the ::: rows), 200,000
# items of f(){ :; } through ::: and stdin (target: >= 1,000,000
# items/s), Debian's GNU parallel and xargs (`:' as a command: they
# cannot call a function) on FORK_ITEMS items, and 100 items in both
# modes (start-up included; target: --persist not slower).
#
# Then 1,000,000 items on stdin (MEM_ITEMS): the shell's peak RSS beyond
# the status array's own (target: <= 2 MiB) and µs/item against 100,000.
#
# Then --timeout 1ms on TIMEOUT_ITEMS (default 1000) items that each run
# `sleep 1': every item is stopped (--status-array checked: all 143), in --persist
# (a new worker per item) and in forking mode; medians of 5, µs/item.
#
# Last, forking mode after a large shell: the script expands a
# 200,000-word array first, and pool (forking), the bash loop and pool
# --persist run FORK_ITEMS items again: each fork copies the larger
# shell's page tables; the persistent workers fork -j times only.
#
# Usage: bash bench/persist.sh   (BGTOOLS_SO, BENCH_RUNS_SCALE: lib.sh)

. "$(dirname "$0")/lib.sh"
bench_init "pool --persist: 20,000 small items at -j2, µs per item" pool

ITEMS=20000
FORK_ITEMS=500
PEERS=$(dirname "$0")/../../shared/peers
FRUN=$PEERS/forkrun/frun.bash
PARALLEL_DIR=$PEERS/gnu-parallel
RESULTS=()

f() { :; }
g() { echo "$1"; }
# forkrun batched: one call gets many lines.
fb() { :; }
gb() { printf '%s\n' "$@"; }

BIG_ITEMS=200000
seq "$ITEMS" > "$BENCH_TMP/items"
seq "$FORK_ITEMS" > "$BENCH_TMP/items.fork"
seq "$BIG_ITEMS" > "$BENCH_TMP/items.big"
seq 100 > "$BENCH_TMP/items.100"
# shellcheck disable=SC2034 # used in the strings measure evaluates
mapfile -t items < "$BENCH_TMP/items"
# shellcheck disable=SC2034 # likewise
mapfile -t fitems < "$BENCH_TMP/items.fork"
# shellcheck disable=SC2034 # likewise
mapfile -t bitems < "$BENCH_TMP/items.big"
# shellcheck disable=SC2034 # likewise
mapfile -t hitems < "$BENCH_TMP/items.100"

# check_zeros N: fail unless st holds N statuses, all 0.
check_zeros() {
	local all=" ${st[*]} "
	((${#st[@]} == $1)) || bench_fail "${#st[@]} statuses, expected $1"
	[[ $all =~ \ [^0\ ] ]] && bench_fail "a status is not 0: ${BASH_REMATCH[0]}"
	return 0
}

# check_out FILE N: fail unless FILE is seq N byte for byte.
check_out() {
	seq "$2" | cmp -s - "$1" || bench_fail "$3: output differs from seq $2"
}

# per_item US N: print US/N with one decimal.
per_item() {
	awk -v u="$1" -v n="$2" 'BEGIN { printf "%.1f", u / n }'
}

# measure NAME N COLON-CMD ECHO-CMD: time each command 5 times (ECHO-CMD
# writes $BENCH_TMP/out; "" skips it) and add a result row.
measure() {
	local name=$1 n=$2 c=$3 e=$4 i t runs
	local -a tc=() te=()
	runs=$(bench_runs 5)
	for ((i = 0; i < runs; i++)); do
		st=()
		bench_time_us t eval "$c" || bench_fail "$name: status $?"
		[[ $c == *--status-array* ]] && check_zeros "$n"
		tc+=("$t")
		if [ -n "$e" ]; then
			bench_time_us t eval "$e" > "$BENCH_TMP/out" ||
			    bench_fail "$name (echo): status $?"
			check_out "$BENCH_TMP/out" "$n" "$name"
			te+=("$t")
		fi
	done
	bench_median mc "${tc[@]}"
	me=
	[ -n "$e" ] && bench_median me "${te[@]}"
	RESULTS+=("$name|$(per_item "$mc" "$n")|${me:+$(per_item "$me" "$n")}")
	# Progress, for a run cut short: the row and the load now.
	printf '# %s: %s µs/item%s (load %s)\n' "$name" "$(per_item "$mc" "$n")" \
	    "${me:+, echo -k $(per_item "$me" "$n")}" \
	    "$(cut -d" " -f1 /proc/loadavg)" >&2
}

# table TITLE: print RESULTS as a table (µs per item and the ratio to
# its first row), then empty RESULTS.
table() {
	local base_c base_e name c e
	IFS='|' read -r _ base_c base_e <<< "${RESULTS[0]}"
	printf '\n### %s\n\n' "$1"
	printf '| tool | colon µs/item | ratio | echo -k µs/item | ratio |\n'
	printf '|---|---:|---:|---:|---:|\n'
	for r in "${RESULTS[@]}"; do
		IFS='|' read -r name c e <<< "$r"
		printf '| %s | %s | %s | %s | %s |\n' "$name" "$c" \
		    "$(awk -v a="$c" -v b="$base_c" 'BEGIN { printf "%.2f", a / b }')" \
		    "${e:-n/a}" "$([ -n "$e" ] && [ -n "$base_e" ] &&
		    awk -v a="$e" -v b="$base_e" 'BEGIN { printf "%.2f", a / b }' ||
		    echo n/a)"
	done
	RESULTS=()
}

# rate US: items per second at US µs per item.
rate() {
	awk -v u="$1" 'BEGIN { printf "%.0f", 1e6 / u }'
}

# loop_run N: the bash loop over 1..N, 2 at a time; fail on a bad status.
loop_run() {
	local i r=0 k=0
	for ((i = 1; i <= $1; i++)); do
		f "$i" &
		if ((++k >= 2)); then
			wait -n || r=1
			((k--))
		fi
	done
	while ((k-- > 0)); do wait -n || r=1; done
	return "$r"
}

measure "pool --persist (-u --status-array / -k)" "$ITEMS" \
    'pool --persist -j2 -u --status-array st f ::: "${items[@]}"' \
    'pool --persist -j2 -k g ::: "${items[@]}"'
measure "pool forking (-u --status-array / -k), $FORK_ITEMS items" "$FORK_ITEMS" \
    'pool -j2 -u --status-array st f ::: "${fitems[@]}"' \
    'pool -j2 -k g ::: "${fitems[@]}"'
if [ -r "$FRUN" ]; then
	# frun.bash is not written for set -u.
	set +u
	# shellcheck source=/dev/null # a peer's file, outside the repository
	. "$FRUN"
	measure "forkrun batched (no per-item status)" "$ITEMS" \
	    'frun -j 2 fb < "$BENCH_TMP/items" 2> /dev/null' \
	    'frun -j 2 -k gb < "$BENCH_TMP/items" 2> /dev/null'
	measure "forkrun -L 1 (no per-item status)" "$ITEMS" \
	    'frun -j 2 -L 1 f < "$BENCH_TMP/items" 2> /dev/null' \
	    'frun -j 2 -k -L 1 g < "$BENCH_TMP/items" 2> /dev/null'
	set -u
else
	bench_note "forkrun rows skipped: no $FRUN"
fi
if [ -x "$PARALLEL_DIR/parallel" ]; then
	measure "GNU parallel 20260522 --fast (: and echo)" "$ITEMS" \
	    'PATH=$PARALLEL_DIR:$PATH parallel --fast -j2 : ::: "${items[@]}"' \
	    'PATH=$PARALLEL_DIR:$PATH parallel --fast -j2 -k echo ::: "${items[@]}"'
else
	bench_note "GNU parallel --fast row skipped: no $PARALLEL_DIR/parallel"
fi
measure "bash f & + wait -n loop, $FORK_ITEMS items" "$FORK_ITEMS" \
    'loop_run "$FORK_ITEMS"' ""
if command -v parallel > /dev/null; then
	measure "Debian GNU parallel $(parallel --minversion 0 2> /dev/null | head -n 1) (: and echo), $FORK_ITEMS items" \
	    "$FORK_ITEMS" \
	    'parallel -j2 : ::: "${fitems[@]}"' \
	    'parallel -j2 -k echo ::: "${fitems[@]}"'
else
	bench_note "Debian GNU parallel row skipped: not installed"
fi
# The floor: the function called item after item in the shell itself,
# one process, no fork, no status kept, no output captured.
measure "bash for loop in the shell itself (one CPU, no fork, no per-item status)" \
    "$ITEMS" 'for i in "${items[@]}"; do f "$i"; done' \
    'for i in "${items[@]}"; do g "$i"; done'
# xargs has no order: no echo -k column.
measure "xargs -P2 -n1 sh -c : (no per-item status), $FORK_ITEMS items" \
    "$FORK_ITEMS" 'xargs -P2 -n1 sh -c : < "$BENCH_TMP/items.fork"' ""

# The table: µs per item, and the ratio to pool --persist's.
IFS='|' read -r _ base_c base_e <<< "${RESULTS[0]}"
out=$(
	printf '### %s\n' "$BENCH_TITLE"
	table "20,000 items (forking rows: $FORK_ITEMS), -j2"
	printf '\nTargets for pool --persist: colon <= 3.3 µs/item (%s), ' \
	    "$(awk -v c="$base_c" 'BEGIN { print (c <= 3.3) ? "met" : "not met" }')"
	printf 'echo -k <= 5 µs/item (%s).\n' \
	    "$(awk -v e="$base_e" 'BEGIN { print (e <= 5) ? "met" : "not met" }')"
)
RESULTS=()

# Stdin (a pipe), 200,000 items, 100 items.
measure "pool --persist, ::: (as above)" "$ITEMS" \
    'pool --persist -j2 -u --status-array st f ::: "${items[@]}"' \
    'pool --persist -j2 -k g ::: "${items[@]}"'
measure "pool --persist, items on stdin (a pipe)" "$ITEMS" \
    'pool --persist -j2 -u --status-array st f < <(cat "$BENCH_TMP/items")' \
    'pool --persist -j2 -k g < <(cat "$BENCH_TMP/items")'
IFS='|' read -r _ sa_c sa_e <<< "${RESULTS[0]}"
IFS='|' read -r _ sp_c sp_e <<< "${RESULTS[1]}"
measure "pool --persist, $BIG_ITEMS items, :::" "$BIG_ITEMS" \
    'pool --persist -j2 -u --status-array st f ::: "${bitems[@]}"' ""
measure "pool --persist, $BIG_ITEMS items on stdin (a pipe)" "$BIG_ITEMS" \
    'pool --persist -j2 -u --status-array st f < <(cat "$BENCH_TMP/items.big")' ""
IFS='|' read -r _ big_c _ <<< "${RESULTS[2]}"
IFS='|' read -r _ bigs_c _ <<< "${RESULTS[3]}"
measure "pool --persist, 100 items" 100 \
    'pool --persist -j2 -u --status-array st f ::: "${hitems[@]}"' \
    'pool --persist -j2 -k g ::: "${hitems[@]}"'
measure "pool forking, 100 items" 100 \
    'pool -j2 -u --status-array st f ::: "${hitems[@]}"' \
    'pool -j2 -k g ::: "${hitems[@]}"'
IFS='|' read -r _ hp_c hp_e <<< "${RESULTS[4]}"
IFS='|' read -r _ hf_c hf_e <<< "${RESULTS[5]}"
# What 1,000,000 items/s asks of the machine: without the status array,
# and forkrun's batched mode (one call for thousands of lines, no status).
measure "pool --persist, $BIG_ITEMS items on stdin, no --status-array" \
    "$BIG_ITEMS" 'pool --persist -j2 -u f < <(cat "$BENCH_TMP/items.big")' ""
IFS='|' read -r _ bign_c _ <<< "${RESULTS[6]}"
bigf_c=
if [ -r "$FRUN" ]; then
	set +u
	measure "forkrun batched, $BIG_ITEMS items (no per-item status)" \
	    "$BIG_ITEMS" 'frun -j 2 fb < "$BENCH_TMP/items.big" 2> /dev/null' ""
	set -u
	IFS='|' read -r _ bigf_c _ <<< "${RESULTS[7]}"
fi
out+=$(
	table "stdin, 200,000 items, 100 items (-j2)"
	printf '\nstdin/::: (target <= 1.5): colon %s, echo -k %s.  ' \
	    "$(awk -v a="$sp_c" -v b="$sa_c" 'BEGIN { printf "%.2f", a / b }')" \
	    "$(awk -v a="$sp_e" -v b="$sa_e" 'BEGIN { printf "%.2f", a / b }')"
	printf '%s items: %s items/s through :::, %s through stdin (target >= 1,000,000), ' \
	    "$BIG_ITEMS" "$(rate "$big_c")" "$(rate "$bigs_c")"
	printf '%s without the status array%s.  ' "$(rate "$bign_c")" \
	    "${bigf_c:+; forkrun batched: $(rate "$bigf_c")}"
	printf '100 items, persist/forking (target <= 1): colon %s, echo -k %s.\n' \
	    "$(awk -v a="$hp_c" -v b="$hf_c" 'BEGIN { printf "%.2f", a / b }')" \
	    "$(awk -v a="$hp_e" -v b="$hf_e" 'BEGIN { printf "%.2f", a / b }')"
)
# 1,000,000 items on stdin: the shell's peak RSS (VmHWM) beyond the
# status array's own (an array of as many zeros is made and emptied
# first, so that malloc already has that memory), and µs/item against
# 100,000 items (target: flat).  One run each: a million items take long.
MEM_ITEMS=${MEM_ITEMS:-1000000}
hwm_kb() {
	local k v r
	while read -r k v r; do [ "$k" = VmHWM: ] && REPLY=$v; done < /proc/$BASHPID/status
}
seq "$MEM_ITEMS" > "$BENCH_TMP/items.mem"
seq 100000 > "$BENCH_TMP/items.100k"
st=()
for ((i = 0; i < MEM_ITEMS; i++)); do st[i]=0; done
st=()
hwm_kb
h0=$REPLY
bench_time_us t_mem pool --persist -j2 -u --status-array st f < "$BENCH_TMP/items.mem" ||
    bench_fail "$MEM_ITEMS items: status $?"
hwm_kb
mem_kb=$((REPLY - h0))
check_zeros "$MEM_ITEMS"
st=()
bench_time_us t_100k pool --persist -j2 -u --status-array st f < "$BENCH_TMP/items.100k" ||
    bench_fail "100,000 items: status $?"
check_zeros 100000
out+=$(
	printf '\n%s stdin items: the shell'"'"'s peak RSS grew %s kB beyond the status array'"'"'s own (target <= 2048), ' \
	    "$MEM_ITEMS" "$mem_kb"
	printf '%s µs/item (100,000 items: %s).\n' \
	    "$(per_item "$t_mem" "$MEM_ITEMS")" "$(per_item "$t_100k" 100000)"
)
st=()
# --timeout: every item stopped, in both modes.
TIMEOUT_ITEMS=${TIMEOUT_ITEMS:-1000}
sl() { sleep 1; }
check_143() {
	local all=" ${st[*]} "
	((${#st[@]} == TIMEOUT_ITEMS)) || bench_fail "${#st[@]} statuses"
	[[ $all =~ \ ([^1\ ]|1[^4]|14[^3]) ]] && bench_fail "a status is not 143"
	return 0
}
# timeout_row MODE: set TROW to MODE's median µs/item.
timeout_row() {
	local -a tt=()
	local i t
	for ((i = 0; i < $(bench_runs 5); i++)); do
		st=()
		bench_time_us t pool ${1:+"$1"} -j2 --status-array st --timeout 1ms sl \
		    ::: $(seq "$TIMEOUT_ITEMS")
		check_143
		tt+=("$t")
	done
	bench_median t "${tt[@]}"
	TROW=$(per_item "$t" "$TIMEOUT_ITEMS")
}
timeout_row --persist
tp=$TROW
timeout_row ""
tf=$TROW
out+=$(
	printf '\n\n| --timeout 1ms, %s items of `sleep 1`, -j2 | µs/item |\n' "$TIMEOUT_ITEMS"
	printf '|---|---:|\n| pool --persist | %s |\n| pool forking | %s |\n' "$tp" "$tf"
	printf '\nRatio persist/forking: %s (target: within 2x).\n' \
	    "$(awk -v a="$tp" -v b="$tf" 'BEGIN { printf "%.2f", a / b }')"
)
# Forking mode after a large shell: the fork-per-item rows again.
RESULTS=()
measure "pool forking, small shell (as above)" "$FORK_ITEMS" \
    'pool -j2 -u --status-array st f ::: "${fitems[@]}"' ""
measure "bash f & + wait -n loop, small shell" "$FORK_ITEMS" \
    'loop_run "$FORK_ITEMS"' ""
# shellcheck disable=SC2034,SC2207 # the point: a large shell, split on purpose
large=($(seq "$BIG_ITEMS"))
measure "pool forking, after a $BIG_ITEMS-word array" "$FORK_ITEMS" \
    'pool -j2 -u --status-array st f ::: "${fitems[@]}"' ""
measure "bash f & + wait -n loop, after a $BIG_ITEMS-word array" "$FORK_ITEMS" \
    'loop_run "$FORK_ITEMS"' ""
measure "pool --persist, after a $BIG_ITEMS-word array" "$FORK_ITEMS" \
    'pool --persist -j2 -u --status-array st f ::: "${fitems[@]}"' ""
out+=$(table "forking mode after a large shell, $FORK_ITEMS items of f(){ :; }, -j2")
out+=$(printf '\n\nLoad average at the end: %s\n' "$(cut -d" " -f1-3 /proc/loadavg)")
printf '%s\n' "$out"
if [ -n "${BENCH_RESULTS:-}" ]; then
	mkdir -p "$BENCH_RESULTS" && printf '%s\n' "$out" > "$BENCH_RESULTS/$BENCH_NAME.md"
fi
