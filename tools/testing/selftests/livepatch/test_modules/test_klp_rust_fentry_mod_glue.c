// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of test_klp_rust_fentry_mod: its parameters and its kthread.
 *
 * Reading "value" shows what the Rust function answer() returns.  The
 * kthread calls the Rust function hold_here() in a loop, which sleeps (in
 * test_klp_rust_fentry_sleep()) while "hold" is set; "blocked" says it
 * does, and "pid" is the kthread's.
 */

#include <linux/kthread.h>
#include <linux/pid.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/err.h>

/* The Rust half. */
int test_klp_rust_fentry_answer(void);
void test_klp_rust_fentry_hold(void);

static unsigned int hold;
module_param(hold, uint, 0644);
MODULE_PARM_DESC(hold, "keep the kthread sleeping inside hold_here()");

static unsigned int blocked;
module_param(blocked, uint, 0444);
MODULE_PARM_DESC(blocked, "1 while the kthread sleeps inside hold_here()");

static int pid;
module_param(pid, int, 0444);
MODULE_PARM_DESC(pid, "pid of the kthread");

static int value_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", test_klp_rust_fentry_answer());
}

static const struct kernel_param_ops value_ops = {
	.get = value_get,
};
module_param_cb(value, &value_ops, NULL, 0444);
MODULE_PARM_DESC(value, "what the Rust function answer() returns");

static struct task_struct *thread;

/* Called by hold_here(). */
void test_klp_rust_fentry_sleep(void);
void test_klp_rust_fentry_sleep(void)
{
	if (!READ_ONCE(hold))
		return;
	WRITE_ONCE(blocked, 1);
	while (READ_ONCE(hold) && !kthread_should_stop())
		msleep(20);
	WRITE_ONCE(blocked, 0);
}

static int test_klp_rust_fentry_thread(void *data)
{
	while (!kthread_should_stop()) {
		test_klp_rust_fentry_hold();
		msleep(20);
	}
	return 0;
}

/* Called by the Rust half's init and exit. */
int test_klp_rust_fentry_start(void);
void test_klp_rust_fentry_stop(void);

int test_klp_rust_fentry_start(void)
{
	thread = kthread_run(test_klp_rust_fentry_thread, NULL, "klp_rust_fentry");
	if (IS_ERR(thread))
		return PTR_ERR(thread);
	pid = task_pid_nr(thread);
	return 0;
}

void test_klp_rust_fentry_stop(void)
{
	WRITE_ONCE(hold, 0);
	kthread_stop(thread);
}
