/*
 * step-framework.c - the framework step (`install framework`, and the
 * main job's): the resolver's framework build goes into a conda
 * environment named after it (framework-env.h), created with the
 * resolver's Python and filled by pip with the exact pin, as the user; a
 * marker file records it for doctor and for the next run.  A failed run
 * removes the environment it made, so the next starts clean.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "as-user.h"
#include "conda-prefix.h"
#include "cuda-install.h"
#include "exit-codes.h"
#include "fileio.h"
#include "framework-env.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "mirror-config.h"
#include "offline-check.h"
#include "resolve-output.h"
#include "step-python.h"
#include "sysroot.h"
#include "util.h"

struct fw_ctx {
	const struct job_ctx *job;          /* the run's options */
	const struct resolve_result *res;   /* the run's choices (job-ctx.h) */
	struct target_user u;
	bool have_user;
	const struct fw_build *b;
	char *prefix, *name, *env, *requirement, *cuda;
	char *installed;          /* what pip installed, "2.7.1+cu128" */
	const char *result;       /* created, kept, dry-run, nothing, failed */
	char *wheels;             /* --offline: the cache's wheels as the target sees them */
	char *wheels_copy;        /* a copy made inside the root for pip (host path), removed after */
};

static void fw_print_json(const struct fw_ctx *c)
{
	struct json_object *j = json_object_new_object();
	const struct fw_build *b = c->b;

	json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("install framework"));
	json_object_object_add(j, "result", json_object_new_string(c->result));
	json_object_object_add(j, "user", c->have_user ? json_object_new_string(c->u.name) : NULL);
	json_object_object_add(j, "framework", b ? json_object_new_string(framework_name(b->fw)) : NULL);
	json_object_object_add(j, "series", b ? json_object_new_string(b->version) : NULL);
	json_object_object_add(j, "variant", b ? json_string_or_null(b->variant) : NULL);
	json_object_object_add(j, "cuda", json_string_or_null(c->cuda));
	json_object_object_add(j, "python", json_string_or_null(c->res ? c->res->python : NULL));
	json_object_object_add(j, "prefix", json_string_or_null(c->prefix));
	json_object_object_add(j, "env", json_string_or_null(c->name));
	json_object_object_add(j, "env_dir", json_string_or_null(c->env));
	json_object_object_add(j, "requirement", json_string_or_null(c->requirement));
	json_object_object_add(j, "index_url", b ? json_string_or_null(b->index_url) : NULL);
	json_object_object_add(j, "installed", json_string_or_null(c->installed));
	json_result_set(j);
}

/* An environment that is already there: kept when its marker says this
 * build, refused otherwise (never changed: it may be the user's work). */
static int fw_existing_env(struct fw_ctx *c)
{
	_cleanup_free_ char *marker = xasprintf("%s/%s", c->env, GS_ENV_MARKER);
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	struct env_marker m;
	int r;

	strbuf_init(&why);
	r = env_marker_read(c->env, &m);
	if (r < 0 && r != -EINVAL) {
		log_error("%s%s exists and has no %s, so gpu-setup did not make it: it is left alone; remove it "
			  "('conda env remove -n %s') to let gpu-setup create it; nothing was changed",
			  sysroot_get(), c->env, GS_ENV_MARKER, c->name);
		return EXIT_FAILED;
	}
	if (r < 0) {
		log_error("%s%s is not the marker gpu-setup writes (a JSON object with framework, version and cuda): "
			  "remove %s ('conda env remove -n %s') to let gpu-setup create it again; nothing was changed",
			  sysroot_get(), marker, c->env, c->name);
		return EXIT_FAILED;
	}
	if (!env_marker_matches(&m, c->b, c->job->o.framework_version, &why)) {
		log_error("the conda environment %s (%s) is not the one this run would make: %s; remove it "
			  "('conda env remove -n %s') to have it made again; nothing was changed",
			  c->name, c->env, why.buf, c->name);
		env_marker_free(&m);
		return EXIT_FAILED;
	}
	c->installed = xstrdup(m.version);
	env_marker_free(&m);
	c->result = c->job->o.dry_run ? "dry-run" : "kept";
	if (!c->job->o.json)
		printf("The conda environment %s (%s) already holds %s %s for CUDA %s: already set up, nothing "
		       "changed\n",
		       c->name, c->env, framework_title(c->b->fw), c->installed, c->cuda);
	return EXIT_OK;
}

