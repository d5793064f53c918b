#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: boot the C-core and the Rust-core kernels one after the other
# and time calls of a patchable function in four states, and enabling and
# disabling a patch; first on QEMU's instruction-counting clock (guest ns are
# instructions: the figures repeat from run to run), then on the host's clock.
# Prints, per clock, a table with each figure's median and spread for both
# cores and the Rust/C ratio; saves CSV in the log folder.
#   usage: bench.sh [CALLS [ROUNDS]]
# BENCH_CLOCKS="icount wall" (default) picks the clocks.

. "$(dirname "$0")/lib.sh"

calls=${1:-1000000} rounds=${2:-11}
clocks=${BENCH_CLOCKS:-icount wall}
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
states="unpatched transition patched nop"
csv=$LOGDIR/bench.csv
echo "clock,core,state,ns_per_call,min,max" >"$csv"
declare -A ns lo hi lat build
ops="enable disable"
lcsv=$LOGDIR/bench-transition.csv
echo "clock,core,op,us" >"$lcsv"

for core in c rust; do
	build[$core]=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
done

for clock in $clocks; do
	case $clock in icount | wall) ;; *) die "BENCH_CLOCKS: icount or wall, not '$clock'" ;; esac
	for core in c rust; do
		out=$LOGDIR/bench/$clock-$core
		mkdir -p "$out"
		phase "bench on the $core core, $clock clock (log: $out/console.log)"
		KLP_GUEST_LOGDIR=$out KLP_ICOUNT=$([ $clock = icount ] && echo 1) \
			"$TOP/scripts/qemu.sh" "$root" "${build[$core]}" "$core" bench "$calls" "$rounds"
		console=$out/console.log
		if grep -q 'KLP-BENCH-ERROR' "$console" || ! grep -q 'KLP-BENCH-DONE' "$console"; then
			grep 'KLP-BENCH-ERROR' "$console" >&2 || true
			die "the $core-core benchmark did not complete; see $console"
		fi
		for s in $states; do
			read -r v min max < <(tr -d '\r' <"$console" | sed -n "s/^KLP-BENCH $s //p" | tail -n 1)
			[ -n "${max:-}" ] || die "no $s measurement from the $core core; see $console"
			ns[$clock,$core,$s]=$v lo[$clock,$core,$s]=$min hi[$clock,$core,$s]=$max
			echo "$clock,$core,$s,$v,$min,$max" >>"$csv"
		done
		for o in $ops; do
			v=$(tr -d '\r' <"$console" | sed -n "s/^KLP-BENCH-LAT $o //p" | tail -n 1)
			[ -n "$v" ] || die "no $o latency from the $core core; see $console"
			lat[$clock,$core,$o]=$v
			echo "$clock,$core,$o,$v" >>"$lcsv"
		done
	done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
# spread(median, min, max): (max - min) / median, in percent.
spread() { awk -v m="$1" -v a="$2" -v b="$3" 'BEGIN { if (m > 0) printf "%.1f%%", (b - a) * 100 / m; else print "-" }'; }

for clock in $clocks; do
	echo
	if [ $clock = icount ]; then
		echo "icount clock (1 guest ns = 1 instruction; deterministic):"
	else
		echo "wall clock (host time under TCG; noisy, only ratios within one run mean much):"
	fi
	echo "ns per call of klp_bench_fn ($calls calls per round, median of $rounds rounds,"
	echo "spread = (slowest - fastest) / median):"
	printf '%-12s %12s %8s %12s %8s %8s\n' state "C core" spread "Rust core" spread Rust/C
	for s in $states; do
		c=${ns[$clock,c,$s]} r=${ns[$clock,rust,$s]}
		printf '%-12s %12s %8s %12s %8s %8s\n' "$s" \
			"$c" "$(spread "$c" "${lo[$clock,c,$s]}" "${hi[$clock,c,$s]}")" \
			"$r" "$(spread "$r" "${lo[$clock,rust,$s]}" "${hi[$clock,rust,$s]}")" \
			"$(ratio "$r" "$c")"
	done
	c=$(awk -v p="${ns[$clock,c,patched]}" -v u="${ns[$clock,c,unpatched]}" 'BEGIN { printf "%.3f", p - u }')
	r=$(awk -v p="${ns[$clock,rust,patched]}" -v u="${ns[$clock,rust,unpatched]}" 'BEGIN { printf "%.3f", p - u }')
	printf '%-12s %12s %8s %12s %8s %8s\n' overhead "$c" "" "$r" "" "$(ratio "$r" "$c")"
	echo "us to enable klp_bench_lp (insmod until transition 0) and to disable it (until"
	echo "freed), median of $rounds rounds:"
	printf '%-12s %12s %21s %8s\n' op "C core" "Rust core" Rust/C
	for o in $ops; do
		c=${lat[$clock,c,$o]} r=${lat[$clock,rust,$o]}
		printf '%-12s %12s %21s %8s\n' "$o" "$c" "$r" "$(ratio "$r" "$c")"
	done
done
echo
echo "CSV: $csv $lcsv"
