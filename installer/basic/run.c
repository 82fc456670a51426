/*
 * run.c - posix_spawn with captured output and a deadline.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "log.h"
#include "run.h"
#include "sysroot.h"
#include "util.h"

const char *const run_default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	"DEBIAN_FRONTEND=noninteractive",
	NULL,
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* posix_spawnp looks programs up in the *caller's* PATH; gpu-setup must use
 * the PATH it hands the child, so the lookup is done here. */
static char *find_program(const char *name, const char *const envp[])
{
	const char *path = "/usr/bin:/bin";
	char *dirs, *dir, *save = NULL;

	if (strchr(name, '/'))
		return xstrdup(name);
	for (size_t i = 0; envp[i]; i++)
		if (startswith(envp[i], "PATH="))
			path = envp[i] + 5;
	dirs = xstrdup(path);
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", dir, name);
		if (access(full, X_OK) == 0) {
			free(dirs);
			return full;
		}
		free(full);
	}
	free(dirs);
	return NULL;
}

static void log_command(const char *const argv[])
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "running:");
	for (size_t i = 0; argv[i]; i++)
		strbuf_addf(&sb, " '%s'", argv[i]);
	log_debug("%s", sb.buf);
}

/* Read what is available from fd into sb; returns 0 at EOF, 1 if open. */
static int drain(int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	strbuf_add(sb, buf, (size_t)n);
	return 1;
}

int run_command(const char *const argv[], const char *const envp[], long timeout_ms,
		struct run_result *res)
{
	_cleanup_free_ char *prog = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	pid_t pid;
	int r, status;

	if (!envp)
		envp = run_default_env;
	/* Nothing allocated yet: an early return needs no release. */
	*res = (struct run_result){ .out = STRBUF_INIT, .err = STRBUF_INIT };
	log_command(argv);

	prog = find_program(argv[0], envp);
	if (!prog)
		return -ENOENT;
	if (pipe2(outp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		r = -errno;
		close(outp[0]);
		close(outp[1]);
		return r;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	/* Its own process group: a Ctrl-C on the terminal reaches gpu-setup
	 * alone, which lets apt, dpkg or the runfile finish and stops after
	 * them (interrupt.h), instead of dpkg dying half way. */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	r = posix_spawn(&pid, prog, &fa, &attr, (char *const *)argv, (char *const *)envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(outp[1]);
	close(errp[1]);
	if (r != 0) {
		close(outp[0]);
		close(errp[0]);
		return -r;
	}

	struct pollfd pfd[2] = { { outp[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds > 0) {
		int wait_ms = -1;

		if (deadline) {
			long left = deadline - now_ms();
			if (left <= 0) {
				kill(pid, SIGKILL);
				res->timed_out = 1;
				break;
			}
			wait_ms = (int)left;
		}
		if (poll(pfd, 2, wait_ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!drain(pfd[i].fd, i == 0 ? &res->out : &res->err)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status)) {
		res->exit_status = WEXITSTATUS(status);
	} else {
		res->exit_status = -1;
		res->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	log_file_raw(res->out.buf);
	log_file_raw(res->err.buf);
	log_debug("'%s' exited with status %d%s", argv[0], res->exit_status,
		  res->timed_out ? " (killed after the time limit)" : "");
	return 0;
}

void run_result_release(struct run_result *res)
{
	strbuf_release(&res->out);
	strbuf_release(&res->err);
}

int run_in_target(const char *const argv[], long timeout_ms, struct run_result *res)
{
	return run_in_target_env(argv, NULL, timeout_ms, res);
}

int run_in_target_env(const char *const argv[], const char *const envp[], long timeout_ms,
		      struct run_result *res)
{
	const char *root = sysroot_get();
	size_t n = 0;
	const char **full;
	int r;

	if (!root[0])
		return run_command(argv, envp, timeout_ms, res);
	while (argv[n])
		n++;
	full = xcalloc(n + 3, sizeof(*full));
	full[0] = "chroot";
	full[1] = root;
	memcpy(full + 2, argv, n * sizeof(*argv));
	r = run_command(full, envp, timeout_ms, res);
	free(full);
	return r;
}

int run_step(const char *const argv[], struct strbuf *err)
{
	struct run_result rr;
	int r;
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;

	strbuf_init(&line);
	for (const char *const *a = argv; *a; a++)
		strbuf_addf(&line, "%s%s", a == argv ? "" : " ", *a);
	log_info("running: %s", line.buf);
	r = run_in_target(argv, 0, &rr);
	if (r < 0) {
		strbuf_addf(err, "cannot run %s: %s", argv[0], strerror(-r));
		return -1;
	}
	if (rr.exit_status != 0) {
		const char *tail = rr.err.len ? rr.err.buf : rr.out.buf;
		size_t len = strlen(tail);

		strbuf_addf(err, "%s exited with %d%s%s", argv[0], rr.exit_status, len ? ": " : "",
			    len > 600 ? tail + len - 600 : tail);
		while (err->len && err->buf[err->len - 1] == '\n')
			err->buf[--err->len] = '\0';
		run_result_release(&rr);
		return -1;
	}
	run_result_release(&rr);
	return 0;
}
