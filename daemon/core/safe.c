// SPDX-License-Identifier: GPL-2.0-or-later
#include "safe.h"

#include <stdint.h>
#include <string.h>

static const size_t limit[_PT_STR_MAX] = {
	[PT_STR_COMM] = PT_COMM_MAX,
	[PT_STR_NAME] = PT_NAME_MAX,
	[PT_STR_TEXT] = PT_TEXT_MAX,
	[PT_STR_STACK] = PT_STACK_MAX,
};

static bool is_lower_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

size_t pt_safe_limit(enum pt_str_kind kind)
{
	return (size_t)kind < _PT_STR_MAX ? limit[kind] : PT_COMM_MAX;
}

/*
 * The length of the printable character that starts @s (of @n bytes), or 0
 * when it starts with a control character or a byte outside a valid UTF-8
 * sequence (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF).  The line and paragraph separators U+2028 and U+2029 end a
 * line for some readers: they count as control characters.
 */
static size_t printable_char(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	k = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < k)
		return 0;
	cp = s[0] & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0xa0) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff || cp == 0x2028 || cp == 0x2029)
		return 0;
	return k;
}

/* The text \xHH, which stands for one byte: what the rule wrote once counts as it did. */
static bool is_escape(const unsigned char *s, size_t n)
{
	return n >= 4 && s[0] == '\\' && s[1] == 'x' && is_lower_hex(s[2]) && is_lower_hex(s[3]);
}

/*
 * One step of the rule at @s (@n bytes left): how many bytes it takes
 * (*ret_take), how many of the kind's bound they use (*ret_cost), and
 * whether they are kept as they are.
 */
static bool step(const unsigned char *s, size_t n, size_t *ret_take, size_t *ret_cost)
{
	size_t k;

	if (is_escape(s, n)) {
		*ret_take = 4;
		*ret_cost = 1;
		return true;
	}
	k = printable_char(s, n);
	*ret_take = *ret_cost = k ? k : 1;
	return k;
}

size_t pt_safe_trim(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t lead = len, back = 0;

	while (lead && back < 4 && (u[lead - 1] & 0xc0) == 0x80) {
		lead--;
		back++;
	}
	if (!lead || u[lead - 1] < 0xc0)
		return len;	/* ASCII at the end, or continuation bytes without a lead */
	lead--;
	return printable_char(u + lead, len - lead) ? len : lead;
}

bool pt_safe_is_clean(const char *s, size_t len, enum pt_str_kind kind)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t max = pt_safe_limit(kind), used = 0, frames = 1, take, cost, i = 0;

	/* the common case first: printable ASCII but for the backslash, and newlines in a stack */
	for (; i < len && i < max; i++) {
		if (u[i] >= 0x20 && u[i] < 0x7f && u[i] != '\\')
			continue;
		if (u[i] != '\n' || kind != PT_STR_STACK)
			break;
		if (++frames > PT_STACK_FRAMES_MAX)
			return false;
	}
	if (i == len)
		return true;
	used = i;
	for (; i < len; i += take) {
		if (u[i] == '\n' && kind == PT_STR_STACK) {
			if (++frames > PT_STACK_FRAMES_MAX)
				return false;
			take = cost = 1;
		} else if (!step(u + i, len - i, &take, &cost)) {
			return false;
		}
		used += cost;
		if (used > max)
			return false;
	}
	return true;
}

size_t pt_safe_escape(const char *s, size_t len, enum pt_str_kind kind, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t max = pt_safe_limit(kind), used = 0, frames = 1, w = 0, take, cost;
	bool cut = false;

	for (size_t i = 0; i < len; i += take, used += cost) {
		bool keep;

		if (u[i] == '\n' && kind == PT_STR_STACK) {
			if (++frames > PT_STACK_FRAMES_MAX)
				break;
			keep = true;
			take = cost = 1;
		} else {
			keep = step(u + i, len - i, &take, &cost);
		}
		if (used + cost > max) {
			cut = true;
			break;
		}
		if (keep) {
			memcpy(out + w, u + i, take);
			w += take;
		} else {
			out[w++] = '\\';
			out[w++] = 'x';
			out[w++] = hex[u[i] >> 4];
			out[w++] = hex[u[i] & 0xf];
		}
	}
	/* a stack cut inside a frame loses that frame: half a symbol names nothing */
	if (cut && kind == PT_STR_STACK) {
		while (w && out[w - 1] != '\n')
			w--;
		if (w)
			w--;
	}
	out[w] = '\0';
	return w;
}
