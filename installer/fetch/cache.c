/*
 * cache.c - the cache directory and its manifest (see cache.h and the
 * CACHE MANIFEST section of gpu-setup(8)).
 *
 * The manifest is read strictly: it is gpu-setup's own file, written only
 * by cache_manifest_save, so anything it would not have written is damage
 * and is reported with its line instead of being guessed around.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "cache.h"
#include "fileio.h"
#include "sysroot.h"
#include "util.h"

/* Far above any real cache (one line per file, ~300 bytes). */
#define CACHE_MANIFEST_MAX (64u << 20)
#define CACHE_FIELDS 7

static const char *const kind_names[CACHE_KIND_COUNT] = {
	[CACHE_RUNFILE] = "runfile",
	[CACHE_CUDNN] = "cudnn",
	[CACHE_MINICONDA] = "miniconda",
	[CACHE_DEB] = "deb",
	[CACHE_WHEEL] = "wheel",
};

const char *cache_kind_name(enum cache_kind k)
{
	if ((unsigned)k >= CACHE_KIND_COUNT)
		return NULL;
	return kind_names[k];
}

int cache_kind_from_name(const char *name, enum cache_kind *ret)
{
	for (unsigned k = 0; k < CACHE_KIND_COUNT; k++)
		if (name && streq(name, kind_names[k])) {
			*ret = (enum cache_kind)k;
			return 0;
		}
	return -EINVAL;
}

/* Drop empty and "." components of an absolute path in place, so the
 * paths printed and recorded read as the user meant ("--cache ." is the
 * working directory, not "/home/u/.").  ".." stays: only the file system
 * knows what it means under a link. */
static void drop_dot_components(char *path)
{
	char *out = path;

	for (const char *p = path; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && *p == '.')) {
			p += n;
			continue;
		}
		*out++ = '/';
		memmove(out, p, n);
		out += n;
		p += n;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

char *cache_dir_for(const char *option)
{
	char *dir;

	if (!option || !*option)
		return sysroot_path(GS_CACHE_DIR);
	if (option[0] == '/') {
		dir = xstrdup(option);
	} else {
		_cleanup_free_ char *cwd = getcwd(NULL, 0);

		/* A working directory that vanished: keep the relative
		 * path; the open that follows says what is wrong. */
		if (!cwd)
			return xstrdup(option);
		dir = xasprintf("%s/%s", cwd, option);
	}
	drop_dot_components(dir);
	return dir;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* Why a file name cannot be a cache entry's, or NULL. */
static const char *name_problem(enum cache_kind kind, const char *name)
{
	if (!name || !*name)
		return "empty name";
	if (has_control(name))
		return "control character in the name";
	if (strchr(name, '/'))
		return "'/' in the name";
	if (streq(name, ".") || streq(name, ".."))
		return "'.' or '..' as the name";
	/* The cache's own files: its lock, its manifest, its temporary
	 * downloads and the kind directories. */
	if (name[0] == '.')
		return "name starting with '.'";
	if (endswith(name, ".part"))
		return "name ending in .part (a partial download)";
	if (kind != CACHE_DEB && kind != CACHE_WHEEL &&
	    (streq(name, CACHE_MANIFEST_NAME) || streq(name, "debs") || streq(name, "wheels")))
		return "name reserved for the cache itself";
	return NULL;
}

/* Why a comma-separated plan list cannot be written, or NULL.  "" is no
 * plan. */
static const char *plans_problem(const char *plans)
{
	const char *p = plans;

	if (!*p)
		return NULL;
	if (has_control(plans))
		return "control character in the plans";
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0)
			return "empty plan label";
		if (n == 1 && *p == '-')
			return "plan label '-'";
		for (const char *q = plans; q < p; q += strcspn(q, ",") + 1)
			if (strcspn(q, ",") == n && strncmp(q, p, n) == 0)
				return "plan label listed twice";
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

/* Why an entry cannot be written, or NULL. */
static const char *entry_problem(const struct cache_entry *e)
{
	const char *why;

	if (!cache_kind_name(e->kind))
		return "unknown kind";
	if ((why = name_problem(e->kind, e->name)))
		return why;
	if (!e->version || !*e->version)
		return "empty version";
	if (has_control(e->version))
		return "control character in the version";
	if (!sha256_hex_canonical(e->sha256))
		return "sha256 is not 64 lowercase hex digits";
	if (!e->url || !*e->url)
		return "empty url";
	if (has_control(e->url))
		return "control character in the url";
	if (e->plans && (why = plans_problem(e->plans)))
		return why;
	return NULL;
}

static bool parse_u64(const char *s, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*ret = v;
	return true;
}

static void entry_release(struct cache_entry *e)
{
	free(e->name);
	free(e->version);
	free(e->url);
	free(e->plans);
}

void cache_manifest_free(struct cache_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nentries; i++)
		entry_release(&m->entries[i]);
	free(m->entries);
	free(m->dir);
	*m = (struct cache_manifest){ 0 };
}

