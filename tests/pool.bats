#!/usr/bin/env bats
# pool: running a command over many items, a bounded number at a time;
# every option, replacement strings, output modes, the joblog, --sem,
# exit statuses, bad input, and what must not leak into the shell.
#
# Every script runs in a child bash (psh): bats keeps jobs of its own in
# the test shell, and `jobs', `wait' or $! there would see them.

load test_helper
bats_require_minimum_version 1.5.0

# ncpu: the number of online CPUs, as pool counts them.
ncpu() {
	getconf _NPROCESSORS_ONLN
}

# --- running things -------------------------------------------------------

@test "pool: a shell function runs once per ::: item with the item as its last argument" {
	run -0 psh '
		f() { printf "<%s>" "$#" "$@"; echo; }
		pool -k f fixed ::: a b c'
	assert_output - <<-'EOF'
	<2><fixed><a>
	<2><fixed><b>
	<2><fixed><c>
	EOF
}

@test "pool: a job sees the script's variables, arrays and functions without export -f" {
	run -0 psh '
		declare -a list=(zero one two)
		declare -A map=([a]=AA [b]=BB)
		scalar=plain
		helper() { echo "helped $1"; }
		f() { echo "$1 ${list[$1]} ${map[$2]} $scalar $(helper "$1")"; }
		pool -k f ::: 0 2 ::: a b'
	assert_output - <<-'EOF'
	0 zero AA plain helped 0
	0 zero BB plain helped 0
	2 two AA plain helped 2
	2 two BB plain helped 2
	EOF
}

@test "pool: a disk command and a builtin get their arguments intact" {
	cd "$BATS_TEST_TMPDIR"
	touch a1 a2
	run -0 psh '
		pool -k /bin/echo "x  y" ::: "a*" "b c"
		pool -k printf "[%s]\n" ::: "a?" ""'
	assert_output - <<-'EOF'
	x  y a*
	x  y b c
	[a?]
	[]
	EOF
}

@test "pool: items with spaces, globs, quotes and empty strings stay one argument each" {
	cd "$BATS_TEST_TMPDIR"
	touch a1 a2
	run -0 psh '
		f() { printf "%s<%s>\n" "$#" "$1"; }
		pool -k f ::: "a b" "*" "it'\''s" "say \"hi\"" "" "\$HOME" "x  y"'
	assert_output - <<-'EOF'
	1<a b>
	1<*>
	1<it's>
	1<say "hi">
	1<>
	1<$HOME>
	1<x  y>
	EOF
}

@test "pool: several ::: groups run every combination, the last group varying fastest" {
	run -0 psh '
		f() { echo "$*"; }
		pool -k -j3 f ::: a b ::: 1 2 3 ::: X'
	assert_output - <<-'EOF'
	a 1 X
	a 2 X
	a 3 X
	b 1 X
	b 2 X
	b 3 X
	EOF
}

@test "pool: :::: FILE runs a shell function once per line of a regular file" {
	# Regression: a function job is a fork that inherits pool's stdio
	# FILE for the items file; if its exit rewinds the shared file
	# offset, pool reads lines again (or loops forever).
	printf '%s\n' one 'two words' three > "$BATS_TEST_TMPDIR/items"
	PSH_LIMIT=20 run -0 psh '
		f() { echo "<$1>"; }
		pool -j1 -k f :::: "$1"' "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	<one>
	<two words>
	<three>
	EOF
}

@test "pool: :::: FILE runs a disk command once per line" {
	printf '%s\n' one 'two words' three > "$BATS_TEST_TMPDIR/items"
	run -0 psh 'pool -j2 -k /bin/echo :::: "$1"' "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	one
	two words
	three
	EOF
}

@test "pool: :::: FILE combines with ::: into every combination" {
	printf '%s\n' x y > "$BATS_TEST_TMPDIR/items"
	run -0 psh '
		f() { echo "$1-$2-$3"; }
		pool -k f ::: a b :::: "$1" ::: 1' "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	a-x-1
	a-y-1
	b-x-1
	b-y-1
	EOF
}

@test "pool: items on stdin from a pipe keep spaces, quotes and empty lines" {
	run -0 psh '
		f() { printf "<%s>\n" "$@"; }
		printf "%s\n" "a b" "" "it'\''s" "\"q\"  x" "*" | { pool -k f; echo "st=$?"; }'
	assert_output - <<-'EOF'
	<a b>
	<>
	<it's>
	<"q"  x>
	<*>
	st=0
	EOF
}

@test "pool: items on stdin redirected from a regular file run once each" {
	# The same shared-offset hazard as :::: FILE, through stdin.
	printf '%s\n' 1 2 3 4 > "$BATS_TEST_TMPDIR/items"
	PSH_LIMIT=20 run -0 psh '
		f() { echo "<$1>"; }
		pool -j2 -k f < "$1"' "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	<1>
	<2>
	<3>
	<4>
	EOF
}

@test "pool: -0 reads NUL-separated items, newlines and spaces included" {
	run -0 psh '
		f() { printf "<%s>" "$1"; echo; }
		printf "a b\0line1\nline2\0\0last" | { pool -k -0 f; }
		printf "x\0y\0" | { pool -k --null f; }'
	assert_output - <<-'EOF'
	<a b>
	<line1
	line2>
	<>
	<last>
	<x>
	<y>
	EOF
}

@test "pool: -d DELIM splits items on DELIM, also \\t" {
	run -0 psh '
		f() { printf "<%s>" "$1"; echo; }
		printf "a b,c\nd,e" | { pool -k -d , f; }
		printf "t1\tt2" | { pool -k -d "\t" f; }'
	assert_output - <<-'EOF'
	<a b>
	<c
	d>
	<e>
	<t1>
	<t2>
	EOF
}

@test "pool: -n N passes N items to each job, the last job the rest" {
	run -0 psh '
		f() { echo "$# $* item=$POOL_ITEM"; }
		pool -k -n 2 f ::: 1 2 3 4 5'
	assert_output - <<-'EOF'
	2 1 2 item=1 2
	2 3 4 item=3 4
	1 5 item=5
	EOF
}

@test "pool: -a ARRAY takes the items from an array, empty and spaced elements kept" {
	run -0 psh '
		f() { printf "<%s>" "$@"; echo; }
		items=("a b" "" "*" "q'\''uote")
		pool -k -a items f
		echo "st=$?"
		pool -k -a items f ::: 1 2 2>&1 | head -n 2'
	assert_output - <<-'EOF'
	<a b>
	<>
	<*>
	<q'uote>
	st=0
	<1><a b>
	<1><>
	EOF
}

@test "pool: -a with a name that is not an indexed array fails and starts nothing" {
	run -1 psh '
		f() { echo ran; }
		declare -A assoc=([x]=1)
		pool -a nosuch f
		echo "st=$?"
		pool -a assoc f
		echo "st=$?"
		exit 1'
	assert_line "st=1"
	refute_line "ran"
	assert_line --partial "nosuch: not an indexed array"
}

@test "pool: a command without replacement strings gets the item appended; with them it does not" {
	run -0 psh '
		f() { printf "<%s>" "$@"; echo; }
		pool -k f pre ::: a
		pool -k f pre {} post ::: a
		pool -k f "x{}y" ::: a'
	assert_output - <<-'EOF'
	<pre><a>
	<pre><a><post>
	<xay>
	EOF
}

@test "pool: {} {.} {/} {//} {/.} give the item, no extension, basename, dirname, basename without extension" {
	# The expected values are GNU parallel's for the same items.
	run -0 psh '
		pool -k echo "{}|{.}|{/}|{//}|{/.}" ::: /x/y/z.tar.gz a.b noext /top dir.d/file rel/p.c'
	assert_output - <<-'EOF'
	/x/y/z.tar.gz|/x/y/z.tar|z.tar.gz|/x/y|z.tar
	a.b|a|a.b|.|a
	noext|noext|noext|.|noext
	/top|/top|top|/|top
	dir.d/file|dir.d/file|file|dir.d|file
	rel/p.c|rel/p|p.c|rel|p
	EOF
}

