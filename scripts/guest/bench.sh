#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench` in the guest: ns per call of a patchable function in four states,
# then how long enabling and disabling a patch take; how long a blocked
# transition takes to finish once its last blocker leaves; enabling and
# disabling a patch of 1,000 functions, and the memory it takes; the cost of
# one transition pass over thousands of blocked tasks.
# Prints "KLP-BENCH <state> <median> <min> <max>" (ns), "KLP-BENCH-LAT <op> <us>"
# and "KLP-BENCH-LAT <op> <median> <min> <max>" (us), "KLP-BENCH-NS <op> <median>
# <min> <max>" (ns) and "KLP-BENCH-MEM <what> <median> <min> <max>" (bytes)
# lines for the host.
#   usage: run.sh [CALLS [ROUNDS [RELEASE_ROUNDS [MANY_ROUNDS [PASS_THREADS [PASS_ROUNDS]]]]]]

klp=/sys/kernel/livepatch
dbg=/sys/kernel/debug/klp_bench
cd /bench || exit 1

# `make bench-fentry` (run.sh fentry CALLS ROUNDS): only the cost of an unused
# ftrace site, in C and in Rust ("KLP-BENCH-FENTRY <fn> <median> <min> <max>",
# ns per round of CALLS calls).
if [ "${1:-}" = fentry ]; then
	insmod klp_bench_fentry.ko calls="${2:-1000000}" rounds="${3:-11}" 2>/dev/null
	dmesg | sed -n 's/.*klp_bench_fentry: \([a-z-]*\) \([0-9 ]*\)$/KLP-BENCH-FENTRY \1 \2/p'
	echo "KLP-BENCH-DONE"
	exit 0
fi

calls=${1:-1000000} rounds=${2:-11}
release_rounds=${3:-9} many_rounds=${4:-3} pass_threads=${5:-10000} pass_rounds=${6:-3}

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

# median, fastest and slowest of the numbers on stdin
stats() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'; }
# Until the patch's transition is over, or its sysfs folder gone: polled
# every 10 ms rather than in a busy loop, because these waits can be long (the
# C core takes minutes to disable a 1,000-function patch) and a busy shell
# would take the CPU from the work it waits for; on the instruction-counting
# clock an idle guest also costs the host next to nothing. The 10 ms are a
# read with a timeout from a pipe nobody writes to (a shell builtin: an
# external sleep's fork and exec every 10 ms would cost the host more than the
# wait itself). At most 10 minutes.
exec {nap}<> <(:)
nap() { read -r -t 0.01 -u "$nap" _ || :; }
poll_transition() { # patch
	local t i
	for ((i = 0; i < 60000; i++)); do
		read -r t <"$klp/$1/transition" && [ "$t" = 0 ] && return 0
		nap
	done
	echo "KLP-BENCH-ERROR $1 still in transition"
	return 1
}
poll_gone() { # patch
	local i
	for ((i = 0; i < 60000; i++)); do
		[ -e "$klp/$1" ] || return 0
		nap
	done
	echo "KLP-BENCH-ERROR $1 not freed"
	return 1
}
disable() { # patch: disable it, wait until it is freed, remove its module
	echo 0 >"$klp/$1/enabled" && poll_gone "$1" && unload "$1"
}

# Release to complete: the blocker parked in klp_bench_block_fn holds the
# patching transition open; after a wait that differs from round to round
# (0.3 to 3 s, so that the release falls anywhere between two of the C core's
# once-a-second retries) the blocker is released at t0 and transition is
# polled in a busy loop until it reads 0, at t1. t1 - t0, in us.
release=
for ((i = 0; i < release_rounds; i++)); do
	echo 1 >"$dbg/block"
	sleep 0.2
	insmod klp_bench_lp.ko || exit 1
	in_transition klp_bench_lp
	ms=$((300 + i * 1130 % 2700))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	in_transition klp_bench_lp
	t0=$(now_us)
	echo 0 >"$dbg/block"
	while read -r t <"$klp/klp_bench_lp/transition" && [ "$t" != 0 ]; do :; done
	t1=$(now_us)
	release="$release $((t1 - t0))"
	disable klp_bench_lp || exit 1
done
echo "KLP-BENCH-LAT release-to-complete $(printf '%s\n' $release | stats)"
unload klp_bench_target

