/*
 * Unit tests: cuDNN archives checked, placed into fake toolkits under a
 * scratch root, refused (the toolkit must then be byte for byte as it
 * was), upgraded and removed.  Archives come from
 * tests/fixtures/gen-cudnn-archive (NVIDIA's layouts, real ELF stubs), so
 * the test needs python3, cc, gzip and xz; without them it skips.  Runs as
 * a normal user; as root too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>

#include "cudnn.h"
#include "fileio.h"
#include "manifest.h"
#include "run.h"
#include "sha256.h"
#include "cuda-tree.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define GEN ABS_TOP_SRCDIR "/tests/fixtures/gen-cudnn-archive"
#define TXZ98 "cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz"
#define TXZ89 "cudnn-linux-x86_64-8.9.7.29_cuda12-archive.tar.xz"
#define TXZ98_11 "cudnn-linux-x86_64-9.8.0.87_cuda11-archive.tar.xz"
#define TGZ82 "cudnn-11.4-linux-x64-v8.2.4.15.tgz"
#define TGZ76 "cudnn-10.2-linux-x64-v7.6.5.32.tgz"
#define NFILES98 23     /* 7 headers, 5 libraries x 3, 1 static library */
#define NFILES89 15     /* 5 headers, 3 libraries x 3, 1 static library */

static char root[] = "/tmp/gs-cudnn-root-XXXXXX";
static char adir[] = "/tmp/gs-cudnn-arch-XXXXXX";

/* ---------------------------------------------------------------- helpers */

static bool tool_runs(const char *tool)
{
	const char *const argv[] = { tool, "--version", NULL };
	struct run_result rr;
	bool ran;

	if (run_command(argv, NULL, 30000, &rr) < 0)
		return false;
	ran = rr.exit_status == 0;
	run_result_release(&rr);
	return ran;
}

/* Generate archive adir/name with the generator's options (NULL-ended
 * after name); returns its path (static storage rotates), NULL on error. */
static const char *gen(const char *name, ...)
{
	static char *paths[8];
	static unsigned next;
	const char *argv[24] = { "python3", GEN };
	size_t n = 2;
	struct run_result rr;
	va_list ap;
	char *path = xasprintf("%s/%s", adir, name);
	bool good;

	va_start(ap, name);
	for (const char *a; (a = va_arg(ap, const char *)) && n < ELEMENTSOF(argv) - 3;)
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "--out";
	argv[n++] = path;
	argv[n] = NULL;
	if (run_command(argv, NULL, 120000, &rr) < 0) {
		printf("# cannot run the generator\n");
		free(path);
		return NULL;
	}
	good = rr.exit_status == 0;
	if (!good)
		printf("# generator failed: %s\n", rr.err.buf);
	run_result_release(&rr);
	if (!good) {
		free(path);
		return NULL;
	}
	free(paths[next % ELEMENTSOF(paths)]);
	paths[next++ % ELEMENTSOF(paths)] = path;
	return path;
}

static char *host(const char *abs)
{
	return sysroot_path(abs);
}

static void put(const char *rel, const char *text)
{
	testroot_puts(root, rel, text);
}

static void mkdirs(const char *rel)
{
	_cleanup_free_ char *p = host(rel);

	mkdir_p(p, 0755);
}

static void symlink_at(const char *target, const char *rel)
{
	_cleanup_free_ char *p = host(rel);

	if (symlink(target, p) < 0)
		printf("# symlink %s: %s\n", p, strerror(errno));
}

/* A toolkit as gpu-setup finds one: plain include/ and lib64/ (a toolkit
 * assembled by hand or from packages), or NVIDIA runfile's tree with
 * include and lib64 symlinks into targets/x86_64-linux. */
static void toolkit(const char *dir, bool runfile)
{
	_cleanup_free_ char *inc = xasprintf("%s/include", dir), *lib = xasprintf("%s/lib64", dir);
	_cleanup_free_ char *json = xasprintf("%s/version.json", dir);

	if (runfile) {
		_cleanup_free_ char *ti = xasprintf("%s/targets/x86_64-linux/include", dir);
		_cleanup_free_ char *tl = xasprintf("%s/targets/x86_64-linux/lib", dir);

		mkdirs(ti);
		mkdirs(tl);
		symlink_at("targets/x86_64-linux/include", inc);
		symlink_at("targets/x86_64-linux/lib", lib);
	} else {
		mkdirs(inc);
		mkdirs(lib);
	}
	{
		_cleanup_free_ char *cuda_h = xasprintf("%s/cuda.h", inc), *rt = xasprintf("%s/libcudart.so.12.8.57", lib);
		_cleanup_free_ char *rt12 = xasprintf("%s/libcudart.so.12", lib);

		put(json, "{ \"cuda\" : { \"version\" : \"12.8.1\" } }\n");
		put(cuda_h, "#define CUDA_VERSION 12080\n");
		put(rt, "\177ELF the toolkit's own runtime\n");
		symlink_at("libcudart.so.12.8.57", rt12);
	}
}

/* One line per path under the root: type, mode, and the content's digest
 * or the link's target; sorted.  Equal snapshots: an identical tree. */
static struct strbuf *snap_out;
static char **snap_lines;
static size_t snap_n;

static int snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char buf[PATH_MAX + 1], hex[SHA256_HEX_LEN + 1] = "";
	const char *rel = path + strlen(root);

	(void)flag;
	(void)ftw;
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(path, buf, PATH_MAX);

		buf[n < 0 ? 0 : n] = '\0';
	} else {
		buf[0] = '\0';
		if (S_ISREG(st->st_mode))
			sha256_file(path, hex);
	}
	snap_lines = xrealloc(snap_lines, (snap_n + 1) * sizeof(char *));
	snap_lines[snap_n++] = xasprintf("%s %06o %s%s\n", *rel ? rel : "/", (unsigned)st->st_mode, hex, buf);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *snapshot(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_init(&sb);
	snap_out = &sb;
	snap_n = 0;
	nftw(root, snap_one, 16, FTW_PHYS);
	qsort(snap_lines, snap_n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < snap_n; i++) {
		strbuf_adds(&sb, snap_lines[i]);
		free(snap_lines[i]);
	}
	free(snap_lines);
	snap_lines = NULL;
	return strbuf_detach(&sb, NULL);
}

