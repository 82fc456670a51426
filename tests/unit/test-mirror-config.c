/* Unit tests: the mirror table and its checks; applying a mirror to a
 * home in a scratch tree (as the user running the test): backups before
 * the first change only, idempotency, revert, refusals that leave both
 * files alone, dry runs and the system files. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"
#include "mirror-config.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char header[] = "name\ttitle\tpip_index\tdefault_channels\tcloud\tcloud_channels\tprobe_url\n";

static void test_table(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct mirror_table t;
	const struct mirror *m;

	strbuf_init(&err);
	if (!ok(mirror_table_load(ABS_TOP_SRCDIR "/compat", &t, &err) == 0, "compat/mirrors.tsv loads %s", err.buf))
		return;
	is_int(t.n, 6, "six mirrors");
	mirror_table_names(&t, &err);
	is_str(err.buf, "tuna, ustc, bfsu, sjtu, aliyun, official", "their names in the table's order");
	m = mirror_find(&t, MIRROR_DEFAULT);
	ok(m && streq(m->pip_index, "https://pypi.tuna.tsinghua.edu.cn/simple") && m->default_channels[2] &&
		   !m->default_channels[3] && streq(m->cloud, "https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud") &&
		   streq(m->cloud_channels[0], "conda-forge") && streq(m->cloud_channels[1], "pytorch"),
	   "tuna: the index, three default channels, the cloud for conda-forge and pytorch");
	m = mirror_find(&t, "ustc");
	ok(m && streq(m->default_channels[0], "https://mirrors.ustc.edu.cn/anaconda/cloud/conda-forge") &&
		   !m->default_channels[1] && streq(m->cloud_channels[0], "conda-forge") && !m->cloud_channels[1],
	   "ustc: defaults stand for its conda-forge; its cloud serves conda-forge only");
	m = mirror_find(&t, MIRROR_OFFICIAL);
	ok(m && !m->cloud && !m->cloud_channels && streq(m->default_channels[0], "https://repo.anaconda.com/pkgs/main"),
	   "official: repo.anaconda.com and no cloud");
	ok(mirror_find(&t, "nosuch") == NULL, "an unknown name is not found");
	for (size_t i = 0; i < t.n; i++)
		ok(startswith(t.mirrors[i].probe_url, t.mirrors[i].pip_index) ||
			   startswith(t.mirrors[i].probe_url, "https://pypi.tuna"),
		   "%s: the probe is on the mirror's own index", t.mirrors[i].name);
	mirror_table_free(&t);
}

static void test_bad_tables(void)
{
	static const struct {
		const char *name, *row, *msg;
	} bad[] = {
		{ "not a URL", "x\tX\tftp://x/simple\thttps://x/main\t-\t-\thttps://x/simple/pip/\n", "column 'pip_index'" },
		{ "a blank in a URL", "x\tX\thttps://x/simple\thttps://x/main,https://x /r\t-\t-\thttps://x/p/\n",
		  "column 'default_channels'" },
		{ "an empty list entry", "x\tX\thttps://x/simple\thttps://x/main,,https://x/r\t-\t-\thttps://x/p/\n",
		  "column 'default_channels'" },
		{ "a cloud without channels", "x\tX\thttps://x/simple\thttps://x/main\thttps://x/cloud\t-\thttps://x/p/\n",
		  "column 'cloud_channels'" },
		{ "a channel gpu-setup does not manage",
		  "x\tX\thttps://x/simple\thttps://x/main\thttps://x/cloud\tbioconda\thttps://x/p/\n",
		  "column 'cloud_channels'" },
		{ "a name twice", "x\tX\thttps://x/simple\thttps://x/main\t-\t-\thttps://x/p/\n"
				  "x\tY\thttps://y/simple\thttps://y/main\t-\t-\thttps://y/p/\n",
		  "twice" },
		{ "an upper-case name", "X\tX\thttps://x/simple\thttps://x/main\t-\t-\thttps://x/p/\n", "column 'name'" },
		{ "no rows", "", "no mirrors" },
	};
	char tmpl[] = "/tmp/test-mirror-table.XXXXXX";
	char *dir = mkdtemp(tmpl);

	for (size_t i = 0; dir && i < ELEMENTSOF(bad); i++) {
		_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
		_cleanup_free_ char *text = xasprintf("# a comment\n%s%s", header, bad[i].row);
		struct mirror_table t = { .n = 777 };

		strbuf_init(&err);
		testroot_puts(dir, "/mirrors.tsv", text);
		is_int(mirror_table_load(dir, &t, &err), -EINVAL, "%s: refused", bad[i].name);
		ok(strstr(err.buf, "mirrors.tsv") && strstr(err.buf, bad[i].msg), "%s: the message says where: %s",
		   bad[i].name, err.buf);
		is_int(t.n, 777, "%s: *ret untouched", bad[i].name);
	}
	if (dir)
		testroot_remove(dir);
}

/* ------------------------------------------------------------ files */

