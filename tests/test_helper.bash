# test_helper.bash - shared setup for the bgtools bats suite.
#
# Each test runs in a fresh bash: setup() loads the builtins there.
# Assertions about `jobs', bare `wait' or an empty job table belong in a
# child shell (bg_bash), since bats keeps its own jobs in the test shell.

bats_load_library bats-support
bats_load_library bats-assert

BGTOOLS_SO=${BGTOOLS_SO:-$BATS_TEST_DIRNAME/../bgtools.so}
BGTOOLS_BUILTINS="waitany waitall timeout_run killjobs pool retry every"
export BGTOOLS_SO BGTOOLS_BUILTINS

bg_enable() {
	enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS
}

setup() {
	bg_enable
}

# bg_bash SCRIPT [ARGS...]: run SCRIPT in a new non-interactive bash with
# the builtins loaded.  Use with `run'.
bg_bash() {
	local script=$1
	shift
	bash -c 'enable -f "$BGTOOLS_SO" $BGTOOLS_BUILTINS || exit 99
'"$script" bg_bash "$@"
}

# no_leftovers PATTERN: fail if a process whose command line matches
# PATTERN (a pgrep -f regex) is still alive (zombies do not count).
no_leftovers() {
	local pids p st
	pids=$(pgrep -f -- "$1") || return 0
	for p in $pids; do
		st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
		[ "$st" = Z ] && continue
		echo "left behind: $(tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null)" >&2
		return 1
	done
}

# elapsed_ms COMMAND...: run COMMAND, print its wall time in ms on fd 3.
now_ms() {
	local t=$EPOCHREALTIME
	echo $(( ${t%.*} * 1000 + 10#${t#*.} / 1000 ))
}
