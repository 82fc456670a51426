/*
 * system-describe.c - read the distribution, kernel, loaded driver and
 * apt's view of the target for `detect --json` (see system-describe.h).
 * Only plain reads: detect must stay as quick as lspci, so nothing here
 * starts a program.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <strings.h>
#include <sys/stat.h>

#include "fileio.h"
#include "sysroot.h"
#include "system-describe.h"
#include "util.h"

#define SOURCES_MAX (1u << 20)   /* apt-sources.c's bound for one sources file */
#define KEYRING_MAX (8u << 20)   /* an old /etc/apt/trusted.gpg can hold many keys */
#define STATUS_MAX (256u << 20)  /* dpkg status of a large desktop: a few MiB */

static char *dup_bytes(const char *p, size_t len)
{
	char *s = xmalloc(len + 1);

	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

/* ---------------------------------------------------------------- dpkg status */

struct field {
	const char *p;
	size_t len;
};

static bool field_is(const char *line, size_t len, const char *name, struct field *ret)
{
	size_t n = strlen(name);
	const char *v, *end = line + len;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	for (v = line + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*ret = (struct field){ v, (size_t)(end - v) };
	return true;
}

/* "WANT ok installed": a package on the disk.  A held (or to-be-removed)
 * package is as installed as one selected for install, and apt on that
 * machine counts it so. */
static bool status_installed(struct field f)
{
	static const char tail[] = " ok installed";
	size_t n = sizeof(tail) - 1;

	return f.len > n && memcmp(f.p + f.len - n, tail, n) == 0 && !memchr(f.p, ' ', f.len - n);
}

static void add_package(struct system_package **pkgs, size_t *n, const struct field fs[4])
{
	struct system_package *p;

	for (size_t i = 0; i < 4; i++)
		if (!fs[i].p || !fs[i].len)
			return;
	if (!status_installed(fs[1]))
		return;
	*pkgs = xrealloc(*pkgs, (*n + 1) * sizeof(**pkgs));
	p = &(*pkgs)[(*n)++];
	p->name = dup_bytes(fs[0].p, fs[0].len);
	p->version = dup_bytes(fs[2].p, fs[2].len);
	p->arch = dup_bytes(fs[3].p, fs[3].len);
}

void dpkg_status_installed(const char *text, size_t len, struct system_package **ret, size_t *ret_n)
{
	static const char *const names[4] = { "Package", "Status", "Version", "Architecture" };
	struct field fs[4] = { { 0 } };
	const char *p = text, *end = text + len;

	*ret = NULL;
	*ret_n = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		if (n == 0 || (n == 1 && p[0] == '\r')) {
			add_package(ret, ret_n, fs);
			memset(fs, 0, sizeof(fs));
		} else if (p[0] != ' ' && p[0] != '\t') {
			for (size_t i = 0; i < 4; i++)
				if (field_is(p, n, names[i], &fs[i]))
					break;
		}
		p = eol + 1;
	}
	add_package(ret, ret_n, fs);
}

/* ---------------------------------------------------------------- keyrings in sources */

static void add_path(char ***paths, size_t *n, const char *p, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*paths)[i]) == len && memcmp((*paths)[i], p, len) == 0)
			return;
	*paths = xrealloc(*paths, (*n + 1) * sizeof(**paths));
	(*paths)[(*n)++] = dup_bytes(p, len);
}

/* The absolute paths among the values in [p, end), separated by blanks or
 * commas (apt takes either). */
static void add_value_paths(const char *p, const char *end, char ***paths, size_t *n)
{
	while (p < end) {
		const char *w;

		while (p < end && strchr(" \t\r\n,", *p))
			p++;
		for (w = p; p < end && !strchr(" \t\r\n,", *p); p++)
			;
		if (p > w && *w == '/')
			add_path(paths, n, w, (size_t)(p - w));
	}
}

/* deb [opt=v opt2=v2] uri suite...: the signed-by values among the
 * options. */
