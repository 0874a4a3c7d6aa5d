#!/usr/bin/env bats
# Loading the library: entry points, exported symbols, refusing other bashes.

load test_helper
bats_require_minimum_version 1.5.0

@test "load: every builtin loads with enable -f and has help" {
	for b in $BGTOOLS_BUILTINS; do
		run help "$b"
		assert_success
		assert_output --partial "Exit Status:"
	done
}

# option_tables FILE: the source of FILE's option tables: FILE, and the
# shared entries of lib/attempt.h where FILE takes ATTEMPT_OPTDEFS.
option_tables() {
	cat "$1"
	if grep -q ATTEMPT_OPTDEFS "$1"; then
		cat "$BATS_TEST_DIRNAME/../lib/attempt.h"
	fi
}

@test "load: every option a builtin accepts, short and long, is in its help" {
	# The option tables in builtins/*.c are what the builtins accept;
	# help NAME is the reference: an option missing there is a lie.
	local f b o missing=
	for f in "$BATS_TEST_DIRNAME"/../builtins/*.c; do
		b=$(basename "$f" .c)
		run -0 bash -c 'enable -f "$1" "$2" && help "$2"' _ "$BGTOOLS_SO" "$b"
		for o in $(option_tables "$f" | grep -oE '^\s*\{ "[a-z0-9-]+", ' | grep -oE '[a-z0-9-]+'); do
			grep -qE -- "--$o\b" <<< "$output" || missing+=" $b --$o"
		done
		for o in $(option_tables "$f" | grep -oE "^\s*\{ (\"[a-z0-9-]+\"|NULL), '[a-zA-Z0-9]'" |
		    grep -oE "'.'" | tr -d "'"); do
			grep -qE -- "(^|[ ,(])-$o\b" <<< "$output" || missing+=" $b -$o"
		done
	done
	[ -z "$missing" ] || fail "accepted but not in help:$missing"
}

@test "load: no option pool accepts is in its table of refused GNU parallel options" {
	# pool/refuse.c is consulted before the option table: a name in both
	# would be refused although pool has it.
	local o bad=
	for o in $(option_tables "$BATS_TEST_DIRNAME/../builtins/pool.c" |
	    grep -oE '^\s*\{ "[a-z0-9-]+", ' | grep -oE '[a-z0-9-]+'); do
		run bash -c 'enable -f "$1" pool && pool "--$2" 2>&1' _ "$BGTOOLS_SO" "$o"
		[[ $output != *"not supported"* ]] || bad+=" --$o"
	done
	[ -z "$bad" ] || fail "accepted and refused:$bad"
}

# OPTIONS_LAYOUT: an awk program that reads `help NAME' and prints what
# breaks the one layout of the Options section, a line each.  The layout
# is that of what help prints (each line indented by four spaces, tab
# stops every 8 columns), as bash's `help read', with GNU's pairs:
#       -x, --long ARG   text     (or "-x ARG", or "--long ARG")
#                        text goes on at the same column, 24
# The text is reached by tabs, so that doc/mkman.sh can tell the option
# column from its text.  An option too long to leave two blanks before
# column 24 has its text on the next line, at the column.  The section
# is headed "Options:" and ends at the first empty line.
OPTIONS_LAYOUT='
function width(s,    i, col) {
	col = 0
	for (i = 1; i <= length(s); i++)
		col = substr(s, i, 1) == "\t" ? col - col % 8 + 8 : col + 1
	return col
}
function bad(why) { print NAME ": " why ": " $0; nbad++ }
/^    Options/ {
	if ($0 != "    Options:")
		bad("the heading is not \"Options:\"")
	nsect++; on = 1; opt = ""
	next
}
on && /^ *$/ {
	if (opt == "" || want)
		bad("the section ends without an option text")
	on = 0
	next
}
!on { next }
width($0) > 79 {
	bad("wider than 79 columns")
}
match($0, /^      (-[[:alnum:]], --[[:alnum:]][-[:alnum:]]*|-[[:alnum:]]|--[[:alnum:]][-[:alnum:]]*)( [A-Z][A-Z_]*)?/) {
	if (want)
		bad("the option before has no text")
	opt = substr($0, 1, RLENGTH)
	rest = substr($0, RLENGTH + 1)
	want = 0
	if (rest == "") {
		if (width(opt) <= 22)
			bad("its text belongs on the same line")
		want = 1
	} else if (rest !~ /^\t+[^ \t]/)
		bad("not tabs, then the text")
	else if (width(opt) > 22)
		bad("too long for the column: the text belongs on the next line")
	else {
		tabs = rest
		sub(/[^\t].*/, "", tabs)
		if (width(opt tabs) != 24)
			bad("the text is not at column 24")
	}
	next
}
/^    \t\t\t[^ \t]/ {
	if (opt == "")
		bad("a text line before any option")
	want = 0
	next
}
{ bad("neither an option line nor its text at column 24") }
END {
	if (nsect != 1)
		print NAME ": " nsect + 0 " Options sections, not 1"
}'

