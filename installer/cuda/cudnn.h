/*
 * cudnn.h - check a cuDNN archive, place it into a CUDA toolkit, and take
 * it out again, by a manifest of exactly the files placed.
 *
 * NVIDIA's archives come in two layouts (compat.h, enum cudnn_layout):
 *   <= 8.2  cudnn-11.4-linux-x64-v8.2.4.15.tgz: cuda/include/cudnn*.h,
 *           cuda/lib64/libcudnn* (libcudnn.so -> libcudnn.so.8 ->
 *           libcudnn.so.8.2.4), cuda/NVIDIA_SLA_cuDNN_Support.txt;
 *   >= 8.3  cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz:
 *           cudnn-linux-x86_64-9.8.0.87_cuda12-archive/{include,lib}/...
 *           and LICENSE.
 * Placing does what NVIDIA's installation guide has a person do by hand
 * (copy include/cudnn*.h into <toolkit>/include, `cp -P` lib/libcudnn*
 * into <toolkit>/lib64, `chmod a+r`), from one read of the archive into a
 * staging directory inside the toolkit, then by rename(): nothing else in
 * the archive (licence texts, anything in a subdirectory) is placed, and a
 * failure at any point leaves the toolkit as it was.
 *
 * Errors (the command layer maps them to exit codes), each with one
 * sentence appended to err naming the file:
 *   -EBADMSG  the archive's SHA-256 is not the expected one
 *   -EINVAL   not a cuDNN archive, or a corrupt, truncated or malicious one,
 *             or its name and its header disagree on the version
 *   -EXDEV    the archive is built for another CUDA major than the toolkit
 *   -EEXIST   the toolkit holds cuDNN files gpu-setup did not place, or
 *             placed and somebody changed since (listed in err; never
 *             overwritten)
 *   -ENOENT   the toolkit directory (or its include/lib64) is missing
 *   -ELOOP    the toolkit's include or lib64 is a symlink that leads out of
 *             the toolkit (under --root: out of the root)
 *   other     -errno of a failed read or write (-ENOSPC: the disk is full)
 */
#ifndef GS_CUDNN_H
#define GS_CUDNN_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "sha256.h"
#include "strbuf.h"

/* What an archive says about itself. */
struct cudnn_archive {
	char *name_version;           /* "9.8.0.87", from its name */
	char *header_version;         /* "9.8.0", from cudnn_version.h (>= 8) or cudnn.h (<= 7) */
	unsigned cuda_major;          /* the CUDA major it is built for, from its name */
	enum cudnn_layout layout;
	char sha256[SHA256_HEX_LEN + 1];  /* of the archive file, computed while reading it */
	size_t nfiles;                /* headers and libraries (files and symlinks) it would place */
};

/* Read the whole archive and check everything placing would check (layout,
 * names, versions, entry types and paths, the libraries' ELF magic), and
 * compute its SHA-256, without writing anything.  For --dry-run and plan. */
int cudnn_inspect(const char *archive_path, struct cudnn_archive *ret, struct strbuf *err);

struct cudnn_place_request {
	const char *archive_path;      /* a real path, NOT through the sysroot */
	const char *expected_sha256;   /* NULL: not checked (unknown in the compat data) */
	const char *toolkit_dir;       /* on the target, through sysroot_path(): "/usr/local/cuda-12.8" */
	unsigned toolkit_cuda_major;
};

struct cudnn_place_result {
	struct cudnn_archive info;
	size_t nfiles;                 /* files and symlinks placed */
	bool replaced_previous;        /* a cuDNN gpu-setup had placed there was replaced */
	char *previous_version;        /* its version, or NULL */
};

/* Place the archive into the toolkit: headers into <toolkit>/include and
 * libraries, symlink chain kept, into <toolkit>/lib64 (through NVIDIA's
 * runfile symlinks into targets/x86_64-linux when the toolkit has them),
 * every file mode 0644.  A cuDNN gpu-setup placed there before is
 * replaced as part of the same move.  The manifest
 * (cudnn_manifest_path()) is written last.  Does not run ldconfig: the
 * command layer does, through the spawner. */
int cudnn_place(const struct cudnn_place_request *req, struct cudnn_place_result *ret, struct strbuf *err);

struct cudnn_remove_result {
	char *version;                 /* of the cuDNN the manifest recorded */
	size_t nremoved;               /* files and symlinks removed */
	size_t nmissing;               /* listed, but already gone */
	char **kept;                   /* listed, but changed since placed: kept (paths relative to the toolkit) */
	size_t nkept;
};

/* Remove exactly the files the toolkit's manifest lists, where they still
 * are what was placed; files changed since are kept and listed.  Then the
 * manifest goes.  -ENOENT when there is no manifest (err untouched). */
int cudnn_remove(const char *toolkit_dir, struct cudnn_remove_result *ret, struct strbuf *err);

/* The manifest of a toolkit, as a path on the target:
 * /var/lib/gpu-setup/manifests/cudnn-<basename of toolkit_dir>.manifest.
 * cudnn_place and cudnn_remove pass the toolkit's resolved path (so
 * /usr/local/cuda and /usr/local/cuda-12.8 share one manifest). */
char *cudnn_manifest_path(const char *toolkit_dir);

/* The version an installed cuDNN's header says ("9.8.0"), from
 * <toolkit>/include/cudnn_version.h, or cudnn.h when there is none (cuDNN
 * 7 and older).  0, -ENOENT (no header), or -EINVAL (no version in it). */
int cudnn_installed_version(const char *toolkit_dir, char **ret);

/* What NVIDIA's name for a cuDNN archive says (either naming:
 * cudnn-11.4-linux-x64-v8.2.4.15.tgz, cudnn-linux-x86_64-9.8.0.87_cuda12-
 * archive.tar.xz): the cuDNN version ("9.8.0.87") and the CUDA major it is
 * built for.  A manifest's source line holds such a name, so the CUDA
 * major of a placed cuDNN can be told after the archive is gone.
 * -EINVAL for any other name. */
int cudnn_archive_name_parse(const char *filename, char **ret_version, unsigned *ret_cuda_major);

void cudnn_archive_free(struct cudnn_archive *a);
void cudnn_place_result_free(struct cudnn_place_result *r);
void cudnn_remove_result_free(struct cudnn_remove_result *r);

/* For the tests only: when > 0, the Nth step of the final move (each
 * rename, then the manifest write) fails with -EIO, so the roll-back can
 * be checked without root tricks.  Zero in the program. */
extern unsigned cudnn_test_fail_step;

#endif
