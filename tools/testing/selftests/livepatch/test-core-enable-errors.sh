#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klp_enable_patch() refuses a patch from a module that is not marked as a
# livepatch module, with a message, and malformed patches (NULL funcs,
# objs, mod, old_name or new_func, names too long) with -EINVAL and no
# message.  A vmlinux object with NULL funcs ends the objects array: the
# patch has no objects, and enables.  Objects or functions listed twice,
# and patches that name another module as their own, are refused too.

. $(dirname $0)/functions.sh

MOD_NOT_LP=test_klp_core_not_lp
MOD_BAD=test_klp_core_bad_patch
MOD_OWNER=test_klp_core_owner
MOD_OWNER_LP=test_klp_core_owner_lp

# sysfs's duplicate-name warning comes with a stack dump, whose frames in
# the patch module would match what check_result reads: leave out frames.
function dmesg() {
	command dmesg "$@" | grep -v -E '^(\[[^]]*\])? +(\? )?[^ ]+\+0x[0-9a-f]+/0x[0-9a-f]+'
}

# The Rust core refuses what the C core lets through (see below).
if grep -q ' klp_ftrace_handler$' /proc/kallsyms; then
	CORE=c
else
	CORE=rust
fi

setup_config


# - A module without MODULE_INFO(livepatch, "Y") calls klp_enable_patch():
#   the core refuses it (-EINVAL) and says why.

start_test "patch module not marked as a livepatch module"

load_failing_mod $MOD_NOT_LP

check_result "% insmod test_modules/$MOD_NOT_LP.ko
livepatch: module $MOD_NOT_LP is not marked as a livepatch module
insmod: ERROR: could not insert module test_modules/$MOD_NOT_LP.ko: Invalid parameters"


# - Malformed patches fail klp_enable_patch() with -EINVAL, silently, and
#   leave no sysfs directory behind.
# - A patch whose first (vmlinux) object has NULL funcs has no objects: it
#   loads, enables and disables.

start_test "malformed patches"

for defect in no_funcs no_objs no_mod no_old_name no_new_func long_old_name long_obj_name; do
	load_failing_mod $MOD_BAD defect=$defect
	[[ -e "$SYSFS_KLP_DIR/$MOD_BAD" ]] && die "$SYSFS_KLP_DIR/$MOD_BAD left behind"
done
load_lp $MOD_BAD defect=no_objects
[[ -z "$(find "$SYSFS_KLP_DIR/$MOD_BAD" -mindepth 1 -type d)" ]] ||
	die "$SYSFS_KLP_DIR/$MOD_BAD has object directories"
disable_lp $MOD_BAD
unload_lp $MOD_BAD

check_result "% insmod test_modules/$MOD_BAD.ko defect=no_funcs
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=no_objs
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=no_mod
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=no_old_name
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=no_new_func
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=long_old_name
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=long_obj_name
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% insmod test_modules/$MOD_BAD.ko defect=no_objects
livepatch: enabling patch '$MOD_BAD'
livepatch: '$MOD_BAD': initializing patching transition
livepatch: '$MOD_BAD': starting patching transition
livepatch: '$MOD_BAD': completing patching transition
livepatch: '$MOD_BAD': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_BAD/enabled
livepatch: '$MOD_BAD': initializing unpatching transition
livepatch: '$MOD_BAD': starting unpatching transition
livepatch: '$MOD_BAD': completing unpatching transition
livepatch: '$MOD_BAD': unpatching complete
% rmmod $MOD_BAD"


# - An object listed twice, or a function listed twice in its object: both
#   get the same sysfs directory name, and the second kobject_add() fails
#   (-EEXIST, which the module loader reports as EBUSY).

start_test "an object or a function listed twice"

for defect in dup_object dup_func; do
	load_failing_mod $MOD_BAD defect=$defect
	[[ -e "$SYSFS_KLP_DIR/$MOD_BAD" ]] && die "$SYSFS_KLP_DIR/$MOD_BAD left behind"
done

