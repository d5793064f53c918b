#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation failures while a livepatch module enables its patch.  For
# N = 1, 2, ... test_modules/klp_failnth loads the module while the N-th
# slab allocation (failslab), and in a second sweep the N-th page
# allocation (fail_page_alloc), of its klp_enable_patch() call fails
# (test_klp_fault_arm arms fail-nth for that call only; FAULT_SCOPE=insmod
# counts from the start of the load instead, which adds the module
# loader's own allocations and takes much longer), until the call passes
# fewer than N allocations.  Every failed load must leave nothing behind:
# no module, no livepatch directory, the functions unpatched and the
# patches loaded before unchanged.  A load that absorbed the failure must
# have enabled the patch.  Then the patch must load normally.  Leaks are
# left to kmemleak (debug kernels scan at the end of the run).
#
# Three patches: a vmlinux function (test_klp_livepatch); callbacks and a
# loaded module's object (test_klp_callbacks_demo); an atomic replace of
# the latter, which adds no-op functions and a dynamic object
# (test_klp_atomic_replace).  Each sweep's figures are printed on a
# "FIGURE:" line at the end.  Skipped on kernels without fault injection.

. $(dirname $0)/functions.sh

FAILNTH=test_modules/klp_failnth
MOD_LIVEPATCH=test_klp_livepatch
MOD_DEMO=test_klp_callbacks_demo
MOD_DEMO_TARGET=test_klp_callbacks_mod
MOD_REPLACE=test_klp_atomic_replace
MOD_ARM=test_klp_fault_arm
SCOPE=${FAULT_SCOPE:-klp}
FI=/sys/kernel/debug
MAX_N=${FAULT_MAX_N:-5000}
FIGURES=$(mktemp)

[[ -e /proc/self/fail-nth && -d $FI/failslab && -d $FI/fail_page_alloc ]] ||
	skip "this kernel has no fault injection (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC)"

# The sweep's own messages differ with the core's allocation count: leave
# the lines between its first and last line out of what check_result reads.
function dmesg() {
	command dmesg "$@" | awk '/% fault sweep .* begins/ { print; skip = 1; next }
		/% fault sweep .* ends/ { skip = 0 } !skip'
}

# only_fail(slab|page) - make fail-nth count only that kind of allocation,
#	every allocation of it (also those that may sleep), and quietly
function only_fail() {
	local kind="$1" d

	for d in failslab fail_page_alloc; do
		echo 0 > $FI/$d/verbose
		echo N > $FI/$d/ignore-gfp-wait
	done
	echo N > $FI/fail_page_alloc/ignore-gfp-highmem
	if [[ $kind == slab ]]; then
		echo N > $FI/failslab/cache-filter
		echo 64 > $FI/fail_page_alloc/min-order
	else
		# No cache is marked for failslab's filter.
		echo Y > $FI/failslab/cache-filter
		echo 0 > $FI/fail_page_alloc/min-order
	fi
}

function restore_fail() {
	echo Y > $FI/failslab/ignore-gfp-wait
	echo N > $FI/failslab/cache-filter
	echo Y > $FI/fail_page_alloc/ignore-gfp-wait
	echo Y > $FI/fail_page_alloc/ignore-gfp-highmem
	echo 1 > $FI/fail_page_alloc/min-order
}

# Builtins only from here on, where it can be: each fork costs much on a
# debug kernel in an emulator, and the sweeps load modules hundreds of times.
function cmdline_patched() {
	local line

	read -r line < /proc/cmdline
	[[ "$line" == *"this has been live patched"* ]]
}

# check_clean(mod, before) - after a failed load: no trace of mod, and the
#	patches as they were before (patches_state)
function check_clean() {
	local mod="$1" before="$2"

	[[ ! -e /sys/module/$mod ]] || die "$mod is loaded after a failed load"
	[[ ! -e $SYSFS_KLP_DIR/$mod ]] || die "$SYSFS_KLP_DIR/$mod left behind"
	[[ "$(patches_state)" == "$before" ]] ||
		die "after a failed load of $mod: $(patches_state), expected $before"
}

# patches_state() - every livepatch with its enabled and transition values,
#	and whether cmdline_proc_show is patched
function patches_state() {
	local p e t

	for p in "$SYSFS_KLP_DIR"/*; do
		[[ -e "$p" ]] || continue
		read -r e < "$p/enabled"
		read -r t < "$p/transition"
		echo -n "${p##*/}:$e$t "
	done
	cmdline_patched && echo -n "cmdline patched" || echo -n "cmdline original"
}

# wait_enabled(mod) - mod's patch is enabled and its transition done
function wait_enabled() {
	local mod="$1"

	loop_until '[[ -e "$SYSFS_KLP_DIR/$mod" ]] && grep -q "^0$" "$SYSFS_KLP_DIR/$mod/transition"' ||
		die "$mod loaded, but its patch is not enabled"
	[[ "$(cat "$SYSFS_KLP_DIR/$mod/enabled")" == 1 ]] || die "$mod loaded, but disabled"
}

