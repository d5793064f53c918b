# SPDX-License-Identifier: GPL-2.0
# Shared settings and helpers for the build/test driver scripts.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${KLP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rust-klp}
LOGDIR=${KLP_LOGDIR:-$TOP/logs}
JOBS=${JOBS:-$(nproc)}

# The kernel source comes from this Debian package (trixie-backports).
KSRC_PKG=linux-source-7.3
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

mkdir -p "$CACHE" "$LOGDIR"

phase() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command and send its output to a log; on failure name the log and
# show its tail.
logged() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		echo "---- errors in $log ----" >&2
		grep -n -m 12 -A 8 -E 'error(\[E[0-9]+\])?:|\*\*\* |Error [0-9]+$|No rule to make' "$log" >&2 ||
			tail -n 40 "$log" >&2
		die "failed: $* (full log: $log)"
	fi
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
