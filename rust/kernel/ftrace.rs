// SPDX-License-Identifier: GPL-2.0

//! Function tracing: handlers called at the `fentry` site of chosen kernel functions.
//!
//! A [`Registration`] embeds a `struct ftrace_ops` next to a [`Handler`]. It is filtered on one
//! function address and registered in its pinned initialiser, and unregistered when dropped.
//! A handler runs from the function's `fentry` trampoline, before the function's body, with the
//! function's arguments in [`FtraceRegs`]; with [`OpsFlag::IpModify`] it may redirect the call
//! by setting the instruction pointer (this is how live patching works).
//!
//! What a handler runs must not be traced itself: with `CONFIG_RUSTC_HAS_FENTRY` Rust functions
//! have `fentry` sites too, and [`notrace`] keeps one out of ftrace. Everything between
//! ftrace's call and a handler in this module is `notrace`.
//!
//! C header: [`include/linux/ftrace.h`](srctree/include/linux/ftrace.h)

use crate::{
    alloc::AllocError,
    bindings,
    error::{
        to_result,
        Error, //
    },
    impl_flags,
    prelude::*,
    types::{
        NotThreadSafe,
        Opaque, //
    },
};
use core::marker::PhantomPinned;

/// Keeps a function out of ftrace, as `notrace` does in C: see [`macros::notrace`].
pub use macros::notrace;

impl_flags!(
    /// A set of `FTRACE_OPS_FL_*` flags of a [`Registration`].
    #[derive(Debug, Clone, Default, Copy, PartialEq, Eq)]
    pub struct OpsFlags(u32);

    /// One `FTRACE_OPS_FL_*` flag.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum OpsFlag {
        /// The ops is allocated dynamically: unregistering waits for every CPU to leave the
        /// trampolines, so the memory may be freed afterwards.
        Dynamic = bindings::FTRACE_OPS_FL_DYNAMIC,
        /// The handler gets the full `pt_regs`; only needed where the architecture lacks
        /// `DYNAMIC_FTRACE_WITH_ARGS`.
        SaveRegs = bindings::FTRACE_OPS_FL_SAVE_REGS,
        /// The handler may change the instruction pointer. Only one such ops per function.
        IpModify = bindings::FTRACE_OPS_FL_IPMODIFY,
        /// The ops must stay in effect: `kernel.ftrace_enabled` cannot be turned off while it is
        /// registered, and registering fails with `EBUSY` while it is off.
        Permanent = bindings::FTRACE_OPS_FL_PERMANENT,
    }
);

/// Returns the address of the `fentry` call site of the function at `addr`, if it has one.
///
/// Only such addresses can be filtered on. Functions without one (`notrace` code, inline
/// functions, and Rust code unless rustc supports `fentry`: `CONFIG_RUSTC_HAS_FENTRY`) cannot be
/// traced.
///
/// # Examples
///
/// ```
/// use kernel::{bindings, ftrace};
///
/// #[inline(never)]
/// fn rust_fn() {}
///
/// #[ftrace::notrace]
/// #[inline(never)]
/// fn notrace_fn() {}
///
/// // C functions built with `-mfentry` have a site; Rust functions have one where rustc
/// // supports it; `notrace` ones never do.
/// assert!(ftrace::location(bindings::msleep as *const () as usize).is_some());
/// assert_eq!(
///     ftrace::location(rust_fn as *const () as usize).is_some(),
///     cfg!(CONFIG_RUSTC_HAS_FENTRY)
/// );
/// assert!(ftrace::location(notrace_fn as *const () as usize).is_none());
/// ```
#[doc(alias = "ftrace_location")]
pub fn location(addr: usize) -> Option<usize> {
    // SAFETY: `ftrace_location()` only looks the address up; any value is accepted.
    let loc = unsafe { bindings::ftrace_location(addr as c_ulong) };
    (loc != 0).then_some(loc as usize)
}

