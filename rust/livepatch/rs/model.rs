// SPDX-License-Identifier: GPL-2.0-or-later

//! Typed views of the C structures patch modules hand to the core.
//!
//! The layouts are frozen by the C ABI: modules own these structures and the core reads (and
//! later writes) their fields in place. A view is only created for a structure that stays alive
//! and unmodified by others for the view's lifetime; the accessors state what they read.
//!
//! C header: [`include/linux/livepatch.h`](srctree/include/linux/livepatch.h)

use core::cell::UnsafeCell;
use kernel::{
    bindings,
    interop::list::CList,
    prelude::*,
    sync::{
        atomic::{
            atomic_load,
            atomic_store,
            Relaxed, //
        },
        Mutex,
    },
    task::Task,
    types::{
        NotThreadSafe,
        Opaque, //
    },
};

/// A `struct klp_state`: one system state a patch modifies.
#[repr(transparent)]
pub(crate) struct State(Opaque<bindings::klp_state>);

impl State {
    /// The state's identifier; never 0 for a real entry (0 ends the array).
    pub(crate) fn id(&self) -> usize {
        // SAFETY: By the invariants of the patch view we came from, the entry is alive; modules
        // only set `id` before registering the patch.
        unsafe { (*self.0.get()).id }
    }

    /// The state's version.
    pub(crate) fn version(&self) -> u32 {
        // SAFETY: As in `id()`.
        unsafe { (*self.0.get()).version }
    }

    /// The raw pointer handed back to C callers.
    pub(crate) fn as_raw(&self) -> *mut bindings::klp_state {
        self.0.get()
    }
}

/// A `struct klp_patch`.
///
/// # Invariants
///
/// The patch is alive for the lifetime of the view: it is registered in the core's list (its
/// module cannot go away), or it is being enabled by its own module's init.
#[repr(transparent)]
pub(crate) struct Patch(Opaque<bindings::klp_patch>);

impl Patch {
    /// Creates a view of a C patch.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `struct klp_patch` that stays alive for `'a`, with a `states`
    /// array (if any) terminated by an entry whose `id` is 0.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::klp_patch) -> &'a Self {
        // CAST: `Patch` is a `repr(transparent)` wrapper of `bindings::klp_patch`.
        // SAFETY: The caller guarantees `ptr` is valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The raw pointer of the patch.
    pub(crate) fn as_raw(&self) -> *mut bindings::klp_patch {
        self.0.get()
    }

    /// The name of the patch's module, which logs name the patch by.
    pub(crate) fn mod_name(&self) -> &CStr {
        // SAFETY: By the type invariants the patch is alive, so its module (`mod`, set by
        // `klp_enable_patch()` before registering) is too; `name` is a NUL-terminated array.
        unsafe { CStr::from_char_ptr((*(*self.0.get()).mod_).name.as_ptr()) }
    }

    /// Whether the patch is enabled (or being enabled).
    pub(crate) fn enabled(&self) -> bool {
        // SAFETY: By the type invariants; `enabled` is accessed under `klp_mutex`, which our
        // callers hold.
        unsafe { (*self.0.get()).enabled }
    }

    /// Records whether the patch is enabled.
    pub(crate) fn set_enabled(&self, _locked: &KlpMutexHeld, enabled: bool) {
        // SAFETY: By the type invariants the patch is alive; `_locked` proves `klp_mutex`, which
        // serialises every access to `enabled`, is held.
        unsafe { (*self.0.get()).enabled = enabled };
    }

    /// Marks the patch as removed by a forced transition: its module is never put.
    pub(crate) fn set_forced(&self, _locked: &KlpMutexHeld) {
        // SAFETY: As in `set_enabled()`, for `forced`.
        unsafe { (*self.0.get()).forced = true };
    }

    /// Whether the patch is cumulative (`.replace`).
    pub(crate) fn replace(&self) -> bool {
        // SAFETY: By the type invariants the patch is alive; modules set `replace` before
        // registering it.
        unsafe { (*self.0.get()).replace }
    }

