// SPDX-License-Identifier: GPL-2.0-or-later

//! Redirection of patched functions through ftrace (the C core's `patch.c`).
//!
//! Every patched function address gets a stack of the `klp_func`s that replace it, newest
//! first, and an ftrace handler. The handler sends a call to the newest replacement, or, while
//! a transition is running and the calling task is still unpatched, to the one below it (or to
//! the original code). The stacks live in a map keyed by the old function's address, so
//! enabling `N` functions costs `O(N log N)` lookups instead of the C core's `O(N²)` list walk.
//!
//! Two modes, chosen at boot (`livepatch.ftrace_batch=`, default from
//! `CONFIG_LIVEPATCH_RUST_FTRACE_BATCH`): one `ftrace_ops` per function, as in C, or one for
//! every function, changed once per object (`batch.rs`).
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use crate::{
    batch::Sites,
    checked,
    model::{
        Func,
        FuncStack,
        KlpMutexHeld,
        Object,
        Patch, //
    },
};
use core::pin::Pin;
use kernel::{
    bindings,
    ftrace::{
        self,
        notrace,
        FtraceRegs,
        Handler,
        OpsFlag,
        OpsFlags,
        RecursionGuard,
        Registration,
        RegistrationError, //
    },
    global_lock,
    prelude::*,
    rbtree::{
        RBTree,
        RBTreeNodeReservation, //
    },
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        barrier::{
            smp_mb,
            Read, //
        },
        lock::GlobalGuard,
    },
};

/// `task->patch_state` values (`KLP_TRANSITION_*`).
const TRANSITION_IDLE: c_int = bindings::KLP_TRANSITION_IDLE;
const TRANSITION_UNPATCHED: c_int = bindings::KLP_TRANSITION_UNPATCHED as c_int;

/// `WARN_ON_ONCE()`: warns the first time `cond` holds at this call site; returns `cond`.
macro_rules! warn_on_once {
    ($cond:expr) => {{
        static WARNED: Atomic<bool> = Atomic::new(false);
        let cond: bool = $cond;
        if cond && !WARNED.xchg(true, Relaxed) {
            kernel::warn_on!(true);
        }
        cond
    }};
}
pub(crate) use warn_on_once;

impl Handler for FuncStack {
    // Inlined into ftrace's trampoline for it: this runs on every call of a patched function.
    #[inline]
    #[notrace]
    fn call(this: Pin<&Self>, ip: usize, parent_ip: usize, regs: &mut FtraceRegs) {
        // The guard also disables preemption, which `klp_synchronize_transition()` relies on to
        // wait for handlers that run where RCU is not watching.
        let Some(_guard) = RecursionGuard::try_lock(ip, parent_ip) else {
            warn_on_once!(true);
            return;
        };
        redirect_call(&this, regs);
    }
}

/// Sends a call of a patched function to the version its task runs: the body of the
/// per-function handler, called with a [`RecursionGuard`] held.
#[inline(always)]
#[notrace]
pub(crate) fn redirect_call(stack: &FuncStack, regs: &mut FtraceRegs) {
    // `list_first_or_null_rcu()`.
    let first = stack.first_once();
    // Never empty: the last function is only unlinked once no handler can reach the stack.
    if warn_on_once!(first == stack.head()) {
        return;
    }
    // SAFETY: Just checked.
    unsafe { redirect_from(stack.head(), first, regs) }
}

/// [`redirect_call()`] for a stack the caller knows is not empty (the batched handler's
/// table only leads to such stacks), without the check.
///
/// # Safety
///
/// `stack` must hold a function, and be read with a [`RecursionGuard`] held.
#[inline(always)]
#[notrace]
pub(crate) unsafe fn redirect_call_nonempty(stack: &FuncStack, regs: &mut FtraceRegs) {
    // `list_first_or_null_rcu()`.
    let first = stack.first_once();
    debug_assert!(first != stack.head());
    // SAFETY: The caller guarantees the stack is not empty.
    unsafe { redirect_from(stack.head(), first, regs) }
}

