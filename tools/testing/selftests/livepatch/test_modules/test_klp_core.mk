# SPDX-License-Identifier: GPL-2.0
#
# Run by the Makefile after the kbuild build of the test modules: build the
# host tool klp_mkrela and the guest helpers klp_io, klp_sweep, klp_failnth
# and klp_poll, and turn the ".rela.klp_refs_*" sections of the
# test_klp_core_rela_* modules into livepatch relocation sections (see
# test_klp_core_rela.h).  A stamp per module keeps a module that was not
# relinked from being processed twice.
# klp_mkrela prints the index of the module's symbol table; the selftest
# needs it for test_klp_core_rela_unmarked.

HOSTCC ?= cc

rela := test_klp_core_rela_patch test_klp_core_rela_badsym \
	test_klp_core_rela_badsec test_klp_core_rela_unmarked \
	test_klp_core_rela_badobj

all: klp_io klp_sweep klp_failnth klp_poll $(rela:=.klp-stamp)

klp_mkrela: klp_mkrela.c
	$(HOSTCC) -O2 -Wall -o $@ $<

klp_io klp_sweep klp_failnth klp_poll: %: %.c
	$(HOSTCC) -O2 -Wall -static -o $@ $<

vmlinux_sec := .rela.klp_refs_vmlinux=.klp.rela.vmlinux..klp_refs_vmlinux
mod_sec := .rela.klp_refs_mod=.klp.rela.test_klp_core_rela_mod..klp_refs_mod

test_klp_core_rela_patch.klp-stamp: test_klp_core_rela_patch.ko | klp_mkrela
	./klp_mkrela $< $(vmlinux_sec) $(mod_sec) >$@

test_klp_core_rela_badsym.klp-stamp: test_klp_core_rela_badsym.ko | klp_mkrela
	./klp_mkrela $< $(vmlinux_sec) >$@

test_klp_core_rela_badsec.klp-stamp: test_klp_core_rela_badsec.ko | klp_mkrela
	./klp_mkrela $< .rela.klp_refs_vmlinux=.klp.rela..klp_refs_vmlinux >$@

test_klp_core_rela_unmarked.klp-stamp: test_klp_core_rela_unmarked.ko | klp_mkrela
	./klp_mkrela --no-mark $< $(vmlinux_sec) >$@

test_klp_core_rela_badobj.klp-stamp: test_klp_core_rela_badobj.ko | klp_mkrela
	./klp_mkrela $< $(mod_sec) >$@

.PHONY: all
.DELETE_ON_ERROR:
