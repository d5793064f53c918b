#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: build the kernel for one core, boot it, run the upstream
# livepatch selftests, ours and the KUnit tests, print one line per test and
# the summary line, and exit non-zero on any failure.
#   usage: check.sh CORE [TEST...]   (default: every selftest script)
# CASE="name" runs only the test case of that name (`start_test "name"`).
# KLP_BOOT_ARGS="..." boots with more kernel parameters; KLP_TAG names that
# setup in the result lines and the log folder. A full Rust-core run also runs
# the scripts that exercise ftrace again with livepatch.ftrace_batch=0 (one
# ftrace_ops per function, as in C) and counts their results.

. "$(dirname "$0")/lib.sh"

core=${1:-rust}; shift || true
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
build=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
# Where results go, and how result lines name this setup.
setup=$core${KLP_VARIANT:+-$KLP_VARIANT}${KLP_TAG:+-$KLP_TAG}$TC_SUFFIX

# The scripts in the selftest Makefile's order (upstream's, then ours, which
# patches/0002 lists there), then any of ours it does not list yet.
listed=$(sed -n '/^TEST_PROGS :=/,/^$/p' "$tree/tools/testing/selftests/livepatch/Makefile" |
	grep -o 'test-[a-z0-9-]*\.sh')
ours=$(cd "$TOP/tools/testing/selftests/livepatch" 2>/dev/null && ls test-*.sh 2>/dev/null || true)
tests=${*:-$(printf '%s\n' $listed $ours | awk '!seen[$0]++')}

# CASE="name": only the test case of that name, in the script that has it.
extra=
if [ -n "${CASE:-}" ]; then
	tests=$(cd "$tree/tools/testing/selftests/livepatch" &&
		grep -lxF "start_test \"$CASE\"" $tests || true)
	[ -n "$tests" ] || die "no test case named \"$CASE\" (see the start_test lines of the scripts)"
	# The guest reads the name from /extra/case (a folder the chroot sees).
	extra=$LOGDIR/case-extra
	rm -rf "$extra"
	mkdir -p "$extra"
	printf '%s\n' "$CASE" >"$extra/case"
fi

KLP_GUEST_LOGDIR=$LOGDIR/$setup \
	KLP_GUEST_EXTRA=$extra "$TOP/scripts/qemu.sh" "$root" "$build" "$core" check $tests

out=$LOGDIR/$setup
label=$core${KLP_TAG:+[$KLP_TAG]}${TC_SUFFIX:+[toolchain=$TOOLCHAIN]}
pass=0 fail=0 n=0
result() { # ok|not-ok description
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1)); echo "ok $n $label: $2"
	else
		fail=$((fail + 1)); echo "not ok $n $label: $2"
	fi
}

# Which C files of the upstream core are still linked into this kernel.
if [ "$core" = rust ]; then
	# The members of kernel/livepatch/built-in.a, from its kbuild command.
	members=" $(sed -n 's/.*printf "kernel\/livepatch\/%s " \(.*\) | xargs.*/\1/p' \
		"$build/kernel/livepatch/.built-in.a.cmd") "
	still=
	for o in core.o patch.o shadow.o state.o transition.o; do
		case $members in *" $o "*) still="$still $o" ;; esac
	done
	echo "# C files of the upstream core still built:${still:- none}"
	for o in core.o patch.o shadow.o state.o transition.o; do
		case $members in
		*" $o "*) result not-ok "build: $o is not built" ;;
		*) result ok "build: $o is not built" ;;
		esac
	done
fi

# Lint (Rust core only): rustfmt, clippy and rustdoc warnings in our code.
if [ "$core" = rust ] && [ -z "${KLP_NO_LINT:-}" ] && [ -z "${KLP_VARIANT:-}" ]; then
	phase "linting (rustfmt, clippy, rustdoc, compile-fail; log: $out/lint.log)"
	"$TOP/scripts/chroot.sh" "$(build_root "$root")" $(toolchain_env) \
		"$TOP/scripts/lint-inner.sh" "$tree" "$build" \
		"$build-lint" >"$out/lint.log" 2>&1 || true
	while read -r _ verdict what; do
		result "$verdict" "lint: $what"
	done < <(grep '^LINT ' "$out/lint.log")
	for l in clippy rustdoc compile-fail; do
		grep -q "^LINT .* $l" "$out/lint.log" || result not-ok "lint: $l did not run"
	done
	{ grep -v '^LINT ok' "$out/lint.log" | grep -E '^(warning|error|Diff in|LINT)' || true; } | head -20 | sed 's/^/#   /'
fi

