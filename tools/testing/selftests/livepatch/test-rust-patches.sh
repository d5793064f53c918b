#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Live patches written in Rust (kernel::livepatch) behave as their C twins:
# the upstream scripts run again with some of their C test modules swapped
# for Rust ones, and must pass with the same expected kernel log lines.
#
#   test_klp_livepatch       -> test_klp_rust_livepatch
#   test_klp_atomic_replace  -> test_klp_rust_atomic_replace
#   test_klp_callbacks_demo  -> test_klp_rust_callbacks_demo
#
# Each run copies an upstream script, changes only the MOD_* assignments at
# its top (the expected lines use those variables), and runs the copy. Runs
# that swap one module of a pair make a Rust patch atomically replace a C
# patch, and a C patch replace a Rust one. Test names get a "[rust ...]"
# prefix.
#
# test-ftrace.sh is not run: its second case traces the replacement function,
# and functions compiled by rustc have no ftrace call site yet.

cd "$(dirname "$0")" || exit 1

RUST_LIVEPATCH=test_klp_rust_livepatch
RUST_REPLACE=test_klp_rust_atomic_replace
RUST_CALLBACKS=test_klp_rust_callbacks_demo

status=0

# twin(label, script, VAR=module...) - run script with those MOD_* modules
function twin() {
	local label="$1" script="$2" copy rc assign
	shift 2

	copy=$(mktemp ./.rust-twin-XXXXXX.sh) || exit 1
	cp "$script" "$copy"
	for assign in "$@"; do
		grep -q "^${assign%%=*}=" "$copy" ||
			{ echo "$script has no ${assign%%=*}" >&2; rm -f "$copy"; exit 1; }
		sed -i "s/^${assign%%=*}=.*/$assign/" "$copy"
	done
	chmod +x "$copy"
	"$copy" 2>&1 | sed -u "s/^TEST: /TEST: [rust $label] /"
	rc=${PIPESTATUS[0]}
	rm -f "$copy"
	case $rc in
	0) ;;
	4) echo "SKIP: [rust $label] $script skipped" ;;
	*) echo "[rust $label] $script exited with $rc"; status=1 ;;
	esac
}

twin "all" test-livepatch.sh MOD_LIVEPATCH1=$RUST_LIVEPATCH \
	MOD_LIVEPATCH3=$RUST_CALLBACKS MOD_REPLACE=$RUST_REPLACE
twin "replaces C" test-livepatch.sh MOD_REPLACE=$RUST_REPLACE
twin "replaced by C" test-livepatch.sh MOD_LIVEPATCH1=$RUST_LIVEPATCH
twin "callbacks" test-callbacks.sh MOD_LIVEPATCH=$RUST_CALLBACKS
twin "sysfs" test-sysfs.sh MOD_LIVEPATCH=$RUST_LIVEPATCH MOD_LIVEPATCH2=$RUST_CALLBACKS
twin "kprobe" test-kprobe.sh MOD_LIVEPATCH=$RUST_LIVEPATCH

exit $status