/* Whether the snapshot holds a staging directory. */
static bool staging_left(const char *snap)
{
	return strstr(snap, ".gpu-setup-cudnn-") != NULL;
}

static int place(const char *dir, unsigned major, const char *archive, const char *sha, struct cudnn_place_result *res,
		 struct strbuf *err)
{
	struct cudnn_place_request req = {
		.archive_path = archive, .expected_sha256 = sha, .toolkit_dir = dir, .toolkit_cuda_major = major,
	};
	struct cudnn_place_result ignored;
	int r;

	strbuf_reset(err);
	r = cudnn_place(&req, res ? res : &ignored, err);
	if (r == 0 && !res)
		cudnn_place_result_free(&ignored);
	return r;
}

static bool is_link_to(const char *rel, const char *target)
{
	_cleanup_free_ char *p = host(rel);
	char buf[PATH_MAX];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	if (n < 0)
		return false;
	buf[n] = '\0';
	return streq(buf, target);
}

static bool is_file_mode(const char *rel, mode_t mode)
{
	_cleanup_free_ char *p = host(rel);
	struct stat st;

	return lstat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == mode;
}

static bool exists(const char *rel)
{
	_cleanup_free_ char *p = host(rel);
	struct stat st;

	return lstat(p, &st) == 0;
}

static bool starts_with_elf(const char *rel)
{
	_cleanup_free_ char *p = host(rel), *data = NULL;
	size_t len;

	return read_file(p, 1u << 20, &data, &len) == 0 && len >= 4 && memcmp(data, "\177ELF", 4) == 0;
}

/* ---------------------------------------------------------------- tests */

static void test_inspect(void)
{
	struct cudnn_archive a, untouched = { .cuda_major = 4242 };
	struct strbuf err = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	const char *p;

	strbuf_init(&err);
	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	ok(p && cudnn_inspect(p, &a, &err) == 0, "inspect: a 9.8 .tar.xz archive is read");
	if (p && a.name_version) {
		is_str(a.name_version, "9.8.0.87", "inspect: the version from the name");
		is_str(a.header_version, "9.8.0", "inspect: the version from cudnn_version.h");
		is_int(a.cuda_major, 12, "inspect: CUDA 12 from _cuda12");
		is_int(a.layout, CUDNN_LAYOUT_TXZ, "inspect: the .tar.xz layout");
		is_int(a.nfiles, NFILES98, "inspect: headers and libraries counted, licence left out");
		ok(sha256_file(p, hex) == 0 && streq(hex, a.sha256), "inspect: the digest is the file's");
		cudnn_archive_free(&a);
	}
	p = gen(TGZ82, "--version", "8.2.4.15", "--cuda", "11.4", "--layout", "tgz", NULL);
	ok(p && cudnn_inspect(p, &a, &err) == 0 && a.layout == CUDNN_LAYOUT_TGZ && a.cuda_major == 11 &&
	   streq(a.header_version, "8.2.4") && a.nfiles == NFILES89,
	   "inspect: a 8.2 .tgz archive (cuda/ layout), CUDA 11 from cudnn-11.4-");
	if (p)
		cudnn_archive_free(&a);
	p = gen(TGZ76, "--version", "7.6.5.32", "--cuda", "10.2", "--layout", "tgz", NULL);
	ok(p && cudnn_inspect(p, &a, &err) == 0 && streq(a.header_version, "7.6.5") && a.cuda_major == 10 && a.nfiles == 5,
	   "inspect: cuDNN 7 reads its version from cudnn.h");
	if (p)
		cudnn_archive_free(&a);
	{
		/* The .tgz layout has no version in it but the file name. */
		_cleanup_free_ char *renamed = xasprintf("%s/cudnn.tgz", adir);

		p = gen("cudnn.tgz", "--version", "8.2.4.15", "--cuda", "11.4", "--layout", "tgz", NULL);
		strbuf_reset(&err);
		ok(p && cudnn_inspect(renamed, &untouched, &err) == -EINVAL && strstr(err.buf, "must keep NVIDIA's name") &&
		   untouched.cuda_major == 4242 && untouched.name_version == NULL,
		   "inspect: a renamed .tgz is refused, the output untouched");
	}
	{
		/* A .tar.xz may be renamed, but not to another version's name. */
		_cleanup_free_ char *other = xasprintf("%s/cudnn-linux-x86_64-9.7.0.66_cuda12-archive.tar.xz", adir);
		_cleanup_free_ char *plain = xasprintf("%s/cudnn-download.tar.xz", adir);
		_cleanup_free_ char *orig = xasprintf("%s/" TXZ98, adir);

		(void)link(orig, other);
		(void)link(orig, plain);
		strbuf_reset(&err);
		ok(cudnn_inspect(other, &a, &err) == -EINVAL && strstr(err.buf, "named for cuDNN 9.7.0.66"),
		   "inspect: a file name and top directory that disagree are refused");
		ok(cudnn_inspect(plain, &a, &err) == 0 && streq(a.name_version, "9.8.0.87"),
		   "inspect: a renamed .tar.xz is read by its top directory");
		cudnn_archive_free(&a);
	}
	{
		_cleanup_free_ char *missing = xasprintf("%s/nothing.tar.xz", adir), *text = xasprintf("%s/notes.tar.xz", adir);

		strbuf_reset(&err);
		ok(cudnn_inspect(missing, &a, &err) == -ENOENT && strstr(err.buf, missing), "inspect: a missing file is -ENOENT");
		write_file_atomic(text, "just text\n", 10, 0644);
		strbuf_reset(&err);
		ok(cudnn_inspect(text, &a, &err) == -EINVAL && strstr(err.buf, text), "inspect: a text file is -EINVAL");
		ok(cudnn_inspect(adir, &a, &err) == -EINVAL, "inspect: a directory is -EINVAL");
	}
	p = gen("cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz", "--version", "9.8.0.87", "--cuda", "12", "--layout",
		"txz", "--header-version", "9.7.0", NULL);
	strbuf_reset(&err);
	ok(p && cudnn_inspect(p, &a, &err) == -EINVAL && strstr(err.buf, "9.8.0.87 in its name but include/cudnn_version.h says 9.7.0"),
	   "inspect: a header that disagrees with the name is refused");
	/* Put the good one back for the tests below. */
	gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	strbuf_release(&err);
}

