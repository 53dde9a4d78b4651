// SPDX-License-Identifier: GPL-2.0-or-later
#include "strtab.h"

#include "util.h"

/* FNV-1a over 64-bit words, then folded: stacks are hundreds of bytes long. */
static uint32_t hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 1099511628211ULL;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, s + i, len - i);
		h = (h ^ w) * 1099511628211ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return (uint32_t)(h ^ (h >> 32));
}

static int grow_slots(struct pt_strtab *t)
{
	uint32_t nslots = t->nslots ? t->nslots * 2 : 64;
	uint32_t *slot = calloc(nslots, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (uint32_t id = 0; id < t->count; id++) {
		uint32_t i = hash(t->arena + t->span[id].offset, t->span[id].length) & (nslots - 1);

		while (slot[i])
			i = (i + 1) & (nslots - 1);
		slot[i] = id + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = nslots;
	return 0;
}

int pt_strtab_init(struct pt_strtab *t)
{
	uint32_t id;

	*t = (struct pt_strtab){ 0 };
	return pt_strtab_intern(t, "", 0, &id);
}

void pt_strtab_done(struct pt_strtab *t)
{
	free(t->arena);
	free(t->span);
	free(t->slot);
	*t = (struct pt_strtab){ 0 };
}

/*
 * The slot for @s: the one that names it (true, *ret_id set), or the empty
 * one where it would go.  The table has a free slot: see pt_strtab_intern().
 */
static bool probe(const struct pt_strtab *t, const char *s, size_t len,
		  uint32_t *ret_slot, uint32_t *ret_id)
{
	uint32_t i;

	for (i = hash(s, len) & (t->nslots - 1); t->slot[i]; i = (i + 1) & (t->nslots - 1)) {
		uint32_t id = t->slot[i] - 1;

		if (t->span[id].length == len && memcmp(t->arena + t->span[id].offset, s, len) == 0) {
			*ret_id = id;
			return true;
		}
	}
	*ret_slot = i;
	return false;
}

int pt_strtab_intern(struct pt_strtab *t, const char *s, size_t len, uint32_t *ret_id)
{
	uint32_t i;
	int r;

	if (len > UINT32_MAX / 2)
		return -E2BIG;
	if ((uint64_t)(t->count + 1) * 2 > t->nslots) {
		r = grow_slots(t);
		if (r < 0)
			return r;
	}
	if (probe(t, s, len, &i, ret_id))
		return 0;

	if (t->arena_len + len + 1 > UINT32_MAX)
		return -ENOSPC;	/* offsets are 32 bits: 4 GiB of distinct strings */
	if (GROW_ARRAY(t->span, t->cap, t->count + 1, 64) < 0 ||
	    GROW_ARRAY(t->arena, t->arena_cap, t->arena_len + len + 1, 4096) < 0)
		return -ENOMEM;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = '\0';
	t->span[t->count] = (struct pt_strtab_span){ (uint32_t)t->arena_len, (uint32_t)len };
	t->arena_len += len + 1;
	t->slot[i] = t->count + 1;
	*ret_id = t->count++;
	return 0;
}

int pt_strtab_intern_safe(struct pt_strtab *t, const char *s, size_t len,
			  enum pt_str_kind kind, uint32_t *ret_id)
{
	char buf[PT_SAFE_SIZE(PT_STACK_MAX)];
	uint32_t slot;

	/* every stored string is safe: one found as given needs no look */
	if (t->nslots && probe(t, s, len, &slot, ret_id))
		return 0;
	if (pt_safe_is_clean(s, len, kind))
		return pt_strtab_intern(t, s, len, ret_id);
	return pt_strtab_intern(t, buf, pt_safe_escape(s, len, kind, buf), ret_id);
}

const char *pt_strtab_get(const struct pt_strtab *t, uint32_t id)
{
	if (id >= t->count)
		return "";
	return t->arena + t->span[id].offset;
}

size_t pt_strtab_memory(const struct pt_strtab *t)
{
	return t->arena_cap + t->cap * sizeof(*t->span) + (size_t)t->nslots * 4;
}
