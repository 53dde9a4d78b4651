// SPDX-License-Identifier: GPL-2.0-or-later
#include "memtype.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	const char *abbrev;
	int strength;
} types[PATTRACK_TYPE_NR] = {
	[PATTRACK_TYPE_WB] = { "write-back", "WB", 0 },
	[PATTRACK_TYPE_WC] = { "write-combining", "WC", 2 },
	[PATTRACK_TYPE_UC_MINUS] = { "uncached-minus", "UC-", 3 },
	[PATTRACK_TYPE_UC] = { "uncached", "UC", 3 },
	[PATTRACK_TYPE_WT] = { "write-through", "WT", 1 },
	[PATTRACK_TYPE_WP] = { "write-protected", "WP", 1 },
};

const char *pt_type_name(int type)
{
	if (type < 0 || type >= PATTRACK_TYPE_NR)
		return NULL;
	return types[type].name;
}

int pt_type_from_string(const char *s, size_t len)
{
	for (int i = 0; i < PATTRACK_TYPE_NR; i++) {
		if (strlen(types[i].name) == len && strncmp(s, types[i].name, len) == 0)
			return i;
		if (strlen(types[i].abbrev) == len && strncasecmp(s, types[i].abbrev, len) == 0)
			return i;
	}
	return -EINVAL;
}

int pt_type_from_kernel_name(const char *s, size_t len)
{
	for (int i = 0; i < PATTRACK_TYPE_NR; i++)
		if (strlen(types[i].name) == len && strncmp(s, types[i].name, len) == 0)
			return i;
	return -EINVAL;
}

int pt_type_strength(int type)
{
	if (type < 0 || type >= PATTRACK_TYPE_NR)
		return -1;
	return types[type].strength;
}