console=$(tr -d '\r' <"$out/console.log")
for t in $tests; do
	body=$(printf '%s\n' "$console" | sed -n "s/^KLP-OUT $t: //p")
	rc=$(printf '%s\n' "$console" | sed -n "s/^KLP-END $t rc=//p")
	cases=0 bad=0
	while IFS= read -r line; do
		case $line in
		"TEST: "*" ... ok")
			cases=$((cases + 1))
			c=${line#TEST: }; result ok "$t: ${c% ... ok}" ;;
		"TEST: "*" ... not ok"*)
			cases=$((cases + 1)) bad=$((bad + 1))
			c=${line#TEST: }; result not-ok "$t: ${c%% ... not ok*}" ;;
		"TEST: "*)
			# Something else landed on the result line: count the case as
			# failed rather than losing it.
			cases=$((cases + 1)) bad=$((bad + 1))
			result not-ok "$t: unreadable result line: ${line:0:100}" ;;
		esac
	done <<<"$body"
	if [ -z "$rc" ]; then
		result not-ok "$t: did not finish"
	elif [ "$rc" = 4 ] && [ $cases = 0 ]; then
		# ksft_skip: the script said why (functions.sh `skip`).
		why=$(printf '%s\n' "$body" | sed -n 's/^SKIP: //p' | head -n 1)
		result ok "$t # SKIP ${why:-no reason given}"
	elif [ "$rc" != 0 ] && [ $bad = 0 ]; then
		result not-ok "$t: exit status $rc${cases:+ after $cases cases}"
	elif [ $cases = 0 ]; then
		result not-ok "$t: ran no test case"
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		printf '%s\n' "$body" | sed 's/^/#   /' | head -60
	fi
	# Figures a script reports (sweep counts, digests to compare across cores).
	printf '%s\n' "$body" | sed -n "s/^FIGURE: /# $t: /p"
	ms=$(printf '%s\n' "$console" | sed -n "s/^KLP-TIME $t //p")
	[ -n "$ms" ] && printf '# %s: %d.%01d s\n' "$t" $((ms / 1000)) $((ms % 1000 / 100))
done

# test-rust-fentry.sh takes the branch this kernel's Rust code calls for: only
# rustc 1.98 (TOOLCHAIN=next) gives Rust functions ftrace sites.
if grep -qx test-rust-fentry.sh <<<"$(printf '%s\n' $tests)" && [ -z "${CASE:-}" ]; then
	want="Rust functions without ftrace sites cannot be patched"
	[ "$TOOLCHAIN" = next ] && want="Rust functions have ftrace sites"
	if grep -qxF "KLP-OUT test-rust-fentry.sh: TEST: $want ... ok" <<<"$console"; then
		result ok "test-rust-fentry.sh: ran \"$want\" (toolchain $TOOLCHAIN)"
	else
		result not-ok "test-rust-fentry.sh: ran \"$want\" (toolchain $TOOLCHAIN)"
	fi
fi

# Dynamic debug: the transition code's pr_debug sites are listed under the
# names the selftests' queries use (file kernel/livepatch/*, func ...).
ddebug=$(printf '%s\n' "$console" | sed -n 's/^KLP-DDEBUG //p')
for f in klp_init_transition klp_reverse_transition klp_complete_transition \
	klp_cancel_transition klp_try_switch_task; do
	# klp_try_switch_task: C also has an "Unknown error code" site, which Rust's
	# exhaustive match has no use for.
	want=1; [ $f = klp_try_switch_task ] && { [ "$core" = c ] && want=4 || want=3; }
	got=$(printf '%s\n' "$ddebug" | grep -cE "^kernel/livepatch/[a-z/]*transition\.(c|rs):[0-9]+ \[livepatch\]$f " || true)
	if [ "$got" = "$want" ]; then
		result ok "dynamic debug: $want pr_debug site(s) of $f in kernel/livepatch/"
	else
		result not-ok "dynamic debug: $want pr_debug site(s) of $f in kernel/livepatch/ (found $got)"
	fi
done

# The Rust helpers are never traceable: the ftrace handler and the scheduler-time switch call
# them, and without RUST_INLINE_HELPERS they are real functions.
traceable=$(printf '%s\n' "$console" | sed -n 's/^KLP-TRACEABLE count //p')
helpers=$(printf '%s\n' "$console" | sed -n 's/^KLP-TRACEABLE helper //p')
if [ "${traceable:-0}" -gt 0 ] && [ -z "$helpers" ]; then
	result ok "ftrace: no rust_helper_* among $traceable traceable functions"
else
	result not-ok "ftrace: no rust_helper_* among ${traceable:-0} traceable functions"
	printf '%s\n' "$helpers" | head -5 | sed 's/^/#   /'
fi

