/*
 * fileio.c - bounded reads and atomic writes.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <sys/stat.h>

#include "fileio.h"
#include "strbuf.h"
#include "util.h"

int read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	strbuf_init(&sb);
	for (;;) {
		ssize_t n;

		strbuf_grow(&sb, 4096);
		n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > max_size)
			return -EFBIG;
	}
	*ret_data = strbuf_detach(&sb, ret_len);
	return 0;
}

int read_one_line(const char *path, char **ret_line)
{
	_cleanup_free_ char *data = NULL;
	char *nl, *s;
	size_t len;
	int r;

	r = read_file(path, 4096, &data, &len);
	if (r < 0)
		return r;
	nl = strchr(data, '\n');
	if (nl)
		*nl = '\0';
	s = strstrip(data);
	*ret_line = xstrdup(s);
	return 0;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = xasprintf("%s.gpu-setup-XXXXXX", path);
	_cleanup_free_ char *dircopy = xstrdup(path);
	_cleanup_close_ int fd = -1, dirfd = -1;
	int r;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && fchmod(fd, mode) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && close(fd) < 0)
		r = -errno;
	fd = -1;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return r;
	}
	/* Make the rename itself durable. */
	dirfd = open(dirname(dircopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0)
		(void)fsync(dirfd);
	return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = xstrdup(path);
	struct stat st;

	for (char *p = copy + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		if (stat(copy, &st) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (last)
			return 0;
		*p = '/';
	}
}

/* Empty the directory open as dirfd (which this takes over). */
static int empty_dir_at(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		r = -errno;
		close(dirfd);
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		int fd, q;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			if (errno != ENOENT && r == 0)
				r = -errno;
			continue;
		}
		/* A directory: empty it, then remove it.  O_NOFOLLOW keeps a
		 * symlink swapped in meanwhile from taking us elsewhere. */
		fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (r == 0)
				r = -errno;
			continue;
		}
		q = empty_dir_at(fd);
		if (q == 0 && unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0)
			q = -errno;
		if (q < 0 && r == 0)
			r = q;
	}
	if (errno != 0 && r == 0)
		r = -errno;
	closedir(d);
	return r;
}

int remove_tree(const char *path)
{
	int fd, r;

	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = empty_dir_at(fd);
	if (r == 0 && rmdir(path) < 0)
		r = -errno;
	return r;
}

int read_link_at(int dirfd, const char *name, char **ret)
{
	_cleanup_free_ char *buf = xmalloc(PATH_MAX);
	ssize_t n = readlinkat(dirfd, name, buf, PATH_MAX);

	if (n < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	*ret = TAKE_PTR(buf);
	return 0;
}

int symlink_replace(const char *target, const char *path)
{
	for (unsigned attempt = 0; attempt < 100; attempt++) {
		_cleanup_free_ char *tmp = xasprintf("%s.gpu-setup-%ld-%u", path, (long)getpid(), attempt);

		if (symlink(target, tmp) < 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		if (rename(tmp, path) < 0) {
			int r = -errno;

			unlink(tmp);
			return r;
		}
		return 0;
	}
	return -EEXIST;
}
