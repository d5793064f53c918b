#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sysfs interface of a livepatch in each of its states (enabled, in a
# blocked patching transition, in a blocked unpatching transition, disabled
# with its module still loaded): the mode and value of every node under
# /sys/kernel/livepatch/<patch>/, and the outcome of writes to the writable
# knobs (enabled, force) and to the read-only attributes, as root and as an
# unprivileged user.  Each line is logged, so check_result compares them, in
# order, with the core's own messages.
#
# Outcomes that come from sysfs rather than from the core's store
# functions: an empty write succeeds without calling them; a 5000-byte write
# reaches them as its first 4096 bytes; writing a read-only attribute, or
# reading the write-only "force", fails at open with EACCES, also for root.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

IO=test_modules/klp_io

# The blocked transitions below last as long as the writes take; on a slow
# (debug, emulated) machine that passes the core's 15 retries, after which it
# adds "signaling remaining tasks" lines at no fixed place.  Leave them out of
# what check_result reads: they say how long the test took, not how sysfs
# behaves.
function dmesg() {
	command dmesg "$@" | grep -v 'livepatch: signaling remaining tasks$'
}

PATCH_DIR=$SYSFS_KLP_DIR/$MOD_LIVEPATCH
NOBODY=65534

# The values written to the knobs, as printf formats; "big" is 5000 times
# "1" in one write.  NOT_TRUE leaves out the values kstrtobool() reads as
# true.
VALUES=("" " " "2" "-1" "yes" "no" "on" "off" "1" "0" "Y" "n" "1\n" "0\n"
	"\x01\xff\x00\x02" big)
NOT_TRUE=("" " " "2" "-1" "no" "off" "0" "n" "0\n" "\x01\xff\x00\x02")

# list_nodes([uid]) - log the mode and the value (or the errno of reading)
#		      of every node of the livepatch's sysfs directory that
#		      both cores have (the Rust core's own "blocking" and
#		      "active" are checked by test-core-observe.sh)
function list_nodes() {
	local uid=() node value

	[[ -n "$1" ]] && uid=(-u "$1")

	if [[ ! -e "$PATCH_DIR" ]]; then
		log "% ls $PATCH_DIR: no such directory"
		return
	fi
	find "$PATCH_DIR" -mindepth 1 ! -name blocking ! -name active | sort |
	while read -r node; do
		if [[ -d "$node" ]]; then
			value="(directory)"
		else
			value=$($IO "${uid[@]}" read "$node")
		fi
		log "% ${uid[*]:+${uid[*]} }$(stat -c %a "$node") ${node#$SYSFS_KLP_DIR/}: $value"
	done
}

# state() - "enabled transition" of the livepatch, "gone" without sysfs dir
function state() {
	if [[ -e "$PATCH_DIR" ]]; then
		echo "$(cat "$PATCH_DIR/enabled" 2>&1) $(cat "$PATCH_DIR/transition" 2>&1)"
	else
		echo gone
	fi
}

# write_value(path, format, [uid]) - write a value to path with a single
#	write(2) and log the command, then the outcome.  When the write
#	changed the livepatch's state, wait until a transition it started
#	completes (so that the core's messages come before the outcome) and
#	return 1.
function write_value() {
	local path="$1" fmt="$2" uid=() rel=${1#$SYSFS_KLP_DIR/} before ret

	[[ -n "$3" ]] && uid=(-u "$3")
	log "% ${uid[*]:+${uid[*]} }write '$fmt' > $rel"
	before=$(state)
	if [[ "$fmt" == big ]]; then
		ret=$(head -c 5000 /dev/zero | tr '\0' 1 | $IO "${uid[@]}" write "$path")
	else
		ret=$(printf -- "$fmt" | $IO "${uid[@]}" write "$path")
	fi
	if [[ "$(state)" == "$before" ]]; then
		log "= $rel: $ret"
		return 0
	fi
	loop_until '[[ ! -e "$PATCH_DIR" ]] || grep -qs "^0$" "$PATCH_DIR/transition"' ||
		die "the transition of $MOD_LIVEPATCH did not complete"
	log "= $rel: $ret"
	return 1
}

# write_values(knob, restore, values) - write each value of the array named
#	values to the knob; after a write that changed the state, call restore
function write_values() {
	local knob="$1" restore="$2" fmt
	local -n values="$3"

	for fmt in "${values[@]}"; do
		write_value "$PATCH_DIR/$knob" "$fmt" || $restore
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

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% 644 $MOD_LIVEPATCH/enabled: 1
% 200 $MOD_LIVEPATCH/force: open: EACCES
% 444 $MOD_LIVEPATCH/replace: 0
% 444 $MOD_LIVEPATCH/stack_order: 1
% 755 $MOD_LIVEPATCH/$MOD_TARGET: (directory)
% 444 $MOD_LIVEPATCH/$MOD_TARGET/patched: 1
% 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_func,1: (directory)
% 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_spin_show,1: (directory)
% 444 $MOD_LIVEPATCH/transition: 0
% write '' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: ok
% write ' ' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '2' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '-1' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'yes' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'no' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% write 'on' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'off' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% write '1' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '0' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% write 'Y' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'n' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% write '1\n' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '0\n' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% write '\x01\xff\x00\x02' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'big' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write ' ' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '2' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '-1' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'yes' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'no' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write 'on' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'off' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '1' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '0' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write 'Y' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '1\n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '0\n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '\x01\xff\x00\x02' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'big' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '1' > $MOD_LIVEPATCH/transition
= $MOD_LIVEPATCH/transition: open: EACCES
% write '1' > $MOD_LIVEPATCH/replace
= $MOD_LIVEPATCH/replace: open: EACCES
% write '1' > $MOD_LIVEPATCH/stack_order
= $MOD_LIVEPATCH/stack_order: open: EACCES
% write '1' > $MOD_LIVEPATCH/$MOD_TARGET/patched
= $MOD_LIVEPATCH/$MOD_TARGET/patched: open: EACCES
% -u $NOBODY 644 $MOD_LIVEPATCH/enabled: 1
% -u $NOBODY 200 $MOD_LIVEPATCH/force: open: EACCES
% -u $NOBODY 444 $MOD_LIVEPATCH/replace: 0
% -u $NOBODY 444 $MOD_LIVEPATCH/stack_order: 1
% -u $NOBODY 755 $MOD_LIVEPATCH/$MOD_TARGET: (directory)
% -u $NOBODY 444 $MOD_LIVEPATCH/$MOD_TARGET/patched: 1
% -u $NOBODY 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_func,1: (directory)
% -u $NOBODY 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_spin_show,1: (directory)
% -u $NOBODY 444 $MOD_LIVEPATCH/transition: 0
% -u $NOBODY write '0' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: open: EACCES
% -u $NOBODY write '1' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: open: EACCES
% -u $NOBODY write '1' > $MOD_LIVEPATCH/transition
= $MOD_LIVEPATCH/transition: open: EACCES
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


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

check_result "% insmod test_modules/$MOD_TARGET.ko hold=1
$MOD_TARGET: test_klp_transition_func: kthread 0 sleeps in the original function
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% 644 $MOD_LIVEPATCH/enabled: 1
% 200 $MOD_LIVEPATCH/force: open: EACCES
% 444 $MOD_LIVEPATCH/replace: 0
% 444 $MOD_LIVEPATCH/stack_order: 1
% 755 $MOD_LIVEPATCH/$MOD_TARGET: (directory)
% 444 $MOD_LIVEPATCH/$MOD_TARGET/patched: 1
% 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_func,1: (directory)
% 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_spin_show,1: (directory)
% 444 $MOD_LIVEPATCH/transition: 1
% write '' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: ok
% write ' ' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '2' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '-1' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'yes' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'no' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from patching to unpatching
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% write 'on' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'off' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from patching to unpatching
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% write '1' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '0' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from patching to unpatching
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% write 'Y' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'n' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from patching to unpatching
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% write '1\n' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '0\n' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from patching to unpatching
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
= $MOD_LIVEPATCH/enabled: ok
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% write '\x01\xff\x00\x02' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'big' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write ' ' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '2' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '-1' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'no' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write 'off' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '0' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write 'n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '0\n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '\x01\xff\x00\x02' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '1' > $MOD_LIVEPATCH/transition
= $MOD_LIVEPATCH/transition: open: EACCES
% write '1' > $MOD_LIVEPATCH/replace
= $MOD_LIVEPATCH/replace: open: EACCES
% write '1' > $MOD_LIVEPATCH/stack_order
= $MOD_LIVEPATCH/stack_order: open: EACCES
% write '1' > $MOD_LIVEPATCH/$MOD_TARGET/patched
= $MOD_LIVEPATCH/$MOD_TARGET/patched: open: EACCES
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
% 644 $MOD_LIVEPATCH/enabled: 0
% 200 $MOD_LIVEPATCH/force: open: EACCES
% 444 $MOD_LIVEPATCH/replace: 0
% 444 $MOD_LIVEPATCH/stack_order: 1
% 755 $MOD_LIVEPATCH/$MOD_TARGET: (directory)
% 444 $MOD_LIVEPATCH/$MOD_TARGET/patched: 1
% 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_func,1: (directory)
% 755 $MOD_LIVEPATCH/$MOD_TARGET/test_klp_transition_spin_show,1: (directory)
% 444 $MOD_LIVEPATCH/transition: 1
% write '' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: ok
% write ' ' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '2' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '-1' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'yes' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
= $MOD_LIVEPATCH/enabled: ok
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% write 'no' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'on' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
= $MOD_LIVEPATCH/enabled: ok
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% write 'off' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '1' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
= $MOD_LIVEPATCH/enabled: ok
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% write '0' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'Y' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
= $MOD_LIVEPATCH/enabled: ok
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% write 'n' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '1\n' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
= $MOD_LIVEPATCH/enabled: ok
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% write '0\n' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write '\x01\xff\x00\x02' > $MOD_LIVEPATCH/enabled
= $MOD_LIVEPATCH/enabled: write: EINVAL
% write 'big' > $MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': reversing transition from unpatching to patching
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
= $MOD_LIVEPATCH/enabled: short 4096
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
% write '' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write ' ' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '2' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '-1' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write 'no' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write 'off' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '0' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write 'n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '0\n' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: ok
% write '\x01\xff\x00\x02' > $MOD_LIVEPATCH/force
= $MOD_LIVEPATCH/force: write: EINVAL
% write '1' > $MOD_LIVEPATCH/transition
= $MOD_LIVEPATCH/transition: open: EACCES
% write '1' > $MOD_LIVEPATCH/replace
= $MOD_LIVEPATCH/replace: open: EACCES
% write '1' > $MOD_LIVEPATCH/stack_order
= $MOD_LIVEPATCH/stack_order: open: EACCES
% write '1' > $MOD_LIVEPATCH/$MOD_TARGET/patched
= $MOD_LIVEPATCH/$MOD_TARGET/patched: open: EACCES
% echo 0 > /sys/module/$MOD_LIVEPATCH/parameters/hold
$MOD_LIVEPATCH: livepatch_transition_func: kthread 0 leaves the new function
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% ls $SYSFS_KLP_DIR/$MOD_LIVEPATCH: no such directory
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"

exit 0
