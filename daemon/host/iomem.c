// SPDX-License-Identifier: GPL-2.0-or-later
/* The physical resource map: /proc/iomem. */
#include "core/util.h"
#include "core/cursor.h"
#include "core/safe.h"
#include "iomem.h"

void pt_iomem_done(struct pt_iomem *io)
{
	for (size_t i = 0; i < io->n; i++)
		free(io->res[i].name);
	free(io->res);
	*io = (struct pt_iomem){ 0 };
}

/* "  00001000-0009fbff : System RAM": two spaces per level, inclusive end. */
static int parse_line(const char *line, size_t len, struct pt_resource *res)
{
	struct cursor c = cursor_make(line, len);
	uint64_t start, last;
	unsigned spaces = 0;
	const char *name;

	while (c.p < c.end && *c.p == ' ') {
		c.p++;
		spaces++;
	}
	if (!cursor_hex(&c, &start) || !cursor_lit(&c, "-") || !cursor_hex(&c, &last) ||
	    !cursor_lit(&c, " : ") || last < start)
		return -EBADMSG;
	name = c.p;
	while (c.end > name && (c.end[-1] == '\n' || c.end[-1] == '\r'))
		c.end--;
	res->start = start;
	res->end = last == UINT64_MAX ? UINT64_MAX : last + 1;
	res->depth = spaces / 2;
	/* a driver names its resource: by the string rule, as every name that goes out */
	res->name = malloc(PT_SAFE_SIZE(PT_NAME_MAX));
	if (!res->name)
		return -ENOMEM;
	pt_safe_escape(name, (size_t)(c.end - name), PT_STR_NAME, res->name);
	return 0;
}

int pt_iomem_parse(const char *text, struct pt_iomem *ret)
{
	struct pt_iomem io = { 0 };
	size_t cap = 0;
	const char *line, *next, *end = text + strlen(text);
	int r;

	for (line = text; line < end; line = next) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = (size_t)((nl ? nl : end) - line);

		next = nl ? nl + 1 : end;
		if (len == 0)
			continue;
		if (GROW_ARRAY(io.res, cap, io.n + 1, 64) < 0) {
			pt_iomem_done(&io);
			return -ENOMEM;
		}
		r = parse_line(line, len, &io.res[io.n]);
		if (r < 0) {
			pt_iomem_done(&io);
			return r;
		}
		io.n++;
	}
	*ret = io;
	return 0;
}

int pt_iomem_read(const char *path, struct pt_iomem *ret)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = read_full_file(path, &text, NULL);
	if (r < 0)
		return r;
	return pt_iomem_parse(text, ret);
}

bool pt_iomem_is_censored(const struct pt_iomem *io)
{
	for (size_t i = 0; i < io->n; i++)
		if (io->res[i].start || io->res[i].end != 1)
			return false;
	return io->n > 0;
}

int pt_iomem_load_ram(struct pt_model *m, const struct pt_iomem *io)
{
	for (size_t i = 0; i < io->n; i++) {
		struct pt_event ev = {
			.kind = PT_EV_RAM,
			.start = io->res[i].start,
			.end = io->res[i].end,
		};
		int r;

		if (!pt_resource_is_ram(&io->res[i]))
			continue;
		r = pt_model_apply(m, &ev);
		if (r < 0)
			return r;
	}
	return 0;
}

static bool is_bus_window(const char *name)
{
	return strncmp(name, "PCI Bus ", 8) == 0;
}

char *pt_iomem_describe(const struct pt_iomem *io, uint64_t start, uint64_t end,
			char *buf, size_t size)
{
	const struct pt_resource *best = NULL;
	size_t len = 0;

	buf[0] = '\0';
	/* Parents come before children, so the last match is the deepest. */
	for (size_t i = 0; i < io->n; i++) {
		const struct pt_resource *r = &io->res[i];

		if (r->start <= start && end <= r->end &&
		    (!best || !is_bus_window(r->name) || is_bus_window(best->name)))
			best = r;
	}
	if (best) {
		snprintf(buf, size, "%s", best->name);
		return buf;
	}
	for (size_t i = 0; i < io->n; i++) {
		const struct pt_resource *r = &io->res[i];
		int n;

		if (r->depth != 0 || r->end <= start || r->start >= end)
			continue;
		n = snprintf(buf + len, size - len, "%s%s", len ? " + " : "", r->name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	return buf;
}
