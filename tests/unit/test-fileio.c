/* Unit tests: bounded reads and atomic writes. */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "sysroot.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	char dir[] = "/tmp/gs-fileio-XXXXXX";
	_cleanup_free_ char *path = NULL, *data = NULL, *line = NULL, *in_root = NULL;
	struct stat st;
	size_t len;

	if (!mkdtemp(dir))
		return 1;
	path = xasprintf("%s/f", dir);
	ok(write_file_atomic(path, "hello\n", 6, 0640) == 0, "atomic write succeeds");
	ok(read_file(path, 100, &data, &len) == 0 && len == 6 && streq(data, "hello\n"),
	   "read back what was written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "mode is applied");
	ok(read_one_line(path, &line) == 0 && streq(line, "hello"), "read_one_line strips");
	is_int(read_file(path, 3, &data, &len), -EFBIG, "a file over the bound is refused");
	ok(write_file_atomic(path, "second", 6, 0644) == 0, "overwrite succeeds");
	free(data);
	data = NULL;
	ok(read_file(path, 100, &data, &len) == 0 && streq(data, "second"), "overwrite replaced the content");
	{
		_cleanup_free_ char *missing = xasprintf("%s/no/such/dir/f", dir);
		is_int(write_file_atomic(missing, "x", 1, 0644), -ENOENT,
		       "a write into a missing directory fails cleanly");
	}
	{
		/* No temporary file may be left behind by either write. */
		DIR *d = opendir(dir);
		struct dirent *e;
		int entries = 0;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.')
				entries++;
		if (d)
			closedir(d);
		is_int(entries, 1, "only the target file is in the directory");
	}
	sysroot_set("/srv/root/");
	in_root = sysroot_path("/etc/x");
	is_str(in_root, "/srv/root/etc/x", "sysroot prefixes and drops the trailing slash");
	sysroot_set(NULL);
	free(in_root);
	in_root = sysroot_path("/etc/x");
	is_str(in_root, "/etc/x", "no sysroot means the running system");
	{
		/* symlink_replace: a new link, a link replaced, no temporary
		 * left, and a missing directory. */
		_cleanup_free_ char *link = xasprintf("%s/l", dir), *target = NULL;
		DIR *d;
		struct dirent *e;
		size_t n = 0;

		ok(symlink_replace("a", link) == 0 && read_link_at(AT_FDCWD, link, &target) == 0 &&
		   streq(target, "a"), "symlink_replace makes a new link");
		free(target);
		target = NULL;
		ok(symlink_replace("b", link) == 0 && read_link_at(AT_FDCWD, link, &target) == 0 &&
		   streq(target, "b"), "symlink_replace replaces a link in one rename");
		d = opendir(dir);
		while (d && (e = readdir(d)))
			n += e->d_name[0] != '.';
		if (d)
			closedir(d);
		is_int(n, 2, "no temporary link is left beside it");
		is_int(symlink_replace("c", "/nonexistent-dir/l"), -ENOENT, "a missing directory is -ENOENT");
		unlink(link);
	}
	unlink(path);
	rmdir(dir);
	return done_testing();
}
