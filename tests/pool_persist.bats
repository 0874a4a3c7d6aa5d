#!/usr/bin/env bats
# pool --persist: persistent workers that run item after item as function
# calls.  Each item keeps its own status, output, order and joblog line;
# exit, set -e, fatal errors and signals in an item end only its worker;
# signals to the shell stop everything; what is not supported is refused.
#
# Every script runs in a child bash (psh): bats keeps jobs of its own in
# the test shell.

load test_helper
bats_require_minimum_version 1.5.0

# --- status, order, output -------------------------------------------------

@test "pool --persist: each item's status lands in --status-array and failures count as in forking mode" {
	run -0 psh '
		f() { return $(( $1 % 4 )); }
		pool --persist -j2 --status-array a f ::: 1 2 3 4 5 6 7 8; ra=$?
		pool -j2 --status-array b f ::: 1 2 3 4 5 6 7 8; rb=$?
		echo "$ra ${a[*]}"
		echo "$rb ${b[*]}"'
	assert_output - <<-'EOF'
	6 1 2 3 0 1 2 3 0
	6 1 2 3 0 1 2 3 0
	EOF
}

@test "pool --persist: -k output of 3,000 items is byte for byte seq's" {
	run -0 psh '
		f() { echo "$1"; }
		pool --persist -j3 -k f ::: $(seq 3000) > "$1"
		seq 3000 | cmp - "$1" && echo same' "$BATS_TEST_TMPDIR/out"
	assert_output same
}

@test "pool --persist: grouped output keeps each item's lines together, stdout then stderr" {
	run -0 psh '
		f() { echo "a$1"; echo "e$1" >&2; sleep 0.0$(( $1 % 3 )); echo "b$1"; }
		pool --persist -j3 f ::: 1 2 3 4 5 6 2>&1 | paste -d" " - - - | sort'
	assert_output - <<-'EOF'
	a1 b1 e1
	a2 b2 e2
	a3 b3 e3
	a4 b4 e4
	a5 b5 e5
	a6 b6 e6
	EOF
}

@test "pool --persist: --tag and --tagstring prefix every line of an item" {
	run -0 psh '
		f() { printf "x%s\ny%s\n" "$1" "$1"; }
		pool --persist -j2 -k --tag f ::: p q
		pool --persist -j2 -k --tagstring "[{#}]" f ::: r'
	assert_output - <<-'EOF'
	p	xp
	p	yp
	q	xq
	q	yq
	[1]	xr
	[1]	yr
	EOF
}

@test "pool --persist: --joblog has a line per item with its seq, exit value and command" {
	run -0 psh '
		f() { echo "$1"; return $(( $1 == 3 ? 5 : 0 )); }
		pool --persist -j2 --joblog "$1" f ::: 1 2 3 > /dev/null
		echo "rc=$?"
		sed 1d "$1" | sort -n | cut -f1,6,7,8,9' "$BATS_TEST_TMPDIR/log"
	assert_output - <<-'EOF'
	rc=1
	1	2	0	0	f 1
	2	2	0	0	f 2
	3	2	5	0	f 3
	EOF
	run -0 head -n 1 "$BATS_TEST_TMPDIR/log"
	assert_output "Seq	Host	Starttime	JobRuntime	Send	Receive	Exitval	Signal	Command"
}

