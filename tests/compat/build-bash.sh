#!/usr/bin/env bash
# build-bash.sh - build one bash release from Debian's source package, for
# `make compat'.
# Usage: tests/compat/build-bash.sh VERSION SUITE MIRROR BUILD
#   e.g. tests/compat/build-bash.sh 5.1 bullseye http://deb.debian.org/debian build
#
# Fetches the bash source package of Debian SUITE whose upstream version is
# VERSION, with Debian's patches applied (`apt-get source'), and builds it
# with bash's own default configuration (so with bash's malloc, unlike
# Debian's packages) into BUILD/bash-VERSION/: bin/bash, and bash's
# headers and bash.pc as `make install-headers' installs them (what
# Debian's bash-builtins holds), so that `pkg-config bash' finds them with
# PKG_CONFIG_PATH=BUILD/bash-VERSION/lib/pkgconfig.  Ends by creating
# BUILD/bash-VERSION/.built.
#
# apt runs with a sources list, lists, cache and archives of its own under
# BUILD/apt/SUITE/: the machine's apt setup is neither read nor changed,
# and nothing is installed.  What an earlier run left (the unpacked
# source, a configured or half-built tree) is reused.
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: $0 VERSION SUITE MIRROR BUILD" >&2; exit 2; }
version=$1 suite=$2 mirror=$3 build=$(mkdir -p "$4" && cd "$4" && pwd)
apt=$build/apt/$suite
src=$build/bash-src/$version
root=$build/bash-$version
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "build-bash $version: $*"; }

# apt_private CMD ARGS...: apt-get or apt-cache CMD with the private setup.
apt_private() {
	"$@" -o Dir::Etc::sourcelist="$apt/sources.list" \
	    -o Dir::Etc::sourceparts="$apt/sources.list.d" \
	    -o Dir::State::Lists="$apt/lists" \
	    -o Dir::Cache="$apt/cache" \
	    -o APT::Sandbox::User=root
}

# fetch: unpack the source package into $src/bash-$version.
fetch() {
	local pkgver

	mkdir -p "$apt/sources.list.d" "$apt/lists/partial" \
	    "$apt/cache/archives/partial" "$src"
	echo "deb-src [signed-by=$keyring] $mirror $suite main" \
	    > "$apt/sources.list"
	say "apt-get update ($mirror $suite, deb-src)"
	apt_private apt-get -q update > "$apt/update.log" 2>&1 ||
	    { cat "$apt/update.log" >&2; exit 1; }
	# apt-cache madison: "bash | 5.1-2+deb11u1 | URL SUITE/main Sources"
	pkgver=$(apt_private apt-cache madison bash |
	    awk -F' *[|] *' '$3 ~ /Sources/ { print $2 }' |
	    grep -E "^([0-9]+:)?$version[-.]" | head -n 1) || true
	[ -n "$pkgver" ] ||
	    { say "no bash $version source package in $suite" >&2; exit 1; }
	say "apt-get source bash=$pkgver"
	rm -rf "$src/bash-$version"
	(cd "$src" && apt_private apt-get -q source "bash=$pkgver") \
	    > "$src/source.log" 2>&1 ||
	    { cat "$src/source.log" >&2; exit 1; }
	[ -x "$src/bash-$version/configure" ] ||
	    { say "apt-get source left no bash-$version/configure" >&2; exit 1; }
}

# compile: configure (once) and build bash in $src/obj.
compile() {
	local jobs=()

	mkdir -p "$src/obj"
	if [ ! -f "$src/obj/Makefile" ]; then
		say "configure --prefix=$root"
		(cd "$src/obj" && "../bash-$version/configure" --prefix="$root") \
		    > "$src/configure.log" 2>&1 ||
		    { tail -n 30 "$src/configure.log" >&2; exit 1; }
	fi
	# Under make -jN, join its job server; alone, use every core.
	case " ${MAKEFLAGS:-}" in
	*jobserver*) ;;
	*) jobs=(-j"$(nproc)") ;;
	esac
	say "make"
	make -C "$src/obj" "${jobs[@]}" > "$src/make.log" 2>&1 ||
	    { tail -n 30 "$src/make.log" >&2; exit 1; }
}

# install: bin/bash, the headers and bash.pc under $root.
install_bash() {
	rm -rf "$root"
	mkdir -p "$root/bin"
	install -m 755 "$src/obj/bash" "$root/bin/bash"
	make -C "$src/obj" install-headers > "$src/install.log" 2>&1 ||
	    { tail -n 30 "$src/install.log" >&2; exit 1; }
	PKG_CONFIG_PATH=$root/lib/pkgconfig pkg-config --exists bash ||
	    { say "no usable bash.pc in $root/lib/pkgconfig" >&2; exit 1; }
}

[ -x "$src/bash-$version/configure" ] || fetch
compile
install_bash
touch "$root/.built"
say "$("$root/bin/bash" -c 'echo "$BASH_VERSION"') in $root"
