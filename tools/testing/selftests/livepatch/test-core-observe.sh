#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What the Rust core shows of a transition beyond the C core's interface
# (Documentation/ABI/testing/sysfs-kernel-livepatch-rust):
# - <patch>/blocking lists the tasks that keep the transition from
#   completing, and why;
# - poll() on <patch>/transition wakes when the transition ends;
# - <patch>/<object>/<function,sympos>/active tells which patch's version of
#   a function is on top.
# On the C core these attributes do not exist, which is checked too.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_UPPER=test_klp_stack_patch
FUNC_DIR=test_klp_transition_mod/test_klp_transition_func,1
POLL=$(dirname $0)/test_modules/klp_poll

FIGURES=$(mktemp)
trap 'rm -f "$FIGURES"' EXIT

if grep -q ' klp_ftrace_handler$' /proc/kallsyms; then
	CORE=c
else
	CORE=rust
fi

setup_config


# - A kthread of the target module sleeps in test_klp_transition_func():
#   the livepatch's patching transition is blocked.
# - blocking (mode 0400) names the kthread and the function, refreshed at
#   each retry; active is 1 for the patch's function, on top of its stack.
# - A poller of transition, started before the kthread is let go, wakes
#   when the transition completes; blocking is then empty.
# - A second livepatch of the same function takes its place on top: the
#   first patch's active becomes 0, and 1 again once the second is gone.

start_test "blocking tasks, poll() on transition, the active version"

load_mod $MOD_TARGET hold=1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp_nowait $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH transition 1

if [[ $CORE == c ]]; then
	for f in $SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking $SYSFS_KLP_DIR/$MOD_LIVEPATCH/$FUNC_DIR/active; do
		[[ -e $f ]] && die "$f exists on the C core"
	done
else
	check_sysfs_rights $MOD_LIVEPATCH blocking "-r--------"
	want="$PID0 klp_transition0: sleeping in test_klp_transition_func of $MOD_TARGET"
	loop_until 'grep -qxF "$want" "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking"' ||
		die "blocking does not name kthread 0: $(cat $SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking)"
	echo "FIGURE: blocking during the patching transition: $(tr '\n' '|' < $SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking)" >> "$FIGURES"
	check_sysfs_value $MOD_LIVEPATCH $FUNC_DIR/active 1
fi

out=$(mktemp)
$POLL "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/transition" 30 > "$out" &
poller=$!
loop_until 'grep -q ready "$out"' || die "klp_poll did not start"
set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
if [[ $CORE == rust ]]; then
	wait $poller || die "poll() on transition did not wake: $(cat $out)"
	grep -q "^1 -> 0 after [0-9]* ms$" "$out" || die "klp_poll: $(cat $out)"
	echo "FIGURE: poll() on transition: $(tail -n 1 $out)" >> "$FIGURES"
	[[ -z "$(cat $SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking)" ]] ||
		die "blocking is not empty after the transition"
else
	# The C core does not notify transition: the poller would wait
	# for its timeout.
	kill $poller 2>/dev/null
	wait $poller 2>/dev/null
fi
rm -f "$out"

load_lp $MOD_UPPER
if [[ $CORE == rust ]]; then
	check_sysfs_value $MOD_LIVEPATCH $FUNC_DIR/active 0
	check_sysfs_value $MOD_UPPER $FUNC_DIR/active 1
fi
disable_lp $MOD_UPPER
[[ $CORE == rust ]] && check_sysfs_value $MOD_LIVEPATCH $FUNC_DIR/active 1
unload_lp $MOD_UPPER

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
% insmod test_modules/$MOD_UPPER.ko
livepatch: enabling patch '$MOD_UPPER'
livepatch: '$MOD_UPPER': initializing patching transition
livepatch: '$MOD_UPPER': starting patching transition
livepatch: '$MOD_UPPER': completing patching transition
livepatch: '$MOD_UPPER': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_UPPER/enabled
livepatch: '$MOD_UPPER': initializing unpatching transition
livepatch: '$MOD_UPPER': starting unpatching transition
livepatch: '$MOD_UPPER': completing unpatching transition
livepatch: '$MOD_UPPER': unpatching complete
% rmmod $MOD_UPPER
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

cat "$FIGURES"
exit 0
