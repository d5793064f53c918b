#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A livepatch of one hundred functions of one object.  The Rust core hands
# them to ftrace in one batch (livepatch.ftrace_batch=1, the default with
# CONFIG_LIVEPATCH_RUST_FTRACE_BATCH) or one at a time as the C core does;
# the results and the log must be the same in every case.

. $(dirname $0)/functions.sh

MOD_TARGET=test_klp_core_many_mod
MOD_LIVEPATCH=test_klp_core_many_patch
MOD_KPROBE=test_klp_core_many_kprobe
SUM_UNPATCHED=15050
SUM_PATCHED=25050

# check_sum(value) - the target's functions, all called, add up to value
function check_sum() {
	local sum

	sum=$(cat "/sys/module/$MOD_TARGET/parameters/sum")
	[[ "$sum" == "$1" ]] || die "the target's functions add up to $sum, expected $1"
}

setup_config

# The Rust core's mode is the one the command line asks for (C has no such
# parameter).
mode=/sys/module/livepatch/parameters/ftrace_batch
if [[ -r "$mode" ]]; then
	want=Y
	grep -qw 'livepatch.ftrace_batch=0' /proc/cmdline && want=N
	[[ "$(cat "$mode")" == "$want" ]] || die "$mode is $(cat "$mode"), expected $want"
	echo "FIGURE: livepatch.ftrace_batch=$want"
fi


# - Every function is redirected once the patch is enabled, and none once it
#   is disabled.

start_test "livepatch of one hundred functions"

load_mod $MOD_TARGET
check_sum $SUM_UNPATCHED
load_lp $MOD_LIVEPATCH
check_sum $SUM_PATCHED
disable_lp $MOD_LIVEPATCH
check_sum $SUM_UNPATCHED
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - A kprobe with a post handler owns the IP of one function in the middle
#   of the object (only one IPMODIFY user per function): enabling fails,
#   naming that function, and none of the hundred stays redirected.
# - Once the kprobe is gone, the same patch enables.

start_test "one of one hundred functions owned by another IPMODIFY user"

load_mod $MOD_TARGET
load_mod $MOD_KPROBE func=test_klp_core_many_fn_57
load_failing_mod $MOD_LIVEPATCH
check_sum $SUM_UNPATCHED
unload_mod $MOD_KPROBE
load_lp $MOD_LIVEPATCH
check_sum $SUM_PATCHED
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
check_sum $SUM_UNPATCHED
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_KPROBE.ko func=test_klp_core_many_fn_57
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: failed to register ftrace handler for function 'test_klp_core_many_fn_57' (-16)
livepatch: failed to patch object '$MOD_TARGET'
livepatch: failed to enable patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': canceling patching transition, going to unpatch
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
insmod: ERROR: could not insert module test_modules/$MOD_LIVEPATCH.ko: Device or resource busy
% rmmod $MOD_KPROBE
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
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
