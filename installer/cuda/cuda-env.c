/*
 * cuda-env.c - the /usr/local/cuda link and the two files that make it
 * reach PATH and ld.so; see cuda-env.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "cuda-env.h"
#include "fileio.h"
#include "run.h"
#include "sysroot.h"
#include "util.h"

/* NVIDIA's guide prepends the toolkit's bin to PATH; the case keeps a
 * second login shell from adding it twice. */
static const char profile_text[] =
	"# Written by gpu-setup: put the CUDA toolkit /usr/local/cuda leads to on PATH.\n"
	"# 'gpu-setup use cuda X.Y' switches the toolkit; 'gpu-setup uninstall cuda X.Y'\n"
	"# removes this file with the last toolkit.\n"
	"case \":${PATH}:\" in\n"
	"*:/usr/local/cuda/bin:*) ;;\n"
	"*) PATH=\"/usr/local/cuda/bin${PATH:+:${PATH}}\"; export PATH ;;\n"
	"esac\n";

/* ld.so.conf.d rather than LD_LIBRARY_PATH: a framework's own bundled
 * cuDNN (found through its RUNPATH) still wins over the system one. */
static const char ldconf_text[] =
	"# Written by gpu-setup: the libraries of the CUDA toolkit /usr/local/cuda leads to.\n"
	"/usr/local/cuda/lib64\n";

char *cuda_toolkit_dir(const char *version)
{
	unsigned major, minor;
	int n = 0;

	if (!version || sscanf(version, "%u.%u%n", &major, &minor, &n) != 2 ||
	    (version[n] != '\0' && version[n] != '.'))
		return NULL;
	return xasprintf("/usr/local/cuda-%u.%u", major, minor);
}

int cuda_link_read(char **ret_dir)
{
	_cleanup_free_ char *path = sysroot_path(CUDA_LINK_PATH), *target = NULL;
	struct stat st;
	int r;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISLNK(st.st_mode))
		return -EEXIST;
	r = read_link_at(AT_FDCWD, path, &target);
	if (r < 0)
		return r;
	/* The runfile writes an absolute link, gpu-setup a relative one. */
	*ret_dir = target[0] == '/' ? xstrdup(target) : xasprintf("/usr/local/%s", target);
	return 0;
}

int cuda_link_set(const char *dir)
{
	_cleanup_free_ char *path = sysroot_path(CUDA_LINK_PATH), *now = NULL;
	const char *rel = startswith(dir, "/usr/local/") ? dir + strlen("/usr/local/") : dir;
	struct stat st;
	int r;

	if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode))
		return -EEXIST;
	/* Already gpu-setup's relative link?  The runfile's absolute one
	 * is rewritten: under --root it would lead out of the tree. */
	if (read_link_at(AT_FDCWD, path, &now) == 0 && streq(now, rel))
		return 0;
	/* Replaced in one rename: the link never goes missing in between. */
	r = symlink_replace(rel, path);
	return r < 0 ? r : 1;
}

int cuda_link_remove(void)
{
	_cleanup_free_ char *path = sysroot_path(CUDA_LINK_PATH);
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISLNK(st.st_mode))
		return -EEXIST;
	return unlink(path) < 0 ? -errno : 0;
}

static int write_if_different(const char *abs_path, const char *text)
{
	_cleanup_free_ char *path = sysroot_path(abs_path), *old = NULL, *dir = NULL;
	size_t len;
	int r;

	if (read_file(path, 1u << 16, &old, &len) == 0 && streq(old, text))
		return 0;
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	r = mkdir_p(dir, 0755);
	if (r < 0)
		return r;
	r = write_file_atomic(path, text, strlen(text), 0644);
	return r < 0 ? r : 1;
}

int cuda_env_files_write(void)
{
	int a = write_if_different(CUDA_PROFILE_PATH, profile_text), b;

	if (a < 0)
		return a;
	b = write_if_different(CUDA_LDCONF_PATH, ldconf_text);
	if (b < 0)
		return b;
	return a || b;
}

static int remove_file(const char *abs_path)
{
	_cleanup_free_ char *path = sysroot_path(abs_path);

	return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
}

int cuda_env_files_remove(void)
{
	int r = remove_file(CUDA_PROFILE_PATH);

	return r < 0 ? r : remove_file(CUDA_LDCONF_PATH);
}

bool cuda_env_files_present(void)
{
	return sysroot_exists(CUDA_PROFILE_PATH) && sysroot_exists(CUDA_LDCONF_PATH);
}

int cuda_run_ldconfig(struct strbuf *err)
{
	const char *argv[] = { "ldconfig", NULL };

	if (sysroot_get()[0] && !sysroot_exists("/sbin/ldconfig") && !sysroot_exists("/usr/sbin/ldconfig"))
		return -ENOENT;
	return run_step(argv, err);
}
