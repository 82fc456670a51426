/*
 * interrupt.h - Ctrl-C, SIGTERM and SIGHUP during the main job.  The
 * handler only records the signal; the job finishes the action it is in
 * (a package manager run, a rename journal) and stops at the next safe
 * point, so no step is left half placed.  Long actions that can be undone
 * (an archive unpacked into a staging directory, a download into a .part
 * file) ask interrupt_pending() and stop early.
 */
#ifndef GS_INTERRUPT_H
#define GS_INTERRUPT_H

#include <stdbool.h>

/* Catch SIGINT, SIGTERM and SIGHUP from now on (SA_RESTART, so reads
 * and waits go on).  Returns 0 or a negative errno. */
int interrupt_catch(void);
/* Whether one of them arrived since interrupt_catch(). */
bool interrupt_pending(void);
/* The first signal that arrived, 0 when none. */
int interrupt_signal(void);

#endif
