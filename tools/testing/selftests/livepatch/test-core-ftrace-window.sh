#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A task preempted inside ftrace's handling of a call of a patched function,
# after the livepatch's ftrace handler chose the function the call will run,
# must not switch: its stack shows neither that function nor the one it
# would switch to, only the return address of the patched function's ftrace
# call site.  If it switched and the transition completed, the patch whose
# function it is about to run could be removed before it runs it (when the
# ftrace handler stays registered: another patch on the same function, or
# an atomic replace), and the task would jump into freed module text.
#
# test_klp_window parks its kthread there: two livepatches stack on
# test_klp_window_func(), the kthread calls it, the livepatch handler sends
# the call to the upper patch's function, and a real-time kthread on the
# same CPU preempts it before the ftrace trampoline gets there.  The upper
# patch is then disabled.
#
# The upstream C core switches the parked kthread (its patch_state becomes
# 0 at once); the Rust core keeps it patched (1) until it has left ftrace.
# The script asserts that on the Rust core and reports what the C core did
# on a "FIGURE:" line.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_WINDOW=test_klp_window
MOD_A=test_klp_window_a
MOD_B=test_klp_window_b

if grep -q ' klp_ftrace_handler$' /proc/kallsyms; then
	CORE=c
else
	CORE=rust
fi

[[ $(nproc) -ge 2 ]] || skip "needs two CPUs: one for the parked kthread, one for this script"

setup_config


# - Stack test_klp_window_b on test_klp_window_a.
# - The kthread calls test_klp_window_func() and parks inside ftrace, on its
#   way to test_klp_window_b's function.
# - Disable test_klp_window_b: the parked kthread must stay patched.
# - Let it go: the call runs test_klp_window_b's function (returns 2); then
#   the transition completes.

start_test "a task preempted in ftrace after the livepatch handler chose its function"

load_mod $MOD_WINDOW
load_lp $MOD_A
load_lp $MOD_B
pid=$(cat /sys/module/$MOD_WINDOW/parameters/pid)

set_param $MOD_WINDOW call 1
wait_param $MOD_WINDOW parked Y
set_enabled $MOD_B 0
# Enabling and disabling try to switch every task once before they return;
# give the transition a retry (once a second) too.
state_first=$(cat /proc/$pid/patch_state)
sleep 2
state_later=$(cat /proc/$pid/patch_state)
check_param $MOD_WINDOW parked Y
set_param $MOD_WINDOW release 1
wait_param $MOD_WINDOW result 2
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_B" ]]' ||
	die "the unpatching transition of $MOD_B did not complete"

disable_lp $MOD_A
unload_lp $MOD_B
unload_lp $MOD_A
unload_mod $MOD_WINDOW

if [[ $CORE == rust ]]; then
	[[ $state_first == 1 && $state_later == 1 ]] ||
		die "the parked kthread switched (patch_state $state_first, then $state_later) inside ftrace"
fi

check_result "% insmod test_modules/$MOD_WINDOW.ko
% insmod test_modules/$MOD_A.ko
livepatch: enabling patch '$MOD_A'
livepatch: '$MOD_A': initializing patching transition
livepatch: '$MOD_A': starting patching transition
livepatch: '$MOD_A': completing patching transition
livepatch: '$MOD_A': patching complete
% insmod test_modules/$MOD_B.ko
livepatch: enabling patch '$MOD_B'
livepatch: '$MOD_B': initializing patching transition
livepatch: '$MOD_B': starting patching transition
livepatch: '$MOD_B': completing patching transition
livepatch: '$MOD_B': patching complete
% echo 1 > /sys/module/$MOD_WINDOW/parameters/call
% echo 0 > $SYSFS_KLP_DIR/$MOD_B/enabled
livepatch: '$MOD_B': initializing unpatching transition
livepatch: '$MOD_B': starting unpatching transition
% echo 1 > /sys/module/$MOD_WINDOW/parameters/release
$MOD_WINDOW: test_klp_window_caller: the call returned 2
livepatch: '$MOD_B': completing unpatching transition
livepatch: '$MOD_B': unpatching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_A/enabled
livepatch: '$MOD_A': initializing unpatching transition
livepatch: '$MOD_A': starting unpatching transition
livepatch: '$MOD_A': completing unpatching transition
livepatch: '$MOD_A': unpatching complete
% rmmod $MOD_B
% rmmod $MOD_A
% rmmod $MOD_WINDOW"

echo "FIGURE: the $CORE core's patch_state of a task parked inside ftrace while its patch is disabled: $state_first at once, $state_later 2 s later (1: not switched)"
exit 0
