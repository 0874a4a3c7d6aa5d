#!/usr/bin/env bats
# pool: what GNU parallel users type (issue 13): linked sources (:::+,
# ::::+, --link), -P/--max-procs, -j 0, --halt-on-error, -r, --trim,
# --arg-sep, --arg-file-sep, --shuf.  Where Debian's `parallel' is
# installed, the expected output comes from it, not from us: `same' runs
# both with the same arguments and compares their output and status.

load test_helper
bats_require_minimum_version 1.5.0

# same ARG...: `pool -k ARG...' and `parallel -k ARG...' print the same
# lines and return the same status (skipped without GNU parallel).
same() {
	local mine theirs st_mine=0 st_theirs=0
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	mine=$(psh 'pool -k "$@"' "$@") || st_mine=$?
	theirs=$(parallel -k "$@" 2>/dev/null) || st_theirs=$?
	if [ "$mine" != "$theirs" ] || [ "$st_mine" != "$st_theirs" ]; then
		printf 'pool (%s):\n%s\nparallel (%s):\n%s\n' "$st_mine" \
		    "$mine" "$st_theirs" "$theirs" >&2
		return 1
	fi
}

# --- linked sources -------------------------------------------------------

@test "pool :::+: pairs with the source before instead of the product" {
	run -0 psh 'pool -k echo ::: a b c :::+ 1 2 3'
	assert_output - <<-'EOF2'
	a 1
	b 2
	c 3
	EOF2
	same echo ::: a b c :::+ 1 2 3
}

@test "pool :::+: the shortest of linked sources ends them, as GNU parallel" {
	run -0 psh 'pool -k echo ::: a b c :::+ 1 2'
	assert_output $'a 1\nb 2'
	same echo ::: a b c :::+ 1 2
	same echo ::: a b :::+ 1 2 3 4 5 ::: x y
}

@test "pool :::+: linked groups make the product of the groups" {
	run -0 psh 'pool -k echo {1}{2}-{3}{4} ::: a b :::+ 1 2 ::: X Y :::+ 8 9'
	assert_output $'a1-X8\na1-Y9\nb2-X8\nb2-Y9'
	same echo ::: a b c :::+ 1 2 3 ::: X Y :::+ 11 22
}

@test "pool ::::+: each file linked to the source before" {
	printf '1\n2\n3\n' > "$BATS_TEST_TMPDIR/n"
	printf 'x\ny\n' > "$BATS_TEST_TMPDIR/l"
	run -0 psh 'pool -k echo ::: a b c ::::+ "$1" "$2"' \
	    "$BATS_TEST_TMPDIR/n" "$BATS_TEST_TMPDIR/l"
	assert_output $'a 1 x\nb 2 y'
	same echo ::: a b c ::::+ "$BATS_TEST_TMPDIR/n" "$BATS_TEST_TMPDIR/l"
	same echo :::: "$BATS_TEST_TMPDIR/l" ::::+ "$BATS_TEST_TMPDIR/n" ::: p q
}

@test "pool --link: every source paired, the shorter ones wrap around" {
	run -0 psh 'pool -k --link echo ::: a b c ::: 1 2 ::: X'
	assert_output $'a 1 X\nb 2 X\nc 1 X'
	same --link echo ::: a b c ::: 1 2 ::: X
	same --xapply echo {3} {1} ::: 1 2 ::: I II III ::: a b c d e f g
}

@test "pool --link: an empty source makes no job; :::+ is the same as ::: there" {
	run -0 psh 'pool -k --link echo ::: a b :::+ 1 2 3'
	assert_output $'a 1\nb 2\na 3'
	run -0 psh 'a=(); pool --link -a a echo ::: x y; echo "rc=$?"'
	assert_output 'rc=0'
}

@test "pool :::+ with no source before it: a usage error, nothing runs" {
	run -2 psh 'pool echo :::+ a b'
	assert_output --partial 'pool: :::+: no input source before it to link to'
	refute_output --partial 'a'$'\n'
	run -2 psh 'pool echo ::::+ /dev/null'
	assert_output --partial '::::+: no input source before it'
}

@test "pool :::+ is no longer taken as an item (the old silent bug)" {
	run -0 psh 'pool -k echo ::: a b c :::+ 1 2 3 | wc -l'
	assert_output 3
	refute_output --partial ':::+'
}

