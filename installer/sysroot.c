/*
 * sysroot.c - prefix target-system paths with --root.
 */
#include "config.h"

#include <sys/stat.h>

#include <assert.h>

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

bool sysroot_exists(const char *abs_path)
{
	_cleanup_free_ char *p = sysroot_path(abs_path);
	struct stat st;

	return stat(p, &st) == 0;
}
