#!/usr/bin/env bats
# Loading the library: entry points, exported symbols, refusing other bashes.

load test_helper

@test "load: every builtin loads with enable -f and has help" {
	for b in $BGTOOLS_BUILTINS; do
		run help "$b"
		assert_success
		assert_output --partial "Exit Status:"
	done
}

@test "load: only the builtins' entry points are exported" {
	run bash -c "nm -D --defined-only '$BGTOOLS_SO' | awk '{print \$3}' | grep -Ev '_(struct|builtin_load|builtin_unload)\$'"
	assert_output ""
}

@test "load: every undefined symbol is provided by bash or libc" {
	# -z now makes a missing symbol fail at enable -f, not at first call.
	run bash -c "enable -f '$BGTOOLS_SO' waitany && echo loaded"
	assert_output "loaded"
	run bash -c "readelf -d '$BGTOOLS_SO' | grep -E 'BIND_NOW|NOW'"
	assert_success
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
	command -v gcc >/dev/null || skip "no gcc"
	tmp=$BATS_TEST_TMPDIR
	sed 's/DISTVERSION/"4.0"/g' \
	    "$BATS_TEST_DIRNAME/../lib/load.c" > "$tmp/load.c"
	cd "$BATS_TEST_DIRNAME/.."
	objs=$(ls lib/*.c builtins/*.c | grep -v '^lib/load.c$')
	run gcc -std=c11 -D_GNU_SOURCE -DSHELL -fPIC -fvisibility=hidden -shared \
	    $(pkg-config --cflags bash) -Ilib -o "$tmp/old.so" $objs "$tmp/load.c"
	assert_success
	run bash -c "enable -f '$tmp/old.so' waitany"
	assert_failure
	assert_output --partial "built for bash 4.0"
	assert_output --partial "not loaded"
}

@test "load: make install puts bgtools.so where BASH_LOADABLES_PATH finds it" {
	tmp=$BATS_TEST_TMPDIR/root
	run make -s -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$tmp" PREFIX=/opt/bg
	assert_success
	assert [ -f "$tmp/opt/bg/lib/bash/bgtools.so" ]
	run env BASH_LOADABLES_PATH="$tmp/opt/bg/lib/bash" bash -c \
	    'enable -f bgtools.so waitany && type -t waitany'
	assert_output "builtin"
	run make -s -C "$BATS_TEST_DIRNAME/.." uninstall DESTDIR="$tmp" PREFIX=/opt/bg
	assert [ ! -e "$tmp/opt/bg/lib/bash/bgtools.so" ]
}
