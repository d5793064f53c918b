#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the sysroot: config, kernel, modules, selftest helpers.
#   usage: kernel-inner.sh TREE BUILD CORE

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1 build=$2 core=$3 extra=${4:-}
jobs=$(nproc)
# KLP_LLVM: LLVM=-22 on TOOLCHAIN=next (versioned clang, lld and tools).
llvm=${KLP_LLVM:-1}
clang=clang; [ "$llvm" = 1 ] || clang=clang$llvm
mk=(make -C "$tree" O="$build" LLVM="$llvm" CC="ccache $clang" -j"$jobs")
frags=("$top/configs/base.config" "$top/configs/core-$core.config")
[ -n "$extra" ] && frags+=("$extra")

echo "== config"
key=$(cat "${frags[@]}" | sha256sum | cut -c1-16)
if [ ! -e "$build/.config" ] || [ "$(cat "$build/.klp-config-key" 2>/dev/null)" != "$key" ]; then
	"${mk[@]}" tinyconfig
	(cd "$build" && "$tree/scripts/kconfig/merge_config.sh" -m -O "$build" \
		"$build/.config" "${frags[@]}")
	"${mk[@]}" olddefconfig
	echo "$key" >"$build/.klp-config-key"
else
	"${mk[@]}" olddefconfig
fi
# Kconfig drops options silently: every fragment line must have survived.
missing=0
for f in "${frags[@]}"; do
	while read -r line; do
		case $line in
		CONFIG_*=*) grep -qx "$line" "$build/.config" || { echo "config: lost $line"; missing=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$build/.config" && { echo "config: lost $line"; missing=1; } ;;
		esac
	done <"$f"
done
[ $missing = 0 ] || { echo "config: fragment lines were dropped (see above)"; exit 1; }

echo "== kernel"
"${mk[@]}" bzImage modules
rm -rf "$build/mod-root"
"${mk[@]}" modules_install INSTALL_MOD_PATH="$build/mod-root" >/dev/null

echo "== selftest modules"
st=$build/selftests
rm -rf "$st"
mkdir -p "$st"
cp -r "$tree/tools/testing/selftests/livepatch/." "$st/"
make -C "$st/test_modules" KDIR="$build" LLVM="$llvm" -j"$jobs"
gcc -O2 -static -o "$st/test_klp-call_getpid" "$st/test_klp-call_getpid.c"
gcc -O2 -static -o "$st/test_klp-spin" "$st/test_klp-spin.c"

echo "== kselftest tree"
# What `make -C tools/testing/selftests TARGETS=livepatch run_tests` needs in
# the guest besides the livepatch folder (which the initramfs puts under it).
ks=$build/kselftest
rm -rf "$ks"
mkdir -p "$ks/scripts" "$ks/tools/testing/selftests"
cp "$tree/scripts/subarch.include" "$ks/scripts/"
cp "$tree/tools/testing/selftests/Makefile" "$tree/tools/testing/selftests/lib.mk" \
	"$ks/tools/testing/selftests/"
cp -r "$tree/tools/testing/selftests/kselftest" "$ks/tools/testing/selftests/"

echo "== benchmark modules"
bm=$build/bench
rm -rf "$bm"
mkdir -p "$bm"
cp "$tree/samples/livepatch/bench/"* "$bm/"
make -C "$build" LLVM="$llvm" M="$bm" -j"$jobs" modules

echo "== stress modules"
sm=$build/stress
rm -rf "$sm"
mkdir -p "$sm"
cp "$tree/samples/livepatch/stress/"* "$sm/"
make -C "$build" LLVM="$llvm" M="$sm" -j"$jobs" modules
gcc -O2 -Wall -static -o "$sm/klp_stress_getpid" "$sm/klp_stress_getpid.c"
echo "== done"
