/*
 * cmd-install.c - `gpu-setup install`, what a bare `sudo gpu-setup` runs:
 * one step when one is named (cmd-uninstall.c dispatches), else the main
 * job (main-job.c) on a machine with an NVIDIA GPU.  With none, it lists
 * what detection saw and exits 3 before anything else is read.
 */
#include "config.h"

#include "commands.h"
#include "detect.h"
#include "exit-codes.h"
#include "log.h"
#include "main-job.h"
#include "options.h"

int cmd_install(int argc, char **argv)
{
	struct detect_report rep;
	int code;

	if (argc == 1)
		return cmd_install_step(argv[0]);
	(void)argv;
	code = gs_detect_or_exit_code(&rep);
	if (code)
		return code;
	if (rep.pci.nvidia_count) {
		detect_report_free(&rep);
		return main_job();
	}
	if (gs_opts.json) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("install"));
		json_object_object_add(j, "result", json_object_new_string("no-nvidia-gpu"));
		json_object_object_add(j, "detect", detect_to_json(&rep));
		gs_print_json(j);
		json_object_put(j);
	} else {
		detect_print_text(&rep, stdout);
	}
	log_error("no NVIDIA GPU found: there is nothing for gpu-setup to install (the devices above are what it saw)");
	detect_report_free(&rep);
	code = EXIT_NO_NVIDIA;
	return code;
}