static void check_manifest(const char *dir, const char *archive, const char *version, size_t nfiles)
{
	_cleanup_free_ char *mpath = cudnn_manifest_path(dir);
	struct manifest m;
	struct strbuf err = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	bool all = true;

	strbuf_init(&err);
	if (!ok(manifest_read(mpath, &m, &err) == 0, "manifest %s written", mpath)) {
		printf("# %s\n", err.buf);
		strbuf_release(&err);
		return;
	}
	sha256_file(archive, hex);
	ok(streq(m.kind, "cudnn") && streq(m.version, version) && streq(m.base, dir) && streq(m.sha256, hex),
	   "manifest: kind, version, base and the archive's digest");
	ok(m.source && strstr(archive, m.source), "manifest: source is the archive's name (%s)", m.source);
	is_int(m.nentries, nfiles, "manifest: one entry per placed file");
	for (size_t i = 0; i < m.nentries; i++) {
		const struct manifest_entry *e = &m.entries[i];
		_cleanup_free_ char *rel = xasprintf("%s/%s", dir, e->relpath), *p = host(rel);
		char buf[PATH_MAX];
		ssize_t n;

		if (e->type == MANIFEST_FILE) {
			all = all && sha256_file(p, hex) == 0 && streq(hex, e->sha256) && e->mode == 0644;
		} else {
			n = readlink(p, buf, sizeof(buf) - 1);
			all = all && n > 0 && (buf[n] = '\0', streq(buf, e->target));
		}
	}
	ok(all, "manifest: every file's digest and every link's target match the toolkit");
	manifest_free(&m);
	strbuf_release(&err);
}

static void test_place_plain(void)
{
	struct cudnn_place_result res;
	struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *before = NULL, *after = NULL, *ver = NULL;
	const char *p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	bool modes = true;
	static const char *const libs[] = { "libcudnn", "libcudnn_graph", "libcudnn_ops", "libcudnn_cnn", "libcudnn_adv" };

	strbuf_init(&err);
	toolkit("/usr/local/cuda-12.8", false);
	is_int(cudnn_installed_version("/usr/local/cuda-12.8", &ver), -ENOENT, "no cuDNN in a fresh toolkit");
	if (!ok(p && place("/usr/local/cuda-12.8", 12, p, NULL, &res, &err) == 0, "place 9.8 .tar.xz into a plain toolkit")) {
		printf("# %s\n", err.buf);
		strbuf_release(&err);
		return;
	}
	is_int(res.nfiles, NFILES98, "place: files and links counted");
	ok(!res.replaced_previous && !res.previous_version, "place: nothing replaced");
	is_str(res.info.name_version, "9.8.0.87", "place: the result says what was placed");
	cudnn_place_result_free(&res);
	for (size_t i = 0; i < ELEMENTSOF(libs); i++) {
		_cleanup_free_ char *so = xasprintf("/usr/local/cuda-12.8/lib64/%s.so", libs[i]);
		_cleanup_free_ char *so9 = xasprintf("%s.9", so), *real = xasprintf("%s.9.8.0", so);
		_cleanup_free_ char *t9 = xasprintf("%s.so.9", libs[i]), *treal = xasprintf("%s.so.9.8.0", libs[i]);

		ok(is_link_to(so, t9) && is_link_to(so9, treal) && is_file_mode(real, 0644) && starts_with_elf(real),
		   "place: %s.so -> .so.9 -> .so.9.8.0, an ELF file, mode 0644", libs[i]);
	}
	{
		static const char *const hdrs[] = { "cudnn.h", "cudnn_version.h", "cudnn_graph.h", "cudnn_ops.h", "cudnn_cnn.h",
						    "cudnn_adv.h", "cudnn_backend.h" };
		for (size_t i = 0; i < ELEMENTSOF(hdrs); i++) {
			_cleanup_free_ char *h = xasprintf("/usr/local/cuda-12.8/include/%s", hdrs[i]);

			modes = modes && is_file_mode(h, 0644);
		}
	}
	ok(modes, "place: every header is in include/, mode 0644");
	ok(is_file_mode("/usr/local/cuda-12.8/lib64/libcudnn_graph_static.a", 0644), "place: the static library too");
	ok(!exists("/usr/local/cuda-12.8/LICENSE") && !exists("/usr/local/cuda-12.8/lib64/LICENSE") &&
	   !exists("/usr/local/cuda-12.8/lib"), "place: the licence and the archive's lib/ name are not placed");
	ok(cudnn_installed_version("/usr/local/cuda-12.8", &ver) == 0 && streq(ver, "9.8.0"),
	   "cudnn_installed_version reads the placed header");
	check_manifest("/usr/local/cuda-12.8", p, "9.8.0.87", NFILES98);
	before = snapshot();
	ok(!staging_left(before), "place: no staging directory left");
	ok(strstr(before, "/usr/local/cuda-12.8/include/cuda.h 100644") != NULL, "place: the toolkit's own files are there");

	/* Placing the same archive again (with its digest) changes nothing. */
	{
		char hex[SHA256_HEX_LEN + 1];

		sha256_file(p, hex);
		ok(place("/usr/local/cuda-12.8", 12, p, hex, &res, &err) == 0 && res.replaced_previous &&
		   streq(res.previous_version, "9.8.0.87"), "place again, checksum given: replaces gpu-setup's own 9.8.0.87");
		cudnn_place_result_free(&res);
		after = snapshot();
		ok(streq(before, after), "place again: the tree is the same as after the first time");
	}
	strbuf_release(&err);
}

