/*
 * fileio.h - reading whole files with a size bound, and atomic writes
 * (temporary file in the same directory + fsync + rename + fsync of the
 * directory), so a crash or a full disk never leaves a half-written file.
 */
#ifndef GS_FILEIO_H
#define GS_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read at most max_size bytes of path into a NUL-terminated buffer.
 * -EFBIG when the file is larger. */
int read_file(const char *path, size_t max_size, char **ret_data, size_t *ret_len);
/* Read the first line of a small file (sysfs attribute), stripped. */
int read_one_line(const char *path, char **ret_line);
/* Write all of data to fd, going on after short writes and EINTR. */
int write_all(int fd, const void *data, size_t len);

/* Write data to path atomically with the given mode.  On failure the old
 * file, if any, is untouched and no temporary file is left behind. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* The target of the symbolic link name (relative to dirfd, or AT_FDCWD),
 * NUL-terminated; -ENAMETOOLONG past PATH_MAX. */
int read_link_at(int dirfd, const char *name, char **ret);
/* Make path a symbolic link to target, replacing what link is there in
 * one rename (a temporary link beside it first), so that the link is never
 * missing or half made.  0 or a negative errno. */
int symlink_replace(const char *target, const char *path);

/* Create a directory and its missing parents (mode for the new ones);
 * 0 when it exists already. */
int mkdir_p(const char *path, mode_t mode);

/* Remove path and, when it is a directory, everything in it, without
 * following symlinks (a link is removed, not what it points to).  0 when
 * path does not exist.  For gpu-setup's own staging directories. */
int remove_tree(const char *path);

#endif
