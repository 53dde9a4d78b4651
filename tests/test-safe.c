// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The string rule (safe.h): what it keeps, what it escapes, where it cuts;
 * and, over random bytes, the rule against a brute-force reference built on
 * the C library's own UTF-8 decoder.
 */
#include "check-main.h"
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "core/safe.h"
#include "core/strtab.h"

static char out[PT_SAFE_SIZE(PT_STACK_MAX)];

static const char *esc(const char *s, size_t len, enum pt_str_kind kind)
{
	pt_safe_escape(s, len, kind, out);
	return out;
}

#define ESC(lit, kind) esc((lit), sizeof(lit) - 1, (kind))

START_TEST(test_cases)
{
	ck_assert_str_eq(ESC("Xorg", PT_STR_COMM), "Xorg");
	ck_assert_str_eq(ESC("kworker/0:1H", PT_STR_COMM), "kworker/0:1H");
	ck_assert_str_eq(ESC("a\nPAT: [mem", PT_STR_COMM), "a\\x0aPAT: [mem");
	ck_assert_str_eq(ESC("a\0b", PT_STR_COMM), "a\\x00b");
	ck_assert_str_eq(ESC("\xff\xfe", PT_STR_COMM), "\\xff\\xfe");
	ck_assert_str_eq(ESC("caf\xc3\xa9", PT_STR_COMM), "caf\xc3\xa9");
	ck_assert_str_eq(ESC("\xe2\x82\xac", PT_STR_COMM), "\xe2\x82\xac");	/* U+20AC */
	ck_assert_str_eq(ESC("\xc2\x85", PT_STR_COMM), "\\xc2\\x85");		/* U+0085, a C1 control */
	ck_assert_str_eq(ESC("\xc0\x80", PT_STR_COMM), "\\xc0\\x80");		/* overlong NUL */
	ck_assert_str_eq(ESC("\xed\xa0\x80", PT_STR_COMM), "\\xed\\xa0\\x80");	/* a surrogate */
	ck_assert_str_eq(ESC("\xf4\x90\x80\x80", PT_STR_COMM), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	ck_assert_str_eq(ESC("\xe2\x82", PT_STR_COMM), "\\xe2\\x82");		/* cut short */
	ck_assert_str_eq(ESC("\x7f\x1b[2J", PT_STR_COMM), "\\x7f\\x1b[2J");
	/* the backslash is kept: the rule is idempotent */
	ck_assert_str_eq(ESC("a\\b", PT_STR_COMM), "a\\b");
	ck_assert_str_eq(ESC("\\x0a", PT_STR_COMM), "\\x0a");
	ck_assert_str_eq(ESC("\\x0A", PT_STR_COMM), "\\x0A");
	/* a comm is cut at 16 bytes, at a character's boundary */
	ck_assert_str_eq(ESC("0123456789abcdefXYZ", PT_STR_COMM), "0123456789abcdef");
	ck_assert_str_eq(ESC("0123456789abcde\xc3\xa9", PT_STR_COMM), "0123456789abcde");
	/* ... counted in the bytes it stands for */
	ck_assert_uint_eq(strlen(ESC("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11",
				     PT_STR_COMM)), 64);
	ck_assert(pt_safe_is_clean(out, strlen(out), PT_STR_COMM));
	/* a stack keeps its newlines, and is cut at a frame */
	ck_assert_str_eq(ESC("f+0x1/0x2\ng\x01+0x3/0x4", PT_STR_STACK), "f+0x1/0x2\ng\\x01+0x3/0x4");
	ck_assert(pt_safe_is_clean("f\ng", 3, PT_STR_STACK));
	ck_assert(!pt_safe_is_clean("f\ng", 3, PT_STR_NAME));
}
END_TEST

START_TEST(test_trim)
{
	ck_assert_uint_eq(pt_safe_trim("abc", 3), 3);
	ck_assert_uint_eq(pt_safe_trim("ab\xc3\xa9", 4), 4);
	ck_assert_uint_eq(pt_safe_trim("ab\xc3", 3), 2);
	ck_assert_uint_eq(pt_safe_trim("ab\xe2\x82", 4), 2);
	ck_assert_uint_eq(pt_safe_trim("ab\xe2\x82\xac", 5), 5);
	ck_assert_uint_eq(pt_safe_trim("", 0), 0);
}
END_TEST

START_TEST(test_stack_bounds)
{
	static char in[3 * PT_STACK_MAX];
	size_t n = 0;

	/* 40 frames: 32 are kept */
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(in + n, "%sframe%d+0x1/0x10", i ? "\n" : "", i);
	pt_safe_escape(in, n, PT_STR_STACK, out);
	ck_assert_ptr_nonnull(strstr(out, "frame31+"));
	ck_assert_ptr_null(strstr(out, "frame32+"));
	ck_assert(out[strlen(out) - 1] != '\n');

	/* 100-byte frames past 4096 bytes: cut at the last whole frame */
	n = 0;
	for (int i = 0; i < 30; i++) {
		if (i)
			in[n++] = '\n';
		memset(in + n, 'a' + i % 26, 199);
		n += 199;
	}
	pt_safe_escape(in, n, PT_STR_STACK, out);
	ck_assert_uint_eq(strlen(out), 20 * 200 - 1);
	ck_assert(pt_safe_is_clean(out, strlen(out), PT_STR_STACK));
}
END_TEST

/*
 * The reference: one character at a time through mbrtowc() in C.UTF-8,
 * which takes code points above U+10FFFF that RFC 3629 does not.
 */
static size_t reference(const unsigned char *s, size_t len, char *ref)
{
	size_t w = 0;

	for (size_t i = 0; i < len;) {
		mbstate_t st = { 0 };
		wchar_t wc;
		size_t k = mbrtowc(&wc, (const char *)s + i, len - i, &st);

		if (k != (size_t)-1 && k != (size_t)-2 && k != 0 && !iswcntrl((wint_t)wc) &&
		    (wc < 0xd800 || wc > 0xdfff) && wc <= 0x10ffff) {
			memcpy(ref + w, s + i, k);
			w += k;
			i += k;
		} else {
			w += (size_t)sprintf(ref + w, "\\x%02x", s[i]);
			i++;
		}
	}
	ref[w] = '\0';
	return w;
}

START_TEST(test_random_against_reference)
{
	static const unsigned char alphabet[] = {
		'a', 'Z', '0', '9', 'f', 'x', '\\', '\n', '\0', 0x1b, 0x7f, 0x80, 0x85, 0x9f, 0xa0,
		0xbf, 0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	unsigned seed = 0x5afe0000u + (unsigned)_i;
	unsigned char in[120];
	char ref[4 * sizeof(in) + 1], again[PT_SAFE_SIZE(PT_STACK_MAX)];

	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	srand(seed);
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)rand() % sizeof(in), n, m;

		for (size_t i = 0; i < len; i++)
			in[i] = rand() % 4 ? alphabet[rand() % sizeof(alphabet)] : (unsigned char)rand();
		/* no bound reached, no "\xHH" text in the input: the reference's answer exactly */
		if (!memmem(in, len, "\\x", 2)) {
			n = pt_safe_escape((const char *)in, len, PT_STR_TEXT, out);
			m = reference(in, len, ref);
			ck_assert_msg(n == m && memcmp(out, ref, n) == 0, "seed %u round %d: %s, not %s",
				      seed, round, out, ref);
		}
		/* for every kind: clean, and the same when written again */
		for (int k = 0; k < _PT_STR_MAX; k++) {
			n = pt_safe_escape((const char *)in, len, (enum pt_str_kind)k, out);
			ck_assert_uint_eq(strlen(out), n);
			ck_assert(pt_safe_is_clean(out, n, (enum pt_str_kind)k));
			m = pt_safe_escape(out, n, (enum pt_str_kind)k, again);
			ck_assert_msg(m == n && memcmp(out, again, n) == 0, "seed %u round %d kind %d",
				      seed, round, k);
			if (pt_safe_is_clean((const char *)in, len, (enum pt_str_kind)k))
				ck_assert(n == len && memcmp(out, in, n) == 0);
		}
	}
}
END_TEST

START_TEST(test_strtab_stores_safe_strings)
{
	struct pt_strtab t;
	uint32_t a, b, c;

	ck_assert_int_eq(pt_strtab_init(&t), 0);
	ck_assert_int_eq(pt_strtab_intern_safe(&t, "x\ny", 3, PT_STR_COMM, &a), 0);
	ck_assert_str_eq(pt_strtab_get(&t, a), "x\\x0ay");
	/* the escaped name read back (a trace pattrack wrote) is the same string */
	ck_assert_int_eq(pt_strtab_intern_safe(&t, "x\\x0ay", 6, PT_STR_COMM, &b), 0);
	ck_assert_uint_eq(a, b);
	ck_assert_int_eq(pt_strtab_intern_safe(&t, "a\0b", 3, PT_STR_COMM, &c), 0);
	ck_assert_str_eq(pt_strtab_get(&t, c), "a\\x00b");
	pt_strtab_done(&t);
}
END_TEST

CHECK_MAIN("safe",
	   TEST_ONCE(test_cases),
	   TEST_ONCE(test_trim),
	   TEST_ONCE(test_stack_bounds),
	   TEST_LOOP(test_random_against_reference, 4),
	   TEST_ONCE(test_strtab_stores_safe_strings))
