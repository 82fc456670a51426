/*
 * cmd-install.c - `gpu-setup install`, what a bare `sudo gpu-setup` runs:
 * one step when one is named (cmd-uninstall.c dispatches), else the main
 * job (main-job.c), which detects once: with no NVIDIA GPU it lists what
 * detection saw and exits 3 before anything else is read.
 */
#include "config.h"

#include "commands.h"
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
