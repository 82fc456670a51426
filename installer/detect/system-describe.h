/*
 * system-describe.h - what another machine needs to know of this one to
 * plan for it (`detect --json`'s "system" member, read back by `fetch
 * --for`): the distribution, the running kernel, the loaded NVIDIA driver
 * and apt's view (architecture, sources, the keys they trust, installed
 * packages).  Everything is read under the sysroot; a missing piece is
 * left empty, never an error, so detect never fails on it.
 */
#ifndef GS_SYSTEM_DESCRIBE_H
#define GS_SYSTEM_DESCRIBE_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "osinfo.h"

/* A file of the machine, as read. */
struct system_file {
	char *path;           /* on the target: "/etc/apt/sources.list" (no sysroot) */
	char *data;           /* its bytes, NUL-terminated for text use */
	size_t len;
};

/* An installed package (dpkg status "install ok installed"). */
struct system_package {
	char *name, *version, *arch;
};

struct system_apt {
	char *arch;                           /* dpkg's native architecture */
	struct system_file *sources; size_t nsources;
	struct system_file *keys; size_t nkeys;
	bool have_packages;                   /* false: no dpkg status to read */
	struct system_package *packages; size_t npackages;
};

struct system_description {
	bool have_os;
	struct os_release os;
	char *kernel;                         /* NULL: unknown */
	char *driver;                         /* loaded driver version, NULL: none */
	enum driver_flavour flavour;
	bool have_apt;                        /* false: no /etc/apt */
	struct system_apt apt;
};

/* Read the description of the target.  Never fails: what cannot be read
 * stays NULL or false. */
void system_describe(struct system_description *ret);
void system_description_free(struct system_description *s);

/* The installed packages in dpkg status text (len bytes): stanzas of
 * Package, Status, Version and Architecture fields, those whose Status is
 * "install ok installed".  A stanza lacking a field is skipped. */
void dpkg_status_installed(const char *text, size_t len, struct system_package **ret, size_t *ret_n);

/* Append to *paths (n entries, each malloc'ed) the keyring files the
 * sources text names: signed-by=PATH options of one-line entries and
 * Signed-By: PATH fields of deb822 stanzas (deb822 true).  Values that are
 * not absolute paths (fingerprints, an inline key block) are not files
 * and are left out; a path already listed is not added again. */
void apt_sources_keyrings(const char *text, bool deb822, char ***paths, size_t *n);

#endif
