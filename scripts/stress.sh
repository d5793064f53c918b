#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make stress`: for the C core and then the Rust core, build the kernel
# (KLP_VARIANT, e.g. debug), boot it and run CYCLES enable / disable / atomic
# replace operations on three patches while 64 processes call a patched
# syscall, a target module comes and goes and a kthread holds transitions up
# (scripts/guest/stress.sh); then forced transitions, teardown and checks.
# Prints one ok/not ok line per check and core, the figures side by side, and
# `N passed, N failed`; saves CSV in the log folder; exits non-zero on any
# failure.
#   usage: stress.sh [CYCLES [SEED]]

. "$(dirname "$0")/lib.sh"

cycles=${1:-300} seed=${2:-1}
case $cycles in '' | *[!0-9]*) die "STRESS_CYCLES must be a number, not '$cycles'" ;; esac
variant=${KLP_VARIANT:-}
cores=${STRESS_CORES:-c rust}
for core in $cores; do
	case $core in c | rust) ;; *) die "STRESS_CORES takes c and/or rust, not '$core'" ;; esac
done
root=$("$TOP/scripts/sysroot.sh")
tree=$("$TOP/scripts/source.sh" "$root")
# A generous bound for one guest: a cycle takes a second or two under TCG,
# several on a debug kernel.
export KLP_QEMU_TIMEOUT=${KLP_QEMU_TIMEOUT:-$((900 + cycles * 6))}

# The regexes of check.sh's dmesg check, split by kind.
re_oops='BUG:|Oops|general protection|Kernel panic|deprecated workqueue.*klp'
re_lockdep='INFO: possible|circular locking'
re_kasan='KASAN|UBSAN'
re_leak='suspected memory leak'
re_stall='soft lockup|hard LOCKUP|blocked for more than|rcu.*stall'

figures="cycles_requested cycles seconds cycles_per_minute cycle_ms_median cycle_ms_max
	enables disables replaces blocked blocker_sleeps forced load_rounds getpid_calls
	getpid_patched getpid_wrong slab_source slab_before_kb slab_after_kb slab_delta_kb
	kmemleak errors op_digest"
declare -A fig wall_build wall_guest
pass=0 fail=0 n=0
result() { # core ok|not-ok description
	n=$((n + 1))
	if [ "$2" = ok ]; then
		pass=$((pass + 1)); echo "ok $n $1: $3"
	else
		fail=$((fail + 1)); echo "not ok $n $1: $3"
	fi
}

