/*
 * testroot.h - a scratch target tree for unit tests that read under a
 * sysroot: write files into it (parents created) and remove it at the end.
 */
#ifndef GS_TESTROOT_H
#define GS_TESTROOT_H

#include <sys/stat.h>

#include "fileio.h"
#include "run.h"
#include "util.h"

/* Write len bytes to root + rel, creating the directories on the way. */
static inline void testroot_put(const char *root, const char *rel, const void *data, size_t len)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	for (char *slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	write_file_atomic(path, data, len, 0644);
}

static inline void testroot_puts(const char *root, const char *rel, const char *text)
{
	testroot_put(root, rel, text, strlen(text));
}

static inline void testroot_remove(const char *root)
{
	const char *const rm[] = { "rm", "-rf", root, NULL };
	struct run_result rr;

	if (run_command(rm, NULL, 10000, &rr) == 0)
		run_result_release(&rr);
}

#endif
