#!/usr/bin/env bats
# pool --shard (N copies split the items), --termseq (how jobs are
# stopped), --nice, and the machine's limits: --load, --memfree, --limit.

load test_helper
bats_require_minimum_version 1.5.0

# --- --shard ---------------------------------------------------------------

@test "pool --shard: three shards' output and joblogs concatenated equal the unsharded run" {
	run -0 bg_bash '
		cd "$1" || exit
		items=(a b c d e f g h i j k)
		pool -k --joblog all.log echo "{#}" {} ::: "${items[@]}" > all.out
		for i in 0 1 2; do
			pool -k --shard $i/3 --joblog s$i.log echo "{#}" {} ::: "${items[@]}" > s$i.out
		done
		cat s0.out s1.out s2.out | sort | cmp - <(sort all.out) && echo same-output
		cols() { for f; do tail -n +2 "$f"; done | cut -f1,7,9 | sort; }
		cmp <(cols all.log) <(cols s0.log s1.log s2.log) && echo same-log
		echo "shard1: $(tr "\n" " " < s1.out)"
	' "$BATS_TEST_TMPDIR"
	assert_line same-output
	assert_line same-log
	# {#} stays the global position: shard 1 of 3 ran items 2, 5, 8, 11.
	assert_line "shard1: 2 b 5 e 8 h 11 k "
}

@test "pool --shard: items from stdin (no total known) and -n split by job position" {
	run -0 bg_bash '
		seq 10 | pool -k --shard 1/4 echo "{#}" {}
		pool -k -n 2 --shard 0/2 echo "{#}" {} ::: 1 2 3 4 5 6 7 8
	'
	assert_output "$(printf '%s\n' '2 2' '6 6' '10 10' '1 1 2' '3 5 6')"
}

@test "pool --shard auto: Slurm, Kubernetes, AWS Batch and GitLab array variables" {
	run -0 bg_bash '
		it() { pool -k --shard "$@" echo "{#}" {} ::: a b c d e f | tr "\n" " "; echo; }
		SLURM_ARRAY_TASK_ID=7 SLURM_ARRAY_TASK_MIN=5 SLURM_ARRAY_TASK_COUNT=3 it auto
		SLURM_ARRAY_TASK_ID=10 SLURM_ARRAY_TASK_MIN=4 SLURM_ARRAY_TASK_STEP=3 SLURM_ARRAY_TASK_COUNT=3 it auto
		JOB_COMPLETION_INDEX=1 it auto/2
		AWS_BATCH_JOB_ARRAY_INDEX=0 AWS_BATCH_JOB_ARRAY_SIZE=4 it auto
		CI_NODE_INDEX=2 CI_NODE_TOTAL=2 it auto
		CI_NODE_INDEX=1 CI_NODE_TOTAL=3 it auto/3
	'
	assert_line -n 0 "3 c 6 f "
	assert_line -n 1 "3 c 6 f "
	assert_line -n 2 "2 b 4 d 6 f "
	assert_line -n 3 "1 a 5 e "
	assert_line -n 4 "2 b 4 d 6 f "
	assert_line -n 5 "1 a 4 d "
}

@test "pool --shard: bad values and missing variables are refused, nothing runs" {
	run -0 bg_bash '
		for s in 3/2 -1/2 x/2 1/0 1/ /3 1 auto/0 auto/x; do
			pool --shard "$s" echo ran ::: a; echo "$s: $?"
		done
		pool --shard auto echo ran ::: a; echo "none: $?"
		JOB_COMPLETION_INDEX=0 pool --shard auto echo ran ::: a; echo "k8s: $?"
		CI_NODE_INDEX=0 CI_NODE_TOTAL=2 pool --shard auto echo ran ::: a; echo "gitlab0: $?"
		CI_NODE_INDEX=3 CI_NODE_TOTAL=2 pool --shard auto echo ran ::: a; echo "gitlab3: $?"
		CI_NODE_INDEX=1 CI_NODE_TOTAL=2 pool --shard auto/3 echo ran ::: a; echo "mismatch: $?"
		SLURM_ARRAY_TASK_ID=x pool --shard auto echo ran ::: a; echo "slurm: $?"
		pool --sem --shard 0/2 echo ran; echo "sem: $?"
	'
	refute_line --partial ran
	for s in 3/2 -1/2 x/2 1/0 1/ /3 1 auto/0 auto/x; do
		assert_line --partial "pool: $s: invalid shard"
		assert_line "$s: 2"
	done
	assert_line --partial "--shard auto: no array job index in the environment"
	assert_line "none: 2"
	assert_line --partial "give the count as --shard auto/N"
	assert_line "k8s: 2"
	assert_line --partial "CI_NODE_INDEX=0: invalid shard"
	assert_line --partial "auto: invalid shard: index 2 of 2"
	assert_line --partial "--shard auto/3: CI_NODE_TOTAL=2 says otherwise"
	assert_line --partial "SLURM_ARRAY_TASK_ID=x: invalid shard"
	assert_line --partial "not with --sem, --wait or --status"
	assert_line "sem: 2"
}

