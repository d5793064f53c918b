# SPDX-License-Identifier: GPL-2.0
#
# Driver for the Rust livepatch core overlay. Every build and guest tool comes
# from a Debian trixie sysroot; see README.md.
#
#   make run             build what is missing, boot, apply and revert a live patch
#   make check           build the Rust-core kernel and run every test
#   make check CORE=c    the same on the upstream C core
#   make check DEBUG=1   the same on a lockdep/kmemleak/DEBUG_LIST kernel
#   make check FTRACE_BATCH=0  Rust core with one ftrace_ops per function
#   make check TOOLCHAIN=next  built with rustc 1.98 + clang 22 (sid/experimental):
#                        Rust functions get fentry sites (traceable, patchable)
#   make bench           time patched calls on both cores (C and Rust, same run)
#   make bench-fentry    what ftrace sites in Rust code cost (.text, NOP per call)
#   make stress          enable/disable/replace cycles under load, on both cores
#                        (STRESS_CYCLES=300, STRESS_VARIANT=debug; empty: plain)
#   make klp-build-demo  klp-build a patch module from a diff, load it on both cores
#   make kselftest       the selftests through the kernel's kselftest runner (CORE=)
#   make shell           interactive guest (CORE=c|rust)
#   make kernel          only build (CORE=c|rust)
#   make clean-cache     delete the cache (sysroot, source, build folders)

CORE ?= rust
# default: trixie's rustc and clang; next: see scripts/packages-next.txt.
TOOLCHAIN ?= default
export KLP_TOOLCHAIN := $(TOOLCHAIN)
TESTS ?=
BENCH_CALLS ?= 1000000
BENCH_ROUNDS ?= 11
STRESS_CYCLES ?= 300
STRESS_VARIANT ?= debug
STRESS_SEED ?= 1
SCRIPTS := $(CURDIR)/scripts

.PHONY: all run check bench bench-fentry stress kselftest klp-build-demo shell kernel sysroot clean-cache help
all: help

help:
	@sed -n '6,22p' Makefile | sed 's/^# \{0,1\}//'

check:
	@KLP_VARIANT=$(if $(filter 1,$(DEBUG)),debug) \
		KLP_BOOT_ARGS=$(if $(FTRACE_BATCH),livepatch.ftrace_batch=$(FTRACE_BATCH)) \
		KLP_TAG=$(if $(FTRACE_BATCH),ftrace_batch=$(FTRACE_BATCH)) \
		$(SCRIPTS)/check.sh $(CORE) $(TESTS)

bench:
	@$(SCRIPTS)/bench.sh $(BENCH_CALLS) $(BENCH_ROUNDS)

bench-fentry:
	@KLP_TOOLCHAIN=next $(SCRIPTS)/bench-fentry.sh $(BENCH_CALLS) $(BENCH_ROUNDS)

stress:
	@KLP_VARIANT=$(STRESS_VARIANT) $(SCRIPTS)/stress.sh $(STRESS_CYCLES) $(STRESS_SEED)

kselftest:
	@$(SCRIPTS)/kselftest.sh $(CORE) $(TESTS)

klp-build-demo:
	@$(SCRIPTS)/klp-build-demo.sh

run:
	@$(SCRIPTS)/run.sh $(CORE)

shell:
	@$(SCRIPTS)/run.sh $(CORE) shell

kernel:
	@$(SCRIPTS)/run.sh $(CORE) build

sysroot:
	@$(SCRIPTS)/sysroot.sh >/dev/null

clean-cache:
	@$(SCRIPTS)/clean-cache.sh
