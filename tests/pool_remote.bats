#!/usr/bin/env bats
# pool --launcher, --sshlogin, --slf, --ssh, --env, --controlmaster: jobs
# run through a launcher, and through a REAL sshd that this file starts on
# 127.0.0.1 (tests/cluster/sshd.sh: a free high port, host and user keys
# generated in a temp dir) and stops by pid.  "127.0.0.1" and "localhost"
# stand for two hosts; the client config tells them apart with SetEnv
# PT_HOST.  The launcher tests at the top need no sshd.

load test_helper
bats_require_minimum_version 1.5.0

# --- sshd -----------------------------------------------------------------

# free_port: print a TCP port on 127.0.0.1 nobody listens on.
free_port() {
	local p
	for ((p = 20000 + RANDOM % 30000; ; p++)); do
		(exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return; }
	done
}

setup_file() {
	local d=$BATS_FILE_TMPDIR/ssh out
	export SSHD_DIR= SSH_CFG= SSHD_SKIP=
	mkdir -p "$d"
	if out=$("$BATS_TEST_DIRNAME/cluster/sshd.sh" start "$d"); then
		SSHD_DIR=$d
		SSH_CFG=$out
	else
		SSHD_SKIP=${out#SKIP: }
		[ -n "$SSHD_SKIP" ] || SSHD_SKIP="tests/cluster/sshd.sh failed"
	fi
}

teardown_file() {
	[ -z "${SSHD_DIR:-}" ] || "$BATS_TEST_DIRNAME/cluster/sshd.sh" stop "$SSHD_DIR"
}

need_sshd() {
	[ -z "$SSHD_SKIP" ] || skip "$SSHD_SKIP"
}

# logins: print how many logins sshd has accepted so far (LogLevel INFO).
logins() {
	grep -c 'Accepted publickey' "$BATS_FILE_TMPDIR/ssh/sshd.log" || true
}

# cm_tmp: a short new TMPDIR (in REPLY) for --controlmaster's socket dir:
# a socket path has at most 107 bytes, and pool falls back to /tmp for a
# long one, where the test could not tell its dir from another's.
cm_tmp() {
	REPLY=$(mktemp -d /tmp/pt-cm.XXXXXX)
	CM_TMPS+=("$REPLY")
}
CM_TMPS=()

eval "helper_$(declare -f teardown)"
teardown() {
	local t
	for t in "${CM_TMPS[@]}"; do
		pkill -f "$t/pool-cm" || true
		rm -rf "$t"
	done
	helper_teardown
}

# --- launchers, no sshd ----------------------------------------------------

@test "pool --launcher: words survive the launcher's shell; status, output, {%}, {host}" {
	run -0 bg_bash '
		pool -k -j2 --launcher "env S={%} H={host} bash -c" \
		    sh -c "echo \"\$S \$H [\$1]\"; echo \"err [\$1]\" >&2; exit \$2" _ \
		    ::: "a b" "it'\''s" "\$HOME *" :::+ 0 3 5 2> "$1/err"
		echo "st=$?"
		cat "$1/err"
	' "$BATS_TEST_TMPDIR"
	assert_line "1 : [a b]"
	assert_line "2 : [it's]"
	assert_line --regexp "^[12] : \\[\\\$HOME \\*\\]\$"
	assert_line "err [it's]"
	# GNU's status: the number of failed jobs.
	assert_line "st=2"
}

@test "pool --launcher: a function job travels as text, with the functions it calls and --env variables" {
	run -0 bg_bash '
		helper() { echo "helper:$1"; }
		f() { helper "$1"; echo "X=$X A1=${A[1]} K=${M[k]}"; return 4; }
		X="a b" A=(x "y z") ; declare -A M=([k]="v w")
		export NOTSENT=1
		pool --launcher "env -u NOTSENT bash -c" --env X --env A --env M f ::: "q r"
		echo "st=$?"
		pool --launcher "env -u NOTSENT bash -c" sh -c "echo \"[\${NOTSENT-unset}] [\${X-unset}]\"" ::: 1
	'
	assert_line "helper:q r"
	assert_line "X=a b A1=y z K=v w"
	assert_line "st=1"
	# Only what --env names travels; the environment does not.
	assert_line "[unset] [unset]"
}

@test "pool --launcher that execs its arguments (no ssh, no trailing -c): the job arrives as words, functions too" {
	run -0 bg_bash '
		helper() { echo "helper:$1"; }
		f() { helper "$1"; echo "X=$X S=$S"; return 4; }
		X="a b"
		pool -k --launcher "env S={%}" --env X f ::: "q r" "it'\''s"
		echo "st=$?"
		pool -k --launcher "env S={%}" sh -c "echo \"\$S [\$1]\"" _ ::: "two  spaces" "\$HOME *"
		echo "st=$?"
	'
	assert_line "helper:q r"
	assert_line "helper:it's"
	assert_line --regexp "^X=a b S=[12]\$"
	assert_line "st=2"
	assert_line --regexp "^[12] \\[two  spaces\\]\$"
	assert_line --regexp "^[12] \\[\\\$HOME \\*\\]\$"
	assert_line "st=0"
}

@test "pool --launcher: --timeout stops the launched job's tree; --retries run it again" {
	mark 61.
	local m=$REPLY
	run -0 bg_bash '
		t0=$EPOCHREALTIME
		pool --timeout 1 --launcher "bash -c" sleep "$1" ::: 1
		echo "st=$? ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))"
		n=$2/n; echo 0 > "$n"
		pool --retries 3 --launcher "bash -c" sh -c "c=\$((\$(cat $n) + 1)); echo \$c > $n; [ \$c -ge 3 ]" ::: 1
		echo "st=$? tries=$(cat "$n")"
	' "$m" "$BATS_TEST_TMPDIR"
	assert_line --regexp "^st=1 ms=[0-9]+$"
	local ms=${lines[0]#*ms=}
	((ms < 20000))
	assert_line "st=0 tries=3"
	sleep 0.5
	no_leftovers "$(pat "$m")"
}

@test "pool --launcher under set -euo pipefail: a failed job fails the pool, the script stops" {
	run -1 bg_bash '
		set -euo pipefail
		pool --launcher "bash -c" true ::: 1
		echo ok
		pool --launcher "bash -c" false ::: 1
		echo not-reached
	'
	assert_output ok
}

@test "pool: {host} and {sshlogin} in the command and the launcher, GNU's meaning; the joblog's Host column" {
	run -0 bg_bash '
		pool -k -S 1/:,2/me@h1 --launcher "env L={sshlogin} LH={host} bash -c" \
		    --joblog "$1/log" sh -c "echo \"\$1 \$L \$LH\"" _ "{host}/{sshlogin}/{%}" ::: 1 2 3
		echo "st=$?"
		tail -n +2 "$1/log" | cut -f 1,2 | sort -n | paste -sd,
		# Without a launcher or --plus, {host} is text (GNU: a --plus string).
		pool echo {host} ::: 1
		pool --plus echo {host} {sshlogin} ::: 1
	' "$BATS_TEST_TMPDIR"
	# Slot 1 is this machine: no launcher, : for both.
	assert_line ":/:/1  "
	assert_line "h1/me@h1/2 me@h1 h1"
	assert_line "h1/me@h1/3 me@h1 h1"
	assert_line "st=0"
	assert_line "$(printf '1\t:,2\tme@h1,3\tme@h1')"
	assert_line "{host} 1"
	# A replacement string: the item is not added (as GNU).
	assert_line ": :"
}

@test "pool --sshlogin ':' runs on this machine, without a launcher" {
	run -0 bg_bash 'pool --sshlogin : sh -c "echo local \$\$" ::: 1'
	assert_output --regexp "^local [0-9]+$"
	# -S is --sshlogin, as in GNU parallel; the status array is --status-array.
	run -0 bg_bash 'pool -S : --status-array st sh -c "echo local; exit 3" ::: 1; echo "st=$? ${st[*]}"'
	assert_line "local"
	assert_line "st=1 3"
}

@test "pool launch options: bad input gets a clear error and runs nothing" {
	local t=$BATS_TEST_TMPDIR
	printf '# hosts\n\n' > "$t/empty"
	run -2 bg_bash 'pool --sshlogin x/h echo ::: 1'
	assert_output --partial "x/h: invalid sshlogin"
	run -2 bg_bash 'pool --sshlogin "h:p" echo ::: 1'
	assert_output --partial "h:p: invalid sshlogin"
	run -2 bg_bash 'pool --sshlogin "a,,b" echo ::: 1'
	assert_output --partial ": invalid sshlogin"
	run -2 bg_bash 'pool --launcher "ssh '\''h" echo ::: 1'
	assert_output --partial "invalid launcher"
	run -2 bg_bash 'pool --launcher "" echo ::: 1'
	assert_output --partial "'': invalid launcher"
	run -2 bg_bash 'pool --env 1x --launcher "bash -c" echo ::: 1'
	assert_output --partial "\`1x': not a valid identifier"
	run -2 bg_bash 'pool --env X echo ::: 1'
	assert_output --partial "--ssh and --env need --launcher"
	run -2 bg_bash 'pool --ssh ssh echo ::: 1'
	assert_output --partial "--ssh and --env need --launcher"
	run -2 bg_bash 'pool --sshlogin h:22 --launcher "ssh {host}" echo ::: 1'
	assert_output --partial "give the port in the launcher"
	run -2 bg_bash 'pool --sem --launcher "bash -c" echo ::: 1'
	assert_output --partial "work on a batch"
	run -2 bg_bash 'pool --slf "$1" echo ::: 1' "$t/empty"
	assert_output --partial "no sshlogin in the file"
	run -1 bg_bash 'pool --slf "$1/nonesuch" echo ::: 1' "$t"
	assert_output --partial "nonesuch: No such file"
}

@test "pool --workdir on this machine: DIR made and used by functions and commands, . the cwd, ... a new dir each job, removed after" {
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/home" "$t/cwd"
	run -0 bg_bash '
		HOME=$3
		cd "$2" || exit
		f() { echo "f $PWD $(pwd)"; touch made-by-f; }
		pool -k --wd "$1/a/b" f ::: 1; echo "st=$?"
		pool -k --workdir . sh -c "pwd" ::: 1
		pool -k -j2 --wd ... sh -c "pwd; touch x; sleep 0.2" ::: 1 2; echo "st=$?"
		ls -A "$HOME/.parallel/tmp" | paste -sd, | sed "s/^/left=/"
	' "$t" "$t/cwd" "$t/home"
	assert_line "f $t/a/b $t/a/b"
	[ -e "$t/a/b/made-by-f" ]
	assert_line "st=0"
	assert_line "$t/cwd"
	# Two jobs, two new directories under ~/.parallel/tmp (GNU's place)...
	[ "$(grep -c "^$t/home/.parallel/tmp/pool-" <<< "$output")" -eq 2 ]
	[ "$(grep "^$t/home/.parallel/tmp/pool-" <<< "$output" | sort -u | wc -l)" -eq 2 ]
	# ... both removed when their job ended.
	assert_line "left="
}

@test "pool --workdir ...: the directory goes even when --timeout stops the job" {
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/home"
	mark 63.
	local m=$REPLY
	run -0 bg_bash '
		HOME=$1
		pool --timeout 0.5 --wd ... sh -c "touch x; exec sleep $2" ::: 1; echo "st=$?"
		ls -A "$HOME/.parallel/tmp" | paste -sd, | sed "s/^/left=/"
	' "$t/home" "$m"
	assert_line "st=1"
	assert_line "left="
	no_leftovers "$(pat "$m")"
}

@test "pool --workdir: bad input is refused before anything runs; a DIR that cannot be made fails its job" {
	run -2 bg_bash 'pool --wd "" echo ran ::: 1'
	assert_output --partial "pool: '': invalid workdir"
	refute_output --partial ran
	run -2 bg_bash 'pool --workdir'
	assert_output --partial "option requires an argument"
	run -2 bg_bash 'pool --sem --wd /tmp echo ran'
	assert_output --partial "work on a batch"
	run -2 bg_bash 'pool --persist --wd /tmp echo ran ::: 1'
	assert_output --partial "work on a batch"
	refute_output --partial ran
	run -0 bg_bash 'pool --status-array st --wd /proc/nonesuch/x echo ran ::: 1 2; echo "st=$? ${st[*]}"'
	assert_output --partial "pool: /proc/nonesuch/x: No such file or directory"
	refute_output --partial ran
	assert_line "st=2 1 1"
}

@test "pool --workdir under set -euo pipefail: a job that cannot enter DIR fails the pool, the script stops" {
	run -1 bg_bash '
		set -euo pipefail
		pool --wd "$1/ok" true ::: 1
		echo ok
		pool --wd /proc/nonesuch true ::: 1
		echo not-reached
	' "$BATS_TEST_TMPDIR"
	assert_line ok
	refute_line not-reached
}

@test "pool --filter-hosts: hosts whose launcher fails are left out once, with a warning; none left is an error" {
	local t=$BATS_TEST_TMPDIR
	# A launcher that refuses host `down' and counts its calls per host.
	cat > "$t/launch" <<-EOF
		#!/bin/bash
		echo "\$1" >> "$t/calls"
		[ "\$1" = down ] && { echo "launch: \$1: refused" >&2; exit 255; }
		shift; exec bash -c "\$1"
	EOF
	chmod +x "$t/launch"
	run -0 bg_bash '
		pool -k --filter-hosts -S 1/down,2/up --launcher "$1/launch {host}" \
		    --joblog "$1/log" sh -c "echo {host} {%}" ::: 1 2 3 4 2> "$1/err"
		echo "st=$?"
		cat "$1/err"
		tail -n +2 "$1/log" | cut -f 2 | sort -u | paste -sd, | sed "s/^/hosts=/"
	' "$t"
	assert_line "up 1"
	assert_line "up 2"
	assert_line "st=0"
	assert_line --partial "pool: warning: down: does not answer: skipped (--filter-hosts)"
	refute_line --partial "launch: down: refused"
	assert_line "hosts=up"
	# down asked once, at the start; up once for the check, then per job.
	[ "$(grep -c '^down$' "$t/calls")" -eq 1 ]
	[ "$(grep -c '^up$' "$t/calls")" -eq 5 ]
	run -1 bg_bash 'pool --filter-hosts -S down --launcher "$1/launch {host}" echo ran ::: 1' "$t"
	assert_output --partial "pool: --filter-hosts: no host answers"
	refute_output --partial ran
	# `:' (this machine) is never filtered out.
	run -0 bg_bash 'pool --filter-hosts -S down,: --launcher "$1/launch {host}" echo ran {host} ::: 1' "$t"
	assert_line "ran :"
}

@test "pool --filter-hosts under set -euo pipefail: no host answering stops the script" {
	run -1 bg_bash '
		set -euo pipefail
		pool --filter-hosts -S 1/h --launcher false echo ran ::: 1
		echo not-reached
	'
	refute_line not-reached
	refute_line ran
}

# --- through a real sshd ----------------------------------------------------

@test "pool --sshlogin: status and output per job through a real sshd, streams kept apart" {
	need_sshd
	run -0 bg_bash '
		pool -k --ssh "ssh -F $1" --sshlogin 3/127.0.0.1 --joblog "$2/log" \
		    sh -c "echo \"out [\$1]\"; echo \"err [\$1]\" >&2; exit \$2" _ \
		    ::: "a b" "c'\''d" "*" :::+ 0 7 0 2> "$2/err"
		echo "st=$?"
		echo "stderr: $(paste -sd, "$2/err")"
		tail -n +2 "$2/log" | cut -f 1,7 | sort | paste -sd,
	' "$SSH_CFG" "$BATS_TEST_TMPDIR"
	assert_line "out [a b]"
	assert_line "out [c'd]"
	assert_line "out [*]"
	assert_line "stderr: err [a b],err [c'd],err [*]"
	assert_line "st=1"
	assert_line "$(printf '1\t0,2\t7,3\t0')"
	# GNU's joblog: Host is the sshlogin without NCPUS/.
	[ "$(tail -n +2 "$BATS_TEST_TMPDIR/log" | cut -f 2 | sort -u)" = 127.0.0.1 ]
}

@test "pool --sshlogin: a function and its --env variable run on the remote side" {
	need_sshd
	run -0 bg_bash '
		inner() { echo "inner on $PT_HOST"; }
		job() { inner; echo "job $1 X=$X"; }
		X="two words"
		pool --ssh "ssh -F $1" --sshlogin 127.0.0.1 --env X job ::: "a b"
		echo "st=$?"
	' "$SSH_CFG"
	assert_line "inner on 127.0.0.1"
	assert_line "job a b X=two words"
	assert_line "st=0"
}

@test "pool --launcher 'ssh ... {host}': {host} and {%} in the launcher, two hosts" {
	need_sshd
	run -0 bg_bash '
		pool -k --sshlogin 1/127.0.0.1,1/localhost \
		    --launcher "ssh -F $1 {host} H={host} S={%}" \
		    sh -c "echo \"\$H \$S \$PT_HOST\"" ::: 1 2
	' "$SSH_CFG"
	# Both start at once: slot 1 is the first host, slot 2 the second.
	assert_line "127.0.0.1 1 127.0.0.1"
	assert_line "localhost 2 localhost"
}

@test "pool --timeout through ssh stops the remote process, not only the local ssh" {
	need_sshd
	mark 67.
	local m=$REPLY i
	run -0 bg_bash '
		pool --timeout 8 --ssh "ssh -F $1" --sshlogin 127.0.0.1 \
		    sh -c "touch $2/started; exec sleep $3" ::: 1
		echo "st=$?"
	' "$SSH_CFG" "$BATS_TEST_TMPDIR" "$m"
	assert_line "st=1"
	# It did start on the remote side, and is gone soon after.
	[ -e "$BATS_TEST_TMPDIR/started" ]
	for ((i = 0; i < 150; i++)); do
		pgrep -f "$(pat "$m")" > /dev/null || break
		sleep 0.1
	done
	no_leftovers "$(pat "$m")"
}

@test "pool --slf: two hosts split the jobs by their NCPUS/ slots" {
	need_sshd
	printf '# two hosts\n2/127.0.0.1\n\n1/localhost\n' > "$BATS_TEST_TMPDIR/hosts"
	run -0 bg_bash '
		pool --ssh "ssh -F $1" --slf "$2/hosts" sh -c "echo \$PT_HOST" ::: 1 2 3 4 5 6
		echo "st=$?"
	' "$SSH_CFG" "$BATS_TEST_TMPDIR"
	assert_line "st=0"
	[ "$(grep -c '^127.0.0.1$' <<< "$output")" -ge 1 ]
	[ "$(grep -c '^localhost$' <<< "$output")" -ge 1 ]
	[ "$(grep -cE '^(127.0.0.1|localhost)$' <<< "$output")" -eq 6 ]
}

@test "pool --slf FILE changed while running (GNU's re-read): an added host gets jobs, a removed one no new ones" {
	need_sshd
	local t=$BATS_TEST_TMPDIR n
	printf '1/127.0.0.1\n' > "$t/hosts"
	# The jobs (the same file system) change the file: job 3 adds
	# localhost, job 6 takes 127.0.0.1 out (a new file, as an editor does).
	run -0 bg_bash '
		pool -k --ssh "ssh -F $1" --slf "$2/hosts" sh -c "
			case \$1 in
			3) printf \"1/127.0.0.1\\n1/localhost\\n\" > $2/new && mv $2/new $2/hosts ;;
			6) printf \"# 127.0.0.1 is gone\\n1/localhost\\n\" > $2/new && mv $2/new $2/hosts ;;
			esac
			echo \"\$1 \$PT_HOST\"; sleep 0.2" _ ::: {1..20}
		echo "st=$?"
	' "$SSH_CFG" "$t"
	assert_line "st=0"
	assert_line "1 127.0.0.1"
	assert_line "2 127.0.0.1"
	assert_line "3 127.0.0.1"
	[ "$(grep -cE '^[0-9]+ (127.0.0.1|localhost)$' <<< "$output")" = 20 ]
	grep -q '^[4-9] localhost$' <<< "$output" || fail "localhost got no job soon: $output"
	# Re-read at most once a second, when a job ends: by job 14 surely.
	for n in {14..20}; do
		assert_line "$n localhost"
	done
}

