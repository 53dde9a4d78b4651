/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The kernel side's event, struct pattrack_event (include/pattrack/pattrack.h),
 * as the model's event.  The BPF program writes that struct into its ring
 * buffer; the netlink source rebuilds it from a message's attributes; both
 * decode it here.
 */

#include <pattrack/pattrack.h>
#include <stddef.h>

#include "core/model.h"
#include "host/kallsyms.h"

/*
 * Fills @ev from @e, the stack symbolized into @stack (which @ev then
 * points into).  -EBADMSG for an event the model could not apply: an
 * unknown kind.  The caller counts that as a lost event, never drops it
 * silently: its sequence number was used.
 */
int pt_decode_event(const struct pattrack_event *e, struct pt_kallsyms *syms,
		    char *stack, size_t stack_size, struct pt_event *ev);
