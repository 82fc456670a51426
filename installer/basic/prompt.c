/*
 * prompt.c - a yes/no question on the terminal.
 */
#include "config.h"

#include <errno.h>
#include <strings.h>

#include "log.h"
#include "prompt.h"
#include "util.h"

int prompt_yes_no(const char *question, bool yes)
{
	char line[64];

	if (yes)
		return 1;
	if (!isatty(STDIN_FILENO))
		return -ENOTTY;
	for (;;) {
		char *s;

		printf("%s [y/N] ", question);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 0;
		s = strstrip(line);
		if (!*s || !strcasecmp(s, "n") || !strcasecmp(s, "no"))
			return 0;
		if (!strcasecmp(s, "y") || !strcasecmp(s, "yes"))
			return 1;
		puts("Please answer y or n.");
	}
}

int prompt_consent(const char *question, bool yes)
{
	int r = prompt_yes_no(question, yes);

	if (r == -ENOTTY)
		log_error("no terminal to ask on: run again with --yes to agree, or --dry-run to only look");
	else if (r == 0)
		log_error("nothing was changed");
	return r;
}
