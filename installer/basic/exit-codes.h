/*
 * exit-codes.h - the documented exit codes (gpu-setup --help, gpu-setup(8),
 * README).  Keep the three in step: tests/cli.test compares them.
 */
#ifndef GS_EXIT_CODES_H
#define GS_EXIT_CODES_H

#include <errno.h>

enum {
	EXIT_OK = 0,            /* done */
	EXIT_FAILED = 1,        /* something failed; the message says what */
	EXIT_USAGE = 2,         /* bad command line */
	EXIT_NO_NVIDIA = 3,     /* no NVIDIA GPU found */
	EXIT_BAD_INPUT = 4,     /* unreadable or malformed input (dump, sysfs tree, data) */
	EXIT_NEEDS_ROOT = 5,    /* the command changes the system: run it with sudo */
	EXIT_LOCKED = 6,        /* another gpu-setup run holds the lock */
	EXIT_CONFLICT = 7,      /* no combination of versions fits; the output says why */
	EXIT_CHECKS_FAILED = 8, /* doctor: a check failed (--strict: or warned) */
	EXIT_REBOOT_NEEDED = 9, /* install: done as far as it can go before a reboot */
};

/* The exit code for a negative errno from below the command layer: input
 * that is malformed, damaged or of the wrong kind is EXIT_BAD_INPUT, the
 * rest EXIT_FAILED.  (Who to act for has its own: job_user_resolve.) */
static inline int exit_code_for_errno(int r)
{
	switch (r) {
	case -EBADMSG:
	case -EINVAL:
	case -EXDEV:
		return EXIT_BAD_INPUT;
	default:
		return EXIT_FAILED;
	}
}

#endif
