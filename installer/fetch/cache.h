/*
 * cache.h - the cache of downloaded archives that `gpu-setup fetch` fills
 * and offline installs read, and its manifest.
 *
 * The cache is a directory (default GS_CACHE_DIR on the target, or
 * --cache DIR) holding the files and a manifest, CACHE_MANIFEST_NAME, a
 * versioned text format documented in gpu-setup(8):
 *
 *   # gpu-setup cache manifest (see gpu-setup(8))      comments, blank lines: ignored
 *   gpu-setup-cache 1                                  first non-comment line: the format version
 *   KIND<TAB>NAME<TAB>VERSION<TAB>SIZE<TAB>SHA256<TAB>URL<TAB>PLANS
 *
 * KIND is runfile, cudnn, miniconda, deb or wheel; NAME the file name
 * (no '/'); the file is DIR/NAME for runfile, cudnn and miniconda,
 * DIR/debs/NAME for deb and DIR/wheels/NAME for wheel.  SIZE is in bytes,
 * SHA256 lowercase hex, URL where it came from ("-" when it came from a
 * local file), PLANS a comma-separated list of the plan labels that need
 * it (plan labels have no ',' or tab; "-" when none).  One line per
 * (KIND, NAME).  No field is empty or holds a control character; a NAME
 * does not start with '.' or end in ".part" (the cache's lock and partial
 * downloads), and a runfile, cudnn or miniconda is not named "manifest",
 * "debs" or "wheels".
 * A later version of the format bumps the number; a reader refuses a
 * number it does not know.
 */
#ifndef GS_CACHE_H
#define GS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"
#include "strbuf.h"

/* The cache on the target when --cache does not name one. */
#define GS_CACHE_DIR "/var/cache/gpu-setup"
#define CACHE_MANIFEST_NAME "manifest"
#define CACHE_FORMAT_VERSION 1

enum cache_kind {
	CACHE_RUNFILE,
	CACHE_CUDNN,
	CACHE_MINICONDA,
	CACHE_DEB,
	CACHE_WHEEL,
	CACHE_KIND_COUNT,
};

struct cache_entry {
	enum cache_kind kind;
	char *name;
	char *version;
	uint64_t size;
	char sha256[SHA256_HEX_LEN + 1];
	char *url;        /* "-": none */
	char *plans;      /* "a,b"; "" (NULL in cache_manifest_add): none */
};

struct cache_manifest {
	char *dir;        /* the cache directory, a host path */
	struct cache_entry *entries;
	size_t nentries;
};

/* "runfile" ... "wheel"; NULL for a bad value.  And back: -EINVAL when
 * name is no kind. */
const char *cache_kind_name(enum cache_kind k);
int cache_kind_from_name(const char *name, enum cache_kind *ret);

/* The cache directory as a host path: --cache DIR (made absolute), else
 * GS_CACHE_DIR under the sysroot.  Newly allocated.  Defined with the
 * cache command (cmd-cache.c), in the program: gs_opts is not the
 * library's. */
char *cache_dir_default(void);
/* The same for a given --cache value (NULL or "": the default); trailing
 * slashes dropped. */
char *cache_dir_for(const char *option);

/* Read DIR's manifest.  A directory without one (or no directory at all)
 * is an empty cache.  Returns 0, -EINVAL for a malformed manifest ("line
 * N: what" in err), or another negative errno (err says which file). */
int cache_manifest_load(const char *dir, struct cache_manifest *ret, struct strbuf *err);
void cache_manifest_free(struct cache_manifest *m);

/* Write the manifest (atomically: temporary file, fsync, rename), creating
 * the directory (0755) when needed.  Entries are written sorted by kind,
 * then name, so the same cache gives the same bytes. */
int cache_manifest_save(const struct cache_manifest *m);

/* The entry for (kind, name), or NULL. */
struct cache_entry *cache_manifest_find(const struct cache_manifest *m, enum cache_kind kind, const char *name);

/* Add e (copied), or update the entry with the same kind and name: its
 * version, size, sha256 and url become e's, and e's plans are added to
 * the ones it has (no duplicates).  Returns 0 or -EINVAL (a field that
 * cannot be written: a tab or newline, '/' in the name, a bad sha256). */
int cache_manifest_add(struct cache_manifest *m, const struct cache_entry *e);

/* Forget the entry for (kind, name) (its file stays): 0 or -ENOENT. */
int cache_manifest_remove(struct cache_manifest *m, enum cache_kind kind, const char *name);

/* Where an entry's file is (host path), newly allocated; and the
 * directory a kind's files go to (DIR, DIR/debs or DIR/wheels). */
char *cache_entry_path(const struct cache_manifest *m, const struct cache_entry *e);
char *cache_kind_dir(const struct cache_manifest *m, enum cache_kind kind);

/* Check an entry's file: 0 when it is a regular file with the recorded
 * size and sha256; -ENOENT missing, -EFBIG wrong size, -EBADMSG wrong
 * sha256 (the digest found in why), -ELOOP a symbolic link, -EISDIR a
 * directory, or another negative errno; why gets a short reason
 * ("missing", "size 12 instead of 34", ...). */
int cache_entry_verify(const struct cache_manifest *m, const struct cache_entry *e, struct strbuf *why);

/* Hold the cache's lock (DIR/.lock, flock) while fetch or prune change
 * it, so two runs do not write one manifest: the fd to close, -EBUSY when
 * another run holds it, or another negative errno. */
int cache_lock(const char *dir);

#endif
