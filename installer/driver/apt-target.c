/*
 * apt-target.c - apt's view of a described machine in a private tree
 * (apt-target.h).
 *
 * The tree is laid out as a root file system and apt is pointed at it
 * with "Dir" (as aptshim does for --root), so every relative apt path
 * (sources.list, sources.list.d, trusted.gpg.d, preferences, lists) falls
 * inside it.  Two things "Dir" does not move, handled here:
 *   - Signed-By paths in the sources are absolute and apt opens them as
 *     they are: each one is rewritten to the key's place in the tree, so
 *     the described machine's key is checked, never this machine's file
 *     of the same name;
 *   - the architecture is this machine's unless set: APT::Architecture
 *     and APT::Architectures (else dpkg here adds its foreign ones).
 * The settings are kept in the tree (SETTINGS_FILE, "Key=Value" lines) so
 * update and apt_target_tree_config give apt the same ones.  Files are
 * world-readable and directories searchable: as root, apt downloads and
 * checks signatures as its _apt user.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#include "apt-target.h"
#include "fileio.h"
#include "log.h"
#include "run.h"
#include "util.h"

#define SETTINGS_FILE "/etc/apt/gpu-setup-target.settings"
#define UPDATE_CONF "/etc/apt/gpu-setup-update.conf"


/* An absolute path with no "." or ".." component and no control
 * character: nothing of the description lands outside the tree. */
static bool safe_path(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20)
			return false;
	for (const char *c = p; *c;) {
		size_t len;

		c += strspn(c, "/");
		len = strcspn(c, "/");
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len;
	}
	return true;
}

