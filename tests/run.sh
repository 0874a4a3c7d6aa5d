#!/usr/bin/env bash
# run.sh - run the bats suite and close with a plain summary line:
#   bats: N passed, N failed, N skipped
# Usage: tests/run.sh [bats options] [files...]   (default: tests/)
set -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 0 ] && set -- "$here"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
bats --tap --timing --print-output-on-failure "$@" | tee "$log"
status=$?
passed=$(grep -cE '^ok [0-9]+ ' "$log" | tr -d ' ')
skipped=$(grep -cE '^ok [0-9]+ .*# skip' "$log" | tr -d ' ')
failed=$(grep -cE '^not ok [0-9]+ ' "$log" | tr -d ' ')
echo "bats: $((passed - skipped)) passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
