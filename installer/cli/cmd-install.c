/*
 * cmd-install.c - `gpu-setup install`, what a bare `sudo gpu-setup` runs:
 * one step when one is named (cmd-uninstall.c dispatches; the Python
 * steps' handlers are here, cuda's and cudnn's in their files), else the
 * main job (main-job.c), which detects once: with no NVIDIA GPU it lists
 * what detection saw and exits 3 before anything else is read.
 */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "main-job.h"
#include "options.h"

int cmd_install(int argc, char **argv)
{
	struct job_options o;

	if (argc == 1)
		return cmd_install_step(argv[0]);
	gs_job_options(&o);
	return main_job(&o);
}

int cmd_install_miniconda(void)
{
	struct job_ctx job;
	int code;

	gs_job_ctx_init(&job);
	code = install_miniconda_step(&job);
	job_ctx_free(&job);
	return code;
}

int cmd_install_framework(void)
{
	struct job_ctx job;
	int code;

	if (gs_opts.framework == FW_NONE) {
		gs_job_ctx_init(&job);
		code = install_framework_step(&job);
		job_ctx_free(&job);
		return code;
	}
	code = gs_job_ctx_load(&job);
	if (code == EXIT_OK)
		code = install_framework_step(&job);
	job_ctx_free(&job);
	return code;
}
