/*
 * step-driver.c - the driver step (`gpu-setup driver`, and the main
 * job's): choose the NVIDIA driver package for the GPUs from what apt
 * offers, and install it (or, with --list, show every candidate and why it
 * was or was not chosen).
 *
 * Order: on Debian make sure the sources carry the components the driver
 * lives in (asking first); read apt's candidates; let the resolver pick
 * branch and flavour among them; run the preflight checks; show the job
 * and ask; install; verify through apt; blacklist nouveau when no package
 * did; record that a reboot is needed.
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "apt-offline.h"
#include "apt-sources.h"
#include "cache.h"
#include "driver-debs.h"
#include "driver-install.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "prompt.h"
#include "resolve-output.h"
#include "run.h"
#include "sysroot.h"
#include "util.h"

struct driver_ctx {
	const struct job_options *o; /* the run's options */
	struct target *t;            /* the run's (job-ctx.h), or the command's own */
	struct apt_cache *ac;
	struct driver_choice ch;
	struct driver_job job;
	bool have_job;
	const char *result;        /* for --json: installed, kept, already-installed, dry-run, failed ... */
	bool reboot;
	bool sources_pending;      /* --list/--dry-run: the sources change was only shown */
	struct json_object *sources; /* the sources changes, for --json */
	struct apt_offline_repo repo; /* --offline: the cache's .debs as apt's only source */
};

/* With --offline apt sees the offline repository alone (its config). */
static int open_cache(struct driver_ctx *d)
{
	char *err = NULL;
	int r = apt_cache_open_config(sysroot_get()[0] ? sysroot_get() : NULL, (const char *const *)d->repo.config,
				      &d->ac, &err);

	if (r < 0) {
		log_error("cannot read apt's package lists under '%s/': %s", sysroot_get(), err ? err : strerror(-r));
		free(err);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* apt-get update, once apt and dpkg are free; err says why not. */
static int run_update(unsigned lock_wait_s, struct strbuf *err)
{
	const char *argv[] = { "apt-get", "update", "-q", NULL };

	if (driver_wait_for_apt(lock_wait_s * 1000L, err) < 0)
		return -EBUSY;
	return run_step(argv, err) < 0 ? -EIO : 0;
}

/* The sources name package lists apt has not fetched (changed by hand, or
 * by a run that stopped between the change and apt-get update): apt would
 * offer only what the old sources had.  Update first, as root; say so
 * otherwise. */
static int update_stale_lists(struct driver_ctx *d)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	_cleanup_free_ char *first = NULL;
	int n;

	if (d->o->offline || d->t->described || !d->ac || (n = apt_lists_missing(d->ac, &first)) <= 0)
		return EXIT_OK;
	if (d->o->list || d->o->dry_run || geteuid() != 0) {
		log_warning("apt's sources name %d package list%s apt-get update has not fetched yet (%s): what apt "
			    "offers may be out of date until 'sudo apt-get update' runs", n, n == 1 ? "" : "s", first);
		return EXIT_OK;
	}
	log_info("apt's sources name %d package list%s apt-get update has not fetched yet (%s): running "
		 "apt-get update first", n, n == 1 ? "" : "s", first);
	strbuf_init(&err);
	apt_cache_close(d->ac);
	d->ac = NULL;
	if (run_update(d->o->lock_wait_s, &err) < 0)
		log_warning("%s; going on with the package lists apt has", err.buf);
	return open_cache(d);
}

/* Show the change (text), or keep it for --json: per file its path, the
 * changed entries and, once applied, the backup. */
static struct json_object *sources_changes(const struct apt_sources_plan *plan, const char *stamp, bool print)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < plan->nfiles; i++) {
		struct json_object *o = json_object_new_object(), *lines = json_object_new_array();
		const char *line = plan->files[i].changes;

		if (print)
			printf("  %s%s:\n", sysroot_get(), plan->files[i].path);
		while (*line) {
			size_t len = strcspn(line, "\n");

			if (print)
				printf("    %.*s\n", (int)len, line);
			json_object_array_add(lines, json_object_new_string_len(line, (int)len));
			line += len + (line[len] == '\n');
		}
		json_object_object_add(o, "path", json_object_new_string(plan->files[i].path));
		json_object_object_add(o, "changes", lines);
		if (stamp) {
			_cleanup_free_ char *backup = apt_sources_backup_path(plan->files[i].path, stamp);

			json_object_object_add(o, "backup", json_object_new_string(backup));
			log_info("%s changed; the old one is %s", plan->files[i].path, backup);
		}
		json_object_array_add(a, o);
	}
	return a;
}

