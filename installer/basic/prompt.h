/*
 * prompt.h - asking the user before a change.  --yes answers for them; with
 * no terminal to ask on, the answer is an error, never a silent yes.
 */
#ifndef GS_PROMPT_H
#define GS_PROMPT_H

#include <stdbool.h>

/* Ask "question [y/N] " on the terminal.  Returns 1 (yes: --yes, or y/yes
 * typed), 0 (no, or end of input), or -ENOTTY when stdin is not a terminal
 * and yes (--yes) was not given. */
int prompt_yes_no(const char *question, bool yes);

/* prompt_yes_no for a change the command is about to make: a "no" or no
 * terminal is logged as the reason nothing changed (and what to pass
 * instead).  Same returns. */
int prompt_consent(const char *question, bool yes);

#endif
