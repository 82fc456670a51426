/*
 * manifest.c - parse, check and write the manifests of placed files (the
 * format is described in manifest.h).  Parsing and formatting check every
 * field with the same predicates, so whatever parses also formats, and
 * formats back to text that parses to the same manifest (the fuzzer holds
 * us to that).
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdbool.h>

#include "fileio.h"
#include "manifest.h"
#include "sysroot.h"
#include "util.h"

/* A cuDNN manifest is a few kilobytes; this bounds a damaged one. */
#define MANIFEST_MAX_SIZE (16u << 20)
/* Longer than any path the kernel takes (PATH_MAX is 4096 with the NUL). */
#define WORD_MAX 4095

static const char header_comment[] = "# gpu-setup manifest: files placed by gpu-setup; do not edit\n";

/* ---------------------------------------------------------------- fields */

/* One word: printable, no space, no control character.  Bytes above 0x7f
 * pass, so UTF-8 names can be recorded; newlines and spaces cannot be, as
 * they would split the record. */
static bool word_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= ' ' || s[n] == 0x7f)
			return false;
	return n > 0 && n <= WORD_MAX;
}

/* Components between slashes: none empty, ".", or "..". */
static bool components_ok(const char *s)
{
	for (;;) {
		size_t n = strcspn(s, "/");

		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (!s[n])
			return true;
		s += n + 1;
	}
}

static bool relpath_ok(const char *s)
{
	return s && word_ok(s) && s[0] != '/' && components_ok(s);
}

static bool base_ok(const char *s)
{
	return s && word_ok(s) && s[0] == '/' && (s[1] == '\0' || components_ok(s + 1));
}

static bool mode_ok(unsigned mode)
{
	/* No set-id or sticky bits: gpu-setup never places such files, so a
	 * manifest that says otherwise is not one of ours. */
	return mode <= 0777;
}

/* For messages: at most 40 bytes of s, anything unprintable as '?'. */
static void add_quoted(struct strbuf *sb, const char *s, size_t len)
{
	size_t n = len < 40 ? len : 40;

	strbuf_addch(sb, '\'');
	for (size_t i = 0; i < n; i++)
		strbuf_addch(sb, (unsigned char)s[i] < ' ' || s[i] == 0x7f ? '?' : s[i]);
	strbuf_adds(sb, len > n ? "...'" : "'");
}

/* ---------------------------------------------------------------- building */

static struct manifest_entry *add_entry(struct manifest *m)
{
	struct manifest_entry *e;

	m->entries = xrealloc(m->entries, (m->nentries + 1) * sizeof(*m->entries));
	e = &m->entries[m->nentries++];
	memset(e, 0, sizeof(*e));
	return e;
}

void manifest_add_file(struct manifest *m, const char *relpath, unsigned mode, const char *sha256)
{
	struct manifest_entry *e = add_entry(m);

	e->type = MANIFEST_FILE;
	e->mode = mode;
	e->sha256 = xstrdup(sha256);
	e->relpath = xstrdup(relpath);
}

void manifest_add_link(struct manifest *m, const char *relpath, const char *target)
{
	struct manifest_entry *e = add_entry(m);

	e->type = MANIFEST_LINK;
	e->target = xstrdup(target);
	e->relpath = xstrdup(relpath);
}

const struct manifest_entry *manifest_find(const struct manifest *m, const char *relpath)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (streq(m->entries[i].relpath, relpath))
			return &m->entries[i];
	return NULL;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->nentries; i++) {
		free(m->entries[i].sha256);
		free(m->entries[i].target);
		free(m->entries[i].relpath);
	}
	free(m->entries);
	free(m->kind);
	free(m->version);
	free(m->source);
	free(m->sha256);
	free(m->base);
	memset(m, 0, sizeof(*m));
}

static int cmp_entry_path(const void *a, const void *b)
{
	const struct manifest_entry *const *x = a, *const *y = b;

	return strcmp((*x)->relpath, (*y)->relpath);
}

/* Index of the first entry whose path repeats an earlier one's, or
 * m->nentries.  Sorting pointers keeps this O(n log n) for large inputs. */