# KUnit: our suites and the doctests of our abstractions (dmesg, KTAP).
dmesg=$(sed 's/^\[[^]]*\] \{0,1\}//' "$out/dmesg.log")
ours_doctests='hashtable|ftrace|livepatch|dynamic_debug|tasklist|task_control|cpu_hotplug|cpu_preempt|stacktrace|static_key|static_work|kobject|kallsyms|module_elf|module_loaded|workqueue_embedded'
expected_suites="livepatch_shadow livepatch_state rust_ftrace rust_tasklist rust_cpu_hotplug
	rust_task_control rust_stacktrace rust_static_key rust_static_work rust_doctests_kernel
	rust_kobject rust_kallsyms rust_module_elf rust_module_loaded rust_embedded_work
	rust_livepatch_shadow"
# Suites inside the Rust core itself.
[ "$core" = rust ] && expected_suites="$expected_suites livepatch_reloc_names livepatch_checked_code"
ours_re="livepatch_[a-z_]*|$(echo $expected_suites | tr ' ' '|')"
suites=$(printf '%s\n' "$dmesg" | sed -n 's/^    # Subtest: //p' | grep -Ex "$ours_re" | sort -u)
for s in $expected_suites; do
	printf '%s\n' "$suites" | grep -qx "$s" || result not-ok "kunit: suite $s did not run"
done
printf '%s\n' "$dmesg" | awk -v want="$(echo $suites)" -v docs="$ours_doctests" '
	BEGIN { split(want, w, " "); for (i in w) ok[w[i]] = 1 }
	/^    # Subtest: / { suite = $3; next }
	/^(not ok|ok) [0-9]+ / { suite = ""; next }
	/^    (not ok|ok) [0-9]+ / {
		if (!(suite in ok)) next
		name = $0; sub(/^ *(not ok|ok) [0-9]+ /, "", name); sub(/ #.*/, "", name)
		if (suite == "rust_doctests_kernel" && name !~ docs) next
		print ($1 == "ok" ? "ok" : "not-ok"), "kunit: " suite "." name
	}' >"$out/kunit.txt"
while read -r verdict name; do result "$verdict" "$name"; done <"$out/kunit.txt"

# No oops, BUG, lockdep report or unexpected warning during the whole run. The
# KUnit tests expect one WARNING per "Duplicate shadow variable" line and one per
# scheduling of a never-initialised static work item (rust/kernel/workqueue/static_work.rs; the
# path must be source-relative, as for C).
splats=$(printf '%s\n' "$dmesg" | grep -E 'BUG:|Oops|general protection|Kernel panic|INFO: possible|circular locking|suspected memory leak|UBSAN|KASAN|deprecated workqueue.*klp' || true)
warns=$(printf '%s\n' "$dmesg" | grep -c '^WARNING:' || true)
expected_warns=$(( $(printf '%s\n' "$dmesg" | grep -c 'Duplicate shadow variable' || true) +
	$(printf '%s\n' "$dmesg" | grep -c '^WARNING: rust/kernel/workqueue/static_work\.rs' || true) ))
if [ -z "$splats" ] && [ "$warns" -le "$expected_warns" ]; then
	result ok "dmesg: no oops, BUG, lockdep report or unexpected WARNING"
else
	result not-ok "dmesg: no oops, BUG, lockdep report or unexpected WARNING"
	printf '%s\n' "$dmesg" | grep -E -A3 'BUG:|Oops|WARNING:|INFO: possible|circular locking|suspected memory leak|UBSAN|KASAN' |
		head -30 | sed 's/^/#   /'
fi

echo "# console: $out/console.log  dmesg: $out/dmesg.log"

# The per-function ftrace mode of the Rust core, on the scripts that exercise
# ftrace registration (module coming and going, other ftrace users, kprobes).
if [ "$core" = rust ] && [ $# = 0 ] && [ -z "${CASE:-}" ] && [ -z "${KLP_VARIANT:-}" ] &&
	[ -z "${KLP_BOOT_ARGS:-}" ]; then
	phase "again with one ftrace_ops per function (livepatch.ftrace_batch=0)"
	KLP_NO_LINT=1 KLP_BOOT_ARGS=livepatch.ftrace_batch=0 KLP_TAG=ftrace_batch=0 "$0" rust \
		test-livepatch.sh test-callbacks.sh test-state.sh test-ftrace.sh test-kprobe.sh \
		test-core-many.sh test-core-late-module.sh test-core-ftrace-window.sh \
		test-core-enable-errors.sh test-stack-check-module-going.sh \
		test-transition-reverse.sh >"$out/ftrace_batch0.txt" || true
	while IFS= read -r line; do
		case $line in
		"ok "*) n=$((n + 1)) pass=$((pass + 1)); echo "ok $n ${line#ok * }" ;;
		"not ok "*) n=$((n + 1)) fail=$((fail + 1)); echo "not ok $n ${line#not ok * }" ;;
		*" passed, "*" failed") ;;
		*) echo "$line" ;;
		esac
	done <"$out/ftrace_batch0.txt"
	grep -q '^ok .*test-core-many.sh' "$out/ftrace_batch0.txt" ||
		result not-ok "livepatch.ftrace_batch=0: no result"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
