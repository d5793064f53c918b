#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Rust live patch samples (samples/livepatch/rust_*.rs, built with
# CONFIG_SAMPLE_LIVEPATCH_RUST) on either core: the twin of livepatch-sample,
# a cumulative patch with callbacks and a system state replacing the C
# sample, the state compatibility rules, and the twin of
# livepatch-shadow-fix1, whose shadow variables' values must each be dropped
# exactly once.

. $(dirname $0)/functions.sh

SAMPLES=/lib/modules/$(uname -r)/kernel/samples/livepatch
MOD_SAMPLE=rust_livepatch_sample
MOD_CUMULATIVE=rust_livepatch_cumulative
MOD_FIX1=rust_livepatch_shadow_fix1
MOD_C_SAMPLE=livepatch_sample
MOD_SHADOW=livepatch_shadow_mod
MOD_STATE_OLD=test_klp_rust_state_v0
MOD_STATE_NEW=test_klp_rust_state_v2

[[ -e $SAMPLES/$MOD_SAMPLE.ko ]] || skip "the Rust samples are not built (CONFIG_SAMPLE_LIVEPATCH_RUST)"

# The helpers load test_modules/<name>.ko: link the samples there.
linked=()
for m in $MOD_SAMPLE $MOD_CUMULATIVE $MOD_FIX1 livepatch-sample livepatch-shadow-mod; do
	ln -sf "$SAMPLES/$m.ko" "test_modules/${m//-/_}.ko"
	linked+=("test_modules/${m//-/_}.ko")
done
trap 'rm -f "${linked[@]}"' EXIT

setup_config


# - Load the Rust twin of livepatch-sample: /proc/cmdline changes.
# - Disable and remove it: /proc/cmdline is back.

start_test "the Rust sample patch"

cmdline=$(cat /proc/cmdline)
load_lp $MOD_SAMPLE
[[ "$(cat /proc/cmdline)" == "this has been live patched" ]] ||
	die "/proc/cmdline is not patched: $(cat /proc/cmdline)"
disable_lp $MOD_SAMPLE
unload_lp $MOD_SAMPLE
[[ "$(cat /proc/cmdline)" == "$cmdline" ]] || die "/proc/cmdline is not restored"

check_result "livepatch: enabling patch '$MOD_SAMPLE'
livepatch: '$MOD_SAMPLE': initializing patching transition
livepatch: '$MOD_SAMPLE': starting patching transition
livepatch: '$MOD_SAMPLE': completing patching transition
livepatch: '$MOD_SAMPLE': patching complete
livepatch: '$MOD_SAMPLE': initializing unpatching transition
livepatch: '$MOD_SAMPLE': starting unpatching transition
livepatch: '$MOD_SAMPLE': completing unpatching transition
livepatch: '$MOD_SAMPLE': unpatching complete"


# - Load the C sample, then the Rust cumulative patch: it replaces the C
#   sample (whose patch goes away), patches /proc/cmdline and /proc/meminfo,
#   and its callbacks find no earlier system state 1.
# - A cumulative patch with state 1 at a lower version is refused; one at a
#   higher version replaces the Rust patch and sees its state's version.

start_test "a Rust cumulative patch with callbacks and a system state"

load_lp $MOD_C_SAMPLE
load_lp $MOD_CUMULATIVE
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_C_SAMPLE" ]]' ||
	die "$MOD_C_SAMPLE was not replaced"
[[ "$(cat /proc/cmdline)" == "this has been live patched (cumulatively)" ]] ||
	die "/proc/cmdline is not patched by $MOD_CUMULATIVE"
[[ "$(head -n 1 /proc/meminfo)" == "this has been live patched (cumulatively)" ]] ||
	die "/proc/meminfo is not patched by $MOD_CUMULATIVE"
unload_lp $MOD_C_SAMPLE
load_failing_mod $MOD_STATE_OLD
load_lp $MOD_STATE_NEW
loop_until '[[ ! -e "$SYSFS_KLP_DIR/$MOD_CUMULATIVE" ]]' ||
	die "$MOD_CUMULATIVE was not replaced"
