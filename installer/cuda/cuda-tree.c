/*
 * cuda-tree.c - read every place a CUDA toolkit names its release, and
 * check that they agree and that the libraries are there.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cheader.h"
#include "cuda-tree.h"
#include "fileio.h"
#include "json-compat.h"
#include "run.h"
#include "sysroot.h"
#include "util.h"
#include "version.h"

/* version.json and version.txt are small; cuda.h is about 1 MiB in 12.x
 * (the define is near its top, but the file is read whole). */
#define VERSION_FILE_MAX (1u << 20)
#define CUDA_H_MAX (16u << 20)
/* nvcc --version answers at once; a hung one must not hang gpu-setup. */
#define NVCC_TIMEOUT_MS 20000

/* 9 digits fit in unsigned; NVIDIA's parts have at most 8 ("12.6.20241114"
 * has been seen in version.json). */
#define RELEASE_PART_DIGITS 9

/* Parse a dotted decimal release of len bytes at s ("12.8", "10.2.89"):
 * 2 to VERSION_MAX_PARTS parts of 1 to RELEASE_PART_DIGITS digits. */
static bool release_parse_n(const char *s, size_t len, struct version *ret)
{
	struct version v;

	if (version_parse_n(s, len, RELEASE_PART_DIGITS, &v) < 0 || v.nparts < 2)
		return false;
	*ret = v;
	return true;
}

static bool release_parse(const char *s, struct version *ret)
{
	return release_parse_n(s, strlen(s), ret);
}

/* Whether release text names want: X.Y and X.Y.Z compare as many parts as
 * want has (10.2.89 is 10.2; 12.8.1 is not 12.8.0). */
static bool release_is(const char *text, const struct version *want)
{
	struct version r;

	return release_parse(text, &r) && r.nparts >= want->nparts && version_matches(&r, want);
}

/* The line after the one at line, or NULL at the end of text. */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');

	return nl && nl[1] ? nl + 1 : NULL;
}

int cuda_parse_version_json(const char *text, char **ret)
{
	struct json_tokener *tok;
	struct json_object *j, *cuda, *ver;
	size_t len = strlen(text), end;
	struct version rel;
	int r = -EINVAL;

	if (len > INT_MAX)
		return -EINVAL;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	j = json_tokener_parse_ex(tok, text, (int)len);
	end = json_parse_end(tok);
	if (!j || json_tokener_get_error(tok) != json_tokener_success)
		goto out;
	/* Text after the object means a damaged file, not a version. */
	for (; end < len; end++)
		if (!isspace((unsigned char)text[end]))
			goto out;
	if (json_object_object_get_ex(j, "cuda", &cuda) && json_object_is_type(cuda, json_type_object) &&
	    json_object_object_get_ex(cuda, "version", &ver) && json_object_is_type(ver, json_type_string) &&
	    release_parse(json_object_get_string(ver), &rel)) {
		*ret = xstrdup(json_object_get_string(ver));
		r = 0;
	}
out:
	json_object_put(j);
	json_tokener_free(tok);
	return r;
}

int cuda_parse_version_txt(const char *text, char **ret)
{
	static const char prefix[] = "CUDA Version ";
	const char *p = text, *v, *e;
	struct version rel;

	while (isspace((unsigned char)*p))
		p++;
	if (!startswith(p, prefix))
		return -EINVAL;
	v = p + strlen(prefix);
	for (e = v; *e && !isspace((unsigned char)*e); e++)
		;
	/* Only blanks may follow on that line. */
	for (p = e; is_blank(*p) || *p == '\r'; p++)
		;
	if ((*p && *p != '\n') || !release_parse_n(v, (size_t)(e - v), &rel))
		return -EINVAL;
	*ret = xasprintf("%.*s", (int)(e - v), v);
	return 0;
}

int cuda_parse_cuda_h(const char *text, unsigned *ret_major, unsigned *ret_minor)
{
	unsigned v;

	if (cheader_define(text, "CUDA_VERSION", &v) < 0)
		return -EINVAL;
	/* major * 1000 + minor * 10: 12080 is 12.8, 9020 is 9.2. */
	if (v < 1000 || v > 999999)
		return -EINVAL;
	*ret_major = v / 1000;
	*ret_minor = v % 1000 / 10;
	return 0;
}

int cuda_parse_nvcc_version(const char *text, char **ret_release)
{
	static const char key[] = "Cuda compilation tools, release ";

	for (const char *line = *text ? text : NULL; line; line = next_line(line)) {
		const char *v, *e;
		struct version rel;

		if (!startswith(line, key))
			continue;
		v = line + strlen(key);
		e = strchr(v, ',');
		/* The release is major.minor; the full version follows as "V12.8.93". */
		if (!e || !release_parse_n(v, (size_t)(e - v), &rel) || rel.nparts != 2)
			return -EINVAL;
		*ret_release = xasprintf("%u.%u", rel.part[0], rel.part[1]);
		return 0;
	}
	return -EINVAL;
}

