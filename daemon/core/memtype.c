// SPDX-License-Identifier: GPL-2.0-or-later
/* The memory types by the kernel's names (cattr_name()) and their short forms. */
#include <strings.h>

#include "memtype.h"
#include "util.h"

static const char *const type_names[PATTRACK_TYPE_NR] = {
	[PATTRACK_TYPE_WB] = "write-back", [PATTRACK_TYPE_WC] = "write-combining",
	[PATTRACK_TYPE_UC_MINUS] = "uncached-minus", [PATTRACK_TYPE_UC] = "uncached",
	[PATTRACK_TYPE_WT] = "write-through", [PATTRACK_TYPE_WP] = "write-protected",
};

DEFINE_STRING_TABLE_LOOKUP(pt_type_name, pt_type_from_kernel_name, int, type_names)

/*
 * The short forms accepted on input, and how strongly each type orders and
 * bypasses the cache (pt_type_strength()).
 */
static const struct {
	const char *abbrev;
	int strength;
} type_forms[PATTRACK_TYPE_NR] = {
	[PATTRACK_TYPE_WB] = { "WB", 0 },
	[PATTRACK_TYPE_WC] = { "WC", 2 },
	[PATTRACK_TYPE_UC_MINUS] = { "UC-", 3 },
	[PATTRACK_TYPE_UC] = { "UC", 3 },
	[PATTRACK_TYPE_WT] = { "WT", 1 },
	[PATTRACK_TYPE_WP] = { "WP", 1 },
};

int pt_type_from_string(const char *s, size_t len)
{
	int t = pt_type_from_kernel_name(s, len);

	for (int i = 0; t < 0 && i < PATTRACK_TYPE_NR; i++)
		if (strlen(type_forms[i].abbrev) == len && strncasecmp(s, type_forms[i].abbrev, len) == 0)
			t = i;
	return t;
}

int pt_type_strength(int type)
{
	return type >= 0 && type < PATTRACK_TYPE_NR ? type_forms[type].strength : -1;
}