static void refused(const char *what, int want, const char *dir, unsigned major, const char *archive, const char *sha,
		    const char *msg);

static void test_place_runfile(void)
{
	struct cudnn_place_result res;
	struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *ver = NULL;
	const char *p = gen(TGZ82, "--version", "8.2.4.15", "--cuda", "11.4", "--layout", "tgz", NULL);

	strbuf_init(&err);
	toolkit("/usr/local/cuda-11.8", true);
	symlink_at("cuda-11.8", "/usr/local/cuda");
	ok(p && place("/usr/local/cuda", 11, p, NULL, &res, &err) == 0,
	   "place 8.2 .tgz into a runfile toolkit, named through /usr/local/cuda");
	if (p && res.info.name_version)
		cudnn_place_result_free(&res);
	ok(is_link_to("/usr/local/cuda-11.8/lib64", "targets/x86_64-linux/lib") &&
	   is_link_to("/usr/local/cuda-11.8/include", "targets/x86_64-linux/include"),
	   "runfile: include and lib64 are still the runfile's symlinks");
	ok(is_file_mode("/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudnn.so.8.2.4", 0644) &&
	   is_link_to("/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudnn.so", "libcudnn.so.8") &&
	   is_link_to("/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudnn.so.8", "libcudnn.so.8.2.4"),
	   "runfile: the libraries and their chain are in targets/x86_64-linux/lib");
	ok(is_file_mode("/usr/local/cuda-11.8/targets/x86_64-linux/include/cudnn_version.h", 0644),
	   "runfile: the headers are in targets/x86_64-linux/include");
	ok(!exists("/usr/local/cuda-11.8/NVIDIA_SLA_cuDNN_Support.txt"), "runfile: the SLA text is not placed");
	ok(cudnn_installed_version("/usr/local/cuda", &ver) == 0 && streq(ver, "8.2.4"), "runfile: installed version 8.2.4");
	ok(exists("/var/lib/gpu-setup/manifests/cudnn-cuda-11.8.manifest") &&
	   !exists("/var/lib/gpu-setup/manifests/cudnn-cuda.manifest"),
	   "the manifest is named for the resolved toolkit, not the /usr/local/cuda link");
	check_manifest("/usr/local/cuda-11.8", p, "8.2.4.15", NFILES89);

	/* An absolute lib64 link is resolved inside the root, not on the host. */
	toolkit("/opt/cuda-12.7", true);
	{
		_cleanup_free_ char *l = host("/opt/cuda-12.7/lib64");

		unlink(l);
		symlink_at("/opt/cuda-12.7/targets/x86_64-linux/lib", "/opt/cuda-12.7/lib64");
	}
	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	ok(p && place("/opt/cuda-12.7", 12, p, NULL, NULL, &err) == 0 &&
	   is_file_mode("/opt/cuda-12.7/targets/x86_64-linux/lib/libcudnn.so.9.8.0", 0644),
	   "an absolute lib64 symlink is followed inside the root");
	if (err.len)
		printf("# %s\n", err.buf);
	strbuf_release(&err);

	/* Manifests are named by the toolkit's last component: a second
	 * toolkit of the same name is refused while the first has cuDNN. */
	toolkit("/opt/cuda-12.8", false);
	refused("a toolkit named like one that has gpu-setup's cuDNN", -EINVAL, "/opt/cuda-12.8", 12, p, NULL,
		"belongs to the cuDNN in '/usr/local/cuda-12.8'");
}

/* attempt must fail with want, and leave the tree exactly as it was. */
static void refused(const char *what, int want, const char *dir, unsigned major, const char *archive, const char *sha,
		    const char *msg)
{
	struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *before = NULL, *after = NULL;
	int r;

	if (!archive) {
		ok(0, "%s: the archive could not be generated", what);
		return;
	}
	strbuf_init(&err);
	before = snapshot();
	r = place(dir, major, archive, sha, NULL, &err);
	after = snapshot();
	is_int(r, want, "%s: refused (%s)", what, strerror(-want));
	ok(streq(before, after), "%s: the tree is byte for byte as it was", what);
	if (!streq(before, after))
		printf("# before:\n%s# after:\n%s", before, after);
	ok(err.len > 0 && (!msg || strstr(err.buf, msg)), "%s: the message says why", what);
	printf("# %s\n", err.buf);
	strbuf_release(&err);
}

