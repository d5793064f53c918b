#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Choose QEMU's accelerator: KVM if it really boots a guest here, else TCG.
# /dev/kvm exists on some machines without booting anything (SeaBIOS hangs),
# so a short probe boot decides; the verdict is cached per machine.
#   usage: accel.sh SYSROOT BUILD INITRD   (prints QEMU arguments)

. "$(dirname "$0")/lib.sh"

root=$1 build=$2 initrd=$3
tcg=(-accel tcg,thread=multi -cpu max)
case ${KLP_ACCEL:-auto} in
tcg) echo "${tcg[@]}"; exit 0 ;;
kvm) echo -accel kvm -cpu host; exit 0 ;;
esac
[ -w /dev/kvm ] || { echo "${tcg[@]}"; exit 0; }
key=$( (uname -r; grep -m1 'model name' /proc/cpuinfo; hostname) | sha256sum | cut -c1-16)
verdict=$CACHE/accel-$key
if [ ! -e "$verdict" ]; then
	phase "probing whether KVM boots a guest on this machine (once)" >&2
	if "$TOP/scripts/chroot.sh" "$root" timeout -k 5 20 qemu-system-x86_64 \
		-accel kvm -cpu host -smp 1 -m 512 -nographic -no-reboot -nodefaults \
		-serial stdio -kernel "$build/arch/x86/boot/bzImage" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 klp.mode=check" </dev/null 2>&1 |
		grep -q -m1 KLP-POWEROFF; then
		echo kvm >"$verdict"
	else
		echo tcg >"$verdict"
	fi
fi
if [ "$(cat "$verdict")" = kvm ]; then echo -accel kvm -cpu host; else echo "${tcg[@]}"; fi
