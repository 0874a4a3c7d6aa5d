#!/usr/bin/env bats
# pool --results FILE.csv/.tsv/.json (and -.csv/-.tsv/-.json), --files,
# --tmpdir (issue 13).  Where Debian's `parallel' (20221122) or GNU
# parallel 20260522 in ../shared/peers agrees, the expected file comes
# from it: both run the same exported function and their records are
# compared byte for byte, Starttime and JobRuntime aside.

load test_helper
bats_require_minimum_version 1.5.0

PEER=$BATS_TEST_DIRNAME/../../shared/peers/gnu-parallel/parallel

# odd N: job N of the odd-data set (commas, quotes, empty output, tabs,
# newlines, no final newline, CR, a failure with stderr, NUL and 0xff).
odd() {
	case $1 in
	1) printf 'a,b\n' ;;
	2) printf 'say "hi"\n' ;;
	3) ;;
	4) printf 'tab\there\n' ;;
	5) printf 'two\nlines\n'; printf 'err, too\n' >&2 ;;
	6) printf 'no newline' ;;
	7) printf 'cr\r\n' ;;
	8) echo failed >&2; return 3 ;;
	9) printf 'nul\0byte \xff\n' ;;
	esac
}
export -f odd

# norm FILE: FILE with Starttime and JobRuntime replaced by T and R.
norm() {
	sed -E -e 's/^([0-9]+)([,\t]):[,\t][0-9.]+[,\t][0-9.]+([,\t])/\1\2:\2T\2R\3/' \
	    -e 's/"Starttime": [0-9.]+, "JobRuntime": [0-9.]+/"Starttime": T, "JobRuntime": R/' \
	    "$1"
}

# need_gnu: skip without Debian's parallel.
need_gnu() {
	command -v parallel >/dev/null || skip "GNU parallel is not installed"
}

# need_peer: skip without GNU parallel 20260522.
need_peer() {
	[ -x "$PEER" ] || skip "GNU parallel 20260522 is not in ../shared/peers"
}

# have_peer: whether GNU parallel 20260522 is there to compare with (a
# test that checks our own values first, then GNU's where it can).
have_peer() {
	[ -x "$PEER" ]
}

# same_file EXT PARALLEL: pool and PARALLEL write --results out.EXT for
# the odd-data set; the files (normalised) and statuses must match.
same_file() {
	local d=$BATS_TEST_TMPDIR st_mine=0 st_theirs=0
	psh 'pool -k --results "$1" odd ::: 1 2 3 4 5 6 7 8 9' "$d/p.$1" \
	    || st_mine=$?
	SHELL=/bin/bash "$2" -k --results "$d/g.$1" odd ::: 1 2 3 4 5 6 7 8 9 \
	    2>/dev/null || st_theirs=$?
	norm "$d/p.$1" > "$d/p.n"
	norm "$d/g.$1" > "$d/g.n"
	if ! cmp -s "$d/p.n" "$d/g.n" || [ "$st_mine" != "$st_theirs" ]; then
		echo "pool ($st_mine) / parallel ($st_theirs):" >&2
		diff -a "$d/p.n" "$d/g.n" >&2
		return 1
	fi
}

# --- the record formats ---------------------------------------------------

@test "pool --results F.csv: GNU parallel's header, columns and quoting" {
	run -1 psh 'pool -k --results "$1" odd ::: 1 2 3 8' "$BATS_TEST_TMPDIR/r.csv"
	assert_output ''
	run -0 norm "$BATS_TEST_TMPDIR/r.csv"
	assert_output - <<-'EOF'
	Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr
	1,:,T,R,0,4,0,0,"odd 1",1,"a,b
	",
	2,:,T,R,0,9,0,0,"odd 2",2,"say ""hi""
	",
	3,:,T,R,0,0,0,0,"odd 3",3,,
	4,:,T,R,0,0,3,0,"odd 8",8,,"failed
	"
	EOF
}

@test "pool --results F.csv: the same file as Debian's GNU parallel" {
	need_gnu
	same_file csv parallel
}

