/*
 * sysroot.h - every path gpu-setup reads or writes on the target system goes
 * through here, so --root DIR points the whole program at a directory tree
 * (tests, chroots, preparing an image).
 */
#ifndef GS_SYSROOT_H
#define GS_SYSROOT_H

#include <stdbool.h>

/* Set the root; NULL or "/" means the running system.  The string is
 * copied; a trailing slash is dropped. */
void sysroot_set(const char *root);
/* "" for the running system, else the root without a trailing slash. */
const char *sysroot_get(void);
/* Returns a newly allocated path: the root followed by abs_path, which must
 * be absolute. */
char *sysroot_path(const char *abs_path);
/* Whether abs_path exists on the target (stat follows symlinks). */
bool sysroot_exists(const char *abs_path);

#endif
