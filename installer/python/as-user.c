/*
 * as-user.c - find the user gpu-setup acts for, and act as that user: a
 * forked child that dropped root for file work, setpriv(1) for commands.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "as-user.h"
#include "fileio.h"
#include "sysroot.h"
#include "util.h"

/* The system directories every command for the user finds programs in. */
#define AS_USER_SYSTEM_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int ask_which_user(struct target_user *ret, struct strbuf *err)
{
	char line[256];

	if (!isatty(STDIN_FILENO)) {
		strbuf_addf(err, "running as root without sudo, so there is no SUDO_USER to set Python up for: "
				 "name the user with --user NAME");
		return -ENOTTY;
	}
	for (;;) {
		char *s;
		int r;

		printf("gpu-setup is running as root, not through sudo. Which user is Miniconda and the pip/conda "
		       "configuration for? ");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin)) {
			strbuf_addf(err, "no user given: name one with --user NAME");
			return -ENOTTY;
		}
		s = strstrip(line);
		if (!*s)
			continue;
		r = target_user_find(s, ret);
		if (r == 0)
			return 0;
		printf("There is no user '%s' in %s/etc/passwd.\n", s, sysroot_get());
	}
}

int as_user_resolve(const char *name, struct target_user *ret, struct strbuf *err)
{
	const char *sudo_user = getenv("SUDO_USER"), *sudo_uid = getenv("SUDO_UID");
	bool via_sudo = sudo_user && *sudo_user && !streq(sudo_user, "root");
	bool from_sudo = !name && via_sudo;
	int r;

	if (!name && !via_sudo && geteuid() == 0)
		return ask_which_user(ret, err);
	if (from_sudo)
		name = sudo_user;
	r = target_user_find(name, ret);
	if (r == -ENOENT) {
		if (name)
			strbuf_addf(err, "there is no user '%s' in %s/etc/passwd%s", name, sysroot_get(),
				    from_sudo ? " (SUDO_USER)" : "");
		else
			strbuf_addf(err, "the user running gpu-setup (uid %u) is not in %s/etc/passwd: name one with "
					 "--user NAME",
				    (unsigned)getuid(), sysroot_get());
		return r;
	}
	if (r < 0) {
		strbuf_addf(err, "cannot read %s/etc/passwd: %s", sysroot_get(), strerror(-r));
		return r;
	}
	/* sudo sets both; a SUDO_USER that names someone else than SUDO_UID
	 * was edited, and guessing which one is meant could give one user's
	 * files to another.  Under --root too: a tree whose passwd gives the
	 * name another uid than the one that ran sudo is just as ambiguous,
	 * and --user settles it. */
	if (from_sudo && sudo_uid && *sudo_uid) {
		char *end;
		unsigned long uid;

		errno = 0;
		uid = strtoul(sudo_uid, &end, 10);
		if (errno || *end || uid != ret->uid) {
			strbuf_addf(err, "SUDO_USER is %s but SUDO_UID is %s, and %s is uid %u: name the user with "
					 "--user NAME",
				    sudo_user, sudo_uid, ret->name, (unsigned)ret->uid);
			target_user_free(ret);
			return -EINVAL;
		}
	}
	return 0;
}

/* The supplementary groups u is a member of in the target's /etc/group,
 * its primary group first; at most max. */
static size_t user_groups(const struct target_user *u, gid_t *gids, size_t max)
{
	_cleanup_free_ char *path = sysroot_path("/etc/group");
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct group *gr;
	size_t n = 0;

	gids[n++] = u->gid;
	while (f && n < max && (gr = fgetgrent(f))) {
		if (gr->gr_gid == u->gid)
			continue;
		for (char **m = gr->gr_mem; m && *m; m++)
			if (streq(*m, u->name)) {
				gids[n++] = gr->gr_gid;
				break;
			}
	}
	return n;
}

/* In the child: become u for good (the saved ids too, so there is no way
 * back to root). */
static int drop_to(const struct target_user *u)
{
	gid_t gids[64];
	size_t n = user_groups(u, gids, ELEMENTSOF(gids));

	if (setgroups(n, gids) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0)
		return -errno;
	if (geteuid() != u->uid || getegid() != u->gid)
		return -EPERM;
	return 0;
}