/* Read rel under root (a path already through the sysroot). */
static int read_in(const char *root, const char *rel, size_t max, char **ret)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
	size_t len;

	return read_file(path, max, ret, &len);
}

static bool stat_in(const char *root, const char *rel, struct stat *st)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, rel);

	return stat(path, st) == 0;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* An entry of root/rel whose name starts with prefix and ends with
 * suffix, and is (or links to) a regular file. */
static bool has_file_like(const char *root, const char *rel, const char *prefix, const char *suffix)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", root, rel);
	_cleanup_(closedirp) DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name), sn = strlen(suffix);
		_cleanup_free_ char *full = NULL;
		struct stat st;

		if (!startswith(de->d_name, prefix) || n < sn || !streq(de->d_name + n - sn, suffix))
			continue;
		full = xasprintf("%s/%s", path, de->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

/* Run dir/bin/nvcc --version in the target.  Under --root that goes
 * through chroot(8), which a normal user may not use: then nvcc is left
 * alone rather than reported as broken. */
static void run_nvcc(const char *dir, struct cuda_tree *t)
{
	_cleanup_free_ char *nvcc = xasprintf("%s/bin/nvcc", dir);
	const char *const argv[] = { nvcc, "--version", NULL };
	bool chrooted = sysroot_get()[0] != '\0';
	struct run_result res;
	int r;

	if (chrooted && geteuid() != 0)
		return;
	r = run_in_target(argv, NVCC_TIMEOUT_MS, &res);
	if (r < 0) {
		/* chroot(8) is not there to be started: nvcc was not tried.
		 * Run directly, an nvcc that cannot be started is broken. */
		t->nvcc_ran = !chrooted;
		return;
	}
	/* 125-127 are chroot(8)'s own failures (cannot chroot, cannot run,
	 * not found inside): nvcc never ran. */
	if (!(chrooted && res.term_signal == 0 && res.exit_status >= 125 && res.exit_status <= 127)) {
		t->nvcc_ran = true;
		if (!res.timed_out)
			(void)cuda_parse_nvcc_version(res.out.buf, &t->nvcc_release);
	}
	run_result_release(&res);
}

int cuda_tree_inspect(const char *dir, struct cuda_tree *ret)
{
	_cleanup_free_ char *root = NULL;
	_cleanup_close_ int fd = -1;
	struct cuda_tree t = { 0 };
	char *text = NULL;
	struct stat st;
	int r;

	/* A toolkit directory that is a link (to /opt, say) is followed
	 * inside the root, never to the host's copy. */
	r = sysroot_host_path(dir, &root);
	if (r < 0)
		return r;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;

	r = read_in(root, "version.json", VERSION_FILE_MAX, &text);
	if (r == 0) {
		if (cuda_parse_version_json(text, &t.version_json) < 0)
			t.version_json_bad = true;
		free(text);
	} else if (r != -ENOENT) {
		/* There but unreadable (a directory, too large, no access). */
		t.version_json_bad = true;
	}
	if (read_in(root, "version.txt", VERSION_FILE_MAX, &text) == 0) {
		(void)cuda_parse_version_txt(text, &t.version_txt);
		free(text);
	}
	if (read_in(root, "include/cuda.h", CUDA_H_MAX, &text) == 0) {
		unsigned major, minor;

		if (cuda_parse_cuda_h(text, &major, &minor) == 0) {
			t.header_major = major;
			t.header_minor = minor;
		}
		free(text);
	}

	t.nvcc_present = stat_in(root, "bin/nvcc", &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111);
	if (t.nvcc_present)
		run_nvcc(dir, &t);

	t.lib64_present = stat_in(root, "lib64", &st) && S_ISDIR(st.st_mode);
	/* libcudart.so.12 (or .so.11.0, .so.10.2): what programs load; the
	 * bare libcudart.so is only for linking. */
	t.cudart_present = t.lib64_present && has_file_like(root, "lib64", "libcudart.so.", "");
	/* cuda-uninstaller since 10.1, uninstall_cuda_X.Y.pl before. */
	t.uninstaller_present = (stat_in(root, "bin/cuda-uninstaller", &st) && S_ISREG(st.st_mode)) ||
				has_file_like(root, "bin", "uninstall_cuda_", ".pl");

	if (t.version_json)
		t.version = xstrdup(t.version_json);
	else if (t.version_txt)
		t.version = xstrdup(t.version_txt);
	else if (t.header_major)
		t.version = xasprintf("%u.%u", t.header_major, t.header_minor);
	else if (t.nvcc_release)
		t.version = xstrdup(t.nvcc_release);

	*ret = t;
	return 0;
}

const char *cuda_tree_version_source(const struct cuda_tree *t)
{
	if (t->version_json)
		return "version.json";
	if (t->version_txt)
		return "version.txt";
	if (t->header_major)
		return "include/cuda.h";
	if (t->nvcc_release)
		return "bin/nvcc --version";
	return NULL;
}

static void disagree(bool *complete, struct strbuf *why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void disagree(bool *complete, struct strbuf *why, const char *fmt, ...)
{
	va_list ap;

	*complete = false;
	if (!why)
		return;
	/* One line the command layer can quote inside its own message. */
	if (why->len)
		strbuf_adds(why, "; ");
	va_start(ap, fmt);
	strbuf_vaddf(why, fmt, ap);
	va_end(ap);
}

bool cuda_tree_complete(const struct cuda_tree *t, const char *want, struct strbuf *why)
{
	struct version w;
	bool complete = true;

	if (!release_parse(want, &w) || w.nparts > 3) {
		disagree(&complete, why, "'%s' is not a CUDA release (X.Y or X.Y.Z)", want);
		return false;
	}

	if (!t->version)
		disagree(&complete, why,
			 "nothing in it names a release: no version.json, version.txt, CUDA_VERSION in include/cuda.h or nvcc release");
	if (t->version_json && !release_is(t->version_json, &w))
		disagree(&complete, why, "version.json says %s, not %s", t->version_json, want);
	if (t->version_json_bad)
		disagree(&complete, why, "version.json names no release (damaged)");
	if (t->version_txt && !release_is(t->version_txt, &w))
		disagree(&complete, why, "version.txt says %s, not %s", t->version_txt, want);

	/* cuda.h and nvcc only know major.minor. */
	if (!t->header_major)
		disagree(&complete, why, "include/cuda.h is missing or defines no CUDA_VERSION");
	else if (t->header_major != w.part[0] || t->header_minor != w.part[1])
		disagree(&complete, why, "include/cuda.h says %u.%u, not %u.%u", t->header_major, t->header_minor,
			 w.part[0], w.part[1]);

	if (!t->nvcc_present)
		disagree(&complete, why, "bin/nvcc is missing");
	else if (t->nvcc_ran && !t->nvcc_release)
		disagree(&complete, why, "bin/nvcc --version names no release");
	else if (t->nvcc_release && !release_is(t->nvcc_release, &(struct version){ 2, { w.part[0], w.part[1] } }))
		disagree(&complete, why, "bin/nvcc reports release %s, not %u.%u", t->nvcc_release, w.part[0],
			 w.part[1]);

	if (!t->lib64_present)
		disagree(&complete, why, "lib64 is missing");
	else if (!t->cudart_present)
		disagree(&complete, why, "lib64 holds no libcudart");
	return complete;
}

void cuda_tree_free(struct cuda_tree *t)
{
	free(t->version_json);
	free(t->version_txt);
	free(t->nvcc_release);
	free(t->version);
	memset(t, 0, sizeof(*t));
}

/* "cuda-12.8": a toolkit's directory name, as NVIDIA's runfile makes it. */
static bool toolkit_dir_name(const char *name, struct version *ret)
{
	struct version r;

	if (!startswith(name, "cuda-") || !release_parse(name + 5, &r) || r.nparts != 2)
		return false;
	*ret = r;
	return true;
}

static int cmp_dirs(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	struct version rx = { 0 }, ry = { 0 };
	int c;

	/* Both parse: only such names are listed. */
	toolkit_dir_name(strrchr(x, '/') + 1, &rx);
	toolkit_dir_name(strrchr(y, '/') + 1, &ry);
	c = version_cmp(&rx, &ry);
	return c ? c : strcmp(x, y);
}

int cuda_trees_list(char ***ret_dirs, size_t *ret_n)
{
	_cleanup_free_ char *local = sysroot_path("/usr/local");
	_cleanup_(closedirp) DIR *d = opendir(local);
	char **dirs = xcalloc(1, sizeof(*dirs));
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT && errno != ENOTDIR) {
			int r = -errno;

			free(dirs);
			return r;
		}
		*ret_dirs = dirs;
		*ret_n = 0;
		return 0;
	}
	for (errno = 0; (de = readdir(d)); errno = 0) {
		_cleanup_free_ char *full = NULL;
		struct version rel;
		struct stat st;

		if (!toolkit_dir_name(de->d_name, &rel))
			continue;
		full = xasprintf("%s/%s", local, de->d_name);
		if (stat(full, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		dirs = xrealloc(dirs, (n + 2) * sizeof(*dirs));
		dirs[n++] = xasprintf("/usr/local/%s", de->d_name);
		dirs[n] = NULL;
	}
	if (errno != 0) {
		int r = -errno;

		for (size_t i = 0; i < n; i++)
			free(dirs[i]);
		free(dirs);
		return r;
	}
	qsort(dirs, n, sizeof(*dirs), cmp_dirs);
	*ret_dirs = dirs;
	*ret_n = n;
	return 0;
}
