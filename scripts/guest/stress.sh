#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make stress` in the guest. CYCLES operations (enable a stacking patch,
# disable a patch, atomic replace), each started and waited for, on the three
# stress patches a, b (stacking) and r (replace), picked by a PRNG seeded with
# SEED so that every kernel runs the same sequence. Meanwhile 64 processes call
# the patched getpid(), a loop loads and unloads the module the patches target,
# and a kthread now and then sleeps in a patched function, holding transitions
# up. Then three transitions held open by the kthread are finished with
# `force`, and everything is removed and checked.
#   usage: stress.sh [CYCLES [SEED]]
# Prints for the host: "KLP-STRESS <figure> <value>", "KLP-STRESS-CHECK
# ok|not-ok <what>", "KLP-STRESS-ERROR <what>", "KLP-STRESS-PHASE <what>",
# "KLP-STRESS-OP <cycle> <op> ..." per cycle and "KLP-STRESS-DONE" at the end.

cycles=${1:-300} seed=${2:-1}
workers=64
timeout_s=60	# longest wait for one transition before giving up
klp=/sys/kernel/livepatch
blk=/sys/kernel/debug/klp_stress_blocker
cd /stress || exit 1

errors=0 timeouts=0 done_cycles=0
enables=0 disables=0 replaces=0 blocked=0 forced=0 cleanup_forced=0
patched_calls=0 rounds=0 load_bad=0 load_fail=0
calls=0 wrong=0 lost=0 hammer_rc=0 sleeps=0
cycle_ms=()
stack=		# letters of the enabled stress patches, oldest first

figure() { echo "KLP-STRESS $1 $2"; }
check() { echo "KLP-STRESS-CHECK $1 $2"; }
progress() { echo "KLP-STRESS-PHASE stress: $*"; }
err() { echo "KLP-STRESS-ERROR $*"; errors=$((errors + 1)); }

# Sleep without a fork: nothing is ever written to this fifo.
mkfifo /tmp/nap && exec 9<>/tmp/nap
nap() { read -r -t "$1" -u 9 _; }
now_us() { now=${EPOCHREALTIME/./}; }

# Slab in use, in kB, after dropping the caches that can be dropped: the
# kmalloc caches' active objects (livepatch allocates from them) when
# /proc/slabinfo exists (SLUB_DEBUG), else SUnreclaim from /proc/meminfo.
slab_source=meminfo-SUnreclaim
[ -r /proc/slabinfo ] && slab_source=slabinfo-kmalloc
slab_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	nap 1
	if [ $slab_source = slabinfo-kmalloc ]; then
		awk '$1 ~ /^kmalloc-/ { b += $2 * $4 } END { printf "%d\n", b / 1024 }' /proc/slabinfo
	else
		awk '$1 == "SUnreclaim:" { print $2 }' /proc/meminfo
	fi
}

# Adds up the getpid() calls that went through a patch module's version.
count_calls() { # module
	local c
	read -r c <"/sys/module/$1/parameters/getpid_calls" 2>/dev/null &&
		patched_calls=$((patched_calls + c))
}

# A patch's module is put shortly after its patch is freed: retry rmmod.
unload() { # module
	local i
	count_calls "$1"
	for ((i = 0; i < 100; i++)); do
		rmmod "$1" 2>/dev/null && return 0
		nap 0.1
	done
	err "cannot remove $1"
	return 1
}

# Wait until patch $1's transition is over ($2 = transition) or the patch is
# freed ($2 = gone). $3 is the version of klp_stress_block_fn() that is
# current once the transition is over: while the kthread sleeps in another
# one, it holds the transition up (sets was_blocked). Returns 2 on timeout.
wait_done() { # patch transition|gone version
	local t in start
	now_us; start=$now
	while :; do
		if [ "$2" = gone ]; then
			[ -e "$klp/$1" ] || return 0
		else
			read -r t <"$klp/$1/transition" || { err "$1: no transition file"; return 1; }
			[ "$t" = 0 ] && return 0
		fi
		read -r in <"$blk/in"
		[ "$in" != - ] && [ "$in" != "$3" ] && was_blocked=1
		now_us
		if ((now - start > timeout_s * 1000000)); then
			err "$1: transition not over after ${timeout_s}s"
			timeouts=$((timeouts + 1))
			return 2
		fi
		nap 0.05
	done
}

