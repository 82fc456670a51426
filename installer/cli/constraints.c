/*
 * constraints.c - what compat, plan and install share: loading the compat
 * data and turning the user's options into resolver constraints.
 */
#include "config.h"

#include "log.h"
#include "job-ctx.h"
#include "options.h"
#include "util.h"

struct compat_db *gs_compat_load(void)
{
	return target_compat_load(gs_compat_dir(), NULL);
}

void gs_resolve_constraints(struct resolve_request *req)
{
	req->framework = gs_opts.framework;
	req->framework_version = gs_opts.framework_version;
	req->cuda = gs_opts.cuda;
	req->driver_branch = gs_opts.driver_branch;
	req->cudnn = gs_opts.cudnn;
	req->python = gs_opts.python;
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *gs_request_to_json(const struct resolve_request *req)
{
	struct json_object *o = json_object_new_object(), *gpus = json_object_new_array();

	for (size_t i = 0; i < req->ngpus; i++)
		json_object_array_add(gpus, json_object_new_string(req->gpus[i].label));
	json_object_object_add(o, "gpus", gpus);
	json_object_object_add(o, "distro", str_or_null(req->distro));
	json_object_object_add(o, "installed_driver", str_or_null(req->installed_driver));
	json_object_object_add(o, "framework", json_object_new_string(framework_name(req->framework)));
	json_object_object_add(o, "framework_version", str_or_null(req->framework_version));
	json_object_object_add(o, "cuda", str_or_null(req->cuda));
	json_object_object_add(o, "driver", req->driver_branch ? json_object_new_int((int)req->driver_branch) : NULL);
	json_object_object_add(o, "cudnn", str_or_null(req->cudnn));
	json_object_object_add(o, "python", str_or_null(req->python));
	return o;
}

void gs_target_options(struct target_options *o)
{
	*o = (struct target_options){
		.described = gs_opts.for_target, .compat_dir = gs_compat_dir(),
		.gpu_only = gs_opts.gpu_only, .ngpu_only = gs_opts.ngpu_only, .kernels = gs_opts.kernels,
		.nkernels = gs_opts.nkernels, .server = gs_opts.server, .offline = gs_opts.offline,
	};
	gs_detect_request(&o->detect);
	gs_resolve_constraints(&o->constraints);
}

void gs_job_options(struct job_options *o)
{
	*o = (struct job_options){
		.json = gs_opts.json, .yes = gs_opts.yes, .dry_run = gs_opts.dry_run, .quiet = gs_opts.quiet,
		.offline = gs_opts.offline, .user = gs_opts.user, .mirror = gs_opts.mirror,
		.conda_prefix = gs_opts.conda_prefix, .framework = gs_opts.framework,
		.framework_version = gs_opts.framework_version, .runfile = gs_opts.runfile,
		.cudnn_archive = gs_opts.cudnn_archive, .miniconda = gs_opts.miniconda, .cache = gs_opts.cache,
		.tmpdir = gs_opts.tmpdir, .no_shell_init = gs_opts.no_shell_init, .wheels = gs_opts.wheels,
		.parallel = gs_opts.parallel, .list = gs_opts.list, .lock_wait_s = gs_opts.lock_wait_s,
		.log_path = gs_opts.log_path, .deep = gs_opts.deep, .online = gs_opts.online,
		.strict = gs_opts.strict, .hooks_dir = gs_hooks_dir(),
		.ignore_hook_failures = gs_opts.ignore_hook_failures,
		.resume_after_reboot = gs_opts.resume_after_reboot, .argc = gs_opts.argc, .argv = gs_opts.argv,
		.option_name = gs_option_long_name,
	};
	gs_target_options(&o->target);
}

int gs_job_ctx_load(struct job_ctx *c)
{
	struct job_options o;

	gs_job_options(&o);
	return job_ctx_load(c, &o);
}

void gs_job_ctx_init(struct job_ctx *c)
{
	struct job_options o;

	gs_job_options(&o);
	job_ctx_init(c, &o);
}
