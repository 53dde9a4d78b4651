/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The kernel's own memtype list, /sys/kernel/debug/x86/pat_memtype_list:
 * its parser, tested on real kernel lines, and its reader.
 */

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#define PT_DEBUGFS_MOUNT "/sys/kernel/debug"
#define PT_DEBUGFS_PAT "/sys/kernel/debug/x86/pat_memtype_list"

/*
 * One line of pat_memtype_list:
 *   "PAT: [mem 0x00000000fe000000-0x00000000fe001000] write-combining"
 * 1 and *start, *end (exclusive, as the file prints it), *type; 0 for the
 * "PAT memtype list:" header or a blank line; -EBADMSG otherwise.
 */
int pt_debugfs_parse_line(const char *line, size_t len, uint64_t *start, uint64_t *end,
			  int *type);

/* Mounts debugfs when @path is absent and debugfs is not mounted; needs root. */
int pt_debugfs_ensure(const char *path);

/*
 * The whole list in @text, in file order; *bad_line names the line on
 * -EBADMSG.
 */
int pt_debugfs_parse(const char *text, size_t len, struct pt_kentry **ret, size_t *n,
		     unsigned long *bad_line);

/*
 * Reads and parses the file at @path.  On -EBADMSG, *bad_line (when not
 * NULL) names the line that is not a memtype line.  Logs nothing.
 */
int pt_debugfs_read(const char *path, struct pt_kentry **ret, size_t *n, unsigned long *bad_line);

/*
 * The file copies the list one entry per hold of the kernel's lock, so a
 * read while the list changes is torn: an entry inserted before the one
 * being read repeats it, one removed skips the next.  Reads up to @tries
 * times, until two reads in a row agree, and parses the last: 1 when two
 * agreed, 0 when the list changed at every read, or a negative errno.
 */
int pt_debugfs_read_settled(const char *path, unsigned tries, struct pt_kentry **ret, size_t *n);

/*
 * What a failed pt_debugfs_ensure(), _read() or _load() of @path said, for
 * the caller to log once: "PATH:LINE: not a memtype line" for -EBADMSG,
 * "cannot read PATH: <strerror>" otherwise.  Writes into @buf, returns it.
 */
char *pt_debugfs_strerror(const char *path, int r, unsigned long bad_line, char *buf, size_t size);

/* Feeds every line of the file at @path to the model as "entry" events. */
int pt_debugfs_load(struct pt_model *m, const char *path, unsigned long *bad_line);
