#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-fentry`: what ftrace sites in Rust code cost, on the Rust-core
# kernel of TOOLCHAIN=next (rustc 1.98 emits them there):
# - .text of the Rust objects of vmlinux with the sites, against the same
#   objects built in a second O= folder without them (RUSTC_FLAGS_FTRACE=);
# - instructions per call of a function with an unused site (a 5-byte NOP)
#   and of its notrace twin, in C and in Rust (klp_bench_fentry), on QEMU's
#   instruction-counting clock (1 guest ns = 1 instruction).
#   usage: bench-fentry.sh [CALLS [ROUNDS]]

. "$(dirname "$0")/lib.sh"

calls=${1:-1000000} rounds=${2:-11}
[ "$TOOLCHAIN" = next ] || die "bench-fentry needs TOOLCHAIN=next (the Makefile sets it)"
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
build=$("$TOP/scripts/kernel.sh" "$root" "$tree" rust)
broot=$(build_root "$root")

# The Rust objects linked into vmlinux (rust/*.o and the core's crate).
objs="rust/core.o rust/compiler_builtins.o rust/ffi.o rust/build_error.o rust/pin_init.o
	rust/zerocopy.o rust/bindings.o rust/uapi.o rust/kernel.o kernel/livepatch/rs/klp.o"
nofentry=$build-nofentry
log=$LOGDIR/build-rust-next-nofentry.log
phase "building the Rust objects without ftrace sites in $nofentry (log: $log)"
mkdir -p "$nofentry"
cmp -s "$build/.config" "$nofentry/.config" || cp "$build/.config" "$nofentry/.config"
logged "$log" "$TOP/scripts/chroot.sh" "$broot" $(toolchain_env) \
	make -C "$tree" O="$nofentry" LLVM=-22 CC="ccache clang-22" RUSTC_FLAGS_FTRACE= \
	-j"$JOBS" olddefconfig prepare rust/ kernel/livepatch/
# text_size DIR: "<object> <bytes>", the .text* sections of each object.
text_size() {
	"$TOP/scripts/chroot.sh" "$broot" bash -c '
		cd "$1"; shift
		for o in "$@"; do
			[ -e "$o" ] || continue
			llvm-size-22 -A "$o" | awk -v o="$o" "\$1 ~ /^\\.text/ { s += \$2 } END { printf \"%s %d\\n\", o, s }"
		done' text-size "$1" $objs
}
declare -A with without
while read -r o s; do with[$o]=$s; done < <(text_size "$build")
while read -r o s; do without[$o]=$s; done < <(text_size "$nofentry")

out=$LOGDIR/bench-fentry
mkdir -p "$out"
phase "timing calls on the icount clock (log: $out/console.log)"
KLP_GUEST_LOGDIR=$out KLP_ICOUNT=1 \
	"$TOP/scripts/qemu.sh" "$root" "$build" rust bench fentry "$calls" "$rounds"
console=$out/console.log
grep -q 'KLP-BENCH-DONE' "$console" || die "the benchmark did not complete; see $console"
declare -A med lo hi
for f in c-site c-nosite rust-site rust-nosite; do
	read -r m a b < <(tr -d '\r' <"$console" | sed -n "s/^KLP-BENCH-FENTRY $f //p" | tail -n 1)
	[ -n "${b:-}" ] || die "no $f figure; see $console"
	med[$f]=$m lo[$f]=$a hi[$f]=$b
done

csv=$LOGDIR/bench-fentry.csv
echo "what,with_sites,without_sites" >"$csv"
echo
echo ".text bytes of vmlinux's Rust objects, with and without ftrace sites:"
printf '%-28s %12s %12s %9s\n' object "with sites" without growth
tw=0 to=0
for o in $objs; do
	w=${with[$o]:-} n=${without[$o]:-}
	[ -n "$w" ] && [ -n "$n" ] || continue
	tw=$((tw + w)) to=$((to + n))
	echo "$o,$w,$n" >>"$csv"
	printf '%-28s %12d %12d %8s%%\n' "$o" "$w" "$n" \
		"$(awk -v a="$w" -v b="$n" 'BEGIN { printf "%.2f", b ? (a - b) * 100 / b : 0 }')"
done
printf '%-28s %12d %12d %8s%%\n' total "$tw" "$to" \
	"$(awk -v a="$tw" -v b="$to" 'BEGIN { printf "%.2f", b ? (a - b) * 100 / b : 0 }')"
echo "total,$tw,$to" >>"$csv"
echo
echo "instructions per call (icount clock; $calls calls per round, median of $rounds"
echo "rounds, spread = (slowest - fastest) / median):"
per_call() { awk -v t="$1" -v n="$calls" 'BEGIN { printf "%.3f", t / n }'; }
spread() { awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN { if (m > 0) printf "%.1f%%", (b - a) * 100 / m; else print "-" }'; }
printf '%-6s %12s %8s %12s %8s %10s\n' "" "with site" spread "notrace" spread "site cost"
for l in c rust; do
	s=${med[$l-site]} n=${med[$l-nosite]}
	printf '%-6s %12s %8s %12s %8s %10s\n' "$l" "$(per_call "$s")" \
		"$(spread "$s" "${lo[$l-site]}" "${hi[$l-site]}")" "$(per_call "$n")" \
		"$(spread "$n" "${lo[$l-nosite]}" "${hi[$l-nosite]}")" \
		"$(awk -v a="$s" -v b="$n" -v c="$calls" 'BEGIN { printf "%.3f", (a - b) / c }')"
	echo "call-$l,$(per_call "$s"),$(per_call "$n")" >>"$csv"
done
echo "# CSV: $csv"
