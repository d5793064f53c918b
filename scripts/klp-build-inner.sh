#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the klp-build sysroot (scripts/sysroot.sh klpbuild): turn a source
# diff into a livepatch module with the kernel's own scripts/livepatch/klp-build.
#   usage: klp-build-inner.sh PRISTINE WORK CONFIG DIFF
# PRISTINE is the extracted kernel source (never written: WORK/tree is a
# hard-linked copy, and patch, sed -i and the build replace files rather than
# write into them). CONFIG is the .config of a kernel the module must load on.
# Leaves WORK/<module>.ko, WORK/readelf.txt and WORK/modinfo.txt.

set -euo pipefail
pristine=$1 work=$2 config=$3 diff=$4
jobs=$(nproc)
tree=$work/tree
name=livepatch-$(basename "${diff%.*}")
# klp-build refuses an LLVM assembler older than 20 (trixie's clang is 19).
export LLVM=-21
# ccache in masquerade mode: klp-build runs plain `make`, and the Makefile's own
# CC=clang-21 then finds this link first in PATH.
mkdir -p "$work/bin"
ln -sf /usr/bin/ccache "$work/bin/clang-21"
export PATH=$work/bin:$PATH

echo "== tree"
if [ ! -e "$tree/.klp-tree" ]; then
	rm -rf "$tree"
	cp -al "$pristine" "$tree"
	rm -f "$tree/.complete" "$tree/.managed"
	touch "$tree/.klp-tree"
fi

echo "== config"
cp "$config" "$tree/.config"
make -C "$tree" -s olddefconfig
for want in CONFIG_LIVEPATCH=y CONFIG_KLP_BUILD=y CONFIG_MODULES=y; do
	grep -qx "$want" "$tree/.config" || { echo "config: $want did not survive olddefconfig"; exit 1; }
done
grep -E '^CONFIG_(CC_VERSION_TEXT|AS_VERSION|SMP|MODULE_UNLOAD|PREEMPT_BUILD|RUST)=|^# CONFIG_MODVERSIONS ' "$tree/.config"
# Options of the booted kernel that this source tree does not know (the
# project's LIVEPATCH_CORE_* choice) or that depend on the compiler.
diff <(grep '^CONFIG_' "$config" | sort) <(grep '^CONFIG_' "$tree/.config" | sort) |
	grep '^[<>]' | sed 's/^/config change: /' || true

echo "== klp-build"
cd "$tree"
rm -f "$name.ko" "$work/$name.ko"
./scripts/livepatch/klp-build -j "$jobs" "$diff"
[ -f "$name.ko" ] || { echo "klp-build made no $name.ko"; exit 1; }

echo "== module"
cp "$name.ko" "$work/$name.ko"
readelf -SW "$work/$name.ko" >"$work/readelf.txt"
readelf -sW "$work/$name.ko" >>"$work/readelf.txt"
modinfo "$work/$name.ko" >"$work/modinfo.txt"
cat "$work/modinfo.txt"
grep -E '\.klp\.(rela|sym)\.' "$work/readelf.txt"
echo "== done"