static void test_refusals(void)
{
	static const char *const evil[] = { "dotdot", "abs-path", "abs-symlink", "escaping-symlink", "symlink-then-file",
					    "hardlink", "device", "not-elf", "dangling-symlink", "duplicate" };
	static const char *const why[] = { "'..'", "absolute path", "points to '/etc/passwd'", "points to '../",
					   "which it made a symlink", "hard link", "device", "not an ELF shared object",
					   "does not lead to a shared library", "twice" };
	const char *dir = "/usr/local/cuda-12.8";   /* holds gpu-setup's 9.8 from test_place_plain */
	char hex[SHA256_HEX_LEN + 1];
	const char *p;

	for (size_t i = 0; i < ELEMENTSOF(evil); i++) {
		_cleanup_free_ char *what = xasprintf("--evil %s", evil[i]);

		p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", "--evil", evil[i], NULL);
		refused(what, -EINVAL, dir, 12, p, NULL, why[i]);
	}
	{
		struct stat st;

		ok(lstat("/tmp/gpu-setup-evil-abs-path", &st) < 0, "--evil abs-path: nothing written to the host's /tmp");
	}
	p = gen(TGZ82, "--version", "8.2.4.15", "--cuda", "11.4", "--layout", "tgz", "--evil", "abs-symlink", NULL);
	refused("--evil abs-symlink in a .tgz", -EINVAL, "/usr/local/cuda-11.8", 11, p, NULL, "points to '/etc/passwd'");

	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	sha256_file(p, hex);
	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", "--truncate", NULL);
	refused("a truncated .tar.xz", -EINVAL, dir, 12, p, NULL, "damaged or cut off");
	refused("a truncated .tar.xz with the good digest expected", -EBADMSG, dir, 12, p, hex, "not the expected");
	p = gen(TGZ82, "--version", "8.2.4.15", "--cuda", "11.4", "--layout", "tgz", "--truncate", NULL);
	refused("a truncated .tgz", -EINVAL, "/usr/local/cuda-11.8", 11, p, NULL, NULL);

	p = gen(TXZ98_11, "--version", "9.8.0.87", "--cuda", "11", "--layout", "txz", NULL);
	refused("a cuda11 archive for a CUDA 12 toolkit", -EXDEV, dir, 12, p, NULL, "for CUDA 11, but the toolkit is CUDA 12");
	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	refused("a wrong checksum", -EBADMSG, dir, 12, p,
		"0000000000000000000000000000000000000000000000000000000000000000", "not the expected 0000");
	refused("a checksum that is not hex", -EINVAL, dir, 12, p, "xyz", "not 64 hex digits");
	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", "--header-version", "9.7.0", NULL);
	refused("name and header disagree", -EINVAL, dir, 12, p, NULL, "says 9.7.0");
	p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	refused("a missing toolkit", -ENOENT, "/usr/local/cuda-13.0", 12, p, NULL, "does not exist");
	refused("a relative toolkit path", -EINVAL, "usr/local/cuda-12.8", 12, p, NULL, "not an absolute path");

	/* cuDNN somebody else put there: never overwritten. */
	toolkit("/usr/local/cuda-12.9", false);
	put("/usr/local/cuda-12.9/include/cudnn.h", "#include \"cudnn_version.h\"\n");
	put("/usr/local/cuda-12.9/lib64/libcudnn.so.8", "\177ELF hand-copied\n");
	refused("foreign cuDNN files in the toolkit", -EEXIST, "/usr/local/cuda-12.9", 12, p, NULL,
		"include/cudnn.h, lib64/libcudnn.so.8");
	/* Not even one the new archive does not have. */
	toolkit("/usr/local/cuda-12.10", false);
	put("/usr/local/cuda-12.10/lib64/libcudnn_ops_infer.so.8", "\177ELF left over by hand\n");
	refused("a foreign libcudnn the archive does not hold", -EEXIST, "/usr/local/cuda-12.10", 12, p, NULL,
		"lib64/libcudnn_ops_infer.so.8");
	{
		/* cudnn-frontend's headers, and directories, are no cuDNN. */
		struct strbuf err = STRBUF_INIT;

		strbuf_init(&err);
		toolkit("/usr/local/cuda-12.11", false);
		put("/usr/local/cuda-12.11/include/cudnn_frontend.h", "/* cudnn-frontend */\n");
		put("/usr/local/cuda-12.11/include/cudnn_frontend_Engine.h", "/* cudnn-frontend */\n");
		put("/usr/local/cuda-12.11/include/cudnn_extras.h/readme", "a directory named like a header\n");
		ok(place("/usr/local/cuda-12.11", 12, p, NULL, NULL, &err) == 0 &&
		   exists("/usr/local/cuda-12.11/include/cudnn_frontend.h"),
		   "cudnn-frontend headers and a directory named cudnn*.h are not in the way");
		if (err.len)
			printf("# %s\n", err.buf);
		strbuf_release(&err);
	}

	/* Toolkits whose lib64 leads elsewhere. */
	toolkit("/usr/local/cuda-12.1", true);
	mkdirs("/opt/elsewhere/lib");
	{
		_cleanup_free_ char *l = host("/usr/local/cuda-12.1/lib64");

		unlink(l);
	}
	symlink_at("/opt/elsewhere/lib", "/usr/local/cuda-12.1/lib64");
	refused("an absolute lib64 symlink out of the toolkit", -ELOOP, "/usr/local/cuda-12.1", 12, p, NULL,
		"outside the toolkit");
	toolkit("/usr/local/cuda-12.2", false);
	{
		_cleanup_free_ char *l = host("/usr/local/cuda-12.2/lib64");

		remove_tree(l);
	}
	mkdirs("/usr/lib/x86_64-linux-gnu");
	symlink_at("../../../../../../../../usr/lib/x86_64-linux-gnu", "/usr/local/cuda-12.2/lib64");
	refused("a relative lib64 symlink that climbs out (even past the root)", -ELOOP, "/usr/local/cuda-12.2", 12, p, NULL,
		"/usr/lib/x86_64-linux-gnu");
	toolkit("/usr/local/cuda-12.3", false);
	{
		_cleanup_free_ char *l = host("/usr/local/cuda-12.3/lib64");

		remove_tree(l);
	}
	refused("a toolkit without lib64", -ENOENT, "/usr/local/cuda-12.3", 12, p, NULL, "is this a CUDA toolkit?");

	/* A damaged manifest is not acted on. */
	toolkit("/usr/local/cuda-12.4", false);
	put("/var/lib/gpu-setup/manifests/cudnn-cuda-12.4.manifest", "format 1\nkind cudnn\nfile 0644 x\n");
	refused("a damaged manifest", -EINVAL, "/usr/local/cuda-12.4", 12, p, NULL, "is damaged");
	put("/var/lib/gpu-setup/manifests/cudnn-cuda-12.4.manifest",
	    "format 1\nkind cudnn\nversion 9\nbase /usr/local/cuda-12.4\nlink x include/cuda.h\n");
	refused("a manifest listing a file cuDNN never places", -EINVAL, "/usr/local/cuda-12.4", 12, p, NULL,
		"lists 'include/cuda.h'");
	put("/var/lib/gpu-setup/manifests/cudnn-cuda-12.4.manifest",
	    "format 1\nkind cudnn\nversion 9\nbase /opt/cuda-12.4\n");
	refused("a manifest for another toolkit of the same name", -EINVAL, "/usr/local/cuda-12.4", 12, p, NULL,
		"belongs to the cuDNN in '/opt/cuda-12.4'");
	{
		_cleanup_free_ char *m = host("/var/lib/gpu-setup/manifests/cudnn-cuda-12.4.manifest");

		unlink(m);
	}
}

