/*
 * cmd-cudnn.c - `gpu-setup install cudnn` (the cuDNN step,
 * job/step-cudnn.c, over a context of its own) and `uninstall cudnn`: the
 * files the manifest of the placed cuDNN lists, and nothing else.
 */
#include "config.h"

#include "commands.h"
#include "cuda-env.h"
#include "cudnn.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "log.h"
#include "options.h"
#include "step-cuda.h"
#include "sysroot.h"
#include "util.h"

int cmd_install_cudnn(void)
{
	struct job_ctx job;
	int code = gs_job_ctx_load(&job);

	if (code == EXIT_OK)
		code = install_cudnn_step(&job);
	job_ctx_free(&job);
	return code;
}

int cmd_uninstall_cudnn(void)
{
	_cleanup_free_ char *dir = NULL, *manifest = NULL;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct cudnn_remove_result rm = { 0 };
	int r, code;

	if (gs_opts.cuda) {
		dir = cuda_toolkit_dir(gs_opts.cuda);
		if (!dir) {
			log_error("--cuda %s: give the toolkit's MAJOR.MINOR, such as 12.8", gs_opts.cuda);
			return EXIT_USAGE;
		}
	} else if ((r = cuda_link_read(&dir)) < 0) {
		log_error("no --cuda X.Y and %s%s does not lead to a toolkit: say which toolkit to take cuDNN from",
			  sysroot_get(), CUDA_LINK_PATH);
		return EXIT_USAGE;
	}
	manifest = cudnn_manifest_path(dir);
	if (!sysroot_exists(manifest)) {
		printf("gpu-setup placed no cuDNN in %s%s: nothing to remove\n", sysroot_get(), dir);
		return EXIT_OK;
	}
	if (gs_opts.dry_run) {
		printf("Would remove the cuDNN files listed in %s%s from %s\n", sysroot_get(), manifest, dir);
		return EXIT_OK;
	}
	strbuf_init(&err);
	r = cudnn_remove(dir, &rm, &err);
	if (r < 0) {
		log_error("%s", err.buf);
		cudnn_remove_result_free(&rm);
		return EXIT_FAILED;
	}
	printf("cuDNN removed from %s (%zu files", dir, rm.nremoved);
	if (rm.nkept)
		printf("; %zu changed since gpu-setup placed them were kept", rm.nkept);
	printf(")\n");
	cudnn_remove_result_free(&rm);
	code = cuda_ldconfig_exit_code();
	return code;
}
