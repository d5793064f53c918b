#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hundreds of malformed writes to each writable knob of a livepatch
# ("enabled" and "force") in each of its states: enabled, in a blocked
# patching transition, in a blocked unpatching transition, and removed
# (through a file opened before).  test_modules/klp_sweep writes them, one
# process and then eight at once, and checks every outcome and the state
# after each write against the C core's rules (see klp_sweep.c); as an
# unprivileged user the open fails.  Valid writes race too: eight
# processes disable one patch at once, and eight flip a blocked transition
# back and forth.
#
# Each sweep's summary, with a digest of its outcomes (equal on both cores
# when they behave alike), is printed on a "FIGURE:" line at the end.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

SWEEP=test_modules/klp_sweep
FIGURES=$(mktemp)

# figure(text) - keep a line for the end of the script (printing it now
#		 would land on the TEST line)
function figure() {
	echo "FIGURE: $*" >> "$FIGURES"
}
PATCH_DIR=$SYSFS_KLP_DIR/$MOD_LIVEPATCH
NOBODY=65534

# Blocked transitions last as long as the sweeps; on a slow machine that
# passes the core's 15 retries, and "signaling remaining tasks" lines come
# at no fixed place.  The races reverse the transition as many times as
# they happen to: leave out the lines between their first and last line.
function dmesg() {
	command dmesg "$@" | grep -v 'livepatch: signaling remaining tasks$' |
		awk '/% races .* begin$/ { print; skip = 1; next }
			/% races .* end:/ { skip = 0 } !skip'
}

# sweep(knob, [klp_sweep options]) - run the sweep on the knob, log its
#	summary (without the digest), print the digest as a figure
function sweep() {
	local knob="$1" out; shift

	out=$($SWEEP "$@" "$PATCH_DIR/$knob") || {
		echo "$out" >&2
		die "sweep of $knob $* failed"
	}
	figure "$(state_name) $knob${*:+ $*}: $out"
	log "% sweep $MOD_LIVEPATCH/$knob${*:+ $*}: ${out%; digest*}"
}

function state_name() {
	if [[ ! -e "$PATCH_DIR" ]]; then
		echo removed
	else
		echo "enabled=$(cat "$PATCH_DIR/enabled"),transition=$(cat "$PATCH_DIR/transition")"
	fi
}

# sweep_all() - the sweeps of both knobs: one writer, eight writers, and
#		an unprivileged user
function sweep_all() {
	local knob

	for knob in enabled force; do
		sweep $knob
		sweep $knob -j 8
		sweep $knob -u $NOBODY
	done
}