@test "pool --shard: a bad shard under set -euo pipefail stops the script with status 2" {
	run -2 bg_bash '
		set -euo pipefail
		pool --shard 2/2 echo ran ::: a
		echo after
	'
	refute_line ran
	refute_line after
}

# --- --termseq -------------------------------------------------------------

# victim LOG: a function job that logs each TERM, INT and USR1 it gets and
# goes on until KILL.  (A background shell's jobs have INT ignored, and a
# non-interactive bash cannot trap it there: the shell test uses TERM.)
BG_VICTIM='
victim() {
	trap "echo TERM >> $1" TERM
	trap "echo INT >> $1" INT
	trap "echo USR1 >> $1" USR1
	echo started >> "$1"
	while :; do sleep 0.05; done
}
'

@test "pool --termseq: a timed-out job gets each signal of the sequence, then KILL" {
	run -0 bg_bash "$BG_VICTIM"'
		t0=$EPOCHREALTIME
		pool --timeout 0.3 --termseq TERM,200,USR1,200,INT,100,KILL,25 victim "$1/log" ::: 1
		echo "status $?"
		echo "log: $(tr "\n" " " < "$1/log")"
		pgrep -f "while :; do sleep" >/dev/null || echo none-left
		t=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		(( t >= 750 && t < 5000 )) && echo "timing ok" || echo "timing $t"
	' "$BATS_TEST_TMPDIR"
	assert_line "status 1"
	assert_line "log: started TERM USR1 INT "
	assert_line "timing ok"
}

@test "pool --termseq: --halt now stops the other jobs along the sequence" {
	run -0 bg_bash "$BG_VICTIM"'
		# fail only once the victim has set its traps (a slow fork under load)
		f() {
			if [ "$1" = fail ]; then
				while ! grep -qs started "$log"; do sleep 0.02; done
				return 3
			fi
			victim "$1"
		}
		log=$1/log
		pool -j2 --halt now,fail=1 --termseq USR1,150,TERM,150,KILL,25 f ::: fail "$1/log"
		echo "status $?"
		echo "log: $(tr "\n" " " < "$1/log")"
	' "$BATS_TEST_TMPDIR"
	assert_line "status 3"
	assert_line "log: started USR1 TERM "
}

@test "pool --termseq: TERM to the shell stops the jobs along the sequence" {
	run -0 bg_bash "$BG_VICTIM"'
		bash -c "enable -f \"\$BGTOOLS_SO\" pool; $(declare -f victim)
			pool --termseq TERM,150,USR1,150,KILL,25 victim ::: \"$1/log\"" &
		for i in $(seq 100); do [ -s "$1/log" ] && break; sleep 0.05; done
		kill -TERM $!
		wait $!
		echo "status $?"
		echo "log: $(tr "\n" " " < "$1/log")"
	' "$BATS_TEST_TMPDIR"
	assert_line "status 143"
	assert_line "log: started TERM USR1 "
}

@test "pool --termseq: without it a timeout is still TERM, then KILL a second later" {
	run -0 bg_bash "$BG_VICTIM"'
		pool --timeout 0.2 victim "$1/log" ::: 1
		echo "status $?"
		echo "log: $(tr "\n" " " < "$1/log")"
	' "$BATS_TEST_TMPDIR"
	assert_line "status 1"
	assert_line "log: started TERM "
}

