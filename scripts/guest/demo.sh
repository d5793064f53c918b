#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: apply the sample live patch, show what changes, revert it.
#   usage: demo.sh [MODULE]   (default livepatch-sample; `make run RUST_SAMPLE=1`
#                              passes rust_livepatch_sample, its Rust twin)

klp=/sys/kernel/livepatch
module=${1:-livepatch-sample}
# The patch's sysfs directory is named after the module, with underscores.
patch=${module//-/_}
step() { printf '\n### %s\n' "$*"; }
show_tree() {
	find "$klp" -mindepth 1 | sort | while read -r f; do
		if [ -f "$f" ] && [ -r "$f" ]; then
			printf '%-60s %s  %s\n' "$f" "$(stat -c %A "$f")" "$(cat "$f" 2>/dev/null)"
		else
			printf '%-60s %s\n' "$f" "$(stat -c %A "$f")"
		fi
	done
}
wait_transition() {
	for _ in $(seq 100); do
		[ "$(cat "$klp/$patch/transition" 2>/dev/null)" = 0 ] && return
		sleep 0.1
	done
}

if grep -q ' klp_rust_init$' /proc/kallsyms; then core=Rust; else core=C; fi
echo "livepatch core: $core ($(uname -r))"
step "before: cat /proc/cmdline"
cat /proc/cmdline
step "insmod $module.ko"
before=$(dmesg | wc -l)
modprobe "$module" || exit 1
wait_transition
step "patched: cat /proc/cmdline"
cat /proc/cmdline
step "the /sys/kernel/livepatch tree"
show_tree
step "cat /proc/self/patch_state"
cat /proc/self/patch_state
step "echo 0 > $klp/$patch/enabled"
echo 0 >"$klp/$patch/enabled"
for _ in $(seq 100); do
	[ -e "$klp/$patch" ] || break
	sleep 0.1
done
step "rmmod $module"
rmmod "$module"
step "reverted: cat /proc/cmdline"
cat /proc/cmdline
step "ls $klp"
ls -la "$klp"
step "kernel log since the insmod"
dmesg | tail -n +$((before + 1)) | sed 's/^\[[^]]*\] //'
