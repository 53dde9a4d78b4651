// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the kernel log: what it holds, and what it gains. */
#include <fcntl.h>
#include <unistd.h>

#include "core/util.h"
#include "kmsg.h"

int pt_kmsg_load(struct pt_model *m, const char *path, struct pt_kmsg_counts *ret)
{
	_cleanup_close_ int fd = -1;
	struct pt_kmsg_pat k;
	struct pt_klog st = { 0 };
	size_t count = 0, garbled = 0;
	char buf[8192];
	int r;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	if (strcmp(path, PT_KMSG) == 0) {
		/* one record per read(); EAGAIN when all present ones are read */
		for (;;) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);

			if (n < 0) {
				if (errno == EINTR || errno == EPIPE)
					continue;	/* EPIPE: overwritten while we read */
				if (errno == EAGAIN)
					break;
				return -errno;
			}
			if (n == 0)
				break;
			r = pt_kmsg_parse(buf, (size_t)n, &k);
			garbled += r == -EBADMSG;
			if (r == 1) {
				r = pt_klog_add(m, &st, &k);
				if (r < 0)
					return r;
				count += (size_t)r;
			}
		}
	} else {
		_cleanup_free_ char *text = NULL;
		size_t len;
		const char *line, *next;

		r = read_full_file(path, &text, &len);
		if (r < 0)
			return r;
		for (line = text; line < text + len; line = next) {
			const char *nl = memchr(line, '\n', (size_t)(text + len - line));

			next = nl ? nl + 1 : text + len;
			r = pt_kmsg_parse(line, (size_t)((nl ? nl : next) - line), &k);
			garbled += r == -EBADMSG;
			if (r != 1)
				continue;
			r = pt_klog_add(m, &st, &k);
			if (r < 0)
				return r;
			count += (size_t)r;
		}
	}
	if (ret)
		*ret = (struct pt_kmsg_counts){ .anomalies = count, .garbled = garbled };
	return 0;
}

int pt_kmsg_follow(const char *path, struct pt_kmsg_follower *f)
{
	*f = (struct pt_kmsg_follower){ .fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC) };
	if (f->fd < 0)
		return -errno;
	/* the records already there were the past: only what comes is news */
	if (lseek(f->fd, 0, SEEK_END) < 0) {
		int r = -errno;

		pt_kmsg_follow_done(f);
		return r;
	}
	return 0;
}

int pt_kmsg_follow_read(struct pt_kmsg_follower *f, pt_kmsg_event_fn fn, void *userdata)
{
	struct pt_kmsg_pat k;
	char buf[8192];
	int handed = 0, r;

	for (;;) {
		ssize_t n = read(f->fd, buf, sizeof(buf) - 1);
		struct pt_event ev;
		char *nl;

		if (n < 0) {
			if (errno == EINTR || errno == EPIPE)
				continue;	/* EPIPE: records overwritten before we read them */
			if (errno == EAGAIN)
				return handed;
			return -errno;
		}
		if (n == 0)
			return handed;
		buf[n] = '\0';
		/* a record's first line is its message; lines after it are its dictionary */
		nl = memchr(buf, '\n', (size_t)n);
		if (nl)
			n = nl - buf;
		r = pt_kmsg_parse(buf, (size_t)n, &k);
		f->garbled += r == -EBADMSG;
		if (r != 1)
			continue;
		ev = (struct pt_event){
			.kind = PT_EV_KMSG, .text = buf, .text_len = (size_t)n,
			.type = PT_TYPE_NONE, .req = PT_TYPE_NONE, .got = PT_TYPE_NONE,
		};
		r = fn(&ev, userdata);
		if (r < 0)
			return r;
		handed++;
	}
}

void pt_kmsg_follow_done(struct pt_kmsg_follower *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