@test "pool --results F.tsv: the same file as Debian's GNU parallel" {
	need_gnu
	same_file tsv parallel
	run -0 head -n 1 "$BATS_TEST_TMPDIR/p.tsv"
	assert_output $'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\tV1\tStdout\tStderr'
}

@test "pool --results F.csv and F.tsv: the same files as GNU parallel 20260522" {
	need_peer
	same_file csv "$PEER"
	same_file tsv "$PEER"
}

@test "pool --results F.json: GNU parallel's record, one object a line" {
	need_gnu
	local d=$BATS_TEST_TMPDIR
	# 1-8: valid UTF-8 (9's 0xff is ours alone: see the next test).
	run -1 psh 'pool -k --results "$1" odd ::: 1 2 3 4 5 6 7 8' "$d/p.json"
	assert_output ''
	SHELL=/bin/bash parallel -k --results "$d/g.json" odd ::: 1 2 3 4 5 6 7 8 || :
	norm "$d/p.json" > "$d/p.n"
	norm "$d/g.json" > "$d/g.n"
	run -0 diff "$d/p.n" "$d/g.n"
	run -0 python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["Seq"], r["V"], repr(r["Stdout"]), repr(r["Stderr"]), r["Exitval"])' "$d/p.json"
	assert_line -n 1 "2 ['2'] 'say \"hi\"\\n' '' 0"
	assert_line -n 4 "5 ['5'] 'two\\nlines\\n' 'err, too\\n' 0"
	assert_line -n 6 "7 ['7'] 'cr\\r\\n' '' 0"
	assert_line -n 7 "8 ['8'] '' 'failed\\n' 3"
}

@test "pool --results F.json: NUL is \\u0000, bytes that are not UTF-8 are \\ufffd" {
	run -0 psh 'bin() { printf "a\0b\xff\xe2\x82\xac|\xe2\x82"; printf "\xc3\xa9\n" >&2; }
	    pool --results "$1" bin ::: 1' "$BATS_TEST_TMPDIR/b.json"
	run -0 grep -c . "$BATS_TEST_TMPDIR/b.json"
	assert_output 1
	run -0 grep -o '"Stdout": "[^"]*"' "$BATS_TEST_TMPDIR/b.json"
	assert_output '"Stdout": "a\u0000b\ufffd€|\ufffd\ufffd"'
	run -0 python3 -c 'import json, sys
r = json.loads(open(sys.argv[1], "rb").read())
print(ascii(r["Stdout"]), ascii(r["Stderr"]))' "$BATS_TEST_TMPDIR/b.json"
	assert_output "'a\\x00b\\ufffd\\u20ac|\\ufffd\\ufffd' '\\xe9\\n'"
}

@test "pool --results F.csv: NUL and 0xff are kept raw, the field quoted" {
	run -0 psh 'pool --results "$1" odd ::: 9' "$BATS_TEST_TMPDIR/b.csv"
	run -0 python3 -c 'import sys
data = open(sys.argv[1], "rb").read()
print(data.split(b"\n", 1)[1].endswith(b",\"nul\x00byte \xff\n\",\n"))' "$BATS_TEST_TMPDIR/b.csv"
	assert_output True
}

@test "pool --results -.json: the records on stdout, no job output at all" {
	run -0 --separate-stderr psh 'j() { echo "out $1"; echo "err $1" >&2; }
	    pool -k --tag --results -.json j ::: x y'
	assert_equal "$stderr" ''
	assert_equal "${#lines[@]}" 2
	assert_line -n 0 --regexp '^\{ "Seq": 1, "Host": ":", "Starttime": [0-9]+\.[0-9]{3}, "JobRuntime": [0-9]+\.[0-9]{3}, "Send": 0, "Receive": 6, "Exitval": 0, "Signal": 0, "Command": "j x", "V": \[ "x" \], "Stdout": "out x\\u000a", "Stderr": "err x\\u000a" \}$'
	assert_line -n 1 --partial '"Seq": 2,'
}

