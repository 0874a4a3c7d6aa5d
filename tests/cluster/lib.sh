# shellcheck shell=bash
# lib.sh - what tests/cluster/sshd.sh and slurm.sh share (sourced).

# free_port: a TCP port on 127.0.0.1 nobody listens on.
free_port() {
	local p
	for ((p = 20000 + RANDOM % 30000; ; p++)); do
		(exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || {
			echo "$p"
			return
		}
	done
}

# skip WHY: say why the component cannot run here; exit 3.
skip() {
	echo "SKIP: $*"
	exit 3
}
