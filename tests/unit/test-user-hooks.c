/* Unit tests: the per-step user hooks (user-hooks.c): name order, the
 * names skipped, the environment each hook sees, a failing hook stopping
 * the run (or not, with keep_going), and the refusal of hooks others could
 * change.  Hooks run inside the root through chroot(8), so the tests that
 * run them build a tiny tree with a shell and need root. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "run.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "user-hooks.h"
#include "util.h"

#define HOOKS USER_HOOKS_DIR

static char root[] = "/tmp/gs-test-user-hooks.XXXXXX";

static void skip(const char *what, const char *why)
{
	tap_count++;
	printf("ok %d - %s # SKIP %s\n", tap_count, what, why);
}

/* A shell script at rel under the root, with mode. */
static void put_script(const char *rel, const char *body, mode_t mode)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);
	_cleanup_free_ char *text = xasprintf("#!/bin/sh\n%s\n", body);

	testroot_puts(root, rel, text);
	chmod(path, mode);
}

/* A hook that records its name in /out/order and its environment in
 * /out/NAME.env. */
static void put_recording_hook(const char *dir, const char *name)
{
	_cleanup_free_ char *rel = xasprintf("%s/%s", dir, name);
	_cleanup_free_ char *body = xasprintf("echo '%s' >>/out/order\nenv >'/out/%s.env'", name, name);

	put_script(rel, body, 0755);
}

static void remove_rel(const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	unlink(path);
}

/* Copy a shell and the few programs the hooks use, with their libraries,
 * into the root, so chroot can run them.  false when that fails here. */
static bool make_runnable_tree(void)
{
	const char *const argv[] = {
		"sh", "-c",
		"set -e; r=$1; for p in /bin/sh /usr/bin/env /bin/cat; do "
		"  cp -L --parents \"$p\" \"$r\"; "
		"  for l in $(ldd \"$p\" | awk '/=> \\// { print $3 } /^[ \\t]*\\// { print $1 }'); do "
		"    cp -L --parents \"$l\" \"$r\"; "
		"  done; "
		"done; mkdir -p \"$r/out\"; chroot \"$r\" /bin/sh -c 'echo ok' | grep -q ok",
		"sh", root, NULL,
	};
	struct run_result rr;
	bool ok_ = false;

	if (run_command(argv, NULL, 60000, &rr) == 0) {
		ok_ = rr.exit_status == 0;
		if (!ok_)
			printf("# cannot build a tree to chroot into: %s", rr.err.buf);
		run_result_release(&rr);
	}
	return ok_;
}

static bool has_line(const char *text, const char *line)
{
	_cleanup_free_ char *want = xasprintf("\n%s\n", line), *all = xasprintf("\n%s", text ? text : "");

	return strstr(all, want) != NULL;
}

/* Whether text (env's output) sets the variable name. */
static bool has_var(const char *text, const char *name)
{
	_cleanup_free_ char *want = xasprintf("\n%s=", name), *all = xasprintf("\n%s", text ? text : "");

	return strstr(all, want) != NULL;
}

static void test_env_vector(void)
{
	struct user_hooks_vars none = { .offline = true };
	struct user_hooks_vars all = {
		.driver = "570", .cuda = "12.8", .cudnn = "9.8.0", .framework = "pytorch",
		.framework_version = "2.7.1", .python = "3.12", .cuda_home = "/usr/local/cuda-12.8",
		.user = "ada", .user_home = "/home/ada", .conda_prefix = "/home/ada/miniconda3",
		.env_name = "pytorch", .log = "/var/log/gpu-setup.log",
	};
	char **env = user_hooks_env(&none);
	size_t n = 0;

	ok(env && env[0] && streq(env[0], "GPU_SETUP_OFFLINE=1") && !env[1],
	   "with no values set only GPU_SETUP_OFFLINE is there (1 with --offline)");
	strv_free(env);

	env = user_hooks_env(&all);
	while (env[n])
		n++;
	is_int(n, 13, "every value set gives a variable");
	ok(streq(env[0], "GPU_SETUP_DRIVER=570") && streq(env[1], "GPU_SETUP_CUDA=12.8") &&
		   streq(env[4], "GPU_SETUP_FRAMEWORK_VERSION=2.7.1") &&
		   streq(env[6], "GPU_SETUP_CUDA_HOME=/usr/local/cuda-12.8") &&
		   streq(env[11], "GPU_SETUP_LOG=/var/log/gpu-setup.log") && streq(env[12], "GPU_SETUP_OFFLINE=0"),
	   "the variables carry their values under the documented names");
	strv_free(env);
}

