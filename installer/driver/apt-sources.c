/*
 * apt-sources.c - add the non-free components to the Debian archive
 * entries of apt's sources by inserting words into the text, never by
 * re-serialising it: whatever a person wrote around an entry stays theirs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/stat.h>

#include "apt-sources.h"
#include "fileio.h"
#include "sysroot.h"
#include "util.h"

/* Sources files are a few kilobytes; anything near this is not one. */
#define SOURCES_MAX_SIZE (1024 * 1024)

const char *const *debian_nonfree_components(const char *distro_id_version)
{
	static const char *const bullseye[] = { "contrib", "non-free", NULL };
	static const char *const bookworm_on[] = { "contrib", "non-free", "non-free-firmware", NULL };
	const char *v;
	unsigned long major;
	char *end;

	if (!distro_id_version || !startswith(distro_id_version, "debian-"))
		return NULL;
	v = distro_id_version + strlen("debian-");
	if (*v < '0' || *v > '9')
		return NULL;
	errno = 0;
	major = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return NULL;
	if (major == 11)
		return bullseye;
	/* non-free-firmware was split out of non-free in bookworm (12). */
	if (major >= 12)
		return bookworm_on;
	return NULL;
}

/* ---------------------------------------------------------------- words */

/* A word of the text being fixed: a pointer into it and a length. */
struct word {
	const char *p;
	size_t len;
};

struct words {
	struct word *v;
	size_t n, alloc;
};

static void words_add(struct words *w, const char *p, size_t len)
{
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? 2 * w->alloc : 8;
		w->v = xrealloc(w->v, w->alloc * sizeof(*w->v));
	}
	w->v[w->n++] = (struct word){ p, len };
}

static void words_release(struct words *w)
{
	free(w->v);
	*w = (struct words){ 0 };
}

static bool word_is(struct word w, const char *s)
{
	size_t n = strlen(s);

	return w.len == n && memcmp(w.p, s, n) == 0;
}

static bool words_have(const struct words *w, const char *s)
{
	for (size_t i = 0; i < w->n; i++)
		if (word_is(w->v[i], s))
			return true;
	return false;
}

/* '\r' is a blank, as apt strips it too: a CRLF file parses like an LF
 * one, and words inserted before the blanks keep the '\r' at the end. */
static bool is_apt_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The next word in [*p, end), advancing *p past it; false when none. */
static bool next_word(const char **p, const char *end, struct word *ret)
{
	const char *s = *p, *e;

	while (s < end && is_apt_blank(*s))
		s++;
	if (s == end)
		return false;
	for (e = s; e < end && !is_apt_blank(*e); e++)
		;
	*ret = (struct word){ s, (size_t)(e - s) };
	*p = e;
	return true;
}

/* Words of [p, end) appended to w; returns the end of the last one, or
 * NULL when the range is blank. */
static const char *split_words(const char *p, const char *end, struct words *w)
{
	const char *last = NULL;
	struct word wd;

	while (next_word(&p, end, &wd)) {
		words_add(w, wd.p, wd.len);
		last = wd.p + wd.len;
	}
	return last;
}

