/*
 * miniconda.c - the Miniconda installer's release table, file, command
 * line and result (see miniconda.h).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "cuda-install.h"
#include "miniconda.h"
#include "sysroot.h"
#include "table.h"
#include "util.h"

static const char *const columns[] = { "name", "python", "conda", "sha256", "url" };

/* The installer is a file name without a directory, and the URL ends in
 * "/" + that name (the cache and the mirrors use the same name). */
static int parse_row(const struct table *t, const struct table_row *row, struct miniconda_release *m,
		     struct strbuf *err)
{
	const char *name = row->cells[0], *sha = row->cells[3], *url = row->cells[4];
	size_t ln = strlen(name), lu = strlen(url);

	if (table_cell_unknown(name) || strchr(name, '/') || !startswith(name, "Miniconda3-") || ln < 4 ||
	    !streq(name + ln - 3, ".sh"))
		return table_bad(err, t, row, "name", "'%s' is not a Miniconda3-*.sh file name", name);
	if (!table_cell_unknown(sha) && !sha256_hex_canonical(sha))
		return table_bad(err, t, row, "sha256", "'%s' is not 64 lower-case hex digits", sha);
	if (!(startswith(url, "https://") || startswith(url, "http://")) || lu <= ln ||
	    url[lu - ln - 1] != '/' || !streq(url + lu - ln, name))
		return table_bad(err, t, row, "url", "'%s' is not an http(s) URL ending in /%s", url, name);
	m->name = xstrdup(name);
	m->python = table_cell_unknown(row->cells[1]) ? NULL : xstrdup(row->cells[1]);
	m->conda = table_cell_unknown(row->cells[2]) ? NULL : xstrdup(row->cells[2]);
	m->sha256 = table_cell_unknown(sha) ? NULL : xstrdup(sha);
	m->url = xstrdup(url);
	return 0;
}

int miniconda_table_load(const char *compat_dir, struct miniconda_table *ret, struct strbuf *err)
{
	_cleanup_free_ char *path = xasprintf("%s/miniconda.tsv", compat_dir);
	struct miniconda_table mt = { 0 };
	struct table t;
	int r = table_load(path, columns, ELEMENTSOF(columns), &t, err);

	if (r < 0)
		return r;
	if (!t.nrows) {
		strbuf_addf(err, "%s: no installer listed", path);
		table_free(&t);
		return -EINVAL;
	}
	mt.rows = xcalloc(t.nrows, sizeof(*mt.rows));
	for (size_t i = 0; i < t.nrows && r == 0; i++) {
		r = parse_row(&t, &t.rows[i], &mt.rows[i], err);
		if (r == 0)
			mt.n++;
	}
	table_free(&t);
	if (r < 0) {
		miniconda_table_free(&mt);
		return r;
	}
	*ret = mt;
	return 0;
}

void miniconda_table_free(struct miniconda_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->rows[i].name);
		free(t->rows[i].python);
		free(t->rows[i].conda);
		free(t->rows[i].sha256);
		free(t->rows[i].url);
	}
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

const struct miniconda_release *miniconda_find(const struct miniconda_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->rows[i].name, name))
			return &t->rows[i];
	return NULL;
}

const struct miniconda_release *miniconda_newest(const struct miniconda_table *t)
{
	return t->n ? &t->rows[t->n - 1] : NULL;
}

char *miniconda_cache_path(const char *cache_dir, const struct miniconda_release *rel)
{
	return xasprintf("%s/%s", cache_dir, rel->name);
}

char **miniconda_urls(const struct miniconda_release *rel, bool tuna_first)
{
	char **urls = xcalloc(3, sizeof(*urls));
	size_t n = 0;

	if (tuna_first)
		urls[n++] = xasprintf(MINICONDA_TUNA_BASE "%s", rel->name);
	urls[n++] = xstrdup(rel->url);
	return urls;
}

int miniconda_prefix_valid(const char *prefix, struct strbuf *why)
{
	if (prefix[0] != '/') {
		strbuf_addf(why, "'%s' is not an absolute path", prefix);
		return -EINVAL;
	}
	for (const char *c = prefix; *c; c++)
		if (isspace((unsigned char)*c)) {
			strbuf_addf(why, "'%s' holds white space, and the Miniconda installer cannot install into "
					 "a directory with spaces",
				    prefix);
			return -EINVAL;
		}
	return 0;
}

void miniconda_argv(const char *installer, const char *prefix, const char *argv[6])
{
	argv[0] = "bash";
	argv[1] = installer;
	argv[2] = "-b";
	argv[3] = "-p";
	argv[4] = prefix;
	argv[5] = NULL;
}

/* Whether conda-meta holds conda's own package record. */
static bool has_conda_record(const char *prefix)
{
	_cleanup_free_ char *meta = xasprintf("%s/conda-meta", prefix), *host = NULL;
	struct dirent *de;
	bool found = false;
	DIR *d;

	if (sysroot_host_path(meta, &host) < 0 || !(d = opendir(host)))
		return false;
	while (!found && (de = readdir(d))) {
		/* conda-24.3.0-py312h06a4308_0.json, not conda-libmamba-solver-... */
		size_t n = strlen(de->d_name);

		found = startswith(de->d_name, "conda-") && isdigit((unsigned char)de->d_name[6]) && n > 5 &&
			streq(de->d_name + n - 5, ".json");
	}
	closedir(d);
	return found;
}

int miniconda_check(const struct target_user *u, const char *prefix, struct strbuf *why)
{
	_cleanup_free_ char *conda = xasprintf("%s/bin/conda", prefix);
	struct stat pst, cst;

	if (sysroot_stat(prefix, &pst) < 0 || !S_ISDIR(pst.st_mode)) {
		strbuf_addf(why, "%s was not created", prefix);
		return -ENOENT;
	}
	if (sysroot_stat(conda, &cst) < 0 || !S_ISREG(cst.st_mode)) {
		strbuf_addf(why, "%s is missing", conda);
		return -ENOENT;
	}
	if (!(cst.st_mode & S_IXUSR)) {
		strbuf_addf(why, "%s is not executable", conda);
		return -ENOENT;
	}
	if (pst.st_uid != u->uid || cst.st_uid != u->uid) {
		strbuf_addf(why, "%s is owned by uid %u, not by %s (uid %u)", pst.st_uid != u->uid ? prefix : conda,
			    (unsigned)(pst.st_uid != u->uid ? pst.st_uid : cst.st_uid), u->name, (unsigned)u->uid);
		return -EPERM;
	}
	if (!has_conda_record(prefix)) {
		strbuf_addf(why, "%s/conda-meta has no conda-*.json (conda's package record)", prefix);
		return -ENOENT;
	}
	return 0;
}
