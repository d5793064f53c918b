// SPDX-License-Identifier: GPL-2.0

#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/thread_info.h>

__rust_helper int rust_helper_test_tsk_thread_flag(struct task_struct *t, int flag)
{
	return test_tsk_thread_flag(t, flag);
}

__rust_helper void rust_helper_set_tsk_thread_flag(struct task_struct *t, int flag)
{
	set_tsk_thread_flag(t, flag);
}

__rust_helper void rust_helper_clear_tsk_thread_flag(struct task_struct *t, int flag)
{
	clear_tsk_thread_flag(t, flag);
}

__rust_helper int rust_helper_test_and_clear_tsk_thread_flag(struct task_struct *t, int flag)
{
	return test_and_clear_tsk_thread_flag(t, flag);
}

__rust_helper void rust_helper_set_notify_signal(struct task_struct *t)
{
	set_notify_signal(t);
}

__rust_helper void rust_helper_preempt_disable_notrace(void)
{
	preempt_disable_notrace();
}

__rust_helper void rust_helper_preempt_enable_notrace(void)
{
	preempt_enable_notrace();
}

__rust_helper void rust_helper_read_lock(rwlock_t *lock)
{
	read_lock(lock);
}

__rust_helper void rust_helper_read_unlock(rwlock_t *lock)
{
	read_unlock(lock);
}
