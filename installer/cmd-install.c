/*
 * cmd-install.c - `gpu-setup install`, the main job run by a bare
 * `sudo gpu-setup`.  It starts from detection; the whole run online (CUDA,
 * cuDNN, Miniconda, framework after the driver) is not part of this
 * version yet, so with an NVIDIA GPU it points at `gpu-setup driver` and
 * says plainly that it changed nothing.
 *
 * `install --offline` runs the whole stack from the cache: it resolves the
 * plan, checks that the cache holds every file the plan's pending steps
 * need (recorded, with the recorded size and sha256) and lists all that is
 * missing or damaged before anything changes; then it runs the steps in
 * order (driver, CUDA, cuDNN, Miniconda with the mirror configuration,
 * the framework environment), each of which reads only the cache.
 */
#include "config.h"

#include <errno.h>

#include "as-user.h"
#include "cache.h"
#include "commands.h"
#include "detect.h"
#include "driver-offer.h"
#include "exit-codes.h"
#include "framework-env.h"
#include "log.h"
#include "miniconda.h"
#include "offline-check.h"
#include "options.h"
#include "plan.h"
#include "resolve-output.h"
#include "target.h"
#include "util.h"

#define OFFLINE_MIRROR "tuna"

/* The files the pending steps of the plan need from the cache. */
static size_t offline_needs(const struct plan *plan, const struct resolve_result *res,
			    const struct miniconda_release *mc, const char *wheel_prefix, struct offline_need *needs)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->nsteps; i++) {
		const struct plan_step *s = &plan->steps[i];

		if (s->done)
			continue;
		if (streq(s->id, "driver"))
			needs[n++] = (struct offline_need){ CACHE_DEB, NULL, NULL, "the driver's packages" };
		else if (streq(s->id, "cuda") && res->cuda)
			needs[n++] = (struct offline_need){ CACHE_RUNFILE, res->cuda->runfile, NULL, "the CUDA runfile" };
		else if (streq(s->id, "cudnn") && res->cudnn)
			needs[n++] = (struct offline_need){ CACHE_CUDNN, res->cudnn->archive, NULL, "the cuDNN archive" };
		else if (streq(s->id, "miniconda") && mc)
			needs[n++] = (struct offline_need){ CACHE_MINICONDA, mc->name, NULL, "the Miniconda installer" };
		else if (streq(s->id, "framework"))
			needs[n++] = (struct offline_need){ CACHE_WHEEL, NULL, wheel_prefix, "the framework's wheels" };
	}
	return n;
}

static int run_steps(const struct plan *plan)
{
	for (size_t i = 0; i < plan->nsteps; i++) {
		const struct plan_step *s = &plan->steps[i];
		int code;

		if (s->done || streq(s->id, "mirrors") || streq(s->id, "verify"))
			continue;   /* the mirror is set up by the Miniconda step */
		log_info("offline install: %s", s->title);
		if (streq(s->id, "driver"))
			code = cmd_driver(0, NULL);
		else
			code = cmd_install_step(s->id);
		if (code != EXIT_OK) {
			log_error("the offline install stopped at the %s step; the steps before it are done and kept", s->id);
			return code;
		}
	}
	return EXIT_OK;
}

