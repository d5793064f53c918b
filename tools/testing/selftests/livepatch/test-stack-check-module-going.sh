#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A patched module is removed while a transition of its livepatch is in
# progress.  The livepatch core unpatches the module's object and frees its
# func_stack at once, while the transition goes on checking the stacks of
# the remaining tasks (from the transition work and from __schedule()) for
# the livepatch's functions; the transition still completes once the task
# that blocks it leaves the patched function, and the livepatch can be
# disabled and removed afterwards.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_STACK_TARGET=test_klp_stack_mod
MOD_STACK_PATCH=test_klp_stack_patch

setup_config


# - test_klp_stack_patch patches a function of test_klp_stack_mod and
#   test_klp_transition_func(), in which kthread 0 of test_klp_transition_mod
#   sleeps: the patching transition stays blocked on it (patch_state 0).
# - Remove test_klp_stack_mod: its object is reverted, the transition still
#   waits for kthread 0.
# - Let kthread 0 leave the original function: the transition completes.

start_test "remove a patched module during the patching transition"

load_mod $MOD_STACK_TARGET
load_mod $MOD_TARGET hold=1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp_nowait $MOD_STACK_PATCH
check_sysfs_value $MOD_STACK_PATCH transition 1
check_sysfs_value $MOD_STACK_PATCH $MOD_STACK_TARGET/patched 1
check_sysfs_value $MOD_STACK_PATCH $MOD_TARGET/patched 1
wait_patch_state $PID1 1
check_patch_state $PID0 0

unload_mod $MOD_STACK_TARGET
check_sysfs_value $MOD_STACK_PATCH $MOD_STACK_TARGET/patched 0
check_sysfs_value $MOD_STACK_PATCH $MOD_TARGET/patched 1
check_sysfs_value $MOD_STACK_PATCH transition 1
check_patch_state $PID0 0

set_param $MOD_TARGET hold 0
wait_transition $MOD_STACK_PATCH
check_sysfs_value $MOD_STACK_PATCH enabled 1
check_patch_state $PID0 -1
check_patch_state $PID1 -1

disable_lp $MOD_STACK_PATCH
unload_lp $MOD_STACK_PATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_STACK_TARGET.ko
% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_STACK_PATCH.ko
livepatch: enabling patch '$MOD_STACK_PATCH'
livepatch: '$MOD_STACK_PATCH': initializing patching transition
livepatch: '$MOD_STACK_PATCH': starting patching transition
% rmmod $MOD_STACK_TARGET
livepatch: reverting patch '$MOD_STACK_PATCH' on unloading module '$MOD_STACK_TARGET'
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold
$MOD_TARGET: test_klp_transition_func: kthread 0 leaves the original function
livepatch: '$MOD_STACK_PATCH': completing patching transition
livepatch: '$MOD_STACK_PATCH': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_STACK_PATCH/enabled
livepatch: '$MOD_STACK_PATCH': initializing unpatching transition
livepatch: '$MOD_STACK_PATCH': starting unpatching transition
livepatch: '$MOD_STACK_PATCH': completing unpatching transition
livepatch: '$MOD_STACK_PATCH': unpatching complete
% rmmod $MOD_STACK_PATCH
% rmmod $MOD_TARGET"


# - With test_klp_stack_patch applied to both modules, kthread 0 of
#   test_klp_transition_mod sleeps in the new test_klp_transition_func().
# - Disable the livepatch: the unpatching transition stays blocked on
#   kthread 0 (patch_state 1).
# - Remove test_klp_stack_mod: its object is reverted, the transition still
#   waits for kthread 0.
# - Let kthread 0 leave the new function: the transition completes and the
#   livepatch is gone.

start_test "remove a patched module during the unpatching transition"

load_mod $MOD_STACK_TARGET
load_mod $MOD_TARGET
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp $MOD_STACK_PATCH
set_param $MOD_STACK_PATCH hold 1
wait_param $MOD_STACK_PATCH blocked 1

set_enabled $MOD_STACK_PATCH 0
check_sysfs_value $MOD_STACK_PATCH enabled 0
check_sysfs_value $MOD_STACK_PATCH transition 1
wait_patch_state $PID1 0
check_patch_state $PID0 1

unload_mod $MOD_STACK_TARGET
check_sysfs_value $MOD_STACK_PATCH $MOD_STACK_TARGET/patched 0
check_sysfs_value $MOD_STACK_PATCH $MOD_TARGET/patched 1
check_sysfs_value $MOD_STACK_PATCH transition 1
check_patch_state $PID0 1

set_param $MOD_STACK_PATCH hold 0
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_STACK_PATCH" ]]' ||
	die "failed to disable livepatch $MOD_STACK_PATCH"
check_patch_state $PID0 -1
check_patch_state $PID1 -1

unload_lp $MOD_STACK_PATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_STACK_TARGET.ko
% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_STACK_PATCH.ko
livepatch: enabling patch '$MOD_STACK_PATCH'
livepatch: '$MOD_STACK_PATCH': initializing patching transition
livepatch: '$MOD_STACK_PATCH': starting patching transition
livepatch: '$MOD_STACK_PATCH': completing patching transition
livepatch: '$MOD_STACK_PATCH': patching complete
% echo 1 > /sys/module/$MOD_STACK_PATCH/parameters/hold
$MOD_STACK_PATCH: livepatch_transition_func: kthread 0 sleeps in the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_STACK_PATCH/enabled
livepatch: '$MOD_STACK_PATCH': initializing unpatching transition
livepatch: '$MOD_STACK_PATCH': starting unpatching transition
% rmmod $MOD_STACK_TARGET
livepatch: reverting patch '$MOD_STACK_PATCH' on unloading module '$MOD_STACK_TARGET'
% echo 0 > /sys/module/$MOD_STACK_PATCH/parameters/hold
$MOD_STACK_PATCH: livepatch_transition_func: kthread 0 leaves the new function
livepatch: '$MOD_STACK_PATCH': completing unpatching transition
livepatch: '$MOD_STACK_PATCH': unpatching complete
% rmmod $MOD_STACK_PATCH
% rmmod $MOD_TARGET"

exit 0