static void fw_print_dry_run(const struct fw_ctx *c)
{
	const struct fw_build *b = c->b;

	if (c->job->o.json)
		return;
	printf("Would create the conda environment %s for %s %s (CUDA %s) in %s:\n", c->name,
	       framework_title(b->fw), b->version, c->cuda, c->env);
	printf("  run as %s: %s/bin/conda create -y -n %s%s%s\n", c->u.name, c->prefix, c->name,
	       c->res->python[0] ? " python=" : "", c->res->python);
	printf("  run as %s: %s/bin/python -m pip install %s%s%s\n", c->u.name, c->env, c->requirement,
	       b->index_url ? " --index-url " : "", b->index_url ? b->index_url : "");
	printf("  file: %s/%s\n", c->env, GS_ENV_MARKER);
}

static int fw_create_env(struct fw_ctx *c)
{
	_cleanup_free_ char *conda = xasprintf("%s/bin/conda", c->prefix), *bin = xasprintf("%s/bin", c->prefix),
			    *python = c->res->python[0] ? xasprintf("python=%s", c->res->python) : NULL,
			    *env_python = xasprintf("%s/bin/python", c->env);
	/* Offline, conda takes the packages from its own package cache (what
	 * the Miniconda installer unpacked), never a channel. */
	const char *argv[] = { conda, "create", "-y", "-n", c->name, c->job->o.offline ? "--offline" : python,
			       c->job->o.offline ? python : NULL, NULL };
	struct run_result rr;
	int r = run_as(&c->u, argv, bin, &rr);

	if (r < 0) {
		log_error("cannot run %s as %s: %s", conda, c->u.name, strerror(-r));
		return EXIT_FAILED;
	}
	if (rr.exit_status != 0 || !sysroot_exists(env_python)) {
		_cleanup_free_ char *tail = tool_tail(&rr);

		if (rr.exit_status != 0)
			log_error("'conda create -n %s' exited with %d%s%s", c->name, rr.exit_status,
				  *tail ? "; its last lines:\n" : "", tail);
		else
			log_error("'conda create -n %s' exited 0, but %s%s is missing", c->name, sysroot_get(),
				  env_python);
		run_result_release(&rr);
		return EXIT_FAILED;
	}
	run_result_release(&rr);
	return EXIT_OK;
}

static int fw_pip_install(struct fw_ctx *c)
{
	_cleanup_free_ char *python = xasprintf("%s/bin/python", c->env), *bin = xasprintf("%s/bin", c->env);
	const char *online[] = { python, "-m", "pip", "install", c->requirement,
				 c->b->index_url ? "--index-url" : NULL, c->b->index_url, NULL };
	const char *offline[] = { python, "-m", "pip", "install", "--no-index", "--find-links", c->wheels,
				  c->requirement, NULL };
	const char *const *argv = c->wheels ? offline : online;
	struct run_result rr;
	int r = run_as(&c->u, (const char **)argv, bin, &rr);

	if (r < 0) {
		log_error("cannot run %s as %s: %s", python, c->u.name, strerror(-r));
		return EXIT_FAILED;
	}
	if (rr.exit_status != 0) {
		_cleanup_free_ char *tail = tool_tail(&rr);

		log_error("'pip install %s' exited with %d%s%s", c->requirement, rr.exit_status,
			  *tail ? "; its last lines:\n" : "", tail);
		run_result_release(&rr);
		return EXIT_FAILED;
	}
	run_result_release(&rr);
	return EXIT_OK;
}

struct read_version_args {
	const char *env;       /* target path */
	const char *project;
};

/* In a child running as the user: what pip left, not what it said. */
static int read_version_fn(void *arg, struct strbuf *out)
{
	const struct read_version_args *a = arg;
	_cleanup_free_ char *host = sysroot_path(a->env), *version = NULL;
	int r = env_installed_version(host, a->project, &version);

	if (r < 0)
		strbuf_addf(out, "no %s-*.dist-info in %s/lib/python*/site-packages", a->project, a->env);
	else
		strbuf_adds(out, version);
	return r;
}

