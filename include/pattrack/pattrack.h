/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR LGPL-2.1-or-later */
/*
 * pattrack: definitions shared by the kernel shim, the BPF program and
 * userspace.  UAPI style: fixed-size __u types, no libc.
 */
#ifndef _UAPI_PATTRACK_H
#define _UAPI_PATTRACK_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

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
	PATTRACK_EV_EXIT = 3,		/* a process (thread group) exited, after its own frees */
	PATTRACK_EV_FORK = 4,		/* a process created another (a new thread group) */
	PATTRACK_EV_UNBIND = 5,		/* a driver is about to be unbound from a PCI device: one per memory BAR */
	PATTRACK_EV_UNLOAD = 6,		/* a module's exit function has returned */
	PATTRACK_EV_LOAD = 7,		/* a module is loaded, before its init: start, end its code */
};

#define PATTRACK_STACK_DEPTH 16
#define PATTRACK_COMM_LEN 16
#define PATTRACK_DEVICE_LEN 32		/* "0000:00:03.0" */
#define PATTRACK_NAME_LEN 64		/* a driver's or a module's name (MODULE_NAME_LEN fits) */

/* ---- generic netlink (pattrack_shim.ko) ---------------------------------- */

#define PATTRACK_GENL_NAME "pattrack"
#define PATTRACK_GENL_VERSION 1
#define PATTRACK_GENL_MCGRP_EVENTS "events"	/* listeners need CAP_NET_ADMIN */

enum pattrack_cmd {
	PATTRACK_CMD_UNSPEC,
	PATTRACK_CMD_EVENT,		/* multicast: one event; several share a datagram */
	PATTRACK_CMD_GET_STATUS,	/* request; the reply carries the STATUS_* attributes */
	PATTRACK_CMD_FLUSH,		/* request: multicasts every event queued before it returns */
	__PATTRACK_CMD_MAX,
};
#define PATTRACK_CMD_MAX (__PATTRACK_CMD_MAX - 1)

enum pattrack_attr {
	PATTRACK_ATTR_UNSPEC,
	PATTRACK_ATTR_PAD,
	PATTRACK_ATTR_SEQ,		/* u64: one per event, no gaps unless events were lost */
	PATTRACK_ATTR_KIND,		/* u32: enum pattrack_event_kind */
	PATTRACK_ATTR_TS_NS,		/* u64: ktime_get_ns() */
	PATTRACK_ATTR_START,		/* u64; load: the module's code */
	PATTRACK_ATTR_END,		/* u64: exclusive */
	PATTRACK_ATTR_REQ,		/* u32: enum pattrack_type */
	PATTRACK_ATTR_GOT,		/* u32: granted type; absent for a strict request */
	PATTRACK_ATTR_RET,		/* s32: 0 or a negative errno */
	PATTRACK_ATTR_PID,		/* u32: thread group id */
	PATTRACK_ATTR_COMM,		/* string */
	PATTRACK_ATTR_STACK,		/* binary: u64 kernel addresses, innermost first */
	PATTRACK_ATTR_STATUS_VERSION,	/* string: the shim's version */
	PATTRACK_ATTR_STATUS_PROBES,	/* u32: PATTRACK_PROBE_* attached */
	PATTRACK_ATTR_STATUS_SENT,	/* u64: events multicast */
	PATTRACK_ATTR_STATUS_DROPPED,	/* u64: events lost (allocation, full socket, missed probe) */
	PATTRACK_ATTR_STATUS_SEQ,	/* u64: the last sequence number used */
	PATTRACK_ATTR_CHILD,		/* u32: fork: the new process's id */
	PATTRACK_ATTR_DEVICE,		/* string: unbind: the device (PCI "0000:00:03.0") */
	PATTRACK_ATTR_NAME,		/* string: unbind: the driver; load, unload: the module */
	PATTRACK_ATTR_BAR,		/* u32: unbind: the BAR's index; START and END its range */
	__PATTRACK_ATTR_MAX,
};
#define PATTRACK_ATTR_MAX (__PATTRACK_ATTR_MAX - 1)

enum pattrack_probe {
	PATTRACK_PROBE_RESERVE = 1 << 0,
	PATTRACK_PROBE_FREE = 1 << 1,
	PATTRACK_PROBE_EXIT = 1 << 2,
	PATTRACK_PROBE_FORK = 1 << 3,
	PATTRACK_PROBE_UNBIND = 1 << 4,
	PATTRACK_PROBE_MODULES = 1 << 5,	/* load and unload */
};

/*
 * For the overhead benchmark alone, which measures what each part of the
 * probes costs the mapping process: the shim's "bench" parameter, the BPF
 * programs' "bench" (PATTRACK_BPF_BENCH=floor or nostack for pattrackctl).
 */
enum pattrack_bench {
	PATTRACK_BENCH_NONE,		/* the real work */
	PATTRACK_BENCH_FLOOR,		/* the memtype probes only return: their cost alone */
	PATTRACK_BENCH_NOSTACK,		/* all but the stack walks */
};

/* ---- BPF ring buffer (pattrack.bpf.c) ------------------------------------ */

struct pattrack_event {
	__u64 seq;
	__u64 ts_ns;
	__u64 start;
	__u64 end;			/* exclusive */
	__u32 kind;			/* enum pattrack_event_kind */
	__s32 ret;
	__s32 req;			/* enum pattrack_type, or -1 */
	__s32 got;			/* granted type, or -1 for a strict request */
	__u32 pid;			/* thread group id */
	union {
		__u32 child;		/* fork: the new process's id */
		__u32 bar;		/* unbind: the BAR's index; start and end its range */
	};
	__u32 nr_stack;
	char comm[PATTRACK_COMM_LEN];
	union {
		__u64 stack[PATTRACK_STACK_DEPTH];	/* reserve, free: nr_stack frames */
		struct {				/* unbind, load, unload: nr_stack is 0 */
			char device[PATTRACK_DEVICE_LEN];	/* unbind */
			char name[PATTRACK_NAME_LEN];		/* unbind: driver; else module */
		};
	};
};

#endif /* _UAPI_PATTRACK_H */
