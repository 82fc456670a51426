/*
 * modprobe-names.c - the file names `modprobe nvidia` may load on the
 * target, from modprobe.d's configuration.
 *
 * Upstream and Ubuntu install the module as nvidia.ko.  Debian's packages
 * rename it after the driver they belong to (nvidia-current.ko,
 * nvidia-current-open.ko, nvidia-tesla-470.ko) and load it through a line
 * in the package's modprobe.d file (debian/nvidia-modprobe.conf.in in
 * Debian's nvidia-graphics-drivers packaging):
 *     install nvidia modprobe -i nvidia-current $CMDLINE_OPTS
 * An "alias nvidia NAME" line does the same for other packagings.  That
 * file is reached through links into /etc/alternatives, which are followed
 * inside the root.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "modprobe-names.h"
#include "sysroot.h"
#include "util.h"

/* modprobe treats '-' and '_' in module names as the same. */
static char *module_key(const char *name, size_t len)
{
	char *k = xasprintf("%.*s", (int)len, name);

	for (char *p = k; *p; p++)
		if (*p == '_')
			*p = '-';
	return k;
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-' || s[i] == '_'))
			return false;
	return true;
}

static void push_unique(char ***names, size_t *n, char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (streq((*names)[i], name)) {
			free(name);
			return;
		}
	strv_push(names, n, name);
}

/* The words of one logical line, at most max; returns their count. */
static size_t split_words(char *line, char **w, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	return n;
}

void modprobe_conf_nvidia_names(const char *text, size_t len, char ***names, size_t *n)
{
	_cleanup_free_ char *copy = xasprintf("%.*s", (int)len, text);
	char *save = NULL;

	/* A backslash at the end of a line continues it (modprobe.d(5)). */
	for (char *p = copy; (p = strstr(p, "\\\n"));)
		p[0] = p[1] = ' ';
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w[64];
		size_t nw = split_words(line, w, ELEMENTSOF(w));

		if (nw < 3 || w[0][0] == '#')
			continue;
		{
			_cleanup_free_ char *target = module_key(w[1], strlen(w[1]));

			if (!streq(target, "nvidia"))
				continue;
		}
		if (streq(w[0], "alias")) {
			if (valid_name(w[2], strlen(w[2])))
				push_unique(names, n, module_key(w[2], strlen(w[2])));
			continue;
		}
		if (!streq(w[0], "install"))
			continue;
		/* The first command of the line that runs modprobe: the first
		 * word after it that is no option and no variable. */
		for (size_t i = 2; i < nw; i++) {
			const char *base = strrchr(w[i], '/') ? strrchr(w[i], '/') + 1 : w[i];

			if (!streq(base, "modprobe"))
				continue;
			for (size_t j = i + 1; j < nw; j++) {
				if (w[j][0] == '-')
					continue;
				if (w[j][0] == ';' || streq(w[j], "&&") || streq(w[j], "||") || w[j][0] == '$')
					break;
				{
					size_t l = strcspn(w[j], ";");

					if (valid_name(w[j], l))
						push_unique(names, n, module_key(w[j], l));
				}
				break;
			}
			break;
		}
	}
}

char **kmod_nvidia_names(void)
{
	/* modprobe's directories, in the order it reads them. */
	static const char *const dirs[] = { "/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
					    "/lib/modprobe.d", "/usr/lib/modprobe.d" };
	char **names = NULL;
	size_t n = 0;

	strv_push(&names, &n, xstrdup("nvidia"));
	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *dir = NULL;
		DIR *d;
		struct dirent *de;

		if (sysroot_host_path(dirs[i], &dir) < 0 || !(d = opendir(dir)))
			continue;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			_cleanup_free_ char *rel = NULL, *host = NULL, *text = NULL;
			size_t len;

			if (de->d_name[0] == '.' || l < 6 || !streq(de->d_name + l - 5, ".conf"))
				continue;
			rel = xasprintf("%s/%s", dirs[i], de->d_name);
			if (sysroot_host_path(rel, &host) < 0 || read_file(host, 1u << 20, &text, &len) < 0)
				continue;
			modprobe_conf_nvidia_names(text, len, &names, &n);
		}
		closedir(d);
	}
	return names;
}

bool kmod_is_nvidia_file(const char *file_name, char *const *names)
{
	static const char *const suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t l = strlen(file_name);

	for (size_t s = 0; s < ELEMENTSOF(suffixes); s++) {
		size_t sl = strlen(suffixes[s]);
		_cleanup_free_ char *key = NULL;

		if (l <= sl || !streq(file_name + l - sl, suffixes[s]))
			continue;
		key = module_key(file_name, l - sl);
		for (char *const *n = names; *n; n++)
			if (streq(key, *n))
				return true;
	}
	return false;
}
