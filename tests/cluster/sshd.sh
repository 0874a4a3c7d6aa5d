#!/usr/bin/env bash
# tests/cluster/sshd.sh - a real sshd on 127.0.0.1 in a temp dir, for tests.
#
#   sshd.sh start DIR   generate host and user keys and configs under DIR,
#                       start sshd on a free port; print the ssh client
#                       config's path (ssh -F PATH 127.0.0.1 works, no
#                       password, no host key prompt); or print
#                       `SKIP: why' and exit 3
#   sshd.sh stop DIR    stop it by the pid kept in DIR/sshd.pid
#
# tests/pool_remote.bats and bench/remote.sh use it.  The machine's sshd
# and ~/.ssh stay untouched: host and user keys, both configs, the pid and
# the log (LogLevel INFO: one `Accepted publickey' line a login) live in
# DIR.  "127.0.0.1" and "localhost" stand for two hosts: the client config
# sets PT_HOST to the name used, which sshd accepts into the remote
# environment.  sshd runs in the foreground (-D) in a session of its own,
# so a signal sent to the caller's process group never reaches it.

set -euo pipefail

# free_port, skip
. "$(dirname "$0")/lib.sh"

start() {
	local port i
	if [ ! -x /usr/sbin/sshd ] || ! command -v ssh > /dev/null; then
		skip "sshd or ssh not installed (openssh-server, openssh-client)"
	fi
	chmod 700 "$D"
	ssh-keygen -q -t ed25519 -N '' -f "$D/host_key" <<< y > /dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$D/user_key" <<< y > /dev/null
	cp "$D/user_key.pub" "$D/authorized_keys"
	port=$(free_port)
	cat > "$D/sshd_config" <<-EOF
		Port $port
		ListenAddress 127.0.0.1
		HostKey $D/host_key
		AuthorizedKeysFile $D/authorized_keys
		PidFile $D/sshd.pidfile
		UsePAM no
		StrictModes no
		PermitRootLogin yes
		UseDNS no
		MaxStartups 100
		MaxSessions 100
		AcceptEnv PT_HOST
		LogLevel INFO
	EOF
	cat > "$D/ssh_config" <<-EOF
		Host localhost
		  SetEnv PT_HOST=localhost
		Host 127.0.0.1
		  SetEnv PT_HOST=127.0.0.1
		Host *
		  IdentityFile $D/user_key
		  Port $port
		  StrictHostKeyChecking no
		  UserKnownHostsFile /dev/null
		  BatchMode yes
		  LogLevel ERROR
	EOF
	mkdir -p /run/sshd 2> /dev/null || true
	setsid /usr/sbin/sshd -f "$D/sshd_config" -D -E "$D/sshd.log" \
	    < /dev/null > /dev/null 2>&1 &
	echo $! > "$D/sshd.pid"
	for ((i = 0; i < 200; i++)); do
		(exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break
		kill -0 "$(cat "$D/sshd.pid")" 2> /dev/null || break
		sleep 0.05
	done
	(exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null ||
	    skip "sshd did not start: $(tail -n 3 "$D/sshd.log" 2> /dev/null)"
	echo "$D/ssh_config"
}

stop() {
	local pid i
	[ -f "$D/sshd.pid" ] || return 0
	pid=$(cat "$D/sshd.pid")
	kill -TERM "$pid" 2> /dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2> /dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2> /dev/null || true
}

[ $# = 2 ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
D=$(cd "$2" && pwd)
case $1 in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
