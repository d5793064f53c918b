#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live patching Rust code.  test_klp_rust_fentry_mod is a Rust module; its
# Rust functions answer() (read through the "value" parameter) and
# hold_here() (where its kthread sleeps while "hold" is set) are replaced by
# a C patch and by a Rust patch, which name them by their mangled symbols.
#
# Rust functions only have ftrace sites when rustc emits them
# (CONFIG_RUSTC_HAS_FENTRY, rustc 1.98 with -Zinstrument-mcount=fentry:
# `make check TOOLCHAIN=next`).  Without them, both patches are refused with
# the message of a function ftrace cannot hook, and nothing is patched.

. $(dirname $0)/functions.sh
. $(dirname $0)/transition_functions.sh

MOD_TARGET=test_klp_rust_fentry_mod
MOD_LIVEPATCH=test_klp_rust_fentry_patch
MOD_RUST=test_klp_rust_fentry_rpatch
TRACING=/sys/kernel/tracing
KSYM_NAME_LEN=512

# rust_symbol(crate, function) - the mangled (v0) symbol of crate::function
#	in /proc/kallsyms: each path component is spelled <length><name>
function rust_symbol() {
	local crate="$1" fn="$2"

	awk -v w="${#crate}$crate${#fn}$fn" \
		'substr($3, 1, 2) == "_R" && substr($3, length($3) - length(w) + 1) == w { print $3 }' \
		/proc/kallsyms
}

# traceable(symbol) - the symbol has an ftrace site
function traceable() {
	awk -v s="$1" '$1 == s { found = 1 } END { exit !found }' \
		"$TRACING/available_filter_functions"
}

# check_value(value) - answer() returns value for this shell
function check_value() {
	check_param $MOD_TARGET value "$1"
}

setup_config

# Whether this kernel's Rust code has ftrace sites: the kernel crate's
# functions, if it does, are in available_filter_functions.
rust_sites=$(grep -c '^_R' "$TRACING/available_filter_functions" || true)
echo "FIGURE: Rust functions with an ftrace site in vmlinux: $rust_sites"

load_mod $MOD_TARGET
ANSWER=$(rust_symbol ${MOD_TARGET}_main answer)
HOLD_HERE=$(rust_symbol ${MOD_TARGET}_main hold_here)
[[ -n "$ANSWER" && -n "$HOLD_HERE" ]] ||
	die "the symbols of answer() and hold_here() are not in /proc/kallsyms"
unload_mod $MOD_TARGET


if [[ "$rust_sites" -eq 0 ]]; then

# - Without fentry in Rust code, neither a Rust function of vmlinux nor one
#   of a module can be hooked: the C and the Rust patch are both refused
#   when they load, with the C core's message, and nothing stays patched.

start_test "Rust functions without ftrace sites cannot be patched"

load_mod $MOD_TARGET
traceable "$ANSWER" && die "$ANSWER has an ftrace site"
load_failing_mod $MOD_LIVEPATCH
load_failing_mod $MOD_RUST
check_value 1
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: failed to find location for function '$ANSWER'
livepatch: failed to patch object '$MOD_TARGET'
livepatch: failed to enable patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': canceling patching transition, going to unpatch
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
insmod: ERROR: could not insert module test_modules/$MOD_LIVEPATCH.ko: Invalid parameters
% insmod test_modules/$MOD_RUST.ko
livepatch: enabling patch '$MOD_RUST'
livepatch: '$MOD_RUST': initializing patching transition
livepatch: failed to find location for function '$ANSWER'
livepatch: failed to patch object '$MOD_TARGET'
livepatch: failed to enable patch '$MOD_RUST'
livepatch: '$MOD_RUST': canceling patching transition, going to unpatch
livepatch: '$MOD_RUST': completing unpatching transition
livepatch: '$MOD_RUST': unpatching complete
insmod: ERROR: could not insert module test_modules/$MOD_RUST.ko: Invalid parameters
% rmmod $MOD_TARGET"

exit 0
fi


# - Rust functions of vmlinux and of modules have ftrace sites; the symbols
#   fit KSYM_NAME_LEN; what ftrace runs itself (kernel::ftrace's trampoline,
#   #[notrace]) has none, and the rest of the livepatch core is traceable as
#   the C core is.
# - The function tracer traces a Rust function.