/* Debian keeps the driver in non-free (and the open modules' firmware in
 * non-free-firmware); a default install enables only main. */
static int debian_sources_step(struct driver_ctx *d)
{
	const char *const *components = debian_nonfree_components(d->t->distro->id);
	struct apt_sources_plan plan = { 0 };
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	char stamp[32];
	time_t now = time(NULL);
	int r, code = EXIT_OK;

	if (!components)
		return EXIT_OK;
	strbuf_init(&err);
	r = apt_sources_scan(d->t->match.suite, components, &plan, &err);
	if (r < 0) {
		log_error("cannot read apt's sources: %s", err.buf);
		return EXIT_FAILED;
	}
	if (!plan.found)
		log_warning("apt's sources under '%s/etc/apt' have no entry of the Debian archive for %s with "
			    "'main', so gpu-setup cannot add the components the driver is in; add one if apt lacks "
			    "the driver", sysroot_get(), d->t->match.suite);
	if (!plan.nfiles)
		goto out;
	if (!d->o->json)
		printf("Debian ships the NVIDIA driver in contrib and non-free%s, which apt's sources lack:\n",
		       components[2] ? " (its firmware in non-free-firmware)" : "");
	if (d->o->list || d->o->dry_run) {
		d->sources = sources_changes(&plan, NULL, !d->o->json);
		if (!d->o->json)
			printf("(not changed: %s)\n", d->o->list ? "--list" : "--dry-run");
		d->sources_pending = true;
		goto out;
	}
	json_object_put(sources_changes(&plan, NULL, !d->o->json));
	r = prompt_consent("Change the sources (each file is backed up first) and run apt-get update?", d->o->yes);
	if (r <= 0) {
		code = EXIT_FAILED;
		goto out;
	}
	/* The update after the change needs apt's lock: wait for it first,
	 * so that a held lock changes nothing at all. */
	strbuf_reset(&err);
	if (driver_wait_for_apt(d->o->lock_wait_s * 1000L, &err) < 0) {
		log_error("%s; nothing was changed", err.buf);
		code = EXIT_FAILED;
		goto out;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	strbuf_reset(&err);
	r = apt_sources_apply(&plan, stamp, &err);
	if (r < 0) {
		log_error("cannot change apt's sources: %s; they were left as they were", err.buf);
		code = EXIT_FAILED;
		goto out;
	}
	apt_cache_close(d->ac);
	d->ac = NULL;
	strbuf_reset(&err);
	if (run_update(d->o->lock_wait_s, &err) < 0) {
		/* The lists would not know the new sources: put the old ones
		 * back, so the machine is as it was and the next run starts
		 * over. */
		_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

		strbuf_init(&why);
		if (apt_sources_revert(&plan, stamp, &why) < 0)
			log_error("%s after the sources change; restoring them failed%s", err.buf, why.buf);
		else
			log_error("%s; the sources were put back as they were: nothing was changed", err.buf);
		code = EXIT_FAILED;
		goto out;
	}
	d->sources = sources_changes(&plan, stamp, false);
	code = open_cache(d);
out:
	apt_sources_plan_free(&plan);
	return code;
}

#define OFFLINE_LACKS_HINT                                                                                 \
	"apt sees only the cache's packages: a package named above that it lacks comes with 'gpu-setup fetch " \
	"--for target.json --cache DIR' on a machine with a network (target.json from 'gpu-setup detect --json' here)"

/* Offline, a candidate apt cannot use lacks packages the cache should
 * have brought: say which, on stderr too. */
static bool offline_cache_lacks(const struct driver_ctx *d)
{
	bool lacks = false;

	for (size_t i = 0; i < d->ch.offers.ncand; i++) {
		const struct driver_candidate *c = &d->ch.offers.cand[i];

		if (c->unusable && c->version) {
			log_error("%s (%s): %s", c->name, c->packages, c->unusable);
			lacks = true;
		}
	}
	return lacks;
}

/* --offline: every .deb of the cache checked before anything changes,
 * then the repository apt installs them from. */
static int offline_repo_step(struct driver_ctx *d)
{
	_cleanup_free_ char *dir = cache_dir_for(d->o->cache);
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, why = STRBUF_INIT;
	struct cache_manifest m = { 0 };
	const char **debs = NULL, **sums = NULL;
	size_t n = 0, bad = 0;
	int r, code = EXIT_OK;

	strbuf_init(&err);
	strbuf_init(&why);
	r = cache_manifest_load(dir, &m, &err);
	if (r < 0) {
		log_error("cannot read the cache %s: %s", dir, err.buf);
		return EXIT_FAILED;
	}
	debs = xcalloc(m.nentries + 1, sizeof(*debs));
	sums = xcalloc(m.nentries + 1, sizeof(*sums));
	for (size_t i = 0; i < m.nentries; i++) {
		const struct cache_entry *e = &m.entries[i];

		if (e->kind != CACHE_DEB)
			continue;
		strbuf_reset(&why);
		if (cache_entry_verify(&m, e, &why) < 0) {
			_cleanup_free_ char *path = cache_entry_path(&m, e);

			log_error("%s: %s", path, why.buf);
			bad++;
			continue;
		}
		debs[n] = cache_entry_path(&m, e);
		sums[n++] = e->sha256;
	}
	if (bad) {
		log_error("%zu of the cache's .debs %s missing or damaged: nothing was changed; fetch them again "
			  "with 'gpu-setup fetch --cache %s' (on a machine with a network: --for)", bad,
			  bad == 1 ? "is" : "are", dir);
		code = EXIT_FAILED;
	} else if (!n) {
		log_error("the cache %s holds no .deb: fill it with 'gpu-setup fetch' (for this machine from "
			  "another one: 'gpu-setup detect --json > target.json' here, 'gpu-setup fetch --for "
			  "target.json --cache DIR' there)", dir);
		code = EXIT_FAILED;
	} else {
		strbuf_reset(&err);
		r = apt_offline_repo_create(debs, sums, n, &d->repo, &err);
		if (r < 0) {
			log_error("%s; nothing was changed", err.buf);
			code = EXIT_FAILED;
		}
	}
	for (size_t i = 0; i < n; i++)
		free((char *)debs[i]);
	free(debs);
	free(sums);
	cache_manifest_free(&m);
	return code;
}

static int read_offers(struct driver_ctx *d)
{
	int code = driver_choose(d->t, d->ac, d->sources_pending, &d->ch);

	if (d->ch.assumed && !d->o->json)
		printf("Packages shown as \"not in apt\" come with the sources change above.\n");
	return code;
}

static struct json_object *strings_json(char **list)
{
	struct json_object *a = json_object_new_array();

	for (char **p = list; p && *p; p++)
		json_object_array_add(a, json_object_new_string(*p));
	return a;
}

static void print_json(const struct driver_ctx *d)
{
	struct json_object *j = json_object_new_object();
	const struct driver_candidate *c = d->ch.list.chosen;

	json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("driver"));
	json_object_object_add(j, "distro", json_object_new_string(d->t->distro->id));
	json_object_object_add(j, "source", json_object_new_string(d->ch.offers.from_modaliases ? "modaliases" : "table"));
	json_object_object_add(j, "server", json_object_new_boolean(d->ch.offers.server));
	json_object_object_add(j, "gpus", target_gpus_json(d->t));
	json_object_object_add(j, "sources_changes", d->sources ? json_object_get(d->sources) : json_object_new_array());
	json_object_object_add(j, "sources_changed", json_object_new_boolean(d->sources && !d->sources_pending));
	json_object_object_add(j, "candidates", driver_list_to_json(&d->ch.list));
	json_object_object_add(j, "chosen", c ? json_object_new_string(c->name) : NULL);
	json_object_object_add(j, "keep_installed", json_object_new_boolean(d->ch.res.ok && d->ch.res.keep_installed));
	json_object_object_add(j, "resolution", resolve_to_json(&d->ch.res));
	json_object_object_add(j, "packages", strings_json(d->have_job ? d->job.packages : NULL));
	json_object_object_add(j, "install_closure", strings_json(d->have_job ? d->job.closure : NULL));
	json_object_object_add(j, "problems", strings_json(d->have_job ? d->job.problems : NULL));
	json_object_object_add(j, "notes", strings_json(d->have_job ? d->job.notes : NULL));
	json_object_object_add(j, "kernel_metapackage", d->have_job && d->job.kernel_meta
								? json_object_new_string(d->job.kernel_meta) : NULL);
	if (!d->o->list) {
		json_object_object_add(j, "result", json_object_new_string(d->result ? d->result : "failed"));
		json_object_object_add(j, "method", !d->have_job ? NULL
					: json_object_new_string(d->job.ubuntu_drivers_spec ? "ubuntu-drivers" : "apt-get"));
		json_object_object_add(j, "reboot_required", json_object_new_boolean(d->reboot));
	}
	json_result_set(j);
}

