// SPDX-License-Identifier: GPL-2.0-or-later

//! The code a transition checks stacks against, snapshotted under `klp_mutex`.
//!
//! A task may switch once no address on its stack lies in the code it would stop running: the
//! replacements of the patch in transition when unpatching, and when patching whatever runs
//! underneath them (an older patch's replacement, or the original function). The check runs
//! without `klp_mutex`, from `__schedule()` and with tasks held still by `task_call_func()`,
//! while `klp_mutex` holders change the func stacks (a module coming or going, a transition
//! reversed). The C core walks the live structures there and can read freed or foreign memory:
//! a function below another patch's on its stack has a list head as "next entry", and a module
//! going away frees its func stacks. Here the check only reads an immutable snapshot of address
//! ranges, rebuilt under `klp_mutex` whenever the stacks or the target change, published with
//! a release store and freed after an RCU grace period.

use crate::{
    model::{
        Func,
        KlpMutexHeld,
        Patch, //
    },
    redirect::{
        self,
        Underneath, //
    },
    transition::PatchState,
};
use kernel::{
    ffi::c_char,
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Full, //
        },
        rcu,
    },
};

/// One range of code a task must not be in to switch, and the function it belongs to.
struct Range {
    start: usize,
    end: usize,
    /// The largest `end` of this range and the ones sorted before it.
    max_end: usize,
    /// The function's position in the patch: when a stack holds several, the first one in the
    /// patch is the one reported, as in the C core, which checks them in that order.
    order: usize,
    /// `old_name` of the patch's function; see [`CheckedCode`]'s invariants.
    name: *const c_char,
    /// The name of the function's object (a module), or null for vmlinux; likewise.
    object: *const c_char,
}

/// A function whose code is on a task's stack: its name and its object's (`None`: vmlinux).
pub(crate) struct Blocker<'a> {
    pub(crate) function: &'a CStr,
    pub(crate) object: Option<&'a CStr>,
}

/// The ranges a transition checks, for one target state, sorted by start address: a stack
/// check costs `O(entries × log(ranges))` instead of the C core's `O(entries × functions)`.
///
/// # Invariants
///
/// Each `name` is the NUL-terminated `old_name` of a function of the patch in transition, and
/// each non-null `object` the name of its object, which stay allocated until this snapshot is unpublished and an RCU grace period has passed (the
/// patch is freed, and its no-op functions discarded, only after the transition completes,
/// which retracts the snapshot first).
pub(crate) struct CheckedCode {
    target: PatchState,
    ranges: KVec<Range>,
}

// SAFETY: The snapshot is immutable once published; the names it points to are immutable
// strings (see the type invariants).
unsafe impl Send for CheckedCode {}
// SAFETY: See above.
unsafe impl Sync for CheckedCode {}

impl CheckedCode {
    /// The target state the snapshot was taken for.
    pub(crate) fn target(&self) -> PatchState {
        self.target
    }

    /// The range containing `addr` that comes first in the patch, if any.
    fn find(&self, addr: usize) -> Option<&Range> {
        let after = self.ranges.partition_point(|r| r.start <= addr);
        // Ranges do not overlap in practice, so this looks at one; `max_end` bounds the walk
        // back otherwise.
        self.ranges[..after]
            .iter()
            .rev()
            .take_while(|r| r.max_end > addr)
            .filter(|r| r.end > addr)
            .min_by_key(|r| r.order)
    }

    /// The function whose code is on `trace`, if any (`klp_check_stack_func()`): the first one
    /// in the patch, if there are several.
    pub(crate) fn blocker(&self, trace: &[usize]) -> Option<Blocker<'_>> {
        let range = trace
            .iter()
            .filter_map(|&a| self.find(a))
            .min_by_key(|r| r.order)?;
        // SAFETY: By the type invariants the names are live C strings for as long as `self`.
        Some(unsafe {
            Blocker {
                function: CStr::from_char_ptr(range.name),
                object: (!range.object.is_null()).then(|| CStr::from_char_ptr(range.object)),
            }
        })
    }
}

/// The snapshot checks read: null while no transition has started.
///
/// Written under `klp_mutex` with release stores; read with acquire loads inside an RCU
/// read-side section (see [`get`]).
static PUBLISHED: Atomic<*mut CheckedCode> = Atomic::new(core::ptr::null_mut());

/// The code a task still running `func`'s old version runs instead of `func`, when patching.
fn patching_range(locked: &KlpMutexHeld, func: &Func) -> Option<(usize, usize)> {
    match redirect::underneath(locked, func) {
        Underneath::Original => Some((func.old_func(), func.old_size())),
        Underneath::Replacement(below) => Some((below.new_func(), below.new_size())),
        // A function below another patch's (a reversed transition of an older patch) changes
        // nothing for any task: every call goes to the function on top.
        Underneath::Unchanged => None,
    }
}

