#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sysfs interface of a livepatch in each of its states: the mode and
# value of every node under /sys/kernel/livepatch/<patch>/, and the errno of
# writes to the writable knobs (enabled, force) and to the read-only
# attributes, as root and as an unprivileged user.  Each line is logged,
# so check_result compares them, in order, with the core's own messages.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

IO=test_modules/klp_io
PATCH_DIR=$SYSFS_KLP_DIR/$MOD_LIVEPATCH
NOBODY=65534

# The values written to the knobs, as printf formats; "big" is 5000 times
# "1" in one write.  NOT_TRUE leaves out the values kstrtobool() reads as
# true.
VALUES=("" " " "2" "-1" "yes" "no" "on" "off" "1" "0" "Y" "n" "1\n" "0\n"
	"\x01\xff\x00\x02" big)
NOT_TRUE=("" " " "2" "-1" "no" "off" "0" "n" "0\n" "\x01\xff\x00\x02")

# list_nodes([uid]) - log the mode and the value (or the errno of reading)
#		      of every node of the livepatch's sysfs directory
function list_nodes() {
	local uid=() node value

	[[ -n "$1" ]] && uid=(-u "$1")

	if [[ ! -e "$PATCH_DIR" ]]; then
		log "% ls $PATCH_DIR: no such directory"
		return
	fi
	find "$PATCH_DIR" -mindepth 1 | sort | while read -r node; do
		if [[ -d "$node" ]]; then
			value="(directory)"
		else
			value=$($IO "${uid[@]}" read "$node")
		fi
		log "% ${uid[*]:+${uid[*]} }$(stat -c %a "$node") ${node#$SYSFS_KLP_DIR/}: $value"
	done
}

# write_value(path, format, [uid]) - write a value to path with a single
#				     write(2) and log the outcome
function write_value() {
	local path="$1" fmt="$2" uid=() ret

	[[ -n "$3" ]] && uid=(-u "$3")
	if [[ "$fmt" == big ]]; then
		ret=$(head -c 5000 /dev/zero | tr '\0' 1 | $IO "${uid[@]}" write "$path")
	else
		ret=$(printf -- "$fmt" | $IO "${uid[@]}" write "$path")
	fi
	log "% ${uid[*]:+${uid[*]} }write '$fmt' > ${path#$SYSFS_KLP_DIR/}: $ret"
}

# state() - "enabled transition" of the livepatch, "gone" without sysfs dir
function state() {
	if [[ -e "$PATCH_DIR" ]]; then
		echo "$(cat "$PATCH_DIR/enabled") $(cat "$PATCH_DIR/transition")"
	else
		echo gone
	fi
}

# write_values(knob, restore, values) - write each value of the array named
#	values to the knob; after a write that changed the state, call restore
function write_values() {
	local knob="$1" restore="$2" before fmt
	local -n values="$3"

	for fmt in "${values[@]}"; do
		before=$(state)
		write_value "$PATCH_DIR/$knob" "$fmt"
		[[ "$(state)" == "$before" ]] || $restore
	done
}

# write_read_only() - write to the read-only attributes
function write_read_only() {
	local attr

	for attr in transition replace stack_order $MOD_TARGET/patched; do
		write_value "$PATCH_DIR/$attr" "1"
	done
}

setup_config


# - Enabled livepatch, no transition.  Writing a false value to "enabled"
#   disables it; the livepatch is then reloaded.  "force" refuses true
#   values (no transition) and accepts false ones (no-op).
# - As an unprivileged user, nodes are read as their modes allow and writes
#   are refused at open.

start_test "sysfs of an enabled livepatch"

function restore_enabled() {
	loop_until '[[ ! -e "$PATCH_DIR" ]]' || die "$MOD_LIVEPATCH not disabled"
	unload_lp $MOD_LIVEPATCH
	load_lp $MOD_LIVEPATCH
}

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
list_nodes
write_values enabled restore_enabled VALUES
write_values force restore_enabled VALUES
write_read_only
list_nodes $NOBODY
write_value "$PATCH_DIR/enabled" "0" $NOBODY
write_value "$PATCH_DIR/force" "1" $NOBODY
write_value "$PATCH_DIR/transition" "1" $NOBODY
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "TODO"


# - Patching transition blocked by kthread 0 of the target module, which
#   sleeps in the original function.  A false value written to "enabled"
#   reverses the transition, which then completes: the livepatch is
#   reloaded.  True values are not written to "force": forcing would keep
#   the livepatch module loaded for good (test-transition-force.sh covers it
#   with a module of its own).

start_test "sysfs of a livepatch in a blocked patching transition"

function restore_patching() {
	loop_until '[[ ! -e "$PATCH_DIR" ]]' || die "$MOD_LIVEPATCH not disabled"
	unload_lp $MOD_LIVEPATCH
	load_lp_nowait $MOD_LIVEPATCH
}

load_mod $MOD_TARGET hold=1
load_lp_nowait $MOD_LIVEPATCH
list_nodes
write_values enabled restore_patching VALUES
write_values force restore_patching NOT_TRUE
write_read_only
set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "TODO"


# - Unpatching transition blocked by kthread 0, which sleeps in the new
#   function: "enabled" reads 0.  A true value written to "enabled" reverses
#   the transition, which then completes; writing 0 blocks it again.
# - Once the transition completes, the livepatch's sysfs directory is gone
#   while its module is still loaded.

start_test "sysfs of a livepatch in a blocked unpatching transition"

function restore_unpatching() {
	wait_transition $MOD_LIVEPATCH
	set_enabled $MOD_LIVEPATCH 0
}

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
set_param $MOD_LIVEPATCH hold 1
wait_param $MOD_LIVEPATCH blocked 1
set_enabled $MOD_LIVEPATCH 0
list_nodes
write_values enabled restore_unpatching VALUES
write_values force restore_unpatching NOT_TRUE
write_read_only
set_param $MOD_LIVEPATCH hold 0
loop_until '[[ ! -e "$PATCH_DIR" ]]' || die "$MOD_LIVEPATCH not disabled"
[[ -e /sys/module/$MOD_LIVEPATCH ]] || die "$MOD_LIVEPATCH unloaded"
list_nodes
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "TODO"

exit 0
