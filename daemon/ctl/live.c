// SPDX-License-Identifier: GPL-2.0-or-later
/* What record and run share: a live source, the trace's opening, a command followed. */
#include <poll.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "core/trace.h"
#include "core/util.h"
#include "host/debugfs.h"
#include "host/kallsyms.h"
#include "host/kmsg.h"
#include "live.h"

static int write_entry(const struct pt_entry_info *e, void *userdata)
{
	struct pt_event ev = {
		.kind = PT_EV_ENTRY, .start = e->start, .end = e->end, .type = e->type,
	};

	return pt_trace_write_event(userdata, &ev);
}

int load_host(struct pt_model *m, struct pt_iomem *iomem, struct pt_pci *pci)
{
	unsigned long bad = 0;
	char why[256];
	int r;

	r = pt_debugfs_ensure(PT_DEBUGFS_PAT);
	if (r >= 0)
		r = pt_debugfs_load(m, PT_DEBUGFS_PAT, &bad);
	if (r < 0) {
		log_error("%s", pt_debugfs_strerror(PT_DEBUGFS_PAT, r, bad, why, sizeof(why)));
		return r;
	}
	r = pt_iomem_read(PT_IOMEM, iomem);
	if (r < 0)
		return log_error_errno(r, "cannot read %s", PT_IOMEM);
	r = pt_iomem_load_ram(m, iomem);
	if (r < 0)
		return log_error_errno(r, "cannot take System RAM from %s", PT_IOMEM);
	/* without them a driver's leak still names its device when the unbind says it */
	r = pt_pci_read(PT_SYSFS_PCI, pci);
	if (r < 0)
		(void)log_full_errno_at(LOG_WARNING, r, "PCI BARs will not be named: %s", PT_SYSFS_PCI);
	else if ((r = pt_pci_load(m, pci)) < 0)
		return log_error_errno(r, "cannot take the PCI BARs");
	return 0;
}

int write_opening(FILE *f, const char *source, const struct pt_model *m,
		  const struct pt_iomem *iomem, const struct pt_pci *pci)
{
	struct utsname u;
	int r;

	uname(&u);
	fprintf(f, "{\"pattrack_trace\":1,\"source\":\"%s\",\"kernel\":\"%s\",\"machine\":\"%s\"}\n",
		source, u.release, u.machine);
	r = pt_model_foreach_entry(m, 0, UINT64_MAX, write_entry, f);
	if (r < 0)
		return r;
	for (size_t i = 0; i < iomem->n; i++) {
		struct pt_event ev = {
			.kind = PT_EV_RAM, .start = iomem->res[i].start, .end = iomem->res[i].end,
		};

		if (pt_resource_is_ram(&iomem->res[i]))
			pt_trace_write_event(f, &ev);
	}
	for (size_t i = 0; i < pci->n; i++) {
		struct pt_event ev = pt_pci_event(&pci->bar[i]);

		if (pt_pci_bar_is_memory(&pci->bar[i]))
			pt_trace_write_event(f, &ev);
	}
	return ferror(f) ? -EIO : 0;
}

int write_live_event(const struct pt_event *ev, void *userdata)
{
	return pt_trace_write_event(userdata, ev);
}

#define POLL_INTERVAL_MS 1000

int source_open(enum pt_source_kind want, pt_live_fn fn, void *userdata, struct pt_source *s)
{
	return pt_source_open(want, PT_DEBUGFS_PAT, POLL_INTERVAL_MS, fn, userdata, s);
}

struct pt_kallsyms *source_symbolize(struct pt_source *s)
{
	struct pt_kallsyms *syms = NULL;
	int r = pt_kallsyms_load(&syms);

	if (r < 0) {
		log_warning("stacks will not be symbolized: /proc/kallsyms: %s", strerror(-r));
		return NULL;
	}
	pt_source_set_kallsyms(s, syms);
	return syms;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/*
 * A source that sees no calls (debugfs) cannot tell a conflict: the kernel's
 * log can, with the pid and comm it printed.  Followed from now on; without
 * it the run goes on, said once.
 */
static void follow_log(const struct pt_source *src, struct pt_kmsg_follower *klog)
{
	int r;

	klog->fd = -1;
	if (src->ops->caps & PT_SOURCE_CALLS)
		return;
	r = pt_kmsg_follow(PT_KMSG, klog);
	if (r < 0)
		(void)log_full_errno_at(LOG_WARNING, r, "the kernel log will not be followed: %s",
					PT_KMSG);
}

static int read_log(struct pt_kmsg_follower *klog, pt_live_fn fn, void *userdata)
{
	int r;

	if (klog->fd < 0)
		return 0;
	r = pt_kmsg_follow_read(klog, fn, userdata);
	return r < 0 ? log_error_errno(r, "cannot take the kernel log's lines") : 0;
}

int follow_command(struct pt_source *src, pt_live_fn fn, void *userdata, char **argv,
		   struct lineage *l, pid_t *child, int *status)
{
	_cleanup_(pt_kmsg_follow_done) struct pt_kmsg_follower klog = { .fd = -1 };
	struct pt_live_loss loss = { 0 };
	int r;

	*child = 0;
	follow_log(src, &klog);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (argv[0]) {
		*child = fork();
		if (*child < 0)
			return log_error_errno(-errno, "cannot fork");
		if (*child == 0) {
			execvp(argv[0], argv);
			log_error_errno(-errno, "cannot run %s", argv[0]);
			_exit(127);
		}
		/* its events are still in the socket: marked before any is read */
		if (l)
			follow(l, *child);
	}
	for (;;) {
		/* a negative fd is not watched: the source is read every flush_ms */
		struct pollfd p[2] = {
			{ .fd = src->ops->fd(src->impl), .events = POLLIN },
			{ .fd = klog.fd, .events = POLLIN },
		};
		unsigned wait_ms = src->ops->flush_ms && src->ops->flush_ms < 100 ? src->ops->flush_ms : 100;

		/* at most 100 ms: the command's exit is looked for that often */
		if (poll(p, 2, (int)wait_ms) < 0 && errno != EINTR)
			return log_error_errno(-errno, "poll");
		r = src->ops->dispatch(src->impl);
		if (r >= 0)
			r = read_log(&klog, fn, userdata);
		if (r >= 0)
			r = pt_live_resync_on_loss(src, &loss, PT_DEBUGFS_PAT, fn, userdata);
		if (r < 0)
			return r;
		if (*child > 0 && waitpid(*child, status, WNOHANG) == *child)
			break;
		if (interrupted)
			break;
	}
	/* the command's last events, its exit among them, are reported by now */
	r = pt_source_drain(src);
	if (r < 0)
		return r;
	r = read_log(&klog, fn, userdata);
	if (r < 0)
		return r;
	/* gives up on what never came, and resynchronises once more if anything did not */
	src->ops->finish(src->impl);
	return pt_live_resync_on_loss(src, &loss, PT_DEBUGFS_PAT, fn, userdata);
}

int exit_status_of(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
