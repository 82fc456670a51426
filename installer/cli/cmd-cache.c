/*
 * cmd-cache.c - `gpu-setup cache [list|verify|prune]`: show what the
 * cache of downloaded archives holds, check every file against the
 * manifest (size, then sha256), and clean it: partial downloads, files
 * the manifest does not record, and entries whose file is missing or
 * damaged.  The manifest itself is cache.c's.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cache.h"
#include "commands.h"
#include "compat.h"
#include "exit-codes.h"
#include "fileio.h"
#include "json-result.h"
#include "log.h"
#include "options.h"
#include "util.h"

#define CACHE_SCHEMA_VERSION 1

/* Here rather than in cache.c: gs_opts is the program's, not the
 * library's (see cache.h). */
char *cache_dir_default(void)
{
	return cache_dir_for(gs_opts.cache);
}

/* Something in the cache directories that no entry accounts for. */
enum leftover_kind {
	LEFTOVER_PART,       /* NAME.part: a download that did not finish */
	LEFTOVER_FILE,       /* a file (or link) the manifest does not record */
	LEFTOVER_DIR,        /* a directory: reported, never removed */
};

struct leftover {
	enum leftover_kind kind;
	char *path;
	uint64_t size;
};

struct leftovers {
	struct leftover *items;
	size_t n;
};

static void leftovers_free(struct leftovers *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].path);
	free(l->items);
	*l = (struct leftovers){ 0 };
}

static const char *leftover_reason(enum leftover_kind k)
{
	switch (k) {
	case LEFTOVER_PART:
		return "a partial download";
	case LEFTOVER_FILE:
		return "not in the manifest";
	default:
		return "a directory gpu-setup did not make";
	}
}

static bool recorded(const struct cache_manifest *m, const char *subdir, const char *name)
{
	if (streq(subdir, "debs"))
		return cache_manifest_find(m, CACHE_DEB, name);
	if (streq(subdir, "wheels"))
		return cache_manifest_find(m, CACHE_WHEEL, name);
	return cache_manifest_find(m, CACHE_RUNFILE, name) || cache_manifest_find(m, CACHE_CUDNN, name) ||
	       cache_manifest_find(m, CACHE_MINICONDA, name);
}

static int leftover_cmp(const void *a, const void *b)
{
	return strcmp(((const struct leftover *)a)->path, ((const struct leftover *)b)->path);
}

/* What DIR, DIR/debs and DIR/wheels hold besides the manifest's files, its
 * lock and the two directories themselves, sorted by path. */
static int scan_leftovers(const struct cache_manifest *m, struct leftovers *ret, struct strbuf *err)
{
	static const char *const subdirs[] = { "", "debs", "wheels" };
	struct leftovers l = { 0 };
	size_t alloc = 0;

	for (size_t s = 0; s < ELEMENTSOF(subdirs); s++) {
		_cleanup_free_ char *dir = *subdirs[s] ? xasprintf("%s/%s", m->dir, subdirs[s]) : xstrdup(m->dir);
		DIR *d = opendir(dir);
		struct dirent *de;

		if (!d) {
			if (errno == ENOENT)
				continue;
			strbuf_addf(err, "%s: %s", dir, strerror(errno));
			leftovers_free(&l);
			return -errno;
		}
		while ((de = readdir(d))) {
			const char *name = de->d_name;
			struct stat st;
			enum leftover_kind kind;

			if (streq(name, ".") || streq(name, ".."))
				continue;
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;   /* gone meanwhile */
			if (!*subdirs[s] && (streq(name, CACHE_MANIFEST_NAME) || streq(name, ".lock") ||
					     ((streq(name, "debs") || streq(name, "wheels") || streq(name, "compat")) &&
					      S_ISDIR(st.st_mode))))
				continue;
			if (S_ISDIR(st.st_mode))
				kind = LEFTOVER_DIR;
			else if (endswith(name, ".part"))
				kind = LEFTOVER_PART;
			else if (!recorded(m, subdirs[s], name))
				kind = LEFTOVER_FILE;
			else
				continue;
			if (l.n == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				l.items = xrealloc(l.items, alloc * sizeof(*l.items));
			}
			l.items[l.n++] = (struct leftover){ kind, xasprintf("%s/%s", dir, name),
							    S_ISDIR(st.st_mode) ? 0 : (uint64_t)st.st_size };
		}
		closedir(d);
	}
	if (l.n)
		qsort(l.items, l.n, sizeof(*l.items), leftover_cmp);
	*ret = l;
	return 0;
}

