#!/bin/bash
# bench/remote.sh - pool's per-job overhead through ssh and srun, against
# GNU parallel on the same loopback host.
#
#   a. ssh: `pool -j1 -S 127.0.0.1 echo ::: 1..N' vs `parallel -j1 -S
#      127.0.0.1 echo ::: 1..N', per job (a new ssh connection and login
#      each).  Target: ratio <= 1.10.
#   b. the same with -M/--controlmaster on both sides (one connection per
#      host, each job a session on it).  Target: ratio <= 1.10.
#   c. pool -M against pool without it: what the master saves.  Target:
#      ratio < 1.00.
#   d. srun: each job an `srun --exclusive -N1 -n1' step inside one salloc
#      allocation, pool (--launcher '... bash -c') vs `parallel -j1 srun
#      ...'.  Target: ratio <= 1.10.
#
# The sshd (tests/cluster/sshd.sh) and the single-node Slurm
# (tests/cluster/slurm.sh) are started here, under $BENCH_TMP, and stopped
# by pid at the end.  A row whose component is missing (no sshd, no
# parallel, slurmd cannot run here) is left out with a note saying why.
# Sequential jobs (-j1), so each job's time is the overhead plus a remote
# `echo'; medians of 3 runs, the two sides interleaved; every run's status
# and output are checked.  A login on this machine runs the remote
# ~/.bashrc, whatever it costs, on both sides alike (here pyenv's init:
# over a second a login, which -M cannot save; it saves the connection
# and the key exchange).
#
# Usage: bash bench/remote.sh   (BGTOOLS_SO; REMOTE_JOBS: N, default 3)

. "$(dirname "$0")/lib.sh"
bench_init "pool through ssh and srun vs GNU parallel, per job" pool
CLUSTER=$(cd "$(dirname "$0")/../tests/cluster" && pwd)
N=${REMOTE_JOBS:-3}
RUNS=3
SSH_CFG=
SLURM_OK=

# items: the jobs' arguments; want: the output every run must print
# (sorted).
mapfile -t items < <(seq "$N")
want=$(seq "$N")

# check WHAT STATUS OUTPUT: status 0 and the N items, in any order.
check() {
	bench_expect 0 "$2" "$1"
	[ "$(sort -n <<< "$3")" = "$want" ] ||
	    bench_fail "$1: wrong output: $(head -c 200 <<< "$3")"
}

stop_all() {
	[ -z "$SSH_CFG" ] || "$CLUSTER/sshd.sh" stop "$BENCH_TMP/ssh"
	[ -z "$SLURM_OK" ] || "$CLUSTER/slurm.sh" stop "$BENCH_TMP/slurm"
	bench_cleanup
}
trap stop_all EXIT

# run_pool US_VAR OPTION...: time pool -j1 OPTION... echo ::: 1..N.
run_pool() {
	local _v=$1 out st
	shift
	bench_time_us "$_v" pool -j1 "$@" echo ::: "${items[@]}" > "$BENCH_TMP/out" 2>&1
	st=$?
	out=$(< "$BENCH_TMP/out")
	check "pool $*" "$st" "$out"
}

# run_par US_VAR OPTION...: the same with GNU parallel.  Debian's
# 20221122 with -M sometimes prints the output of only some jobs, status
# 0 (1 run in 3 here): such a run is counted (PAR_LOST), said at the end,
# and run again, at most 3 times.
PAR_LOST=0
run_par() {
	local _v=$1 out st try
	shift
	for ((try = 1; ; try++)); do
		bench_time_us "$_v" parallel -j1 "$@" echo ::: "${items[@]}" \
		    > "$BENCH_TMP/out" 2>&1
		st=$?
		out=$(< "$BENCH_TMP/out")
		[ "$st" != 0 ] || [ "$(sort -n <<< "$out")" = "$want" ] ||
		    ((try == 3)) || { PAR_LOST=$((PAR_LOST + 1)); continue; }
		check "parallel $*" "$st" "$out"
		return
	done
}

# per_job VAR US...: VAR = the median of the runs, divided by N.
per_job() {
	local -n _pj=$1
	shift
	bench_median _pj "$@"
	_pj=$((_pj / N))
}

