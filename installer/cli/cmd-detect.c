/*
 * cmd-detect.c - `gpu-setup detect`: report GPUs, CPU, memory and sizing.
 */
#include "config.h"

#include "commands.h"
#include "detect.h"
#include "exit-codes.h"
#include "json-result.h"
#include "options.h"
#include "system-describe.h"

int cmd_detect(int argc, char **argv)
{
	struct detect_report rep;
	int code;

	(void)argc;
	(void)argv;
	code = gs_detect_or_exit_code(&rep);
	if (code)
		return code;
	if (gs_opts.json) {
		struct json_object *j = detect_to_json(&rep);
		struct system_description sys;

		/* Only the JSON carries the machine's description (fetch --for
		 * reads it): the text report stays as quick as lspci. */
		system_describe(&sys);
		json_object_object_add(j, "system", detect_system_json(&sys));
		system_description_free(&sys);
		json_result_set(j);
	} else {
		detect_print_text(&rep, stdout);
	}
	code = rep.pci.nvidia_count ? EXIT_OK : EXIT_NO_NVIDIA;
	detect_report_free(&rep);
	return code;
}
