#!/usr/bin/env bash
# tests/cluster/slurm.sh - a real single-node Slurm in a temp dir, for tests.
#
#   slurm.sh start DIR   start munged, slurmctld and slurmd under DIR, wait
#                        until the node is idle; print `export SLURM_CONF=...'
#                        lines to eval; or print `SKIP: why' and exit 3
#   slurm.sh stop DIR    stop them by the pids in DIR/*.pid (TERM, then KILL)
#
# Why like this: no systemd here, and the machine's own munge/slurm setup
# (if any) must stay untouched.  So munged runs in the foreground (-F) on a
# private socket and key (mungekey -c -k), the daemons read a slurm.conf
# generated into DIR (SlurmUser=root, ports nobody listens on, every state,
# spool, log and pid file under DIR), and the tests find it through
# SLURM_CONF.  Each daemon is started in the background here and its pid
# kept, so `stop' ends exactly these processes and nothing else.  Every
# daemon is started with its own session (setsid) so a signal a test sends
# to its own process group never reaches them.
#
# ProctrackType=proctrack/linuxproc and TaskPlugin=task/none: no cgroup
# tree is needed (a container may not give a writable one).

set -euo pipefail

# free_port, skip
. "$(dirname "$0")/lib.sh"

# daemon NAME CMD...: start CMD in its own session, pid in DIR/NAME.pid.
daemon() {
	local name=$1
	shift
	setsid "$@" >> "$D/$name.out" 2>&1 < /dev/null &
	echo $! > "$D/$name.pid"
}

# alive NAME: the daemon NAME is still running.
alive() {
	kill -0 "$(cat "$D/$1.pid")" 2> /dev/null
}

# why NAME: the last lines of what NAME said.
why() {
	tail -n 3 "$D/$1.out" "$D/$1.log" 2> /dev/null | grep -v '^==' |
	    tr '\n' ' '
}

write_conf() {
	local host=$1 p1 p2
	p1=$(free_port)
	p2=$(free_port)
	while [ "$p2" = "$p1" ]; do p2=$(free_port); done
	cat > "$D/slurm.conf" <<-EOF
		ClusterName=bgtest
		SlurmctldHost=$host(127.0.0.1)
		SlurmUser=root
		SlurmdUser=root
		SlurmctldPort=$p1
		SlurmdPort=$p2
		AuthType=auth/munge
		AuthInfo=socket=$D/munge.sock
		CredType=cred/munge
		StateSaveLocation=$D/state
		SlurmdSpoolDir=$D/spool
		SlurmctldPidFile=$D/slurmctld.pidfile
		SlurmdPidFile=$D/slurmd.pidfile
		SlurmctldLogFile=$D/slurmctld.log
		SlurmdLogFile=$D/slurmd.log
		ProctrackType=proctrack/linuxproc
		TaskPlugin=task/none
		SelectType=select/cons_tres
		SelectTypeParameters=CR_Core
		SchedulerType=sched/builtin
		AccountingStorageType=accounting_storage/none
		JobCompType=jobcomp/none
		JobAcctGatherType=jobacct_gather/none
		MpiDefault=none
		ReturnToService=2
		SlurmdTimeout=30
		InactiveLimit=0
		KillWait=2
		MinJobAge=10
		NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
		PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
	EOF
}

start() {
	local host i
	for i in munged mungekey slurmctld slurmd sinfo srun salloc sbatch; do
		command -v "$i" > /dev/null ||
		    PATH=$PATH:/usr/sbin command -v "$i" > /dev/null ||
		    skip "$i not installed (Debian: slurm-wlm, munge)"
	done
	[ "$(id -u)" = 0 ] || skip "not root: slurmd needs root here"
	export PATH=$PATH:/usr/sbin
	mkdir -p "$D/state" "$D/spool"
	chmod 700 "$D"
	host=$(hostname -s)
	mungekey -c -k "$D/munge.key" 2> "$D/munge.out" ||
	    skip "mungekey failed: $(why munge)"
	daemon munge munged -F --force --socket="$D/munge.sock" \
	    --key-file="$D/munge.key" --pid-file="$D/munged.pidfile" \
	    --log-file="$D/munge.log" --seed-file="$D/munge.seed"
	for ((i = 0; i < 100; i++)); do
		[ -S "$D/munge.sock" ] && break
		alive munge || skip "munged did not start: $(why munge)"
		sleep 0.05
	done
	[ -S "$D/munge.sock" ] || skip "munged did not start: $(why munge)"
	write_conf "$host"
	export SLURM_CONF=$D/slurm.conf
	daemon slurmctld slurmctld -D -c -i -f "$SLURM_CONF"
	daemon slurmd slurmd -D -f "$SLURM_CONF"
	for ((i = 0; i < 300; i++)); do
		alive slurmctld || skip "slurmctld did not start: $(why slurmctld)"
		alive slurmd || skip "slurmd cannot run here: $(why slurmd)"
		[[ $(sinfo -h -N -o %t 2> /dev/null) == idle ]] && break
		sleep 0.1
	done
	[[ $(sinfo -h -N -o %t 2> /dev/null) == idle ]] ||
	    skip "the node did not become idle in 30 s: $(sinfo -h -N -o '%t %E' 2>&1) $(why slurmd)"
	echo "export SLURM_CONF=$SLURM_CONF"
}

stop() {
	local f pid i left
	for f in slurmd slurmctld munge; do
		[ -f "$D/$f.pid" ] || continue
		pid=$(cat "$D/$f.pid")
		kill -TERM "$pid" 2> /dev/null || continue
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2> /dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2> /dev/null || true
	done
	left=
	for f in slurmd slurmctld munge; do
		[ -f "$D/$f.pid" ] && kill -0 "$(cat "$D/$f.pid")" 2> /dev/null &&
		    left="$left $f"
	done
	[ -z "$left" ] || { echo "still running:$left" >&2; return 1; }
}

[ $# = 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
D=$(cd "$2" && pwd)
case $1 in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