@test "pool :::+ under set -euo pipefail: paired jobs, then a failing pair stops the script" {
	run -1 psh '
		set -euo pipefail
		f() { [ "$1" != b ] && echo "$1$2"; }
		pool -k f ::: a c :::+ 1 3
		echo between
		pool -k f ::: a b :::+ 1 2
		echo not reached'
	assert_output $'a1\nc3\nbetween\na1'
}

# --- aliases and job counts -----------------------------------------------

@test "pool -P N and --max-procs N: -j's aliases" {
	run -0 psh '
		f() { sleep 0.3; }
		t0=$EPOCHREALTIME; pool -P 1 f ::: 1 2 3; a=$(ms_since $t0)
		t0=$EPOCHREALTIME; pool --max-procs 3 f ::: 1 2 3; b=$(ms_since $t0)
		echo "$a $b"; (( a >= 850 && b < a ))'
	run -2 psh 'pool -P abc echo ::: a'
	assert_output --partial 'pool: abc: invalid job count'
	run -2 psh 'pool --max-procs= echo ::: a'
	assert_output --partial 'invalid job count'
}

@test "pool -j 0: as many jobs at once as possible (256, or what ulimit leaves)" {
	run -0 psh '
		f() { sleep 0.5; }
		t0=$EPOCHREALTIME; pool -j 0 f ::: {1..40}; ms_since "$t0"'
	(( output < 5000 ))
	run -0 psh 'ulimit -n 64; pool -j 0 --status-array s echo ::: {1..30} >/dev/null; echo ${#s[@]}'
	assert_output 30
}

@test "pool --halt-on-error: --halt's alias" {
	run -1 psh 'pool -j1 -k --halt-on-error now,fail=1 sh -c "echo \$0; exit \$0" ::: 0 1 0 0'
	assert_output $'0\n1'
	run -2 psh 'pool --halt-on-error sometime echo ::: a'
	assert_output --partial 'sometime: invalid halt specification'
}

# --- values ---------------------------------------------------------------

@test "pool -r / --no-run-if-empty: blank lines make no job" {
	run -0 psh 'printf "a\n\n  \nb\n" | pool -k -r echo "x{}x"'
	assert_output $'xax\nxbx'
	run -0 psh 'printf "\n \n" | pool --no-run-if-empty echo ran; echo "rc=$?"'
	assert_output 'rc=0'
	run -0 psh 'printf "a\n\nb\n" | pool -k echo "x{}x"'
	assert_output $'xax\nxx\nxbx'
	printf 'a\n\n  \nb\n' > "$BATS_TEST_TMPDIR/in"
	same -r echo x{}x :::: "$BATS_TEST_TMPDIR/in"
	same -r echo x{1}-{2}x ::: a "" ::: 1 ""
	same -r -n2 echo x{}x ::: a "" "" b ""
}

@test "pool --trim: l, r, lr, rl and n, on every source" {
	run -0 psh 'pool -k --trim lr echo "x{1}-{2}x" ::: " a " ::: "  1	"'
	assert_output 'xa-1x'
	run -0 psh 'pool --trim l echo "x{}x" ::: "  a b  "; pool --trim r echo "x{}x" ::: "  a b  "; pool --trim n echo "x{}x" ::: " a "'
	assert_output $'xa b  x\nx  a bx\nx a x'
	same --trim rl echo x{}x ::: " a " "b  "
	same --trim l echo x{}x ::: " a " "b  "
}

@test "pool --trim x: a usage error naming the modes, nothing runs" {
	run -2 psh 'pool --trim x echo ran ::: a'
	assert_output --partial 'pool: x: invalid trim mode (n, l, r, lr or rl)'
	refute_output --partial 'ran'
	run -2 psh 'pool --trim echo ran ::: a'
	assert_output --partial 'invalid trim mode'
}

