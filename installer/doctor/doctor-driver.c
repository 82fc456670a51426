/*
 * doctor-driver.c - the `driver` check group: is the NVIDIA kernel module
 * loaded, do the user-space libraries match it, is it the flavour the GPU
 * needs, are the device nodes there, does nvidia-smi answer.
 *
 * It also fills the driver facts of struct doctor_ctx (version, flavour,
 * whether a driver is installed at all) for the groups after it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "doctor-driver.h"
#include "reboot-record.h"
#include "fileio.h"
#include "kmod-file.h"
#include "osinfo.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"
#include "version.h"

#define PROC_VERSION "/proc/driver/nvidia/version"
#define SYS_VERSION "/sys/module/nvidia/version"

/* Where Debian and Ubuntu put the driver's libraries: Ubuntu's
 * libnvidia-compute-* straight into the multiarch directory, Debian's
 * libcuda1 into nvidia/current with an alternatives link in front. */
static const char *const lib_dirs[] = {
	"/usr/lib/x86_64-linux-gnu",
	"/usr/lib/x86_64-linux-gnu/nvidia/current",
	"/usr/lib64",
	"/usr/lib",
	"/lib/x86_64-linux-gnu",
};

/* What the checks of this group judge by, read once. */
struct driver_state {
	bool have_det;
	size_t ngpus, nbound;
	bool loaded;
	int load_err;                 /* why not loaded: -ENOENT, -EACCES */
	char *version;                /* of the loaded module */
	enum driver_flavour flavour;  /* of the loaded module */
	const char *source;           /* the file the two came from */
	struct nvidia_lib cuda, nvml;
	int cuda_r, nvml_r;
	char *kernel;                 /* running kernel, or NULL */
	char *module;                 /* its nvidia.ko, or NULL */
	int find_r;                   /* kmod_find_nvidia's result for the running kernel */
	int module_r;                 /* kmod_read's result for it */
	struct kmod_info minfo;
	char *other_module;           /* an nvidia.ko for another kernel */
};

/* ---------------------------------------------------------------- facts */

size_t doctor_nvidia_gpus(const struct detect_report *det, size_t *ret_bound)
{
	size_t n = 0, bound = 0;

	if (det)
		for (size_t i = 0; i < det->pci.ngpus; i++) {
			const struct pci_gpu *g = &det->pci.gpus[i];

			if (g->vendor_id != PCI_VENDOR_NVIDIA)
				continue;
			n++;
			bound += g->driver && streq(g->driver, "nvidia");
		}
	if (ret_bound)
		*ret_bound = bound;
	return n;
}

int nvrm_version_parse(const char *text, char **ret_version, enum driver_flavour *ret_flavour)
{
	const char *km = strstr(text, "Kernel Module"), *eol, *p;

	if (!km)
		return -EINVAL;
	eol = strchr(km, '\n');
	if (!eol)
		eol = km + strlen(km);
	/* "Kernel Module  570.133.07" or "Kernel Module for x86_64  570.133.07":
	 * the first word made of digits and dots. */
	for (p = km + strlen("Kernel Module"); p < eol;) {
		size_t n = strcspn(p, " \t\n");
		struct version v;

		if (n && p + n <= eol && p[0] >= '0' && p[0] <= '9' && strspn(p, "0123456789.") == n &&
		    version_parse_n(p, n, 9, &v) == 0 && v.nparts >= 2) {
			*ret_version = xasprintf("%.*s", (int)n, p);
			*ret_flavour = strstr(text, "Open Kernel Module") && strstr(text, "Open Kernel Module") < eol
					       ? FLAVOUR_OPEN
					       : FLAVOUR_PROPRIETARY;
			return 0;
		}
		p += n ? n : 1;
	}
	return -EINVAL;
}

