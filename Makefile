# bgtools: one loadable builtin library for bash.
#
#   make            build bgtools.so against bash's headers (pkg-config bash)
#   make demo       build and run examples/demo.sh
#   make test       run the bats suite (also checks the exported symbols)
#   make asan       run the suite with an ASan+UBSan build preloaded into bash
#   make compat     build bash $(COMPAT_VERSIONS) from Debian's source packages
#                   (build/bash-V/), bgtools.so against each (gcc, and clang
#                   -Werror), and run $(COMPAT_TESTS) with each bash
#   make bench      print the benchmark tables (bench/*.sh)
#   make fuzz       fuzz the option parsers with libFuzzer (clang), replaying
#                   fuzz/regress first; FUZZ_SECONDS=20 per target
#   make valgrind   run bash under valgrind memcheck with the builtins loaded
#                   (tests/valgrind.sh): a 1,000-job pool, timeout_run, retry
#   make stress     run the stress suite (tests/stress/run.sh $(STRESS_FLAGS))
#   make install    bgtools.so into bash's loadables directory, man pages
#                   (bgtools(1), NAME(1bgtools)) and bash completion
#   make uninstall  remove what make install installed
#   make print-deps the Debian packages any target may install, one a line
#   make clean      remove what make built (not the bash builds: distclean)
#
# Where the Debian packages a target needs are missing, make installs them
# when run as root, or stops with the apt-get line to run.  Where
# `pkg-config bash' finds bash's headers (PKG_CONFIG_PATH for a bash
# installed elsewhere), nothing asks dpkg about them.
#
# Variants build in directories of their own, so that none replaces
# another: the default build's objects go to build/obj/ and its bgtools.so
# to the top; VARIANT=NAME builds build/NAME/bgtools.so (asan: sanitizers;
# compat-5.1, compat-5.3: against bash 5.1 or 5.3 built by make compat).

PKG_CONFIG ?= pkg-config
PREFIX ?= /usr
DESTDIR ?=
MANDIR ?= $(PREFIX)/share/man
# The bash that runs the demo, the tests and the doc generator.
BASH ?= /bin/bash
CFLAGS ?= -O2 -g
# As in bash's examples/loadables/Makefile.in: CPPFLAGS and CFLAGS when
# compiling, LDFLAGS when linking (a distribution's hardening flags).
CPPFLAGS ?=
LDFLAGS ?=
VARIANT ?=

# $(call lazy,NAME,TEXT): make NAME expand to TEXT, computed the first time
# NAME is used and kept.  What pkg-config says must not be asked when make
# reads this file: the packages that hold bash's headers may not be
# installed yet (the deps rule installs them before anything compiles).
lazy = $(eval $(1) = $$(eval $(1) := $(2))$$($(1)))

$(call lazy,BASH_INC,$$(shell $$(PKG_CONFIG) --cflags-only-I bash 2>/dev/null | sed 's/-I/-isystem /g'))
# bash's loadables directory and bash-completion's, moved under PREFIX.
$(call lazy,LOADABLESDIR,$$(shell $$(PKG_CONFIG) --define-variable=prefix=$$(PREFIX) --variable=loadablesdir bash 2>/dev/null | grep . || echo $$(PREFIX)/lib/bash))
$(call lazy,COMPLETIONSDIR,$$(shell $$(PKG_CONFIG) --define-variable=prefix=$$(PREFIX) --define-variable=datadir=$$(PREFIX)/share --variable=completionsdir bash-completion 2>/dev/null | grep . || echo $$(PREFIX)/share/bash-completion/completions))

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-unused-parameter
# Recursive (=): BASH_INC is read only when the first object compiles.
ALL_CPPFLAGS = -D_GNU_SOURCE -DSHELL $(BASH_INC) -Ilib -Ipool $(CPPFLAGS)
ALL_CFLAGS = -std=c11 -fPIC -fvisibility=hidden $(WARN) $(CFLAGS) \
	$(VARIANT_CFLAGS)
