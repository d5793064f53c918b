#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench` in the guest: ns per call of a patchable function in four states,
# then how long enabling and disabling a patch take.
# Prints "KLP-BENCH <state> <median> <min> <max>" (ns) and "KLP-BENCH-LAT <op> <us>"
# lines for the host.

klp=/sys/kernel/livepatch
dbg=/sys/kernel/debug/klp_bench
calls=${1:-1000000} rounds=${2:-11}
cd /bench || exit 1

wait_transition() { # patch
	for _ in $(seq 600); do
		[ "$(cat "$klp/$1/transition" 2>/dev/null)" = 0 ] && return 0
		sleep 0.1
	done
	echo "KLP-BENCH-ERROR $1 still in transition"
	return 1
}
in_transition() { # patch
	[ "$(cat "$klp/$1/transition" 2>/dev/null)" = 1 ] ||
		echo "KLP-BENCH-ERROR $1 is not in transition"
}
unload() { # module: the patch's module is put shortly after the patch is freed
	for _ in $(seq 100); do
		rmmod "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "KLP-BENCH-ERROR cannot remove $1"
	return 1
}
measure() { # state: median, fastest and slowest round
	echo "KLP-BENCH $1 $(cut -d' ' -f1-3 "$dbg/run")"
}

insmod klp_bench_target.ko calls="$calls" rounds="$rounds" || exit 1
measure unpatched

# A kthread parked in the original klp_bench_block_fn holds the patching
# transition open.
echo 1 >"$dbg/block"
sleep 0.5
insmod klp_bench_lp.ko || exit 1
sleep 0.5
in_transition klp_bench_lp
measure transition
echo 0 >"$dbg/block"
wait_transition klp_bench_lp
measure patched

# Parked in the patched function, the kthread holds open an atomic replace
# whose no-op now sits on top of klp_bench_fn's stack.
echo 1 >"$dbg/block"
sleep 0.5
insmod klp_bench_replace.ko || exit 1
sleep 0.5
in_transition klp_bench_replace
measure nop
echo 0 >"$dbg/block"
wait_transition klp_bench_replace

echo 0 >"$klp/klp_bench_replace/enabled"
for _ in $(seq 100); do [ -e "$klp/klp_bench_replace" ] || break; sleep 0.1; done
unload klp_bench_replace && unload klp_bench_lp || exit 1

# Transition latency, median of the rounds: enabling klp_bench_lp (insmod until
# its transition is over) and disabling it (echo 0 until the patch is freed).
# Nothing blocks these transitions; the polls are shell builtins.
now_us() { echo $(($(date +%s%N) / 1000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
enable= disable=
for _ in $(seq "$rounds"); do
	t0=$(now_us)
	insmod klp_bench_lp.ko || exit 1
	while read -r t <"$klp/klp_bench_lp/transition" && [ "$t" != 0 ]; do :; done
	t1=$(now_us)
	echo 0 >"$klp/klp_bench_lp/enabled"
	while [ -e "$klp/klp_bench_lp" ]; do :; done
	t2=$(now_us)
	unload klp_bench_lp || exit 1
	enable="$enable $((t1 - t0))" disable="$disable $((t2 - t1))"
done
echo "KLP-BENCH-LAT enable $(printf '%s\n' $enable | median)"
echo "KLP-BENCH-LAT disable $(printf '%s\n' $disable | median)"

unload klp_bench_target
echo "KLP-BENCH-DONE"
