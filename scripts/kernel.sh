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
tag=$core${variant:+-$variant}$TC_SUFFIX
broot=$(build_root "$root")
build=$CACHE/build-${ver#src-}-$tag
mkdir -p "$build" "$CACHE/ccache"
log=$LOGDIR/build-$tag.log
phase "building the $tag kernel in $build (log: $log)" >&2
# A cold build records how many build steps it took, so that the next cold
# build of this kind can show a percentage.
cold=; [ -e "$build/.config" ] || cold=1
steps_file=$CACHE/build-steps-$tag
: >"$log"
logged "$log" "$TOP/scripts/chroot.sh" "$broot" $(toolchain_env) \
	"$TOP/scripts/kernel-inner.sh" "$tree" "$build" "$core" \
	${variant:+"$TOP/configs/$variant.config"} &
builder=$!
progress "$log" "$builder" "$([ -n "$cold" ] && cat "$steps_file" 2>/dev/null)" >&2
wait "$builder" || exit 1
[ -n "$cold" ] && grep -cE '^  [A-Z][A-Z0-9_]* ' "$log" >"$steps_file" || true
echo "$build"
