// SPDX-License-Identifier: GPL-2.0-or-later
/* The "netlink" live source: pattrack_shim.ko's events over generic netlink (libnl-genl-3). */
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <inttypes.h>
#include <poll.h>

#include "core/util.h"
#include "netlink.h"
#include "numbered.h"

#define RCVBUF_BYTES (64 << 20)

struct pt_netlink {
	struct pt_numbered n;	/* first: the numbered sources' ops take a struct pt_netlink */
	struct nl_sock *sock;
	struct nl_sock *req;	/* requests to the shim, answered in turn */
	int family;
	uint64_t first;		/* numbered before we joined: not ours; 0: unknown */
};

/* Every attribute of the family, events' and the status's: they share one numbering. */
static struct nla_policy policy[PATTRACK_ATTR_MAX + 1] = {
	[PATTRACK_ATTR_STATUS_VERSION] = { .type = NLA_STRING },
	[PATTRACK_ATTR_STATUS_PROBES] = { .type = NLA_U32 },
	[PATTRACK_ATTR_STATUS_SENT] = { .type = NLA_U64 },
	[PATTRACK_ATTR_STATUS_DROPPED] = { .type = NLA_U64 },
	[PATTRACK_ATTR_STATUS_SEQ] = { .type = NLA_U64 },
	[PATTRACK_ATTR_SEQ] = { .type = NLA_U64 },
	[PATTRACK_ATTR_KIND] = { .type = NLA_U32 },
	[PATTRACK_ATTR_TS_NS] = { .type = NLA_U64 },
	[PATTRACK_ATTR_START] = { .type = NLA_U64 },
	[PATTRACK_ATTR_END] = { .type = NLA_U64 },
	[PATTRACK_ATTR_REQ] = { .type = NLA_U32 },
	[PATTRACK_ATTR_GOT] = { .type = NLA_U32 },
	[PATTRACK_ATTR_RET] = { .type = NLA_U32 },
	[PATTRACK_ATTR_PID] = { .type = NLA_U32 },
	[PATTRACK_ATTR_COMM] = { .type = NLA_STRING },
	[PATTRACK_ATTR_STACK] = { .type = NLA_UNSPEC },
	[PATTRACK_ATTR_CHILD] = { .type = NLA_U32 },
	[PATTRACK_ATTR_DEVICE] = { .type = NLA_STRING },
	[PATTRACK_ATTR_NAME] = { .type = NLA_STRING },
	[PATTRACK_ATTR_BAR] = { .type = NLA_U32 },
};

/*
 * A message's attributes as the struct the BPF program fills, so that one
 * decoder serves both.  -EBADMSG when an attribute the kind needs is
 * missing.
 */