struct cache_entry *cache_manifest_find(const struct cache_manifest *m, enum cache_kind kind, const char *name)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].kind == kind && streq(m->entries[i].name, name))
			return &m->entries[i];
	return NULL;
}

static struct cache_entry *append_entry(struct cache_manifest *m)
{
	/* Grow by doubling: nentries is a power of two exactly when full. */
	if (m->nentries == 0 || (m->nentries >= 8 && (m->nentries & (m->nentries - 1)) == 0))
		m->entries = xrealloc(m->entries, (m->nentries ? 2 * m->nentries : 8) * sizeof(*m->entries));
	m->entries[m->nentries] = (struct cache_entry){ 0 };
	return &m->entries[m->nentries++];
}

/* One entry line (NUL-terminated, modified in place) into m; *lines
 * holds the line number of each entry, for the duplicate message. */
static int parse_entry(char *line, struct cache_manifest *m, unsigned **lines, unsigned lineno,
		       struct strbuf *err)
{
	char *f[CACHE_FIELDS];
	size_t ntabs = 0;
	struct cache_entry e = { 0 };
	const char *why;
	enum cache_kind kind;
	struct cache_entry *dup;

	for (const char *p = line; (p = strchr(p, '\t')); p++)
		ntabs++;
	if (ntabs != CACHE_FIELDS - 1) {
		strbuf_addf(err, "line %u: %zu fields where %d are needed (KIND, NAME, VERSION, SIZE, SHA256, URL, "
			    "PLANS, separated by tabs)", lineno, ntabs + 1, CACHE_FIELDS);
		return -EINVAL;
	}
	f[0] = line;
	for (size_t i = 1; i < CACHE_FIELDS; i++) {
		f[i] = strchr(f[i - 1], '\t');
		*f[i]++ = '\0';
	}
	if (cache_kind_from_name(f[0], &kind) < 0) {
		strbuf_addf(err, "line %u: unknown kind '%s' (runfile, cudnn, miniconda, deb or wheel)", lineno, f[0]);
		return -EINVAL;
	}
	e.kind = kind;
	e.name = f[1];
	e.version = f[2];
	if (!parse_u64(f[3], &e.size)) {
		strbuf_addf(err, "line %u: size '%s' is not a number of bytes", lineno, f[3]);
		return -EINVAL;
	}
	if (!sha256_hex_canonical(f[4])) {
		strbuf_addf(err, "line %u: sha256 '%s' is not 64 lowercase hex digits", lineno, f[4]);
		return -EINVAL;
	}
	memcpy(e.sha256, f[4], SHA256_HEX_LEN + 1);
	e.url = f[5];
	if (streq(f[6], "")) {
		strbuf_addf(err, "line %u: empty plans ('-' when none)", lineno);
		return -EINVAL;
	}
	e.plans = streq(f[6], "-") ? "" : f[6];
	if ((why = entry_problem(&e))) {
		strbuf_addf(err, "line %u: %s", lineno, why);
		return -EINVAL;
	}
	dup = cache_manifest_find(m, kind, e.name);
	if (dup) {
		strbuf_addf(err, "line %u: %s %s is listed twice (first on line %u)", lineno, f[0], e.name,
			    (*lines)[dup - m->entries]);
		return -EINVAL;
	}
	dup = append_entry(m);
	*dup = e;
	dup->name = xstrdup(e.name);
	dup->version = xstrdup(e.version);
	dup->url = xstrdup(e.url);
	dup->plans = xstrdup(e.plans);
	*lines = xrealloc(*lines, m->nentries * sizeof(unsigned));
	(*lines)[m->nentries - 1] = lineno;
	return 0;
}

