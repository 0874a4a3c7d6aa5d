enable -f "$BGTOOLS_SO" pool
f() { if [ "$1" = big ]; then head -c 5000000 /dev/zero; else sleep "$2"; fi; }
pool --persist -j2 $2 f ::: big slow ::: "$1"
echo "went on" >&2
