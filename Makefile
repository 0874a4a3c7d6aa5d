# bgtools: one loadable builtin library for bash.
#
#   make            build bgtools.so against the installed bash headers
#   make demo       build and run examples/demo.sh
#   make test       run the bats suite (also checks the exported symbols)
#   make asan       run the suite with an ASan+UBSan build preloaded into bash
#   make bench      print the benchmark tables (bench/*.sh)
#   make fuzz       fuzz the option parsers with libFuzzer (clang), replaying
#                   fuzz/regress first; FUZZ_SECONDS=20 per target
#   make valgrind   run bash under valgrind memcheck with the builtins loaded
#                   (tests/valgrind.sh): a 1,000-job pool, timeout_run, retry
#   make stress     run the stress suite (tests/stress/run.sh $(STRESS_FLAGS))
#   make install    copy bgtools.so to bash's loadables directory
#
# Missing Debian packages are installed when run as root; otherwise make
# stops with the apt-get line to run.

CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr
DESTDIR ?=
# bash's loadables directory, moved under PREFIX when one is given.
LOADABLESDIR ?= $(shell $(PKG_CONFIG) --define-variable=prefix=$(PREFIX) \
	--variable=loadablesdir bash 2>/dev/null || echo $(PREFIX)/lib/bash)
BASH ?= /bin/bash

BASH_INC := $(shell $(PKG_CONFIG) --cflags-only-I bash 2>/dev/null | sed 's/-I/-isystem /g')
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DSHELL -fPIC -fvisibility=hidden \
	$(WARN) $(BASH_INC) -Ilib $(CFLAGS)
# nodelete: `enable -d' of every builtin must not unmap code still running
# (a function that retry or every runs in the shell may do it).
LDFLAGS_SO := -shared -Wl,-z,now -Wl,-z,nodelete

LIB_SRCS := lib/duration.c lib/child.c lib/waitset.c lib/sigguard.c \
	lib/jobref.c lib/term.c lib/load.c lib/pidset.c lib/opts.c \
	lib/backoff.c lib/codes.c lib/attempt.c lib/proctree.c
BUILTIN_SRCS := builtins/waitany.c builtins/waitall.c builtins/timeout_run.c \
	builtins/killjobs.c builtins/retry.c builtins/every.c
POOL_SRCS := lib/input.c lib/subst.c lib/output.c lib/joblog.c lib/pool.c \
	lib/poolspec.c lib/backoff.c builtins/pool.c
