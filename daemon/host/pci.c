// SPDX-License-Identifier: GPL-2.0-or-later
/* PCI BARs from sysfs: /sys/bus/pci/devices/<bdf>/resource. */
#include <dirent.h>
#include <limits.h>

#include "core/util.h"
#include "core/cursor.h"
#include "pci.h"

void pt_pci_done(struct pt_pci *pci)
{
	free(pci->bar);
	*pci = (struct pt_pci){ 0 };
}

/* Each line: "0x<start> 0x<end> 0x<flags>", inclusive end, all zero when unused. */
int pt_pci_parse_resource(const char *text, const char *device, const char *driver,
			  struct pt_pci *pci)
{
	const char *line = text, *end = text + strlen(text);
	int index = 0;

	for (; line < end; index++) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		struct cursor c = cursor_make(line, (size_t)((nl ? nl : end) - line));
		uint64_t start, last, flags;
		struct pt_pci_bar *bar;

		line = nl ? nl + 1 : end;
		if (!cursor_hex(&c, &start) || !cursor_lit(&c, " ") || !cursor_hex(&c, &last) ||
		    !cursor_lit(&c, " ") || !cursor_hex(&c, &flags) || !cursor_at_end(&c))
			return -EBADMSG;
		if (start == 0 && last == 0)
			continue;
		if (last < start)
			return -EBADMSG;
		if (GROW_ARRAY(pci->bar, pci->cap, pci->n + 1, 8) < 0)
			return -ENOMEM;
		bar = &pci->bar[pci->n++];
		*bar = (struct pt_pci_bar){
			.start = start, .end = last + 1, .index = index, .flags = flags,
		};
		snprintf(bar->device, sizeof(bar->device), "%s", device);
		snprintf(bar->driver, sizeof(bar->driver), "%s", driver);
	}
	return 0;
}

int pt_pci_read(const char *devices_dir, struct pt_pci *ret)
{
	struct pt_pci pci = { 0 };
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(devices_dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		_cleanup_free_ char *text = NULL;
		char path[PATH_MAX], link[PATH_MAX];
		const char *driver = "";
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/resource", devices_dir, de->d_name);
		if (read_full_file(path, &text, NULL) < 0)
			continue;	/* a device without BARs */
		snprintf(path, sizeof(path), "%s/%s/driver", devices_dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			driver = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		}
		r = pt_pci_parse_resource(text, de->d_name, driver, &pci);
		if (r == -EBADMSG) {
			pci.unparsable++;	/* that device's BARs go unnamed */
			r = 0;
		}
		if (r < 0)
			break;
	}
	closedir(d);
	*ret = pci;
	return r;
}

const struct pt_pci_bar *pt_pci_find(const struct pt_pci *pci, uint64_t start, uint64_t end)
{
	const struct pt_pci_bar *best = NULL;

	/* The smallest BAR or window that holds the range: BARs sit inside windows. */
	for (size_t i = 0; i < pci->n; i++) {
		const struct pt_pci_bar *b = &pci->bar[i];

		if (b->start <= start && end <= b->end &&
		    (!best || b->end - b->start < best->end - best->start))
			best = b;
	}
	return best;
}

char *pt_pci_bar_describe(const struct pt_pci_bar *bar, char *buf, size_t size)
{
	char what[24];

	if (bar->index <= 5)
		snprintf(what, sizeof(what), "BAR%d", bar->index);
	else if (bar->index == 6)
		snprintf(what, sizeof(what), "ROM");
	else
		snprintf(what, sizeof(what), "window%d", bar->index - 7);
	snprintf(buf, size, "%s %s%s%s%s", bar->device, what, *bar->driver ? " (" : "",
		 bar->driver, *bar->driver ? ")" : "");
	return buf;
}

#define IORESOURCE_TYPE_BITS 0x1f00
#define IORESOURCE_MEM 0x200

bool pt_pci_bar_is_memory(const struct pt_pci_bar *bar)
{
	return bar->index < 6 && (bar->flags & IORESOURCE_TYPE_BITS) == IORESOURCE_MEM;
}

struct pt_event pt_pci_event(const struct pt_pci_bar *bar)
{
	return (struct pt_event){
		.kind = PT_EV_DEVICE, .start = bar->start, .end = bar->end, .bar = bar->index,
		.device = bar->device, .device_len = strlen(bar->device),
		.name = bar->driver, .name_len = strlen(bar->driver),
		.type = PT_TYPE_NONE, .req = PT_TYPE_NONE, .got = PT_TYPE_NONE,
	};
}

int pt_pci_load(struct pt_model *m, const struct pt_pci *pci)
{
	for (size_t i = 0; i < pci->n; i++) {
		struct pt_event ev = pt_pci_event(&pci->bar[i]);
		int r;

		if (!pt_pci_bar_is_memory(&pci->bar[i]))
			continue;
		r = pt_model_apply(m, &ev);
		if (r < 0)
			return r;
	}
	return 0;
}
