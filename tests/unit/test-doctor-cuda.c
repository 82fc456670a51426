/*
 * Unit tests: doctor's cuda and cudnn check groups on toolkit trees built
 * in a scratch sysroot (NVIDIA's runfile layout with lib64 ->
 * targets/x86_64-linux/lib, and a tree assembled from NVIDIA's pip wheels:
 * cuda.h and nvcc only, libcudnn.so.9 only, dist-info), with a hand-made
 * detection report and the shipped compat data; the PATH and ld.so.conf
 * scanners on their own; and, where this machine has one, a real toolkit
 * judged live.  Runs as a normal user or root.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "compat.h"
#include "cuda-tree.h"
#include "doctor.h"
#include "doctor-toolkit.h"
#include "fileio.h"
#include "search-paths.h"
#include "strbuf.h"
#include "sysroot.h"
#include "tap.h"
#include "doctor-checks.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-doctor-cuda-XXXXXX";
static struct compat_db *db;

/* ---------------------------------------------------------------- tree helpers */

static void put(const char *rel, const char *text)
{
	testroot_puts(root, rel, text);
}

static void put_mode(const char *rel, const char *text, mode_t mode)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	put(rel, text);
	chmod(path, mode);
}

static void link_at(const char *target, const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);
	_cleanup_free_ char *keep = xasprintf("%s.keep", rel);

	put(keep, "");          /* the parent directories */
	unlink(path);
	symlink(target, path);
}

static void rm(const char *rel)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	unlink(path);
}

static void reset_root(void)
{
	testroot_remove(root);
	mkdir(root, 0700);
}

static char *cuda_h(unsigned major, unsigned minor)
{
	return xasprintf("/* CUDA API version number */\n#define CUDA_VERSION %u\n", major * 1000 + minor * 10);
}

/* What NVIDIA's runfile leaves (CUDA Installation Guide, runfile):
 * targets/x86_64-linux/{include,lib}, include and lib64 links to them,
 * bin/nvcc, version.json. */
static void runfile_toolkit(const char *dir, const char *version_json, unsigned major, unsigned minor)
{
	_cleanup_free_ char *h = cuda_h(major, minor), *p = NULL, *json = NULL;

	p = xasprintf("%s/targets/x86_64-linux/include/cuda.h", dir);
	put(p, h);
	free(p);
	p = xasprintf("%s/targets/x86_64-linux/lib/libcudart.so.%u.%u.90", dir, major, minor);
	put(p, "\177ELF stand-in");
	free(p);
	p = xasprintf("%s/include", dir);
	link_at("targets/x86_64-linux/include", p);
	free(p);
	p = xasprintf("%s/lib64", dir);
	link_at("targets/x86_64-linux/lib", p);
	free(p);
	p = xasprintf("%s/bin/nvcc", dir);
	put_mode(p, "\177ELF stand-in", 0755);
	free(p);
	p = NULL;
	if (version_json) {
		json = xasprintf("{\"cuda\":{\"name\":\"CUDA SDK\",\"version\":\"%s\"}}\n", version_json);
		p = xasprintf("%s/version.json", dir);
		put(p, json);
	}
}

/* A tree assembled from NVIDIA's pip wheels (nvidia-cuda-runtime,
 * -nvcc, -cudnn-cu13 ...): include/, lib/ with lib64 -> lib, bin/nvcc, no
 * version file, the wheels' dist-info kept; cuDNN named by major only. */
static void wheel_toolkit(void)
{
	_cleanup_free_ char *h = cuda_h(13, 0);

	put("/usr/local/cuda-13.0/include/cuda.h", h);
	put_mode("/usr/local/cuda-13.0/bin/nvcc", "\177ELF stand-in", 0755);
	put("/usr/local/cuda-13.0/lib/libcudart.so.13", "\177ELF stand-in");
	link_at("libcudart.so.13", "/usr/local/cuda-13.0/lib/libcudart.so");
	link_at("lib", "/usr/local/cuda-13.0/lib64");
	put("/usr/local/cuda-13.0/include/cudnn_version.h",
	    "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 19\n#define CUDNN_PATCHLEVEL 0\n");
	put("/usr/local/cuda-13.0/lib/libcudnn.so.9", "\177ELF stand-in");
	link_at("libcudnn.so.9", "/usr/local/cuda-13.0/lib/libcudnn.so");
	put("/usr/local/cuda-13.0/lib/libcudnn_ops.so.9", "\177ELF stand-in");
	put("/usr/local/cuda-13.0/dist-info/nvidia_cudnn_cu13-9.19.0.56.dist-info/METADATA", "Name: nvidia-cudnn-cu13\n");
	put("/usr/local/cuda-13.0/dist-info/nvidia_cuda_runtime-13.0.96.dist-info/METADATA", "Name: nvidia-cuda-runtime\n");
}

#define TK128 "/usr/local/cuda-12.8"
#define LIB128 TK128 "/targets/x86_64-linux/lib"
#define MANIFEST128 "/var/lib/gpu-setup/manifests/cudnn-cuda-12.8.manifest"

