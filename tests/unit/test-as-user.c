/* Unit tests: which user gpu-setup acts for (--user, SUDO_USER, SUDO_UID,
 * no terminal to ask on), and acting as that user: a child with the
 * user's ids and groups for file work, setpriv for commands. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "as-user.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
			     "alice:x:64001:64001:Alice:/home/alice:/bin/bash\n"
			     "bob:x:64002:64002::/home/bob:/bin/sh\n";
static const char group[] = "root:x:0:\n"
			    "alice:x:64001:\n"
			    "bob:x:64002:\n"
			    "video:x:44:bob,alice\n"
			    "render:x:105:bob\n";

static void test_resolve(const char *root)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct target_user u;
	int r;

	sysroot_set(root);
	strbuf_init(&err);
	r = as_user_resolve("bob", &u, &err);
	is_int(r, 0, "--user bob is found in the target's passwd");
	if (r == 0) {
		is_str(u.home, "/home/bob", "home from passwd");
		is_int(u.uid, 64002, "uid from passwd");
		target_user_free(&u);
	}

	setenv("HOME", "/root", 1);
	setenv("SUDO_USER", "alice", 1);
	setenv("SUDO_UID", "64001", 1);
	r = as_user_resolve(NULL, &u, &err);
	is_int(r, 0, "SUDO_USER names the user");
	if (r == 0) {
		is_str(u.home, "/home/alice", "home from passwd, not $HOME");
		target_user_free(&u);
	}
	r = as_user_resolve("bob", &u, &err);
	ok(r == 0 && streq(u.name, "bob"), "--user wins over SUDO_USER");
	if (r == 0)
		target_user_free(&u);

	strbuf_reset(&err);
	setenv("SUDO_USER", "mallory", 1);
	r = as_user_resolve(NULL, &u, &err);
	is_int(r, -ENOENT, "a SUDO_USER not in passwd is refused");
	ok(strstr(err.buf, "mallory") && strstr(err.buf, "SUDO_USER"), "the message names the user and SUDO_USER: %s",
	   err.buf);

	strbuf_reset(&err);
	r = as_user_resolve("nosuch", &u, &err);
	is_int(r, -ENOENT, "--user not in passwd is refused");

	/* The SUDO_UID cross-check on the running system's passwd as well. */
	sysroot_set(NULL);
	strbuf_reset(&err);
	setenv("SUDO_USER", "nobody", 1);
	setenv("SUDO_UID", "0", 1);
	r = as_user_resolve(NULL, &u, &err);
	is_int(r, -EINVAL, "SUDO_USER and SUDO_UID naming different users is refused");
	ok(strstr(err.buf, "--user") != NULL, "and the message says to use --user: %s", err.buf);
	setenv("SUDO_UID", "65534", 1);
	r = as_user_resolve(NULL, &u, &err);
	ok(r == 0 && u.uid == 65534, "SUDO_USER and SUDO_UID that agree are taken");
	if (r == 0)
		target_user_free(&u);
	unsetenv("SUDO_USER");
	unsetenv("SUDO_UID");

	if (geteuid() == 0) {
		/* stdin is /dev/null under make check: nobody to ask. */
		int saved = dup(STDIN_FILENO), devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, STDIN_FILENO);
		strbuf_reset(&err);
		r = as_user_resolve(NULL, &u, &err);
		is_int(r, -ENOTTY, "root with no SUDO_USER and no terminal: no guess");
		ok(strstr(err.buf, "--user") != NULL, "the message says to use --user: %s", err.buf);
		dup2(saved, STDIN_FILENO);
		close(saved);
		close(devnull);
	} else {
		printf("ok %d - # SKIP the root-login case needs root\n", ++tap_count);
		printf("ok %d - # SKIP the root-login case needs root\n", ++tap_count);
	}
}

