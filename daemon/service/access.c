// SPDX-License-Identifier: GPL-2.0-or-later
#include "access.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* More connections than dbus-daemon lets one user hold: a flood costs a cleared cache */
#define CALLERS_MAX 4096

static void forget(struct pt_access *a, size_t i)
{
	free(a->callers[i].name);
	a->callers[i] = a->callers[--a->n];
}

static void forget_all(struct pt_access *a)
{
	while (a->n)
		forget(a, a->n - 1);
}

static int on_name_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct pt_access *a = userdata;
	const char *name, *old, *new;

	(void)error;
	if (sd_bus_message_read(msg, "sss", &name, &old, &new) < 0 || *new || name[0] != ':')
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->callers[i].name, name)) {
			forget(a, i);
			break;
		}
	return 0;
}

int pt_access_attach(struct pt_access *a, sd_bus *bus)
{
	int r;

	r = sd_bus_match_signal(bus, &a->match, "org.freedesktop.DBus", "/org/freedesktop/DBus",
				"org.freedesktop.DBus", "NameOwnerChanged",
				on_name_owner_changed, a);
	if (r < 0)
		return log_error_errno(r, "cannot watch connections leave the bus");
	return 0;
}

void pt_access_done(struct pt_access *a)
{
	forget_all(a);
	free(a->callers);
	a->callers = NULL;
	a->cap = 0;
	a->match = sd_bus_slot_unref(a->match);
}

/*
 * Asks the bus who @sender is: dbus-daemon took UnixUserID and UnixGroupIDs
 * from the socket when it connected (SO_PEERCRED, SO_PEERGROUPS).  sd-bus's
 * own sd_bus_query_sender_creds() would fill what is missing from /proc.
 */
static int ask_bus(struct pt_access *a, sd_bus_message *msg, const char *sender,
		   struct pt_caller *who)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	bool have_uid = false;
	const char *key;
	int r;

	a->lookups++;
	r = sd_bus_call_method(sd_bus_message_get_bus(msg), "org.freedesktop.DBus",
			       "/org/freedesktop/DBus", "org.freedesktop.DBus",
			       "GetConnectionCredentials", &e, &reply, "s", sender);
	sd_bus_error_free(&e);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		r = sd_bus_message_read(reply, "s", &key);
		if (r >= 0 && !strcmp(key, "UnixUserID")) {
			uint32_t uid;

			r = sd_bus_message_read(reply, "v", "u", &uid);
			have_uid = r >= 0;
			who->root = uid == 0;
		} else if (r >= 0 && !strcmp(key, "UnixGroupIDs")) {
			uint32_t gid;

			r = sd_bus_message_enter_container(reply, 'v', "au");
			if (r >= 0)
				r = sd_bus_message_enter_container(reply, 'a', "u");
			while (r >= 0 && (r = sd_bus_message_read(reply, "u", &gid)) > 0)
				if (a->have_gid && gid == a->gid)
					who->reader = true;
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
		} else if (r >= 0) {
			r = sd_bus_message_skip(reply, "v");
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r < 0)
		return r;
	if (!have_uid)
		return -ENODATA;
	who->reader = who->reader || who->root;
	return 0;
}

static const struct pt_caller *lookup(struct pt_access *a, sd_bus_message *msg, int *ret)
{
	const char *sender = sd_bus_message_get_sender(msg);
	struct pt_caller who = { 0 };

	*ret = -ENXIO;
	if (!sender)
		return NULL;	/* a direct connection: pattrackd serves the bus only */
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->callers[i].name, sender))
			return &a->callers[i];

	*ret = ask_bus(a, msg, sender, &who);
	if (*ret < 0)
		return NULL;
	if (a->n >= CALLERS_MAX)
		forget_all(a);
	who.name = strdup(sender);
	if (!who.name || GROW_ARRAY(a->callers, a->cap, a->n + 1, 16) < 0) {
		free(who.name);
		*ret = -ENOMEM;
		return NULL;
	}
	a->callers[a->n] = who;
	return &a->callers[a->n++];
}

int pt_access_check(struct pt_access *a, sd_bus_message *msg, bool root_only,
		    sd_bus_error *error)
{
	const struct pt_caller *who;
	int r;

	who = lookup(a, msg, &r);
	if (!who)
		return sd_bus_error_set_errnof(error, r, "cannot tell who is calling");
	if (who->root || (!root_only && who->reader))
		return 1;
	return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
				root_only ? "only root may do this" :
				"physical addresses are for root and the members of group pattrack "
				"only (usermod -aG pattrack USER)");
}