static void one_line_keyrings(const char *line, const char *end, char ***paths, size_t *n)
{
	const char *hash = memchr(line, '#', (size_t)(end - line)), *close;

	if (hash)
		end = hash;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	if (end - line < 3 || memcmp(line, "deb", 3) != 0)
		return;
	line += 3;
	if (end - line >= 4 && memcmp(line, "-src", 4) == 0)
		line += 4;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	if (line >= end || *line != '[' || !(close = memchr(line, ']', (size_t)(end - line))))
		return;
	for (const char *p = line + 1; p < close;) {
		const char *w, *eq;

		while (p < close && (*p == ' ' || *p == '\t'))
			p++;
		for (w = p; p < close && *p != ' ' && *p != '\t'; p++)
			;
		eq = memchr(w, '=', (size_t)(p - w));
		/* signed-by=, and the signed-by+= apt also reads */
		if (eq && (size_t)(eq - w) >= 9 && strncasecmp(w, "signed-by", 9) == 0 &&
		    (eq - w == 9 || (eq - w == 10 && w[9] == '+')))
			add_value_paths(eq + 1, p, paths, n);
	}
}

/* Signed-By: in a stanza, its value on the field's line and the
 * continuation lines after it.  A value holding a key block is the key
 * itself, no file. */
static const char *deb822_keyrings(const char *line, const char *end, const char *text_end, char ***paths,
				   size_t *n)
{
	const char *vend = end, *v;
	static const char key[] = "-----BEGIN PGP";
	bool inline_key = false;

	if (end - line < 10 || strncasecmp(line, "signed-by:", 10) != 0)
		return end;
	v = line + 10;
	/* Continuation lines start with a blank. */
	while (vend < text_end && vend[0] == '\n' && vend + 1 < text_end && (vend[1] == ' ' || vend[1] == '\t')) {
		const char *next = memchr(vend + 1, '\n', (size_t)(text_end - vend - 1));

		vend = next ? next : text_end;
	}
	for (const char *s = v; s + sizeof(key) - 1 <= vend && !inline_key; s++)
		inline_key = memcmp(s, key, sizeof(key) - 1) == 0;
	if (!inline_key)
		add_value_paths(v, vend, paths, n);
	return vend;
}

void apt_sources_keyrings(const char *text, bool deb822, char ***paths, size_t *n)
{
	const char *p = text, *end = text + strlen(text);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if (!deb822)
			one_line_keyrings(p, eol, paths, n);
		else if (*p != '#' && *p != ' ' && *p != '\t')
			eol = deb822_keyrings(p, eol, end, paths, n);
		p = eol + 1;
	}
}

/* ---------------------------------------------------------------- reading the target */

/* path on the target, its links resolved inside the root. */
static int read_target_file(const char *path, size_t max, struct system_file *ret)
{
	_cleanup_free_ char *host = NULL;
	char *data;
	size_t len;
	int r = sysroot_host_path(path, &host);

	if (r < 0)
		return r;
	r = read_file(host, max, &data, &len);
	if (r < 0)
		return r;
	*ret = (struct system_file){ xstrdup(path), data, len };
	return 0;
}

