/*
 * user-hooks.c - run the administrator's hooks of one step, run-parts
 * style: list, skip what run-parts would skip, refuse what is not safe to
 * run as root, then run the rest one by one in name order.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "log.h"
#include "run.h"
#include "sysroot.h"
#include "user-hooks.h"
#include "util.h"

/* Lines of a failed hook's output kept for the message. */
#define FAILURE_OUTPUT_LINES 10

void user_hook_failure_release(struct user_hook_failure *f)
{
	free(f->hook);
	free(f->reason);
	free(f->output);
	memset(f, 0, sizeof(*f));
}

void user_hook_failure_format(const struct user_hook_failure *f, struct strbuf *out)
{
	const char *p = f->output;

	strbuf_addf(out, "hook %s %s", f->hook ? f->hook : "?", f->reason ? f->reason : "failed");
	if (!p || !p[0])
		return;
	/* Its words on lines of their own, indented, so they read as the
	 * hook's and not gpu-setup's. */
	strbuf_adds(out, "; its last output:");
	while (*p) {
		size_t n = strcspn(p, "\n");

		strbuf_adds(out, "\n    ");
		strbuf_add(out, p, n);
		p += n + (p[n] == '\n');
	}
}

/* Note what is wrong, unless something is noted already. */
static void note_failure(struct user_hook_failure *f, const char *hook, char *reason, char *output)
{
	if (f && !f->hook) {
		f->hook = xstrdup(hook);
		f->reason = reason;
		f->output = output ? output : xstrdup("");
	} else {
		free(reason);
		free(output);
	}
}

/* The names run-parts leaves alone: hidden files, editor backups and what
 * dpkg and ucf leave beside a configuration file they were changing. */
static bool skipped_name(const char *name)
{
	static const char *const suffixes[] = { "~", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-tmp",
						".dpkg-bak" };
	size_t n = strlen(name);

	if (name[0] == '.')
		return true;
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		size_t m = strlen(suffixes[i]);
		if (n >= m && streq(name + n - m, suffixes[i]))
			return true;
	}
	return strstr(name, ".ucf-") != NULL;
}

static bool valid_word(const char *s)
{
	if (!s[0])
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return false;
	return true;
}

/* A directory or hook that anyone but root (or whoever runs gpu-setup)
 * could change would let them run code as root.  Returns the reason, or
 * NULL when it is safe. */
