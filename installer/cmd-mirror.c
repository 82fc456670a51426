/*
 * cmd-mirror.c - `gpu-setup mirror`.  (Being written: see issue 7.)
 */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "log.h"

int cmd_mirror(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_error("mirror: not written yet");
	return EXIT_FAILED;
}
