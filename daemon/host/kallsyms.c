// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel addresses to names, from /proc/kallsyms and /proc/modules. */
#include <inttypes.h>

#include "core/util.h"
#include "kallsyms.h"

/* No kernel function is this long: farther from a symbol, an address has no name. */
#define MAX_FUNCTION_SIZE 0x100000
/* A tracer's own code (a BPF program, an ftrace trampoline) is this small. */
#define MAX_TRAMPOLINE_SIZE 0x1000
/* A module's last function ends this close to its last symbol. */
#define MODULE_TAIL 0x10000

struct sym {
	uint64_t addr;
	const char *name;	/* "name" or "name [module]" */
};

struct module {
	uint64_t start, end;	/* [start, end) */
	char name[64];
};

/* What one read of the two files gives. */
struct table {
	struct sym *sym;	/* by address */
	size_t n;
	char *text;		/* the names point into it */
	uint64_t core_start, core_end;	/* the kernel's own text: its first and last symbol */
	struct module *mod;
	size_t n_mod;
};

struct pt_kallsyms {
	char *kallsyms_path, *modules_path;
	struct table t;
	uint64_t reread_ns;	/* CLOCK_MONOTONIC at the last reread, 0: none yet */
	unsigned reread_ms, rereads;
	bool stale;		/* a module came or went: read again before naming */
	struct module *live;	/* the modules the kernel announced, loaded and not yet gone */
	size_t n_live, cap_live;
};

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* "ffffffff81000000 T _stext" or "... t name\t[module]"; text symbols only */
static int read_symbols(struct table *k, const char *path)
{
	size_t cap = 0;
	char *line, *next;
	int r;

	r = read_full_file(path, &k->text, NULL);
	if (r < 0)
		return r;
	for (line = k->text; *line; line = next) {
		char *nl = strchr(line, '\n'), *end, *name;
		uint64_t addr;

		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		addr = strtoull(line, &end, 16);
		if (end == line || addr == 0 || end[0] != ' ' || !strchr("tTwW", end[1]) ||
		    end[2] != ' ')
			continue;
		name = end + 3;
		for (char *tab = strchr(name, '\t'); tab; tab = strchr(tab, '\t'))
			*tab = ' ';
		if (GROW_ARRAY(k->sym, cap, k->n + 1, 65536) < 0)
			return -ENOMEM;
		k->sym[k->n++] = (struct sym){ addr, name };
	}
	if (k->n == 0)
		return -EPERM;	/* every address reads 0: kptr_restrict, or not root */
	qsort(k->sym, k->n, sizeof(*k->sym), by_addr);
	/* the core kernel's symbols have no "[module]"; modules and tracers lie outside them */
	k->core_start = UINT64_MAX;
	for (size_t i = 0; i < k->n; i++)
		if (!strchr(k->sym[i].name, '[')) {
			if (k->core_start == UINT64_MAX)
				k->core_start = k->sym[i].addr;
			k->core_end = k->sym[i].addr + MAX_FUNCTION_SIZE;
		}
	return 0;
}

/* "e1000 155648 0 - Live 0xffffffffc0350000 (OE)": name, size, ..., base address */
static int read_modules(struct table *k, const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t cap = 0;
	int r;

	if (!path)
		return 0;
	r = read_full_file(path, &text, NULL);
	if (r == -ENOENT)
		return 0;	/* a kernel without modules */
	if (r < 0)
		return r;
	for (char *save, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct module m = { 0 };
		unsigned long long size, base;
		char name[64];

		if (sscanf(line, "%63s %llu %*s %*s %*s 0x%llx", name, &size, &base) != 3 || !base)
			continue;
		if (GROW_ARRAY(k->mod, cap, k->n_mod + 1, 64) < 0)
			return -ENOMEM;
		m.start = base;
		m.end = base + size;
		snprintf(m.name, sizeof(m.name), "%s", name);
		k->mod[k->n_mod++] = m;
	}
	return 0;
}

static void clamp_modules(struct table *k);

static void table_done(struct table *t)
{
	free(t->sym);
	free(t->text);
	free(t->mod);
	*t = (struct table){ 0 };
}

