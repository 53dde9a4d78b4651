/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Who may call: root, or (for reading) group pattrack.  Decided from the
 * credentials the bus itself vouches for (the dbus-daemon's
 * GetConnectionCredentials: the peer's uid and groups from its socket),
 * never from /proc, where a PID may have been reused.  The decision is
 * kept per connection (unique names are never reused on a bus) and
 * dropped when the connection goes away.
 */

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

struct pt_caller {
	char *name;		/* the unique name, ":1.42" */
	bool root;
	bool reader;		/* root or group pattrack */
};

struct pt_access {
	gid_t gid;		/* group pattrack */
	bool have_gid;
	struct pt_caller *callers;
	size_t n, cap;
	sd_bus_slot *match;	/* NameOwnerChanged */
	uint64_t lookups;	/* credentials asked of the bus: for the tests */
};

/* Watches connections leave @bus. */
int pt_access_attach(struct pt_access *a, sd_bus *bus);
void pt_access_done(struct pt_access *a);

/* 1 when the sender of @msg may call it, else an sd_bus_error already set (0 or negative). */
int pt_access_check(struct pt_access *a, sd_bus_message *msg, bool root_only,
		    sd_bus_error *error);