static char *root;
static struct mirror_table table;

static char *host(const char *rel)
{
	return xasprintf("%s%s", root, rel);
}

static char *slurp(const char *rel)
{
	_cleanup_free_ char *p = host(rel);
	char *data = NULL;
	size_t len;

	return read_file(p, 1 << 20, &data, &len) == 0 ? data : NULL;
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *p = host(rel);
	struct stat st;

	return lstat(p, &st) == 0;
}

static mode_t mode_of(const char *rel)
{
	_cleanup_free_ char *p = host(rel);
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_mode & 07777 : 0;
}

/* How many gpu-setup backups of rel there are, and the last name seen. */
static int backups(const char *rel, char **ret_name)
{
	_cleanup_free_ char *p = host(rel), *dir = xstrdup(p);
	char *slash = strrchr(dir, '/');
	const char *base = strrchr(p, '/') + 1;
	DIR *d;
	struct dirent *de;
	int n = 0;

	*slash = '\0';
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (startswith(de->d_name, base) && startswith(de->d_name + strlen(base), ".gpu-setup-")) {
			n++;
			if (ret_name) {
				free(*ret_name);
				*ret_name = xasprintf("%s/%s", dir, de->d_name);
			}
		}
	}
	if (d)
		closedir(d);
	return n;
}

static int apply(const char *name, const struct target_user *u, bool system, bool dry_run, struct mirror_files *f,
		 struct strbuf *err)
{
	strbuf_reset(err);
	memset(f, 0, sizeof(*f));
	return mirror_apply_files(mirror_find(&table, name), u, system, dry_run, f, err);
}

