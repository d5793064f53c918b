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

# progress LOG PID [TOTAL] - while PID runs, show how many kbuild steps
# ("  CC ...", "  RUSTC ...") LOG has: one updating line on a terminal,
# otherwise a line a minute. With TOTAL (the steps of an earlier build of the
# same kind), also a percentage.
progress() {
	local log=$1 pid=$2 total=${3:-} start=$SECONDS steps last=$SECONDS line
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		steps=$(grep -cE '^  [A-Z][A-Z0-9_]* ' "$log" 2>/dev/null || true)
		line="    build: ${steps:-0} steps"
		[ -n "$total" ] && [ "$total" -gt 0 ] &&
			line="$line of about $total ($(( ${steps:-0} * 100 / total > 100 ? 100 : ${steps:-0} * 100 / total ))%)"
		line="$line, $((SECONDS - start)) s"
		if [ -t 2 ]; then
			printf '\r%-70s' "$line" >&2
		elif [ $((SECONDS - last)) -ge 60 ]; then
			echo "$line" >&2
			last=$SECONDS
		fi
	done
	[ -t 2 ] && printf '\r%-70s\r' '' >&2
	return 0
}

# TOOLCHAIN=next (KLP_TOOLCHAIN) builds the kernels with sid's clang 22 and
# experimental's rustc 1.98, which gives Rust functions fentry sites. Guests
# and the kernel source still come from the trixie sysroot.
TOOLCHAIN=${KLP_TOOLCHAIN:-default}
case $TOOLCHAIN in
default) TC_SUFFIX= ;;
next) TC_SUFFIX=-next ;;
*) die "TOOLCHAIN must be default or next, not '$TOOLCHAIN'" ;;
esac

# build_root SYSROOT: the sysroot that builds for this toolchain.
build_root() {
	if [ "$TOOLCHAIN" = next ]; then "$TOP/scripts/sysroot.sh" next; else echo "$1"; fi
}

# What the *-inner.sh scripts need to know of the toolchain, as `env`
# assignments: the LLVM suffix (clang and rustc share LLVM 22 on `next`, so
# RUST_INLINE_HELPERS works there too) and the libclang bindgen loads.
toolchain_env() {
	if [ "$TOOLCHAIN" = next ]; then
		echo KLP_LLVM=-22 LIBCLANG_PATH=/usr/lib/llvm-22/lib
	fi
}

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
