/*
 * apt-target.h - apt's view of another machine, built here from what
 * `gpu-setup detect --json` recorded there: its sources, the keys it
 * trusts, its architecture and its installed packages are written into a
 * private directory laid out like a root file system, its package indexes
 * are downloaded into that directory (apt-get update, apt's own transport
 * and signature checks), and apt_cache_open(dir) then answers as that
 * machine's apt would.  `fetch --for` computes the driver's dependency
 * closure against it.
 */
#ifndef GS_APT_TARGET_H
#define GS_APT_TARGET_H

#include <stddef.h>

#include "strbuf.h"

struct apt_target_file {
	const char *path;               /* absolute path on the described machine:
					   /etc/apt/sources.list, /etc/apt/sources.list.d/x.sources,
					   /usr/share/keyrings/x.gpg, /etc/apt/trusted.gpg.d/y.asc */
	const unsigned char *data;
	size_t len;
};

struct apt_target_package {
	const char *name, *version, *arch;   /* an installed package (dpkg status "install ok installed") */
};

struct apt_target_spec {
	const char *arch;                    /* dpkg's native architecture there: amd64 */
	const struct apt_target_file *sources; size_t nsources;  /* sources.list and sources.list.d/ files */
	const struct apt_target_file *keys; size_t nkeys;         /* keyrings its sources and apt trust */
	const struct apt_target_package *packages; size_t npackages;
};

/* Lay out a private tree for spec in a new directory under tmpdir (NULL:
 * $TMPDIR or /tmp): the sources and keys at their paths, a dpkg status
 * listing the packages as installed, apt's configuration pointing at the
 * tree.  *ret_dir: the tree (malloc'ed).  Returns 0 or a negative errno
 * (err says what; nothing is left behind). */
int apt_target_tree_create(const struct apt_target_spec *spec, const char *tmpdir, char **ret_dir,
			   struct strbuf *err);

/* Download the tree's package indexes (apt-get update under the tree's
 * configuration: the network, this machine's apt methods).  Returns 0, or
 * -EIO with apt's last words in err. */
int apt_target_tree_update(const char *dir, struct strbuf *err);

/* The apt settings of the tree ("Key=Value": Dir, the dpkg status, the
 * architecture, the keyrings, ...) for apt_cache_open_config(dir, ...):
 * apt_cache_open(dir) alone would take this machine's architecture.
 * NULL-terminated, free with apt_target_tree_config_free; returns the
 * count or a negative errno. */
int apt_target_tree_config(const char *dir, char ***ret);
void apt_target_tree_config_free(char **config);

/* Remove the tree (everything under dir). */
void apt_target_tree_remove(const char *dir);

#endif