/* Text from the file shown to a person: control bytes become '?'. */
static void add_shown(struct strbuf *sb, const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		strbuf_addch(sb, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
}

static void add_shown_words(struct strbuf *sb, const struct words *w)
{
	for (size_t i = 0; i < w->n; i++) {
		if (i > 0)
			strbuf_addch(sb, ' ');
		add_shown(sb, w->v[i].p, w->v[i].len);
	}
}

static int bad(struct strbuf *err, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(struct strbuf *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		strbuf_addf(err, "line %u: ", line);
		va_start(ap, fmt);
		strbuf_vaddf(err, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---------------------------------------------------------------- fixing */

struct fixer {
	const char *text;
	const char *codename;
	const char *const *components;
	struct strbuf out;      /* text[0, copied) plus the insertions so far */
	size_t copied;
	struct strbuf changes;
	unsigned changed, found;
};

/* The suites a release's Debian archive entries use: the release itself,
 * its point-release updates and its security archive (CODENAME/updates is
 * the security suite's name before bullseye). */
static bool release_suite(struct word w, const char *codename)
{
	size_t n = strlen(codename);
	struct word rest;

	if (w.len < n || memcmp(w.p, codename, n) != 0)
		return false;
	rest = (struct word){ w.p + n, w.len - n };
	return rest.len == 0 || word_is(rest, "-updates") || word_is(rest, "-security") ||
	       word_is(rest, "/updates");
}

/* One parsed entry; when it is a Debian archive entry for the release that
 * lacks components, they are inserted into the text at offset at (just
 * after its last component). */
static void fix_entry(struct fixer *f, unsigned line, const struct words *types,
		      const struct words *uris, const struct words *suites, const struct words *comps,
		      size_t at)
{
	_cleanup_strbuf_ struct strbuf add = STRBUF_INIT;
	bool suite = false;

	for (size_t i = 0; i < suites->n && !suite; i++)
		suite = release_suite(suites->v[i], f->codename);
	/* main is what marks the Debian archive: a third-party repository
	 * for the same codename names its own components. */
	if (!words_have(types, "deb") || !suite || !words_have(comps, "main"))
		return;
	f->found++;

	strbuf_init(&add);
	for (size_t i = 0; f->components[i]; i++) {
		const char *c = f->components[i];
		bool dup = false;

		for (size_t j = 0; j < i && !dup; j++)
			dup = streq(f->components[j], c);
		if (!*c || dup || words_have(comps, c))
			continue;
		strbuf_addch(&add, ' ');
		strbuf_adds(&add, c);
	}
	if (add.len == 0)
		return;

	strbuf_add(&f->out, f->text + f->copied, at - f->copied);
	strbuf_add(&f->out, add.buf, add.len);
	f->copied = at;
	f->changed++;

	strbuf_addf(&f->changes, "line %u: ", line);
	add_shown_words(&f->changes, uris);
	strbuf_addch(&f->changes, ' ');
	add_shown_words(&f->changes, suites);
	strbuf_adds(&f->changes, ": ");
	add_shown_words(&f->changes, comps);
	strbuf_adds(&f->changes, " -> ");
	add_shown_words(&f->changes, comps);
	add_shown(&f->changes, add.buf, add.len);
	strbuf_addch(&f->changes, '\n');
}

/* One line of the one-line format, without its comment:
 *   TYPE [ OPTIONS ] URI SUITE [COMPONENT...]   */
static int one_line_entry(struct fixer *f, const char *p, const char *end, unsigned line,
			  struct strbuf *err)
{
	_cleanup_(words_release) struct words types = { 0 }, uris = { 0 }, suites = { 0 }, comps = { 0 };
	const char *last;
	struct word w;

	if (!next_word(&p, end, &w))
		return 0;
	if (!word_is(w, "deb") && !word_is(w, "deb-src")) {
		if (err) {
			strbuf_addf(err, "line %u: unknown type '", line);
			add_shown(err, w.p, w.len > 40 ? 40 : w.len);
			strbuf_adds(err, "' (deb or deb-src expected)");
		}
		return -EINVAL;
	}
	words_add(&types, w.p, w.len);
	while (p < end && is_apt_blank(*p))
		p++;
	if (p < end && *p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close)
			return bad(err, line, "options opened with '[' are not closed with ']'");
		p = close + 1;
	}
	if (!next_word(&p, end, &w))
		return bad(err, line, "entry without a URI");
	words_add(&uris, w.p, w.len);
	if (!next_word(&p, end, &w))
		return bad(err, line, "entry without a suite");
	words_add(&suites, w.p, w.len);
	last = split_words(p, end, &comps);
	if (!last)
		last = w.p + w.len;
	fix_entry(f, line, &types, &uris, &suites, &comps, (size_t)(last - f->text));
	return 0;
}

static int fix_one_line(struct fixer *f, struct strbuf *err)
{
	unsigned line = 0;

	for (const char *p = f->text; *p;) {
		const char *nl = strchr(p, '\n');
		const char *eol = nl ? nl : p + strlen(p);
		/* apt ends an entry at the first '#' anywhere in the line. */
		const char *hash = memchr(p, '#', (size_t)(eol - p));
		int r;

		r = one_line_entry(f, p, hash ? hash : eol, ++line, err);
		if (r < 0)
			return r;
		p = nl ? nl + 1 : eol;
	}
	return 0;
}

enum { F_TYPES, F_URIS, F_SUITES, F_COMPONENTS, F_ENABLED, F_COUNT };
static const char *const field_names[F_COUNT] = { "Types", "URIs", "Suites", "Components", "Enabled" };
#define FIELD_OTHER (-1)
#define FIELD_NONE (-2)

struct stanza {
	bool any;                 /* holds a field (not only comments) */
	unsigned first_line;
	bool seen[F_COUNT];
	unsigned line[F_COUNT];
	struct words val[F_COUNT];
	size_t comp_end;          /* just after the last word of Components */
	int cur;                  /* the field the last line belongs to */
};

static void stanza_reset(struct stanza *st)
{
	for (int i = 0; i < F_COUNT; i++)
		words_release(&st->val[i]);
	*st = (struct stanza){ .cur = FIELD_NONE };
}

/* apt reads Enabled as a boolean; only a false one disables the stanza. */
static bool stanza_disabled(const struct stanza *st)
{
	static const char *const no[] = { "no", "false", "off", "without", "disable", "0" };
	const struct words *w = &st->val[F_ENABLED];

	if (!st->seen[F_ENABLED] || w->n == 0)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(no); i++)
		if (w->v[0].len == strlen(no[i]) && strncasecmp(w->v[0].p, no[i], w->v[0].len) == 0)
			return true;
	return false;
}

static int stanza_finish(struct fixer *f, struct stanza *st, struct strbuf *err)
{
	if (!st->any || stanza_disabled(st))
		return 0;
	for (int i = F_TYPES; i <= F_SUITES; i++)
		if (st->val[i].n == 0)
			return bad(err, st->first_line, "stanza without %s", field_names[i]);
	fix_entry(f, st->line[F_COMPONENTS], &st->val[F_TYPES], &st->val[F_URIS], &st->val[F_SUITES],
		  &st->val[F_COMPONENTS], st->comp_end);
	return 0;
}

/* Words of one line of field cur; Components also records where its last
 * word ends, which is where new ones go. */
static void field_words(struct fixer *f, struct stanza *st, const char *p, const char *eol)
{
	const char *last;

	if (st->cur < 0)
		return;
	last = split_words(p, eol, &st->val[st->cur]);
	if (last && st->cur == F_COMPONENTS)
		st->comp_end = (size_t)(last - f->text);
}

static int deb822_line(struct fixer *f, struct stanza *st, const char *p, const char *eol,
		       unsigned line, struct strbuf *err)
{
	const char *s = p, *colon, *name_end;
	int idx = FIELD_OTHER;

	/* apt drops comment lines before it reads the stanza, so they
	 * neither end a stanza nor a field's continuation lines. */
	if (*p == '#')
		return 0;
	while (s < eol && is_apt_blank(*s))
		s++;
	if (s == eol)
		return 0; /* blank: the caller ends the stanza */
	if (is_apt_blank(*p)) {
		if (st->cur == FIELD_NONE)
			return bad(err, line, "continuation line outside a field");
		field_words(f, st, p, eol);
		return 0;
	}
	colon = memchr(p, ':', (size_t)(eol - p));
	if (!colon)
		return bad(err, line, "expected 'Field: value'");
	for (name_end = colon; name_end > p && is_apt_blank(name_end[-1]); name_end--)
		;
	/* A field name has no blanks: such a line is an entry of the other
	 * format, or text that lost its leading space. */
	for (const char *c = p; c < name_end; c++)
		if (is_apt_blank(*c))
			return bad(err, line, "expected 'Field: value'");
	for (int i = 0; i < F_COUNT; i++)
		if ((size_t)(name_end - p) == strlen(field_names[i]) &&
		    strncasecmp(p, field_names[i], strlen(field_names[i])) == 0)
			idx = i;
	if (idx >= 0) {
		if (st->seen[idx])
			return bad(err, line, "field %s given twice", field_names[idx]);
		st->seen[idx] = true;
		st->line[idx] = line;
	}
	if (!st->any) {
		st->any = true;
		st->first_line = line;
	}
	st->cur = idx;
	field_words(f, st, colon + 1, eol);
	return 0;
}

static int fix_deb822(struct fixer *f, struct strbuf *err)
{
	struct stanza st = { .cur = FIELD_NONE };
	unsigned line = 0;
	int r = 0;

	for (const char *p = f->text; *p && r >= 0;) {
		const char *nl = strchr(p, '\n');
		const char *eol = nl ? nl : p + strlen(p);
		const char *s = p;

		while (s < eol && is_apt_blank(*s))
			s++;
		line++;
		if (s == eol) {
			r = stanza_finish(f, &st, err);
			stanza_reset(&st);
		} else {
			r = deb822_line(f, &st, p, eol, line, err);
		}
		p = nl ? nl + 1 : eol;
	}
	if (r >= 0)
		r = stanza_finish(f, &st, err);
	stanza_reset(&st);
	return r;
}

int apt_sources_fix_text(const char *text, enum apt_sources_format fmt, const char *codename,
			 const char *const *components, char **ret_text, unsigned *ret_found,
			 struct strbuf *changes, struct strbuf *err)
{
	static const char *const none[] = { NULL };
	struct fixer f = {
		.text = text,
		.codename = codename,
		.components = components ? components : none,
	};
	int r;

	if (!codename || !*codename) {
		if (err)
			strbuf_adds(err, "no release codename given");
		return -EINVAL;
	}
	strbuf_init(&f.out);
	strbuf_init(&f.changes);
	switch (fmt) {
	case APT_SOURCES_ONE_LINE:
		r = fix_one_line(&f, err);
		break;
	case APT_SOURCES_DEB822:
		r = fix_deb822(&f, err);
		break;
	default:
		r = -EINVAL;
	}
	if (r < 0) {
		strbuf_release(&f.out);
		strbuf_release(&f.changes);
		return r;
	}
	strbuf_adds(&f.out, text + f.copied);
	*ret_text = strbuf_detach(&f.out, NULL);
	if (ret_found)
		*ret_found = f.found;
	if (changes)
		strbuf_add(changes, f.changes.buf, f.changes.len);
	strbuf_release(&f.changes);
	return (int)f.changed;
}

/* ---------------------------------------------------------------- scan */

void apt_sources_plan_free(struct apt_sources_plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].path);
		free(p->files[i].old_text);
		free(p->files[i].new_text);
		free(p->files[i].changes);
	}
	free(p->files);
	*p = (struct apt_sources_plan){ 0 };
}

