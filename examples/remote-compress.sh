#!/bin/bash
# examples/remote-compress.sh - compress files on other machines: each
# file is sent to a host, compressed there, the result fetched back and
# both removed from the host (GNU parallel's --trc).
#
#	POOL_HOSTS=2/build1,2/build2 bash examples/remote-compress.sh
#	POOL_HOSTS=127.0.0.1 POOL_SSH='ssh -F my_config' bash examples/remote-compress.sh
#
# --trc {}.gz is --transferfile {} --return {}.gz --cleanup: rsync (or tar
# over the same ssh where rsync is missing) puts in/N.txt in a new
# directory below ~/.parallel/tmp on the host (--wd ...), gzip makes
# in/N.txt.gz next to it, which comes back to in/N.txt.gz here; then both
# go from the host, and the directory too.  -M keeps one ssh connection
# per host for all of it.  {host} says where each file was compressed.
#
# Without POOL_HOSTS it runs on this machine (`:'), where nothing needs
# to move, so it can be tried anywhere.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" pool || exit 1

hosts=${POOL_HOSTS:-:}
opts=(-k --trc {}.gz)
[ "$hosts" = : ] || opts+=(-M --wd ...)
[ -z "${POOL_SSH:-}" ] || opts+=(--ssh "$POOL_SSH")

dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cd "$dir" || exit 1
mkdir in
for i in 1 2 3 4 5 6; do
	seq "$i" 20000 > "in/$i.txt"
done

pool -S "$hosts" "${opts[@]}" --status-array st \
    sh -c 'gzip -c "$1" > "$1.gz" && echo "$1: compressed on $2"' _ {} '{host}' \
    ::: in/*.txt
status=$?

# Check: every file came back and holds what was sent.
bad=0
for f in in/*.txt; do
	[ "$(gzip -dc "$f.gz" 2> /dev/null | cksum)" = "$(cksum < "$f")" ] ||
	    { echo "$f.gz: missing or wrong" >&2; bad=1; }
done
echo "remote-compress: ${#st[@]} files, pool status $status"
[ "$status" = 0 ] && [ "$bad" = 0 ]