@test "pool --sshlogin: TERM to the shell stops the remote jobs too" {
	need_sshd
	mark 68.
	local m=$REPLY i pid
	# Not through a function: $! must be the pool's shell itself.
	env --default-signal=INT,QUIT bash -c "$BG_LOAD"'
		pool -j2 --ssh "ssh -F $1" --sshlogin 2/127.0.0.1 \
		    sh -c "touch $2/started\$1; exec sleep $3" _ ::: 1 2
		echo "st=$?" > "$2/st"
	' bg_bash "$SSH_CFG" "$BATS_TEST_TMPDIR" "$m" 3>&- &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		[ -e "$BATS_TEST_TMPDIR/started1" ] && [ -e "$BATS_TEST_TMPDIR/started2" ] && break
		sleep 0.1
	done
	[ -e "$BATS_TEST_TMPDIR/started2" ]
	kill -TERM "$pid"
	wait "$pid" || true
	# pool returns 128+15; the shell's untrapped TERM then ends it.
	[ ! -e "$BATS_TEST_TMPDIR/st" ]
	for ((i = 0; i < 150; i++)); do
		pgrep -f "$(pat "$m")" > /dev/null || break
		sleep 0.1
	done
	no_leftovers "$(pat "$m")"
}

@test "pool --workdir through ssh: DIR, . (the cwd below \$HOME) and ... (made and removed) on the remote side" {
	need_sshd
	local t=$BATS_TEST_TMPDIR rhome rel d
	rhome=$(ssh -F "$SSH_CFG" 127.0.0.1 'echo $HOME')
	[ -n "$rhome" ] && [ "$rhome" != / ]
	rel=.pool-wd-test.$$
	mkdir -p "$t/lhome/$rel/sub"
	run -0 bg_bash '
		f() { echo "f $PWD"; touch y; }
		pool --ssh "ssh -F $1" -S 127.0.0.1 --wd "$2/r/s" f ::: 1; echo "st=$?"
		HOME=$2/lhome
		cd "$HOME/$3/sub" || exit
		pool --ssh "ssh -F $1" -S 127.0.0.1 --wd . pwd ::: 1
		pool -k --ssh "ssh -F $1" -S 2/127.0.0.1 --wd ... sh -c "pwd; touch x" ::: 1 2
		echo "st=$?"
	' "$SSH_CFG" "$t" "$rel"
	rm -rf "${rhome:?}/$rel"
	assert_line "f $t/r/s"
	[ -e "$t/r/s/y" ]
	assert_line "st=0"
	# . is the local cwd's path below the local $HOME, below the remote one.
	assert_line "$rhome/$rel/sub"
	[ "$(grep -c "^$rhome/.parallel/tmp/pool-" <<< "$output")" -eq 2 ]
	for d in $(grep "^$rhome/.parallel/tmp/pool-" <<< "$output"); do
		[ ! -e "$d" ]
	done
}