@test "pool --termseq: bad sequences are refused with a clear error" {
	run -0 bg_bash '
		for s in TERM TERM,x FOO,10 TERM,10, ,TERM,10 TERM,-1 0,10 ""; do
			pool --termseq "$s" echo ran ::: a; echo "[$s]: $?"
		done
		pool --term-seq TERM,10,KILL,10 echo ran ::: ok
	'
	for s in TERM TERM,x FOO,10 TERM,10, ,TERM,10 TERM,-1 0,10; do
		assert_line --partial "pool: $s: invalid termination sequence"
		assert_line "[$s]: 2"
	done
	assert_line "[]: 2"
	assert_line "ran ok"
	assert_equal "$(grep -c '^ran' <<< "$output")" 1
}

# --- --nice ----------------------------------------------------------------

@test "pool --nice: disk commands and functions run at the shell's niceness plus N" {
	run -0 bg_bash '
		base=$(cut -d" " -f19 /proc/$$/stat)
		f() { cut -d" " -f19 /proc/$BASHPID/stat; }
		pool -k --nice 5 sh -c "cut -d\" \" -f19 /proc/\$\$/stat" ::: 1 | sed "s/^/disk /"
		pool --nice 5 f ::: 1 | sed "s/^/func /"
		pool f ::: 1 | sed "s/^/plain /"
		echo "base $base"
		pool --nice x f ::: 1; echo "bad $?"
	'
	base=$(sed -n 's/^base //p' <<< "$output")
	assert_line "disk $((base + 5 > 19 ? 19 : base + 5))"
	assert_line "func $((base + 5 > 19 ? 19 : base + 5))"
	assert_line "plain $base"
	assert_line --partial "pool: x: invalid niceness"
	assert_line "bad 2"
}

# --- --memfree, --load, --limit --------------------------------------------

@test "pool --memfree: more than the machine has holds every job; a small value lets them run" {
	run -0 bg_bash '
		cd "$1" || exit
		pool --memfree 1P touch ::: held1 held2 &
		sleep 1.5
		kill -TERM $!; wait $!; echo "held status $?"
		ls held* 2>/dev/null || echo nothing-started
		pool --memfree 1k touch ::: ran1 ran2; echo "ran status $?"
		ls ran*
	' "$BATS_TEST_TMPDIR"
	assert_line "held status 143"
	assert_line nothing-started
	assert_line "ran status 0"
	assert_line ran1
	assert_line ran2
}