/// Returns the address the call at the `fentry` site of the function at `addr` returns to, if
/// the function has a site.
///
/// A task with this address on its stack is inside ftrace's handling of a call of the function:
/// in a trampoline or a handler, possibly preempted there. A handler that redirects the call
/// (see [`FtraceRegs::set_instruction_pointer`]) may already have chosen where the task goes
/// next, which its stack does not show until the trampoline returns.
///
/// # Examples
///
/// ```
/// use kernel::{bindings, ftrace};
///
/// let site = ftrace::location(bindings::msleep as *const () as usize).unwrap();
/// let ret = ftrace::site_return_address(bindings::msleep as *const () as usize).unwrap();
/// assert!(ret > site);
///
/// #[ftrace::notrace]
/// fn notrace_fn() {}
/// assert!(ftrace::site_return_address(notrace_fn as *const () as usize).is_none());
/// ```
pub fn site_return_address(addr: usize) -> Option<usize> {
    // The site is a call instruction of `MCOUNT_INSN_SIZE` bytes.
    location(addr).map(|site| site + bindings::MCOUNT_INSN_SIZE as usize)
}

/// The register state a handler receives: the traced function's arguments and return address.
///
/// # Invariants
///
/// Only created by the trampoline for the duration of one handler call, from the pointer ftrace
/// passes to it.
#[repr(transparent)]
pub struct FtraceRegs(Opaque<bindings::ftrace_regs>);

impl FtraceRegs {
    /// Creates a reference from the pointer ftrace passes to handlers.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid and not otherwise accessed for `'a`.
    #[notrace]
    unsafe fn from_raw<'a>(ptr: *mut bindings::ftrace_regs) -> &'a mut Self {
        // CAST: `FtraceRegs` is a `repr(transparent)` wrapper of `bindings::ftrace_regs`.
        // SAFETY: The caller guarantees validity and exclusivity for `'a`.
        unsafe { &mut *ptr.cast() }
    }

    /// Returns the instruction pointer the trampoline will return to.
    #[inline]
    #[notrace]
    pub fn instruction_pointer(&self) -> usize {
        // SAFETY: By the type invariants the registers are valid for this call.
        unsafe { bindings::ftrace_regs_get_instruction_pointer(self.0.get()) as usize }
    }

    /// Makes the trampoline return to `ip` instead of the traced function's body.
    ///
    /// # Safety
    ///
    /// This redirects control flow: the call of the traced function continues at `ip` with the
    /// traced function's arguments and return address. `ip` must be the entry of a function
    /// that is safe to call that way (same signature and calling convention, still in memory
    /// when the call gets there), and the handler's ops must have [`OpsFlag::IpModify`].
    #[inline]
    #[notrace]
    pub unsafe fn set_instruction_pointer(&mut self, ip: usize) {
        // SAFETY: By the type invariants the registers are valid and exclusively ours; the
        // caller vouches for the new target.
        unsafe { bindings::ftrace_regs_set_instruction_pointer(self.0.get(), ip as c_ulong) };
    }
}

/// Proof that the current context holds the ftrace recursion lock; it also keeps preemption off.
///
/// # Invariants
///
/// `bit` is the non-negative value of a successful `ftrace_test_recursion_trylock()` on this
/// CPU, not yet unlocked.
pub struct RecursionGuard {
    bit: c_int,
    _not_send: NotThreadSafe,
}

impl RecursionGuard {
    /// Takes the recursion lock for a handler called for `ip` from `parent_ip`.
    ///
    /// Returns `None` when a handler of the same context is already running on this CPU.
    #[inline]
    #[notrace]
    pub fn try_lock(ip: usize, parent_ip: usize) -> Option<Self> {
        // SAFETY: The function may be called from any context.
        let bit = unsafe { bindings::ftrace_test_recursion_trylock(ip, parent_ip) };
        // INVARIANT: A non-negative `bit` means the lock was taken.
        (bit >= 0).then_some(Self {
            bit,
            _not_send: NotThreadSafe,
        })
    }
}

impl Drop for RecursionGuard {
    #[inline]
    #[notrace]
    fn drop(&mut self) {
        // SAFETY: By the type invariants `bit` was locked by this CPU and not unlocked yet.
        unsafe { bindings::ftrace_test_recursion_unlock(self.bit) };
    }
}

