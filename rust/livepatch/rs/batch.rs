// SPDX-License-Identifier: GPL-2.0-or-later

//! Batched redirection: one `ftrace_ops` for every patched function, changed once per object.
//!
//! The C core registers one `ftrace_ops` per patched function. Each registration patches text
//! on every CPU, allocates a trampoline, and each unregistration waits for two grace periods,
//! so enabling and disabling a patch of `N` functions costs `N` of each. Here a single
//! [`MultiRegistration`] covers every patched function: the functions of an object are added to
//! its filter, or removed from it, in one ftrace update and one wait. The handler finds a
//! call's func stack from the call's `fentry` site in a hash table published like RCU data.
//!
//! Each function still has its own func stack, pushed and popped as in the per-function mode
//! (`redirect.rs`), so everything above this module is the same in both modes. A second
//! `IPMODIFY` user of a function makes adding that function fail with `EBUSY`, as it makes the
//! C core's registration fail; the function is named in the same message.

use crate::{
    model::{
        Func,
        FuncList,
        FuncStack,
        KlpMutexHeld, //
    },
    redirect::{
        ops_flags,
        redirect_call_nonempty,
        warn_on_once, //
    },
    transition::synchronize_transition,
};
use core::pin::Pin;
use kernel::{
    ftrace::{
        self,
        notrace,
        FtraceRegs,
        Handler,
        MultiRegistration,
        RecursionGuard,
        RegistrationError, //
    },
    prelude::*,
    rbtree::{
        RBTree,
        RBTreeNodeReservation, //
    },
    sync::atomic::{
        Acquire,
        Atomic,
        Relaxed,
        Release, //
    },
};

/// A patched function's `fentry` site and its func stack.
///
/// A site whose stack is empty is retired: its function is unpatched, but removing the site
/// from the ops' filter failed (out of memory), so the handler may still be called for it and
/// finds nothing. It is removed with the next batch, or when the ops goes.
struct Site {
    ip: usize,
    stack: Pin<KBox<FuncStack>>,
}

/// One slot of the [`Table`].
struct Slot {
    /// The `fentry` site; 0 for an empty slot. In a table's header slot: the byte mask.
    ip: usize,
    /// Its stack; null once the site's last function is unpatched.
    stack: Atomic<*mut FuncStack>,
}

/// The handler turns a site into a byte offset into the slots with one `and`.
const SLOT_SIZE: usize = core::mem::size_of::<Slot>();
const _: () = assert!(SLOT_SIZE == 16);

/// The lookup from a call's `fentry` site to its func stack: open addressing with linear
/// probing, indexed by the site's address divided by 16 (functions are 16-byte aligned, so
/// nearby functions get distinct slots). The handler sees only the address of the first slot
/// ([`TABLE`]); the slot before it holds the byte mask, `(slots - 1) * 16`, so that finding a
/// stack costs two loads before the slot's.
///
/// # Invariants
///
/// `slots` holds a header slot and `n` slots, `n` a power of two, at least 4 and at least
/// twice the number of used slots, so probing always reaches an empty slot; the header's `ip`
/// is `(n - 1) * 16`. A slot's `ip` never changes once the table is published. Each non-null
/// `stack` points to the stack of a live [`Site`], which is dropped only after the table stops
/// pointing to it (the table is unpublished, or the slot nulled) and
/// [`synchronize_transition()`] has returned.
struct Table {
    slots: KVVec<Slot>,
}

/// What [`TABLE`] points into while no function is patched in this mode, so that the handler
/// need not test for no table: a header of byte mask 0 and one empty slot.
static EMPTY_SLOTS: [Slot; 2] = [
    Slot {
        ip: 0,
        stack: Atomic::new(core::ptr::null_mut()),
    },
    Slot {
        ip: 0,
        stack: Atomic::new(core::ptr::null_mut()),
    },
];

