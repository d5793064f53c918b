// SPDX-License-Identifier: GPL-2.0
/*
 * Stress blocker: a kthread that now and then sleeps, for a random time,
 * inside klp_stress_block_fn(), which every stress patch replaces. A
 * transition started meanwhile cannot switch the kthread until it wakes up.
 * It can also be parked in the function until released, to hold a
 * transition open for as long as the script needs (forced transitions).
 *
 *   /sys/kernel/debug/klp_stress_blocker/in      the version it sleeps in:
 *                                                'o', a patch's letter, '-'
 *   /sys/kernel/debug/klp_stress_blocker/park    1: sleep inside until 0
 *   /sys/kernel/debug/klp_stress_blocker/random  0: no more random sleeps
 *   /sys/kernel/debug/klp_stress_blocker/sleeps  random sleeps inside so far
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/wait.h>

#include "klp_stress.h"

static unsigned int seed = 1;
module_param(seed, uint, 0444);
MODULE_PARM_DESC(seed, "seed of the random sleeps");

static unsigned int inside_pct = 10;
module_param(inside_pct, uint, 0444);
MODULE_PARM_DESC(inside_pct, "percentage of wake-ups followed by a sleep inside the function");

static unsigned int max_ms = 2000;
module_param(max_ms, uint, 0444);
MODULE_PARM_DESC(max_ms, "longest sleep inside the function (ms)");

static unsigned int idle_ms = 1000;
module_param(idle_ms, uint, 0444);
MODULE_PARM_DESC(idle_ms, "longest sleep outside the function (ms)");

static struct blocker {
	struct klp_stress_block block;
	wait_queue_head_t wq;
	/* How long the next sleep inside lasts; 0: until unparked. */
	unsigned int ms;
	bool park;
	bool random;
	u32 sleeps;
	struct rnd_state rnd;
	struct task_struct *task;
} blocker;

/* The function the patches replace; the kthread's stack holds it while it sleeps. */
noinline void klp_stress_block_fn(struct klp_stress_block *block)
{
	WRITE_ONCE(block->in, KLP_STRESS_ORIG);
	block->sleep(block);
	/* Not a tail call: this frame stays on the stack during the sleep. */
	WRITE_ONCE(block->in, KLP_STRESS_OUTSIDE);
}

static void blocker_sleep(struct klp_stress_block *block)
{
	struct blocker *b = container_of(block, struct blocker, block);

	/* TASK_IDLE: not counted as load, not a hung task when parked long. */
	if (b->ms)
		wait_event_idle_timeout(b->wq, kthread_should_stop(),
					msecs_to_jiffies(b->ms));
	else
		wait_event_idle(b->wq, kthread_should_stop() || !READ_ONCE(b->park));
}

static int blocker_main(void *data)
{
	struct blocker *b = data;

	while (!kthread_should_stop()) {
		u32 r = prandom_u32_state(&b->rnd);

		if (READ_ONCE(b->park)) {
			b->ms = 0;
			klp_stress_block_fn(&b->block);
		} else if (READ_ONCE(b->random) && r % 100 < inside_pct) {
			b->ms = 1 + (r >> 8) % max_ms;
			WRITE_ONCE(b->sleeps, b->sleeps + 1);
			klp_stress_block_fn(&b->block);
		} else {
			/* Outside the function; a park request ends the nap. */
			wait_event_idle_timeout(b->wq, kthread_should_stop() ||
						READ_ONCE(b->park),
						msecs_to_jiffies(1 + (r >> 8) % idle_ms));
		}
	}
	return 0;
}

static ssize_t in_read(struct file *file, char __user *ubuf, size_t count,
		       loff_t *ppos)
{
	char buf[4];
	int len = scnprintf(buf, sizeof(buf), "%c\n", READ_ONCE(blocker.block.in));

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t park_read(struct file *file, char __user *ubuf, size_t count,
			 loff_t *ppos)
{
	char buf[4];
	int len = scnprintf(buf, sizeof(buf), "%d\n", READ_ONCE(blocker.park));

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t park_write(struct file *file, const char __user *ubuf,
			  size_t count, loff_t *ppos)
{
	bool on;
	int ret = kstrtobool_from_user(ubuf, count, &on);

	if (ret)
		return ret;
	WRITE_ONCE(blocker.park, on);
	/* Both ways: a nap outside ends to park, a parked sleep ends to leave. */
	wake_up(&blocker.wq);
	return count;
}

static const struct file_operations in_fops = {
	.read = in_read,
};

static const struct file_operations park_fops = {
	.read = park_read,
	.write = park_write,
};

static struct dentry *dir;

static int __init klp_stress_blocker_init(void)
{
	if (!max_ms || !idle_ms || inside_pct > 100)
		return -EINVAL;
	blocker.block.sleep = blocker_sleep;
	blocker.block.in = KLP_STRESS_OUTSIDE;
	blocker.random = true;
	init_waitqueue_head(&blocker.wq);
	prandom_seed_state(&blocker.rnd, seed);

	dir = debugfs_create_dir("klp_stress_blocker", NULL);
	debugfs_create_file("in", 0444, dir, NULL, &in_fops);
	debugfs_create_file("park", 0644, dir, NULL, &park_fops);
	debugfs_create_bool("random", 0644, dir, &blocker.random);
	debugfs_create_u32("sleeps", 0444, dir, &blocker.sleeps);

	blocker.task = kthread_run(blocker_main, &blocker, "klp_stress_block");
	if (IS_ERR(blocker.task)) {
		debugfs_remove_recursive(dir);
		return PTR_ERR(blocker.task);
	}
	return 0;
}

static void __exit klp_stress_blocker_exit(void)
{
	/* kthread_stop() wakes it wherever it sleeps; the conditions check for it. */
	kthread_stop(blocker.task);
	debugfs_remove_recursive(dir);
}

module_init(klp_stress_blocker_init);
module_exit(klp_stress_blocker_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch stress: a kthread that sleeps in a patched function");
