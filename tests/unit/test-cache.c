/*
 * test-cache.c - the cache manifest: parsing (strict, every malformed
 * line named), saving (sorted, the same bytes), adding and merging plans,
 * where each kind's file is, verifying files, and the cache lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cache.h"
#include "fileio.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEAD "gpu-setup-cache 1\n"

static char dir[] = "/tmp/test-cache.XXXXXX";

/* Write text as DIR/manifest and load it; the error text in err. */
static int load_text(const char *text, struct cache_manifest *m, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, CACHE_MANIFEST_NAME);

	strbuf_reset(err);
	write_file_atomic(path, text, strlen(text), 0644);
	return cache_manifest_load(dir, m, err);
}

/* A manifest that must be refused with "line N: ..." mentioning what. */
static void refused(const char *text, unsigned line, const char *what, const char *label)
{
	struct cache_manifest m;
	struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *want = xasprintf("line %u: ", line);
	int r;

	strbuf_init(&err);
	r = load_text(text, &m, &err);
	if (!ok(r == -EINVAL && startswith(err.buf, want) && strstr(err.buf, what), "refused: %s", label))
		printf("# r=%d err='%s' (want '%s...%s')\n", r, err.buf, want, what);
	if (r == 0)
		cache_manifest_free(&m);
	strbuf_release(&err);
}

