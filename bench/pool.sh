#!/bin/bash
# bench/pool.sh - pool against the bash loop, xargs -P and GNU parallel.
#
#   a. 5,000 runs of /bin/true at -j4: `pool -j4 -u' vs `xargs -P4 -n1'
#      (target: ratio <= 0.90), and the cost per job vs `parallel -j4',
#      which runs 500 items only, as it is slow (target: 20 times faster,
#      ratio <= 0.05).  As information, the floor: a 40-line C loop
#      (spawnloop.c: posix_spawn and wait, nothing else) on the same
#      5,000 runs, against xargs and parallel.  Run first, while the shell is small: every pool
#      job is a fork of the shell, and a fork costs more as the shell
#      grows (xargs forks itself, a small process).
#   b. 10,000 calls of a shell function f() { :; } at -j4 from a script:
#      `pool -j4 -u f ::: ...' vs the bash loop a user writes (start f in
#      the background, `wait -n' whenever 4 are running).  Target: ratio
#      <= 1.00.  pool's default grouped output (no -u) as an extra row.
#   c. the same in an interactive shell (bash -i on a pty, under
#      script(1)), where bash's `wait -n' is slower and prints a "Done"
#      line per job.  Target: ratio <= 0.50.
#   d. 100,000 jobs in one call (each 10,000th job stamps the time; the
#      items come from a pipe on stdin, so that the shell builds no word
#      list for them): the last 10,000 take no longer than the first
#      (target: ratio <= 1.20), the shell's VmRSS grows by at most 2 MiB
#      and the job table is back to its size before the call.  One run,
#      about a minute.
#   e. 50 jobs each printing 20 MB (cat of a 20 MB file), grouped output
#      (pool's default), vs the same 50 cats run one after the other into
#      the same sink: /dev/null, and a pipe to `wc -c' (the byte count is
#      checked on every run).  Target: ratio <= 1.50.
#
# Both sides run interleaved (the order swapped every run), medians of at
# least 5 runs; every run checks its exit status and every job's status
# (pool --status-array, or each `wait -n'), or the bytes and stamps it produced.
# Under 5 minutes on 2 idle cores.
#
# Usage: bash bench/pool.sh   (BGTOOLS_SO, BENCH_RUNS_SCALE: see lib.sh)

. "$(dirname "$0")/lib.sh"
bench_init "pool: against a bash loop, xargs -P and GNU parallel" pool

TRUE_ITEMS=5000		# a
PARALLEL_ITEMS=500	# a, GNU parallel's side
FN_ITEMS=10000		# b, c
BIG_ITEMS=100000	# d
BIG_BLOCK=10000		# d
BLOB_JOBS=50		# e
BLOB_BYTES=20000000	# e

# f: the job of b and c: does nothing.
f() { :; }

# check_statuses ARRAY N WHAT: fail unless ARRAY (pool --status-array) holds N
# statuses, all 0.
check_statuses() {
	local -n _cs=$1
	local all=" ${_cs[*]} "

	((${#_cs[@]} == $2)) ||
	    bench_fail "$3: ${#_cs[@]} statuses, expected $2"
	[[ $all =~ \ [^0\ ] ]] && bench_fail "$3: a job failed: ${BASH_REMATCH[0]}"
	return 0
}

# loop_jobs N CMD...: the hand-written pool: run CMD ITEM in the
# background for each of the items 1..N, 4 at a time, collecting every
# status with `wait -n'.  Sets loop_ran (jobs waited for), loop_bad
# (non-zero statuses) and loop_lost (127s: now and then bash 5.2's
# `wait -n' returns 127, "no job", while jobs that ended are still in the
# table unreported; their statuses are lost, which is not a failure of
# the job).
loop_jobs() {
	local n=0 i items=$1
	shift
	loop_ran=0
	loop_bad=0
	loop_lost=0
	for ((i = 1; i <= items; i++)); do
		"$@" "$i" &
		if ((++n >= 4)); then
			wait -n
			loop_status $?
			n=$((n - 1))
		fi
	done
	while ((n > 0)); do
		wait -n
		loop_status $?
		n=$((n - 1))
	done
}

# loop_status STATUS: count one status `wait -n' returned in loop_jobs.
loop_status() {
	loop_ran=$((loop_ran + 1))
	case $1 in
	0) ;;
	127) loop_lost=$((loop_lost + 1)) ;;
	*) loop_bad=$((loop_bad + 1)) ;;
	esac
}