# nodelete: `enable -d' of every builtin must not unmap code still running
# (a function that retry or every runs in the shell may do it).  No -z now:
# functions are bound lazily so that the load hook (lib/load.c) runs
# before any of bash's functions is looked up, and can say that the .so is
# for another bash; it then checks that the rest of them are there.
LDFLAGS_SO := -shared -Wl,-z,nodelete

LIB_SRCS := lib/duration.c lib/child.c lib/waitset.c lib/sigguard.c \
	lib/jobref.c lib/term.c lib/load.c lib/pidset.c lib/opts.c \
	lib/backoff.c lib/codes.c lib/attempt.c lib/proctree.c lib/watch.c \
	lib/vars.c lib/waitargs.c lib/fds.c
BUILTIN_SRCS := builtins/waitany.c builtins/waitall.c builtins/timeout_run.c \
	builtins/killjobs.c builtins/retry.c builtins/every.c \
	builtins/onchange.c builtins/jobinfo.c builtins/detach.c
POOL_SRCS := pool/input.c pool/columns.c pool/launch.c pool/report.c \
	pool/reslimits.c pool/cgroup.c pool/shard.c pool/subst.c \
	pool/output.c pool/pump.c pool/joblog.c pool/pool.c pool/persist.c \
	pool/results.c pool/poolspec.c pool/progress.c pool/pipe.c pool/feed.c pool/refuse.c \
	lib/backoff.c builtins/pool.c