/* cuDNN 9.8.0 placed by gpu-setup into the 12.8 runfile toolkit. */
static void cudnn_98(const char *archive)
{
	_cleanup_free_ char *m = xasprintf("# gpu-setup manifest: files placed by gpu-setup; do not edit\n"
					   "format 1\nkind cudnn\nversion 9.8.0.87\nsource %s\nbase " TK128 "\n",
					   archive);
	static const char *const libs[] = { "libcudnn", "libcudnn_ops", "libcudnn_cnn" };

	put(TK128 "/targets/x86_64-linux/include/cudnn_version.h",
	    "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 8\n#define CUDNN_PATCHLEVEL 0\n");
	for (size_t i = 0; i < ELEMENTSOF(libs); i++) {
		_cleanup_free_ char *f = xasprintf(LIB128 "/%s.so.9.8.0", libs[i]);
		_cleanup_free_ char *l9 = xasprintf(LIB128 "/%s.so.9", libs[i]);
		_cleanup_free_ char *t9 = xasprintf("%s.so.9.8.0", libs[i]), *l = xasprintf(LIB128 "/%s.so", libs[i]);
		_cleanup_free_ char *t = xasprintf("%s.so.9", libs[i]);

		put(f, "\177ELF stand-in");
		link_at(t9, l9);
		link_at(t, l);
	}
	put(MANIFEST128, m);
}

/* The 12.8 toolkit set up as `gpu-setup use cuda 12.8` leaves it. */
static void used_128(void)
{
	runfile_toolkit(TK128, "12.8.1", 12, 8);
	link_at("cuda-12.8", "/usr/local/cuda");
	put("/etc/profile.d/gpu-setup-cuda.sh", "# gpu-setup\nexport PATH=/usr/local/cuda/bin${PATH:+:${PATH}}\n");
	put("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n");
	put("/etc/ld.so.conf.d/gpu-setup-cuda.conf", "/usr/local/cuda/lib64\n");
}

/* ---------------------------------------------------------------- running */

static struct pci_gpu gpu;
static struct detect_report det;
static struct target_user user = { (char *)"ann", (char *)"/home/ann", 1000, 1000 };

static void set_gpu(unsigned cc, const char *name, const char *arch)
{
	memset(&gpu, 0, sizeof(gpu));
	gpu.vendor_id = 0x10de;
	gpu.device_id = 0x2204;
	gpu.bus = 1;
	gpu.name = (char *)name;
	gpu.has_info = cc != 0;
	gpu.info.cc = cc;
	gpu.info.name = name;
	gpu.info.arch = arch;
	memset(&det, 0, sizeof(det));
	det.pci.gpus = &gpu;
	det.pci.ngpus = 1;
	det.pci.nvidia_count = 1;
}

static struct doctor_ctx ctx_for(const char *driver)
{
	struct doctor_ctx ctx = { .det = &det, .db = db, .user = &user };

	ctx.driver_version = driver ? xstrdup(driver) : NULL;
	return ctx;
}

/* The cuda group on a tree the case just changed: forget the toolkits an
 * earlier run of ctx found (doctor itself finds them once per run). */
static void check_cuda(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	if (ctx->toolkits) {
		doctor_toolkits_free(ctx->toolkits);
		free(ctx->toolkits);
		ctx->toolkits = NULL;
	}
	doctor_check_cuda(ctx, rep);
}

static void run_groups(const char *driver, struct doctor_report *rep)
{
	struct doctor_ctx ctx = ctx_for(driver);

	memset(rep, 0, sizeof(*rep));
	doctor_check_cuda(&ctx, rep);
	doctor_check_cudnn(&ctx, rep);
	doctor_ctx_release(&ctx);
}

/* ---------------------------------------------------------------- the scanners */