static void test_upgrade(void)
{
	struct cudnn_place_result res;
	struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *ver = NULL;
	const char *p89 = gen(TXZ89, "--version", "8.9.7.29", "--cuda", "12", "--layout", "txz", NULL);
	const char *p98 = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	const char *dir = "/usr/local/cuda-12.6";

	strbuf_init(&err);
	toolkit(dir, true);
	ok(p89 && place(dir, 12, p89, NULL, NULL, &err) == 0, "upgrade: 8.9 placed first");
	put("/usr/local/cuda-12.6/include/user.h", "/* the user's own */\n");
	put("/usr/local/cuda-12.6/lib64/libuser.so", "\177ELF the user's own\n");
	ok(p98 && place(dir, 12, p98, NULL, &res, &err) == 0, "upgrade: 9.8 placed over gpu-setup's 8.9");
	if (p98 && res.info.name_version) {
		ok(res.replaced_previous && streq(res.previous_version, "8.9.7.29"), "upgrade: the result names 8.9.7.29");
		cudnn_place_result_free(&res);
	}
	ok(!exists("/usr/local/cuda-12.6/lib64/libcudnn_ops_infer.so.8.9.7") &&
	   !exists("/usr/local/cuda-12.6/lib64/libcudnn_ops_infer.so.8") &&
	   !exists("/usr/local/cuda-12.6/lib64/libcudnn.so.8.9.7") &&
	   !exists("/usr/local/cuda-12.6/include/cudnn_ops_infer.h") &&
	   !exists("/usr/local/cuda-12.6/lib64/libcudnn_static.a"),
	   "upgrade: 8.9's own files are gone");
	ok(is_link_to("/usr/local/cuda-12.6/lib64/libcudnn.so", "libcudnn.so.9") &&
	   is_file_mode("/usr/local/cuda-12.6/lib64/libcudnn_graph.so.9.8.0", 0644),
	   "upgrade: 9.8's files are in place");
	ok(exists("/usr/local/cuda-12.6/include/user.h") && exists("/usr/local/cuda-12.6/lib64/libuser.so"),
	   "upgrade: the user's files are kept");
	ok(cudnn_installed_version(dir, &ver) == 0 && streq(ver, "9.8.0"), "upgrade: installed version 9.8.0");
	check_manifest(dir, p98, "9.8.0.87", NFILES98);
	{
		_cleanup_free_ char *snap = snapshot();

		ok(!staging_left(snap), "upgrade: no staging directory left");
	}

	/* A file of the previous placement changed by hand: kept, refused. */
	toolkit("/usr/local/cuda-12.5", false);
	ok(place("/usr/local/cuda-12.5", 12, p89, NULL, NULL, &err) == 0, "upgrade: 8.9 into a second toolkit");
	put("/usr/local/cuda-12.5/include/cudnn.h", "/* edited by the user */\n");
	refused("an upgrade over a file the user changed", -EEXIST, "/usr/local/cuda-12.5", 12, p98, NULL,
		"include/cudnn.h (changed since gpu-setup placed it)");
	{
		/* A link re-pointed by hand counts as changed too. */
		_cleanup_free_ char *l = host("/usr/local/cuda-12.5/lib64/libcudnn.so");

		put("/usr/local/cuda-12.5/include/cudnn.h", "");
		unlink(l);
		symlink_at("libcudnn.so.8.9.7", "/usr/local/cuda-12.5/lib64/libcudnn.so");
		refused("an upgrade over a link the user re-pointed", -EEXIST, "/usr/local/cuda-12.5", 12, p98, NULL,
			"lib64/libcudnn.so (changed since gpu-setup placed it)");
	}
	strbuf_release(&err);
}

static void test_rollback(void)
{
	const char *p89 = gen(TXZ89, "--version", "8.9.7.29", "--cuda", "12", "--layout", "txz", NULL);
	const char *p98 = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	struct strbuf err = STRBUF_INIT;
	/* 8.9's 15 files move aside (steps 1-15), 9.8's 23 move in (16-38),
	 * then the manifest (39). */
	static const unsigned steps[] = { 1, 8, 15, 16, 30, 38, 39 };

	strbuf_init(&err);
	toolkit("/usr/local/cuda-12.0", true);
	ok(place("/usr/local/cuda-12.0", 12, p89, NULL, NULL, &err) == 0, "rollback: 8.9 placed first");
	for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
		_cleanup_free_ char *what = xasprintf("a failure at step %u of the move", steps[i]);

		cudnn_test_fail_step = steps[i];
		refused(what, -EIO, "/usr/local/cuda-12.0", 12, p98, NULL, "the toolkit is as it was");
	}
	cudnn_test_fail_step = 0;
	/* A fresh toolkit: nothing to move aside, the new files roll back. */
	toolkit("/usr/local/cuda-11.0", false);
	cudnn_test_fail_step = 10;
	refused("a failure halfway into a fresh toolkit", -EIO, "/usr/local/cuda-11.0", 12, p98, NULL, "as it was");
	cudnn_test_fail_step = 0;
	ok(place("/usr/local/cuda-12.0", 12, p98, NULL, NULL, &err) == 0, "rollback: without the failure, the upgrade works");

	/* A real failure rather than an injected one: lib64 not writable
	 * (which root is not stopped by). */
	if (geteuid() != 0) {
		_cleanup_free_ char *lib = host("/usr/local/cuda-11.1/lib64");

		toolkit("/usr/local/cuda-11.1", false);
		chmod(lib, 0555);
		refused("lib64 not writable", -EACCES, "/usr/local/cuda-11.1", 12, p98, NULL, "as it was");
		chmod(lib, 0755);
	} else {
		ok(1, "# SKIP lib64 not writable: root writes anyway");
		ok(1, "# SKIP lib64 not writable: root writes anyway");
		ok(1, "# SKIP lib64 not writable: root writes anyway");
	}
	strbuf_release(&err);
}

