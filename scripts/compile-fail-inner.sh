#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the sysroot: proves that our safe abstractions refuse misuse at
# compile time. Every tools/testing/compile_fail/*.rs is compiled by the exact
# rustc command kbuild used for one of our Rust objects in the Rust-core build
# folder (same flags, same `kernel` crate), with only the source file and the
# output paths replaced; outputs go to a temporary folder, nothing is written
# into the build folder. (The kernel's doctest runner cannot do this: its
# `--test-builder` only saves each doctest's text, so a ```compile_fail doctest
# is never compiled by it.)
#
# A case file declares in its header comment either
#   // expect-error: E0133           an error code, or
#   // expect-error: cannot borrow   a substring of the error message
# (several expect-error lines: each must match an error), or
#   // expect-pass                   the file must compile (a control).
# `// also-error: E0597` names an error a case may also get, from some rustc
# versions only (they stop at different errors).
# A failing case passes when rustc reports errors (exit status 1, not an ICE),
# every expectation matches one of the `error:` lines, and every `error:` line
# matches an expectation (so a typo or a renamed API does not pass).
# Prints one `LINT ok|not-ok compile-fail: FILE (...)` line per file.
#   usage: compile-fail-inner.sh TREE RUSTBUILD
# COMPILE_FAIL_CMD (a .cmd file relative to RUSTBUILD) picks the kbuild
# command to copy; COMPILE_FAIL_DIR another folder of cases; V=1 shows each
# rustc command and its output.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1 rbuild=$(cd "$2" && pwd)
cases=${COMPILE_FAIL_DIR:-$top/tools/testing/compile_fail}
cmdfiles=${COMPILE_FAIL_CMD:-kernel/livepatch/.klp_kunit.o.cmd kernel/livepatch/rs/.klp.o.cmd}

notok() { echo "LINT not-ok compile-fail: $1"; }

# The kbuild rustc command: the saved command up to the first `;` (what
# follows is llvm-link/clang for CONFIG_RUST_INLINE_HELPERS, or objtool).
cmd= from=
for c in $cmdfiles; do
	[ -f "$rbuild/$c" ] || continue
	cmd=$(sed -n '1s/^savedcmd_[^ ]* := //p' "$rbuild/$c")
	cmd=$(printf '%s\n' "${cmd%%;*}" | sed 's/[[:space:]]*$//')
	from=$c
	break
done
src=${cmd##* }
case $cmd in
*" rustc "*"--extern kernel "*"--emit="*) ;;
*) cmd= ;;
esac
if [ -z "$cmd" ] || [ "${src%.rs}" = "$src" ]; then
	notok "harness (no kbuild rustc command in $rbuild: ${cmdfiles// /, }; is the Rust-core kernel built?)"
	exit 0
fi
if [ ! -e "$rbuild/rust/libkernel.rmeta" ]; then
	notok "harness (no kernel crate in $rbuild/rust)"
	exit 0
fi
[ -n "${V:-}" ] && echo "# compile-fail: rustc command from $rbuild/$from"

# Does an error line match an expectation (an error code or a substring)?
matches() { # error-line expectation
	if [[ $2 =~ ^E[0-9]{4}$ ]]; then [[ $1 == "error[$2]: "* ]]; else [[ $1 == *"$2"* ]]; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/compile-fail.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

shopt -s nullglob
files=("$cases"/*.rs)
npass=0 nfail=0
for f in "${files[@]}"; do
	name=$(basename "$f" .rs)
	rel=${f#"$top"/}
	expects=() also=() pass=0
	while IFS= read -r e; do expects+=("$e"); done < <(sed -n 's|^// expect-error: *\(.*[^ ]\) *$|\1|p' "$f")
	while IFS= read -r e; do also+=("$e"); done < <(sed -n 's|^// also-error: *\(.*[^ ]\) *$|\1|p' "$f")
	grep -q '^// expect-pass *$' "$f" && pass=1
	if [ $pass = 1 ] && [ ${#expects[@]} -gt 0 ]; then
		notok "$rel (both expect-pass and expect-error)"; continue
	elif [ $pass = 0 ] && [ ${#expects[@]} = 0 ]; then
		notok "$rel (no '// expect-error: ...' or '// expect-pass' line)"; continue
	elif ! [[ $name =~ ^[a-z][a-z0-9_]*$ ]]; then
		# rustc derives the crate name from the file name, as for kbuild objects.
		notok "$rel (file name is not a crate name: use [a-z0-9_])"; continue
	fi
	[ $pass = 1 ] && npass=$((npass + 1)) || nfail=$((nfail + 1))

	# kbuild's command with this file as the source and every output in $tmp.
	out=$tmp/$name
	mkdir -p "$out"
	run=$(printf '%s\n' "$cmd" | sed -E \
		-e "s|RUST_MODFILE=[^ ]*|RUST_MODFILE=tools/testing/compile_fail/$name|" \
		-e "s|--out-dir [^ ]*|--out-dir $out/|" \
		-e "s|--emit=([a-z-]+)=[^ ]*|--emit=\1=$out/$name.\1|g")
	run="${run% *} $(printf '%q' "$f")"
	log=$out/rustc.log
	[ -n "${V:-}" ] && echo "# (cd $rbuild && $run)"
	(cd "$rbuild" && RUSTC_BOOTSTRAP=1 timeout 120 bash -c "$run") >"$log" 2>&1
	rc=$?
	[ -n "${V:-}" ] && sed 's/^/#   /' "$log"
	errors=$(grep -E '^error(\[E[0-9]+\])?: ' "$log" | grep -Ev '^error: aborting due to')
	what=$(IFS=,; echo "${expects[*]}" | sed 's/,/, /g')

	if [ $pass = 1 ]; then
		if [ $rc = 0 ]; then
			echo "LINT ok compile-fail: $rel (compiles)"
		else
			head -n 30 "$log"
			notok "$rel (must compile; rustc exit status $rc)"
		fi
		continue
	fi
	if [ $rc = 0 ]; then
		notok "$rel (expected $what; compiled successfully)"
		continue
	elif [ $rc != 1 ]; then
		head -n 30 "$log"
		notok "$rel (expected $what; rustc exit status $rc)"
		continue
	fi
	# Every expectation matches an error line, every error line an expectation.
	missing=() unexpected=()
	for e in "${expects[@]}"; do
		hit=0
		while IFS= read -r l; do matches "$l" "$e" && { hit=1; break; }; done <<<"$errors"
		[ $hit = 1 ] || missing+=("$e")
	done
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		hit=0
		for e in "${expects[@]}" ${also[@]+"${also[@]}"}; do matches "$l" "$e" && { hit=1; break; }; done
		[ $hit = 1 ] || unexpected+=("$l")
	done <<<"$errors"
	if [ ${#missing[@]} = 0 ] && [ ${#unexpected[@]} = 0 ]; then
		echo "LINT ok compile-fail: $rel ($what)"
	else
		head -n 30 "$log"
		why=
		[ ${#missing[@]} -gt 0 ] && why="; not reported: ${missing[*]}"
		[ ${#unexpected[@]} -gt 0 ] && why="$why; other error: ${unexpected[0]}"
		notok "$rel (expected $what$why)"
	fi
done
if [ $npass = 0 ] || [ $nfail = 0 ]; then
	notok "harness (need at least one expect-pass control and one expect-error case in $cases)"
fi
exit 0
