/*
 * loopback-server.h - tests/http-server.py for the unit tests: a loopback
 * HTTP/1.1 server with Range support and switches that misbehave (cut,
 * wrong bytes, 404, 500, stall, slow; see the script's header), logging
 * each request to a file the test reads back.
 */
#ifndef GS_LOOPBACK_SERVER_H
#define GS_LOOPBACK_SERVER_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOOPBACK_SERVER_SCRIPT ABS_TOP_SRCDIR "/tests/http-server.py"

/* Start the server on root (files under it), logging to log; its pid with
 * the port in *ret_port, or -1 when python3 cannot run it here. */
static inline pid_t loopback_server_start(const char *root, const char *log, int *ret_port)
{
	int fds[2], port = -1;
	char line[32];
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execlp("python3", "python3", LOOPBACK_SERVER_SCRIPT, root, log, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	/* The script prints the port once it listens. */
	while (got < (ssize_t)sizeof(line) - 1 && (n = read(fds[0], line + got, sizeof(line) - 1 - (size_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += n;
		if (memchr(line, '\n', (size_t)got))
			break;
	}
	close(fds[0]);
	line[got] = '\0';
	if (sscanf(line, "%d", &port) != 1 || port <= 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	*ret_port = port;
	return pid;
}

static inline void loopback_server_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

#endif