/// Adds the ranges a task must not be in to switch, for a function of `old_func` whose code
/// `code` (start, size) the transition changes: that code, and the return address of the call
/// at `old_func`'s ftrace site.
///
/// A task preempted in the ftrace handler or trampoline after the handler chose the new
/// function or the one below has neither on its stack yet, only that return address. Switched
/// there, it would still go where the handler sent it, after the transition ends and (when
/// the handler stays registered for another patch's function, or an atomic replace) the
/// module of that function may already be gone. The C core misses this case.
fn push_checked(
    ranges: &mut KVec<Range>,
    old_func: usize,
    code: (usize, usize),
    (name, object): (*const c_char, *const c_char),
) -> Result {
    let (start, size) = code;
    let end = start.wrapping_add(size);
    let order = ranges.len();
    let range = |start, end| Range {
        start,
        end,
        max_end: 0,
        order,
        name,
        object,
    };
    ranges.push(range(start, end), GFP_KERNEL)?;
    if let Some(ret) = kernel::ftrace::site_return_address(old_func) {
        if !(start..end).contains(&ret) {
            ranges.push(range(ret, ret + 1), GFP_KERNEL)?;
        }
    }
    Ok(())
}

/// Sorts `ranges` by start address and sets their `max_end`.
fn sort(ranges: &mut [Range]) {
    ranges.sort_unstable_by_key(|r| r.start);
    let mut max_end = 0;
    for r in ranges.iter_mut() {
        max_end = max_end.max(r.end);
        r.max_end = max_end;
    }
}

/// Builds the snapshot of `patch`'s functions for `target`.
fn build(locked: &KlpMutexHeld, patch: &Patch, target: PatchState) -> Result<KBox<CheckedCode>> {
    let mut ranges = KVec::new();
    for obj in patch.objects().iter() {
        if !obj.patched() {
            continue;
        }
        let object = obj.name().map_or(core::ptr::null(), CStr::as_char_ptr);
        for func in obj.funcs().iter() {
            let range = if target == PatchState::Unpatched {
                Some((func.new_func(), func.new_size()))
            } else {
                patching_range(locked, func)
            };
            if let Some(code) = range {
                let names = (func.old_name().as_char_ptr(), object);
                push_checked(&mut ranges, func.old_func(), code, names)?;
            }
        }
    }
    sort(&mut ranges);
    // INVARIANT: The callers pass the patch in transition; the names are its functions' and
    // their objects'.
    Ok(KBox::new(CheckedCode { target, ranges }, GFP_KERNEL)?)
}

/// Replaces the published snapshot by `new` (or nothing) and frees the old one once no checker
/// can see it. `klp_mutex` serialises the writers.
fn replace(_locked: &KlpMutexHeld, new: Option<KBox<CheckedCode>>) {
    let new = new.map_or(core::ptr::null_mut(), KBox::into_raw);
    // ORDERING: Fully ordered. It publishes the snapshot's contents (pairs with the `Acquire`
    // load in `get()`), and orders the publication before the `TIF_PATCH_PENDING` stores of
    // `start_transition()` (pairs with the `smp_mb(Read)` in `__klp_sched_try_switch()`), so
    // a task that sees its flag finds the snapshot. Missing it would only delay a switch.
    let old = PUBLISHED.xchg(new, Full);
    if !old.is_null() {
        // Wait for every checker that may have loaded `old`: they run inside RCU read-side
        // sections (`get()` takes an `rcu::Guard`).
        rcu::synchronize_rcu();
        // SAFETY: `old` came from `KBox::into_raw()` in an earlier call, and is now unreachable:
        // writers are serialised by `klp_mutex` and only this one took it out.
        drop(unsafe { KBox::from_raw(old) });
    }
}

/// A snapshot taken before the transition it is for starts or turns, so that running out of
/// memory fails the operation asking for the transition (enabling, disabling, reversing), which
/// can still back out, instead of leaving a transition that kernel threads could never finish.
pub(crate) struct Snapshot(KBox<CheckedCode>);

/// Takes the snapshot of `patch`'s functions for `target`. The patch's functions must already
/// be on their stacks, as they will be when the transition starts, and `patch` must be the
/// patch in transition by then.
pub(crate) fn prepare(
    locked: &KlpMutexHeld,
    patch: &Patch,
    target: PatchState,
) -> Result<Snapshot> {
    build(locked, patch, target).map(Snapshot)
}

/// Publishes `snapshot`, when its transition starts or is reversed.
pub(crate) fn publish(locked: &KlpMutexHeld, snapshot: Snapshot) {
    replace(locked, Some(snapshot.0));
}

