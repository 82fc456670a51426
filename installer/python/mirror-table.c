/*
 * mirror-table.c - the mirror table, compat/mirrors.tsv: loaded, checked,
 * looked up by name (see mirror-config.h).
 */
#include "config.h"

#include <errno.h>

#include "condarc-edit.h"
#include "mirror-config.h"
#include "table.h"
#include "util.h"

static const char *const columns[] = { "name", "title", "pip_index", "default_channels", "cloud", "cloud_channels",
				       "probe_url" };
enum { COL_NAME, COL_TITLE, COL_PIP, COL_DEFAULTS, COL_CLOUD, COL_CLOUD_CHANNELS, COL_PROBE };

/* An http(s) URL with nothing in it that a pip.conf or YAML line could
 * take for something else. */
static bool url_ok(const char *s)
{
	if (!startswith(s, "https://") && !startswith(s, "http://"))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == 0x7f || *p == '#' || *p == '"' || *p == '\'' || *p == '\\')
			return false;
	return true;
}

static bool name_ok(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

/* A comma-separated cell as a NULL-terminated array of copies; each
 * entry checked by ok. */
static int read_list(const struct table *t, const struct table_row *row, int col, bool (*ok)(const char *),
		     char ***ret, struct strbuf *err)
{
	char **list, **v;
	size_t n;

	if (table_split_list(row->cells[col], &list, &n) < 0)
		return table_bad(err, t, row, columns[col], "an empty entry in '%s'", row->cells[col]);
	v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		if (!ok(list[i])) {
			table_bad(err, t, row, columns[col], "'%s' is not allowed here", list[i]);
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			free(list);
			return -EINVAL;
		}
		v[i] = xstrdup(list[i]);
	}
	free(list);
	*ret = v;
	return 0;
}

static bool managed_custom_ok(const char *s)
{
	static const char *const managed[] = CONDARC_MANAGED_CUSTOM;

	for (size_t i = 0; i < ELEMENTSOF(managed); i++)
		if (streq(s, managed[i]))
			return true;
	return false;
}


static void mirror_free(struct mirror *m)
{
	free(m->name);
	free(m->title);
	free(m->pip_index);
	strv_free(m->default_channels);
	free(m->cloud);
	strv_free(m->cloud_channels);
	free(m->probe_url);
	memset(m, 0, sizeof(*m));
}

static int read_row(const struct table *t, const struct table_row *row, const struct mirror_table *have,
		    struct mirror *m, struct strbuf *err)
{
	char **cells = row->cells;
	bool no_cloud = table_cell_unknown(cells[COL_CLOUD]);
	int r;

	if (!name_ok(cells[COL_NAME]))
		return table_bad(err, t, row, columns[COL_NAME], "'%s' is not a name (a-z, 0-9, -)", cells[COL_NAME]);
	if (mirror_find(have, cells[COL_NAME]))
		return table_bad(err, t, row, columns[COL_NAME], "'%s' is in the table twice", cells[COL_NAME]);
	if (!url_ok(cells[COL_PIP]))
		return table_bad(err, t, row, columns[COL_PIP], "'%s' is not an http(s) URL", cells[COL_PIP]);
	if (!no_cloud && !url_ok(cells[COL_CLOUD]))
		return table_bad(err, t, row, columns[COL_CLOUD], "'%s' is not an http(s) URL or '-'", cells[COL_CLOUD]);
	if (no_cloud != table_cell_unknown(cells[COL_CLOUD_CHANNELS]))
		return table_bad(err, t, row, columns[COL_CLOUD_CHANNELS],
				 "is '-' exactly when cloud is '-' (a cloud serves some channels)");
	if (!url_ok(cells[COL_PROBE]))
		return table_bad(err, t, row, columns[COL_PROBE], "'%s' is not an http(s) URL", cells[COL_PROBE]);

	memset(m, 0, sizeof(*m));
	r = read_list(t, row, COL_DEFAULTS, url_ok, &m->default_channels, err);
	if (r == 0 && !no_cloud)
		r = read_list(t, row, COL_CLOUD_CHANNELS, managed_custom_ok, &m->cloud_channels, err);
	if (r < 0) {
		mirror_free(m);
		return r;
	}
	m->name = xstrdup(cells[COL_NAME]);
	m->title = xstrdup(cells[COL_TITLE]);
	m->pip_index = xstrdup(cells[COL_PIP]);
	m->cloud = no_cloud ? NULL : xstrdup(cells[COL_CLOUD]);
	m->probe_url = xstrdup(cells[COL_PROBE]);
	return 0;
}

int mirror_table_load(const char *compat_dir, struct mirror_table *ret, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/mirrors.tsv", compat_dir);
	struct mirror_table mt = { 0 };
	struct table t;
	int r;

	r = table_load(path, columns, ELEMENTSOF(columns), &t, err);
	if (r < 0)
		return r;
	if (t.nrows == 0) {
		strbuf_addf(err, "%s: no mirrors in the table", path);
		table_free(&t);
		return -EINVAL;
	}
	mt.mirrors = xcalloc(t.nrows, sizeof(*mt.mirrors));
	for (size_t i = 0; i < t.nrows; i++) {
		r = read_row(&t, &t.rows[i], &mt, &mt.mirrors[mt.n], err);
		if (r < 0) {
			mirror_table_free(&mt);
			table_free(&t);
			return r;
		}
		mt.n++;
	}
	table_free(&t);
	*ret = mt;
	return 0;
}

void mirror_table_free(struct mirror_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		mirror_free(&t->mirrors[i]);
	free(t->mirrors);
	memset(t, 0, sizeof(*t));
}

const struct mirror *mirror_find(const struct mirror_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->mirrors[i].name, name))
			return &t->mirrors[i];
	return NULL;
}

void mirror_table_names(const struct mirror_table *t, struct strbuf *out)
{
	for (size_t i = 0; i < t->n; i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", t->mirrors[i].name);
}

/* ------------------------------------------------------------ the files */
