// SPDX-License-Identifier: GPL-2.0-or-later

//! The per-task consistency model (the C core's `transition.c`).
//!
//! A patch is enabled or disabled in a transition: every task, idle tasks included, moves from
//! the initial to the target patch state on its own, once no function the transition changes
//! is on its stack. A task switches itself when it leaves the kernel or idles
//! ([`klp_update_patch_state`]), or when it schedules while the transition runs
//! ([`__klp_sched_try_switch`]); the core switches sleeping tasks whose stacks it checked
//! ([`klp_try_complete_transition`]), retrying every second and, after a while, prodding the
//! stragglers with fake signals. `force` switches everyone at once.
//!
//! Every step, log line and barrier is the C core's; the `// ORDERING:` comments name both
//! sides of each pair.
//!
//! C header: [`kernel/livepatch/transition.h`](srctree/kernel/livepatch/transition.h)

use crate::{
    blocking::{
        self,
        Blocked,
        Recorder, //
    },
    checked::{
        self,
        CheckedCode, //
    },
    model::{
        self,
        KlpMutexHeld,
        Patch, //
    },
    redirect::{
        self,
        warn_on_once, //
    },
    registry,
};
use core::cell::UnsafeCell;
use kernel::{
    bindings,
    cpu::{
        self,
        CpuId,
        CpusReadGuard,
        PreemptDisabledNotrace, //
    },
    jump_label::StaticKeyFalse,
    prelude::*,
    static_lock_class,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        barrier::{
            smp_mb,
            Read,
            Write, //
        },
        rcu,
    },
    task::{
        tasklist,
        Task,
        ThreadFlag, //
    },
    time::{
        msecs_to_jiffies,
        Delta,
        Instant,
        Monotonic, //
    },
    workqueue::{
        schedule_on_each_cpu,
        OnEachCpu,
        StaticDelayedWork, //
    },
};

/// How many return addresses of a task's stack are checked.
const MAX_STACK_ENTRIES: usize = 100;

/// Seconds between two rounds of fake signals: the C core's 15 retries of about a second.
const SIGNALS_TIMEOUT_SECS: i64 = 15;

/// The first retry comes this soon after a failed pass; each later one twice as late, until
/// the retries cost 1% of a CPU ([`RETRY_COST_FACTOR`]); never later than [`RETRY_MAX_MS`],
/// the C core's fixed period, which is also the period once the transition has run for
/// [`SIGNALS_TIMEOUT_SECS`] (it is stuck, and the tasks get fake signals).
const RETRY_FIRST_MS: u32 = 5;
const RETRY_MAX_MS: u32 = 1000;
/// A retry waits at least this many times as long as the last pass took.
const RETRY_COST_FACTOR: i64 = 100;

const PENDING: ThreadFlag = ThreadFlag::PATCH_PENDING;

/// A patch state: of a task (`task->patch_state`) or the target of the transition.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(i32)]
pub(crate) enum PatchState {
    /// No transition is running.
    Idle = bindings::KLP_TRANSITION_IDLE,
    /// The task runs the code from before the patch in transition.
    Unpatched = bindings::KLP_TRANSITION_UNPATCHED as i32,
    /// The task runs the code of the patch in transition.
    Patched = bindings::KLP_TRANSITION_PATCHED as i32,
}

impl PatchState {
    fn from_raw(raw: c_int) -> Self {
        match raw {
            r if r == Self::Unpatched as c_int => Self::Unpatched,
            r if r == Self::Patched as c_int => Self::Patched,
            _ => Self::Idle,
        }
    }

    /// The other direction (`!state` in C); `Idle` has none.
    fn reversed(self) -> Self {
        match self {
            Self::Unpatched => Self::Patched,
            Self::Patched => Self::Unpatched,
            Self::Idle => Self::Idle,
        }
    }

    /// "patching" or "unpatching", as the log lines name a target.
    fn verb(self) -> &'static str {
        if self == Self::Patched {
            "patching"
        } else {
            "unpatching"
        }
    }
}