/// The rest of both: `first` is the top of the stack whose head is `head`.
///
/// # Safety
///
/// `first` must be an entry of the stack, not its head, read with a [`RecursionGuard`] held.
#[inline(always)]
#[notrace]
unsafe fn redirect_from(
    head: *mut bindings::list_head,
    first: *mut bindings::list_head,
    regs: &mut FtraceRegs,
) {
    // SAFETY: Entries of the stack are `stack_node`s of live functions: they are unlinked only
    // after the handler is unregistered or with `list_del_rcu()`, which keeps them readable.
    let mut func = unsafe { Func::from_stack_node(first) };

    // ORDERING: Orders the `func_stack` read above before the `transition` read below; pairs
    // with the `smp_mb(Write)` in `registry::enable()` that orders `transition = 1` before
    // the functions are pushed.
    smp_mb(Read);

    if func.transition_once() {
        // ORDERING: Orders the `transition` read before the `patch_state` read; pairs with
        // the `smp_mb(Write)` in `init_transition()` (transition.rs) that orders every
        // task's initial `patch_state` before `transition = 1`.
        smp_mb(Read);

        let patch_state = crate::model::task_patch_state(kernel::current!());
        warn_on_once!(patch_state == TRANSITION_IDLE);

        if patch_state == TRANSITION_UNPATCHED {
            // Use the previous patch's version, or the original code if there is none.
            let next = func.stack_next_once();
            if next == head {
                return;
            }
            // SAFETY: A stack entry other than the head is a live function's node.
            func = unsafe { Func::from_stack_node(next) };
        }
    }

    // A no-op restores the original code: setting the IP would loop forever.
    if !func.nop_once() {
        let new_func = func.new_func_once();
        // SAFETY: `new_func` is the replacement of the traced function, with its signature
        // (checked by the patch's author, as in C); the patch's module stays loaded while
        // one of its functions is on a stack.
        unsafe { regs.set_instruction_pointer(new_func) };
    }
}

type Ops = Pin<KBox<Registration<FuncStack>>>;

/// The stacks and their ftrace registrations, in the mode chosen at boot.
enum Redirections {
    /// One registration per function, keyed by the old function's address.
    PerFunction(RBTree<usize, Ops>),
    /// One registration for all (`batch.rs`).
    Batched(Sites),
}

impl Redirections {
    /// The stack of the function at `old_func`, if it is patched.
    fn stack(&self, old_func: usize) -> Option<Pin<&FuncStack>> {
        match self {
            Self::PerFunction(map) => map.get(&old_func).map(|ops| ops.as_ref().handler()),
            Self::Batched(sites) => sites.stack(old_func),
        }
    }
}

global_lock! {
    // SAFETY: `init()` runs from `klp_rust_init()` before any patch is enabled.
    unsafe(uninit) static KLP_OPS: Mutex<Option<Redirections>> = None;
}

/// Initialises the lock of the handler map and picks the mode.
///
/// # Safety
///
/// Must be called exactly once, before any other function of this module.
pub(crate) unsafe fn init() {
    // SAFETY: The caller guarantees this is the only call, and it precedes every use.
    unsafe { KLP_OPS.init() };
    // SAFETY: A boolean module parameter of `klp_glue.c`, set from the command line before the
    // initcalls run and read-only afterwards.
    let batched = unsafe { bindings::klp_ftrace_batch };
    *KLP_OPS.lock() = Some(if batched {
        Redirections::Batched(Sites::new())
    } else {
        Redirections::PerFunction(RBTree::new())
    });
}

/// The handlers and stacks.
///
/// Its own lock nests inside `klp_mutex`, which every caller holds (`_locked`), so it is never
/// contended; it gives the map's `&mut` without a promise from the caller.
fn ops_map(_locked: &KlpMutexHeld) -> GlobalGuard<KLP_OPS> {
    KLP_OPS.lock()
}

pub(crate) fn ops_flags() -> OpsFlags {
    let flags = OpsFlag::Dynamic | OpsFlag::IpModify | OpsFlag::Permanent;
    // Without `DYNAMIC_FTRACE_WITH_ARGS` the handler needs the full registers to set the IP.
    #[cfg(not(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS))]
    let flags = flags | OpsFlag::SaveRegs;
    flags
}

/// What runs for a patched function's old address in a task that has not switched to the
/// function's patch.
pub(crate) enum Underneath<'a> {
    /// The function is not on top of its stack: a newer patch's function is, and every task
    /// runs that one whatever its state.
    Unchanged,
    /// The function is the only entry: the original code.
    Original,
    /// The older patch's function right below it.
    Replacement(&'a Func),
}

/// Finds what runs underneath `func`, a patched function, on its stack
/// (`klp_check_stack_func()`'s lookup).
pub(crate) fn underneath<'a>(locked: &'a KlpMutexHeld, func: &Func) -> Underneath<'a> {
    let map = ops_map(locked);
    let Some(stack) = map.as_ref().and_then(|r| r.stack(func.old_func())) else {
        kernel::warn_on!(true);
        return Underneath::Unchanged;
    };
    match stack.get_ref().below_top(locked, func) {
        None => Underneath::Unchanged,
        Some(None) => Underneath::Original,
        Some(Some(below)) => Underneath::Replacement(below),
    }
}

/// Whether `func` is patched and on top of its stack: the version new calls go to once every
/// task runs its patch.
pub(crate) fn is_on_top(locked: &KlpMutexHeld, func: &Func) -> bool {
    func.patched() && !matches!(underneath(locked, func), Underneath::Unchanged)
}

