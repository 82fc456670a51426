/*
 * update.c - `gpu-setup update`: read every source, then replace the
 * overlay only with tables that load with every check (see update.h).
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "log.h"
#include "update-internal.h"
#include "util.h"

static const struct {
	const char *name, *table, *env, *url;
	bool (*read)(struct update_source *, const struct compat_db *, const struct update_urls *);
} sources[UPDATE_NSOURCES] = {
	[UPDATE_CUDNN] = { "cudnn", "cudnn.tsv", "GPU_SETUP_CUDNN_REDIST_URL",
			   "https://developer.download.nvidia.com/compute/cudnn/redist/", update_read_cudnn },
	[UPDATE_CUDA] = { "cuda", "cuda.tsv", "GPU_SETUP_CUDA_REDIST_URL",
			  "https://developer.download.nvidia.com/compute/cuda/redist/", update_read_cuda },
	[UPDATE_PYTORCH] = { "pytorch", "pytorch.tsv", "GPU_SETUP_PYTORCH_INDEX_URL", "https://download.pytorch.org/whl/",
			     update_read_pytorch },
	[UPDATE_DRIVERS] = { "drivers", "branches.tsv", "GPU_SETUP_DRIVER_RELEASES_URL",
			     "https://docs.nvidia.com/datacenter/tesla/drivers/releases.json", update_read_drivers },
};

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

void update_urls_from_env(struct update_urls *u)
{
	u->cudnn_redist = env_or(sources[UPDATE_CUDNN].env, sources[UPDATE_CUDNN].url);
	u->cuda_redist = env_or(sources[UPDATE_CUDA].env, sources[UPDATE_CUDA].url);
	u->pytorch_index = env_or(sources[UPDATE_PYTORCH].env, sources[UPDATE_PYTORCH].url);
	u->driver_releases = env_or(sources[UPDATE_DRIVERS].env, sources[UPDATE_DRIVERS].url);
	/* Each release's md5sum.txt sits under the CUDA folder, beside redist/. */
	u->cuda = env_or("GPU_SETUP_CUDA_URL", "https://developer.download.nvidia.com/compute/cuda/");
}

/* The rows an earlier update wrote to the overlay of table, to keep:
 * everything after its column header line; "" when there is none. */
static char *kept_rows(const char *overlay_dir, const char *table)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", overlay_dir, table), *text = NULL;
	char *p;
	size_t len;

	if (read_file(path, 4u << 20, &text, &len) < 0)
		return xstrdup("");
	for (p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (*p != '#' && *p != '\n')
			return xstrdup(nl ? nl + 1 : "");
		p = nl ? nl + 1 : NULL;
	}
	return xstrdup("");
}

/* The column header of a table: the shipped file's first non-comment line. */
static char *column_header(const char *compat_dir, const char *table)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", compat_dir, table), *text = NULL;
	size_t len;

	if (read_file(path, 4u << 20, &text, &len) < 0)
		return NULL;
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (*p != '#' && *p != '\n')
			return nl ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static char *overlay_text(const struct update_report *rep, const struct update_source *src, const char *compat_dir)
{
	_cleanup_free_ char *header = column_header(compat_dir, src->table);
	_cleanup_free_ char *kept = src->keep_old ? kept_rows(rep->overlay_dir, src->table) : xstrdup("");
	struct strbuf sb = STRBUF_INIT;

	if (!header)
		return NULL;
	strbuf_init(&sb);
	strbuf_addf(&sb, "# %s - rows `gpu-setup update` added or changed, merged over the shipped\n"
		    "# table of the same name row by row (a row with the key of a shipped one\n"
		    "# replaces it).\n"
		    "# \"#@ from:\" names where the rows below it were read, \"#@ inferred:\"\n"
		    "# which cells of the next row upstream does not publish (taken from the\n"
		    "# row named).  Remove this file to go back to the shipped table.\n"
		    "# sources (this update):\n%s# reviewed: %s\n#\n%s\n%s%s",
		    src->table, src->sources.buf, rep->date, header, kept, src->rows.buf);
	return strbuf_detach(&sb, NULL);
}

/* Write the refreshed tables into a new folder beside the overlay, load
 * the shipped tables with it, and only then move each file into place. */