int nvidia_lib_find(const char *soname, struct nvidia_lib *ret)
{
	const char *dot = strrchr(soname, '.');
	size_t stem = dot ? (size_t)(dot - soname) + 1 : strlen(soname);   /* "libcuda.so." */

	for (size_t i = 0; i < ELEMENTSOF(lib_dirs); i++) {
		_cleanup_free_ char *link = xasprintf("%s/%s", lib_dirs[i], soname), *real = NULL, *host = NULL;
		const char *base;
		struct version v;
		struct stat st;

		if (sysroot_resolve(link, &real) < 0)
			continue;
		host = sysroot_path(real);
		if (stat(host, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
		memset(ret, 0, sizeof(*ret));
		if (strncmp(base, soname, stem) == 0 && !streq(base, soname) &&
		    version_parse_n(base + stem, strlen(base + stem), 9, &v) == 0 && v.nparts >= 2)
			ret->version = xstrdup(base + stem);
		ret->link = TAKE_PTR(link);
		ret->real = TAKE_PTR(real);
		return 0;
	}
	return -ENOENT;
}

void nvidia_lib_free(struct nvidia_lib *l)
{
	free(l->link);
	free(l->real);
	free(l->version);
	memset(l, 0, sizeof(*l));
}

/* An nvidia.ko for any kernel under /lib/modules other than skip. */
static char *find_any_module(const char *skip)
{
	_cleanup_free_ char *p = NULL;
	struct dirent *de;
	char *found = NULL;
	DIR *d;

	if (sysroot_host_path("/lib/modules", &p) < 0)
		return NULL;
	d = opendir(p);
	if (!d)
		return NULL;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || (skip && streq(de->d_name, skip)))
			continue;
		kmod_find_nvidia(de->d_name, &found);
	}
	closedir(d);
	return found;
}

static void state_read(const struct doctor_ctx *ctx, struct driver_state *s)
{
	_cleanup_free_ char *proc = sysroot_path(PROC_VERSION), *text = NULL;
	size_t len;
	int r;

	s->have_det = ctx->det != NULL;
	s->ngpus = doctor_nvidia_gpus(ctx->det, &s->nbound);

	r = read_file(proc, 64u << 10, &text, &len);
	if (r == 0 && nvrm_version_parse(text, &s->version, &s->flavour) == 0) {
		s->loaded = true;
		s->source = PROC_VERSION;
	} else if (installed_driver_read(&s->version, &s->flavour) == 0) {
		/* The open module on some systems hides /proc/driver/nvidia
		 * from a container; sysfs still says it is loaded. */
		s->loaded = true;
		s->source = SYS_VERSION;
	} else {
		s->load_err = r < 0 ? r : -ENOENT;
	}

	s->cuda_r = nvidia_lib_find("libcuda.so.1", &s->cuda);
	s->nvml_r = nvidia_lib_find("libnvidia-ml.so.1", &s->nvml);

	/* The module file is read (up to 90 MiB, maybe decompressed) only
	 * when the loaded module does not tell the flavour already. */
	s->module_r = s->find_r = -ENOENT;
	if (kernel_release_read(&s->kernel) == 0)
		s->find_r = kmod_find_nvidia(s->kernel, &s->module);
	if (s->find_r == 0)
		s->module_r = s->loaded && s->flavour != FLAVOUR_UNKNOWN ? -ECANCELED
									: kmod_read(s->module, &s->minfo);
	if (!s->module)
		s->other_module = find_any_module(s->kernel);
}

static void state_free(struct driver_state *s)
{
	free(s->version);
	nvidia_lib_free(&s->cuda);
	nvidia_lib_free(&s->nvml);
	free(s->kernel);
	free(s->module);
	kmod_info_free(&s->minfo);
	free(s->other_module);
}

