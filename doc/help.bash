# help.bash - what doc/mkman.sh and doc/mkcompletion.sh read of `help NAME'.
#
# Sourced by them, in the bash that bgtools.so is built for: the text
# comes from the builtins themselves, so the man pages and the completion
# say what `help NAME' says.

# help_load SO NAME...: load the builtins NAME... from SO into this shell,
# or exit 1.
help_load() {
	local so=$1
	shift
	[[ $so == */* ]] || so=./$so
	enable -f "$so" "$@" || { echo "$0: cannot load $* from $so" >&2; exit 1; }
}

# help_synopsis NAME: print NAME's usage line (`help -s' without "NAME: ").
help_synopsis() {
	local s
	s=$(help -s "$1") || return
	printf '%s\n' "${s#"$1: "}"
}

# help_text NAME: print NAME's long help as written in its source: the
# lines after the usage line, without the four spaces help indents them
# with.  The first line is the one-line description.
help_text() {
	local line first=1
	help "$1" | while IFS= read -r line; do
		if [ -n "$first" ]; then
			first=
			continue
		fi
		printf '%s\n' "${line#    }"
	done
}

# help_options NAME: print each option that NAME's help text mentions in
# its Options section (from the Options heading up to Exit Status), once,
# in order: -x and --long-name words.
help_options() {
	help_text "$1" | awk '
		/^Options/ { on = 1; next }
		/^Exit Status:/ { on = 0 }
		on {
			s = $0
			while (match(s, /(^|[[:space:],(`])--?[[:alnum:]][-[:alnum:]]*/)) {
				o = substr(s, RSTART, RLENGTH)
				sub(/^[^-]*/, "", o)
				s = substr(s, RSTART + RLENGTH)
				if (!(o in seen)) { seen[o] = 1; print o }
			}
		}'
}
