/*
 * table.c - TAB-separated compat table loader with file:line errors.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "fileio.h"
#include "table.h"
#include "util.h"

/* Compat tables are small; anything larger is not one of ours. */
#define TABLE_MAX_SIZE (4u << 20)

static size_t split_tabs(char *line, char **cells, size_t max)
{
	size_t n = 0;

	for (;;) {
		char *tab = strchr(line, '\t');
		if (n < max)
			cells[n] = line;
		n++;
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

/* The value of a kept comment ("# reviewed: ...", "#@ from: ...",
 * "#@ inferred: ..."), its trailing spaces cut off in place. */
static const char *comment_value(char *line, const char *prefix)
{
	char *v, *end;

	if (!startswith(line, prefix))
		return NULL;
	v = line + strlen(prefix);
	v += strspn(v, " \t");
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return *v ? v : NULL;
}

static void kept_comment(struct table *t, char *line, const char **origin, const char **inferred)
{
	const char *v;

	if ((v = comment_value(line, "# reviewed:")))
		t->reviewed = v;
	else if ((v = comment_value(line, "#@ from:")))
		*origin = v;
	else if ((v = comment_value(line, "#@ inferred:")))
		*inferred = v;
}

int table_load(const char *path, const char *const *columns, size_t ncols,
	       struct table *ret, struct strbuf *err)
{
	struct table t = { 0 };
	const char *origin = NULL, *inferred = NULL;
	char *line, *next;
	unsigned lineno = 0;
	int have_header = 0;
	size_t len, alloc = 0;
	int r;

	r = read_file(path, TABLE_MAX_SIZE, &t.storage, &len);
	if (r < 0) {
		strbuf_addf(err, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	if (memchr(t.storage, '\0', len)) {
		strbuf_addf(err, "%s: contains a NUL byte: not a text table", path);
		free(t.storage);
		return -EINVAL;
	}
	t.path = xstrdup(path);
	t.ncols = ncols;
	for (line = t.storage; line && *line; line = next) {
		char **cells;
		size_t n;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#') {
			kept_comment(&t, line, &origin, &inferred);
			continue;
		}
		if (line[strspn(line, " \t\r")] == '\0')
			continue;
		if (line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		cells = xcalloc(ncols, sizeof(char *));
		n = split_tabs(line, cells, ncols);
		if (n != ncols) {
			strbuf_addf(err, "%s:%u: %zu columns, expected %zu (cells are separated by one TAB)",
				    path, lineno, n, ncols);
			free(cells);
			goto fail;
		}
		for (size_t i = 0; i < ncols; i++) {
			if (cells[i][0] == '\0' || isspace((unsigned char)cells[i][0]) ||
			    isspace((unsigned char)cells[i][strlen(cells[i]) - 1])) {
				strbuf_addf(err, "%s:%u: column '%s' is empty or has surrounding spaces (use '-' for unknown)",
					    path, lineno, columns[i]);
				free(cells);
				goto fail;
			}
		}
		if (!have_header) {
			for (size_t i = 0; i < ncols; i++)
				if (!streq(cells[i], columns[i])) {
					strbuf_addf(err, "%s:%u: column %zu is '%s', expected '%s'",
						    path, lineno, i + 1, cells[i], columns[i]);
					free(cells);
					goto fail;
				}
			free(cells);
			have_header = 1;
			continue;
		}
		if (t.nrows == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			t.rows = xrealloc(t.rows, alloc * sizeof(*t.rows));
		}
		t.rows[t.nrows] = (struct table_row){ .line = lineno, .cells = cells, .origin = origin,
						     .inferred = inferred };
		inferred = NULL;
		t.nrows++;
	}
	if (!have_header) {
		strbuf_addf(err, "%s: no header line naming the columns", path);
		goto fail;
	}
	*ret = t;
	return 0;
fail:
	table_free(&t);
	return -EINVAL;
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i].cells);
	free(t->rows);
	free(t->storage);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

int table_cell_unknown(const char *cell)
{
	return streq(cell, "-");
}

int table_parse_hex16(const char *cell, unsigned *ret)
{
	unsigned v = 0;

	if (strlen(cell) != 4)
		return -EINVAL;
	for (const char *p = cell; *p; p++) {
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return -EINVAL;
		v = v * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : *p - 'a' + 10);
	}
	*ret = v;
	return 0;
}

int table_parse_uint(const char *cell, unsigned long max, unsigned *ret)
{
	unsigned long v = 0;

	if (!*cell || strlen(cell) > 9)
		return -EINVAL;
	for (const char *p = cell; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int table_parse_size(const char *cell, unsigned long long *ret)
{
	unsigned long long v = 0;

	if (!*cell || strlen(cell) > 15)
		return -EINVAL;
	for (const char *p = cell; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v >= (1ULL << 50))
		return -EINVAL;
	*ret = v;
	return 0;
}

int table_parse_cc(const char *cell, unsigned *ret)
{
	const char *dot = strchr(cell, '.');
	unsigned major, minor;
	char buf[8];

	if (!dot || dot == cell || (size_t)(dot - cell) >= sizeof(buf) || strlen(dot + 1) != 1)
		return -EINVAL;
	memcpy(buf, cell, (size_t)(dot - cell));
	buf[dot - cell] = '\0';
	if (table_parse_uint(buf, 99, &major) < 0 || table_parse_uint(dot + 1, 9, &minor) < 0)
		return -EINVAL;
	*ret = major * 10 + minor;
	return 0;
}

int table_parse_version(const char *cell, struct version *ret)
{
	return version_parse(cell, ret);
}

int table_split_list(const char *cell, char ***ret, size_t *ret_n)
{
	size_t n = 1, len = strlen(cell);
	char **list, *text;

	for (const char *p = cell; *p; p++)
		n += *p == ',';
	list = xmalloc((n + 1) * sizeof(char *) + len + 1);
	text = (char *)(list + n + 1);
	memcpy(text, cell, len + 1);
	for (size_t i = 0; i < n; i++) {
		char *comma = strchr(text, ',');

		if (comma)
			*comma = '\0';
		if (!*text) {
			free(list);
			return -EINVAL;
		}
		list[i] = text;
		text = comma ? comma + 1 : text + strlen(text);
	}
	list[n] = NULL;
	*ret = list;
	*ret_n = n;
	return 0;
}

const char *table_row_file(const struct table *t, const struct table_row *row)
{
	return row->file ? row->file : t->path;
}

/* Keys compared with runs of digits as numbers: 2.9 < 2.10, cu126 < cu130. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t la, lb;

			a += strspn(a, "0");
			b += strspn(b, "0");
			la = strspn(a, "0123456789");
			lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			if (memcmp(a, b, la))
				return memcmp(a, b, la);
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int key_cmp(const struct table_row *a, const struct table_row *b, size_t nkey)
{
	for (size_t i = 0; i < nkey; i++) {
		int c = natural_cmp(a->cells[i], b->cells[i]);

		if (c)
			return c;
	}
	return 0;
}

void table_merge(struct table *base, struct table *over, size_t nkey)
{
	for (size_t k = 0; k < over->nrows; k++) {
		struct table_row row = over->rows[k];
		size_t at = base->nrows;

		row.file = over->path;
		for (size_t i = 0; i < base->nrows; i++) {
			int c = key_cmp(&row, &base->rows[i], nkey);

			if (c == 0) {
				free(base->rows[i].cells);
				base->rows[i] = row;
				at = SIZE_MAX;
				break;
			}
			if (c < 0 && at == base->nrows)
				at = i;
		}
		if (at != SIZE_MAX) {
			base->rows = xrealloc(base->rows, (base->nrows + 1) * sizeof(*base->rows));
			memmove(&base->rows[at + 1], &base->rows[at], (base->nrows - at) * sizeof(*base->rows));
			base->rows[at] = row;
			base->nrows++;
		}
	}
	base->merged = base->merged || over->nrows;
	free(over->rows);
	over->rows = NULL;
	over->nrows = 0;
}

int table_bad(struct strbuf *err, const struct table *t, const struct table_row *row,
	      const char *col, const char *fmt, ...)
{
	va_list ap;

	strbuf_addf(err, "%s:%u: column '%s': ", table_row_file(t, row), row->line, col);
	va_start(ap, fmt);
	strbuf_vaddf(err, fmt, ap);
	va_end(ap);
	return -EINVAL;
}