@test "pool --filter-hosts through ssh: a host that refuses connections is skipped, the jobs run on the other" {
	need_sshd
	local closed
	closed=$(free_port)
	run -0 bg_bash '
		pool --filter-hosts --ssh "ssh -F $1" -S "1/localhost:$2,2/127.0.0.1" \
		    --joblog "$3/log" sh -c "echo \$PT_HOST" ::: 1 2 3
		echo "st=$?"
		tail -n +2 "$3/log" | cut -f 2 | sort -u | paste -sd, | sed "s/^/hosts=/"
	' "$SSH_CFG" "$closed" "$BATS_TEST_TMPDIR"
	assert_line --partial "localhost:$closed: does not answer: skipped (--filter-hosts)"
	[ "$(grep -c '^127.0.0.1$' <<< "$output")" -eq 3 ]
	assert_line "st=0"
	assert_line "hosts=127.0.0.1"
}

# no_rsync_path DIR: a PATH of DIR holding every command of /usr/bin but
# rsync, for pool's tar fallback (in REPLY).
no_rsync_path() {
	local f
	mkdir -p "$1"
	for f in /usr/bin/* /bin/*; do
		[ "${f##*/}" = rsync ] || [ -e "$1/${f##*/}" ] || ln -s "$f" "$1/"
	done
	REPLY=$1
}

