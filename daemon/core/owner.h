/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Who owns a reservation, from the call path that made it (its kernel
 * stack): a process, for a user mapping (remap_pfn_range() and the other
 * pfn-tracking paths of mmap and fork), or a driver, for a kernel mapping
 * (ioremap and its kin), whose module is the first module frame of the
 * stack.  docs/kernel-notes.md lists the functions and why.
 */

#include <stddef.h>

enum pt_owner_class {
	PT_OWNER_PROCESS,	/* the mapping process; and where the stack names no known path */
	PT_OWNER_DRIVER,	/* the driver whose code made the kernel mapping */
	PT_OWNER_UNKNOWN,	/* no stack: present before tracing, found at a resync, or not given */
	_PT_OWNER_MAX,
};

/* "process", "driver", "unknown"; NULL for a bad class. */
const char *pt_owner_class_name(enum pt_owner_class c);

/*
 * The class of a reservation made along @stack (frames "function+0xoff
 * [module]" separated by '\n'): the first frame that is one of the
 * well-known kernel functions decides.  PT_OWNER_PROCESS when none is.
 */
enum pt_owner_class pt_owner_classify(const char *stack, size_t len);

/*
 * The driver of a kernel mapping made along @stack: the first module
 * frame's module, or "built-in" when the stack has none.  Writes into
 * @buf and returns it.
 */
char *pt_owner_driver(const char *stack, size_t len, char *buf, size_t size);

/* Room for a module's name (MODULE_NAME_LEN) and its terminator. */
#define PT_OWNER_DRIVER_MAX 64

/*
 * The kernel interface that made a driver's mapping along @stack, in a
 * person's words ("ioremap", "memremap", "io_mapping", ...); "reservation"
 * when none of the known ones is on it.
 */
const char *pt_owner_call(const char *stack, size_t len);
