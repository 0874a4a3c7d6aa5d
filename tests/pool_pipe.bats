#!/usr/bin/env bats
# pool --pipe and --pipepart (issue 13): stdin or a file cut into blocks
# of whole records, one block on each job's stdin; --block, --recend,
# --recstart, -N, --header.  Where Debian's `parallel' is installed, the
# expected blocks come from it: `same' runs both on the same input and
# compares what the jobs saw.

load test_helper
bats_require_minimum_version 1.5.0

# same INPUT ARG...: `pool -k ARG...' and `parallel -k ARG...' with the
# file INPUT on stdin print the same lines and return the same status
# (skipped without GNU parallel).  The command is a word list for pool
# and a shell line for parallel: keep it to words without quotes.
same() {
	local in=$1 mine theirs st_mine=0 st_theirs=0
	shift
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	mine=$(psh 'pool -k "$@"' "$@" < "$in") || st_mine=$?
	theirs=$(parallel -k "$@" < "$in" 2>/dev/null) || st_theirs=$?
	if [ "$mine" != "$theirs" ] || [ "$st_mine" != "$st_theirs" ]; then
		printf 'pool (%s):\n%s\nparallel (%s):\n%s\n' "$st_mine" \
		    "$mine" "$st_theirs" "$theirs" >&2
		return 1
	fi
}

