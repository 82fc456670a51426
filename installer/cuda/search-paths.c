/*
 * search-paths.c - PATH assignments in shell start-up files, and ld.so's
 * configured directories, read as text through the sysroot.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <libgen.h>

#include "fileio.h"
#include "search-paths.h"
#include "sysroot.h"
#include "util.h"

/* Start-up files and ld.so.conf files are small; a huge one is not one. */
#define CONF_FILE_MAX (1u << 20)
/* ld.so.conf files including each other: ldconfig has no limit, we stop
 * a loop here. */
#define LDCONF_MAX_DEPTH 16

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The end of a shell word starting at p (the line ends at eol): the first
 * blank, ';', '&' or '|' outside quotes. */
static const char *word_end(const char *p, const char *eol)
{
	char quote = 0;

	for (; p < eol; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '\\' && p + 1 < eol) {
			p++;
		} else if (*p == ' ' || *p == '\t' || *p == ';' || *p == '&' || *p == '|') {
			break;
		}
	}
	return p;
}

/* Where value [v, e) refers to $PATH or ${PATH...}, or NULL. */
static const char *find_path_ref(const char *v, const char *e)
{
	for (const char *p = v; p + 5 <= e; p++) {
		const char *after;

		if (*p != '$')
			continue;
		after = p + 1;
		if (after < e && *after == '{')
			after++;
		if (e - after >= 4 && strncmp(after, "PATH", 4) == 0 && (after + 4 == e || !is_ident(after[4])))
			return p;
	}
	return NULL;
}

/* A CUDA bin directory at p: "/usr/local/cuda/bin" or
 * "/usr/local/cuda-X.Y/bin", ended by something that cannot continue a
 * directory name.  Returns its length, 0 when there is none. */
static size_t cuda_bin_at(const char *p, const char *e)
{
	static const char base[] = "/usr/local/cuda";
	const char *q = p + strlen(base);

	if ((size_t)(e - p) < strlen(base) || strncmp(p, base, strlen(base)) != 0)
		return 0;
	if (q < e && *q == '-') {
		const char *d = ++q;

		while (q < e && (isdigit((unsigned char)*q) || *q == '.'))
			q++;
		if (q == d)
			return 0;
	}
	if (e - q < 4 || strncmp(q, "/bin", 4) != 0)
		return 0;
	q += 4;
	if (q < e && *q == '/')
		q++;
	if (q < e && (is_ident(*q) || *q == '-' || *q == '.'))
		return 0;
	return (size_t)(q - p);
}

static void scan_value(const char *v, const char *e, struct path_assignment *a)
{
	const char *ref = find_path_ref(v, e);

	a->keeps_path = ref != NULL;
	for (const char *p = v; p < e; p++) {
		size_t n = cuda_bin_at(p, e);
		struct path_bin *b;

		if (!n)
			continue;
		a->bins = xrealloc(a->bins, (a->nbins + 1) * sizeof(*a->bins));
		b = &a->bins[a->nbins++];
		/* Without a trailing slash, so equal directories compare equal. */
		b->dir = xasprintf("%.*s", (int)(p[n - 1] == '/' ? n - 1 : n), p);
		b->before = !ref || p < ref;
		p += n - 1;
	}
}

size_t path_assignments_scan(const char *text, struct path_assignment **ret)
{
	struct path_assignment *v = NULL;
	size_t n = 0;
	unsigned lineno = 0;

	for (const char *line = text; line && *line; lineno++) {
		const char *eol = strchr(line, '\n'), *p;

		if (!eol)
			eol = line + strlen(line);
		for (p = line; p < eol && (*p == ' ' || *p == '\t'); p++)
			;
		if (p < eol && *p != '#') {
			for (const char *k = p; k + 5 <= eol; k++) {
				const char *eq = k + 4;
				struct path_assignment a = { .line = lineno + 1 };

				/* PATH, not LD_LIBRARY_PATH or MANPATH. */
				if (strncmp(k, "PATH", 4) != 0 || (k > p && is_ident(k[-1])) || (k > p && k[-1] == '$'))
					continue;
				if (*eq == '+')
					eq++;
				if (eq >= eol || *eq != '=')
					continue;
				scan_value(eq + 1, word_end(eq + 1, eol), &a);
				/* "PATH+=" appends to what was there. */
				if (eq > k + 4) {
					a.keeps_path = true;
					for (size_t i = 0; i < a.nbins; i++)
						a.bins[i].before = false;
				}
				v = xrealloc(v, (n + 1) * sizeof(*v));
				v[n++] = a;
				k = eq;
			}
		}
		line = *eol ? eol + 1 : NULL;
	}
	*ret = v;
	return n;
}

