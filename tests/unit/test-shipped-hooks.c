/* Unit tests: enabling and disabling the shipped apt and kernel hooks
 * (shipped-hooks.c) under a sysroot: copies with their modes, idempotent,
 * an upgrade rewrites, a file gpu-setup did not write is never touched. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "shipped-hooks.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

#define APT "/etc/apt/apt.conf.d/99gpu-setup"
#define KERNEL "/etc/kernel/postinst.d/zz-gpu-setup"

static char root[] = "/tmp/gs-test-shipped-hooks.XXXXXX";
/* The build tree's templates, made by make (as gs_hooks_dir gives them). */
static const char *const built = ABS_TOP_BUILDDIR "/hooks";

static char *host(const char *rel)
{
	return xasprintf("%s%s", root, rel);
}

static mode_t mode_of(const char *rel)
{
	struct stat st;

	return testroot_lstat(root, rel, &st) ? st.st_mode & 07777 : 0;
}

static ino_t inode_of(const char *rel)
{
	struct stat st;

	return testroot_lstat(root, rel, &st) ? st.st_ino : 0;
}

static enum shipped_hook_state state_of(size_t i)
{
	enum shipped_hook_state st = (enum shipped_hook_state)-1;

	shipped_hook_state(&shipped_hooks[i], &st);
	return st;
}

static void test_enable(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *apt_tpl = xasprintf("%s/apt/99gpu-setup", built), *apt = host(APT);
	_cleanup_free_ char *k_tpl = xasprintf("%s/kernel/zz-gpu-setup", built), *k = host(KERNEL);
	_cleanup_free_ char *want_apt = testroot_get("", apt_tpl), *want_k = testroot_get("", k_tpl), *got_apt = NULL, *got_k = NULL;
	ino_t ino;

	strbuf_init(&err);
	ok(want_apt && want_k, "the build tree has the templates (make builds them)");
	ok(!shipped_hooks_enabled(), "not enabled in an empty tree");
	ok(state_of(0) == SHIPPED_HOOK_ABSENT && state_of(1) == SHIPPED_HOOK_ABSENT, "both absent");

	is_int(shipped_hooks_enable(built, &err), 2, "enable writes both files, creating their directories");
	got_apt = testroot_get("", apt);
	got_k = testroot_get("", k);
	is_str(got_apt, want_apt, "the apt snippet is the template");
	is_str(got_k, want_k, "the kernel hook is the template");
	is_int(mode_of(APT), 0644, "the apt snippet is mode 0644");
	is_int(mode_of(KERNEL), 0755, "the kernel hook is mode 0755 (run-parts runs only executables)");
	ok(shipped_hooks_enabled(), "enabled");
	ok(state_of(0) == SHIPPED_HOOK_OURS && state_of(1) == SHIPPED_HOOK_OURS, "both are gpu-setup's");

	ino = inode_of(KERNEL);
	is_int(shipped_hooks_enable(built, &err), 0, "enabling again writes nothing");
	ok(inode_of(KERNEL) == ino, "the file was not replaced");

	chmod(apt, 0600);
	is_int(shipped_hooks_enable(built, &err), 1, "a changed mode is put back");
	is_int(mode_of(APT), 0644, "to 0644");

	/* An older gpu-setup's copy (marked, other content) is upgraded. */
	testroot_puts(root, KERNEL, "#!/bin/sh\n# " SHIPPED_HOOKS_MARK " 0.0.1; old\nexit 0\n");
	is_int(shipped_hooks_enable(built, &err), 1, "an older copy gpu-setup wrote is replaced");
	free(got_k);
	got_k = testroot_get("", k);
	is_str(got_k, want_k, "by the current template");
	is_int(mode_of(KERNEL), 0755, "with its mode");
}

static void test_foreign(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *apt = host(APT), *k = host(KERNEL), *got = NULL;
	const char *mine = "#!/bin/sh\n# the administrator's own hook\nexit 0\n";

	strbuf_init(&err);
	unlink(apt);
	testroot_puts(root, KERNEL, mine);
	is_int(shipped_hooks_enable(built, &err), -EEXIST, "a file gpu-setup did not write is refused");
	ok(strstr(err.buf, KERNEL) && strstr(err.buf, "not written by gpu-setup"), "the error names it: %s", err.buf);
	got = testroot_get("", k);
	is_str(got, mine, "and it is left as it was");
	ok(state_of(0) == SHIPPED_HOOK_ABSENT, "nothing else was written either");
	ok(state_of(1) == SHIPPED_HOOK_FOREIGN, "it counts as foreign");
	ok(!shipped_hooks_enabled(), "not enabled");

	is_int(shipped_hooks_disable(&err), 0, "disable removes nothing that is not gpu-setup's");
	free(got);
	got = testroot_get("", k);
	is_str(got, mine, "the administrator's file is still there");
	unlink(k);

	ok(symlink("/etc/hostname", k) == 0, "(a symlink at the kernel hook's path)");
	ok(state_of(1) == SHIPPED_HOOK_FOREIGN, "a symlink is never gpu-setup's");
	strbuf_reset(&err);
	is_int(shipped_hooks_enable(built, &err), -EEXIST, "and is not replaced");
	unlink(k);
}

static void test_disable(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	is_int(shipped_hooks_enable(built, &err), 2, "(enabled again)");
	is_int(shipped_hooks_disable(&err), 2, "disable removes both");
	ok(state_of(0) == SHIPPED_HOOK_ABSENT && state_of(1) == SHIPPED_HOOK_ABSENT, "both are gone");
	ok(sysroot_exists("/etc/apt/apt.conf.d") && sysroot_exists("/etc/kernel/postinst.d"),
	   "their directories stay");
	is_int(shipped_hooks_disable(&err), 0, "disabling again removes nothing");
}

static void test_bad_templates(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	_cleanup_free_ char *tpl = xasprintf("%s/templates", root), *missing = xasprintf("%s/none", root);

	strbuf_init(&err);
	is_int(shipped_hooks_enable(missing, &err), -ENOENT, "no templates: -ENOENT");
	ok(strstr(err.buf, "cannot read the hook template") != NULL, "the error says so");
	testroot_puts(root, "/templates/apt/99gpu-setup", "DPkg::Post-Invoke { \"true\"; };\n");
	testroot_puts(root, "/templates/kernel/zz-gpu-setup", "#!/bin/sh\n# " SHIPPED_HOOKS_MARK "\n");
	strbuf_reset(&err);
	is_int(shipped_hooks_enable(tpl, &err), -EINVAL, "a template without the mark is refused");
	ok(!sysroot_exists(APT) && !sysroot_exists(KERNEL), "nothing was written");
}

int main(void)
{
	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	test_enable();
	test_foreign();
	test_disable();
	test_bad_templates();
	testroot_remove(root);
	return done_testing();
}
