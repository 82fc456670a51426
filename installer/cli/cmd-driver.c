/*
 * cmd-driver.c - `gpu-setup driver`: the driver step (job/step-driver.c)
 * for this machine, read once here.
 */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "options.h"

int cmd_driver(int argc, char **argv)
{
	struct job_options o;
	struct target t;
	int code;

	(void)argc;
	(void)argv;
	gs_job_options(&o);
	code = target_load(&t, &o.target);
	if (code == EXIT_OK)
		code = driver_run(&o, &t);
	target_free(&t);
	return code;
}