check_result "% insmod test_modules/$MOD_BAD.ko defect=dup_object
sysfs: cannot create duplicate filename '/kernel/livepatch/$MOD_BAD/vmlinux'
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Device or resource busy
% insmod test_modules/$MOD_BAD.ko defect=dup_func
sysfs: cannot create duplicate filename '/kernel/livepatch/$MOD_BAD/vmlinux/cmdline_proc_show,1'
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Device or resource busy"


# - A patch whose mod is another module that is not a livepatch module is
#   refused with the C core's message.
# - A patch whose mod is another, already loaded livepatch module: the C
#   core enables it under that module's name and takes a reference on that
#   module instead of the caller (which could then be removed under the
#   enabled patch).  The Rust core refuses it: klp_enable_patch() must be
#   called from the module_init() of patch->mod.

start_test "a patch that names another module as its own"

load_mod $MOD_OWNER
load_failing_mod $MOD_BAD defect=foreign_mod
unload_mod $MOD_OWNER
__load_mod $MOD_OWNER_LP
if [[ $CORE == c ]]; then
	__load_mod $MOD_BAD defect=foreign_lp_mod
	loop_until 'grep -q "^0$" "$SYSFS_KLP_DIR/$MOD_OWNER_LP/transition"' ||
		die "failed to complete transition"
	disable_lp $MOD_OWNER_LP
	unload_mod $MOD_BAD
	foreign_lp="% insmod test_modules/$MOD_BAD.ko defect=foreign_lp_mod
livepatch: enabling patch '$MOD_OWNER_LP'
livepatch: '$MOD_OWNER_LP': initializing patching transition
livepatch: '$MOD_OWNER_LP': starting patching transition
livepatch: '$MOD_OWNER_LP': completing patching transition
livepatch: '$MOD_OWNER_LP': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_OWNER_LP/enabled
livepatch: '$MOD_OWNER_LP': initializing unpatching transition
livepatch: '$MOD_OWNER_LP': starting unpatching transition
livepatch: '$MOD_OWNER_LP': completing unpatching transition
livepatch: '$MOD_OWNER_LP': unpatching complete
% rmmod $MOD_BAD"
else
	load_failing_mod $MOD_BAD defect=foreign_lp_mod
	foreign_lp="% insmod test_modules/$MOD_BAD.ko defect=foreign_lp_mod
livepatch: module $MOD_OWNER_LP is not being loaded: its patch must be enabled from its module_init()
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters"
fi
unload_mod $MOD_OWNER_LP

check_result "% insmod test_modules/$MOD_OWNER.ko
% insmod test_modules/$MOD_BAD.ko defect=foreign_mod
livepatch: module $MOD_OWNER is not marked as a livepatch module
insmod: ERROR: could not insert module test_modules/$MOD_BAD.ko: Invalid parameters
% rmmod $MOD_OWNER
% insmod test_modules/$MOD_OWNER_LP.ko
$foreign_lp
% rmmod $MOD_OWNER_LP"


# - klp_enable_patch() of a registered patch: the C core initializes its
#   kobjects and list entry again and corrupts the list of patches, so this
#   case runs on the Rust core only, which refuses the second call (-EEXIST)
#   and keeps the patch enabled.

if [[ $CORE == rust ]]; then
	start_test "the same patch enabled twice"

	load_lp $MOD_BAD defect=twice
	disable_lp $MOD_BAD
	unload_lp $MOD_BAD

	# The first transition may complete before or after the second call.
	function dmesg() {
		command dmesg "$@" | grep -v "'$MOD_BAD': \(completing patching transition\|patching complete\)$"
	}
	check_result "% insmod test_modules/$MOD_BAD.ko defect=twice
livepatch: enabling patch '$MOD_BAD'
livepatch: '$MOD_BAD': initializing patching transition
livepatch: '$MOD_BAD': starting patching transition
livepatch: module $MOD_BAD already has a registered patch
$MOD_BAD: second klp_enable_patch(): -17
% echo 0 > $SYSFS_KLP_DIR/$MOD_BAD/enabled
livepatch: '$MOD_BAD': initializing unpatching transition
livepatch: '$MOD_BAD': starting unpatching transition
livepatch: '$MOD_BAD': completing unpatching transition
livepatch: '$MOD_BAD': unpatching complete
% rmmod $MOD_BAD"
	unset -f dmesg
fi

exit 0
