/*
 * cudnn-archive.h - reading a cuDNN archive once: what it is (names,
 * versions, layout), whether it is safe and complete, its SHA-256, and
 * (when a staging directory is given) its headers and libraries extracted
 * there.  Internal to the cuDNN module (cudnn.c); the command layer uses
 * cudnn.h.
 */
#ifndef GS_CUDNN_ARCHIVE_H
#define GS_CUDNN_ARCHIVE_H

#include <stdbool.h>

#include "cudnn.h"

/* Where a member goes in the toolkit, and the name of that directory
 * there and in the staging directory. */
enum cudnn_dest {
	CUDNN_DEST_INCLUDE,
	CUDNN_DEST_LIB,
	CUDNN_DEST_COUNT,
};
extern const char *const cudnn_dest_dir[CUDNN_DEST_COUNT];   /* "include", "lib64" */

/* One header or library the archive places. */
struct cudnn_member {
	enum cudnn_dest dest;
	char *name;                 /* one component: "libcudnn.so.9" */
	char *target;               /* a symlink's target (same directory), or NULL for a file */
	char sha256[SHA256_HEX_LEN + 1];   /* a file's content, when extracted; else "" */
};

struct cudnn_scan {
	struct cudnn_archive info;
	char *source;               /* NVIDIA's name for the archive file */
	struct cudnn_member *members;
	size_t nmembers;
};

/* Whether name (one path component) is something NVIDIA's instructions
 * copy into dest: include/cudnn*.h, lib/libcudnn*, in a character set we
 * can record and print (letters, digits, "._+-"). */
bool cudnn_member_name_ok(enum cudnn_dest dest, const char *name);

/* Read the archive at path (a real path) once.  staging_fd < 0: check only.
 * Otherwise extract the members into the directories "include" and "lib64"
 * under the directory open as staging_fd (they must exist and be empty),
 * files mode 0644.  want_cuda > 0: -EXDEV as soon as the archive names
 * another CUDA major.  expected_sha256 (or NULL): -EBADMSG when the file's
 * digest differs, which then takes precedence over any other finding (a
 * damaged download explains them).  Errors as in cudnn.h. */
int cudnn_scan_archive(const char *path, int staging_fd, unsigned want_cuda, const char *expected_sha256,
		       struct cudnn_scan *ret, struct strbuf *err);
void cudnn_scan_free(struct cudnn_scan *s);

/* The version the text of cudnn_version.h or cudnn.h defines, "9.8.0";
 * false when CUDNN_MAJOR, CUDNN_MINOR or CUDNN_PATCHLEVEL is missing. */
bool cudnn_header_version(const char *text, unsigned ret[3]);

#endif