@test "pool --trc through ssh: each file sent, processed remotely into {}.out, returned, the remote side cleaned up (rsync, then tar)" {
	need_sshd
	local t=$BATS_TEST_TMPDIR how path
	for how in rsync tar; do
		path=$PATH
		if [ "$how" = tar ]; then
			no_rsync_path "$t/bin"
			path=$REPLY
		elif ! command -v rsync > /dev/null; then
			continue
		fi
		rm -rf "$t/local" "$t/remote"
		mkdir -p "$t/local/in"
		echo hello > "$t/local/in/a.txt"
		echo "two words" > "$t/local/in/b c.txt"
		run -0 env PATH="$path" bash -c "$BG_LOAD"'
			cd "$2/local" || exit
			command -v rsync || echo no-rsync
			pool -k -M --ssh "ssh -F $1" -S 2/127.0.0.1 --wd "$2/remote" --trc {}.out \
			    sh -c "tr a-z A-Z < \"\$1\" > \"\$1.out\"; ls \"\$1\"" _ {} ::: in/a.txt "in/b c.txt"
			echo "st=$?"
		' bg_bash "$SSH_CFG" "$t"
		assert_line "st=0"
		[ "$how" = rsync ] || assert_line no-rsync
		# The job saw its file in the remote workdir.
		assert_line "in/a.txt"
		assert_line "in/b c.txt"
		[ "$(cat "$t/local/in/a.txt.out")" = HELLO ]
		[ "$(cat "$t/local/in/b c.txt.out")" = "TWO WORDS" ]
		# The inputs stay here; the remote workdir is empty again.
		[ -e "$t/local/in/a.txt" ] && [ -e "$t/local/in/b c.txt" ]
		[ -d "$t/remote" ] && [ -z "$(ls -A "$t/remote")" ]
	done
	# --wd ...: pool names each job's directory, the files go there and
	# come back, and the directory goes after.
	rm -f "$t/local/in/"*.out
	run -0 bash -c "$BG_LOAD"'
		cd "$2/local" || exit
		pool -k --ssh "ssh -F $1" -S 127.0.0.1 --wd ... --trc {}.out \
		    sh -c "tr a-z A-Z < \"\$1\" > \"\$1.out\"; pwd" _ {} ::: in/a.txt
		echo "st=$?"
	' bg_bash "$SSH_CFG" "$t"
	assert_line "st=0"
	[ "$(cat "$t/local/in/a.txt.out")" = HELLO ]
	[[ ${lines[0]} == */.parallel/tmp/pool-* ]]
	[ ! -e "${lines[0]}" ]
}

