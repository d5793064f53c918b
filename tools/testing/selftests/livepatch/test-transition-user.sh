#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# CPU-bound user tasks get switched to the target patch state although they
# never sleep: tasks spinning in user space without system calls (switched
# on their way back to user space from an interrupt, or by a stack check
# while preempted), tasks hammering a system call (switched at system call
# exit), and a task busy in the kernel inside a patched function, which only
# the fake signal of the livepatch core ("signaling remaining tasks", after
# about 15 s of retries) gets out of the function.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

SPIN_ATTR=$SYSFS_KERNEL_DIR/$MOD_TARGET/spin

# dmesg_usec_of(text) - time stamp in microseconds of the first kernel message
# since start_test that contains text
function dmesg_usec_of() {
	dmesg_since_start | grep -F -m 1 "$1" | sed -n 's/^\[ *\([0-9]*\)\.\([0-9]\{6\}\)\].*/\1\2/p'
}

setup_config


# - Kthread 0 sleeps in the original function and keeps the patching
#   transition open.
# - Start one user-space spinner (no system calls) and one getpid()
#   hammerer per CPU, then load the livepatch: all of them switch to the
#   patched state (patch_state 1) while the transition is still blocked.
# - Let kthread 0 go: the transition completes.

start_test "switch CPU-bound user tasks during a transition"

[[ -x ./test_klp-spin && -x ./test_klp-call_getpid ]] ||
	die "test_klp-spin or test_klp-call_getpid missing, try \"make\""

load_mod $MOD_TARGET hold=1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids

NPROC=$(getconf _NPROCESSORS_ONLN)
MAXPROC=128
pids=()
for i in $(seq 1 $(($NPROC < $MAXPROC ? $NPROC : $MAXPROC))); do
	./test_klp-spin &
	pids+=("$!")
	./test_klp-call_getpid &
	pids+=("$!")
done

load_lp_nowait $MOD_LIVEPATCH
for pid in "${pids[@]}"; do
	wait_patch_state $pid 1
done
check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $PID0 0

set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
for pid in "${pids[@]}"; do
	check_patch_state $pid -1
done

for pid in "${pids[@]}"; do
	kill $pid
done
wait "${pids[@]}" 2>/dev/null

disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold
$MOD_TARGET: test_klp_transition_func: kthread 0 leaves the original function
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - A reader of $SPIN_ATTR spins in the kernel, in the original
#   test_klp_transition_spin_show(), until a signal is pending.  It never
#   sleeps and never leaves the function on its own, so the patching
#   transition cannot switch it.
# - After about 15 s of retries the livepatch core sends it a fake signal:
#   the read returns -ERESTARTSYS, the task switches to the patched state on
#   its way to user space, and the restarted read runs the new function,
#   which returns the livepatch's name.  The transition completes.

start_test "fake signal switches a task busy in a patched function"

load_mod $MOD_TARGET

SPIN_OUT=$(mktemp)
cat "$SPIN_ATTR" > "$SPIN_OUT" &
reader=$!
wait_param $MOD_TARGET spinning 1

load_lp_nowait $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $reader 0

# The signals go out after SIGNALS_TIMEOUT (15) retries, one per second.
wait_transition $MOD_LIVEPATCH
# So not before about 15 s (the first retry may come up to 1/4 s early).
t0=$(dmesg_usec_of "livepatch: '$MOD_LIVEPATCH': starting patching transition")
t1=$(dmesg_usec_of "livepatch: signaling remaining tasks")
(( 10#$t1 - 10#$t0 >= 14000000 )) ||
	die "signals went out $(( (10#$t1 - 10#$t0) / 1000 )) ms after the transition started, expected ~15 s"
wait $reader || die "the reader of $SPIN_ATTR failed"
[[ $(cat "$SPIN_OUT") == "$MOD_LIVEPATCH" ]] ||
	die "the reader of $SPIN_ATTR got \"$(cat "$SPIN_OUT")\", expected \"$MOD_LIVEPATCH\""
rm -f "$SPIN_OUT"
# The restarted read did not enter the original function again.
[[ $(cat /sys/module/$MOD_TARGET/parameters/spinning) == 1 ]] ||
	die "the restarted read ran the original function"

disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: signaling remaining tasks
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

exit 0
