// SPDX-License-Identifier: GPL-2.0-or-later
/* struct pattrack_event, as both kernel-side sources deliver it, into the model's event. */
#include <errno.h>
#include <string.h>

#include "decode.h"

int pt_decode_event(const struct pattrack_event *e, struct pt_kallsyms *syms,
		    char *stack, size_t stack_size, struct pt_event *ev)
{
	uint64_t addr[PATTRACK_STACK_DEPTH];	/* __u64 is not uint64_t's type in userspace */
	size_t n;

	*ev = (struct pt_event){
		.type = PT_TYPE_NONE, .req = PT_TYPE_NONE, .got = PT_TYPE_NONE,
		.has_seq = true, .seq = e->seq, .ts_ns = e->ts_ns, .pid = (int32_t)e->pid,
		.comm = e->comm, .comm_len = strnlen(e->comm, sizeof(e->comm)),
	};
	switch (e->kind) {
	case PATTRACK_EV_RESERVE:
		ev->kind = PT_EV_RESERVE;
		ev->req = e->req;
		ev->strict = e->got < 0;
		ev->got = ev->strict ? PT_TYPE_NONE : e->got;
		break;
	case PATTRACK_EV_FREE:
		ev->kind = PT_EV_FREE;
		break;
	case PATTRACK_EV_EXIT:
		ev->kind = PT_EV_EXIT;
		return 0;
	case PATTRACK_EV_FORK:
		ev->kind = PT_EV_FORK;
		ev->child = (int32_t)e->child;
		return 0;
	case PATTRACK_EV_UNBIND:
		ev->kind = PT_EV_UNBIND;
		ev->start = e->start;
		ev->end = e->end;
		ev->bar = (int)e->bar;
		ev->device = e->device;
		ev->device_len = strnlen(e->device, sizeof(e->device));
		ev->name = e->name;
		ev->name_len = strnlen(e->name, sizeof(e->name));
		return 0;
	case PATTRACK_EV_LOAD:
	case PATTRACK_EV_UNLOAD:
		ev->kind = e->kind == PATTRACK_EV_LOAD ? PT_EV_LOAD : PT_EV_UNLOAD;
		ev->name = e->name;
		ev->name_len = strnlen(e->name, sizeof(e->name));
		if (ev->name_len == sizeof(e->name))
			return -EBADMSG;
		/* whose code lies where, from the kernel: the next stacks are named by it */
		if (e->kind == PATTRACK_EV_UNLOAD) {
			pt_kallsyms_module_unloaded(syms, e->name);
			return 0;
		}
		ev->start = e->start;
		ev->end = e->end;
		return pt_kallsyms_module_loaded(syms, e->name, e->start, e->end);
	default:
		return -EBADMSG;
	}
	ev->start = e->start;
	ev->end = e->end;
	ev->has_ret = true;
	ev->ret = e->ret;
	n = e->nr_stack < PATTRACK_STACK_DEPTH ? e->nr_stack : PATTRACK_STACK_DEPTH;
	for (size_t i = 0; i < n; i++)
		addr[i] = e->stack[i];
	ev->stack_len = pt_kallsyms_format(syms, addr, n, stack, stack_size);
	ev->stack = ev->stack_len ? stack : NULL;
	return 0;
}