/// The state the transition moves tasks to (`klp_target_state`).
///
/// Written under `klp_mutex`; read locklessly by tasks switching themselves, after they saw
/// their `TIF_PATCH_PENDING` (see the `ORDERING` comments at the writers).
static TARGET_STATE: Atomic<i32> = Atomic::new(PatchState::Idle as i32);

fn target_state() -> PatchState {
    PatchState::from_raw(TARGET_STATE.load(Relaxed))
}

fn set_target_state(state: PatchState) {
    TARGET_STATE.store(state as i32, Relaxed);
}

/// A task's patch state (`task->patch_state`, also shown in `/proc/<pid>/patch_state`).
fn patch_state(task: &Task) -> PatchState {
    PatchState::from_raw(model::task_patch_state(task))
}

/// Sets a task's patch state; the callers are the task itself, or the transition code with the
/// task held still or its `TIF_PATCH_PENDING` cleared.
fn set_patch_state(task: &Task, state: PatchState) {
    model::set_task_patch_state(task, state as c_int);
}

/// Returns the patch in transition; warns (once) if there is none, for callers that run only
/// during a transition.
fn current_patch(locked: &KlpMutexHeld) -> Option<&Patch> {
    let patch = model::transition_patch(locked);
    warn_on_once!(patch.is_none());
    patch
}

/// Passes since the transition started or turned; `klp_mutex`.
static PASSES: Atomic<u32> = Atomic::new(0);

/// Rounds of fake signals sent since the transition started or turned (the C core counts
/// retries instead, `klp_signals_cnt`); `klp_mutex`.
static SIGNAL_ROUNDS: Atomic<i64> = Atomic::new(0);

kernel::sync::global_lock! {
    // SAFETY: `init()` initialises it before any transition starts.
    unsafe(uninit) static STARTED: Mutex<Option<Instant<Monotonic>>> = None;
}

/// How many tasks the last pass left pending, minus those that switched themselves since: the
/// one that takes it to zero asks for a pass right away, so that a transition ends soon after
/// its last blocker leaves, not at the next retry. A pass counts each task it leaves as it
/// goes, so that one switching itself right away (an idle task the pass wakes) is
/// subtracted after it was added. Approximate (new tasks and exits are not counted, and a task
/// that switches itself before the pass reaches it may be subtracted for another), which only
/// makes a pass come early or at its usual time.
static LEFT_PENDING: Atomic<i32> = Atomic::new(0);

/// While a transition runs, `__schedule()` tries to switch tasks that schedule voluntarily, so
/// that CPU-bound kthreads get switched too.
#[no_mangle]
#[allow(non_upper_case_globals)] // The C name, declared in `<linux/livepatch_sched.h>`.
pub(crate) static klp_sched_try_switch_key: StaticKeyFalse = StaticKeyFalse::new();

/// The retry of [`klp_try_complete_transition`] for tasks that could not switch yet.
static TRANSITION_WORK: StaticDelayedWork = StaticDelayedWork::new(transition_work_fn);

fn transition_work_fn() {
    model::with_klp_mutex(|locked| {
        if model::transition_patch(locked).is_some() {
            try_complete_transition(locked);
        }
    });
}

/// One stack-trace buffer per possible CPU (the C core's per-CPU `klp_stack_entries`), so the
/// check from `__schedule()` needs no stack space for it. Each buffer is its own small
/// allocation, so that a machine with many CPUs needs no large contiguous one; the table of
/// pointers, indexed by CPU id, may come from `vmalloc()`.
///
/// # Invariants
///
/// Buffer `n` is only used on CPU `n` with preemption disabled, so uses never overlap. Every
/// possible CPU has a buffer.
struct StackBuffers(KVVec<Option<KBox<UnsafeCell<[usize; MAX_STACK_ENTRIES]>>>>);

// SAFETY: By the type invariants each buffer is used by one CPU at a time.
unsafe impl Sync for StackBuffers {}
// SAFETY: The buffers are plain memory.
unsafe impl Send for StackBuffers {}