static void print_job(const struct driver_job *job)
{
	printf("\nTo install: %s", job->packages[0]);
	for (char **p = job->packages + 1; *p; p++)
		printf(" %s", *p);
	if (job->ubuntu_drivers_spec)
		printf("\n  with: ubuntu-drivers install %s%s", job->chosen->server ? "--gpgpu " : "",
		       job->ubuntu_drivers_spec);
	else
		printf("\n  with: apt-get install");
	if (job->closure) {
		size_t n = 0;

		while (job->closure[n])
			n++;
		printf("\n  %zu package%s with what they depend on and, as apt is set up here, recommend", n,
		       n == 1 ? "" : "s");
	}
	printf("\nKernel module: %s",
	       job->modules ? "prebuilt and signed for the running kernel" : "built by DKMS for each kernel");
	if (job->kernel_meta)
		printf("; %s brings %s to the next kernels", job->kernel_meta,
		       job->modules ? "the modules" : "the headers DKMS builds from");
	printf("\n");
	for (size_t i = 0; i < job->nnotes; i++)
		printf("Note: %s\n", job->notes[i]);
}

/* Everything up to the change: idempotence, preflight, the question. */
static int prepare_install(struct driver_ctx *d)
{
	const struct driver_candidate *c = d->ch.list.chosen;

	if (d->ch.res.keep_installed) {
		d->result = "kept";
		log_info("the loaded driver %s already serves the plan: nothing to do", d->t->installed);
		return EXIT_OK;
	}
	if (!c) {
		log_error("none of apt's driver packages fits these GPUs (see the reasons above)");
		return EXIT_CONFLICT;
	}
	driver_job_prepare(d->ac, d->t, c, &d->job);
	d->have_job = true;
	if (!d->job.nproblems) {
		bool all = c->installed && driver_version_branch(c->installed) == c->branch;

		/* Installed in any release of the branch is enough: point
		 * releases are apt's upgrades to make, not gpu-setup's. */
		for (char **p = d->job.packages; *p && all; p++) {
			_cleanup_free_ char *inst = NULL, *cand = NULL;

			all = apt_versions(d->ac, *p, &inst, &cand) == 0 && inst;
		}
		if (all) {
			d->result = "already-installed";
			/* Installed but not loaded since: the reboot asked for
			 * is still to come. */
			d->reboot = !d->t->installed && reboot_pending(NULL);
			log_info("%s %s is installed already: nothing to do%s", c->name, c->installed,
				 d->t->installed ? "" : " (it is not loaded yet: reboot)");
			return EXIT_OK;
		}
	}
	if (!d->o->json)
		print_job(&d->job);
	if (d->job.nproblems && d->o->dry_run && d->sources_pending) {
		/* apt's lists predate the sources change: what it lacks now
		 * may well come with it. */
		for (size_t i = 0; i < d->job.nproblems; i++)
			log_warning("before the sources change: %s", d->job.problems[i]);
	} else if (d->job.nproblems) {
		for (size_t i = 0; i < d->job.nproblems; i++)
			log_error("%s", d->job.problems[i]);
		if (d->o->offline)
			log_error("%s", OFFLINE_LACKS_HINT);
		log_error("nothing was changed");
		return EXIT_FAILED;
	}
	if (d->o->dry_run) {
		d->result = "dry-run";
		return EXIT_OK;
	}
	if (prompt_consent("Install the driver?", d->o->yes) <= 0)
		return EXIT_FAILED;
	return -1;  /* go on */
}