@test "pool --persist: POOL_* variables and replacement strings are per item" {
	run -0 psh '
		f() {
			echo "$* | $POOL_ITEM $POOL_SEQ $POOL_ATTEMPT $(( POOL_SLOT >= 1 && POOL_SLOT <= 2 ))"
			POOL_ITEM=junk POOL_SLOT=junk; unset POOL_ATTEMPT
		}
		pool --persist -j2 -k f {#} {.} ::: a.txt b.c
		pool --persist -j1 -k f ::: x ::: 1 2'
	assert_output - <<-'EOF'
	1 a | a.txt 1 1 1
	2 b | b.c 2 1 1
	x 1 | x 1 1 1 1
	x 2 | x 2 2 1 1
	EOF
}

@test "pool --persist: a reader that goes away ends the shell with SIGPIPE, as in forking mode" {
	run -0 psh '
		f() { echo "$1"; }
		pool --persist -j2 -k f ::: $(seq 100000) | head -n 1
		echo "st=${PIPESTATUS[0]}"
		trap "" PIPE
		pool --persist -j2 -k f ::: $(seq 100000) | head -n 1
		echo "st=${PIPESTATUS[0]}"'
	assert_line -n 0 1
	assert_line -n 1 st=141
	assert_line -n 2 1
	assert_line -n 3 --regexp "pool: write error: Broken pipe$"
	assert_line -n 4 st=1
}

@test "pool --persist: items from -a ARRAY and :::: FILE, a builtin and a disk command" {
	printf '%s\n' f1 f2 > "$BATS_TEST_TMPDIR/items"
	run -0 psh '
		arr=("a 1" b)
		pool --persist -j2 -k -a arr printf "<%s>\n"
		pool --persist -j2 -k /bin/echo :::: "$1"' "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	<a 1>
	<b>
	f1
	f2
	EOF
}

# --- items from stdin and :::: FILE, streamed ------------------------------

@test "pool --persist: stdin items are streamed: the first item runs before the producer ends (it waits for that item)" {
	mkfifo "$BATS_TEST_TMPDIR/ff"
	# Not streamed, this deadlocks: the producer waits for item 1.
	PSH_LIMIT=20 run -0 psh '
		f() { [ "$1" = first ] && echo go > "$2"; echo "item $1"; }
		{ echo first; read -r x < "$1"; echo "second:$x"; } |
		    pool --persist -j2 -k f {} "$1"
		echo "rc=$?"
		# The reader holds "third" and a part line: it publishes first.
		g() { [ "$1" = third ] && echo go > "$2"; echo "item $1"; }
		{ printf "x\nthird\npart"; read -r x < "$1"; echo "ial:$x"; } |
		    pool --persist -j2 -k g {} "$1"' "$BATS_TEST_TMPDIR/ff"
	assert_output - <<-'EOF'
	item first
	item second:go
	rc=0
	item x
	item third
	item partial:go
	EOF
}

@test "pool --persist: :::: FIFO is streamed too, and a lone :::: file" {
	mkfifo "$BATS_TEST_TMPDIR/ff" "$BATS_TEST_TMPDIR/items"
	PSH_LIMIT=20 run -0 psh '
		f() { [ "$1" = first ] && echo go > "$2"; echo "item $1"; }
		{ echo first; read -r x < "$1"; echo "second:$x"; } > "$2" &
		pool --persist -j2 -k f {} "$1" :::: "$2"
		echo "rc=$?"
		seq 3 > "$2.txt"
		pool --persist -j2 -k f {} "$1" :::: "$2.txt"' \
	    "$BATS_TEST_TMPDIR/ff" "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	item first
	item second:go
	rc=0
	item 1
	item 2
	item 3
	EOF
}

@test "pool --persist: stdin items keep per-item status, -k order, the joblog and {#} as ::: items do" {
	run -0 psh '
		f() { echo "$2:$POOL_SEQ:$1"; return $(( $1 % 4 )); }
		pool --persist -j2 -k --status-array a --joblog "$1" f {} {#} < <(seq 8)
		echo "rc=$? ${a[*]}"
		pool --persist -j2 --status-array b f {} {#} ::: $(seq 8) > /dev/null
		echo "rc=$? ${b[*]}"
		sed 1d "$1" | sort -n | cut -f1,7,9 | tr "\t" " "' "$BATS_TEST_TMPDIR/log"
	assert_output - <<-'EOF'
	1:1:1
	2:2:2
	3:3:3
	4:4:4
	5:5:5
	6:6:6
	7:7:7
	8:8:8
	rc=6 1 2 3 0 1 2 3 0
	rc=6 1 2 3 0 1 2 3 0
	1 1 f 1 1
	2 2 f 2 2
	3 3 f 3 3
	4 0 f 4 4
	5 1 f 5 5
	6 2 f 6 6
	7 3 f 7 7
	8 0 f 8 8
	EOF
}

@test "pool --persist: 30,000 stdin items from a pipe: -k output exact, every status right; empty stdin runs nothing" {
	run -0 psh '
		g() { echo "$1"; return $(( $1 % 5 )); }
		seq 30000 | pool --persist -j3 -k --status-array st g | cmp - <(seq 30000) && echo same
		pool --persist -j3 --status-array st g < <(seq 30000) > /dev/null
		echo "rc=$? n=${#st[@]}"
		bad=0
		for ((i = 0; i < 30000; i++)); do
			(( st[i] == (i + 1) % 5 )) || bad=$((bad + 1))
		done
		echo "bad=$bad"
		pool --persist -j2 --status-array st touch "$1/ran" < /dev/null
		echo "rc=$? n=${#st[@]}"; [ -e "$1/ran" ] || echo "none ran"' "$BATS_TEST_TMPDIR"
	assert_output - <<-'EOF'
	same
	rc=101 n=30000
	bad=0
	rc=0 n=0
	none ran
	EOF
}

@test "pool --persist: --halt now with an endless producer on stdin returns, stops the reader, nothing left" {
	mark 30.; local m=$REPLY
	PSH_LIMIT=20 run -0 psh '
		f() { (( $1 < 5 )); }
		yes 9 | nl | cut -f1 | pool --persist -j2 --halt now,fail=1 f
		echo "rc=$?"
		jobs' "$m"
	assert_output "rc=1"
	no_leftovers "$m"
}

@test "pool --persist: under set -euo pipefail a failing stdin item stops the script" {
	run -1 psh '
		set -euo pipefail
		f() { [ "$1" != 3 ]; }
		seq 5 | pool --persist -j2 f
		echo "not reached"'
	refute_output --partial "not reached"
	run -0 psh '
		set -euo pipefail
		f() { :; }
		seq 5 | pool --persist -j2 f
		echo ok'
	assert_output ok
}

@test "pool --persist: TERM while streaming from a producer that never ends kills the script; no worker, reader or item is left" {
	# The producer is the script's, not pool's: it becomes a sleep of its
	# own mark in a process substitution, which neither the script (as a
	# pipeline's first part) nor bats (bgsh's output files) waits for, so
	# the test goes on at once, while a worker or item left behind would
	# still be there.
	mark 30.; local m=$REPLY
	mark 40.; local producer=$REPLY
	run -143 bgsh '
		f() { sleep "$2"; }
		pool --persist -j2 f {} "$1" < <(seq 3; exec sleep "$2") &
		sleep 1
		kill -TERM $!
		wait $!' "$m" "$producer"
	sleep 0.5
	no_leftovers "$(pat "$m")"
	# Workers and the reader are forks of the script: its arguments.
	no_leftovers "$m"
}

@test "pool --persist: while the queue is long a worker claims runs of items; one killed mid-claim: the rest of its claim runs, each item once" {
	run -0 psh '
		f() {
			echo "$1 $POOL_SLOT" >> "$2"
			case $1 in
			300) exit 3 ;;
			900) kill -9 $BASHPID ;;
			1500) set -e; false ;;
			esac
		}
		pool --persist -j2 --status-array st f {} "$1" < <(seq 2000)
		echo "rc=$? ${st[299]} ${st[899]} ${st[1499]} n=${#st[@]}"
		cut -d" " -f1 "$1" | sort -n | uniq -c | awk "\$1 != 1" | wc -l
		cut -d" " -f1 "$1" | sort -n | uniq | wc -l
		# Slot changes along the items: about 1,000 if each claim were one.
		sort -n "$1" | awk "NR > 1 && \$2 != s { c++ } { s = \$2 } END { print (c < 200) ? \"runs\" : c }"' \
	    "$BATS_TEST_TMPDIR/ran"
	assert_output - <<-'EOF'
	rc=3 3 137 1 n=2000
	0
	2000
	runs
	EOF
}