start_test "Rust functions have ftrace sites"

load_mod $MOD_TARGET
traceable "$ANSWER" || die "$ANSWER has no ftrace site"
traceable "$HOLD_HERE" || die "$HOLD_HERE has no ftrace site"
longest=$(awk 'substr($3, 1, 2) == "_R" { n = length($3); if (n > max) max = n } END { print max + 0 }' /proc/kallsyms)
[[ "$longest" -lt "$KSYM_NAME_LEN" ]] || die "a Rust symbol of $longest bytes does not fit KSYM_NAME_LEN"
# As in C, only the core's handler path is notrace: its scheduler-time switch
# and exported functions stay traceable (Rust functions on the Rust core).
for f in __klp_sched_try_switch klp_update_patch_state klp_enable_patch; do
	traceable "$f" || die "$f has no ftrace site"
done
trampolines=$(awk 'substr($3, 1, 2) == "_R" && index($3, "6ftrace10trampoline") { print $3 }' /proc/kallsyms)
for t in $trampolines; do
	traceable "$t" && die "kernel::ftrace's trampoline $t has an ftrace site"
done
trace_function "$ANSWER"
check_value 1
check_traced_functions "$ANSWER"
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% rmmod $MOD_TARGET"
echo "FIGURE: longest Rust symbol: $longest bytes (KSYM_NAME_LEN $KSYM_NAME_LEN)"
echo "FIGURE: kernel::ftrace trampolines, none with an ftrace site: $(echo $trampolines | wc -w)"


# - A C patch replaces both Rust functions (answer() returns 2), and
#   disabling it brings the originals back.

start_test "C patch of Rust functions"

load_mod $MOD_TARGET
check_value 1
load_lp $MOD_LIVEPATCH
check_value 2
disable_lp $MOD_LIVEPATCH
check_value 1
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
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
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - A Rust patch does the same (answer() returns 3).  Its replacement, a
#   Rust function too, is traced together with the original it replaces.
# - The patch enabled before the target module loads patches it as it
#   loads.

start_test "Rust patch of Rust functions"

load_mod $MOD_TARGET
load_lp $MOD_RUST
check_value 3
NEW_ANSWER=$(rust_symbol $MOD_RUST livepatch_answer)
[[ -n "$NEW_ANSWER" ]] || die "the symbol of livepatch_answer() is not in /proc/kallsyms"
trace_function "$ANSWER $NEW_ANSWER"
check_value 3
check_traced_functions "$ANSWER" "$NEW_ANSWER"
unload_mod $MOD_TARGET
load_mod $MOD_TARGET
check_value 3
disable_lp $MOD_RUST
check_value 1
unload_lp $MOD_RUST
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_RUST.ko
livepatch: enabling patch '$MOD_RUST'
livepatch: '$MOD_RUST': initializing patching transition
livepatch: '$MOD_RUST': starting patching transition
livepatch: '$MOD_RUST': completing patching transition
livepatch: '$MOD_RUST': patching complete
% rmmod $MOD_TARGET
livepatch: reverting patch '$MOD_RUST' on unloading module '$MOD_TARGET'
% insmod test_modules/$MOD_TARGET.ko
livepatch: applying patch '$MOD_RUST' to loading module '$MOD_TARGET'
% echo 0 > $SYSFS_KLP_DIR/$MOD_RUST/enabled
livepatch: '$MOD_RUST': initializing unpatching transition
livepatch: '$MOD_RUST': starting unpatching transition
livepatch: '$MOD_RUST': completing unpatching transition
livepatch: '$MOD_RUST': unpatching complete
% rmmod $MOD_RUST
% rmmod $MOD_TARGET"


# - Atomic replace both ways: the Rust patch replaces the C one (3), then
#   the C patch replaces the Rust one (2).  A replaced patch is gone from
#   sysfs and its module can be removed.