@test "pool --arg-sep and --arg-file-sep: other separators, linked with a +" {
	printf '1\n2\n' > "$BATS_TEST_TMPDIR/n"
	run -0 psh 'pool -k --arg-sep ,, --arg-file-sep // echo ,, a b ,,+ x y // "$1"' \
	    "$BATS_TEST_TMPDIR/n"
	assert_output $'a x 1\na x 2\nb y 1\nb y 2'
	run -0 psh 'pool -k --arg-sep ,, echo ::: ,, a'
	assert_output '::: a'
	same --arg-sep ,, echo ::: ,, a b
	same --arg-file-sep // echo // "$BATS_TEST_TMPDIR/n"
	run -2 psh 'pool --arg-sep "" echo ::: a'
	assert_output --partial "invalid separator"
	run -2 psh 'pool --arg-sep ,, --arg-file-sep ,, echo ran ,, a'
	assert_output --partial "pool: --arg-sep and --arg-file-sep: the same separator"
	refute_output --partial ran
}

@test "pool --shuf: every job once, in another order" {
	run -0 psh 'pool -j1 --shuf echo ::: {1..30} ::: a b'
	[ "$(sort <<<"$output")" = "$(printf '%s\n' {1..30}\ {a,b} | sort)" ]
	[ "$output" != "$(printf '%s\n' {1..30}\ {a,b})" ]
	run -0 psh 'seq 20 | pool -j1 --shuf -n 3 echo'
	assert_equal "$(tr ' ' '\n' <<<"$output" | sort -n | tr '\n' ' ')" \
	    "$(seq 20 | tr '\n' ' ')"
	assert_equal "${#lines[@]}" 7
}

@test "pool: a GNU parallel option it does not have is refused with the reason" {
	local o
	run -2 psh 'pool --sqlmaster sql:x echo ::: a'
	assert_output --partial 'pool: --sqlmaster: not supported: no SQL job queue'
	refute_line 'a'
	run -2 psh 'pool --fg echo ::: a'
	assert_output --partial 'pool: --fg: not supported: pool --sem already runs'
	# --name=value, a short option alone and one inside a cluster
	run -2 psh 'pool --semaphore-timeout=5 echo ::: a'
	assert_output --partial 'pool: --semaphore-timeout: not supported: '
	run -2 psh 'pool -kq echo ::: a'
	assert_output --partial 'pool: -q: not supported: pool never re-parses'
	refute_line 'a'
	for o in --will-cite --tmux --rsync-opts=x -E --compress --sqlworker; do
		run -2 psh 'pool "$1" echo ::: a' "$o"
		assert_output --partial "pool: ${o%%=*}: not supported: "
		refute_line 'a'
	done
}

@test "pool: another spelling of one of its options names pool's" {
	run -2 psh 'pool --keeporder echo ::: a'
	assert_output --partial 'pool: --keeporder: not supported: pool spells it --keep-order (-k)'
	run -2 psh 'pool --semaphorename x --sem echo a'
	assert_output --partial 'pool spells it --id'
}

@test "pool: an option GNU parallel has not either is an invalid option; after the command it is an argument" {
	run -2 psh 'pool --results-csv x echo ::: a'
	assert_output --partial 'pool: --results-csv: invalid option'
	run -0 psh 'pool echo --sqlmaster ::: a'
	assert_output -- '--sqlmaster a'
	run -0 psh 'pool -- echo -q ::: a'
	assert_output -- '-q a'
}

# --- replacement strings --------------------------------------------------

@test "pool {1.} {1/} {1//} {1/.} {2/}: the path operations on one source's value" {
	run -0 psh 'pool echo "{1.}|{1/}|{1//}|{1/.}|{2/}|{2.}|{3}|{2}" ::: dir/a.x ::: b/c.d'
	assert_output 'dir/a|a.x|dir|a|c.d|b/c||b/c.d'
	same echo "{1.}:{1/}:{1//}:{1/.}:{2/}:{2.}" ::: dir/a.x /r/s.t.u ::: b/c.d e
}

@test "pool {} is the item as it is, trailing slash included (GNU parallel's)" {
	run -0 psh 'pool echo "[{}]" ::: a/b/; pool echo {} ::: a/b/'
	assert_output $'[a/b/]\na/b/'
	same echo "[{}]" ::: a/b/ x//
}

