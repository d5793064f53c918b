#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure and build the kernel for one core (c or rust) in its own cached
# O= folder, plus the selftest modules and helpers, inside the sysroot.
#   usage: kernel.sh SYSROOT TREE CORE   (prints the build folder's path)

. "$(dirname "$0")/lib.sh"

root=$1 tree=$2 core=$3
case $core in c | rust) ;; *) die "CORE must be c or rust, not '$core'" ;; esac
ver=$(basename "$(dirname "$tree")")
# KLP_VARIANT (e.g. debug) adds configs/<variant>.config in a folder of its own.
variant=${KLP_VARIANT:-}
tag=$core${variant:+-$variant}
build=$CACHE/build-${ver#src-}-$tag
mkdir -p "$build" "$CACHE/ccache"
phase "building the $tag kernel in $build (log: $LOGDIR/build-$tag.log)" >&2
logged "$LOGDIR/build-$tag.log" "$TOP/scripts/chroot.sh" "$root" \
	"$TOP/scripts/kernel-inner.sh" "$tree" "$build" "$core" \
	${variant:+"$TOP/configs/$variant.config"}
echo "$build"