static int entry_ptr_cmp(const void *a, const void *b)
{
	const struct cache_entry *x = *(const struct cache_entry *const *)a;
	const struct cache_entry *y = *(const struct cache_entry *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The entries in the order the manifest is written: kind, then name. */
static const struct cache_entry **sorted_entries(const struct cache_manifest *m)
{
	const struct cache_entry **v = xcalloc(m->nentries + 1, sizeof(*v));

	for (size_t i = 0; i < m->nentries; i++)
		v[i] = &m->entries[i];
	qsort(v, m->nentries, sizeof(*v), entry_ptr_cmp);
	return v;
}

/* Load the manifest, saying what is wrong with it: an exit code. */
static int load(const char *dir, struct cache_manifest *m)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int r;

	strbuf_init(&err);
	r = cache_manifest_load(dir, m, &err);
	if (r == -EINVAL) {
		log_error("the cache manifest %s/%s is damaged: %s; nothing was changed (move it away and run "
			  "'gpu-setup fetch' again to rebuild the cache)", dir, CACHE_MANIFEST_NAME, err.buf);
		return EXIT_BAD_INPUT;
	}
	if (r < 0) {
		log_error("cannot read the cache manifest: %s", err.buf);
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

static void print_json_put(struct json_object *j)
{
	json_result_set(j);
}

static struct json_object *entry_to_json(const struct cache_manifest *m, const struct cache_entry *e)
{
	struct json_object *o = json_object_new_object(), *plans = json_object_new_array();
	_cleanup_free_ char *path = cache_entry_path(m, e);

	json_object_object_add(o, "kind", json_object_new_string(cache_kind_name(e->kind)));
	json_object_object_add(o, "name", json_object_new_string(e->name));
	json_object_object_add(o, "version", json_object_new_string(e->version));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)e->size));
	json_object_object_add(o, "sha256", json_object_new_string(e->sha256));
	json_object_object_add(o, "url", streq(e->url, "-") ? NULL : json_object_new_string(e->url));
	for (const char *p = e->plans; *p;) {
		size_t n = strcspn(p, ",");

		json_object_array_add(plans, json_object_new_string_len(p, (int)n));
		p += n;
		p += *p == ',';
	}
	json_object_object_add(o, "plans", plans);
	json_object_object_add(o, "path", json_object_new_string(path));
	return o;
}

static struct json_object *document(const struct cache_manifest *m)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "schema_version", json_object_new_int(CACHE_SCHEMA_VERSION));
	json_object_object_add(j, "cache", json_object_new_string(m->dir));
	json_object_object_add(j, "format", json_object_new_int(CACHE_FORMAT_VERSION));
	return j;
}

static void leftovers_to_json(struct json_object *j, const struct leftovers *l)
{
	struct json_object *unrec = json_object_new_array(), *part = json_object_new_array();

	for (size_t i = 0; i < l->n; i++)
		json_object_array_add(l->items[i].kind == LEFTOVER_PART ? part : unrec,
				      json_object_new_string(l->items[i].path));
	json_object_object_add(j, "unrecorded", unrec);
	json_object_object_add(j, "partial", part);
}

