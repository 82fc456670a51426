/*
 * cuda-install.c - the CUDA runfile: find, verify, preflight, run; see
 * cuda-install.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "cache.h"
#include "cuda-install.h"
#include "fileio.h"
#include "log.h"
#include "sysroot.h"
#include "util.h"

int cuda_runfile_find(const struct cuda_info *c, const char *explicit_path, const char *cache_dir, char **ret_path)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;

	if (explicit_path) {
		if (stat(explicit_path, &st) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode))
			return -EINVAL;
		if (access(explicit_path, R_OK) < 0)
			return -errno;
		*ret_path = xstrdup(explicit_path);
		return 0;
	}
	path = xasprintf("%s/%s", cache_dir, c->runfile);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	*ret_path = TAKE_PTR(path);
	return 0;
}

int cuda_runfile_verify(const char *path, const char *expected, char hex[SHA256_HEX_LEN + 1], struct strbuf *err)
{
	char got[SHA256_HEX_LEN + 1];
	int r = sha256_file(path, got);

	if (r < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path, strerror(-r));
		return r;
	}
	if (expected && !sha256_hex_equal(got, expected)) {
		strbuf_addf(err, "'%s' is not NVIDIA's file: its sha256 is %s, the compat data says %s "
			    "(a damaged or unfinished download, or another release)", path, got, expected);
		return -EBADMSG;
	}
	memcpy(hex, got, sizeof(got));
	return 0;
}

int target_fs_space(const char *abs_path, unsigned long long *ret_avail, bool *ret_noexec, dev_t *ret_dev)
{
	_cleanup_free_ char *path = xstrdup(abs_path), *host = NULL;
	struct statvfs sv;
	struct stat st;
	int r;

	/* The directory may not exist yet (/usr/local/cuda-12.8): its
	 * nearest existing parent is where the files will land, its links
	 * resolved inside the root. */
	while ((r = sysroot_host_path(path, &host)) < 0 || statvfs(host, &sv) < 0 || stat(host, &st) < 0) {
		char *slash;

		if (r == 0)
			r = -errno;
		free(host);
		host = NULL;
		if (r != -ENOENT)
			return r;
		slash = strrchr(path, '/');
		if (!slash)
			return -ENOENT;
		if (slash == path) {
			if (!path[1])
				return -ENOENT;
			path[1] = '\0';
			continue;
		}
		*slash = '\0';
	}
	*ret_avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	*ret_noexec = (sv.f_flag & ST_NOEXEC) != 0;
	if (ret_dev)
		*ret_dev = st.st_dev;
	return 0;
}

unsigned long long cuda_tmp_space_needed(off_t runfile_size)
{
	return 2ULL * (unsigned long long)runfile_size;
}

unsigned long long cuda_toolkit_space_needed(off_t runfile_size)
{
	return 2ULL * (unsigned long long)runfile_size;
}

static double gib(unsigned long long bytes)
{
	return (double)bytes / (1024.0 * 1024.0 * 1024.0);
}

int cuda_pick_tmpdir(const char *user_dir, unsigned long long need, char **ret_dir, struct strbuf *err)
{
	static const char *const defaults[] = { "/tmp", "/var/tmp" };
	const char *const *cand = user_dir ? &user_dir : defaults;
	size_t n = user_dir ? 1 : ELEMENTSOF(defaults);

	for (size_t i = 0; i < n; i++) {
		unsigned long long avail;
		bool noexec;
		struct stat st;
		_cleanup_free_ char *real = sysroot_path(cand[i]);
		int r;

		if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
			strbuf_addf(err, "%s%s is not a directory", err->len ? "; " : "", cand[i]);
			continue;
		}
		r = target_fs_space(cand[i], &avail, &noexec, NULL);
		if (r < 0) {
			strbuf_addf(err, "%s%s: %s", err->len ? "; " : "", cand[i], strerror(-r));
			continue;
		}
		if (noexec) {
			strbuf_addf(err, "%s%s is mounted noexec (the unpacked installer could not run there)",
				    err->len ? "; " : "", cand[i]);
			continue;
		}
		if (avail < need) {
			strbuf_addf(err, "%s%s has %.1f GiB free, the runfile unpacks to about %.1f GiB",
				    err->len ? "; " : "", cand[i], gib(avail), gib(need));
			continue;
		}
		*ret_dir = xstrdup(cand[i]);
		return 0;
	}
	return -ENOSPC;
}