static void test_parse(void)
{
	struct cache_manifest m;
	struct strbuf err = STRBUF_INIT;
	int r;

	strbuf_init(&err);
	r = cache_manifest_load(dir, &m, &err);
	ok(r == 0 && m.nentries == 0 && streq(m.dir, dir), "no manifest: an empty cache");
	cache_manifest_free(&m);
	{
		_cleanup_free_ char *none = xasprintf("%s/does/not/exist", dir);

		r = cache_manifest_load(none, &m, &err);
		ok(r == 0 && m.nentries == 0, "no directory: an empty cache");
		cache_manifest_free(&m);
	}

	r = load_text("# a comment\n\n   \n" HEAD "# another\n\n"
		      "deb\tnvidia-driver_550.deb\t550.54-1\t1234\t" SHA_A "\thttp://x/pool/a.deb\tp1,p2\n"
		      "runfile\tcuda_12.4.run\t12.4.0\t0\t" SHA_B "\t-\t-",   /* no final newline */
		      &m, &err);
	ok(r == 0 && m.nentries == 2, "comments, blank lines and a last line without newline");
	if (r == 0 && m.nentries == 2) {
		const struct cache_entry *d = cache_manifest_find(&m, CACHE_DEB, "nvidia-driver_550.deb");
		const struct cache_entry *f = cache_manifest_find(&m, CACHE_RUNFILE, "cuda_12.4.run");

		ok(d && streq(d->version, "550.54-1") && d->size == 1234 && streq(d->sha256, SHA_A) &&
		   streq(d->url, "http://x/pool/a.deb") && streq(d->plans, "p1,p2"), "deb fields read");
		ok(f && f->size == 0 && streq(f->url, "-") && streq(f->plans, ""), "'-' plans read as none");
		ok(!cache_manifest_find(&m, CACHE_RUNFILE, "nvidia-driver_550.deb"), "find matches the kind too");
	}
	cache_manifest_free(&m);
	r = load_text(HEAD "wheel\tx.whl\t1\t18446744073709551615\t" SHA_A "\t-\t-\n", &m, &err);
	ok(r == 0 && m.nentries == 1 && m.entries[0].size == UINT64_MAX, "largest size");
	cache_manifest_free(&m);

	refused("", 1, "no format line", "empty file");
	refused("# only a comment\n", 1, "no format line", "only comments");
	refused("deb\ta\t1\t1\t" SHA_A "\t-\t-\n", 1, "expected the format line", "entry before the format line");
	refused("gpu-setup-cache 2\n", 1, "format 2", "unknown format version");
	refused("gpu-setup-cache x\n", 1, "not a format line", "format not a number");
	refused("gpu-setup-cache 01\n", 1, "not a format line", "format with a leading zero");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t-\n", 2, "6 fields", "six fields");
	refused(HEAD "\ndeb\ta\t1\t1\t" SHA_A "\t-\t-\textra\n", 3, "8 fields", "eight fields");
	refused(HEAD "deb a 1 1 " SHA_A " - -\n", 2, "1 fields", "spaces instead of tabs");
	refused(HEAD "tarball\ta\t1\t1\t" SHA_A "\t-\t-\n", 2, "unknown kind 'tarball'", "unknown kind");
	refused(HEAD "deb\t\t1\t1\t" SHA_A "\t-\t-\n", 2, "empty name", "empty name");
	refused(HEAD "deb\tdir/a.deb\t1\t1\t" SHA_A "\t-\t-\n", 2, "'/'", "'/' in the name");
	refused(HEAD "deb\t..\t1\t1\t" SHA_A "\t-\t-\n", 2, "'..'", "'..' as the name");
	refused(HEAD "deb\t.lock\t1\t1\t" SHA_A "\t-\t-\n", 2, "'.'", "a hidden name");
	refused(HEAD "deb\ta.deb.part\t1\t1\t" SHA_A "\t-\t-\n", 2, ".part", "a .part name");
	refused(HEAD "runfile\tmanifest\t1\t1\t" SHA_A "\t-\t-\n", 2, "reserved", "runfile named manifest");
	refused(HEAD "cudnn\tdebs\t1\t1\t" SHA_A "\t-\t-\n", 2, "reserved", "cudnn named debs");
	refused(HEAD "deb\ta\t\t1\t" SHA_A "\t-\t-\n", 2, "empty version", "empty version");
	refused(HEAD "deb\ta\t1\t-1\t" SHA_A "\t-\t-\n", 2, "size '-1'", "negative size");
	refused(HEAD "deb\ta\t1\t12k\t" SHA_A "\t-\t-\n", 2, "size '12k'", "size with a unit");
	refused(HEAD "deb\ta\t1\t\t" SHA_A "\t-\t-\n", 2, "size ''", "empty size");
	refused(HEAD "deb\ta\t1\t012\t" SHA_A "\t-\t-\n", 2, "size '012'", "size with a leading zero");
	refused(HEAD "deb\ta\t1\t18446744073709551616\t" SHA_A "\t-\t-\n", 2, "size", "size past 2^64");
	refused(HEAD "deb\ta\t1\t1\t" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\t-\t-\n", 2,
		"sha256", "uppercase sha256");
	refused(HEAD "deb\ta\t1\t1\taaaa\t-\t-\n", 2, "sha256 'aaaa'", "short sha256");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "a\t-\t-\n", 2, "sha256", "long sha256");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t\t-\n", 2, "empty url", "empty url");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t-\t\n", 2, "empty plans", "empty plans");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t-\tp1,,p2\n", 2, "empty plan label", "empty plan label");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t-\tp1,p1\n", 2, "twice", "plan listed twice");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t-\t-\r\n", 2, "control character", "CRLF line end");
	refused(HEAD "deb\ta\t1\t1\t" SHA_A "\t-\t-\n# x\nwheel\ta\t1\t1\t" SHA_A "\t-\t-\n"
		"deb\ta\t2\t1\t" SHA_B "\t-\t-\n", 5, "deb a is listed twice (first on line 2)", "duplicate (kind, name)");
	{
		static const char nul[] = HEAD "deb\ta\t1\t1\t" SHA_A "\t-\t-\n";
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, CACHE_MANIFEST_NAME);
		char buf[sizeof(nul)];

		memcpy(buf, nul, sizeof(nul));
		buf[sizeof(HEAD)] = '\0';   /* inside "deb" */
		write_file_atomic(path, buf, sizeof(buf) - 1, 0644);
		strbuf_reset(&err);
		r = cache_manifest_load(dir, &m, &err);
		ok(r == -EINVAL && startswith(err.buf, "line 2: a NUL byte"), "NUL byte refused");
		if (r == 0)
			cache_manifest_free(&m);
	}
	strbuf_release(&err);
}

static struct cache_entry entry(enum cache_kind kind, const char *name, const char *version, uint64_t size,
				const char *sha, const char *url, const char *plans)
{
	struct cache_entry e = { .kind = kind, .name = (char *)name, .version = (char *)version, .size = size,
				 .url = (char *)url, .plans = (char *)plans };

	snprintf(e.sha256, sizeof(e.sha256), "%s", sha);
	return e;
}