    /// Takes the functions of the patches this (cumulative) patch replaces off their stacks
    /// (`klp_unpatch_replaced_patches()`, in `core.c`).
    pub(crate) fn unpatch_replaced_patches(&self, _locked: &KlpMutexHeld) {
        // SAFETY: `klp_mutex` is held (`_locked`); the patch is live (type invariants).
        unsafe { bindings::klp_unpatch_replaced_patches(self.as_raw()) };
    }

    /// Frees the patch's no-op functions and dynamic objects (`klp_discard_nops()`).
    pub(crate) fn discard_nops(&self, _locked: &KlpMutexHeld) {
        // SAFETY: As in `unpatch_replaced_patches()`.
        unsafe { bindings::klp_discard_nops(self.as_raw()) };
    }

    /// Frees the (disabled) patch from a work item (`klp_free_patch_async()`).
    pub(crate) fn free_async(&self, _locked: &KlpMutexHeld) {
        // SAFETY: As in `unpatch_replaced_patches()`; the patch stays allocated until the work
        // item runs, which takes `klp_mutex` first.
        unsafe { bindings::klp_free_patch_async(self.as_raw()) };
    }

    /// Frees the patches this one replaced (`klp_free_replaced_patches_async()`).
    pub(crate) fn free_replaced_patches_async(&self, _locked: &KlpMutexHeld) {
        // SAFETY: As in `free_async()`.
        unsafe { bindings::klp_free_replaced_patches_async(self.as_raw()) };
    }

    /// The system states the patch modifies, up to the terminating entry with `id == 0`.
    pub(crate) fn states(&self) -> impl Iterator<Item = &State> {
        // SAFETY: By the type invariants the patch is alive.
        let mut next = unsafe { (*self.0.get()).states };
        core::iter::from_fn(move || {
            if next.is_null() {
                return None;
            }
            // CAST: `State` is a `repr(transparent)` wrapper of `bindings::klp_state`.
            // SAFETY: `next` points into the patch's `states` array, which `from_raw()`'s caller
            // guaranteed to be terminated; we never step past the terminator.
            let state = unsafe { &*next.cast::<State>() };
            if state.id() == 0 {
                return None;
            }
            // SAFETY: `state` is not the terminator, so the next entry is still in the array.
            next = unsafe { next.add(1) };
            Some(state)
        })
    }
}

/// A `struct klp_func`: one replaced function.
///
/// # Invariants
///
/// The function belongs to a live patch (see [`Patch`]). Its internal fields are written only
/// with `klp_mutex` held; `transition`, `nop`, `new_func` and the stack links are also read
/// locklessly by the ftrace handler, with single loads. The stack check reads none of them: it
/// uses a snapshot taken under `klp_mutex` (`checked.rs`).
#[repr(transparent)]
pub(crate) struct Func(Opaque<bindings::klp_func>);

impl Func {
    /// The address of the function being replaced (resolved when the object was loaded).
    pub(crate) fn old_func(&self) -> usize {
        // SAFETY: By the type invariants the function is alive; `old_func` only changes under
        // `klp_mutex`, which our callers hold.
        unsafe { (*self.0.get()).old_func as usize }
    }

    /// The name of the function being replaced.
    pub(crate) fn old_name(&self) -> &CStr {
        // SAFETY: By the type invariants the function is alive; `klp_init_func()` checked that
        // `old_name` is a valid C string, which the module keeps for the patch's lifetime.
        unsafe { CStr::from_char_ptr((*self.0.get()).old_name) }
    }

    /// Whether this is a no-op (it only undoes older patches, for atomic replace).
    pub(crate) fn nop(&self) -> bool {
        // SAFETY: By the type invariants the function is alive. `nop` is set before the function
        // is first pushed on a stack (the push publishes it) and never changes afterwards.
        unsafe { (*self.0.get()).nop }
    }

