/* Unit tests: the python check group of gpu-setup doctor against homes
 * built under a temporary root, a loopback HTTP server for --online and
 * stand-in bin/python scripts for --deep. */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "doctor-python.h"
#include "doctor.h"
#include "sysroot.h"
#include "tap.h"
#include "doctor-checks.h"
#include "loopback-http.h"
#include "testroot.h"
#include "util.h"

extern char **environ;

static const char tuna_pip[] = "[global]\nindex-url = https://pypi.tuna.tsinghua.edu.cn/simple\n";
static const char tuna_condarc[] = "channels:\n  - defaults\nshow_channel_urls: true\ndefault_channels:\n"
				   "  - https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/main\n"
				   "  - https://mirrors.tuna.tsinghua.edu.cn/anaconda/pkgs/r\n"
				   "custom_channels:\n  conda-forge: https://mirrors.tuna.tsinghua.edu.cn/anaconda/cloud\n";

static void run_group(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	doctor_report_free(rep);
	doctor_check_python(ctx, rep);
}

static void put_mode(const char *root, const char *rel, const char *text, mode_t mode)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	mkdir_p(root, 0755);   /* testroot_puts makes the directories below root */
	testroot_puts(root, rel, text);
	chmod(path, mode);
}

static void rm_target(const char *root, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	unlink(path);
}

/* ------------------------------------------------------------ files */

static void test_no_user(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };

	run_group(&ctx, &rep);
	is_int(rep.nchecks, 4, "no user: four checks");
	is_int(doctor_count(&rep, DOCTOR_SKIP), 4, "all of them skipped");
	expect(&rep, "python.conda", "", DOCTOR_SKIP, "no user", NULL, "no user");
	doctor_report_free(&rep);
}

static void test_empty_home(const char *root, struct target_user *u)
{
	struct doctor_ctx ctx = { .user = u };
	struct doctor_report rep = { 0 };

	testroot_puts(root, "/home/alice/.bashrc", "\n");
	run_group(&ctx, &rep);
	expect(&rep, "python.conda", "", DOCTOR_WARN, "no Miniconda for alice", "sudo gpu-setup install miniconda --user alice",
	       "empty home");
	expect(&rep, "python.pip-conf", "", DOCTOR_WARN, "pip uses pypi.org",
	       "sudo gpu-setup mirror --user alice (adds \"index-url = https://pypi.tuna.tsinghua.edu.cn/simple\" under "
	       "[global] in /home/alice/.config/pip/pip.conf",
	       "empty home");
	expect(&rep, "python.condarc", "", DOCTOR_WARN, "repo.anaconda.com",
	       "sudo gpu-setup mirror --user alice (puts TUNA's channels", "empty home");
	ok(find(&rep, "python.condarc", "") && strstr(find(&rep, "python.condarc", "")->evidence, "terms of service"),
	   "the condarc warning names the terms of service");
	expect(&rep, "python.mirrors-reachable", "", DOCTOR_SKIP, "not checked: add --online", NULL, "offline");
	is_int(count_id(&rep, "python.framework-env"), 0, "no conda, no environment checks");
	is_int(rep.nchecks, 4, "four checks in all");
	doctor_report_free(&rep);
}