@test "pool --load: a maximum below the load average holds jobs; a high one lets them run" {
	read -r l1 _ < /proc/loadavg
	[ "$l1" != 0.00 ] || skip "the 1-minute load average is 0.00"
	run -0 bg_bash '
		cd "$1" || exit
		pool --load 0.0001 touch ::: held &
		sleep 1.5
		kill -TERM $!; wait $!; echo "held status $?"
		[ -e held ] || echo nothing-started
		pool --load 100000 touch ::: ran; echo "ran status $?"
		pool --load 100000% touch ::: ran2; echo "pct status $?"
	' "$BATS_TEST_TMPDIR"
	assert_line "held status 143"
	assert_line nothing-started
	assert_line "ran status 0"
	assert_line "pct status 0"
	[ -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "pool --limit: exit 1 holds until the command says 0, re-asked about once a second" {
	run -0 bg_bash '
		cd "$1" || exit
		printf "%s\n" "n=\$(cat count 2>/dev/null || echo 0); echo \$((n + 1)) > count; [ \$n -ge 2 ]" > lim.sh
		t0=$EPOCHREALTIME
		pool --limit "bash lim.sh" echo ran ::: a; echo "status $?"
		t=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		echo "count $(cat count)"
		(( t >= 1500 && t < 10000 )) && echo "timing ok" || echo "timing $t"
	' "$BATS_TEST_TMPDIR"
	assert_line "ran a"
	assert_line "status 0"
	assert_line "count 3"
	assert_line "timing ok"
}

@test "pool --limit: exit 2 stops the youngest job and runs it again later" {
	run -0 bg_bash '
		cd "$1" || exit
		job() { echo "$1" >> starts; sleep 1.5; echo "done $1"; }
		lim="[ -e starts ] && grep -q b starts && [ ! -e shed ] && touch shed && exit 2; exit 0"
		pool -j2 -k --joblog log --limit "$lim" job ::: a b; echo "status $?"
		echo "starts: $(sort starts | tr "\n" " ")"
		echo "logged: $(tail -n +2 log | wc -l)"
	' "$BATS_TEST_TMPDIR"
	assert_line "status 0"
	assert_line "starts: a b b "
	assert_line "logged: 2"
	assert_output --partial "$(printf 'done a\ndone b')"
	assert_equal "$(grep -c '^done b' <<< "$output")" 1
}

@test "pool --load, --memfree, --limit: bad values are refused, and not with --sem" {
	run -0 bg_bash '
		for v in x -1 0 1%x ""; do pool --load "$v" echo ran ::: a; echo "load[$v]: $?"; done
		for v in x 0 10X 1kb -5 ""; do pool --memfree "$v" echo ran ::: a; echo "mem[$v]: $?"; done
		pool --sem --load 1 echo ran; echo "sem: $?"
		pool --memfree 1Ki --load 100000% echo ran ::: ok
	'
	for v in x -1 0 1%x; do
		assert_line --partial "pool: $v: invalid load"
		assert_line "load[$v]: 2"
	done
	for v in x 0 10X 1kb -5; do
		assert_line --partial "pool: $v: invalid size"
		assert_line "mem[$v]: 2"
	done
	assert_line "sem: 2"
	assert_line "ran ok"
	assert_equal "$(grep -c '^ran' <<< "$output")" 1
}

# --- --rlimit --------------------------------------------------------------

@test "pool --rlimit: each job gets the cpu, as and fsize limits, soft and hard" {
	# ASan reserves terabytes of address space: as=100M cannot hold it.
	[ -z "${ASAN_OPTIONS-}" ] || skip "an address-space limit under make asan"
	run -0 bg_bash '
		cd "$1" || exit
		pool --rlimit cpu=7,as=100M,fsize=10K bash -c "ulimit -St; ulimit -Ht; ulimit -Sv; ulimit -Hv; ulimit -f" ::: 1 | tr "\n" " "; echo
		f() { ulimit -t; }
		pool --rlimit cpu=9 f ::: 1
		ulimit -t
	' "$BATS_TEST_TMPDIR"
	assert_line -n 0 "7 7 102400 102400 10 "
	assert_line -n 1 9
	assert_line -n 2 unlimited
}

@test "pool --rlimit: a job over its cpu or fsize limit is stopped by the kernel" {
	run -0 bg_bash '
		cd "$1" || exit
		t0=$EPOCHREALTIME
		pool --rlimit cpu=1 bash -c "while :; do :; done" ::: 1; echo "cpu status $?"
		t=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		(( t < 20000 )) && echo "cpu stopped"
		pool --rlimit fsize=1k --joblog log sh -c "head -c 5000 /dev/zero > big" ::: 1; echo "fsize status $?"
		echo "size $(stat -c %s big)"
		echo "exitval $(tail -n 1 log | cut -f7)"
	' "$BATS_TEST_TMPDIR"
	assert_line "cpu status 1"
	assert_line "cpu stopped"
	assert_line "fsize status 1"
	assert_line "size 1000"
	assert_line "exitval 153"	# 128 + SIGXFSZ
}

@test "pool --rlimit: bad limits are refused, nothing runs" {
	run -0 bg_bash '
		for v in "" foo=1 cpu cpu= cpu=0 cpu=x cpu=1, ,cpu=1 as=1x fsize=-1 "cpu=1,,as=1M" cpu=1,as=1M,fsize=1M,cpu=2; do
			pool --rlimit "$v" echo ran ::: a; echo "[$v]: $?"
		done
	'
	refute_line --partial ran
	for v in foo=1 cpu cpu= cpu=0 cpu=x cpu=1, ,cpu=1 as=1x fsize=-1 "cpu=1,,as=1M" cpu=1,as=1M,fsize=1M,cpu=2; do
		assert_line --partial "pool: $v: invalid resource limit"
		assert_line "[$v]: 2"
	done
	assert_line "[]: 2"
}

# --- --mem-limit, --cpu-quota ------------------------------------------------

# cgroup_or_skip: skip unless pool can make a cgroup with the memory and
# cpu controllers here (root, and v2 with them or v1 hierarchies): says
# what pool said.
cgroup_or_skip() {
	local err
	err=$(bg_bash 'pool --mem-limit 1G --cpu-quota 100% true ::: 1' 2>&1)
	[ -z "$err" ] || skip "no cgroup for the caps here: $err"
}

# cgroups_of PID: print the cgroup directories the pool of shell PID made
# (bgtools-PID-N), in any hierarchy.
cgroups_of() {
	find /sys/fs/cgroup -maxdepth 8 -type d -name "bgtools-$1-*" 2> /dev/null
}

@test "pool --mem-limit: a job over it is killed (137) and pool says so; one under it succeeds" {
	cgroup_or_skip
	run -1 --separate-stderr bg_bash '
		pool -j 2 --mem-limit 50M --status-array st sh -c "head -c \$1 /dev/zero | tail > /dev/null && echo \$1 fits" sh ::: 200M 5M
		rc=$?
		echo "status ${st[*]}"
		exit "$rc"
	'
	# tail holds the one 200M line whole: the kernel kills it at 50M.
	assert_line "status 137 0"
	assert_line "5M fits"
	refute_line "200M fits"
	[ "$(grep -c -- 'killed at its --mem-limit' <<< "$stderr")" = 1 ] ||
	    fail "not one message: $stderr"
	grep -q -- "pool: warning: job 1: killed at its --mem-limit\$" <<< "$stderr" ||
	    fail "$stderr"
}

@test "pool --mem-limit: in a slot that later jobs reuse, only the jobs that hit the cap are reported" {
	cgroup_or_skip
	run -3 --separate-stderr bg_bash '
		pool -j 1 --mem-limit 50M --status-array st sh -c "head -c \$1 /dev/zero | tail > /dev/null && echo \$1 fits" sh ::: 200M 5M 200M 5M 1M 200M
		rc=$?
		echo "status ${st[*]}"
		exit "$rc"
	'
	assert_line "status 137 0 137 0 0 137"
	assert_equal "$(grep -c 'fits$' <<< "$output")" 3
	assert_equal "$(grep -c -- 'killed at its --mem-limit$' <<< "$stderr")" 3
	for n in 1 3 6; do
		grep -q -- "job $n: killed at its --mem-limit\$" <<< "$stderr" ||
		    fail "no message for job $n: $stderr"
	done
}

@test "pool --mem-limit: the cap holds for all a job starts, each job in its own slot's cgroup" {
	cgroup_or_skip
	run -0 bg_bash '
		f() { grep -c "bgtools-$1-[0-9]*/$POOL_SLOT\$" /proc/self/cgroup; }
		pool -k -j 2 --mem-limit 64M f $$ ::: a b
		pool --mem-limit 30M bash -c "sh -c \"head -c 100M /dev/zero | tail\" >/dev/null; echo grandchild \$?" ::: 1
	'
	# v1: the memory hierarchy's line (no cpu cap); v2: its one line.
	assert_line -n 0 1
	assert_line -n 1 1
	assert_line "grandchild 137"
}

@test "pool --cpu-quota 20%: a busy loop gets about a fifth of a CPU over 2 s" {
	cgroup_or_skip
	run -0 bg_bash '
		quota() {
			local p
			p=$(grep -o "/bgtools-[0-9]*-[0-9]*/[0-9]*\$" /proc/self/cgroup | head -n 1)
			[ -n "$p" ] && find /sys/fs/cgroup -maxdepth 8 \( -path "*$p/cpu.max" -o -path "*$p/cpu.cfs_quota_us" \) -exec cat {} +
		}
		f() { quota; TIMEFORMAT="%R %U %S"; time timeout 2 sh -c "while :; do :; done"; return 0; }
		pool --cpu-quota 20% f ::: 1 2>&1
	'
	# v2 cpu.max, or v1 cpu.cfs_quota_us: 20 ms of every 100.
	assert_line -n 0 --regexp "^20000( 100000)?\$"
	read -r real user sys <<< "${lines[-1]}"
	pct=$(awk -v r="$real" -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 100 / r }')
	echo "real $real user $user sys $sys: ${pct}% of one CPU" >&3
	# 20% by the quota; generous for a loaded machine's jitter.
	(( pct < 50 )) || fail "the loop used ${pct}% of a CPU"
	(( pct > 2 )) || fail "the loop hardly ran: ${pct}%"
}

@test "pool --mem-limit --cpu-quota: no cgroup is left after the pool, nor what a job left running" {
	cgroup_or_skip
	mark 300.
	run -0 bg_bash '
		pool -j 2 --mem-limit 64M --cpu-quota 50% sh -c "setsid sleep $1 > /dev/null 2>&1 & echo started" ::: a b c
		echo "status $?"
		echo "pid $$"
	' "$REPLY"
	assert_line "status 0"
	pid=${lines[-1]#pid }
	[ -z "$(cgroups_of "$pid")" ] || fail "left: $(cgroups_of "$pid")"
	# setsid took them out of the job's group, not out of its cgroup.
	gone "$(pat "$REPLY")"
}

@test "pool --mem-limit: TERM to the shell in pool stops the jobs and leaves no cgroup" {
	cgroup_or_skip
	mark 300.
	m=$REPLY
	bg_bash 'echo $$ > "$1/pid"; pool -j 2 --mem-limit 64M --cpu-quota 50% sleep ::: "$2" "$2"' \
	    "$BATS_TEST_TMPDIR" "$m" 3>&- &
	wait_procs 2 "$(pat "$m")"
	pid=$(< "$BATS_TEST_TMPDIR/pid")
	[ -n "$(cgroups_of "$pid")" ] || fail "no cgroup while the jobs run"
	kill -TERM "$pid"
	st=0
	wait "$!" || st=$?
	assert_equal "$st" 143
	[ -z "$(cgroups_of "$pid")" ] || fail "left: $(cgroups_of "$pid")"
	gone "$(pat "$m")"
}

@test "pool --mem-limit, --cpu-quota: without a writable cgroup, one warning each and the jobs run uncapped" {
	local dir so run_as=()
	# Where any user may read the library (bats' own dir may not be).
	dir=$(mktemp -d /tmp/bgtools-cg.XXXXXX)
	so=$dir/bgtools.so
	cp "$BGTOOLS_SO" "$so"
	chmod 755 "$dir" "$so"
	# As root, an unprivileged user: it may write no cgroup.
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv > /dev/null || skip "no setpriv to drop root"
		run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	run -0 --separate-stderr "${run_as[@]}" bash -c '
		enable -f "$1" pool || exit 99
		pool -k -j 2 --mem-limit 1M --cpu-quota 10% sh -c "head -c 20M /dev/zero | tail | wc -c" ::: a b c
		echo "status $?"
	' bash "$so"
	rm -r "$dir"
	assert_output "$(printf '%s\n' 20971520 20971520 20971520 'status 0')"
	assert_equal "$(grep -c . <<< "$stderr")" 2
	[[ ${stderr_lines[0]} == *"pool: warning: --mem-limit: no writable cgroup with the memory controller; running without the limit" ]] ||
	    fail "$stderr"
	[[ ${stderr_lines[1]} == *"pool: warning: --cpu-quota: no writable cgroup with the cpu controller; running without the limit" ]] ||
	    fail "$stderr"
}

@test "pool --mem-limit, --cpu-quota: bad values, --persist and --sem are refused, nothing runs" {
	run -0 bg_bash '
		for v in x 0 -5 10X; do
			pool --mem-limit "$v" echo ran ::: a; echo "mem[$v]: $?"
		done
		for v in x 0 0.5 -1 50%% 100001 ""; do
			pool --cpu-quota "$v" echo ran ::: a; echo "cpu[$v]: $?"
		done
		f() { echo ran; }
		pool --persist --mem-limit 1G f ::: a; echo "persist: $?"
		pool --sem --cpu-quota 50% echo ran; echo "sem: $?"
	'
	refute_line --partial ran
	for v in x 0 -5 10X; do
		assert_line --partial "pool: $v: invalid size"
		assert_line "mem[$v]: 2"
	done
	for v in x 0 0.5 -1 50%% 100001; do
		assert_line --partial "pool: $v: invalid CPU quota"
		assert_line "cpu[$v]: 2"
	done
	assert_line "cpu[]: 2"
	assert_line --partial "--mem-limit or --cpu-quota"
	assert_line "persist: 2"
	assert_line --partial "--mem-limit and --cpu-quota work on a batch"
	assert_line "sem: 2"
}
