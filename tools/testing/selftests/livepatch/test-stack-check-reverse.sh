#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The per-task stack check of a reversed transition whose patch is not on
# top of the func_stack of its function.  Two non-replace livepatches patch
# the same function; the lower one is disabled and, while a kthread in its
# new function blocks the unpatching, enabled again.  The patching
# transition that results must not look for a function "below" the lower
# patch's function (there is none: its neighbour on the stack is the list
# head), and since the upper patch takes all calls of the function, it does
# not change the code any task runs: the transition completes although the
# kthread still sleeps in the lower patch's new function.
#
# The upstream C core takes that list head for the klp_func below (a read
# out of bounds of the klp_ops allocation) and checks the stacks against
# the address range it finds there; on the x86_64 test kernel that range
# covers the kernel text, so every task seems to sleep in the patched
# function and the reversed transition never completes.  If it does not
# complete in time, the script forces it and cleans up before failing.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_STACK_PATCH=test_klp_stack_patch

# Bit 2 of test_klp_stack_patch's "hold": the patch module's own kthread,
# which calls the new function directly, sleeps in it.
HOLD_OWN=4

# The transition is retried once a second: it completes within a few.
REVERSE_TIMEOUT=15

# wait_reversed_transition(modname, upper) - wait at most $REVERSE_TIMEOUT
#	seconds for the reversed transition of the livepatch modname to
#	complete.  If it does not, force it, let the kthread go, disable and
#	remove both livepatches (so that the scripts that run next find no
#	transition in progress and no test module loaded), then fail.
function wait_reversed_transition() {
	local mod="$1" upper="$2"

	MAX_RETRIES=$((REVERSE_TIMEOUT * 10)) \
		loop_until 'grep -q "^0$" "$SYSFS_KLP_DIR/$mod/transition"' &&
		return 0

	log "the reversed transition of $mod did not complete in ${REVERSE_TIMEOUT}s: forcing it"
	echo 1 > "$SYSFS_KLP_DIR/$mod/force"
	wait_transition "$mod"
	set_param "$mod" hold 0
	wait_param "$mod" blocked 0
	disable_lp "$upper"
	disable_lp "$mod"
	unload_lp "$upper"
	unload_lp "$mod"
	unload_mod $MOD_TARGET
	die "the reversed transition of $mod did not complete in ${REVERSE_TIMEOUT}s"
}

# The C core looks for "the function below" the lower patch's function with
# list_next_entry(), which here is the func_stack's list head: it reads memory
# next to the klp_ops allocation (KASAN: slab-out-of-bounds), and whether the
# transition can complete depends on what is there. Only the Rust core, which
# checks stacks against a snapshot taken under klp_mutex, has a defined result.
if ! grep -qw klp_rust_init /proc/kallsyms; then
	skip "the C core reads past the func_stack in this case; its result is undefined"
fi

setup_config


# - Patch test_klp_transition_func() with test_klp_stack_patch, then with
#   test_klp_transition_patch on top of it (stack_order 1 and 2).
# - test_klp_stack_patch's kthread sleeps in that patch's new function.
# - Disable test_klp_stack_patch: the unpatching transition stays blocked on
#   the kthread (patch_state 1) while the other tasks switch (patch_state 0).
# - Enable it again: the transition is reversed to patching and completes
#   with the kthread still in the new function.
# - Let the kthread go, disable both livepatches (the upper one first).

start_test "reverse the unpatching of a livepatch below another one"

load_mod $MOD_TARGET
load_lp $MOD_STACK_PATCH
PID=$(cat /sys/module/$MOD_STACK_PATCH/parameters/pid)
load_lp $MOD_LIVEPATCH
check_sysfs_value $MOD_STACK_PATCH stack_order 1
check_sysfs_value $MOD_LIVEPATCH stack_order 2

set_param $MOD_STACK_PATCH hold $HOLD_OWN
wait_param $MOD_STACK_PATCH blocked $HOLD_OWN

set_enabled $MOD_STACK_PATCH 0
check_sysfs_value $MOD_STACK_PATCH enabled 0
check_sysfs_value $MOD_STACK_PATCH transition 1
wait_patch_state $$ 0
check_patch_state $PID 1

set_enabled $MOD_STACK_PATCH 1
check_sysfs_value $MOD_STACK_PATCH enabled 1
wait_reversed_transition $MOD_STACK_PATCH $MOD_LIVEPATCH
check_sysfs_value $MOD_STACK_PATCH enabled 1
check_patch_state $PID -1
check_patch_state $$ -1
check_param $MOD_STACK_PATCH blocked $HOLD_OWN

set_param $MOD_STACK_PATCH hold 0
wait_param $MOD_STACK_PATCH blocked 0

disable_lp $MOD_LIVEPATCH
disable_lp $MOD_STACK_PATCH
unload_lp $MOD_LIVEPATCH
unload_lp $MOD_STACK_PATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_STACK_PATCH.ko
livepatch: enabling patch '$MOD_STACK_PATCH'
livepatch: '$MOD_STACK_PATCH': initializing patching transition
livepatch: '$MOD_STACK_PATCH': starting patching transition
livepatch: '$MOD_STACK_PATCH': completing patching transition
livepatch: '$MOD_STACK_PATCH': patching complete
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo $HOLD_OWN > /sys/module/$MOD_STACK_PATCH/parameters/hold
$MOD_STACK_PATCH: livepatch_transition_func: kthread 2 sleeps in the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_STACK_PATCH/enabled
livepatch: '$MOD_STACK_PATCH': initializing unpatching transition
livepatch: '$MOD_STACK_PATCH': starting unpatching transition
% echo 1 > $SYSFS_KLP_DIR/$MOD_STACK_PATCH/enabled
livepatch: '$MOD_STACK_PATCH': reversing transition from unpatching to patching
livepatch: '$MOD_STACK_PATCH': starting patching transition
livepatch: '$MOD_STACK_PATCH': completing patching transition
livepatch: '$MOD_STACK_PATCH': patching complete
% echo 0 > /sys/module/$MOD_STACK_PATCH/parameters/hold
$MOD_STACK_PATCH: livepatch_transition_func: kthread 2 leaves the new function
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_STACK_PATCH/enabled
livepatch: '$MOD_STACK_PATCH': initializing unpatching transition
livepatch: '$MOD_STACK_PATCH': starting unpatching transition
livepatch: '$MOD_STACK_PATCH': completing unpatching transition
livepatch: '$MOD_STACK_PATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_STACK_PATCH
% rmmod $MOD_TARGET"

exit 0
