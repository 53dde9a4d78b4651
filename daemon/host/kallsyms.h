/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Kernel symbols, to name the frames of a stack: /proc/kallsyms for the
 * symbols and /proc/modules for where each loaded module lies.  A module
 * loaded after the symbols were read is not in them; an address outside the
 * kernel's own text that no known module covers makes both be read again
 * (at once the first time, then at most once a second), so its frames are
 * named once the module is there.
 */

#include <stddef.h>
#include <stdint.h>

#define PT_KALLSYMS "/proc/kallsyms"
#define PT_MODULES "/proc/modules"

struct pt_kallsyms;

/* /proc/kallsyms and /proc/modules; -EPERM when every address reads 0 (not root). */
int pt_kallsyms_load(struct pt_kallsyms **ret);

/* The same from other files; @modules may be NULL or missing (no module support). */
int pt_kallsyms_load_from(const char *kallsyms, const char *modules, struct pt_kallsyms **ret);

void pt_kallsyms_free(struct pt_kallsyms *k);

/* The least time between two rereads of the files, in milliseconds (1000; tests set 0). */
void pt_kallsyms_set_reread_interval(struct pt_kallsyms *k, unsigned ms);

/* How often the files were read again since they were loaded. */
unsigned pt_kallsyms_rereads(const struct pt_kallsyms *k);

/*
 * The kernel said module @name was loaded with its code at [start, end)
 * (a source's load event), or unloaded.  Until it is unloaded, an address
 * there is that module's, whatever the files said when last read: named by
 * one of its symbols, or else printed "0x... [name]".  Either makes the
 * next stack wait for a fresh read of the files, whatever the interval, so
 * that no address is named after a module that left its place to another.
 * @k may be NULL; @start == @end announces no range.  0 or -ENOMEM.
 */
int pt_kallsyms_module_loaded(struct pt_kallsyms *k, const char *name, uint64_t start,
			      uint64_t end);
void pt_kallsyms_module_unloaded(struct pt_kallsyms *k, const char *name);

/*
 * Formats @n addresses as "symbol+0xoff" (with " [module]" for module
 * code), one per line, into @buf; returns the length.  An address is named
 * only by a symbol of the code it lies in: a symbol of the module whose
 * extent holds it, a core kernel symbol less than a function's size below
 * it, or a tracer's own code ([bpf], [__builtin__ftrace]) less than a page
 * below it.  In an announced module without a symbol known there it is
 * "0x... [module]"; any other address is printed as it is.  @k may be NULL.
 */
size_t pt_kallsyms_format(struct pt_kallsyms *k, const uint64_t *addr, size_t n, char *buf,
			  size_t size);
