#!/usr/bin/env bats
# shellcheck.bats - the examples and the benchmarks pass shellcheck.
#
# Every examples/*.sh and bench/*.sh found when the suite runs is checked
# (bench/lib.sh too, on its own and as each benchmark sources it), with
# the settings in the top .shellcheckrc: a finding of any level fails the
# test and is printed.  A finding that is a false positive is silenced
# where it stands, with a `# shellcheck disable=SCnnnn # why' line, or,
# for a pattern the whole project uses, in .shellcheckrc with its reason.
#
# The test helpers (tests/*.bash) and the scripts in tests/fixtures are
# checked as bash (they have no #! line).  The child scripts still inside
# the .bats files' quoted strings are taken out by tests/inline-scripts.pl
# and checked too, with INLINE_EXCLUDE below.

load test_helper

TOP=$BATS_TEST_DIRNAME/..

setup() {
	command -v shellcheck > /dev/null ||
	    fail "shellcheck is not installed (make deps installs TEST_DEPS)"
}

# check FILE...: run shellcheck over the FILEs as the tests below do.
check() {
	run shellcheck --format=gcc --severity=style "$@"
}

# check_dir DIR MIN: check every DIR/*.sh, of which there are MIN or more.
check_dir() {
	local files=("$TOP/$1"/*.sh)
	((${#files[@]} >= $2)) || fail "${#files[@]} scripts in $1/"
	check "${files[@]}"
	assert_success
	assert_output ""
}

@test "examples/*.sh have no shellcheck findings" {
	check_dir examples 10
}

@test "bench/*.sh have no shellcheck findings" {
	check_dir bench 5
}

@test "tests/*.bash and tests/fixtures/*.bash (helpers, victims) have no shellcheck findings" {
	local files=("$TOP"/tests/*.bash "$TOP"/tests/fixtures/*.bash)
	((${#files[@]} >= 4)) || fail "${#files[@]} helper files in tests/"
	check --shell=bash "${files[@]}"
	assert_success
	assert_output ""
}

# What the short child scripts inside the tests do on purpose, beyond
# .shellcheckrc: split words (`set $2', a word list of builtins, a bad id
# to be refused), expand a trap's text when it is set, pipe sleeps into
# each other to make process trees, pass {} to pool, `echo done' (SC1010),
# read without -r, `ls | grep' on /proc/PID/fd, keep only stderr
# (`2>&1 >/dev/null'), bad lists with a trailing comma to be refused, and
# functions only pool or a trap calls (SC2317, SC2034).
INLINE_EXCLUDE=SC2086,SC2206,SC2046,SC2064,SC2216,SC1083,SC1010,SC2162,SC2010,SC2012,SC2002,SC2069,SC2258,SC2317,SC2034

@test "the child scripts written inline in tests/*.bats have no shellcheck findings" {
	local d=$BATS_TEST_TMPDIR/inline n
	mkdir "$d"
	cp "$TOP/.shellcheckrc" "$d/"	# found beside the files it checks
	perl "$TOP/tests/inline-scripts.pl" "$d" "$TOP"/tests/*.bats
	n=$(find "$d" -name '*.sh' | wc -l)
	((n >= 500)) || fail "only $n inline scripts found"
	check --shell=bash --exclude="$INLINE_EXCLUDE" "$d"/*.sh
	assert_success
	assert_output ""
}

@test "the check fails on a finding that .shellcheckrc does not disable" {
	# A copy of the project's settings beside a script with an unquoted
	# expansion (SC2086) and an unused variable (SC2034).
	cp "$TOP/.shellcheckrc" "$BATS_TEST_TMPDIR/"
	printf '#!/bin/bash\nunused=1\nrm $1\n' > "$BATS_TEST_TMPDIR/bad.sh"
	check "$BATS_TEST_TMPDIR/bad.sh"
	assert_failure
	assert_output --partial "[SC2086]"
	assert_output --partial "[SC2034]"
}

@test "the check follows bench/lib.sh from a benchmark that sources it" {
	# A parse error in lib.sh must fail the benchmarks that source it,
	# not only lib.sh itself: .shellcheckrc's source-path at work.
	mkdir "$BATS_TEST_TMPDIR/bench"
	cp "$TOP/.shellcheckrc" "$BATS_TEST_TMPDIR/"
	printf '# shellcheck shell=bash\nf() {\n\t[ "$1" "$2" "$3" ]\n}\n' \
	    > "$BATS_TEST_TMPDIR/bench/lib.sh"
	printf '#!/bin/bash\n. "$(dirname "$0")/lib.sh"\nf 1 -lt 2\n' \
	    > "$BATS_TEST_TMPDIR/bench/b.sh"
	check "$BATS_TEST_TMPDIR/bench/b.sh"
	assert_failure
	assert_output --partial "b.sh:2:"
}