static void fill_ctx(struct doctor_ctx *ctx, const struct driver_state *s)
{
	free(ctx->driver_version);
	ctx->driver_version = NULL;
	if (s->loaded && s->version)
		ctx->driver_version = xstrdup(s->version);
	else if (s->cuda_r == 0 && s->cuda.version)
		ctx->driver_version = xstrdup(s->cuda.version);

	ctx->driver_flavour = FLAVOUR_UNKNOWN;
	if (s->loaded && s->flavour != FLAVOUR_UNKNOWN)
		ctx->driver_flavour = s->flavour;
	else if (s->module_r == 0 && s->minfo.license)
		ctx->driver_flavour = s->minfo.open ? FLAVOUR_OPEN
				      : streq(s->minfo.license, "NVIDIA") ? FLAVOUR_PROPRIETARY
									   : FLAVOUR_UNKNOWN;

	ctx->driver_installed = s->loaded || s->module || s->other_module || s->cuda_r == 0;
	free(ctx->kernel);
	free(ctx->kernel_module);
	ctx->kernel = s->kernel ? xstrdup(s->kernel) : NULL;
	ctx->kernel_module = s->module ? xstrdup(s->module) : NULL;
	ctx->kernel_module_r = s->find_r;
}

/* "libcuda.so.1: /usr/lib/x86_64-linux-gnu/libcuda.so.1 -> ...libcuda.so.570.133.07" */
static void describe_lib(struct strbuf *sb, const char *soname, int r, const struct nvidia_lib *l)
{
	if (r < 0) {
		strbuf_addf(sb, "%s: not found in", soname);
		for (size_t i = 0; i < ELEMENTSOF(lib_dirs); i++)
			strbuf_addf(sb, "%s %s", i ? "," : "", lib_dirs[i]);
		return;
	}
	strbuf_addf(sb, "%s: %s", soname, l->link);
	if (!streq(l->link, l->real))
		strbuf_addf(sb, " -> %s", l->real);
	strbuf_addf(sb, " (version %s)", l->version ? l->version : "unknown: the file name carries none");
}

/* ---------------------------------------------------------------- checks */

static void check_loaded(const struct doctor_ctx *ctx, const struct driver_state *s, struct doctor_report *rep)
{
	struct doctor_check *c;

	if (s->loaded) {
		doctor_add(rep, "driver.loaded", DOCTOR_OK, "NVIDIA kernel module %s%s%s is loaded (%s)", s->version,
			   s->flavour == FLAVOUR_UNKNOWN ? "" : ", ",
			   s->flavour == FLAVOUR_OPEN	       ? "open flavour"
			   : s->flavour == FLAVOUR_PROPRIETARY ? "proprietary flavour"
							       : "",
			   s->source);
		return;
	}
	if (doctor_needs_root(s->load_err)) {
		doctor_add(rep, "driver.loaded", DOCTOR_SKIP, DOCTOR_NEEDS_ROOT, PROC_VERSION);
		return;
	}
	if (!s->have_det) {
		doctor_add(rep, "driver.loaded", DOCTOR_SKIP,
			   "no NVIDIA kernel module is loaded (" PROC_VERSION " and " SYS_VERSION
			   " are missing), and GPU detection failed, so whether one should be is unknown");
		return;
	}
	if (s->ngpus == 0) {
		doctor_add(rep, "driver.loaded", DOCTOR_SKIP, "no NVIDIA GPU found: no kernel module to load");
		return;
	}
	if (!ctx->driver_installed) {
		c = doctor_add(rep, "driver.loaded", DOCTOR_FAIL,
			       "no NVIDIA kernel module is loaded (" PROC_VERSION " is missing) and no driver is "
			       "installed (no nvidia.ko under /lib/modules, no libcuda.so.1), while %zu NVIDIA GPU%s "
			       "%s present",
			       s->ngpus, s->ngpus == 1 ? "" : "s", s->ngpus == 1 ? "is" : "are");
		doctor_set_fix(c, "sudo gpu-setup driver");
		return;
	}
	{
		_cleanup_free_ char *reason = NULL;

		/* Not loaded because the machine has not rebooted since the
		 * install: that comes first, and modprobe is no fix. */
		if (reboot_pending(&reason)) {
			c = doctor_add(rep, "driver.loaded", DOCTOR_WARN,
				       "a reboot is pending (%s), so no NVIDIA kernel module is loaded yet (" PROC_VERSION
				       " is missing)",
				       reason);
			doctor_set_fix(c, "reboot: the installed driver loads at the next boot");
			return;
		}
	}
	c = doctor_add(rep, "driver.loaded", DOCTOR_FAIL,
		       "no NVIDIA kernel module is loaded (" PROC_VERSION " is missing) although the driver is "
		       "installed (%s%s%s)",
		       s->module ? "module " : s->other_module ? "a module for another kernel: " : "user-space library ",
		       s->module ? s->module : s->other_module ? s->other_module : s->cuda.real,
		       s->module ? " for the running kernel" : s->other_module ? ", none for the running kernel" : "");
	doctor_set_fix(c,
		       "sudo modprobe nvidia; when it refuses, see boot.secure-boot (unsigned module), "
		       "boot.kernel-modules (no module for this kernel), boot.nouveau (nouveau holds the GPU) "
		       "and driver.flavour");
}