/// A function-entry handler.
pub trait Handler: Sync + Sized {
    /// Called at the entry of a filtered function.
    ///
    /// `ip` is the `fentry` site of the function (what [`location`] returns for it), which tells
    /// the functions of a [`MultiRegistration`] apart; `parent_ip` is the caller's return
    /// address. It runs in any context, NMI included, with preemption disabled: it must not
    /// sleep, take locks, allocate or print, and should take a [`RecursionGuard`] if anything it
    /// calls can be traced. Implementations, and what they call out of line, should be
    /// [`notrace`].
    fn call(this: Pin<&Self>, ip: usize, parent_ip: usize, regs: &mut FtraceRegs);
}

/// The ways [`Registration::new`] can fail; livepatch reports each differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationError {
    /// No `fentry` site at the address (`EINVAL`).
    NoLocation,
    /// `ftrace_set_filter_ip()` failed.
    Filter(Error),
    /// `register_ftrace_function()` failed, e.g. `EBUSY` if another `IPMODIFY` user owns the
    /// function or `kernel.ftrace_enabled` is off for a permanent ops.
    Register(Error),
    /// Allocating the memory that holds the registration failed.
    NoMemory,
}

impl From<AllocError> for RegistrationError {
    fn from(_: AllocError) -> Self {
        Self::NoMemory
    }
}

