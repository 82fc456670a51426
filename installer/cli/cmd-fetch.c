/*
 * cmd-fetch.c - `gpu-setup fetch`: fetch_run (job/fetch-run.c) with every
 * vendor file, for this machine or the one --for describes.
 */
#include "config.h"

#include "commands.h"
#include "fetch-plan.h"
#include "job-ctx.h"
#include "options.h"

int cmd_fetch(int argc, char **argv)
{
	struct job_options o;

	(void)argc;
	(void)argv;
	gs_job_options(&o);
	return fetch_run(&o, NULL, FETCH_VENDOR_ALL);
}
