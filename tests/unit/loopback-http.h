/*
 * loopback-http.h - an HTTP server on loopback for the unit tests that
 * download or probe: python3's http.server serving a directory on a free
 * port.  Stop it with kill(pid, SIGTERM) and waitpid.
 */
#ifndef GS_LOOPBACK_HTTP_H
#define GS_LOOPBACK_HTTP_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

/* Loopback must not go through a proxy the test runner has set: libcurl
 * and pip read these. */
static inline void loopback_unset_proxies(void)
{
	static const char *const vars[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
					    "all_proxy", "ALL_PROXY" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

/* A loopback port nothing listens on once this returns (bound, then closed). */
static inline int loopback_free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static inline bool loopback_port_answers(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool up = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return up;
}

/* python3 -m http.server serving dir on a free loopback port; the pid, or -1. */
static inline pid_t http_server_start(const char *dir, int *ret_port)
{
	_cleanup_free_ char *port_s = NULL;
	posix_spawn_file_actions_t fa;
	int port = loopback_free_port();
	pid_t pid;

	if (port < 0)
		return -1;
	port_s = xasprintf("%d", port);
	char *const argv[] = { "python3", "-m", "http.server", port_s, "--bind", "127.0.0.1", "--directory",
			       (char *)dir, NULL };
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "python3", &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	for (int i = 0; pid > 0 && i < 200 && !loopback_port_answers(port); i++) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		nanosleep(&ts, NULL);
	}
	if (pid > 0 && !loopback_port_answers(port)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*ret_port = port;
	return pid;
}

#endif