    /// Whether the function is on its stack of replacements.
    pub(crate) fn patched(&self) -> bool {
        // SAFETY: By the type invariants the function is alive; `patched` is only accessed with
        // `klp_mutex` held, which our callers hold.
        unsafe { (*self.0.get()).patched }
    }

    /// Records whether the function is on its stack of replacements.
    pub(crate) fn set_patched(&self, _locked: &KlpMutexHeld, patched: bool) {
        // SAFETY: By the type invariants the function is alive; `_locked` proves `klp_mutex`,
        // which serialises every access to `patched`, is held.
        unsafe { (*self.0.get()).patched = patched };
    }

    /// The old function's size in bytes.
    pub(crate) fn old_size(&self) -> usize {
        // SAFETY: By the type invariants; set when the object is loaded, under `klp_mutex`.
        unsafe { (*self.0.get()).old_size }
    }

    /// The address of the replacement.
    pub(crate) fn new_func(&self) -> usize {
        // SAFETY: By the type invariants; never changes while the function is on a stack.
        unsafe { (*self.0.get()).new_func as usize }
    }

    /// The replacement's size in bytes.
    pub(crate) fn new_size(&self) -> usize {
        // SAFETY: By the type invariants; set when the object is loaded, under `klp_mutex`.
        unsafe { (*self.0.get()).new_size }
    }

    /// Sets `transition`, which the ftrace handler reads locklessly (`WRITE_ONCE()`).
    pub(crate) fn set_transition(&self, _locked: &KlpMutexHeld, transition: bool) {
        // SAFETY: The function is alive; `_locked` proves `klp_mutex` is held, so this is the
        // only writer; readers use `READ_ONCE()`-style loads.
        unsafe { atomic_store(&raw mut (*self.0.get()).transition, transition, Relaxed) };
    }

    /// The function whose `stack_node` is `node`.
    ///
    /// # Safety
    ///
    /// `node` must be the `stack_node` of a `klp_func` of a live patch, alive for `'a`.
    #[inline]
    pub(crate) unsafe fn from_stack_node<'a>(node: *mut bindings::list_head) -> &'a Func {
        // SAFETY: The caller guarantees `node` is the `stack_node` of a live `klp_func`; `Func`
        // is a transparent wrapper of it.
        unsafe { &*kernel::container_of!(node, bindings::klp_func, stack_node).cast::<Func>() }
    }

    /// `transition`, read locklessly (`READ_ONCE()`) by the ftrace handler; written by
    /// [`Func::set_transition`] under `klp_mutex`.
    #[inline]
    pub(crate) fn transition_once(&self) -> bool {
        // SAFETY: By the type invariants the function is alive; the only writer stores with a
        // single atomic store.
        unsafe { atomic_load(&raw mut (*self.0.get()).transition, Relaxed) }
    }

    /// `nop`, read locklessly by the ftrace handler. `core.c` writes it before the function is
    /// first pushed on a stack (the push publishes it), never while it is on one.
    #[inline]
    pub(crate) fn nop_once(&self) -> bool {
        // SAFETY: By the type invariants the function is alive; no store races with the load.
        unsafe { atomic_load(&raw mut (*self.0.get()).nop, Relaxed) }
    }

    /// `new_func`, read locklessly by the ftrace handler; written as `nop` is.
    #[inline]
    pub(crate) fn new_func_once(&self) -> usize {
        // SAFETY: As in `nop_once()`.
        unsafe { atomic_load(&raw mut (*self.0.get()).new_func, Relaxed) as usize }
    }

    /// The next link of `stack_node` (`READ_ONCE()`), towards older patches' functions and
    /// finally the stack's head. `list_add_rcu()`/`list_del_rcu()` change it under `klp_mutex`
    /// with single stores.
    #[inline]
    pub(crate) fn stack_next_once(&self) -> *mut bindings::list_head {
        // SAFETY: By the type invariants the function is alive.
        unsafe { atomic_load(&raw mut (*self.stack_node()).next, Relaxed) }
    }

