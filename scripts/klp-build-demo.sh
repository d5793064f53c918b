#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make klp-build-demo`: build a livepatch module with the kernel's own
# scripts/livepatch/klp-build from samples/livepatch/klp-build/cmdline.diff
# (which uses the non-exported saved_command_line_len, so the module carries
# .klp.rela.vmlinux.* relocations), then boot the C-core and the Rust-core
# kernels in turn, load it, check /proc/cmdline, disable and remove it. Prints
# one ok/not ok line per core and the elapsed time.
#   usage: klp-build-demo.sh
# KLP_DEMO_BUILD_C and KLP_DEMO_BUILD_RUST name existing build folders (both or
# neither) instead of building the kernels; each needs arch/x86/boot/bzImage,
# .config, include/config/kernel.release, mod-root/, selftests/ and bench/, and
# must be inside the cache or the work tree (the sysroot sees only those).

. "$(dirname "$0")/lib.sh"

start=$SECONDS
diff=$TOP/samples/livepatch/klp-build/cmdline.diff
name=livepatch-$(basename "${diff%.*}")
root=$("$TOP/scripts/sysroot.sh")
kroot=$("$TOP/scripts/sysroot.sh" klpbuild)
ver=$(awk -v p="$KSRC_PKG" '$1 == p { print $2 }' "$root/.versions")
pristine=$CACHE/src-$ver/pristine

declare -A build
if [ -n "${KLP_DEMO_BUILD_C:-}${KLP_DEMO_BUILD_RUST:-}" ]; then
	[ -n "${KLP_DEMO_BUILD_C:-}" ] && [ -n "${KLP_DEMO_BUILD_RUST:-}" ] ||
		die "set both KLP_DEMO_BUILD_C and KLP_DEMO_BUILD_RUST, or neither"
	build[c]=$(realpath "$KLP_DEMO_BUILD_C") build[rust]=$(realpath "$KLP_DEMO_BUILD_RUST")
	for core in c rust; do
		case ${build[$core]}/ in
		"$(realpath "$CACHE")"/* | "$TOP"/*) ;;
		*) die "${build[$core]} is outside $CACHE and $TOP: the sysroot cannot see it" ;;
		esac
	done
	[ -e "$pristine/.complete" ] || "$TOP/scripts/source.sh" "$root" >/dev/null
else
	tree=$("$TOP/scripts/source.sh" "$root")
	for core in c rust; do
		build[$core]=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
	done
fi
for core in c rust; do
	for f in arch/x86/boot/bzImage .config include/config/kernel.release; do
		[ -e "${build[$core]}/$f" ] || die "no $f in ${build[$core]} (the $core-core build)"
	done
done

# The module is built against the C-core kernel's configuration (olddefconfig
# drops the project's LIVEPATCH_CORE_* choice, unknown upstream); its cache
# folder is keyed by everything that goes into it.
config=${build[c]}/.config
format=1
key=$( (echo "format $format $ver $(basename "$kroot")"; cat "$diff" "$config" \
	"$TOP/scripts/klp-build-inner.sh") | sha256sum | cut -c1-16)
work=$CACHE/klpbuild-$key
log=$LOGDIR/klp-build.log
if [ -e "$work/.complete" ]; then
	phase "reusing $name.ko from $work (built in $(cat "$work/.seconds") s)"
else
	phase "building $name.ko with klp-build (LLVM=-21) in $work (log: $log)"
	mkdir -p "$work" "$CACHE/ccache"
	t0=$SECONDS
	logged "$log" "$TOP/scripts/chroot.sh" "$kroot" \
		"$TOP/scripts/klp-build-inner.sh" "$pristine" "$work" "$config" "$diff"
	echo $((SECONDS - t0)) >"$work/.seconds"
	# The built tree (about 2 GB) has served its purpose; keep its .config.
	cp "$work/tree/.config" "$work/config"
	rm -rf "$work/tree" "$work/bin"
	touch "$work/.complete"
	phase "built $name.ko in $(cat "$work/.seconds") s"
	# Keep one klp-build folder: older ones are from other inputs.
	for old in "$CACHE"/klpbuild-*; do
		[ "$old" = "$work" ] || rm -rf "$old"
	done
fi
ko=$work/$name.ko
rm -rf "$work/guest"
mkdir -p "$work/guest"
cp "$ko" "$work/guest/"

# What klp-build made of the non-exported symbol.
rela=$(grep -o '\.klp\.rela\.vmlinux\.[^ ]*' "$work/readelf.txt" | sort -u)
syms=$(grep -o '\.klp\.sym\.vmlinux\.[^ ]*' "$work/readelf.txt" | sort -u)
[ -n "$rela" ] && [ -n "$syms" ] ||
	die "$name.ko has no .klp.rela.vmlinux sections or .klp.sym.vmlinux symbols (see $work/readelf.txt)"
echo "# $name.ko: sections $(echo $rela)"
echo "# $name.ko: symbols $(echo $syms)"
modinfo_of() { # ko field
	tr '\0' '\n' <"$1" | sed -n "s/^$2=//p" | head -n 1
}
echo "# $name.ko: vermagic '$(modinfo_of "$ko" vermagic)', livepatch=$(modinfo_of "$ko" livepatch)"

pass=0 fail=0 n=0
result() { # ok|not-ok description
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1)); echo "ok $n $2"
	else
		fail=$((fail + 1)); echo "not ok $n $2"
	fi
}
for core in c rust; do
	b=${build[$core]}
	# Any module of the booted kernel carries its vermagic.
	ref=$(find "$b/mod-root" -name '*.ko' 2>/dev/null | head -n 1)
	if [ -n "$ref" ] && [ "$(modinfo_of "$ref" vermagic)" != "$(modinfo_of "$ko" vermagic)" ]; then
		echo "# $core: vermagic '$(modinfo_of "$ref" vermagic)' differs from the module's"
	fi
	out=$LOGDIR/klp-build-demo/$core
	what="$core: klp-build's $name.ko loads, patches /proc/cmdline, is disabled and removed"
	if ! KLP_GUEST_EXTRA=$work/guest KLP_GUEST_LOGDIR=$out \
		"$TOP/scripts/qemu.sh" "$root" "$b" "$core" klpbuild; then
		result not-ok "$what (the guest did not finish; see $out/console.log)"
		continue
	fi
	verdict=$(tr -d '\r' <"$out/console.log" | sed -n 's/^KLP-DEMO-RESULT //p' | tail -n 1)
	case $verdict in
	ok) result ok "$what" ;;
	"") result not-ok "$what (no result; see $out/console.log)" ;;
	*) result not-ok "$what (${verdict#not ok: }; see $out/console.log)" ;;
	esac
done
echo "# elapsed: $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