ssh_rows() {
	local i t p1=() g1=() pm=() gm=() m_p m_g m_pm m_gm ssh
	ssh="ssh -F $SSH_CFG"
	for ((i = 0; i < RUNS; i++)); do
		run_pool t --ssh "$ssh" -S 127.0.0.1; p1+=("$t")
		run_par t --ssh "$ssh" -S 127.0.0.1; g1+=("$t")
		run_pool t -M --ssh "$ssh" -S 127.0.0.1; pm+=("$t")
		run_par t -M --ssh "$ssh" -S 127.0.0.1; gm+=("$t")
	done
	per_job m_p "${p1[@]}"
	per_job m_g "${g1[@]}"
	per_job m_pm "${pm[@]}"
	per_job m_gm "${gm[@]}"
	bench_row "a. ssh, per job (pool -S vs parallel -S)" "$m_p" "$m_g" \
	    "ratio <= 1.10" "$(bench_met_ratio "$m_p" "$m_g" 1.10)"
	bench_row "b. ssh -M, per job (pool -M vs parallel -M)" "$m_pm" "$m_gm" \
	    "ratio <= 1.10" "$(bench_met_ratio "$m_pm" "$m_gm" 1.10)"
	bench_row "c. pool -M vs pool without, per job" "$m_pm" "$m_p" \
	    "ratio < 1.00" "$(bench_met_ratio "$m_pm" "$m_p" 0.99)"
}

# The srun side runs inside one allocation: a script that times both
# sides, interleaved, and prints `pool US' and `par US' lines.
srun_rows() {
	local line p=() g=() m_p m_g st
	local launcher="srun --exclusive -N1 -n1"
	# shellcheck disable=SC2016 # expanded by the inner bash
	timeout -k 5 300 salloc -Q -N1 -n1 bash -c '
		enable -f "$BGTOOLS_SO" pool || exit 1
		want=$(seq "$1")
		for ((i = 0; i < $2; i++)); do
			t0=$EPOCHREALTIME
			out=$(pool -j1 --launcher "$3 bash -c" echo ::: $want 2>&1) || exit 1
			t1=$EPOCHREALTIME
			[ "$(sort -n <<< "$out")" = "$want" ] || exit 1
			echo "pool $(( ${t1/./} - ${t0/./} ))"
			t0=$EPOCHREALTIME
			out=$(parallel -j1 $3 echo ::: $want 2>&1) || exit 1
			t1=$EPOCHREALTIME
			[ "$(sort -n <<< "$out")" = "$want" ] || exit 1
			echo "par $(( ${t1/./} - ${t0/./} ))"
		done
	' srun_rows "$N" "$RUNS" "$launcher" > "$BENCH_TMP/srun" 2>&1
	st=$?
	[ "$st" = 0 ] || bench_fail "srun runs: status $st: $(head -c 300 "$BENCH_TMP/srun")"
	while read -r line; do
		case $line in
		"pool "*) p+=("${line#pool }") ;;
		"par "*) g+=("${line#par }") ;;
		esac
	done < "$BENCH_TMP/srun"
	if [ "${#p[@]}" != "$RUNS" ] || [ "${#g[@]}" != "$RUNS" ]; then
		bench_fail "srun runs: $(head -c 300 "$BENCH_TMP/srun")"
	fi
	per_job m_p "${p[@]}"
	per_job m_g "${g[@]}"
	bench_row "d. srun step, per job (pool vs parallel)" "$m_p" "$m_g" \
	    "ratio <= 1.10" "$(bench_met_ratio "$m_p" "$m_g" 1.10)"
}

if ! command -v parallel > /dev/null; then
	bench_note "GNU parallel not installed (apt-get install parallel): no rows"
	bench_table
	exit 0
fi

mkdir -p "$BENCH_TMP/ssh" "$BENCH_TMP/slurm"
out=$("$CLUSTER/sshd.sh" start "$BENCH_TMP/ssh") && SSH_CFG=$out
if [ -n "$SSH_CFG" ]; then
	ssh_rows
else
	bench_note "rows a-c left out: ${out#SKIP: }"
fi
if out=$("$CLUSTER/slurm.sh" start "$BENCH_TMP/slurm"); then
	SLURM_OK=1
	eval "$out"
	export PATH=$PATH:/usr/sbin
	srun_rows
else
	"$CLUSTER/slurm.sh" stop "$BENCH_TMP/slurm" > /dev/null 2>&1 || true
	bench_note "row d left out: ${out#SKIP: }"
fi
((PAR_LOST == 0)) || bench_note "GNU parallel lost the output of some jobs" \
    "(status 0) in $PAR_LOST run(s), run again"
bench_note "$N sequential jobs a run, medians of $RUNS runs"
bench_table
