/*
 * testroot.h - a scratch target tree for unit tests that read under a
 * sysroot: write files into it (parents created) and remove it at the end.
 */
#ifndef GS_TESTROOT_H
#define GS_TESTROOT_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
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

/* The text of root + rel (root may be "" for a plain path), or NULL when
 * it cannot be read. */
static inline char *testroot_get(const char *root, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);
	char *data = NULL;
	size_t len;

	return read_file(path, 1u << 20, &data, &len) == 0 ? data : NULL;
}

/* lstat of root + rel: true when it exists. */
static inline bool testroot_lstat(const char *root, const char *rel, struct stat *st)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	return lstat(path, st) == 0;
}

static inline void testroot_remove(const char *root)
{
	const char *const rm[] = { "rm", "-rf", root, NULL };
	struct run_result rr;

	if (run_command(rm, NULL, 10000, &rr) == 0)
		run_result_release(&rr);
}

/* apt-get update of the private apt tree under root (Dir=root/, its own
 * dpkg status), offline with file: sources; 0 or -EIO. */
static inline int testroot_apt_update(const char *root);

/* A private apt tree under root: a file: repository with the Packages
 * text given, dpkg's status, and lists apt-get update built.  0, or -EIO
 * when apt cannot read such a repository here. */
static inline int testroot_apt_tree(const char *root, const char *packages, const char *status)
{
	_cleanup_free_ char *sources = xasprintf("deb [trusted=yes] file:%s/repo ./\n", root);

	testroot_puts(root, "/etc/apt/sources.list", sources);
	testroot_puts(root, "/repo/Packages", packages);
	testroot_puts(root, "/var/lib/dpkg/status", status);
	testroot_puts(root, "/var/lib/apt/lists/partial/.keep", "");
	return testroot_apt_update(root);
}

static inline int testroot_apt_update(const char *root)
{
	_cleanup_free_ char *dir = xasprintf("Dir=%s/", root);
	_cleanup_free_ char *status = xasprintf("Dir::State::status=%s/var/lib/dpkg/status", root);
	const char *const argv[] = { "apt-get", "-qq", "-o", dir, "-o", status, "-o", "Debug::NoLocking=1",
				     "-o", "APT::Sandbox::User=root", "update", NULL };
	struct run_result rr;
	int r = run_command(argv, NULL, 60000, &rr);

	if (r == 0) {
		r = rr.exit_status == 0 ? 0 : -EIO;
		if (r)
			printf("# apt-get update: %s\n", rr.err.buf);
		run_result_release(&rr);
	}
	return r;
}

#endif
