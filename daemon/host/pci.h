/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* PCI BARs as sysfs lists them: /sys/bus/pci/devices/<bdf>/resource. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#define PT_SYSFS_PCI "/sys/bus/pci/devices"

struct pt_pci_bar {
	uint64_t start, end;	/* [start, end) */
	char device[32];	/* "0000:00:04.0" */
	char driver[32];	/* "" when unbound */
	int index;		/* 0-5 BARs, 6 the ROM, 7+ bridge windows */
	uint64_t flags;		/* IORESOURCE_* */
};

struct pt_pci {
	struct pt_pci_bar *bar;
	size_t n, cap;
	size_t unparsable;	/* devices whose resource file could not be read */
};

/* Parses one device's "resource" file. */
int pt_pci_parse_resource(const char *text, const char *device, const char *driver,
			  struct pt_pci *pci);
int pt_pci_read(const char *devices_dir, struct pt_pci *ret);
void pt_pci_done(struct pt_pci *pci);

/* The BAR holding all of [start, end), or NULL. */
const struct pt_pci_bar *pt_pci_find(const struct pt_pci *pci, uint64_t start, uint64_t end);
char *pt_pci_bar_describe(const struct pt_pci_bar *bar, char *buf, size_t size);

/* A standard BAR (0-5) decoding memory: one the kernel's unbind events name too. */
bool pt_pci_bar_is_memory(const struct pt_pci_bar *bar);

/* @bar as the model's "device" event. */
struct pt_event pt_pci_event(const struct pt_pci_bar *bar);

/* Every memory BAR of @pci into @m as "device" events: 0 or a negative errno. */
int pt_pci_load(struct pt_model *m, const struct pt_pci *pci);