/// Rebuilds the published snapshot after the func stacks changed (a module came or went during
/// a transition); does nothing when none is published. On failure the published snapshot stays:
/// after an object was unpatched it is a superset of the right one, which can only delay a
/// switch; a caller that patched an object must undo it.
pub(crate) fn refresh(locked: &KlpMutexHeld) -> Result {
    let Some(target) = get(&rcu::read_lock()).map(CheckedCode::target) else {
        return Ok(());
    };
    // A published snapshot means a transition runs.
    let Some(patch) = crate::model::transition_patch(locked) else {
        return Ok(());
    };
    let snapshot = prepare(locked, patch, target)?;
    publish(locked, snapshot);
    Ok(())
}

/// Unpublishes the snapshot (the transition is over) and frees it.
pub(crate) fn retract(locked: &KlpMutexHeld) {
    replace(locked, None);
}

/// The published snapshot, valid while `_guard` is held.
pub(crate) fn get(_guard: &rcu::Guard) -> Option<&CheckedCode> {
    // ORDERING: Pairs with the `Release` exchange in `replace()`.
    let ptr = PUBLISHED.load(Acquire);
    // SAFETY: A published snapshot is freed only after a grace period that starts once it is
    // unpublished, so it outlives the read-side section of `_guard`.
    (!ptr.is_null()).then(|| unsafe { &*ptr })
}

#[kunit_tests(livepatch_checked_code)]
mod tests {
    use super::*;
    use kernel::bindings;

    fn snapshot(old_func: usize, code: (usize, usize)) -> Result<CheckedCode> {
        let mut ranges = KVec::new();
        let names = (c"msleep".as_char_ptr(), core::ptr::null());
        push_checked(&mut ranges, old_func, code, names)?;
        sort(&mut ranges);
        Ok(CheckedCode {
            target: PatchState::Unpatched,
            ranges,
        })
    }

    #[test]
    fn a_task_in_the_ftrace_handling_of_a_call_blocks() -> Result {
        // A traceable C function stands for a patched one, and 16 bytes of data for the code
        // the transition changes (only addresses are compared).
        static CODE: [u8; 16] = [0; 16];
        let old_func = bindings::msleep as *const () as usize;
        let ret = kernel::ftrace::site_return_address(old_func).ok_or(EINVAL)?;
        let code = ((&raw const CODE) as usize, 16);
        let checked = snapshot(old_func, code)?;

        assert!(checked.blocker(&[code.0]).is_some());
        assert!(checked.blocker(&[0, code.0 + 15]).is_some());
        assert!(checked.blocker(&[code.0 + 16]).is_none());
        // Preempted in the handler or trampoline: only the site's return address shows.
        let blocker = checked.blocker(&[0, ret, 0]).ok_or(EINVAL)?;
        assert_eq!((blocker.function, blocker.object), (c"msleep", None));
        assert!(checked.blocker(&[ret - 1, ret + 1]).is_none());
        Ok(())
    }

    #[test]
    fn the_first_function_of_the_patch_is_reported() -> Result {
        // Three functions, pushed in patch order, at addresses in another order; the second
        // one's code overlaps the third's.
        let mut ranges = KVec::new();
        for (name, start, size) in [(c"b", 3000, 100), (c"a", 1000, 100), (c"c", 2000, 1050)] {
            let names = (name.as_char_ptr(), core::ptr::null());
            // Address 0 has no ftrace site: only the code's range is pushed.
            push_checked(&mut ranges, 0, (start, size), names)?;
        }
        sort(&mut ranges);
        let checked = CheckedCode {
            target: PatchState::Patched,
            ranges,
        };
        let name = |trace: &[usize]| checked.blocker(trace).map(|b| b.function);
        assert_eq!(name(&[999, 1100, 1999, 3100]), None);
        assert_eq!(name(&[1000]), Some(c"a"));
        assert_eq!(name(&[2500, 1099]), Some(c"a"));
        assert_eq!(name(&[3049, 2000]), Some(c"b"));
        assert_eq!(name(&[2999, 2000]), Some(c"c"));
        assert_eq!(name(&[3099, 1050]), Some(c"b"));
        Ok(())
    }

    #[test]
    fn the_original_code_covers_its_site() -> Result {
        // Patching a function whose original code runs: the site is in that code already.
        let old_func = bindings::msleep as *const () as usize;
        let ret = kernel::ftrace::site_return_address(old_func).ok_or(EINVAL)?;
        let checked = snapshot(old_func, (old_func, ret - old_func + 8))?;
        assert_eq!(checked.ranges.len(), 1);
        assert!(checked.blocker(&[ret]).is_some());
        Ok(())
    }
}