static size_t find_duplicate(const struct manifest *m)
{
	_cleanup_free_ const struct manifest_entry **sorted = NULL;
	size_t dup = m->nentries;

	if (m->nentries < 2)
		return dup;
	sorted = xmalloc(m->nentries * sizeof(*sorted));
	for (size_t i = 0; i < m->nentries; i++)
		sorted[i] = &m->entries[i];
	qsort(sorted, m->nentries, sizeof(*sorted), cmp_entry_path);
	for (size_t i = 1; i < m->nentries; i++) {
		if (streq(sorted[i - 1]->relpath, sorted[i]->relpath)) {
			size_t a = (size_t)(sorted[i - 1] - m->entries), b = (size_t)(sorted[i] - m->entries);
			size_t later = a > b ? a : b;

			if (later < dup)
				dup = later;
		}
	}
	return dup;
}

/* ---------------------------------------------------------------- parsing */

struct parser {
	struct manifest m;
	unsigned line;
	bool have_format;
	unsigned header_lines[5];   /* kind version source sha256 base: line seen, 0 never */
	unsigned *entry_lines;    /* line of each entry, for the duplicate message */
	struct strbuf *err;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err) {
		strbuf_addf(p->err, "line %u: ", p->line);
		va_start(ap, fmt);
		strbuf_vaddf(p->err, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *const header_keys[] = { "kind", "version", "source", "sha256", "base" };

static char **header_slot(struct manifest *m, size_t k)
{
	char **slots[] = { &m->kind, &m->version, &m->source, &m->sha256, &m->base };

	return slots[k];
}

/* One record split into at most 4 fields at single spaces (fields point
 * into line, which is modified). */
static int split_fields(struct parser *p, char *line, char **fields, size_t *ret_n)
{
	size_t n = 0;

	for (char *s = line;;) {
		char *sp = strchr(s, ' ');

		if (n == 4)
			return fail(p, "too many fields");
		fields[n++] = s;
		if (!sp)
			break;
		*sp = '\0';
		s = sp + 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!fields[i][0])
			return fail(p, "fields must be separated by exactly one space");
	*ret_n = n;
	return 0;
}

static int parse_header(struct parser *p, size_t k, char **fields, size_t n)
{
	const char *key = header_keys[k];
	char **slot = header_slot(&p->m, k);

	if (n != 2)
		return fail(p, "'%s' takes one value", key);
	if (p->m.nentries > 0)
		return fail(p, "'%s' after the first entry", key);
	if (*slot)
		return fail(p, "'%s' given twice (first on line %u)", key, p->header_lines[k]);
	if (!word_ok(fields[1]))
		return fail(p, "'%s' is not one printable word", key);
	if (k == 3 && !sha256_hex_canonical(fields[1]))
		return fail(p, "'sha256' is not 64 lowercase hex digits");
	if (k == 4 && !base_ok(fields[1]))
		return fail(p, "'base' is not an absolute path without '.', '..' or empty components");
	*slot = xstrdup(fields[1]);
	p->header_lines[k] = p->line;
	return 0;
}

static int parse_mode(struct parser *p, const char *s, unsigned *ret)
{
	unsigned mode = 0;

	if (strlen(s) != 4 || strspn(s, "01234567") != 4)
		return fail(p, "the mode is not four octal digits");
	for (size_t i = 0; i < 4; i++)
		mode = mode * 8 + (unsigned)(s[i] - '0');
	if (!mode_ok(mode))
		return fail(p, "mode %s has set-id or sticky bits", s);
	*ret = mode;
	return 0;
}

static void note_entry_line(struct parser *p)
{
	p->entry_lines = xrealloc(p->entry_lines, p->m.nentries * sizeof(*p->entry_lines));
	p->entry_lines[p->m.nentries - 1] = p->line;
}

static int parse_entry(struct parser *p, char **fields, size_t n)
{
	bool file = streq(fields[0], "file");
	unsigned mode = 0;
	int r;

	if (n != (file ? 4u : 3u))
		return fail(p, file ? "'file' takes a mode, a sha256 and a path" : "'link' takes a target and a path");
	if (!relpath_ok(fields[n - 1]))
		return fail(p, "the path is not relative, or has '.', '..' or empty components");
	if (file) {
		r = parse_mode(p, fields[1], &mode);
		if (r < 0)
			return r;
		if (!sha256_hex_canonical(fields[2]))
			return fail(p, "the file's sha256 is not 64 lowercase hex digits");
		manifest_add_file(&p->m, fields[3], mode, fields[2]);
	} else {
		if (!word_ok(fields[1]))
			return fail(p, "the link target is not one printable word");
		manifest_add_link(&p->m, fields[2], fields[1]);
	}
	note_entry_line(p);
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *fields[4];
	size_t n = 0;
	int r;

	if (line[0] == '#' || line[0] == '\0')
		return 0;
	r = split_fields(p, line, fields, &n);
	if (r < 0)
		return r;
	if (!p->have_format) {
		if (!streq(fields[0], "format"))
			return fail(p, "the first record must be 'format " MANIFEST_FORMAT_STR "'");
		if (n != 2 || !streq(fields[1], MANIFEST_FORMAT_STR)) {
			if (p->err) {
				strbuf_addf(p->err, "line %u: unknown manifest format ", p->line);
				add_quoted(p->err, n > 1 ? fields[1] : "", n > 1 ? strlen(fields[1]) : 0);
				strbuf_adds(p->err, " (this gpu-setup reads format " MANIFEST_FORMAT_STR ")");
			}
			return -EINVAL;
		}
		p->have_format = true;
		return 0;
	}
	for (size_t k = 0; k < ELEMENTSOF(header_keys); k++)
		if (streq(fields[0], header_keys[k]))
			return parse_header(p, k, fields, n);
	if (streq(fields[0], "file") || streq(fields[0], "link"))
		return parse_entry(p, fields, n);
	if (streq(fields[0], "format"))
		return fail(p, "'format' given twice");
	if (p->err) {
		strbuf_addf(p->err, "line %u: unknown key ", p->line);
		add_quoted(p->err, fields[0], strlen(fields[0]));
	}
	return -EINVAL;
}

static int parse_finish(struct parser *p)
{
	size_t dup;

	if (!p->have_format)
		return fail(p, "no 'format' record: this is not a gpu-setup manifest");
	for (size_t k = 0; k < ELEMENTSOF(header_keys); k++) {
		/* source and sha256 are optional: not every kind has an archive. */
		if (k == 2 || k == 3)
			continue;
		if (!*header_slot(&p->m, k))
			return fail(p, "no '%s' record", header_keys[k]);
	}
	dup = find_duplicate(&p->m);
	if (dup < p->m.nentries) {
		p->line = p->entry_lines[dup];
		return fail(p, "path '%s' listed twice", p->m.entries[dup].relpath);
	}
	return 0;
}

int manifest_parse(const char *text, size_t len, struct manifest *ret, struct strbuf *err)
{
	struct parser p = { .err = err };
	_cleanup_free_ char *copy = NULL;
	char *s, *end;
	int r = 0;

	if (len == 0) {
		p.line = 1;
		r = fail(&p, "the manifest is empty");
		goto out;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (s = copy, end = copy + len; s < end; s++) {
		char *nl = memchr(s, '\n', (size_t)(end - s));

		p.line++;
		if (!nl) {
			r = fail(&p, "no newline at the end: the manifest is cut off");
			goto out;
		}
		*nl = '\0';
		if (strlen(s) != (size_t)(nl - s)) {
			r = fail(&p, "the line holds a NUL byte");
			goto out;
		}
		r = parse_line(&p, s);
		if (r < 0)
			goto out;
		s = nl;
	}
	r = parse_finish(&p);
out:
	free(p.entry_lines);
	if (r < 0) {
		manifest_free(&p.m);
		return r;
	}
	*ret = p.m;
	return 0;
}

/* ---------------------------------------------------------------- formatting */

static int invalid(struct strbuf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int invalid(struct strbuf *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		strbuf_adds(err, "cannot write a manifest: ");
		va_start(ap, fmt);
		strbuf_vaddf(err, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int validate(const struct manifest *m, struct strbuf *err)
{
	size_t dup;

	if (!m->kind || !word_ok(m->kind))
		return invalid(err, "the kind is missing or not one printable word");
	if (!m->version || !word_ok(m->version))
		return invalid(err, "the version is missing or not one printable word");
	if (m->source && !word_ok(m->source))
		return invalid(err, "the source name has a space, newline or control character");
	if (m->sha256 && !sha256_hex_canonical(m->sha256))
		return invalid(err, "the source sha256 is not 64 lowercase hex digits");
	if (!base_ok(m->base))
		return invalid(err, "the base is not an absolute path without '.', '..' or empty components");
	for (size_t i = 0; i < m->nentries; i++) {
		const struct manifest_entry *e = &m->entries[i];

		if (!relpath_ok(e->relpath))
			return invalid(err, "path '%s' is not relative, or has a space, newline, '.', '..' or empty component",
				       e->relpath ? e->relpath : "");
		if (e->type == MANIFEST_FILE && (!mode_ok(e->mode) || !sha256_hex_canonical(e->sha256)))
			return invalid(err, "file '%s' has a bad mode or sha256", e->relpath);
		if (e->type == MANIFEST_LINK && (!e->target || !word_ok(e->target)))
			return invalid(err, "link '%s' has a target with a space, newline or control character",
				       e->relpath);
		if (e->type != MANIFEST_FILE && e->type != MANIFEST_LINK)
			return invalid(err, "entry '%s' is neither a file nor a link", e->relpath);
	}
	dup = find_duplicate(m);
	if (dup < m->nentries)
		return invalid(err, "path '%s' listed twice", m->entries[dup].relpath);
	return 0;
}

int manifest_format(const struct manifest *m, struct strbuf *out, struct strbuf *err)
{
	int r = validate(m, err);

	if (r < 0)
		return r;
	strbuf_adds(out, header_comment);
	strbuf_addf(out, "format " MANIFEST_FORMAT_STR "\nkind %s\nversion %s\n", m->kind, m->version);
	if (m->source)
		strbuf_addf(out, "source %s\n", m->source);
	if (m->sha256)
		strbuf_addf(out, "sha256 %s\n", m->sha256);
	strbuf_addf(out, "base %s\n", m->base);
	for (size_t i = 0; i < m->nentries; i++) {
		const struct manifest_entry *e = &m->entries[i];

		if (e->type == MANIFEST_FILE)
			strbuf_addf(out, "file %04o %s %s\n", e->mode, e->sha256, e->relpath);
		else
			strbuf_addf(out, "link %s %s\n", e->target, e->relpath);
	}
	return 0;
}

/* ---------------------------------------------------------------- files */

int manifest_read(const char *abs_path, struct manifest *ret, struct strbuf *err)
{
	_cleanup_free_ char *path = sysroot_path(abs_path), *text = NULL;
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	size_t len;
	int r;

	r = read_file(path, MANIFEST_MAX_SIZE, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r < 0) {
		if (err)
			strbuf_addf(err, "cannot read manifest '%s': %s", path,
				    r == -EFBIG ? "larger than any manifest gpu-setup writes" : strerror(-r));
		return r;
	}
	strbuf_init(&why);
	r = manifest_parse(text, len, ret, &why);
	if (r < 0 && err)
		strbuf_addf(err, "manifest '%s' is damaged (%s): gpu-setup will not act on it", path, why.buf);
	return r;
}

int manifest_write(const char *abs_path, const struct manifest *m, struct strbuf *err)
{
	_cleanup_free_ char *path = sysroot_path(abs_path), *dir = xstrdup(path);
	_cleanup_strbuf_ struct strbuf text = STRBUF_INIT;
	int r;

	strbuf_init(&text);
	r = manifest_format(m, &text, err);
	if (r < 0)
		return r;
	r = mkdir_p(dirname(dir), 0755);
	if (r >= 0)
		r = write_file_atomic(path, text.buf, text.len, 0644);
	if (r < 0 && err)
		strbuf_addf(err, "cannot write manifest '%s': %s", path, strerror(-r));
	return r;
}