static void plan_freep(struct apt_sources_plan *p)
{
	apt_sources_plan_free(p);
}

static int fail(struct strbuf *err, int r, const char *path, const char *what)
{
	if (err)
		strbuf_addf(err, "%s: %s: %s", path, what, strerror(-r));
	return r;
}

/* The names apt reads in sources.list.d, and in which format. */
static bool sources_name(const char *name, enum apt_sources_format *ret_fmt)
{
	size_t n = strlen(name);

	for (const char *c = name; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') &&
		    *c != '_' && *c != '-' && *c != '.')
			return false;
	if (n > strlen(".list") && streq(name + n - strlen(".list"), ".list")) {
		*ret_fmt = APT_SOURCES_ONE_LINE;
		return true;
	}
	if (n > strlen(".sources") && streq(name + n - strlen(".sources"), ".sources")) {
		*ret_fmt = APT_SOURCES_DEB822;
		return true;
	}
	return false;
}

static int scan_file(struct apt_sources_plan *plan, const char *path, enum apt_sources_format fmt,
		     const char *codename, const char *const *components, struct strbuf *err)
{
	_cleanup_free_ char *full = NULL;
	_cleanup_free_ char *data = NULL, *fixed = NULL;
	_cleanup_strbuf_ struct strbuf changes = STRBUF_INIT, perr = STRBUF_INIT;
	struct apt_sources_file *af;
	unsigned found = 0;
	struct stat st;
	size_t len;
	int r;

	/* stat, not lstat: apt reads a sources file through a symlink too;
	 * the link is followed inside the root, never to the host's file. */
	r = sysroot_host_path(path, &full);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return fail(err, r, path, "cannot resolve");
	if (stat(full, &st) < 0)
		return errno == ENOENT ? 0 : fail(err, -errno, path, "cannot stat");
	if (!S_ISREG(st.st_mode))
		return 0;
	r = read_file(full, SOURCES_MAX_SIZE, &data, &len);
	if (r < 0)
		return fail(err, r, path, "cannot read");
	if (strlen(data) != len) {
		if (err)
			strbuf_addf(err, "%s: holds a NUL byte", path);
		return -EINVAL;
	}
	strbuf_init(&changes);
	strbuf_init(&perr);
	r = apt_sources_fix_text(data, fmt, codename, components, &fixed, &found, &changes, &perr);
	if (r < 0) {
		if (err)
			strbuf_addf(err, "%s: %s", path, perr.buf);
		return r;
	}
	plan->found += found;
	if (r == 0)
		return 0;
	plan->files = xrealloc(plan->files, (plan->nfiles + 1) * sizeof(*plan->files));
	af = &plan->files[plan->nfiles++];
	*af = (struct apt_sources_file){
		.path = xstrdup(path),
		.old_text = TAKE_PTR(data),
		.new_text = TAKE_PTR(fixed),
		.changes = strbuf_detach(&changes, NULL),
		.changed = (unsigned)r,
		.mode = st.st_mode & 07777,
		.uid = st.st_uid,
		.gid = st.st_gid,
	};
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* The names in sources.list.d apt reads, sorted as apt sorts them. */
static int list_dir(const char *dir, char ***ret_names, size_t *ret_n, struct strbuf *err)
{
	_cleanup_free_ char *full = sysroot_path(dir);
	_cleanup_(closedirp) DIR *d = opendir(full);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR) {
			*ret_names = NULL;
			*ret_n = 0;
			return 0;
		}
		return fail(err, -errno, dir, "cannot open");
	}
	for (errno = 0; (de = readdir(d)); errno = 0) {
		enum apt_sources_format fmt;

		if (!sources_name(de->d_name, &fmt))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		int r = -errno;

		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return fail(err, r, dir, "cannot read");
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

int apt_sources_scan(const char *codename, const char *const *components,
		     struct apt_sources_plan *ret, struct strbuf *err)
{
	static const char dir[] = "/etc/apt/sources.list.d";
	_cleanup_(plan_freep) struct apt_sources_plan plan = { 0 };
	char **names = NULL;
	size_t n = 0;
	int r;

	r = scan_file(&plan, "/etc/apt/sources.list", APT_SOURCES_ONE_LINE, codename, components, err);
	if (r < 0)
		return r;
	r = list_dir(dir, &names, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		enum apt_sources_format fmt = APT_SOURCES_ONE_LINE;

		if (r >= 0) {
			_cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);

			sources_name(names[i], &fmt);
			r = scan_file(&plan, path, fmt, codename, components, err);
		}
		free(names[i]);
	}
	free(names);
	if (r < 0)
		return r;
	*ret = plan;
	plan = (struct apt_sources_plan){ 0 };
	return 0;
}