@test "pool --results -.csv and -.tsv: the header once, then the records" {
	run -0 psh 'pool -k --results -.csv echo ::: a b'
	assert_equal "${#lines[@]}" 5
	assert_line -n 0 'Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,V1,Stdout,Stderr'
	assert_line -n 1 --regexp '^1,:,[0-9.]+,[0-9.]+,0,2,0,0,"echo a",a,"a$'
	run -0 psh 'pool -k --results -.tsv echo ::: a b'
	assert_line -n 3 --regexp $'^2\t:\t[0-9.]+\t[0-9.]+\t0\t2\t0\t0\t"echo b"\tb\t"b$'
}

@test "pool --results F.csv --header: the columns take the header's names" {
	need_gnu
	local d=$BATS_TEST_TMPDIR
	printf 'name\tn\nx\t1\ny\t2\n' > "$d/in.tsv"
	run -0 psh 'pool -k --header : --colsep "\t" --results "$1" echo {name} {n} :::: "$2"' \
	    "$d/p.csv" "$d/in.tsv"
	parallel -k --header : --colsep '\t' --results "$d/g.csv" echo {name} {n} :::: "$d/in.tsv"
	run -0 head -n 1 "$d/p.csv"
	assert_output 'Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,name,n,Stdout,Stderr'
	# GNU parallel names column 1 after the input source (in.tsv): a
	# slip of its; the records are compared, not the header.
	norm "$d/p.csv" | tail -n +2 > "$d/p.n"
	norm "$d/g.csv" | tail -n +2 > "$d/g.n"
	run -0 diff "$d/p.n" "$d/g.n"
}

# --- exit values, timeouts, order -----------------------------------------

@test "pool --results: a job killed by a signal has Exitval 128+N and Signal N, as 20260522" {
	local d=$BATS_TEST_TMPDIR
	run -1 psh 'k() { kill -9 $BASHPID; }; export -f k
	    pool --results "$1" k ::: 1' "$d/p.csv"
	run -0 norm "$d/p.csv"
	assert_line -n 1 '1,:,T,R,0,0,137,9,"k 1",1,,'
	have_peer || return 0
	k() { kill -9 $BASHPID; }
	export -f k
	SHELL=/bin/bash "$PEER" --results "$d/g.csv" k ::: 1 2>/dev/null || :
	norm "$d/g.csv" > "$d/g.n"
	norm "$d/p.csv" > "$d/p.n"
	run -0 diff "$d/p.n" "$d/g.n"
}

@test "pool --results --timeout: a timed-out job has Exitval -1 and Signal 15, as 20260522" {
	local d=$BATS_TEST_TMPDIR
	mark 30.
	run -1 psh 'pool --timeout 0.3 --results "$1" sleep ::: "$2"' "$d/p.json" "$REPLY"
	run -0 grep -o '"Exitval": [-0-9]*, "Signal": [0-9]*' "$d/p.json"
	assert_output '"Exitval": -1, "Signal": 15'
	have_peer || { no_leftovers "$(pat "$REPLY")"; return 0; }
	"$PEER" --timeout 0.3 --results "$d/g.csv" sleep ::: "$REPLY" 2>/dev/null || :
	psh 'pool --timeout 0.3 --results "$1" sleep ::: "$2"' "$d/p.csv" "$REPLY" || :
	norm "$d/g.csv" > "$d/g.n"
	norm "$d/p.csv" > "$d/p.n"
	run -0 diff "$d/p.n" "$d/g.n"
	no_leftovers "$(pat "$REPLY")"
}

@test "pool --results -k: records in input order, the header first" {
	run -0 psh 's() { sleep "0.$((4 - $1))"; echo "$1"; }
	    pool -j 3 -k --results "$1" s ::: 1 2 3' "$BATS_TEST_TMPDIR/k.tsv"
	run -0 cut -f 1 "$BATS_TEST_TMPDIR/k.tsv"
	assert_output $'Seq\n1\n"\n2\n"\n3\n"'
}

@test "pool --results: without -k, each record is written as its job ends" {
	local d=$BATS_TEST_TMPDIR
	run -0 bgsh 'D=$1
	    slow() { await "$D/go"; echo slow; }
	    quick() { echo quick; }
	    pool -j 2 --results "$1/r.csv" {} ::: slow quick &
	    for ((i = 0; i < 500; i++)); do
		grep -q "^2,.*quick" "$1/r.csv" 2>/dev/null && break
		pause 0.02
	    done
	    grep -c "^[0-9]" "$1/r.csv"
	    touch "$1/go"
	    wait $!
	    grep -c "^[0-9]" "$1/r.csv"' "$d"
	assert_output $'1\n2'
}