impl Table {
    /// Builds a table of `sites`, of which there are `count`.
    fn build<'a>(count: usize, sites: impl Iterator<Item = &'a Site>) -> Result<KBox<Self>> {
        let len = count
            .checked_mul(2)
            .and_then(usize::checked_next_power_of_two)
            .ok_or(ENOMEM)?
            .max(4);
        let bytemask = (len - 1) * SLOT_SIZE;
        let mut slots = KVVec::with_capacity(len + 1, GFP_KERNEL)?;
        for n in 0..=len {
            slots.push(
                Slot {
                    ip: if n == 0 { bytemask } else { 0 },
                    stack: Atomic::new(core::ptr::null_mut()),
                },
                GFP_KERNEL,
            )?;
        }
        for site in sites.take(count) {
            let mut off = site.ip & bytemask;
            while slots[1 + off / SLOT_SIZE].ip != 0 {
                off = (off + SLOT_SIZE) & bytemask;
            }
            let stack: *const FuncStack = &*site.stack;
            slots[1 + off / SLOT_SIZE] = Slot {
                ip: site.ip,
                stack: Atomic::new(stack.cast_mut()),
            };
        }
        // INVARIANT: A header of byte mask `(len - 1) * 16` and `len` slots, `len` a power of
        // two, at least 4 and twice `count`. The stacks are those of live sites, which the
        // callers drop only as the invariants say.
        Ok(KBox::new(Self { slots }, GFP_KERNEL)?)
    }

    /// The first slot after the header; it stays put when the table moves.
    fn base(&self) -> *mut Slot {
        self.slots.as_ptr().wrapping_add(1).cast_mut()
    }
}

/// The slot of `ip` in the table whose first slot is `base`, if it has one.
///
/// # Safety
///
/// `base` must be the [`Table::base`] of a live table, or point to the second of
/// [`EMPTY_SLOTS`], for `'a`.
#[inline]
#[notrace]
unsafe fn lookup<'a>(base: *const Slot, ip: usize) -> Option<&'a Slot> {
    // SAFETY: The caller guarantees a table (or `EMPTY_SLOTS`), whose header precedes `base`.
    let off = ip & unsafe { (*base.wrapping_sub(1)).ip };
    // SAFETY: `off <= bytemask`, so this is one of the table's slots (type invariants).
    let slot = unsafe { &*base.byte_add(off) };
    if slot.ip == ip {
        return Some(slot);
    }
    if slot.ip == 0 {
        return None;
    }
    // The rest of the probe; inline, since a call from here would make the handler save
    // registers on every call.
    // SAFETY: As above.
    let bytemask = unsafe { (*base.wrapping_sub(1)).ip };
    let mut off = off;
    loop {
        off = off.wrapping_add(SLOT_SIZE) & bytemask;
        // SAFETY: `off <= bytemask`, so this is one of the table's slots (type invariants).
        let slot = unsafe { &*base.byte_add(off) };
        if slot.ip == ip {
            return Some(slot);
        }
        if slot.ip == 0 {
            return None;
        }
        // The table is at most half full (type invariants): an empty slot ends the loop.
    }
}

/// The first slot of the published table, or the second of [`EMPTY_SLOTS`] while no function
/// is patched in this mode.
///
/// Written under `klp_mutex` with release exchanges; read by the handler with acquire loads,
/// with preemption disabled, which [`synchronize_transition()`] waits for before a table is
/// freed.
static TABLE: Atomic<*mut Slot> = Atomic::new((&raw const EMPTY_SLOTS[1]).cast_mut());

/// The table [`TABLE`] points into, null for [`EMPTY_SLOTS`]; `klp_mutex`.
static OWNER: Atomic<*mut Table> = Atomic::new(core::ptr::null_mut());

/// Publishes `new` (or no table) and returns the table it replaces, still reachable by
/// handlers until [`synchronize_transition()`] returns.
fn publish(_locked: &KlpMutexHeld, new: Option<KBox<Table>>) -> Option<KBox<Table>> {
    let (base, owner) = match new {
        Some(table) => (table.base(), KBox::into_raw(table)),
        None => (
            (&raw const EMPTY_SLOTS[1]).cast_mut(),
            core::ptr::null_mut(),
        ),
    };
    // ORDERING: Publishes the table's slots; pairs with the `Acquire` load in the handler.
    TABLE.xchg(base, Release);
    // ORDERING: Only `klp_mutex` holders use `OWNER`; the mutex orders them.
    let old = OWNER.xchg(owner, Relaxed);
    // SAFETY: A non-null `OWNER` comes from `KBox::into_raw()`; `klp_mutex` serialises the
    // writers, and only this one took it out.
    (!old.is_null()).then(|| unsafe { KBox::from_raw(old) })
}