@test "load: every builtin's Options section has one layout: -x, --long ARG, then the text at column 24" {
	local b out= problems=
	for b in $BGTOOLS_BUILTINS; do
		run -0 bash -c 'enable -f "$1" "$2" && help "$2"' _ "$BGTOOLS_SO" "$b"
		out=$(awk -v NAME="$b" "$OPTIONS_LAYOUT" <<< "$output")
		problems+=${out:+$out$'\n'}
	done
	[ -z "$problems" ] || fail "$problems"
}

@test "load: each option's line in help names it as it is accepted: -x, --long together, or alone" {
	# From the option tables: { "long", 'x' } must be "-x, --long" at the
	# start of an option line, { NULL, 'x' } "-x" and { "long", OPT_... }
	# "--long".
	local f b e lng key want missing=
	for f in "$BATS_TEST_DIRNAME"/../builtins/*.c; do
		b=$(basename "$f" .c)
		run -0 bash -c 'enable -f "$1" "$2" && help "$2"' _ "$BGTOOLS_SO" "$b"
		while read -r lng key; do
			lng=${lng//\"/} key=${key//\'/}
			if [ "$lng" = NULL ]; then
				want="-$key"
			elif [ "${#key}" = 1 ]; then
				want="-$key, --$lng"
			else
				want="--$lng"
			fi
			grep -qE -- "^      $want( [A-Z]|	|\$)" <<< "$output" ||
			    missing+=" $b '$want'"
		done < <(option_tables "$f" |
		    grep -oE "^\s*\{ (\"[a-z0-9-]+\"|NULL), ('[a-zA-Z0-9]'|OPT_[A-Z_]+)" |
		    sed -E 's/^\s*\{ //; s/,//')
	done
	[ -z "$missing" ] || fail "no option line:$missing"
}

@test "load: only the builtins' entry points are exported" {
	run bash -c "nm -D --defined-only '$BGTOOLS_SO' | awk '{print \$3}' | grep -Ev '_(struct|builtin_load|builtin_unload)\$'"
	assert_output ""
}

@test "load: every undefined symbol is provided by bash or libc" {
	# LD_BIND_NOW: the dynamic linker resolves every symbol at enable -f.
	run env LD_BIND_NOW=1 bash -c "enable -f '$BGTOOLS_SO' waitany && echo loaded"
	assert_output "loaded"
}

# build_so OUT [CFILE...]: build bgtools.so from the sources, and CFILEs,
# against the headers pkg-config finds (make compat points it at the bash
# under test), into OUT; -isystem as in the Makefile, so that pool/subst.h
# is found before bash's own subst.h.
build_so() {
	local out=$1
	shift
	command -v gcc >/dev/null || skip "no gcc"
	(cd "$BATS_TEST_DIRNAME/.." &&
	    gcc -std=c11 -D_GNU_SOURCE -DSHELL -fPIC -fvisibility=hidden \
	    -shared -Wl,-z,nodelete \
	    $(pkg-config --cflags bash | sed 's/-I/-isystem /g') -Ilib -Ipool \
	    -o "$out" $(ls lib/*.c pool/*.c builtins/*.c | grep -v '^lib/load.c$') \
	    "$@")
}

@test "load: a .so that calls a function this bash lacks is refused at enable -f, and the shell goes on" {
	# What a .so built against the headers of a bash configured otherwise
	# (e.g. with bash's own malloc: sh_xmalloc) does.  Bound lazily, it
	# would load and end the shell at its first call.
	tmp=$BATS_TEST_TMPDIR
	cat > "$tmp/missing.c" <<-'EOF'
	extern void bgtools_no_such_function(void);
	__attribute__((visibility("hidden"))) void bg_calls_missing(void);
	void bg_calls_missing(void) { bgtools_no_such_function(); }
	EOF
	run -0 build_so "$tmp/missing.so" "$BATS_TEST_DIRNAME/../lib/load.c" \
	    "$tmp/missing.c"
	run bash -c "enable -f '$tmp/missing.so' waitany; echo \"status=\$?\"; type -t waitany"
	assert_line "status=1"
	assert_output --partial "waitany: this bash has no bgtools_no_such_function, which bgtools.so calls: not loaded"
	refute_output --partial "undefined symbol"
	refute_line "builtin"
}

@test "load: enable -f twice and enable -d then reload work" {
	run bg_bash '
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 3
		enable -d waitany timeout_run || exit 4
		enable -f "$BGTOOLS_SO" waitany timeout_run || exit 5
		timeout_run 1 true && echo ok'
	assert_success
	assert_line "ok"
}

@test "load: a .so built for another bash version refuses to load" {
	tmp=$BATS_TEST_TMPDIR
	sed 's/DISTVERSION/"4.0"/g' \
	    "$BATS_TEST_DIRNAME/../lib/load.c" > "$tmp/load.c"
	run -0 build_so "$tmp/old.so" "$tmp/load.c"
	run bash -c "enable -f '$tmp/old.so' waitany"
	assert_failure
	assert_output --partial "built for bash 4.0"
	assert_output --partial "not loaded"
}

@test "load: a bgtools.so built for another release of bash says so, not the dynamic linker" {
	# The real thing: the builds of make compat (bash 5.1 and 5.3, built
	# with bash's own malloc, so they call sh_xmalloc, which Debian's
	# bash lacks) and the default build (the system's bash, /bin/bash).
	local top=$BATS_TEST_DIRNAME/.. so v here n=0
	here=${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}
	for so in "$top"/build/compat-*/bgtools.so "$top/bgtools.so"; do
		[ -f "$so" ] || continue
		case $so in
		*/compat-*) v=${so##*/compat-}; v=${v%%/*}; v=${v%%-*} ;;
		*) v=$(/bin/bash -c 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"') ;;
		esac
		[ "$v" != "$here" ] || continue
		run bash -c "enable -f '$so' waitany pool; echo \"status=\$?\""
		assert_line "status=1"
		assert_output --partial "waitany: built for bash $v, this is bash $here: not loaded"
		assert_output --partial "pool: built for bash $v, this is bash $here: not loaded"
		refute_output --partial "undefined symbol"
		n=$((n + 1))
	done
	((n > 0)) || skip "no bgtools.so for another bash here (make compat builds them)"
}