static void test_scanners(void)
{
	struct path_assignment *a;
	struct ldconf_dir *d;
	size_t n;

	n = path_assignments_scan("export PATH=/usr/local/cuda/bin:$PATH CUDA_HOME=/usr/local/cuda\n", &a);
	ok(n == 1 && a[0].line == 1 && a[0].keeps_path && a[0].nbins == 1 && streq(a[0].bins[0].dir, "/usr/local/cuda/bin") &&
	   a[0].bins[0].before, "PATH scan: export ... CUDA_HOME=... on one line, prepended");
	path_assignments_free(a, n);
	n = path_assignments_scan("# PATH=/usr/local/cuda/bin\n"
				  "export LD_LIBRARY_PATH=/usr/local/cuda/bin:$LD_LIBRARY_PATH\n"
				  "export LIBRARY_PATH=/usr/local/cuda/lib64/stubs\n"
				  "  PATH=\"${PATH:+${PATH}:}/usr/local/cuda-12.8/bin/\"\n", &a);
	ok(n == 1 && a[0].line == 4 && a[0].keeps_path && a[0].nbins == 1 &&
	   streq(a[0].bins[0].dir, "/usr/local/cuda-12.8/bin") && !a[0].bins[0].before,
	   "PATH scan: comments, LD_LIBRARY_PATH and LIBRARY_PATH left out; ${PATH:+...} appended, trailing slash dropped");
	path_assignments_free(a, n);
	n = path_assignments_scan("PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n"
				  "PATH+=:/usr/local/cuda-12.6/bin\n"
				  "PATH=/usr/local/cuda-12/binaries:/usr/local/cudax/bin:$PATH\n", &a);
	ok(n == 3 && !a[0].keeps_path && a[0].nbins == 0 && a[1].keeps_path && a[1].nbins == 1 && !a[1].bins[0].before &&
	   a[2].nbins == 0, "PATH scan: /etc/environment's form sets anew; PATH+= appends; look-alike directories are not CUDA's");
	path_assignments_free(a, n);
	ok(path_assignments_scan("", &a) == 0 && a == NULL, "PATH scan: empty text");

	reset_root();
	put("/etc/ld.so.conf", "include ld.so.conf.d/*.conf\n# /usr/local/cuda/lib64\n/usr/local/lib\n");
	put("/etc/ld.so.conf.d/a.conf", "/usr/local/cuda-12.8/targets/x86_64-linux/lib  # NVIDIA\n\ninclude /etc/more/*.conf\n");
	put("/etc/ld.so.conf.d/b.conf", "include /etc/ld.so.conf\n");    /* a loop */
	put("/etc/more/c.conf", "/opt/x/lib, /opt/y/lib\n");
	n = ldconf_dirs_read(&d);
	ok(n == 4 && streq(d[0].dir, "/usr/local/cuda-12.8/targets/x86_64-linux/lib") &&
	   streq(d[0].file, "/etc/ld.so.conf.d/a.conf") && d[0].line == 1 && streq(d[1].dir, "/opt/x/lib") &&
	   streq(d[2].dir, "/opt/y/lib") && streq(d[3].dir, "/usr/local/lib") && d[3].line == 3,
	   "ld.so.conf: relative include glob, nested include, comments, a loop read once, two directories a line");
	for (size_t i = 0; i < n && n != 4; i++)
		printf("# %s:%u %s\n", d[i].file, d[i].line, d[i].dir);
	ldconf_dirs_free(d, n);
	rm("/etc/ld.so.conf");
	put("/etc/ld.so.conf.d/b.conf", "/usr/lib/x86_64-linux-gnu\n");
	n = ldconf_dirs_read(&d);
	ok(n == 4 && streq(d[3].dir, "/usr/lib/x86_64-linux-gnu"), "ld.so.conf: without ld.so.conf, ld.so.conf.d is read");
	ldconf_dirs_free(d, n);
	/* Debian's alternatives make ld.so.conf.d entries absolute links:
	 * followed inside the root. */
	put("/etc/alternatives/x86_64-linux-gnu_gl_conf", "/usr/lib/x86_64-linux-gnu/mesa\n");
	link_at("/etc/alternatives/x86_64-linux-gnu_gl_conf", "/etc/ld.so.conf.d/x86_64-linux-gnu_GL.conf");
	n = ldconf_dirs_read(&d);
	ok(n == 5 && streq(d[4].dir, "/usr/lib/x86_64-linux-gnu/mesa"),
	   "ld.so.conf: an entry that is an absolute link is read inside the root");
	ldconf_dirs_free(d, n);
}

/* ---------------------------------------------------------------- cuda */

static void test_no_toolkit(void)
{
	struct doctor_report rep;

	reset_root();
	unsetenv("LD_LIBRARY_PATH");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.toolkits", NULL, DOCTOR_SKIP, "PyTorch and TensorFlow wheels bring their own CUDA runtime",
	       "install cuda", "no toolkit");
	ok(count_id(&rep, "cuda.link") + count_id(&rep, "cuda.path") + count_id(&rep, "cuda.driver") == 0,
	   "no toolkit: no other cuda check");
	expect(&rep, "cudnn.version", NULL, DOCTOR_SKIP, "no cuDNN in any toolkit; framework wheels bring their own", NULL,
	       "no toolkit");
	expect(&rep, "cudnn.shadowing", NULL, DOCTOR_OK, "not set", NULL, "no LD_LIBRARY_PATH");
	is_int(rep.nchecks, 3, "no toolkit: three checks in all");
	doctor_report_free(&rep);
}