/// Frees a table taken out by [`publish()`], once no handler can still read it.
fn retire_table(table: Option<KBox<Table>>) {
    if table.is_some() {
        synchronize_transition();
        drop(table);
    }
}

/// The handler of the one ops: finds the call's stack, then does what the per-function handler
/// does.
pub(crate) struct SiteHandler;

impl Handler for SiteHandler {
    // Inlined into ftrace's trampoline for it: this runs on every call of a patched function.
    #[inline]
    #[notrace]
    fn call(_this: Pin<&Self>, ip: usize, parent_ip: usize, regs: &mut FtraceRegs) {
        // The guard also disables preemption, which keeps the table and the stacks alive (see
        // `TABLE`).
        let Some(_guard) = RecursionGuard::try_lock(ip, parent_ip) else {
            warn_on_once!(true);
            return;
        };
        // ORDERING: Pairs with the `Release` exchange in `publish()`.
        let base = TABLE.load(Acquire);
        // SAFETY: A published table stays allocated until handlers that may have loaded it are
        // done (see `TABLE`).
        let Some(slot) = (unsafe { lookup(base, ip) }) else {
            return;
        };
        // A null stack: the function was just unpatched, and the original code runs.
        let stack = slot.stack.load(Relaxed);
        if stack.is_null() {
            return;
        }
        // SAFETY: By the `Table` invariants a non-null stack outlives this handler call and
        // holds a function (its last one is unlinked only after the slot is nulled and the
        // handlers are waited for).
        unsafe { redirect_call_nonempty(&*stack, regs) };
    }
}

type Ops = Pin<KBox<MultiRegistration<SiteHandler>>>;

/// The sites and the ops of the batched mode, under `klp_mutex`.
///
/// # Invariants
///
/// `ops` is `Some` exactly when `sites` is not empty, and its filter holds exactly the sites'
/// `ip`s. The published [`TABLE`] has a slot for every site with a non-empty stack, pointing to
/// it.
pub(crate) struct Sites {
    ops: Option<Ops>,
    /// Keyed by the old function's address.
    sites: RBTree<usize, Site>,
}

/// Reports that ftrace refused `func`, as the C core does.
fn report(func: &Func, e: RegistrationError) {
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
}

/// What [`Sites::patch`] changed before committing, to undo it on failure.
struct Staged<'a> {
    /// The functions pushed, in order.
    funcs: KVec<&'a Func>,
    /// The new sites' old function addresses, `fentry` sites, and first functions.
    new: KVec<(usize, usize, &'a Func)>,
    /// Whether a retired site got a function back, so that it needs a slot again.
    revived: bool,
}

impl Sites {
    /// No site, no ops.
    pub(crate) fn new() -> Self {
        // INVARIANT: No site and no ops; nothing is published.
        Self {
            ops: None,
            sites: RBTree::new(),
        }
    }

    /// The stack of the function at `old_func`, if it is patched.
    pub(crate) fn stack(&self, old_func: usize) -> Option<Pin<&FuncStack>> {
        self.sites
            .get(&old_func)
            .map(|site| site.stack.as_ref())
            .filter(|stack| !stack.is_empty())
    }