/* Both files into *ret, or nothing (and *ret untouched). */
static int table_read(const struct pt_kallsyms *k, struct table *ret)
{
	struct table t = { 0 };
	int r;

	r = read_symbols(&t, k->kallsyms_path);
	if (r >= 0)
		r = read_modules(&t, k->modules_path);
	if (r >= 0)
		clamp_modules(&t);
	if (r < 0) {
		table_done(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int pt_kallsyms_load_from(const char *kallsyms, const char *modules, struct pt_kallsyms **ret)
{
	struct pt_kallsyms *k;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->reread_ms = 1000;
	k->kallsyms_path = strdup(kallsyms);
	k->modules_path = modules ? strdup(modules) : NULL;
	r = !k->kallsyms_path || (modules && !k->modules_path) ? -ENOMEM : table_read(k, &k->t);
	if (r < 0) {
		pt_kallsyms_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

int pt_kallsyms_load(struct pt_kallsyms **ret)
{
	return pt_kallsyms_load_from(PT_KALLSYMS, PT_MODULES, ret);
}

void pt_kallsyms_free(struct pt_kallsyms *k)
{
	if (!k)
		return;
	table_done(&k->t);
	free(k->live);
	free(k->kallsyms_path);
	free(k->modules_path);
	free(k);
}

void pt_kallsyms_set_reread_interval(struct pt_kallsyms *k, unsigned ms)
{
	k->reread_ms = ms;
}

unsigned pt_kallsyms_rereads(const struct pt_kallsyms *k)
{
	return k->rereads;
}

int pt_kallsyms_module_loaded(struct pt_kallsyms *k, const char *name, uint64_t start,
			      uint64_t end)
{
	struct module *m;

	if (!k)
		return 0;
	k->stale = true;
	if (start >= end)
		return 0;
	pt_kallsyms_module_unloaded(k, name);	/* a name is loaded once at a time */
	k->stale = true;
	if (GROW_ARRAY(k->live, k->cap_live, k->n_live + 1, 8) < 0)
		return -ENOMEM;
	m = &k->live[k->n_live++];
	*m = (struct module){ .start = start, .end = end };
	snprintf(m->name, sizeof(m->name), "%s", name);
	return 0;
}

void pt_kallsyms_module_unloaded(struct pt_kallsyms *k, const char *name)
{
	if (!k)
		return;
	k->stale = true;
	for (size_t i = 0; i < k->n_live; i++)
		if (strcmp(k->live[i].name, name) == 0) {
			k->live[i] = k->live[--k->n_live];
			return;
		}
}

/* The announced module whose code holds @addr, or NULL. */
static const struct module *live_at(const struct pt_kallsyms *k, uint64_t addr)
{
	for (size_t i = 0; i < k->n_live; i++)
		if (k->live[i].start <= addr && addr < k->live[i].end)
			return &k->live[i];
	return NULL;
}

static const struct module *module_at(const struct table *k, uint64_t addr)
{
	for (size_t i = 0; i < k->n_mod; i++)
		if (k->mod[i].start <= addr && addr < k->mod[i].end)
			return &k->mod[i];
	return NULL;
}

/* "name [mod]": whether the symbol is of module @mod. */
static bool symbol_in(const struct sym *s, const char *mod)
{
	const char *b = strchr(s->name, '[');
	size_t len = strlen(mod);

	return b && strncmp(b + 1, mod, len) == 0 && b[1 + len] == ']';
}

/* The last symbol at or below @addr, or NULL. */
static const struct sym *nearest(const struct table *k, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!k->n || addr < k->sym[0].addr)
		return NULL;
	for (hi = k->n; hi - lo > 1;) {
		size_t mid = (lo + hi) / 2;

		if (k->sym[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return &k->sym[lo];
}

/*
 * /proc/modules sizes a module by its code and data and its init sections,
 * which lie elsewhere: past its own last symbol the extent may hold the
 * next module.  Each ends 64 KiB after its last symbol.
 */
static void clamp_modules(struct table *k)
{
	for (size_t i = 0; i < k->n_mod; i++) {
		struct module *m = &k->mod[i];
		const struct sym *s = nearest(k, m->end - 1);

		while (s && s > k->sym && s->addr >= m->start && !symbol_in(s, m->name))
			s--;
		if (s && s->addr >= m->start && symbol_in(s, m->name) && s->addr + MODULE_TAIL < m->end)
			m->end = s->addr + MODULE_TAIL;
	}
}

/*
 * The symbol @addr lies in, or NULL.  *unknown is set when @addr lies
 * outside the kernel's own text and nothing known covers it: a module
 * loaded since the files were read, most likely.
 */
static const struct sym *symbol_of(const struct table *k, uint64_t addr, bool *unknown)
{
	const struct sym *s = nearest(k, addr);
	const struct module *m;

	*unknown = false;
	if (addr >= k->core_start && addr < k->core_end)	/* modules lie outside */
		return s && addr - s->addr < MAX_FUNCTION_SIZE ? s : NULL;
	m = module_at(k, addr);
	if (m)	/* a loaded module's code: only its own symbols name it */
		return s && s->addr >= m->start && symbol_in(s, m->name) ? s : NULL;
	/* a tracer's own code, which /proc/modules does not list */
	if (s && strchr(s->name, '[') && !module_at(k, s->addr) && addr - s->addr < MAX_TRAMPOLINE_SIZE)
		return s;
	*unknown = true;
	return NULL;
}

/*
 * Reads the files again for an address nothing known covers: at once the
 * first time (a module loaded right after the first read), then at most
 * once an interval, so that an address no file will ever name costs one
 * read a second, not one a frame.
 */
static bool reread(struct pt_kallsyms *k)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);
	struct table fresh;

	if (!k->stale && k->reread_ns && now - k->reread_ns < (uint64_t)k->reread_ms * 1000000ULL)
		return false;
	k->reread_ns = now;
	k->stale = false;
	k->rereads++;
	if (table_read(k, &fresh) < 0)
		return false;	/* keep what was known */
	table_done(&k->t);
	k->t = fresh;
	return true;
}

size_t pt_kallsyms_format(struct pt_kallsyms *k, const uint64_t *addr, size_t n, char *buf,
			  size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct sym *s = NULL;
		bool unknown = false;
		int w;

		const struct module *live = NULL;

		if (k && k->stale)
			reread(k);
		if (k) {
			live = live_at(k, addr[i]);
			s = symbol_of(&k->t, addr[i], &unknown);
			if (unknown && reread(k))
				s = symbol_of(&k->t, addr[i], &unknown);
			/* the kernel said whose code this is: no other module's name will do */
			if (live && s && (!symbol_in(s, live->name) || s->addr < live->start))
				s = NULL;
		}
		if (!s && live) {
			w = snprintf(buf + len, size - len, "%s0x%" PRIx64 " [%s]", i ? "\n" : "",
				     addr[i], live->name);
		} else if (s) {
			const char *mod = strchr(s->name, ' ');
			int nlen = mod ? (int)(mod - s->name) : (int)strlen(s->name);

			w = snprintf(buf + len, size - len, "%s%.*s+0x%" PRIx64 "%s", i ? "\n" : "",
				     nlen, s->name, addr[i] - s->addr, mod ? mod : "");
		} else {
			w = snprintf(buf + len, size - len, "%s0x%" PRIx64, i ? "\n" : "", addr[i]);
		}
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
	return len;
}