# sort: one object per source, whichever list names it.
SRCS := $(sort $(LIB_SRCS) $(BUILTIN_SRCS) $(POOL_SRCS))
HDRS := $(wildcard lib/*.h pool/*.h)
BUILTINS := pool waitany waitall timeout_run killjobs retry every onchange jobinfo detach

# --- variants ---------------------------------------------------------------

ifeq ($(VARIANT),)
OUT := build/obj
SO := bgtools.so
else
OUT := build/$(VARIANT)
SO := $(OUT)/bgtools.so
endif
OBJS := $(SRCS:%.c=$(OUT)/%.o)
DOC := $(OUT)/doc
# What must exist before anything compiles (VARIANT_DEPS) and before the
# variant's bash runs anything (BASH_DEPS).
VARIANT_DEPS :=
BASH_DEPS :=
VARIANT_CFLAGS :=
TEST_ENV :=

# ASan+UBSan: bash itself is not instrumented, so the runtimes are
# preloaded into every bash the tests start, and only into bash (see
# tests/asan/bash.c, put first in PATH as `bash').  Leak checking is off:
# bash's own allocations would be reported.
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
ASAN_REALBASH ?= /bin/bash
ifeq ($(VARIANT),asan)
ASAN_DIR := $(CURDIR)/$(OUT)/wrap
VARIANT_CFLAGS := $(ASAN_FLAGS)
BASH := $(ASAN_DIR)/bash
BASH_DEPS := $(ASAN_DIR)/bash
TEST_ENV := PATH="$(ASAN_DIR):$$PATH" \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:verify_asan_link_order=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
endif

# compat-V (and compat-V-anything): against bash V, built by make compat
# into build/bash-V/ (bin/bash, include/bash, lib/pkgconfig/bash.pc).
COMPAT_V := $(if $(filter compat-%,$(VARIANT)),$(word 2,$(subst -, ,$(VARIANT))))
ifneq ($(COMPAT_V),)
COMPAT_ROOT := $(CURDIR)/build/bash-$(COMPAT_V)
PKG_CONFIG := env PKG_CONFIG_PATH=$(COMPAT_ROOT)/lib/pkgconfig pkg-config
BASH := $(COMPAT_ROOT)/bin/bash
VARIANT_DEPS := build/bash-$(COMPAT_V)/.built
TEST_ENV := PATH="$(COMPAT_ROOT)/bin:$$PATH" \
	PKG_CONFIG_PATH="$(COMPAT_ROOT)/lib/pkgconfig"
endif

# --- Debian packages --------------------------------------------------------

BUILD_DEPS := bash-builtins pkg-config \
	$(if $(filter clang%,$(notdir $(firstword $(CC)))),clang,gcc)
# procps: pgrep; man-db, groff-base, bash-completion: tests/install.bats;
# strace: the tests that count a job's writes or hold a fork open.
# parallel: tests/pool_gnu.bats compares pool with GNU parallel.
# shellcheck: tests/shellcheck.bats checks examples/ and bench/.
# libtext-csv-perl: GNU parallel's --csv; python3: pool_ci.bats reads the JUnit XML.
# rsync: pool --transferfile/--return (pool_remote.bats; the tar fallback too).
TEST_DEPS := bats bats-assert bats-support tmux procps man-db groff-base \
	bash-completion strace parallel shellcheck libtext-csv-perl python3 \
	openssh-server openssh-client rsync
BENCH_DEPS := hyperfine parallel retry inotify-tools entr
# make test-cluster: a real single-node Slurm (tests/cluster/slurm.sh).
CLUSTER_DEPS := slurm-wlm munge
FUZZ_DEPS := clang libclang-rt-dev
VALGRIND_DEPS := valgrind
# strace holds a fork open for the signal-during-fork trials.
STRESS_DEPS := strace
# apt-get source needs dpkg-dev; bash builds with gcc (and make) alone.
COMPAT_DEPS := dpkg-dev gcc pkg-config clang
ALL_DEPS := $(sort bash-builtins pkg-config gcc $(TEST_DEPS) $(BENCH_DEPS) \
	$(FUZZ_DEPS) $(VALGRIND_DEPS) $(STRESS_DEPS) $(COMPAT_DEPS) \
	$(CLUSTER_DEPS))

# $(call need,PACKAGES): shell text that installs the Debian PACKAGES not
# installed (as root), or stops with the apt-get line to run.  Nothing on
# a system without dpkg.
need = missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
		for p in $(1); do \
			dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
			    grep -q 'install ok installed' || \
			    missing="$$missing $$p"; \
		done; \
	fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			{ apt-get install -y -q $$missing || \
			  { apt-get update -q && apt-get install -y -q $$missing; }; } \
			    >/dev/null || exit 1; \
		else \
			echo "missing packages; run: sudo apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
	fi

.PHONY: all deps test-deps bench-deps cluster-deps fuzz-deps valgrind-deps \
	compat-deps demo test test-cluster check asan compat bench fuzz \
	valgrind stress docs install uninstall print-deps clean distclean

all: $(SO)

# Nothing compiles before this has run (an order-only prerequisite of
# every object): bash's headers are there, or make stops.  Where
# `pkg-config bash' already finds them, dpkg is not asked.
deps: $(VARIANT_DEPS)
	@if ! $(PKG_CONFIG) --exists bash 2>/dev/null || \
	    ! command -v $(firstword $(CC)) >/dev/null 2>&1; then \
		$(call need,$(BUILD_DEPS)); \
	fi; \
	$(PKG_CONFIG) --exists bash 2>/dev/null || { \
		echo "make: bash's headers not found by '$(PKG_CONFIG) bash';" \
		    "install them (Debian: bash-builtins) or set" \
		    "PKG_CONFIG_PATH to the directory of a bash's bash.pc" >&2; \
		exit 1; }
test-deps:
	@$(call need,$(TEST_DEPS))
bench-deps:
	@$(call need,$(BENCH_DEPS))
cluster-deps:
	@$(call need,$(CLUSTER_DEPS))
fuzz-deps:
	@$(call need,$(FUZZ_DEPS))
valgrind-deps:
	@$(call need,$(VALGRIND_DEPS))
compat-deps:
	@$(call need,$(COMPAT_DEPS))

print-deps:
	@printf '%s\n' $(ALL_DEPS)

$(OUT)/%.o: %.c $(HDRS) | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(SO): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_SO) $(LDFLAGS) -o $@ $(OBJS)

demo: all $(BASH_DEPS)
	BGTOOLS_SO=$(CURDIR)/$(SO) $(BASH) examples/demo.sh

# TESTS: the files (or directory) to run.  BGTOOLS_VARIANT tells tests
# that run make which variant they are testing.
TESTS ?= tests/
test check: all test-deps $(BASH_DEPS)
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $(TEST_ENV) \
	    BGTOOLS_SO=$(CURDIR)/$(SO) BGTOOLS_VARIANT=$(VARIANT) \
	    $(BASH) tests/run.sh $(BATS_FLAGS) $(TESTS)

asan:
	$(MAKE) VARIANT=asan test

# make test-cluster: pool through a real Slurm that the tests start and
# stop (tests/pool_slurm.bats); where slurmd cannot run, its tests skip
# and say why.  make test skips that file (no BGTOOLS_CLUSTER=1).
test-cluster: all test-deps cluster-deps $(BASH_DEPS)
	BGTOOLS_CLUSTER=1 $(MAKE) --no-print-directory test \
	    TESTS=tests/pool_slurm.bats

$(CURDIR)/build/asan/wrap/bash: tests/asan/bash.c
	@mkdir -p $(@D)
	echo 'unset LD_PRELOAD' > $(@D)/unpreload
	$(CC) -O2 -o $@ tests/asan/bash.c \
	    -DREALBASH='"$(ASAN_REALBASH)"' -DUNPRELOAD='"$(@D)/unpreload"' \
	    -DPRELOAD="\"$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)\""

# --- other bash versions ------------------------------------------------------

# make compat: for each version, Debian's source package of bash from
# COMPAT_SUITE_V (apt-get source with a private sources list and lists
# directory: the machine's apt setup is not touched) is built with its
# default configuration into build/bash-V/ (tests/compat/build-bash.sh);
# then bgtools.so is built against its installed headers with gcc (and
# compiled with clang -Werror), and COMPAT_TESTS run with that bash first
# in PATH.  The bash builds are kept between runs (make distclean removes
# them).  The whole suite takes too long to run three times in CI:
# COMPAT_TESTS is the part that reaches each version-specific path of
# bashapi.h: the tests of every builtin but pool (pool.bats alone takes
# as long as all of these; pool runs in load, install and the examples),
# loading and installing, the job table of an interactive shell, signals.
# COMPAT_TESTS=tests/ runs all of it.
COMPAT_VERSIONS := 5.1 5.3
COMPAT_SUITE_5.1 := bullseye
COMPAT_SUITE_5.3 := sid
COMPAT_MIRROR ?= http://deb.debian.org/debian
COMPAT_CFLAGS ?= -O2 -g -Werror
COMPAT_TESTS ?= tests/load.bats tests/install.bats tests/waitany.bats \
	tests/waitall.bats tests/timeout_run.bats tests/killjobs.bats \
	tests/retry.bats tests/every.bats tests/onchange.bats tests/jobinfo.bats \
	tests/detach.bats \
	tests/interactive.bats \
	tests/signals.bats tests/signal_rows.bats tests/examples.bats \
	tests/pool_persist.bats

# +: the bash build joins this make's jobs (make -j2 compat).
build/bash-%/.built: tests/compat/build-bash.sh
	@$(call need,$(COMPAT_DEPS))
	+/bin/bash tests/compat/build-bash.sh $* $(COMPAT_SUITE_$*) \
	    $(COMPAT_MIRROR) $(CURDIR)/build

compat: test-deps
	@$(call need,$(COMPAT_DEPS))
	$(MAKE) $(COMPAT_VERSIONS:%=build/bash-%/.built)
	set -e; for v in $(COMPAT_VERSIONS); do \
		$(MAKE) VARIANT=compat-$$v CFLAGS='$(COMPAT_CFLAGS)' all; \
		$(MAKE) VARIANT=compat-$$v-clang CC=clang \
		    CFLAGS='-O2 -g -Werror' all; \
	done
	@st=0; for v in $(COMPAT_VERSIONS); do \
		echo "== bash $$v: $(COMPAT_TESTS)"; \
		$(MAKE) -s VARIANT=compat-$$v TESTS='$(COMPAT_TESTS)' test || \
		    st=1; \
	done; exit $$st

# --- fuzzing, valgrind, stress, bench -----------------------------------------

# libFuzzer targets for the option parsers (fuzz/fuzz_NAME.c), linked
# without bash: fuzz/stubs.c stands in for what the parsers call of it.
# fuzz/run.sh replays fuzz/regress/NAME and the seeds, then fuzzes each
# target for FUZZ_SECONDS.  clang whatever CC is: gcc has no libFuzzer
# (libclang-rt-dev holds it; clang only recommends it).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_DIR := fuzz/build
FUZZ_TARGETS := duration codes backoff jobs halt csv pipe
FUZZ_LIB_duration := lib/duration.c
FUZZ_LIB_codes := lib/codes.c
FUZZ_LIB_backoff := lib/backoff.c lib/duration.c
FUZZ_LIB_jobs := pool/poolspec.c
FUZZ_LIB_halt := pool/poolspec.c
FUZZ_LIB_csv := pool/columns.c
FUZZ_LIB_pipe := pool/pipe.c pool/columns.c lib/fds.c
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -DSHELL $(WARN) $(BASH_INC) -Ilib -Ipool \
	-Ifuzz -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

define fuzz_rule
$(FUZZ_DIR)/fuzz_$(1): fuzz/fuzz_$(1).c $$(FUZZ_LIB_$(1)) fuzz/fuzz.c \
    fuzz/stubs.c fuzz/fuzz.h $(HDRS) | deps
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ fuzz/fuzz_$(1).c $$(FUZZ_LIB_$(1)) \
	    fuzz/fuzz.c fuzz/stubs.c
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz: deps fuzz-deps
	$(MAKE) $(FUZZ_BINS)
	$(BASH) fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# memcheck on bash itself, with the builtins loaded (tests/valgrind.sh):
# fails on any error whose stacks reach bgtools.so.
valgrind: all valgrind-deps
	$(BASH) tests/valgrind.sh $(CURDIR)/$(SO)

stress: all test-deps
	@$(call need,$(STRESS_DEPS))
	@test -f tests/stress/run.sh || \
	    { echo "make stress: tests/stress/run.sh is missing" >&2; exit 1; }
	BGTOOLS_SO=$(CURDIR)/$(SO) $(BASH) tests/stress/run.sh $(STRESS_FLAGS)

bench: all bench-deps
	$(BASH) bench/run.sh

# --- documentation and installation -------------------------------------------

# bgtools(1) and one page per builtin, NAME(1bgtools) (a section suffix,
# as OpenSSL's passwd(1ssl): `man retry' must not hide the retry tool's
# page), and the bash completion: all made from what `help NAME' prints,
# by the bash the .so is built for (doc/mkman.sh, doc/mkcompletion.sh).
docs: $(DOC)/.made

$(DOC)/.made: $(SO) doc/mkman.sh doc/mkcompletion.sh doc/help.bash \
    $(BASH_DEPS)
	@mkdir -p $(DOC)
	$(BASH) doc/mkman.sh $(SO) $(DOC) $(BUILTINS)
	$(BASH) doc/mkcompletion.sh $(SO) $(DOC)/bgtools.bash $(BUILTINS)
	touch $@

install: all docs
	install -d $(DESTDIR)$(LOADABLESDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(COMPLETIONSDIR)
	install -m 644 $(SO) $(DESTDIR)$(LOADABLESDIR)/bgtools.so
	install -m 644 $(DOC)/bgtools.1 $(BUILTINS:%=$(DOC)/%.1bgtools) \
	    $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(DOC)/bgtools.bash $(DESTDIR)$(COMPLETIONSDIR)/bgtools
	for b in $(BUILTINS); do \
		ln -sf bgtools $(DESTDIR)$(COMPLETIONSDIR)/$$b || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(LOADABLESDIR)/bgtools.so \
	    $(DESTDIR)$(MANDIR)/man1/bgtools.1 \
	    $(BUILTINS:%=$(DESTDIR)$(MANDIR)/man1/%.1bgtools) \
	    $(DESTDIR)$(COMPLETIONSDIR)/bgtools \
	    $(BUILTINS:%=$(DESTDIR)$(COMPLETIONSDIR)/%)

# Every build but those of bash (build/bash-*, build/apt: make distclean).
clean:
	rm -rf $(filter-out build/bash-% build/apt,$(wildcard build/*)) \
	    $(FUZZ_DIR)
	rm -f bgtools.so $(SRCS:.c=.o)

# Also the bash builds of make compat and their sources.
distclean: clean
	rm -rf build