static void test_conda(const char *root, struct target_user *u)
{
	struct doctor_ctx ctx = { .user = u };
	struct doctor_report rep = { 0 };
	struct target_user other = *u;

	put_mode(root, "/home/alice/miniforge3/bin/conda", "#!/bin/sh\n", 0755);
	run_group(&ctx, &rep);
	expect(&rep, "python.conda", "/home/alice/miniforge3", DOCTOR_OK, "/home/alice/miniforge3 has bin/conda",
	       NULL, "miniforge3");
	put_mode(root, "/home/alice/miniconda3/bin/conda", "#!/bin/sh\n", 0755);
	testroot_puts(root, "/home/alice/miniconda3/conda-meta/conda-24.11.3-py312h06a4308_0.json", "{}");
	testroot_puts(root, "/home/alice/miniconda3/conda-meta/conda-package-handling-2.4.0-py312_0.json", "{}");
	run_group(&ctx, &rep);
	expect(&rep, "python.conda", "/home/alice/miniconda3", DOCTOR_OK, "bin/conda 24.11.3", NULL,
	       "miniconda3 comes first, with its version");
	is_int(count_id(&rep, "python.conda"), 1, "one conda check");

	other.uid = u->uid + 1000;
	ctx.user = &other;
	run_group(&ctx, &rep);
	expect(&rep, "python.conda", "/home/alice/miniconda3", DOCTOR_FAIL, "owned by fileowner", "sudo chown -R alice:staff /home/alice/miniconda3",
	       "prefix of another uid");
	ok(find(&rep, "python.conda", "/home/alice/miniconda3") &&
		   strstr(find(&rep, "python.conda", "/home/alice/miniconda3")->evidence, "PermissionError"),
	   "the failure names PermissionError");
	doctor_report_free(&rep);
}

static void test_pip(const char *root, struct target_user *u)
{
	struct doctor_ctx ctx = { .user = u };
	struct doctor_report rep = { 0 };
	struct target_user other = *u;

	testroot_puts(root, "/home/alice/.config/pip/pip.conf", tuna_pip);
	testroot_puts(root, "/etc/pip.conf", "[global]\nindex-url = https://mirrors.ustc.edu.cn/pypi/simple\n");
	testroot_puts(root, "/etc/xdg/pip/pip.conf", "[install]\nindex-url = https://mirrors.aliyun.com/pypi/simple/\n"
						     "trusted-host = mirrors.aliyun.com\n");
	testroot_puts(root, "/home/alice/.pip/pip.conf", "[global]\ntimeout = 60\n");
	run_group(&ctx, &rep);
	expect(&rep, "python.pip-conf", "/home/alice/.config/pip/pip.conf", DOCTOR_OK,
	       "global.index-url = https://pypi.tuna.tsinghua.edu.cn/simple (TUNA)", NULL, "user file, TUNA");
	expect(&rep, "python.pip-conf", "/etc/pip.conf", DOCTOR_OK, "(USTC)", NULL, "/etc/pip.conf, USTC");
	expect(&rep, "python.pip-conf", "/etc/xdg/pip/pip.conf", DOCTOR_OK, "install.index-url", NULL,
	       "install section");
	expect(&rep, "python.pip-conf", "/etc/xdg/pip/pip.conf", DOCTOR_OK, "(Aliyun)", NULL, "Aliyun");
	expect(&rep, "python.pip-conf", "/etc/xdg/pip/pip.conf", DOCTOR_OK, "install.trusted-host = mirrors.aliyun.com",
	       NULL, "trusted-host shown");
	expect(&rep, "python.pip-conf", "/home/alice/.pip/pip.conf", DOCTOR_OK, "sets no index-url", NULL,
	       "legacy file without index-url");
	ok(!find(&rep, "python.pip-conf", ""), "an index-url is set: no pypi.org warning");
	is_int(count_id(&rep, "python.pip-conf"), 4, "one check per file");
	ok(find(&rep, "python.pip-conf", "/etc/xdg/pip/pip.conf") < find(&rep, "python.pip-conf", "/etc/pip.conf") &&
		   find(&rep, "python.pip-conf", "/home/alice/.pip/pip.conf") <
			   find(&rep, "python.pip-conf", "/home/alice/.config/pip/pip.conf"),
	   "in pip's load order");

	testroot_puts(root, "/home/alice/.config/pip/pip.conf", "[global]\nindex-url https\n");
	testroot_puts(root, "/etc/pip.conf", "[global]\nindex-url = https://pypi.example.org/simple\n");
	run_group(&ctx, &rep);
	expect(&rep, "python.pip-conf", "/home/alice/.config/pip/pip.conf", DOCTOR_FAIL, "line 2", "correct line 2 of",
	       "broken file");
	expect(&rep, "python.pip-conf", "/home/alice/.config/pip/pip.conf", DOCTOR_FAIL,
	       "pip refuses to run with a broken config file", NULL, "broken file: why");
	expect(&rep, "python.pip-conf", "/home/alice/.config/pip/pip.conf", DOCTOR_FAIL, "'index-url https'", NULL,
	       "broken file: the line quoted");
	expect(&rep, "python.pip-conf", "/etc/pip.conf", DOCTOR_OK, "(custom index)", NULL, "custom index");

	other.uid = u->uid + 1000;
	ctx.user = &other;
	testroot_puts(root, "/home/alice/.config/pip/pip.conf", tuna_pip);
	run_group(&ctx, &rep);
	expect(&rep, "python.pip-conf", "/home/alice/.config/pip/pip.conf", DOCTOR_FAIL, "PermissionError",
	       "sudo chown alice:staff /home/alice/.config/pip/pip.conf", "home file of another uid");
	expect(&rep, "python.pip-conf", "/etc/pip.conf", DOCTOR_OK, "custom index", NULL,
	       "files outside the home may be root's");
	ctx.user = u;

	/* No file sets index-url, and PIP_CONFIG_FILE on the running system. */
	rm_target(root, "/etc/pip.conf");
	rm_target(root, "/etc/xdg/pip/pip.conf");
	rm_target(root, "/home/alice/.config/pip/pip.conf");
	setenv("PIP_CONFIG_FILE", "/nonexistent/pip.conf", 1);
	run_group(&ctx, &rep);
	expect(&rep, "python.pip-conf", "", DOCTOR_WARN, "pip uses pypi.org", "[global]",
	       "only a file without index-url");
	ok(!find(&rep, "python.pip-conf", "PIP_CONFIG_FILE"), "PIP_CONFIG_FILE is not judged under --root");
	ctx.live = true;
	run_group(&ctx, &rep);
	expect(&rep, "python.pip-conf", "PIP_CONFIG_FILE", DOCTOR_WARN, "PIP_CONFIG_FILE=/nonexistent/pip.conf is set",
	       "unset PIP_CONFIG_FILE", "PIP_CONFIG_FILE on the live system");
	unsetenv("PIP_CONFIG_FILE");
	rm_target(root, "/home/alice/.pip/pip.conf");
	doctor_report_free(&rep);
}

