// SPDX-License-Identifier: GPL-2.0

//! Work items that live in statics, and running a function on every CPU.
//!
//! [`StaticDelayedWork`] is the Rust form of `static DECLARE_DELAYED_WORK(name, fn)`: a delayed
//! work item with no owner object, whose function is a plain `fn()`. It is initialised once at
//! run time ([`StaticDelayedWork::init`]) since lockdep needs its class keys registered.
//! [`schedule_on_each_cpu`] runs a function in process context on every online CPU and waits.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use crate::{
    bindings,
    error::{
        to_result,
        Result, //
    },
    str::{
        CStr,
        CStrExt, //
    },
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed,
            Release, //
        },
        LockClassKey,
    },
    time::Jiffies,
    types::Opaque,
};
use core::pin::Pin;

const UNINIT: i32 = 0;
const INITIALISING: i32 = 1;
const READY: i32 = 2;

/// A delayed work item in a static, running a plain function on the system workqueue.
///
/// # Invariants
///
/// Once `state` is `READY`, `dwork` is an initialised `struct delayed_work` whose work
/// function is `Self::run`; it is never moved (it is a static).
///
/// # Examples
///
/// ```
/// use kernel::{
///     static_lock_class,
///     workqueue::StaticDelayedWork,
///     sync::atomic::{Atomic, Relaxed},
/// };
///
/// static RUNS: Atomic<u32> = Atomic::new(0);
/// fn bump() {
///     RUNS.fetch_add(1, Relaxed);
/// }
/// static WORK: StaticDelayedWork = StaticDelayedWork::new(bump);
///
/// WORK.init(c"doc_work", static_lock_class!(), static_lock_class!());
/// assert!(WORK.schedule(0));
/// WORK.flush();
/// assert_eq!(RUNS.load(Relaxed), 1);
/// ```
pub struct StaticDelayedWork {
    dwork: Opaque<bindings::delayed_work>,
    func: fn(),
    state: Atomic<i32>,
}

// SAFETY: The work item is only changed by the workqueue core, which synchronises itself; the
// function pointer is immutable.
unsafe impl Sync for StaticDelayedWork {}

impl StaticDelayedWork {
    /// A work item that will run `func`; call [`Self::init`] before scheduling it.
    pub const fn new(func: fn()) -> Self {
        Self {
            dwork: Opaque::zeroed(),
            func,
            state: Atomic::new(UNINIT),
        }
    }

    /// Initialises the work item (`INIT_DELAYED_WORK()`); later calls do nothing.
    pub fn init(
        &'static self,
        name: &'static CStr,
        work_key: Pin<&'static LockClassKey>,
        timer_key: Pin<&'static LockClassKey>,
    ) {
        if self.state.cmpxchg(UNINIT, INITIALISING, Relaxed).is_err() {
            return;
        }
        let slot = self.dwork.get();
        // SAFETY: We won the race above, so nobody else touches `dwork` until `READY`; it is a
        // static, hence pinned. `run` has the work-function signature and finds `self` from
        // the work pointer.
        unsafe {
            bindings::init_work_with_key(
                &raw mut (*slot).work,
                Some(Self::run),
                false,
                name.as_char_ptr(),
                work_key.as_ptr(),
            );
            bindings::timer_init_key(
                &raw mut (*slot).timer,
                Some(bindings::delayed_work_timer_fn),
                bindings::TIMER_IRQSAFE,
                name.as_char_ptr(),
                timer_key.as_ptr(),
            );
        }
        // ORDERING: Publishes the initialisation; pairs with the `Acquire` in `ready()`.
        self.state.store(READY, Release);
    }

    fn ready(&self) -> bool {
        // ORDERING: Pairs with the `Release` in `init()`.
        !crate::warn_on!(self.state.load(Acquire) != READY)
    }

