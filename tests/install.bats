#!/usr/bin/env bats
# make install and uninstall into a DESTDIR: the library where enable -f
# finds it, the man pages where man finds them and as complete as help, the
# bash completion where bash-completion finds it, and nothing left after
# make uninstall.

load test_helper
bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# bg_make ARGS...: make in the source tree, for the variant under test
# (make test and make compat say which), without the make that runs the
# suite leaking its flags or job server into it.
bg_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -s -C "$TOP" VARIANT="${BGTOOLS_VARIANT-}" "$@"
}

# install_to PREFIX: make install into $D (a new DESTDIR) with PREFIX.
install_to() {
	D=$BATS_TEST_TMPDIR/root
	run -0 bg_make install DESTDIR="$D" PREFIX="$1"
}

# help_options_of NAME: the options that help NAME names in its Options
# section, one a line.
help_options_of() {
	help "$1" | sed -n '/^    Options/,/^    Exit Status:/p' |
	    grep -oE '(^|[[:space:],(`])--?[[:alnum:]][-[:alnum:]]*' |
	    sed 's/^[^-]*//' | sort -u
}

# column_options_of NAME: the options of the option column of help NAME
# (the "  -k, --kill-after DURATION" lines): what a user would type.
column_options_of() {
	help "$1" | sed -n '/^    Options/,/^    Exit Status:/p' |
	    awk '/^      -/ {
		sub(/^ +/, ""); sub(/\t.*/, "")
		n = split($0, item, /, /)
		for (i = 1; i <= n && item[i] ~ /^-/; i++) {
			split(item[i], w, / /); print w[1]
		}
	    }' | sort -u
}

# has_word TEXT WORD: succeed if WORD is in TEXT, not as part of a longer
# option (--retry in --retry-delay does not count).
has_word() {
	grep -qE -- "(^|[^-[:alnum:]])$2([^-[:alnum:]]|\$)" <<< "$1"
}

@test "install: with PREFIX=/usr, enable -f bgtools.so finds the library through BASH_LOADABLES_PATH" {
	install_to /usr
	assert [ -f "$D/usr/lib/bash/bgtools.so" ]
	run -0 env BASH_LOADABLES_PATH="$D/usr/lib/bash" bash -c '
		enable -f bgtools.so pool waitany || exit 9
		type -t pool waitany
		f() { return "$1"; }
		pool --status-array st f ::: 0 3; echo "pool=$? ${st[*]}"'
	assert_output - <<-'EOF'
	builtin
	builtin
	pool=1 0 3
	EOF
}

@test "install: PREFIX moves the library, the man pages and the completion; DESTDIR only prefixes them" {
	install_to /opt/bg
	assert [ -f "$D/opt/bg/lib/bash/bgtools.so" ]
	assert [ -f "$D/opt/bg/share/man/man1/bgtools.1" ]
	assert [ -f "$D/opt/bg/share/man/man1/pool.1bgtools" ]
	assert [ -f "$D/opt/bg/share/bash-completion/completions/bgtools" ]
	assert [ -L "$D/opt/bg/share/bash-completion/completions/pool" ]
	run -0 find "$D" -path "$D/opt" -prune -o -print
	assert_output "$D"
	run -0 env BASH_LOADABLES_PATH="$D/opt/bg/lib/bash" bash -c \
	    'enable -f bgtools.so waitany && type -t waitany'
	assert_output "builtin"
}

@test "install: bash 5.2 and later look in /usr/local/lib/bash and /usr/lib/bash by default; bash 5.1 has no default" {
	# What the README tells users: make install's default directories
	# need no BASH_LOADABLES_PATH from bash 5.2 on.  bash 5.3 sets the
	# variable at startup when it is unset (variables.c,
	# DEFAULT_LOADABLE_BUILTINS_PATH in config-top.h), and so does 5.2;
	# 5.1 leaves it unset, and enable -f NAME without a slash then
	# searches only dlopen's own path.
	run -0 env -u BASH_LOADABLES_PATH bash -c \
	    'echo "${BASH_LOADABLES_PATH-unset}"'
	if ((BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] < 2)); then
		assert_output "unset"
	else
		assert_output --regexp '(^|:)/usr/local/lib/bash(:|$)'
		assert_output --regexp '(^|:)/usr/lib/bash(:|$)'
	fi
}