@test "pool: {//} of a path with a trailing slash is its dirname, as GNU parallel's" {
	# GNU parallel and dirname(1) give /a for /a/b/.
	run -0 psh 'pool -k echo "{//}" ::: /a/b/ x/'
	assert_output - <<-'EOF'
	/a
	.
	EOF
}

@test "pool: {#} is the sequence number, {%} the slot, {1} {2} the value from each source" {
	run -0 psh '
		pool -k -j1 echo "{#}:{%}:{2}{1}:{3}:{}" ::: a b ::: 1 2'
	assert_output - <<-'EOF'
	1:1:1a::a 1
	2:1:2a::a 2
	3:1:1b::b 1
	4:1:2b::b 2
	EOF
}

@test "pool: a word that is exactly {} becomes one word per value with several sources" {
	run -0 psh '
		f() { printf "<%s>" "$@"; echo; }
		pool -k f {} end ::: "a b" c ::: 1'
	assert_output - <<-'EOF'
	<a b><1><end>
	<c><1><end>
	EOF
}

@test "pool: POOL_ITEM, POOL_SEQ, POOL_SLOT and POOL_ATTEMPT are set in a function job" {
	run -0 psh '
		f() { echo "item=$POOL_ITEM seq=$POOL_SEQ attempt=$POOL_ATTEMPT slot_ok=$(( POOL_SLOT >= 1 && POOL_SLOT <= 3 ))"; }
		pool -k -j3 f ::: "a b" c d e ::: 1'
	assert_output - <<-'EOF'
	item=a b 1 seq=1 attempt=1 slot_ok=1
	item=c 1 seq=2 attempt=1 slot_ok=1
	item=d 1 seq=3 attempt=1 slot_ok=1
	item=e 1 seq=4 attempt=1 slot_ok=1
	EOF
}

@test "pool: the POOL_ variables are exported to disk commands and do not leak into the shell" {
	run -0 psh '
		pool -k sh -c "echo \"\$POOL_SEQ \$POOL_ITEM \$POOL_SLOT \$POOL_ATTEMPT \$0\"" ::: a b
		pool sh -c "echo \$POOL_SEQ" ::: a
		declare -p POOL_SEQ POOL_ITEM POOL_SLOT POOL_ATTEMPT 2>/dev/null || echo "not in the shell"'
	assert_output - <<-'EOF'
	1 a 1 1 a
	2 b 2 1 b
	1
	not in the shell
	EOF
}

@test "pool: no two running jobs share a POOL_SLOT and slots run from 1 to j" {
	run -0 psh '
		d=$(mktemp -d "$BATS_TEST_TMPDIR/slots.XXXXXX")
		f() {
			mkdir "$d/slot$POOL_SLOT" || echo "slot $POOL_SLOT taken twice"
			echo "$POOL_SLOT" >> "$d/used"
			sleep 0.0$((RANDOM % 5))
			rmdir "$d/slot$POOL_SLOT"
		}
		pool -j3 f ::: {1..24}
		echo "st=$?"
		sort -u "$d/used" | tr "\n" " "; echo'
	assert_output - <<-'EOF'
	st=0
	1 2 3 
	EOF
}

# --- how many at a time ---------------------------------------------------

@test "pool: -j N runs at most N jobs at once, and N when there are enough" {
	run -0 psh '
		peak_init
		f() { peak_enter; sleep 0.3; peak_leave; }
		pool -j3 f ::: {1..9}
		echo "st=$? peak=$(peak_max)"'
	assert_output "st=0 peak=3"
}

@test "pool: -j 1 runs the jobs one after another" {
	run -0 psh '
		peak_init
		f() { peak_enter; sleep 0.05; peak_leave; }
		pool -j 1 f ::: {1..6}
		echo "st=$? peak=$(peak_max)"'
	assert_output "st=0 peak=1"
}

@test "pool: the default is one job per online CPU" {
	n=$(ncpu)
	run -0 psh '
		f() { sleep 0.3; echo "$POOL_SLOT"; }
		pool f ::: $(seq $(( 2 * $1 + 1 ))) | sort -n | tail -n 1' "$n"
	assert_output "$n"
}

@test "pool: -j N% runs N% of the online CPUs, at least one" {
	n=$(ncpu)
	half=$(( n * 50 / 100 )); (( half >= 1 )) || half=1
	run -0 psh '
		f() { sleep 0.2; echo "$POOL_SLOT"; }
		for spec in 50% 200% 1%; do
			pool -j "$spec" f ::: $(seq $(( 4 * $1 + 1 ))) | sort -n | tail -n 1
		done' "$n"
	assert_output - <<-EOF
	$half
	$(( 2 * n ))
	1
	EOF
}

@test "pool: -j +N and -j -N run the online CPUs plus or minus N" {
	n=$(ncpu)
	run -0 psh '
		f() { sleep 0.2; echo "$POOL_SLOT"; }
		pool -j +2 f ::: $(seq $(( 2 * $1 + 5 ))) | sort -n | tail -n 1
		if (( $1 > 1 )); then
			pool -j -1 f ::: $(seq $(( 2 * $1 + 5 ))) | sort -n | tail -n 1
		else
			echo 0
		fi
		pool -j "-$1" f ::: a 2>&1; echo "st=$?"' "$n"
	assert_line -n 0 "$(( n + 2 ))"
	assert_line -n 1 "$(( n - 1 ))"
	assert_line -n 2 --partial "pool: -$n: invalid job count"
	assert_line -n 3 "st=2"
}

# --- halting --------------------------------------------------------------

@test "pool: --halt now,fail=1 stops the running jobs at once and returns the failing job's status" {
	mark 7.41; m=$REPLY
	run -0 psh '
		d=$BATS_TEST_TMPDIR
		f() {
			echo "$1" >> "$d/started"
			if [ "$1" = 1 ]; then sleep 0.3; return 5; fi
			sleep "$2"
			echo "$1" >> "$d/after"
		}
		t0=$EPOCHREALTIME
		pool -j3 --halt now,fail=1 f ::: 1 2 3 4 5 ::: "$1"
		st=$?
		ms=$(ms_since "$t0")
		echo "st=$st fast=$(( ms < 1800 )) started=$(sort "$d/started" | tr -d "\n") after=$(cat "$d/after" 2>/dev/null)"' "$m"
	assert_output "st=5 fast=1 started=123 after="
	no_leftovers "$(pat "$m")"
}

