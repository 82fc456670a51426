/*
 * interrupt.c - see interrupt.h.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "interrupt.h"

static volatile sig_atomic_t first_signal;

static void record(int sig)
{
	if (!first_signal)
		first_signal = sig;
}

int interrupt_catch(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = record;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}

bool interrupt_pending(void)
{
	return first_signal != 0;
}

int interrupt_signal(void)
{
	return first_signal;
}