    /// The work function.
    ///
    /// # Safety
    ///
    /// `work` must be the work item of an initialised [`StaticDelayedWork`].
    unsafe extern "C" fn run(work: *mut bindings::work_struct) {
        // SAFETY: `work` is the `work` field (at offset 0) of the `delayed_work`, which is the
        // `dwork` field of a `StaticDelayedWork` (type invariants); `Opaque` is transparent.
        let this = unsafe {
            &*work
                .cast::<u8>()
                .sub(core::mem::offset_of!(Self, dwork))
                .cast::<Self>()
        };
        (this.func)();
    }

    /// Queues the work to run after `delay` jiffies on the system workqueue
    /// (`schedule_delayed_work()`); returns `false` if it was already pending (or, with a
    /// warning, if it was never initialised).
    pub fn schedule(&'static self, delay: Jiffies) -> bool {
        // SAFETY: `ready()` checked the type invariants' initialisation.
        self.ready() && unsafe { bindings::schedule_delayed_work(self.dwork.get(), delay) }
    }

    /// Like [`Self::schedule`], with `delay` rounded to a whole second
    /// (`round_jiffies_relative()`), so that periodic retries of different users expire
    /// together and wake the CPU less often.
    pub fn schedule_rounded(&'static self, delay: Jiffies) -> bool {
        // SAFETY: `round_jiffies_relative()` only computes on the value.
        let delay = unsafe { bindings::round_jiffies_relative(delay) };
        self.schedule(delay)
    }

    /// Queues the work to run after `delay` jiffies, or moves it there if it is already
    /// pending, sooner or later (`mod_delayed_work()` on the system workqueue); returns whether
    /// it was pending. With a non-zero `delay` this only arms a timer and wakes nothing up, so
    /// it may be called from any context but NMI, even from inside the scheduler.
    pub fn modify(&'static self, delay: Jiffies) -> bool {
        self.ready()
            // SAFETY: As in `schedule()`; `system_percpu_wq` is set up before any initcall.
            && unsafe {
                bindings::mod_delayed_work_on(
                    bindings::wq_misc_consts_WORK_CPU_UNBOUND as crate::ffi::c_int,
                    bindings::system_percpu_wq,
                    self.dwork.get(),
                    delay,
                )
            }
    }

    /// Cancels the work and waits for a running instance (`cancel_delayed_work_sync()`);
    /// returns whether it was pending. May sleep.
    pub fn cancel_sync(&'static self) -> bool {
        // SAFETY: As in `schedule()`.
        self.ready() && unsafe { bindings::cancel_delayed_work_sync(self.dwork.get()) }
    }

    /// Runs a pending instance now and waits for it (`flush_delayed_work()`); returns whether
    /// it had to wait. May sleep.
    pub fn flush(&'static self) -> bool {
        // SAFETY: As in `schedule()`.
        self.ready() && unsafe { bindings::flush_delayed_work(self.dwork.get()) }
    }
}

/// A function [`schedule_on_each_cpu`] runs.
pub trait OnEachCpu {
    /// Runs in a kworker bound to one CPU.
    fn run();
}

/// Runs `T::run()` from a kworker on every online CPU and waits for all of them
/// (`schedule_on_each_cpu()`). Since every CPU has to schedule, this also waits for every
/// preemption-disabled section running when it was called. May sleep.
///
/// # Examples
///
/// ```
/// use kernel::{
///     sync::atomic::{Atomic, Relaxed},
///     workqueue::{schedule_on_each_cpu, OnEachCpu},
/// };
///
/// static SEEN: Atomic<u32> = Atomic::new(0);
/// struct Count;
/// impl OnEachCpu for Count {
///     fn run() {
///         SEEN.fetch_add(1, Relaxed);
///     }
/// }
/// schedule_on_each_cpu::<Count>()?;
/// assert!(SEEN.load(Relaxed) >= 1);
/// # Ok::<(), Error>(())
/// ```
pub fn schedule_on_each_cpu<T: OnEachCpu>() -> Result {
    /// # Safety
    ///
    /// Only called by the workqueue core, as a work function.
    unsafe extern "C" fn trampoline<T: OnEachCpu>(_work: *mut bindings::work_struct) {
        T::run();
    }
    schedule_on_each_cpu_raw(trampoline::<T>)
}

