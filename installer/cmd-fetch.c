/* cmd-fetch.c - `gpu-setup fetch`; the implementation comes in its own commit. */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "log.h"

int cmd_fetch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_error("'fetch' is not in this build yet");
	return EXIT_FAILED;
}