static void test_runfile_good(void)
{
	struct doctor_report rep;

	reset_root();
	used_128();
	set_gpu(86, "GeForce RTX 3090", "Ampere");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.toolkits", TK128, DOCTOR_OK, "CUDA 12.8.1 (version.json)", NULL, "runfile 12.8.1");
	expect(&rep, "cuda.link", NULL, DOCTOR_OK, "/usr/local/cuda -> /usr/local/cuda-12.8 (CUDA 12.8.1)", NULL, "runfile 12.8.1");
	expect(&rep, "cuda.path", NULL, DOCTOR_OK, "/etc/profile.d/gpu-setup-cuda.sh:2 puts /usr/local/cuda/bin on PATH",
	       NULL, "runfile 12.8.1");
	expect(&rep, "cuda.libraries", NULL, DOCTOR_OK, "/etc/ld.so.conf.d/gpu-setup-cuda.conf:1 lists /usr/local/cuda/lib64",
	       NULL, "runfile 12.8.1, through the lib64 -> targets link");
	expect(&rep, "cuda.driver", TK128, DOCTOR_OK, "570.124.06", NULL, "driver 570.133 for 12.8.1 (its own update's minimum)");
	expect(&rep, "cuda.arch", TK128 " sm_86", DOCTOR_OK, "nvcc 12.8 compiles for sm_86 (GeForce RTX 3090", NULL,
	       "RTX 3090");
	expect(&rep, "cudnn.version", NULL, DOCTOR_SKIP, "no cuDNN in any toolkit", NULL, "toolkit without cuDNN");
	ok(doctor_count(&rep, DOCTOR_FAIL) == 0 && doctor_count(&rep, DOCTOR_WARN) == 0, "a set-up 12.8: no fail, no warning");
	doctor_report_free(&rep);

	/* The driver against 12.8.1's minimum 570.124.06 and CUDA 12's floor 525.60.13. */
	run_groups("560.35.03", &rep);
	expect(&rep, "cuda.driver", TK128, DOCTOR_WARN, "minor-version compatibility", "sudo gpu-setup driver",
	       "driver 560 for 12.8.1");
	doctor_report_free(&rep);
	run_groups("470.256.02", &rep);
	expect(&rep, "cuda.driver", TK128, DOCTOR_FAIL, "driver 470.256.02 is older than CUDA 12.8.1 needs (570.124.06); CUDA 11.4.4",
	       "install cuda --cuda 11.4", "driver 470 for 12.8.1");
	doctor_report_free(&rep);
	run_groups(NULL, &rep);
	expect(&rep, "cuda.driver", TK128, DOCTOR_SKIP, "no NVIDIA driver", NULL, "no driver");
	doctor_report_free(&rep);

	/* Architectures. */
	set_gpu(120, "GeForce RTX 5090", "Blackwell");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.arch", TK128 " sm_120", DOCTOR_OK, "sm_120", NULL, "RTX 5090 with 12.8");
	doctor_report_free(&rep);
	set_gpu(0, "NVIDIA Device 2ff0", NULL);
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.arch", NULL, DOCTOR_SKIP, "not in the compat data", NULL, "an unknown GPU");
	doctor_report_free(&rep);
	{
		struct doctor_ctx ctx = ctx_for("570.133.07");

		ctx.det = NULL;
		memset(&rep, 0, sizeof(rep));
		check_cuda(&ctx, &rep);
		expect(&rep, "cuda.arch", NULL, DOCTOR_SKIP, "detection failed", NULL, "no detection");
		doctor_report_free(&rep);
		ctx.det = &det;
		ctx.db = NULL;
		check_cuda(&ctx, &rep);
		expect(&rep, "cuda.driver", TK128, DOCTOR_SKIP, "no compat data", NULL, "no compat data");
		expect(&rep, "cuda.toolkits", TK128, DOCTOR_OK, "CUDA 12.8.1", NULL, "no compat data, the toolkit still judged");
		doctor_report_free(&rep);
		doctor_ctx_release(&ctx);
	}
	set_gpu(86, "GeForce RTX 3090", "Ampere");
}