static STACK_BUFFERS: kernel::sync::SetOnce<StackBuffers> = kernel::sync::SetOnce::new();

impl StackBuffers {
    fn new() -> Result<Self> {
        let n = kernel::cpu::nr_cpu_ids() as usize;
        let mut v = KVVec::with_capacity(n, GFP_KERNEL)?;
        for _ in 0..n {
            v.push(None, GFP_KERNEL)?;
        }
        for cpu in cpu::possible_cpus() {
            let slot = v.get_mut(cpu.id().as_u32() as usize).ok_or(EINVAL)?;
            *slot = Some(KBox::new(
                UnsafeCell::new([0; MAX_STACK_ENTRIES]),
                GFP_KERNEL,
            )?);
        }
        // INVARIANT: Every possible CPU got a buffer above.
        Ok(Self(v))
    }

    /// Runs `f` on this CPU's buffer; `None` only if the invariants were broken.
    fn with_this_cpu<R>(&self, f: impl FnOnce(&mut [usize]) -> R) -> Option<R> {
        let _preempt = PreemptDisabledNotrace::new();
        let cpu = CpuId::current().as_u32() as usize;
        // The running CPU is possible, so it has a buffer (type invariants).
        let slot = self.0.get(cpu)?.as_ref()?;
        // SAFETY: Preemption is disabled and nothing on this CPU that uses the buffer runs
        // nested (no interrupt handler switches tasks), so the reference is exclusive.
        Some(f(unsafe { &mut *slot.get() }))
    }
}

/// Initialises the transition engine's statics.
pub(crate) fn init() -> Result {
    // SAFETY: `klp_rust_init()` calls this once, before any transition.
    unsafe { STARTED.init() };
    TRANSITION_WORK.init(
        c"klp_transition_work",
        static_lock_class!(),
        static_lock_class!(),
    );
    // Without the buffers no sleeping task's stack could be checked, and transitions would only
    // finish through tasks switching themselves: fail the core's initialisation loudly instead.
    let buffers = StackBuffers::new().inspect_err(|e| {
        pr_err!(
            "failed to allocate the stack-trace buffers ({}); live patching is unavailable\n",
            e.to_errno()
        )
    })?;
    STACK_BUFFERS.populate(buffers);
    Ok(())
}

struct SyncAll;

impl OnEachCpu for SyncAll {
    // Nothing to do: having scheduled on every CPU is the point.
    fn run() {}
}

/// Waits until every CPU has scheduled, so that no ftrace handler still runs with an older
/// view of the stacks (`klp_synchronize_transition()`). Patched functions may run where RCU
/// is not watching, so a plain RCU grace period is not enough.
pub(crate) fn synchronize_transition() {
    // Like the C core, ignore an allocation failure of `schedule_on_each_cpu()`.
    let _ = schedule_on_each_cpu::<SyncAll>();
}

/// Wraps up a finished transition (`klp_complete_transition()`).
fn complete_transition(locked: &KlpMutexHeld) {
    let Some(patch) = current_patch(locked) else {
        return;
    };
    let target = target_state();

    kernel::dynamic_pr_debug!(
        fn "klp_complete_transition",
        "'{}': completing {} transition\n",
        patch.mod_name(),
        target.verb()
    );

    // Every task has switched (or was forced): no more stack checks. This also ends the
    // snapshot's use of the names of functions freed below.
    checked::retract(locked);

    if patch.replace() && target == PatchState::Patched {
        registry::unpatch_replaced_patches(locked, patch);
        registry::discard_nops(locked, patch);
    }

    if target == PatchState::Unpatched {
        // Every task runs the old code: take the patch's functions off their stacks.
        redirect::unpatch_objects(locked, patch, false);
        // No handler may still pick a function of this patch once `transition` is cleared.
        synchronize_transition();
    }

    for obj in patch.objects().iter() {
        for func in obj.funcs().iter() {
            func.set_transition(locked, false);
        }
    }

    // No handler may see a task in `Idle` state while `transition` still looks set.
    if target == PatchState::Patched {
        synchronize_transition();
    }

    {
        let tasks = tasklist::read_lock();
        for task in tasks.threads() {
            warn_on_once!(task.test_thread_flag(PENDING));
            set_patch_state(task, PatchState::Idle);
        }
    }
    for cpu in cpu::possible_cpus() {
        let task = Task::idle(cpu);
        warn_on_once!(task.test_thread_flag(PENDING));
        set_patch_state(task, PatchState::Idle);
    }

    for obj in patch.objects().iter() {
        if !obj.is_loaded() {
            continue;
        }
        match target {
            PatchState::Patched => obj.post_patch_callback(locked),
            PatchState::Unpatched => obj.post_unpatch_callback(locked),
            PatchState::Idle => {}
        }
    }

    pr_notice!("'{}': {} complete\n", patch.mod_name(), target.verb());

    set_target_state(PatchState::Idle);
    model::set_transition_patch(locked, None);
    blocking::clear(locked);
}

