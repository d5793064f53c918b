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
    ffi::c_void,
    ftrace::notrace,
    global_lock,
    interop::list::CList,
    kobject::{
        self,
        KobjType,
        KobjectType, //
    },
    module::LoadedModule,
    prelude::*,
    sync::{
        atomic::{
            atomic_load,
            atomic_store,
            Relaxed, //
        },
        Completion, //
    },
    task::Task,
    types::{
        NotThreadSafe,
        Opaque, //
    },
    workqueue::{
        self,
        EmbeddedWork, //
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
        // serialises the writers, is held; the single store pairs with `enabled_once()`.
        unsafe { atomic_store(&raw mut (*self.0.get()).enabled, enabled, Relaxed) };
    }

    /// `enabled`, read once without `klp_mutex` (sysfs shows it so, as in C).
    pub(crate) fn enabled_once(&self) -> bool {
        // SAFETY: By the type invariants the patch is alive; writers use single stores.
        unsafe { atomic_load(&raw mut (*self.0.get()).enabled, Relaxed) }
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
    #[notrace]
    pub(crate) unsafe fn from_stack_node<'a>(node: *mut bindings::list_head) -> &'a Func {
        // SAFETY: The caller guarantees `node` is the `stack_node` of a live `klp_func`; `Func`
        // is a transparent wrapper of it.
        unsafe { &*kernel::container_of!(node, bindings::klp_func, stack_node).cast::<Func>() }
    }

    /// `transition`, read locklessly (`READ_ONCE()`) by the ftrace handler; written by
    /// [`Func::set_transition`] under `klp_mutex`.
    #[inline]
    #[notrace]
    pub(crate) fn transition_once(&self) -> bool {
        // SAFETY: By the type invariants the function is alive; the only writer stores with a
        // single atomic store.
        unsafe { atomic_load(&raw mut (*self.0.get()).transition, Relaxed) }
    }

    /// `nop`, read locklessly by the ftrace handler. `nops.rs` writes it before the function is
    /// first pushed on a stack (the push publishes it), never while it is on one.
    #[inline]
    #[notrace]
    pub(crate) fn nop_once(&self) -> bool {
        // SAFETY: By the type invariants the function is alive; no store races with the load.
        unsafe { atomic_load(&raw mut (*self.0.get()).nop, Relaxed) }
    }

    /// `new_func`, read locklessly by the ftrace handler; written as `nop` is.
    #[inline]
    #[notrace]
    pub(crate) fn new_func_once(&self) -> usize {
        // SAFETY: As in `nop_once()`.
        unsafe { atomic_load(&raw mut (*self.0.get()).new_func, Relaxed) as usize }
    }

    /// The next link of `stack_node` (`READ_ONCE()`), towards older patches' functions and
    /// finally the stack's head. `list_add_rcu()`/`list_del_rcu()` change it under `klp_mutex`
    /// with single stores.
    #[inline]
    #[notrace]
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
        // SAFETY: The object is alive; `_locked` proves `klp_mutex`, which serialises the
        // writers, is held; the single store pairs with `patched_once()`.
        unsafe { atomic_store(&raw mut (*self.0.get()).patched, patched, Relaxed) };
    }

    /// `patched`, read once without `klp_mutex` (sysfs shows it so, as in C).
    pub(crate) fn patched_once(&self) -> bool {
        // SAFETY: By the type invariants the object is alive; writers use single stores.
        unsafe { atomic_load(&raw mut (*self.0.get()).patched, Relaxed) }
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

/// `klp_patches`: the registered patches, oldest first, under their C name so that debuggers
/// find them.
///
/// # Invariants
///
/// After [`init`], an initialised list of the `list` fields of registered patches, changed
/// and read only with `klp_mutex` held.
#[repr(transparent)]
pub(crate) struct PatchListHead(Opaque<bindings::list_head>);

// SAFETY: By the type invariants every access happens under `klp_mutex`.
unsafe impl Sync for PatchListHead {}

/// The registered patches (the C core's `klp_patches`).
#[no_mangle]
#[allow(non_upper_case_globals)] // The C name.
pub(crate) static klp_patches: PatchListHead = PatchListHead(Opaque::uninit());

global_lock! {
    // SAFETY: `init()` runs from `klp_rust_init()` before any patch module can load.
    unsafe(uninit) static KLP_MUTEX: Mutex<()> = ();
}

/// Initialises `klp_mutex` and the patch list.
///
/// # Safety
///
/// Must be called exactly once, before any other function of this module.
pub(crate) unsafe fn init() {
    // SAFETY: The caller guarantees this is the only call, and it precedes every use.
    unsafe { KLP_MUTEX.init() };
    // SAFETY: Nothing uses the list yet (caller); the static is never moved.
    unsafe { bindings::INIT_LIST_HEAD(klp_patches.0.get()) };
}

/// Returns the registered patches; they stay registered while `klp_mutex` is held.
pub(crate) fn patches(_locked: &KlpMutexHeld) -> &PatchList {
    // SAFETY: `klp_patches` is initialised (`init()` ran first) and alive forever; its entries
    // are the `list` fields of registered patches, which stay alive while `klp_mutex` is held,
    // as `_locked` proves for the returned lifetime.
    unsafe { PatchList::from_raw(klp_patches.0.get()) }
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
#[notrace]
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

/// `klp_transition_patch`: the patch in transition, under its C name for debuggers.
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
///
/// Wakes the pollers of the `transition` attribute of the patch that enters or leaves it.
pub(crate) fn set_transition_patch(locked: &KlpMutexHeld, patch: Option<&Patch>) {
    let old = transition_patch(locked);
    let raw = patch.map_or(core::ptr::null_mut(), Patch::as_raw);
    // SAFETY: The cell is a valid static; `klp_mutex` is held (`locked`), so this is the only
    // writer.
    unsafe { atomic_store(klp_transition_patch.0.get(), raw, Relaxed) };
    if let Some(old) = old {
        old.kobject().notify(c"transition");
    }
    if let Some(new) = patch {
        new.kobject().notify(c"transition");
    }
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
    let _guard = KLP_MUTEX.lock();
    // SAFETY: The mutex is held until `_guard` is dropped, after `f` returned and the proof
    // (local to this call) is gone.
    let locked = unsafe { KlpMutexHeld::assume() };
    f(&locked)
}

/// The stack of replacements of one function: the first two fields of the C core's
/// `struct klp_ops`. The `ftrace_ops` follows in the `Registration`, completing that layout, so
/// that debuggers that know `klp_ops` still read it; no C code looks it up any more.
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

    #[notrace]
    pub(crate) fn head(&self) -> *mut bindings::list_head {
        self.func_stack.get()
    }

    /// Whether the stack holds no function.
    pub(crate) fn is_empty(&self) -> bool {
        let head = self.head();
        // SAFETY: By the type invariants `head` is an initialised list, stable under
        // `klp_mutex`, which callers hold.
        unsafe { (*head).next == head }
    }

    /// Unlinks every function (`list_del_rcu()`, so that readers that still see one keep a
    /// valid entry).
    pub(crate) fn clear(&self, _locked: &KlpMutexHeld) {
        let head = self.head();
        loop {
            // SAFETY: By the type invariants the list is initialised; `klp_mutex` (`_locked`)
            // serialises its changes.
            let next = unsafe { (*head).next };
            if next == head {
                break;
            }
            // SAFETY: `next` is an entry of the list; unlinking it makes progress.
            unsafe { bindings::list_del_rcu(next) };
        }
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
    #[notrace]
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

// SAFETY: Every mutable field of a patch, object or function is written only with `klp_mutex`
// held, or with single atomic stores for the ones the ftrace handler reads locklessly (see the
// types' invariants); sysfs callbacks on other threads only read under the same rules.
unsafe impl Sync for Patch {}
// SAFETY: See `Patch`.
unsafe impl Sync for Object {}
// SAFETY: See `Patch`.
unsafe impl Sync for Func {}

/// A `klp_object` array or `klp_func` array entry of a patch module, before the core links the
/// entries into lists (`klp_for_each_object_static()`, `klp_for_each_func_static()`).
fn static_entries<'a, T: 'a, V: 'a>(
    first: *mut T,
    is_end: impl Fn(&T) -> bool + 'a,
) -> impl Iterator<Item = &'a V> + 'a {
    let mut next = first;
    core::iter::from_fn(move || {
        if next.is_null() {
            return None;
        }
        // SAFETY: The patch module's arrays are terminated by an entry `is_end` recognises
        // (`Patch::from_raw()`'s contract, checked for objects and functions by
        // `klp_check_patch()` before use); we never step past it.
        let entry = unsafe { &*next };
        if is_end(entry) {
            return None;
        }
        // SAFETY: `entry` is not the terminator, so the next entry is in the array.
        next = unsafe { next.add(1) };
        // CAST: `V` is the transparent view of `T`.
        // SAFETY: `entry` lives as long as the patch.
        Some(unsafe { &*core::ptr::from_ref(entry).cast::<V>() })
    })
}

impl Patch {
    /// Whether the patch's module pointer is set (`klp_check_patch()`).
    pub(crate) fn has_module(&self) -> bool {
        // SAFETY: By the type invariants the patch is alive; modules set `mod` statically.
        unsafe { !(*self.0.get()).mod_.is_null() }
    }

    /// The patch's module; set (checked by `klp_check_patch()`) and loaded while the patch is.
    pub(crate) fn module(&self) -> &LoadedModule {
        // SAFETY: `klp_enable_patch()` refuses patches without a module before making a view
        // used past the check, and the module outlives its patch.
        unsafe { LoadedModule::from_raw((*self.0.get()).mod_) }
    }

    /// Whether the module set the `objs` array (`klp_check_patch()`).
    pub(crate) fn has_static_objects(&self) -> bool {
        // SAFETY: By the type invariants the patch is alive.
        unsafe { !(*self.0.get()).objs.is_null() }
    }

    /// Whether a forced transition left the patch's module pinned forever.
    pub(crate) fn forced(&self) -> bool {
        // SAFETY: By the type invariants; written under `klp_mutex`, read after the patch left
        // the list (no writer remains) or under it.
        unsafe { (*self.0.get()).forced }
    }

    /// The objects of the module's `objs` array, before they are linked into `obj_list`; none if
    /// `objs` is NULL.
    pub(crate) fn static_objects(&self) -> impl Iterator<Item = &Object> {
        // SAFETY: By the type invariants the patch is alive.
        let objs = unsafe { (*self.0.get()).objs };
        static_entries::<bindings::klp_object, Object>(objs, |o| {
            o.funcs.is_null() && o.name.is_null()
        })
    }

    /// The completion the patch's kobject release signals (`finish`).
    pub(crate) fn finish(&self) -> &Completion {
        // SAFETY: `init_early()` initialised it; it lives as long as the patch.
        unsafe { Completion::from_raw(&raw mut (*self.0.get()).finish) }
    }

    /// Initialises the core's fields of the patch and links its static objects and functions
    /// (`klp_init_patch_early()`).
    pub(crate) fn init_early(
        &self,
        locked: &KlpMutexHeld,
        patch_type: &'static KobjType<Patch>,
        object_type: &'static KobjType<Object>,
        func_type: &'static KobjType<Func>,
    ) {
        let p = self.0.get();
        // SAFETY: The patch is being enabled by its module's init and is not registered yet,
        // so nothing else accesses these fields; `klp_mutex` is held (`locked`).
        unsafe {
            bindings::INIT_LIST_HEAD(&raw mut (*p).list);
            bindings::INIT_LIST_HEAD(&raw mut (*p).obj_list);
            kobject::init(self, patch_type);
            (*p).enabled = false;
            (*p).forced = false;
            workqueue::init_embedded(
                self,
                c"klp_free_patch_work_fn",
                kernel::static_lock_class!(),
            );
            Completion::init_raw(&raw mut (*p).finish);
        }
        for obj in self.static_objects() {
            obj.init_early(locked, self, object_type);
            for func in obj.static_funcs() {
                func.init_early(locked, obj, func_type);
            }
        }
    }

    /// Adds the patch at the end of `klp_patches`.
    pub(crate) fn register(&self, _locked: &KlpMutexHeld) {
        // SAFETY: `list` was initialised by `init_early()` and is on no list; `klp_mutex`
        // (`_locked`) serialises the list.
        unsafe { bindings::list_add_tail(&raw mut (*self.0.get()).list, klp_patches.0.get()) };
    }

    /// Takes the patch off `klp_patches`, if it is on it.
    pub(crate) fn unregister(&self, _locked: &KlpMutexHeld) {
        let node = self.0.get();
        // SAFETY: `list` is initialised (`init_early()`), and on `klp_patches` unless empty;
        // `klp_mutex` (`_locked`) serialises the list.
        unsafe {
            let node = &raw mut (*node).list;
            if (*node).next != node {
                bindings::list_del(node);
                bindings::INIT_LIST_HEAD(node);
            }
        }
    }

    /// Unlinks and puts the objects for which `pred` holds, after their functions for which
    /// `func_pred` holds (`__klp_free_objects()`).
    pub(crate) fn release_objects(
        &self,
        locked: &KlpMutexHeld,
        pred: impl Fn(&Object) -> bool,
        func_pred: impl Fn(&Func) -> bool,
    ) {
        // SAFETY: `obj_list` is initialised and stable under `klp_mutex` (`locked`).
        let head = unsafe { &raw mut (*self.0.get()).obj_list };
        // SAFETY: As above.
        let mut cur = unsafe { (*head).next };
        while cur != head {
            // SAFETY: `cur` is an entry; read the next one before it may be freed.
            let next = unsafe { (*cur).next };
            // CAST: `Object` is a transparent view of `klp_object`.
            // SAFETY: The entries of `obj_list` are `node`s of live objects.
            let obj = unsafe {
                &*kernel::container_of!(cur, bindings::klp_object, node).cast::<Object>()
            };
            obj.release_funcs(locked, &func_pred);
            if pred(obj) {
                // SAFETY: `cur` is on the list, which `klp_mutex` serialises; the list held the
                // core's reference to the object, put right after (its last use here).
                unsafe {
                    bindings::list_del(cur);
                    kobject::put(obj);
                }
            }
            cur = next;
        }
    }
}

impl Object {
    /// A zeroed object named `name` (`None` for vmlinux), for the core's own objects; `name`
    /// must outlive the object.
    pub(crate) fn zeroed_named(name: Option<&CStr>) -> Self {
        let obj = Self(Opaque::zeroed());
        // SAFETY: The object is ours alone; zeroes are a valid `klp_object` (no callbacks).
        unsafe { (*obj.0.get()).name = name.map_or(core::ptr::null(), |n| n.as_char_ptr()) };
        obj
    }

    /// The patched module's name; `None` for vmlinux.
    pub(crate) fn name(&self) -> Option<&CStr> {
        // SAFETY: By the type invariants; `name` is set by the module (or at creation for
        // dynamic objects) and never changes.
        let name = unsafe { (*self.0.get()).name };
        // SAFETY: A non-NULL name is a NUL-terminated string living as long as the object.
        (!name.is_null()).then(|| unsafe { CStr::from_char_ptr(name) })
    }

    /// Records the loaded module the object patches.
    pub(crate) fn set_module(&self, _locked: &KlpMutexHeld, module: Option<&LoadedModule>) {
        // SAFETY: The object is alive; `_locked` proves `klp_mutex`, which serialises `mod`.
        unsafe {
            (*self.0.get()).mod_ = module.map_or(core::ptr::null_mut(), LoadedModule::as_raw)
        };
    }

    /// Whether the module's entry has a `funcs` array (`klp_check_patch()`).
    pub(crate) fn has_static_funcs(&self) -> bool {
        // SAFETY: By the type invariants the object is alive.
        unsafe { !(*self.0.get()).funcs.is_null() }
    }

    /// The functions of the module's `funcs` array, before they are linked into `func_list`.
    pub(crate) fn static_funcs(&self) -> impl Iterator<Item = &Func> {
        // SAFETY: By the type invariants the object is alive.
        let funcs = unsafe { (*self.0.get()).funcs };
        static_entries::<bindings::klp_func, Func>(funcs, |f| {
            f.old_name.is_null() && f.new_func.is_null() && f.old_sympos == 0
        })
    }

    /// Initialises the object's list and kobject and links it to `patch`
    /// (`klp_init_object_early()`).
    pub(crate) fn init_early<T: ObjectKobject>(
        &self,
        _locked: &KlpMutexHeld,
        patch: &Patch,
        ktype: &'static KobjType<T>,
    ) {
        let o = self.0.get();
        // SAFETY: The object belongs to a patch being set up, which nothing else reaches yet;
        // `klp_mutex` is held. A `T` starts with this very object (`ObjectKobject`), so the
        // kobject gets `T`'s type.
        unsafe {
            bindings::INIT_LIST_HEAD(&raw mut (*o).func_list);
            bindings::kobject_init(&raw mut (*o).kobj, ktype_raw(ktype));
            bindings::list_add_tail(&raw mut (*o).node, &raw mut (*patch.0.get()).obj_list);
        }
    }

    /// Marks the object as allocated by the core (atomic replace).
    pub(crate) fn set_dynamic(&self, _locked: &KlpMutexHeld) {
        // SAFETY: The object is alive and not yet visible to anyone else; `klp_mutex` is held.
        unsafe { (*self.0.get()).dynamic = true };
    }

    /// Runs the pre-patch callback, if any, and arms the post-unpatch one if it succeeded
    /// (`klp_pre_patch_callback()`).
    pub(crate) fn pre_patch_callback(&self, _locked: &KlpMutexHeld) -> Result {
        let obj = self.0.get();
        // SAFETY: As in `post_patch_callback()`; `post_unpatch_enabled` is written under
        // `klp_mutex`, which `_locked` proves held.
        let ret = unsafe {
            let ret = match (*obj).callbacks.pre_patch {
                Some(cb) => cb(obj),
                None => 0,
            };
            (*obj).callbacks.post_unpatch_enabled = ret == 0;
            ret
        };
        kernel::error::to_result(ret)
    }

    /// Runs the pre-unpatch callback, if any (`klp_pre_unpatch_callback()`).
    pub(crate) fn pre_unpatch_callback(&self, _locked: &KlpMutexHeld) {
        let obj = self.0.get();
        // SAFETY: As in `post_patch_callback()`.
        unsafe {
            if let Some(cb) = (*obj).callbacks.pre_unpatch {
                cb(obj);
            }
        }
    }

    /// Unlinks and puts the functions for which `pred` holds (`__klp_free_funcs()`).
    pub(crate) fn release_funcs(&self, _locked: &KlpMutexHeld, pred: impl Fn(&Func) -> bool) {
        // SAFETY: `func_list` is initialised and stable under `klp_mutex` (`_locked`).
        let head = unsafe { &raw mut (*self.0.get()).func_list };
        // SAFETY: As above.
        let mut cur = unsafe { (*head).next };
        while cur != head {
            // SAFETY: `cur` is an entry; read the next one before it may be freed.
            let next = unsafe { (*cur).next };
            // CAST: `Func` is a transparent view of `klp_func`.
            // SAFETY: The entries of `func_list` are `node`s of live functions.
            let func =
                unsafe { &*kernel::container_of!(cur, bindings::klp_func, node).cast::<Func>() };
            if pred(func) {
                // SAFETY: `cur` is on the list, which `klp_mutex` serialises; the list held the
                // core's reference to the function, put right after (its last use here).
                unsafe {
                    bindings::list_del(cur);
                    kobject::put(func);
                }
            }
            cur = next;
        }
    }
}

impl Func {
    /// A zeroed function replacing `old_name`, for the core's own no-ops; `old_name` must
    /// outlive the function.
    pub(crate) fn zeroed_named(old_name: &CStr) -> Self {
        let func = Self(Opaque::zeroed());
        // SAFETY: The function is ours alone; zeroes are a valid `klp_func`.
        unsafe { (*func.0.get()).old_name = old_name.as_char_ptr() };
        func
    }

    /// Whether the module set `old_name` (`klp_check_patch()`).
    pub(crate) fn has_old_name(&self) -> bool {
        // SAFETY: By the type invariants the function is alive.
        unsafe { !(*self.0.get()).old_name.is_null() }
    }

    /// Whether the module set `new_func` (or the core did, for a no-op).
    pub(crate) fn has_new_func(&self) -> bool {
        self.new_func() != 0
    }

    /// The symbol position of `old_name` (0: the name must be unique).
    pub(crate) fn old_sympos(&self) -> usize {
        // SAFETY: By the type invariants; set by the module (or at creation for no-ops).
        unsafe { (*self.0.get()).old_sympos }
    }

    /// Records the resolved addresses and sizes (`klp_init_object_loaded()`), or clears them
    /// when the object's module goes (`klp_free_object_loaded()`).
    pub(crate) fn set_resolved(
        &self,
        _locked: &KlpMutexHeld,
        old_func: usize,
        old_size: usize,
        new_size: usize,
    ) {
        let f = self.0.get();
        // SAFETY: The function is alive; `_locked` proves `klp_mutex`. It is not on a stack (its
        // object is not patched), so the handler does not read these fields.
        unsafe {
            (*f).old_func = old_func as *mut c_void;
            (*f).old_size = old_size;
            (*f).new_size = new_size;
        }
    }

    /// Sets `new_func`; only for no-ops, whose replacement is the old function itself.
    pub(crate) fn set_nop_target(&self, _locked: &KlpMutexHeld, target: usize) {
        if kernel::warn_on!(!self.nop() || self.patched()) {
            return;
        }
        // SAFETY: As in `set_resolved()`; the single store pairs with `new_func_once()`.
        unsafe {
            atomic_store(
                &raw mut (*self.0.get()).new_func,
                target as *mut c_void,
                Relaxed,
            )
        };
    }

    /// Initialises the core's fields of the function (`klp_init_func()`).
    pub(crate) fn init(&self, _locked: &KlpMutexHeld) {
        let f = self.0.get();
        // SAFETY: The function belongs to a patch being set up; nothing else accesses it.
        unsafe {
            bindings::INIT_LIST_HEAD(&raw mut (*f).stack_node);
            (*f).patched = false;
            (*f).transition = false;
        }
    }

    /// Initialises the function's kobject and links it to `obj` (`klp_init_func_early()`).
    pub(crate) fn init_early<T: FuncKobject>(
        &self,
        _locked: &KlpMutexHeld,
        obj: &Object,
        ktype: &'static KobjType<T>,
    ) {
        let f = self.0.get();
        // SAFETY: The function belongs to a patch being set up, which nothing else reaches yet;
        // `klp_mutex` is held. A `T` starts with this very function (`FuncKobject`).
        unsafe {
            bindings::kobject_init(&raw mut (*f).kobj, ktype_raw(ktype));
            bindings::list_add_tail(&raw mut (*f).node, &raw mut (*obj.0.get()).func_list);
        }
    }

    /// Marks the function as a no-op with the given symbol position (atomic replace).
    pub(crate) fn set_nop(&self, _locked: &KlpMutexHeld, old_sympos: usize) {
        let f = self.0.get();
        // SAFETY: The function was just allocated by the core and is not visible yet.
        unsafe {
            (*f).old_sympos = old_sympos;
            (*f).nop = true;
        }
    }
}

/// The raw `kobj_type` of `ktype`.
fn ktype_raw<T: KobjectType>(ktype: &'static KobjType<T>) -> *const bindings::kobj_type {
    // CAST: `KobjType` is a transparent wrapper of `bindings::kobj_type`.
    core::ptr::from_ref(ktype).cast()
}

// SAFETY: `Patch` is a transparent `klp_patch`, whose kobject is `kobj`. The release only
// signals `finish`: the patch lives in its module, whose reference is put by whoever waits.
unsafe impl KobjectType for Patch {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(bindings::klp_patch, kobj);

    unsafe fn release(this: core::ptr::NonNull<Self>) {
        // SAFETY: The patch stays in memory until its module is put, after the waiter saw this.
        let patch = unsafe { this.as_ref() };
        patch.finish().complete();
    }
}

// SAFETY: `Object` is a transparent `klp_object`, whose kobject is `kobj`. Objects of a patch
// module are static data of the module: nothing to free.
unsafe impl KobjectType for Object {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(bindings::klp_object, kobj);

    unsafe fn release(_this: core::ptr::NonNull<Self>) {}
}

// SAFETY: `Func` is a transparent `klp_func`, whose kobject is `kobj`. Static data of the
// module: nothing to free.
unsafe impl KobjectType for Func {
    const KOBJECT_OFFSET: usize = core::mem::offset_of!(bindings::klp_func, kobj);

    unsafe fn release(_this: core::ptr::NonNull<Self>) {}
}

// SAFETY: `free_work` is the patch's `work_struct`.
unsafe impl EmbeddedWork for Patch {
    const WORK_OFFSET: usize = core::mem::offset_of!(bindings::klp_patch, free_work);

    fn run(this: &Self) {
        crate::registry::free_patch_finish(this);
    }
}

/// A [`KobjectType`] whose kobject is that of the `klp_object` it starts with: a patch module's
/// [`Object`], or one the core allocated.
///
/// # Safety
///
/// `Self` starts with a `klp_object` (offset 0).
pub(crate) unsafe trait ObjectKobject: KobjectType {
    /// The object.
    fn object(&self) -> &Object {
        // CAST: `Self` starts with a `klp_object` (trait safety requirement), which `Object`
        // wraps transparently.
        // SAFETY: The object lives as long as `self`.
        unsafe { &*core::ptr::from_ref(self).cast::<Object>() }
    }
}

// SAFETY: `Object` is a transparent `klp_object`.
unsafe impl ObjectKobject for Object {}

/// A [`KobjectType`] whose kobject is that of the `klp_func` it starts with.
///
/// # Safety
///
/// `Self` starts with a `klp_func` (offset 0).
pub(crate) unsafe trait FuncKobject: KobjectType {}

// SAFETY: `Func` is a transparent `klp_func`.
unsafe impl FuncKobject for Func {}

/// Marks the module as known to the core (`klp_module_coming()` ran) or not.
pub(crate) fn set_module_klp_alive(_locked: &KlpMutexHeld, module: &LoadedModule, alive: bool) {
    // SAFETY: The module is alive (the loader is calling us about it); `klp_alive` is only
    // accessed under `klp_mutex`, which `_locked` proves held.
    unsafe { (*module.as_raw()).klp_alive = alive };
}

/// Whether `klp_module_coming()` ran for the module and `klp_module_going()` did not.
pub(crate) fn module_klp_alive(_locked: &KlpMutexHeld, module: &LoadedModule) -> bool {
    // SAFETY: As in `set_module_klp_alive()`.
    unsafe { (*module.as_raw()).klp_alive }
}