static int event_of_message(struct nlattr *tb[], struct pattrack_event *e)
{
	bool call, unbind;

	*e = (struct pattrack_event){
		.seq = nla_get_u64(tb[PATTRACK_ATTR_SEQ]),
		.kind = nla_get_u32(tb[PATTRACK_ATTR_KIND]),
		.pid = nla_get_u32(tb[PATTRACK_ATTR_PID]),
		.req = -1,
		.got = -1,
	};
	call = e->kind == PATTRACK_EV_RESERVE || e->kind == PATTRACK_EV_FREE;
	unbind = e->kind == PATTRACK_EV_UNBIND;
	if (call && (!tb[PATTRACK_ATTR_START] || !tb[PATTRACK_ATTR_END] || !tb[PATTRACK_ATTR_RET]))
		return -EBADMSG;
	if (e->kind == PATTRACK_EV_FORK && !tb[PATTRACK_ATTR_CHILD])
		return -EBADMSG;
	if (unbind && (!tb[PATTRACK_ATTR_START] || !tb[PATTRACK_ATTR_END] || !tb[PATTRACK_ATTR_BAR] ||
		       !tb[PATTRACK_ATTR_DEVICE]))
		return -EBADMSG;
	if ((unbind || e->kind == PATTRACK_EV_UNLOAD || e->kind == PATTRACK_EV_LOAD) &&
	    !tb[PATTRACK_ATTR_NAME])
		return -EBADMSG;
	if (tb[PATTRACK_ATTR_TS_NS])
		e->ts_ns = nla_get_u64(tb[PATTRACK_ATTR_TS_NS]);
	if (tb[PATTRACK_ATTR_COMM])
		nla_strlcpy(e->comm, tb[PATTRACK_ATTR_COMM], sizeof(e->comm));
	if (call || unbind) {
		e->start = nla_get_u64(tb[PATTRACK_ATTR_START]);
		e->end = nla_get_u64(tb[PATTRACK_ATTR_END]);
	}
	if (e->kind == PATTRACK_EV_LOAD && tb[PATTRACK_ATTR_START] && tb[PATTRACK_ATTR_END]) {
		e->start = nla_get_u64(tb[PATTRACK_ATTR_START]);
		e->end = nla_get_u64(tb[PATTRACK_ATTR_END]);
	}
	if (call)
		e->ret = (int32_t)nla_get_u32(tb[PATTRACK_ATTR_RET]);
	if (unbind) {
		e->bar = nla_get_u32(tb[PATTRACK_ATTR_BAR]);
		nla_strlcpy(e->device, tb[PATTRACK_ATTR_DEVICE], sizeof(e->device));
	}
	if (tb[PATTRACK_ATTR_NAME])
		nla_strlcpy(e->name, tb[PATTRACK_ATTR_NAME], sizeof(e->name));
	if (tb[PATTRACK_ATTR_REQ])
		e->req = (int32_t)nla_get_u32(tb[PATTRACK_ATTR_REQ]);
	if (tb[PATTRACK_ATTR_GOT])
		e->got = (int32_t)nla_get_u32(tb[PATTRACK_ATTR_GOT]);
	if (tb[PATTRACK_ATTR_CHILD])
		e->child = nla_get_u32(tb[PATTRACK_ATTR_CHILD]);
	if (call && tb[PATTRACK_ATTR_STACK]) {
		size_t n = (size_t)nla_len(tb[PATTRACK_ATTR_STACK]) / sizeof(e->stack[0]);

		e->nr_stack = (uint32_t)(n < PATTRACK_STACK_DEPTH ? n : PATTRACK_STACK_DEPTH);
		memcpy(e->stack, nla_data(tb[PATTRACK_ATTR_STACK]), e->nr_stack * sizeof(e->stack[0]));
	}
	return 0;
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct pt_netlink *nl = arg;
	struct nlattr *tb[PATTRACK_ATTR_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct pattrack_event e;
	int r;

	if (gh->cmd != PATTRACK_CMD_EVENT)
		return NL_SKIP;
	r = genlmsg_parse(nlmsg_hdr(msg), 0, tb, PATTRACK_ATTR_MAX, policy);
	if (r < 0 || !tb[PATTRACK_ATTR_SEQ] || !tb[PATTRACK_ATTR_KIND] || !tb[PATTRACK_ATTR_PID]) {
		log_warning("netlink: malformed pattrack event, ignored");
		return NL_SKIP;
	}
	r = event_of_message(tb, &e);
	/* queued before we joined, sent after: the table read after joining holds it */
	if (e.seq < nl->first)
		return NL_SKIP;
	/* not noted as seen: an event that cannot be used shows as a gap, a loss */
	if (r < 0) {
		log_warning("netlink: pattrack event %" PRIu64 " of kind %u is incomplete: counted lost",
			    (uint64_t)e.seq, e.kind);
		return NL_SKIP;
	}
	return pt_numbered_deliver(&nl->n, &e) < 0 ? NL_STOP : NL_OK;
}

/* ---- requests to the shim ----------------------------------------------- */

static int on_status(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[PATTRACK_ATTR_MAX + 1];
	struct pt_shim_status *st = arg;

	if (!st || genlmsg_parse(nlmsg_hdr(msg), 0, tb, PATTRACK_ATTR_MAX, policy) < 0 ||
	    !tb[PATTRACK_ATTR_STATUS_VERSION] || !tb[PATTRACK_ATTR_STATUS_PROBES] ||
	    !tb[PATTRACK_ATTR_STATUS_SENT] || !tb[PATTRACK_ATTR_STATUS_DROPPED] ||
	    !tb[PATTRACK_ATTR_STATUS_SEQ])
		return NL_SKIP;
	snprintf(st->version, sizeof(st->version), "%s",
		 nla_get_string(tb[PATTRACK_ATTR_STATUS_VERSION]));
	st->probes = nla_get_u32(tb[PATTRACK_ATTR_STATUS_PROBES]);
	st->sent = nla_get_u64(tb[PATTRACK_ATTR_STATUS_SENT]);
	st->dropped = nla_get_u64(tb[PATTRACK_ATTR_STATUS_DROPPED]);
	st->seq = nla_get_u64(tb[PATTRACK_ATTR_STATUS_SEQ]);
	return NL_OK;
}

static void nl_socket_freep(struct nl_sock **s)
{
	if (*s)
		nl_socket_free(*s);
}

/* libnl's -NLE_* codes, as errnos the callers explain */
static int errno_of(int nle)
{
	return nle == -NLE_OBJ_NOTFOUND ? -ENOENT : nle == -NLE_PERM ? -EPERM : -EIO;
}

/*
 * One request, answered before this returns: its acknowledgement, or the
 * shim's refusal.  @st takes GET_STATUS's reply.
 */
static int shim_request(struct nl_sock *sock, int family, uint8_t cmd, struct pt_shim_status *st)
{
	int r;

	r = nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_status, st);
	if (r >= 0)
		r = genl_send_simple(sock, family, cmd, PATTRACK_GENL_VERSION, 0);
	if (r >= 0 && st)
		r = nl_recvmsgs_default(sock);	/* the reply */
	if (r >= 0)
		r = nl_wait_for_ack(sock);
	if (r < 0) {
		log_debug("netlink: request %u: %s", cmd, nl_geterror(r));
		return errno_of(r);
	}
	return 0;
}

