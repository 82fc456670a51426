/* Unit tests: the /usr/local/cuda link, the PATH and ld.so files, and the
 * runfile helpers that need no runfile (argv, space, temporary directory,
 * hashing, the installer log; removing a partial tree as cmd-cuda does). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "cache.h"
#include "cuda-env.h"
#include "cuda-install.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char *link_of(const char *root, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static void test_dirs(void)
{
	_cleanup_free_ char *a = cuda_toolkit_dir("12.8"), *b = cuda_toolkit_dir("12.8.1"),
			    *c = cuda_toolkit_dir("12"), *d = cuda_toolkit_dir("12.8x"), *e = cuda_toolkit_dir("x");

	ok(a && streq(a, "/usr/local/cuda-12.8"), "12.8 lives in /usr/local/cuda-12.8");
	ok(b && streq(b, "/usr/local/cuda-12.8"), "12.8.1 too");
	ok(!c && !d && !e, "12, 12.8x and x are not releases");
}

static void test_link(const char *root)
{
	_cleanup_free_ char *dir = NULL, *l = NULL, *usr_local = xasprintf("%s/usr/local", root);

	mkdir_p(usr_local, 0755);
	is_int(cuda_link_read(&dir), -ENOENT, "no link yet: -ENOENT");
	is_int(cuda_link_set("/usr/local/cuda-12.8"), 1, "setting the link changes it");
	l = link_of(root, CUDA_LINK_PATH);
	ok(l && streq(l, "cuda-12.8"), "the link is relative (it works under any root)");
	ok(cuda_link_read(&dir) == 0 && streq(dir, "/usr/local/cuda-12.8"), "read back as the toolkit's path");
	is_int(cuda_link_set("/usr/local/cuda-12.8"), 0, "setting it again changes nothing");
	is_int(cuda_link_set("/usr/local/cuda-11.8"), 1, "switching changes it");
	free(dir);
	dir = NULL;
	ok(cuda_link_read(&dir) == 0 && streq(dir, "/usr/local/cuda-11.8"), "and it leads to the other toolkit");
	{
		/* The runfile writes an absolute link. */
		_cleanup_free_ char *path = xasprintf("%s/usr/local/cuda", root);

		unlink(path);
		symlink("/usr/local/cuda-12.6", path);
		free(dir);
		dir = NULL;
		ok(cuda_link_read(&dir) == 0 && streq(dir, "/usr/local/cuda-12.6"), "an absolute link reads the same");
		is_int(cuda_link_remove(), 0, "the link is removed");
		ok(access(path, F_OK) < 0, "and is gone");
		is_int(cuda_link_remove(), 0, "removing no link is not an error");
		mkdir(path, 0755);
		is_int(cuda_link_set("/usr/local/cuda-12.8"), -EEXIST, "a real /usr/local/cuda directory is left alone");
		is_int(cuda_link_remove(), -EEXIST, "and never removed");
		rmdir(path);
	}
	{
		_cleanup_free_ char *leftover = xasprintf("%s/usr/local/cuda.gpu-setup-new", root);

		ok(access(leftover, F_OK) < 0, "no temporary link is left behind");
	}
}

static void test_env_files(const char *root)
{
	_cleanup_free_ char *profile = xasprintf("%s%s", root, CUDA_PROFILE_PATH), *text = NULL;
	size_t len;
	struct stat st;

	ok(!cuda_env_files_present(), "no env files at first");
	is_int(cuda_env_files_write(), 1, "writing them is a change");
	ok(cuda_env_files_present(), "both are there");
	is_int(cuda_env_files_write(), 0, "writing them again is not");
	ok(read_file(profile, 4096, &text, &len) == 0 && strstr(text, "/usr/local/cuda/bin${PATH:+:${PATH}}"),
	   "the profile script prepends /usr/local/cuda/bin");
	ok(stat(profile, &st) == 0 && (st.st_mode & 0777) == 0644, "readable by every user");
	testroot_puts(root, CUDA_LDCONF_PATH, "/somewhere/else\n");
	is_int(cuda_env_files_write(), 1, "a changed file is rewritten");
	is_int(cuda_env_files_remove(), 0, "both are removed");
	ok(!cuda_env_files_present(), "and gone");
	is_int(cuda_env_files_remove(), 0, "removing absent files is not an error");
}

static void test_argv(void)
{
	struct cuda_run_request rq = { .runfile = "/var/cache/gpu-setup/cuda_12.8.1_570.124.06_linux.run",
				       .dir = "/usr/local/cuda-12.8", .tmpdir = "/var/tmp/x" };
	bool driver = false, override = false;

	for (int pass = 0; pass < 2; pass++) {
		char **argv;
		size_t n;

		rq.override = pass == 1;
		argv = cuda_runfile_argv(&rq);
		for (n = 0; argv[n]; n++) {
			driver |= startswith(argv[n], "--driver");
			override |= streq(argv[n], "--override");
		}
		if (pass == 0)
			ok(n == 7 && streq(argv[0], "sh") && streq(argv[1], rq.runfile) && streq(argv[2], "--silent") &&
				   streq(argv[3], "--toolkit") && streq(argv[4], "--toolkitpath=/usr/local/cuda-12.8") &&
				   streq(argv[5], "--no-man-page") && streq(argv[6], "--tmpdir=/var/tmp/x"),
			   "the runfile's documented toolkit-only command line");
		else
			ok(n == 8 && streq(argv[7], "--override"), "--override last when the user agreed");
		cuda_runfile_argv_free(argv);
	}
	ok(!driver, "never --driver");
	ok(override, "--override only when asked for");
}