int host_gcc_major(unsigned *ret)
{
	const char *argv[] = { "gcc", "-dumpversion", NULL };
	struct run_result rr;
	unsigned major;
	int r = run_in_target(argv, 30000, &rr);

	if (r < 0)
		return r;
	/* 127: chroot (under --root) found no gcc to run. */
	if (rr.exit_status == 127)
		r = -ENOENT;
	else
		r = rr.exit_status == 0 && sscanf(rr.out.buf, "%u", &major) == 1 ? 0 : -EINVAL;
	run_result_release(&rr);
	if (r == 0)
		*ret = major;
	return r;
}

char **cuda_runfile_argv(const struct cuda_run_request *rq)
{
	char **argv = xcalloc(9, sizeof(*argv));
	size_t n = 0;

	argv[n++] = xstrdup("sh");
	argv[n++] = xstrdup(rq->runfile);
	argv[n++] = xstrdup("--silent");
	argv[n++] = xstrdup("--toolkit");
	argv[n++] = xasprintf("--toolkitpath=%s", rq->dir);
	argv[n++] = xstrdup("--no-man-page");
	argv[n++] = xasprintf("--tmpdir=%s", rq->tmpdir);
	if (rq->override)
		argv[n++] = xstrdup("--override");
	return argv;
}

void cuda_runfile_argv_free(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}

static off_t file_size(const char *abs_path)
{
	_cleanup_free_ char *path = sysroot_path(abs_path);
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* What the installer appended to its log since offset (all of it when the
 * log was replaced and is now shorter). */
static char *installer_log_since(off_t offset)
{
	_cleanup_free_ char *path = sysroot_path(CUDA_INSTALLER_LOG), *text = NULL;
	size_t len;

	if (read_file(path, 64u << 20, &text, &len) < 0)
		return NULL;
	if ((off_t)len < offset)
		offset = 0;
	return xstrdup(text + offset);
}

int cuda_runfile_run(const struct cuda_run_request *rq, struct run_result *ret, char **ret_installer_log)
{
	char **argv = cuda_runfile_argv(rq);
	off_t before = file_size(CUDA_INSTALLER_LOG);
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;
	char *installer_log;
	int r;

	strbuf_init(&line);
	for (char **a = argv; *a; a++)
		strbuf_addf(&line, "%s%s", a == argv ? "" : " ", *a);
	log_info("running: %s", line.buf);
	r = run_in_target((const char *const *)argv, 0, ret);
	cuda_runfile_argv_free(argv);
	if (r < 0)
		return r;
	installer_log = installer_log_since(before);
	if (installer_log && *installer_log) {
		log_file_raw("--- " CUDA_INSTALLER_LOG " (what this run added) ---\n");
		log_file_raw(installer_log);
		log_file_raw("--- end of " CUDA_INSTALLER_LOG " ---\n");
	}
	*ret_installer_log = installer_log;
	return 0;
}

char *cuda_installer_errors(const char *log_text)
{
	struct strbuf sb;
	const char *p = log_text;

	strbuf_init(&sb);
	while (p && *p) {
		size_t len = strcspn(p, "\n");

		if (memmem(p, len, "[ERROR]", 7))
			strbuf_addf(&sb, "%.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
	return strbuf_detach(&sb, NULL);
}

int target_copy_in(const char *src, const char *dir, char **ret_path, char hex[SHA256_HEX_LEN + 1])
{
	_cleanup_free_ char *base_src = xstrdup(src);
	_cleanup_free_ char *rel = xasprintf("%s/%s", dir, basename(base_src));
	_cleanup_free_ char *dst = sysroot_path(rel);
	_cleanup_close_ int in = -1, out = -1;
	int r;

	in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0)
		return -errno;
	r = sha256_copy_fd(in, out, hex);
	if (r == 0 && fsync(out) < 0)
		r = -errno;
	if (r < 0) {
		unlink(dst);
		return r;
	}
	*ret_path = TAKE_PTR(rel);
	return 0;
}