static void check_libraries(const struct driver_state *s, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf ev = STRBUF_INIT;
	struct doctor_check *c;
	const char *bad = NULL, *bad_ver = NULL;

	strbuf_init(&ev);
	describe_lib(&ev, "libcuda.so.1", s->cuda_r, &s->cuda);
	strbuf_adds(&ev, "; ");
	describe_lib(&ev, "libnvidia-ml.so.1", s->nvml_r, &s->nvml);

	if (!s->loaded || !s->version) {
		doctor_add(rep, "driver.libraries", DOCTOR_SKIP,
			   "no NVIDIA kernel module is loaded, so there is no version to compare with; %s", ev.buf);
		return;
	}
	if (s->cuda_r < 0) {
		c = doctor_add(rep, "driver.libraries", DOCTOR_FAIL,
			       "the kernel module %s is loaded but CUDA programs cannot run without libcuda: %s",
			       s->version, ev.buf);
		doctor_set_fix(c,
			       "install the driver's libcuda package for %s: sudo apt install libcuda1 (Debian) or "
			       "sudo apt install libnvidia-compute-%.*s (Ubuntu)",
			       s->version, (int)strcspn(s->version, "."), s->version);
		return;
	}
	if (s->cuda.version && !streq(s->cuda.version, s->version)) {
		bad = "libcuda.so.1";
		bad_ver = s->cuda.version;
	} else if (s->nvml_r == 0 && s->nvml.version && !streq(s->nvml.version, s->version)) {
		bad = "libnvidia-ml.so.1";
		bad_ver = s->nvml.version;
	}
	if (bad) {
		c = doctor_add(rep, "driver.libraries", DOCTOR_FAIL,
			       "the loaded kernel module is %s (%s) but %s is %s: this is nvidia-smi's \"Failed to "
			       "initialize NVML: Driver/library version mismatch\"; %s",
			       s->version, s->source, bad, bad_ver, ev.buf);
		doctor_set_fix(c,
			       "reboot (the driver was upgraded while the old module stayed loaded); or, with no "
			       "program using the GPU: sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && "
			       "sudo modprobe nvidia && sudo modprobe nvidia-uvm");
		return;
	}
	if (s->nvml_r < 0) {
		c = doctor_add(rep, "driver.libraries", DOCTOR_WARN,
			       "libcuda matches the loaded module %s, but nvidia-smi and monitoring tools need NVML: %s",
			       s->version, ev.buf);
		doctor_set_fix(c, "sudo apt install libnvidia-ml1 (Debian) or libnvidia-compute-%.*s (Ubuntu)",
			       (int)strcspn(s->version, "."), s->version);
		return;
	}
	doctor_add(rep, "driver.libraries", DOCTOR_OK, "the libraries match the loaded module %s; %s", s->version,
		   ev.buf);
}