# remove(mod) - disable mod's patch (still enabled, or replaced) and unload it
function remove() {
	local mod="$1"

	if [[ -e "$SYSFS_KLP_DIR/$mod" ]]; then
		echo 0 > "$SYSFS_KLP_DIR/$mod/enabled"
		loop_until '[[ ! -e "$SYSFS_KLP_DIR/$mod" ]]' || die "$mod not disabled"
	fi
	loop_until 'rmmod $mod 2>/dev/null' || die "failed to unload $mod"
}

# sweep(kind, mod, params, setup, reset, teardown) - load mod with its N-th
#	allocation of kind failing, for every N until loading passes fewer
#	than N; setup loads what mod needs, reset undoes a successful load,
#	teardown undoes setup
function sweep() {
	local kind="$1" mod="$2" params="$3" setup="$4" reset="$5" teardown="$6"
	local n out before failed=0 absorbed=0 errs="" e arm=
	declare -A count

	[[ $SCOPE == klp ]] && arm=-k
	log "% fault sweep of $mod ($kind) begins"
	$setup
	before=$(patches_state)
	only_fail $kind
	for ((n = 1; n <= MAX_N; n++)); do
		out=$($FAILNTH ${arm} $n test_modules/$mod.ko "$params") || die "klp_failnth: $out"
		case $out in
		"ok not-reached")
			break ;;
		"ok injected")
			absorbed=$((absorbed + 1))
			wait_enabled $mod
			$reset
			[[ "$(patches_state)" == "$before" ]] || die "reset: $(patches_state)"
			;;
		*" injected")
			failed=$((failed + 1))
			count[${out% *}]=$((${count[${out% *}]:-0} + 1))
			check_clean $mod "$before"
			;;
		*)
			die "load of $mod with allocation $n failing: $out" ;;
		esac
	done
	restore_fail
	(( n <= MAX_N )) || die "$mod still reaches allocation $MAX_N"
	wait_enabled $mod
	$reset
	$teardown
	for e in "${!count[@]}"; do errs="$errs ${count[$e]} $e"; done
	echo "FIGURE: $mod $kind ($SCOPE): loads with allocation 1..$((n - 1)) failing: $failed failed cleanly (${errs# }), $absorbed enabled anyway; enabled at $n" >> "$FIGURES"
	log "% fault sweep of $mod ($kind) ends: every failed load left nothing behind"
}

function nothing() {
	:
}

function reset_livepatch() {
	remove $MOD_LIVEPATCH
}

function setup_demo() {
	load_mod $MOD_DEMO_TARGET
}

function teardown_demo() {
	unload_mod $MOD_DEMO_TARGET
}

function reset_demo() {
	remove $MOD_DEMO
}

function setup_replace() {
	load_mod $MOD_DEMO_TARGET
	load_lp $MOD_DEMO
}

function teardown_replace() {
	remove $MOD_DEMO
	unload_mod $MOD_DEMO_TARGET
}

function reset_replace() {
	remove $MOD_REPLACE
	remove $MOD_DEMO
	load_lp $MOD_DEMO
}

setup_config
trap 'restore_fail; cleanup' EXIT INT TERM HUP
[[ $SCOPE == klp ]] && { insmod test_modules/$MOD_ARM.ko || die "cannot load $MOD_ARM"; }


start_test "allocation failures while enabling a patch of vmlinux"

for kind in slab page; do
	sweep $kind $MOD_LIVEPATCH "" nothing reset_livepatch nothing
done
load_lp $MOD_LIVEPATCH
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH

check_result "% fault sweep of $MOD_LIVEPATCH (slab) begins
% fault sweep of $MOD_LIVEPATCH (slab) ends: every failed load left nothing behind
% fault sweep of $MOD_LIVEPATCH (page) begins
% fault sweep of $MOD_LIVEPATCH (page) ends: every failed load left nothing behind
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
% rmmod $MOD_LIVEPATCH"


start_test "allocation failures while enabling a patch with callbacks"

for kind in slab page; do
	sweep $kind $MOD_DEMO "" setup_demo reset_demo teardown_demo
done

check_result "% fault sweep of $MOD_DEMO (slab) begins
% fault sweep of $MOD_DEMO (slab) ends: every failed load left nothing behind
% fault sweep of $MOD_DEMO (page) begins
% fault sweep of $MOD_DEMO (page) ends: every failed load left nothing behind"


start_test "allocation failures while atomically replacing a patch"

for kind in slab page; do
	sweep $kind $MOD_REPLACE "replace=1" setup_replace reset_replace teardown_replace
done

check_result "% fault sweep of $MOD_REPLACE (slab) begins
% fault sweep of $MOD_REPLACE (slab) ends: every failed load left nothing behind
% fault sweep of $MOD_REPLACE (page) begins
% fault sweep of $MOD_REPLACE (page) ends: every failed load left nothing behind"

[[ $SCOPE == klp ]] && rmmod $MOD_ARM
cat "$FIGURES"
rm -f "$FIGURES"
exit 0
