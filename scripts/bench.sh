#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: boot the C-core and the Rust-core kernels one after the other
# and time calls of a patchable function in four states, and enabling and
# disabling a patch; then how long a transition takes to finish once its last
# blocker leaves, enabling and disabling a patch of 1,000 functions and the
# memory it takes per function, and the cost of one transition pass over
# thousands of blocked tasks; first on QEMU's instruction-counting clock
# (guest ns are instructions: the figures repeat from run to run), then on the
# host's clock. Prints, per clock, tables with each figure's median and spread
# for both cores and the Rust/C ratio; saves CSV in the log folder.
#   usage: bench.sh [CALLS [ROUNDS]]
# BENCH_CLOCKS="icount wall" (default) picks the clocks.
# BENCH_RELEASE_ROUNDS (9) rounds of release to complete; BENCH_MANY_ROUNDS
# of the 1,000-function patch (3 on the icount clock, 1 on the wall clock,
# where the C core takes over two minutes of real time to disable it);
# BENCH_PASS_THREADS (10000) blocked kthreads and BENCH_PASS_ROUNDS (3) rounds
# of the pass cost.

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
release_rounds=${BENCH_RELEASE_ROUNDS:-9}
declare -A many_rounds=([icount]=${BENCH_MANY_ROUNDS:-3} [wall]=${BENCH_MANY_ROUNDS:-1})
pass_threads=${BENCH_PASS_THREADS:-10000} pass_rounds=${BENCH_PASS_ROUNDS:-3}
# The other figures: "<guest line tag> <name> <unit>". MEM figures are bytes
# per function of the 1,000-function patch, median of its rounds.
figures=("LAT release-to-complete us"
	"LAT many-enable us" "LAT many-disable us"
	"MEM many-slab B/func" "MEM many-vmalloc B/func" "MEM many-percpu B/func"
	"MEM many-total B/func" "MEM many-module B/func"
	"LAT pass-1 us" "LAT pass-$pass_threads us" "NS pass-per-task ns")
fcsv=$LOGDIR/bench-figures.csv
echo "clock,core,figure,unit,median,min,max" >"$fcsv"
declare -A fv flo fhi

for core in c rust; do
	build[$core]=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
done

for clock in $clocks; do
	case $clock in icount | wall) ;; *) die "BENCH_CLOCKS: icount or wall, not '$clock'" ;; esac
	for core in c rust; do
		out=$LOGDIR/bench/$clock-$core
		mkdir -p "$out"
		phase "bench on the $core core, $clock clock (log: $out/console.log)"
		# Per round of the 1,000-function patch, the C core takes up to
		# about 3 minutes of guest time (disabling it); a round of the pass
		# cost about 40 s.
		KLP_QEMU_TIMEOUT=${KLP_QEMU_TIMEOUT:-$((1200 + 200 * ${many_rounds[$clock]} + 60 * pass_rounds))} \
		KLP_GUEST_LOGDIR=$out KLP_ICOUNT=$([ $clock = icount ] && echo 1) \
			"$TOP/scripts/qemu.sh" "$root" "${build[$core]}" "$core" bench "$calls" "$rounds" \
			"$release_rounds" "${many_rounds[$clock]}" "$pass_threads" "$pass_rounds"
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
		for f in "${figures[@]}"; do
			read -r tag name unit <<<"$f"
			read -r v min max < <(tr -d '\r' <"$console" | sed -n "s/^KLP-BENCH-$tag $name //p" | tail -n 1)
			[ -n "${max:-}" ] || die "no $name figure from the $core core; see $console"
			fv[$clock,$core,$name]=$v flo[$clock,$core,$name]=$min fhi[$clock,$core,$name]=$max
			echo "$clock,$core,$name,$unit,$v,$min,$max" >>"$fcsv"
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
	echo "release-to-complete: us from releasing the last task that blocks a transition"
	echo "until it is over (rounds: $release_rounds); many-*: a patch of 1,000 functions"
	echo "(rounds: ${many_rounds[$clock]}), us to enable and disable it, kernel memory it takes"
	echo "(/proc/meminfo: Slab, VmallocUsed, Percpu, their sum; many-module is the patch"
	echo "module's own size, counted in VmallocUsed by both cores); pass-N: us of the"
	echo "insmod that runs a 100-function patch's first transition pass with N kthreads"
	echo "asleep in the patched functions (rounds: $pass_rounds), and the difference per"
	echo "blocked task; median of the rounds, spread = (largest - smallest) / median:"
	printf '%-20s %-7s %10s %8s %10s %8s %8s\n' figure unit "C core" spread "Rust core" spread Rust/C
	for f in "${figures[@]}"; do
		read -r tag name unit <<<"$f"
		c=${fv[$clock,c,$name]} r=${fv[$clock,rust,$name]}
		printf '%-20s %-7s %10s %8s %10s %8s %8s\n' "$name" "$unit" \
			"$c" "$(spread "$c" "${flo[$clock,c,$name]}" "${fhi[$clock,c,$name]}")" \
			"$r" "$(spread "$r" "${flo[$clock,rust,$name]}" "${fhi[$clock,rust,$name]}")" \
			"$(ratio "$r" "$c")"
	done
done
echo
echo "CSV: $csv $lcsv $fcsv"