# race(value, count, procs, allowed...) - procs processes write value count
#	times each at once; every outcome must be one of allowed
function race() {
	local value="$1" count="$2" procs="$3" out word before; shift 3

	before=$(state_name)
	out=$($SWEEP -j "$procs" -w "$value" -n "$count" "$PATCH_DIR/enabled") ||
		die "race writing $value failed: $out"
	figure "$before race: $out"
	for word in ${out#*times:}; do
		[[ "$word" =~ ^[0-9]+$ ]] && continue
		[[ " $* " == *" $word "* ]] || die "race writing $value: outcome $word ($out)"
	done
	echo "$out"
}

setup_config


start_test "malformed writes to an enabled livepatch"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
sweep_all
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
% sweep $MOD_LIVEPATCH/enabled: 628 writes, 31 valid values not written: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/enabled -j 8: 8 processes wrote 659 values each: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/enabled -u $NOBODY: enabled as uid $NOBODY: open: EACCES
% sweep $MOD_LIVEPATCH/force: 659 writes, 0 valid values not written: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/force -j 8: 8 processes wrote 659 values each: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/force -u $NOBODY: force as uid $NOBODY: open: EACCES
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - Kthread 0 of the target module sleeps in the original function, so the
#   patching transition stays in progress during the sweeps.  Then kthread 1,
#   switched meanwhile, sleeps in the new function, which blocks unpatching
#   too, and eight processes write 0 and eight write 1 at once, 100 times
#   each: every write reverses the transition or fails with EINVAL.  The
#   transition then goes on to patching, and completes once both kthreads
#   leave.

start_test "malformed and racing writes during a blocked patching transition"

load_mod $MOD_TARGET hold=1
load_lp_nowait $MOD_LIVEPATCH
sweep_all
set_param $MOD_LIVEPATCH hold 2
wait_param $MOD_LIVEPATCH blocked 2
log "% races of 0 and 1 to $MOD_LIVEPATCH/enabled begin"
race 0,1 100 16 ok EINVAL >/dev/null
[[ "$(cat "$PATCH_DIR/transition")" == 1 ]] || die "the transition ended during the races"
[[ "$(cat "$PATCH_DIR/enabled")" == 1 ]] || echo 1 > "$PATCH_DIR/enabled"
log "% races of 0 and 1 to $MOD_LIVEPATCH/enabled end: the transition is still in progress"
set_param $MOD_LIVEPATCH hold 0
wait_param $MOD_LIVEPATCH blocked 0
set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% sweep $MOD_LIVEPATCH/enabled: 628 writes, 31 valid values not written: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/enabled -j 8: 8 processes wrote 659 values each: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/enabled -u $NOBODY: enabled as uid $NOBODY: open: EACCES
% sweep $MOD_LIVEPATCH/force: 629 writes, 30 valid values not written: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/force -j 8: 8 processes wrote 659 values each: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/force -u $NOBODY: force as uid $NOBODY: open: EACCES
% echo 2 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 1 sleeps in the new function
% races of 0 and 1 to $MOD_LIVEPATCH/enabled begin
% races of 0 and 1 to $MOD_LIVEPATCH/enabled end: the transition is still in progress
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 1 leaves the new function
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


# - Kthread 0 sleeps in the new function, so the unpatching transition
#   stays in progress ("enabled" reads 0) during the sweeps.

start_test "malformed writes during a blocked unpatching transition"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
set_param $MOD_LIVEPATCH hold 1
wait_param $MOD_LIVEPATCH blocked 1
set_enabled $MOD_LIVEPATCH 0
sweep_all
set_param $MOD_LIVEPATCH hold 0
loop_until '[[ ! -e "$PATCH_DIR" ]]' || die "$MOD_LIVEPATCH not disabled"
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
% sweep $MOD_LIVEPATCH/enabled: 629 writes, 30 valid values not written: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/enabled -j 8: 8 processes wrote 659 values each: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/enabled -u $NOBODY: enabled as uid $NOBODY: open: EACCES
% sweep $MOD_LIVEPATCH/force: 629 writes, 30 valid values not written: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/force -j 8: 8 processes wrote 659 values each: every outcome as on the C core, state unchanged
% sweep $MOD_LIVEPATCH/force -u $NOBODY: force as uid $NOBODY: open: EACCES
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 0 leaves the new function
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - Eight processes write 0 to "enabled" at once: one write disables the
#   livepatch, the others fail with EINVAL (already disabled) or ENODEV
#   (already removed).
# - Writes through files opened before the livepatch was removed fail with
#   ENODEV.

start_test "racing disables, and writes to a removed livepatch"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
log "% 8 processes write 0 to $MOD_LIVEPATCH/enabled: one write disables the livepatch"
out=$(race 0 1 8 ok EINVAL ENODEV)
[[ "$out" == *" ok 1"* && "$out" != *" ok 1"[0-9]* ]] ||
	die "not exactly one disable succeeded: $out"
loop_until '[[ ! -e "$PATCH_DIR" ]]' || die "$MOD_LIVEPATCH not disabled"
unload_lp $MOD_LIVEPATCH
for knob in enabled force; do
	load_lp $MOD_LIVEPATCH
	coproc STALE { $SWEEP -s "$PATCH_DIR/$knob"; }
	# Bash closes a coproc's descriptors and unsets STALE as soon as it
	# reaps the coproc, which can happen before its output is read: keep
	# copies of our own.
	stale_pid=$STALE_PID
	exec {stale_out}<&"${STALE[0]}" {stale_in}>&"${STALE[1]}"
	read -r line <&$stale_out
	[[ "$line" == opened ]] || die "klp_sweep -s: $line"
	disable_lp $MOD_LIVEPATCH
	loop_until '[[ ! -e "$PATCH_DIR" ]]' || die "$MOD_LIVEPATCH not disabled"
	echo >&$stale_in
	exec {stale_in}>&-
	out=$(cat <&$stale_out)
	exec {stale_out}<&-
	wait $stale_pid || die "sweep of a removed $knob: $out"
	figure "removed $knob: $out"
	log "% sweep removed $MOD_LIVEPATCH/$knob: ${out%; digest*}"
	unload_lp $MOD_LIVEPATCH
done
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% 8 processes write 0 to $MOD_LIVEPATCH/enabled: one write disables the livepatch
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
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
% sweep removed $MOD_LIVEPATCH/enabled: 659 writes, 0 valid values not written: every outcome as on the C core, state unchanged
% rmmod $MOD_LIVEPATCH
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
% sweep removed $MOD_LIVEPATCH/force: 659 writes, 0 valid values not written: every outcome as on the C core, state unchanged
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

cat "$FIGURES"
rm -f "$FIGURES"
exit 0