@test "examples/remote-compress.sh through the real sshd: two hosts, files back and right, nothing left on the hosts" {
	need_sshd
	run -0 env POOL_HOSTS=2/127.0.0.1,1/localhost POOL_SSH="ssh -F $SSH_CFG" \
	    bash "$BATS_TEST_DIRNAME/../examples/remote-compress.sh"
	assert_line "remote-compress: 6 files, pool status 0"
	[ "$(grep -cE '^in/[1-6].txt: compressed on (127.0.0.1|localhost)$' <<< "$output")" = 6 ]
}

@test "pool --transferfile: a file that is missing fails its job with a message, the others run" {
	need_sshd
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/local"
	echo x > "$t/local/here"
	run -0 bg_bash '
		cd "$2/local" || exit
		pool -k --ssh "ssh -F $1" -S 127.0.0.1 --wd "$2/remote" --status-array st --tf {} \
		    sh -c "echo ran \$1; cat \$1" _ {} ::: here gone
		echo "st=$? ${st[*]}"
	' "$SSH_CFG" "$t"
	assert_line "ran here"
	assert_line "x"
	refute_line "ran gone"
	assert_line --partial "pool: gone: cannot transfer: no such file"
	assert_line "st=1 0 1"
	# Without --cleanup the sent file stays on the remote side.
	[ -e "$t/remote/here" ]
}

