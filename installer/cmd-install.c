/*
 * cmd-install.c - `gpu-setup install`, the main job run by a bare
 * `sudo gpu-setup`.  It starts from detection; the whole run (CUDA, cuDNN,
 * Miniconda, framework after the driver) is not part of this version yet,
 * so with an NVIDIA GPU it points at `gpu-setup driver` and says plainly
 * that it changed nothing.
 */
#include "config.h"

#include "commands.h"
#include "detect.h"
#include "exit-codes.h"
#include "log.h"
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
	if (gs_opts.json) {
		struct json_object *j = json_object_new_object();
		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("install"));
		json_object_object_add(j, "result",
				       json_object_new_string(rep.pci.nvidia_count ? "not-implemented"
										   : "no-nvidia-gpu"));
		json_object_object_add(j, "detect", detect_to_json(&rep));
		gs_print_json(j);
		json_object_put(j);
	} else {
		detect_print_text(&rep, stdout);
	}
	if (!rep.pci.nvidia_count) {
		log_error("no NVIDIA GPU found: there is nothing for gpu-setup to install (the devices above are what it saw)");
		code = EXIT_NO_NVIDIA;
	} else {
		log_error("this version of gpu-setup installs the stack one step at a time: 'sudo gpu-setup driver', "
			  "then 'sudo gpu-setup install cuda' and 'install cudnn' ('gpu-setup plan' shows them all): "
			  "nothing was changed");
		code = EXIT_FAILED;
	}
	detect_report_free(&rep);
	return code;
}