void path_assignments_free(struct path_assignment *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < a[i].nbins; j++)
			free(a[i].bins[j].dir);
		free(a[i].bins);
	}
	free(a);
}

/* ---------------------------------------------------------------- ld.so.conf */

struct ldconf_state {
	struct ldconf_dir *dirs;
	size_t ndirs;
	char **seen;        /* files read, target paths */
	size_t nseen;
};

static bool seen_file(struct ldconf_state *st, const char *file)
{
	for (size_t i = 0; i < st->nseen; i++)
		if (streq(st->seen[i], file))
			return true;
	st->seen = xrealloc(st->seen, (st->nseen + 1) * sizeof(*st->seen));
	st->seen[st->nseen++] = xstrdup(file);
	return false;
}

static void read_conf(struct ldconf_state *st, const char *file, unsigned depth);

/* The files pattern (a target path) matches, in glob's sorted order. */
static void read_pattern(struct ldconf_state *st, const char *pattern, unsigned depth)
{
	_cleanup_free_ char *host = sysroot_path(pattern);
	size_t rootlen = strlen(sysroot_get());
	glob_t g;

	if (glob(host, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		read_conf(st, g.gl_pathv[i] + rootlen, depth);
	globfree(&g);
}

static void read_conf(struct ldconf_state *st, const char *file, unsigned depth)
{
	_cleanup_free_ char *host = NULL, *text = NULL;
	unsigned lineno = 0;
	size_t len;
	char *save = NULL;

	/* A file that is a link (Debian's alternatives) is followed inside
	 * the root. */
	if (depth > LDCONF_MAX_DEPTH || seen_file(st, file) || sysroot_host_path(file, &host) < 0 ||
	    read_file(host, CONF_FILE_MAX, &text, &len) < 0)
		return;
	/* strtok_r would merge empty lines and lose the count. */
	for (char *line = text; line; line = save, lineno++) {
		char *nl = strchr(line, '\n'), *hash, *tok, *tsave = NULL;

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		line = strstrip(line);
		if (!*line)
			continue;
		if (startswith(line, "include") && (line[7] == ' ' || line[7] == '\t')) {
			for (tok = strtok_r(line + 8, " \t", &tsave); tok; tok = strtok_r(NULL, " \t", &tsave)) {
				_cleanup_free_ char *copy = xstrdup(file), *pattern = NULL;

				pattern = tok[0] == '/' ? xstrdup(tok) : xasprintf("%s/%s", dirname(copy), tok);
				read_pattern(st, pattern, depth + 1);
			}
			continue;
		}
		if (startswith(line, "hwcap") && (line[5] == ' ' || line[5] == '\t'))
			continue;
		/* Old ldconfig also took several directories a line, and
		 * "dir=TYPE". */
		for (tok = strtok_r(line, " \t,:", &tsave); tok; tok = strtok_r(NULL, " \t,:", &tsave)) {
			char *eq = strchr(tok, '=');
			struct ldconf_dir *d;

			if (eq)
				*eq = '\0';
			if (tok[0] != '/')
				continue;
			st->dirs = xrealloc(st->dirs, (st->ndirs + 1) * sizeof(*st->dirs));
			d = &st->dirs[st->ndirs++];
			d->file = xstrdup(file);
			d->line = lineno + 1;
			d->dir = xstrdup(tok);
		}
	}
}

size_t ldconf_dirs_read(struct ldconf_dir **ret)
{
	struct ldconf_state st = { 0 };

	read_conf(&st, "/etc/ld.so.conf", 0);
	/* Debian's ld.so.conf includes these; a tree without ld.so.conf
	 * (an image being built) still has ldconfig read them once made. */
	read_pattern(&st, "/etc/ld.so.conf.d/*.conf", 1);
	for (size_t i = 0; i < st.nseen; i++)
		free(st.seen[i]);
	free(st.seen);
	*ret = st.dirs;
	return st.ndirs;
}

void ldconf_dirs_free(struct ldconf_dir *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].file);
		free(d[i].dir);
	}
	free(d);
}