static void test_condarc(const char *root, struct target_user *u)
{
	struct doctor_ctx ctx = { .user = u };
	struct doctor_report rep = { 0 };
	struct target_user other = *u;

	/* miniconda3 is there from test_conda: its .condarc is read too. */
	testroot_puts(root, "/home/alice/.condarc", tuna_condarc);
	testroot_puts(root, "/etc/conda/.condarc", "channels: [defaults\n");
	testroot_puts(root, "/home/alice/.conda/.condarc", "- defaults\n");
	testroot_puts(root, "/home/alice/.config/conda/.condarc", "# nothing yet\n");
	testroot_puts(root, "/home/alice/miniconda3/.condarc", "channels: [conda-forge]\n"
							       "channel_alias: https://mirror.sjtu.edu.cn/anaconda\n");
	run_group(&ctx, &rep);
	expect(&rep, "python.condarc", "/home/alice/.condarc", DOCTOR_OK, "default_channels on TUNA", NULL, "TUNA");
	expect(&rep, "python.condarc", "/home/alice/.condarc", DOCTOR_OK, "custom_channels: conda-forge (TUNA)", NULL,
	       "custom channels");
	expect(&rep, "python.condarc", "/etc/conda/.condarc", DOCTOR_FAIL, "line 2, column 1", "remove it",
	       "malformed YAML: libyaml's line");
	expect(&rep, "python.condarc", "/home/alice/.conda/.condarc", DOCTOR_FAIL, "must be a mapping", NULL,
	       "not a mapping");
	expect(&rep, "python.condarc", "/home/alice/.config/conda/.condarc", DOCTOR_OK, "sets no channels", NULL,
	       "comments only");
	expect(&rep, "python.condarc", "/home/alice/miniconda3/.condarc", DOCTOR_OK, "channel_alias: https://mirror.sjtu.edu.cn/anaconda (SJTU)",
	       NULL, "the conda prefix's file, SJTU");
	ok(!find(&rep, "python.condarc", ""), "default_channels set: no repo.anaconda.com warning");
	is_int(count_id(&rep, "python.condarc"), 5, "one check per file");

	other.uid = u->uid + 1000;
	ctx.user = &other;
	run_group(&ctx, &rep);
	expect(&rep, "python.condarc", "/home/alice/.condarc", DOCTOR_FAIL,
	       "owned by fileowner in alice's home: conda config fails with PermissionError",
	       "sudo chown alice:staff /home/alice/.condarc", "home file of another uid");
	ok(!find(&rep, "python.condarc", ""),
	   "a file of another owner still sets conda's channels (conda reads it): no repo.anaconda.com warning");
	doctor_report_free(&rep);
}