    /// Pushes each of `funcs` (unpatched, resolved functions of one object) on the stack of its
    /// old function, creating the missing stacks and adding their sites to the ops in one
    /// update. All or nothing: on failure nothing changed.
    pub(crate) fn patch<'a>(&mut self, locked: &KlpMutexHeld, funcs: &'a FuncList) -> Result {
        let count = funcs.iter().count();
        let mut staged = Staged {
            funcs: KVec::with_capacity(count, GFP_KERNEL)?,
            new: KVec::with_capacity(count, GFP_KERNEL)?,
            revived: false,
        };
        if let Err(e) = self.stage(locked, funcs.iter(), &mut staged) {
            self.undo(locked, &staged, 0);
            return Err(e);
        }
        if staged.new.is_empty() && !staged.revived {
            return Ok(());
        }
        let mut ips = KVec::with_capacity(staged.new.len(), GFP_KERNEL);
        if let Ok(ips) = &mut ips {
            for &(_, ip, _) in staged.new.iter() {
                // Cannot fail: the capacity is the length of `staged.new`.
                let _ = ips.push_within_capacity(ip);
            }
        }
        let (Ok(ips), Ok(table)) = (ips, Table::build(self.live(), self.live_sites())) else {
            self.undo(locked, &staged, 0);
            return Err(ENOMEM);
        };

        // The table goes first: a call that reaches the handler before its site's slot would
        // run the original code, which is wrong for a function no transition covers (a module
        // coming while its patch is enabled).
        let old_table = publish(locked, Some(table));
        match self.add(&ips, &staged.new) {
            Ok(()) => {
                retire_table(old_table);
                Ok(())
            }
            Err((e, kept)) => {
                retire_table(publish(locked, old_table));
                self.undo(locked, &staged, kept);
                Err(e)
            }
        }
    }

    /// Pushes the functions; new sites go into the map, not yet into the table or the ops.
    fn stage<'a>(
        &mut self,
        locked: &KlpMutexHeld,
        funcs: impl Iterator<Item = &'a Func>,
        staged: &mut Staged<'a>,
    ) -> Result {
        for func in funcs {
            if kernel::warn_on!(func.old_func() == 0) || kernel::warn_on!(func.patched()) {
                return Err(EINVAL);
            }
            let old_func = func.old_func();
            if let Some(site) = self.sites.get(&old_func) {
                staged.revived |= site.stack.is_empty();
                site.stack.push(locked, func);
            } else {
                let Some(ip) = ftrace::location(old_func) else {
                    pr_err!(
                        "failed to find location for function '{}'\n",
                        func.old_name()
                    );
                    return Err(EINVAL);
                };
                let node = RBTreeNodeReservation::new(GFP_KERNEL)?;
                // SAFETY: `klp_mutex` is held (`locked`); an unpatched function is on no stack.
                let stack = KBox::pin_init(unsafe { FuncStack::new(func) }, GFP_KERNEL)?;
                self.sites
                    .insert(node.into_node(old_func, Site { ip, stack }));
                staged
                    .new
                    .push_within_capacity((old_func, ip, func))
                    .map_err(|_| ENOMEM)?;
            }
            func.set_patched(locked, true);
            // Cannot fail: the capacity is the number of functions.
            let _ = staged.funcs.push_within_capacity(func);
        }
        Ok(())
    }

    /// Adds the sites `ips` (of the functions in `new`, in the same order) to the ops, creating
    /// it if needed. When ftrace refuses the batch, adds them one at a time, to name the
    /// function it refuses as the C core does (or to get them all in after all). On failure,
    /// also returns how many of the first sites stay in the filter (taking them back failed).
    fn add(&mut self, ips: &[usize], new: &[(usize, usize, &Func)]) -> Result<(), (Error, usize)> {
        if ips.is_empty() || self.try_add(ips).is_ok() {
            return Ok(());
        }
        let created = self.ops.is_none();
        for (n, (&ip, &(_, _, func))) in ips.iter().zip(new).enumerate() {
            if let Err(e) = self.try_add(&[ip]) {
                report(func, e);
                let kept = if self.unadd(&ips[..n], created) { 0 } else { n };
                return Err((e.into(), kept));
            }
        }
        Ok(())
    }

    fn try_add(&mut self, ips: &[usize]) -> Result<(), RegistrationError> {
        match &self.ops {
            Some(ops) => ops.add(ips).map_err(RegistrationError::Register),
            None => {
                let ops = KBox::try_pin_init(
                    MultiRegistration::new(SiteHandler, ops_flags(), ips),
                    GFP_KERNEL,
                )?;
                self.ops = Some(ops);
                Ok(())
            }
        }
    }

    /// Takes back the sites `ips` that [`Self::add`] added (`created`: with the ops); returns
    /// whether they are out of the filter.
    fn unadd(&mut self, ips: &[usize], created: bool) -> bool {
        if created {
            // Unregistering waits for the handlers.
            self.ops = None;
            return true;
        }
        match &self.ops {
            Some(ops) if !ips.is_empty() => ops.remove(ips).is_ok(),
            _ => true,
        }
    }

    /// Undoes [`Self::stage`]: unlinks the staged functions and drops the new sites, except the
    /// first `kept`, which stay in the ops' filter, retired. The sites must be out of the
    /// published table, and no handler may still see them.
    fn undo(&mut self, locked: &KlpMutexHeld, staged: &Staged<'_>, kept: usize) {
        for func in staged.funcs.iter().rev() {
            if let Some(site) = self.sites.get(&func.old_func()) {
                site.stack.remove(locked, func);
            }
            func.set_patched(locked, false);
        }
        if kept > 0 {
            pr_warn!("failed to remove ftrace sites; they stay retired\n");
        }
        for &(old_func, _, _) in staged.new.iter().skip(kept) {
            self.sites.remove(&old_func);
        }
        if self.live() == 0 && self.ops.is_some() {
            // Unregistering waits for the handlers; the table only has null slots left.
            self.ops = None;
            drop(publish(locked, None));
            self.sites = RBTree::new();
        }
    }

    /// Removes each of `funcs` (patched functions) from its stack. Sites left without a
    /// function leave the table and the ops in one update, and are freed once no handler can
    /// see them.
    pub(crate) fn unpatch<'a>(
        &mut self,
        locked: &KlpMutexHeld,
        funcs: impl Iterator<Item = &'a Func>,
    ) {
        let mut emptied = 0;
        for func in funcs {
            if kernel::warn_on!(!func.patched()) {
                continue;
            }
            let Some(site) = self.sites.get(&func.old_func()) else {
                kernel::warn_on!(true);
                continue;
            };
            if site.stack.is_singular() {
                // Stays linked until no handler can see the stack, as a registration does
                // before it is unregistered.
                if let Some(slot) = current_slot(locked, site.ip) {
                    // Calls go to the original code from now on.
                    slot.stack.store(core::ptr::null_mut(), Relaxed);
                }
                emptied += 1;
            } else {
                site.stack.remove(locked, func);
            }
            func.set_patched(locked, false);
        }
        if emptied == 0 {
            return;
        }

        // Every site whose slot is null: the ones just emptied and the retired ones.
        let retiring = |site: &Site| {
            site.stack.is_empty()
                || current_slot(locked, site.ip)
                    .is_none_or(|slot| slot.stack.load(Relaxed).is_null())
        };
        if self.sites.values().all(retiring) {
            // The last functions: unregistering waits for the handlers, after which neither
            // the table nor the stacks can be reached.
            self.ops = None;
            drop(publish(locked, None));
            self.sites = RBTree::new();
            return;
        }
        let ips: Option<KVec<usize>> = (|| {
            let mut ips = KVec::new();
            for site in self.sites.values().filter(|s| retiring(s)) {
                ips.push(site.ip, GFP_KERNEL).ok()?;
            }
            Some(ips)
        })();
        let removed = match (&self.ops, &ips) {
            (Some(ops), Some(ips)) => ops.remove(ips).is_ok(),
            _ => false,
        };
        synchronize_transition();
        // Free the sites removed from the filter; keep the others retired, with empty stacks.
        let mut gone = KVec::new();
        for (&old_func, site) in self.sites.iter() {
            if retiring(site) {
                site.stack.clear(locked);
                if removed {
                    let _ = gone.push(old_func, GFP_KERNEL);
                }
            }
        }
        if !removed {
            pr_warn!("failed to remove ftrace sites; they stay retired\n");
        }
        for old_func in gone.iter() {
            self.sites.remove(old_func);
        }
    }

    /// The number of sites with functions.
    fn live(&self) -> usize {
        self.live_sites().count()
    }

    fn live_sites(&self) -> impl Iterator<Item = &Site> {
        self.sites.values().filter(|site| !site.stack.is_empty())
    }
}

/// The slot of `ip` in the published table.
fn current_slot(_locked: &KlpMutexHeld, ip: usize) -> Option<&Slot> {
    // ORDERING: Only `klp_mutex` holders exchange the pointer, and the caller holds it, so the
    // latest exchange is ordered before this load.
    let base = TABLE.load(Relaxed);
    // SAFETY: Tables are replaced and freed only under `klp_mutex`; the callers, which hold it,
    // drop the slot before they replace the table.
    unsafe { lookup(base, ip) }
}