# check_loop N WHAT: fail unless loop_jobs waited for N jobs, none of
# which failed; add the statuses lost to lost_total.
check_loop() {
	((loop_ran == $1 && loop_bad == 0)) ||
	    bench_fail "$2: $loop_ran jobs waited for ($loop_bad failed), expected $1"
	lost_total=$((lost_total + loop_lost))
}

# With thousands of items, pool is called directly, not through
# bench_time_us: once a function has expanded "$@", bash caches the
# expansion, and the first function call in each forked job frees that
# list, so 10,000 items passed through "$@" would add a free of 10,000
# words to every job (a bash loop's `f &' under such a function pays the
# same), a cost the loop side here does not pay.
runs=$(bench_runs 5)
mapfile -t fn_items < <(seq "$FN_ITEMS")
mapfile -t true_items < <(seq "$TRUE_ITEMS")
mapfile -t par_items < <(seq "$PARALLEL_ITEMS")
seq "$TRUE_ITEMS" > "$BENCH_TMP/true_items"
head -c "$BLOB_BYTES" /dev/zero > "$BENCH_TMP/blob" ||
    bench_fail "cannot write $BENCH_TMP/blob"
bench_note "load before: $(cut -d' ' -f1-3 /proc/loadavg), $runs runs"

# rss_kib VAR: set VAR to this shell's VmRSS in KiB.
rss_kib() {
	local -n _rk=$1
	local k v
	while read -r k v _; do
		[ "$k" = VmRSS: ] && { _rk=$v; return 0; }
	done < "/proc/$BASHPID/status"
	bench_fail "no VmRSS in /proc/$BASHPID/status"
}

# --- a. /bin/true -----------------------------------------------------------

a_pool=() a_xargs=() a_par=() a_floor=()
${CC:-cc} -O2 -o "$BENCH_TMP/spawnloop" "$(dirname "$0")/spawnloop.c" ||
    bench_fail "cannot build spawnloop.c"
rss_kib rss
bench_note "a. $TRUE_ITEMS x /bin/true at -j4 (parallel: $PARALLEL_ITEMS); shell VmRSS $rss KiB"
for ((r = 0; r < runs; r++)); do
	for side in $( ((r % 2)) && echo parallel floor xargs pool ||
	    echo pool xargs floor parallel); do
		case $side in
		floor)
			bench_time_us t "$BENCH_TMP/spawnloop" "$TRUE_ITEMS" 4 \
			    /bin/true
			bench_expect 0 $? "spawnloop $TRUE_ITEMS 4 /bin/true"
			a_floor+=("$t")
			;;
		pool)
			st=()
			bench_now_us t0
			pool -j4 -u --status-array st /bin/true ::: "${true_items[@]}"
			rc=$?
			bench_now_us t1
			t=$((t1 - t0))
			bench_expect 0 "$rc" "pool -j4 -u /bin/true"
			check_statuses st "$TRUE_ITEMS" "pool -j4 -u /bin/true"
			a_pool+=("$t")
			;;
		xargs)
			bench_time_us t xargs -P4 -n1 /bin/true \
			    < "$BENCH_TMP/true_items"
			bench_expect 0 $? "xargs -P4 -n1 /bin/true"
			a_xargs+=("$t")
			;;
		parallel)
			bench_time_us t parallel --will-cite -j4 /bin/true ::: \
			    "${par_items[@]}"
			bench_expect 0 $? "parallel -j4 /bin/true"
			a_par+=("$t")
			;;
		esac
	done
done
bench_median m_pool "${a_pool[@]}"
bench_median m_xargs "${a_xargs[@]}"
bench_median m_par "${a_par[@]}"
bench_row "a. $TRUE_ITEMS x /bin/true, -j4: pool -u vs xargs -P4 -n1 (median of $runs)" \
    "$m_pool" "$m_xargs" "ratio <= 0.90" \
    "$(bench_met_ratio "$m_pool" "$m_xargs" 0.90)"
# Per job: pool's time over TRUE_ITEMS vs parallel's over PARALLEL_ITEMS
# (parallel's start-up, about 0.2 s, is spread over its 500 items).
pj_pool=$((m_pool / TRUE_ITEMS))
pj_par=$((m_par / PARALLEL_ITEMS))
bench_row "a. /bin/true, -j4, per job: pool -u on $TRUE_ITEMS vs parallel -j4 on $PARALLEL_ITEMS items (median of $runs)" \
    "$pj_pool" "$pj_par" "ratio <= 0.05 (20x faster)" \
    "$(bench_met_ratio "$m_pool" $((m_par * TRUE_ITEMS / PARALLEL_ITEMS)) 0.05)"