static void print_leftover_warnings(const struct leftovers *l)
{
	for (size_t i = 0; i < l->n; i++)
		printf("warning: %s: %s\n", l->items[i].path, leftover_reason(l->items[i].kind));
}

/* The tables `fetch` carried from `gpu-setup update` (DIR/compat) and
 * the date in each: install --offline chooses from them. */
static void carried_tables(const struct cache_manifest *m, struct json_object *json)
{
	_cleanup_free_ char *dir = compat_overlay_in_cache(m->dir);
	struct json_object *a = json ? json_object_new_array() : NULL;
	bool any = false;

	for (const char *const *t = compat_overlay_tables; *t; t++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, *t), *text = NULL;
		const char *rev;
		size_t len;

		if (read_file(path, 4u << 20, &text, &len) < 0)
			continue;
		if (startswith(text, "# reviewed: "))
			rev = text + strlen("# reviewed: ");
		else if ((rev = strstr(text, "\n# reviewed: ")))
			rev += strlen("\n# reviewed: ");
		if (a) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "table", json_object_new_string(*t));
			json_object_object_add(o, "path", json_object_new_string(path));
			json_object_object_add(o, "reviewed", rev ? json_object_new_string_len(rev, (int)strcspn(rev, "\n"))
								  : NULL);
			json_object_array_add(a, o);
			continue;
		}
		if (!any)
			printf("Tables from gpu-setup update, which install --offline reads (%s):\n", dir);
		printf("  %-13s reviewed %.*s\n", *t, rev ? (int)strcspn(rev, "\n") : 1, rev ? rev : "-");
		any = true;
	}
	if (a)
		json_object_object_add(json, "compat_overlay", a);
}

static int cache_list(const struct cache_manifest *m)
{
	_cleanup_free_ const struct cache_entry **v = sorted_entries(m);
	struct leftovers l = { 0 };
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int wkind = 4, wname = 4, wver = 7;
	uint64_t total = 0;
	char hs[32];

	strbuf_init(&err);
	if (scan_leftovers(m, &l, &err) < 0) {
		log_error("cannot read the cache directory: %s", err.buf);
		return EXIT_FAILED;
	}
	if (gs_opts.json) {
		struct json_object *j = document(m), *a = json_object_new_array();

		for (size_t i = 0; i < m->nentries; i++)
			json_object_array_add(a, entry_to_json(m, v[i]));
		json_object_object_add(j, "entries", a);
		leftovers_to_json(j, &l);
		carried_tables(m, j);
		json_result_set(j);
		leftovers_free(&l);
		return EXIT_OK;
	}
	printf("Cache: %s\n", m->dir);
	carried_tables(m, NULL);
	if (m->nentries == 0) {
		printf("The cache is empty: 'gpu-setup fetch' fills it.\n");
	} else {
		for (size_t i = 0; i < m->nentries; i++) {
			int k = (int)strlen(cache_kind_name(v[i]->kind)), n = (int)strlen(v[i]->name),
			    ver = (int)strlen(v[i]->version);

			wkind = k > wkind ? k : wkind;
			wname = n > wname ? n : wname;
			wver = ver > wver ? ver : wver;
		}
		printf("%-*s  %-*s  %-*s  %10s  %s\n", wkind, "KIND", wname, "NAME", wver, "VERSION", "SIZE", "PLANS");
		for (size_t i = 0; i < m->nentries; i++) {
			format_bytes(v[i]->size, hs);
			printf("%-*s  %-*s  %-*s  %10s  %s\n", wkind, cache_kind_name(v[i]->kind), wname, v[i]->name,
			       wver, v[i]->version, hs, *v[i]->plans ? v[i]->plans : "-");
			total += v[i]->size;
		}
		format_bytes(total, hs);
		printf("Total: %zu file%s, %s (%llu bytes)\n", m->nentries, m->nentries == 1 ? "" : "s", hs,
		       (unsigned long long)total);
	}
	print_leftover_warnings(&l);
	leftovers_free(&l);
	return EXIT_OK;
}