static void add_file(struct system_file **files, size_t *n, const char *path, size_t max)
{
	struct system_file f;

	for (size_t i = 0; i < *n; i++)
		if (streq((*files)[i].path, path))
			return;
	if (read_target_file(path, max, &f) < 0)
		return;
	*files = xrealloc(*files, (*n + 1) * sizeof(**files));
	(*files)[(*n)++] = f;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir on the target ending in one of the suffixes and made
 * of the characters apt accepts in such names, sorted as apt reads them. */
static void list_dir(const char *dir, const char *const *suffixes, char ***ret, size_t *ret_n)
{
	_cleanup_free_ char *host = NULL;
	struct dirent *e;
	DIR *d;

	*ret = NULL;
	*ret_n = 0;
	if (sysroot_host_path(dir, &host) < 0 || !(d = opendir(host)))
		return;
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		bool take = false;

		if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(name))
			continue;
		for (const char *const *s = suffixes; *s && !take; s++)
			take = endswith(name, *s) && !streq(name, *s);
		if (!take)
			continue;
		*ret = xrealloc(*ret, (*ret_n + 1) * sizeof(**ret));
		(*ret)[(*ret_n)++] = xasprintf("%s/%s", dir, name);
	}
	closedir(d);
	if (*ret_n > 1)
		qsort(*ret, *ret_n, sizeof(**ret), cmp_str);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void read_sources_and_keys(struct system_apt *a)
{
	static const char *const source_suffixes[] = { ".list", ".sources", NULL };
	static const char *const key_suffixes[] = { ".gpg", ".asc", NULL };
	char **names, **keyrings = NULL;
	size_t nnames, nkeyrings = 0;

	add_file(&a->sources, &a->nsources, "/etc/apt/sources.list", SOURCES_MAX);
	list_dir("/etc/apt/sources.list.d", source_suffixes, &names, &nnames);
	for (size_t i = 0; i < nnames; i++)
		add_file(&a->sources, &a->nsources, names[i], SOURCES_MAX);
	free_strv(names, nnames);

	/* The keys the sources name, then those apt trusts for every source. */
	for (size_t i = 0; i < a->nsources; i++) {
		const struct system_file *f = &a->sources[i];

		if (!memchr(f->data, '\0', f->len))
			apt_sources_keyrings(f->data, endswith(f->path, ".sources"), &keyrings, &nkeyrings);
	}
	for (size_t i = 0; i < nkeyrings; i++)
		add_file(&a->keys, &a->nkeys, keyrings[i], KEYRING_MAX);
	free_strv(keyrings, nkeyrings);
	add_file(&a->keys, &a->nkeys, "/etc/apt/trusted.gpg", KEYRING_MAX);
	list_dir("/etc/apt/trusted.gpg.d", key_suffixes, &names, &nnames);
	for (size_t i = 0; i < nnames; i++)
		add_file(&a->keys, &a->nkeys, names[i], KEYRING_MAX);
	free_strv(names, nnames);
}

/* dpkg's native architecture: the one dpkg itself is built for, so the
 * architecture of the installed dpkg package; else the first line of
 * /var/lib/dpkg/arch, where dpkg lists the native architecture before the
 * foreign ones (the file exists once a foreign one was added).  Asking
 * `dpkg --print-architecture` would start a program in detect; when
 * neither can be read the machine is taken for amd64, the one
 * architecture NVIDIA's Debian and Ubuntu driver packages mostly serve. */
static char *native_arch(const struct system_apt *a)
{
	_cleanup_free_ char *path = sysroot_path("/var/lib/dpkg/arch");
	char *line = NULL;

	for (size_t i = 0; i < a->npackages; i++)
		if (streq(a->packages[i].name, "dpkg"))
			return xstrdup(a->packages[i].arch);
	if (read_one_line(path, &line) == 0 && *strstrip(line)) {
		char *arch = xstrdup(strstrip(line));

		free(line);
		return arch;
	}
	free(line);
	return xstrdup("amd64");
}

static void read_apt(struct system_apt *a)
{
	struct system_file status;

	/* One read of the whole status file, parsed in place. */
	if (read_target_file("/var/lib/dpkg/status", STATUS_MAX, &status) == 0) {
		a->have_packages = true;
		dpkg_status_installed(status.data, status.len, &a->packages, &a->npackages);
		free(status.path);
		free(status.data);
	}
	a->arch = native_arch(a);
	read_sources_and_keys(a);
}

void system_describe(struct system_description *ret)
{
	struct system_description s = { 0 };
	struct stat st;

	s.have_os = os_release_read(&s.os) == 0;
	if (kernel_release_read(&s.kernel) < 0)
		s.kernel = NULL;
	if (installed_driver_read(&s.driver, &s.flavour) < 0)
		s.driver = NULL;
	if (sysroot_stat("/etc/apt", &st) == 0 && S_ISDIR(st.st_mode)) {
		s.have_apt = true;
		read_apt(&s.apt);
	}
	*ret = s;
}

static void free_files(struct system_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].data);
	}
	free(f);
}

void system_description_free(struct system_description *s)
{
	if (s->have_os)
		os_release_free(&s->os);
	free(s->kernel);
	free(s->driver);
	free(s->apt.arch);
	free_files(s->apt.sources, s->apt.nsources);
	free_files(s->apt.keys, s->apt.nkeys);
	for (size_t i = 0; i < s->apt.npackages; i++) {
		free(s->apt.packages[i].name);
		free(s->apt.packages[i].version);
		free(s->apt.packages[i].arch);
	}
	free(s->apt.packages);
	memset(s, 0, sizeof(*s));
}