/* ---------------------------------------------------------------- apply */

char *apt_sources_backup_path(const char *path, const char *stamp)
{
	return xasprintf("%s.gpu-setup-%s.bak", path, stamp);
}

static bool stamp_ok(const char *stamp)
{
	if (!stamp || !*stamp)
		return false;
	for (const char *c = stamp; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') &&
		    *c != '_' && *c != '-' && *c != '.')
			return false;
	return true;
}

/* Before anything changes: the file is still what the plan was made from,
 * and its backup name is free. */
static int check_file(const struct apt_sources_file *af, const char *stamp, struct strbuf *err)
{
	_cleanup_free_ char *full = sysroot_path(af->path);
	_cleanup_free_ char *bak = apt_sources_backup_path(af->path, stamp);
	_cleanup_free_ char *full_bak = sysroot_path(bak);
	_cleanup_free_ char *data = NULL;
	struct stat st;
	size_t len;
	int r;

	if (lstat(full, &st) < 0)
		return fail(err, -errno, af->path, "cannot stat");
	/* Replacing a link with a file would cut the link; editing its
	 * target is not what the user was shown. */
	if (S_ISLNK(st.st_mode)) {
		if (err)
			strbuf_addf(err, "%s: a symbolic link, not edited through; edit its target by hand",
				    af->path);
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode)) {
		if (err)
			strbuf_addf(err, "%s: not a regular file", af->path);
		return -EINVAL;
	}
	r = read_file(full, SOURCES_MAX_SIZE, &data, &len);
	if (r < 0)
		return fail(err, r, af->path, "cannot read");
	if (len != strlen(af->old_text) || memcmp(data, af->old_text, len) != 0) {
		if (err)
			strbuf_addf(err, "%s: changed since it was read; run again", af->path);
		return -ESTALE;
	}
	if (lstat(full_bak, &st) == 0) {
		if (err)
			strbuf_addf(err, "%s: backup '%s' exists already", af->path, bak);
		return -EEXIST;
	}
	if (errno != ENOENT)
		return fail(err, -errno, bak, "cannot stat");
	return 0;
}