static void test_space(const char *root)
{
	unsigned long long avail = 0;
	bool noexec = true;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *dir = NULL;

	ok(target_fs_space("/usr/local/cuda-99.9/not/yet", &avail, &noexec, NULL) == 0 && avail > 0,
	   "space of a directory still to be made comes from its parent");
	ok(cuda_tmp_space_needed(1000) >= 2000 && cuda_toolkit_space_needed(1000) >= 2000,
	   "estimates are at least twice the runfile");
	strbuf_init(&err);
	testroot_puts(root, "/tmp/.keep", "");
	testroot_puts(root, "/var/tmp/.keep", "");
	ok(cuda_pick_tmpdir(NULL, 1, &dir, &err) == 0 && streq(dir, "/tmp"), "/tmp by default");
	free(dir);
	dir = NULL;
	ok(cuda_pick_tmpdir("/var/tmp", 1, &dir, &err) == 0 && streq(dir, "/var/tmp"), "the user's directory");
	is_int(cuda_pick_tmpdir("/nowhere", 1, &dir, &err), -ENOSPC, "a missing --tmpdir is refused");
	ok(strstr(err.buf, "/nowhere is not a directory") != NULL, "saying why");
	strbuf_reset(&err);
	is_int(cuda_pick_tmpdir(NULL, ~0ULL / 4, &dir, &err), -ENOSPC, "no directory big enough");
	ok(strstr(err.buf, "/tmp has") && strstr(err.buf, "/var/tmp has"), "every candidate is named with its space");
}

static void test_files(const char *root)
{
	_cleanup_free_ char *src = xasprintf("%s/src.run", root), *copied = NULL, *found = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1], hex2[SHA256_HEX_LEN + 1];
	struct cuda_info info = { .runfile = "cuda_12.8.1_570.124.06_linux.run" };
	/* sha256("abc") */
	const char *abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

	write_file_atomic(src, "abc", 3, 0644);
	strbuf_init(&err);
	ok(cuda_runfile_verify(src, abc, hex, &err) == 0 && streq(hex, abc), "a runfile matching the data");
	is_int(cuda_runfile_verify(src, "0000000000000000000000000000000000000000000000000000000000000000", hex2, &err),
	       -EBADMSG, "a mismatch is -EBADMSG");
	ok(strstr(err.buf, abc) != NULL, "the message gives the file's digest");
	ok(cuda_runfile_verify(src, NULL, hex2, &err) == 0 && streq(hex2, abc), "no digest in the data: computed only");
	{
		_cleanup_free_ char *cache = cache_dir_for(NULL);

		is_int(cuda_runfile_find(&info, NULL, cache, &found), -ENOENT, "not in the cache: -ENOENT");
		testroot_puts(root, "/var/cache/gpu-setup/cuda_12.8.1_570.124.06_linux.run", "abc");
		ok(cuda_runfile_find(&info, NULL, cache, &found) == 0 && strstr(found, "/var/cache/gpu-setup/cuda_12.8.1"),
		   "found in the cache under the root");
	}
	{
		_cleanup_free_ char *missing = xasprintf("%s/nope.run", root), *f = NULL;

		is_int(cuda_runfile_find(&info, missing, NULL, &f), -ENOENT, "a named runfile that is missing");
		is_int(cuda_runfile_find(&info, root, NULL, &f), -EINVAL, "a named directory is not a runfile");
	}
	testroot_puts(root, "/var/tmp/x/.keep", "");
	ok(target_copy_in(src, "/var/tmp/x", &copied, hex2) == 0 && streq(copied, "/var/tmp/x/src.run") &&
		   streq(hex2, abc),
	   "copied into the root, hashed as it was written");
	free(copied);
	copied = NULL;
	is_int(target_copy_in(src, "/var/tmp/x", &copied, hex2), -EEXIST, "never over an existing file");
}

static void test_log_and_tree(const char *root)
{
	_cleanup_free_ char *errors = cuda_installer_errors(
		"[INFO]: Driver not installed.\n[ERROR]: unsupported compiler version: 15. Use --override\n"
		"[INFO]: x\n[ERROR]: Install of cuda-nvcc failed\n");
	_cleanup_free_ char *outside = xasprintf("%s/outside", root), *keep = xasprintf("%s/outside/keep", root);
	_cleanup_free_ char *lnk = xasprintf("%s/usr/local/cuda-1.0/lib64", root);
	struct stat st;

	ok(streq(errors, "[ERROR]: unsupported compiler version: 15. Use --override\n"
			 "[ERROR]: Install of cuda-nvcc failed\n"),
	   "the installer log's [ERROR] lines");
	testroot_puts(root, "/outside/keep", "x");
	testroot_puts(root, "/usr/local/cuda-1.0/bin/nvcc", "x");
	symlink(outside, lnk);
	{
		_cleanup_free_ char *tk = xasprintf("%s/usr/local/cuda-1.0", root);

		is_int(remove_tree(tk), 0, "a partial tree is removed");
		ok(lstat(lnk, &st) < 0 && stat(keep, &st) == 0, "without following its symbolic links");
		is_int(remove_tree(tk), 0, "removing it again is not an error");
	}
}

int main(void)
{
	char root[] = "/tmp/gs-cuda-env-XXXXXX";

	if (!mkdtemp(root))
		return 1;
	sysroot_set(root);
	test_dirs();
	test_link(root);
	test_env_files(root);
	test_argv();
	test_space(root);
	test_files(root);
	test_log_and_tree(root);
	testroot_remove(root);
	return done_testing();
}
