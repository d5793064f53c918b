#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Extract the packaged kernel source once per package version, then lay the
# project's overlay and patches onto a working copy of it. Only files whose
# content changed are rewritten, so incremental O= builds stay incremental.
#   usage: source.sh SYSROOT   (prints the working tree's path)

. "$(dirname "$0")/lib.sh"

root=$1
ver=$(awk -v p="$KSRC_PKG" '$1 == p { print $2 }' "$root/.versions")
[ -n "$ver" ] || die "$KSRC_PKG is not installed in $root"
base=$CACHE/src-$ver
pristine=$base/pristine
tree=$base/tree

if [ ! -e "$pristine/.complete" ]; then
	phase "extracting $KSRC_PKG $ver (log: $LOGDIR/source.log)" >&2
	rm -rf "$pristine" "$tree"
	mkdir -p "$pristine"
	logged "$LOGDIR/source.log" tar -xJf "$root/usr/src/$KSRC_PKG.tar.xz" \
		-C "$pristine" --strip-components=1
	touch "$pristine/.complete"
fi
if [ ! -e "$tree/.complete" ]; then
	rm -rf "$tree"
	cp -al "$pristine" "$tree"
	rm -f "$tree/.complete" "$tree/.managed"
	touch "$tree/.complete"
fi

# Desired content of every managed file, staged in a scratch folder.
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# Overlay: repository path -> kernel path.
overlay() { # src dst
	mkdir -p "$stage/$(dirname "$2")"
	cp "$TOP/$1" "$stage/$2"
}
overlay Kbuild kernel/livepatch/Kbuild
overlay Kconfig kernel/livepatch/Kconfig
(cd "$TOP" && git ls-files --cached --others --exclude-standard -- rust samples \
	Documentation tools) | while read -r f; do
	[ -f "$TOP/$f" ] || continue
	case $f in
	rust/livepatch/*) overlay "$f" "kernel/livepatch/${f#rust/livepatch/}" ;;
	*) overlay "$f" "$f" ;;
	esac
done

# Patches to upstream files, applied to pristine copies of what they touch.
for p in "$TOP"/patches/*.patch; do
	[ -e "$p" ] || continue
	for f in $(grep '^+++ ' "$p" | sed -e 's|^+++ [ab]/||' -e 's/[[:space:]].*//'); do
		if [ ! -e "$stage/$f" ]; then
			mkdir -p "$stage/$(dirname "$f")"
			if [ -e "$pristine/$f" ]; then cp "$pristine/$f" "$stage/$f"; fi
		fi
	done
	patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
		die "patch $(basename "$p") does not apply to $KSRC_PKG $ver"
done

# Files managed last time but no longer: restore the pristine version.
(cd "$stage" && find . -type f | sed 's|^\./||' | sort) >"$stage.list"
if [ -e "$tree/.managed" ]; then
	comm -23 <(sort "$tree/.managed") "$stage.list" | while read -r f; do
		rm -f "$tree/$f"
		if [ -e "$pristine/$f" ]; then cp -p "$pristine/$f" "$tree/$f"; fi
	done
fi
while read -r f; do
	if ! cmp -s "$stage/$f" "$tree/$f"; then
		mkdir -p "$tree/$(dirname "$f")"
		rm -f "$tree/$f"	# break the hard link to pristine
		cp "$stage/$f" "$tree/$f"
	fi
done <"$stage.list"
mv "$stage.list" "$tree/.managed"
echo "$tree"