/* The owner only changes when it differs, so a non-root run (tests) on its
 * own files needs no privilege. */
static int keep_owner(int fd, const char *path, const struct apt_sources_file *af)
{
	struct stat st;

	if ((fd >= 0 ? fstat(fd, &st) : stat(path, &st)) < 0)
		return -errno;
	if (st.st_uid == af->uid && st.st_gid == af->gid)
		return 0;
	if ((fd >= 0 ? fchown(fd, af->uid, af->gid) : chown(path, af->uid, af->gid)) < 0)
		return -errno;
	return 0;
}

/* O_EXCL: a backup that appeared since the check is not overwritten.  Its
 * directory entry becomes durable with the rewrite of the file next to it
 * (write_file_atomic syncs that directory). */
static int write_backup(const char *full_bak, const struct apt_sources_file *af)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = open(full_bak, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, af->old_text, strlen(af->old_text));
	if (r >= 0)
		r = keep_owner(fd, NULL, af);
	if (r >= 0 && fchmod(fd, af->mode) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0) {
		r = close(fd) < 0 ? -errno : 0;
		fd = -1;
	}
	if (r < 0)
		unlink(full_bak);
	return r;
}

static int write_text(const char *full, const char *text, const struct apt_sources_file *af)
{
	int r = write_file_atomic(full, text, strlen(text), af->mode);

	if (r < 0)
		return r;
	return keep_owner(-1, full, af);
}