bench_median m_floor "${a_floor[@]}"
bench_row "a. (floor) $TRUE_ITEMS x /bin/true, -j4: a C posix_spawn loop vs xargs -P4 -n1 (median of $runs)" \
    "$m_floor" "$m_xargs" "(information)" "-"
bench_row "a. (floor) /bin/true, -j4, per job: the C loop on $TRUE_ITEMS vs parallel -j4 on $PARALLEL_ITEMS items (median of $runs)" \
    "$((m_floor / TRUE_ITEMS))" "$pj_par" "(information)" "-"

# --- b. shell function, script ------------------------------------------

b_pool_u=() b_pool_g=() b_loop=() lost_total=0
bench_note "b. $FN_ITEMS x f at -j4 in a script"
for ((r = 0; r < runs; r++)); do
	for side in $( ((r % 2)) && echo loop pool_u pool_g ||
	    echo pool_u pool_g loop); do
		case $side in
		pool_u)
			st=()
			bench_now_us t0
			pool -j4 -u --status-array st f ::: "${fn_items[@]}"
			rc=$?
			bench_now_us t1
			t=$((t1 - t0))
			bench_expect 0 "$rc" "pool -j4 -u f"
			check_statuses st "$FN_ITEMS" "pool -j4 -u f"
			b_pool_u+=("$t")
			;;
		pool_g)
			st=()
			bench_now_us t0
			pool -j4 --status-array st f ::: "${fn_items[@]}"
			rc=$?
			bench_now_us t1
			t=$((t1 - t0))
			bench_expect 0 "$rc" "pool -j4 f"
			check_statuses st "$FN_ITEMS" "pool -j4 f"
			b_pool_g+=("$t")
			;;
		loop)
			bench_time_us t loop_jobs "$FN_ITEMS" f
			check_loop "$FN_ITEMS" "bash loop over f"
			b_loop+=("$t")
			;;
		esac
	done
done
bench_note "b. statuses the bash loop's wait -n lost (127) in $runs runs: $lost_total"
bench_median m_pool_u "${b_pool_u[@]}"
bench_median m_pool_g "${b_pool_g[@]}"
bench_median m_loop "${b_loop[@]}"
bench_row "b. $FN_ITEMS x f, -j4, script: pool -u vs bash loop with wait -n (median of $runs)" \
    "$m_pool_u" "$m_loop" "ratio <= 1.00" \
    "$(bench_met_ratio "$m_pool_u" "$m_loop" 1.00)"
bench_row "b. $FN_ITEMS x f, -j4, script: pool (grouped) vs bash loop with wait -n (median of $runs)" \
    "$m_pool_g" "$m_loop" "ratio <= 1.00" \
    "$(bench_met_ratio "$m_pool_g" "$m_loop" 1.00)"

# --- c. shell function, interactive shell --------------------------------

# The interactive side runs in its own bash -i on the pty script(1)
# makes; it writes "POOL_US LOOP_US" per run, or "FAIL why", to a file.
cat > "$BENCH_TMP/interactive.sh" <<'EOF'
# interactive.sh SO RUNS ITEMS OUT
enable -f "$1" pool || { echo "FAIL cannot load $1" > "$4"; exit 1; }
f() { :; }
mapfile -t items < <(seq "$3")
for ((r = 0; r < $2; r++)); do
	st=()
	t0=${EPOCHREALTIME/[^0-9]/}
	pool -j4 -u --status-array st f ::: "${items[@]}"
	rc=$?
	t1=${EPOCHREALTIME/[^0-9]/}
	all=" ${st[*]} "
	if ((rc != 0 || ${#st[@]} != $3)) || [[ $all =~ \ [^0\ ] ]]; then
		echo "FAIL pool: status $rc, ${#st[@]} statuses" >> "$4"
		exit 1
	fi
	# An interactive bash reports ended jobs ("Done") and forgets them
	# before `wait -n' asks: it then returns 127 with nothing to wait
	# for.  Those statuses are lost; they are counted, not failures
	# (see loop_jobs).
	n=0 ran=0 bad=0 lost=0
	t2=${EPOCHREALTIME/[^0-9]/}
	for ((i = 1; i <= $3; i++)); do
		f "$i" &
		if ((++n >= 4)); then
			wait -n
			case $? in 0) ;; 127) lost=$((lost + 1)) ;;
			*) bad=$((bad + 1)) ;; esac
			n=$((n - 1)) ran=$((ran + 1))
		fi
	done
	while ((n > 0)); do
		wait -n
		case $? in 0) ;; 127) lost=$((lost + 1)) ;;
		*) bad=$((bad + 1)) ;; esac
		n=$((n - 1)) ran=$((ran + 1))
	done
	t3=${EPOCHREALTIME/[^0-9]/}
	if ((ran != $3 || bad != 0)); then
		echo "FAIL loop: $ran jobs waited for, $bad failed" >> "$4"
		exit 1
	fi
	echo "$((t1 - t0)) $((t3 - t2)) $lost" >> "$4"