@test "pool --plus: {+/} {+.} {..} {...} {+..} {+...} {/..} {/...} {##} as GNU parallel's" {
	run -0 psh 'pool --plus echo "{+/}|{+.}|{..}|{+..}|{...}|{+...}|{/..}|{/...}|{##}" ::: dir/sub/a.b.tar.gz'
	assert_output 'dir/sub|gz|dir/sub/a.b|tar.gz|dir/sub/a|b.tar.gz|a.b|a|1'
	run -0 psh 'pool -k --plus echo "{+/}|{+.}|{..}|{+..}" ::: noext a.gz /abs.x ./a.b ""'
	assert_output $'||noext|\n|gz|a.gz|\n|x|/abs.x|\n.|b|./a.b|\n|||'
	same --plus echo "[{+/}][{+.}][{..}][{+..}][{...}][{+...}][{/..}][{/...}][{##}]" \
	    ::: dir/sub/a.b.tar.gz noext a.gz /abs.x ./a.b "" x.y.z/w.v
	same --plus echo "{1+/}:{2+.}:{1..}:{2/..}" ::: dir/a.b.c ::: b/c.d.e
}

@test "pool --plus {##}: the number of jobs, stdin read to the end first" {
	run -0 psh 'seq 3 | pool -k --plus echo "{#}/{##}"'
	assert_output $'1/3\n2/3\n3/3'
	run -0 psh 'pool -k --plus --tagstring "{##}" echo ::: a :::+ b c'
	assert_output $'1\ta b'
	run -0 psh 'pool -k echo "{##}|{+/}" ::: a/b'
	assert_output '{##}|{+/} a/b'
}

@test "pool -I STR: STR stands for {}; {} and {1} are plain text then" {
	run -0 psh 'pool -k -I @@ echo "x@@.y" @@ "{}" "{.}" "{1}" ::: a.x b'
	assert_output $'xa.x.y a.x {} a {1}\nxb.y b {} b {1}'
	run -0 psh 'f() { echo "$#"; }; pool -I ,, -n 3 f ,, ::: a b c'
	assert_output 3
	same -I @@ echo "x@@.y" @@ "{}" "{.}" "{1}" ::: a.x b
	same -I {x} echo "{x}" "{}" ::: a.x
}

@test "pool -I with an empty string: a usage error, nothing runs" {
	run -2 psh 'pool -I "" echo ran ::: a'
	assert_output --partial "pool: '': invalid replacement string"
	refute_output --partial ran
	run -2 psh 'pool -I'
	assert_output --partial 'option requires an argument'
}

# --- no command -----------------------------------------------------------

@test "pool with no command: each ::: item is the command, functions included" {
	run -2 psh '
		f() { echo "f:$1"; }
		pool -k ::: "echo a  b" "f \"x y\"" "exit 3" "nosuchcmd_i13"'
	assert_line 'a b'
	assert_line 'f:x y'
	assert_line --partial 'nosuchcmd_i13: command not found'
	same ::: "echo a  b" "echo 'x y'" "exit 3"
}

@test "pool with no command: each stdin line is the command (pool < cmds.txt)" {
	printf 'echo one\ng two\n\nfalse\n' > "$BATS_TEST_TMPDIR/cmds"
	run -1 psh 'g() { echo "g=$1"; }; pool -k < "$1"' "$BATS_TEST_TMPDIR/cmds"
	assert_output $'one\ng=two'
	run -0 psh 'pool -k -n 2 ::: "echo a" b "echo c" d'
	assert_output $'a b\nc d'
	same -n 2 ::: "echo a" b "echo c" d
}

@test "pool with no command: --dry-run and --joblog show the item as it is, not eval" {
	run -0 psh 'pool -k --dry-run ::: "echo a  b" "f \"q\""'
	assert_output $'echo a  b\nf "q"'
	same --dry-run ::: "echo a  b" "f \"q\""
	run -0 psh 'pool --joblog "$1" ::: "echo  z" >/dev/null; cut -f9 "$1"' \
	    "$BATS_TEST_TMPDIR/log"
	assert_output $'Command\necho  z'
}

@test "pool with no command under set -euo pipefail: a failing item stops the script" {
	run -1 psh '
		set -euo pipefail
		pool -k ::: "echo ok"
		pool -k ::: "echo two" "false"
		echo not reached'
	assert_output $'ok\ntwo'
}

# --- showing the commands -------------------------------------------------

