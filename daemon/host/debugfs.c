// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's own table: /sys/kernel/debug/x86/pat_memtype_list. */
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "core/cursor.h"
#include "debugfs.h"

int pt_debugfs_parse_line(const char *line, size_t len, uint64_t *start, uint64_t *end,
			  int *type)
{
	struct cursor c = cursor_make(line, len);

	if (cursor_at_end(&c))
		return 0;
	c = cursor_make(line, len);
	if (cursor_lit(&c, "PAT memtype list:"))
		return cursor_at_end(&c) ? 0 : -EBADMSG;
	if (!cursor_lit(&c, "PAT: [mem ") || !cursor_hex(&c, start) || !cursor_lit(&c, "-") ||
	    !cursor_hex(&c, end) || !cursor_lit(&c, "] ") || !cursor_type(&c, type) ||
	    !cursor_at_end(&c))
		return -EBADMSG;
	if (*start >= *end)
		return -EBADMSG;
	return 1;
}

int pt_debugfs_ensure(const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (strcmp(path, PT_DEBUGFS_PAT) != 0)
		return -ENOENT;
	/* Not there: debugfs may just not be mounted. */
	if (mount("none", PT_DEBUGFS_MOUNT, "debugfs", 0, NULL) < 0 && errno != EBUSY)
		return -errno;
	if (access(path, R_OK) < 0)
		return -errno;
	return 0;
}

int pt_debugfs_parse(const char *text, size_t len, struct pt_kentry **ret, size_t *n_ret,
		     unsigned long *bad_line)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	size_t n = 0, cap = 0;
	unsigned long lineno = 0;
	const char *line, *next;
	int r;

	for (line = text; line < text + len; line = next) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		struct pt_kentry e;

		next = nl ? nl + 1 : text + len;
		lineno++;
		r = pt_debugfs_parse_line(line, (size_t)((nl ? nl : next) - line), &e.start, &e.end,
					  &e.type);
		if (r < 0) {
			*bad_line = lineno;
			return r;
		}
		if (r == 0)
			continue;
		if (GROW_ARRAY(k, cap, n + 1, 64) < 0)
			return -ENOMEM;
		k[n++] = e;
	}
	*ret = TAKE_PTR(k);
	*n_ret = n;
	return 0;
}

int pt_debugfs_read(const char *path, struct pt_kentry **ret, size_t *n, unsigned long *bad_line)
{
	_cleanup_free_ char *text = NULL;
	unsigned long bad = 0;
	size_t len;
	int r;

	r = read_full_file(path, &text, &len);
	if (r < 0)
		return r;
	r = pt_debugfs_parse(text, len, ret, n, &bad);
	if (r == -EBADMSG && bad_line)
		*bad_line = bad;
	return r;
}

int pt_debugfs_read_settled(const char *path, unsigned tries, struct pt_kentry **ret, size_t *n)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	bool same = false;
	int r;

	for (unsigned i = 0; i < tries && !same; i++) {
		_cleanup_free_ char *again = NULL;
		size_t again_len;

		r = read_full_file(path, &again, &again_len);
		if (r < 0)
			return r;
		same = text && again_len == len && memcmp(again, text, len) == 0;
		free(text);
		text = TAKE_PTR(again);
		len = again_len;
	}
	if (!text)
		return -EINVAL;
	r = pt_debugfs_parse(text, len, ret, n, NULL);
	return r < 0 ? r : same;
}

char *pt_debugfs_strerror(const char *path, int r, unsigned long bad_line, char *buf, size_t size)
{
	if (r == -EBADMSG)
		snprintf(buf, size, "%s:%lu: not a memtype line", path, bad_line);
	else
		snprintf(buf, size, "cannot read %s: %s", path, strerror(-r));
	return buf;
}

int pt_debugfs_load(struct pt_model *m, const char *path, unsigned long *bad_line)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	size_t n;
	int r;

	r = pt_debugfs_read(path, &k, &n, bad_line);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct pt_event ev = pt_event_of_kentry(&k[i]);

		r = pt_model_apply(m, &ev);
		if (r < 0)
			return r;
	}
	return 0;
}
