/*
 * cmd-python.c - `gpu-setup install miniconda` and `install framework`.
 * (Being written: see issue 7.)
 */
#include "config.h"

#include "commands.h"
#include "exit-codes.h"
#include "log.h"

int cmd_install_miniconda(void)
{
	log_error("install miniconda: not written yet");
	return EXIT_FAILED;
}

int cmd_install_framework(void)
{
	log_error("install framework: not written yet");
	return EXIT_FAILED;
}