/// Undoes `init_transition()` of a patching transition that never started (error path of
/// enabling; `klp_cancel_transition()`).
pub(crate) fn cancel_transition(locked: &KlpMutexHeld) {
    if warn_on_once!(target_state() != PatchState::Patched) {
        return;
    }
    let Some(patch) = current_patch(locked) else {
        return;
    };
    kernel::dynamic_pr_debug!(
        fn "klp_cancel_transition",
        "'{}': canceling patching transition, going to unpatch\n",
        patch.mod_name()
    );
    set_target_state(PatchState::Unpatched);
    complete_transition(locked);
}

/// Switches `task` to the target state if its switch is pending; called by the task itself on
/// its way out of the kernel and in the idle loop, or by `force` for any task.
///
/// # Safety
///
/// `task` must be valid, and be the caller or not running (or `force` was requested).
#[export]
pub(crate) unsafe extern "C" fn klp_update_patch_state(task: *mut bindings::task_struct) {
    // SAFETY: The caller guarantees `task` is valid; `Task` is a transparent wrapper.
    if update_patch_state(unsafe { &*task.cast::<Task>() }) {
        switched_itself();
    }
}

/// See [`klp_update_patch_state`]; `task` is the caller, or not running, or `force` was
/// requested. Returns whether it switched the task.
fn update_patch_state(task: &Task) -> bool {
    // `klp_synchronize_transition()` waits for this preemption-disabled section.
    let _preempt = PreemptDisabledNotrace::new();

    // ORDERING: The fully ordered test-and-clear orders the flag read before the target read
    // (pairs with the `smp_mb(Write)` in `init_transition()` and `reverse_transition()`) and
    // before later reads of `func->transition` by the ftrace handler on this CPU (pairs with
    // the `smp_mb(Write)` in `registry::disable()`).
    let switched = task.test_and_clear_thread_flag(PENDING);
    if switched {
        set_patch_state(task, target_state());
    }
    switched
}

/// A pending task switched itself (at kernel exit, in the idle loop or in `__schedule()`):
/// if it was the last one the previous pass left, retries at the next tick. Any context but
/// NMI: arming the work's timer wakes nothing up.
fn switched_itself() {
    let mut left = LEFT_PENDING.load(Relaxed);
    // Never below zero: a task the current pass has not reached yet was not counted.
    while left > 0 {
        match LEFT_PENDING.cmpxchg(left, left - 1, Relaxed) {
            Ok(_) => {
                if left == 1 {
                    TRANSITION_WORK.modify(1);
                }
                return;
            }
            Err(now) => left = now,
        }
    }
}

