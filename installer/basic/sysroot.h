/*
 * sysroot.h - every path gpu-setup reads or writes on the target system goes
 * through here, so --root DIR points the whole program at a directory tree
 * (tests, chroots, preparing an image).
 */
#ifndef GS_SYSROOT_H
#define GS_SYSROOT_H

#include <stdbool.h>

/* Set the root; NULL or "/" means the running system.  The string is
 * copied, made absolute (from the working directory) when relative; a
 * trailing slash is dropped. */
void sysroot_set(const char *root);
/* "" for the running system, else the root without a trailing slash. */
const char *sysroot_get(void);
/* Returns a newly allocated path: the root followed by abs_path, which must
 * be absolute. */
char *sysroot_path(const char *abs_path);
/* Whether abs_path exists on the target (stat follows symlinks, resolved
 * inside the root: sysroot_stat). */
bool sysroot_exists(const char *abs_path);
/* Resolve abs_path the way the kernel would inside a chroot to the root:
 * every symlink followed, an absolute target taken from the root, ".."
 * never above it.  *ret is the resulting path on the target (no symlink
 * left in it; pass it to sysroot_path to reach it), so a symlink under
 * --root can never lead to the host's files.  -ENOENT, -ENOTDIR or
 * -ELOOP (more than 40 links) as the kernel would say. */
int sysroot_resolve(const char *abs_path, char **ret);
/* sysroot_path of what sysroot_resolve gives: the host path that reaches
 * abs_path with every link in it resolved inside the root.  Its errors. */
int sysroot_host_path(const char *abs_path, char **ret);
/* The same for abs_path's parent, with its last component kept as it is
 * (not followed): the host path to remove, replace or lstat abs_path
 * itself, with no link above it leading out of the root.  Its errors. */
int sysroot_host_path_parent(const char *abs_path, char **ret);
/* stat(2) of abs_path on the target, its links resolved inside the root
 * (sysroot_host_path).  0 or a negative errno. */
struct stat;
int sysroot_stat(const char *abs_path, struct stat *st);

#endif
