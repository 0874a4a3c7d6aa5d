#!/bin/bash
# examples/onchange-rebuild.sh - rebuild when sources change.
#
# The hand-written way:
#
#	inotifywait -m -r -e close_write,create,delete,move src |
#	while read -r dir event name; do
#		build "$dir$name"
#	done
#
# runs build once per event (an editor's save is 3 or 4 of them), in a
# subshell of the pipeline (what build sets is lost), loses nothing only
# while build is fast (events pile up in the pipe meanwhile and each gets
# a run of its own), needs inotify-tools, and Ctrl-C leaves it to the
# terminal to stop whatever build started.  With bgtools:
#
#	onchange -r src -- build
#
# waits until the changes are quiet (100 ms), runs build once with every
# changed path in ONCHANGE_PATHS (each once), queues what changes during
# a run into one more run, and stops build's whole tree on Ctrl-C.  build
# is a shell function of the script.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" onchange || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/lib"
log=$tmp/builds

# build: "compile" what changed; the first call (-i, no paths) says that
# the watches are in place.
build() {
	if ((${#ONCHANGE_PATHS[@]} == 0)); then
		: > "$tmp/ready"
		return
	fi
	echo "build ${#ONCHANGE_PATHS[@]}: ${ONCHANGE_PATHS[*]#"$tmp/"}" >> "$log"
	sleep 0.3	# a slow build: edits made meanwhile wait for the next
}

# An editor at work: save three files at once (one build), then two more
# while that build runs (queued: one more build), with temp files and
# renames as editors do.
edit() {
	while [ ! -e "$tmp/ready" ]; do sleep 0.01; done
	for f in a.c b.c lib/c.c; do
		echo "int x;" > "$tmp/src/$f.swp"
		mv "$tmp/src/$f.swp" "$tmp/src/$f"
	done
	sleep 0.2
	echo "int y;" > "$tmp/src/a.c"
	echo "int z;" > "$tmp/src/lib/d.c"
}
edit &

# Watch for 1.5 s, then stop (124: the time limit ended it).
onchange -r -x '*.swp' -i -t 1.5 "$tmp/src" -- build
st=$?
wait

cat "$log"
if [ "$st" = 124 ] && [ "$(wc -l < "$log")" = 2 ] &&
    grep -q '^build 3: src/a.c src/b.c src/lib/c.c$' "$log" &&
    grep -q '^build 2: src/a.c src/lib/d.c$' "$log"; then
	echo "ok: two builds for five saves, each path once, nothing lost"
else
	echo "FAILED: unexpected builds (onchange returned $st)" >&2
	exit 1
fi
