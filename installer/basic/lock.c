/*
 * lock.c - flock(2)-based run lock holding the owner's pid for messages.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#include "lock.h"
#include "util.h"

int lock_take(const char *path, long *ret_holder)
{
	char buf[32];
	ssize_t n;
	int fd, len;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;

		if (r == -EWOULDBLOCK && ret_holder) {
			n = pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			*ret_holder = strtol(buf, NULL, 10);
		}
		close(fd);
		return r;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	/* Empty the pid so a reader does not blame a finished process. */
	if (ftruncate(fd, 0) < 0) {
		/* nothing useful to do: the lock goes away with the fd */
	}
	close(fd);
}