    /// The function's link in its stack of replacements (`stack_node`).
    pub(crate) fn stack_node(&self) -> *mut bindings::list_head {
        // SAFETY: By the type invariants the function is alive; this only computes an address.
        unsafe { &raw mut (*self.0.get()).stack_node }
    }
}

/// A `struct klp_object`: the functions of one patched object (vmlinux or a module).
///
/// # Invariants
///
/// As for [`Func`]: alive, internal fields written only with `klp_mutex` held.
#[repr(transparent)]
pub(crate) struct Object(Opaque<bindings::klp_object>);

/// The functions of an object (`func_list`, linked by `klp_func.node`).
pub(crate) type FuncList = CList<Func, { core::mem::offset_of!(bindings::klp_func, node) }>;

impl Object {
    /// Creates a view of a C object.
    ///
    /// # Safety
    ///
    /// `ptr` must point to an object of a live patch, and the caller must hold `klp_mutex` for
    /// `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::klp_object) -> &'a Self {
        // CAST: `Object` is a `repr(transparent)` wrapper of `bindings::klp_object`.
        // SAFETY: The caller guarantees `ptr` is valid for `'a`.
        unsafe { &*ptr.cast() }
    }

    /// The object's functions, initialised by `klp_init_object()`.
    pub(crate) fn funcs(&self) -> &FuncList {
        // SAFETY: By the type invariants the object is alive and `func_list` is an initialised
        // list of its `klp_func`s, stable while `klp_mutex` is held.
        unsafe { FuncList::from_raw(&raw mut (*self.0.get()).func_list) }
    }

    /// Whether the object's functions are redirected.
    pub(crate) fn patched(&self) -> bool {
        // SAFETY: By the type invariants; `patched` is accessed under `klp_mutex`.
        unsafe { (*self.0.get()).patched }
    }

    /// Records whether the object's functions are redirected.
    pub(crate) fn set_patched(&self, _locked: &KlpMutexHeld, patched: bool) {
        // SAFETY: The object is alive; `_locked` proves `klp_mutex`, which serialises every
        // access to `patched`, is held.
        unsafe { (*self.0.get()).patched = patched };
    }

    /// Whether the object's code is in memory: vmlinux, or a loaded module
    /// (`klp_is_object_loaded()`).
    pub(crate) fn is_loaded(&self) -> bool {
        // SAFETY: By the type invariants; `mod` changes only under `klp_mutex`, held by callers.
        unsafe { (*self.0.get()).name.is_null() || !(*self.0.get()).mod_.is_null() }
    }

    /// Runs the object's post-patch callback, if any (`klp_post_patch_callback()`), with
    /// `klp_mutex` held as the C core does.
    pub(crate) fn post_patch_callback(&self, _locked: &KlpMutexHeld) {
        let obj = self.0.get();
        // SAFETY: The object is alive and the callback table is set by its module before
        // registration; the callback takes the object it belongs to.
        unsafe {
            if let Some(cb) = (*obj).callbacks.post_patch {
                cb(obj);
            }
        }
    }

    /// Runs the object's post-unpatch callback if its pre-patch callback succeeded, then
    /// disarms it (`klp_post_unpatch_callback()`).
    pub(crate) fn post_unpatch_callback(&self, _locked: &KlpMutexHeld) {
        let obj = self.0.get();
        // SAFETY: As in `post_patch_callback()`; `post_unpatch_enabled` is written under
        // `klp_mutex`, which `_locked` proves held.
        unsafe {
            if (*obj).callbacks.post_unpatch_enabled {
                if let Some(cb) = (*obj).callbacks.post_unpatch {
                    cb(obj);
                }
            }
            (*obj).callbacks.post_unpatch_enabled = false;
        }
    }

    /// Whether the object was allocated by the core (for atomic replace no-ops).
    pub(crate) fn dynamic(&self) -> bool {
        // SAFETY: By the type invariants; `dynamic` is set at creation and never changes.
        unsafe { (*self.0.get()).dynamic }
    }
}