static int shim_status(struct nl_sock *sock, int family, struct pt_shim_status *st)
{
	int r;

	*st = (struct pt_shim_status){ 0 };
	r = shim_request(sock, family, PATTRACK_CMD_GET_STATUS, st);
	if (r < 0)
		return r;
	return st->version[0] ? 0 : -EBADMSG;
}

int pt_netlink_shim_status(struct pt_shim_status *st)
{
	_cleanup_(nl_socket_freep) struct nl_sock *sock = nl_socket_alloc();
	int family, r;

	if (!sock)
		return -ENOMEM;
	r = genl_connect(sock);
	if (r >= 0)
		r = family = genl_ctrl_resolve(sock, PATTRACK_GENL_NAME);
	if (r < 0) {
		log_debug("netlink: %s", nl_geterror(r));
		return errno_of(r);
	}
	return shim_status(sock, family, st);
}

static const struct pt_source_ops netlink_ops;

static void netlink_free(void *impl)
{
	struct pt_netlink *nl = impl;

	nl_socket_free(nl->req);
	nl_socket_free(nl->sock);
	free(nl);
}


int pt_netlink_source(pt_live_fn fn, void *userdata, struct pt_source *ret)
{
	struct pt_netlink *nl;
	int group, r;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->n.fn = fn;
	nl->n.userdata = userdata;
	nl->sock = nl_socket_alloc();
	nl->req = nl_socket_alloc();
	if (!nl->sock || !nl->req) {
		r = -NLE_NOMEM;
		goto fail_nl;
	}
	r = genl_connect(nl->sock);
	if (r >= 0)
		r = genl_connect(nl->req);
	if (r < 0)
		goto fail_nl;
	nl->family = genl_ctrl_resolve(nl->sock, PATTRACK_GENL_NAME);
	if (nl->family < 0) {
		r = nl->family;
		goto fail_nl;
	}
	group = genl_ctrl_resolve_grp(nl->sock, PATTRACK_GENL_NAME, PATTRACK_GENL_MCGRP_EVENTS);
	if (group < 0) {
		r = group;
		goto fail_nl;
	}
	nl_socket_disable_seq_check(nl->sock);
	r = nl_socket_modify_cb(nl->sock, NL_CB_VALID, NL_CB_CUSTOM, on_message, nl);
	if (r < 0)
		goto fail_nl;
	/*
	 * Bursts of tens of thousands of events: give the socket room.
	 * SO_RCVBUF stops at net.core.rmem_max (about 200 KiB); root may force.
	 * PATTRACK_NETLINK_RCVBUF sets another size: the VM test starves the
	 * socket with it to see a loss reported and the table resynchronised.
	 */
	{
		const char *env = getenv("PATTRACK_NETLINK_RCVBUF");
		int size = RCVBUF_BYTES;

		if (env && atoi(env) > 0)
			size = atoi(env);
		if (setsockopt(nl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE, &size,
			       sizeof(size)) < 0) {
			r = nl_socket_set_buffer_size(nl->sock, size, 0);
			if (r < 0)
				goto fail_nl;
		}
	}
	r = nl_socket_add_membership(nl->sock, group);
	if (r < 0)
		goto fail_nl;
	/* tells the shim when our full socket drops its events: its count of dropped */
	if (setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_BROADCAST_ERROR, &(int){ 1 },
		       sizeof(int)) < 0)
		log_debug("netlink: NETLINK_BROADCAST_ERROR: %m");
	/* from here every number is ours: one never seen is lost, even the first */
	{
		struct pt_shim_status st;

		if (shim_status(nl->req, nl->family, &st) >= 0) {
			nl->first = st.seq + 1;
			pt_seq_begin(&nl->n.seq, nl->first);
			/* one worker sends the queue, in order: a number skipped is lost */
			nl->n.seq.ordered = true;
		}
	}
	r = nl_socket_set_nonblocking(nl->sock);
	if (r < 0)
		goto fail_nl;
	*ret = (struct pt_source){ .ops = &netlink_ops, .impl = nl };
	return 0;

