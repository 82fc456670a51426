/*
 * fetch-run.c - `gpu-setup fetch` and the main job's download step:
 * download everything an install needs into the cache, so that `install
 * --offline` can run later with no network, here or on another machine.
 *
 * The target is this machine, or the one `gpu-setup detect --json`
 * described (--for FILE): its GPUs, distribution, loaded driver, kernel
 * and apt (sources, keys, installed packages) come from the file.  The
 * versions are resolved as plan and install resolve them; the driver's
 * packages are chosen as `gpu-setup driver` chooses them and their
 * dependency closure, minus what the target has, is taken from apt (for
 * another machine, an apt tree of its own set up here from its sources).
 * Then every file is downloaded at once (fetch.h), checked, and recorded
 * in the cache's manifest (cache.h).  The download step takes the main
 * job's context instead: no apt, no second resolution.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "apt-target.h"
#include "driver-debs.h"
#include "exit-codes.h"
#include "fetch.h"
#include "fileio.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "mirror-config.h"
#include "pip-report.h"
#include "resolve-output.h"
#include "run.h"
#include "sysroot.h"
#include "util.h"

struct fetch_ctx {
	const struct job_options *o;  /* the run's options */
	struct target t;
	struct resolve_request req;
	struct driver_offers offers;
	struct resolve_result res;
	bool have_res;
	struct apt_target_spec spec;
	bool have_spec;
	char *tree;                   /* apt tree of a described machine */
	struct driver_debs debs;
	bool have_debs;
	struct miniconda_table mc;
	bool have_mc;
	struct fetch_plan plan;
	struct cache_manifest m;
	bool have_m;
	char *dir;                    /* the cache (host path) */
	struct fetch_item *items;
	const char **status;          /* per plan item: fetched, present, failed, would-fetch */
	unsigned vendor_kinds;        /* FETCH_KIND bits of the vendor files to fetch */
	/* The target and choices the plan is made for: this fetch's own
	 * (t, res), or the main job's (its download step reads no apt and
	 * resolves nothing again). */
	const struct target *tg;
	const struct resolve_result *r;
	const struct job_ctx *job;    /* the main job's context (its tables too), or NULL; the main
				 * job's download takes no driver packages (apt fetches those
				 * itself, after the driver step has set up its sources) */
};

static void ctx_free(struct fetch_ctx *c)
{
	if (c->items)
		fetch_items_release(c->items, c->plan.n);
	free(c->items);
	free(c->status);
	if (c->have_m)
		cache_manifest_free(&c->m);
	fetch_plan_free(&c->plan);
	if (c->have_mc)
		miniconda_table_free(&c->mc);
	if (c->have_debs)
		driver_debs_free(&c->debs);
	if (c->tree) {
		apt_target_tree_remove(c->tree);
		free(c->tree);
	}
	if (c->have_spec)
		target_apt_spec_release(&c->spec);
	if (c->have_res)
		resolve_result_free(&c->res);
	driver_offers_free(&c->offers);
	target_free(&c->t);
	free(c->dir);
}

/* apt's view of the target: this machine's apt (or the tree under
 * --root), or a tree set up from the described machine's sources. */