static char *unsafe_reason(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return xasprintf("is owned by uid %u, not root: hooks run as root, so only root may own them",
				 (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return xasprintf("is writable by group or others (mode %04o): hooks run as root, so refused "
				 "(chmod go-w)",
				 (unsigned)(st->st_mode & 07777));
	return NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the directory whose target path is dir, sorted bytewise. */
static int list_names(const char *dir, char ***ret, size_t *ret_n)
{
	_cleanup_free_ char *host = NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int r = sysroot_host_path(dir, &host);

	if (r < 0)
		return r;
	d = opendir(host);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			strv_push(&names, &n, xstrdup(de->d_name));
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*ret = names;
	*ret_n = n;
	return 0;
}

/* Check a directory on the target: 0 when it is there and safe, -ENOENT
 * when it is not there, -EPERM (failure noted) when it is not safe. */
static int check_dir(const char *dir, struct user_hook_failure *f)
{
	struct stat st;
	int r = sysroot_stat(dir, &st);
	char *why;

	if (r < 0) {
		if (r != -ENOENT)
			note_failure(f, dir, xasprintf("cannot be read: %s", strerror(-r)), NULL);
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		note_failure(f, dir, xstrdup("is not a directory"), NULL);
		return -ENOTDIR;
	}
	why = unsafe_reason(&st);
	if (why) {
		note_failure(f, dir, why, NULL);
		return -EPERM;
	}
	return 0;
}

/* The hooks to run, as target paths, in order: every name is looked at
 * before any hook runs, so an unsafe one refuses them all. */
static int collect_hooks(const char *dir, char ***ret, size_t *ret_n, struct user_hook_failure *f)
{
	char **names = NULL, **hooks = NULL;
	size_t nnames = 0, nhooks = 0;
	int r = list_names(dir, &names, &nnames);

	if (r < 0) {
		note_failure(f, dir, xasprintf("cannot be listed: %s", strerror(-r)), NULL);
		return r;
	}
	for (size_t i = 0; i < nnames; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, names[i]);
		struct stat st;
		char *why;

		if (skipped_name(names[i])) {
			log_debug("hook %s skipped: run-parts would skip its name", path);
			continue;
		}
		r = sysroot_stat(path, &st);
		if (r < 0) {
			log_debug("hook %s skipped: %s", path, strerror(-r));
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			log_debug("hook %s skipped: not a regular file", path);
			continue;
		}
		if (!(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
			log_debug("hook %s skipped: not executable", path);
			continue;
		}
		why = unsafe_reason(&st);
		if (why) {
			note_failure(f, path, why, NULL);
			r = -EPERM;
			goto out;
		}
		strv_push(&hooks, &nhooks, TAKE_PTR(path));
	}
	r = 0;
	*ret = TAKE_PTR(hooks);
	*ret_n = nhooks;
out:
	strv_free(names);
	strv_free(hooks);
	return r;
}

/* What a hook printed: stdout then stderr, the last lines of both. */
static char *hook_output(const struct run_result *rr)
{
	_cleanup_strbuf_ struct strbuf all = STRBUF_INIT;

	strbuf_init(&all);
	strbuf_add(&all, rr->out.buf, rr->out.len);
	if (all.len && all.buf[all.len - 1] != '\n')
		strbuf_addch(&all, '\n');
	strbuf_add(&all, rr->err.buf, rr->err.len);
	return last_lines(all.buf, FAILURE_OUTPUT_LINES);
}

/* Run one hook; 0 when it exited 0, else -EIO with the failure in f
 * (which must be empty). */
static int run_one(const char *hook, const char *const *envp, struct user_hook_failure *f)
{
	const char *const argv[] = { hook, NULL };
	struct run_result rr;
	int r;

	log_info("running hook %s", hook);
	r = run_in_target_env(argv, envp, 0, &rr);
	if (r < 0) {
		note_failure(f, hook, xasprintf("cannot be started: %s", strerror(-r)), NULL);
		run_result_release(&rr);
		return -EIO;
	}
	if (rr.exit_status == 0) {
		run_result_release(&rr);
		return 0;
	}
	if (rr.exit_status > 0)
		note_failure(f, hook, xasprintf("exited with status %d", rr.exit_status), hook_output(&rr));
	else
		note_failure(f, hook, xasprintf("was killed by signal %d (%s)", rr.term_signal,
						strsignal(rr.term_signal)),
			     hook_output(&rr));
	run_result_release(&rr);
	return -EIO;
}

/* run_default_env, the caller's variables, then the ones this module
 * always sets (later entries are what getenv finds last; the fixed ones
 * come last so a caller cannot contradict them). */
static const char **build_envp(const char *const *env, char **own)
{
	size_t n = 0, k = 0, m = 0;
	const char **envp;

	while (run_default_env[n])
		n++;
	while (env && env[k])
		k++;
	while (own[m])
		m++;
	envp = xcalloc(n + k + m + 1, sizeof(*envp));
	memcpy(envp, run_default_env, n * sizeof(*envp));
	if (k)
		memcpy(envp + n, env, k * sizeof(*envp));
	memcpy(envp + n + k, own, m * sizeof(*envp));
	return envp;
}

int user_hooks_run(const char *phase, const char *step, const char *const *env, bool keep_going,
		   struct user_hook_failure *ret_failure)
{
	struct user_hook_failure local = { 0 };
	struct user_hook_failure *f = ret_failure ? ret_failure : &local;
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ const char **envp = NULL;
	char **hooks = NULL, **own = NULL;
	size_t nhooks = 0, nown = 0;
	int r, ran = 0;

	memset(f, 0, sizeof(*f));
	if (!(streq(phase, "pre") || streq(phase, "post")) || !valid_word(step))
		return -EINVAL;

	r = check_dir(USER_HOOKS_DIR, f);
	if (r == 0) {
		dir = xasprintf("%s/%s-%s.d", USER_HOOKS_DIR, phase, step);
		r = check_dir(dir, f);
	}
	if (r == 0)
		r = collect_hooks(dir, &hooks, &nhooks, f);
	if (r < 0) {
		user_hook_failure_release(&local);
		return r == -ENOENT ? 0 : r;
	}
	if (nhooks == 0) {
		strv_free(hooks);
		return 0;
	}

	strv_push(&own, &nown, xasprintf("GPU_SETUP_PHASE=%s", phase));
	strv_push(&own, &nown, xasprintf("GPU_SETUP_STEP=%s", step));
	strv_push(&own, &nown, xasprintf("GPU_SETUP_ROOT=%s", sysroot_get()[0] ? sysroot_get() : "/"));
	strv_push(&own, &nown, xasprintf("GPU_SETUP_VERSION=%s", PACKAGE_VERSION));
	envp = build_envp(env, own);

	r = 0;
	for (size_t i = 0; i < nhooks; i++) {
		struct user_hook_failure one = { 0 };

		ran++;
		if (run_one(hooks[i], envp, &one) == 0)
			continue;
		f->nfailed++;
		if (keep_going) {
			_cleanup_strbuf_ struct strbuf msg = STRBUF_INIT;

			strbuf_init(&msg);
			user_hook_failure_format(&one, &msg);
			log_warning("going on after a failed hook (--ignore-hook-failures): %s", msg.buf);
		}
		/* The first failure is the one kept: the one that stopped
		 * the run, or with keep_going the first to look at. */
		if (!f->hook) {
			f->hook = TAKE_PTR(one.hook);
			f->reason = TAKE_PTR(one.reason);
			f->output = TAKE_PTR(one.output);
		}
		user_hook_failure_release(&one);
		if (!keep_going) {
			r = -EIO;
			break;
		}
	}
	strv_free(hooks);
	strv_free(own);
	user_hook_failure_release(&local);
	return r < 0 ? r : ran;
}

char **user_hooks_env(const struct user_hooks_vars *v)
{
	const struct {
		const char *name, *value;
	} vars[] = {
		{ "GPU_SETUP_DRIVER", v->driver },
		{ "GPU_SETUP_CUDA", v->cuda },
		{ "GPU_SETUP_CUDNN", v->cudnn },
		{ "GPU_SETUP_FRAMEWORK", v->framework },
		{ "GPU_SETUP_FRAMEWORK_VERSION", v->framework_version },
		{ "GPU_SETUP_PYTHON", v->python },
		{ "GPU_SETUP_CUDA_HOME", v->cuda_home },
		{ "GPU_SETUP_USER", v->user },
		{ "GPU_SETUP_USER_HOME", v->user_home },
		{ "GPU_SETUP_CONDA_PREFIX", v->conda_prefix },
		{ "GPU_SETUP_ENV_NAME", v->env_name },
		{ "GPU_SETUP_LOG", v->log },
		{ "GPU_SETUP_OFFLINE", v->offline ? "1" : "0" },
	};
	char **env = NULL;
	size_t n = 0;

	/* GPU_SETUP_OFFLINE is always there, so the vector is never empty. */
	for (size_t i = 0; i < ELEMENTSOF(vars); i++)
		if (vars[i].value)
			strv_push(&env, &n, xasprintf("%s=%s", vars[i].name, vars[i].value));
	return env;
}