start_test "atomic replace between C and Rust patches of Rust functions"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH
check_value 2
load_lp $MOD_RUST replace=1
check_value 3
[[ -d "$SYSFS_KLP_DIR/$MOD_LIVEPATCH" ]] && die "$MOD_LIVEPATCH was not replaced"
unload_lp $MOD_LIVEPATCH
load_lp $MOD_LIVEPATCH replace=1
check_value 2
[[ -d "$SYSFS_KLP_DIR/$MOD_RUST" ]] && die "$MOD_RUST was not replaced"
unload_lp $MOD_RUST
disable_lp $MOD_LIVEPATCH
check_value 1
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% insmod test_modules/$MOD_RUST.ko replace=1
livepatch: enabling patch '$MOD_RUST'
livepatch: '$MOD_RUST': initializing patching transition
livepatch: '$MOD_RUST': starting patching transition
livepatch: '$MOD_RUST': completing patching transition
livepatch: '$MOD_RUST': patching complete
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko replace=1
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% rmmod $MOD_RUST
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - The kthread sleeps inside the Rust function hold_here(): the patching
#   transition stays blocked on it (its patch_state stays 0) while this
#   shell switches and already gets the new answer().  Once it leaves the
#   function, the transition completes.

start_test "a task sleeping in a Rust function blocks the transition"

load_mod $MOD_TARGET
PID=$(cat /sys/module/$MOD_TARGET/parameters/pid)
set_param $MOD_TARGET hold 1
wait_param $MOD_TARGET blocked 1
load_lp_nowait $MOD_LIVEPATCH
check_sysfs_value $MOD_LIVEPATCH transition 1
wait_patch_state $$ 1
check_patch_state $PID 0
check_value 2
# The Rust core names the task and the function it sleeps in.
if [[ -r "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking" ]]; then
	loop_until 'grep -qxF "$PID klp_rust_fentry: sleeping in $HOLD_HERE of $MOD_TARGET" \
		"$SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking"' ||
		die "blocking does not name the kthread: $(cat "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/blocking")"
fi
check_sysfs_value $MOD_LIVEPATCH transition 1
check_patch_state $PID 0
set_param $MOD_TARGET hold 0
wait_transition $MOD_LIVEPATCH
check_patch_state $PID -1
check_value 2
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% echo 1 > /sys/module/$MOD_TARGET/parameters/hold
% insmod test_modules/$MOD_LIVEPATCH.ko
livepatch: enabling patch '$MOD_LIVEPATCH'
livepatch: '$MOD_LIVEPATCH': initializing patching transition
livepatch: '$MOD_LIVEPATCH': starting patching transition
% echo 0 > /sys/module/$MOD_TARGET/parameters/hold
livepatch: '$MOD_LIVEPATCH': completing patching transition
livepatch: '$MOD_LIVEPATCH': patching complete
% echo 0 > $SYSFS_KLP_DIR/$MOD_LIVEPATCH/enabled
livepatch: '$MOD_LIVEPATCH': initializing unpatching transition
livepatch: '$MOD_LIVEPATCH': starting unpatching transition
livepatch: '$MOD_LIVEPATCH': completing unpatching transition
livepatch: '$MOD_LIVEPATCH': unpatching complete
% rmmod $MOD_LIVEPATCH
% rmmod $MOD_TARGET"


# - Mangled symbols are unique, so old_sympos 0 and 1 both select the
#   function, and 2 is refused as for C functions.

start_test "old_sympos of Rust functions"

load_mod $MOD_TARGET
load_lp $MOD_LIVEPATCH sympos=1
check_value 2
[[ -d "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/$MOD_TARGET/$ANSWER,1" ]] ||
	die "no sysfs directory $MOD_TARGET/$ANSWER,1: $(ls "$SYSFS_KLP_DIR/$MOD_LIVEPATCH/$MOD_TARGET")"
disable_lp $MOD_LIVEPATCH
unload_lp $MOD_LIVEPATCH
load_failing_mod $MOD_LIVEPATCH sympos=2
check_value 1
unload_mod $MOD_TARGET

check_result "% insmod test_modules/$MOD_TARGET.ko
% insmod test_modules/$MOD_LIVEPATCH.ko sympos=1
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
% rmmod $MOD_LIVEPATCH
% insmod test_modules/$MOD_LIVEPATCH.ko sympos=2
livepatch: symbol position 2 for symbol '$ANSWER' in object '$MOD_TARGET' not found
insmod: ERROR: could not insert module test_modules/$MOD_LIVEPATCH.ko: Invalid parameters
% rmmod $MOD_TARGET"

exit 0
