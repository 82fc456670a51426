/*
 * step-cudnn.c - the cuDNN step (`install cudnn`, and the main job's):
 * NVIDIA's cuDNN archive placed into the CUDA toolkit it was built for,
 * every file recorded in a manifest (which `uninstall cudnn`, in
 * cli/cmd-cudnn.c, takes out again).  The archive is the one the plan
 * names (from the cache) or the one given with --cudnn-archive; its
 * sha256 is checked when the data knows it.  Everything else (layout,
 * versions, CUDA major, safety of every entry) is cudnn.c's, which leaves
 * the toolkit as it was when it refuses.
 */
#include "config.h"

#include <errno.h>

#include "cuda-env.h"
#include "cuda-install.h"
#include "cudnn.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "manifest.h"
#include "step-cuda.h"
#include "step-done.h"
#include "sysroot.h"
#include "util.h"

/* The compat row for an archive file name, for its sha256. */
static const struct cudnn_info *row_for_archive(const struct compat_db *db, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	const char *base = basename(copy);

	for (size_t i = 0; i < db->ncudnns; i++)
		if (streq(db->cudnns[i].archive, base))
			return &db->cudnns[i];
	return NULL;
}

/* The archive is the one gpu-setup placed into dir last (same sha256) and
 * its header is still there: placing it again would change nothing. */
static bool same_as_placed(const char *dir, const char *archive, char **ret_version)
{
	_cleanup_free_ char *path = cudnn_manifest_path(dir), *have = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	struct manifest m = { 0 };
	bool same;

	strbuf_init(&err);
	if (manifest_read(path, &m, &err) < 0)
		return false;
	same = m.sha256 && sha256_file(archive, hex) == 0 && sha256_hex_equal(hex, m.sha256) &&
	       cudnn_installed_version(dir, &have) == 0 && startswith(m.version, have);
	if (same)
		*ret_version = xstrdup(m.version);
	manifest_free(&m);
	return same;
}

static void print_json(const char *result, const char *archive, const char *dir, const struct cudnn_archive *a,
		       size_t nfiles, const char *problem)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("install cudnn"));
	json_object_object_add(j, "result", json_object_new_string(result));
	json_object_object_add(j, "archive", archive ? json_object_new_string(archive) : NULL);
	json_object_object_add(j, "toolkit", dir ? json_object_new_string(dir) : NULL);
	json_object_object_add(j, "version", a && a->name_version ? json_object_new_string(a->name_version) : NULL);
	json_object_object_add(j, "cuda_major", a && a->cuda_major ? json_object_new_int((int)a->cuda_major) : NULL);
	json_object_object_add(j, "sha256", a && a->sha256[0] ? json_object_new_string(a->sha256) : NULL);
	json_object_object_add(j, "files", json_object_new_int((int)nfiles));
	json_object_object_add(j, "problem", problem ? json_object_new_string(problem) : NULL);
	json_result_set(j);
}

/* The toolkit cuDNN goes into, and its CUDA major; logs when it is not a
 * toolkit. */
static int toolkit_for(const char *version, char **ret_dir, unsigned *ret_major)
{
	_cleanup_free_ char *dir = cuda_toolkit_dir(version);
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

	if (!dir || !sysroot_exists(dir)) {
		log_error("no CUDA %s toolkit in %s%s: install it first ('sudo gpu-setup install cuda')", version,
			  sysroot_get(), dir ? dir : "/usr/local");
		return EXIT_FAILED;
	}
	/* The CUDA step's own check: what it calls done, cuDNN goes into. */
	if (!step_done_cuda(dir, version, &why)) {
		log_error("%s%s: cuDNN is not placed into it ('sudo gpu-setup install cuda' completes it)",
			  sysroot_get(), why.buf);
		return EXIT_FAILED;
	}
	sscanf(version, "%u", ret_major);
	*ret_dir = TAKE_PTR(dir);
	return EXIT_OK;
}