@test "pool: --halt now,fail=1 leaves no job or grandchild running when the pool returns" {
	mark 7.42; m=$REPLY
	run -0 psh '
		f() {
			if [ "$1" = bad ]; then sleep 0.3; return 3; fi
			sleep "$2" & sleep "$2" & sleep "$2"
		}
		pool -j4 --halt now,fail=1 f ::: bad ok1 ok2 ok3 ::: "$1"
		echo "st=$?"
		pgrep -f "$(printf "sleep %s$" "${1//./[.]}")" || echo "none running"' "$m"
	assert_output - <<-'EOF'
	st=3
	none running
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool: --halt now,fail=1 stops a job that has only just started without the 2s KILL grace" {
	# A TERM that reaches a new job before it has dropped the handler it
	# inherits from pool must not be lost.  The race is narrow: try 15
	# times, each must be quick.
	mark 7.49; m=$REPLY
	run -0 psh '
		f() { [ "$1" = bad ] && return 3; sleep "$2"; echo after; }
		for i in {1..15}; do
			t0=$EPOCHREALTIME
			pool -j2 --halt now,fail=1 f ::: bad slow ::: "$1"
			st=$? ms=$(ms_since "$t0")
			(( st == 3 && ms < 1500 )) || { echo "try $i: st=$st ${ms}ms"; break; }
		done
		echo done' "$m"
	assert_output "done"
	no_leftovers "$(pat "$m")"
}

@test "pool: --halt soon,fail=1 lets the running jobs finish and starts no more" {
	run -0 psh '
		d=$BATS_TEST_TMPDIR
		f() {
			echo "$1" >> "$d/started"
			if [ "$1" = 1 ]; then sleep 0.1; return 4; fi
			sleep 0.8
			echo "$1" >> "$d/after"
		}
		t0=$EPOCHREALTIME
		pool -j3 --status-array st --halt soon,fail=1 f ::: 1 2 3 4 5
		echo "st=$? waited=$(( $(ms_since "$t0") >= 700 )) started=$(sort "$d/started" | tr -d "\n") after=$(sort "$d/after" | tr -d "\n") statuses=${st[*]}"'
	assert_output "st=4 waited=1 started=123 after=23 statuses=4 0 0"
}

@test "pool: --halt now,success=1 stops the others after the first success and returns 0" {
	mark 7.43; m=$REPLY
	run -0 psh '
		f() { if [ "$1" = win ]; then sleep 0.2; return 0; fi; sleep "$2"; }
		t0=$EPOCHREALTIME
		pool -j3 --halt now,success=1 f ::: lose1 win lose2 ::: "$1"
		echo "st=$? fast=$(( $(ms_since "$t0") < 1800 ))"' "$m"
	assert_output "st=0 fast=1"
	no_leftovers "$(pat "$m")"
}

@test "pool: --halt soon,success=1 starts nothing after a success" {
	run -0 psh '
		f() { echo "$1" >> "$BATS_TEST_TMPDIR/ran"; return "$1"; }
		pool -j1 --halt soon,success=1 f ::: 3 2 0 1 4
		echo "st=$? ran=$(tr -d "\n" < "$BATS_TEST_TMPDIR/ran")"'
	assert_output "st=0 ran=320"
}

@test "pool: --halt now,done=2 stops after two jobs ended, whatever their status" {
	run -0 psh '
		f() { echo "$1" >> "$BATS_TEST_TMPDIR/ran"; return "$1"; }
		pool -j1 --halt now,done=2 f ::: 3 0 4 5
		echo "ran=$(tr -d "\n" < "$BATS_TEST_TMPDIR/ran")"'
	assert_output "ran=30"
}

@test "pool: --halt soon,fail=50% halts when half of all jobs have failed" {
	run -0 psh '
		f() { echo "$1" >> "$BATS_TEST_TMPDIR/ran"; return "$2"; }
		pool -j1 --status-array s --halt soon,fail=50% f ::: 1 2 3 4 5 6 ::: 9
		echo "st=$? n=${#s[@]} ran=$(tr -d "\n" < "$BATS_TEST_TMPDIR/ran")"'
	# 6 jobs: the third failure is 50%.
	assert_output "st=9 n=3 ran=123"
}

@test "pool: --halt 1 is soon,fail=1 and --halt 2 is now,fail=1" {
	mark 7.44; m=$REPLY
	run -0 psh '
		f() { [ "$1" = x ] && { sleep 0.2; return 6; }; sleep "$2"; echo "after $1"; }
		pool -j2 --halt 1 f ::: x 0.6 ::: 0.6
		echo "soon st=$?"
		t0=$EPOCHREALTIME
		pool -j2 --halt 2 f ::: x y ::: "$1"
		echo "now st=$? fast=$(( $(ms_since "$t0") < 1800 ))"' "$m"
	assert_output - <<-'EOF'
	after 0.6
	soon st=6
	now st=6 fast=1
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool: --halt never runs every job despite failures" {
	run -0 psh '
		f() { return "$1"; }
		pool -j1 --status-array s --halt never f ::: 1 0 2
		echo "st=$? s=${s[*]}"'
	assert_output "st=2 s=1 0 2"
}

# --- time limits, retries, delays ------------------------------------------

@test "pool: --timeout stops a function and its grandchildren, and the job counts as failed" {
	mark 7.417; m=$REPLY
	run -0 psh '
		g() { sleep "$1" & sleep "$1" & sleep "$1"; echo "not reached"; }
		quick() { echo quick; }
		t0=$EPOCHREALTIME
		pool -k --status-array s --timeout 0.3 g ::: "$1"
		st=$?
		ms=$(ms_since "$t0")
		echo "st=$st failed=$(( s[0] != 0 )) late_enough=$(( ms >= 280 )) fast=$(( ms < 3000 ))"
		pool --timeout 5 quick ::: 1; echo "quick st=$?"' "$m"
	assert_output - <<-'EOF'
	st=1 failed=1 late_enough=1 fast=1
	quick
	quick st=0
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool: --timeout sends KILL to a job that ignores TERM" {
	mark 7.45; m=$REPLY
	run -0 psh '
		g() { trap "" TERM; sleep "$1"; }
		t0=$EPOCHREALTIME
		pool --status-array s --timeout 0.2 g ::: "$1"
		st=$?
		ms=$(ms_since "$t0")
		echo "st=$st s=${s[0]} fast=$(( ms < 5000 ))"' "$m"
	assert_output "st=1 s=137 fast=1"
	no_leftovers "$(pat "$m")"
}

@test "pool: --retries N runs a failing job N times in all, POOL_ATTEMPT counting 1..N" {
	run -0 psh '
		f() { echo "$1 $POOL_ATTEMPT" >> "$BATS_TEST_TMPDIR/log"; return 3; }
		pool -j1 --status-array s --retries 3 f ::: a b
		echo "st=$? s=${s[*]}"
		sort "$BATS_TEST_TMPDIR/log"'
	assert_output - <<-'EOF'
	st=2 s=3 3
	a 1
	a 2
	a 3
	b 1
	b 2
	b 3
	EOF
}

@test "pool: a retried job that succeeds counts as a success and only its last output is printed" {
	run -0 psh '
		f() { echo "try $POOL_ATTEMPT of $1"; echo "err $POOL_ATTEMPT" >&2; [ "$POOL_ATTEMPT" -ge 2 ]; }
		pool -k --status-array s --retries 4 f ::: a b 2>&1
		echo "st=$? s=${s[*]}"'
	assert_output - <<-'EOF'
	try 2 of a
	err 2
	try 2 of b
	err 2
	st=0 s=0 0
	EOF
}

@test "pool: --retries retries at once by default" {
	run -0 psh '
		f() { echo "$EPOCHREALTIME" >> "$BATS_TEST_TMPDIR/t"; return 1; }
		pool --retries 4 f ::: a
		mapfile -t t < "$BATS_TEST_TMPDIR/t"
		gap=$(( (${t[3]/./} - ${t[0]/./}) / 1000 ))
		echo "n=${#t[@]} quick=$(( gap < 1500 ))"'
	assert_output "n=4 quick=1"
}

@test "pool: --retry-delay and --retry-backoff space the attempts out (jitter none)" {
	run -0 psh '
		f() { echo "$EPOCHREALTIME" >> "$BATS_TEST_TMPDIR/t"; return 1; }
		pool --retries 4 --retry-delay 0.2 --retry-backoff 2 --retry-jitter none f ::: a
		echo "st=$?"
		mapfile -t t < "$BATS_TEST_TMPDIR/t"
		for i in 1 2 3; do echo $(( (${t[i]/./} - ${t[i-1]/./}) / 1000 )); done'
	assert_line -n 0 "st=1"
	g1=${lines[1]} g2=${lines[2]} g3=${lines[3]}
	# Expected gaps: 200, 400, 800 ms; generous upper bounds.
	(( g1 >= 190 && g1 < 1500 )) || fail "gap 1: ${g1}ms"
	(( g2 >= 390 && g2 < 2000 )) || fail "gap 2: ${g2}ms"
	(( g3 >= 790 && g3 < 3000 )) || fail "gap 3: ${g3}ms"
}

@test "pool: --retry-max caps the growing delay" {
	run -0 psh '
		f() { echo "$EPOCHREALTIME" >> "$BATS_TEST_TMPDIR/t"; return 1; }
		pool --retries 4 --retry-delay 0.3 --retry-backoff 5 --retry-max 0.4 --retry-jitter none f ::: a
		mapfile -t t < "$BATS_TEST_TMPDIR/t"
		for i in 1 2 3; do echo $(( (${t[i]/./} - ${t[i-1]/./}) / 1000 )); done'
	g1=${lines[0]} g2=${lines[1]} g3=${lines[2]}
	# Uncapped they would be 300, 1500, 7500 ms; capped 300, 400, 400.
	(( g1 >= 290 && g1 < 1200 )) || fail "gap 1: ${g1}ms"
	(( g2 >= 390 && g2 < 1300 )) || fail "gap 2: ${g2}ms"
	(( g3 >= 390 && g3 < 1300 )) || fail "gap 3: ${g3}ms"
}

@test "pool: --retry-jitter full draws each delay from zero up to the unjittered one" {
	run -0 psh '
		f() { echo "$EPOCHREALTIME" >> "$BATS_TEST_TMPDIR/t"; return 1; }
		pool --retries 5 --retry-delay 1 --retry-backoff 1 --retry-jitter full f ::: a
		mapfile -t t < "$BATS_TEST_TMPDIR/t"
		echo "n=${#t[@]}"
		for i in 1 2 3 4; do echo $(( (${t[i]/./} - ${t[i-1]/./}) / 1000 )); done'
	assert_line -n 0 "n=5"
	short=0
	for i in 1 2 3 4; do
		(( lines[i] < 1600 )) || fail "gap $i: ${lines[i]}ms, over the 1s delay"
		(( lines[i] < 900 )) && (( ++short ))
	done
	# Unjittered, every gap would be 1000ms or more.
	(( short > 0 )) || fail "no gap was shortened: ${lines[*]:1}"
}

@test "pool: --retry-jitter equal keeps each delay between half and all of it" {
	run -0 psh '
		f() { echo "$EPOCHREALTIME" >> "$BATS_TEST_TMPDIR/t"; return 1; }
		pool --retries 4 --retry-delay 0.4 --retry-backoff 1 --retry-jitter equal f ::: a
		mapfile -t t < "$BATS_TEST_TMPDIR/t"
		for i in 1 2 3; do echo $(( (${t[i]/./} - ${t[i-1]/./}) / 1000 )); done'
	for i in 0 1 2; do
		(( lines[i] >= 190 && lines[i] < 1200 )) || fail "gap $i: ${lines[i]}ms"
	done
}

@test "pool: --delay spaces the job starts out" {
	run -0 psh '
		f() { echo "$EPOCHREALTIME" >> "$BATS_TEST_TMPDIR/t"; }
		t0=$EPOCHREALTIME
		pool -j4 --delay 0.5 f ::: 1 2 3 4
		echo "st=$? total=$(ms_since "$t0")"
		mapfile -t t < <(sort -n "$BATS_TEST_TMPDIR/t")
		for i in 1 2 3; do echo $(( (${t[i]/./} - ${t[i-1]/./}) / 1000 )); done
		echo $(( (${t[3]/./} - ${t[0]/./}) / 1000 ))'
	assert_line -n 0 --regexp '^st=0 total=[0-9]+$'
	total=${lines[0]#*total=}
	(( total >= 1450 && total < 8000 )) || fail "took ${total}ms"
	# Each job notes its own start, a little after its fork: slack for
	# a loaded machine.
	for i in 1 2 3; do
		(( lines[i] >= 300 )) || fail "start $i came ${lines[i]}ms after the one before"
	done
	(( lines[4] >= 1350 )) || fail "4 starts within ${lines[4]}ms"
}

# --- output ---------------------------------------------------------------

@test "pool: -k prints the output byte-identical to a serial run" {
	run -0 psh '
		f() {
			sleep 0.0$(( (7 * $1) % 10 ))
			printf "line %s\n" "$1"
			(( $1 % 3 == 0 )) && head -c $(( 20000 + $1 )) /dev/zero | tr "\0" "$1"
			(( $1 % 4 == 0 )) && printf "no newline %s" "$1"
			printf "\n\tend %s\n" "$1"
		}
		for i in {1..24}; do f "$i"; done > "$BATS_TEST_TMPDIR/serial"
		pool -k -j4 f ::: {1..24} > "$BATS_TEST_TMPDIR/par"
		echo "st=$?"
		cmp "$BATS_TEST_TMPDIR/serial" "$BATS_TEST_TMPDIR/par" && echo same'
	assert_output - <<-'EOF'
	st=0
	same
	EOF
}

@test "pool: grouped output keeps every job's lines together with 4 writers" {
	run -0 psh '
		f() { local i; for i in {1..40}; do echo "$1 $i"; sleep 0.00$((RANDOM % 4)); done; }
		pool -j4 f ::: {1..12} > "$BATS_TEST_TMPDIR/out"
		echo "st=$?"'
	assert_output "st=0"
	# Each job's 40 lines in one run, in order; every job once.
	run -0 awk '
		$1 != cur { if (seen[$1]++) bad = bad " " $1 "@" NR; cur = $1; n = 0 }
		$2 != ++n { bad = bad " " $1 ":" $2 "@" NR }
		END { print NR, length(seen), (bad == "" ? "contiguous" : "split:" bad) }
	' "$BATS_TEST_TMPDIR/out"
	assert_output "480 12 contiguous"
}

@test "pool: grouped output prints a job's stdout to stdout and its stderr to stderr, once it ends" {
	run -0 --separate-stderr psh '
		f() { echo "out $1"; echo "err $1" >&2; echo "out2 $1"; }
		pool -k f ::: a b'
	assert_output - <<-'EOF'
	out a
	out2 a
	out b
	out2 b
	EOF
	[ "$stderr" = "$(printf 'err a\nerr b')" ] || fail "stderr: $stderr"
}

@test "pool: -u lets a job write straight to the shell's stdout while it runs" {
	run -0 psh '
		d=$BATS_TEST_TMPDIR
		f() {
			local i
			if [ "$1" = a ]; then
				echo a1; : > "$d/a1"
				for ((i = 0; i < 500; i++)); do [ -e $d/b ] && break; sleep 0.02; done
				echo a2
			else
				for ((i = 0; i < 500; i++)); do [ -e $d/a1 ] && break; sleep 0.02; done
				echo b; : > "$d/b"
			fi
		}
		pool -j2 -u f ::: a b
		echo "-- grouped"
		rm -f "$d/a1" "$d/b"
		pool -j2 f ::: a b'
	assert_output - <<-'EOF'
	a1
	b
	a2
	-- grouped
	b
	a1
	a2
	EOF
}

@test "pool: --line-buffer prints whole lines as they come, never half a line" {
	run -0 psh '
		d=$BATS_TEST_TMPDIR
		f() {
			local i
			if [ "$1" = a ]; then
				echo "a first"
				printf "a-start "; : > "$d/p"
				for ((i = 0; i < 500; i++)); do [ -e $d/q ] && break; sleep 0.02; done
				echo "a-end"
			else
				for ((i = 0; i < 500; i++)); do [ -e $d/p ] && break; sleep 0.02; done
				sleep 0.2; echo "b-line"; sleep 0.3
				: > "$d/q"
			fi
		}
		pool -j2 --line-buffer f ::: a b'
	# "a first" comes before b has even started to write: lines as they
	# come; "a-start " waits for the rest of its line.
	assert_output - <<-'EOF'
	a first
	b-line
	a-start a-end
	EOF
}

@test "pool: --line-buffer with -k prints each job whole, in order" {
	run -0 psh '
		f() { echo "$1 one"; sleep 0.$(( 4 - $1 )); echo "$1 two"; }
		pool -j3 -k --line-buffer f ::: 1 2 3'
	assert_output - <<-'EOF'
	1 one
	1 two
	2 one
	2 two
	3 one
	3 two
	EOF
}

@test "pool: --tag prefixes every stdout and stderr line with the item and a tab" {
	run -0 --separate-stderr psh '
		f() { echo "out $1"; echo "err $1" >&2; printf "tail"; }
		pool -k --tag f ::: a "b c"'
	assert_output "$(printf 'a\tout a\na\ttail\nb c\tout b c\nb c\ttail')"
	[ "$stderr" = "$(printf 'a\terr a\nb c\terr b c')" ] || fail "stderr: $stderr"
}

@test "pool: --tag shows every value of a job, as GNU parallel does" {
	run -0 bg_bash 'pool -k --tag echo x ::: a b ::: 1 2; pool -k -n2 --tag echo ::: p q r'
	assert_output "$(printf 'a 1\tx a 1\na 2\tx a 2\nb 1\tx b 1\nb 2\tx b 2\np q\tp q\nr\tr')"
}

@test "pool: --tagstring STR prefixes with STR, replacement strings expanded" {
	run -0 psh '
		f() { echo "x"; }
		pool -k --tagstring "[{#}:{/.}]" f ::: /d/one.txt /d/two.c'
	assert_output "$(printf '[1:one]\tx\n[2:two]\tx')"
}

@test "pool: --tag works with --line-buffer" {
	run -0 psh '
		f() { echo "l1"; sleep 0.1; echo "l2"; }
		pool -j2 --line-buffer --tag f ::: a b | sort'
	assert_output "$(printf 'a\tl1\na\tl2\nb\tl1\nb\tl2')"
}

@test "pool: a job printing 20 MB in grouped mode does not grow the shell's memory and all of it comes out" {
	run -0 psh '
		big() { head -c 20000000 /dev/zero | tr "\0" x; echo; }
		pool true ::: warm-up
		rss_kb; before=$REPLY
		pool -j2 big ::: 1 > "$BATS_TEST_TMPDIR/out"
		echo "st=$?"
		rss_kb; after=$REPLY
		echo "growth_ok=$(( after - before < 10240 )) ($before -> $after kB)"
		wc -c < "$BATS_TEST_TMPDIR/out"'
	assert_line -n 0 "st=0"
	assert_line -n 1 --regexp '^growth_ok=1 '
	assert_line -n 2 "20000001"
}

@test "pool: -k holding 20 MB of a later job's output keeps the shell's memory flat" {
	run -0 psh '
		f() { if [ "$1" = 1 ]; then sleep 0.5; echo first; else head -c 20000000 /dev/zero; fi; }
		pool true ::: warm-up
		rss_kb; before=$REPLY
		pool -k -j2 f ::: 1 2 > "$BATS_TEST_TMPDIR/out"
		echo "st=$?"
		rss_kb; after=$REPLY
		echo "growth_ok=$(( after - before < 10240 )) ($before -> $after kB)"
		head -n 1 "$BATS_TEST_TMPDIR/out"
		wc -c < "$BATS_TEST_TMPDIR/out"'
	assert_line -n 0 "st=0"
	assert_line -n 1 --regexp '^growth_ok=1 '
	assert_line -n 2 "first"
	assert_line -n 3 "20000006"
}

@test "pool: a closed output pipe with SIGPIPE at its default ends the pool's shell and stops the other jobs" {
	mark 7.46; m=$REPLY
	run -0 psh '
		f() { if [ "$1" = a ]; then sleep 0.3; echo line; else sleep "$2"; fi; }
		{ sleep 0.3; pool -j2 f ::: a b ::: "$1"; echo "pool returned $?" >&2; } | true
		echo "pipe=${PIPESTATUS[0]}"
		sleep 0.3
		pgrep -f "$(printf "sleep %s$" "${1//./[.]}")" || echo "none running"' "$m"
	assert_output - <<-'EOF'
	pipe=141
	none running
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool: a closed output pipe with SIGPIPE at its default still kills a job that ignores TERM" {
	# "Stopped as by --halt now": TERM, then KILL 2s later.  The shell
	# must not die of the pending SIGPIPE before the KILL.
	mark 7.48; m=$REPLY
	run -0 psh '
		f() { if [ "$1" = a ]; then sleep 0.3; echo line; else trap "" TERM; sleep "$2"; fi; }
		{ sleep 0.3; pool -j2 f ::: a b ::: "$1"; echo "pool returned $?" >&2; } | true
		echo "pipe=${PIPESTATUS[0]}"
		pgrep -f "$(printf "sleep %s$" "${1//./[.]}")" >/dev/null && echo "a job was left running"
		exit 0' "$m"
	assert_output "pipe=141"
	no_leftovers "$(pat "$m")"
}

@test "pool: with SIGPIPE ignored, a closed output pipe stops the jobs and pool returns non-zero" {
	mark 7.47; m=$REPLY
	run -0 psh '
		trap "" PIPE
		f() { if [ "$1" = a ]; then sleep 0.3; echo line; else sleep "$2"; fi; }
		{ sleep 0.3; t0=$EPOCHREALTIME
		  pool -j2 f ::: a b c ::: "$1"
		  echo "pool st=$? fast=$(( $(ms_since "$t0") < 5000 ))" > "$BATS_TEST_TMPDIR/st"; } | true
		cat "$BATS_TEST_TMPDIR/st"
		pgrep -f "$(printf "sleep %s$" "${1//./[.]}")" || echo "none running"' "$m"
	# As bash's own builtins do when SIGPIPE is ignored, pool says so.
	assert_line --partial "pool: write error: Broken pipe"
	assert_line "none running"
	assert_line --regexp '^pool st=[1-9][0-9]* fast=1$'
	no_leftovers "$(pat "$m")"
}

@test "pool: a short job after a long one in the same slot prints only its own output (recycled spool files)" {
	out=$BATS_TEST_TMPDIR/out
	log=$BATS_TEST_TMPDIR/log
	run -0 psh '
		f() { local i; for ((i = 0; i < $1; i++)); do echo "$1 line $i"; echo "$1 err $i" >&2; done; }
		pool -j1 -k --joblog "$2" f ::: 3000 2 0 1 > "$1" 2> "$1.err" &&
		pool -j1 -k --results "$3" f ::: 3000 2 0 1
		echo "st=$?"' "$out" "$log" "$BATS_TEST_TMPDIR/res"
	assert_output "st=0"
	f() { local i; for ((i = 0; i < $1; i++)); do echo "$1 line $i"; done; }
	cmp "$out" <(f 3000; f 2; f 0; f 1) || fail "stdout differs"
	g() { local i; for ((i = 0; i < $1; i++)); do echo "$1 err $i"; done; }
	cmp "$out.err" <(g 3000; g 2; g 0; g 1) || fail "stderr differs"
	# Receive counts each job's own bytes, not the recycled file's size.
	[ "$(tail -n +2 "$log" | sort -n | cut -f6 | tr '\n' ' ')" = "$(f 3000 | wc -c) $(f 2 | wc -c) 0 $(f 1 | wc -c) " ] ||
	    fail "receive column: $(cut -f1,6 "$log" | tr '\n' ' ')"
	cmp "$BATS_TEST_TMPDIR/res/2/stdout" <(f 2) || fail "--results stdout of job 2 differs"
	cmp "$BATS_TEST_TMPDIR/res/4/stderr" <(g 1) || fail "--results stderr of job 4 differs"
}

@test "pool: -k over recycled spool files never shows one job's bytes in another's output (200 runs)" {
	run -0 psh '
		f() { printf "<%s>" "$@"; echo; }
		items=("a b" "" "*" "q'\''uote")
		want=$(printf "<%s><%s>\n" 1 "a b" 1 "" 1 "*" 1 "q'\''uote" 2 "a b" 2 "" 2 "*" 2 "q'\''uote")
		bad=0
		for ((i = 0; i < 200; i++)); do
			got=$(pool -k -a items f ::: 1 2 | { head -n 8; cat > /dev/null; })
			[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "run $i: $got"; }
		done
		echo "bad=$bad"'
	assert_line "bad=0"
}

# --- the joblog, --resume, --results --------------------------------------

@test "pool: --joblog writes GNU parallel's header and one line a job in its column layout" {
	log=$BATS_TEST_TMPDIR/log
	run -0 psh '
		f() { printf "%s" "$1"; return "${#1}"; }
		before=${EPOCHREALTIME%.*}
		pool -j2 --joblog "$1" f ::: a bb "c d" > /dev/null
		echo "st=$? before=$before after=${EPOCHREALTIME%.*}"' "$log"
	assert_output --regexp '^st=3 before=[0-9]+ after=[0-9]+$'
	before=${output#*before=}; before=${before%% *}
	after=${output##*after=}
	[ "$(head -n 1 "$log")" = "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')" ] ||
	    fail "header: $(head -n 1 "$log" | cat -A)"
	(( $(wc -l < "$log") == 4 )) || fail "$(cat "$log")"
	tail -n +2 "$log" | sort -n > "$BATS_TEST_TMPDIR/rows"
	i=0
	while IFS=$'\t' read -r seq host start rt send recv ex sig cmd extra; do
		(( ++i ))
		[ "$seq" = "$i" ] || fail "seq $seq, wanted $i"
		[ "$host" = ":" ] || fail "host '$host'"
		[[ $start =~ ^[0-9]+\.[0-9]{3}$ ]] || fail "start '$start'"
		(( ${start%.*} >= before && ${start%.*} <= after )) || fail "start $start not in $before..$after"
		[[ $rt =~ ^\ *[0-9]+\.[0-9]{3}$ && ${#rt} -ge 10 ]] || fail "runtime '$rt' is not %10.3f"
		[ "$send" = 0 ] || fail "send '$send'"
		[ -z "$extra" ] || fail "extra column '$extra'"
		[ "$sig" = 0 ] || fail "signal '$sig'"
		case $i in
		1) [ "$recv $ex $cmd" = "1 1 f a" ] || fail "row 1: $recv $ex $cmd" ;;
		2) [ "$recv $ex $cmd" = "2 2 f bb" ] || fail "row 2: $recv $ex $cmd" ;;
		3) [ "$recv $ex $cmd" = "3 3 f 'c d'" ] || fail "row 3: $recv $ex $cmd" ;;
		esac
	done < "$BATS_TEST_TMPDIR/rows"
	(( i == 3 )) || fail "$i rows"
}

@test "pool: --joblog has the same header and column shapes as GNU parallel's" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
	cd "$BATS_TEST_TMPDIR"
	parallel --will-cite -j2 --joblog gnu.log 'printf %s {}; exit {}' ::: 0 1 >/dev/null || :
	run -0 psh 'f() { printf "%s" "$1"; return "$1"; }; pool -j2 --joblog ours.log f ::: 0 1 >/dev/null; exit 0'
	[ "$(head -n 1 gnu.log)" = "$(head -n 1 ours.log)" ] ||
	    fail "headers differ: $(head -n 1 gnu.log | cat -A) / $(head -n 1 ours.log | cat -A)"
	# Mask the values that differ by nature (times, command text).
	shape() {
		tail -n +2 "$1" | sort -n | awk -F '\t' -v OFS='\t' '{
			gsub(/[0-9]/, "9", $3); gsub(/[0-9]/, "9", $4); $9 = "CMD"; print NF, $0 }'
	}
	diff <(shape gnu.log) <(shape ours.log) || fail "column layouts differ"
}

@test "pool: --joblog records a killed job as 128+N and N, a timed-out one as -1 and N, as GNU parallel 20260522" {
	log=$BATS_TEST_TMPDIR/log
	run -0 psh '
		pool --joblog "$1" sh -c "kill -TERM \$\$" ::: x
		echo "st=$?"
		pool --joblog "$1.t" --timeout 0.2 sleep ::: 5
		echo "st=$?"' "$log"
	assert_output $'st=1\nst=1'
	run -0 awk -F '\t' 'NR == 2 { print $7, $8 }' "$log"
	assert_output $'143 15'
	run -0 awk -F '\t' 'NR == 2 { print $7, $8 }' "$log.t"
	assert_output $'-1 15'
}

@test "pool: --resume-failed reruns exactly the failed jobs of the joblog, and new ones" {
	log=$BATS_TEST_TMPDIR/log
	run -0 psh '
		f() { echo "$1" >> "$BATS_TEST_TMPDIR/ran$2"; [ -e "$BATS_TEST_TMPDIR/fixed" ] || return $(( $1 % 3 == 0 )); }
		pool -j3 --joblog "$1" f ::: {1..10} ::: 1
		echo "first st=$?"
		: > "$BATS_TEST_TMPDIR/fixed"
		pool -j3 --joblog "$1" --resume-failed f ::: {1..12} ::: 2
		echo "second st=$?"
		echo "ran: $(sort -n "$BATS_TEST_TMPDIR/ran2" | tr "\n" " ")"' "$log"
	assert_output - <<-'EOF'
	first st=3
	second st=0
	ran: 3 6 9 11 12 
	EOF
	# The failed jobs as the first joblog recorded them (in the order
	# they ended, which the load decides: sorted here).
	run -0 bash -c 'awk -F "\t" "NR > 1 && NR <= 11 && \$7 != 0 { print \$1 }" "$1" |
	    sort -n' _ "$log"
	assert_output "$(printf '%s\n' 3 6 9)"
	run -0 awk -F '\t' 'NR > 1 { n++ } END { print n }' "$log"
	assert_output "15"
}

@test "pool: --resume skips every job the joblog lists, failed or not" {
	log=$BATS_TEST_TMPDIR/log
	run -0 psh '
		f() { echo "$1" >> "$BATS_TEST_TMPDIR/ran$2"; return $(( $1 == 2 )); }
		pool -j2 --joblog "$1" f ::: 1 2 3 ::: 1
		echo "first st=$?"
		pool -j2 --joblog "$1" --resume f ::: 1 2 3 4 5 ::: 2
		echo "second st=$?"
		echo "ran: $(sort -n "$BATS_TEST_TMPDIR/ran2" | tr "\n" " ")"
		pool -j2 --joblog "$1" --resume f ::: 1 2 3 4 5 ::: 3
		echo "third st=$? $(cat "$BATS_TEST_TMPDIR/ran3" 2>/dev/null || echo nothing ran)"' "$log"
	assert_output - <<-'EOF'
	first st=1
	second st=0
	ran: 4 5 
	third st=0 nothing ran
	EOF
	run -0 awk 'NR == 1 || /^Seq/ { h++ } END { print h }' "$log"
	assert_output "1"
}

@test "pool: --resume without --joblog is a usage error" {
	run -2 psh 'f() { echo ran; }; pool --resume f ::: a'
	assert_output --partial "--resume needs --joblog FILE"
	refute_line "ran"
}

@test "pool: --results DIR saves each job's command, stdout, stderr and status" {
	res=$BATS_TEST_TMPDIR/res
	run -0 psh '
		f() { echo "out $1"; echo "err $1" >&2; return "$2"; }
		pool -k --results "$1" f ::: a b ::: 3 > /dev/null 2>&1
		echo "st=$?"' "$res"
	assert_output "st=2"
	for s in 1 2; do
		[ -d "$res/$s" ] || fail "no $res/$s"
	done
	[ "$(cat "$res/1/stdout")" = "out a" ] || fail "1/stdout: $(cat "$res/1/stdout")"
	[ "$(cat "$res/1/stderr")" = "err a" ] || fail "1/stderr"
	[ "$(cat "$res/1/status")" = "3" ] || fail "1/status"
	[ "$(cat "$res/1/cmd")" = "f a 3" ] || fail "1/cmd: $(cat "$res/1/cmd")"
	[ "$(cat "$res/2/stdout")" = "out b" ] || fail "2/stdout"
	[ "$(cat "$res/2/cmd")" = "f b 3" ] || fail "2/cmd"
}

# --- statuses -------------------------------------------------------------

@test "pool: --status-array ARRAY sets ARRAY[SEQ-1] to each job's exit status" {
	run -0 psh '
		f() { return "$1"; }
		old=(9 9 9 9 9 9 9 9)
		pool -j3 --status-array old f ::: 0 1 2 255 0
		echo "st=$? n=${#old[@]} ${old[*]}"
		pool --status-array new f ::: 7
		echo "${new[*]}"'
	assert_output - <<-'EOF'
	st=3 n=5 0 1 2 255 0
	7
	EOF
}

@test "pool: statuses of 3,000 jobs with random exit codes all land right in --status-array" {
	PSH_LIMIT=300 run -0 psh '
		codes=()
		for ((i = 0; i < 3000; i++)); do codes[i]=$(( RANDOM % 4 == 0 ? RANDOM % 256 : 0 )); done
		f() { return "${codes[$1]}"; }
		fails=0
		for c in "${codes[@]}"; do (( c != 0 )) && (( fails++ )); done
		pool -j4 --status-array got f ::: "${!codes[@]}"
		st=$?
		(( fails > 100 )) && want=101 || want=$fails
		echo "status_ok=$(( st == want )) count=${#got[@]}"
		bad=0
		for ((i = 0; i < 3000; i++)); do [ "${got[i]}" = "${codes[i]}" ] || (( bad++ )); done
		echo "wrong=$bad"'
	assert_output - <<-'EOF'
	status_ok=1 count=3000
	wrong=0
	EOF
}

@test "pool: returns 0 when every job succeeded, else the number that failed" {
	run -0 psh '
		f() { return "$1"; }
		pool f ::: 0 0 0; echo "st=$?"
		pool f ::: 0 1 0 2 3; echo "st=$?"
		pool nosuch-command-bgtools ::: a b 2>/dev/null; echo "notfound st=$?"'
	# A command that is not there is found out once, before any job: 127.
	assert_output - <<-'EOF'
	st=0
	st=3
	notfound st=127
	EOF
}

@test "pool: returns 101 when more than 100 jobs failed, 100 for exactly 100" {
	run -0 psh '
		pool -j4 false ::: {1..100}; echo "st=$?"
		pool -j4 false ::: {1..101}; echo "st=$?"
		pool -j4 false ::: {1..150}; echo "st=$?"'
	assert_output - <<-'EOF'
	st=100
	st=101
	st=101
	EOF
}

@test "pool: with --halt now,fail=1 returns the failing job's status" {
	run -0 psh '
		f() { sleep 0.1; return "$1"; }
		pool -j1 --halt now,fail=1 f ::: 0 42 0; echo "st=$?"
		pool -j1 --halt soon,fail=2 f ::: 3 0 77 0; echo "st=$?"'
	assert_output - <<-'EOF'
	st=42
	st=77
	EOF
}

@test "pool: no input at all runs nothing and returns 0" {
	run -0 psh '
		f() { echo ran; }
		empty=()
		pool f < /dev/null; echo "st=$?"
		pool -a empty f; echo "st=$?"
		pool f ::: ; echo "st=$?"'
	assert_output - <<-'EOF'
	st=0
	st=0
	st=0
	EOF
}

# --- dry run, bar ---------------------------------------------------------

@test "pool: --dry-run prints each command, quoted, and runs nothing" {
	run -0 psh '
		f() { : > "$BATS_TEST_TMPDIR/ran"; }
		pool -k --dry-run f x ::: "a b" "it'\''s" plain
		echo "st=$?"
		[ -e "$BATS_TEST_TMPDIR/ran" ] && echo "it ran"
		exit 0'
	assert_output - <<-'EOF'
	f x 'a b'
	f x 'it'\''s'
	f x plain
	st=0
	EOF
}

@test "pool: --bar prints nothing when stderr is not a terminal" {
	run -0 --separate-stderr psh 'pool --bar -j2 true ::: 1 2 3; echo "st=$?"'
	assert_output "st=0"
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "pool: --bar draws a progress line on a terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	out=$BATS_TEST_TMPDIR/tty
	timeout 60 script -qec "bash -c 'enable -f \"\$BGTOOLS_SO\" pool; pool --bar -j2 true ::: 1 2 3 > /dev/null; echo st=\$?'" /dev/null > "$out"
	run -0 tr '\r' '\n' < "$out"
	assert_line --partial "pool: 3/3 done"
	assert_line --regexp '^st=0'
	run -0 psh 'pool -j2 true ::: 1 2 3 2>&1; echo st=$?'
	refute_output --partial "done"
}

# --- incremental mode -----------------------------------------------------

@test "pool: --sem in a for loop runs a function that reads the script's arrays, --wait collects the statuses" {
	run -0 psh '
		names=(zero one two three four five)
		f() { echo "$1=${names[$1]}"; return $(( $1 % 2 )); }
		for i in 0 1 2 3 4 5; do pool --sem -j2 -k --status-array st f "$i" || echo "submit failed"; done
		pool --wait
		echo "wait=$? st=${st[*]}"
		pool --wait; echo "again=$?"'
	assert_output - <<-'EOF'
	0=zero
	1=one
	2=two
	3=three
	4=four
	5=five
	wait=3 st=0 1 0 1 0 1
	again=0
	EOF
}

@test "pool: --sem returns at once while a slot is free and blocks while -j jobs run" {
	run -0 psh '
		peak_init
		f() { peak_enter; sleep 0.4; peak_leave; }
		t0=$EPOCHREALTIME
		pool --sem -j2 f; pool --sem f
		echo "quick=$(( $(ms_since "$t0") < 300 ))"
		pool --sem f
		echo "blocked=$(( $(ms_since "$t0") >= 350 ))"
		pool --sem f; pool --sem f
		pool --wait
		echo "st=$? peak=$(peak_max)"'
	assert_output - <<-'EOF'
	quick=1
	blocked=1
	st=0 peak=2
	EOF
}

@test "pool: two --sem pools with --id run side by side with their own -j and --status-array" {
	run -0 psh '
		peak_init
		a() { peak_enter; sleep 0.3; peak_leave; return 1; }
		b() { sleep 0.1; return "$1"; }
		for i in 1 2 3; do
			pool --sem --id A -j1 --status-array sa a "$i"
			pool --sem --id B -j3 --status-array sb b "$i"
		done
		pool --wait --id B; echo "B=$? sb=${sb[*]}"
		pool --wait --id A; echo "A=$? sa=${sa[*]} peakA=$(peak_max)"'
	assert_output - <<-'EOF'
	B=3 sb=1 2 3
	A=3 sa=1 1 1 peakA=1
	EOF
}

@test "pool: the first --sem call fixes the pool's options" {
	run -0 psh '
		peak_init
		f() { peak_enter; sleep 0.2; peak_leave; }
		pool --sem -j1 f
		pool --sem -j4 f
		pool --sem -j4 f
		pool --wait
		echo "st=$? peak=$(peak_max)"'
	assert_output "st=0 peak=1"
}

@test "pool: --sem refuses new jobs once its pool halted, and --wait returns the halt status" {
	run -0 psh '
		f() { return 7; }
		pool --sem -j1 --halt now,fail=1 f
		sleep 0.3
		pool --sem echo "should not run"; echo "submit=$?"
		pool --wait; echo "wait=$?"'
	assert_output - <<-'EOF'
	submit=7
	wait=7
	EOF
}

@test "pool: --sem jobs show in jobs while they run and leave no trace after --wait" {
	run -0 bg_bash '
		pool --sem -j2 sleep 0.5
		jobs | wc -l
		pool --wait
		echo "wait=$?"
		jobs
		echo "jobs end"'
	assert_output - <<-'EOF'
	1
	wait=0
	jobs end
	EOF
}

@test "pool: --sem with no command is a usage error and --wait with nothing submitted returns 0" {
	run -0 psh '
		pool --sem; echo "sem=$?"
		pool --wait --id never-used; echo "wait=$?"'
	assert_line "sem=2"
	assert_line "wait=0"
	assert_line --partial "pool: missing command"
	assert_line --partial "pool: usage:"
}

# --- living inside the shell ----------------------------------------------

@test "pool: \$! is unchanged by a pool, in batch and --sem mode" {
	run -0 psh '
		pool true ::: a b
		echo "empty=[$!]"
		sleep 0.2 & mine=$!
		pool -j2 true ::: a b c
		echo "batch=$(( $! == mine ))"
		pool --sem true; pool --wait
		echo "sem=$(( $! == mine ))"
		wait "$mine"'
	assert_output - <<-'EOF'
	empty=[]
	batch=1
	sem=1
	EOF
}

@test "pool: wait, wait -n and jobs still work for the script's own jobs after a pool" {
	run -0 bg_bash '
		sleep 0.6 & slow=$!
		(sleep 0.2; exit 7) & fast=$!
		pool -j2 true ::: 1 2 3 4
		wait -n; echo "first=$?"
		jobs | grep -c Running
		wait "$fast"; echo "fast=$?"
		wait; echo "all=$?"
		jobs; echo "end"'
	assert_output - <<-'EOF'
	first=7
	1
	fast=7
	all=0
	end
	EOF
}

@test "pool: jobs is empty after a pool and no Done lines are printed, without job control" {
	run -0 bg_bash '
		f() { sleep 0.0$((RANDOM % 3)); return "$1"; }
		pool -j3 f ::: 0 1 0 2 0
		echo "st=$?"
		jobs
		true; true
		echo "jobs end"'
	assert_output - <<-'EOF'
	st=2
	jobs end
	EOF
}

@test "pool: jobs is empty after a pool and no Done lines are printed, with set -m" {
	run -0 bg_bash '
		set -m
		f() { sleep 0.0$((RANDOM % 3)); return "$1"; }
		pool -j3 f ::: 0 1 0 2 0
		echo "st=$?"
		jobs
		sleep 0.1
		jobs
		echo "jobs end"' 
	assert_output - <<-'EOF'
	st=2
	jobs end
	EOF
}

@test "pool: each job runs in a process group of its own, with and without set -m" {
	run -0 psh '
		f() { local pg; read -r _ _ _ _ pg _ < /proc/$BASHPID/stat; echo "own=$(( pg == BASHPID ))"; }
		pool -k f ::: a
		set -m
		pool -k f ::: b
		pool -k sh -c "read -r _ _ _ _ pg _ < /proc/\$\$/stat; echo own=\$(( pg == \$\$ ))" ::: c'
	assert_output - <<-'EOF'
	own=1
	own=1
	own=1
	EOF
}

@test "pool: a job's stdin is /dev/null" {
	run -0 psh '
		f() { if read -r line; then echo "read: $line"; else echo "eof"; fi; }
		echo "not for the job" | { pool f ::: a; read -r rest; echo "left: $rest"; }'
	assert_output - <<-'EOF'
	eof
	left: not for the job
	EOF
}

@test "pool: a script under set -euo pipefail goes on after a good pool and stops at a failing one" {
	run -3 psh '
		set -euo pipefail
		f() { return "$1"; }
		pool f ::: 0 0
		echo "after good"
		pool f ::: 1 0 || echo "caught $?"
		pool --status-array s f ::: 0 "$@" | cat
		echo "after pipe ${s[*]-unset}"
		pool f ::: 1 1 1
		echo "not reached"' 0
	assert_output - <<-'EOF'
	after good
	caught 1
	after pipe unset
	EOF
}

@test "pool: set -e inside a function job ends that job with the failing status" {
	run -0 psh '
		f() { set -e; echo "start $1"; false; echo "not reached $1"; }
		pool -k --status-array s f ::: a b
		echo "st=$? s=${s[*]}"'
	assert_output - <<-'EOF'
	start a
	start b
	st=2 s=1 1
	EOF
}

@test "pool: exit inside a function job ends only that job" {
	run -0 psh '
		f() { echo "in $1"; exit "$1"; echo "not reached"; }
		pool -k --status-array s f ::: 3 0
		echo "st=$? s=${s[*]} shell alive"'
	assert_output - <<-'EOF'
	in 3
	in 0
	st=1 s=3 0 shell alive
	EOF
}

@test "pool: a pool inside a pool job works, its output nested in order" {
	run -0 psh '
		inner() { echo "inner $1"; return $(( ${#1} == 4 )); }
		outer() { pool -k -j2 --status-array s inner ::: "$1.1" "$1.22"; echo "outer $1 st=$? s=${s[*]}"; }
		pool -k -j2 --status-array top outer ::: a b
		echo "top st=$? top=${top[*]}"'
	assert_output - <<-'EOF'
	inner a.1
	inner a.22
	outer a st=1 s=0 1
	inner b.1
	inner b.22
	outer b st=1 s=0 1
	top st=0 top=0 0
	EOF
}

@test "pool: waitany does not report pool jobs" {
	run -0 psh '
		pool --sem -j2 sleep 0.5
		(exit 3) & own=$!
		waitany -p p; echo "waitany=$? own=$(( p == own ))"
		waitany -t 2 -p p; echo "waitany=$? p=[$p]"
		pool --wait; echo "wait=$?"'
	assert_line -n 0 "waitany=3 own=1"
	refute_line --regexp '^waitany=0 '
	assert_line "wait=0"
}

# --- bad calls ------------------------------------------------------------

@test "pool: an unknown option is a usage error with the usage line" {
	run -2 psh 'f() { echo ran; }; pool --bogus f ::: a'
	assert_line --partial "pool: --bogus: invalid option"
	assert_line --partial "pool: usage: pool "
	refute_line "ran"
	run -2 psh 'f() { echo ran; }; pool -Z f ::: a'
	assert_line --partial "pool: usage: pool "
	refute_line "ran"
}

@test "pool: bad -j values are refused with status 2 and nothing runs" {
	run -0 psh '
		f() { echo ran; }
		for j in 00 abc "" -100000 1.5 5%% 0% 100001; do
			pool -j "$j" f ::: a; echo "[$j] st=$?"
		done 2>&1'
	refute_line "ran"
	assert_line "[00] st=2"
	assert_line "[abc] st=2"
	assert_line "[] st=2"
	assert_line "[-100000] st=2"
	assert_line "[1.5] st=2"
	assert_line "[5%%] st=2"
	assert_line "[0%] st=2"
	assert_line "[100001] st=2"
	assert_line --partial "pool: abc: invalid job count"
	assert_line --partial "pool: : invalid job count"
}

@test "pool: bad --halt specifications are refused with status 2 and nothing runs" {
	run -0 psh '
		f() { echo ran; }
		for h in "" now now,fail later,fail=1 now,oops=1 now,fail=0 now,fail=x now,fail=101% soon,fail=-1 3 now,fail=1,x; do
			pool --halt "$h" f ::: a; echo "[$h] st=$?"
		done 2>&1'
	refute_line "ran"
	for h in "" now now,fail later,fail=1 now,oops=1 now,fail=0 now,fail=x now,fail=101% soon,fail=-1 3; do
		assert_line "[$h] st=2"
	done
	assert_line --partial "pool: later,fail=1: invalid halt specification"
}

@test "pool: bad durations, counts and names are refused with status 2 and nothing runs" {
	run -0 psh '
		f() { echo ran; }
		try() { pool "$@" f ::: a; echo "[$*] st=$?"; }
		{
		try --timeout 5x
		try --timeout -1
		try --timeout ""
		try --delay abc
		try --retry-delay 1q
		try --retry-max nan
		try --retries -1
		try --retries x
		try --retry-backoff 0.5
		try --retry-jitter 2
		try -n 0
		try -d ab
		try --status-array 1bad
		try --status-array "a b"
		try -a "bad-name"
		try --timeout
		} 2>&1'
	refute_line "ran"
	for c in "--timeout 5x" "--timeout -1" "--timeout " "--delay abc" \
	    "--retry-delay 1q" "--retry-max nan" "--retries -1" "--retries x" \
	    "--retry-backoff 0.5" "--retry-jitter 2" "-n 0" "-d ab" "--status-array 1bad" \
	    "--status-array a b" "-a bad-name" "--timeout"; do
		assert_line "[$c] st=2"
	done
	assert_line --partial "pool: 5x: invalid duration"
	assert_line --partial "1bad': not a valid identifier"
}

@test "pool: with no command each item is the command, as in GNU parallel (tests/pool_gnu.bats)" {
	run -0 psh 'pool -k ::: "echo a" "echo b"'
	assert_output $'a\nb'
	run -0 psh 'pool -j2 </dev/null; echo "st=$?"'
	assert_output 'st=0'
}

@test "pool: an unreadable :::: file is reported, returns 1 and starts nothing" {
	run -0 psh '
		f() { echo ran; }
		pool f ::: a :::: "$1/nope"; echo "st=$?"
		pool f :::: "$1/nope"; echo "st=$?"' "$BATS_TEST_TMPDIR"
	refute_line "ran"
	assert_line "st=1"
	assert_line --partial "nope: cannot read: No such file or directory"
	(( ${#lines[@]} == 4 )) || fail "unexpected output: $output"
}

@test "pool: --status-array with an invalid name is refused before anything runs" {
	run -0 psh '
		f() { : > "$BATS_TEST_TMPDIR/ran"; }
		pool --status-array "x[" f ::: a; echo "st=$?"
		readonly ro=1
		pool --status-array ro f ::: a; echo "ro st=$?"
		[ -e "$BATS_TEST_TMPDIR/ran" ] && echo "it ran"
		exit 0'
	assert_line "st=2"
	refute_line "it ran"
	refute_line "ro st=0"
}

@test "pool: a function job that runs a pipeline prints its output" {
	run -0 bg_bash 'h() { printf "%s\n" "$1" x | sort | head -1; }; pool -k h ::: b c; echo "st=$?"'
	assert_output $'b\nc\nst=0'
}
