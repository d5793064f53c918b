#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make run`, `make shell`, `make kernel`.
#   usage: run.sh CORE [run|shell|build]

. "$(dirname "$0")/lib.sh"

core=${1:-rust} what=${2:-run}
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
build=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
case $what in
build) echo "kernel: $build/arch/x86/boot/bzImage" ;;
run) "$TOP/scripts/qemu.sh" "$root" "$build" "$core" run \
	${RUST_SAMPLE:+rust_livepatch_sample} ;;
*) "$TOP/scripts/qemu.sh" "$root" "$build" "$core" "$what" ;;
esac