static int may_act_for(const struct target_user *u, struct strbuf *out)
{
	if (geteuid() == 0 || geteuid() == u->uid)
		return 0;
	strbuf_addf(out, "acting for %s (uid %u) needs root: run with sudo", u->name, (unsigned)u->uid);
	return -EPERM;
}

int as_user_call(const struct target_user *u, int (*fn)(void *arg, struct strbuf *out), void *arg,
		 struct strbuf *out)
{
	int p[2], status, r;
	pid_t pid;

	r = may_act_for(u, out);
	if (r < 0)
		return r;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		struct strbuf sb;
		_cleanup_free_ char *home = sysroot_path(u->home);

		close(p[0]);
		strbuf_init(&sb);
		r = geteuid() == 0 ? drop_to(u) : 0;
		if (r < 0) {
			strbuf_addf(&sb, "cannot become %s (uid %u, gid %u): %s", u->name, (unsigned)u->uid,
				    (unsigned)u->gid, strerror(-r));
		} else {
			umask(022);
			if (chdir(home) < 0 && chdir("/") < 0)
				r = -errno;
			if (r == 0)
				r = fn(arg, &sb);
		}
		(void)!write_all(p[1], sb.buf, sb.len);
		/* _exit: no atexit handlers, no second flush of the parent's
		 * stdio buffers, no leak report for the parent's heap. */
		_exit(r < 0 ? (-r > 0 && -r < 255 ? -r : EIO) : 0);
	}
	close(p[1]);
	for (;;) {
		char buf[4096];
		ssize_t n = read(p[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(out, buf, (size_t)n);
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status)) {
		strbuf_addf(out, "%sthe process working as %s was killed by signal %d", out->len ? "; " : "",
			    u->name, WTERMSIG(status));
		return -EINTR;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) ? -WEXITSTATUS(status) : 0;
}

int as_user_run(const struct target_user *u, const char *const argv[], const char *path_prefix,
		const char *const extra_env[], long timeout_ms, struct run_result *res)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	_cleanup_free_ char *home = xasprintf("HOME=%s", u->home), *user = xasprintf("USER=%s", u->name),
			    *logname = xasprintf("LOGNAME=%s", u->name),
			    *path = path_prefix ? xasprintf("PATH=%s:" AS_USER_SYSTEM_PATH, path_prefix)
						: xstrdup("PATH=" AS_USER_SYSTEM_PATH),
			    *reuid = xasprintf("--reuid=%u", (unsigned)u->uid),
			    *regid = xasprintf("--regid=%u", (unsigned)u->gid);
	const char **full, **envp;
	size_t nargv = 0, nextra = 0, n = 0, e = 0;
	int r;

	strbuf_init(&why);
	r = may_act_for(u, &why);
	if (r < 0)
		return r;
	while (argv[nargv])
		nargv++;
	while (extra_env && extra_env[nextra])
		nextra++;
	full = xcalloc(nargv + 8, sizeof(*full));
	/* setpriv runs in the target (inside the chroot): --init-groups reads
	 * the groups from the target's /etc/group, as a login there would. */
	if (geteuid() == 0 && u->uid != 0) {
		full[n++] = "setpriv";
		full[n++] = reuid;
		full[n++] = regid;
		full[n++] = "--init-groups";
	}
	/* The home as working directory: a command run from root's would
	 * meet a directory it cannot read. */
	full[n++] = "env";
	full[n++] = "-C";
	full[n++] = u->home;
	memcpy(full + n, argv, nargv * sizeof(*argv));

	envp = xcalloc(nextra + 6, sizeof(*envp));
	envp[e++] = home;
	envp[e++] = user;
	envp[e++] = logname;
	envp[e++] = path;
	envp[e++] = "LC_ALL=C";
	memcpy(envp + e, extra_env ? extra_env : envp + e, nextra * sizeof(*envp));

	r = run_in_target_env(full, envp, timeout_ms, res);
	free(full);
	free(envp);
	return r;
}
