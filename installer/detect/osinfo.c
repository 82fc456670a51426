/*
 * osinfo.c - os-release and the loaded NVIDIA driver, under the sysroot.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <sys/utsname.h>

#include "fileio.h"
#include "osinfo.h"
#include "sysroot.h"
#include "util.h"

#define OS_RELEASE_MAX (64u << 10)

/* Value of KEY=VALUE with shell-style quotes removed (os-release(5)). */
static char *unquote(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		char *s = xmalloc(n - 1), *o = s;

		for (size_t i = 1; i < n - 1; i++) {
			if (v[0] == '"' && v[i] == '\\' && i + 1 < n - 1)
				i++;
			*o++ = v[i];
		}
		*o = '\0';
		return s;
	}
	return xstrdup(v);
}

int os_release_parse(const char *text, struct os_release *ret)
{
	struct os_release r = { 0 };
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *key = strstrip(line);
		char **slot = NULL;

		if (*key == '#' || !(eq = strchr(key, '=')))
			continue;
		*eq = '\0';
		if (streq(key, "ID"))
			slot = &r.id;
		else if (streq(key, "VERSION_ID"))
			slot = &r.version_id;
		else if (streq(key, "VERSION_CODENAME"))
			slot = &r.codename;
		else if (streq(key, "PRETTY_NAME"))
			slot = &r.pretty_name;
		else if (streq(key, "ID_LIKE"))
			slot = &r.id_like;
		else if (streq(key, "UBUNTU_CODENAME"))
			slot = &r.ubuntu_codename;
		else if (streq(key, "DEBIAN_CODENAME"))
			slot = &r.debian_codename;
		if (slot) {
			free(*slot);
			*slot = unquote(eq + 1);
		}
	}
	if (!r.id || !r.version_id || !*r.id || !*r.version_id) {
		os_release_free(&r);
		return -EINVAL;
	}
	r.distro = xasprintf("%s-%s", r.id, r.version_id);
	*ret = r;
	return 0;
}

int os_release_read(struct os_release *ret)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		_cleanup_free_ char *path = sysroot_path(paths[i]), *text = NULL;
		size_t len;
		int r = read_file(path, OS_RELEASE_MAX, &text, &len);

		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		if (memchr(text, '\0', len))
			return -EINVAL;
		return os_release_parse(text, ret);
	}
	return -ENOENT;
}

void os_release_free(struct os_release *r)
{
	free(r->id);
	free(r->version_id);
	free(r->codename);
	free(r->pretty_name);
	free(r->id_like);
	free(r->ubuntu_codename);
	free(r->debian_codename);
	free(r->distro);
	memset(r, 0, sizeof(*r));
}

int installed_driver_read(char **ret_version, enum driver_flavour *ret_flavour)
{
	_cleanup_free_ char *vpath = sysroot_path("/sys/module/nvidia/version");
	_cleanup_free_ char *ppath = sysroot_path("/proc/driver/nvidia/version");
	_cleanup_free_ char *line = NULL, *proc = NULL;
	struct version v;
	size_t len;
	int r;

	r = read_one_line(vpath, &line);
	if (r < 0)
		return r;
	if (version_parse(strstrip(line), &v) < 0 || v.nparts < 2)
		return -EINVAL;
	if (read_file(ppath, 64u << 10, &proc, &len) == 0)
		*ret_flavour = strstr(proc, "Open Kernel Module") ? FLAVOUR_OPEN : FLAVOUR_PROPRIETARY;
	else
		*ret_flavour = FLAVOUR_UNKNOWN;
	*ret_version = xstrdup(strstrip(line));
	return 0;
}

int kernel_release_read(char **ret)
{
	_cleanup_free_ char *path = sysroot_path("/proc/sys/kernel/osrelease");
	char *line = NULL;
	struct utsname u;
	int r = read_one_line(path, &line);

	if (r == 0 && *strstrip(line) && !strpbrk(strstrip(line), " /")) {
		*ret = xstrdup(strstrip(line));
		free(line);
		return 0;
	}
	free(line);
	if (sysroot_get()[0])
		return r < 0 ? r : -EINVAL;
	if (uname(&u) < 0)
		return -errno;
	*ret = xstrdup(u.release);
	return 0;
}

const char *kernel_flavour(const char *release)
{
	const char *p = release;

	/* VERSION: digits and dots */
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	/* then an ABI, "-99" (Debian 12, Ubuntu), or a tag, "+deb13" (Debian
	 * 13 on: "6.12.48+deb13-amd64", backports "+bpo") */
	if (p[0] == '-' && isdigit((unsigned char)p[1])) {
		for (p++; isdigit((unsigned char)*p);)
			p++;
	} else if (p[0] == '+' && isalnum((unsigned char)p[1])) {
		for (p++; isalnum((unsigned char)*p);)
			p++;
	} else {
		return NULL;
	}
	if (*p++ != '-' || !islower((unsigned char)*p))
		return NULL;
	return p;
}