/// The objects of a patch (`obj_list`, linked by `klp_object.node`).
pub(crate) type ObjectList = CList<Object, { core::mem::offset_of!(bindings::klp_object, node) }>;

impl Patch {
    /// The patch's objects, initialised by `klp_init_patch_early()`.
    pub(crate) fn objects(&self) -> &ObjectList {
        // SAFETY: By the type invariants the patch is alive; `obj_list` is initialised before
        // the patch is registered and stable while `klp_mutex` is held.
        unsafe { ObjectList::from_raw(&raw mut (*self.0.get()).obj_list) }
    }
}

/// The list of registered patches, `klp_patches`, oldest first.
pub(crate) type PatchList = CList<Patch, { core::mem::offset_of!(bindings::klp_patch, list) }>;

/// Returns the registered patches; they stay registered while `klp_mutex` is held.
pub(crate) fn patches(_locked: &KlpMutexHeld) -> &PatchList {
    // SAFETY: `klp_patches` is the C core's list head, alive forever; its entries are the `list`
    // fields of registered patches, which stay alive while `klp_mutex` is held, as `_locked`
    // proves for the returned lifetime.
    unsafe { PatchList::from_raw(&raw mut bindings::klp_patches) }
}

/// Returns the patch in transition, if any.
pub(crate) fn transition_patch(_locked: &KlpMutexHeld) -> Option<&Patch> {
    // `klp_mutex` protects `klp_transition_patch`, so the pointer is stable.
    let ptr = transition_patch_raw();
    // SAFETY: With `klp_mutex` held (`_locked`), a non-NULL value is a live, registered patch.
    (!ptr.is_null()).then(|| unsafe { Patch::from_raw(ptr) })
}

/// A task's `patch_state` (`KLP_TRANSITION_*`, shown in `/proc/<pid>/patch_state`), read once.
///
/// The task itself and the transition code write it with single stores, so a single load sees
/// one of the values written; readers order it with barriers of their own.
#[inline]
pub(crate) fn task_patch_state(task: &Task) -> c_int {
    // SAFETY: `task` is valid; concurrent writers use single atomic stores.
    unsafe { atomic_load(&raw mut (*task.as_ptr()).patch_state, Relaxed) }
}

/// Sets a task's `patch_state` with a single store (see [`task_patch_state`]).
#[inline]
pub(crate) fn set_task_patch_state(task: &Task, state: c_int) {
    // SAFETY: `task` is valid; concurrent readers and writers use single atomic accesses.
    unsafe { atomic_store(&raw mut (*task.as_ptr()).patch_state, state, Relaxed) };
}

/// `klp_transition_patch`: the patch in transition, read by `core.c` too.
///
/// # Invariants
///
/// Written only with `klp_mutex` held; non-null while a transition runs.
#[repr(transparent)]
pub(crate) struct TransitionPatch(UnsafeCell<*mut bindings::klp_patch>);

// SAFETY: By the type invariants `klp_mutex` serialises writers; lockless readers (tasks in
// `__schedule()`) use single loads.
unsafe impl Sync for TransitionPatch {}

/// The patch in transition, shared with the C core under its C name.
#[no_mangle]
#[allow(non_upper_case_globals)] // The C name.
pub(crate) static klp_transition_patch: TransitionPatch =
    TransitionPatch(UnsafeCell::new(core::ptr::null_mut()));

/// Returns the raw patch in transition, with a single load (it may change unless `klp_mutex`
/// is held).
pub(crate) fn transition_patch_raw() -> *mut bindings::klp_patch {
    // SAFETY: The cell is a valid static; writers store the whole pointer at once.
    unsafe { atomic_load(klp_transition_patch.0.get(), Relaxed) }
}

/// Sets the patch in transition.
pub(crate) fn set_transition_patch(_locked: &KlpMutexHeld, patch: Option<&Patch>) {
    let patch = patch.map_or(core::ptr::null_mut(), Patch::as_raw);
    // SAFETY: The cell is a valid static; `klp_mutex` is held (`_locked`), so this is the only
    // writer.
    unsafe { atomic_store(klp_transition_patch.0.get(), patch, Relaxed) };
}