static void test_no_hooks(void)
{
	struct user_hook_failure f;

	is_int(user_hooks_run("pre", "cuda", NULL, false, &f), 0, "no hooks.d at all: 0 hooks");
	ok(f.hook == NULL && f.nfailed == 0, "and no failure");
	user_hook_failure_release(&f);
	testroot_puts(root, HOOKS "/pre-driver.d/.keep", "");
	is_int(user_hooks_run("pre", "cuda", NULL, false, &f), 0, "no directory for the step: 0 hooks");
	is_int(user_hooks_run("pre", "driver", NULL, false, &f), 0, "a directory with only a hidden file: 0 hooks");
	is_int(user_hooks_run("during", "cuda", NULL, false, &f), -EINVAL, "a phase other than pre or post: -EINVAL");
	is_int(user_hooks_run("pre", "../x", NULL, false, &f), -EINVAL, "a step that is not a plain word: -EINVAL");
	user_hook_failure_release(&f);
}

static void test_refused(bool runnable)
{
	const char *dir = HOOKS "/pre-cudnn.d";
	_cleanup_free_ char *hooksd = xasprintf("%s%s", root, HOOKS), *stepd = xasprintf("%s%s", root, dir);
	_cleanup_free_ char *hook = xasprintf("%s%s/10-a", root, dir);
	struct user_hook_failure f;
	int r;

	put_recording_hook(dir, "10-a");
	remove_rel("/out/order");

	chmod(stepd, 0775);
	r = user_hooks_run("pre", "cudnn", NULL, false, &f);
	is_int(r, -EPERM, "a step directory writable by its group is refused");
	is_str(f.hook, dir, "the failure names the directory");
	ok(f.reason && strstr(f.reason, "writable by group or others"), "and says why");
	user_hook_failure_release(&f);
	chmod(stepd, 0755);

	chmod(hooksd, 0757);
	is_int(user_hooks_run("pre", "cudnn", NULL, true, &f), -EPERM,
	       "hooks.d writable by others is refused, keep_going or not");
	is_str(f.hook, HOOKS, "the failure names hooks.d");
	user_hook_failure_release(&f);
	chmod(hooksd, 0755);

	put_script(HOOKS "/pre-cudnn.d/20-b", "echo 20-b >>/out/order", 0777);
	is_int(user_hooks_run("pre", "cudnn", NULL, false, &f), -EPERM, "a hook writable by others is refused");
	is_str(f.hook, HOOKS "/pre-cudnn.d/20-b", "the failure names the hook");
	user_hook_failure_release(&f);
	if (runnable)
		ok(!sysroot_exists("/out/order"), "a refused directory runs none of its hooks, not even those before");
	else
		skip("a refused directory runs none of its hooks", "hooks cannot run here");
	chmod(hook, 0755);
	remove_rel(HOOKS "/pre-cudnn.d/20-b");

	if (geteuid() == 0) {
		ok(chown(hook, 65534, 65534) == 0, "(chown a hook to nobody)");
		is_int(user_hooks_run("pre", "cudnn", NULL, false, &f), -EPERM, "a hook owned by another user is refused");
		ok(f.reason && strstr(f.reason, "owned by uid 65534, not root"), "the reason names its owner");
		user_hook_failure_release(&f);
		ok(chown(stepd, 65534, 65534) == 0 && chown(hook, 0, 0) == 0, "(chown the step directory to nobody)");
		is_int(user_hooks_run("pre", "cudnn", NULL, false, &f), -EPERM,
		       "a step directory owned by another user is refused");
		user_hook_failure_release(&f);
		chown(stepd, 0, 0);
	} else {
		skip("a hook owned by another user is refused", "needs root to chown");
	}
	remove_rel(hook + strlen(root));
}

