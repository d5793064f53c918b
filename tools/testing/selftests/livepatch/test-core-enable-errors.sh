#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# klp_enable_patch() refuses a patch from a module that is not marked as a
# livepatch module, with a message, and malformed patches (NULL funcs,
# objs, mod, old_name or new_func, names too long) with -EINVAL and no
# message.  A vmlinux object with NULL funcs ends the objects array: the
# patch has no objects, and enables.

. $(dirname $0)/functions.sh

MOD_NOT_LP=test_klp_core_not_lp
MOD_BAD=test_klp_core_bad_patch

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

exit 0