static void test_remove(void)
{
	struct cudnn_remove_result res;
	struct strbuf err = STRBUF_INIT;
	const char *dir = "/usr/local/cuda-12.8";   /* gpu-setup's 9.8, from test_place_plain */
	_cleanup_free_ char *snap = NULL, *p98 = NULL;

	strbuf_init(&err);
	put("/usr/local/cuda-12.8/include/user_added.h", "/* the user's */\n");
	put("/usr/local/cuda-12.8/lib64/libcudnn_graph_static.a", "!<arch>\nchanged by the user\n");
	{
		_cleanup_free_ char *gone = host("/usr/local/cuda-12.8/include/cudnn_adv.h");

		unlink(gone);
	}
	ok(cudnn_remove(dir, &res, &err) == 0, "remove: succeeds");
	if (err.len)
		printf("# %s\n", err.buf);
	is_str(res.version, "9.8.0.87", "remove: says which cuDNN it was");
	is_int(res.nremoved, NFILES98 - 2, "remove: every unchanged file and link removed");
	is_int(res.nmissing, 1, "remove: the file already gone is counted");
	ok(res.nkept == 1 && streq(res.kept[0], "lib64/libcudnn_graph_static.a"), "remove: the changed file is kept and named");
	cudnn_remove_result_free(&res);
	ok(exists("/usr/local/cuda-12.8/include/user_added.h") && exists("/usr/local/cuda-12.8/lib64/libcudnn_graph_static.a"),
	   "remove: the user's added and changed files are still there");
	ok(!exists("/usr/local/cuda-12.8/lib64/libcudnn.so") && !exists("/usr/local/cuda-12.8/lib64/libcudnn.so.9.8.0") &&
	   !exists("/usr/local/cuda-12.8/include/cudnn_version.h"), "remove: cuDNN's files are gone");
	ok(exists("/usr/local/cuda-12.8/include/cuda.h") && exists("/usr/local/cuda-12.8/lib64/libcudart.so.12"),
	   "remove: the toolkit's own files stay");
	ok(!exists("/var/lib/gpu-setup/manifests/cudnn-cuda-12.8.manifest"), "remove: the manifest is gone");
	strbuf_reset(&err);
	is_int(cudnn_remove(dir, &res, &err), -ENOENT, "remove again: -ENOENT, no manifest");
	p98 = xasprintf("%s/" TXZ98, adir);
	refused("placing again over the file the user changed", -EEXIST, dir, 12, p98, NULL,
		"lib64/libcudnn_graph_static.a");

	/* Through the runfile's symlinks. */
	ok(cudnn_remove("/usr/local/cuda", &res, &err) == 0 && res.nremoved == NFILES89 && res.nkept == 0,
	   "remove: from a runfile toolkit named through /usr/local/cuda");
	cudnn_remove_result_free(&res);
	ok(!exists("/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudnn.so.8.2.4") &&
	   exists("/usr/local/cuda-11.8/targets/x86_64-linux/lib/libcudart.so.12") &&
	   is_link_to("/usr/local/cuda-11.8/lib64", "targets/x86_64-linux/lib"),
	   "remove: the runfile tree keeps its own files and links");

	/* The toolkit deleted by hand, the manifest left behind. */
	{
		_cleanup_free_ char *tk = host("/usr/local/cuda-12.6");

		remove_tree(tk);
	}
	ok(cudnn_remove("/usr/local/cuda-12.6", &res, &err) == 0 && res.nremoved == 0 && res.nmissing == NFILES98,
	   "remove: a deleted toolkit's manifest is cleared, every file counted missing");
	cudnn_remove_result_free(&res);
	snap = snapshot();
	ok(!strstr(snap, "cudnn-cuda-12.6.manifest"), "remove: and that manifest is gone");
	strbuf_release(&err);
}

