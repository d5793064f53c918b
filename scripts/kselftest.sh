#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make kselftest`: boot the kernel of one core and run the livepatch selftests
# (upstream's and ours) with the kernel's own runner,
# `make -C tools/testing/selftests TARGETS=livepatch run_tests`, in the guest.
# Prints the runner's TAP output, then `N passed, N failed`; exits non-zero on
# any failure.
#   usage: kselftest.sh CORE [TEST...]   (default: every script the Makefile lists)

. "$(dirname "$0")/lib.sh"

core=${1:-rust}; shift || true
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
build=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
out=$LOGDIR/kselftest/$core
mkdir -p "$out"
phase "kselftest runner on the $core core (log: $out/console.log)"
KLP_GUEST_LOGDIR=$out "$TOP/scripts/qemu.sh" "$root" "$build" "$core" kselftest "$@" || true

console=$(tr -d '\r' <"$out/console.log")
tap=$(printf '%s\n' "$console" | sed -n 's/^KLP-KSFT //p')
printf '%s\n' "$tap" | grep -E '^(not )?ok [0-9]+ |^# (Totals|SKIP)|^TAP|^1\.\.' || true
rc=$(printf '%s\n' "$console" | sed -n 's/^KLP-KSFT-END rc=//p')
# The runner's own result lines: "ok N selftests: livepatch: test-x.sh".
pass=$(printf '%s\n' "$tap" | grep -cE '^ok [0-9]+ selftests: livepatch: ' || true)
fail=$(printf '%s\n' "$tap" | grep -cE '^not ok [0-9]+ selftests: livepatch: ' || true)
if [ -z "$rc" ]; then
	echo "not ok: the runner did not finish (see $out/console.log)"
	fail=$((fail + 1))
elif [ "$rc" != 0 ] && [ "$fail" = 0 ]; then
	echo "not ok: make run_tests exited with $rc"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