# Where a patch module's code is, to place the RIP of an oops in freed module
# text: .text of every load, and the functions' addresses at the first load
# (the layout within .text is the same every time).
where() { # module
	local t
	read -r t <"/sys/module/$1/sections/.text" 2>/dev/null
	echo "KLP-STRESS-MOD $1 .text=$t"
	if [ -z "${shown[$1]}" ]; then
		shown[$1]=1
		grep "\[$1\]" /proc/kallsyms | sed "s/^/KLP-STRESS-MOD $1 /"
	fi
}
declare -A shown

enable() { # letter
	local m=klp_stress_$1
	insmod "$m.ko" || { err "insmod $m failed"; return 1; }
	where "$m"
	wait_done "$m" transition "$1" || return
	stack+=$1
	enables=$((enables + 1))
}

disable() { # letter
	local m=klp_stress_$1 rest=${stack//$1/}
	local after=${rest: -1}
	echo 0 >"$klp/$m/enabled" || { err "disabling $m failed"; return 1; }
	wait_done "$m" gone "${after:-o}" || return
	stack=$rest
	disables=$((disables + 1))
	unload "$m"
}

replace() {
	local i m
	insmod klp_stress_r.ko || { err "insmod klp_stress_r failed"; return 1; }
	where klp_stress_r
	wait_done klp_stress_r transition r || return
	# The replaced patches are freed, and their modules put, asynchronously.
	for ((i = 0; i < ${#stack}; i++)); do
		m=klp_stress_${stack:i:1}
		wait_done "$m" gone r || return
		unload "$m" || return
	done
	stack=r
	replaces=$((replaces + 1))
}

# Disable whatever patch is left, forcing a transition that does not end.
disable_all() {
	local p try
	for ((try = 0; try < 5; try++)); do
		for p in "$klp"/*; do
			[ -e "$p" ] || continue
			p=${p##*/}
			if [ "$(cat "$klp/$p/transition" 2>/dev/null)" = 1 ]; then
				wait_done "$p" transition - && continue
				echo 1 >"$klp/$p/force" && cleanup_forced=$((cleanup_forced + 1))
				err "$p: teardown forced its transition"
				continue
			fi
			echo 0 >"$klp/$p/enabled" 2>/dev/null || continue
			wait_done "$p" gone - && continue
			echo 1 >"$klp/$p/force" && cleanup_forced=$((cleanup_forced + 1))
			err "$p: teardown forced its transition"
		done
	done
	stack=
}

# Then remove the stress patch modules.
unload_all() {
	local p
	for p in a b r; do
		grep -q "^klp_stress_$p " /proc/modules && unload "klp_stress_$p"
	done
}

# The load loop: the target module comes and goes while patches do.
load_loop() {
	local n=0 bad=0 fail=0 v i
	while [ ! -e /tmp/stop-load ]; do
		if ! insmod klp_stress_target.ko 2>/tmp/load.err; then
			fail=$((fail + 1))
			echo "KLP-STRESS-ERROR insmod klp_stress_target: $(cat /tmp/load.err)"
			nap 0.5
			continue
		fi
		read -r v </sys/kernel/debug/klp_stress_target/check
		if [ "$v" != ok ]; then
			bad=$((bad + 1))
			echo "KLP-STRESS-ERROR klp_stress_target check: $v"
		fi
		for ((i = 0; i < 50; i++)); do
			rmmod klp_stress_target 2>/dev/null && break
			nap 0.1
		done
		if [ $i = 50 ]; then
			fail=$((fail + 1))
			echo "KLP-STRESS-ERROR cannot remove klp_stress_target"
			break
		fi
		n=$((n + 1))
	done
	echo "$n $bad $fail" >/tmp/load.result
}

# Start the blocker, the hammer and the load loop.
start_load() {
	insmod klp_stress_blocker.ko seed="$seed" || err "insmod klp_stress_blocker failed"
	./klp_stress_getpid "$workers" 19 >/tmp/hammer.out 2>&1 &
	hammer=$!
	rm -f /tmp/stop-load
	load_loop &
	loader=$!
}

stop_load() {
	local r s
	touch /tmp/stop-load
	wait "$loader"
	kill -TERM "$hammer"
	wait "$hammer"
	r=$?
	[ $r = 0 ] || hammer_rc=$r
	if read -r _ c _ w _ _ _ l </tmp/hammer.out && [[ "$c $w $l" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
		calls=$((calls + c)) wrong=$((wrong + w)) lost=$((lost + l))
	else
		err "no result from the getpid hammer: $(cat /tmp/hammer.out)"
	fi
	if read -r r b f </tmp/load.result && [[ "$r $b $f" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
		rounds=$((rounds + r)) load_bad=$((load_bad + b)) load_fail=$((load_fail + f))
	else
		err "no result from the load loop"
	fi
	grep -q '^klp_stress_target ' /proc/modules && unload klp_stress_target
	read -r s <"$blk/sleeps" && sleeps=$((sleeps + s))
	unload klp_stress_blocker
}

# Park the kthread in klp_stress_block_fn() and wait until it sleeps in
# version $1.
park() { # version
	local i in
	echo 1 >"$blk/park"
	for ((i = 0; i < 100; i++)); do
		read -r in <"$blk/in"
		[ "$in" = "$1" ] && return 0
		nap 0.1
	done
	err "blocker: not parked in version $1 (in $in)"
	return 1
}

unpark() {
	local i in
	echo 0 >"$blk/park"
	for ((i = 0; i < 100; i++)); do
		read -r in <"$blk/in"
		[ "$in" = - ] && return 0
		nap 0.1
	done
	err "blocker: still parked"
	return 1
}

# Patch $1's transition, held open by the parked kthread, must still be
# pending after 2 s; then finish it with force.
force() { # patch transition|gone version
	nap 2
	if [ "$(cat "$klp/$1/transition" 2>/dev/null)" != 1 ]; then
		err "$1: transition not held open by the parked blocker"
	fi
	echo 1 >"$klp/$1/force" || { err "$1: force refused"; return 1; }
	wait_done "$1" "$2" "$3" || return
	forced=$((forced + 1))
}

progress "baseline slab usage"
slab_before=$(slab_kb)
progress "starting the blocker, $workers getpid workers and the load loop"
start_load

progress "$cycles cycles, seed $seed"
rng=$seed seq=
step=$(( cycles >= 20 ? cycles / 20 : 1 ))
now_us; t_start=$now
for ((n = 0; n < cycles; n++)); do
	ops=()
	[[ $stack == *a* ]] || ops+=(ea)
	[[ $stack == *b* ]] || ops+=(eb)
	[[ $stack == *r* ]] || ops+=(rr)
	for ((i = 0; i < ${#stack}; i++)); do ops+=("d${stack:i:1}"); done
	rng=$(( (rng * 1103515245 + 12345) & 0x7fffffff ))
	op=${ops[(rng >> 8) % ${#ops[@]}]}
	seq+=$op
	was_blocked=0
	now_us; t0=$now
	case $op in
	e?) enable "${op:1}" ;;
	d?) disable "${op:1}" ;;
	rr) replace ;;
	esac
	rc=$?
	now_us
	cycle_ms+=($(( (now - t0) / 1000 )))
	echo "KLP-STRESS-OP $n $op rc=$rc ms=${cycle_ms[-1]} blocked=$was_blocked patches=${stack:--}"
	[ $rc = 2 ] && break
	done_cycles=$((done_cycles + 1)) blocked=$((blocked + was_blocked))
	if (( (n + 1) % step == 0 )); then
		progress "cycle $((n + 1))/$cycles ($(( (now - t_start) / 1000000 ))s; $enables enables, $disables disables, $replaces replaces, $blocked blocked)"
	fi
done
now_us; t_end=$now

progress "teardown after the cycles"
disable_all
unload_all
stop_load
slab_after=$(slab_kb)

# Last, the forced transitions: a forced patch's module can never be removed.
progress "three transitions held open by the blocker, finished with force"
if [ $cleanup_forced = 0 ]; then
	start_load
	echo 0 >"$blk/random"
	unpark
	# Enable a while the kthread sleeps in the original.
	park o && insmod klp_stress_a.ko && force klp_stress_a transition a
	# Replace a with r while it sleeps in a's version: a's module stays.
	unpark && park a && insmod klp_stress_r.ko && force klp_stress_r transition r &&
		wait_done klp_stress_a gone r
	count_calls klp_stress_a
	# Disable r while it sleeps in r's version: r's module stays.
	unpark && park r && echo 0 >"$klp/klp_stress_r/enabled" && force klp_stress_r gone o
	count_calls klp_stress_r
	unpark
	disable_all
	stop_load
	# A forced patch's module is never put: these must fail (checked below),
	# after the time an asynchronous put would take.
	nap 1
	rmmod klp_stress_a klp_stress_r 2>/dev/null
else
	err "skipped the forced transitions: teardown had to force"
fi

progress "checks"
left=$(ls -A "$klp")
mods=$(awk '$1 ~ /^klp_stress_/ { print $1 }' /proc/modules | sort | tr '\n' ' ')
mods=${mods% }
kmemleak=-
if [ -e /sys/kernel/debug/kmemleak ]; then
	# Objects must be a few seconds old before kmemleak reports them.
	nap 6
	echo scan >/sys/kernel/debug/kmemleak
	kmemleak=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	sed 's/^/KLP-KMEMLEAK /' /sys/kernel/debug/kmemleak | head -80
fi

ms=$(( (t_end - t_start) / 1000 ))
figure cycles_requested "$cycles"
figure cycles "$done_cycles"
figure seed "$seed"
# FNV-1a of the operations, to compare the sequences of two kernels.
h=2166136261
for ((i = 0; i < ${#seq}; i++)); do
	printf -v c '%d' "'${seq:i:1}"
	h=$(( ((h ^ c) * 16777619) & 0xffffffff ))
done
figure op_digest "$h"
figure seconds "$(awk -v m=$ms 'BEGIN { printf "%.1f", m / 1000 }')"
figure cycles_per_minute "$(awk -v c=$done_cycles -v m=$ms 'BEGIN { printf "%.1f", m ? c * 60000 / m : 0 }')"
figure cycle_ms_median "$(printf '%s\n' "${cycle_ms[@]:-0}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
figure cycle_ms_max "$(printf '%s\n' "${cycle_ms[@]:-0}" | sort -n | tail -n 1)"
figure enables "$enables"
figure disables "$disables"
figure replaces "$replaces"
figure blocked "$blocked"
figure blocker_sleeps "$sleeps"
figure forced "$forced"
figure load_rounds "$rounds"
figure getpid_calls "$calls"
figure getpid_patched "$patched_calls"
figure getpid_wrong "$wrong"
figure slab_source "$slab_source"
figure slab_before_kb "$slab_before"
figure slab_after_kb "$slab_after"
figure slab_delta_kb "$((slab_after - slab_before))"
figure kmemleak "$kmemleak"
figure errors "$errors"

v() { if [ "$1" = 0 ]; then echo ok; else echo not-ok; fi; }
check "$(v $timeouts)" "every transition was over within ${timeout_s}s"
check "$(v $errors)" "every insmod, rmmod and sysfs write succeeded ($errors errors)"
check "$(v $((wrong + lost + hammer_rc)))" "getpid: $calls calls by $workers workers, $wrong wrong answers, $lost workers lost"
check "$(v $(( calls > 0 && patched_calls > 0 ? 0 : 1 )))" "getpid: calls went through the patches ($patched_calls of $calls)"
check "$(v $((load_bad + load_fail + (rounds > 0 ? 0 : 1))))" "target module: $rounds load/unload rounds, $load_bad bad self-checks, $load_fail failures"
check "$(v $((forced == 3 ? 0 : 1)))" "force: $forced of 3 held-open transitions finished with force"
check "$(v $([ "$mods" = "klp_stress_a klp_stress_r" ]; echo $?))" "force: only the forced patches' modules stay loaded (${mods:-none})"
check "$(v $([ -z "$left" ]; echo $?))" "no patch left in $klp${left:+ ($left)}"
if [ "$kmemleak" = - ]; then
	check ok "kmemleak: nothing reported # SKIP no kmemleak in this kernel"
else
	check "$(v "$kmemleak")" "kmemleak: nothing reported ($kmemleak objects)"
fi
echo "KLP-STRESS-DONE"