static int write_overlay(struct update_report *rep, const char *compat_dir, bool dry_run)
{
	_cleanup_free_ char *tmpl = xasprintf("%s.new.XXXXXX", rep->overlay_dir);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct compat_db *check = NULL;
	int r = 0;

	if (!dry_run && mkdir_p(rep->overlay_dir, 0755) < 0) {
		r = -errno;
		rep->error = xasprintf("cannot create %s: %s%s", rep->overlay_dir, strerror(-r),
				       r == -EACCES ? " (run it as root: sudo gpu-setup update)" : "");
		return r;
	}
	if (dry_run) {
		/* Checked the same way, in a folder of its own. */
		free(tmpl);
		tmpl = xasprintf("%s/gpu-setup-update.XXXXXX", env_or("TMPDIR", "/tmp"));
	}
	if (!mkdtemp(tmpl)) {
		r = -errno;
		rep->error = xasprintf("cannot create a folder beside %s: %s", rep->overlay_dir, strerror(-r));
		return r;
	}
	/* Tables of failed sources stay as they are: their old overlay
	 * goes into the check unchanged. */
	for (size_t i = 0; i < UPDATE_NSOURCES && r == 0; i++) {
		const struct update_source *src = &rep->src[i];
		_cleanup_free_ char *dest = xasprintf("%s/%s", tmpl, src->table);
		_cleanup_free_ char *old = xasprintf("%s/%s", rep->overlay_dir, src->table);
		_cleanup_free_ char *text = NULL, *oldtext = NULL;
		size_t len;

		if (src->ok)
			text = overlay_text(rep, src, compat_dir);
		else if (src->keep_old && read_file(old, 4u << 20, &oldtext, &len) == 0)
			text = xstrdup(oldtext);
		if (!text)
			continue;
		r = write_file_atomic(dest, text, strlen(text), 0644);
		if (r < 0)
			rep->error = xasprintf("cannot write %s: %s", dest, strerror(-r));
	}
	if (r == 0 && compat_db_load_overlay(compat_dir, tmpl, &check, &err) < 0) {
		rep->error = xasprintf("the refreshed tables do not load, so nothing changed: %s", err.buf);
		r = -EINVAL;
	}
	compat_db_free(check);
	for (size_t i = 0; i < UPDATE_NSOURCES; i++) {
		_cleanup_free_ char *from = xasprintf("%s/%s", tmpl, rep->src[i].table);
		_cleanup_free_ char *to = xasprintf("%s/%s", rep->overlay_dir, rep->src[i].table);

		if (r == 0 && !dry_run && rep->src[i].ok && rename(from, to) < 0) {
			r = -errno;
			rep->error = xasprintf("cannot move %s into place: %s", to, strerror(-r));
		}
		(void)unlink(from);
	}
	(void)rmdir(tmpl);
	rep->written = r == 0 && !dry_run;
	return r;
}

int update_run(const char *compat_dir, const char *overlay_dir, const struct update_urls *urls, bool dry_run,
	       struct update_report *rep)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct compat_db *db = NULL;
	bool any = false, all = true;
	int r;

	memset(rep, 0, sizeof(*rep));
	rep->overlay_dir = xstrdup(overlay_dir);
	today_utc_text(rep->date);
	for (size_t i = 0; i < UPDATE_NSOURCES; i++) {
		rep->src[i].name = sources[i].name;
		rep->src[i].table = sources[i].table;
		strbuf_init(&rep->src[i].rows);
		strbuf_init(&rep->src[i].sources);
	}
	r = compat_db_load_overlay(compat_dir, overlay_dir, &db, &err);
	if (r < 0) {
		/* An overlay that no longer loads with the shipped tables (a
		 * newer gpu-setup's columns, a damaged file) is written afresh. */
		_cleanup_strbuf_ struct strbuf err2 = STRBUF_INIT;

		log_warning("the tables in %s do not load with the shipped ones (%s): refreshing from the shipped "
			    "tables alone", overlay_dir, err.buf);
		r = compat_db_load_overlay(compat_dir, NULL, &db, &err2);
		if (r < 0) {
			rep->error = xasprintf("%s", err2.buf);
			return r;
		}
	}
	for (size_t i = 0; i < UPDATE_NSOURCES; i++)
		rep->src[i].keep_old = compat_overlay_in_use(db, rep->src[i].table);
	for (size_t i = 0; i < UPDATE_NSOURCES; i++) {
		rep->src[i].ok = sources[i].read(&rep->src[i], db, urls);
		any |= rep->src[i].ok;
		all &= rep->src[i].ok;
	}
	compat_db_free(db);
	if (any) {
		r = write_overlay(rep, compat_dir, dry_run);
		if (r < 0)
			return r;
	}
	return all ? 0 : 1;
}

void update_report_free(struct update_report *rep)
{
	for (size_t i = 0; i < UPDATE_NSOURCES; i++) {
		struct update_source *s = &rep->src[i];

		free(s->url);
		free(s->error);
		free(s->last_from);
		for (size_t k = 0; k < s->nadded; k++)
			free(s->added[k]);
		free(s->added);
		strbuf_release(&s->rows);
		strbuf_release(&s->sources);
	}
	free(rep->overlay_dir);
	free(rep->error);
	memset(rep, 0, sizeof(*rep));
}
