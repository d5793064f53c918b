#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command inside the sysroot: private mount namespace (every mount
# vanishes with the process, also on failure or Ctrl-C), /proc, /sys and /dev,
# and the work tree and cache bind-mounted at their own paths.
#   usage: chroot.sh SYSROOT CMD [ARGS...]

. "$(dirname "$0")/lib.sh"

root=$1; shift
exec unshare --mount --propagation private -- /bin/bash -c '
	set -e
	root=$1; top=$2; cache=$3; cwd=$4; shift 4
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	mkdir -p "$root$top" "$root$cache"
	mount --bind "$top" "$root$top"
	mount --bind "$cache" "$root$cache"
	exec chroot "$root" /usr/bin/env -i -C "$cwd" HOME=/root TERM="${TERM:-dumb}" \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
		LANG=C.UTF-8 CCACHE_DIR="$cache/ccache" "$@"
' chroot-run "$root" "$TOP" "$CACHE" "$PWD" "$@"