/* ------------------------------------------------------------ --online */

static void test_online(const char *root, struct target_user *u)
{
	struct doctor_ctx ctx = { .user = u, .online = true };
	struct doctor_report rep = { 0 };
	_cleanup_free_ char *www = xasprintf("%s/www", root), *pip = NULL, *condarc = NULL, *ok_url = NULL,
			    *missing_url = NULL, *refused_url = NULL, *index_url = NULL;
	int port = 0, closed = loopback_free_port();
	pid_t server;

	loopback_unset_proxies();
	testroot_puts(root, "/www/simple/index.html", "<html>simple</html>\n");
	testroot_puts(root, "/www/pkgs/main/noarch/repodata.json", "{\"packages\": {}}\n");
	server = http_server_start(www, &port);
	if (server < 0) {
		printf("ok %d - # SKIP no python3 to serve HTTP on loopback\n", ++tap_count);
		return;
	}
	index_url = xasprintf("http://127.0.0.1:%d/simple/", port);
	pip = xasprintf("[global]\nindex-url = %s\n", index_url);
	ok_url = xasprintf("http://127.0.0.1:%d/pkgs/main", port);
	missing_url = xasprintf("http://127.0.0.1:%d/pkgs/missing", port);
	refused_url = xasprintf("http://127.0.0.1:%d/pkgs/main", closed);
	condarc = xasprintf("default_channels:\n  - %s\n  - %s\n  - %s\n", ok_url, missing_url, refused_url);
	testroot_puts(root, "/home/alice/.config/pip/pip.conf", pip);
	testroot_puts(root, "/home/alice/.condarc", condarc);
	/* The same channel in a second file is probed once. */
	testroot_puts(root, "/home/alice/.config/conda/.condarc", condarc);

	run_group(&ctx, &rep);
	{
		_cleanup_free_ char *a = xasprintf("%s/noarch/repodata.json", ok_url),
				    *b = xasprintf("%s/noarch/repodata.json", missing_url),
				    *c = xasprintf("%s/noarch/repodata.json", refused_url);

		expect(&rep, "python.mirrors-reachable", index_url, DOCTOR_OK, "answered HTTP 200 in", NULL,
		       "pip index on loopback");
		expect(&rep, "python.mirrors-reachable", index_url, DOCTOR_OK, "index-url from /home/alice/.config/pip/pip.conf",
		       NULL, "names where the index came from");
		expect(&rep, "python.mirrors-reachable", a, DOCTOR_OK, "answered HTTP 200", NULL, "conda channel");
		expect(&rep, "python.mirrors-reachable", b, DOCTOR_FAIL, "HTTP 404", "another mirror", "missing channel");
		expect(&rep, "python.mirrors-reachable", c, DOCTOR_FAIL, "no connection (", "proxy",
		       "nothing listening");
		is_int(count_id(&rep, "python.mirrors-reachable"), 4, "each URL once");
	}
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	rm_target(root, "/home/alice/.config/conda/.condarc");
	doctor_report_free(&rep);
}