# --- items that end their worker ------------------------------------------

@test "pool --persist: exit, set -e, a fatal error and kill -9 in items give their statuses; every item runs once" {
	run -0 psh '
		f() {
			echo "$1" >> "$2"
			echo "$BASHPID" >> "$3"
			case $1 in
			2) exit 7 ;;
			4) kill -9 "$BASHPID" ;;
			5) local x; : "${x:?boom}" ;;
			6) set -e; false; echo unreached ;;
			esac
		}
		pool --persist -j1 -k --status-array st f ::: 1 2 3 4 5 6 7 8 ::: "$1" ::: "$2" 2> /dev/null
		echo "rc=$? ${st[*]}"
		sort -n "$1" | tr "\n" " "; echo
		echo "workers $(sort -u "$2" | wc -l)"' "$BATS_TEST_TMPDIR/ran" "$BATS_TEST_TMPDIR/pids"
	assert_output - <<-'EOF'
	rc=4 0 7 0 137 1 1 0 0
	1 2 3 4 5 6 7 8 
	workers 5
	EOF
}

@test "pool --persist: return in a function and a failing item keep the same worker" {
	run -0 psh '
		f() { echo "$BASHPID" >> "$2"; return "$1"; }
		pool --persist -j1 --status-array st f ::: 0 3 0 9 ::: "$1"
		echo "rc=$? ${st[*]} workers $(sort -u "$1" | wc -l)"' "$BATS_TEST_TMPDIR/pids"
	assert_output "rc=2 0 3 0 9 workers 1"
}

@test "pool --persist: an item's EXIT trap runs at its end; cwd and umask come back; variables leak as documented" {
	run -0 psh '
		cd /tmp || exit
		f() {
			trap "echo trap $1" EXIT
			echo "$1 $PWD $(umask) ${seen:-unset}"
			cd /; umask 077; seen=$1
		}
		pool --persist -j1 -k f ::: a b
		echo "shell $PWD $(umask) ${seen:-unset}"'
	assert_output - <<-'EOF'
	a /tmp 0022 unset
	trap a
	b /tmp 0022 a
	trap b
	shell /tmp 0022 unset
	EOF
}

# --- the shell around it -------------------------------------------------

@test "pool --persist: under set -euo pipefail a clean pool returns 0 and a failing one stops the script" {
	run -1 psh '
		set -euo pipefail
		f() { local v=$1; [ "$v" != bad ]; }
		pool --persist -j2 f ::: a b
		echo "clean"
		pool --persist -j2 f ::: a bad
		echo unreached'
	assert_output clean
}

@test "pool --persist: each worker leads its own group; the job table is empty after, with no process left" {
	mark 30.; local m=$REPLY
	run -0 psh '
		f() {
			local me=$BASHPID
			sleep "$2" &
			[ "$(ps -o pgid= -p "$me" | tr -d " ")" = "$me" ] &&
			    [ "$(ps -o ppid= -p "$me" | tr -d " ")" = "$3" ] &&
			    echo "$1" >> "$4"
		}
		pool --persist -j2 f ::: 1 2 3 ::: "$1" ::: "$$" ::: "$2"
		echo "rc=$?"
		jobs
		sort "$2" | tr "\n" " "; echo end' "$m" "$BATS_TEST_TMPDIR/own"
	assert_output - <<-'EOF'
	rc=0
	1 2 3 end
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool --persist: 20,000 items: every status right, -k output exact" {
	run -0 psh '
		f() { return $(( $1 % 7 )); }
		g() { echo "$1"; }
		pool --persist -j2 --status-array st f ::: $(seq 20000)
		echo "rc=$? n=${#st[@]}"
		bad=0
		for ((i = 0; i < 20000; i++)); do
			(( st[i] == (i + 1) % 7 )) || bad=$((bad + 1))
		done
		echo "bad=$bad"
		pool --persist -j2 -k g ::: $(seq 20000) | cmp - <(seq 20000) && echo same'
	assert_output - <<-'EOF'
	rc=101 n=20000
	bad=0
	same
	EOF
}

# --- --timeout and --halt -------------------------------------------------

