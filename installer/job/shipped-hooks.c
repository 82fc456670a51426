/*
 * shipped-hooks.c - copy gpu-setup's apt and kernel hooks into /etc on the
 * target, and take them out again, touching only files that carry the
 * mark gpu-setup writes into them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>

#include "fileio.h"
#include "shipped-hooks.h"
#include "sysroot.h"
#include "util.h"

/* A hook is a few lines; anything much larger is not ours. */
#define HOOK_MAX_SIZE (64 * 1024)

const struct shipped_hook shipped_hooks[SHIPPED_HOOKS_N] = {
	{ "apt/99gpu-setup", "/etc/apt/apt.conf.d/99gpu-setup", 0644 },
	{ "kernel/zz-gpu-setup", "/etc/kernel/postinst.d/zz-gpu-setup", 0755 },
};

/* The host path of the target's file: its directory resolved inside the
 * root (links there followed as the kernel would in a chroot), the name
 * itself not, so a link at the path is seen as a link.  -ENOENT when the
 * directory does not exist. */
static int host_path(const char *target, char **ret)
{
	_cleanup_free_ char *dir = xstrdup(target), *name = xstrdup(target), *host = NULL;
	int r = sysroot_host_path(dirname(dir), &host);

	if (r < 0)
		return r;
	*ret = xasprintf("%s/%s", host, basename(name));
	return 0;
}

/* The file at the target path: its content (NULL when there is none) and
 * mode, and whether it is a regular file at all. */
struct existing {
	char *data;
	mode_t mode;
	enum shipped_hook_state state;
};

static int read_existing(const char *target, struct existing *ret)
{
	_cleanup_free_ char *host = NULL, *data = NULL;
	struct stat st;
	size_t len;
	int r = host_path(target, &host);

	memset(ret, 0, sizeof(*ret));
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (lstat(host, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	ret->mode = st.st_mode & 07777;
	if (!S_ISREG(st.st_mode)) {
		ret->state = SHIPPED_HOOK_FOREIGN;
		return 0;
	}
	r = read_file(host, HOOK_MAX_SIZE, &data, &len);
	if (r == -EFBIG) {
		ret->state = SHIPPED_HOOK_FOREIGN;
		return 0;
	}
	if (r < 0)
		return r;
	ret->state = strstr(data, SHIPPED_HOOKS_MARK) ? SHIPPED_HOOK_OURS : SHIPPED_HOOK_FOREIGN;
	ret->data = TAKE_PTR(data);
	return 0;
}

int shipped_hook_state(const struct shipped_hook *h, enum shipped_hook_state *ret)
{
	struct existing ex;
	int r = read_existing(h->target, &ex);

	if (r < 0)
		return r;
	*ret = ex.state;
	free(ex.data);
	return 0;
}

/* Write data to the target path atomically, creating its directory. */
static int write_target(const struct shipped_hook *h, const char *data, struct strbuf *err)
{
	_cleanup_free_ char *host = NULL;
	int r = host_path(h->target, &host);

	if (r == -ENOENT) {
		_cleanup_free_ char *dir = xstrdup(h->target), *hostdir = NULL;

		hostdir = sysroot_path(dirname(dir));
		r = mkdir_p(hostdir, 0755);
		if (r < 0) {
			strbuf_addf(err, "cannot create %s: %s", hostdir, strerror(-r));
			return r;
		}
		r = host_path(h->target, &host);
	}
	if (r == 0)
		r = write_file_atomic(host, data, strlen(data), h->mode);
	if (r < 0)
		strbuf_addf(err, "cannot write %s%s: %s", sysroot_get(), h->target, strerror(-r));
	return r;
}

int shipped_hooks_enable(const char *hooks_dir, struct strbuf *err)
{
	char *templates[SHIPPED_HOOKS_N] = { NULL };
	bool needed[SHIPPED_HOOKS_N] = { false };
	int r = 0, written = 0;

	/* Everything is checked before anything is written, so a foreign
	 * file leaves the system as it was. */
	for (size_t i = 0; i < SHIPPED_HOOKS_N && r == 0; i++) {
		const struct shipped_hook *h = &shipped_hooks[i];
		_cleanup_free_ char *path = xasprintf("%s/%s", hooks_dir, h->template_name);
		struct existing ex;
		size_t len;

		r = read_file(path, HOOK_MAX_SIZE, &templates[i], &len);
		if (r < 0) {
			strbuf_addf(err, "cannot read the hook template %s: %s (is gpu-setup installed with 'make install'?)",
				    path, strerror(-r));
			break;
		}
		if (!strstr(templates[i], SHIPPED_HOOKS_MARK) || strlen(templates[i]) != len) {
			strbuf_addf(err, "the hook template %s lacks gpu-setup's mark '%s'", path, SHIPPED_HOOKS_MARK);
			r = -EINVAL;
			break;
		}
		r = read_existing(h->target, &ex);
		if (r < 0) {
			strbuf_addf(err, "cannot read %s%s: %s", sysroot_get(), h->target, strerror(-r));
			break;
		}
		if (ex.state == SHIPPED_HOOK_FOREIGN) {
			strbuf_addf(err, "%s%s exists and was not written by gpu-setup: left as it is; move it away "
				    "for gpu-setup to put its hook there",
				    sysroot_get(), h->target);
			r = -EEXIST;
		}
		if (r == 0)
			needed[i] = ex.state == SHIPPED_HOOK_ABSENT || !streq(ex.data, templates[i]) ||
				    ex.mode != h->mode;
		free(ex.data);
	}
	for (size_t i = 0; i < SHIPPED_HOOKS_N && r == 0; i++) {
		if (!needed[i])
			continue;
		r = write_target(&shipped_hooks[i], templates[i], err);
		if (r == 0)
			written++;
	}
	for (size_t i = 0; i < SHIPPED_HOOKS_N; i++)
		free(templates[i]);
	return r < 0 ? r : written;
}

int shipped_hooks_disable(struct strbuf *err)
{
	int removed = 0;

	for (size_t i = 0; i < SHIPPED_HOOKS_N; i++) {
		const struct shipped_hook *h = &shipped_hooks[i];
		_cleanup_free_ char *host = NULL;
		enum shipped_hook_state st;
		int r = shipped_hook_state(h, &st);

		if (r == 0 && st != SHIPPED_HOOK_OURS)
			continue;
		if (r == 0)
			r = host_path(h->target, &host);
		if (r == 0 && unlink(host) < 0 && errno != ENOENT)
			r = -errno;
		if (r < 0) {
			strbuf_addf(err, "cannot remove %s%s: %s", sysroot_get(), h->target, strerror(-r));
			return r;
		}
		removed++;
	}
	return removed;
}

bool shipped_hooks_enabled(void)
{
	for (size_t i = 0; i < SHIPPED_HOOKS_N; i++) {
		enum shipped_hook_state st;

		if (shipped_hook_state(&shipped_hooks[i], &st) < 0 || st != SHIPPED_HOOK_OURS)
			return false;
	}
	return true;
}
