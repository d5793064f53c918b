#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the test-transition-*.sh scripts, sourced after
# functions.sh: the target module with its kthreads, the livepatch, and waits
# on module parameters, /proc/<pid>/patch_state and the patch's transition.

MOD_TARGET=test_klp_transition_mod
MOD_LIVEPATCH=test_klp_transition_patch

# set_param(modname, param, value) - write a module parameter
function set_param() {
	local mod="$1" param="$2" value="$3"

	log "% echo $value > /sys/module/$mod/parameters/$param"
	echo "$value" > "/sys/module/$mod/parameters/$param" ||
		die "failed to set $param of $mod"
}

# set_enabled(modname, value) - write the patch's enabled attribute, do not
#				wait for the transition
function set_enabled() {
	local mod="$1" value="$2"

	log "% echo $value > $SYSFS_KLP_DIR/$mod/enabled"
	echo "$value" > "$SYSFS_KLP_DIR/$mod/enabled" ||
		die "failed to write $value to $mod/enabled"
}

# check_param(modname, param, value) - a module parameter reads value
function check_param() {
	local mod="$1" param="$2" value="$3"
	local current

	current=$(cat "/sys/module/$mod/parameters/$param")
	[[ "$current" == "$value" ]] ||
		die "/sys/module/$mod/parameters/$param is $current, expected $value"
}

# wait_param(modname, param, value) - wait until a module parameter reads value
function wait_param() {
	local mod="$1" param="$2" value="$3"

	loop_until '[[ $(cat "/sys/module/$mod/parameters/$param") == "$value" ]]' ||
		die "/sys/module/$mod/parameters/$param did not become $value"
}

# check_patch_state(pid, state) - the task's patch_state is state
function check_patch_state() {
	local pid="$1" state="$2"
	local value

	value=$(cat "/proc/$pid/patch_state")
	[[ "$value" == "$state" ]] ||
		die "patch_state of task $pid is $value, expected $state"
}

# wait_patch_state(pid, state) - wait until the task's patch_state is state
function wait_patch_state() {
	local pid="$1" state="$2"

	loop_until '[[ $(cat "/proc/$pid/patch_state") == "$state" ]]' ||
		die "patch_state of task $pid is $(cat "/proc/$pid/patch_state"), expected $state"
}

# wait_transition(modname) - wait until the patch's transition completes
function wait_transition() {
	local mod="$1"

	loop_until 'grep -q "^0$" "$SYSFS_KLP_DIR/$mod/transition"' ||
		die "the transition of $mod did not complete"
}

# dmesg_since_start() - the kernel messages since start_test
function dmesg_since_start() {
	dmesg | awk -v last_dmesg="$LAST_DMESG" 'p; $0 == last_dmesg { p=1 }'
}

# strip_time() - filter out the time stamps of kernel messages
function strip_time() {
	sed 's/^\[[ 0-9.]*\] //' | sed 's/^\[[ ]*[CT][0-9]*\] //'
}