@test "pool --persist: 100,000 stdin items: the shell's peak memory grows by the status array's own, not by a slot per item" {
	# Under make asan, ASan's quarantine keeps freed memory (the status
	# array's is not reused: RSS says nothing about us there): 20,000
	# items and no memory bound.
	run -0 psh '
		n=100000 limit=4096
		[ -n "${ASAN_OPTIONS-}" ] && n=20000 limit=1000000000
		f() { :; }
		hwm() { local k v r; while read -r k v r; do [ "$k" = VmHWM: ] && REPLY=$v; done < /proc/$BASHPID/status; }
		seq "$n" > "$1"
		# The status array'"'"'s own memory, taken once and given back to malloc.
		for ((i = 0; i < n; i++)); do st[i]=0; done
		unset st
		hwm; h0=$REPLY
		pool --persist -j2 --status-array st f < "$1"
		echo "rc=$? all=$(( ${#st[@]} == n )) zeros=$(( $(printf "%s\n" "${st[@]}" | grep -c "^0$") == n ))"
		hwm; kb=$((REPLY - h0))
		# 88 bytes a slot would be 8,600 kB; what is taken in is given back.
		(( kb < limit )) && echo bounded || echo "grew $kb kB"' "$BATS_TEST_TMPDIR/items"
	assert_output - <<-'EOF'
	rc=0 all=1 zeros=1
	bounded
	EOF
}

@test "pool --persist: --timeout stops an item as forking mode does (--status-array 143, joblog -1 and 15); the rest run once, nothing left" {
	mark 30.; local m=$REPLY
	run -0 psh '
		f() {
			echo "$3" >> "$1"
			(( $3 % 5 )) || sleep "$2"
			return $(( $3 % 3 ))
		}
		for mode in --persist ""; do
			: > "$1"
			pool $mode -j2 --status-array st --joblog "$3.$mode" --timeout 0.5 f "$1" "$2" ::: $(seq 20)
			echo "rc=$? ${st[*]}"
			sort -n "$1" | uniq -c | awk "\$1 != 1 { print \"twice: \" \$2 }"
			wc -l < "$1"
			awk -F"\t" "NR > 1 && \$8 != 0 { print \$1, \$7, \$8 }" "$3.$mode" | sort -n | tr "\n" " "; echo
		done
		jobs' "$BATS_TEST_TMPDIR/ran" "$m" "$BATS_TEST_TMPDIR/log"
	assert_output - <<-'EOF'
	rc=15 1 2 0 1 143 0 1 2 0 143 2 0 1 2 143 1 2 0 1 143
	20
	5 -1 15 10 -1 15 15 -1 15 20 -1 15 
	rc=15 1 2 0 1 143 0 1 2 0 143 2 0 1 2 143 1 2 0 1 143
	20
	5 -1 15 10 -1 15 15 -1 15 20 -1 15 
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool --persist: --timeout on busy loops, a trapped TERM (KILL a second later) and -k output of the others" {
	run -0 psh '
		spin() { while :; do :; done; }
		deaf() { trap "" TERM; while :; do :; done; }
		f() { echo "out $1"; case $1 in 2) spin ;; 3) deaf ;; esac; }
		t0=$EPOCHREALTIME
		pool --persist -j2 -k --status-array st --timeout 0.2 f ::: 1 2 3 4 5
		echo "rc=$? ${st[*]}"
		t=$(( ${EPOCHREALTIME/./} - ${t0/./} ))
		(( t > 1000000 && t < 10000000 )) && echo "about a second: yes"
		jobs'
	assert_output - <<-'EOF'
	out 1
	out 2
	out 3
	out 4
	out 5
	rc=2 0 143 137 0 0
	about a second: yes
	EOF
}

@test "pool --persist: 100 items, half past --timeout: every status right, each runs once, rate within 3x of forking mode" {
	mark 30.; local m=$REPLY
	PSH_LIMIT=120 run -0 psh '
		f() { echo "$3" >> "$1"; (( $3 % 2 )) && sleep "$2"; return 4; }
		want=$(for ((i = 1; i <= 100; i++)); do (( i % 2 )) && printf "143 " || printf "4 "; done)
		: > "$1"
		t0=${EPOCHREALTIME/./}
		pool --persist -j2 --status-array st --timeout 0.2 f "$1" "$2" ::: $(seq 100)
		echo "rc=$?"
		tp=$(( ${EPOCHREALTIME/./} - t0 ))
		[ "${st[*]} " = "$want" ] && echo "statuses right"
		sort -n "$1" | uniq | wc -l; wc -l < "$1"
		# The forking mode, for the rate only (under load its own
		# statuses may vary: its fork counts in the 0.2 s).
		t0=${EPOCHREALTIME/./}
		pool -j2 --timeout 0.2 f "$3" "$2" ::: $(seq 100)
		tf=$(( ${EPOCHREALTIME/./} - t0 ))
		(( tp < 3 * tf )) && echo "rate ok" || echo "persist $tp us, forking $tf us"
		jobs' "$BATS_TEST_TMPDIR/ran" "$m" "$BATS_TEST_TMPDIR/ran.fork"
	assert_output - <<-'EOF'
	rc=100
	statuses right
	100
	100
	rate ok
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool --persist: --halt soon,fail=1 claims no item after the failing one; --status-array as in forking mode" {
	run -0 psh '
		f() { echo "$2" >> "$1"; return $(( $2 == 3 ? 5 : 0 )); }
		for mode in --persist ""; do
			: > "$1"
			pool $mode -j1 --status-array st --halt soon,fail=1 f "$1" ::: 1 2 3 4 5 6
			echo "rc=$? [${!st[*]}] [${st[*]}] ran $(tr "\n" " " < "$1")"
		done' "$BATS_TEST_TMPDIR/ran"
	assert_output - <<-'EOF'
	rc=5 [0 1 2] [0 0 5] ran 1 2 3 
	rc=5 [0 1 2] [0 0 5] ran 1 2 3 
	EOF
}

