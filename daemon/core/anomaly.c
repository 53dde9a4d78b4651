// SPDX-License-Identifier: GPL-2.0-or-later
/* Anomaly names and the one-line explanations people read. */
#include <stdarg.h>

#include "model.h"
#include "owner.h"
#include "safe.h"
#include "util.h"

static const char *const kind_names[_PT_AN_MAX] = {
	[PT_AN_CONFLICT] = "conflict", [PT_AN_DEGRADED] = "degraded",
	[PT_AN_INVALID_FREE] = "invalid-free", [PT_AN_LEAK] = "leak",
	[PT_AN_DRIFT] = "drift", [PT_AN_LOSS] = "loss",
};

DEFINE_STRING_TABLE_LOOKUP(pt_anomaly_kind_name, pt_anomaly_kind_from_string,
			   enum pt_anomaly_kind, kind_names)

/* PT_SEV_NONE has no name: only a degraded mapping has a severity. */
static const char *const severity_names[] = {
	[PT_SEV_SLOW] = "slow",
	[PT_SEV_HAZARD] = "hazard",
};

DEFINE_STRING_TABLE_TO_STRING(pt_severity_name, enum pt_severity, severity_names)

/* A bounded appender: never overflows, always terminated. */
struct out {
	char *buf;
	size_t size, len;
};

_printf_(2, 3) static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

static const char *tname(int type)
{
	const char *n = pt_type_name(type);

	return n ? n : "?";
}

static void put_owner(struct out *o, const struct pt_model *m, int32_t pid, uint32_t comm)
{
	const char *c = pt_strtab_get(pt_model_strings_const(m), comm);

	if (pid > 0)
		put(o, "pid %d (%s)", pid, *c ? c : "?");
	else
		put(o, "a mapping made before tracing began");
}

static void put_parties(struct out *o, const struct pt_model *m, const struct pt_anomaly *a)
{
	for (unsigned i = 0; i < a->n_parties; i++) {
		const struct pt_party *p = &a->party[i];

		put(o, "%s0x%llx-0x%llx %s held by ", i ? ", " : "",
		    (unsigned long long)p->start, (unsigned long long)p->end, tname(p->type));
		put_owner(o, m, p->pid, p->comm);
	}
	if (a->n_overlap > a->n_parties || a->overlap_more)
		put(o, " and %s%u more", a->overlap_more ? "at least " : "",
		    a->n_overlap - a->n_parties);
}

static const char *errno_name(int ret)
{
	switch (ret) {
	case 0:
		return "0";
	case -EINVAL:
		return "-EINVAL";
	case -EBUSY:
		return "-EBUSY";
	case -ENOMEM:
		return "-ENOMEM";
	default:
		return NULL;
	}
}

static void put_ret(struct out *o, int ret, int got)
{
	const char *n = errno_name(ret);

	if (n)
		put(o, "%s", n);
	else
		put(o, "%d", ret);
	if (ret == 0 && got != PT_TYPE_NONE)
		put(o, " granting %s", tname(got));
}

/*
 * "e1000 (0000:00:03.0) unbound; its uncached-minus ioremap of BAR0
 * 0xfebc0000-0xfebe0000 is still reserved", or "module leaky unloaded;
 * its ... 0x...-0x... (BAR2 of 0000:00:05.0) is still reserved".
 */
static void put_driver_leak(struct out *o, const struct pt_model *m, const struct pt_anomaly *a,
			    const struct pt_driver_leak *l)
{
	const struct pt_strtab *t = pt_model_strings_const(m);
	const char *stack = pt_strtab_get(t, a->stack);
	const char *call = pt_owner_call(stack, strlen(stack));
	const char *module = pt_strtab_get(t, l->module);
	const char *driver = pt_strtab_get(t, l->driver);
	unsigned long long s = a->start, e = a->end;
	struct pt_device_info d;

	if (l->unloaded) {
		put(o, "module %s unloaded; its %s %s 0x%llx-0x%llx", driver, tname(a->type), call, s,
		    e);
		if (pt_model_device_at(m, a->start, a->end, &d))
			put(o, " (BAR%d of %s)", d.bar, d.device);
	} else {
		put(o, "%s (%s) unbound; its %s %s of BAR%d 0x%llx-0x%llx", driver,
		    pt_strtab_get(t, l->device), tname(a->type), call, l->bar, s, e);
		if (strcmp(module, driver) != 0)
			put(o, " (made by %s)", module);
	}
	put(o, " is still reserved");
}

