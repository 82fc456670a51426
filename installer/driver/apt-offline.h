/*
 * apt-offline.h - installing packages from the cache's .debs with the
 * target's own apt and dpkg, and no network: a temporary flat repository
 * (a file: source) under the target's root holding the .debs (hard links,
 * else copies) and a Packages index written here from each .deb's control
 * file (dpkg-deb) with the cache's sha256; and the apt options that make
 * it apt's only source, with lists of its own, so the system's sources and
 * lists are neither read nor changed.
 */
#ifndef GS_APT_OFFLINE_H
#define GS_APT_OFFLINE_H

#include <stddef.h>

#include "strbuf.h"

struct apt_offline_repo {
	char *dir;          /* the repository, a target path (/var/lib/gpu-setup/offline-repo.XXXXXX) */
	char **apt_options; /* "-o", "Dir::Etc::SourceList=...", ...: NULL-terminated, for apt-get
			       in the target */
	char **config;      /* the same settings as "Key=Value", for apt_cache_open_config */
};

/* Make the repository from n .debs (host paths, each with its sha256 as
 * the cache recorded it), then run apt-get update for it alone in the
 * target.  Returns 0 or a negative errno, err saying what (nothing is
 * left behind). */
int apt_offline_repo_create(const char *const *debs, const char *const *sha256s, size_t n,
			    struct apt_offline_repo *ret, struct strbuf *err);

/* Remove the repository and its lists; free r. */
void apt_offline_repo_remove(struct apt_offline_repo *r);

#endif
