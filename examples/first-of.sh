#!/bin/bash
# examples/first-of.sh - ask several mirrors at once, keep the first good
# answer, stop the rest.
#
# The hand-written way:
#
#	for m in "${mirrors[@]}"; do fetch "$m" & done
#	wait -n; st=$?		# which mirror was it?  (-p needs bash 5.1)
#	kill $(jobs -p)		# and what if that one failed?
#
# `wait -n' does not say which job ended before bash 5.1, can lose a status
# when jobs end close together, returns 127 both for "no job left" and
# "the job exited 127", and has no time limit.
#
# With bgtools:
#
#	waitany -t 3 -p pid "${!mirror_of[@]}"	# status, and who it was
#	killjobs "${!mirror_of[@]}"		# stop the slower ones
#
# waitany reports every job exactly once; -p VAR is left unset when no
# job was reported (time limit, none left), so there is nothing to guess.

enable -f "${BGTOOLS_SO:-$(dirname "$0")/../bgtools.so}" waitany killjobs ||
    exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# fetch MIRROR SECONDS STATUS: a fake download that takes SECONDS and ends
# with STATUS, leaving the file in $tmp/MIRROR when it succeeds.
fetch() {
	sleep "$2"
	(($3 == 0)) && echo "index from $1" > "$tmp/$1"
	return "$3"
}

declare -A mirror_of	# pid -> mirror name, for the jobs still running
start=${EPOCHREALTIME/[^0-9]/}

# Job control gives each job a process group of its own, so killjobs stops
# a fetch together with what it started.
set -m
fetch slow.example.org 1.5 0 & mirror_of[$!]=slow.example.org
fetch broken.example.org 0.1 7 & mirror_of[$!]=broken.example.org
fetch fast.example.org 0.4 0 & mirror_of[$!]=fast.example.org
set +m

winner=
while ((${#mirror_of[@]})); do
	waitany -t 3 -p pid "${!mirror_of[@]}"
	st=$?
	if [ -z "${pid+set}" ]; then
		echo "no mirror answered within 3 s (status $st)"
		break
	fi
	name=${mirror_of[$pid]}
	unset "mirror_of[$pid]"
	echo "$name answered with status $st"
	if ((st == 0)); then
		winner=$name
		break
	fi
done

# The slower mirrors are no longer needed.
((${#mirror_of[@]})) && killjobs "${!mirror_of[@]}"
ms=$(((${EPOCHREALTIME/[^0-9]/} - start) / 1000))
echo "winner: ${winner:-none} after $ms ms"

# The check: the fast mirror won, the broken one was skipped, the slow one
# was stopped before it could write its file.
if [ "$winner" = fast.example.org ] &&
    [ "$(cat "$tmp/fast.example.org")" = "index from fast.example.org" ] &&
    [ ! -e "$tmp/slow.example.org" ]; then
	echo "ok: first good answer kept, the slow mirror was stopped"
else
	echo "FAILED: unexpected result" >&2
	exit 1
fi
