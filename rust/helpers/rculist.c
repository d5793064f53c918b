// SPDX-License-Identifier: GPL-2.0

#include <linux/rculist.h>

__rust_helper void rust_helper_hlist_add_head_rcu(struct hlist_node *n,
						  struct hlist_head *h)
{
	hlist_add_head_rcu(n, h);
}

__rust_helper void rust_helper_hlist_del_rcu(struct hlist_node *n)
{
	hlist_del_rcu(n);
}

__rust_helper void rust_helper_list_add_rcu(struct list_head *new,
					    struct list_head *head)
{
	list_add_rcu(new, head);
}

__rust_helper void rust_helper_list_del_rcu(struct list_head *entry)
{
	list_del_rcu(entry);
}