static void check_flavour(const struct doctor_ctx *ctx, const struct driver_state *s, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf from = STRBUF_INIT, gpus = STRBUF_INIT;
	enum driver_flavour fl = ctx->driver_flavour;
	const struct pci_gpu *conflict = NULL;
	enum open_modules need = OPEN_YES;
	size_t judged = 0;
	struct doctor_check *c;

	if (!ctx->det || s->ngpus == 0) {
		doctor_add(rep, "driver.flavour", DOCTOR_SKIP,
			   ctx->det ? "no NVIDIA GPU found" : "GPU detection failed: the GPU's architecture is unknown");
		return;
	}
	if (!ctx->db) {
		doctor_add(rep, "driver.flavour", DOCTOR_SKIP,
			   "the compat data could not be loaded: which flavour the GPU needs is unknown");
		return;
	}
	strbuf_init(&from);
	if (s->loaded && s->flavour != FLAVOUR_UNKNOWN)
		strbuf_addf(&from, "the loaded module (%s)", s->source);
	else if (fl != FLAVOUR_UNKNOWN)
		strbuf_addf(&from, "%s, license=%s", s->module, s->minfo.license);
	else {
		if (doctor_needs_root(s->module_r))
			doctor_add(rep, "driver.flavour", DOCTOR_SKIP,
				   DOCTOR_NEEDS_ROOT, s->module);
		else
			doctor_add(rep, "driver.flavour", DOCTOR_SKIP,
				   "the module's flavour is unknown: none is loaded and %s%s%s", s->module ? s->module : "",
				   s->module ? " names no license" : "no nvidia.ko was found for the running kernel ",
				   s->module ? "" : (s->kernel ? s->kernel : "(unknown)"));
		return;
	}
	strbuf_init(&gpus);
	for (size_t i = 0; i < ctx->det->pci.ngpus; i++) {
		const struct pci_gpu *g = &ctx->det->pci.gpus[i];
		_cleanup_free_ char *addr = NULL;
		const struct arch_info *a;

		if (g->vendor_id != PCI_VENDOR_NVIDIA || !g->has_info || !g->info.arch)
			continue;
		a = compat_find_arch(ctx->db, g->info.arch);
		if (!a)
			continue;
		judged++;
		addr = pci_gpu_address(g);
		strbuf_addf(&gpus, "%s%s %s", gpus.len ? ", " : "", addr, a->name);
		if (!conflict && ((a->open == OPEN_NO && fl == FLAVOUR_OPEN) ||
				  (a->open == OPEN_REQUIRED && fl == FLAVOUR_PROPRIETARY))) {
			conflict = g;
			need = a->open;
		}
	}
	if (!judged) {
		doctor_add(rep, "driver.flavour", DOCTOR_SKIP,
			   "the %s module is installed, but the architecture of the NVIDIA GPU is unknown",
			   flavour_name(fl));
		return;
	}
	if (conflict && need == OPEN_NO) {
		c = doctor_add(rep, "driver.flavour", DOCTOR_FAIL,
			       "the open kernel module (%s) cannot drive %s GPUs, which predate Turing: %s", from.buf,
			       conflict->info.arch, gpus.buf);
		doctor_set_fix(c, "install the proprietary flavour: sudo gpu-setup driver");
		return;
	}
	if (conflict) {
		c = doctor_add(rep, "driver.flavour", DOCTOR_FAIL,
			       "the proprietary kernel module (%s) cannot drive %s GPUs: they need the open "
			       "modules: %s",
			       from.buf, conflict->info.arch, gpus.buf);
		doctor_set_fix(c, "install the open flavour: sudo gpu-setup driver");
		return;
	}
	doctor_add(rep, "driver.flavour", DOCTOR_OK, "the %s kernel module (%s) can drive %s", flavour_name(fl),
		   from.buf, gpus.buf);
}