static void test_link_and_env(void)
{
	struct doctor_report rep;

	reset_root();
	used_128();
	rm(LIB128 "/libcudart.so.12.8.90");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.toolkits", TK128, DOCTOR_FAIL, "incomplete: lib64 holds no libcudart",
	       "sudo gpu-setup install cuda --cuda 12.8", "libcudart missing");
	expect(&rep, "cuda.link", NULL, DOCTOR_FAIL, "incomplete", NULL, "the link to an incomplete toolkit");
	doctor_report_free(&rep);

	reset_root();
	used_128();
	runfile_toolkit("/usr/local/cuda-12.6", "12.6.3", 12, 6);
	rm("/usr/local/cuda");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.link", NULL, DOCTOR_FAIL, "does not exist", "sudo gpu-setup use cuda 12.8", "no link, newest named");
	expect(&rep, "cuda.toolkits", "/usr/local/cuda-12.6", DOCTOR_OK, "CUDA 12.6.3", NULL, "two toolkits listed");
	doctor_report_free(&rep);
	link_at("/usr/local/cuda-12.4", "/usr/local/cuda");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.link", NULL, DOCTOR_FAIL, "dangling", "use cuda 12.8", "a dangling link");
	doctor_report_free(&rep);

	/* PATH: the linked toolkit is 12.8, the user's .bashrc puts 12.6 first. */
	link_at("cuda-12.8", "/usr/local/cuda");
	put("/home/ann/.bashrc", "# ~/.bashrc\nexport PATH=/usr/local/cuda-12.6/bin:$PATH\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.path", NULL, DOCTOR_WARN, "/home/ann/.bashrc:2 puts /usr/local/cuda-12.6/bin on PATH (CUDA 12.6.3)",
	       "/usr/local/cuda-12.6/bin out of PATH in /home/ann/.bashrc", "another toolkit first on PATH");
	doctor_report_free(&rep);
	put("/home/ann/.bashrc", "export PATH=$PATH:/usr/local/cuda-12.6/bin\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.path", NULL, DOCTOR_OK, "gpu-setup-cuda.sh:2", NULL, "another toolkit appended after the link's");
	doctor_report_free(&rep);
	rm("/home/ann/.bashrc");
	rm("/etc/profile.d/gpu-setup-cuda.sh");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.path", NULL, DOCTOR_FAIL, "no PATH assignment", "sudo gpu-setup use cuda 12.8 (writes /etc/profile.d/gpu-setup-cuda.sh)",
	       "nothing puts CUDA on PATH");
	doctor_report_free(&rep);
	put("/etc/environment", "PATH=\"/usr/local/cuda/bin:/usr/local/bin:/usr/bin:/bin\"\n");
	put("/etc/profile", "if [ \"$(id -u)\" -eq 0 ]; then\n  PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\"\nfi\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.path", NULL, DOCTOR_FAIL, "/etc/profile:2 sets PATH anew", NULL,
	       "/etc/environment's PATH undone by Debian's /etc/profile");
	doctor_report_free(&rep);
	put("/home/ann/.profile", "\n\nPATH=\"/usr/local/cuda-12.8/bin:$PATH\"\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.path", NULL, DOCTOR_OK, "/home/ann/.profile:3 puts /usr/local/cuda-12.8/bin", NULL,
	       "the user's ~/.profile");
	doctor_report_free(&rep);

	/* ld.so. */
	rm("/etc/ld.so.conf.d/gpu-setup-cuda.conf");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.libraries", NULL, DOCTOR_FAIL, "no directory in /etc/ld.so.conf",
	       "sudo gpu-setup use cuda 12.8 (writes /etc/ld.so.conf.d/gpu-setup-cuda.conf and runs ldconfig)",
	       "nothing lists a toolkit's libraries");
	doctor_report_free(&rep);
	put("/etc/ld.so.conf.d/cuda-12-6.conf", "/usr/local/cuda-12.6/targets/x86_64-linux/lib\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.libraries", NULL, DOCTOR_WARN, "CUDA 12.6.3's libraries", "use cuda 12.8",
	       "only another toolkit's libraries listed");
	doctor_report_free(&rep);
	put("/etc/ld.so.conf.d/nvidia.conf", "/usr/local/cuda-12.8/lib64\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.libraries", NULL, DOCTOR_OK, "/etc/ld.so.conf.d/nvidia.conf:1 lists /usr/local/cuda-12.8/lib64", NULL,
	       "the linked toolkit's lib64 by its own name");
	doctor_report_free(&rep);

	/* /usr/local/cuda itself a toolkit. */
	reset_root();
	runfile_toolkit("/usr/local/cuda", "12.8.1", 12, 8);
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.toolkits", "/usr/local/cuda", DOCTOR_OK, "CUDA 12.8.1", NULL, "a toolkit in /usr/local/cuda");
	expect(&rep, "cuda.link", NULL, DOCTOR_OK, "a toolkit installed into /usr/local/cuda itself", NULL,
	       "a toolkit in /usr/local/cuda");
	doctor_report_free(&rep);

	/* A release the compat data does not know (12.7 was never released). */
	reset_root();
	runfile_toolkit("/usr/local/cuda-12.7", NULL, 12, 7);
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.driver", "/usr/local/cuda-12.7", DOCTOR_SKIP, "not in the compat data", NULL, "CUDA 12.7");
	expect(&rep, "cuda.arch", "/usr/local/cuda-12.7", DOCTOR_SKIP, "not in the compat data", NULL, "CUDA 12.7");
	doctor_report_free(&rep);

	/* An old toolkit and a new card: 12.6 has no sm_120. */
	reset_root();
	runfile_toolkit("/usr/local/cuda-12.6", "12.6.3", 12, 6);
	set_gpu(120, "GeForce RTX 5090", "Blackwell");
	run_groups("570.133.07", &rep);
	expect(&rep, "cuda.arch", "/usr/local/cuda-12.6 sm_120", DOCTOR_WARN, "CUDA 12.8 is the first that compiles for it",
	       "install cuda --cuda 12.8", "RTX 5090 with 12.6");
	doctor_report_free(&rep);
	set_gpu(86, "GeForce RTX 3090", "Ampere");
}

