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
		t0=$EPOCHREALTIME; pool -j 0 f ::: {1..40}; echo $(ms_since $t0)'
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

@test "pool: GNU parallel options it does not have are refused, not taken as items" {
	local o
	for o in --pipe --pipepart --colsep=, --header=: --csv --eta --progress \
	    --results-csv --files --tmpdir=/tmp --sshlogin=x --ctag; do
		run -2 psh 'pool "$1" echo ::: a' "$o"
		assert_output --partial "pool: ${o%%=*}"
		assert_output --partial 'invalid option'
		refute_line 'a'
	done
}