for core in $cores; do
	t0=$(date +%s)
	build=$("$TOP/scripts/kernel.sh" "$root" "$tree" "$core")
	t1=$(date +%s)
	out=$LOGDIR/stress/$core${variant:+-$variant}
	mkdir -p "$out"
	rm -f "$out/console.log" "$out/dmesg.log"
	phase "stress on the $core core: $cycles cycles, seed $seed (log: $out/console.log)"
	KLP_GUEST_LOGDIR=$out "$TOP/scripts/qemu.sh" "$root" "$build" "$core" stress \
		"$cycles" "$seed" || true
	t2=$(date +%s)
	wall_build[$core]=$((t1 - t0)) wall_guest[$core]=$((t2 - t1))
	phase "$core core: guest done in $((t2 - t1))s"

	console=$(tr -d '\r' <"$out/console.log" 2>/dev/null || true)
	for f in $figures; do
		v=$(printf '%s\n' "$console" | sed -n "s/^KLP-STRESS $f //p" | tail -n 1)
		fig[$core,$f]=${v:--}
	done
	# A guest that died printed no figures: count its cycles from the
	# per-cycle lines, marked as such.
	if [ "${fig[$core,cycles]}" = - ]; then
		v=$(printf '%s\n' "$console" | grep -c '^KLP-STRESS-OP .* rc=0 ' || true)
		fig[$core,cycles]="$v(died)"
	fi

	if grep -q '^KLP-STRESS-DONE' <<<"$console"; then
		result $core ok "the guest finished the run"
	else
		result $core not-ok "the guest finished the run (see $out/console.log)"
	fi
	if [ "${fig[$core,cycles]}" = "$cycles" ]; then
		result $core ok "$cycles of $cycles cycles done"
	else
		result $core not-ok "$cycles of $cycles cycles done (${fig[$core,cycles]})"
	fi
	while read -r verdict what; do
		case $what in
		*" # SKIP "*) result $core ok "$what" ;;
		*) result $core "$verdict" "$what" ;;
		esac
	done < <(printf '%s\n' "$console" | sed -n 's/^KLP-STRESS-CHECK //p')
	# (head may close the pipe early: not a failure.)
	printf '%s\n' "$console" | sed -n 's/^KLP-STRESS-ERROR /#   error: /p' | head -20 || true
	printf '%s\n' "$console" | sed -n 's/^KLP-KMEMLEAK /#   kmemleak: /p' | head -40 || true

	# dmesg, as check.sh reads it. The KUnit suites that run at boot expect one
	# WARNING per "Duplicate shadow variable" and per scheduling of a
	# never-initialised static work item.
	# A guest that died (panic=-1) printed no dmesg: read the kernel lines of
	# the console instead, which have at least the oops and the panic.
	dmesg=$(sed 's/^\[[^]]*\] \{0,1\}//' "$out/dmesg.log" 2>/dev/null || true)
	if [ -z "$dmesg" ]; then
		result $core not-ok "dmesg: the guest printed it (checking the console instead)"
		dmesg=$(printf '%s\n' "$console" | sed -n 's/^\[ *[0-9.]*\] \{0,1\}//p')
	fi
	if [ -n "$dmesg" ]; then
		dcheck() { # regex description
			local hits
			hits=$(printf '%s\n' "$dmesg" | grep -E "$1" || true)
			if [ -z "$hits" ]; then
				result $core ok "dmesg: $2"
			else
				result $core not-ok "dmesg: $2"
				printf '%s\n' "$dmesg" | grep -E -A3 "$1" | head -20 | sed 's/^/#   /' || true
			fi
		}
		dcheck "$re_oops" "no oops, BUG or panic"
		warns=$(printf '%s\n' "$dmesg" | grep -c '^WARNING:' || true)
		expected_warns=$(( $(printf '%s\n' "$dmesg" | grep -c 'Duplicate shadow variable' || true) +
			$(printf '%s\n' "$dmesg" | grep -c '^WARNING: rust/kernel/workqueue/static_work\.rs' || true) ))
		if [ "$warns" -le "$expected_warns" ]; then
			result $core ok "dmesg: no unexpected WARNING"
		else
			result $core not-ok "dmesg: no unexpected WARNING ($warns, $expected_warns expected)"
			printf '%s\n' "$dmesg" | grep -A3 '^WARNING:' | head -20 | sed 's/^/#   /' || true
		fi
		dcheck "$re_lockdep" "no lockdep report"
		dcheck "$re_kasan" "no KASAN or UBSAN report"
		dcheck "$re_leak" "no suspected memory leak"
		dcheck "$re_stall" "no soft lockup, hung task or RCU stall"
	fi
	if [ $core = rust ] && [ -n "${fig[c,op_digest]:-}" ]; then
		if [ "${fig[c,op_digest]}" != - ] && [ "${fig[c,op_digest]}" = "${fig[rust,op_digest]}" ]; then
			result $core ok "the same operation sequence as the C core"
		else
			result $core not-ok "the same operation sequence as the C core (digest ${fig[rust,op_digest]}, C ${fig[c,op_digest]})"
		fi
	fi
done

csv=$LOGDIR/stress.csv
echo "core,figure,value" >"$csv"
for core in $cores; do
	for f in $figures; do echo "$core,$f,${fig[$core,$f]}" >>"$csv"; done
	echo "$core,wall_build_s,${wall_build[$core]}" >>"$csv"
	echo "$core,wall_guest_s,${wall_guest[$core]}" >>"$csv"
done

echo
echo "make stress, ${variant:-plain} kernels, $cycles cycles, seed $seed:"
printf '%-20s %16s %16s\n' figure "C core" "Rust core"
for f in $figures wall_build_s wall_guest_s; do
	case $f in
	wall_build_s) c=${wall_build[c]:--} r=${wall_build[rust]:--} ;;
	wall_guest_s) c=${wall_guest[c]:--} r=${wall_guest[rust]:--} ;;
	*) c=${fig[c,$f]:--} r=${fig[rust,$f]:--} ;;
	esac
	printf '%-20s %16s %16s\n' "$f" "$c" "$r"
done
echo "CSV: $csv; logs: $LOGDIR/stress/"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
