/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Repeat a macro for many numbered functions without a generator script:
 * KLP_BENCH_1000(m) expands to m(000) m(001) ... m(999), KLP_BENCH_100(m, p)
 * to m(p00) ... m(p99) for a digit p. The numbers are pp-numbers pasted
 * digit by digit; users paste them after a 1 or a name, never use them bare
 * (a leading 0 would make them octal).
 */
#ifndef KLP_BENCH_MANY_H
#define KLP_BENCH_MANY_H

#define KLP_BENCH_10(m, p)						\
	m(p##0) m(p##1) m(p##2) m(p##3) m(p##4)				\
	m(p##5) m(p##6) m(p##7) m(p##8) m(p##9)
#define KLP_BENCH_100(m, p)						\
	KLP_BENCH_10(m, p##0) KLP_BENCH_10(m, p##1) KLP_BENCH_10(m, p##2) \
	KLP_BENCH_10(m, p##3) KLP_BENCH_10(m, p##4) KLP_BENCH_10(m, p##5) \
	KLP_BENCH_10(m, p##6) KLP_BENCH_10(m, p##7) KLP_BENCH_10(m, p##8) \
	KLP_BENCH_10(m, p##9)
#define KLP_BENCH_1000(m)						\
	KLP_BENCH_100(m, 0) KLP_BENCH_100(m, 1) KLP_BENCH_100(m, 2)	\
	KLP_BENCH_100(m, 3) KLP_BENCH_100(m, 4) KLP_BENCH_100(m, 5)	\
	KLP_BENCH_100(m, 6) KLP_BENCH_100(m, 7) KLP_BENCH_100(m, 8)	\
	KLP_BENCH_100(m, 9)

#endif /* KLP_BENCH_MANY_H */
