// SPDX-License-Identifier: GPL-2.0
/*
 * Stress target: a module that the stress script loads and unloads in a
 * loop while patches come and go, so that the core patches and unpatches it
 * in klp_module_coming() and klp_module_going() under load. Every patch
 * replaces one or both of its functions with an equivalent one, so the
 * self-check gives the same answer whichever version runs.
 *
 *   /sys/kernel/debug/klp_stress_target/check  read: "ok", or "bad N"
 */

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>

noinline int klp_stress_target_fn(int x)
{
	barrier();
	return 3 * x + 1;
}

noinline int klp_stress_target_fn2(int x)
{
	barrier();
	return x ^ 0x5a;
}

static ssize_t check_read(struct file *file, char __user *ubuf, size_t count,
			  loff_t *ppos)
{
	/* Through volatile pointers: the compiler must not fold the calls. */
	int (*volatile fn)(int) = klp_stress_target_fn;
	int (*volatile fn2)(int) = klp_stress_target_fn2;
	int x, bad = 0, len;
	char buf[32];

	for (x = -64; x < 64; x++) {
		if (fn(x) != 3 * x + 1)
			bad++;
		if (fn2(x) != (x ^ 0x5a))
			bad++;
	}
	if (bad)
		len = scnprintf(buf, sizeof(buf), "bad %d\n", bad);
	else
		len = scnprintf(buf, sizeof(buf), "ok\n");
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations check_fops = {
	.read = check_read,
};

static struct dentry *dir;

static int __init klp_stress_target_init(void)
{
	dir = debugfs_create_dir("klp_stress_target", NULL);
	debugfs_create_file("check", 0400, dir, NULL, &check_fops);
	return 0;
}

static void __exit klp_stress_target_exit(void)
{
	debugfs_remove_recursive(dir);
}

module_init(klp_stress_target_init);
module_exit(klp_stress_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Livepatch stress: a patched module that comes and goes");
