#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Create (once per set of inputs) the Debian trixie sysroot every build and
# guest tool comes from. Prints the sysroot's path on stdout.

. "$(dirname "$0")/lib.sh"

# Bump when the way the sysroot is made changes (suites, options, hooks).
format=1
key=$( (echo "format $format"; cat "$TOP/scripts/packages.txt") | sha256sum | cut -c1-16)
root=$CACHE/sysroot-$key
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

phase "setting up the trixie sysroot in $root (log: $LOGDIR/sysroot.log)" >&2
rm -rf "$root.tmp"
pkgs=$(grep -v '^#' "$TOP/scripts/packages.txt" | paste -sd, -)
hooks=()
[ -d /usr/share/mmdebstrap/hooks/eatmydata ] &&
	hooks=(--hook-dir=/usr/share/mmdebstrap/hooks/eatmydata)
if ! mmdebstrap --variant=apt "${hooks[@]}" \
	--aptopt='APT::Install-Recommends "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--include="$pkgs" \
	trixie "$root.tmp" \
	"deb $DEBIAN_MIRROR trixie main" \
	"deb $DEBIAN_MIRROR trixie-updates main" \
	"deb $DEBIAN_SECURITY_MIRROR trixie-security main" \
	"deb $DEBIAN_MIRROR trixie-backports main" \
	>"$LOGDIR/sysroot.log" 2>&1; then
	tail -n 30 "$LOGDIR/sysroot.log" >&2
	if grep -q "$KSRC_PKG" "$LOGDIR/sysroot.log"; then
		echo "hint: the archive may no longer carry $KSRC_PKG in trixie-backports;" \
			"pick another linux-source-7.x from 'apt-cache policy' and set it in" \
			"scripts/packages.txt and KSRC_PKG in scripts/lib.sh" >&2
	fi
	rm -rf "$root.tmp"
	die "mmdebstrap failed (full log: $LOGDIR/sysroot.log)"
fi
chroot "$root.tmp" dpkg-query -W -f='${Package} ${Version}\n' >"$root.tmp/.versions"
mv "$root.tmp" "$root"
touch "$root/.complete"
# Keep one sysroot: older ones are from other inputs.
for old in "$CACHE"/sysroot-*; do
	[ "$old" = "$root" ] || rm -rf "$old"
done
grep "^$KSRC_PKG " "$root/.versions" >&2
echo "$root"