static int install_offline(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, report = STRBUF_INIT;
	_cleanup_free_ char *dir = cache_dir_default(), *requirement = NULL, *project = NULL, *prefix = NULL;
	struct target t = { 0 };
	struct driver_offers offers = { 0 };
	struct resolve_result res = { 0 };
	struct target_user u;
	bool have_user = false, have_m = false, have_mc = false;
	struct cache_manifest m;
	struct miniconda_table mc;
	struct plan plan = { 0 };
	struct offline_need needs[8];
	size_t problems;
	int r, code = target_resolve(&t, &offers, &res);

	strbuf_init(&err);
	strbuf_init(&report);
	if (code != EXIT_OK)
		goto out;
	r = as_user_resolve(gs_opts.user, &u, &err);
	if (r < 0) {
		log_error("%s", err.buf);
		code = r == -ENOTTY ? EXIT_USAGE : EXIT_FAILED;
		goto out;
	}
	have_user = true;
	strbuf_reset(&err);
	r = cache_manifest_load(dir, &m, &err);
	if (r < 0) {
		log_error("cannot read the cache %s: %s; nothing was changed", dir, err.buf);
		code = r == -EINVAL ? EXIT_BAD_INPUT : EXIT_FAILED;
		goto out;
	}
	have_m = true;
	strbuf_reset(&err);
	if (miniconda_table_load(gs_compat_dir(), &mc, &err) < 0) {
		log_error("%s", err.buf);
		code = EXIT_BAD_INPUT;
		goto out;
	}
	have_mc = true;
	{
		struct plan_input in = { .res = &res, .distro = t.distro, .user = &u,
					 .mirror = gs_opts.mirror ? gs_opts.mirror : OFFLINE_MIRROR,
					 .conda_prefix = gs_opts.conda_prefix,
					 .framework_version = gs_opts.framework_version };

		plan_build(&in, &plan);
	}
	if (res.build) {
		requirement = fw_build_requirement(res.build, gs_opts.framework_version);
		project = pip_requirement_project(requirement);
		prefix = xasprintf("%s-", project);
	}
	problems = offline_check(&m, needs,
				 offline_needs(&plan, &res, miniconda_newest(&mc), prefix, needs), &report);
	if (problems) {
		log_error("the cache %s does not cover this machine's plan (%zu problem%s):\n%s"
			  "fill it on a machine with network: 'gpu-setup detect --json > target.json' here, then "
			  "'gpu-setup fetch --for target.json --wheels --cache DIR' there; nothing was changed",
			  dir, problems, problems == 1 ? "" : "s", report.buf);
		code = EXIT_FAILED;
		goto out;
	}
	if (!gs_opts.json)
		printf("The cache %s holds every file the plan needs, each with its recorded sha256\n", dir);
	if (gs_opts.dry_run) {
		plan_print_text(&plan, stdout);
		goto out;
	}
	code = run_steps(&plan);
	if (code == EXIT_OK && !gs_opts.json)
		printf("Offline install done: run 'gpu-setup doctor' to check the result\n");
out:
	plan_free(&plan);
	if (have_mc)
		miniconda_table_free(&mc);
	if (have_m)
		cache_manifest_free(&m);
	if (have_user)
		target_user_free(&u);
	resolve_result_free(&res);
	driver_offers_free(&offers);
	target_free(&t);
	return code;
}

int cmd_install(int argc, char **argv)
{
	struct detect_report rep;
	int code;

	if (argc == 1)
		return cmd_install_step(argv[0]);
	if (gs_opts.offline)
		return install_offline();
	(void)argv;
	code = gs_detect_or_exit_code(&rep);
	if (code)
		return code;
	if (gs_opts.json) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("install"));
		json_object_object_add(j, "result",
				       json_object_new_string(rep.pci.nvidia_count ? "not-implemented"
										   : "no-nvidia-gpu"));
		json_object_object_add(j, "detect", detect_to_json(&rep));
		gs_print_json(j);
		json_object_put(j);
	} else {
		detect_print_text(&rep, stdout);
	}
	if (!rep.pci.nvidia_count) {
		log_error("no NVIDIA GPU found: there is nothing for gpu-setup to install (the devices above are what it saw)");
		code = EXIT_NO_NVIDIA;
	} else {
		log_error("this version of gpu-setup installs the stack one step at a time: 'sudo gpu-setup driver', "
			  "then 'sudo gpu-setup install cuda' and 'install cudnn' ('gpu-setup plan' shows them all): "
			  "nothing was changed");
		code = EXIT_FAILED;
	}
	detect_report_free(&rep);
	return code;
}
