// SPDX-License-Identifier: GPL-2.0-or-later
/* A reservation's owner class, from the kernel functions on its call path. */
#include <string.h>

#include "owner.h"
#include "util.h"

static const char *const class_names[_PT_OWNER_MAX] = {
	[PT_OWNER_PROCESS] = "process", [PT_OWNER_DRIVER] = "driver", [PT_OWNER_UNKNOWN] = "unknown",
};

DEFINE_STRING_TABLE_TO_STRING(pt_owner_class_name, enum pt_owner_class, class_names)

/*
 * The functions that reserve for someone: nearest memtype_reserve() on the
 * stack, the first of these says for whom (docs/kernel-notes.md).
 */
static const struct path {
	const char *function;
	enum pt_owner_class owner;
	const char *call;	/* a driver's: the interface, as a person names it */
} paths[] = {
	/* user mappings: mmap of BAR files, /dev/mem, drivers' mmap; fork */
	{ "reserve_pfn_range", PT_OWNER_PROCESS, NULL },
	{ "track_pfn_remap", PT_OWNER_PROCESS, NULL },
	{ "track_pfn_copy", PT_OWNER_PROCESS, NULL },
	{ "track_pfn_insert", PT_OWNER_PROCESS, NULL },
	{ "pfnmap_track", PT_OWNER_PROCESS, NULL },
	{ "remap_pfn_range", PT_OWNER_PROCESS, NULL },
	{ "vmf_insert_pfn_prot", PT_OWNER_PROCESS, NULL },
	/* kernel mappings: the driver keeps them for as long as it is bound */
	{ "__ioremap_caller", PT_OWNER_DRIVER, "ioremap" },
	{ "ioremap_prot", PT_OWNER_DRIVER, "ioremap" },
	{ "memremap", PT_OWNER_DRIVER, "memremap" },
	{ "arch_io_reserve_memtype_wc", PT_OWNER_DRIVER, "memtype reservation" },
	{ "io_reserve_memtype_wc", PT_OWNER_DRIVER, "memtype reservation" },
	{ "io_mapping_create_wc", PT_OWNER_DRIVER, "io_mapping" },
	{ "set_memory_wc", PT_OWNER_DRIVER, "set_memory_wc" },
	{ "set_memory_uc", PT_OWNER_DRIVER, "set_memory_uc" },
	{ "_set_memory_wc", PT_OWNER_DRIVER, "set_memory_wc" },
	{ "_set_memory_uc", PT_OWNER_DRIVER, "set_memory_uc" },
};

/* Each frame of @stack in turn: *fn the function's name, *mod its "[module]" or NULL. */
struct frame_cursor {
	const char *p, *end;
};

static bool next_frame(struct frame_cursor *c, const char **fn, size_t *fn_len, const char **mod,
		       size_t *mod_len)
{
	const char *nl, *plus, *bracket;

	if (c->p >= c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl)
		nl = c->end;
	plus = memchr(c->p, '+', (size_t)(nl - c->p));
	bracket = memchr(c->p, '[', (size_t)(nl - c->p));
	*fn = c->p;
	*fn_len = (size_t)((plus ? plus : nl) - c->p);
	*mod = bracket ? bracket + 1 : NULL;
	*mod_len = bracket ? (size_t)(nl - bracket - 1) - (nl[-1] == ']') : 0;
	c->p = nl < c->end ? nl + 1 : c->end;
	return true;
}

/* The first frame of @stack that is a known path, or NULL. */
static const struct path *find_path(const char *stack, size_t len)
{
	struct frame_cursor c = { stack, stack + len };
	const char *fn, *mod;
	size_t fn_len, mod_len;

	while (stack && next_frame(&c, &fn, &fn_len, &mod, &mod_len))
		for (size_t i = 0; i < ELEMENTSOF(paths); i++)
			if (strlen(paths[i].function) == fn_len &&
			    memcmp(paths[i].function, fn, fn_len) == 0)
				return &paths[i];
	return NULL;
}

enum pt_owner_class pt_owner_classify(const char *stack, size_t len)
{
	const struct path *p;

	if (!stack || !len)
		return PT_OWNER_UNKNOWN;
	p = find_path(stack, len);
	return p ? p->owner : PT_OWNER_PROCESS;
}

const char *pt_owner_call(const char *stack, size_t len)
{
	const struct path *p = find_path(stack, len);

	return p && p->call ? p->call : "reservation";
}

char *pt_owner_driver(const char *stack, size_t len, char *buf, size_t size)
{
	struct frame_cursor c = { stack, stack + len };
	const char *fn, *mod;
	size_t fn_len, mod_len;

	while (stack && next_frame(&c, &fn, &fn_len, &mod, &mod_len)) {
		/* a tracer's own code ([bpf], [__builtin__ftrace]) is no driver */
		if (!mod || !mod_len || (mod_len == 3 && memcmp(mod, "bpf", 3) == 0) ||
		    (mod_len > 11 && memcmp(mod, "__builtin__", 11) == 0))
			continue;
		return strscpy_trunc(buf, size, mod, mod_len);
	}
	return strscpy_trunc(buf, size, "built-in", 8);
}