static void test_helpers(void)
{
	_cleanup_free_ char *m = cudnn_manifest_path("/usr/local/cuda-12.8/"), *r = NULL;

	is_str(m, "/var/lib/gpu-setup/manifests/cudnn-cuda-12.8.manifest", "cudnn_manifest_path");
	{
		char *v = (char *)"untouched";
		unsigned cuda = 77;

		ok(cudnn_archive_name_parse(TXZ98, &v, &cuda) == 0 && streq(v, "9.8.0.87") && cuda == 12,
		   "archive name: the tar.xz naming gives 9.8.0.87 for CUDA 12");
		free(v);
		ok(cudnn_archive_name_parse(TGZ82, &v, &cuda) == 0 && streq(v, "8.2.4.15") && cuda == 11,
		   "archive name: the tgz naming gives 8.2.4.15 for CUDA 11");
		free(v);
		ok(cudnn_archive_name_parse("cudnn-linux-x86_64-8.4.1.50_cuda11.6-archive.tar.xz", &v, &cuda) == 0 &&
		   streq(v, "8.4.1.50") && cuda == 11, "archive name: _cuda11.6 is CUDA 11");
		free(v);
		v = (char *)"untouched";
		cuda = 77;
		ok(cudnn_archive_name_parse("cudnn-linux-x86_64-9.8.0.87_cuda12-archive", &v, &cuda) == -EINVAL &&
		   cudnn_archive_name_parse("cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.gz", &v, &cuda) == -EINVAL &&
		   cudnn_archive_name_parse("nvidia_cudnn_cu12-9.8.0.87", &v, &cuda) == -EINVAL &&
		   cudnn_archive_name_parse("", &v, &cuda) == -EINVAL,
		   "archive name: a stem without suffix, another suffix, a wheel name, nothing: -EINVAL");
		ok(streq(v, "untouched") && cuda == 77, "archive name: ret untouched on failure");
	}
	symlink_at("/usr/local/cuda-12.8/include", "/abs-link");
	ok(sysroot_resolve("/abs-link/../lib64", &r) == 0 && streq(r, "/usr/local/cuda-12.8/lib64"),
	   "sysroot_resolve: an absolute link is taken inside the root, '..' after it is physical");
	free(r);
	r = NULL;
	ok(sysroot_resolve("/../../usr/./local", &r) == 0 && streq(r, "/usr/local"), "sysroot_resolve: '..' stops at the root");
	free(r);
	r = NULL;
	symlink_at("loop-b", "/loop-a");
	symlink_at("loop-a", "/loop-b");
	is_int(sysroot_resolve("/loop-a", &r), -ELOOP, "sysroot_resolve: a loop is -ELOOP");
	is_int(sysroot_resolve("/usr/nothing/x", &r), -ENOENT, "sysroot_resolve: a missing path is -ENOENT");
	is_int(sysroot_resolve("/usr/local/cuda-12.8/version.json/x", &r), -ENOTDIR, "sysroot_resolve: a file in the middle is -ENOTDIR");
	ok(r == NULL, "sysroot_resolve: ret untouched on failure");
	/* The same resolution for existence, for a path's parent, and for a
	 * toolkit directory that is a link. */
	ok(sysroot_exists("/abs-link"), "sysroot_exists: an absolute link is followed inside the root");
	symlink_at("/etc/os-release", "/host-only");
	ok(!sysroot_exists("/host-only"), "sysroot_exists: a link to a file only the host has does not exist");
	{
		_cleanup_free_ char *want = host("/usr/local/cuda-12.8/include/x"), *want_link = host("/abs-link");
		char *p = NULL;

		ok(sysroot_host_path_parent("/abs-link/x", &p) == 0 && streq(p, want),
		   "sysroot_host_path_parent: the links above the last component resolved inside the root");
		free(p);
		p = NULL;
		ok(sysroot_host_path_parent("/abs-link", &p) == 0 && streq(p, want_link),
		   "sysroot_host_path_parent: the last component itself is not followed");
		free(p);
	}
	symlink_at("/usr/local/cuda-12.8", "/tk-link");
	{
		struct cuda_tree t = { 0 };

		ok(cuda_tree_inspect("/tk-link", &t) == 0 && t.version_json && streq(t.version_json, "12.8.1"),
		   "cuda_tree_inspect: a toolkit directory that is an absolute link is read inside the root");
		cuda_tree_free(&t);
	}
	{
		_cleanup_free_ char *a = host("/abs-link"), *b = host("/loop-a"), *c = host("/loop-b"),
				    *d = host("/host-only"), *e = host("/tk-link");

		unlink(a);
		unlink(b);
		unlink(c);
		unlink(d);
		unlink(e);
	}
}

/* A staging directory a killed run left: removed when nothing had moved
 * out of the toolkit yet, refused (and kept) when files had. */
static void test_stale_staging(void)
{
	struct strbuf err = STRBUF_INIT;
	const char *p = gen(TXZ98, "--version", "9.8.0.87", "--cuda", "12", "--layout", "txz", NULL);
	_cleanup_free_ char *snap = NULL;
	int r;

	strbuf_init(&err);
	toolkit("/usr/local/cuda-10.1", false);
	mkdirs("/usr/local/cuda-10.1/.gpu-setup-cudnn-Ab12Cd/old-include");
	mkdirs("/usr/local/cuda-10.1/.gpu-setup-cudnn-Ab12Cd/old-lib64");
	put("/usr/local/cuda-10.1/.gpu-setup-cudnn-Ab12Cd/lib64/libcudnn.so.9.8.0", "half unpacked");
	ok(p && place("/usr/local/cuda-10.1", 12, p, NULL, NULL, &err) == 0, "stale staging, nothing moved: place goes on");
	snap = snapshot();
	ok(!staging_left(snap), "stale staging, nothing moved: the left-over directory is removed");
	ok(exists("/usr/local/cuda-10.1/include/cudnn_version.h"), "stale staging, nothing moved: cuDNN is placed");

	toolkit("/usr/local/cuda-10.2", false);
	put("/usr/local/cuda-10.2/.gpu-setup-cudnn-Zz99Yy/old-lib64/libcudnn.so.9.1.0", "the previous library");
	mkdirs("/usr/local/cuda-10.2/.gpu-setup-cudnn-Zz99Yy/old-include");
	r = p ? place("/usr/local/cuda-10.2", 12, p, NULL, NULL, &err) : -ENOENT;
	ok(r == -EBUSY && strstr(err.buf, ".gpu-setup-cudnn-Zz99Yy/old-lib64") && strstr(err.buf, "move them back"),
	   "stale staging with moved files: refused with where they are and what to do");
	printf("# %s\n", err.buf);
	ok(exists("/usr/local/cuda-10.2/.gpu-setup-cudnn-Zz99Yy/old-lib64/libcudnn.so.9.1.0") &&
	   !exists("/usr/local/cuda-10.2/include/cudnn_version.h"), "stale staging with moved files: nothing touched");
	{
		_cleanup_free_ char *stale = host("/usr/local/cuda-10.2/.gpu-setup-cudnn-Zz99Yy");

		remove_tree(stale);   /* the later tests look for staging left anywhere */
	}
	strbuf_release(&err);
}

int main(void)
{
	static const char *const tools[] = { "python3", "cc", "xz", "gzip" };

	for (size_t i = 0; i < ELEMENTSOF(tools); i++) {
		if (!tool_runs(tools[i])) {
			printf("1..0 # SKIP %s is missing: the test archives cannot be generated\n", tools[i]);
			return 0;
		}
	}
	if (!mkdtemp(root) || !mkdtemp(adir))
		return 1;
	sysroot_set(root);

	test_inspect();
	test_place_plain();
	test_place_runfile();
	test_refusals();
	test_upgrade();
	test_rollback();
	test_stale_staging();
	test_remove();
	test_helpers();

	sysroot_set(NULL);
	testroot_remove(root);
	testroot_remove(adir);
	return done_testing();
}
