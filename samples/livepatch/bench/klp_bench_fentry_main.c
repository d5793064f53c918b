// SPDX-License-Identifier: GPL-2.0
/*
 * `make bench-fentry`: the cost of an unused ftrace site.  Times chains of
 * calls of a function with an ftrace site and of its notrace twin, in C and
 * in Rust (klp_bench_fentry_rs.rs), and prints for each the median, fastest
 * and slowest round, in ns for all the calls of a round:
 *
 *   klp_bench_fentry: <c-site|c-nosite|rust-site|rust-nosite> <median> <min> <max>
 *
 * The module refuses to stay loaded (-EAGAIN): loading it is running it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/slab.h>

static unsigned int calls = 1000000;
module_param(calls, uint, 0444);
MODULE_PARM_DESC(calls, "calls per round");

static unsigned int rounds = 11;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "rounds; the median is reported");

int klp_bench_fentry_rust_site(int x);
int klp_bench_fentry_rust_nosite(int x);

noinline int klp_bench_fentry_c_site(int x);
noinline int klp_bench_fentry_c_site(int x)
{
	return x + 1;
}

noinline notrace int klp_bench_fentry_c_nosite(int x);
noinline notrace int klp_bench_fentry_c_nosite(int x)
{
	return x + 1;
}

static int sink;

/* Each call takes the previous result: the calls cannot overlap or vanish. */
#define DEFINE_CHAIN(fn)					\
static noinline u64 chain_##fn(unsigned int n)			\
{								\
	u64 start = ktime_get_ns();				\
	int acc = 0;						\
	unsigned int i;						\
								\
	for (i = 0; i < n; i++)					\
		acc = fn(acc);					\
	WRITE_ONCE(sink, acc);					\
	return ktime_get_ns() - start;				\
}

DEFINE_CHAIN(klp_bench_fentry_c_site)
DEFINE_CHAIN(klp_bench_fentry_c_nosite)
DEFINE_CHAIN(klp_bench_fentry_rust_site)
DEFINE_CHAIN(klp_bench_fentry_rust_nosite)

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, u64 *t)
{
	sort(t, rounds, sizeof(*t), cmp_u64, NULL);
	pr_info("%s %llu %llu %llu\n", name, t[rounds / 2], t[0], t[rounds - 1]);
}

static int __init klp_bench_fentry_init(void)
{
	u64 *t[4];
	unsigned int r, i;

	if (!rounds || !calls)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		t[i] = kcalloc(rounds, sizeof(u64), GFP_KERNEL);
		if (!t[i]) {
			while (i--)
				kfree(t[i]);
			return -ENOMEM;
		}
	}
	/* Interleaved, so that a disturbance hits all four alike. */
	for (r = 0; r < rounds; r++) {
		t[0][r] = chain_klp_bench_fentry_c_site(calls);
		t[1][r] = chain_klp_bench_fentry_c_nosite(calls);
		t[2][r] = chain_klp_bench_fentry_rust_site(calls);
		t[3][r] = chain_klp_bench_fentry_rust_nosite(calls);
	}
	report("c-site", t[0]);
	report("c-nosite", t[1]);
	report("rust-site", t[2]);
	report("rust-nosite", t[3]);
	for (i = 0; i < 4; i++)
		kfree(t[i]);
	return -EAGAIN;
}

module_init(klp_bench_fentry_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Benchmark: the cost of an unused ftrace site, C and Rust");
