// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/cursor.h"
#include "core/util.h"
#include "proc.h"

int pt_proc_parse_start(const char *stat, size_t len, uint64_t *ret_ticks)
{
	struct cursor c = cursor_make(stat, len);

	/* the name ends at the last ')': "pid (comm) state ppid ..." */
	for (const char *q = stat; q < stat + len; q++)
		if (*q == ')')
			c.p = q + 1;
	if (c.p == stat)
		return -EINVAL;
	for (int field = 3; field < 22; field++) {	/* past the 3rd to the 21st */
		cursor_spaces(&c);
		while (c.p < c.end && *c.p != ' ')
			c.p++;
	}
	cursor_spaces(&c);
	return cursor_dec(&c, ret_ticks) ? 0 : -EINVAL;
}

int pt_proc_same(const char *proc, pid_t pid, uint64_t then_ns)
{
	char path[PATH_MAX], buf[1024];
	_cleanup_close_ int fd = -1;
	uint64_t ticks;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%d/stat", proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT && errno != EACCES)
			return -errno;
		/* hidden or gone: only a signal 0 tells them apart (EPERM: it exists) */
		return kill(pid, 0) < 0 && errno == ESRCH ? 0 : -EACCES;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ESRCH ? 0 : -errno;
	buf[n] = '\0';
	if (pt_proc_parse_start(buf, (size_t)n, &ticks) < 0 || hz <= 0)
		return -EINVAL;
	/* a tick is the start's resolution: what started within it may have been then */
	return ticks * (1000000000ULL / (uint64_t)hz) <= then_ns;
}
