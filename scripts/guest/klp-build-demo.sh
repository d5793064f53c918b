#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make klp-build-demo` in the guest: load the livepatch module that klp-build
# made (in /extra), check that /proc/cmdline shows the patched text, disable
# the patch, remove the module and check the original text is back.
# Ends with "KLP-DEMO-RESULT ok" or "KLP-DEMO-RESULT not ok: <why>" for the host.

klp=/sys/kernel/livepatch
ko=$(ls /extra/*.ko 2>/dev/null | head -n 1)
mod=$(basename "$ko" .ko)
mod=${mod//-/_}
step() { printf '\n### %s\n' "$*"; }
n0=$(dmesg | wc -l)
log_since() {
	step "kernel log since the insmod"
	dmesg | tail -n +$((n0 + 1)) | sed 's/^\[[^]]*\] //'
}
fail() {
	log_since
	echo "KLP-DEMO-RESULT not ok: $*"
	exit 1
}

if grep -q ' klp_rust_init$' /proc/kallsyms; then core=Rust; else core=C; fi
echo "livepatch core: $core ($(uname -r))"
[ -n "$ko" ] || fail "no module in /extra"
step "before: cat /proc/cmdline"
before=$(cat /proc/cmdline)
echo "$before"
# The patched cmdline_proc_show appends the non-exported saved_command_line_len.
expect="$before klp-build=${#before}"

step "insmod $ko"
insmod "$ko" || fail "insmod $ko failed"
for _ in $(seq 300); do
	[ "$(cat "$klp/$mod/transition" 2>/dev/null)" = 0 ] && break
	sleep 0.1
done
[ "$(cat "$klp/$mod/transition" 2>/dev/null)" = 0 ] || fail "$mod: transition did not finish"
for a in enabled transition replace; do
	printf '%s/%s/%s: %s\n' "$klp" "$mod" "$a" "$(cat "$klp/$mod/$a" 2>/dev/null)"
done
step "patched: cat /proc/cmdline"
after=$(cat /proc/cmdline)
echo "$after"
[ "$after" = "$expect" ] || fail "patched /proc/cmdline is not '$expect'"

step "echo 0 > $klp/$mod/enabled; rmmod $mod"
echo 0 >"$klp/$mod/enabled" || fail "cannot disable $mod"
for _ in $(seq 300); do
	[ -e "$klp/$mod" ] || break
	sleep 0.1
done
[ ! -e "$klp/$mod" ] || fail "$mod still in $klp after disabling"
# The module is put shortly after the patch is freed.
for _ in $(seq 100); do
	rmmod "$mod" 2>/dev/null && break
	sleep 0.1
done
[ ! -e "/sys/module/$mod" ] || fail "cannot remove $mod"
step "reverted: cat /proc/cmdline"
reverted=$(cat /proc/cmdline)
echo "$reverted"
[ "$reverted" = "$before" ] || fail "reverted /proc/cmdline is not the original"
log_since
echo "KLP-DEMO-RESULT ok"