/// Proof that the calling thread holds `klp_mutex`, the C core's mutex that serialises every
/// change of the registered patches, their objects and functions, the func stacks and the
/// transition. Functions that need it take `&KlpMutexHeld` instead of being `unsafe`.
///
/// # Invariants
///
/// The thread that created the value holds `klp_mutex` for as long as it exists; it cannot be
/// sent to another thread.
pub(crate) struct KlpMutexHeld {
    _not_send: NotThreadSafe,
}

impl KlpMutexHeld {
    /// Asserts that the caller holds `klp_mutex` (C callers of the core's entry points do).
    ///
    /// # Safety
    ///
    /// The calling thread must hold `klp_mutex` for as long as the returned value lives.
    pub(crate) unsafe fn assume() -> Self {
        // INVARIANT: Guaranteed by the caller.
        Self {
            _not_send: NotThreadSafe,
        }
    }
}

/// Takes `klp_mutex` and runs `f` with the proof; releases it afterwards. May sleep.
pub(crate) fn with_klp_mutex<R>(f: impl FnOnce(&KlpMutexHeld) -> R) -> R {
    // SAFETY: `klp_mutex` is the C core's mutex, a static initialised at build time
    // (`DEFINE_MUTEX()`), valid forever.
    let mutex = unsafe { Mutex::<()>::from_raw(&raw mut bindings::klp_mutex) };
    let _guard = mutex.lock();
    // SAFETY: The mutex is held until `_guard` is dropped, after `f` returned and the proof
    // (local to this call) is gone.
    let locked = unsafe { KlpMutexHeld::assume() };
    f(&locked)
}

/// The stack of replacements of one function: the first two fields of the C core's
/// `struct klp_ops`. The `ftrace_ops` follows in the `Registration`, completing that layout,
/// which `klp_find_ops()` (redirect.rs) returns to C callers (none are left since `transition.c` became
/// `transition.rs`, which needs no lookup; the `patch.h` ABI is kept).
///
/// # Invariants
///
/// `func_stack` is an initialised list of `klp_func.stack_node`s, changed only with `klp_mutex`
/// held and read by the handler under the RCU-like protection of ftrace (preemption disabled).
#[repr(C)]
#[pin_data(PinnedDrop)]
pub(crate) struct FuncStack {
    /// `klp_ops.node`: the C core's global list link, unused here.
    node: Opaque<bindings::list_head>,
    #[pin]
    func_stack: Opaque<bindings::list_head>,
}

// The registration puts the `ftrace_ops` right after the handler data (`repr(C)`).
const _: () =
    assert!(core::mem::offset_of!(bindings::klp_ops, fops) == core::mem::size_of::<FuncStack>());
const _: () = assert!(core::mem::offset_of!(bindings::klp_ops, func_stack) == 16);

// SAFETY: The list is only modified under `klp_mutex`; the handler only reads it.
unsafe impl Send for FuncStack {}
// SAFETY: See above.
unsafe impl Sync for FuncStack {}

