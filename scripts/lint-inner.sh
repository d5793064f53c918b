#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the sysroot: rustfmt and clippy on the project's Rust code.
# Clippy builds in its own O= folder (CLIPPY=1 changes codegen) configured
# like the Rust-core kernel; only warnings located in our files count.
#   usage: lint-inner.sh TREE RUSTBUILD LINTBUILD

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1 rbuild=$2 lbuild=$3
fail=0
llvm=${KLP_LLVM:-1}
clang=clang; [ "$llvm" = 1 ] || clang=clang$llvm

echo "== rustfmt"
files=$(cd "$top" && git ls-files '*.rs' 2>/dev/null || find rust samples tools -name '*.rs')
if (cd "$top" && rustfmt --check --config-path "$tree/.rustfmt.toml" $files); then
	echo "LINT ok rustfmt"
else
	echo "LINT not-ok rustfmt"
fi

echo "== clippy"
mkdir -p "$lbuild"
if ! cmp -s "$rbuild/.config" "$lbuild/.config"; then
	cp "$rbuild/.config" "$lbuild/.config"
fi
# Our crates are always rebuilt so that their warnings show; the kernel crate
# is rebuilt by make when rust/kernel/ changes, and its warnings are kept.
rm -f "$lbuild/kernel/livepatch/rs/klp.o" "$lbuild/kernel/livepatch/klp_kunit.o"
log=$lbuild/.clippy.log
make -C "$tree" O="$lbuild" LLVM="$llvm" CC="ccache $clang" CLIPPY=1 -j"$(nproc)" \
	olddefconfig prepare kernel/livepatch/ >"$log" 2>&1
rc=$?
# Our files in the kernel crate, and our crates.
ours_kernel='rust/kernel/(hashtable|ftrace|dynamic_debug|dynamic_debug/site|task/tasklist|task/control|cpu/hotplug|cpu/preempt|stacktrace|jump_label/static_key|workqueue/static_work)\.rs'
ours="($ours_kernel|kernel/livepatch/)"
if grep -q 'CLIPPY.*rust/kernel.o' "$log"; then
	awk '/^(warning|error)/ { w = $0; next } /-->/ && w { print w " " $2; w = "" }' "$log" |
		grep -E "$ours_kernel" >"$lbuild/.kernel-crate-warnings" || true
fi
warn=$( (awk '/^(warning|error)/ { w = $0; next } /-->/ && w { print w " " $2; w = "" }' "$log" |
	grep -E "$ours"; cat "$lbuild/.kernel-crate-warnings" 2>/dev/null) | sort -u)
if [ $rc != 0 ]; then
	grep -E -m 20 -A 8 'error(\[E[0-9]+\])?:|\*\*\* ' "$log"
	echo "LINT not-ok clippy (build failed; log: $log)"
elif [ -n "$warn" ]; then
	echo "$warn"
	echo "LINT not-ok clippy"
else
	echo "LINT ok clippy"
fi

echo "== rustdoc"
# The kernel crate's documentation; only warnings in our files count.
dlog=$lbuild/.rustdoc.log
make -C "$tree" O="$lbuild" LLVM="$llvm" CC="ccache $clang" -j"$(nproc)" rustdoc >"$dlog" 2>&1
rc=$?
dwarn=$(awk '/^(warning|error)/ { w = $0; next } /-->/ && w { print w " " $2; w = "" }' "$dlog" |
	grep -E "$ours_kernel" | sort -u)
if [ $rc != 0 ]; then
	grep -E -m 20 -A 8 'error(\[E[0-9]+\])?:|\*\*\* ' "$dlog"
	echo "LINT not-ok rustdoc (build failed; log: $dlog)"
elif [ -n "$dwarn" ]; then
	echo "$dwarn"
	echo "LINT not-ok rustdoc"
else
	echo "LINT ok rustdoc"
fi

echo "== compile-fail"
# Misuse of our safe abstractions must not compile (tools/testing/compile_fail/).
"$top/scripts/compile-fail-inner.sh" "$tree" "$rbuild"
