// SPDX-License-Identifier: GPL-2.0-or-later
#include "cursor.h"

#include <string.h>

#include "memtype.h"

bool cursor_lit(struct cursor *c, const char *lit)
{
	size_t l = strlen(lit);

	if ((size_t)(c->end - c->p) < l || memcmp(c->p, lit, l) != 0)
		return false;
	c->p += l;
	return true;
}

void cursor_spaces(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

static int hexdigit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool cursor_hex(struct cursor *c, uint64_t *ret)
{
	uint64_t v = 0;
	int n = 0, d;

	if (c->end - c->p > 2 && c->p[0] == '0' && (c->p[1] == 'x' || c->p[1] == 'X') &&
	    hexdigit(c->p[2]) >= 0)
		c->p += 2;
	while (c->p < c->end && (d = hexdigit(*c->p)) >= 0) {
		if (++n > 16)
			return false;
		v = v << 4 | (uint64_t)d;
		c->p++;
	}
	if (n == 0)
		return false;
	*ret = v;
	return true;
}

bool cursor_dec(struct cursor *c, uint64_t *ret)
{
	uint64_t v = 0;
	int n = 0;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		c->p++;
		n++;
	}
	if (n == 0)
		return false;
	*ret = v;
	return true;
}

bool cursor_type(struct cursor *c, int *ret)
{
	const char *s = c->p;
	int t;

	while (c->p < c->end && ((*c->p >= 'a' && *c->p <= 'z') || *c->p == '-'))
		c->p++;
	t = pt_type_from_kernel_name(s, (size_t)(c->p - s));
	if (t < 0) {
		c->p = s;
		return false;
	}
	*ret = t;
	return true;
}

bool cursor_at_end(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
	return c->p == c->end;
}
