#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: boot the C-core and the Rust-core kernels one after the other
# and time calls of a patchable function in four states, and enabling and
# disabling a patch. Prints a table per kernel and the Rust/C ratio per row;
# saves CSV in the log folder.
#   usage: bench.sh [CALLS [ROUNDS]]

. "$(dirname "$0")/lib.sh"

calls=${1:-1000000} rounds=${2:-11}
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
states="unpatched transition patched nop"
csv=$LOGDIR/bench.csv
echo "core,state,ns_per_call" >"$csv"
declare -A ns lat
ops="enable disable"
lcsv=$LOGDIR/bench-transition.csv
echo "core,op,us" >"$lcsv"
for core in c rust; do
	build=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
	"$TOP/scripts/qemu.sh" "$root" "$build" "$core" bench "$calls" "$rounds"
	console=$LOGDIR/$core/console.log
	if grep -q 'KLP-BENCH-ERROR' "$console" || ! grep -q 'KLP-BENCH-DONE' "$console"; then
		grep 'KLP-BENCH-ERROR' "$console" >&2 || true
		die "the $core-core benchmark did not complete; see $console"
	fi
	for s in $states; do
		v=$(tr -d '\r' <"$console" | sed -n "s/^KLP-BENCH $s //p" | tail -n 1)
		[ -n "$v" ] || die "no $s measurement from the $core core; see $console"
		ns[$core,$s]=$v
		echo "$core,$s,$v" >>"$csv"
	done
	for o in $ops; do
		v=$(tr -d '\r' <"$console" | sed -n "s/^KLP-BENCH-LAT $o //p" | tail -n 1)
		[ -n "$v" ] || die "no $o latency from the $core core; see $console"
		lat[$core,$o]=$v
		echo "$core,$o,$v" >>"$lcsv"
	done
done

echo
echo "ns per call of klp_bench_fn ($calls calls per round, median of $rounds rounds)"
echo "QEMU/TCG timings are noisy; only the Rust/C ratio within one run means anything."
for core in c rust; do
	echo
	echo "$core core:"
	printf '  %-12s %12s\n' state ns/call
	for s in $states; do printf '  %-12s %12s\n' "$s" "${ns[$core,$s]}"; done
done
echo
echo "Rust/C, same run:"
printf '%-12s %12s %12s %10s\n' state "C core" "Rust core" "Rust/C"
for s in $states; do
	c=${ns[c,$s]} r=${ns[rust,$s]}
	printf '%-12s %12s %12s %10s\n' "$s" "$c" "$r" \
		"$(awk -v a="$r" -v b="$c" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')"
done
echo
echo "us to enable klp_bench_lp (insmod until transition 0) and to disable it (until"
echo "freed), median of $rounds rounds; Rust/C, same run:"
printf '%-12s %12s %12s %10s\n' op "C core" "Rust core" "Rust/C"
for o in $ops; do
	c=${lat[c,$o]} r=${lat[rust,$o]}
	printf '%-12s %12s %12s %10s\n' "$o" "$c" "$r" \
		"$(awk -v a="$r" -v b="$c" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')"
done
echo "CSV: $csv $lcsv"