@test "pool --persist: --halt now stops the running items (143) and starts no more, with -k too; success=N and done=N% too" {
	mark 30.; local m=$REPLY
	run -0 psh '
		f() { [ "$2" = slow ] && sleep "$1"; return $(( $2 == fail ? 3 : 0 )); }
		for mode in --persist "--persist -k" "" -k; do
			pool $mode -j2 --status-array st --halt now,fail=1 f "$1" ::: slow fail ok ok
			echo "rc=$? [${!st[*]}] [${st[*]}]"
		done
		g() { return $(( $1 % 2 )); }
		pool --persist -j1 --status-array st --halt soon,success=2 g ::: 1 2 3 4 5 6
		echo "rc=$? [${st[*]}]"
		pool --persist -j1 --status-array st --halt soon,done=50% g ::: 1 2 3 4 5 6
		echo "rc=$? [${st[*]}]"
		jobs' "$m"
	assert_output - <<-'EOF'
	rc=3 [0 1] [143 3]
	rc=3 [0 1] [143 3]
	rc=3 [0 1] [143 3]
	rc=3 [0 1] [143 3]
	rc=0 [1 0 1 0]
	rc=2 [1 0 1]
	EOF
	no_leftovers "$(pat "$m")"
}

# --- --retries --------------------------------------------------------------

@test "pool --persist: --retries runs a failing item up to N times in all; --status-array, status, -k output and joblog as in forking mode" {
	run -0 psh '
		f() {
			echo "$1 $POOL_ATTEMPT" >> "$2"
			echo "out $1 $POOL_ATTEMPT"; echo "err $1 $POOL_ATTEMPT" >&2
			(( POOL_ATTEMPT >= $1 ))
		}
		for mode in --persist ""; do
			: > "$1.$mode"
			pool $mode -j2 -k --retries 3 --status-array st --joblog "$1.jl$mode" f {} "$1.$mode" ::: 1 2 3 4 5 2>&1
			echo "rc=$? ${st[*]}"
			cut -f1,7,8 "$1.jl$mode" | sort -n | tr "\t\n" ", "; echo
			sort "$1.$mode" | tr "\n" " "; echo
		done' "$BATS_TEST_TMPDIR/ran"
	assert_output - <<-'EOF'
	out 1 1
	err 1 1
	out 2 2
	err 2 2
	out 3 3
	err 3 3
	out 4 3
	err 4 3
	out 5 3
	err 5 3
	rc=2 0 0 0 1 1
	Seq,Exitval,Signal 1,0,0 2,0,0 3,0,0 4,1,0 5,1,0 
	1 1 2 1 2 2 3 1 3 2 3 3 4 1 4 2 4 3 5 1 5 2 5 3 
	out 1 1
	err 1 1
	out 2 2
	err 2 2
	out 3 3
	err 3 3
	out 4 3
	err 4 3
	out 5 3
	err 5 3
	rc=2 0 0 0 1 1
	Seq,Exitval,Signal 1,0,0 2,0,0 3,0,0 4,1,0 5,1,0 
	1 1 2 1 2 2 3 1 3 2 3 3 4 1 4 2 4 3 5 1 5 2 5 3 
	EOF
}

@test "pool --persist: --retries after exit, a signal and set -e in an item: a new worker runs it again, no other item runs twice" {
	run -0 psh '
		f() {
			echo "$1 $POOL_ATTEMPT" >> "$2"
			if (( POOL_ATTEMPT < 2 )); then
				case $(( $1 % 4 )) in
				1) exit 7 ;;
				2) kill -9 $BASHPID ;;
				3) set -e; false ;;
				esac
			fi
			echo "ok $1 $POOL_ATTEMPT"
		}
		for mode in --persist ""; do
			: > "$1"
			pool $mode -j2 -k --retries 2 --status-array st f {} "$1" ::: $(seq 12)
			echo "rc=$? ${st[*]}"
			sort -n "$1" | uniq -d | tr "\n" " "
			wc -l < "$1"
			pool $mode -j2 --retries 1 --status-array st f {} "$1" ::: 1 2 3 4 >/dev/null
			echo "once: rc=$? ${st[*]}"
		done
		jobs' "$BATS_TEST_TMPDIR/ran"
	assert_output - <<-'EOF'
	ok 1 2
	ok 2 2
	ok 3 2
	ok 4 1
	ok 5 2
	ok 6 2
	ok 7 2
	ok 8 1
	ok 9 2
	ok 10 2
	ok 11 2
	ok 12 1
	rc=0 0 0 0 0 0 0 0 0 0 0 0 0
	21
	once: rc=3 7 137 1 0
	ok 1 2
	ok 2 2
	ok 3 2
	ok 4 1
	ok 5 2
	ok 6 2
	ok 7 2
	ok 8 1
	ok 9 2
	ok 10 2
	ok 11 2
	ok 12 1
	rc=0 0 0 0 0 0 0 0 0 0 0 0 0
	21
	once: rc=3 7 137 1 0
	EOF
}