static const char *verify_status(int r)
{
	switch (r) {
	case 0:
		return "ok";
	case -ENOENT:
		return "missing";
	case -EFBIG:
		return "size";
	case -EBADMSG:
		return "sha256";
	default:
		return "other";
	}
}

static int cache_verify(const struct cache_manifest *m)
{
	_cleanup_free_ const struct cache_entry **v = sorted_entries(m);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, why = STRBUF_INIT;
	struct json_object *j = NULL, *a = NULL;
	struct leftovers l = { 0 };
	size_t bad = 0;

	strbuf_init(&err);
	strbuf_init(&why);
	if (scan_leftovers(m, &l, &err) < 0) {
		log_error("cannot read the cache directory: %s", err.buf);
		return EXIT_FAILED;
	}
	if (gs_opts.json) {
		j = document(m);
		a = json_object_new_array();
	} else {
		printf("Cache: %s\n", m->dir);
	}
	for (size_t i = 0; i < m->nentries; i++) {
		_cleanup_free_ char *path = cache_entry_path(m, v[i]);
		int r;

		strbuf_reset(&why);
		r = cache_entry_verify(m, v[i], &why);
		bad += r < 0;
		if (j) {
			struct json_object *o = entry_to_json(m, v[i]);

			json_object_object_add(o, "status", json_object_new_string(verify_status(r)));
			json_object_object_add(o, "detail", json_object_new_string(r < 0 ? why.buf : "ok"));
			json_object_array_add(a, o);
		} else if (r < 0) {
			printf("%-8s %s: %s\n", verify_status(r), path, why.buf);
		} else {
			printf("%-8s %s\n", "ok", path);
		}
	}
	if (j) {
		json_object_object_add(j, "entries", a);
		leftovers_to_json(j, &l);
		json_result_set(j);
	} else {
		print_leftover_warnings(&l);
		printf("%zu of %zu file%s ok\n", m->nentries - bad, m->nentries, m->nentries == 1 ? "" : "s");
	}
	if (l.n)
		log_warning("%zu thing%s in the cache %s not in the manifest: 'gpu-setup cache prune' removes the files",
			    l.n, l.n == 1 ? "" : "s", l.n == 1 ? "is" : "are");
	leftovers_free(&l);
	if (bad) {
		log_error("%zu file%s in the cache %s missing or damaged: run 'gpu-setup fetch' again to download %s, "
			  "or 'gpu-setup cache prune' to drop %s from the cache",
			  bad, bad == 1 ? "" : "s", bad == 1 ? "is" : "are", bad == 1 ? "it" : "them",
			  bad == 1 ? "it" : "them");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* What prune removes: a file and why. */
struct removal {
	char *path;
	const char *reason;    /* static, or the entry's verify reason in detail */
	char *detail;
	uint64_t size;
	bool is_dir;           /* left alone: only reported */
};

struct removals {
	struct removal *items;
	size_t n, alloc;
};

static void removal_add(struct removals *rs, char *path, const char *reason, char *detail, uint64_t size,
			bool is_dir)
{
	if (rs->n == rs->alloc) {
		rs->alloc = rs->alloc ? 2 * rs->alloc : 16;
		rs->items = xrealloc(rs->items, rs->alloc * sizeof(*rs->items));
	}
	rs->items[rs->n++] = (struct removal){ path, reason, detail, size, is_dir };
}

static void removals_free(struct removals *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->items[i].path);
		free(rs->items[i].detail);
	}
	free(rs->items);
}

static bool access_denied(int r)
{
	return r == -EACCES || r == -EPERM || r == -EROFS;
}

static int needs_root(const char *dir, int r)
{
	if (r == -EROFS) {
		log_error("the cache %s is on a read-only file system; nothing was changed", dir);
		return EXIT_FAILED;
	}
	log_error("you may not change the cache %s: run 'sudo gpu-setup cache prune' (or add --dry-run to only look); "
		  "nothing was changed", dir);
	return EXIT_NEEDS_ROOT;
}