/// Checks `task`'s stack against the code the transition changes (`klp_check_stack()`).
fn check_stack<'a>(task: &Task, code: &'a CheckedCode) -> Result<(), Blocked<'a>> {
    let Some(buffers) = STACK_BUFFERS.as_ref() else {
        // `init()` failed and said so; stacks cannot be checked.
        warn_on_once!(true);
        return Err(Blocked::Unreliable);
    };
    buffers
        .with_this_cpu(|entries| {
            #[cfg(CONFIG_HAVE_RELIABLE_STACKTRACE)]
            let trace = kernel::stacktrace::save_tsk_reliable(task, entries)
                .map_err(|_| Blocked::Unreliable)?;
            #[cfg(not(CONFIG_HAVE_RELIABLE_STACKTRACE))]
            let trace: &[usize] = {
                let _ = (task, entries);
                return Err(Blocked::Unreliable);
            };
            match code.blocker(trace) {
                Some(blocker) => Err(Blocked::SleepingOn(blocker)),
                None => Ok(()),
            }
        })
        .unwrap_or(Err(Blocked::Unreliable))
}

/// Switches `task` if it is not running and its stack allows (`klp_check_and_switch_task()`).
/// Runs on `current` or with `task` held still by `task_call_func()`.
fn check_and_switch<'a>(task: &Task, code: &'a CheckedCode) -> Result<(), Blocked<'a>> {
    if task.is_on_cpu() && !task.is_current() {
        return Err(Blocked::Running);
    }
    check_stack(task, code)?;
    task.clear_thread_flag(PENDING);
    set_patch_state(task, code.target());
    Ok(())
}

/// Tries to switch `task` to the target state; `false` if it is running, its stack is
/// unreliable, or it sleeps in a function the transition changes (`klp_try_switch_task()`).
/// A task that does not switch is recorded in `recorder`, if there is one.
fn try_switch_task(task: &Task, recorder: Option<&mut Recorder>) -> bool {
    let target = target_state();
    if patch_state(task) == target {
        return true;
    }
    // Without reliable stacks tasks only switch themselves (e.g. at kernel exit).
    if !kernel::stacktrace::have_reliable_stacktrace() {
        return false;
    }
    // The snapshot of the code to check stays valid while this guard is held, even if the
    // transition ends or the func stacks change meanwhile (see `checked.rs`).
    let rcu = rcu::read_lock();
    let Some(code) = checked::get(&rcu) else {
        // Not started yet, or ended meanwhile (only possible from `__schedule()`).
        return false;
    };
    if code.target() != target {
        // Reversed meanwhile; the next attempt sees the new snapshot.
        return false;
    }

    let result = if task.is_current() {
        check_and_switch(task, code)
    } else {
        task.call_func(|t| check_and_switch(t, code))
    };

    // The C core also has an "Unknown error code" message; `Blocked` has no other case.
    const FUNC: &str = "klp_try_switch_task";
    match result {
        Ok(()) => {}
        Err(Blocked::Running) => kernel::dynamic_pr_debug!(
            fn "klp_try_switch_task",
            ("{}: ", FUNC),
            %s task.comm().as_c_str(),
            (":{} is running\n", task.pid())
        ),
        Err(Blocked::Unreliable) => kernel::dynamic_pr_debug!(
            fn "klp_try_switch_task",
            ("{}: ", FUNC),
            %s task.comm().as_c_str(),
            (":{} has an unreliable stack\n", task.pid())
        ),
        Err(Blocked::SleepingOn(ref blocker)) => kernel::dynamic_pr_debug!(
            fn "klp_try_switch_task",
            ("{}: ", FUNC),
            %s task.comm().as_c_str(),
            (":{} is sleeping on function {}\n", task.pid(), blocker.function)
        ),
    }
    match (result, recorder) {
        (Ok(()), _) => true,
        (Err(why), Some(recorder)) => {
            recorder.record(task, &why);
            false
        }
        (Err(_), None) => false,
    }
}

/// Called by `__schedule()` (preemption disabled, no sleeping) while the sched key is on: tries
/// to switch the scheduling task.
///
/// # Safety
///
/// Preemption must be disabled, so that no other switch attempt on this CPU overlaps.
#[export]
pub(crate) unsafe extern "C" fn __klp_sched_try_switch() {
    let current = kernel::current!();
    if !current.test_thread_flag(PENDING) {
        return;
    }
    // ORDERING: Orders the flag read above before the target read in `try_switch_task()`;
    // pairs with the `smp_mb(Write)` in `init_transition()` and `reverse_transition()`.
    smp_mb(Read);
    if try_switch_task(current, None) {
        switched_itself();
    }
}

