/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR LGPL-2.1-or-later */
/*
 * pattrack: definitions shared by the kernel shim, the BPF program and
 * userspace.  UAPI style: fixed-size __u types, no libc.
 */
#ifndef _UAPI_PATTRACK_H
#define _UAPI_PATTRACK_H

/*
 * Memory types, numbered exactly as the kernel's enum page_cache_mode
 * (arch/x86/include/asm/pgtable_types.h).
 */
enum pattrack_type {
	PATTRACK_TYPE_WB = 0,		/* write-back */
	PATTRACK_TYPE_WC = 1,		/* write-combining */
	PATTRACK_TYPE_UC_MINUS = 2,	/* uncached-minus */
	PATTRACK_TYPE_UC = 3,		/* uncached */
	PATTRACK_TYPE_WT = 4,		/* write-through */
	PATTRACK_TYPE_WP = 5,		/* write-protected */
	PATTRACK_TYPE_NR,
};

/* Event kinds carried by every transport. */
enum pattrack_event_kind {
	PATTRACK_EV_RESERVE = 1,	/* memtype_reserve() returned */
	PATTRACK_EV_FREE = 2,		/* memtype_free() returned */
	PATTRACK_EV_EXIT = 3,		/* a task exited, after its own frees */
};

#endif /* _UAPI_PATTRACK_H */
