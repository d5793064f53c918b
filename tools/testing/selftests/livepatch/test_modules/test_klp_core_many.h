/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One hundred functions for test_klp_core_many_{mod,patch}: M(nn) is expanded
 * for nn = 00 to 99.
 */
#ifndef _TEST_KLP_CORE_MANY_H
#define _TEST_KLP_CORE_MANY_H

#define KLP_MANY_10(M, d) M(d##0) M(d##1) M(d##2) M(d##3) M(d##4) \
	M(d##5) M(d##6) M(d##7) M(d##8) M(d##9)
#define KLP_MANY_100(M) KLP_MANY_10(M, 0) KLP_MANY_10(M, 1) \
	KLP_MANY_10(M, 2) KLP_MANY_10(M, 3) KLP_MANY_10(M, 4) \
	KLP_MANY_10(M, 5) KLP_MANY_10(M, 6) KLP_MANY_10(M, 7) \
	KLP_MANY_10(M, 8) KLP_MANY_10(M, 9)

#endif /* _TEST_KLP_CORE_MANY_H */