static int install(struct driver_ctx *d)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *reason = NULL;
	int code = prepare_install(d), r;

	if (code >= 0)
		return code;
	apt_cache_close(d->ac);  /* apt-get and dpkg take over the state */
	d->ac = NULL;
	if (d->o->offline) {
		/* apt-get from the offline repository alone: ubuntu-drivers
		 * would read the system's sources. */
		d->job.apt_options = (const char *const *)d->repo.apt_options;
		free(d->job.ubuntu_drivers_spec);
		d->job.ubuntu_drivers_spec = NULL;
	}
	strbuf_init(&err);
	r = driver_job_run(&d->job, d->o->lock_wait_s * 1000L, &err);
	if (r < 0) {
		log_error("%s; nothing was changed", err.buf);
		return EXIT_FAILED;
	}
	if (r > 0)
		log_warning("%s", err.buf);
	strbuf_reset(&err);
	if (driver_job_verify(&d->job, &err) < 0) {
		log_error("the driver install failed: %s%s", err.buf,
			  d->o->log_path ? " (the log has the tools' whole output)"
					   : " (--log FILE keeps the tools' whole output)");
		return EXIT_FAILED;
	}
	if (r > 0)
		log_warning("the tool reported a failure, but every package is installed");
	strbuf_reset(&err);
	r = nouveau_blacklist_ensure(&err);
	if (r < 0)
		log_warning("%s", err.buf);
	else if (r > 0)
		log_info("nouveau blacklisted in %s (no package did it) and the initramfs regenerated",
			 NOUVEAU_BLACKLIST_PATH);
	reason = xasprintf("gpu-setup installed %s: the new kernel module loads at the next boot", d->job.chosen->name);
	if (reboot_required_record(reason, (const char *const *)d->job.packages) < 0)
		log_warning("cannot record that a reboot is needed under /var/lib/gpu-setup");
	d->reboot = true;
	d->result = "installed";
	log_info("%s is installed; reboot to load it%s", d->job.chosen->name,
		 d->job.nnotes ? " (see the notes above first)" : "");
	return EXIT_OK;
}