/// Pushes `func` on the stack of its old function, registering a handler for a new one.
fn patch_func(locked: &KlpMutexHeld, map: &mut RBTree<usize, Ops>, func: &Func) -> Result {
    if kernel::warn_on!(func.old_func() == 0) || kernel::warn_on!(func.patched()) {
        return Err(EINVAL);
    }
    let old_func = func.old_func();

    if let Some(ops) = map.get(&old_func) {
        ops.as_ref().handler().push(locked, func);
    } else {
        if ftrace::location(old_func).is_none() {
            pr_err!(
                "failed to find location for function '{}'\n",
                func.old_name()
            );
            return Err(EINVAL);
        }
        // Reserve the map node first: nothing may fail once the handler is live.
        let node = RBTreeNodeReservation::new(GFP_KERNEL)?;
        // SAFETY: `klp_mutex` is held (`locked`); an unpatched function is on no stack.
        let stack = unsafe { FuncStack::new(func) };
        let ops = KBox::try_pin_init(Registration::new(stack, ops_flags(), old_func), GFP_KERNEL)
            .map_err(|e| {
            match e {
                RegistrationError::Filter(err) => pr_err!(
                    "failed to set ftrace filter for function '{}' ({})\n",
                    func.old_name(),
                    err.to_errno()
                ),
                RegistrationError::Register(err) => pr_err!(
                    "failed to register ftrace handler for function '{}' ({})\n",
                    func.old_name(),
                    err.to_errno()
                ),
                RegistrationError::NoLocation | RegistrationError::NoMemory => {}
            }
            Error::from(e)
        })?;
        map.insert(node.into_node(old_func, ops));
    }

    func.set_patched(locked, true);
    Ok(())
}

/// Removes `func` from its stack, unregistering the handler with the last one.
fn unpatch_func(locked: &KlpMutexHeld, map: &mut RBTree<usize, Ops>, func: &Func) {
    if kernel::warn_on!(!func.patched()) || kernel::warn_on!(func.old_func() == 0) {
        return;
    }
    let old_func = func.old_func();
    let Some(ops) = map.get(&old_func) else {
        kernel::warn_on!(true);
        return;
    };

    if ops.as_ref().handler().is_singular() {
        if kernel::warn_on!(ftrace::location(old_func).is_none()) {
            return;
        }
        // Dropping unregisters the handler (waiting until no CPU runs it) and then unlinks the
        // function from the stack.
        drop(map.remove(&old_func));
    } else {
        ops.as_ref().handler().remove(locked, func);
    }

    func.set_patched(locked, false);
}

/// Unpatches the functions of `obj`, or only its no-ops.
fn unpatch_object_funcs(locked: &KlpMutexHeld, obj: &Object, nops_only: bool) {
    let funcs = obj
        .funcs()
        .iter()
        .filter(|func| func.patched() && (!nops_only || func.nop()));
    match ops_map(locked).as_mut() {
        Some(Redirections::PerFunction(map)) => {
            for func in funcs {
                unpatch_func(locked, map, func);
            }
        }
        Some(Redirections::Batched(sites)) => sites.unpatch(locked, funcs),
        None => {
            kernel::warn_on!(true);
        }
    }
    if obj.dynamic() || !nops_only {
        obj.set_patched(locked, false);
    }
}

/// Removes the redirection of every function of `obj` (`klp_unpatch_object()`).
pub(crate) fn unpatch_object(locked: &KlpMutexHeld, obj: &Object) {
    unpatch_object_funcs(locked, obj, false);
    // A module going away during a transition: stack checks may stop looking at its code.
    if checked::refresh(locked).is_err() {
        pr_warn!("out of memory for the stack check; keeping the previous one\n");
    }
}

/// Redirects every function of `obj`; on failure, undoes what was done (`klp_patch_object()`).
/// The object's functions must be initialised and resolved.
pub(crate) fn patch_object(locked: &KlpMutexHeld, obj: &Object) -> Result {
    if kernel::warn_on!(obj.patched()) {
        return Err(EINVAL);
    }
    let patched = match ops_map(locked).as_mut() {
        Some(Redirections::PerFunction(map)) => obj
            .funcs()
            .iter()
            .try_for_each(|func| patch_func(locked, map, func)),
        Some(Redirections::Batched(sites)) => sites.patch(locked, obj.funcs()),
        None => Err(EINVAL),
    };
    if let Err(e) = patched {
        unpatch_object_funcs(locked, obj, false);
        return Err(e);
    }
    obj.set_patched(locked, true);
    // A module coming during a transition: stack checks must see the new stacks, or the
    // object is not patched.
    if let Err(e) = checked::refresh(locked) {
        unpatch_object_funcs(locked, obj, false);
        return Err(e);
    }
    Ok(())
}

/// Unpatches the patched objects of `patch`, or only their no-ops (`klp_unpatch_objects()`,
/// `klp_unpatch_objects_dynamic()`).
pub(crate) fn unpatch_objects(locked: &KlpMutexHeld, patch: &Patch, nops_only: bool) {
    for obj in patch.objects().iter() {
        if obj.patched() {
            unpatch_object_funcs(locked, obj, nops_only);
        }
    }
}
