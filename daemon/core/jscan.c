// SPDX-License-Identifier: GPL-2.0-or-later
#include "jscan.h"

#include <string.h>

#define MAX_DEPTH 64

void jscan_init(struct jscan *s, char *buf, size_t len)
{
	*s = (struct jscan){ .p = buf, .end = buf + len };
}

static bool fail(struct jscan *s, const char *why)
{
	if (!s->error)
		s->error = why;
	return false;
}

static void skip_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

enum jtype jscan_peek(struct jscan *s)
{
	if (s->error)
		return J_ERROR;
	skip_ws(s);
	if (s->p >= s->end)
		return J_ERROR;
	switch (*s->p) {
	case '"':
		return J_STRING;
	case '{':
		return J_OBJECT;
	case '[':
		return J_ARRAY;
	case 't':
		return J_TRUE;
	case 'f':
		return J_FALSE;
	case 'n':
		return J_NULL;
	case '-':
	case '0' ... '9':
		return J_NUMBER;
	default:
		return J_ERROR;
	}
}

bool jscan_at_end(struct jscan *s)
{
	skip_ws(s);
	return !s->error && s->p == s->end;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(struct jscan *s, unsigned *ret)
{
	unsigned v = 0;

	if (s->end - s->p < 4)
		return fail(s, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		int h = hexval(s->p[i]);

		if (h < 0)
			return fail(s, "bad \\u escape");
		v = v << 4 | (unsigned)h;
	}
	s->p += 4;
	*ret = v;
	return true;
}

static char *put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | cp >> 6);
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | cp >> 12);
		*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | cp >> 18);
		*w++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*w++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* Decodes in place: the writer never overtakes the reader. */
bool jscan_string(struct jscan *s, const char **str, size_t *len)
{
	char *w, *start;

	if (jscan_peek(s) != J_STRING)
		return fail(s, "expected a string");
	start = w = ++s->p;
	for (;;) {
		char *q = s->p;

		/* fast path: a run with nothing to decode */
		while (q < s->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		if (w != s->p)
			memmove(w, s->p, (size_t)(q - s->p));
		w += q - s->p;
		s->p = q;
		if (s->p >= s->end)
			return fail(s, "unterminated string");
		if (*s->p == '"')
			break;
		if ((unsigned char)*s->p < 0x20)
			return fail(s, "control character in string");
		/* backslash */
		if (++s->p >= s->end)
			return fail(s, "unterminated string");
		switch (*s->p++) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '/': *w++ = '/'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (!read_hex4(s, &cp))
				return false;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
					return fail(s, "unpaired surrogate");
				s->p += 2;
				if (!read_hex4(s, &lo))
					return false;
				if (lo < 0xdc00 || lo >= 0xe000)
					return fail(s, "unpaired surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				return fail(s, "unpaired surrogate");
			}
			/* \uXXXX is 6 bytes and yields at most 4: still behind the reader */
			w = put_utf8(w, cp);
			break;
		}
		default:
			return fail(s, "bad escape in string");
		}
	}
	s->p++;	/* closing quote */
	*str = start;
	*len = (size_t)(w - start);
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool jscan_number(struct jscan *s, struct jnumber *n)
{
	*n = (struct jnumber){ .is_integer = true };
	if (jscan_peek(s) != J_NUMBER)
		return fail(s, "expected a number");
	if (*s->p == '-') {
		n->negative = true;
		s->p++;
	}
	if (s->p >= s->end || !is_digit(*s->p))
		return fail(s, "bad number");
	if (*s->p == '0' && s->p + 1 < s->end && is_digit(s->p[1]))
		return fail(s, "leading zero in number");
	for (; s->p < s->end && is_digit(*s->p); s->p++) {
		unsigned d = (unsigned)(*s->p - '0');

		if (n->magnitude > (UINT64_MAX - d) / 10)
			n->overflow = true;
		n->magnitude = n->magnitude * 10 + d;
	}
	if (s->p < s->end && *s->p == '.') {
		n->is_integer = false;
		s->p++;
		if (s->p >= s->end || !is_digit(*s->p))
			return fail(s, "bad fraction");
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		n->is_integer = false;
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (s->p >= s->end || !is_digit(*s->p))
			return fail(s, "bad exponent");
		while (s->p < s->end && is_digit(*s->p))
			s->p++;
	}
	return true;
}

bool jscan_literal(struct jscan *s)
{
	static const char *const words[] = { "true", "false", "null" };

	skip_ws(s);
	for (size_t i = 0; i < 3; i++) {
		size_t l = strlen(words[i]);

		if ((size_t)(s->end - s->p) >= l && memcmp(s->p, words[i], l) == 0) {
			s->p += l;
			return true;
		}
	}
	return fail(s, "bad literal");
}

bool jscan_enter(struct jscan *s, char open)
{
	skip_ws(s);
	if (s->p >= s->end || *s->p != open)
		return fail(s, open == '{' ? "expected an object" : "expected an array");
	if (++s->depth > MAX_DEPTH)
		return fail(s, "nested too deeply");
	s->p++;
	skip_ws(s);
	/* mark "first member pending" by leaving p at the member or the closer */
	return true;
}

/*
 * Both iterators accept a ',' before every member but the first; they know
 * which is the first by looking back at the last non-blank character.
 */
static bool after_opener(const struct jscan *s, char open)
{
	const char *q = s->p - 1;

	while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
		q--;
	return *q == open;
}

static bool next_member(struct jscan *s, char open, char close)
{
	if (s->error)
		return false;
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, "truncated");
	if (*s->p == close) {
		s->p++;
		s->depth--;
		return false;
	}
	if (!after_opener(s, open)) {
		if (*s->p != ',')
			return fail(s, "expected ',' between members");
		s->p++;
		skip_ws(s);
		if (s->p < s->end && *s->p == close)
			return fail(s, "trailing comma");
	}
	return true;
}

bool jscan_next_key(struct jscan *s, const char **key, size_t *len)
{
	if (!next_member(s, '{', '}'))
		return false;
	if (!jscan_string(s, key, len))
		return false;
	skip_ws(s);
	if (s->p >= s->end || *s->p != ':')
		return fail(s, "expected ':' after key");
	s->p++;
	return true;
}

bool jscan_next_item(struct jscan *s)
{
	return next_member(s, '[', ']');
}

bool jscan_skip(struct jscan *s)
{
	const char *str;
	size_t len;
	struct jnumber n;

	switch (jscan_peek(s)) {
	case J_STRING:
		return jscan_string(s, &str, &len);
	case J_NUMBER:
		return jscan_number(s, &n);
	case J_TRUE:
	case J_FALSE:
	case J_NULL:
		return jscan_literal(s);
	case J_OBJECT:
		if (!jscan_enter(s, '{'))
			return false;
		while (jscan_next_key(s, &str, &len))
			if (!jscan_skip(s))
				return false;
		return !s->error;
	case J_ARRAY:
		if (!jscan_enter(s, '['))
			return false;
		while (jscan_next_item(s))
			if (!jscan_skip(s))
				return false;
		return !s->error;
	default:
		return fail(s, s->p >= s->end ? "truncated" : "unexpected character");
	}
}