/* Whether a device node is usable: a character device on the running
 * system; under --root any file, since a test tree cannot hold devices. */
static bool node_ok(const struct doctor_ctx *ctx, const char *node, bool *ret_exists)
{
	_cleanup_free_ char *p = sysroot_path(node);
	struct stat st;

	*ret_exists = stat(p, &st) == 0;
	return *ret_exists && (!ctx->live || S_ISCHR(st.st_mode));
}

static void check_device_nodes(const struct doctor_ctx *ctx, const struct driver_state *s,
			       struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf missing = STRBUF_INIT, wrong = STRBUF_INIT, good = STRBUF_INIT;
	size_t n = s->nbound;
	bool uvm_missing = false;
	struct doctor_check *c;

	if (!s->loaded) {
		doctor_add(rep, "driver.device-nodes", DOCTOR_SKIP,
			   "no NVIDIA kernel module is loaded, so it has created no device nodes");
		return;
	}
	strbuf_init(&missing);
	strbuf_init(&wrong);
	strbuf_init(&good);
	for (size_t i = 0; i < n + 2; i++) {
		_cleanup_free_ char *node = i == 0	   ? xstrdup("/dev/nvidiactl")
					    : i == n + 1 ? xstrdup("/dev/nvidia-uvm")
							 : xasprintf("/dev/nvidia%zu", i - 1);
		bool exists;

		if (node_ok(ctx, node, &exists))
			strbuf_addf(&good, "%s%s", good.len ? " " : "", node);
		else if (exists)
			strbuf_addf(&wrong, "%s%s", wrong.len ? " " : "", node);
		else {
			strbuf_addf(&missing, "%s%s", missing.len ? " " : "", node);
			uvm_missing |= i == n + 1;
		}
	}
	if (!missing.len && !wrong.len) {
		doctor_add(rep, "driver.device-nodes", DOCTOR_OK, "present: %s (for %zu GPU%s bound to nvidia)%s",
			   good.buf, n, n == 1 ? "" : "s",
			   s->have_det ? "" : "; GPU detection failed, so /dev/nvidiaN were not checked");
		return;
	}
	c = doctor_add(rep, "driver.device-nodes", DOCTOR_FAIL, "%s%s%s%s%s%s%s", missing.len ? "missing: " : "",
		       missing.buf, missing.len && wrong.len ? "; " : "", wrong.len ? "not character devices: " : "",
		       wrong.buf, good.len ? "; present: " : "", good.buf);
	if (wrong.len)
		doctor_set_fix(c, "sudo rm %s && sudo nvidia-modprobe -u -c=0", wrong.buf);
	else if (uvm_missing)
		doctor_set_fix(c, "sudo modprobe nvidia-uvm, or sudo nvidia-modprobe -u -c=0 (loads nvidia-uvm "
				  "and creates the nodes); CUDA needs /dev/nvidia-uvm");
	else
		doctor_set_fix(c, "sudo nvidia-modprobe -u -c=0");
}

/* The line of nvidia-smi's table with the driver and CUDA versions, its
 * frame and runs of blanks squeezed out. */
static char *smi_summary(const char *out)
{
	const char *line = strstr(out, "Driver Version");
	const char *start, *end;
	struct strbuf sb = STRBUF_INIT;

	if (!line)
		line = out;
	for (start = line; start > out && start[-1] != '\n'; start--)
		;
	end = strchr(start, '\n');
	if (!end)
		end = start + strlen(start);
	strbuf_init(&sb);
	for (const char *p = start; p < end; p++) {
		char ch = *p == '|' || *p == '\t' ? ' ' : *p;

		if (ch == ' ' && (!sb.len || sb.buf[sb.len - 1] == ' '))
			continue;
		strbuf_addch(&sb, ch);
	}
	while (sb.len && sb.buf[sb.len - 1] == ' ')
		sb.buf[--sb.len] = '\0';
	return strbuf_detach(&sb, NULL);
}

