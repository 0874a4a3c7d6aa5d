#!/bin/bash
# examples/build-matrix.sh - build every OS x ARCH combination, a few at a
# time, and collect each one's status.
#
# The hand-written way:
#
#	declare -A pid_of status_of
#	for os in linux windows darwin; do
#		for arch in amd64 arm64; do
#			build "$os" "$arch" > "logs/$os-$arch" 2>&1 &
#			pid_of[$os/$arch]=$!
#		done
#	done
#	for t in "${!pid_of[@]}"; do
#		wait "${pid_of[$t]}"; status_of[$t]=$?
#	done
#
# starts all of them at once (or needs a counter and `wait -n' to limit
# them), interleaves their output unless each goes to its own file, and
# stopping early after the first failure means killing by hand.
#
# With bgtools:
#
#	pool -j3 --tagstring '{1}/{2}' --status-array status \
#	    build ::: linux windows darwin ::: amd64 arm64
#
# runs build OS ARCH for each combination, 3 at a time; each job's output
# is printed whole when it ends, each line prefixed with "OS/ARCH<TAB>";
# status[i] holds job i's exit status, in the order of the combinations
# (the last ::: group varies fastest); pool returns the number of jobs
# that failed.  --halt soon,fail=1 starts no new build after a failure
# and returns the failed build's status.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" pool || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

oses=(linux windows darwin)
arches=(amd64 arm64)

# build OS ARCH: a fake build.  It takes 0.4 s and leaves an artifact,
# except for windows/arm64, which fails at link time (status 3) after
# 0.05 s.
build() {
	echo "compiling for $1/$2"
	if [ "$1/$2" = windows/arm64 ]; then
		sleep 0.05
		echo "ld: undefined symbol: __chkstk_arm64" >&2
		return 3
	fi
	sleep 0.4
	touch "$tmp/app-$1-$2"
	echo "built app-$1-$2"
}

# combo I: print the OS/ARCH of job I (0-based), in pool's order.
combo() {
	echo "${oses[$1 / ${#arches[@]}]}/${arches[$1 % ${#arches[@]}]}"
}

# 1. The whole matrix, 3 builds at a time; each build's output is tagged.
echo "== every combination, -j3"
pool -j3 --tagstring '{1}/{2}' --status-array status build ::: "${oses[@]}" ::: \
    "${arches[@]}" > "$tmp/out" 2>&1
st1=$?
cat "$tmp/out"
failed=()
for i in "${!status[@]}"; do
	echo "  $(combo "$i"): status ${status[i]}"
	((status[i] == 0)) || failed+=("$(combo "$i")")
done
echo "pool returned $st1; failed: ${failed[*]:-none}"

# 2. Fail fast: 2 at a time, start no new build once one has failed.  The
# build running next to the failed one is left to finish.
echo "== fail fast, -j2 --halt soon,fail=1"
pool -j2 --halt soon,fail=1 --tagstring '{1}/{2}' --status-array status2 \
    build ::: "${oses[@]}" ::: "${arches[@]}" > "$tmp/out2" 2>&1
st2=$?
cat "$tmp/out2"
echo "pool returned $st2; builds run: ${#status2[@]} of" \
    "$((${#oses[@]} * ${#arches[@]}))"

# Check: in 1, only windows/arm64 failed, with status 3, the five others
# left their artifact, and the output was tagged.  In 2, pool returned the
# failed build's status and never started the darwin builds.
ok=1
[ "$st1" = 1 ] && [ "${failed[*]}" = windows/arm64 ] &&
    [ "${status[3]}" = 3 ] && ((${#status[@]} == 6)) || ok=
for os in "${oses[@]}"; do
	for arch in "${arches[@]}"; do
		[ "$os/$arch" = windows/arm64 ] && continue
		[ -e "$tmp/app-$os-$arch" ] || ok=
		grep -qx "$os/$arch	built app-$os-$arch" "$tmp/out" || ok=
	done
done
grep -qx 'windows/arm64	ld: undefined symbol: __chkstk_arm64' "$tmp/out" ||
    ok=
[ "$st2" = 3 ] && ((${#status2[@]} == 4)) && [ "${status2[3]}" = 3 ] &&
    ! grep -q '^darwin/' "$tmp/out2" || ok=
if [ -n "$ok" ]; then
	echo "ok: windows/arm64 failed (status 3), the other builds succeeded"
else
	echo "FAILED: unexpected result" >&2
	exit 1
fi
