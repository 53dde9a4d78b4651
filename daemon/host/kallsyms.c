// SPDX-License-Identifier: GPL-2.0-or-later
/* Kernel addresses to names, from /proc/kallsyms. */
#include <inttypes.h>

#include "core/util.h"
#include "kallsyms.h"

/* No kernel function is this long: farther from a symbol, an address has no name. */
#define MAX_FUNCTION_SIZE 0x100000

struct sym {
	uint64_t addr;
	const char *name;	/* "name" or "name [module]" */
};

struct pt_kallsyms {
	struct sym *sym;
	size_t n;
	char *text;
};

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int pt_kallsyms_load(const char *path, struct pt_kallsyms **ret)
{
	struct pt_kallsyms *k;
	size_t cap = 0;
	char *line, *next;
	int r;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	r = read_full_file(path, &k->text, NULL);
	if (r < 0) {
		free(k);
		return r;
	}
	/* "ffffffff81000000 T _stext" or "... t name\t[module]"; text symbols only */
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
		if (GROW_ARRAY(k->sym, cap, k->n + 1, 65536) < 0) {
			pt_kallsyms_free(k);
			return -ENOMEM;
		}
		k->sym[k->n++] = (struct sym){ addr, name };
	}
	if (k->n == 0) {
		/* every address reads 0: kptr_restrict, or not root */
		pt_kallsyms_free(k);
		return -EPERM;
	}
	qsort(k->sym, k->n, sizeof(*k->sym), by_addr);
	*ret = k;
	return 0;
}

void pt_kallsyms_free(struct pt_kallsyms *k)
{
	if (!k)
		return;
	free(k->sym);
	free(k->text);
	free(k);
}

/* The symbol @addr lies in: the last at or below it, unless that is too far away. */
static const struct sym *symbol_of(const struct pt_kallsyms *k, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!k || !k->n || addr < k->sym[0].addr)
		return NULL;
	for (hi = k->n; hi - lo > 1;) {
		size_t mid = (lo + hi) / 2;

		if (k->sym[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* past the end of the last function (BPF programs, say): no name */
	return addr - k->sym[lo].addr > MAX_FUNCTION_SIZE ? NULL : &k->sym[lo];
}

size_t pt_kallsyms_format(const struct pt_kallsyms *k, const uint64_t *addr, size_t n,
			  char *buf, size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct sym *s = symbol_of(k, addr[i]);
		int w;

		if (s) {
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