@test "pool --results F.csv --joblog: the same jobs, statuses and sizes" {
	local d=$BATS_TEST_TMPDIR
	run -1 psh 'pool -k --joblog "$1" --results "$2" odd ::: 1 5 8' \
	    "$d/log" "$d/r.csv"
	run -0 python3 -c 'import csv, sys
log = {l.split("\t")[0]: l.split("\t")
       for l in open(sys.argv[1]).read().splitlines()}
res = list(csv.reader(open(sys.argv[2], newline="")))
print(len(log), len(res))
for b in res:
    a = log.get(b[0], [""] * 9)
    print(a[0] == b[0], a[2] == b[2], a[5:8] == b[5:8])' "$d/log" "$d/r.csv"
	# The joblog lists jobs as they end, the records (-k) in input order:
	# matched by Seq.
	assert_output $'4 4\nTrue True True\nTrue True True\nTrue True True\nTrue True True'
}

@test "pool --results F.csv: SIGKILL of the shell mid-run leaves whole records" {
	local d=$BATS_TEST_TMPDIR
	bash -c "$BG_LOAD"'j() { head -c 3000 /dev/zero | tr "\0" x; echo; }
	    pool -j 2 --results "$1" j ::: {1..100000}' _ "$d/r.csv" &
	local pid=$! i
	for ((i = 0; i < 500; i++)); do
		[ "$(grep -c '^[0-9]' "$d/r.csv" 2>/dev/null)" -gt 20 ] && break
		sleep 0.02
	done
	kill -KILL "$pid"
	wait "$pid" || :
	run -0 python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
ok = all(len(r) == 12 and r[10] == "x" * 3000 + "\n" for r in rows[1:])
print(len(rows) > 20, ok, open(sys.argv[1]).read().endswith(",\n"))' "$d/r.csv"
	assert_output 'True True True'
}

# --- shells, errors -------------------------------------------------------

@test "pool --results under set -euo pipefail: success goes on, a failure stops the script" {
	run -0 psh 'set -euo pipefail
	    pool --results "$1" true ::: 1 2
	    echo went on' "$BATS_TEST_TMPDIR/ok.csv"
	assert_output 'went on'
	# The status is the number of failed jobs, as GNU parallel.
	run -1 psh 'set -euo pipefail
	    f() { return "$1"; }
	    pool --results "$1" f ::: 0 3
	    echo not here' "$BATS_TEST_TMPDIR/bad.csv"
	assert_output ''
	run -0 grep -c '^[0-9]' "$BATS_TEST_TMPDIR/bad.csv"
	assert_output 2
}

@test "pool --results F.csv that cannot be written: an error, and no job runs" {
	local d=$BATS_TEST_TMPDIR
	run -1 psh 'pool --results "$1/no/such/r.csv" touch ::: "$1/ran"' "$d"
	assert_output --regexp 'pool: .*/no/such/r\.csv: cannot write the results: No such file or directory$'
	[ ! -e "$d/ran" ]
	mkdir "$d/dir.json"
	run -1 psh 'pool --results "$1/dir.json" touch ::: "$1/ran"' "$d"
	assert_output --partial 'dir.json: cannot write the results: Is a directory'
	[ ! -e "$d/ran" ]
}

@test "pool --results F.csv on a full disk: a warning and status 1" {
	ln -s /dev/full "$BATS_TEST_TMPDIR/full.csv"
	run -1 --separate-stderr psh 'pool --results "$1" echo ::: a' \
	    "$BATS_TEST_TMPDIR/full.csv"
	assert_output ''
	[[ $stderr == *"pool: warning: $BATS_TEST_TMPDIR/full.csv: No space left on device" ]]
}