/* ------------------------------------------------------------ --deep */

/* A stand-in bin/python: checks it was given -c and the framework's
 * script, and prints what body says (sh, $HOME etc. expanded). */
static void put_python(const char *env, const char *framework, const char *body)
{
	_cleanup_free_ char *marker = xasprintf("{\"framework\": \"%s\", \"version\": \"%s\", \"cuda\": \"12.8\"}\n",
						framework, streq(framework, "pytorch") ? "2.7.1" : "2.18.0"),
			    *script = xasprintf("#!/bin/sh\n"
						"[ \"$1\" = -c ] || { echo 'no -c' >&2; exit 9; }\n"
						"case \"$2\" in *'import json, %s'*) ;; *) echo 'wrong script' >&2; exit 9;; esac\n"
						"%s\n",
						streq(framework, "pytorch") ? "torch" : "tensorflow", body);

	put_mode(env, "/" GS_ENV_MARKER, marker, 0644);
	put_mode(env, "/bin/python", script, 0755);
}

static void test_deep(const char *top)
{
	_cleanup_free_ char *home = xasprintf("%s/deephome/alice", top), *prefix = xasprintf("%s/miniconda3", home),
			    *envs = xasprintf("%s/envs", prefix), *torch = xasprintf("%s/torch", envs),
			    *tf = xasprintf("%s/tf", envs), *broken = xasprintf("%s/broken", envs),
			    *slow = xasprintf("%s/slow", envs), *old = xasprintf("%s/old", envs),
			    *bad = xasprintf("%s/badmarker", envs), *want_env = NULL;
	struct target_user u = { .name = "alice", .home = home, .uid = getuid(), .gid = getgid() };
	struct detect_report det;
	struct doctor_ctx ctx = { .user = &u, .live = true };
	struct doctor_report rep = { 0 };

	memset(&det, 0, sizeof(det));
	sysroot_set(NULL);   /* run_in_target would chroot under a root */
	put_mode(prefix, "/bin/conda", "#!/bin/sh\n", 0755);
	put_python(torch, "pytorch",
		   "echo 'some warning on stdout'\n"
		   "echo \"{\\\"version\\\": \\\"2.7.1+cu128\\\", \\\"cuda\\\": \\\"12.8\\\", \\\"cudnn\\\": 90100, "
		   "\\\"gpu\\\": true, \\\"gpu_name\\\": \\\"GPU-$PYTHONDONTWRITEBYTECODE-$HOME-$USER\\\"}\"");
	put_python(tf, "tensorflow",
		   "echo '{\"version\": \"2.18.0\", \"cuda\": \"12.5.1\", \"cudnn\": \"9\", \"gpu\": false, "
		   "\"gpu_name\": null}'");
	put_python(broken, "pytorch",
		   "echo 'Traceback (most recent call last):' >&2\n"
		   "echo \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1");
	put_python(slow, "pytorch", "exec sleep 30");
	put_python(old, "pytorch",
		   "echo '{\"version\": \"2.6.0+cu124\", \"cuda\": \"12.4\", \"cudnn\": 90100, \"gpu\": true, "
		   "\"gpu_name\": \"X\"}'");
	put_mode(bad, "/" GS_ENV_MARKER, "{\"framework\": \"jax\"}", 0644);
	put_mode(envs, "/plain/bin/python", "", 0755);   /* no marker: not gpu-setup's */

	run_group(&ctx, &rep);
	is_int(count_id(&rep, "python.framework-env"), 6, "one check per marked environment, none for the plain one");
	expect(&rep, "python.framework-env", torch, DOCTOR_OK, "pytorch 2.7.1 for CUDA 12.8: found, not imported (add --deep)",
	       NULL, "without --deep");
	expect(&rep, "python.framework-env", bad, DOCTOR_WARN, "not a JSON object with framework", NULL,
	       "a marker that names no known framework");

	ctx.deep = true;
	ctx.live = false;
	run_group(&ctx, &rep);
	expect(&rep, "python.framework-env", torch, DOCTOR_SKIP, "needs root", "sudo", "--deep under --root as a user");

	ctx.live = true;
	ctx.det = &det;
	det.pci.nvidia_count = 1;
	doctor_python_test_deep_timeout_ms = 1500;
	run_group(&ctx, &rep);
	want_env = xasprintf("sees GPU-1-%s-alice", home);
	expect(&rep, "python.framework-env", torch, DOCTOR_OK, "torch 2.7.1+cu128 built with CUDA 12.8 and cuDNN 90100",
	       NULL, "--deep: the facts");
	expect(&rep, "python.framework-env", torch, DOCTOR_OK, want_env, NULL,
	       "PYTHONDONTWRITEBYTECODE=1, HOME and USER of the user reach the import");
	expect(&rep, "python.framework-env", tf, DOCTOR_FAIL, "sees no GPU, although this machine has an NVIDIA GPU",
	       "driver", "no GPU visible with an NVIDIA GPU present");
	expect(&rep, "python.framework-env", broken, DOCTOR_FAIL, "ModuleNotFoundError: No module named 'torch'", NULL,
	       "import error: the last stderr line");
	expect(&rep, "python.framework-env", slow, DOCTOR_FAIL, "did not finish within 1 s", NULL, "timeout");
	expect(&rep, "python.framework-env", old, DOCTOR_WARN, "gpu-setup installed pytorch 2.7.1", NULL,
	       "another version than the marker's");

	det.pci.nvidia_count = 0;
	run_group(&ctx, &rep);
	expect(&rep, "python.framework-env", tf, DOCTOR_OK, "tensorflow 2.18.0 built with CUDA 12.5.1 and cuDNN 9, sees no GPU",
	       NULL, "no GPU visible and none in the machine");

	if (getuid() == 0) {
		/* As root the import runs as the user: the stand-in says who it is. */
		struct target_user nobody = u;
		_cleanup_free_ char *deephome = xasprintf("%s/deephome", top);

		nobody.uid = 65534;
		nobody.gid = 65534;
		ctx.user = &nobody;
		ctx.is_root = true;
		chmod(top, 0755);
		put_python(torch, "pytorch",
			   "echo \"{\\\"version\\\": \\\"2.7.1\\\", \\\"gpu\\\": true, \\\"gpu_name\\\": \\\"uid-$(id -u)\\\"}\"");
		run_group(&ctx, &rep);
		expect(&rep, "python.framework-env", torch, DOCTOR_OK, "sees uid-65534", NULL,
		       "run as root, the import runs as the user");
		(void)deephome;
	} else {
		printf("ok %d - # SKIP the switch to the user needs root\n", ++tap_count);
	}
	doctor_report_free(&rep);
}

int main(void)
{
	char tmpl[] = "/tmp/test-doctor-python.XXXXXX";
	char *top = mkdtemp(tmpl);
	_cleanup_free_ char *root = NULL, *passwd = NULL, *group = NULL;
	struct target_user u = { .name = "alice", .home = "/home/alice", .uid = getuid(), .gid = getgid() };

	if (!top) {
		printf("Bail out! no temporary directory\n");
		return 1;
	}
	root = xasprintf("%s/root", top);
	/* Files the test writes belong to getuid(): "fileowner" in the
	 * target's passwd; the user's group is "staff". */
	passwd = xasprintf("fileowner:x:%u:%u::/srv:/bin/sh\n", (unsigned)getuid(), (unsigned)getgid());
	group = xasprintf("staff:x:%u:\n", (unsigned)getgid());
	mkdir_p(root, 0755);
	testroot_puts(root, "/etc/passwd", passwd);
	testroot_puts(root, "/etc/group", group);
	sysroot_set(root);

	test_no_user();
	test_empty_home(root, &u);
	test_conda(root, &u);
	test_pip(root, &u);
	test_condarc(root, &u);
	test_online(root, &u);
	test_deep(top);

	sysroot_set(NULL);
	testroot_remove(top);
	return done_testing();
}
