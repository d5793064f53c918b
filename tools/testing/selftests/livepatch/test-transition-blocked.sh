#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kthread sleeping in a patched function blocks the livepatch transition
# (patching: the original function; unpatching: the new one) until it leaves
# the function.  Meanwhile the patch's "transition" attribute reads 1, the
# kthread's /proc/<pid>/patch_state keeps the initial state while the other
# tasks switch to the target state, and no other patch can be enabled.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_OTHER=test_klp_livepatch

setup_config


# - The target module's kthread 0 sleeps in the original
#   test_klp_transition_func(); kthread 1 sleeps outside of it.
# - Load the livepatch: the patching transition stays blocked on kthread 0
#   (patch_state 0) while kthread 1 and this shell switch (patch_state 1).
# - Another livepatch cannot be enabled during the transition (-EBUSY).
# - Let kthread 0 leave the function: the transition completes and every
#   task is back to patch_state -1.

start_test "kthread in the original function blocks patching"

load_mod $MOD_TARGET hold=1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp_nowait $MOD_LIVEPATCH

check_sysfs_value $MOD_LIVEPATCH enabled 1
check_sysfs_value $MOD_LIVEPATCH transition 1
wait_patch_state $PID1 1
wait_patch_state $$ 1
check_patch_state $PID0 0

load_failing_mod $MOD_OTHER

check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $PID0 0

set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
check_patch_state $PID0 -1
check_patch_state $PID1 -1
check_patch_state $$ -1

disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% insmod test_modules/$MOD_OTHER.ko
insmod: ERROR: could not insert module test_modules/$MOD_OTHER.ko: Device or resource busy
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


# - With the livepatch applied, kthread 0 sleeps in the new
#   test_klp_transition_func() of the livepatch.
# - Disable the livepatch: the unpatching transition stays blocked on
#   kthread 0 (patch_state 1) while the other tasks switch (patch_state 0).
# - Let kthread 0 leave the function: the transition completes and the
#   livepatch is gone.

start_test "kthread in the new function blocks unpatching"

load_mod $MOD_TARGET
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp $MOD_LIVEPATCH
set_param $MOD_LIVEPATCH hold 1
wait_param $MOD_LIVEPATCH blocked 1

log "% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled"
echo 0 > "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled" ||
	die "failed to disable $MOD_LIVEPATCH"

check_sysfs_value $MOD_LIVEPATCH enabled 0
check_sysfs_value $MOD_LIVEPATCH transition 1
wait_patch_state $PID1 0
wait_patch_state $$ 0
check_patch_state $PID0 1

set_param $MOD_LIVEPATCH hold 0
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_LIVEPATCH" ]]' ||
	die "failed to disable livepatch $MOD_LIVEPATCH"
check_patch_state $PID0 -1
check_patch_state $PID1 -1

unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 1 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 0 sleeps in the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 0 leaves the new function
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

exit 0
