#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Pack the initramfs for a built kernel and boot it in QEMU (from the sysroot).
#   usage: qemu.sh SYSROOT BUILD CORE MODE [TESTS...]
# MODE is check, run, bench, stress, klpbuild or shell. The console goes to
# $LOGDIR/<core>/console.log (KLP_GUEST_LOGDIR overrides the folder); but in
# shell mode, the guest's dmesg is saved next to it as dmesg.log.
# KLP_GUEST_EXTRA names a host folder that the guest sees as /extra.

. "$(dirname "$0")/lib.sh"

root=$1 build=$2 core=$3 mode=$4; shift 4
tests="$*"
out=${KLP_GUEST_LOGDIR:-$LOGDIR/$core${KLP_VARIANT:+-$KLP_VARIANT}}
mkdir -p "$out"
initrd=$build/initramfs-$mode.cpio.gz
logged "$out/initramfs.log" "$TOP/scripts/chroot.sh" "$root" \
	"$TOP/scripts/initramfs-inner.sh" "$build" "$initrd" ${KLP_GUEST_EXTRA:+"$KLP_GUEST_EXTRA"}

read -ra accel <<<"$("$TOP/scripts/accel.sh" "$root" "$build" "$initrd")"
# KLP_ICOUNT=1: one vCPU thread on QEMU's instruction-counting clock (one ns of
# guest time per instruction), so that timings are instruction counts, the
# same from run to run, whatever else the host does (`make bench`).
if [ -n "${KLP_ICOUNT:-}" ]; then
	accel=(-accel tcg,thread=single -cpu max -icount shift=0,sleep=off)
fi
# A log buffer large enough for the whole run: check.sh reads KUnit results and
# splats from dmesg at the end.
append="console=ttyS0 panic=-1 oops=panic log_buf_len=4M klp.mode=$mode"
if [ "$mode" = bench ]; then
	[ -n "$tests" ] && append="$append klp.bench=${tests// /,}"
elif [ "$mode" = stress ]; then
	[ -n "$tests" ] && append="$append klp.stress=${tests// /,}"
elif [ -n "$tests" ]; then
	append="$append klp.tests=${tests// /,}"
fi
[ "$mode" = shell ] || append="$append loglevel=4"
# KLP_BOOT_ARGS: more kernel parameters (check.sh: livepatch.ftrace_batch=0).
[ -z "${KLP_BOOT_ARGS:-}" ] || append="$append $KLP_BOOT_ARGS"
qemu=(qemu-system-x86_64 "${accel[@]}" -smp 2 -m 1024 -nographic -no-reboot
	-nodefaults -serial stdio -kernel "$build/arch/x86/boot/bzImage"
	-initrd "$initrd" -append "$append")

if [ "$mode" = shell ]; then
	exec "$TOP/scripts/chroot.sh" "$root" "${qemu[@]}"
fi

# A debug kernel runs the whole check for about half an hour under TCG.
timeout=${KLP_QEMU_TIMEOUT:-$([ "${KLP_VARIANT:-}" = debug ] && echo 3600 || echo 1200)}
console=$out/console.log
phase "booting the $core-core kernel (QEMU ${accel[*]}; console: $console)"
set +e
"$TOP/scripts/chroot.sh" "$root" timeout --foreground -k 10 "$timeout" "${qemu[@]}" \
	</dev/null 2>&1 | tee "$console" | while IFS= read -r line; do
	line=${line%$'\r'}
	case $line in
	KLP-BEGIN*) phase "running ${line#KLP-BEGIN }" ;;
	KLP-INIT*) phase "guest up (${line#KLP-INIT })"; up=1 ;;
	"KLP-BENCH "*) phase "measured ${line#KLP-BENCH }" ;;
	"KLP-BENCH-LAT "* | "KLP-BENCH-MEM "* | "KLP-BENCH-NS "*) phase "measured ${line#KLP-BENCH-* }" ;;
	"KLP-STRESS-PHASE "*) phase "${line#KLP-STRESS-PHASE }" ;;
	esac
	if { [ "$mode" = run ] || [ "$mode" = klpbuild ]; } && [ -n "${up:-}" ]; then
		case $line in
		KLP-DMESG-BEGIN) quiet=1 ;;
		KLP-DMESG-END) quiet= ;;
		KLP-*) ;;
		*) [ -z "${quiet:-}" ] && printf '%s\n' "$line" ;;
		esac
	fi
done
rc=${PIPESTATUS[0]}
set -e
tr -d '\r' <"$console" | sed -n '/^KLP-DMESG-BEGIN$/,/^KLP-DMESG-END$/p' |
	sed '1d;$d' >"$out/dmesg.log"
if ! grep -q 'KLP-POWEROFF' "$console"; then
	die "the guest did not finish (QEMU exit $rc; timeout ${timeout}s); see $console"
fi