static int fw_check_installed(struct fw_ctx *c)
{
	_cleanup_free_ char *project = pip_requirement_project(c->requirement), *release = NULL;
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	struct read_version_args a = { .env = c->env, .project = project };
	struct version have, want;
	const char *pin = c->job->o.framework_version;
	bool full = pin && version_parse(pin, &want) == 0 && want.nparts >= 3;

	strbuf_init(&out);
	if (as_user_call(&c->u, read_version_fn, &a, &out) < 0) {
		log_error("pip exited 0, but %s is not installed: %s", project, out.buf);
		return EXIT_FAILED;
	}
	release = public_version(out.buf);
	if (version_parse(release, &have) < 0 || !version_matches(&have, &c->b->v) ||
	    (full && version_cmp(&have, &want) != 0)) {
		log_error("pip installed %s %s, not the %s the pin %s asks for", project, out.buf,
			  full ? pin : c->b->version, c->requirement);
		return EXIT_FAILED;
	}
	c->installed = strbuf_detach(&out, NULL);
	return EXIT_OK;
}

struct marker_args {
	const char *path;      /* target path */
	const char *text;
};

static int write_marker_fn(void *arg, struct strbuf *out)
{
	const struct marker_args *a = arg;
	_cleanup_free_ char *host = NULL;
	int r = sysroot_host_path_parent(a->path, &host);

	if (r == 0)
		r = write_file_atomic(host, a->text, strlen(a->text), 0644);
	if (r < 0)
		strbuf_addf(out, "cannot write %s%s: %s", sysroot_get(), a->path, strerror(-r));
	return r;
}