impl From<core::convert::Infallible> for RegistrationError {
    fn from(e: core::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<RegistrationError> for Error {
    fn from(e: RegistrationError) -> Error {
        match e {
            RegistrationError::NoLocation => EINVAL,
            RegistrationError::Filter(e) | RegistrationError::Register(e) => e,
            RegistrationError::NoMemory => ENOMEM,
        }
    }
}

/// A registered `struct ftrace_ops` calling `H` at the entry of one function.
///
/// The handler data comes first and the `ftrace_ops` right after it, as in C structures that
/// embed an ops after their own fields (`struct klp_ops`).
///
/// # Invariants
///
/// `ops` is registered with ftrace, filtered on `ip`, from the end of the initialiser until
/// `drop` unregisters it; its `func` is `trampoline::<H, Self>`.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct Registration<H: Handler> {
    #[pin]
    handler: H,
    #[pin]
    ops: Opaque<bindings::ftrace_ops>,
    ip: usize,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: The ops is only touched by ftrace (under its own locks) and by `drop`; the handler is
// shared with the trampoline on every CPU, which `H: Sync` allows.
unsafe impl<H: Handler + Send> Send for Registration<H> {}
// SAFETY: Shared references only reach the handler, which is `Sync`.
unsafe impl<H: Handler> Sync for Registration<H> {}

impl<H: Handler> Registration<H> {
    /// Creates an ops for `H`, filters it on the function at `func` and registers it.
    ///
    /// `handler` is initialised first, so the handler's data is ready when the first call comes.
    /// May sleep.
    pub fn new<E>(
        handler: impl PinInit<H, E>,
        flags: OpsFlags,
        func: usize,
    ) -> impl PinInit<Self, RegistrationError>
    where
        RegistrationError: From<E>,
    {
        let loc = location(func);
        // Fields are initialised in the order written: `ip` and the handler are in place before
        // `ops` is registered, since a handler may run on another CPU as soon as it is.
        try_pin_init!(Self {
            ip: loc.unwrap_or(0),
            handler <- handler,
            ops <- Opaque::try_ffi_init(move |ops: *mut bindings::ftrace_ops| {
                let ip = loc.ok_or(RegistrationError::NoLocation)?;
                // SAFETY: `ops` is valid for writes; all-zero is the initial state of a
                // `struct ftrace_ops` (as for a `static` one).
                unsafe {
                    ops.write_bytes(0, 1);
                    (*ops).func = Some(trampoline::<H, Self>);
                    (*ops).flags = u32::from(flags) as c_ulong;
                }
                // SAFETY: `ops` is initialised and pinned; `ip` is an `fentry` site.
                to_result(unsafe { bindings::ftrace_set_filter_ip(ops, ip as c_ulong, 0, 0) })
                    .map_err(RegistrationError::Filter)?;
                // SAFETY: As above; the handler (initialised before this field) is ready.
                let ret = unsafe { bindings::register_ftrace_function(ops) };
                if let Err(e) = to_result(ret) {
                    // SAFETY: Removes the filter set above from the unregistered ops.
                    unsafe { bindings::ftrace_set_filter_ip(ops, ip as c_ulong, 1, 0) };
                    // SAFETY: Frees the filter hashes allocated above.
                    unsafe { bindings::ftrace_free_filter(ops) };
                    return Err(RegistrationError::Register(e));
                }
                Ok(())
            }),
            _pin: PhantomPinned,
        }? RegistrationError)
    }

    /// Returns the handler's data.
    #[notrace]
    pub fn handler(self: Pin<&Self>) -> Pin<&H> {
        // SAFETY: `handler` is a structurally pinned field.
        unsafe { self.map_unchecked(|s| &s.handler) }
    }

    /// Returns the `fentry` site the ops is filtered on.
    pub fn ip(&self) -> usize {
        self.ip
    }
}

#[pinned_drop]
impl<H: Handler> PinnedDrop for Registration<H> {
    fn drop(self: Pin<&mut Self>) {
        let ops = self.ops.get();
        // SAFETY: By the type invariants the ops is registered. For a `Dynamic` ops, this waits
        // until no CPU can still be in the trampoline, so the memory may go afterwards.
        let ret = unsafe { bindings::unregister_ftrace_function(ops) };
        crate::warn_on!(ret != 0);
        // SAFETY: The ops is unregistered; this removes the filter entry set at registration.
        let ret = unsafe { bindings::ftrace_set_filter_ip(ops, self.ip as c_ulong, 1, 0) };
        crate::warn_on!(ret != 0);
        // SAFETY: The ops is unregistered; this frees its (now empty) filter hashes.
        unsafe { bindings::ftrace_free_filter(ops) };
    }
}

/// A pinned structure that embeds a `struct ftrace_ops` calling `H` through [`trampoline`].
///
/// # Safety
///
/// `from_ops` must return the structure that embeds `ops`, as long as the caller's promise
/// holds.
unsafe trait EmbedsOps<H: Handler> {
    /// The structure embedding `ops`.
    ///
    /// # Safety
    ///
    /// `ops` must be the ops of a live, pinned `Self`, which stays so for `'a`.
    unsafe fn from_ops<'a>(ops: *mut bindings::ftrace_ops) -> Pin<&'a Self>;

    /// The handler's data.
    fn handler_of(self: Pin<&Self>) -> Pin<&H>;
}

// SAFETY: `from_ops` finds the `Registration` around its `ops` field.
unsafe impl<H: Handler> EmbedsOps<H> for Registration<H> {
    #[notrace]
    unsafe fn from_ops<'a>(ops: *mut bindings::ftrace_ops) -> Pin<&'a Self> {
        let ops = Opaque::cast_from(ops).cast_mut();
        // SAFETY: The caller guarantees `ops` is the `ops` field of a live, pinned
        // `Registration<H>`.
        unsafe { Pin::new_unchecked(&*crate::container_of!(ops, Self, ops)) }
    }

    #[notrace]
    fn handler_of(self: Pin<&Self>) -> Pin<&H> {
        self.handler()
    }
}

/// The `ftrace_func_t` of a [`Registration<H>`] or [`MultiRegistration<H>`] (`C`).
///
/// # Safety
///
/// Only called by ftrace for an ops embedded in a live `C`, with a valid `fregs`.
#[notrace]
unsafe extern "C" fn trampoline<H: Handler, C: EmbedsOps<H>>(
    ip: c_ulong,
    parent_ip: c_ulong,
    ops: *mut bindings::ftrace_ops,
    fregs: *mut bindings::ftrace_regs,
) {
    // SAFETY: By the safety requirements `ops` is embedded in a live `C`, which ftrace keeps
    // alive until this call returns.
    let this = unsafe { C::from_ops(ops) };
    // SAFETY: ftrace passes a valid `fregs` that only this call uses.
    let regs = unsafe { FtraceRegs::from_raw(fregs) };
    H::call(this.handler_of(), ip, parent_ip, regs);
}

/// A registered `struct ftrace_ops` calling `H` at the entry of a changing, never empty set of
/// functions.
///
/// Registering an ops and changing its code sites costs ftrace one round of text patching (and,
/// when unregistering, grace periods); a [`MultiRegistration`] pays it once for all the
/// functions added or removed together, where one [`Registration`] per function pays it for
/// each. The handler tells the functions apart by the `ip` it gets.
///
/// An ops with an empty filter would trace every function, so the last sites cannot be removed:
/// drop the registration instead.
///
/// # Invariants
///
/// `ops` is registered with ftrace, filtered on exactly `sites` `fentry` sites (at least one),
/// from the end of the initialiser until `drop` unregisters it; its `func` is
/// `trampoline::<H, Self>`. Filter changes happen with `sites` locked.
#[repr(C)]
#[pin_data(PinnedDrop)]
pub struct MultiRegistration<H: Handler> {
    #[pin]
    handler: H,
    #[pin]
    ops: Opaque<bindings::ftrace_ops>,
    #[pin]
    sites: crate::sync::Mutex<usize>,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: The ops is only touched by ftrace (under its own locks), by `add`/`remove` (under
// `sites`) and by `drop`; the handler is shared with the trampoline on every CPU (`H: Sync`).
unsafe impl<H: Handler + Send> Send for MultiRegistration<H> {}
// SAFETY: Shared references reach the handler (`Sync`) and the filter, changed under `sites`.
unsafe impl<H: Handler> Sync for MultiRegistration<H> {}

/// Calls `ftrace_set_filter_ips()` for `ips`, which must all be `fentry` sites.
///
/// # Safety
///
/// `ops` must be an initialised, pinned `ftrace_ops` whose filter nobody else changes meanwhile.
unsafe fn set_filter_ips(ops: *mut bindings::ftrace_ops, ips: &[usize], remove: bool) -> Result {
    let cnt = u32::try_from(ips.len()).map_err(|_| EINVAL)?;
    // SAFETY: The caller guarantees `ops`; ftrace only reads `cnt` entries of `ips` (the
    // pointer is `*mut` in C for no reason).
    to_result(unsafe {
        bindings::ftrace_set_filter_ips(
            ops,
            ips.as_ptr().cast_mut().cast(),
            cnt,
            c_int::from(remove),
            0,
        )
    })
}

impl<H: Handler> MultiRegistration<H> {
    /// Creates an ops for `H`, filters it on the `fentry` sites `ips` (each one a value
    /// [`location`] returned, listed once) and registers it.
    ///
    /// Fails with [`RegistrationError::NoLocation`] if `ips` is empty, and with
    /// [`RegistrationError::Register`] if ftrace refuses the ops (`EBUSY`: another `IPMODIFY`
    /// ops has one of the functions). May sleep.
    pub fn new<'a, E>(
        handler: impl PinInit<H, E> + 'a,
        flags: OpsFlags,
        ips: &'a [usize],
    ) -> impl PinInit<Self, RegistrationError> + 'a
    where
        H: 'a,
        RegistrationError: From<E>,
    {
        // The handler and the lock are in place before `ops` is registered: a handler may run on
        // another CPU as soon as it is.
        try_pin_init!(Self {
            handler <- handler,
            sites <- crate::new_mutex!(ips.len(), "ftrace::MultiRegistration::sites"),
            ops <- Opaque::try_ffi_init(move |ops: *mut bindings::ftrace_ops| {
                if ips.is_empty() {
                    return Err(RegistrationError::NoLocation);
                }
                // SAFETY: `ops` is valid for writes; all-zero is the initial state of a
                // `struct ftrace_ops` (as for a `static` one).
                unsafe {
                    ops.write_bytes(0, 1);
                    (*ops).func = Some(trampoline::<H, Self>);
                    (*ops).flags = u32::from(flags) as c_ulong;
                }
                // SAFETY: `ops` is initialised, pinned and not yet shared.
                if let Err(e) = unsafe { set_filter_ips(ops, ips, false) } {
                    // SAFETY: Frees whatever filter hash was allocated.
                    unsafe { bindings::ftrace_free_filter(ops) };
                    return Err(RegistrationError::Filter(e));
                }
                // SAFETY: As above; the handler (initialised before this field) is ready.
                let ret = unsafe { bindings::register_ftrace_function(ops) };
                if let Err(e) = to_result(ret) {
                    // SAFETY: The ops is not registered; this frees its filter hashes.
                    unsafe { bindings::ftrace_free_filter(ops) };
                    return Err(RegistrationError::Register(e));
                }
                Ok(())
            }),
            _pin: PhantomPinned,
        }? RegistrationError)
    }

    /// Returns the handler's data.
    #[notrace]
    pub fn handler(self: Pin<&Self>) -> Pin<&H> {
        // SAFETY: `handler` is a structurally pinned field.
        unsafe { self.map_unchecked(|s| &s.handler) }
    }

    /// The number of `fentry` sites the ops is filtered on.
    pub fn sites(&self) -> usize {
        *self.sites.lock()
    }

    /// Adds the `fentry` sites `ips` (not yet in the filter) in one update. On failure (`EBUSY`:
    /// another `IPMODIFY` ops has one of them, `ENOMEM`) the filter is unchanged. May sleep.
    pub fn add(&self, ips: &[usize]) -> Result {
        let mut sites = self.sites.lock();
        // SAFETY: By the type invariants the ops is registered and pinned; `sites` is locked.
        unsafe { set_filter_ips(self.ops.get(), ips, false) }?;
        *sites += ips.len();
        Ok(())
    }

    /// Removes the `fentry` sites `ips` (each in the filter, listed once) in one update; calls
    /// of those functions may still reach the handler until an RCU-tasks-rude grace period has
    /// passed. Fails with `EINVAL`, changing nothing, if no site would be left, and with the
    /// error of ftrace (`ENOMEM`, `ENOENT`) otherwise, also changing nothing. May sleep.
    pub fn remove(&self, ips: &[usize]) -> Result {
        let mut sites = self.sites.lock();
        if ips.len() >= *sites {
            return Err(EINVAL);
        }
        // SAFETY: By the type invariants the ops is registered and pinned; `sites` is locked.
        unsafe { set_filter_ips(self.ops.get(), ips, true) }?;
        *sites -= ips.len();
        Ok(())
    }
}

#[pinned_drop]
impl<H: Handler> PinnedDrop for MultiRegistration<H> {
    fn drop(self: Pin<&mut Self>) {
        let ops = self.ops.get();
        // SAFETY: By the type invariants the ops is registered. For a `Dynamic` ops, this waits
        // until no CPU can still be in the trampoline, so the memory may go afterwards.
        let ret = unsafe { bindings::unregister_ftrace_function(ops) };
        crate::warn_on!(ret != 0);
        // SAFETY: The ops is unregistered; this frees its filter hashes.
        unsafe { bindings::ftrace_free_filter(ops) };
    }
}

// SAFETY: `from_ops` finds the `MultiRegistration` around its `ops` field.
unsafe impl<H: Handler> EmbedsOps<H> for MultiRegistration<H> {
    #[notrace]
    unsafe fn from_ops<'a>(ops: *mut bindings::ftrace_ops) -> Pin<&'a Self> {
        let ops = Opaque::cast_from(ops).cast_mut();
        // SAFETY: The caller guarantees `ops` is the `ops` field of a live, pinned
        // `MultiRegistration<H>`.
        unsafe { Pin::new_unchecked(&*crate::container_of!(ops, Self, ops)) }
    }

    #[notrace]
    fn handler_of(self: Pin<&Self>) -> Pin<&H> {
        self.handler()
    }
}
