// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark target with 1,000 patchable functions, klp_bench_many_000() to
 * klp_bench_many_999(), for timing the enabling and disabling of a patch that
 * replaces them all (klp_bench_many_lp) and the memory it takes.
 *
 *   /sys/kernel/debug/klp_bench_many/sum  read: the sum of all 1,000 functions
 *                                         called with 1 (1502500 unpatched,
 *                                         2504500 with every one patched)
 */

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "klp_bench_many.h"

/*
 * Each body differs (the constant 1nnn), so that no compiler or linker folds
 * two functions into one; noinline keeps each a traceable function of its own.
 */
#define MANY_FN(n)							\
	static noinline int klp_bench_many_##n(int x)			\
	{								\
		barrier();						\
		return x * 3 + 1##n;					\
	}
KLP_BENCH_1000(MANY_FN)

/* Called through this table, so none of them can be inlined or dropped. */
#define MANY_PTR(n) klp_bench_many_##n,
static int (*const many_fns[])(int) __used = { KLP_BENCH_1000(MANY_PTR) };

static ssize_t sum_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	char buf[32];
	long sum = 0;
	int i, len;

	for (i = 0; i < ARRAY_SIZE(many_fns); i++)
		sum += many_fns[i](1);
	len = scnprintf(buf, sizeof(buf), "%ld\n", sum);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations sum_fops = {
	.read = sum_read,
};

static struct dentry *dir;

static int __init klp_bench_many_init(void)
{
	dir = debugfs_create_dir("klp_bench_many", NULL);
	debugfs_create_file("sum", 0400, dir, NULL, &sum_fops);
	return 0;
}

static void __exit klp_bench_many_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(klp_bench_many_init);
module_exit(klp_bench_many_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch benchmark: 1,000 patchable functions");
