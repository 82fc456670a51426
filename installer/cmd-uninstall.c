/*
 * cmd-uninstall.c - `gpu-setup install STEP` and `uninstall WHAT`: the
 * single steps, dispatched to cmd-cuda.c and cmd-cudnn.c.
 */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "log.h"
#include "util.h"

int cmd_install_step(const char *step)
{
	if (streq(step, "cuda"))
		return cmd_install_cuda();
	if (streq(step, "cudnn"))
		return cmd_install_cudnn();
	if (streq(step, "miniconda"))
		return cmd_install_miniconda();
	if (streq(step, "framework"))
		return cmd_install_framework();
	if (streq(step, "driver"))
		log_error("the driver has its own command: 'sudo gpu-setup driver'");
	else
		log_error("'%s' is not a step install can run alone: give cuda, cudnn, miniconda or framework (see 'gpu-setup help install')",
			  step);
	return EXIT_USAGE;
}

int cmd_uninstall(int argc, char **argv)
{
	if (argc == 2 && streq(argv[0], "cuda"))
		return cmd_uninstall_cuda(argv[1]);
	if (argc == 1 && streq(argv[0], "cudnn"))
		return cmd_uninstall_cudnn();
	if (argc >= 1 && streq(argv[0], "cuda"))
		log_error("uninstall cuda needs the release: 'gpu-setup uninstall cuda X.Y'");
	else
		log_error("uninstall takes 'cuda X.Y' or 'cudnn'; see 'gpu-setup help uninstall'");
	return EXIT_USAGE;
}