static void test_apply_revert(const struct target_user *u)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, report = STRBUF_INIT;
	_cleanup_free_ char *pip1 = NULL, *conda1 = NULL, *bak = NULL;
	struct mirror_files f;
	int r;

	strbuf_init(&err);
	strbuf_init(&report);
	r = apply("tuna", u, false, true, &f, &err);
	ok(r == 0 && f.n == 2 && f.files[0].action == MIRROR_WRITTEN && !exists("/home/me/.config"),
	   "dry run: would write both, creates nothing %s", err.buf);
	mirror_files_free(&f);

	r = apply("tuna", u, false, false, &f, &err);
	is_int(r, 0, "tuna for the user: %s", err.buf);
	ok(f.n == 2 && f.files[0].action == MIRROR_WRITTEN && f.files[1].action == MIRROR_WRITTEN &&
		   strstr(f.files[0].path, "/home/me/.config/pip/pip.conf") && strstr(f.files[1].path, "/home/me/.condarc") &&
		   f.files[0].backup && strstr(f.files[0].backup, ".absent"),
	   "both written, each with an .absent marker");
	mirror_files_free(&f);
	ok(mode_of("/home/me/.config") == 0755 && mode_of("/home/me/.config/pip") == 0755 &&
		   mode_of("/home/me/.config/pip/pip.conf") == 0644 && mode_of("/home/me/.condarc") == 0644,
	   "directories 0755, files 0644, whatever the umask");
	pip1 = slurp("/home/me/.config/pip/pip.conf");
	conda1 = slurp("/home/me/.condarc");
	is_str(pip1, "[global]\nindex-url = https://pypi.tuna.tsinghua.edu.cn/simple\n", "pip.conf says TUNA");
	ok(conda1 && startswith(conda1, "channels:\n  - defaults\nshow_channel_urls: true\n"), ".condarc says TUNA");

	r = apply("tuna", u, false, false, &f, &err);
	ok(r == 0 && f.files[0].action == MIRROR_UNCHANGED && f.files[1].action == MIRROR_UNCHANGED,
	   "the same again: both unchanged");
	mirror_files_free(&f);
	ok(backups("/home/me/.config/pip/pip.conf", NULL) == 1 && backups("/home/me/.condarc", NULL) == 1,
	   "and no second backup");

	r = apply("ustc", u, false, false, &f, &err);
	ok(r == 0 && f.files[0].action == MIRROR_WRITTEN && !f.files[0].backup, "ustc after tuna: written, no new backup");
	mirror_files_free(&f);
	ok(backups("/home/me/.config/pip/pip.conf", NULL) == 1 && backups("/home/me/.condarc", NULL) == 1,
	   "still one backup each (the state before gpu-setup)");

	r = mirror_revert(u, false, &report, &err);
	is_int(r, 0, "revert: %s", err.buf);
	ok(!exists("/home/me/.config/pip/pip.conf") && !exists("/home/me/.condarc") &&
		   backups("/home/me/.config/pip/pip.conf", NULL) == 0 && backups("/home/me/.condarc", NULL) == 0,
	   "files gpu-setup created are gone, and so are their markers");
	ok(strstr(report.buf, "removed: ") != NULL, "the report says so");
	strbuf_reset(&report);
	strbuf_reset(&err);
	is_int(mirror_revert(u, false, &report, &err), -ENOENT, "a second revert has nothing to do");
	ok(strstr(err.buf, "nothing to revert") != NULL, "and says so: %s", err.buf);

	/* Files of the user's own: backed up byte for byte and mode, then
	 * restored. */
	testroot_puts(root, "/home/me/.condarc", "# mine\nssl_verify: false\nchannels: [conda-forge]\n");
	testroot_puts(root, "/home/me/.config/pip/pip.conf", "[global]\r\nindex-url = https://user:secret@corp.example/simple\r\n");
	{
		_cleanup_free_ char *p = host("/home/me/.config/pip/pip.conf");
		chmod(p, 0600);
	}
	r = apply("bfsu", u, false, false, &f, &err);
	ok(r == 0 && f.files[0].backup && strstr(f.files[0].backup, ".bak") && f.files[1].backup &&
		   strstr(f.files[1].backup, ".bak"),
	   "existing files: written, backed up to .bak %s", err.buf);
	mirror_files_free(&f);
	ok(mode_of("/home/me/.config/pip/pip.conf") == 0600, "a 0600 pip.conf (a password in it) stays 0600");
	backups("/home/me/.config/pip/pip.conf", &bak);
	{
		_cleanup_free_ char *data = NULL;
		size_t len;
		struct stat st;

		ok(bak && read_file(bak, 4096, &data, &len) == 0 &&
			   streq(data, "[global]\r\nindex-url = https://user:secret@corp.example/simple\r\n") &&
			   stat(bak, &st) == 0 && (st.st_mode & 0777) == 0600,
		   "the backup holds the old bytes, mode 0600");
	}
	{
		_cleanup_free_ char *c = slurp("/home/me/.condarc");

		ok(c && startswith(c, "# mine\nssl_verify: false\nchannels:\n  - conda-forge\n  - defaults\n"),
		   "the user's .condarc: comment, key and channel kept");
	}
	strbuf_reset(&report);
	is_int(mirror_revert(u, false, &report, &err), 0, "revert");
	{
		_cleanup_free_ char *p = slurp("/home/me/.config/pip/pip.conf"), *c = slurp("/home/me/.condarc");

		is_str(p, "[global]\r\nindex-url = https://user:secret@corp.example/simple\r\n", "pip.conf restored byte for byte");
		is_str(c, "# mine\nssl_verify: false\nchannels: [conda-forge]\n", ".condarc restored byte for byte");
		is_int(mode_of("/home/me/.config/pip/pip.conf"), 0600, "and its mode");
		ok(backups("/home/me/.config/pip/pip.conf", NULL) == 0, "the backup is gone");
	}
}