static void test_round_trip(void)
{
	_cleanup_free_ char *sub = xasprintf("%s/rt/new", dir);
	_cleanup_free_ char *path = xasprintf("%s/%s", sub, CACHE_MANIFEST_NAME);
	_cleanup_free_ char *first = NULL, *second = NULL;
	struct cache_manifest m = { .dir = xstrdup(sub) }, m2 = { 0 }, m3 = { 0 };
	struct strbuf err = STRBUF_INIT;
	struct cache_entry es[] = {
		entry(CACHE_WHEEL, "torch-2.3.whl", "2.3.0", 800000000, SHA_A, "https://pypi/x", "pytorch"),
		entry(CACHE_DEB, "b.deb", "1:2.0-1", 20, SHA_B, "http://deb/b", "p1"),
		entry(CACHE_RUNFILE, "cuda_12.4.run", "12.4.0", 4000000000ull, SHA_A, "https://nv/cuda", "p1,p2"),
		entry(CACHE_DEB, "a.deb", "1.0", 10, SHA_A, "-", NULL),
		entry(CACHE_MINICONDA, "Miniconda3.sh", "24.1", 100, SHA_B, "https://repo.anaconda.com/m", "p1"),
		entry(CACHE_CUDNN, "cudnn.tar.xz", "9.1.0", 5, SHA_A, "https://nv/cudnn", "p2"),
	};
	size_t len1, len2;
	int r = 0;

	strbuf_init(&err);
	for (size_t i = 0; i < ELEMENTSOF(es); i++)
		r |= cache_manifest_add(&m, &es[i]);
	ok(r == 0 && m.nentries == ELEMENTSOF(es), "six entries added");
	is_int(cache_manifest_save(&m), 0, "save creates the directory and writes");
	r = cache_manifest_load(sub, &m2, &err);
	ok(r == 0 && m2.nentries == m.nentries, "loads back");
	for (size_t i = 0; i < m.nentries && r == 0; i++) {
		const struct cache_entry *a = &m.entries[i];
		const struct cache_entry *b = cache_manifest_find(&m2, a->kind, a->name);

		ok(b && streq(a->version, b->version) && a->size == b->size && streq(a->sha256, b->sha256) &&
		   streq(a->url, b->url) && streq(a->plans, b->plans), "round trip: %s %s", cache_kind_name(a->kind),
		   a->name);
	}
	read_file(path, 1 << 20, &first, &len1);
	ok(first && strstr(first, "\n" HEAD) &&
	   strstr(first, "runfile\tcuda_12.4.run") < strstr(first, "cudnn\tcudnn.tar.xz") &&
	   strstr(first, "cudnn\t") < strstr(first, "miniconda\t") &&
	   strstr(first, "miniconda\t") < strstr(first, "deb\ta.deb") &&
	   strstr(first, "deb\ta.deb") < strstr(first, "deb\tb.deb") &&
	   strstr(first, "deb\tb.deb") < strstr(first, "wheel\t"), "saved sorted by kind, then name");
	ok(first && strstr(first, "deb\ta.deb\t1.0\t10\t" SHA_A "\t-\t-\n"), "no plans saved as '-'");
	/* The loaded copy has its entries in file order; saving it must give
	 * the same bytes as the original's order did. */
	if (r == 0) {
		struct cache_entry tmp = m2.entries[0];

		m2.entries[0] = m2.entries[m2.nentries - 1];
		m2.entries[m2.nentries - 1] = tmp;
	}
	is_int(cache_manifest_save(&m2), 0, "save of the loaded copy");
	read_file(path, 1 << 20, &second, &len2);
	ok(first && second && len1 == len2 && memcmp(first, second, len1) == 0, "the same entries give the same bytes");
	r = cache_manifest_load(sub, &m3, &err);
	ok(r == 0 && m3.nentries == 6, "and still load");

	/* A manifest with an entry that cannot be written is not saved. */
	free(m3.entries[0].version);
	m3.entries[0].version = xstrdup("1\t2");
	is_int(cache_manifest_save(&m3), -EINVAL, "save refuses a tab in a field");
	free(second);
	second = NULL;
	read_file(path, 1 << 20, &second, &len2);
	ok(second && len1 == len2 && memcmp(first, second, len1) == 0, "and leaves the file as it was");

	cache_manifest_free(&m);
	cache_manifest_free(&m2);
	cache_manifest_free(&m3);
	strbuf_release(&err);
}