@test "pool --results with an unknown extension makes a directory, as GNU parallel" {
	run -0 psh 'cd "$1" && pool --results out.txt echo ::: a'  "$BATS_TEST_TMPDIR"
	[ -d "$BATS_TEST_TMPDIR/out.txt" ]
	run -0 cat "$BATS_TEST_TMPDIR/out.txt/1/stdout"
	assert_output a
}

@test "pool --results F.csv, --files: refused with -u, --files also with --line-buffer" {
	run -2 psh 'pool -u --results x.csv echo ::: a'
	assert_output --partial 'not with -u'
	run -2 psh 'pool -u --files echo ::: a'
	assert_output --partial 'not with -u'
	run -2 psh 'pool --line-buffer --files echo ::: a'
	assert_output --partial 'not with --line-buffer'
	run -2 psh 'pool --files --results x.json echo ::: a'
	assert_output --partial 'choose one'
}

@test "pool --persist refuses --results F.csv and --files with a clear message" {
	run -2 psh 'pool --persist --results "$1" echo ::: a' "$BATS_TEST_TMPDIR/p.csv"
	assert_output --partial 'pool: --persist: --results is not supported yet; drop --persist'
	run -2 psh 'pool --persist --files echo ::: a'
	assert_output --partial 'pool: --persist: --files is not supported yet; drop --persist'
}

# --- --files, --tmpdir ----------------------------------------------------

@test "pool --files: each job's stdout in a file in --tmpdir, its name printed, stderr dropped" {
	local d=$BATS_TEST_TMPDIR/t
	mkdir "$d"
	run -0 --separate-stderr psh 'j() { echo "out $1"; echo "err $1" >&2; }
	    pool -k --files --tmpdir "$1" j ::: 1 2 3' "$d"
	assert_equal "${#lines[@]}" 3
	assert_equal "$stderr" ""
	local i=1 f
	for f in "${lines[@]}"; do
		[[ $f == "$d"/pool??????.par ]]
		[ "$(cat "$f")" = "out $i" ]
		i=$((i + 1))
	done
}

@test "pool --files: the same file contents as GNU parallel, empty output too" {
	need_gnu
	local d=$BATS_TEST_TMPDIR f mine theirs
	mkdir "$d/p" "$d/g"
	run -0 --separate-stderr psh 'pool -k --files --tmpdir "$1" odd ::: 1 2 3 5 6 9' "$d/p"
	mine=$output
	theirs=$(SHELL=/bin/bash parallel -k --files --tmpdir "$d/g" odd ::: 1 2 3 5 6 9 2>/dev/null)
	for f in $theirs; do cat "$f"; echo "|"; done > "$d/g.all"
	for f in $mine; do cat "$f"; echo "|"; done > "$d/p.all"
	cmp "$d/p.all" "$d/g.all"
	assert_equal "$(ls "$d/p" | wc -l)" 6
}

@test "pool --files --tag: the name is tagged, as GNU parallel" {
	run -0 psh 'pool -k --tag --files echo ::: a b'
	assert_line -n 0 --regexp $'^a\t/.*/pool......\.par$'
	assert_line -n 1 --regexp $'^b\t/.*/pool......\.par$'
	rm -f "${lines[0]#*$'\t'}" "${lines[1]#*$'\t'}"
}

@test "pool --tmpdir: the output spools are made there" {
	local d=$BATS_TEST_TMPDIR/spools
	mkdir "$d"
	run -0 psh 'j() { ls -l /proc/$$/fd/; }
	    pool --tmpdir "$1" j ::: 1' "$d"
	assert_output --partial "$d/"
	assert_output --partial '(deleted)'
}

@test "pool --tmpdir that cannot be used: an error before anything runs" {
	local d=$BATS_TEST_TMPDIR
	run -1 psh 'pool --tmpdir "$1/none" touch ::: "$1/ran"' "$d"
	assert_output --partial "$d/none: cannot use as --tmpdir: No such file or directory"
	: > "$d/file"
	run -1 psh 'pool --tmpdir "$1/file" touch ::: "$1/ran"' "$d"
	assert_output --partial "$d/file: cannot use as --tmpdir: Not a directory"
	[ ! -e "$d/ran" ]
}