static void test_wheel_tree(void)
{
	struct doctor_report rep;

	reset_root();
	wheel_toolkit();
	link_at("/usr/local/cuda-13.0", "/usr/local/cuda");
	put("/etc/profile.d/cuda.sh", "export PATH=/usr/local/cuda/bin:$PATH CUDA_HOME=/usr/local/cuda\n");
	put("/etc/ld.so.conf.d/cuda.conf", "/usr/local/cuda-13.0/lib\n");
	set_gpu(61, "GeForce GTX 1080", "Pascal");
	run_groups("580.95.05", &rep);
	expect(&rep, "cuda.toolkits", "/usr/local/cuda-13.0", DOCTOR_OK, "CUDA 13.0 (include/cuda.h)", NULL, "wheel tree");
	expect(&rep, "cuda.link", NULL, DOCTOR_OK, "-> /usr/local/cuda-13.0", NULL, "wheel tree, absolute link");
	expect(&rep, "cuda.path", NULL, DOCTOR_OK, "/etc/profile.d/cuda.sh:1", NULL, "wheel tree");
	expect(&rep, "cuda.libraries", NULL, DOCTOR_OK, "lists /usr/local/cuda-13.0/lib,", NULL, "wheel tree, lib listed");
	expect(&rep, "cuda.driver", "/usr/local/cuda-13.0", DOCTOR_OK, "580.65.06 (that of its first release)", NULL,
	       "wheel tree: 13.0 known as X.Y takes 13.0.0's minimum");
	expect(&rep, "cuda.arch", "/usr/local/cuda-13.0 sm_61", DOCTOR_FAIL,
	       "CUDA 13.0 cannot compile for sm_61 (GeForce GTX 1080, Pascal)", "install cuda --cuda 12.9 && sudo gpu-setup use cuda 12.9",
	       "Pascal with CUDA 13");
	ok(find(&rep, "cuda.arch", "/usr/local/cuda-13.0 sm_61") &&
	   strstr(find(&rep, "cuda.arch", "/usr/local/cuda-13.0 sm_61")->evidence, "CUDA 12.9 is the newest that can"),
	   "Pascal with CUDA 13: 12.9 named as the newest that can");
	expect(&rep, "cudnn.version", "/usr/local/cuda-13.0", DOCTOR_OK, "cuDNN 9.19.0 (include/cudnn_version.h)", NULL, "wheel tree");
	expect(&rep, "cudnn.libraries", "/usr/local/cuda-13.0", DOCTOR_OK, "libcudnn.so.9 is there", NULL, "wheel tree, lib64 -> lib");
	expect(&rep, "cudnn.lib-version", "/usr/local/cuda-13.0", DOCTOR_SKIP, "pip wheels", NULL, "wheel tree: libcudnn.so.9 only");
	expect(&rep, "cudnn.cuda-major", "/usr/local/cuda-13.0", DOCTOR_OK,
	       "CUDA 13 (/usr/local/cuda-13.0/dist-info/nvidia_cudnn_cu13-9.19.0.56.dist-info)", NULL, "wheel tree: dist-info");
	doctor_report_free(&rep);

	run_groups("535.183.01", &rep);
	expect(&rep, "cuda.driver", "/usr/local/cuda-13.0", DOCTOR_FAIL, "driver 535.183.01 is older than CUDA 13.0 needs (580.65.06)",
	       "install cuda --cuda 12.2", "driver 535 for 13.0: below the 580 floor");
	doctor_report_free(&rep);

	put("/usr/local/cuda-13.0/dist-info/nvidia_cudnn_cu12-9.19.0.56.dist-info/METADATA", "x\n");
	rm("/usr/local/cuda-13.0/dist-info/nvidia_cudnn_cu13-9.19.0.56.dist-info/METADATA");
	{
		_cleanup_free_ char *d = xasprintf("%s/usr/local/cuda-13.0/dist-info/nvidia_cudnn_cu13-9.19.0.56.dist-info", root);

		rmdir(d);
	}
	run_groups("580.95.05", &rep);
	expect(&rep, "cudnn.cuda-major", "/usr/local/cuda-13.0", DOCTOR_FAIL, "built for CUDA 12", "install cudnn --cuda 13.0",
	       "a cu12 cuDNN wheel in a 13.0 tree");
	doctor_report_free(&rep);
	rm("/usr/local/cuda-13.0/lib/libcudnn.so.9");
	run_groups("580.95.05", &rep);
	expect(&rep, "cudnn.libraries", "/usr/local/cuda-13.0", DOCTOR_FAIL, "libcudnn.so.9 is missing", "install cudnn --cuda 13.0",
	       "libcudnn.so.9 gone (the link to it dangles)");
	doctor_report_free(&rep);
	set_gpu(86, "GeForce RTX 3090", "Ampere");
}