@test "pool -v / --verbose: each command on stdout, grouped with its output" {
	run -0 psh 'pool -k -v echo ::: "a b" c'
	assert_output $'echo \'a b\'\na b\necho c\nc'
	same -v echo ::: "a b" c
	run -0 psh 'pool -k --verbose --tag echo ::: a b'
	assert_output $'a\techo a\na\ta\nb\techo b\nb\tb'
	run -0 psh 'f() { sleep "$1"; echo "f$1"; }; pool -j2 -v f ::: 0.4 0'
	assert_output $'f 0\nf0\nf 0.4\nf0.4'
}

@test "pool -v with -u: the command is printed before the job runs" {
	run -0 psh 'pool -v -u echo ::: a'
	assert_output $'echo a\na'
}

@test "pool -v: a command line longer than a pipe holds is printed whole" {
	run -0 psh 'pool -v -n 20000 echo ::: $(seq 20000) | head -1 | wc -c'
	assert_output $(( $(seq 20000 | wc -c) + 5 ))
}

@test "pool -t: each command on stderr as it starts, quoted" {
	run -0 psh 'pool -k -t echo ::: "a b" "x*" 2>&1 >/dev/null'
	assert_output $'echo \'a b\'\necho \'x*\''
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	assert_equal "$output" "$(parallel -k -t echo ::: "a b" "x*" 2>&1 >/dev/null)"
	run -0 psh 'pool -t --dry-run echo ::: a 2>&1 >/dev/null'
	assert_output 'echo a'
}

@test "pool --joblog +FILE: appends, without a header, as GNU parallel" {
	local log=$BATS_TEST_TMPDIR/log
	run -0 psh 'pool --joblog "+$1" echo ::: a; pool -j1 --joblog "+$1" echo ::: b c' "$log"
	assert_equal "$(cut -f9 "$log")" $'echo a\necho b\necho c'
	run -0 psh 'pool --joblog "$1" echo ::: d >/dev/null; cut -f9 "$1"' "$log"
	assert_output $'Command\necho d'
	run -0 psh 'pool --joblog "+$1" echo ::: e >/dev/null; cut -f9 "$1"' "$log"
	assert_output $'Command\necho d\necho e'
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	rm -f "$log"
	parallel --joblog "+$log" echo ::: a >/dev/null
	parallel --joblog "+$log" echo ::: b >/dev/null
	assert_equal "$(cut -f9 "$log")" $'echo a\necho b'
}

@test "pool --joblog +DIR/FILE that cannot be written: status 1, nothing runs" {
	run -1 psh 'pool --joblog "+$1/no/such/log" echo ran ::: a' "$BATS_TEST_TMPDIR"
	assert_output --partial 'no/such/log: cannot write the joblog'
	refute_output --partial 'ran'
}

# --- several items a job --------------------------------------------------

@test "pool -N N: N items a job, {1}..{N} each of them; -N 0 passes none" {
	run -0 psh 'pool -k -N2 echo {1}-{2} ::: a b c'
	assert_output $'a-b\nc-'
	run -0 psh 'pool -k -N0 echo x ::: a b'
	assert_output $'x\nx'
	same -N2 echo ::: a b c
	same -N2 echo {1}-{2} ::: a b c
	same -N0 echo x ::: a b
	run -2 psh 'pool -N -1 echo ::: a'
	assert_output --partial 'pool: -1: invalid argument count'
}