done
exit 0
EOF
bench_note "c. $FN_ITEMS x f at -j4 in an interactive shell (script -qc 'bash -i')"
so=$(realpath "$BGTOOLS_SO")
out=$BENCH_TMP/interactive.out
: > "$out"
script -qec "$(printf '%q ' bash --norc --noprofile -i \
    "$BENCH_TMP/interactive.sh" "$so" "$runs" "$FN_ITEMS" "$out")" \
    "$BENCH_TMP/interactive.tty" < /dev/null > /dev/null 2>&1 ||
    bench_fail "interactive run: $(grep FAIL "$out" || echo "script failed")"
c_pool=() c_loop=() c_lost=0
while read -r x y z; do
	[ "$x" = FAIL ] && bench_fail "interactive run: $y $z"
	c_pool+=("$x")
	c_loop+=("$y")
	c_lost=$((c_lost + z))
done < "$out"
((${#c_pool[@]} == runs)) ||
    bench_fail "interactive run: ${#c_pool[@]} results, expected $runs"
bench_note "c. \"Done\" lines on the terminal: $(grep -c 'Done' \
    "$BENCH_TMP/interactive.tty") (all from the bash loop: pool's jobs print none); statuses the loop's wait -n lost (127): $c_lost"
bench_median m_pool "${c_pool[@]}"
bench_median m_loop "${c_loop[@]}"
bench_row "c. $FN_ITEMS x f, -j4, interactive (bash -i): pool -u vs bash loop with wait -n (median of $runs)" \
    "$m_pool" "$m_loop" "ratio <= 0.50" \
    "$(bench_met_ratio "$m_pool" "$m_loop" 0.50)"

# --- d. 100,000 jobs ----------------------------------------------------------

# stamp_job: the job of d: every BIG_BLOCK-th job writes the time.
stamp_job() {
	((POOL_SEQ % BIG_BLOCK)) ||
	    echo "$POOL_SEQ ${EPOCHREALTIME/[^0-9]/}" >> "$BENCH_TMP/stamps"
}

# njobs VAR: set VAR to the number of lines `jobs' prints.
njobs() {
	local -n _nj=$1
	local -a l
	jobs > "$BENCH_TMP/jobs"
	mapfile -t l < "$BENCH_TMP/jobs"
	_nj=${#l[@]}
}

bench_note "d. $BIG_ITEMS jobs in one pool call (one run)"
jobs > /dev/null	# let bash forget the jobs it already reported
: > "$BENCH_TMP/stamps"
njobs jobs0
rss_kib rss0
bench_now_us t0
pool -j4 -u stamp_job < <(seq "$BIG_ITEMS")
big_st=$?
bench_now_us t1
rss_kib rss1
njobs jobs1
bench_expect 0 "$big_st" "pool -j4 -u stamp_job < <(seq $BIG_ITEMS)"
mapfile -t stamps < "$BENCH_TMP/stamps"
((${#stamps[@]} == BIG_ITEMS / BIG_BLOCK)) ||
    bench_fail "$BIG_ITEMS jobs: ${#stamps[@]} stamps, expected $((BIG_ITEMS / BIG_BLOCK))"
blocks=() prev=$t0
for ((i = 0; i < ${#stamps[@]}; i++)); do
	read -r seq us <<< "${stamps[i]}"
	((seq == (i + 1) * BIG_BLOCK)) ||
	    bench_fail "$BIG_ITEMS jobs: stamp $i from job $seq"
	blocks+=($((us - prev)))
	prev=$us
done
bench_note "d. blocks of $BIG_BLOCK (ms): $(for b in "${blocks[@]}"; do
	printf '%d ' $((b / 1000)); done)- total $(((t1 - t0) / 1000)) ms"
bench_row "d. $BIG_ITEMS jobs, -j4 -u: last $BIG_BLOCK vs first $BIG_BLOCK (one run)" \
    "${blocks[-1]}" "${blocks[0]}" "ratio <= 1.20" \
    "$(bench_met_ratio "${blocks[-1]}" "${blocks[0]}" 1.20)"
BENCH_ROWS+=("| d. $BIG_ITEMS jobs: shell VmRSS growth (after vs before) | $((rss1 - rss0)) KiB | $rss0 KiB before | - | <= 2048 KiB | $(bench_met $((rss1 - rss0)) -le 2048) |")
BENCH_ROWS+=("| d. $BIG_ITEMS jobs: lines of \`jobs' (after vs before) | $jobs1 | $jobs0 | - | equal | $(bench_met "$jobs1" -eq "$jobs0") |")

# --- e. 50 x 20 MB, grouped ---------------------------------------------------

# blob_job: the job of e: print the 20 MB file.
blob_job() {
	cat "$BENCH_TMP/blob"
}

# serial_blobs: the baseline: the same cats, one after the other.
serial_blobs() {
	local i
	for ((i = 0; i < BLOB_JOBS; i++)); do
		cat "$BENCH_TMP/blob" || return
	done
}

# to_wc CMD...: run CMD with its output piped to `wc -c', which writes
# the count to $BENCH_TMP/count; wait for wc too.
to_wc() {
	local _tw_st
	"$@" > >(wc -c > "$BENCH_TMP/count")
	_tw_st=$?
	wait $!
	return "$_tw_st"
}

# check_count WHAT: fail unless wc counted BLOB_JOBS x BLOB_BYTES.
check_count() {
	local c
	read -r c < "$BENCH_TMP/count"
	((c == BLOB_JOBS * BLOB_BYTES)) ||
	    bench_fail "$1: $c bytes, expected $((BLOB_JOBS * BLOB_BYTES))"
}

e_pool=() e_cat=() e_pool_wc=() e_cat_wc=()
mapfile -t blob_seq < <(seq "$BLOB_JOBS")
bench_note "e. $BLOB_JOBS x $BLOB_BYTES bytes, grouped, -j4"
for ((r = 0; r < runs; r++)); do
	for side in $( ((r % 2)) && echo cat pool || echo pool cat); do
		case $side in
		pool)
			st=()
			bench_time_us t pool -j4 --status-array st blob_job ::: \
			    "${blob_seq[@]}" > /dev/null
			bench_expect 0 $? "pool -j4 blob_job > /dev/null"
			check_statuses st "$BLOB_JOBS" "pool -j4 blob_job"
			e_pool+=("$t")
			st=()
			bench_time_us t to_wc pool -j4 --status-array st blob_job ::: \
			    "${blob_seq[@]}"
			bench_expect 0 $? "pool -j4 blob_job | wc -c"
			check_statuses st "$BLOB_JOBS" "pool -j4 blob_job | wc -c"
			check_count "pool -j4 blob_job | wc -c"
			e_pool_wc+=("$t")
			;;
		cat)
			bench_time_us t serial_blobs > /dev/null
			bench_expect 0 $? "cat > /dev/null"
			e_cat+=("$t")
			bench_time_us t to_wc serial_blobs
			bench_expect 0 $? "cat | wc -c"
			check_count "cat | wc -c"
			e_cat_wc+=("$t")
			;;
		esac
	done
done
bench_median m_pool "${e_pool[@]}"
bench_median m_cat "${e_cat[@]}"
bench_row "e. $BLOB_JOBS x 20 MB, grouped, -j4, > /dev/null: pool vs $BLOB_JOBS cats in a row (median of $runs)" \
    "$m_pool" "$m_cat" "ratio <= 1.50" \
    "$(bench_met_ratio "$m_pool" "$m_cat" 1.50)"
bench_median m_pool "${e_pool_wc[@]}"
bench_median m_cat "${e_cat_wc[@]}"
bench_row "e. $BLOB_JOBS x 20 MB, grouped, -j4, piped to wc -c (bytes checked): pool vs $BLOB_JOBS cats in a row (median of $runs)" \
    "$m_pool" "$m_cat" "ratio <= 1.50" \
    "$(bench_met_ratio "$m_pool" "$m_cat" 1.50)"

bench_note "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_table