static void test_add(void)
{
	struct cache_manifest m = { .dir = xstrdup(dir) };
	struct cache_entry e = entry(CACHE_DEB, "a.deb", "1.0", 10, SHA_A, "http://a", "p1,p2");
	struct cache_entry *got;

	is_int(cache_manifest_add(&m, &e), 0, "add");
	e = entry(CACHE_DEB, "a.deb", "1.1", 11, SHA_B, "http://b", "p2,p3,p1");
	is_int(cache_manifest_add(&m, &e), 0, "add the same (kind, name) again");
	got = cache_manifest_find(&m, CACHE_DEB, "a.deb");
	ok(m.nentries == 1 && got && streq(got->version, "1.1") && got->size == 11 && streq(got->sha256, SHA_B) &&
	   streq(got->url, "http://b"), "updated in place");
	is_str(got ? got->plans : NULL, "p1,p2,p3", "plans merged without duplicates");
	e = entry(CACHE_DEB, "a.deb", "1.1", 11, SHA_B, "http://b", NULL);
	cache_manifest_add(&m, &e);
	is_str(got->plans, "p1,p2,p3", "no plans given: plans kept");
	e = entry(CACHE_WHEEL, "a.deb", "1", 1, SHA_A, "-", "p9");
	cache_manifest_add(&m, &e);
	ok(m.nentries == 2, "same name of another kind: another entry");

	e = entry(CACHE_DEB, "x\ty", "1", 1, SHA_A, "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "tab in the name refused");
	e = entry(CACHE_DEB, "x", "1\n", 1, SHA_A, "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "newline in the version refused");
	e = entry(CACHE_DEB, "x", "1", 1, SHA_A, "http://a\tb", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "tab in the url refused");
	e = entry(CACHE_DEB, "x", "1", 1, SHA_A, "-", "p\n");
	is_int(cache_manifest_add(&m, &e), -EINVAL, "newline in the plans refused");
	e = entry(CACHE_DEB, "x", "1", 1, SHA_A, "-", "a,,b");
	is_int(cache_manifest_add(&m, &e), -EINVAL, "empty plan label refused");
	e = entry(CACHE_DEB, "../x", "1", 1, SHA_A, "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "'/' in the name refused");
	e = entry(CACHE_DEB, "x", "1", 1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "uppercase sha256 refused");
	e = entry(CACHE_DEB, "x", "1", 1, "abc", "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "short sha256 refused");
	e = entry(CACHE_DEB, "x", "", 1, SHA_A, "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "empty version refused");
	e = entry(CACHE_KIND_COUNT, "x", "1", 1, SHA_A, "-", NULL);
	is_int(cache_manifest_add(&m, &e), -EINVAL, "unknown kind refused");
	ok(m.nentries == 2, "nothing added by the refusals");

	is_int(cache_manifest_remove(&m, CACHE_DEB, "a.deb"), 0, "remove");
	ok(m.nentries == 1 && !cache_manifest_find(&m, CACHE_DEB, "a.deb") &&
	   cache_manifest_find(&m, CACHE_WHEEL, "a.deb"), "only that entry removed");
	is_int(cache_manifest_remove(&m, CACHE_DEB, "a.deb"), -ENOENT, "remove of an absent entry");
	/* Grow past the first allocation. */
	for (int i = 0; i < 40; i++) {
		_cleanup_free_ char *name = xasprintf("w%02d.whl", i);

		e = entry(CACHE_WHEEL, name, "1", (uint64_t)i, SHA_A, "-", "p");
		cache_manifest_add(&m, &e);
	}
	ok(m.nentries == 41 && cache_manifest_find(&m, CACHE_WHEEL, "w39.whl")->size == 39, "41 entries");
	cache_manifest_free(&m);
}

static void test_paths(void)
{
	struct cache_manifest m = { .dir = xstrdup("/c") };
	static const char *const want[CACHE_KIND_COUNT] = {
		[CACHE_RUNFILE] = "/c/f", [CACHE_CUDNN] = "/c/f", [CACHE_MINICONDA] = "/c/f",
		[CACHE_DEB] = "/c/debs/f", [CACHE_WHEEL] = "/c/wheels/f",
	};

	for (unsigned k = 0; k < CACHE_KIND_COUNT; k++) {
		struct cache_entry e = entry((enum cache_kind)k, "f", "1", 1, SHA_A, "-", NULL);
		_cleanup_free_ char *p = cache_entry_path(&m, &e);
		enum cache_kind back;

		is_str(p, want[k], "%s file path", cache_kind_name((enum cache_kind)k));
		ok(cache_kind_from_name(cache_kind_name((enum cache_kind)k), &back) == 0 && back == k,
		   "kind name round trip: %s", cache_kind_name((enum cache_kind)k));
	}
	ok(!cache_kind_name(CACHE_KIND_COUNT), "no name past the kinds");
	{
		enum cache_kind k;

		is_int(cache_kind_from_name("Runfile", &k), -EINVAL, "kind names are exact");
	}
	{
		_cleanup_free_ char *d = cache_kind_dir(&m, CACHE_WHEEL);

		is_str(d, "/c/wheels", "wheel directory");
	}
	cache_manifest_free(&m);
	{
		_cleanup_free_ char *d = cache_dir_for(NULL);
		_cleanup_free_ char *rel = NULL, *abs = cache_dir_for("/x/y//");
		_cleanup_free_ char *cwd = getcwd(NULL, 0);
		_cleanup_free_ char *want_rel = xasprintf("%s/c", cwd);

		is_str(d, "/var/cache/gpu-setup", "default cache without --root");
		sysroot_set(dir);
		free(d);
		d = cache_dir_for("");
		ok(d && startswith(d, dir) && streq(d + strlen(dir), GS_CACHE_DIR), "default cache under the root");
		sysroot_set(NULL);
		rel = cache_dir_for("c/");
		is_str(rel, want_rel, "relative --cache made absolute");
		is_str(abs, "/x/y", "trailing slashes dropped");
	}
}

static void test_verify(void)
{
	_cleanup_free_ char *cdir = xasprintf("%s/v", dir);
	struct cache_manifest m = { .dir = xstrdup(cdir) };
	struct strbuf why = STRBUF_INIT;
	/* sha256("hello\n") */
	struct cache_entry e = entry(CACHE_DEB, "h.deb", "1", 6,
				     "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", "-", NULL);
	_cleanup_free_ char *path = cache_entry_path(&m, &e);
	int r;

	strbuf_init(&why);
	mkdir(cdir, 0755);
	r = cache_entry_verify(&m, &e, &why);
	ok(r == -ENOENT && streq(why.buf, "missing"), "missing file");
	testroot_puts(cdir, "/debs/h.deb", "hello\n");
	strbuf_reset(&why);
	is_int(cache_entry_verify(&m, &e, &why), 0, "the recorded file verifies");
	testroot_puts(cdir, "/debs/h.deb", "hello!\n");
	strbuf_reset(&why);
	r = cache_entry_verify(&m, &e, &why);
	ok(r == -EFBIG && streq(why.buf, "size 7 instead of 6"), "wrong size");
	testroot_puts(cdir, "/debs/h.deb", "jello\n");
	strbuf_reset(&why);
	r = cache_entry_verify(&m, &e, &why);
	ok(r == -EBADMSG && startswith(why.buf, "sha256 ") && strstr(why.buf, e.sha256), "wrong sha256, same size");
	unlink(path);
	mkdir(path, 0755);
	strbuf_reset(&why);
	is_int(cache_entry_verify(&m, &e, &why), -EISDIR, "a directory in place of the file");
	rmdir(path);
	{
		_cleanup_free_ char *real = xasprintf("%s/real", cdir);

		testroot_puts(cdir, "/real", "hello\n");
		if (symlink(real, path) < 0)
			perror("symlink");
		strbuf_reset(&why);
		r = cache_entry_verify(&m, &e, &why);
		ok(r == -ELOOP && strstr(why.buf, "symbolic link"), "a symlink to the right content is refused");
	}
	unlink(path);
	if (mkfifo(path, 0644) == 0) {
		strbuf_reset(&why);
		is_int(cache_entry_verify(&m, &e, &why), -EINVAL, "a fifo is not a file (and is not opened)");
	}
	strbuf_release(&why);
	cache_manifest_free(&m);
}

static void test_lock(void)
{
	_cleanup_free_ char *cdir = xasprintf("%s/locked/cache", dir);
	int fd = cache_lock(cdir), status = 0;
	pid_t pid;

	ok(fd >= 0, "lock taken (directory created)");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "the lock fd is close-on-exec");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* flock locks belong to the open file: another open in a
		 * child is another holder, as another gpu-setup run is. */
		int r = cache_lock(cdir);

		_exit(r == -EBUSY ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a second holder gets -EBUSY");
	if (fd >= 0)
		close(fd);
	fd = cache_lock(cdir);
	ok(fd >= 0, "taken again once released");
	if (fd >= 0)
		close(fd);
	{
		_cleanup_free_ char *file = xasprintf("%s/afile", dir);

		testroot_puts(dir, "/afile", "x");
		is_int(cache_lock(file), -ENOTDIR, "a cache path that is a file");
	}
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parse();
	test_round_trip();
	test_add();
	test_paths();
	test_verify();
	test_lock();
	testroot_remove(dir);
	return done_testing();
}
