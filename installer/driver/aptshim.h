/*
 * aptshim.h - the C face of libapt-pkg, the only C++ in gpu-setup
 * (aptshim.cc).  Only C types cross; no exception escapes; strings
 * returned are malloc'ed and the caller frees them.  Errors: negative
 * errno, with apt's own messages in *ret_err when one is asked for.
 *
 * One cache per process: apt's configuration is global.
 */
#ifndef GS_APTSHIM_H
#define GS_APTSHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct apt_cache;

/* Open the package cache of the system under root_dir ("/" or NULL: this
 * one), building it from the lists apt already has; nothing is
 * downloaded. */
int apt_cache_open(const char *root_dir, struct apt_cache **ret, char **ret_err);
void apt_cache_close(struct apt_cache *c);

/* apt_cache_open with apt settings set first ("Key=Value" strings,
 * NULL-terminated; NULL: none), for example the offline repository's
 * source list and lists directory (apt-offline.h). */
int apt_cache_open_config(const char *root_dir, const char *const *config, struct apt_cache **ret,
			  char **ret_err);

/* Installed and candidate version of a package (NULL when none); -ENOENT
 * when apt does not know the package at all. */
int apt_versions(struct apt_cache *c, const char *pkg, char **ret_installed, char **ret_candidate);

/* A field of the candidate version's record (Modaliases, Section,
 * Support, ...); -ENOENT when the package has no candidate, -ENODATA when
 * the record lacks the field. */
int apt_candidate_field(struct apt_cache *c, const char *pkg, const char *field, char **ret);

/* Names of the packages whose name starts with prefix and that have a
 * candidate version, sorted; NULL-terminated array, free with
 * apt_free_list.  Returns the count. */
int apt_packages_with_prefix(struct apt_cache *c, const char *prefix, char ***ret);

/* Whether pkgs can be installed: each, and recursively every Depends and
 * Pre-Depends of their candidates, installed in a version that satisfies
 * it or with a candidate that does.  0, or -ENOENT with *ret_err naming
 * what is missing. */
int apt_check_installable(struct apt_cache *c, const char *const *pkgs, char **ret_err);

/* What apt-get install pkgs would install, by apt's own resolver
 * (pkgDepCache::MarkInstall): the packages not installed in their
 * candidate's version, what they depend on and, where apt's configuration
 * says so (APT::Install-Recommends, true by default), what they recommend;
 * and a held dependency that would have to change version (apt leaves it
 * out; apt_held_blockers names it).  Sorted, as apt_packages_with_prefix;
 * -ENOENT when a package or a dependency has no candidate (*ret_err names
 * it, as apt_check_installable). */
int apt_install_closure(struct apt_cache *c, const char *const *pkgs, char ***ret, char **ret_err);

/* Packages on hold (apt-mark hold, dpkg selection "hold") that stand in
 * the way of installing the packages in closure (what apt_install_closure
 * returned): held members of it that would change version, and installed
 * held packages that a candidate in it conflicts with or breaks.  Sorted,
 * NULL-terminated (free with apt_free_list); returns the count. */
int apt_held_blockers(struct apt_cache *c, const char *const *closure, char ***ret);

/* How many Packages indexes apt's fetched Release files list that its
 * lists lack (a component added to the sources since apt-get update ran;
 * a repository whose Release was never fetched is left to apt-get); the first one's
 * description in *ret_first (free it) when ret_first is not NULL and there
 * is one.  A negative errno when the sources cannot be read. */
int apt_lists_missing(struct apt_cache *c, char **ret_first);

/* dpkg was interrupted (packages half-configured or half-installed, or
 * updates/ pending): 1, else 0. */
int apt_dpkg_interrupted(struct apt_cache *c);

/* Where each package's candidate .deb comes from. */
struct apt_archive {
	char *package, *version, *arch;
	char *filename;             /* the .deb's file name: NAME_VERSION_ARCH.deb, ':' as %3a (as apt
				       names it in /var/cache/apt/archives) */
	char *uri;                  /* the index's archive URI + the record's Filename */
	unsigned long long size;
	char *sha256;               /* from the index; NULL when it gives none */
};

/* The archive of the candidate version of every package in pkgs (names,
 * NULL-terminated; e.g. what apt_install_closure returned), in that order.
 * -ENOENT when one has no candidate or no downloadable file (a package
 * only in dpkg's status), *ret_err naming it. */
int apt_archives(struct apt_cache *c, const char *const *pkgs, struct apt_archive **ret, size_t *ret_n,
		 char **ret_err);
void apt_archives_free(struct apt_archive *a, size_t n);

void apt_free_list(char **list);

#ifdef __cplusplus
}
#endif

#endif