/* The entries to drop (their files, if any, with them) and the leftover
 * files, into rs; the manifest m loses the entries. */
static int plan_prune(struct cache_manifest *m, struct removals *rs, struct strbuf *err)
{
	_cleanup_free_ const struct cache_entry **v = sorted_entries(m);
	struct leftovers l = { 0 };
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	size_t n = m->nentries;
	struct { enum cache_kind kind; char *name; } *drop = xcalloc(n + 1, sizeof(*drop));
	size_t ndrop = 0;
	int r;

	strbuf_init(&why);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char *path;

		strbuf_reset(&why);
		r = cache_entry_verify(m, v[i], &why);
		if (r == 0)
			continue;
		path = cache_entry_path(m, v[i]);
		drop[ndrop].kind = v[i]->kind;
		drop[ndrop++].name = xstrdup(v[i]->name);
		if (lstat(path, &st) < 0) {
			removal_add(rs, path, "entry of a missing file", xstrdup(why.buf), 0, false);
			continue;
		}
		removal_add(rs, path, "damaged", xstrdup(why.buf), S_ISDIR(st.st_mode) ? 0 : (uint64_t)st.st_size,
			    S_ISDIR(st.st_mode));
	}
	for (size_t i = 0; i < ndrop; i++) {
		cache_manifest_remove(m, drop[i].kind, drop[i].name);
		free(drop[i].name);
	}
	free(drop);
	r = scan_leftovers(m, &l, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l.n; i++) {
		bool listed = false;

		/* A dropped entry's file is unrecorded now: listed once. */
		for (size_t k = 0; k < rs->n && !listed; k++)
			listed = streq(rs->items[k].path, l.items[i].path);
		if (!listed)
			removal_add(rs, TAKE_PTR(l.items[i].path), leftover_reason(l.items[i].kind), NULL,
				    l.items[i].size, l.items[i].kind == LEFTOVER_DIR);
	}
	leftovers_free(&l);
	return (int)ndrop;
}

static struct json_object *removals_to_json(const struct cache_manifest *m, const struct removals *rs,
					    uint64_t freed)
{
	struct json_object *j = document(m), *a = json_object_new_array(), *kept = json_object_new_array();

	json_object_object_add(j, "dry_run", json_object_new_boolean(gs_opts.dry_run));
	for (size_t i = 0; i < rs->n; i++) {
		struct json_object *o;

		if (rs->items[i].is_dir) {
			json_object_array_add(kept, json_object_new_string(rs->items[i].path));
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(rs->items[i].path));
		json_object_object_add(o, "reason", json_object_new_string(rs->items[i].reason));
		json_object_object_add(o, "detail", rs->items[i].detail ? json_object_new_string(rs->items[i].detail)
									 : NULL);
		json_object_object_add(o, "size", json_object_new_int64((int64_t)rs->items[i].size));
		json_object_array_add(a, o);
	}
	json_object_object_add(j, "removed", a);
	json_object_object_add(j, "left_alone", kept);
	json_object_object_add(j, "bytes_freed", json_object_new_int64((int64_t)freed));
	return j;
}