@test "pool --persist: --retries with --timeout retries a timed-out attempt, as forking mode; nothing left" {
	mark 30.; local m=$REPLY
	run -0 psh '
		f() {
			echo "$1 $POOL_ATTEMPT" >> "$2"
			echo "out $1 $POOL_ATTEMPT"
			(( POOL_ATTEMPT >= $1 )) || sleep "$3"
		}
		for mode in --persist ""; do
			: > "$1"
			pool $mode -j2 -k --retries 2 --timeout 0.3 --status-array st f {} "$1" "$2" ::: 1 2 3
			echo "rc=$? ${st[*]}"
			sort "$1" | tr "\n" " "; echo
		done
		jobs' "$BATS_TEST_TMPDIR/ran" "$m"
	assert_output - <<-'EOF'
	out 1 1
	out 2 2
	out 3 2
	rc=1 0 0 143
	1 1 2 1 2 2 3 1 3 2 
	out 1 1
	out 2 2
	out 3 2
	rc=1 0 0 143
	1 1 2 1 2 2 3 1 3 2 
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool --persist: --retry-delay waits between attempts, in the worker and in the one that replaces it; other items go on meanwhile" {
	run -0 psh '
		f() {
			echo "$1 $POOL_ATTEMPT ${EPOCHREALTIME/./}" >> "$2"
			case $1 in
			a) return 3 ;;
			b) exit 4 ;;
			esac
		}
		t0=$EPOCHREALTIME
		pool --persist -j2 --retries 3 --retry-delay 0.3 --retry-backoff 1 \
		    --retry-jitter none --status-array st f {} "$1" ::: a b c d
		echo "rc=$? ${st[*]} ms=$(ms_since "$t0")" > "$1.rc"
		cat "$1.rc"' "$BATS_TEST_TMPDIR/ran"
	assert_output --regexp "^rc=2 3 4 0 0 ms=[0-9]+\$"
	local ms=${output##*ms=}
	(( ms >= 600 && ms < 6000 )) || fail "took $ms ms"
	# Three attempts of a and of b, each at least 0.3 s after the last.
	run -0 awk '$1 == "a" || $1 == "b" { if (last[$1] && $3 - last[$1] < 290000) bad++; last[$1] = $3; n[$1]++ }
	    END { print n["a"], n["b"], bad + 0 }' "$BATS_TEST_TMPDIR/ran"
	assert_output "3 3 0"
	run -0 grep -c "^[cd] 1 " "$BATS_TEST_TMPDIR/ran"
	assert_output 2
}

@test "pool --persist: --retries with --halt: the failure that halts is a final one, nothing is retried after it, as forking mode" {
	run -0 psh '
		f() { echo "$1 $POOL_ATTEMPT"; (( POOL_ATTEMPT >= $1 )); }
		for mode in --persist ""; do
			pool $mode -j1 -k --retries 3 --halt now,fail=1 --status-array st f ::: 1 5 2 3
			echo "rc=$? ${st[*]}"
			pool $mode -j1 -k --retries 2 --halt soon,fail=1 --status-array st f ::: 2 3 1
			echo "rc=$? ${st[*]}"
		done'
	assert_output - <<-'EOF'
	1 1
	5 3
	rc=1 0 1
	2 2
	3 2
	rc=1 0 1
	1 1
	5 3
	rc=1 0 1
	2 2
	3 2
	rc=1 0 1
	EOF
}

# --- hostile items and callers -------------------------------------------------

@test "pool --persist: under ulimit -n 64, -j40 (80 spools) goes on with fewer workers, says so, and loses nothing" {
	run -0 --separate-stderr psh '
		f() { echo "$1"; }
		ulimit -n 64
		pool --persist -j40 -k --status-array st f ::: $(seq 500) > "$1"
		echo "rc=$? ${#st[@]}"
		for s in "${st[@]}"; do [ "$s" = 0 ] || echo "status $s"; done
		seq 500 | cmp - "$1" && echo same
		pool -j40 -k f ::: $(seq 500) | cmp - "$1" && echo "same as forking mode"' "$BATS_TEST_TMPDIR/out"
	assert_output - <<-'EOF'
	rc=0 500
	same
	same as forking mode
	EOF
	[[ $stderr =~ ^psh:\ line\ [0-9]+:\ pool:\ warning:\ --persist:\ cannot\ open\ spools\ for\ 40\ workers:\ Too\ many\ open\ files\;\ going\ on\ with\ [0-9]+$ ]] ||
		fail "stderr: $stderr"
}

