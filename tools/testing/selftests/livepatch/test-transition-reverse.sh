#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Writing to /sys/kernel/livepatch/<patch>/enabled during a transition
# reverses it: a blocked patching transition turns into an unpatching one
# and back, a blocked unpatching transition into a patching one.  The
# transition completes once the blocking kthreads leave the patched function.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh


# set_enabled(modname, value) - write the patch's enabled attribute, do not
#				wait for the transition
function set_enabled() {
	local mod="$1" value="$2"

	log "% echo $value > $SYSFS_KLP_DIR/$mod/enabled"
	echo "$value" > "$SYSFS_KLP_DIR/$mod/enabled" ||
		die "failed to write $value to $mod/enabled"
}

setup_config


# - Kthread 0 sleeps in the original function: the patching transition
#   cannot switch it.  Kthread 1 switches to the patched state and then
#   sleeps in the new function.
# - Reverse the transition: now kthread 1 (patch_state 1, in the new
#   function) blocks the unpatching transition; kthread 0 is already
#   unpatched.
# - Reverse it again: kthread 0 blocks the patching transition again.
# - Let kthread 0 leave the original function: the patching transition
#   completes.

start_test "reverse a blocked patching transition twice"

load_mod $MOD_TARGET hold=1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp_nowait $MOD_LIVEPATCH hold=2
wait_param $MOD_LIVEPATCH blocked 2
check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $PID0 0
check_patch_state $PID1 1

set_enabled $MOD_LIVEPATCH 0
check_sysfs_value $MOD_LIVEPATCH enabled 0
check_sysfs_value $MOD_LIVEPATCH transition 1
wait_patch_state $$ 0
check_patch_state $PID0 0
check_patch_state $PID1 1

set_enabled $MOD_LIVEPATCH 1
check_sysfs_value $MOD_LIVEPATCH enabled 1
check_sysfs_value $MOD_LIVEPATCH transition 1
wait_patch_state $$ 1
check_patch_state $PID0 0
check_patch_state $PID1 1

set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH enabled 1
check_patch_state $PID0 -1
check_patch_state $PID1 -1

set_param $MOD_LIVEPATCH hold 0
wait_param $MOD_LIVEPATCH blocked 0

disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko hold=2
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
$MOD_LIVEPATCH: livepatch_transition_func: kthread 1 sleeps in the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from patching to unpatching
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% echo 1 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold
$MOD_TARGET: test_klp_transition_func: kthread 0 leaves the original function
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 1 leaves the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - Kthread 0 sleeps in the new function of the applied livepatch and
#   blocks the unpatching transition.
# - Reverse it: the patching transition completes at once (kthread 0 is
#   still patched) and the livepatch stays enabled.
# - Let kthread 0 go, then disable the livepatch normally.

start_test "reverse a blocked unpatching transition"

load_mod $MOD_TARGET
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp $MOD_LIVEPATCH
set_param $MOD_LIVEPATCH hold 1
wait_param $MOD_LIVEPATCH blocked 1

set_enabled $MOD_LIVEPATCH 0
check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $PID0 1

set_enabled $MOD_LIVEPATCH 1
wait_transition $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH enabled 1
check_patch_state $PID0 -1

set_param $MOD_LIVEPATCH hold 0
wait_param $MOD_LIVEPATCH blocked 0

disable_lp $MOD_LIVEPATCH
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
% echo 1 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 0 leaves the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

exit 0