unload_lp $MOD_CUMULATIVE
disable_lp $MOD_STATE_NEW
unload_lp $MOD_STATE_NEW
[[ "$(cat /proc/cmdline)" == "$cmdline" ]] || die "/proc/cmdline is not restored"
# The sample's callbacks, in order (check_result only compares "livepatch:"
# and "test_klp" lines); a replaced patch's unpatch callbacks are not called.
callbacks=$(dmesg | awk -v last_dmesg="$LAST_DMESG" 'p; $0 == last_dmesg { p=1 }' |
	sed -n "s/^\[[ 0-9.]*\] $MOD_CUMULATIVE: //p" | tr '\n' '|')
[[ "$callbacks" == "pre_patch: new state|post_patch: the patches before this one are replaced|" ]] ||
	die "$MOD_CUMULATIVE's callbacks: $callbacks"

check_result "livepatch: enabling patch '$MOD_C_SAMPLE'
livepatch: '$MOD_C_SAMPLE': initializing patching transition
livepatch: '$MOD_C_SAMPLE': starting patching transition
livepatch: '$MOD_C_SAMPLE': completing patching transition
livepatch: '$MOD_C_SAMPLE': patching complete
livepatch: enabling patch '$MOD_CUMULATIVE'
livepatch: '$MOD_CUMULATIVE': initializing patching transition
livepatch: '$MOD_CUMULATIVE': starting patching transition
livepatch: '$MOD_CUMULATIVE': completing patching transition
livepatch: '$MOD_CUMULATIVE': patching complete
% insmod test_modules/$MOD_STATE_OLD.ko
livepatch: Livepatch patch ($MOD_STATE_OLD) is not compatible with the already installed livepatches.
insmod: ERROR: could not insert module test_modules/$MOD_STATE_OLD.ko: Invalid parameters
% insmod test_modules/$MOD_STATE_NEW.ko
livepatch: enabling patch '$MOD_STATE_NEW'
livepatch: '$MOD_STATE_NEW': initializing patching transition
$MOD_STATE_NEW: pre_patch: state 1 was at version 1
livepatch: '$MOD_STATE_NEW': starting patching transition
livepatch: '$MOD_STATE_NEW': completing patching transition
livepatch: '$MOD_STATE_NEW': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_STATE_NEW/enabled
livepatch: '$MOD_STATE_NEW': initializing unpatching transition
livepatch: '$MOD_STATE_NEW': starting unpatching transition
livepatch: '$MOD_STATE_NEW': completing unpatching transition
livepatch: '$MOD_STATE_NEW': unpatching complete
% rmmod $MOD_STATE_NEW"


# - Load livepatch-shadow-mod (a dummy allocated every second, each with a
#   forgotten "leak") and the Rust twin of livepatch-shadow-fix1, which keeps
#   each new leak in a shadow variable.
# - After 16 s the first patched dummies have expired (12 s) and been freed
#   by the patched dummy_free(), dropping their variables' values; disable
#   and remove the patch: its exit frees the remaining variables.
# - Each variable allocated must have been dropped exactly once.

start_test "the Rust twin of livepatch-shadow-fix1"

load_mod $MOD_SHADOW
load_lp $MOD_FIX1
sleep 16
disable_lp $MOD_FIX1
unload_lp $MOD_FIX1
unload_mod $MOD_SHADOW

log_since=$(dmesg | awk -v last_dmesg="$LAST_DMESG" 'p; $0 == last_dmesg { p=1 }')
allocs=$(grep -c "$MOD_FIX1: livepatch_fix1_dummy_alloc:" <<<"$log_since")
drops=$(grep -c "$MOD_FIX1: livepatch_fix1_dummy_leak_dtor: prevented leak" <<<"$log_since")
[[ $allocs -ge 10 ]] || die "only $allocs dummies allocated by the patch in 16 s"
[[ $drops -eq $allocs ]] || die "$allocs shadow variables allocated, $drops values dropped"
log "% $allocs shadow variables allocated, $drops values dropped"

check_result "livepatch: enabling patch '$MOD_FIX1'
livepatch: '$MOD_FIX1': initializing patching transition
livepatch: '$MOD_FIX1': starting patching transition
livepatch: '$MOD_FIX1': completing patching transition
livepatch: '$MOD_FIX1': patching complete
livepatch: '$MOD_FIX1': initializing unpatching transition
livepatch: '$MOD_FIX1': starting unpatching transition
livepatch: '$MOD_FIX1': completing unpatching transition
livepatch: '$MOD_FIX1': unpatching complete"

exit 0