@test "pool --persist: a nested pool, forking and --persist, runs inside an item with its own output and status" {
	run -0 psh '
		f() { echo "$1"; return $(( ${#1} - 2 )); }
		inner() {
			pool -j2 -k --status-array a f ::: "${1}a" "${1}bb"
			pool --persist -j2 -k --status-array b f ::: "${1}c" "${1}dd"
			echo "$1: ${a[*]} ${b[*]}"
			return "$1"
		}
		pool --persist -j2 -k --status-array st inner ::: 0 1 2
		echo "rc=$? ${st[*]}"
		jobs'
	assert_output - <<-'EOF'
	0a
	0bb
	0c
	0dd
	0: 0 1 0 1
	1a
	1bb
	1c
	1dd
	1: 0 1 0 1
	2a
	2bb
	2c
	2dd
	2: 0 1 0 1
	rc=2 0 1 2
	EOF
}

@test "pool --persist: what an item starts in the background is stopped at its end, as in forking mode: its later output lands nowhere, nothing left" {
	mark 30.; local m=$REPLY
	run -0 psh '
		f() {
			echo "start $1"
			case $1 in
			1) { sleep 0.3; echo "late from 1"; sleep "$2"; } & ;;
			2) ( sleep 0.3; echo "late from 2"; sleep "$2" & ) & ;;
			3) sleep "$2" & disown ;;
			*) sleep 0.2 ;;
			esac
			echo "end $1"
		}
		for mode in --persist ""; do
			t0=$SECONDS
			pool $mode -j1 -k --status-array st f {} "$1" ::: 1 2 3 4 5 6
			echo "rc=$? ${st[*]}"
			(( SECONDS - t0 < 20 )) && echo "did not wait for them"
		done
		sleep 0.5
		jobs' "$m"
	assert_output - <<-'EOF'
	start 1
	end 1
	start 2
	end 2
	start 3
	end 3
	start 4
	end 4
	start 5
	end 5
	start 6
	end 6
	rc=0 0 0 0 0 0 0
	did not wait for them
	start 1
	end 1
	start 2
	end 2
	start 3
	end 3
	start 4
	end 4
	start 5
	end 5
	start 6
	end 6
	rc=0 0 0 0 0 0 0
	did not wait for them
	EOF
	no_leftovers "$(pat "$m")"
}

@test "pool --persist: >>/dev/stdout and exec >>/dev/stdout in an item work as in forking mode (append-only spools)" {
	run -0 psh '
		f() {
			echo "a$1"
			[ "$1" = 2 ] && echo "dev$1" >> /dev/stdout
			[ "$1" = 3 ] && echo "err$1" >> /dev/stderr
			[ "$1" = 4 ] && exec >> /proc/self/fd/1
			echo "b$1"
		}
		for mode in --persist ""; do
			pool $mode -j2 -k --status-array st f ::: 1 2 3 4 5 6 7 2>&1 | tr "\n" " "
			echo "rc=${PIPESTATUS[0]}"
		done'
	assert_output - <<-'EOF'
	a1 b1 a2 dev2 b2 a3 b3 err3 a4 b4 a5 b5 a6 b6 a7 b7 rc=0
	a1 b1 a2 dev2 b2 a3 b3 err3 a4 b4 a5 b5 a6 b6 a7 b7 rc=0
	EOF
}

