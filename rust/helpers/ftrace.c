// SPDX-License-Identifier: GPL-2.0

#include <linux/ftrace.h>
#include <linux/trace_recursion.h>

#ifdef CONFIG_DYNAMIC_FTRACE

__rust_helper int rust_helper_ftrace_test_recursion_trylock(unsigned long ip,
							     unsigned long parent_ip)
{
	return ftrace_test_recursion_trylock(ip, parent_ip);
}

__rust_helper void rust_helper_ftrace_test_recursion_unlock(int bit)
{
	ftrace_test_recursion_unlock(bit);
}

__rust_helper void
rust_helper_ftrace_regs_set_instruction_pointer(struct ftrace_regs *fregs,
						unsigned long ip)
{
	ftrace_regs_set_instruction_pointer(fregs, ip);
}

__rust_helper unsigned long
rust_helper_ftrace_regs_get_instruction_pointer(struct ftrace_regs *fregs)
{
	return ftrace_regs_get_instruction_pointer(fregs);
}

#endif