@test "pool --tmpdir: the next pool call without it uses \$TMPDIR again" {
	local d=$BATS_TEST_TMPDIR
	mkdir "$d/a" "$d/b"
	run -0 psh 'pool --tmpdir "$1/a" --files echo ::: x >/dev/null
	    TMPDIR=$1/b pool --files echo ::: y' "$d"
	[[ $output == "$d/b/pool"* ]]
	assert_equal "$(ls "$d/a" | wc -l)" 1
}

@test "pool --results F.csv: a record that does not fit is cut off again, whole ones stay" {
	local d=$BATS_TEST_TMPDIR
	# 40 KiB a file: the header and two 15 KB records fit, a third not.
	run -1 --separate-stderr psh 'trap "" XFSZ; ulimit -f 40
	    j() { head -c 15000 /dev/zero | tr "\0" x; }
	    pool -j 1 --results "$1" j ::: 1 2 3 4' "$d/r.csv"
	[[ $stderr == *"pool: warning: $d/r.csv: File too large" ]]
	run -0 python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
print(len(rows), all(len(r) == 12 and r[10] == "x" * 15000 for r in rows[1:]))' "$d/r.csv"
	assert_output '3 True'
}

# --- GNU parallel 20260522 parity: --results DIR, --files, --tmpdir -------

@test "pool --results DIR: no job output printed, in any output mode, as GNU parallel" {
	local d=$BATS_TEST_TMPDIR m
	for m in --group -u --line-buffer -k; do
		run -0 --separate-stderr psh 'pool "$2" --results "$1/r$2" odd ::: 1 5' "$d" "$m"
		assert_equal "$output$stderr" ""
		assert_equal "$(cat "$d/r$m/2/stderr")" "err, too"
	done
	need_gnu
	run -0 --separate-stderr env SHELL=/bin/bash parallel --results "$d/g" odd ::: 1 5
	assert_equal "$output$stderr" ""
	have_peer || skip "GNU parallel 20260522 is not in ../shared/peers"
	run -0 --separate-stderr env SHELL=/bin/bash "$PEER" --results "$d/p" odd ::: 1 5
	assert_equal "$output$stderr" ""
}

@test "pool --results DIR --files: the name of each job's stdout file, as GNU parallel" {
	local d=$BATS_TEST_TMPDIR
	run -0 --separate-stderr psh 'pool -k --files --results "$1/r" odd ::: 1 5' "$d"
	assert_output "$d/r/1/stdout
$d/r/2/stdout"
	assert_equal "$stderr" ""
	assert_equal "$(cat "$d/r/2/stdout")" $'two\nlines'
	have_peer || skip "GNU parallel 20260522 is not in ../shared/peers"
	run -0 --separate-stderr env SHELL=/bin/bash "$PEER" -k --files --results "$d/p" odd ::: 1 5
	assert_output "$d/p/1/1/stdout
$d/p/1/5/stdout"
	assert_equal "$stderr" ""
}

@test "pool --files: stderr dropped, as GNU parallel" {
	run -0 --separate-stderr psh 'pool --files odd ::: 5; rm -f "$(pool --files odd ::: 5)"'
	assert_equal "$stderr" ""
	rm -f "${lines[0]}"
	need_gnu
	run -0 --separate-stderr env SHELL=/bin/bash parallel --files odd ::: 5
	assert_equal "$stderr" ""
	rm -f "$output"
}

@test "pool --tmpdir DIR: the jobs' TMPDIR, as GNU parallel; without it, theirs is the shell's" {
	local d=$BATS_TEST_TMPDIR/t
	mkdir "$d"
	run -0 psh 'f() { echo "fn $TMPDIR"; }; pool -k --tmpdir "$1" sh -c "echo \$TMPDIR" ::: a; pool --tmpdir "$1" f ::: a' "$d"
	assert_output "$d
fn $d"
	run -0 psh 'TMPDIR=$1 pool sh -c "echo \$TMPDIR" ::: a' "$BATS_TEST_TMPDIR"
	assert_output "$BATS_TEST_TMPDIR"
	need_gnu
	run -0 parallel --tmpdir "$d" 'echo $TMPDIR' ::: a
	assert_output "$d a"
}