void doctor_judge_nvidia_smi(struct doctor_report *rep, int r, const struct run_result *rr)
{
	_cleanup_free_ char *text = NULL, *line = NULL;
	struct doctor_check *c;

	/* chroot(8) says 127 when the program is not in the target. */
	if (r == -ENOENT || (r == 0 && !rr->timed_out && rr->exit_status == 127)) {
		c = doctor_add(rep, "driver.nvidia-smi", DOCTOR_WARN, "nvidia-smi is not installed");
		doctor_set_fix(c, "sudo apt install nvidia-smi (Debian) or nvidia-utils-<branch> (Ubuntu)");
		return;
	}
	if (r < 0) {
		doctor_add(rep, "driver.nvidia-smi", DOCTOR_SKIP, "cannot run nvidia-smi: %s", strerror(-r));
		return;
	}
	if (rr->timed_out) {
		c = doctor_add(rep, "driver.nvidia-smi", DOCTOR_FAIL,
			       "nvidia-smi did not answer in %ld s: the GPU hangs or has fallen off the bus",
			       DOCTOR_PROBE_TIMEOUT_MS / 1000);
		doctor_set_fix(c, "look for Xid errors in 'sudo dmesg | grep -i xid'; reboot, and check the card's "
				  "power cables and seating if it happens again");
		return;
	}
	text = xasprintf("%s\n%s", rr->out.buf ? rr->out.buf : "", rr->err.buf ? rr->err.buf : "");
	if (strstr(text, "Driver/library version mismatch")) {
		c = doctor_add(rep, "driver.nvidia-smi", DOCTOR_FAIL,
			       "nvidia-smi: Failed to initialize NVML: Driver/library version mismatch (see "
			       "driver.libraries)");
		doctor_set_fix(c, "reboot (the driver was upgraded while the old module stayed loaded)");
		return;
	}
	if (rr->exit_status == 0) {
		line = smi_summary(rr->out.buf ? rr->out.buf : "");
		doctor_add(rep, "driver.nvidia-smi", DOCTOR_OK, "nvidia-smi answered: %s", line);
		return;
	}
	line = last_line(text);
	c = doctor_add(rep, "driver.nvidia-smi", DOCTOR_FAIL, "nvidia-smi exited with %d: %s", rr->exit_status,
		       line);
	doctor_set_fix(c, "see driver.loaded and driver.libraries; 'sudo dmesg | grep -i nvrm' shows what the "
			  "kernel module says");
}

static void check_nvidia_smi(const struct doctor_ctx *ctx, const struct driver_state *s,
			     struct doctor_report *rep)
{
	const char *const argv[] = { "nvidia-smi", NULL };
	struct run_result rr;
	int r;

	if (s->have_det && s->ngpus == 0) {
		doctor_add(rep, "driver.nvidia-smi", DOCTOR_SKIP, "no NVIDIA GPU found");
		return;
	}
	if (!ctx->driver_installed) {
		doctor_add(rep, "driver.nvidia-smi", DOCTOR_SKIP, "no NVIDIA driver is installed (see driver.loaded)");
		return;
	}
	if (!ctx->live && !ctx->is_root) {
		doctor_add(rep, "driver.nvidia-smi", DOCTOR_SKIP,
			   "not run under --root as a normal user (it would need chroot)");
		return;
	}
	r = run_in_target(argv, DOCTOR_PROBE_TIMEOUT_MS, &rr);
	doctor_judge_nvidia_smi(rep, r, &rr);
	if (r == 0)
		run_result_release(&rr);
}

void doctor_check_driver(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	struct driver_state s = { 0 };

	state_read(ctx, &s);
	fill_ctx(ctx, &s);
	check_loaded(ctx, &s, rep);
	check_libraries(&s, rep);
	check_flavour(ctx, &s, rep);
	check_device_nodes(ctx, &s, rep);
	check_nvidia_smi(ctx, &s, rep);
	state_free(&s);
}