fail_nl:
	log_debug("netlink: %s", nl_geterror(r));
	netlink_free(nl);
	return r == -NLE_NOMEM ? -ENOMEM : errno_of(r);
}

/*
 * The shim sends from a worker, a tick's events to a datagram or a few: a
 * reader waiting on the socket is woken per batch, never in the context
 * of the process that mapped.
 */
static int netlink_fd(void *impl)
{
	return nl_socket_get_fd(((struct pt_netlink *)impl)->sock);
}

static int netlink_dispatch(void *impl)
{
	struct pt_netlink *nl = impl;
	int r;

	/* each call reads one datagram: go on until the socket is empty */
	for (;;) {
		r = nl_recvmsgs_default(nl->sock);
		if (nl->n.error)
			return nl->n.error;
		if (r == -NLE_AGAIN)
			return 0;
		if (r >= 0)
			continue;
		if (r == -NLE_NOMEM) {
			/* the socket overflowed: the sequence numbers tell how much */
			log_warning("netlink: receive buffer overflowed, events lost");
			continue;
		}
		log_error("netlink: %s", nl_geterror(r));
		return -EIO;
	}
}

/*
 * The shim runs PATTRACK_CMD_FLUSH in the request's sendmsg(): when its
 * acknowledgement comes, every event numbered before the request is in our
 * socket, or was dropped.  The last number handed out before it tells the
 * tracker what to expect, so that a loss at the very end is counted too.
 * Should the requests fail, the shim still sends its queue within a tick
 * or two: wait that long instead.
 */
static int netlink_barrier(void *impl)
{
	struct pt_netlink *nl = impl;
	struct pt_shim_status st;
	int r;

	r = shim_status(nl->req, nl->family, &st);
	if (r >= 0)
		r = shim_request(nl->req, nl->family, PATTRACK_CMD_FLUSH, NULL);
	if (r < 0) {
		log_warning("netlink: the shim did not send its queue on request (%s%s), waiting for it",
			    strerror(-r), r == -ENOENT ? ": pattrack_shim.ko unloaded?" : "");
		(void)poll(NULL, 0, 50);
		return 0;
	}
	if (nl->first)
		pt_seq_expect(&nl->n.seq, st.seq);
	return 0;
}

static const struct pt_source_ops netlink_ops = {
	.name = "netlink",
	.caps = PT_SOURCE_CALLS | PT_SOURCE_OWNERS | PT_SOURCE_STACKS,
	PT_NUMBERED_OPS,
	.fd = netlink_fd,
	.dispatch = netlink_dispatch,
	.barrier = netlink_barrier,
	.free = netlink_free,
};
