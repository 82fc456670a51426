/*
 * conda-prefix.c - find a user's conda installation (see conda-prefix.h).
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "conda-prefix.h"
#include "sysroot.h"
#include "util.h"

const char *const conda_prefix_names[] = { "miniconda3", "anaconda3", "miniforge3", "mambaforge", NULL };

char *conda_prefix_default(const struct target_user *u)
{
	return xasprintf("%s/%s", u->home, conda_prefix_names[0]);
}

bool conda_prefix_has_conda(const char *prefix)
{
	_cleanup_free_ char *conda = xasprintf("%s/bin/conda", prefix), *host = NULL;
	struct stat st;

	/* Resolved inside the root: a link in a home under --root must not
	 * lead to the host's files. */
	if (sysroot_host_path(conda, &host) < 0)
		return false;
	return stat(host, &st) == 0 && S_ISREG(st.st_mode);
}

int conda_prefix_find(const struct target_user *u, const char *given, char **ret)
{
	if (given) {
		if (!conda_prefix_has_conda(given))
			return -ENOENT;
		*ret = xstrdup(given);
		return 0;
	}
	for (size_t i = 0; conda_prefix_names[i]; i++) {
		_cleanup_free_ char *prefix = xasprintf("%s/%s", u->home, conda_prefix_names[i]);

		if (conda_prefix_has_conda(prefix)) {
			*ret = TAKE_PTR(prefix);
			return 0;
		}
	}
	return -ENOENT;
}