static void test_cudnn_runfile(void)
{
	struct doctor_report rep;

	reset_root();
	used_128();
	cudnn_98("cudnn-linux-x86_64-9.8.0.87_cuda12-archive.tar.xz");
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.version", TK128, DOCTOR_OK, "cuDNN 9.8.0 (include/cudnn_version.h)", NULL, "gpu-setup's cuDNN 9.8");
	expect(&rep, "cudnn.libraries", TK128, DOCTOR_OK, "libcudnn.so.9 is there (" LIB128 "/libcudnn.so.9.8.0)", NULL,
	       "gpu-setup's cuDNN 9.8, lib64 -> targets link followed");
	expect(&rep, "cudnn.lib-version", TK128, DOCTOR_OK, "are 9.8.0", NULL, "gpu-setup's cuDNN 9.8");
	expect(&rep, "cudnn.cuda-major", TK128, DOCTOR_OK, "CUDA 12 (" MANIFEST128 ": source cudnn-linux-x86_64-9.8.0.87_cuda12",
	       NULL, "the manifest's source name");
	ok(doctor_count(&rep, DOCTOR_FAIL) == 0 && doctor_count(&rep, DOCTOR_WARN) == 0, "12.8 with cuDNN 9.8: no fail, no warning");
	doctor_report_free(&rep);

	put_mode(LIB128 "/libcudnn_ops.so.9.8.0", "\177ELF stand-in", 0600);
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.libraries", TK128, DOCTOR_FAIL, "not readable by all users in " TK128 "/lib64: libcudnn_ops.so.9.8.0",
	       "sudo chmod a+r " TK128 "/lib64/libcudnn*", "a library only root can read");
	doctor_report_free(&rep);
	put_mode(LIB128 "/libcudnn_ops.so.9.8.0", "\177ELF stand-in", 0644);

	put(LIB128 "/libcudnn_cnn.so.9.7.1", "\177ELF stand-in");
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.lib-version", TK128, DOCTOR_FAIL,
	       "header says 9.8.0 but lib64/libcudnn_cnn.so.9.7.1 is 9.7.1: two cuDNN releases are mixed",
	       "sudo gpu-setup uninstall cudnn --cuda 12.8", "a stray 9.7.1 library");
	doctor_report_free(&rep);
	rm(LIB128 "/libcudnn_cnn.so.9.7.1");

	cudnn_98("cudnn-linux-x86_64-9.8.0.87_cuda11-archive.tar.xz");
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.cuda-major", TK128, DOCTOR_FAIL, "built for CUDA 11", "uninstall cudnn --cuda 12.8 && sudo gpu-setup install cudnn --cuda 12.8",
	       "a cuda11 archive's cuDNN in 12.8");
	doctor_report_free(&rep);
	rm(MANIFEST128);
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.cuda-major", TK128, DOCTOR_SKIP, "cannot tell", NULL, "no manifest, no dist-info");
	doctor_report_free(&rep);
	put(TK128 "/targets/x86_64-linux/include/cudnn_version.h", "#define CUDNN_MAJOR 9\n");
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.version", TK128, DOCTOR_FAIL, "defines no CUDNN_MAJOR", "install cudnn --cuda 12.8", "a damaged header");
	doctor_report_free(&rep);
}

static void test_shadowing(void)
{
	struct doctor_report rep;

	reset_root();
	put("/opt/old/include/cudnn_version.h", "#define CUDNN_MAJOR 8\n#define CUDNN_MINOR 9\n#define CUDNN_PATCHLEVEL 7\n");
	put("/opt/old/lib/libcudnn.so.8.9.7", "\177ELF stand-in");
	link_at("libcudnn.so.8.9.7", "/opt/old/lib/libcudnn.so.8");
	put("/opt/bare/libcudnn.so.9", "\177ELF stand-in");
	put("/opt/none/libfoo.so.1", "\177ELF stand-in");
	setenv("LD_LIBRARY_PATH", "/opt/none:/opt/old/lib:relative:/missing:/opt/bare", 1);
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.shadowing", "/opt/old/lib", DOCTOR_WARN, "cuDNN 8.9.7 (from /opt/old/include)",
	       "take /opt/old/lib out of LD_LIBRARY_PATH", "a cuDNN 8.9.7 on LD_LIBRARY_PATH");
	ok(find(&rep, "cudnn.shadowing", "/opt/old/lib") &&
	   strstr(find(&rep, "cudnn.shadowing", "/opt/old/lib")->evidence, "LD_LIBRARY_PATH contains incompatible version of cudnn"),
	   "the shadowing warning quotes the framework's error");
	expect(&rep, "cudnn.shadowing", "/opt/bare", DOCTOR_WARN, "cuDNN 9 (from libcudnn.so.9)", NULL, "a bare libcudnn.so.9");
	is_int(count_id(&rep, "cudnn.shadowing"), 2, "one warning per directory holding cuDNN");
	doctor_report_free(&rep);
	setenv("LD_LIBRARY_PATH", "/opt/none", 1);
	run_groups("570.133.07", &rep);
	expect(&rep, "cudnn.shadowing", NULL, DOCTOR_OK, "holds a libcudnn", NULL, "LD_LIBRARY_PATH without cuDNN");
	doctor_report_free(&rep);
	unsetenv("LD_LIBRARY_PATH");
}

/* On the running system (the sysroot a tree, but live): the process's
 * PATH counts. */