/// Prods the tasks still pending: kthreads are woken, user tasks get a fake signal
/// (`klp_send_signals()`). The first round says so.
fn send_signals(first: bool) {
    if first {
        pr_notice!("signaling remaining tasks\n");
    }
    let tasks = tasklist::read_lock();
    for task in tasks.threads() {
        if !task.test_thread_flag(PENDING) {
            continue;
        }
        // The task may switch meanwhile; a spurious wake-up or signal is harmless.
        if task.is_kthread() {
            task.wake_up_interruptible();
        } else {
            task.set_notify_signal();
        }
    }
}

/// How long to wait before the pass after the `passes`-th failed one, which took `took`.
///
/// A kthread that leaves a patched function switches only at a pass (`__schedule()` switches
/// only tasks that sleep freezable), so the period while a transition is young bounds how long
/// it lasts after its last blocker leaves.
fn retry_delay(passes: u32, took: Delta, stuck: bool) -> Delta {
    let max = Delta::from_millis(i64::from(RETRY_MAX_MS));
    if stuck {
        return max;
    }
    let times = |n: i64| Delta::from_nanos(took.as_nanos().saturating_mul(n));
    let first = Delta::from_millis(i64::from(RETRY_FIRST_MS));
    // The steady period: 1% of a CPU.
    let steady = times(RETRY_COST_FACTOR).max(first);
    // Doubling up to it, though never above 5% of a CPU.
    let backoff = RETRY_FIRST_MS
        .checked_shl(passes.saturating_sub(1))
        .unwrap_or(RETRY_MAX_MS)
        .min(RETRY_MAX_MS);
    let backoff = Delta::from_millis(i64::from(backoff)).max(times(RETRY_COST_FACTOR / 5));
    backoff.min(steady).min(max)
}

/// Schedules the next pass after a failed one (see [`retry_delay()`]); sends fake signals every
/// [`SIGNALS_TIMEOUT_SECS`] seconds of the transition, as the C core does.
fn schedule_retry(_locked: &KlpMutexHeld, took: Delta) {
    let passes = PASSES.load(Relaxed).saturating_add(1);
    PASSES.store(passes, Relaxed);

    let started = *STARTED.lock();
    let elapsed = started.map_or(Delta::ZERO, |t| t.elapsed());
    let due = elapsed.as_millis() / (SIGNALS_TIMEOUT_SECS * 1000);
    let sent = SIGNAL_ROUNDS.load(Relaxed);
    if due > sent {
        send_signals(sent == 0);
        SIGNAL_ROUNDS.store(due, Relaxed);
    }

    let delay = retry_delay(passes, took, due > 0);
    let jiffies = msecs_to_jiffies(delay.as_millis_ceil().try_into().unwrap_or(u32::MAX));
    if delay.as_millis() >= i64::from(RETRY_MAX_MS) {
        // A whole second (`round_jiffies_relative()`), so that periodic retries of different
        // users expire together and wake the CPU less often.
        TRANSITION_WORK.schedule_rounded(jiffies);
    } else {
        TRANSITION_WORK.schedule(jiffies);
    }
}

