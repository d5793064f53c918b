#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The per-task dynamic-debug messages of a transition: after
# "func klp_try_switch_task +p" the retries name the task that blocks the
# transition and the function it sleeps in, in the core's exact words;
# "func klp_try_switch_task -p" silences them again.  The transition's other
# messages are the usual ones.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

# set_task_debug(+p|-p) - switch the per-task messages of the transition
function set_task_debug() {
	echo "func klp_try_switch_task $1" > "$SYSFS_DEBUG_DIR/dynamic_debug/control" ||
		die "failed to switch the per-task messages"
}

# task_lines() - how many per-task messages were printed since start_test
function task_lines() {
	dmesg_since_start | strip_time | grep -c 'livepatch: klp_try_switch_task: '
}

setup_config


# - Kthread 0 sleeps in the original function and blocks the patching
#   transition.
# - Switch the per-task messages on: a retry names kthread 0 and the
#   function.  Switch them off: no more per-task messages.
# - Release kthread 0; apart from the per-task messages the log is that of a
#   blocked transition.

start_test "per-task debug messages name the task blocking a transition"

load_mod $MOD_TARGET hold=1
wait_param $MOD_TARGET blocked 1
IFS=, read -r PID0 PID1 < /sys/module/$MOD_TARGET/parameters/pids
load_lp_nowait $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH transition 1

BLOCKER="livepatch: klp_try_switch_task: klp_transition0:$PID0 is sleeping on function test_klp_transition_func"
set_task_debug +p
loop_until 'dmesg_since_start | strip_time | grep -qxF "$BLOCKER"' ||
	die "no message names the blocking task: $BLOCKER"
set_task_debug -p
before=$(task_lines)
# The core retries every second: give it a few retries to stay silent.
sleep 3
[[ $(task_lines) == "$before" ]] ||
	die "per-task messages after 'func klp_try_switch_task -p'"
check_sysfs_value $MOD_LIVEPATCH transition 1

set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

expect="% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
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

# As check_result(), without the per-task messages (their number depends on
# how many retries ran).
result=$(dmesg_since_start | strip_time | grep -e 'livepatch:' -e 'test_klp' |
	grep -v '\(tainting\|taints\) kernel' |
	grep -v 'livepatch: klp_try_switch_task: ')
if [[ "$expect" == "$result" ]]; then
	echo "ok"
else
	echo -e "not ok\n\n$(diff -upr --label expected --label result <(echo "$expect") <(echo "$result"))\n"
	die "livepatch kselftest(s) failed"
fi

exit 0