# sort: one object per source, whichever list names it.
SRCS := $(sort $(LIB_SRCS) $(BUILTIN_SRCS) $(POOL_SRCS))
HDRS := $(wildcard lib/*.h)
OBJS := $(SRCS:.c=.o)

BUILD_DEPS := bash-builtins pkg-config gcc
TEST_DEPS := bats bats-assert bats-support tmux procps
BENCH_DEPS := hyperfine parallel retry
FUZZ_DEPS := clang libclang-rt-dev
VALGRIND_DEPS := valgrind
# strace holds a fork open for the signal-during-fork trials.
STRESS_DEPS := strace

.PHONY: all deps test-deps bench-deps fuzz-deps valgrind-deps demo test \
	check asan bench fuzz valgrind stress install uninstall clean

all: deps bgtools.so

# Install (as root) or name the Debian packages a target needs.
define need
	@missing=""; for p in $(1); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
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
endef

deps:
	$(call need,$(BUILD_DEPS))
test-deps:
	$(call need,$(TEST_DEPS))
bench-deps:
	$(call need,$(BENCH_DEPS))

%.o: %.c $(HDRS)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bgtools.so: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_SO) -o $@ $(OBJS)

demo: all
	$(BASH) examples/demo.sh

test check: all test-deps
	BGTOOLS_SO=$(CURDIR)/bgtools.so $(BASH) tests/run.sh $(BATS_FLAGS) tests/

# ASan+UBSan: bash itself is not instrumented, so the runtimes are
# preloaded into every bash the tests start, and only into bash (see
# tests/asan/bash.c, put first in PATH as `bash').  Leak checking is off:
# bash's own allocations would be reported.
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
ASAN_DIR := $(CURDIR)/.asan
asan: deps test-deps
	$(MAKE) clean
	$(MAKE) CFLAGS="$(ASAN_FLAGS)" bgtools.so
	rm -rf $(ASAN_DIR) && mkdir -p $(ASAN_DIR)
	echo 'unset LD_PRELOAD' > $(ASAN_DIR)/unpreload
	$(CC) -O2 -o $(ASAN_DIR)/bash tests/asan/bash.c \
	    -DREALBASH='"$(BASH)"' -DUNPRELOAD='"$(ASAN_DIR)/unpreload"' \
	    -DPRELOAD="\"$$($(CC) -print-file-name=libasan.so) $$($(CC) -print-file-name=libubsan.so)\""
	PATH="$(ASAN_DIR):$$PATH" BGTOOLS_SO=$(CURDIR)/bgtools.so \
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:verify_asan_link_order=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(ASAN_DIR)/bash tests/run.sh $(BATS_FLAGS) tests/
	rm -rf $(ASAN_DIR)
	$(MAKE) clean

# libFuzzer targets for the option parsers (fuzz/fuzz_NAME.c), linked
# without bash: fuzz/stubs.c stands in for what the parsers call of it.
# fuzz/run.sh replays fuzz/regress/NAME and the seeds, then fuzzes each
# target for FUZZ_SECONDS.  clang whatever CC is: gcc has no libFuzzer
# (libclang-rt-dev holds it; clang only recommends it).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_DIR := fuzz/build
FUZZ_TARGETS := duration codes backoff jobs halt
FUZZ_LIB_duration := lib/duration.c
FUZZ_LIB_codes := lib/codes.c
FUZZ_LIB_backoff := lib/backoff.c lib/duration.c
FUZZ_LIB_jobs := lib/poolspec.c
FUZZ_LIB_halt := lib/poolspec.c
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -DSHELL $(WARN) $(BASH_INC) -Ilib \
	-Ifuzz -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

define fuzz_rule
$(FUZZ_DIR)/fuzz_$(1): fuzz/fuzz_$(1).c $$(FUZZ_LIB_$(1)) fuzz/fuzz.c \
    fuzz/stubs.c fuzz/fuzz.h $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $$@ fuzz/fuzz_$(1).c $$(FUZZ_LIB_$(1)) \
	    fuzz/fuzz.c fuzz/stubs.c
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

fuzz-deps:
	$(call need,$(FUZZ_DEPS))

fuzz: deps fuzz-deps
	$(MAKE) $(FUZZ_BINS)
	$(BASH) fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# memcheck on bash itself, with the builtins loaded (tests/valgrind.sh):
# fails on any error whose stacks reach bgtools.so.
valgrind-deps:
	$(call need,$(VALGRIND_DEPS))

valgrind: all valgrind-deps
	$(BASH) tests/valgrind.sh $(CURDIR)/bgtools.so

stress: all test-deps
	$(call need,$(STRESS_DEPS))
	@test -f tests/stress/run.sh || \
	    { echo "make stress: tests/stress/run.sh is missing" >&2; exit 1; }
	BGTOOLS_SO=$(CURDIR)/bgtools.so $(BASH) tests/stress/run.sh $(STRESS_FLAGS)

bench: all bench-deps
	$(BASH) bench/run.sh

install: all
	install -d $(DESTDIR)$(LOADABLESDIR)
	install -m 644 bgtools.so $(DESTDIR)$(LOADABLESDIR)/bgtools.so

uninstall:
	rm -f $(DESTDIR)$(LOADABLESDIR)/bgtools.so

clean:
	rm -f $(OBJS) bgtools.so
	rm -rf $(FUZZ_DIR)
