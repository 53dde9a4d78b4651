// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * drm-map: maps a graphics driver's memory the way programs do, for the
 * VM harness's real-driver phases.
 *
 *   drm-map fb /dev/fb0          the framebuffer, as fbdev programs map it
 *   drm-map dumb /dev/dri/card0  a DRM dumb buffer, as a modesetting client does
 *
 * Each writes the mapping, forks a child that writes it too and exits
 * (the child's copy of the mapping goes with it), then unmaps and exits.
 * Prints what it mapped; exits 1 when the device cannot be mapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* The DRM uapi's dumb-buffer ioctls (include/uapi/drm/drm_mode.h, drm.h) */
struct drm_mode_create_dumb {
	uint32_t height, width, bpp, flags;
	uint32_t handle, pitch;
	uint64_t size;
};

struct drm_mode_map_dumb {
	uint32_t handle, pad;
	uint64_t offset;
};

struct drm_mode_destroy_dumb {
	uint32_t handle;
};

#define DRM_IOCTL_MODE_CREATE_DUMB _IOWR('d', 0xB2, struct drm_mode_create_dumb)
#define DRM_IOCTL_MODE_MAP_DUMB _IOWR('d', 0xB3, struct drm_mode_map_dumb)
#define DRM_IOCTL_MODE_DESTROY_DUMB _IOWR('d', 0xB4, struct drm_mode_destroy_dumb)

static int fail(const char *what, const char *dev)
{
	fprintf(stderr, "drm-map: %s: %s: %s\n", dev, what, strerror(errno));
	return 1;
}

/* Writes the mapping, in this process and in a child that exits. */
static void use(volatile uint8_t *p, size_t len)
{
	pid_t child;

	for (size_t i = 0; i < len; i += 4096)
		p[i] = (uint8_t)i;
	child = fork();
	if (child == 0) {
		for (size_t i = 0; i < len; i += 4096)
			p[i] = 0;
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
}

static int map_fb(const char *dev, int fd)
{
	struct fb_fix_screeninfo fix;
	size_t len;
	void *p;

	if (ioctl(fd, FBIOGET_FSCREENINFO, &fix) < 0)
		return fail("FBIOGET_FSCREENINFO", dev);
	len = fix.smem_len < (1u << 20) ? fix.smem_len : (1u << 20);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap", dev);
	use(p, len);
	munmap(p, len);
	printf("drm-map: %s: %zu bytes of the framebuffer (%s) mapped, written, forked\n", dev,
	       len, fix.id);
	return 0;
}

static int map_dumb(const char *dev, int fd)
{
	struct drm_mode_create_dumb create = { .height = 256, .width = 256, .bpp = 32 };
	struct drm_mode_map_dumb map = { 0 };
	struct drm_mode_destroy_dumb destroy = { 0 };
	void *p;

	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) < 0)
		return fail("DRM_IOCTL_MODE_CREATE_DUMB", dev);
	map.handle = destroy.handle = create.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map) < 0)
		return fail("DRM_IOCTL_MODE_MAP_DUMB", dev);
	p = mmap(NULL, create.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map.offset);
	if (p == MAP_FAILED)
		return fail("mmap", dev);
	use(p, create.size);
	munmap(p, create.size);
	ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	printf("drm-map: %s: a %llu-byte dumb buffer mapped, written, forked\n", dev,
	       (unsigned long long)create.size);
	return 0;
}

int main(int argc, char *argv[])
{
	int fd, r;

	if (argc != 3 || (strcmp(argv[1], "fb") != 0 && strcmp(argv[1], "dumb") != 0)) {
		fprintf(stderr, "usage: drm-map fb|dumb DEVICE\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail("open", argv[2]);
	r = strcmp(argv[1], "fb") == 0 ? map_fb(argv[2], fd) : map_dumb(argv[2], fd);
	close(fd);
	return r;
}