static int cache_prune(const char *dir)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_close_ int lock = -1;
	struct cache_manifest m = { 0 };
	struct removals rs = { 0 };
	uint64_t freed = 0;
	struct stat st;
	int code, ndrop, failed = 0;
	char hs[32];

	strbuf_init(&err);
	if (stat(dir, &st) < 0 && errno == ENOENT) {
		if (gs_opts.json) {
			m.dir = xstrdup(dir);
			print_json_put(removals_to_json(&m, &rs, 0));
			cache_manifest_free(&m);
		} else {
			printf("The cache %s does not exist: nothing to prune.\n", dir);
		}
		return EXIT_OK;
	}
	/* Read before locking, so a damaged manifest changes nothing, not
	 * even the lock file; read again under the lock for what counts. */
	code = load(dir, &m);
	if (code != EXIT_OK)
		return code;
	cache_manifest_free(&m);
	if (!gs_opts.dry_run) {
		lock = cache_lock(dir);
		if (lock == -EBUSY) {
			log_error("another gpu-setup is using the cache %s (fetch or prune; lock %s/.lock): wait for it "
				  "to finish; nothing was changed", dir, dir);
			return EXIT_LOCKED;
		}
		if (access_denied(lock))
			return needs_root(dir, lock);
		if (lock < 0) {
			log_error("cannot lock the cache %s: %s", dir, strerror(-lock));
			return EXIT_FAILED;
		}
	}
	code = load(dir, &m);
	if (code != EXIT_OK)
		return code;
	ndrop = plan_prune(&m, &rs, &err);
	if (ndrop < 0) {
		log_error("cannot read the cache directory: %s", err.buf);
		code = EXIT_FAILED;
		goto out;
	}
	/* The manifest first: a crash after it leaves files no entry names,
	 * which the next prune removes, never an entry without its file. */
	if (ndrop > 0 && !gs_opts.dry_run) {
		int r = cache_manifest_save(&m);

		if (r < 0) {
			code = access_denied(r) ? needs_root(dir, r) : EXIT_FAILED;
			if (code == EXIT_FAILED)
				log_error("cannot write the cache manifest in %s: %s; nothing was changed", dir,
					  strerror(-r));
			goto out;
		}
	}
	for (size_t i = 0; i < rs.n; i++) {
		struct removal *x = &rs.items[i];

		if (x->is_dir) {
			if (!gs_opts.json)
				printf("left alone: %s (%s)\n", x->path, x->reason);
			continue;
		}
		if (!gs_opts.dry_run && unlink(x->path) < 0 && errno != ENOENT) {
			log_error("cannot remove %s: %s", x->path, strerror(errno));
			failed = access_denied(-errno) ? EXIT_NEEDS_ROOT : EXIT_FAILED;
			continue;
		}
		freed += x->size;
		if (!gs_opts.json) {
			format_bytes(x->size, hs);
			printf("%s %s (%s%s%s, %s)\n", gs_opts.dry_run ? "would remove" : "removed", x->path, x->reason,
			       x->detail ? ": " : "", x->detail ? x->detail : "", hs);
		}
	}
	if (gs_opts.json) {
		print_json_put(removals_to_json(&m, &rs, freed));
	} else if (rs.n == 0) {
		printf("Nothing to prune in %s: every file is recorded and verifies.\n", dir);
	} else {
		format_bytes(freed, hs);
		printf("%s %s (%llu bytes)%s\n", gs_opts.dry_run ? "Would free" : "Freed", hs, (unsigned long long)freed,
		       ndrop ? (gs_opts.dry_run ? "; the manifest would lose those entries"
						: "; the manifest no longer lists those entries")
			     : "");
	}
	code = failed ? failed : EXIT_OK;
out:
	removals_free(&rs);
	cache_manifest_free(&m);
	return code;
}

int cmd_cache(int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : "list";
	_cleanup_free_ char *dir = NULL;
	struct cache_manifest m = { 0 };
	int code;

	if (!streq(sub, "list") && !streq(sub, "verify") && !streq(sub, "prune")) {
		log_error("unknown cache command '%s': use list, verify or prune; see 'gpu-setup help cache'", sub);
		return EXIT_USAGE;
	}
	dir = cache_dir_default();
	if (streq(sub, "prune"))
		return cache_prune(dir);
	code = load(dir, &m);
	if (code != EXIT_OK)
		return code;
	code = streq(sub, "list") ? cache_list(&m) : cache_verify(&m);
	cache_manifest_free(&m);
	return code;
}
