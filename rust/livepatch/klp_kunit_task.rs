// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the `kernel` abstractions the transition engine is built on: the task list,
//! acting on tasks, reliable stack traces, static keys, static work items and dynamic debug.
//!
//! They do not depend on the livepatch core, so they run with either core built in.

use kernel::prelude::*;

const __LOG_PREFIX: &[u8] = b"livepatch_kunit\0";

#[kunit_tests(rust_tasklist)]
mod tasklist_tests {
    use kernel::{
        bindings,
        cpu::{
            self as cpus_mod,
            CpuId,
            CpusReadGuard,
            PossibleCpu, //
        },
        task::{
            tasklist,
            Task, //
        },
    };

    #[test]
    fn threads_list_init_and_current_but_no_idle_task() {
        let me = kernel::current!().as_ptr();
        let tasks = tasklist::read_lock();
        assert!(tasks.threads().any(|t| t.pid() == 1));
        assert!(tasks.threads().any(|t| t.as_ptr() == me));
        assert!(!tasks.threads().any(|t| t.pid() == 0));
        // Every thread is listed once.
        let n = tasks.threads().count();
        let distinct = tasks
            .threads()
            .enumerate()
            .filter(|(i, t)| {
                tasks
                    .threads()
                    .skip(i + 1)
                    .all(|u| u.as_ptr() != t.as_ptr())
            })
            .count();
        assert_eq!(n, distinct);
    }

    #[test]
    fn every_possible_cpu_has_an_idle_task() {
        let possible = cpus_mod::possible_cpus().count();
        let mask = &raw mut bindings::__cpu_possible_mask;
        // SAFETY: The possible mask is a valid global.
        let weight = unsafe { bindings::cpumask_weight(mask) } as usize;
        assert_eq!(possible, weight);
        for cpu in cpus_mod::possible_cpus() {
            assert_eq!(Task::idle(cpu).pid(), 0);
        }
        // Every id below `nr_cpu_ids` is accepted exactly when it is in the mask.
        for id in (0..kernel::cpu::nr_cpu_ids()).filter_map(CpuId::from_u32) {
            // SAFETY: The possible mask is a valid global; `id` is below its size.
            let in_mask = unsafe { bindings::cpumask_test_cpu(id.as_u32() as i32, mask) };
            assert_eq!(PossibleCpu::new(id).is_some(), in_mask);
        }
        let cpus = CpusReadGuard::new();
        let online = cpus_mod::possible_cpus()
            .filter_map(|c| cpus.online(c))
            .count();
        assert!(online >= 1);
        let this = PossibleCpu::new(CpuId::current());
        assert!(this.and_then(|c| cpus.online(c)).is_some());
    }
}

#[kunit_tests(rust_task_control)]
mod task_control_tests {
    use kernel::{
        cpu as cpus_mod,
        prelude::*,
        task::{
            tasklist,
            Task,
            ThreadFlag, //
        },
    };

    #[test]
    fn thread_flags() {
        let me = kernel::current!();
        let flag = ThreadFlag::PATCH_PENDING;
        let was = me.test_thread_flag(flag);
        me.set_thread_flag(flag);
        assert!(me.test_thread_flag(flag));
        assert!(me.test_and_clear_thread_flag(flag));
        assert!(!me.test_thread_flag(flag));
        assert!(!me.test_and_clear_thread_flag(flag));
        me.clear_thread_flag(flag);
        assert!(!me.test_thread_flag(flag));
        if was {
            me.set_thread_flag(flag);
        }
    }

    #[test]
    fn identity_of_the_running_kthread() {
        let me = kernel::current!();
        assert_eq!(me.comm().as_bytes(), b"kunit_try_catch");
        assert!(me.is_kthread());
        assert!(me.is_current());
        assert!(me.is_on_cpu());
        // Already running: nothing to wake.
        assert!(!me.wake_up_interruptible());
        let init = tasklist::read_lock()
            .threads()
            .find(|t| t.pid() == 1)
            .map(|t| (t.is_kthread(), t.is_current()));
        assert_eq!(init, Some((false, false)));
    }

    #[test]
    fn call_func_passes_the_task_and_returns_the_result() {
        let me = kernel::current!();
        assert_eq!(me.call_func(|t| t.pid()), me.pid());
        for cpu in cpus_mod::possible_cpus() {
            let idle = Task::idle(cpu);
            let mut seen = None;
            // Any result type: here a `Result` of the kernel's own.
            let ret = idle.call_func(|t| {
                seen = Some(t.as_ptr());
                Err::<(), _>(EINVAL)
            });
            assert_eq!(ret, Err(EINVAL));
            assert_eq!(seen, Some(idle.as_ptr()));
        }
    }
}

#[kunit_tests(rust_stacktrace)]
mod stacktrace_tests {
    use kernel::{
        prelude::*,
        stacktrace, //
    };

    #[test]
    fn current_stack_is_reliable_and_bounded() -> Result {
        assert!(stacktrace::have_reliable_stacktrace());
        let me = kernel::current!();
        let mut entries = [0usize; 100];
        let trace = stacktrace::save_tsk_reliable(me, &mut entries)?;
        assert!(trace.len() >= 2);
        assert!(trace.iter().all(|&a| a != 0));
        // A buffer too small for the whole stack cannot vouch for it.
        let mut one = [0usize; 1];
        assert!(stacktrace::save_tsk_reliable(me, &mut one).is_err());
        Ok(())
    }
}

#[kunit_tests(rust_static_key)]
mod static_key_tests {
    use kernel::jump_label::StaticKeyFalse;

    static KEY: StaticKeyFalse = StaticKeyFalse::new();

    #[test]
    fn enable_and_disable_are_idempotent() {
        assert!(!KEY.is_enabled());
        KEY.enable();
        KEY.enable();
        assert!(KEY.is_enabled());
        KEY.disable();
        assert!(!KEY.is_enabled());
        KEY.disable();
        assert!(!KEY.is_enabled());
    }
}

#[kunit_tests(rust_static_work)]
mod static_work_tests {
    use kernel::{
        prelude::*,
        static_lock_class,
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
            static_lock_class!(),
            static_lock_class!(),
        );
        // A second init does nothing.
        WORK.init(
            c"rust_static_work_test",
            static_lock_class!(),
            static_lock_class!(),
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
        assert!(WORK.flush());
        assert_eq!(RUNS.load(Relaxed), before + 1);
    }

    #[test]
    fn uninitialised_work_is_refused() {
        // Warns once and refuses, instead of queueing garbage.
        assert!(!NEVER_INIT.schedule(1));
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
        // SAFETY: The online mask is a valid global.
        let online = unsafe {
            kernel::bindings::cpumask_weight(&raw mut kernel::bindings::__cpu_online_mask)
        };
        assert_eq!(CPUS_SEEN.load(Relaxed) - before, online);
        Ok(())
    }
}

#[kunit_tests(rust_dynamic_debug)]
mod dynamic_debug_tests {
    use kernel::dynamic_pr_debug;

    #[test]
    fn sites_are_off_by_default_and_print_nothing() {
        // Neither site is enabled at boot; the selftests switch real sites on and off through
        // `dynamic_debug/control`.
        dynamic_pr_debug!(fn "rust_dynamic_debug_probe", "probe {} {}\n", 1, "two");
        dynamic_pr_debug!("probe without a function name\n");
    }
}