# LOAD_SMOKE: a script that uses every builtin once and prints one line
# per builtin; LOAD_SMOKE_OUT: what it prints.
LOAD_SMOKE='
f() { return "$1"; }
(exit 3) & waitany $!; echo "waitany=$?"
(exit 4) & waitall $!; echo "waitall=$?"
timeout_run 5 f 5; echo "timeout_run=$?"
sleep 5 & killjobs -g 1 $!; echo "killjobs=$?"
pool --status-array st f ::: 0 6; echo "pool=$? ${st[*]}"
retry -q -n 2 -d 1ms f 7; echo "retry=$?"
every -n 2 --stop-on-failure 0.01 f 8; echo "every=$?"
onchange -i -t 0.1 / -- f 9; echo "onchange=$?"
(exit 0) & jobinfo -A J $! > /dev/null; echo "jobinfo=$? ${J[jobs]:+listed}"
detach -o /dev/null -v D true; echo "detach=$? ${D:+pid}"
'
LOAD_SMOKE_OUT='waitany=3
waitall=4
timeout_run=5
killjobs=0
pool=1 0 6
retry=7
every=8
onchange=124
jobinfo=0 listed
detach=0 pid'

@test "load: enable -f of builtins already loaded only warns, and each builtin stays there once and works" {
	run -0 bg_bash '
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS; echo "again=$?"
		enable -a | grep -cE "^enable ($(tr " " "|" <<< "$BGTOOLS_BUILTINS"))\$"
		'"$LOAD_SMOKE"
	assert_line "again=0"
	assert_line "$(wc -w <<< "$BGTOOLS_BUILTINS")"
	assert_output --partial "$LOAD_SMOKE_OUT"
	assert_output --partial "waitany: dynamic builtin already loaded"
}

@test "load: each builtin disabled with enable -d while idle is gone, then reloads and works" {
	run -0 bg_bash '
		for b in $BGTOOLS_BUILTINS; do
			enable -d "$b" || echo "enable -d $b failed"
			[ "$(type -t "$b")" = builtin ] && echo "$b still there"
			enable -f "$BGTOOLS_SO" "$b" || echo "reload $b failed"
		done
		'"$LOAD_SMOKE"
	assert_output "$LOAD_SMOKE_OUT"
}

@test "load: after disabling every builtin, loading the library again gives working builtins" {
	run -0 bg_bash '
		enable -d $BGTOOLS_BUILTINS || echo "enable -d failed"
		type -t waitany pool && echo "still there"
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || echo "reload failed"
		'"$LOAD_SMOKE"
	assert_output "$LOAD_SMOKE_OUT"
}