# A job that prints what it got: its lines, bytes and first and last line.
BLOCK_SUM='lines() { local n=0 c=0 f= l= x; while IFS= read -r x; do
	((n++ == 0)) && f=$x; l=$x; c=$((c + ${#x} + 1)); done
	echo "$n $c $f $l"; }
'

@test "pool --pipe: seq 1000000 in 100k blocks, wc -l of every block sums to 1000000" {
	run -0 psh 'seq 1000000 | pool --pipe --block 100k wc -l |
	    awk "{ s += \$1; n++ } END { print s, n }"'
	# 6888896 bytes in blocks of about 100000: 69 jobs.
	assert_output "1000000 69"
}

@test "pool --pipe: the blocks are GNU parallel's, cut at the last line end" {
	seq 100000 > "$BATS_TEST_TMPDIR/in"
	run -0 psh 'pool -k --pipe --block 10k wc -l < "$1"' "$BATS_TEST_TMPDIR/in"
	assert_line --index 0 2221
	assert_line --index 1 2000
	same "$BATS_TEST_TMPDIR/in" --pipe --block 10k wc -l
	same "$BATS_TEST_TMPDIR/in" --pipe --block 3K wc -c
	seq 2000 > "$BATS_TEST_TMPDIR/small"
	same "$BATS_TEST_TMPDIR/small" --pipe --block 500 wc -l
}

@test "pool --pipe: records are never split and nothing is lost or doubled" {
	run -0 psh 'seq 200000 | pool -k --pipe --block 1k cat | cmp - <(seq 200000) && echo same'
	assert_output same
	# Out of order too: every line once, whole.
	run -0 psh 'seq 50000 | pool -j4 --pipe --block 1k cat | sort -n |
	    cmp - <(seq 50000) && echo same'
	assert_output same
}

@test "pool --pipe -N: N records a block, as GNU parallel" {
	seq 10 > "$BATS_TEST_TMPDIR/in"
	run -0 psh 'pool -k --pipe -N 3 wc -l < "$1" | tr "\n" " "' \
	    "$BATS_TEST_TMPDIR/in"
	assert_output "3 3 3 1 "
	same "$BATS_TEST_TMPDIR/in" --pipe -N 3 wc -l
	seq 20000 > "$BATS_TEST_TMPDIR/big"
	same "$BATS_TEST_TMPDIR/big" --pipe -N 7000 wc -l
}

@test "pool --pipe --header N and :: the first lines start every block" {
	printf 'h1\nh2\na\nb\nc\nd\ne\n' > "$BATS_TEST_TMPDIR/in"
	run -0 psh 'pool -k --pipe --header 2 -N 2 cat < "$1" | tr "\n" " "' \
	    "$BATS_TEST_TMPDIR/in"
	assert_output "h1 h2 a b h1 h2 c d h1 h2 e "
	same "$BATS_TEST_TMPDIR/in" --pipe --header 2 -N 2 cat
	same "$BATS_TEST_TMPDIR/in" --pipe --header : -N 3 cat
	seq 1000 > "$BATS_TEST_TMPDIR/big"
	same "$BATS_TEST_TMPDIR/big" --pipe --header 3 --block 1k wc -l
}

@test "pool --pipe --recend and --recstart: records end and start where told" {
	printf 'a;b;c;d;e' > "$BATS_TEST_TMPDIR/semi"
	run -0 psh 'pool -k --pipe --recend ";" -N 2 sh -c "cat; echo" < "$1"' \
	    "$BATS_TEST_TMPDIR/semi"
	assert_output $'a;b;\nc;d;\ne'
	same "$BATS_TEST_TMPDIR/semi" --pipe --recend ';' -N 2 cat
	printf '>a\nx\ny\n>b\nz\n>c\nw\n' > "$BATS_TEST_TMPDIR/fa"
	same "$BATS_TEST_TMPDIR/fa" --pipe --recstart '>' -N 1 wc -l
	same "$BATS_TEST_TMPDIR/fa" --pipe --recstart '>' --recend '\n' -N 2 wc -l
	same "$BATS_TEST_TMPDIR/fa" --pipe --recstart '>' --block 12 wc -c
	# \0 is an escape: NUL-terminated records.
	run -0 psh 'printf "a\0b\0c\0" | pool -k --pipe --recend "\0" -N 2 wc -c'
	assert_output $'4\n2'
}

@test "pool --pipe: one record longer than --block is one block, whole" {
	run -0 psh '{ head -c 3000000 /dev/zero | tr "\0" x; echo; seq 5; } |
	    pool -k --pipe --block 100k wc -lc | tr -s " " | tr "\n" /'
	assert_output " 1 3000001/ 5 10/"
}

@test "pool --pipe: empty input runs no job and returns 0, as GNU parallel" {
	mark 0.01
	run -0 psh 'pool --pipe sh -c "echo ran" < /dev/null; echo "st=$?"'
	assert_output "st=0"
	: > "$BATS_TEST_TMPDIR/empty"
	same "$BATS_TEST_TMPDIR/empty" --pipe wc -l
}

@test "pool --pipe: a job that does not read its stdin blocks nothing; its status counts" {
	run -0 psh 'seq 300000 | pool --pipe --block 10k true; echo "st=$?"'
	assert_output "st=0"
	run -0 psh 'seq 100 | pool --pipe -N 30 sh -c "exit 3"; echo "st=$?"'
	assert_output "st=4"
}

@test "pool --pipe: -k --tag, --joblog, per-job status array" {
	run -0 psh 'pool -k --tag --tagstring "b{#}" --pipe -N 4 \
	    --joblog "$1" --status-array st wc -l < <(seq 9); echo "${st[*]}"' \
	    "$BATS_TEST_TMPDIR/log"
	assert_output $'b1\t4\nb2\t4\nb3\t1\n0 0 0'
	run -0 awk 'NR > 1 { n++ } END { print n }' "$BATS_TEST_TMPDIR/log"
	assert_output 3
}

@test "pool --pipe: a shell function reads its block" {
	run -0 psh "$BLOCK_SUM"'seq 10 | pool -k --pipe -N 4 lines'
	assert_output $'4 8 1 4\n4 8 5 8\n2 5 9 10'
}

@test "pool --pipe --retries: a retried job reads the same block again" {
	run -0 psh 'seq 6 | pool -k --pipe -N 3 --retries 3 sh -c \
	    "read -r x; if [ ! -e \"$1/\$x\" ]; then : > \"$1/\$x\"; exit 1; fi; echo \$x; cat" x' \
	    "$BATS_TEST_TMPDIR"
	assert_output $'1\n2\n3\n4\n5\n6'
}

@test "pool --pipe --halt now,fail=1: the first failure stops the rest" {
	mark 30.
	run -1 psh 'seq 100 | pool -j2 --pipe -N 10 --halt now,fail=1 sh -c \
	    "read -r x; [ \$x = 1 ] && exit 1; sleep $1"' "$REPLY"
	no_leftovers "$(pat "$REPLY")"
}

@test "pool --pipe --timeout: a block's job past the limit is stopped" {
	mark 30.
	run -0 psh 'seq 10 | pool --pipe -N 5 --timeout 0.3 sh -c \
	    "read -r x; [ \$x = 1 ] && sleep $1; cat >/dev/null"; echo "st=$?"' "$REPLY"
	assert_output "st=1"
}

@test "pool --pipe: stdin that is slow to come keeps the pool awake: blocks run as they come" {
	run -0 psh '{ echo a; sleep 0.5; echo b; } | pool -k --pipe -N 1 cat'
	assert_output $'a\nb'
}

@test "pool --pipe: TERM while stdin has nothing stops the pool at once and leaves nothing" {
	# The producer sleeps a mark of its own, and its output files (bgsh)
	# let the test go on at once: a job left behind would still be there.
	mark 30.
	local m=$REPLY
	mark 40.
	run -0 bgsh '
		m=$1
		{ echo a; sleep "$2"; } | pool --pipe -N 1 sh -c "cat >/dev/null; sleep $m" &
		p=$!
		for ((i = 0; i < 100; i++)); do pgrep -f "sh -c cat >/dev/null; sleep $m" >/dev/null && break; sleep 0.05; done
		t=$EPOCHREALTIME
		kill -TERM "$p"
		# $p is the last of its pipeline: wait would wait for the first too.
		while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
		echo "ms=$(ms_since "$t")"' "$m" "$REPLY"
	[[ $output =~ ms=([0-9]+) ]] || fail "$output"
	(( BASH_REMATCH[1] < 3000 )) || fail "took ${BASH_REMATCH[1]} ms"
	sleep 0.3
	no_leftovers "sh -c cat >/dev/null; sleep $m"
}

@test "pool --pipe: Ctrl-C (INT) in the middle of a big input stops every job" {
	mark 30.
	run -0 psh '
		yes | pool -j2 --pipe --block 10k sh -c "cat >/dev/null; sleep $1" &
		p=$!
		for ((i = 0; i < 100; i++)); do (( $(pgrep -cf "sh -c cat >/dev/null; sleep $1") >= 2 )) && break; sleep 0.05; done
		kill -INT "$p"
		wait "$p"; echo "st=$?"' "$REPLY"
	assert_output "st=130"
	sleep 0.3
	no_leftovers "sh -c cat >/dev/null; sleep $REPLY"
	no_leftovers "^yes$"
}

@test "pool --pipe: memory stays bounded on a large input (spooled, not held)" {
	# pool in the script's own shell (not a pipeline's subshell).
	run -0 psh 'pool -j2 --pipe --block 1M wc -l > "$1" \
	    < <(head -c 100000000 /dev/zero | tr "\0" "\n")
	    awk "{ s += \$1 } END { print s }" "$1"
	    while read -r k v r; do [ "$k" != VmHWM: ] || echo "$v"; done < /proc/$BASHPID/status' \
	    "$BATS_TEST_TMPDIR/out"
	assert_line --index 0 100000000
	(( ${lines[1]} < 60000 )) || fail "peak RSS ${lines[1]} kB"
}

@test "pool --pipe under set -euo pipefail: a failing block stops the script" {
	run -1 psh 'set -euo pipefail; seq 10 | pool --pipe -N 5 grep -q 9; echo reached'
	refute_output --partial reached
	run -0 psh 'set -euo pipefail; seq 10 | pool --pipe -N 5 grep -q .; echo reached'
	assert_output reached
}

@test "pool --pipepart: the ranges are GNU parallel's; the whole file, once" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	seq 100000 > "$BATS_TEST_TMPDIR/in"
	run -0 psh 'pool -k --pipepart --block 10k wc -lc :::: "$1" |
	    tr -s " " | head -3' "$BATS_TEST_TMPDIR/in"
	assert_output $' 2222 10003\n 2001 10005\n 2001 10005'
	a=$(psh 'pool -k --pipepart --block 10k -a "$1" wc -l' "$BATS_TEST_TMPDIR/in")
	b=$(parallel -k --pipepart --block 10k -a "$BATS_TEST_TMPDIR/in" wc -l)
	assert_equal "$a" "$b"
	run -0 psh 'pool -k --pipepart --block 1k cat :::: "$1" | cmp - "$1" &&
	    echo same' "$BATS_TEST_TMPDIR/in"
	assert_output same
}

@test "pool --pipepart --header: the header starts every range" {
	{ echo head; seq 1000; } > "$BATS_TEST_TMPDIR/in"
	run -0 psh 'pool -k --pipepart --header : --block 1k sh -c \
	    "IFS= read -r h; echo \"\$h \$(wc -l)\"" :::: "$1"' "$BATS_TEST_TMPDIR/in"
	assert_line --index 0 "head 278"
	assert_equal "${#lines[@]}" 4
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	b=$(parallel -k --pipepart --header : --block 1k -a "$BATS_TEST_TMPDIR/in" \
	    sh -c "'IFS= read -r h; echo \"\$h \$(wc -l)\"'")
	assert_equal "$output" "$b"
}

@test "pool --pipepart: TERM stops the jobs and their range helpers" {
	mark 30.
	seq 200000 > "$BATS_TEST_TMPDIR/in"
	run -0 psh '
		pool -j2 --pipepart --block 10k sh -c "sleep $1" :::: "$2" &
		p=$!
		for ((i = 0; i < 100; i++)); do (( $(pgrep -cf "sh -c sleep $1") >= 2 )) && break; sleep 0.05; done
		kill -TERM "$p"
		wait "$p"; echo "st=$?"' "$REPLY" "$BATS_TEST_TMPDIR/in"
	assert_output "st=143"
	sleep 0.3
	no_leftovers "sh -c sleep $REPLY"
}

@test "pool --pipe --regexp: --recstart and --recend as regular expressions, GNU parallel's blocks" {
	local i f=$BATS_TEST_TMPDIR/fa
	for ((i = 1; i <= 400; i++)); do printf '>r%d\nAC\nGT\n' "$i"; done > "$f"
	run -0 psh 'pool -k --pipe --regexp --recstart "^>" --block 500 wc -c < "$1"' "$f"
	assert_line --index 0 497
	[ "${#lines[@]}" = 10 ] || fail "$output"
	same "$f" --pipe --regexp --recstart '^>' --block 500 wc -c
	same "$f" --pipe --regexp --recstart '>r[0-9]+' --block 500 wc -c
	same "$f" --pipe --regex --recend 'T$' --block 300 wc -c
	same "$f" --pipe --regexp --recend 'C|T\n' --block 100 wc -c
	same "$f" --pipe --regexp --recend '\n' --recstart '>' -N 3 wc -c
	same "$f" --pipe --regexp --recstart '>r\d*0\n' --block 1000 wc -c
	same "$f" --pipe --regexp --recend '' --block 100 wc -c
	# Without --regexp the same strings are taken as they are.
	run -0 psh 'pool -k --pipe --recstart "^>" --block 500 wc -c < "$1" | wc -l' "$f"
	assert_output 1
}

@test "pool --regexp: a bad expression is refused before anything runs" {
	run -2 psh 'echo a | pool --pipe --regexp --recend "(" sh -c "echo ran"'
	assert_output --partial 'pool: (: invalid regular expression (--regexp'
	refute_output --partial ran
	run -2 psh 'pool --regexp sh -c "echo ran" ::: a'
	assert_output --partial 'only with --pipe or --pipepart'
}

# rr_sum ARG...: the sum and count of the first column that `seq 1000000
# | pool --pipe --roundrobin ARG... wc -l' (or parallel's) prints.
rr_sum() {
	seq 1000000 | "$@" | awk '{ s += $1; n++ } END { print s, n }'
}

@test "pool --pipe --roundrobin: the -j jobs start once and count every line, as GNU parallel" {
	run -0 psh 'seq 1000000 | pool --pipe --roundrobin -j4 wc -l |
	    awk "{ s += \$1; n++ } END { print s, n }"'
	assert_output "1000000 4"
	if command -v parallel >/dev/null; then
		assert_equal "$(rr_sum parallel --pipe --roundrobin -j4 wc -l)" \
		    "1000000 4"
	fi
	# Without --roundrobin the same input is 7 jobs of a block each.
	run -0 psh 'seq 1000000 | pool --pipe -j4 wc -l | wc -l'
	assert_output 7
}

@test "pool --pipe --roundrobin: records are never split, nothing lost or doubled" {
	run -0 psh 'seq 300000 | pool --pipe --round-robin -j3 --block 10k cat |
	    sort -n | cmp - <(seq 300000) && echo same'
	assert_output same
	# Records of several lines, cut where a line starts with >.
	run -0 psh 'for i in {1..3000}; do printf ">r%d\nx\ny\n" "$i"; done |
	    pool --pipe --roundrobin -j3 --block 1k --recstart ">" -N 7 \
	    awk "/^>/ { n++ } END { print n, NR }"'
	[ "${#lines[@]}" = 3 ] || fail "$output"
	assert_equal "$(awk '{ r += $1; l += $2 } END { print r, l }' <<<"$output")" "3000 9000"
}

@test "pool --pipe --roundrobin: a short input starts fewer jobs and an empty one none, as GNU parallel" {
	run -0 psh 'seq 3 | pool --pipe --roundrobin -j4 wc -l'
	assert_output 3
	run -0 psh 'pool --pipe --roundrobin -j4 wc -l < /dev/null; echo "st=$?"'
	assert_output "st=0"
	if command -v parallel >/dev/null; then
		assert_equal "$(seq 3 | parallel --pipe --roundrobin -j4 wc -l)" 3
		assert_equal "$(parallel --pipe --roundrobin -j4 wc -l < /dev/null)" ""
	fi
}

@test "pool --pipe --roundrobin --header: each job reads the header once, first, as GNU parallel" {
	# Which job gets which block is up to the jobs' pace (GNU's too).
	run -0 psh 'printf "h\n1\n2\n3\n4\n" | pool --pipe --roundrobin --header : -j2 --block 2 sed -n 1p'
	assert_output $'h\nh'
	run -0 psh 'printf "h\n1\n2\n3\n4\n" | pool --pipe --roundrobin --header : -j2 --block 2 cat | sort'
	assert_output $'1\n2\n3\n4\nh\nh'
	if command -v parallel >/dev/null; then
		assert_equal "$(printf 'h\n1\n2\n3\n4\n' | parallel --pipe --roundrobin --header : -j2 --block 2 cat | sort)" "$output"
	fi
}

@test "pool --pipe --roundrobin: jobs that stop reading end the pool; the feeder does not linger" {
	run -0 psh 'yes | pool --pipe --roundrobin -j2 head -n 1; echo "st=$?"'
	assert_output $'y\ny\nst=0'
	sleep 0.3
	no_leftovers "^yes$"
}

@test "pool --pipe --roundrobin: a job that goes without reading leaves the input to the others, whole records, and fails the pool" {
	# GNU parallel dies of SIGPIPE here (20221122 and 20260522), the
	# others' output lost; pool's feeder once ended too, the rest unread.
	run -0 psh 'seq 300000 | pool --pipe --roundrobin -j3 --block 10k \
	    bash -c "mkdir \"\$1/gone\" 2>/dev/null && sleep 0.3 && exit 3; cat" job "$1" > "$1/out"
	    echo "st=${PIPESTATUS[*]}"' "$BATS_TEST_TMPDIR"
	assert_output "st=0 1"
	# What the gone job's pipe held is lost (a block or two), no more.
	run -0 awk '!/^[0-9]+$/ || $1 < 1 || $1 > 300000 || seen[$1]++ { bad++ }
	    END { print (NR > 290000), bad + 0 }' "$BATS_TEST_TMPDIR/out"
	assert_output "1 0"
}

@test "pool --pipe --roundrobin: a function job that goes does not hold the others' input open" {
	# A function job does not exec: the pipes of the jobs after it, if it
	# kept them, would never tell the feeder they had gone (a hang).
	run -0 psh 'f() { mkdir "$1/gone" 2>/dev/null && exit 3; wc -l; }
	    seq 300000 | pool --pipe --roundrobin -j3 --block 10k f "$1" |
	    awk "{ s += \$1; n++ } END { print (s > 290000), n }"
	    echo "st=${PIPESTATUS[*]}"' "$BATS_TEST_TMPDIR"
	assert_output $'1 2\nst=0 1 0'
}

@test "pool --pipe --roundrobin: stopped by TERM while its input is silent, it leaves no feeder behind" {
	# The feeder, waiting on a producer that does not write, once
	# outlived the pool and its jobs until the producer wrote or ended.
	run -0 psh '
		trap "echo trapped" TERM
		{ sleep 0.5; kill -TERM $$; } & k=$!
		pool --pipe --roundrobin -j2 --block 1 cat < <(echo a; exec sleep 30)
		echo "st=$?"; p=$!
		wait "$k"
		for ((i = 0; i < 50; i++)); do
			pgrep -P $$ -x bash > /dev/null || break
			sleep 0.1
		done
		pgrep -P $$ -x bash > /dev/null && echo "feeder left"
		kill "$p"'
	assert_output $'trapped\nst=143'
}

@test "pool --pipe --roundrobin: a job that goes within a long record while the input pauses: the rest goes on to the others" {
	# The feeder, waiting on the input, closed the pipe it was writing
	# the record into, then failed writing the rest (EBADF).
	run -0 psh 'f() { if [ "$POOL_SEQ" = 1 ]; then head -c 45000 > /dev/null; exit 4; fi; wc -l; }
	    { head -c 50000 /dev/zero | tr "\0" x; sleep 1; echo xx; seq 1000; } |
	    pool --pipe --roundrobin -j2 --block 10k f; echo "st=$?"'
	assert_output $'1000\nst=1'
}

@test "pool --pipe --roundrobin: TERM while the feeder is blocked on a job that never reads: nothing is left" {
	run -143 psh '
		: rr_blocked_feeder
		{ sleep 0.5; kill -TERM $$; } &
		pool --pipe --roundrobin -j2 --block 10k sh -c "exec sleep 40" < <(exec yes)
		echo "not reached"'
	assert_output ""
	gone "rr_blocked_feeder"
	no_leftovers "rr_blocked_feeder"
	no_leftovers "^sleep 40$"
	no_leftovers "^yes$"
}

@test "pool --pipe --roundrobin: with stdout closed, each job still reads its pipe" {
	# The pipes were made at the lowest free descriptor: stdout's, where
	# the job's stdio was set up, and a job read its capture's write end.
	run -0 psh 'seq 1000 | pool --pipe --roundrobin -j2 --block 1k \
	    sh -c "wc -l >&2" 2>&1 >&- | awk "{ s += \$1 } END { print s, NR }"'
	assert_output "1000 2"
}

@test "pool --roundrobin: only with --pipe, and not with --retries" {
	run -2 psh 'pool --roundrobin echo ran ::: a'
	assert_output --partial 'pool: --roundrobin hands out --pipe'"'"'s blocks: only with --pipe'
	run -2 psh 'pool --pipepart --roundrobin echo ran :::: /etc/passwd'
	assert_output --partial 'only with --pipe, and not with --retries'
	run -2 psh 'pool --pipe --roundrobin --retries 2 echo ran < /dev/null'
	assert_output --partial 'a block cannot be given again'
	refute_output --partial ran
}

@test "pool --pipe, --pipepart: bad input is refused before anything runs" {
	run -2 psh 'pool --pipe --block abc sh -c "echo ran" < /dev/null'
	assert_output --regexp 'pool: abc: invalid block size$'
	run -2 psh 'pool --pipe --block 0 sh -c "echo ran" < /dev/null'
	assert_output --regexp 'pool: 0: invalid block size$'
	run -2 psh 'pool --pipe --block 2G sh -c "echo ran" < /dev/null'
	assert_output --regexp 'pool: 2G: invalid block size$'
	run -2 psh 'pool --pipe --header x sh -c "echo ran" < /dev/null'
	assert_output --partial 'x: invalid header'
	run -2 psh 'pool --pipe -N 0 sh -c "echo ran" < /dev/null'
	assert_output --partial '-N with --pipe'
	run -2 psh 'echo a | pool --pipe sh -c "echo ran" ::: 1 2'
	assert_output --partial '--pipe reads its blocks from stdin, not from ::: items'
	run -2 psh 'pool --block 1k sh -c "echo ran" ::: 1'
	assert_output --partial 'only with --pipe or --pipepart'
	run -2 psh 'pool --pipepart sh -c "echo ran"'
	assert_output --partial '--pipepart needs a file'
	run -2 psh 'pool --pipepart -N 2 sh -c "echo ran" :::: /etc/passwd'
	assert_output --partial '--pipepart cuts by size only'
	run -1 psh 'echo a | pool --pipepart sh -c "echo ran" :::: /dev/stdin'
	assert_output --partial 'needs a regular file'
	run -1 psh 'pool --pipepart sh -c "echo ran" :::: /no/such'
	assert_output --regexp 'pool: /no/such: No such file or directory$'
	run -2 psh 'pool --pipe --sem sh -c "echo ran" < /dev/null'
	assert_output --partial 'run a batch'
	run -2 psh 'pool --pipe -X sh -c "echo ran" < /dev/null'
	assert_output --partial 'a block on its'
	run -2 psh 'pool --pipe < /dev/null'
	assert_output --partial 'need a command'
}

@test "pool --pipepart under ulimit -n: fewer jobs at a time, never a job without its range" {
	# Each range's descriptors are made before its job forks: short of
	# them, the pool waits for a job to end (they were made in the child,
	# which then failed with status 1 and no word).
	seq 300000 > "$BATS_TEST_TMPDIR/in"
	run -0 psh '
		ulimit -n 26
		pool -j4 --pipepart --block 20k --status-array st wc -l :::: "$1" > "$1.out"
		echo "st=$? jobs=${#st[@]} failed=$(printf "%s\n" "${st[@]}" | grep -vc "^0$")"
		echo "lines=$(awk "{ s += \$1 } END { print s }" "$1.out")"' "$BATS_TEST_TMPDIR/in"
	assert_line --regexp '^st=0 jobs=[0-9]+ failed=0$'
	assert_line lines=300000
}

@test "pool --pipepart: a file cut short under a job fails that job, with a message, never a short range passed as whole" {
	# Ranges bigger than the helper's pipe (1 MiB): it is still copying.
	seq 2000000 > "$BATS_TEST_TMPDIR/in"
	run -0 psh '
		f() { sleep 0.5; wc -l > /dev/null; }
		pool -j4 --pipepart --block 3M f :::: "$1" &
		sleep 0.2
		truncate -s 100k "$1"
		wait $!; echo "st=$?"' "$BATS_TEST_TMPDIR/in"
	assert_line --partial "pool: --pipepart: the file ended at byte"
	refute_line "st=0"
}