/// The non-generic part of [`schedule_on_each_cpu`]: `schedule_on_each_cpu()` is not exported,
/// so only the kernel crate, built in, calls it; modules can use the generic part.
#[inline(never)]
fn schedule_on_each_cpu_raw(func: unsafe extern "C" fn(*mut bindings::work_struct)) -> Result {
    // SAFETY: `func` has the work-function signature and, being a trampoline of
    // `schedule_on_each_cpu`, ignores its argument.
    to_result(unsafe { bindings::schedule_on_each_cpu(Some(func)) })
}

#[cfg(CONFIG_RUST_KLP_KUNIT_TEST)]
#[crate::prelude::kunit_tests(rust_static_work)]
mod tests {
    use crate::{
        prelude::*,
        sync::atomic::{
            Atomic,
            Relaxed, //
        },
        workqueue::{
            schedule_on_each_cpu,
            OnEachCpu,
            StaticDelayedWork, //
        },
    };

    static RUNS: Atomic<u32> = Atomic::new(0);
    fn count() {
        RUNS.fetch_add(1, Relaxed);
    }
    static WORK: StaticDelayedWork = StaticDelayedWork::new(count);
    static NEVER_INIT: StaticDelayedWork = StaticDelayedWork::new(count);

    #[test]
    fn pending_work_is_cancelled_or_flushed() {
        WORK.init(
            c"rust_static_work_test",
            crate::static_lock_class!(),
            crate::static_lock_class!(),
        );
        // A second init does nothing.
        WORK.init(
            c"rust_static_work_test",
            crate::static_lock_class!(),
            crate::static_lock_class!(),
        );
        let before = RUNS.load(Relaxed);
        // Far in the future: cancelled before it runs.
        assert!(WORK.schedule(10_000));
        assert!(!WORK.schedule(10_000));
        assert!(WORK.cancel_sync());
        assert!(!WORK.cancel_sync());
        assert_eq!(RUNS.load(Relaxed), before);
        // Flushing runs it now.
        assert!(WORK.schedule(10_000));
        // Whether `flush()` had to wait depends on how fast a worker picks the work up once the
        // timer is cancelled and the work queued; that it ran is what counts.
        WORK.flush();
        assert_eq!(RUNS.load(Relaxed), before + 1);
    }

    #[test]
    fn pending_work_is_moved_earlier() {
        WORK.init(
            c"rust_static_work_test",
            crate::static_lock_class!(),
            crate::static_lock_class!(),
        );
        let before = RUNS.load(Relaxed);
        assert!(!WORK.modify(10_000));
        // Was pending: moved to the next tick.
        assert!(WORK.modify(1));
        for _ in 0..1000 {
            if RUNS.load(Relaxed) != before {
                break;
            }
            crate::time::delay::fsleep(crate::time::Delta::from_millis(1));
        }
        assert_eq!(RUNS.load(Relaxed), before + 1);
        assert!(!WORK.cancel_sync());
    }

    #[test]
    fn uninitialised_work_is_refused() {
        // Warns once and refuses, instead of queueing garbage.
        assert!(!NEVER_INIT.schedule(1));
        assert!(!NEVER_INIT.modify(1));
        assert!(!NEVER_INIT.cancel_sync());
    }

    static CPUS_SEEN: Atomic<u32> = Atomic::new(0);
    struct Count;
    impl OnEachCpu for Count {
        fn run() {
            CPUS_SEEN.fetch_add(1, Relaxed);
        }
    }

    #[test]
    fn runs_on_every_online_cpu() -> Result {
        let before = CPUS_SEEN.load(Relaxed);
        schedule_on_each_cpu::<Count>()?;
        let mask = &raw mut crate::bindings::__cpu_online_mask;
        // SAFETY: The online mask is a valid global.
        let online = unsafe { crate::bindings::cpumask_weight(mask) };
        assert_eq!(CPUS_SEEN.load(Relaxed) - before, online);
        Ok(())
    }
}
