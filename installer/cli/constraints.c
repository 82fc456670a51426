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
	return gs_compat_load_sharing(NULL);
}

struct compat_db *gs_compat_load_sharing(struct gpu_db *gpus)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct compat_db *db;

	if (compat_db_load_sharing(gs_compat_dir(), gpus, &db, &err) < 0) {
		log_error("%s", err.buf);
		log_error("the compatibility data is damaged: reinstall gpu-setup, or fix the file named above ('gpu-setup compat --check' checks it)");
		return NULL;
	}
	return db;
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
		.gpu_only = gs_opts.gpu_only, .ngpu_only = gs_opts.ngpu_only, .kernels = gs_opts.kernels,
		.nkernels = gs_opts.nkernels, .server = gs_opts.server, .offline = gs_opts.offline,
	};
}

int gs_job_ctx_load(struct job_ctx *c)
{
	struct target_options o;

	gs_target_options(&o);
	return job_ctx_load(c, &o);
}
