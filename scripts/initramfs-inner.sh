#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the sysroot: pack the guest's initramfs from the sysroot's own
# binaries, the built modules and the selftests.
#   usage: initramfs-inner.sh BUILD OUT [EXTRA]
# EXTRA, a folder, lands in the guest as /extra (the klp-build demo's module).

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1 out=$2 extra=${3:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Merged /usr, as in the sysroot the binaries come from.
mkdir -p "$dir"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$dir/$d"; done
# GNU tools the upstream selftests rely on (date --rfc-3339, stat --format,
# sysctl --values, kmod's error texts), with the libraries they link.
tools=(bash cat chmod cp cut date dd diff dirname dmesg echo env expr false find
	grep head id kill ln ls mkdir mktemp mv nproc printf readlink rm rmdir sed seq
	setsid sleep sort stat sync sysctl tail tee timeout touch tr true uname wc
	xargs awk basename getconf insmod rmmod lsmod modprobe modinfo depmod ps pgrep pkill
	make)
copy_with_libs() {
	local bin=$1 lib
	mkdir -p "$dir$(dirname "$bin")"
	cp -L "$bin" "$dir$bin"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$dir$lib" ] && continue
		mkdir -p "$dir$(dirname "$lib")"
		cp -L "$lib" "$dir$lib"
	done
}
for t in "${tools[@]}"; do
	p=$(type -P "$t") || { echo "missing tool in sysroot: $t"; exit 1; }
	copy_with_libs "$(readlink -f "$p")"
	[ -e "$dir/usr/bin/$t" ] || ln -s "$(readlink -f "$p")" "$dir/usr/bin/$t"
done
# busybox fills in the rest (mount, reboot, ...); GNU tools take precedence.
cp /usr/bin/busybox "$dir/usr/bin/busybox"
for applet in $(/usr/bin/busybox --list); do
	[ -e "$dir/usr/bin/$applet" ] || [ -e "$dir/usr/sbin/$applet" ] ||
		ln -s busybox "$dir/usr/bin/$applet"
done
ln -sf bash "$dir/usr/bin/sh"
echo "root:x:0:0:root:/root:/bin/bash" >"$dir/etc/passwd"
echo "root:x:0:" >"$dir/etc/group"

cp -a "$build/mod-root/lib/modules" "$dir/lib/"
rel=$(cat "$build/include/config/kernel.release")
# The selftests only check that a build folder exists; drop the dangling links.
rm -f "$dir/lib/modules/$rel/build" "$dir/lib/modules/$rel/source"
mkdir -p "$dir/lib/modules/$rel/build"
depmod -b "$dir" "$rel"

# The selftests sit in a kselftest tree, so that the kselftest runner can run
# them too (`make kselftest`); /selftests points at them.
cp -a "$build/kselftest" "$dir/kselftest"
ksl=kselftest/tools/testing/selftests/livepatch
mkdir -p "$dir/$ksl"
cp -a "$build/selftests/." "$dir/$ksl/"
ln -s "$ksl" "$dir/selftests"
cp "$top/scripts/guest/init" "$dir/init"
cp "$top/scripts/guest/demo.sh" "$dir/demo.sh"
cp "$top/scripts/guest/klp-build-demo.sh" "$dir/klp-build-demo.sh"
if [ -n "$extra" ]; then
	mkdir -p "$dir/extra"
	cp -a "$extra/." "$dir/extra/"
fi
mkdir -p "$dir/bench"
cp "$build/bench/"*.ko "$dir/bench/"
cp "$top/scripts/guest/bench.sh" "$dir/bench/run.sh"
mkdir -p "$dir/stress"
cp "$build/stress/"*.ko "$build/stress/klp_stress_getpid" "$dir/stress/"
cp "$top/scripts/guest/stress.sh" "$dir/stress/run.sh"

(cd "$dir" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