int install_cudnn_step(const struct job_ctx *job)
{
	const struct target *t = &job->t;
	const struct resolve_result *res = &job->res;
	_cleanup_free_ char *dir = NULL, *archive = NULL, *have = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cudnn_place_result placed = { 0 };
	const struct cudnn_info *row;
	const char *result = "failed";
	unsigned major = 0;
	int code, r;

	code = toolkit_for(res->cuda->version, &dir, &major);
	if (code != EXIT_OK)
		goto out;
	if (job->o.cudnn_archive) {
		archive = xstrdup(job->o.cudnn_archive);
		if (access(archive, R_OK) < 0) {
			log_error("cannot read the cuDNN archive '%s': %s; nothing was changed", archive, strerror(errno));
			code = EXIT_BAD_INPUT;
			goto out;
		}
	} else if (!res->cudnn) {
		log_error("no cuDNN release in the data fits CUDA %s (see 'gpu-setup plan'); give an archive with "
			  "--cudnn-archive FILE", res->cuda->version);
		code = EXIT_CONFLICT;
		goto out;
	} else {
		_cleanup_free_ char *cache = cache_dir_for(job->o.cache);

		archive = xasprintf("%s/%s", cache, res->cudnn->archive);
		/* The planned release already there: nothing to do. */
		if (step_done_cudnn(dir, res->cudnn, NULL)) {
			result = job->o.dry_run ? "dry-run" : "kept";
			if (!job->o.json)
				printf("cuDNN %s is already in %s: kept\n", res->cudnn->version, dir);
			goto out;
		}
		if (access(archive, R_OK) < 0) {
			log_error("the cuDNN %s archive is not in %s: download %s (sha256 %s) and run again with "
				  "--cudnn-archive FILE, or fill the cache with 'gpu-setup fetch'", res->cudnn->version,
				  cache, res->cudnn->url, res->cudnn->sha256 ? res->cudnn->sha256 : "not in the data");
			code = EXIT_FAILED;
			goto out;
		}
	}
	if (job->o.cudnn_archive && same_as_placed(dir, archive, &have)) {
		result = job->o.dry_run ? "dry-run" : "kept";
		if (!job->o.json)
			printf("cuDNN %s from this archive is already in %s: kept\n", have, dir);
		goto out;
	}
	row = row_for_archive(t->db, archive);
	if (!row || !row->sha256)
		log_warning("the compat data has no sha256 for '%s': its layout, versions and entries are still "
			    "checked", archive);
	if (job->o.dry_run) {
		r = cudnn_inspect(archive, &placed.info, &err);
		if (r < 0) {
			log_error("%s; nothing was changed", err.buf);
			code = exit_code_for_errno(r);
			goto out;
		}
		if (placed.info.cuda_major != major) {
			log_error("'%s' is cuDNN for CUDA %u, the toolkit in %s is CUDA %u: nothing was changed", archive,
				  placed.info.cuda_major, dir, major);
			code = EXIT_BAD_INPUT;
			goto out;
		}
		result = "dry-run";
		if (!job->o.json) {
			_cleanup_free_ char *m = cudnn_manifest_path(dir);

			printf("Would place cuDNN %s (%s, %zu files) into %s/include and %s/lib64, recorded in %s, "
			       "then run ldconfig\n", placed.info.name_version, archive, placed.info.nfiles, dir, dir, m);
		}
		goto out;
	}
	{
		struct cudnn_place_request rq = {
			.archive_path = archive, .expected_sha256 = row ? row->sha256 : NULL,
			.toolkit_dir = dir, .toolkit_cuda_major = major,
		};

		r = cudnn_place(&rq, &placed, &err);
	}
	if (r < 0) {
		log_error("%s; %s%s was left as it was", err.buf, sysroot_get(), dir);
		code = exit_code_for_errno(r);
		goto out;
	}
	code = cuda_ldconfig_exit_code();
	if (code == EXIT_OK) {
		result = "installed";
		if (!job->o.json)
			printf("cuDNN %s placed into %s (%zu files%s%s)\n", placed.info.name_version, dir, placed.nfiles,
			       placed.previous_version ? ", replacing " : "",
			       placed.previous_version ? placed.previous_version : "");
	}
out:
	if (job->o.json && (dir || code != EXIT_OK))
		print_json(result, archive, dir, placed.info.name_version ? &placed.info : NULL, placed.nfiles,
			   code == EXIT_OK ? NULL : err.buf);
	cudnn_place_result_free(&placed);
	return code;
}
