// SPDX-License-Identifier: GPL-2.0

#include <linux/jump_label.h>

__rust_helper void rust_helper_static_key_false_enable(struct static_key_false *key)
{
	static_branch_enable(key);
}

__rust_helper void rust_helper_static_key_false_disable(struct static_key_false *key)
{
	static_branch_disable(key);
}