char *pt_anomaly_explain(const struct pt_model *m, const struct pt_anomaly *a,
			 char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	unsigned long long s = a->start, e = a->end;

	if (size)
		buf[0] = '\0';

	switch (a->kind) {
	case PT_AN_CONFLICT:
		if (a->req != PT_TYPE_NONE)
			put(&o, "%s request for 0x%llx-0x%llx refused", tname(a->req), s, e);
		else
			put(&o, "reserve of 0x%llx-0x%llx refused", s, e);
		if (a->n_parties) {
			put(&o, ": it overlaps ");
			put_parties(&o, m, a);
		}
		break;
	case PT_AN_DEGRADED:
		put(&o, "%s requested for 0x%llx-0x%llx, %s granted", tname(a->req), s, e,
		    tname(a->got));
		if (a->n_parties) {
			put(&o, " because of ");
			put_parties(&o, m, a);
		} else if (a->req == PATTRACK_TYPE_WB && a->got == PATTRACK_TYPE_UC_MINUS) {
			put(&o, " because the MTRRs say the range is not write-back");
		}
		if (a->severity == PT_SEV_HAZARD)
			put(&o, "; hazard: the mapping is %s where %s was asked",
			    a->got == PATTRACK_TYPE_WC ? "write-combined" : "cached",
			    a->req == PATTRACK_TYPE_WC ? "write-combining" : "uncached");
		else
			put(&o, "; slow: the mapping is more strongly uncached than asked");
		break;
	case PT_AN_INVALID_FREE:
		put(&o, "free of 0x%llx-0x%llx matched no reservation", s, e);
		if (a->n_parties) {
			put(&o, "; it lies within ");
			put_parties(&o, m, a);
			put(&o, ", as after a partial munmap: what is left of that reservation may leak");
		}
		break;
	case PT_AN_LEAK:
		if (pt_model_driver_leak(m, a)) {
			put_driver_leak(&o, m, a, pt_model_driver_leak(m, a));
			break;
		}
		put(&o, "0x%llx-0x%llx %s reserved by ", s, e, tname(a->type));
		put_owner(&o, m, a->pid, a->comm);
		put(&o, " is still reserved after the process exited");
		if (a->shrunk)
			put(&o, " (the part left after a partial unmap)");
		break;
	case PT_AN_DRIFT:
		if (a->event == PT_EV_SYNC_END && a->kernel_only) {
			put(&o, "the kernel's list holds 0x%llx-0x%llx %s, which the model lacked; "
				"the model took it over, owner unknown", s, e, tname(a->type));
			break;
		}
		if (a->event == PT_EV_SYNC_END) {
			put(&o, "the model held 0x%llx-0x%llx %s reserved by ", s, e, tname(a->type));
			put_owner(&o, m, a->pid, a->comm);
			put(&o, ", which the kernel's list lacks; the model dropped it");
			break;
		}
		put(&o, "kernel and model disagree on %s of 0x%llx-0x%llx: kernel returned ",
		    a->event == PT_EV_FREE ? "free" : "reserve", s, e);
		put_ret(&o, a->ret, a->got);
		put(&o, ", model predicted ");
		put_ret(&o, a->pred_ret, a->event == PT_EV_FREE ? PT_TYPE_NONE : a->pred_got);
		break;
	case PT_AN_LOSS:
		put(&o, "%llu events lost: the source fell behind the kernel, so anomalies in "
			"that gap are unknown", (unsigned long long)a->lost);
		if (a->resynced)
			put(&o, "; the table was resynchronised from the kernel's list "
				"(%u entries added with owners unknown, %u dropped)", a->added, a->removed);
		else
			put(&o, "; the table could not be resynchronised and may be wrong");
		if (a->excused)
			put(&o, "; %u disagreements over the events around it are put down to it",
			    a->excused);
		break;
	default:
		put(&o, "unknown anomaly");
	}
	if (a->note)
		put(&o, " (%s)", pt_strtab_get(pt_model_strings_const(m), a->note));
	if (a->repeats)
		put(&o, "; the same again %u more time%s", a->repeats, a->repeats > 1 ? "s" : "");
	/* the buffer may have cut a name's last character in two */
	if (size)
		buf[pt_safe_trim(buf, strlen(buf))] = '\0';
	return buf;
}