static bool safe_field(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static int put(const char *dir, const char *rel, const void *data, size_t len, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s%s", dir, rel);
	_cleanup_free_ char *parent = xstrdup(path);
	int r;

	*strrchr(parent, '/') = '\0';
	r = mkdir_p(parent, 0755);
	if (r == 0)
		r = write_file_atomic(path, data, len, 0644);
	if (r < 0)
		strbuf_addf(err, "cannot write %s: %s", path, strerror(-r));
	return r;
}

/* Prefix dir to an absolute path at *p (a Signed-By value up to a
 * separator in stop); advances *p past it. */
static void rewrite_value(struct strbuf *out, const char **p, const char *dir, const char *stop)
{
	size_t len = strcspn(*p, stop);

	if (**p == '/')
		strbuf_adds(out, dir);
	strbuf_add(out, *p, len);
	*p += len;
}

static bool prefix_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The sources text with every absolute Signed-By path moved into the
 * tree: one-line "[signed-by=/a,/b]" and deb822 "Signed-By: /a". */
static void rewrite_signed_by(const char *text, size_t len, const char *dir, struct strbuf *out)
{
	_cleanup_free_ char *copy = xmalloc(len + 1);
	const char *line = copy;

	memcpy(copy, text, len);
	copy[len] = '\0';
	while (*line) {
		size_t n = strcspn(line, "\n");
		const char *end = line + n, *p = line + strspn(line, " \t");

		if (prefix_nocase(p, "signed-by:")) {
			p += strlen("signed-by:");
			p += strspn(p, " \t");
			strbuf_add(out, line, (size_t)(p - line));
			rewrite_value(out, &p, dir, "\n");
		} else {
			p = line;
			while (p < end) {
				const char *hit = NULL;

				for (const char *q = p; q < end && !hit; q++)
					if (prefix_nocase(q, "signed-by="))
						hit = q;
				if (!hit) {
					strbuf_add(out, p, (size_t)(end - p));
					p = end;
					break;
				}
				hit += strlen("signed-by=");
				strbuf_add(out, p, (size_t)(hit - p));
				p = hit;
				for (;;) {
					rewrite_value(out, &p, dir, ", \t]\n");
					if (*p != ',')
						break;
					strbuf_addch(out, ',');
					p++;
				}
			}
		}
		if (*end == '\n')
			strbuf_addch(out, '\n');
		line = *end ? end + 1 : end;
	}
}

static void status_text(const struct apt_target_spec *spec, struct strbuf *out)
{
	for (size_t i = 0; i < spec->npackages; i++) {
		const struct apt_target_package *p = &spec->packages[i];

		strbuf_addf(out,
			    "Package: %s\nStatus: install ok installed\nPriority: optional\nSection: misc\n"
			    "Maintainer: unknown\nArchitecture: %s\nVersion: %s\n"
			    "Description: installed on the described machine\n\n",
			    p->name, p->arch && *p->arch ? p->arch : spec->arch, p->version);
	}
}

static void settings_text(const char *dir, const char *arch, struct strbuf *out)
{
	strbuf_addf(out, "Dir=%s/\n", dir);
	strbuf_addf(out, "Dir::State::status=%s/var/lib/dpkg/status\n", dir);
	strbuf_addf(out, "Dir::Etc::trusted=%s/etc/apt/trusted.gpg\n", dir);
	strbuf_addf(out, "Dir::Etc::trustedparts=%s/etc/apt/trusted.gpg.d/\n", dir);
	strbuf_addf(out, "APT::Architecture=%s\n", arch);
	strbuf_addf(out, "APT::Architectures::=%s\n", arch);
	/* Only what the closure needs: no pkgcache.bin, translations,
	 * Contents or AppStream data. */
	strbuf_adds(out, "Dir::Cache::pkgcache=\nDir::Cache::srcpkgcache=\nAcquire::Languages=none\n"
			   "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false\n"
			   "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false\n"
			   "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false\n"
			   "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false\n"
			   "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false\n");
}

static int check_spec(const struct apt_target_spec *spec, struct strbuf *err)
{
	if (!safe_field(spec->arch)) {
		strbuf_addf(err, "the description has no architecture");
		return -EINVAL;
	}
	for (size_t i = 0; i < spec->nsources; i++) {
		const char *p = spec->sources[i].path;

		if (!safe_path(p) || !(streq(p, "/etc/apt/sources.list") || startswith(p, "/etc/apt/sources.list.d/"))) {
			strbuf_addf(err, "'%s' is not a file of apt's sources", p ? p : "(none)");
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < spec->nkeys; i++)
		if (!safe_path(spec->keys[i].path)) {
			strbuf_addf(err, "key path '%s' is not a plain absolute path", spec->keys[i].path);
			return -EINVAL;
		}
	for (size_t i = 0; i < spec->npackages; i++) {
		const struct apt_target_package *p = &spec->packages[i];

		if (!safe_field(p->name) || !safe_field(p->version) || (p->arch && *p->arch && !safe_field(p->arch))) {
			strbuf_addf(err, "installed package '%s' is not a name, version and architecture",
				    p->name ? p->name : "(none)");
			return -EINVAL;
		}
	}
	return 0;
}

int apt_target_tree_create(const struct apt_target_spec *spec, const char *tmpdir, char **ret_dir,
			   struct strbuf *err)
{
	static const char update_conf[] = "// gpu-setup: no update hooks of this machine for another's lists.\n"
					  "#clear APT::Update::Pre-Invoke;\n#clear APT::Update::Post-Invoke;\n"
					  "#clear APT::Update::Post-Invoke-Success;\n";
	static const char *const dirs[] = { "/etc/apt/sources.list.d", "/etc/apt/trusted.gpg.d",
					    "/etc/apt/preferences.d", "/etc/apt/apt.conf.d",
					    "/var/lib/apt/lists/partial", "/var/cache/apt/archives/partial",
					    "/var/lib/dpkg" };
	_cleanup_strbuf_ struct strbuf text = STRBUF_INIT;
	const char *base = tmpdir ? tmpdir : getenv("TMPDIR");
	char *dir;
	int r;

	*ret_dir = NULL;
	r = check_spec(spec, err);
	if (r < 0)
		return r;
	dir = xasprintf("%s/gpu-setup-apt-target.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		r = -errno;
		strbuf_addf(err, "cannot make a directory like %s: %s", dir, strerror(-r));
		free(dir);
		return r;
	}
	if (chmod(dir, 0755) < 0) {
		r = -errno;
		strbuf_addf(err, "cannot make %s readable to apt: %s", dir, strerror(-r));
		goto fail;
	}
	strbuf_init(&text);
	for (size_t i = 0; i < ELEMENTSOF(dirs) && r == 0; i++) {
		_cleanup_free_ char *path = xasprintf("%s%s", dir, dirs[i]);

		r = mkdir_p(path, 0755);
		if (r < 0)
			strbuf_addf(err, "cannot make %s: %s", path, strerror(-r));
	}
	/* An empty sources.list when the description has none of its own. */
	if (r == 0)
		r = put(dir, "/etc/apt/sources.list", "", 0, err);
	for (size_t i = 0; i < spec->nsources && r == 0; i++) {
		strbuf_reset(&text);
		rewrite_signed_by((const char *)spec->sources[i].data, spec->sources[i].len, dir, &text);
		r = put(dir, spec->sources[i].path, text.buf, text.len, err);
	}
	for (size_t i = 0; i < spec->nkeys && r == 0; i++)
		r = put(dir, spec->keys[i].path, spec->keys[i].data, spec->keys[i].len, err);
	if (r == 0) {
		strbuf_reset(&text);
		status_text(spec, &text);
		r = put(dir, "/var/lib/dpkg/status", text.buf, text.len, err);
	}
	if (r == 0) {
		strbuf_reset(&text);
		settings_text(dir, spec->arch, &text);
		r = put(dir, SETTINGS_FILE, text.buf, text.len, err);
	}
	if (r == 0)
		r = put(dir, UPDATE_CONF, update_conf, sizeof(update_conf) - 1, err);
	if (r < 0)
		goto fail;
	*ret_dir = dir;
	return 0;
fail:
	apt_target_tree_remove(dir);
	free(dir);
	return r;
}

int apt_target_tree_config(const char *dir, char ***ret)
{
	_cleanup_free_ char *path = xasprintf("%s%s", dir, SETTINGS_FILE);
	_cleanup_free_ char *text = NULL;
	char **list = NULL, *s, *line;
	size_t len, n = 0;
	int r = read_file(path, 1u << 16, &text, &len);

	if (r < 0)
		return r;
	for (s = text; (line = strsep(&s, "\n"));)
		if (*line)
			strv_push(&list, &n, xstrdup(line));
	if (!list)
		list = xcalloc(1, sizeof(*list));  /* empty, still NULL-terminated */
	*ret = list;
	return (int)n;
}

void apt_target_tree_config_free(char **config)
{
	strv_free(config);
}

int apt_target_tree_update(const char *dir, struct strbuf *err)
{
	_cleanup_free_ char *conf = xasprintf("%s%s", dir, UPDATE_CONF);
	char **settings = NULL, **argv = NULL;
	size_t n = 0;
	struct run_result rr;
	int r = apt_target_tree_config(dir, &settings);

	if (r < 0) {
		strbuf_addf(err, "cannot read the settings of %s: %s", dir, strerror(-r));
		return r;
	}
	strv_push(&argv, &n, xstrdup("apt-get"));
	strv_push(&argv, &n, xstrdup("update"));
	strv_push(&argv, &n, xstrdup("-q"));
	for (char **s = settings; *s; s++) {
		strv_push(&argv, &n, xstrdup("-o"));
		strv_push(&argv, &n, xstrdup(*s));
	}
	strv_push(&argv, &n, xstrdup("-c"));
	strv_push(&argv, &n, xstrdup(conf));
	strv_free(settings);
	r = run_command((const char *const *)argv, NULL, 0, &rr);
	strv_free(argv);
	if (r < 0) {
		strbuf_addf(err, "cannot run apt-get: %s", strerror(-r));
		return -EIO;
	}
	/* apt-get update exits 0 with a source it could not fetch ("W:" or
	 * "E:" lines): the closure would be computed without it. */
	if (rr.exit_status != 0 || strstr(rr.err.buf, "E: ") || strstr(rr.err.buf, "W: ")) {
		_cleanup_free_ char *why = last_lines(rr.err.len ? rr.err.buf : rr.out.buf, 3);

		strbuf_addf(err, "apt-get update of the described machine's sources failed: %s", why);
		run_result_release(&rr);
		return -EIO;
	}
	run_result_release(&rr);
	return 0;
}

void apt_target_tree_remove(const char *dir)
{
	int r;

	if (!dir)
		return;
	r = remove_tree(dir);
	if (r < 0)
		log_warning("cannot remove %s: %s", dir, strerror(-r));
}