static bool blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/* The text of a manifest into m (whose dir is set). */
static int parse_manifest(char *text, size_t len, struct cache_manifest *m, struct strbuf *err)
{
	_cleanup_free_ unsigned *lines = NULL;
	bool have_version = false;
	unsigned lineno = 0;
	char *p = text;

	while (p < text + len) {
		char *line = p, *eol = memchr(p, '\n', (size_t)(text + len - p));
		int r;

		lineno++;
		if (!eol)
			eol = text + len;
		p = eol + 1;
		if (memchr(line, '\0', (size_t)(eol - line))) {
			strbuf_addf(err, "line %u: a NUL byte", lineno);
			return -EINVAL;
		}
		*eol = '\0';
		if (line[0] == '#' || blank(line))
			continue;
		if (!have_version) {
			uint64_t v;

			if (!startswith(line, "gpu-setup-cache ")) {
				strbuf_addf(err, "line %u: expected the format line 'gpu-setup-cache %d' before any entry",
					    lineno, CACHE_FORMAT_VERSION);
				return -EINVAL;
			}
			if (!parse_u64(line + strlen("gpu-setup-cache "), &v)) {
				strbuf_addf(err, "line %u: '%s' is not a format line ('gpu-setup-cache %d')", lineno,
					    line, CACHE_FORMAT_VERSION);
				return -EINVAL;
			}
			if (v != CACHE_FORMAT_VERSION) {
				strbuf_addf(err, "line %u: format %s is not one this gpu-setup reads (it reads %d; "
					    "a newer gpu-setup wrote it?)", lineno, line + strlen("gpu-setup-cache "),
					    CACHE_FORMAT_VERSION);
				return -EINVAL;
			}
			have_version = true;
			continue;
		}
		r = parse_entry(line, m, &lines, lineno, err);
		if (r < 0)
			return r;
	}
	if (!have_version) {
		strbuf_addf(err, "line %u: no format line 'gpu-setup-cache %d'", lineno ? lineno : 1,
			    CACHE_FORMAT_VERSION);
		return -EINVAL;
	}
	return 0;
}

int cache_manifest_load(const char *dir, struct cache_manifest *ret, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, CACHE_MANIFEST_NAME);
	_cleanup_free_ char *text = NULL;
	struct cache_manifest m = { .dir = xstrdup(dir) };
	size_t len;
	int r;

	r = read_file(path, CACHE_MANIFEST_MAX, &text, &len);
	if (r == -ENOENT) {
		/* No manifest (or no cache at all): an empty cache. */
		*ret = m;
		return 0;
	}
	if (r < 0) {
		strbuf_addf(err, "%s: %s", path, strerror(-r));
		cache_manifest_free(&m);
		return r;
	}
	r = parse_manifest(text, len, &m, err);
	if (r < 0) {
		cache_manifest_free(&m);
		return r;
	}
	*ret = m;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct cache_entry *x = *(const struct cache_entry *const *)a;
	const struct cache_entry *y = *(const struct cache_entry *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The manifest's bytes: the same entries give the same text. */
static int manifest_text(const struct cache_manifest *m, struct strbuf *out)
{
	_cleanup_free_ const struct cache_entry **sorted = xcalloc(m->nentries ? m->nentries : 1, sizeof(*sorted));

	for (size_t i = 0; i < m->nentries; i++) {
		if (entry_problem(&m->entries[i]))
			return -EINVAL;
		sorted[i] = &m->entries[i];
	}
	qsort(sorted, m->nentries, sizeof(*sorted), entry_cmp);
	strbuf_addf(out, "# gpu-setup cache manifest (see gpu-setup(8), CACHE MANIFEST)\n"
		    "# KIND\tNAME\tVERSION\tSIZE\tSHA256\tURL\tPLANS\n"
		    "gpu-setup-cache %d\n", CACHE_FORMAT_VERSION);
	for (size_t i = 0; i < m->nentries; i++) {
		const struct cache_entry *e = sorted[i];

		strbuf_addf(out, "%s\t%s\t%s\t%llu\t%s\t%s\t%s\n", cache_kind_name(e->kind), e->name, e->version,
			    (unsigned long long)e->size, e->sha256, e->url,
			    e->plans && *e->plans ? e->plans : "-");
	}
	return 0;
}

int cache_manifest_save(const struct cache_manifest *m)
{
	_cleanup_strbuf_ struct strbuf text = STRBUF_INIT;
	_cleanup_free_ char *path = NULL;
	int r;

	strbuf_init(&text);
	r = manifest_text(m, &text);
	if (r < 0)
		return r;
	r = mkdir_p(m->dir, 0755);
	if (r < 0)
		return r;
	path = xasprintf("%s/%s", m->dir, CACHE_MANIFEST_NAME);
	return write_file_atomic(path, text.buf, text.len, 0644);
}

/* Add the labels of add (comma-separated) that *plans lacks. */
static void merge_plans(char **plans, const char *add)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_init(&sb);
	strbuf_adds(&sb, *plans);
	for (const char *p = add; *p;) {
		size_t n = strcspn(p, ",");
		bool have = false;

		for (const char *q = sb.buf; *q && !have; q += strcspn(q, ","), q += *q == ',')
			have = strcspn(q, ",") == n && strncmp(q, p, n) == 0;
		if (!have) {
			if (sb.len)
				strbuf_addch(&sb, ',');
			strbuf_add(&sb, p, n);
		}
		p += n;
		p += *p == ',';
	}
	free(*plans);
	*plans = strbuf_detach(&sb, NULL);
}