@test "install: the man pages are where man looks, render, and list every option that help lists" {
	local b page text o
	install_to /usr
	command -v man > /dev/null || fail "man is not installed"
	run -0 env MANPATH="$D/usr/share/man" man -w bgtools
	assert_output "$D/usr/share/man/man1/bgtools.1"
	for b in $BGTOOLS_BUILTINS; do
		run -0 env MANPATH="$D/usr/share/man" man -w "$b"
		assert_output "$D/usr/share/man/man1/$b.1bgtools"
		run -0 env MANPATH="$D/usr/share/man" man -w 1bgtools "$b"
		assert_output "$D/usr/share/man/man1/$b.1bgtools"
	done
	for b in $BGTOOLS_BUILTINS; do
		page=$(LC_ALL=C MANWIDTH=200 man -l \
		    "$D/usr/share/man/man1/$b.1bgtools" 2>&1) ||
		    fail "man -l $b.1bgtools: $page"
		# the section of bgtools.1 for this builtin: from its heading
		# to the next one
		text=$(LC_ALL=C MANWIDTH=200 man -l "$D/usr/share/man/man1/bgtools.1" |
		    awk -v h="${b^^}" '$0 == h { on = 1; next } /^[A-Z]/ { on = 0 } on')
		[ -n "$text" ] || fail "bgtools.1 has no section ${b^^}"
		has_word "$page" "EXIT STATUS" || fail "$b: no EXIT STATUS"
		[ "$(help_options_of "$b" | wc -l)" -gt 1 ] ||
		    fail "help $b: no options found"
		for o in $(help_options_of "$b"); do
			has_word "$page" "$o" ||
			    fail "man $b does not list $o, which help $b lists"
			has_word "$text" "$o" ||
			    fail "man bgtools, section ${b^^}, does not list $o"
		done
	done
}

# complete_line LINE: print the completions bash-completion offers at the
# end of LINE (a trailing space starts a new word), one a line, in a bash
# with the builtins loaded and bash-completion loading the installed
# completion from $D the way it loads any: by command name, through
# XDG_DATA_DIRS.
complete_line() {
	bash -c '
		enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
		. /usr/share/bash-completion/bash_completion || exit 98
		compopt() { :; }	# only works from a real completion
		myfunc_xyz() { :; }
		read -ra COMP_WORDS <<< "$1"
		[[ $1 == *" " ]] && COMP_WORDS+=("")
		COMP_LINE=$1 COMP_POINT=${#1} COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		__load_completion "${COMP_WORDS[0]}" || exit 97
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 96
		fn=${spec#*-F } fn=${fn%% *}
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort -u' complete_line "$1"
}

@test "install: bash-completion finds the completion by builtin name and completes every option help lists, and only those" {
	local b o offered msg
	install_to /usr
	[ -f /usr/share/bash-completion/bash_completion ] ||
	    fail "bash-completion is not installed"
	export XDG_DATA_DIRS=$D/usr/share
	for b in $BGTOOLS_BUILTINS; do
		offered=$(complete_line "$b -") ||
		    fail "completing '$b -' failed: $offered"
		[ "$(column_options_of "$b" | wc -l)" -gt 1 ] ||
		    fail "help $b: no option lines found"
		for o in $(column_options_of "$b"); do
			grep -qxF -- "$o" <<< "$offered" ||
			    fail "'$b -<TAB>' does not offer $o: $offered"
		done
		for o in $offered; do
			msg=$( ("$b" "$o" < /dev/null > /dev/null) 2>&1 ) || true
			[[ $msg != *"$o: invalid option"* ]] ||
			    fail "'$b -<TAB>' offers $o, which $b refuses"
		done
	done
}

@test "install: the completion completes option arguments, the command operand and its arguments" {
	install_to /usr
	export XDG_DATA_DIRS=$D/usr/share
	mkdir "$BATS_TEST_TMPDIR/dir"
	: > "$BATS_TEST_TMPDIR/dir/joblog.txt"
	run -0 complete_line "pool --jo"
	assert_output "$(printf '%s\n' --joblog --jobs)"
	run -0 complete_line "pool --joblog $BATS_TEST_TMPDIR/dir/job"
	assert_output "$BATS_TEST_TMPDIR/dir/joblog.txt"
	run -0 complete_line "timeout_run -s TER"
	assert_output --regexp '^(SIG)?TERM$'
	run -0 complete_line "timeout_run -k 2s 5 myfunc_x"
	assert_output "myfunc_xyz"
	run -0 complete_line "retry -n 3 myfunc_x"
	assert_output "myfunc_xyz"
	run -0 complete_line "every -v 1 myfunc_x"
	assert_output "myfunc_xyz"
	run -0 complete_line "pool -j 4 myfunc_x"
	assert_output "myfunc_xyz"
	# after the command, its own completion: ls's options
	run -0 complete_line "retry -q ls --all"
	assert_line "--all"
	# the DURATION operand of timeout_run is not a command
	run -0 complete_line "timeout_run myfunc_x"
	assert_output ""
}

@test "install: make uninstall removes everything make install installed" {
	install_to /usr
	run -0 find "$D" -type f
	assert_line "$D/usr/lib/bash/bgtools.so"
	run -0 bg_make uninstall DESTDIR="$D" PREFIX=/usr
	run -0 find "$D" ! -type d
	assert_output ""
}