/// Tries to switch every task still pending, and completes the transition when none is left;
/// otherwise retries, sooner or later (`klp_try_complete_transition()`).
pub(crate) fn try_complete_transition(locked: &KlpMutexHeld) {
    let Some(patch) = current_patch(locked) else {
        return;
    };
    let target = target_state();
    warn_on_once!(target == PatchState::Idle);
    let pass_start = Instant::<Monotonic>::now();
    let mut complete = true;
    LEFT_PENDING.store(0, Relaxed);
    // Which tasks block, for the `blocking` attribute; allocated before the walk.
    let mut recorder = Recorder::new();

    {
        let tasks = tasklist::read_lock();
        for task in tasks.threads() {
            if !try_switch_task(task, recorder.as_mut()) {
                complete = false;
                LEFT_PENDING.fetch_add(1, Relaxed);
            }
        }
    }

    {
        let cpus = CpusReadGuard::new();
        for cpu in cpu::possible_cpus() {
            let task = Task::idle(cpu);
            if let Some(online) = cpus.online(cpu) {
                if !try_switch_task(task, recorder.as_mut()) {
                    complete = false;
                    LEFT_PENDING.fetch_add(1, Relaxed);
                    // Make the idle task go through its loop, where it switches itself.
                    cpus.wake_up_if_idle(online);
                }
            } else if patch_state(task) != target {
                // An offline CPU's idle task runs nothing: switch it directly.
                task.clear_thread_flag(PENDING);
                set_patch_state(task, target);
            }
        }
    }

    if !complete {
        match recorder {
            Some(recorder) => blocking::publish(locked, recorder),
            None => blocking::clear(locked),
        }
        schedule_retry(locked, pass_start.elapsed());
        return;
    }

    // Done: clean up.
    klp_sched_try_switch_key.disable();
    complete_transition(locked);

    // Freeing here rather than in `complete_transition()`, which cancelling also runs. The
    // patch is still registered, since `klp_mutex` is held.
    if !patch.enabled() {
        registry::free_patch_async(locked, patch);
    } else if patch.replace() {
        registry::free_replaced_patches_async(locked, patch);
    }
}

/// Marks every task that is not in the target state as pending, so that it switches
/// (`klp_start_transition()`). `snapshot` is the code stack checks compare against, prepared
/// for the patch in transition and the target state.
pub(crate) fn start_transition(locked: &KlpMutexHeld, snapshot: checked::Snapshot) {
    let target = target_state();
    warn_on_once!(target == PatchState::Idle);
    let Some(patch) = current_patch(locked) else {
        return;
    };

    pr_notice!(
        "'{}': starting {} transition\n",
        patch.mod_name(),
        target.verb()
    );

    // The code stack checks compare against, before any task is marked pending.
    checked::publish(locked, snapshot);

    {
        let tasks = tasklist::read_lock();
        for task in tasks.threads() {
            if patch_state(task) != target {
                task.set_thread_flag(PENDING);
            }
        }
    }
    for cpu in cpu::possible_cpus() {
        let task = Task::idle(cpu);
        if patch_state(task) != target {
            task.set_thread_flag(PENDING);
        }
    }

    klp_sched_try_switch_key.enable();
    PASSES.store(0, Relaxed);
    SIGNAL_ROUNDS.store(0, Relaxed);
    LEFT_PENDING.store(0, Relaxed);
    *STARTED.lock() = Some(Instant::now());
}

/// Sets up a transition of `patch` to `state`: every task starts in the opposite state, and
/// the patch's functions are marked in transition (`klp_init_transition()`). No transition may
/// be running.
pub(crate) fn init_transition(locked: &KlpMutexHeld, patch: &Patch, state: PatchState) {
    let initial = state.reversed();
    warn_on_once!(target_state() != PatchState::Idle);

    model::set_transition_patch(locked, Some(patch));
    // No effect until tasks get their `TIF_PATCH_PENDING`.
    set_target_state(state);

    kernel::dynamic_pr_debug!(
        fn "klp_init_transition",
        "'{}': initializing {} transition\n",
        patch.mod_name(),
        state.verb()
    );

    {
        let tasks = tasklist::read_lock();
        for task in tasks.threads() {
            warn_on_once!(patch_state(task) != PatchState::Idle);
            set_patch_state(task, initial);
        }
    }
    for cpu in cpu::possible_cpus() {
        let task = Task::idle(cpu);
        warn_on_once!(patch_state(task) != PatchState::Idle);
        set_patch_state(task, initial);
    }

    // ORDERING: Orders the `patch_state` initialisations before the `transition = true`
    // stores below, so the ftrace handler never sees a function in transition with a task in
    // `Idle` state (pairs with its second `smp_mb(Read)` in `redirect.rs`). Also orders the
    // target-state store before the `TIF_PATCH_PENDING` stores in `start_transition()`
    // (pairs with the test-and-clear in `klp_update_patch_state()` and the `smp_mb(Read)` in
    // `__klp_sched_try_switch()`), so no task switches to `Idle`.
    smp_mb(Write);

    // When patching, the functions become visible to the handler when they are pushed on their
    // stacks later; when unpatching, they are there already.
    for obj in patch.objects().iter() {
        for func in obj.funcs().iter() {
            func.set_transition(locked, true);
        }
    }
}