static int fw_write_marker(struct fw_ctx *c)
{
	_cleanup_free_ char *release = public_version(c->installed),
			    *path = xasprintf("%s/%s", c->env, GS_ENV_MARKER), *text = NULL;
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	struct env_marker m = { .framework = (char *)framework_name(c->b->fw), .version = release,
				.cuda = c->cuda };
	struct marker_args a = { .path = path };

	/* doctor --deep compares the imported framework's version with the
	 * marker's as a prefix: 2.7.1+cu128 is a 2.7.1. */
	text = env_marker_format(&m, c->installed, c->requirement, c->b->index_url, c->res->python);
	a.text = text;
	strbuf_init(&out);
	if (as_user_call(&c->u, write_marker_fn, &a, &out) < 0) {
		log_error("%s", out.buf);
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* --offline: the cache must hold the framework's wheels, each as
 * recorded; pip reads them where the target sees them (a copy inside the
 * root when the cache is outside it). */
static int fw_offline_wheels(struct fw_ctx *c)
{
	_cleanup_free_ char *project = pip_requirement_project(c->requirement), *prefix = NULL, *dir = NULL;
	_cleanup_strbuf_ struct strbuf report = STRBUF_INIT, err = STRBUF_INIT;
	struct cache_manifest m;
	const char *root = sysroot_get();
	size_t problems;
	int r, code = EXIT_OK;

	strbuf_init(&report);
	strbuf_init(&err);
	dir = cache_dir_for(c->job->o.cache);
	r = cache_manifest_load(dir, &m, &err);
	if (r < 0) {
		log_error("cannot read the cache %s: %s; nothing was changed", dir, err.buf);
		return exit_code_for_errno(r);
	}
	prefix = xasprintf("%s-", project);
	{
		const struct offline_need need = { CACHE_WHEEL, NULL, prefix, "the framework's wheels" };

		problems = offline_check(&m, &need, 1, &report);
	}
	free(dir);
	dir = cache_kind_dir(&m, CACHE_WHEEL);
	if (problems) {
		log_error("the cache cannot install %s offline:\n%sfetch them on a machine with network: 'gpu-setup "
			  "fetch --wheels --for target.json --cache DIR'; nothing was changed",
			  c->requirement, report.buf);
		code = EXIT_FAILED;
	} else if (!root[0]) {
		c->wheels = TAKE_PTR(dir);
	} else if (startswith(dir, root) && dir[strlen(root)] == '/') {
		c->wheels = xstrdup(dir + strlen(root));
	} else {
		/* Copied in, each hashed as it is written: the wheel pip
		 * reads is the one checked against the manifest. */
		_cleanup_free_ char *tmpl = sysroot_path("/var/tmp/gpu-setup-wheels-XXXXXX");

		if (!mkdtemp(tmpl) || chmod(tmpl, 0755) < 0) {
			log_error("cannot make a directory for the wheels in %s/var/tmp: %s", root, strerror(errno));
			cache_manifest_free(&m);
			return EXIT_FAILED;
		}
		c->wheels_copy = xstrdup(tmpl);
		c->wheels = xstrdup(tmpl + strlen(root));
		for (size_t i = 0; i < m.nentries && code == EXIT_OK; i++) {
			const struct cache_entry *e = &m.entries[i];
			_cleanup_free_ char *src = NULL, *copied = NULL;
			char hex[SHA256_HEX_LEN + 1];

			if (e->kind != CACHE_WHEEL)
				continue;
			src = cache_entry_path(&m, e);
			r = target_copy_in(src, c->wheels, &copied, hex);
			if (r < 0 || !sha256_hex_equal(hex, e->sha256)) {
				log_error("cannot copy %s into %s%s: %s; nothing was changed", src, root, c->wheels,
					  r < 0 ? strerror(-r) : "it changed since it was checked");
				code = EXIT_FAILED;
			}
		}
	}
	cache_manifest_free(&m);
	return code;
}

/* With --framework none, job has the options only. */
int install_framework_step(const struct job_ctx *job)
{
	struct fw_ctx c = { .job = job, .result = "failed" };
	int code;

	if (job->o.framework == FW_NONE) {
		c.result = "nothing";
		if (job->o.json)
			fw_print_json(&c);
		else
			printf("--framework none: no framework environment to set up, nothing to do\n");
		return EXIT_OK;
	}
	c.res = &job->res;
	code = job_user_get(job, &c.u);
	c.have_user = code == EXIT_OK;
	if (code != EXIT_OK)
		goto out;
	c.b = c.res->build;
	if (!c.b) {
		log_error("the resolver chose no %s build for this machine (see 'gpu-setup plan')",
			  framework_title(job->o.framework));
		code = EXIT_FAILED;
		goto out;
	}
	c.cuda = fw_build_cuda_text(c.b);
	c.name = framework_env_name(c.b);
	c.requirement = fw_build_requirement(c.b, job->o.framework_version);
	if (conda_prefix_find(&c.u, job->o.conda_prefix, &c.prefix) < 0) {
		log_error("no conda for %s in %s%s: install Miniconda first: sudo gpu-setup install miniconda",
			  c.u.name, sysroot_get(),
			  job->o.conda_prefix ? job->o.conda_prefix : "~/miniconda3, ~/anaconda3, ~/miniforge3 or ~/mambaforge");
		code = EXIT_FAILED;
		goto out;
	}
	c.env = xasprintf("%s/envs/%s", c.prefix, c.name);
	if (target_path_present(c.env)) {
		code = fw_existing_env(&c);
		goto out;
	}
	if (job->o.dry_run) {
		fw_print_dry_run(&c);
		c.result = "dry-run";
		goto out;
	}
	if (job->o.offline) {
		code = fw_offline_wheels(&c);
		if (code != EXIT_OK)
			goto out;
	}
	code = fw_create_env(&c);
	if (code == EXIT_OK)
		code = fw_pip_install(&c);
	if (code == EXIT_OK)
		code = fw_check_installed(&c);
	if (code == EXIT_OK)
		code = fw_write_marker(&c);
	if (code != EXIT_OK) {
		remove_as_user(&c.u, c.env, "unfinished environment");
		goto out;
	}
	c.result = "created";
	if (!job->o.json)
		printf("%s %s installed for %s in the conda environment %s (%s); use it with 'conda activate %s'\n",
		       framework_title(c.b->fw), c.installed, c.u.name, c.name, c.env, c.name);
out:
	if (job->o.json && c.b)
		fw_print_json(&c);
	free(c.prefix);
	free(c.name);
	free(c.env);
	free(c.requirement);
	free(c.cuda);
	free(c.installed);
	free(c.wheels);
	if (c.wheels_copy) {
		(void)remove_tree(c.wheels_copy);
		free(c.wheels_copy);
	}
	if (c.have_user)
		target_user_free(&c.u);
	return code;
}
