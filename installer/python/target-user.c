/*
 * target-user.c - find the user Python is set up for.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>

#include "sysroot.h"
#include "target-user.h"
#include "util.h"

static int fill(const struct passwd *pw, struct target_user *ret)
{
	ret->name = xstrdup(pw->pw_name);
	ret->home = xstrdup(pw->pw_dir);
	ret->uid = pw->pw_uid;
	ret->gid = pw->pw_gid;
	return 0;
}

/* Search <root>/etc/passwd for name, or for uid when name is NULL. */
static int find_in_sysroot(const char *name, uid_t uid, struct target_user *ret)
{
	_cleanup_free_ char *path = sysroot_path("/etc/passwd");
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct passwd *pw;

	if (!f)
		return -errno;
	while ((pw = fgetpwent(f)))
		if (name ? streq(pw->pw_name, name) : pw->pw_uid == uid)
			return fill(pw, ret);
	return -ENOENT;
}

int target_user_find(const char *name, struct target_user *ret)
{
	const char *sudo_user = getenv("SUDO_USER");
	struct passwd *pw;

	if (!name && sudo_user && *sudo_user && !streq(sudo_user, "root"))
		name = sudo_user;
	if (sysroot_get()[0])
		return find_in_sysroot(name, getuid(), ret);
	errno = 0;
	pw = name ? getpwnam(name) : getpwuid(getuid());
	if (!pw)
		return errno ? -errno : -ENOENT;
	return fill(pw, ret);
}

void target_user_free(struct target_user *u)
{
	free(u->name);
	free(u->home);
	memset(u, 0, sizeof(*u));
}

void target_user_copy(struct target_user *dst, const struct target_user *src)
{
	*dst = (struct target_user){ .name = xstrdup(src->name), .home = xstrdup(src->home), .uid = src->uid,
				     .gid = src->gid };
}