@test "load: builtins loaded after jobs started see those jobs, finished or not" {
	run -0 bash -c '
		(exit 3) & p=$!
		(sleep 0.3; exit 4) & q=$!
		sleep 0.1
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
		waitany "$p"; echo "finished=$?"
		waitall -a s; echo "waitall=$? ${s[*]}"'
	assert_output - <<-'EOF'
	finished=3
	waitall=4 4
	EOF
}

@test "load: enable -d pool while a --sem pool runs: the shell survives and, reloaded, pool --wait reports the jobs" {
	run -0 bgsh '
		f() { pause 0.4; echo "job $1"; return "$1"; }
		pool --sem -j2 --status-array st f 3; pool --sem f 4
		if enable -d pool; then
			[ "$(type -t pool)" = builtin ] && echo "pool still there"
			enable -f "$BGTOOLS_SO" pool || echo "reload failed"
		else
			echo "refused"
		fi
		pool --wait; echo "wait=$? ${st[*]}"
		echo "jobs=[$(jobs)]"'
	assert_line "job 3"
	assert_line "job 4"
	assert_line "wait=2 3 4"
	assert_line "jobs=[]"
	refute_output --partial "still there"
	refute_output --partial "failed"
}

@test "load: unloading the whole library while a --sem pool runs leaves its jobs waitable and nothing running" {
	mark 0.6
	run -0 bgsh '
		f() { sleep "$1"; return "$2"; }
		pool --sem -j2 f "$1" 5; pool --sem f "$1" 6
		pids=$(jobs -p)
		enable -d $BGTOOLS_BUILTINS && echo unloaded
		for p in $pids; do wait "$p"; echo "wait=$?"; done
		echo "jobs=[$(jobs)]"' "$REPLY"
	assert_line -n 0 "unloaded"
	assert_line "wait=5"
	assert_line "wait=6"
	assert_line "jobs=[]"
	no_leftovers "$(pat "$REPLY")"
}

@test "load: unloading and reloading the library while a --sem pool runs loses neither output nor statuses" {
	# Either enable -d refuses while a pool lives, or the pool outlives
	# the unload (the library stays mapped, e.g. linked -z nodelete).
	run -0 bgsh '
		spill=$BATS_TEST_TMPDIR/spill; mkdir -p "$spill"; export TMPDIR=$spill
		f() { pause 0.4; echo "job $1"; return "$1"; }
		pool --sem -j2 --status-array st f 3; pool --sem f 4
		enable -d $BGTOOLS_BUILTINS
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS
		pool --wait; echo "wait=$? ${st[*]}"
		echo "open spill files: $(ls -l /proc/$$/fd | grep -c "$spill")"'
	assert_line "job 3"
	assert_line "job 4"
	assert_line "wait=2 3 4"
	assert_line "open spill files: 0"
}

@test "load: a command that retry or every runs in the shell may unload the library without crashing it" {
	# retry and every run COMMAND in the shell: a function that disables
	# every builtin of the library unmaps the code retry is running.
	run bg_bash '
		u() { enable -d $BGTOOLS_BUILTINS; echo "unloaded=$?"; return 1; }
		retry -q -n 2 -d 1ms u; echo "retry=$?"'
	assert_success
	assert_line "unloaded=0"
	assert_line --regexp '^retry=[0-9]+$'
	run bg_bash '
		u() { enable -d $BGTOOLS_BUILTINS 2>/dev/null; return 0; }
		every -n 2 0.01 u; echo "every=$?"'
	assert_success
	assert_line --regexp '^every=[0-9]+$'
}

@test "load: an option's argument has the same name in the usage line and in the Options section" {
	# `help -s' shows [-x ARG]; the Options section "-x, --long ARG" or
	# "-x ARG": the same ARG (retry's usage said -T DEADLINE where its
	# options said DURATION).
	local b usage helptext opt arg want problems=
	for b in $BGTOOLS_BUILTINS; do
		usage=$(bash -c 'enable -f "$1" "$2" && help -s "$2"' _ "$BGTOOLS_SO" "$b")
		helptext=$(bash -c 'enable -f "$1" "$2" && help "$2"' _ "$BGTOOLS_SO" "$b")
		while read -r opt arg; do
			want=$(grep -E "^ +$opt(, --[-a-z]+)? [A-Z]" <<< "$helptext" | head -n 1)
			[[ $want =~ ^\ +$opt(,\ --[-a-z]+)?\ ([A-Z][A-Z_]*) ]] &&
			    [ "${BASH_REMATCH[2]}" = "$arg" ] ||
			    problems+="$b: usage has $opt $arg, Options: ${want:-nothing}"$'\n'
		done < <(grep -oE '\[-[a-zA-Z] [A-Z][A-Z_]*' <<< "$usage" | tr -d '[')
	done
	[ -z "$problems" ] || fail "$problems"
}