@test "pool --persist: >/dev/stdout in an item truncates its worker's spool: a warning names the item, as help pool says" {
	run -0 --separate-stderr psh '
		f() { echo "a$1"; [ "$1" = 3 ] && echo "dev$1" > /dev/stdout; echo "b$1"; }
		pool --persist -j1 -k --status-array st f ::: 1 2 3 4 5 > "$1"
		echo "rc=$? ${st[*]}"
		help pool | grep -c "truncates its worker.s spool"' "$BATS_TEST_TMPDIR/out"
	assert_output - <<-'EOF'
	rc=0 0 0 0 0 0
	1
	EOF
	[[ $stderr =~ ^psh:\ line\ [0-9]+:\ pool:\ warning:\ item\ 3\ truncated\ its\ output\ \(\`\>/dev/stdout\'\?\;\ use\ \`\>\>\'\):\ output\ may\ be\ lost$ ]] ||
		fail "stderr: $stderr"
}

@test "pool --persist: inside \$( ) and in a pipeline into while read" {
	run -0 psh '
		f() { echo "x$1"; }
		out=$(pool --persist -j2 -k f ::: 1 2 3); echo "[${out//$'\''\n'\''/ }] $?"
		pool --persist -j2 -k f ::: 4 5 6 | while read -r l; do echo "got $l"; done
		echo "rc=${PIPESTATUS[*]}"
		n=$(pool --persist -j2 f ::: $(seq 2000) | wc -l); echo "$n"
		jobs'
	assert_output - <<-'EOF'
	[x1 x2 x3] 0
	got x4
	got x5
	got x6
	rc=0 0
	2000
	EOF
}

@test "pool --persist: set -euo pipefail with -k: a failing item fails the pool, the script stops there; set -e acts inside items as in forking mode" {
	run -1 psh '
		set -euo pipefail
		f() { echo "a$1"; [ "$1" != 2 ]; echo "b$1"; }
		for mode in --persist ""; do
			rc=0; pool $mode -j2 -k --status-array st f ::: 1 2 3 || rc=$?
			echo "rc=$rc ${st[*]}"
		done
		pool --persist -j2 -k f ::: 1 2 3
		echo "not reached"'
	assert_output - <<-'EOF'
	a1
	b1
	a2
	a3
	b3
	rc=1 0 1 0
	a1
	b1
	a2
	a3
	b3
	rc=1 0 1 0
	a1
	b1
	a2
	a3
	b3
	EOF
}

@test "pool --persist: ( exit 3 ) and exit in \$( ) inside an item end only the subshell: the worker lives on" {
	run -0 psh '
		f() { ( exit 3 ); local a=$?; x=$(exit 4) || local b=$?; echo "$1 $a $b $BASHPID" >> "$2"; return "$a"; }
		pool --persist -j2 --status-array st f {} "$1" ::: $(seq 20)
		echo "rc=$? ${st[*]}"
		cut -d" " -f1-3 "$1" | sort -n | uniq | wc -l
		cut -d" " -f2,3 "$1" | sort -u
		cut -d" " -f4 "$1" | sort -u | wc -l' "$BATS_TEST_TMPDIR/ran"
	assert_output - <<-'EOF'
	rc=20 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3
	20
	3 4
	2
	EOF
}

# --- bad input ------------------------------------------------------------

@test "pool --persist: unsupported options are refused, nothing runs" {
	local o
	for o in "--delay 1" \
	    "--line-buffer" "--bar" "--dry-run" "--results $BATS_TEST_TMPDIR/r"; do
		run -2 psh 'pool --persist $1 touch "$2" ::: x' "$o" "$BATS_TEST_TMPDIR/ran"
		assert_output --regexp "^psh: line [0-9]+: pool: --persist: ${o%% *} is not supported yet; drop --persist\$"
	done
	for o in --color --ctag; do
		run -2 psh 'pool --persist $1 touch "$2" ::: x' "$o" "$BATS_TEST_TMPDIR/ran"
		assert_output --regexp "^psh: line [0-9]+: pool: --persist: --color or --ctag is not supported yet; drop --persist\$"
	done
	for o in --pipe --progress --eta "--progress-every 1s" "--timeout 50%"; do
		run -2 psh 'pool --persist $1 touch "$2" ::: x' "$o" "$BATS_TEST_TMPDIR/ran"
		assert_output --partial "not with"
		assert_output --partial "--persist"
	done
	run -2 psh 'pool --persist --sem touch "$1"' "$BATS_TEST_TMPDIR/ran"
	assert_output --partial "pool: --persist runs a batch: not with --sem, --wait or --status"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[ ! -e "$BATS_TEST_TMPDIR/r" ]
}

# --- signals --------------------------------------------------------------

# The victim (tests/pool_victim.bash) in its persist mode.
load pool_victim

@test "pool --persist: untrapped TERM kills the script and leaves no worker or grandchild" {
	signal_victim TERM persist "" 0
	(( VSTATUS == 143 )) || fail "status $VSTATUS; out: $(cat "$D/out")"
	grep -q continued "$D/out" && fail "the script went on"
	nothing_left
}

@test "pool --persist: trapped INT runs the trap once, pool returns 130, the table is clean, nothing left" {
	signal_victim INT persist INT 0
	(( VSTATUS == 0 )) || fail "status $VSTATUS; out: $(cat "$D/out")"
	run -0 cat "$D/out"
	assert_output - <<-'EOF'
	trap ran
	st=130
	continued
	EOF
	nothing_left
}

@test "pool --persist: interactive Ctrl-C gives the prompt back with \$? 130, no job and nothing running" {
	require_tmux
	start_shell
	mark 7.6; M=$REPLY
	run_line "f() { sleep $M & sleep $M; echo after; }"
	type_line 'pool --persist -j3 f ::: 1 2 3 4 5'
	wait_procs 6 "$(pat "$M")"
	sleep 0.3
	tm send-keys C-c
	wait_prompt
	run_line 'echo "st=$?"'
	wait_for '^st=130$'
	no_leftovers "$(pat "$M")"
	run_line 'jobs; echo "jobs end"'
	wait_for '^jobs end$'
	run -0 pane
	refute_line after
	run -0 bash -c 'printf "%s\n" "$1" | grep -A1 -F "bgt> jobs; echo" | tail -n 1' _ "$output"
	assert_output "jobs end"
}

@test "pool --persist: interactive, items typed on the terminal are read to their end (no reader job stopped by SIGTTIN)" {
	require_tmux
	start_shell
	run_line 'f() { echo "got:$1"; }'
	type_line 'pool --persist -j2 -k f; echo "st=$?"'
	sleep 0.5
	tm send-keys 'a' Enter 'b' Enter C-d
	wait_for '^st=0$'
	run -0 pane
	assert_line got:a
	assert_line got:b
	refute_output --partial Stopped
}

@test "pool --persist: TERM and INT end a script whose output pipe is full, in every output mode, nothing left" {
	mark 30.4; local m=$REPLY mode sig pid i t0 ms
	mark 10.3; local r=$REPLY
	cd "$BATS_TEST_TMPDIR"	# victim.sh and err: not in the work tree
	for mode in --group -k --tag; do
		for sig in TERM INT; do
			cat > victim.sh <<-'EOF'
				enable -f "$BGTOOLS_SO" pool
				f() { if [ "$1" = big ]; then head -c 5000000 /dev/zero; else sleep "$2"; fi; }
				pool --persist -j2 $2 f ::: big slow ::: "$1"
				echo "went on" >&2
			EOF
			env --default-signal bash victim.sh "$m" "$mode" 2> err | sleep "$r" &
			pid=
			for ((i = 0; i < 100; i++)); do
				pid=$(pgrep -o -f "bash victim.sh $m") && break
				sleep 0.05
			done
			[ -n "$pid" ] || fail "no victim"
			sleep 0.8
			t0=$(now_ms)
			kill -"$sig" "$pid"
			while alive "$pid" && (( $(elapsed_since "$t0") < 5000 )); do sleep 0.05; done
			ms=$(elapsed_since "$t0")
			alive "$pid" && fail "$mode $sig: still running ${ms}ms after it"
			(( ms < 3000 )) || fail "$mode $sig: took ${ms}ms"
			run cat err
			refute_output --partial "went on"
			no_leftovers "$(pat "$m")"
			pkill -f "$(pat "$r")" || true
		done
	done
}
