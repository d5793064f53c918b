#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Writing 1 to /sys/kernel/livepatch/<patch>/force completes a transition
# blocked by a kthread sleeping in a patched function, in both directions.
# A patch removed by a forced transition (forced unpatching, or a patch
# replaced by a forced atomic replace patch) is marked forced: its module can
# never be removed.  A forced patching transition does not pin the module of
# the new patch.
#
# test_klp_transition_forced and test_klp_transition_replaced stay loaded
# until the next boot; no other test uses them.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_FORCED=test_klp_transition_forced
MOD_REPLACED=test_klp_transition_replaced

# force_transition(modname) - force the patch's transition
function force_transition() {
	local mod="$1"

	log "% echo 1 > $SYSFS_KLP_DIR/$mod/force"
	echo 1 > "$SYSFS_KLP_DIR/$mod/force" ||
		die "failed to force the transition of $mod"
}

# unload_forced_mod(modname) - the module of a forced patch cannot be removed
function unload_forced_mod() {
	local mod="$1"
	local ret

	log "% rmmod $mod"
	if ret=$(rmmod "$mod" 2>&1); then
		die "$mod was removed after a forced transition"
	fi
	log "$ret"
	[[ -e "/sys/module/$mod" ]] || die "$mod is gone"
	[[ $(cat "/sys/module/$mod/refcnt") == "1" ]] ||
		die "$mod: refcnt is $(cat "/sys/module/$mod/refcnt"), expected 1"
}

setup_config


# - Kthread 0 sleeps in the original function and blocks the patching
#   transition; force it.  The transition completes although kthread 0 is
#   still in the original function.
# - The forced patching does not pin the livepatch module: after a normal
#   disable it can be removed.

start_test "force a blocked patching transition"

load_mod $MOD_TARGET hold=1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp_nowait $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $PID0 0

force_transition $MOD_LIVEPATCH
wait_transition $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH enabled 1
check_patch_state $PID0 -1

set_param $MOD_TARGET hold 0
wait_param $MOD_TARGET blocked 0

disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% echo 1 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/force
livepatch: forcing remaining tasks to the patched state
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold
$MOD_TARGET: test_klp_transition_func: kthread 0 leaves the original function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - Kthread 0 sleeps in the new function of an applied livepatch and blocks
#   its unpatching transition; force it.  The patch is disabled and removed
#   from sysfs, but its module stays in use for good.
# - Kthread 0 can still leave the new function: the module's code stays.

start_test "force a blocked unpatching transition"

load_mod $MOD_TARGET
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp $MOD_FORCED
set_param $MOD_FORCED hold 1
wait_param $MOD_FORCED blocked 1

log "% echo 0 > $SYSFS_KLP_DIR/$MOD_FORCED/enabled"
echo 0 > "$SYSFS_KLP_DIR/$MOD_FORCED/enabled" ||
	die "failed to disable $MOD_FORCED"
check_sysfs_value $MOD_FORCED transition 1
check_patch_state $PID0 1

force_transition $MOD_FORCED
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_FORCED" ]]' ||
	die "failed to disable livepatch $MOD_FORCED"
check_patch_state $PID0 -1
unload_forced_mod $MOD_FORCED

set_param $MOD_FORCED hold 0
wait_param $MOD_FORCED blocked 0
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_FORCED.ko
livepatch: enabling patch '$MOD_FORCED'
livepatch: '$MOD_FORCED': initializing patching transition
livepatch: '$MOD_FORCED': starting patching transition
livepatch: '$MOD_FORCED': completing patching transition
livepatch: '$MOD_FORCED': patching complete
% echo 1 > /sys/module/$MOD_FORCED/parameters/hold
$MOD_FORCED: livepatch_transition_func: kthread 0 sleeps in the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_FORCED/enabled
livepatch: '$MOD_FORCED': initializing unpatching transition
livepatch: '$MOD_FORCED': starting unpatching transition
% echo 1 > $SYSFS_KLP_DIR/$MOD_FORCED/force
livepatch: forcing remaining tasks to the patched state
livepatch: '$MOD_FORCED': completing unpatching transition
livepatch: '$MOD_FORCED': unpatching complete
% rmmod $MOD_FORCED
rmmod: ERROR: Module $MOD_FORCED is in use
% echo 0 > /sys/module/$MOD_FORCED/parameters/hold
$MOD_FORCED: livepatch_transition_func: kthread 0 leaves the new function
% rmmod $MOD_TARGET"


# - Kthread 0 sleeps in the new function of an applied livepatch and blocks
#   the transition to an atomic replace patch; force it.  The replaced
#   patch is freed, but its module stays in use for good.
# - The replace patch itself is not pinned: after a normal disable its
#   module can be removed.

start_test "force a blocked atomic replace transition"

load_mod $MOD_TARGET
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp $MOD_REPLACED
set_param $MOD_REPLACED hold 1
wait_param $MOD_REPLACED blocked 1

load_lp_nowait $MOD_LIVEPATCH replace=1
check_sysfs_value $MOD_LIVEPATCH transition 1
check_sysfs_value $MOD_REPLACED transition 0
check_patch_state $PID0 0

force_transition $MOD_LIVEPATCH
wait_transition $MOD_LIVEPATCH
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_REPLACED" ]]' ||
	die "replaced livepatch $MOD_REPLACED is still there"
unload_forced_mod $MOD_REPLACED

set_param $MOD_REPLACED hold 0
wait_param $MOD_REPLACED blocked 0

disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_REPLACED.ko
livepatch: enabling patch '$MOD_REPLACED'
livepatch: '$MOD_REPLACED': initializing patching transition
livepatch: '$MOD_REPLACED': starting patching transition
livepatch: '$MOD_REPLACED': completing patching transition
livepatch: '$MOD_REPLACED': patching complete
% echo 1 > /sys/module/$MOD_REPLACED/parameters/hold
$MOD_REPLACED: livepatch_transition_func: kthread 0 sleeps in the new function
% insmod test_modules/$MOD_LIVEPATCH.ko replace=1
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% echo 1 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/force
livepatch: forcing remaining tasks to the patched state
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% rmmod $MOD_REPLACED
rmmod: ERROR: Module $MOD_REPLACED is in use
% echo 0 > /sys/module/$MOD_REPLACED/parameters/hold
$MOD_REPLACED: livepatch_transition_func: kthread 0 leaves the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

exit 0