static int open_apt(struct fetch_ctx *c, struct apt_cache **ret)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *apt_err = NULL;
	int r;

	strbuf_init(&err);
	if (c->t.described) {
		if (target_apt_spec(&c->t, &c->spec) < 0) {
			log_error("'%s' does not describe the machine's apt (no \"system\".\"apt\"): run a newer "
				  "'gpu-setup detect --json' there",
				  c->o->target.described);
			return EXIT_BAD_INPUT;
		}
		c->have_spec = true;
		r = apt_target_tree_create(&c->spec, c->o->tmpdir, &c->tree, &err);
		if (r < 0) {
			log_error("cannot set up apt for the described machine: %s", err.buf);
			return EXIT_FAILED;
		}
		log_info("reading the package lists of the described machine's apt sources");
		r = apt_target_tree_update(c->tree, &err);
		if (r < 0) {
			log_error("cannot download the package lists of the described machine's apt sources: %s",
				  err.buf);
			return EXIT_FAILED;
		}
		{
			/* The described machine's architecture and paths: set
			 * before apt reads anything (apt-target.h). */
			char **config = NULL;

			r = apt_target_tree_config(c->tree, &config);
			if (r >= 0)
				r = apt_cache_open_config(c->tree, (const char *const *)config, ret, &apt_err);
			apt_target_tree_config_free(config);
		}
	} else {
		r = apt_cache_open(sysroot_get()[0] ? sysroot_get() : NULL, ret, &apt_err);
	}
	if (r < 0) {
		log_error("cannot read apt's package cache%s: %s", c->tree ? " of the described machine" : "",
			  apt_err ? apt_err : strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Versions as plan resolves them, and the driver's packages. */
static int resolve_target(struct fetch_ctx *c)
{
	struct apt_cache *ac = NULL;
	int code = target_load(&c->t, &c->o->target);

	/* A malformed constraint is refused before apt reads anything (a
	 * described machine's lists come over the network). */
	if (code == EXIT_OK)
		code = target_request(&c->t, &c->req);
	if (code == EXIT_OK)
		code = open_apt(c, &ac);
	if (code != EXIT_OK)
		return code;
	code = target_resolve_loaded(&c->t, ac, &c->offers, &c->req, &c->res);
	c->have_res = true;
	if (code == EXIT_OK) {
		code = driver_debs_plan(&c->t, ac, &c->debs);
		c->have_debs = code == EXIT_OK;
	}
	apt_cache_close(ac);
	return code;
}

static const struct mirror *pick_mirror(const struct job_options *o, struct mirror_table *mt)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *name = o->mirror ? o->mirror : MIRROR_DEFAULT;

	strbuf_init(&err);
	if (mirror_table_load(o->target.compat_dir, mt, &err) < 0) {
		log_warning("cannot read the mirror table (%s): downloads come from the vendors' own sites", err.buf);
		return NULL;
	}
	return mirror_find(mt, name);
}

/* Ask the host's pip which wheels the framework needs on the target. */
static int add_wheels(struct fetch_ctx *c, const struct mirror *mirror)
{
	const struct fw_build *b = c->r->build;
	_cleanup_free_ char *tmpl = xasprintf("%s/gpu-setup-wheels-XXXXXX", c->o->tmpdir ? c->o->tmpdir : "/tmp");
	_cleanup_free_ char *requirement = NULL, *report = NULL, *target = NULL, *text = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *local = getenv("GPU_SETUP_PIP_INDEX");
	const char *index = local && *local ? local : b->index_url ? b->index_url : mirror ? mirror->pip_index : NULL;
	struct run_result rr;
	char **argv;
	size_t len;
	int r, code = EXIT_OK;

	if (!c->r->python[0]) {
		log_error("the resolver chose no Python version, so the wheels cannot be chosen: give --python X.Y");
		return EXIT_FAILED;
	}
	if (!mkdtemp(tmpl)) {
		log_error("cannot make a temporary directory %s: %s", tmpl, strerror(errno));
		return EXIT_FAILED;
	}
	requirement = fw_build_requirement(b, c->o->framework_version);
	report = xasprintf("%s/report.json", tmpl);
	target = xasprintf("%s/target", tmpl);
	argv = pip_report_argv(c->r->python, index, requirement, target, report);
	log_info("asking pip which wheels %s needs for Python %s (%s)", requirement, c->r->python,
		 index ? index : "PyPI");
	r = run_command((const char *const *)argv, NULL, 0, &rr);
	strv_free(argv);
	strbuf_init(&err);
	if (r < 0) {
		log_error("cannot run python3 -m pip: %s (install python3-pip to fetch wheels)", strerror(-r));
		code = EXIT_FAILED;
	} else if (rr.exit_status != 0) {
		log_error("pip could not choose the wheels for %s (exit %d): %s", requirement, rr.exit_status,
			  rr.err.len ? rr.err.buf : "no message");
		code = EXIT_FAILED;
	} else if ((r = read_file(report, 64 << 20, &text, &len)) < 0) {
		log_error("pip wrote no report %s: %s", report, strerror(-r));
		code = EXIT_FAILED;
	} else if ((r = pip_report_add(text, &c->plan, &err)) < 0) {
		log_error("%s", err.buf);
		code = EXIT_FAILED;
	}
	if (r >= 0)
		run_result_release(&rr);
	(void)remove_tree(tmpl);
	return code;
}

/* A copy of NVIDIA's download site to try first (gpu-setup(8),
 * ENVIRONMENT); an empty value is none. */
static const char *nvidia_mirror(void)
{
	const char *m = getenv("GPU_SETUP_NVIDIA_MIRROR");

	return m && *m ? m : NULL;
}

static int build_plan(struct fetch_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct mirror_table mt = { 0 };
	const struct mirror *mirror;
	const struct miniconda_table *mc = &c->mc;
	int code = EXIT_OK;

	c->plan.label = fetch_plan_label(c->tg->distro ? c->tg->distro->id : NULL, c->r);
	if (c->job && c->job->have_tables) {
		/* The main job's tables, read once for the whole run. */
		mirror = c->job->mirror;
		mc = &c->job->mc;
	} else {
		mirror = pick_mirror(c->o, &mt);
		if (miniconda_table_load(c->o->target.compat_dir, &c->mc, &err) < 0) {
			log_error("%s", err.buf);
			code = EXIT_BAD_INPUT;
			goto out;
		}
		c->have_mc = true;
	}
	fetch_plan_add_vendor_files(&c->plan, c->r, c->vendor_kinds, c->r->build ? miniconda_newest(mc) : NULL,
				    mirror && streq(mirror->name, "tuna"), nvidia_mirror());
	for (size_t i = 0; i < c->debs.narchives; i++) {
		const struct apt_archive *a = &c->debs.archives[i];
		const char *urls[] = { a->uri, NULL };

		fetch_plan_add(&c->plan, CACHE_DEB, a->filename, a->version, urls, a->sha256, a->size);
	}
	if (c->o->wheels && c->r->build)
		code = add_wheels(c, mirror);
out:
	mirror_table_free(&mt);
	return code;
}

/* The cache must be writable: the system's needs root. */
static int open_cache(struct fetch_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int r;

	c->dir = cache_dir_for(c->o->cache);
	strbuf_init(&err);
	r = cache_manifest_load(c->dir, &c->m, &err);
	if (r < 0) {
		log_error("cannot use the cache %s: %s; nothing was downloaded", c->dir, err.buf);
		return exit_code_for_errno(r);
	}
	c->have_m = true;
	if (c->o->dry_run)
		return EXIT_OK;
	r = mkdir_p(c->dir, 0755);
	if (r == 0 && access(c->dir, W_OK) < 0)
		r = -errno;
	if (r == -EACCES || r == -EPERM || r == -EROFS) {
		log_error("cannot write the cache %s: %s; run with sudo, or give a directory of yours with --cache DIR",
			  c->dir, strerror(-r));
		return r == -EROFS ? EXIT_FAILED : EXIT_NEEDS_ROOT;
	}
	if (r < 0) {
		log_error("cannot make the cache directory %s: %s", c->dir, strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* Download what the cache lacks, then record every file that is there. */
static int download(struct fetch_ctx *c)
{
	struct fetch_options opt = {
		.parallel = c->o->parallel,
		.progress = isatty(STDERR_FILENO) && !c->o->quiet && !c->o->json,
	};
	_cleanup_close_ int lock = -1;
	char **paths = xcalloc(c->plan.n + 1, sizeof(*paths));
	int failed, code = EXIT_OK, r;

	lock = cache_lock(c->dir);
	if (lock < 0) {
		log_error(lock == -EBUSY ? "another gpu-setup run is changing the cache %s; try again when it is done"
					 : "cannot lock the cache %s: %s",
			  c->dir, strerror(-lock));
		free(paths);
		return lock == -EBUSY ? EXIT_LOCKED : EXIT_FAILED;
	}
	c->items = xcalloc(c->plan.n, sizeof(*c->items));
	for (size_t i = 0; i < c->plan.n; i++) {
		const struct fetch_artifact *a = &c->plan.items[i];
		struct cache_entry e = { .kind = a->kind, .name = a->name };
		_cleanup_free_ char *kdir = cache_kind_dir(&c->m, a->kind);

		paths[i] = cache_entry_path(&c->m, &e);
		r = mkdir_p(kdir, 0755);
		if (r < 0) {
			log_error("cannot make %s: %s", kdir, strerror(-r));
			code = EXIT_FAILED;
			goto out;
		}
		if (!a->sha256)
			log_warning("the data has no sha256 for %s: it is taken as served and its digest recorded", a->name);
		c->items[i] = (struct fetch_item){
			.urls = (const char *const *)a->urls, .dest = paths[i], .sha256 = a->sha256,
			.size = a->size, .label = a->name,
		};
	}
	failed = fetch_all(c->items, c->plan.n, &opt);
	if (failed < 0) {
		log_error("cannot download: %s", failed == -ENOSYS ? "libcurl cannot be loaded" : strerror(-failed));
		code = EXIT_FAILED;
		goto out;
	}
	for (size_t i = 0; i < c->plan.n; i++) {
		const struct fetch_artifact *a = &c->plan.items[i];
		struct fetch_item *it = &c->items[i];
		struct cache_entry e = {
			.kind = a->kind, .name = a->name, .version = a->version, .plans = c->plan.label,
			.url = (char *)(it->url_used ? it->url_used : a->urls[0] ? a->urls[0] : "-"),
		};
		struct stat st;

		if (it->result < 0) {
			c->status[i] = "failed";
			log_error("%s: %s", a->name, it->error ? it->error : strerror(-it->result));
			code = EXIT_FAILED;
			continue;
		}
		c->status[i] = it->attempts ? "fetched" : "present";
		if (stat(paths[i], &st) < 0) {
			c->status[i] = "failed";
			code = EXIT_FAILED;
			continue;
		}
		e.size = (uint64_t)st.st_size;
		if (a->sha256)
			memcpy(e.sha256, a->sha256, SHA256_HEX_LEN + 1);
		else if ((r = sha256_file(paths[i], e.sha256)) < 0) {
			log_error("cannot read %s back: %s", paths[i], strerror(-r));
			c->status[i] = "failed";
			code = EXIT_FAILED;
			continue;
		}
		r = cache_manifest_add(&c->m, &e);
		if (r < 0) {
			log_error("cannot record %s in the manifest: %s", a->name, strerror(-r));
			code = EXIT_FAILED;
		}
	}
	r = cache_manifest_save(&c->m);
	if (r < 0) {
		log_error("cannot write the manifest of %s: %s", c->dir, strerror(-r));
		code = EXIT_FAILED;
	}
out:
	for (size_t i = 0; i < c->plan.n; i++)
		free(paths[i]);
	free(paths);
	return code;
}

static void print_text(const struct fetch_ctx *c)
{
	uint64_t total = 0;
	char b[32];

	printf("Plan: %s\nCache: %s\n", c->plan.label, c->dir);
	if (c->have_debs && c->debs.keep_installed)
		printf("Driver: the installed one fits; no packages to fetch\n");
	for (size_t i = 0; i < c->plan.n; i++) {
		const struct fetch_artifact *a = &c->plan.items[i];
		const struct cache_entry *e = cache_manifest_find(&c->m, a->kind, a->name);
		uint64_t size = e ? e->size : a->size;

		total += size;
		printf("  %-11s %-9s %s %s (%s)\n", c->status[i], cache_kind_name(a->kind), a->name, a->version,
		       size ? format_bytes(size, b) : "size unknown");
	}
	printf("%zu file%s, %s\n", c->plan.n, c->plan.n == 1 ? "" : "s", format_bytes(total, b));
}

static void print_json(const struct fetch_ctx *c, int code)
{
	struct json_object *j = json_object_new_object(), *a = json_object_new_array();

	json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("fetch"));
	json_object_object_add(j, "result", json_object_new_string(c->o->dry_run ? "dry-run"
								    : code == EXIT_OK ? "ok" : "failed"));
	json_object_object_add(j, "target", c->o->target.described ? json_object_new_string(c->o->target.described) : NULL);
	json_object_object_add(j, "cache", c->dir ? json_object_new_string(c->dir) : NULL);
	json_object_object_add(j, "plan", c->plan.label ? json_object_new_string(c->plan.label) : NULL);
	json_object_object_add(j, "driver_packages", json_object_new_array());
	if (c->have_debs)
		for (char **p = c->debs.packages; p && *p; p++)
			json_object_array_add(json_object_object_get(j, "driver_packages"), json_object_new_string(*p));
	for (size_t i = 0; i < c->plan.n; i++) {
		const struct fetch_artifact *x = &c->plan.items[i];
		const struct fetch_item *it = c->items ? &c->items[i] : NULL;
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "kind", json_object_new_string(cache_kind_name(x->kind)));
		json_object_object_add(o, "name", json_object_new_string(x->name));
		json_object_object_add(o, "version", json_object_new_string(x->version));
		json_object_object_add(o, "url", x->urls[0] ? json_object_new_string(x->urls[0]) : NULL);
		json_object_object_add(o, "sha256", x->sha256 ? json_object_new_string(x->sha256) : NULL);
		json_object_object_add(o, "size", x->size ? json_object_new_int64((int64_t)x->size) : NULL);
		json_object_object_add(o, "status", json_object_new_string(c->status ? c->status[i] : "failed"));
		json_object_object_add(o, "error", it && it->error ? json_object_new_string(it->error) : NULL);
		json_object_array_add(a, o);
	}
	json_object_object_add(j, "artifacts", a);
	json_result_set(j);
}

/* The plan was made from `gpu-setup update`'s rows where there are some:
 * the machine that installs from this cache must choose from the same
 * tables, so the overlay goes with the files (DIR/compat, which install
 * --offline reads), and a table the plan did not take from the overlay
 * leaves no old copy there. */
static int carry_overlay(struct fetch_ctx *c)
{
	const struct compat_db *db = c->tg->db;
	_cleanup_free_ char *dest = compat_overlay_in_cache(c->dir);
	_cleanup_strbuf_ struct strbuf carried = STRBUF_INIT;

	strbuf_init(&carried);
	for (const char *const *t = compat_overlay_tables; *t; t++) {
		_cleanup_free_ char *from = db->overlay_dir ? xasprintf("%s/%s", db->overlay_dir, *t) : NULL;
		_cleanup_free_ char *to = xasprintf("%s/%s", dest, *t), *text = NULL;
		size_t len;
		int r;

		if (!from || !compat_overlay_in_use(db, *t)) {
			if (unlink(to) < 0 && errno != ENOENT)
				log_warning("cannot remove the old %s: %s", to, strerror(errno));
			continue;
		}
		r = read_file(from, 4u << 20, &text, &len);
		if (r >= 0)
			r = mkdir_p(dest, 0755);
		if (r >= 0)
			r = write_file_atomic(to, text, len, 0644);
		if (r < 0) {
			log_error("cannot carry %s into the cache as %s: %s", from, to, strerror(-r));
			return EXIT_FAILED;
		}
		strbuf_addf(&carried, "%s%s", carried.len ? ", " : "", *t);
	}
	if (carried.len && !c->o->json)
		printf("Tables from gpu-setup update (%s): carried to %s, which install --offline reads\n", carried.buf,
		       dest);
	return EXIT_OK;
}

int fetch_run(const struct job_options *o, const struct job_ctx *job, unsigned vendor_kinds)
{
	struct fetch_ctx c = { .o = o, .vendor_kinds = vendor_kinds };
	int code = EXIT_OK;

	if (job) {
		c.job = job;
		c.tg = &job->t;
		c.r = &job->res;
	} else {
		code = resolve_target(&c);
		c.tg = &c.t;
		c.r = &c.res;
	}

	if (code == EXIT_OK)
		code = build_plan(&c);
	if (code == EXIT_OK)
		code = open_cache(&c);
	if (code != EXIT_OK)
		goto out;
	c.status = xcalloc(c.plan.n + 1, sizeof(*c.status));
	for (size_t i = 0; i < c.plan.n; i++) {
		const struct fetch_artifact *a = &c.plan.items[i];
		const struct cache_entry *e = cache_manifest_find(&c.m, a->kind, a->name);

		c.status[i] = e && (!a->sha256 || streq(e->sha256, a->sha256)) ? "in-cache" : "would-fetch";
	}
	if (!o->dry_run)
		code = download(&c);
	if (code == EXIT_OK && !o->dry_run && !job)
		code = carry_overlay(&c);
	if (o->json)
		print_json(&c, code);
	else
		print_text(&c);
	if (code == EXIT_OK && !o->dry_run && !o->json)
		printf("Everything is in %s: on the target, run 'sudo gpu-setup install --offline --cache DIR'\n", c.dir);
out:
	ctx_free(&c);
	return code;
}

int download_step(const struct job_ctx *job, unsigned kinds)
{
	return fetch_run(&job->o, job, kinds);
}