static void test_live_env(void)
{
	struct doctor_report rep;
	struct doctor_ctx ctx = ctx_for("570.133.07");
	_cleanup_free_ char *saved = getenv("PATH") ? xstrdup(getenv("PATH")) : NULL;

	reset_root();
	used_128();
	rm("/etc/profile.d/gpu-setup-cuda.sh");
	runfile_toolkit("/opt/cuda-12.6", "12.6.3", 12, 6);
	ctx.live = true;
	setenv("PATH", "/usr/bin:/opt/cuda-12.6/bin:/usr/local/cuda/bin", 1);
	memset(&rep, 0, sizeof(rep));
	check_cuda(&ctx, &rep);
	expect(&rep, "cuda.toolkits", "/opt/cuda-12.6", DOCTOR_OK, "found as /opt/cuda-12.6/bin/nvcc on PATH", NULL,
	       "live: a toolkit outside /usr/local found by its nvcc on PATH");
	expect(&rep, "cuda.path", NULL, DOCTOR_WARN, "the current PATH reaches nvcc in /opt/cuda-12.6/bin (entry 2)", NULL,
	       "live: the current PATH reaches another toolkit's nvcc first");
	doctor_report_free(&rep);
	setenv("PATH", "/usr/local/cuda/bin:/usr/bin", 1);
	check_cuda(&ctx, &rep);
	expect(&rep, "cuda.path", NULL, DOCTOR_OK, "the current PATH reaches nvcc in /usr/local/cuda/bin (entry 1)", NULL,
	       "live: no start-up file, but the current PATH has it");
	doctor_report_free(&rep);
	/* A wrapper script on PATH (exec /usr/local/cuda-13.0/bin/nvcc "$@"):
	 * no toolkit around it, nothing held against the link. */
	put_mode("/usr/local/bin/nvcc", "#!/bin/sh\nexec /usr/local/cuda/bin/nvcc \"$@\"\n", 0755);
	setenv("PATH", "/usr/local/bin:/usr/local/cuda/bin:/usr/bin", 1);
	check_cuda(&ctx, &rep);
	ok(!find(&rep, "cuda.toolkits", "/usr/local"), "live: a wrapper nvcc in /usr/local/bin is no toolkit");
	expect(&rep, "cuda.path", NULL, DOCTOR_OK, "the current PATH reaches nvcc in /usr/local/bin (entry 1)", NULL,
	       "live: a wrapper nvcc first on PATH is not a warning");
	doctor_report_free(&rep);
	rm("/etc/ld.so.conf.d/gpu-setup-cuda.conf");
	setenv("LD_LIBRARY_PATH", "/usr/local/cuda-12.8/lib64", 1);
	check_cuda(&ctx, &rep);
	expect(&rep, "cuda.libraries", NULL, DOCTOR_OK, "LD_LIBRARY_PATH (of the environment doctor runs in) has /usr/local/cuda-12.8/lib64",
	       NULL, "live: LD_LIBRARY_PATH reaches the libraries");
	doctor_report_free(&rep);
	unsetenv("LD_LIBRARY_PATH");
	if (saved)
		setenv("PATH", saved, 1);
	doctor_ctx_release(&ctx);
}

/* This machine's own toolkit, if it has one, judged live: the version
 * doctor reports is cuda.h's. */
static void test_real_toolkit(void)
{
	static const char dir[] = "/usr/local/cuda-13.0";
	_cleanup_free_ char *text = NULL, *want = NULL;
	struct doctor_report rep = { 0 };
	struct doctor_ctx ctx = ctx_for(NULL);
	const struct doctor_check *c;
	unsigned major, minor;
	size_t len;

	sysroot_set(NULL);
	if (read_file("/usr/local/cuda-13.0/include/cuda.h", 16u << 20, &text, &len) < 0 ||
	    cuda_parse_cuda_h(text, &major, &minor) < 0) {
		printf("ok %d - the real toolkit # SKIP no %s/include/cuda.h on this machine\n", ++tap_count, dir);
		sysroot_set(root);
		doctor_ctx_release(&ctx);
		return;
	}
	ctx.live = true;
	check_cuda(&ctx, &rep);
	c = find(&rep, "cuda.toolkits", dir);
	want = xasprintf("CUDA %u.%u", major, minor);
	ok(c && strstr(c->evidence, want), "live: %s is reported as %s, as its include/cuda.h says", dir, want);
	if (c)
		printf("# %s: %s\n", doctor_status_name(c->status), c->evidence);
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
	sysroot_set(root);
}

int main(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	if (!mkdtemp(root))
		return 1;
	sysroot_set(root);
	if (!ok(compat_db_load(ABS_TOP_SRCDIR "/compat", &db, &err) == 0, "compat data loads")) {
		printf("# %s\n", err.buf);
		return done_testing();
	}
	set_gpu(86, "GeForce RTX 3090", "Ampere");
	test_scanners();
	test_no_toolkit();
	test_runfile_good();
	test_link_and_env();
	test_wheel_tree();
	test_cudnn_runfile();
	test_shadowing();
	test_live_env();
	test_real_toolkit();
	sysroot_set(NULL);
	testroot_remove(root);
	compat_db_free(db);
	return done_testing();
}