@test "pool -X: items spread over the slots, a word with {} repeated per item" {
	run -0 psh 'pool -k -j2 -X echo pre-{}-post ::: a b c'
	assert_output $'pre-a-post pre-b-post\npre-c-post'
	same -j2 -X echo pre-{}-post ::: a b c
	same -j1 -X echo {#} {} ::: a b c
	seq 10 > "$BATS_TEST_TMPDIR/ten"
	same -j4 -X echo :::: "$BATS_TEST_TMPDIR/ten"
	run -0 psh 'seq 10 | pool -k -j4 -X echo'
	assert_output $'1 2 3\n4 5 6\n7 8 9\n10'
}

@test "pool -m: items spread over the slots, pre-{}-post spread over words" {
	run -0 psh 'f() { printf "<%s>" "$@"; echo; }; pool -k -j1 -m f pre-{}-post ::: "a b" c d'
	assert_output '<pre-a b><c><d-post>'
	same -j2 -m echo pre-{}-post ::: a b c
	seq 10 > "$BATS_TEST_TMPDIR/ten"
	same -j4 -m echo :::: "$BATS_TEST_TMPDIR/ten"
}

@test "pool --xargs: as many items a job as 128 KiB holds" {
	run -0 psh 'pool -k --xargs echo ::: a b c'
	assert_output 'a b c'
	same --xargs echo ::: a b c
	run -0 psh 'seq 100000 | pool -k --xargs echo | awk "{ n += NF; if (length > 131072) big++ } END { print (NR > 1), n, big + 0 }"'
	assert_output '1 100000 0'
	run -0 psh 'pool -k --xargs -n 2 echo ::: a b c'
	assert_output $'a b\nc'
}

# new_same ARG...: as same, against GNU parallel 20260522 (../shared/peers).
new_same() {
	local peer=$BATS_TEST_DIRNAME/../../shared/peers/gnu-parallel
	[ -x "$peer/parallel" ] || skip "no GNU parallel 20260522 in $peer"
	PATH=$peer:$PATH same "$@"
}

@test "pool -s (--max-chars): jobs of -X, -m and --xargs as long as GNU parallel's lines" {
	run -0 psh 'pool -j1 -k -s 20 --xargs echo ::: $(seq 30)'
	assert_line --index 0 '1 2 3 4 5 6 7'
	assert_line --index 1 '8 9 10 11 12'
	local n
	for n in 20 30 50; do
		same -j1 -s "$n" --xargs echo ::: $(seq 30)
		same -j1 --max-chars "$n" -X echo pre-{}-post ::: $(seq 30)
		same -j1 -s "$n" -m echo pre-{}-post ::: $(seq 30)
		same -j1 -s "$n" -n 3 --xargs echo ::: $(seq 30)
	done
	# Items the shell must quote count quoted.
	same -j1 -s 16 --xargs echo ::: 'a b' 'c$d'
	same -j1 -s 17 --xargs echo ::: 'a b' 'c$d'
	new_same -j1 -s 31 --xargs echo ::: "it's" "''a" "b'" x
}

@test "pool -s: an item too long alone ends the input there with an error, as GNU parallel" {
	run -255 psh 'pool -j1 -k -s 10 --xargs echo ::: 1 2 333333 4'
	assert_line --index 0 '1 2'
	assert_line --index 1 --partial 'pool: -s 10: command line too long (11) at 333333'
	refute_line 4
	if command -v parallel >/dev/null; then
		run -255 parallel -j1 -k -s 10 --xargs echo ::: 1 2 333333 4
		assert_line --index 0 '1 2'
		refute_line 4
	fi
	run -2 psh 'pool -s 10 echo ::: a'
	assert_output --partial '-s (--max-chars) sizes the jobs of -X, -m and --xargs'
	run -2 psh 'pool -s 0 --xargs echo ::: a'
	assert_output --partial 'pool: 0: invalid command line length'
}

@test "pool -X, -m, --xargs: one input source; not together" {
	run -2 psh 'pool -X echo ran ::: a ::: b'
	assert_output --partial 'pool: -X, -m and --xargs: one input source, not 2'
	refute_output --partial ran
	run -2 psh 'pool -X -m echo ran ::: a'
	assert_output --partial 'pool: -X, -m and --xargs: choose one'
	run -2 psh 'pool -m --xargs echo ran ::: a'
	assert_output --partial 'choose one'
}

# --- columns: --colsep, --header :, --csv ------------------------------------

@test "pool --colsep: {1} {2} are the columns, trimmed; {} and --tag all of them" {
	run -0 psh 'pool -k --colsep , printf "[%s]" {2} {1} ::: " a , b,c"; echo'
	assert_output '[b][a]'
	same --colsep , printf '[%s]' ::: ' a , b,c' 'x'
	same --colsep , echo {} ::: a,b c,d
	same --colsep , --tag echo x ::: a,b
	same --colsep , echo {2} {1} {3} ::: a,b ::: c,d
	same --colsep ',+' printf '[%s]' ::: 'a,,b,,,c,' ','
	same --colsep , --trim n printf '[%s]' ::: ' a , b'
}

@test "pool --colsep: Perl escapes (\\t \\s) and regular expressions" {
	run -0 psh 'pool --colsep "\t" printf "[%s]" ::: "$(printf "a\tb c")"; echo'
	assert_output '[a][b c]'
	run -0 psh 'pool --colsep "x*" printf "[%s]" ::: abxxc; echo'
	assert_output '[a][b][c]'
	same -C '\s+' printf '[%s]' ::: 'a  b	c'
	same --col-sep '[0-9]' echo {3}{1} ::: a1b2c
}

@test "pool --colsep: a bad separator is a usage error, nothing runs" {
	run -2 psh 'pool --colsep "(" echo ran ::: a'
	assert_output --partial 'pool: (: invalid column separator'
	refute_output --partial ran
	run -2 psh 'pool --colsep "" echo ran ::: a'
	assert_output --partial "pool: '': invalid column separator"
	run -2 psh 'pool --colsep , -n 2 echo ran ::: a b'
	assert_output --partial 'not with -n, -N, -X'
	run -2 psh 'pool --csv --sem echo ran'
	assert_output --partial 'not with -n, -N, -X, -m, --xargs, --sem'
}

@test "pool --header :: the first line names the columns, {name} {name.} {name/}" {
	printf 'n,f\n1,d/a.txt\n2,b.c\n' > "$BATS_TEST_TMPDIR/t.csv"
	run -0 psh 'pool -k --header : --colsep , echo {f} {n} {f.} {f/} {2} < "$1"' \
	    "$BATS_TEST_TMPDIR/t.csv"
	assert_output $'d/a.txt 1 d/a a.txt d/a.txt\nb.c 2 b b.c b.c'
	same --header : --colsep , echo {f} {n} {f.} {f/} :::: "$BATS_TEST_TMPDIR/t.csv"
	same --header : --colsep , --tag echo {n} :::: "$BATS_TEST_TMPDIR/t.csv"
	same --header : echo {x} {y} ::: x 1 2 ::: y 3
	same --header : echo {x}-{y} ::: x 1 2 :::+ y 3 4
	# without --colsep, columns are tab-separated (GNU parallel's default)
	same --header : echo {b}{a} ::: "$(printf 'a\tb')" "$(printf '1\t2')"
}

@test "pool --header: only ':' (the first line); {name} unknown stays text" {
	run -2 psh 'pool --header 2 echo ran ::: a'
	assert_output --partial "pool: 2: invalid header (pool has \`--header :': the first line)"
	refute_output --partial ran
	run -0 psh 'pool --header : echo {x} {nope} ::: x 1'
	assert_output '1 {nope}'
	run -0 psh 'pool --header : echo {x} ::: x; echo "rc=$?"'
	assert_output 'rc=0'
}

@test "pool --csv: RFC 4180 quoted fields, doubled quotes, empty record" {
	run -0 psh 'pool -k --csv printf "[%s]" ::: "\"a,b\",c" "x,\"y\"\"z\"" ""; echo'
	assert_output '[a,b][c][x][y"z][]'
	same --csv printf '[%s]' ::: '"a,b",c' 'x,"y""z"' ''
	# a quote after blanks is a stray quote, for Text::CSV too
	run -1 psh 'pool --csv echo ran ::: " \"q\" ,r"'
	refute_output --partial ran
	same --csv --colsep ';' printf '[%s]' ::: 'a;"b;c";d'
	same --csv --header : echo {b} {a} ::: 'a,b' '1,"2,3"'
}

@test "pool --csv: a quoted newline goes on to the next line; CRLF ends a record" {
	run -0 psh 'printf "a,\"multi\nline\",z\r\nq,r\n" | pool -k --csv printf "<%s>"; echo'
	assert_output $'<a><multi\nline><z><q><r>'
}

@test "pool --csv: a stray quote is an error: nothing runs, or the input ends there" {
	run -1 psh 'pool --csv echo ran ::: ok "a\"b"'
	assert_output --partial 'pool: a"b: not a CSV record (RFC 4180'
	refute_output --partial ran
	run -1 psh 'printf "a,b\nx\"y,z\nc\n" | pool -k --csv echo ran'
	assert_output --partial 'pool: x"y,z: not a CSV record'
	assert_output --partial 'ran a b'
	refute_output --partial 'ran c'
	run -1 psh 'pool --csv echo ran ::: "\"open"'
	assert_output --partial 'not a CSV record'
	run -2 psh 'pool --csv --colsep ab echo ran ::: a'
	assert_output --partial 'pool: ab: invalid column separator (--csv: one character, not a quote)'
}

@test "pool --colsep under set -euo pipefail: a failing column job fails the pool" {
	run -1 psh 'set -euo pipefail; pool --colsep , test {1} = {2} ::: a,a b,c'
	run -0 psh 'set -euo pipefail; pool --colsep , test {1} = {2} ::: a,a b,b; echo ok'
	assert_output 'ok'
}

# in_pty SCRIPT LINES...: run bash SCRIPT (with the builtins; its $1 is
# $BATS_TEST_TMPDIR/r.sh) on a new terminal (script(1)), typing each of
# LINES half a second apart; print what the terminal showed, without
# carriage returns.
in_pty() {
	local script=$1 l
	shift
	printf '%s\n' "$BG_LOAD$script" > "$BATS_TEST_TMPDIR/pty.sh"
	{
		for l in "$@"; do sleep 0.5; printf '%s\n' "$l"; done
		sleep 1
	} | timeout -k 5 20 script -qec "bash $BATS_TEST_TMPDIR/pty.sh $BATS_TEST_TMPDIR/r.sh" /dev/null |
	    tr -d '\r'
}

@test "pool --tty: each job reads the terminal, one at a time (GNU parallel's -j1 -u), as parallel --tty does" {
	command -v script > /dev/null || skip "script(1) is not installed"
	# A disk command both run alike: it reads a line, says which job.
	printf '%s\n' 'read -r l; echo "job $1 got $l"' > "$BATS_TEST_TMPDIR/r.sh"
	run -0 in_pty 'pool --tty --status-array st bash "$1" ::: 1 2
		echo "st=$? ${st[*]}"' one two
	assert_line "job 1 got one"
	assert_line "job 2 got two"
	assert_line "st=0 0 0"
	command -v parallel > /dev/null || skip "GNU parallel is not installed"
	mine=$(grep "^job" <<< "$output")
	run -0 in_pty 'parallel --tty bash "$1" ::: 1 2' one two
	assert_equal "$(grep "^job" <<< "$output")" "$mine"
}

@test "pool -o -j2: the jobs all read the terminal and set its modes, Ctrl-C stops them all and the shell reads it after, under set -m too" {
	command -v script > /dev/null || skip "script(1) is not installed"
	# Under set -m each job had a group of its own and the last started
	# had the terminal: the others were stopped by SIGTTIN for good, and
	# Ctrl-C reached that one job alone, never the pool (a hang).
	local m
	for m in -m +m; do
		run -0 in_pty 'set '"$m"'; trap "echo trapped" INT
			f() { read -r l; echo "job $1 got $l"; sleep 30; }
			pool -o -j2 -u f ::: 1 2; echo "st=$?"
			while read -r -t 3 l && [ -z "$l" ]; do :; done
			echo "shell got [$l]"' one two $'\003' three
		assert_line --regexp '^job [12] got one$'
		assert_line --regexp '^job [12] got two$'
		assert_line "trapped"
		assert_line "st=130"
		assert_line "shell got [three]"
	done
	# Setting the terminal's modes (SIGTTOU in a background group) too.
	run -0 in_pty 'set -m; pool -o -j2 sh -c "stty -echo; stty echo; echo {}" ::: 1 2 3
		echo "st=$?"'
	assert_equal "$(grep -c '^[123]$' <<< "$output")" 3
	assert_line "st=0"
}

@test "pool --tty without a terminal: the job's stdin is /dev/null, as GNU parallel's; -o; what it does not go with" {
	run -0 setsid bash -c "$BG_LOAD"'
		f() { read -r l; echo "read=$? [$l]"; }
		pool --tty f ::: 1 < /dev/null; echo "st=$?"
		pool -o -j2 f ::: 1 2 < /dev/null; echo "st=$?"' < /dev/null
	assert_output - <<-'EOF'
	read=1 []
	st=0
	read=1 []
	read=1 []
	st=0
	EOF
	local o
	for o in --sem --persist --pipe "-S :"; do
		# shellcheck disable=SC2086 # the option and its argument
		run -2 psh "pool --tty $o cat ::: 1 < /dev/null"
		assert_output --partial "--tty and -o give a local batch job the terminal"
	done
}