/// Turns a running transition around, e.g. to back out of a patch that cannot finish
/// (`klp_reverse_transition()`). Fails, changing nothing, when there is no memory for the stack
/// check of the other direction.
pub(crate) fn reverse_transition(locked: &KlpMutexHeld) -> Result {
    let Some(patch) = current_patch(locked) else {
        return Ok(());
    };
    let target = target_state();
    // The func stacks stay as they are while the direction changes.
    let snapshot = checked::prepare(locked, patch, target.reversed())?;
    let direction = if target == PatchState::Patched {
        "patching to unpatching"
    } else {
        "unpatching to patching"
    };
    kernel::dynamic_pr_debug!(
        fn "klp_reverse_transition",
        "'{}': reversing transition from {}\n",
        patch.mod_name(),
        direction
    );

    // Stop tasks from switching themselves while the direction changes.
    {
        let tasks = tasklist::read_lock();
        for task in tasks.threads() {
            task.clear_thread_flag(PENDING);
        }
    }
    for cpu in cpu::possible_cpus() {
        Task::idle(cpu).clear_thread_flag(PENDING);
    }

    // Wait for `klp_update_patch_state()` and `__klp_sched_try_switch()` calls that may still
    // have seen a flag set.
    synchronize_transition();

    patch.set_enabled(locked, !patch.enabled());
    set_target_state(target.reversed());

    // ORDERING: Orders the target-state store before the `TIF_PATCH_PENDING` stores in
    // `start_transition()`; pairs with the test-and-clear in `klp_update_patch_state()` and
    // the `smp_mb(Read)` in `__klp_sched_try_switch()`.
    smp_mb(Write);

    start_transition(locked, snapshot);
    Ok(())
}

/// Gives a new task its parent's patch state and pending switch; called by `copy_process()`
/// under `tasklist_lock`.
///
/// # Safety
///
/// `child` must be a valid task under construction by the caller.
#[export]
pub(crate) unsafe extern "C" fn klp_copy_process(child: *mut bindings::task_struct) {
    // SAFETY: `child` is valid (caller); `Task` is a transparent wrapper.
    let child = unsafe { &*child.cast::<Task>() };
    let current = kernel::current!();

    // `tasklist_lock` serialises this against the transition code; the only concurrent
    // writers of the parent's flag are the parent itself, which is running this.
    if current.test_thread_flag(PENDING) {
        child.set_thread_flag(PENDING);
    } else {
        child.clear_thread_flag(PENDING);
    }
    set_patch_state(child, patch_state(current));
}

/// Switches every task now, on the administrator's request (`force`), and marks the patches
/// this removes as forced, so that their modules are never unloaded
/// (`klp_force_transition()`).
///
/// This can break the consistency model: a task may still run old code.
pub(crate) fn force_transition(locked: &KlpMutexHeld) {
    pr_warn!("forcing remaining tasks to the patched state\n");

    {
        let tasks = tasklist::read_lock();
        for task in tasks.threads() {
            // `force` accepts that the task may be running.
            update_patch_state(task);
        }
    }
    for cpu in cpu::possible_cpus() {
        update_patch_state(Task::idle(cpu));
    }

    let Some(patch) = current_patch(locked) else {
        return;
    };
    if target_state() == PatchState::Unpatched {
        patch.set_forced(locked);
    } else if patch.replace() {
        for other in model::patches(locked).iter() {
            if other.as_raw() != patch.as_raw() {
                other.set_forced(locked);
            }
        }
    }
}
