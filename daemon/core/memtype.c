// SPDX-License-Identifier: GPL-2.0-or-later
/* The memory types by the kernel's names (cattr_name()) and their short forms. */
#include <strings.h>

#include "memtype.h"
#include "util.h"

static const char *const type_names[PATTRACK_TYPE_NR] = {
	[PATTRACK_TYPE_WB] = "write-back",
	[PATTRACK_TYPE_WC] = "write-combining",
	[PATTRACK_TYPE_UC_MINUS] = "uncached-minus",
	[PATTRACK_TYPE_UC] = "uncached",
	[PATTRACK_TYPE_WT] = "write-through",
	[PATTRACK_TYPE_WP] = "write-protected",
};

DEFINE_STRING_TABLE_LOOKUP(pt_type_name, pt_type_from_kernel_name, int, type_names)

static const char *const type_abbrevs[PATTRACK_TYPE_NR] = {
	[PATTRACK_TYPE_WB] = "WB",
	[PATTRACK_TYPE_WC] = "WC",
	[PATTRACK_TYPE_UC_MINUS] = "UC-",
	[PATTRACK_TYPE_UC] = "UC",
	[PATTRACK_TYPE_WT] = "WT",
	[PATTRACK_TYPE_WP] = "WP",
};

/* See pt_type_strength(): uncached 3, write-combining 2, write-through/protected 1. */
static const int type_strength[PATTRACK_TYPE_NR] = {
	[PATTRACK_TYPE_WB] = 0,
	[PATTRACK_TYPE_WC] = 2,
	[PATTRACK_TYPE_UC_MINUS] = 3,
	[PATTRACK_TYPE_UC] = 3,
	[PATTRACK_TYPE_WT] = 1,
	[PATTRACK_TYPE_WP] = 1,
};

int pt_type_from_string(const char *s, size_t len)
{
	int t = pt_type_from_kernel_name(s, len);

	for (int i = 0; t < 0 && i < PATTRACK_TYPE_NR; i++)
		if (strlen(type_abbrevs[i]) == len && strncasecmp(s, type_abbrevs[i], len) == 0)
			t = i;
	return t;
}

int pt_type_strength(int type)
{
	return type >= 0 && type < PATTRACK_TYPE_NR ? type_strength[type] : -1;
}
