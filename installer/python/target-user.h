/*
 * target-user.h - the user gpu-setup sets Python up for: SUDO_USER when
 * run through sudo, else the user running it; looked up in the target
 * system's passwd (under the sysroot), never taken from $HOME.
 */
#ifndef GS_TARGET_USER_H
#define GS_TARGET_USER_H

#include <sys/types.h>

struct target_user {
	char *name;
	char *home;
	uid_t uid;
	gid_t gid;
};

/* name NULL: SUDO_USER, else the current user.  Returns 0, -ENOENT when
 * the user is not in passwd, or another negative errno. */
int target_user_find(const char *name, struct target_user *ret);
void target_user_free(struct target_user *u);
/* A copy of src (the strings duplicated) for dst to own. */
void target_user_copy(struct target_user *dst, const struct target_user *src);

#endif