/* What a child working for the user sees, as text. */
static int report_identity(void *arg, struct strbuf *out)
{
	gid_t groups[32];
	int n = getgroups(ELEMENTSOF(groups), groups);
	char cwd[512];
	mode_t old = umask(0);

	umask(old);
	(void)arg;
	strbuf_addf(out, "uid=%u,%u gid=%u,%u umask=%03o cwd=%s groups=", (unsigned)getuid(), (unsigned)geteuid(),
		    (unsigned)getgid(), (unsigned)getegid(), (unsigned)old, getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	for (int i = 0; i < n; i++)
		strbuf_addf(out, "%s%u", i ? "," : "", (unsigned)groups[i]);
	return 0;
}

static int make_file(void *arg, struct strbuf *out)
{
	(void)out;
	return write_file_atomic(arg, "x\n", 2, 0644);
}

static int fail_eacces(void *arg, struct strbuf *out)
{
	(void)arg;
	strbuf_adds(out, "could not do it");
	return -EACCES;
}

static int try_root_file(void *arg, struct strbuf *out)
{
	int fd = open(arg, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		strbuf_addf(out, "%s", strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static int die(void *arg, struct strbuf *out)
{
	(void)arg;
	(void)out;
	raise(SIGKILL);
	return 0;
}

static void test_call(const char *root)
{
	struct target_user alice = { (char *)"alice", (char *)"/home/alice", 64001, 64001 };
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	_cleanup_free_ char *home = xasprintf("%s/home/alice", root), *file = xasprintf("%s/made", home),
			    *rootfile = xasprintf("%s/root-only", root);
	struct stat st;
	int r;

	strbuf_init(&out);
	if (geteuid() != 0) {
		r = as_user_call(&alice, report_identity, NULL, &out);
		is_int(r, -EPERM, "without root, acting for another user is refused");
		ok(strstr(out.buf, "needs root") != NULL, "and says it needs root: %s", out.buf);
		return;
	}
	sysroot_set(root);
	testroot_puts(root, "/home/.keep", "");
	mkdir(home, 0755);
	chown(home, 64001, 64001);
	r = as_user_call(&alice, report_identity, NULL, &out);
	is_int(r, 0, "the child ran");
	{
		_cleanup_free_ char *want = xasprintf("uid=64001,64001 gid=64001,64001 umask=022 cwd=%s groups=44,64001",
						      home);
		is_str(out.buf, want, "the child has the user's ids, the target's groups (the kernel sorts them), umask 022, the home "
			       "as cwd");
	}

	r = as_user_call(&alice, make_file, file, &out);
	is_int(r, 0, "a file made by the child");
	ok(stat(file, &st) == 0 && st.st_uid == 64001 && st.st_gid == 64001 && (st.st_mode & 07777) == 0644,
	   "is the user's, mode 0644");

	testroot_puts(root, "/root-only", "secret\n");
	chmod(rootfile, 0600);
	strbuf_reset(&out);
	r = as_user_call(&alice, try_root_file, rootfile, &out);
	is_int(r, -EACCES, "the child cannot open root's files: it has no way back to root");

	strbuf_reset(&out);
	r = as_user_call(&alice, fail_eacces, NULL, &out);
	is_int(r, -EACCES, "the function's error comes back");
	is_str(out.buf, "could not do it", "with its message");

	strbuf_reset(&out);
	r = as_user_call(&alice, die, NULL, &out);
	is_int(r, -EINTR, "a child killed by a signal is an error");
	ok(strstr(out.buf, "signal 9") != NULL, "that says so: %s", out.buf);
	sysroot_set(NULL);
}

static void test_run(const char *root)
{
	_cleanup_free_ char *home = xasprintf("%s/nobody-home", root);
	struct target_user nobody = { (char *)"nobody", home, 65534, 65534 };
	const char *const argv[] = { "sh", "-c", "echo $(id -u) $(id -g) $HOME $USER $LOGNAME $PWD $EXTRA; echo $PATH",
				     NULL };
	const char *const extra[] = { "EXTRA=yes", NULL };
	struct run_result rr;
	int r;

	if (geteuid() != 0) {
		printf("ok %d - # SKIP running as another user needs root\n", ++tap_count);
		return;
	}
	mkdir(home, 0755);
	chown(home, 65534, 65534);
	r = as_user_run(&nobody, argv, "/opt/conda/bin", extra, 10000, &rr);
	is_int(r, 0, "setpriv ran the command");
	if (r == 0) {
		_cleanup_free_ char *want = xasprintf("65534 65534 %s nobody nobody %s yes\n"
						      "/opt/conda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n",
						      home, home);
		is_str(rr.out.buf, want, "as the user, with HOME, USER, LOGNAME, PATH, the extra variables, in the home");
		run_result_release(&rr);
	}
}

int main(void)
{
	char tmpl[] = "/tmp/test-as-user.XXXXXX";
	const char *root = mkdtemp(tmpl);

	if (!root) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	chmod(root, 0755);
	testroot_puts(root, "/etc/passwd", passwd);
	testroot_puts(root, "/etc/group", group);
	test_resolve(root);
	test_call(root);
	test_run(root);
	testroot_remove(root);
	return done_testing();
}