static void test_refusals(const struct target_user *u)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *link = host("/home/me/.condarc"), *target = host("/secret");
	_cleanup_free_ char *before = NULL, *after = NULL;
	struct mirror_files f;

	strbuf_init(&err);
	testroot_puts(root, "/secret", "do not touch\n");
	unlink(link);
	(void)!symlink(target, link);
	before = slurp("/home/me/.config/pip/pip.conf");
	is_int(apply("tuna", u, false, false, &f, &err), -ELOOP, "a link at ~/.condarc: refused");
	ok(strstr(err.buf, "is a symbolic link (to ") && strstr(err.buf, "does not write through links"),
	   "the message says why: %s", err.buf);
	after = slurp("/home/me/.config/pip/pip.conf");
	is_str(after, before, "pip.conf was not changed either");
	{
		_cleanup_free_ char *s = slurp("/secret");
		struct stat st;

		is_str(s, "do not touch\n", "the link's target is untouched");
		ok(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link is still a link");
	}
	ok(backups("/home/me/.config/pip/pip.conf", NULL) == 0, "no backup was made");
	strbuf_reset(&err);
	is_int(mirror_revert_files(u, false, false, &f, &err), -ELOOP, "revert refuses the link too");
	unlink(link);

	testroot_puts(root, "/home/me/.condarc", "channels: [defaults\n");
	free(before);
	before = slurp("/home/me/.config/pip/pip.conf");
	is_int(apply("tuna", u, false, false, &f, &err), -EINVAL, "a .condarc that is not YAML: refused");
	ok(strstr(err.buf, "/home/me/.condarc: line ") != NULL, "naming the file and the line: %s", err.buf);
	free(after);
	after = slurp("/home/me/.config/pip/pip.conf");
	is_str(after, before, "and pip.conf is left as it was");
	unlink(link);

	{
		_cleanup_free_ char *d = host("/home/me/.condarc");

		mkdir(d, 0755);
		is_int(apply("tuna", u, false, false, &f, &err), -EINVAL, "a directory at ~/.condarc: refused");
		rmdir(d);
	}
}

static void test_system(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct mirror_files f;

	strbuf_init(&err);
	is_int(apply("sjtu", NULL, true, false, &f, &err), 0, "system-wide: %s", err.buf);
	ok(f.n == 2 && strstr(f.files[0].path, "/etc/pip.conf") && strstr(f.files[1].path, "/etc/conda/.condarc"),
	   "/etc/pip.conf and /etc/conda/.condarc");
	mirror_files_free(&f);
	ok(mode_of("/etc/conda") == 0755 && mode_of("/etc/pip.conf") == 0644 && mode_of("/etc/conda/.condarc") == 0644,
	   "/etc/conda 0755, the files 0644");
	{
		_cleanup_free_ char *p = slurp("/etc/pip.conf");

		is_str(p, "[global]\nindex-url = https://mirror.sjtu.edu.cn/pypi/web/simple\n", "SJTU's index");
	}
}

int main(void)
{
	char tmpl[] = "/tmp/test-mirror-config.XXXXXX";
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct target_user me = { .name = (char *)"me", .home = (char *)"/home/me" };

	test_table();
	test_bad_tables();

	strbuf_init(&err);
	root = mkdtemp(tmpl);
	if (!root || mirror_table_load(ABS_TOP_SRCDIR "/compat", &table, &err) < 0)
		return done_testing() | 1;
	me.uid = geteuid();
	me.gid = getegid();
	testroot_puts(root, "/home/me/.keep", "");
	testroot_puts(root, "/etc/.keep", "");
	sysroot_set(root);
	/* A umask that would narrow what gpu-setup creates. */
	umask(077);
	test_apply_revert(&me);
	test_refusals(&me);
	test_system();
	sysroot_set(NULL);
	mirror_table_free(&table);
	testroot_remove(root);
	return done_testing();
}