/* Put back the old text of the first n files and drop their backups.  A
 * backup stays where its file could not be restored. */
/* Returns how many files could not be restored. */
static size_t roll_back(const struct apt_sources_plan *p, size_t n, const char *stamp, struct strbuf *err)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++) {
		const struct apt_sources_file *af = &p->files[i];
		_cleanup_free_ char *full = sysroot_path(af->path);
		_cleanup_free_ char *bak = apt_sources_backup_path(af->path, stamp);
		_cleanup_free_ char *full_bak = sysroot_path(bak);

		if (write_text(full, af->old_text, af) < 0) {
			if (err)
				strbuf_addf(err, "; %s could not be restored: its old text is in '%s'",
					    af->path, bak);
			failed++;
			continue;
		}
		unlink(full_bak);
	}
	return failed;
}

int apt_sources_revert(const struct apt_sources_plan *p, const char *stamp, struct strbuf *err)
{
	return roll_back(p, p->nfiles, stamp, err) ? -EIO : 0;
}

int apt_sources_apply(const struct apt_sources_plan *p, const char *stamp, struct strbuf *err)
{
	int r;

	if (!stamp_ok(stamp)) {
		if (err)
			strbuf_addf(err, "backup stamp '%s' is not made of letters, digits, '_', '-', '.'",
				    stamp ? stamp : "");
		return -EINVAL;
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		r = check_file(&p->files[i], stamp, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		const struct apt_sources_file *af = &p->files[i];
		_cleanup_free_ char *full = sysroot_path(af->path);
		_cleanup_free_ char *bak = apt_sources_backup_path(af->path, stamp);
		_cleanup_free_ char *full_bak = sysroot_path(bak);

		r = write_backup(full_bak, af);
		if (r < 0) {
			fail(err, r, bak, "cannot write backup");
			roll_back(p, i, stamp, err);
			return r;
		}
		r = write_file_atomic(full, af->new_text, strlen(af->new_text), af->mode);
		if (r < 0) {
			/* write_file_atomic left this file as it was. */
			unlink(full_bak);
			fail(err, r, af->path, "cannot write");
			roll_back(p, i, stamp, err);
			return r;
		}
		r = keep_owner(-1, full, af);
		if (r < 0) {
			fail(err, r, af->path, "cannot keep the owner");
			roll_back(p, i + 1, stamp, err);
			return r;
		}
	}
	return (int)p->nfiles;
}
