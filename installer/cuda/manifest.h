/*
 * manifest.h - the record of the files gpu-setup placed on the target (one
 * manifest per placement: cuDNN into a toolkit now, other kinds later), so
 * that an upgrade replaces exactly those files and a removal takes exactly
 * them, and never a file somebody else put there or changed since.
 *
 * The text format, version 1 (gpu-setup(8), FILES):
 *
 *   # gpu-setup manifest: files placed by gpu-setup; do not edit
 *   format 1
 *   kind cudnn
 *   version 9.8.0.87
 *   source cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz
 *   sha256 <64 lowercase hex digits: the source archive>
 *   base /usr/local/cuda-12.8
 *   file 0644 <64 lowercase hex digits: the file's content> include/cudnn_version.h
 *   link libcudnn.so.9 lib64/libcudnn.so
 *
 * One record a line, fields separated by one space, every line ended by a
 * newline (so a cut-off file is refused, not read short).  Lines starting
 * with '#' and empty lines are comments.  "format 1" comes first; then
 * kind, version and base (each once, required), source and sha256 (each at
 * most once), in any order; then the entries.  Every value is one word:
 * printable, no spaces, no control characters.  base is an absolute,
 * normalised path on the target; an entry's path is relative to base, has
 * no empty, "." or ".." component and appears once.  "file" gives the
 * permission bits (four octal digits, at most 0777) and the SHA-256 of the
 * content placed; "link" gives the symlink's target as placed.  Anything
 * else (an unknown key or format, a repeated key, a key after the first
 * entry) is refused: the file is gpu-setup's own, and a removal that reads
 * a guessed meaning into it could delete the wrong file.
 */
#ifndef GS_MANIFEST_H
#define GS_MANIFEST_H

#include <stddef.h>

#include "sha256.h"
#include "strbuf.h"

#define MANIFEST_FORMAT_STR "1"
/* Where the manifests live on the target (through the sysroot). */
#define MANIFEST_DIR "/var/lib/gpu-setup/manifests"

enum manifest_entry_type {
	MANIFEST_FILE,
	MANIFEST_LINK,
};

struct manifest_entry {
	enum manifest_entry_type type;
	unsigned mode;          /* MANIFEST_FILE: permission bits */
	char *sha256;           /* MANIFEST_FILE: lowercase hex of the content; else NULL */
	char *target;           /* MANIFEST_LINK: the symlink's target; else NULL */
	char *relpath;          /* relative to base */
};

struct manifest {
	char *kind;             /* "cudnn" */
	char *version;          /* of what was placed: "9.8.0.87" */
	char *source;           /* the archive's file name, or NULL */
	char *sha256;           /* the archive's digest, or NULL */
	char *base;             /* absolute path on the target */
	struct manifest_entry *entries;
	size_t nentries;
};

/* Append an entry (strings copied).  Nothing is checked here: formatting
 * does, so a caller learns about a bad name before anything is written. */
void manifest_add_file(struct manifest *m, const char *relpath, unsigned mode, const char *sha256);
void manifest_add_link(struct manifest *m, const char *relpath, const char *target);
/* The entry for relpath, or NULL. */
const struct manifest_entry *manifest_find(const struct manifest *m, const char *relpath);

/* Parse len bytes of text.  -EINVAL with "line N: what is wrong" appended
 * to err (when not NULL) for anything but a well-formed manifest. */
int manifest_parse(const char *text, size_t len, struct manifest *ret, struct strbuf *err);
/* Append m as text to out; -EINVAL (out untouched, err told why) when a
 * field cannot be written so that it reads back the same: a missing
 * required field, a name with a space or newline, a path with "..". */
int manifest_format(const struct manifest *m, struct strbuf *out, struct strbuf *err);

/* Read or write the manifest at abs_path on the target (through
 * sysroot_path).  Reading: -ENOENT when there is none (err untouched),
 * -EINVAL for a malformed one, another -errno when it cannot be read; err
 * names the file.  Writing creates the missing directories and replaces
 * the file atomically (write_file_atomic). */
int manifest_read(const char *abs_path, struct manifest *ret, struct strbuf *err);
int manifest_write(const char *abs_path, const struct manifest *m, struct strbuf *err);

/* Free what m holds and zero it (a zeroed manifest may be freed again). */
void manifest_free(struct manifest *m);

#endif