/* A loaded driver that already serves the plan needs no package from the
 * archive: then the sources are not touched. */
static bool loaded_driver_fits(const struct driver_ctx *d)
{
	struct resolve_request req;
	struct resolve_result res = { 0 };
	bool fits;

	if (!d->t->installed || target_request(d->t, &req) != EXIT_OK)
		return false;
	resolve(d->t->db, &req, &res);
	fits = res.ok && res.keep_installed;
	resolve_result_free(&res);
	return fits;
}

/* --list: what install would do, and what would stop it. */
static void list_job(struct driver_ctx *d)
{
	driver_job_prepare(d->ac, d->t, d->ch.list.chosen, &d->job);
	d->have_job = true;
	if (d->o->json)
		return;
	print_job(&d->job);
	for (size_t i = 0; i < d->job.nproblems; i++)
		log_warning("install would stop here: %s", d->job.problems[i]);
}

int driver_step(struct job_ctx *job)
{
	return driver_run(&job->o, &job->t);
}

/* The driver step for the target t (detected once by the caller): apt's
 * sources and offers are read here, after the sources change. */
int driver_run(const struct job_options *o, struct target *t)
{
	struct driver_ctx d = { .o = o, .t = t };
	int code = EXIT_OK;

	if (o->offline)
		code = offline_repo_step(&d);
	if (code == EXIT_OK)
		code = open_cache(&d);
	/* Offline, the sources are not apt's to read. */
	if (code == EXIT_OK && !o->offline && !target_is_ubuntu(d.t) && !loaded_driver_fits(&d))
		code = debian_sources_step(&d);
	if (code == EXIT_OK && !d.sources_pending && !d.sources)
		code = update_stale_lists(&d);
	if (code == EXIT_OK)
		code = read_offers(&d);
	if (code != EXIT_OK)
		goto out;
	if (!o->json)
		driver_list_print_text(&d.ch.list, stdout);
	if (!d.ch.res.ok) {
		if (!o->json) {
			puts("");
			resolve_print_text(&d.ch.res, false, stdout);
		}
		log_error("none of apt's driver packages fits these GPUs and constraints (see the reasons above)");
		code = EXIT_CONFLICT;
		if (o->offline && offline_cache_lacks(&d)) {
			log_error("%s", OFFLINE_LACKS_HINT);
			code = EXIT_FAILED;
		}
	} else if (!o->list) {
		code = install(&d);
	} else if (d.ch.list.chosen) {
		list_job(&d);
	}
	if (o->json)
		print_json(&d);
out:
	if (d.have_job)
		driver_job_free(&d.job);
	driver_choice_free(&d.ch);
	if (d.ac)
		apt_cache_close(d.ac);
	d.ac = NULL;
	apt_offline_repo_remove(&d.repo);
	json_object_put(d.sources);
	return code;
}