@test "pool --basefile: sent once to each host before the jobs, removed at the end with --cleanup; a missing one is said, the others go" {
	need_sshd
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/local/lib"
	echo base > "$t/local/lib/base.txt"
	run -0 bg_bash '
		cd "$2/local" || exit
		pool -k -M --ssh "ssh -F $1" -S 2/127.0.0.1 --wd "$2/r1" --bf gone --bf lib/base.txt \
		    sh -c "echo \"\$1 \$(cat lib/base.txt)\"" _ ::: 1 2 3
		echo "st=$?"
		pool --ssh "ssh -F $1" -S 127.0.0.1 --wd "$2/r2" --bf lib/base.txt --cleanup \
		    sh -c "echo \"\$1 \$(cat lib/base.txt)\"" _ ::: 4
		echo "st=$?"
	' "$SSH_CFG" "$t"
	assert_line --partial "pool: gone: cannot transfer: no such file"
	assert_line "1 base"
	assert_line "3 base"
	assert_line "4 base"
	[ "$(grep -c '^st=0$' <<< "$output")" = 2 ]
	# Without --cleanup it stays; with it, the workdir is empty again.
	[ "$(cat "$t/r1/lib/base.txt")" = base ]
	[ -d "$t/r2" ] && [ -z "$(ls -A "$t/r2")" ]
}