int cache_manifest_add(struct cache_manifest *m, const struct cache_entry *e)
{
	struct cache_entry *have;

	if (entry_problem(e))
		return -EINVAL;
	have = cache_manifest_find(m, e->kind, e->name);
	if (!have) {
		have = append_entry(m);
		have->kind = e->kind;
		have->name = xstrdup(e->name);
		have->plans = xstrdup("");
	} else {
		free(have->version);
		free(have->url);
	}
	have->version = xstrdup(e->version);
	have->url = xstrdup(e->url);
	have->size = e->size;
	memcpy(have->sha256, e->sha256, sizeof(have->sha256));
	if (e->plans)
		merge_plans(&have->plans, e->plans);
	return 0;
}

int cache_manifest_remove(struct cache_manifest *m, enum cache_kind kind, const char *name)
{
	struct cache_entry *e = cache_manifest_find(m, kind, name);
	size_t i;

	if (!e)
		return -ENOENT;
	i = (size_t)(e - m->entries);
	entry_release(e);
	memmove(&m->entries[i], &m->entries[i + 1], (m->nentries - i - 1) * sizeof(*m->entries));
	m->nentries--;
	return 0;
}

char *cache_kind_dir(const struct cache_manifest *m, enum cache_kind kind)
{
	switch (kind) {
	case CACHE_DEB:
		return xasprintf("%s/debs", m->dir);
	case CACHE_WHEEL:
		return xasprintf("%s/wheels", m->dir);
	default:
		return xstrdup(m->dir);
	}
}

char *cache_entry_path(const struct cache_manifest *m, const struct cache_entry *e)
{
	_cleanup_free_ char *dir = cache_kind_dir(m, e->kind);

	return xasprintf("%s/%s", dir, e->name);
}

int cache_entry_verify(const struct cache_manifest *m, const struct cache_entry *e, struct strbuf *why)
{
	_cleanup_free_ char *path = cache_entry_path(m, e);
	_cleanup_close_ int fd = -1;
	char hex[SHA256_HEX_LEN + 1];
	struct stat st;
	int r;

	/* lstat and O_NOFOLLOW: a link in the cache could make a file
	 * elsewhere pass for the one that was fetched and checked. */
	if (lstat(path, &st) < 0) {
		r = -errno;
		strbuf_adds(why, r == -ENOENT ? "missing" : strerror(-r));
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		strbuf_adds(why, "a symbolic link, not the fetched file");
		return -ELOOP;
	}
	if (S_ISDIR(st.st_mode)) {
		strbuf_adds(why, "a directory, not a file");
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		strbuf_adds(why, "not a regular file");
		return -EINVAL;
	}
	if ((uint64_t)st.st_size != e->size) {
		strbuf_addf(why, "size %llu instead of %llu", (unsigned long long)st.st_size,
			    (unsigned long long)e->size);
		return -EFBIG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
		strbuf_adds(why, strerror(-r));
		return r;
	}
	r = sha256_fd(fd, hex);
	if (r < 0) {
		strbuf_addf(why, "reading it: %s", strerror(-r));
		return r;
	}
	if (!streq(hex, e->sha256)) {
		strbuf_addf(why, "sha256 %s instead of %s", hex, e->sha256);
		return -EBADMSG;
	}
	return 0;
}

int cache_lock(const char *dir)
{
	_cleanup_free_ char *path = xasprintf("%s/.lock", dir);
	int fd, r;

	r = mkdir_p(dir, 0755);
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return r;
	}
	return fd;
}