static void test_order_and_env(void)
{
	const char *dir = HOOKS "/pre-cuda.d";
	struct user_hooks_vars vars = { .cuda = "12.8", .cuda_home = "/usr/local/cuda-12.8", .user = "ada" };
	char **env = user_hooks_env(&vars);
	_cleanup_free_ char *order = NULL, *seen = NULL, *want_root = xasprintf("GPU_SETUP_ROOT=%s", root);
	_cleanup_free_ char *subdir = xasprintf("%s%s/sub", root, dir);
	struct user_hook_failure f;
	int r;

	remove_rel("/out/order");
	put_recording_hook(dir, "a");
	put_recording_hook(dir, "B");
	put_recording_hook(dir, "2-b");
	put_recording_hook(dir, "10-a");
	/* What run-parts skips. */
	put_recording_hook(dir, ".hidden");
	put_recording_hook(dir, "backup~");
	put_recording_hook(dir, "x.dpkg-old");
	put_recording_hook(dir, "x.dpkg-dist");
	put_recording_hook(dir, "x.ucf-new");
	put_script(HOOKS "/pre-cuda.d/not-executable", "echo not-executable >>/out/order", 0644);
	mkdir(subdir, 0755);

	r = user_hooks_run("pre", "cuda", (const char *const *)env, false, &f);
	is_int(r, 4, "four hooks ran");
	ok(f.hook == NULL && f.nfailed == 0, "none failed");
	order = testroot_get(root, "/out/order");
	is_str(order, "10-a\n2-b\nB\na\n", "in byte order of their names; hidden, backup, packaging leftovers, "
					    "non-executable files and directories skipped");

	seen = testroot_get(root, "/out/2-b.env");
	ok(has_line(seen, "GPU_SETUP_PHASE=pre") && has_line(seen, "GPU_SETUP_STEP=cuda"),
	   "a hook sees GPU_SETUP_PHASE and GPU_SETUP_STEP");
	ok(has_line(seen, "GPU_SETUP_CUDA=12.8") && has_line(seen, "GPU_SETUP_CUDA_HOME=/usr/local/cuda-12.8") &&
		   has_line(seen, "GPU_SETUP_USER=ada") && has_line(seen, "GPU_SETUP_OFFLINE=0"),
	   "and the variables the caller gave");
	ok(!has_var(seen, "GPU_SETUP_CUDNN"), "a value not set is not in the environment");
	ok(has_line(seen, want_root) && has_line(seen, "GPU_SETUP_VERSION=" PACKAGE_VERSION),
	   "GPU_SETUP_ROOT names the root it runs in, GPU_SETUP_VERSION gpu-setup's version");
	ok(has_line(seen, "LC_ALL=C") && has_line(seen, run_default_env[0]) && !has_var(seen, "HOME"),
	   "with the default environment and nothing of gpu-setup's own");
	user_hook_failure_release(&f);
	strv_free(env);
}

static void test_failures(void)
{
	const char *dir = HOOKS "/post-driver.d";
	_cleanup_free_ char *order = NULL, *noint = xasprintf("%s%s/50-no-interpreter", root, dir);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	struct user_hook_failure f;
	int r;

	remove_rel("/out/order");
	put_recording_hook(dir, "10-ok");
	put_script(HOOKS "/post-driver.d/20-fail", "echo 20-fail >>/out/order\necho checking the card\n"
						   "echo 'the card is on fire' >&2\nexit 3",
		   0755);
	put_recording_hook(dir, "30-after");

	r = user_hooks_run("post", "driver", NULL, false, &f);
	is_int(r, -EIO, "a failing hook fails the run");
	is_str(f.hook, HOOKS "/post-driver.d/20-fail", "the failure names the hook as on the target");
	is_str(f.reason, "exited with status 3", "and its exit status");
	is_str(f.output, "checking the card\nthe card is on fire\n", "and its last output, stdout then stderr");
	is_int(f.nfailed, 1, "one failed");
	order = testroot_get(root, "/out/order");
	is_str(order, "10-ok\n20-fail\n", "the hooks after it did not run");
	strbuf_init(&sb);
	user_hook_failure_format(&f, &sb);
	is_str(sb.buf, "hook " HOOKS "/post-driver.d/20-fail exited with status 3; its last output:\n"
	       "    checking the card\n    the card is on fire",
	       "the message says which hook, how it ended and what it said");
	user_hook_failure_release(&f);

	/* keep_going: every hook runs, failures counted, the first kept. */
	put_script(HOOKS "/post-driver.d/40-killed", "echo 40-killed >>/out/order\nkill -9 $$", 0755);
	testroot_puts(root, HOOKS "/post-driver.d/50-no-interpreter", "#!/no/such/interpreter\n");
	chmod(noint, 0755);
	remove_rel("/out/order");
	r = user_hooks_run("post", "driver", NULL, true, &f);
	is_int(r, 5, "with keep_going every hook runs and the count is returned");
	is_int(f.nfailed, 3, "the failures are counted (exit status, signal, no interpreter)");
	is_str(f.hook, HOOKS "/post-driver.d/20-fail", "the first failure is the one described");
	free(order);
	order = testroot_get(root, "/out/order");
	is_str(order, "10-ok\n20-fail\n30-after\n40-killed\n", "the hooks after a failure ran");
	user_hook_failure_release(&f);

	remove_rel(HOOKS "/post-driver.d/20-fail");
	remove_rel(HOOKS "/post-driver.d/50-no-interpreter");
	r = user_hooks_run("post", "driver", NULL, false, &f);
	is_int(r, -EIO, "a hook killed by a signal fails the run");
	ok(f.reason && strstr(f.reason, "killed by signal 9"), "the reason names the signal");
	user_hook_failure_release(&f);
}

int main(void)
{
	bool runnable;

	test_env_vector();
	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	runnable = geteuid() == 0 && make_runnable_tree();
	test_no_hooks();
	test_refused(runnable);
	if (runnable) {
		test_order_and_env();
		test_failures();
	} else {
		skip("hooks run inside the root", geteuid() ? "chroot needs root" : "cannot build a tree chroot can run a shell in");
	}
	testroot_remove(root);
	return done_testing();
}
