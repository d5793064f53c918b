#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Create (once per set of inputs) the Debian trixie sysroot every build and
# guest tool comes from. Prints the sysroot's path on stdout.
#   usage: sysroot.sh [klpbuild|next]
# With `klpbuild`, a second, separately keyed sysroot for scripts/livepatch/
# klp-build (`make klp-build-demo`): packages.txt without the guest-only
# packages and the kernel source, plus scripts/packages-klpbuild.txt.
# With `next`, the build-only sysroot of `TOOLCHAIN=next`: Debian sid with
# rustc, rust-src, rustfmt and clippy from experimental
# (scripts/packages-next.txt).

. "$(dirname "$0")/lib.sh"

flavour=${1:-}
# Bump when the way the sysroot is made changes (suites, options, hooks).
format=1
case $flavour in
"")
	pkglist() { grep -v '^#' "$TOP/scripts/packages.txt"; }
	key=$( (echo "format $format"; cat "$TOP/scripts/packages.txt") | sha256sum | cut -c1-16)
	prefix=sysroot-
	# Older main sysroots (16 hex digits): not those of other flavours.
	pattern='sysroot-[0-9a-f]???????????????'
	log=$LOGDIR/sysroot.log
	;;
klpbuild)
	pkglist() {
		grep -v '^#' "$TOP/scripts/packages.txt" |
			grep -v -e '^qemu-' -e '^busybox' -e "^$KSRC_PKG\$"
		grep -v '^#' "$TOP/scripts/packages-klpbuild.txt"
	}
	key=$( (echo "format $format"; cat "$TOP/scripts/packages.txt" \
		"$TOP/scripts/packages-klpbuild.txt") | sha256sum | cut -c1-16)
	prefix=sysroot-klpbuild-
	pattern='sysroot-klpbuild-*'
	log=$LOGDIR/sysroot-klpbuild.log
	;;
next)
	pkglist() { grep -v '^#' "$TOP/scripts/packages-next.txt"; }
	key=$( (echo "format $format"; cat "$TOP/scripts/packages-next.txt") | sha256sum | cut -c1-16)
	prefix=sysroot-next-
	pattern='sysroot-next-*'
	log=$LOGDIR/sysroot-next.log
	;;
*) die "unknown sysroot flavour '$flavour'" ;;
esac
root=$CACHE/$prefix$key
if [ -e "$root/.complete" ]; then
	echo "$root"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "building the sysroot needs root (mmdebstrap, chroot)"
if ! command -v mmdebstrap >/dev/null; then
	phase "installing mmdebstrap on the host (log: $LOGDIR/host-apt.log)" >&2
	logged "$LOGDIR/host-apt.log" sh -c \
		'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y mmdebstrap'
fi

suite=trixie
sources=("deb $DEBIAN_MIRROR trixie main"
	"deb $DEBIAN_MIRROR trixie-updates main"
	"deb $DEBIAN_SECURITY_MIRROR trixie-security main"
	"deb $DEBIAN_MIRROR trixie-backports main")
opts=()
if [ "$flavour" = next ]; then
	# sid's Release files may be past their Valid-Until on a mirror snapshot;
	# the Rust toolchain is taken from experimental (a pin above sid's).
	suite=sid
	sources=("deb $DEBIAN_MIRROR sid main" "deb $DEBIAN_MIRROR experimental main")
	opts=(--aptopt='Acquire::Check-Valid-Until "false"'
		--setup-hook='mkdir -p "$1/etc/apt/preferences.d" && printf "%s\n" \
			"Package: rustc rust-src rustfmt rust-clippy cargo libstd-rust-*" \
			"Pin: release a=experimental" "Pin-Priority: 990" \
			>"$1/etc/apt/preferences.d/rust-experimental"')
fi
phase "setting up the $suite ${flavour:+$flavour }sysroot in $root (log: $log)" >&2
rm -rf "$root.tmp"
pkgs=$(pkglist | paste -sd, -)
hooks=()
[ -d /usr/share/mmdebstrap/hooks/eatmydata ] &&
	hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
if ! mmdebstrap --variant=apt "${hooks[@]}" \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	"${opts[@]}" \
	--include="$pkgs" \
	"$suite" "$root.tmp" "${sources[@]}" \
	>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	if [ -z "$flavour" ] && grep -q "$KSRC_PKG" "$log"; then
		echo "hint: the archive may no longer carry $KSRC_PKG in trixie-backports;" \
			"pick another linux-source-7.x from 'apt-cache policy' and set it in" \
			"scripts/packages.txt and KSRC_PKG in scripts/lib.sh" >&2
	fi
	rm -rf "$root.tmp"
	die "mmdebstrap failed (full log: $log)"
fi
chroot "$root.tmp" dpkg-query -W -f='${Package} ${Version}\n' >"$root.tmp/.versions"
mv "$root.tmp" "$root"
touch "$root/.complete"
# Keep one sysroot of each flavour: older ones are from other inputs.
for old in "$CACHE"/$pattern; do
	[ -e "$old" ] || continue
	case $old in *.tmp) ;; *) [ "$old" = "$root" ] || rm -rf "$old" ;; esac
done
if [ -z "$flavour" ]; then
	grep "^$KSRC_PKG " "$root/.versions" >&2
elif [ "$flavour" = next ]; then
	grep -E '^(rustc|clang-22|bindgen) ' "$root/.versions" >&2 || true
else
	grep -E '^(clang-21|libxxhash-dev|patchutils|gawk) ' "$root/.versions" >&2 || true
fi
echo "$root"