impl FuncStack {
    /// A stack holding `first`.
    ///
    /// # Safety
    ///
    /// The caller must hold `klp_mutex`, and `first` must not be on any stack.
    pub(crate) unsafe fn new(first: &Func) -> impl PinInit<Self> + '_ {
        pin_init!(Self {
            node: Opaque::zeroed(),
            func_stack <- Opaque::ffi_init(move |head: *mut bindings::list_head| {
                // SAFETY: `head` is pinned and valid for writes.
                unsafe { bindings::INIT_LIST_HEAD(head) };
                // SAFETY: `head` is initialised; the caller guarantees `first` is on no list and
                // that `klp_mutex` serialises stack changes.
                unsafe { bindings::list_add_rcu(first.stack_node(), head) };
            }),
        })
    }

    pub(crate) fn head(&self) -> *mut bindings::list_head {
        self.func_stack.get()
    }

    /// Whether the stack holds exactly one function (`list_is_singular()`).
    pub(crate) fn is_singular(&self) -> bool {
        let head = self.head();
        // SAFETY: By the type invariants `head` is an initialised list, stable under
        // `klp_mutex`, which callers hold.
        unsafe { (*head).next != head && (*head).next == (*head).prev }
    }

    /// The top of the stack, read locklessly (`list_first_or_null_rcu()`'s `READ_ONCE()`): the
    /// head itself when the stack is empty. `list_add_rcu()`/`list_del_rcu()` change it under
    /// `klp_mutex` with single stores.
    #[inline]
    pub(crate) fn first_once(&self) -> *mut bindings::list_head {
        let head = self.head();
        // SAFETY: By the type invariants `head` is an initialised list head that lives as long
        // as `self`.
        unsafe { atomic_load(&raw mut (*head).next, Relaxed) }
    }

    /// What the stack holds below its top, for a stack that `func` may be on top of (under
    /// `klp_mutex`): `None` if `func` is not on top, else the function right below it, if any.
    pub(crate) fn below_top<'l>(
        &self,
        _locked: &'l KlpMutexHeld,
        func: &Func,
    ) -> Option<Option<&'l Func>> {
        let head = self.head();
        // SAFETY: By the type invariants the list is initialised and stable under `klp_mutex`,
        // which `_locked` proves held.
        let top = unsafe { (*head).next };
        if top != func.stack_node() {
            return None;
        }
        // SAFETY: As above; `top` is `func`'s node.
        let next = unsafe { (*top).next };
        if next == head {
            return Some(None);
        }
        // SAFETY: A stack entry other than the head is the `stack_node` of a `klp_func` of an
        // older, registered patch, which stays alive while `klp_mutex` is held (`_locked`).
        Some(Some(unsafe { Func::from_stack_node(next) }))
    }

    /// Pushes `func`, which must not be patched (on a stack) yet, on top: it becomes the active
    /// replacement. Warns and does nothing otherwise.
    pub(crate) fn push(&self, _locked: &KlpMutexHeld, func: &Func) {
        if kernel::warn_on!(func.patched()) {
            return;
        }
        // ORDERING: `list_add_rcu()` publishes the entry with a release store; the handler's
        // `READ_ONCE()` of the head (with its address dependency) sees an initialised entry.
        // SAFETY: An unpatched function is on no stack (`patched` is set once it is pushed and
        // cleared once it is removed); `klp_mutex` (`_locked`) serialises stack changes.
        unsafe { bindings::list_add_rcu(func.stack_node(), self.head()) };
    }

    /// Unlinks `func` from this stack; warns and does nothing if it is not on it. Readers that
    /// still see it keep a valid entry (`list_del_rcu()`).
    pub(crate) fn remove(&self, _locked: &KlpMutexHeld, func: &Func) {
        let head = self.head();
        let node = func.stack_node();
        // SAFETY: By the type invariants the list is initialised and stable under `klp_mutex`,
        // which `_locked` proves held.
        let mut cur = unsafe { (*head).next };
        while cur != node {
            if kernel::warn_on!(cur == head) {
                return;
            }
            // SAFETY: As above; `cur` is an entry of the list.
            cur = unsafe { (*cur).next };
        }
        // SAFETY: `node` is on this list (found above); `klp_mutex` serialises stack changes.
        unsafe { bindings::list_del_rcu(node) };
    }
}

#[pinned_drop]
impl PinnedDrop for FuncStack {
    fn drop(self: Pin<&mut Self>) {
        // The registration unregistered the handler first, so no CPU reads the stack now.
        let head = self.head();
        loop {
            // SAFETY: By the type invariants the list is initialised.
            let next = unsafe { (*head).next };
            if next == head {
                break;
            }
            // SAFETY: `next` is an entry of the list; unlinking it makes progress.
            unsafe { bindings::list_del_rcu(next) };
        }
    }
}