@test "pool --trc on this machine (-S :) moves nothing and removes nothing; with --launcher it is refused" {
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/local"
	echo x > "$t/local/f"
	run -0 bg_bash '
		cd "$2/local" || exit
		pool -S : --trc {}.out sh -c "cat \$1 > \$1.out" _ {} ::: f
		echo "st=$?"
	' "" "$t"
	assert_line "st=0"
	[ -e "$t/local/f" ] && [ -e "$t/local/f.out" ]
	run -2 bg_bash 'pool -S h --launcher "ssh {host}" --trc {}.out echo RAN ::: 1'
	assert_output --partial "pool: --transferfile, --return, --basefile and --cleanup need --sshlogin or --slf, and no --launcher"
	refute_output --partial RAN
	run -2 bg_bash 'pool -S h --tf "" echo RAN ::: 1'
	assert_output --partial "pool: '': invalid transferfile"
}

@test "pool --controlmaster: one ssh login per host for all the jobs, the masters gone after" {
	need_sshd
	local t n0 n1 n2
	cm_tmp
	t=$REPLY
	n0=$(logins)
	# Without -M: one login a job.
	run -0 bg_bash '
		pool --ssh "ssh -F $1" -S 1/127.0.0.1,1/localhost sh -c "echo \$PT_HOST" ::: 1 2 3 4 5 6
	' "$SSH_CFG"
	[ "${#lines[@]}" = 6 ]
	n1=$(logins)
	[ "$((n1 - n0))" = 6 ]
	# With -M: one a host.  Each job sees its host's master socket.
	run -0 bg_bash '
		TMPDIR=$2 pool -k -M --ssh "ssh -F $1" -S 1/127.0.0.1,1/localhost \
		    sh -c "echo \$PT_HOST \$(ls $2/pool-cm-* | wc -l)" ::: 1 2 3 4 5 6
		echo "st=$?"
		echo "left=$(ls -A "$2" | wc -l)"
	' "$SSH_CFG" "$t"
	n2=$(logins)
	# Exactly 2, one a host (without -M it is 6): pool waits for each
	# master to be up, and no longer kills one that has not yet left
	# the starting ssh's process group (a third login, cut short).
	(( n2 - n1 == 2 )) ||
	    fail "$((n2 - n1)) logins with -M: $(tail -n 12 "$BATS_FILE_TMPDIR/ssh/sshd.log")"
	assert_line "st=0"
	[ "$(grep -cE '^(127.0.0.1|localhost) [12]$' <<< "$output")" = 6 ]
	[ "$(grep -c '^localhost' <<< "$output")" -ge 1 ]
	# The dir went, and no master is left.
	assert_line "left=0"
	sleep 0.2
	no_leftovers "$t/pool-cm"
}