# A patch of 1,000 functions: us from insmod until its transition is over
# (enable), and from echo 0 until its sysfs folder is gone (disable); kernel
# memory (/proc/meminfo, kB) before the insmod, with the target loaded, and
# once the transition is over, after dropping the reclaimable slab caches
# (dentries and inodes come and go with any file access) both times.
many=klp_bench_many_lp manydbg=/sys/kernel/debug/klp_bench_many
meminfo() {
	sync
	echo 2 >/proc/sys/vm/drop_caches
	awk '$1 == "Slab:" { s = $2 } $1 == "VmallocUsed:" { v = $2 } $1 == "Percpu:" { p = $2 }
		END { print s, v, p }' /proc/meminfo
}
check_sum() { # expected: the target's 1,000 functions called through whatever is patched
	local sum
	read -r sum <"$manydbg/sum"
	[ "$sum" = "$1" ] || echo "KLP-BENCH-ERROR $many: sum $sum, expected $1"
}
insmod klp_bench_many_target.ko || exit 1
check_sum 1502500
menable= mdisable= mslab= mvmalloc= mpercpu= mtotal= msize=
for ((i = 0; i < many_rounds; i++)); do
	read -r s0 v0 p0 < <(meminfo)
	t0=$(now_us)
	insmod $many.ko || exit 1
	# Whether the insmod's own attempt finished the transition, or a retry
	# (a second later) had to: the round line says, to explain the spread.
	read -r tr <"$klp/$many/transition"
	ti=$(now_us)
	poll_transition $many || exit 1
	t1=$(now_us)
	read -r s1 v1 p1 < <(meminfo)
	check_sum 2504500
	msize=$(awk -v m=$many '$1 == m { print $2 }' /proc/modules)
	t2=$(now_us)
	echo 0 >"$klp/$many/enabled"
	poll_gone $many || exit 1
	t3=$(now_us)
	unload $many || exit 1
	check_sum 1502500
	menable="$menable $((t1 - t0))" mdisable="$mdisable $((t3 - t2))"
	# kB for 1,000 functions: bytes per function
	mslab="$mslab $(((s1 - s0) * 1024 / 1000))"
	mvmalloc="$mvmalloc $(((v1 - v0) * 1024 / 1000))"
	mpercpu="$mpercpu $(((p1 - p0) * 1024 / 1000))"
	mtotal="$mtotal $(((s1 - s0 + v1 - v0 + p1 - p0) * 1024 / 1000))"
	echo "KLP-BENCH-ROUND many $i: enable $((t1 - t0)) us (insmod $((ti - t0)) us," \
		"then transition $tr), disable $((t3 - t2)) us," \
		"Slab $s0 -> $s1 kB, VmallocUsed $v0 -> $v1 kB, Percpu $p0 -> $p1 kB, module $msize B"
done
unload klp_bench_many_target
echo "KLP-BENCH-LAT many-enable $(printf '%s\n' $menable | stats)"
echo "KLP-BENCH-LAT many-disable $(printf '%s\n' $mdisable | stats)"
echo "KLP-BENCH-MEM many-slab $(printf '%s\n' $mslab | stats)"
echo "KLP-BENCH-MEM many-vmalloc $(printf '%s\n' $mvmalloc | stats)"
echo "KLP-BENCH-MEM many-percpu $(printf '%s\n' $mpercpu | stats)"
echo "KLP-BENCH-MEM many-total $(printf '%s\n' $mtotal | stats)"
# The patch module's own size (in both cores' VmallocUsed alike), per function.
echo "KLP-BENCH-MEM many-module $((msize / 1000)) $((msize / 1000)) $((msize / 1000))"

# One transition pass over blocked tasks: N kthreads asleep in the 100
# functions klp_bench_pass_lp replaces. The insmod runs the transition's
# first pass (klp_enable_patch() tries to complete it at once, and fails: every
# kthread blocks it; the next try is a second later, in a worker), so the
# insmod's time with N threads minus its time with 1 is what the N - 1 more
# tasks cost: the pass's stack checks, and the loops over all tasks that start
# the transition. Both times, in us, and the difference per task, in ns.
pass=klp_bench_pass_lp passdbg=/sys/kernel/debug/klp_bench_pass
# The default limit (memory / 128 kB) is below 10,000 threads in 1 GB.
tmax=$(cat /proc/sys/kernel/threads-max)
[ "$tmax" -ge $((pass_threads + 1000)) ] || echo $((pass_threads + 1000)) >/proc/sys/kernel/threads-max
insmod klp_bench_pass_target.ko || exit 1
pass1= passn= passtask=
for ((i = 0; i < pass_rounds; i++)); do
	for n in 1 "$pass_threads"; do
		s0=$(now_us)
		echo "$n" >"$passdbg/threads" || { echo "KLP-BENCH-ERROR cannot start $n kthreads"; exit 1; }
		s1=$(now_us)
		avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
		# Let the new threads' wake-ups and the allocations settle.
		sleep 0.5
		t0=$(now_us)
		insmod $pass.ko || exit 1
		t1=$(now_us)
		in_transition $pass
		echo 0 >"$passdbg/threads"
		s2=$(now_us)
		poll_transition $pass || exit 1
		disable $pass || exit 1
		echo "KLP-BENCH-ROUND pass $i: $n threads started in $((s1 - s0)) us" \
			"(then $avail kB available), insmod $((t1 - t0)) us, threads stopped in $((s2 - t1)) us"
		if [ "$n" = 1 ]; then
			pass1="$pass1 $((t1 - t0))" one=$((t1 - t0))
		else
			passn="$passn $((t1 - t0))"
			passtask="$passtask $(((t1 - t0 - one) * 1000 / (n - 1)))"
		fi
	done
done
unload klp_bench_pass_target
echo "KLP-BENCH-LAT pass-1 $(printf '%s\n' $pass1 | stats)"
echo "KLP-BENCH-LAT pass-$pass_threads $(printf '%s\n' $passn | stats)"
echo "KLP-BENCH-NS pass-per-task $(printf '%s\n' $passtask | stats)"

echo "KLP-BENCH-DONE"
