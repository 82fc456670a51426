/* cmd-cache.c - `gpu-setup cache`; the implementation comes in its own commit. */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "log.h"

int cmd_cache(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_error("'cache' is not in this build yet");
	return EXIT_FAILED;
}
