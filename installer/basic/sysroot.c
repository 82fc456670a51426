/*
 * sysroot.c - prefix target-system paths with --root.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "fileio.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

static char *root;

void sysroot_set(const char *dir)
{
	size_t n;

	free(root);
	root = NULL;
	if (!dir)
		return;
	/* Absolute, so that a process that changed its directory (the child
	 * as_user_call makes works in the user's home) still finds the tree. */
	if (dir[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)))
			root = xasprintf("%s/%s", streq(cwd, "/") ? "" : cwd, dir);
	}
	if (!root)
		root = xstrdup(dir);
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';
}

const char *sysroot_get(void)
{
	return root ? root : "";
}

char *sysroot_path(const char *abs_path)
{
	assert(abs_path && abs_path[0] == '/');
	return xasprintf("%s%s", sysroot_get(), abs_path);
}

int sysroot_resolve(const char *abs_path, char **ret)
{
	/* Linux's own bound on symlinks followed in one lookup. */
	const unsigned max_links = 40;
	_cleanup_strbuf_ struct strbuf done = STRBUF_INIT;   /* resolved so far; "" is the root */
	_cleanup_free_ char *todo = xstrdup(abs_path);
	const char *rest = todo;
	unsigned links = 0;

	assert(abs_path && abs_path[0] == '/');
	strbuf_init(&done);
	for (;;) {
		_cleanup_free_ char *host = NULL, *target = NULL;
		const char *next;
		size_t n, keep;
		struct stat st;
		int r;

		while (*rest == '/')
			rest++;
		if (!*rest)
			break;
		n = strcspn(rest, "/");
		next = rest + n;
		if (n == 1 && rest[0] == '.') {
			rest = next;
			continue;
		}
		if (n == 2 && rest[0] == '.' && rest[1] == '.') {
			char *slash = strrchr(done.buf, '/');

			if (slash) {
				done.len = (size_t)(slash - done.buf);
				*slash = '\0';
			}
			rest = next;
			continue;
		}
		keep = done.len;
		strbuf_addch(&done, '/');
		strbuf_add(&done, rest, n);
		host = xasprintf("%s%s", sysroot_get(), done.buf);
		if (lstat(host, &st) < 0)
			return -errno;
		if (S_ISLNK(st.st_mode)) {
			char *more;

			if (++links > max_links)
				return -ELOOP;
			r = read_link_at(AT_FDCWD, host, &target);
			if (r < 0)
				return r;
			done.len = target[0] == '/' ? 0 : keep;
			done.buf[done.len] = '\0';
			/* The target, then what was left after the link. */
			more = xasprintf("%s%s", target, next);
			free(todo);
			todo = more;
			rest = todo;
			continue;
		}
		if (*next && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		rest = next;
	}
	*ret = done.len ? strbuf_detach(&done, NULL) : xstrdup("/");
	return 0;
}

int sysroot_host_path(const char *abs_path, char **ret)
{
	_cleanup_free_ char *real = NULL;
	int r = sysroot_resolve(abs_path, &real);

	if (r < 0)
		return r;
	*ret = sysroot_path(real);
	return 0;
}

int sysroot_host_path_parent(const char *abs_path, char **ret)
{
	_cleanup_free_ char *copy = xstrdup(abs_path), *parent = NULL;
	size_t n = strlen(copy);
	char *slash;
	int r;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (slash == copy) {   /* "/name": the root itself is the parent */
		*ret = sysroot_path(copy);
		return 0;
	}
	*slash = '\0';
	r = sysroot_host_path(copy, &parent);
	if (r < 0)
		return r;
	*ret = xasprintf("%s/%s", parent, slash + 1);
	return 0;
}

bool sysroot_exists(const char *abs_path)
{
	struct stat st;

	return sysroot_stat(abs_path, &st) == 0;
}

int sysroot_stat(const char *abs_path, struct stat *st)
{
	_cleanup_free_ char *host = NULL;
	int r = sysroot_host_path(abs_path, &host);

	if (r < 0)
		return r;
	return stat(host, st) < 0 ? -errno : 0;
}