@test "pool --controlmaster: --timeout through the master still stops the remote process" {
	need_sshd
	mark 69.
	local m=$REPLY t
	cm_tmp
	t=$REPLY
	run -0 bg_bash '
		TMPDIR=$4 pool -M -j2 --timeout 10 --status-array st --ssh "ssh -F $1" --sshlogin 2/127.0.0.1 \
		    sh -c "touch $2/started\$1; [ \$1 = 1 ] || exec sleep $3" _ ::: 1 2
		echo "st=$? ${st[*]}"
	' "$SSH_CFG" "$BATS_TEST_TMPDIR" "$m" "$t"
	[ -e "$BATS_TEST_TMPDIR/started2" ]
	assert_line --regexp '^st=1 0 [0-9]+$'
	gone "$(pat "$m")"
	no_leftovers "$t/pool-cm"
	[ -z "$(ls -A "$t")" ]
}

@test "pool --controlmaster: TERM to the shell stops the remote jobs and the masters" {
	need_sshd
	mark 70.
	local m=$REPLY i pid t
	cm_tmp
	t=$REPLY
	TMPDIR=$t env --default-signal=INT,QUIT bash -c "$BG_LOAD"'
		pool -M -j2 --ssh "ssh -F $1" --sshlogin 2/127.0.0.1 \
		    sh -c "touch $2/started\$1; exec sleep $3" _ ::: 1 2
		echo "st=$?" > "$2/st"
	' bg_bash "$SSH_CFG" "$BATS_TEST_TMPDIR" "$m" 3>&- &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		[ -e "$BATS_TEST_TMPDIR/started1" ] && [ -e "$BATS_TEST_TMPDIR/started2" ] && break
		sleep 0.1
	done
	[ -e "$BATS_TEST_TMPDIR/started2" ]
	# The master is up while the jobs run.
	[ -n "$(ls "$t"/pool-cm-*/)" ]
	kill -TERM "$pid"
	wait "$pid" || true
	[ ! -e "$BATS_TEST_TMPDIR/st" ]
	gone "$(pat "$m")"
	no_leftovers "$t/pool-cm"
	[ -z "$(ls -A "$t")" ]
}

@test "pool --controlmaster: bad input gets a clear error and runs nothing" {
	run -2 bg_bash 'pool -M echo ran ::: 1'
	assert_output --partial "pool: --controlmaster needs --sshlogin or --slf, and no --launcher"
	refute_output --partial ran
	run -2 bg_bash 'pool --controlmaster -S h --launcher "ssh {host}" echo ran ::: 1'
	assert_output --partial "pool: --controlmaster needs --sshlogin or --slf, and no --launcher"
	refute_output --partial ran
}

@test "pool --controlmaster under set -euo pipefail: a failed remote job stops the script, the master still ends" {
	need_sshd
	local t
	cm_tmp
	t=$REPLY
	run -1 bg_bash '
		set -euo pipefail
		TMPDIR=$2 pool -M --ssh "ssh -F $1" -S 127.0.0.1 sh -c "exit \$1" _ ::: 0 4
		echo "not reached"
	' "$SSH_CFG" "$t"
	refute_output --partial "not reached"
	no_leftovers "$t/pool-cm"
	[ -z "$(ls -A "$t")" ]
}

@test "pool --controlmaster --filter-hosts: the check starts the master of the host that answers; one login, nothing left" {
	need_sshd
	local closed t n0
	cm_tmp
	t=$REPLY
	closed=$(free_port)
	n0=$(logins)
	run -0 bg_bash '
		TMPDIR=$3 pool -M --filter-hosts --ssh "ssh -F $1" -S "1/localhost:$2,2/127.0.0.1" \
		    sh -c "echo \$PT_HOST" ::: 1 2 3 4
		echo "st=$?"
	' "$SSH_CFG" "$closed" "$t"
	assert_line --partial "localhost:$closed: does not answer: skipped (--filter-hosts)"
	[ "$(grep -c '^127.0.0.1$' <<< "$output")" -eq 4 ]
	assert_line "st=0"
	[ "$(($(logins) - n0))" = 1 ]
	no_leftovers "$t/pool-cm"
	[ -z "$(ls -A "$t")" ]
}
