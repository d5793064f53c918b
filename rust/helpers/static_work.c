// SPDX-License-Identifier: GPL-2.0

#include <linux/workqueue.h>

__rust_helper bool rust_helper_schedule_delayed_work(struct delayed_work *dwork,
						     unsigned long delay)
{
	return schedule_delayed_work(dwork, delay);
}
