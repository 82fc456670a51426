/*
 * cli.h - what main.c (the command table, dispatch) and options.c (the
 * option table, parsing, help) share.
 */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <stddef.h>
#include <stdio.h>

enum command_flags {
	NEEDS_ROOT = 1 << 0, /* changes the system: root unless --dry-run or --root DIR */
	TAKES_LOCK = 1 << 1, /* holds /run/gpu-setup.lock while it runs */
	LIST_ONLY_READS = 1 << 2, /* with --list it only reads: no root, no lock */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	unsigned flags;
	int max_args;
	const char *args;     /* argument synopsis for help */
	const char *summary;
};

extern const struct command gs_commands[];
extern const size_t gs_ncommands;
const struct command *gs_find_command(const char *name);
int cmd_help(int argc, char **argv);

/* The options: at most GS_OPTIONS_MAX, seen[i] set for each given. */
#define GS_OPTIONS_MAX 64
/* Parse options anywhere on the line (GNU permutation) into gs_opts;
 * returns -1 to go on, or an exit code (--help, --version, an error). */
int gs_parse_options(int argc, char **argv, int *ret_cmd_index, unsigned char seen[GS_OPTIONS_MAX]);
/* EXIT_OK, or EXIT_USAGE (logged) for a given option that does not apply
 * to the command. */
int gs_options_check(const char *command, const unsigned char seen[GS_OPTIONS_MAX]);

#endif
