/*
 * dpkg-lock.c - look for apt's and dpkg's locks without taking them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>

#include "dpkg-lock.h"
#include "sysroot.h"
#include "util.h"

static const char *const lock_files[] = {
	"/var/lib/dpkg/lock-frontend",
	"/var/lib/dpkg/lock",
	"/var/lib/apt/lists/lock",
	"/var/cache/apt/archives/lock",
};

/* 1 when another process holds a lock on path, 0 when not (or the file is
 * not there), negative errno on error. */
static int held(const char *path, pid_t *ret_pid)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* F_GETLK asks without locking: F_UNLCK back means nobody holds it. */
	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -errno;
	if (fl.l_type == F_UNLCK)
		return 0;
	*ret_pid = fl.l_pid > 0 ? fl.l_pid : 0;
	return 1;
}

int dpkg_lock_held(const char **ret_path, pid_t *ret_pid)
{
	static char path[4096];

	for (size_t i = 0; i < ELEMENTSOF(lock_files); i++) {
		_cleanup_free_ char *p = sysroot_path(lock_files[i]);
		pid_t pid = 0;
		int r = held(p, &pid);

		if (r < 0)
			return r;
		if (r) {
			snprintf(path, sizeof(path), "%s", p);
			*ret_path = path;
			*ret_pid = pid;
			return 1;
		}
	}
	return 0;
}

int dpkg_lock_wait(long timeout_ms, const char **ret_path, pid_t *ret_pid)
{
	const long step_ms = 250;

	for (long waited = 0;; waited += step_ms) {
		int r = dpkg_lock_held(ret_path, ret_pid);
		struct timespec ts = { 0, step_ms * 1000000L };

		if (r <= 0)
			return r;
		if (waited >= timeout_ms)
			return -EBUSY;
		nanosleep(&ts, NULL);
	}
}
