/*
 * driver-install.c - preflight, install and verification of the driver
 * packages (driver-install.h).
 *
 * Nothing here changes the system before every check in
 * driver_job_prepare has passed; the caller shows the job and asks first.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include "dpkg-lock.h"
#include "driver-install.h"
#include "fileio.h"
#include "log.h"
#include "osinfo.h"
#include "run.h"
#include "sysroot.h"
#include "table.h"
#include "util.h"

static void add_string(char ***list, size_t *n, char *s)
{
	*list = xrealloc(*list, (*n + 2) * sizeof(**list));
	(*list)[(*n)++] = s;
	(*list)[*n] = NULL;
}

static void problem(struct driver_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct driver_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_string(&job->problems, &job->nproblems, xvasprintf(fmt, ap));
	va_end(ap);
}

static void note(struct driver_job *job, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct driver_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_string(&job->notes, &job->nnotes, xvasprintf(fmt, ap));
	va_end(ap);
}

/* 1 installed, 0 installable (apt has a candidate), -ENOENT neither. */
static int package_state(struct apt_cache *ac, const char *name)
{
	_cleanup_free_ char *inst = NULL, *cand = NULL;

	if (apt_versions(ac, name, &inst, &cand) < 0)
		return -ENOENT;
	return inst ? 1 : cand ? 0 : -ENOENT;
}

/* The suffix of the installed linux-image metapackage that brings the next
 * kernels of this flavour ("generic-hwe-24.04", "generic", "amd64"), as
 * ubuntu-drivers finds it; NULL when none is installed (kernels come by
 * hand).  An HWE metapackage goes first: it is the one that moves on.
 * Ubuntu's "virtual" kernels are generic ones, and their modules
 * metapackage is named for generic. */
static char *image_meta_suffix(struct apt_cache *ac, const struct target *t, const char *flavour)
{
	const char *dash = strchr(t->distro->id, '-');
	const char *flavours[] = { flavour, streq(flavour, "generic") ? "virtual" : NULL };

	for (size_t f = 0; f < ELEMENTSOF(flavours) && flavours[f]; f++) {
		_cleanup_free_ char *hwe = xasprintf("linux-image-%s-hwe-%s", flavours[f], dash + 1);
		_cleanup_free_ char *ga = xasprintf("linux-image-%s", flavours[f]);

		if (target_is_ubuntu(t) && package_state(ac, hwe) == 1)
			return xasprintf("%s-hwe-%s", flavour, dash + 1);
		if (package_state(ac, ga) == 1)
			return xstrdup(flavour);
	}
	return NULL;
}

/* Ubuntu's prebuilt, signed modules for the running kernel when apt has
 * them; else the headers DKMS needs to build the modules.  Either way the
 * metapackage of the kernel's flavour too, so the next kernel that apt
 * brings gets its module: the prebuilt modules' metapackage follows the
 * kernel's (as ubuntu-drivers installs it), and the headers' metapackage
 * makes DKMS build for every new kernel. */
static void choose_modules(struct apt_cache *ac, const struct target *t, struct driver_job *job, bool here)
{
	const char *flavour = kernel_flavour(job->kernel);
	_cleanup_free_ char *build = NULL, *suffix = NULL;
	char *headers;
	int r;

	suffix = flavour ? image_meta_suffix(ac, t, flavour) : NULL;
	if (job->ubuntu) {
		char *modules = driver_prebuilt_modules_name(job->chosen->name, job->kernel);

		if (modules && package_state(ac, modules) >= 0) {
			job->modules = modules;
			add_string(&job->packages, &job->npackages, xstrdup(modules));
			if (suffix) {
				char *meta = driver_prebuilt_modules_name(job->chosen->name, suffix);

				if (package_state(ac, meta) >= 0) {
					job->kernel_meta = meta;
					add_string(&job->packages, &job->npackages, xstrdup(meta));
				} else {
					note(job, "apt has no %s, so the prebuilt modules are for kernel %s only: after "
					     "the next kernel update run 'sudo gpu-setup driver' again", meta, job->kernel);
					free(meta);
				}
			} else {
				note(job, "no linux-image metapackage of the %s kernels is installed (kernels come by "
				     "hand here), so the prebuilt modules are for kernel %s only: with a new kernel run "
				     "'sudo gpu-setup driver' again", flavour ? flavour : "running", job->kernel);
			}
			return;
		}
		free(modules);
	}
	if (suffix) {
		char *meta = xasprintf("linux-headers-%s", suffix);

		r = package_state(ac, meta);
		if (r == 0) {
			job->kernel_meta = meta;
			add_string(&job->packages, &job->npackages, xstrdup(meta));
		} else if (r == 1) {
			job->kernel_meta = meta;   /* installed already: nothing to add */
		} else {
			note(job, "apt has no %s: DKMS builds the module for the kernels whose headers are "
			     "installed, so install the headers of each new kernel", meta);
			free(meta);
		}
	} else if (flavour || job->kernel) {
		note(job, "no linux-image metapackage of the %s kernels is installed (kernels come by hand here): "
		     "DKMS builds the module for each kernel whose headers are installed",
		     flavour ? flavour : "running");
	}
	headers = xasprintf("linux-headers-%s", job->kernel);
	build = xasprintf("/lib/modules/%s/build", job->kernel);
	r = package_state(ac, headers);
	/* A build tree of the kernel here counts only for this machine. */
	if (r == 1 || (here && sysroot_exists(build))) {
		free(headers);
		return;
	}
	if (r < 0) {
		problem(job, "the kernel headers for the running kernel %s are not installed and apt has no %s, "
			"so DKMS could not build the NVIDIA module: run 'sudo apt-get update' (the kernel may be "
			"newer than your package lists), or reboot into the newest installed kernel, then run "
			"gpu-setup again", job->kernel, headers);
		free(headers);
		return;
	}
	job->headers = headers;
	add_string(&job->packages, &job->npackages, xstrdup(headers));
}

/* Another kernel of the target (--kernel): its prebuilt modules where
 * apt has them, else its headers for DKMS, which builds for every kernel
 * whose headers are installed. */
static void more_kernel(struct apt_cache *ac, struct driver_job *job, const char *kernel)
{
	_cleanup_free_ char *modules = job->ubuntu ? driver_prebuilt_modules_name(job->chosen->name, kernel) : NULL;
	_cleanup_free_ char *headers = xasprintf("linux-headers-%s", kernel);

	int r;

	if (job->modules) {
		/* No DKMS in this job: headers alone would build nothing. */
		if (modules && package_state(ac, modules) >= 0)
			add_string(&job->packages, &job->npackages, TAKE_PTR(modules));
		else
			problem(job, "apt has no prebuilt NVIDIA modules for kernel %s (--kernel) while the other "
				"kernels get prebuilt ones: leave it out, or install the driver for it alone", kernel);
		return;
	}
	r = package_state(ac, headers);
	if (r == 0)
		add_string(&job->packages, &job->npackages, TAKE_PTR(headers));
	else if (r < 0)
		problem(job, "apt has no headers for kernel %s (--kernel), which DKMS builds the module from: "
			"leave it out, or run 'sudo apt-get update' if the kernel is newer than the lists", kernel);
}

static void check_held(struct apt_cache *ac, struct driver_job *job, bool here)
{
	char **closure = NULL, **held = NULL, *err = NULL;
	int r = apt_install_closure(ac, (const char *const *)job->packages, &closure, &err);

	job->closure = closure;
	if (r < 0) {
		problem(job, "apt cannot install %s: %s", job->chosen->name, err ? err : strerror(-r));
	} else if (here && apt_held_blockers(ac, (const char *const *)closure, &held) > 0) {
		_cleanup_strbuf_ struct strbuf names = STRBUF_INIT;

		strbuf_init(&names);
		for (char **h = held; *h; h++)
			strbuf_addf(&names, "%s%s", h == held ? "" : " ", *h);
		problem(job, "packages on hold stand in the way of %s: %s; if you mean to replace them, "
			"release them with 'sudo apt-mark unhold %s' and run gpu-setup again",
			job->chosen->name, names.buf, names.buf);
	}
	apt_free_list(held);
	free(err);
}

static void secure_boot_notes(struct driver_job *job)
{
	const char *key = job->ubuntu ? "/var/lib/shim-signed/mok/MOK.der" : "/var/lib/dkms/mok.pub";

	switch (job->secure_boot) {
	case SECURE_BOOT_ENABLED:
		if (job->modules) {
			note(job, "Secure Boot is on; %s holds modules signed by Canonical, which the firmware "
			     "already trusts: nothing to enroll", job->modules);
			break;
		}
		note(job, "Secure Boot is on and DKMS builds the NVIDIA module on this machine, so the module is "
		     "signed with this machine's own key (MOK), which the firmware does not trust yet. After the "
		     "install run 'sudo mokutil --import %s' and choose a one-time password. At the next boot a blue "
		     "'Perform MOK management' screen appears: choose 'Enroll MOK', 'Continue', 'Yes', type that "
		     "password, then 'Reboot'. Skip it and the module will not load (nvidia-smi: \"couldn't "
		     "communicate with the NVIDIA driver\")", key);
		break;
	case SECURE_BOOT_SETUP_MODE:
		note(job, "Secure Boot is in setup mode (no keys enrolled): module signatures are not enforced now, "
		     "but will be once keys are enrolled");
		break;
	case SECURE_BOOT_UNKNOWN:
		note(job, "the firmware is UEFI but the Secure Boot state cannot be read: if it is on and the module "
		     "is built by DKMS, enroll the machine key with 'sudo mokutil --import %s'", key);
		break;
	case SECURE_BOOT_NOT_EFI:
	case SECURE_BOOT_DISABLED:
		break;
	}
}

/* here: the checks of the machine itself (it is the one installing). */
static void prepare(struct apt_cache *ac, const struct target *t, const struct driver_candidate *chosen, bool here,
		    struct driver_job *job)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	*job = (struct driver_job){ .chosen = chosen, .ubuntu = target_is_ubuntu(t) };
	if (table_split_list(chosen->packages, &names, &n) < 0)
		problem(job, "malformed package list '%s' in the driver data", chosen->packages);
	for (size_t i = 0; i < n; i++)
		add_string(&job->packages, &job->npackages, xstrdup(names[i]));
	free(names);
	if (here && runfile_driver_present())
		problem(job, "a driver installed with NVIDIA's .run installer is present (%s/usr/bin/nvidia-uninstall): "
			"packages would fight it over the same files; remove it first with 'sudo nvidia-uninstall', "
			"then run gpu-setup again", sysroot_get());
	if (here && apt_dpkg_interrupted(ac) == 1)
		problem(job, "dpkg was interrupted and left packages half installed: run 'sudo dpkg --configure -a', "
			"then gpu-setup again");
	/* A described machine's kernel is the one it recorded, not ours. */
	if (t->kernel) {
		job->kernel = xstrdup(t->kernel);
		r = 0;
	} else {
		r = kernel_release_read(&job->kernel);
	}
	if (r < 0)
		problem(job, "cannot tell the running kernel's release (%s/proc/sys/kernel/osrelease: %s), so not "
			"which kernel modules or headers to install: name the target's kernel with --kernel REL",
			sysroot_get(), strerror(-r));
	else
		choose_modules(ac, t, job, here);
	for (size_t i = 0; r == 0 && i < t->nmore_kernels; i++)
		more_kernel(ac, job, t->more_kernels[i]);
	check_held(ac, job, here);
	if (!here)
		return;
	if (job->ubuntu && sysroot_exists("/usr/bin/ubuntu-drivers"))
		job->ubuntu_drivers_spec = driver_ubuntu_spec(chosen);
	job->secure_boot = secure_boot_state();
	secure_boot_notes(job);
	/* In a tree prepared as an image, the packages' scripts run in it:
	 * DKMS reads /proc (and /dev/fd through it) and builds nothing
	 * without. */
	if (sysroot_get()[0] && !job->modules && !sysroot_exists("/proc/self"))
		note(job, "DKMS builds the module inside %s, and it needs /proc there: mount it first ('sudo mount "
		     "-t proc proc %s/proc', 'sudo umount %s/proc' after)", sysroot_get(), sysroot_get(),
		     sysroot_get());
	job->nouveau = nouveau_loaded();
	if (job->nouveau)
		note(job, "nouveau drives the GPU now; it is blacklisted (by the driver packages, else by gpu-setup) "
		     "and the NVIDIA driver takes over at the next boot");
}

void driver_job_prepare(struct apt_cache *ac, const struct target *t, const struct driver_candidate *chosen,
			struct driver_job *job)
{
	/* A described machine is not this one: none of its checks can be
	 * made here. */
	prepare(ac, t, chosen, !t->described, job);
}

void driver_job_prepare_packages(struct apt_cache *ac, const struct target *t, const struct driver_candidate *chosen,
				 struct driver_job *job)
{
	prepare(ac, t, chosen, false, job);
}

void driver_job_free(struct driver_job *job)
{
	apt_free_list(job->packages);
	apt_free_list(job->closure);
	apt_free_list(job->problems);
	apt_free_list(job->notes);
	free(job->kernel);
	free(job->modules);
	free(job->headers);
	free(job->kernel_meta);
	free(job->ubuntu_drivers_spec);
	*job = (struct driver_job){ 0 };
}

static int apt_get_install(const struct driver_job *job, const char *const *packages, struct strbuf *err)
{
	const char *fixed[] = { "apt-get", "install", "-y", "-q", "-o", "Dpkg::Options::=--force-confdef",
				"-o", "Dpkg::Options::=--force-confold", "-o", "DPkg::Lock::Timeout=60" };
	size_t n = 0, nopt = 0, nfixed = ELEMENTSOF(fixed);
	const char **argv;
	int r;

	while (packages[n])
		n++;
	while (job->apt_options && job->apt_options[nopt])
		nopt++;
	argv = xcalloc(nfixed + nopt + n + 1, sizeof(*argv));
	memcpy(argv, fixed, sizeof(fixed));
	if (nopt)
		memcpy(argv + nfixed, job->apt_options, nopt * sizeof(*argv));
	memcpy(argv + nfixed + nopt, packages, n * sizeof(*packages));
	r = run_step(argv, err);
	free(argv);
	return r;
}

static int missing_packages(const struct driver_job *job, struct strbuf *missing, struct strbuf *err)
{
	struct apt_cache *ac = NULL;
	char *aerr = NULL;
	int r = apt_cache_open(sysroot_get()[0] ? sysroot_get() : NULL, &ac, &aerr);
	size_t n = 0;

	if (r < 0) {
		strbuf_addf(err, "cannot read apt's state to check the install: %s", aerr ? aerr : strerror(-r));
		free(aerr);
		return -1;
	}
	for (char **p = job->packages; *p; p++)
		if (package_state(ac, *p) != 1)
			strbuf_addf(missing, "%s%s", n++ ? " " : "", *p);
	apt_cache_close(ac);
	return (int)n;
}

/* ubuntu-drivers picks its own kernel module package (a kernel flavour's
 * metapackage, or DKMS); add what the plan wanted and it left out. */
static int complete_ubuntu_drivers(const struct driver_job *job, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf missing = STRBUF_INIT;
	char **list = NULL, *s, *tok;
	size_t nlist = 0;
	int r;

	strbuf_init(&missing);
	if (missing_packages(job, &missing, err) <= 0)
		return 0;  /* all there, or verify will say what cannot be read */
	log_info("ubuntu-drivers left out %s; installing with apt-get", missing.buf);
	for (s = missing.buf; (tok = strsep(&s, " "));)
		add_string(&list, &nlist, xstrdup(tok));
	r = apt_get_install(job, (const char *const *)list, err);
	apt_free_list(list);
	return r < 0 ? 1 : 0;
}

int driver_wait_for_apt(long lock_wait_ms, struct strbuf *err)
{
	const char *path = NULL;
	pid_t pid = 0;
	int r = dpkg_lock_wait(lock_wait_ms, &path, &pid);

	if (r == -EBUSY) {
		strbuf_addf(err, "apt or dpkg is busy: %s is held", path);
		if (pid)
			strbuf_addf(err, " by process %ld", (long)pid);
		strbuf_addf(err, " and was not released within %ld s; let it finish (after a boot it is often "
			    "unattended-upgrades) and run gpu-setup again", lock_wait_ms / 1000);
		return r;
	}
	if (r < 0)
		strbuf_addf(err, "cannot check apt's and dpkg's locks: %s", strerror(-r));
	return r;
}

int driver_job_run(const struct driver_job *job, long lock_wait_ms, struct strbuf *err)
{
	int r = driver_wait_for_apt(lock_wait_ms, err);

	if (r < 0)
		return r;
	if (!job->ubuntu_drivers_spec)
		return apt_get_install(job, (const char *const *)job->packages, err) < 0 ? 1 : 0;
	if (job->headers) {
		const char *headers[] = { job->headers, NULL };

		if (apt_get_install(job, headers, err) < 0)
			return 1;
	}
	{
		/* Server drivers are the --gpgpu kind to ubuntu-drivers. */
		const char *plain[] = { "ubuntu-drivers", "install", job->ubuntu_drivers_spec, NULL };
		const char *gpgpu[] = { "ubuntu-drivers", "install", "--gpgpu", job->ubuntu_drivers_spec, NULL };

		if (run_step(job->chosen->server ? gpgpu : plain, err) < 0)
			return 1;
	}
	return complete_ubuntu_drivers(job, err);
}

int driver_job_verify(const struct driver_job *job, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf missing = STRBUF_INIT;
	int n;

	strbuf_init(&missing);
	n = missing_packages(job, &missing, err);
	if (n > 0)
		strbuf_addf(err, "these packages are not installed after the install: %s", missing.buf);
	return n == 0 ? 0 : -1;
}

static bool conf_blacklists_nouveau(const char *path)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	char *line, *s;

	if (read_file(path, 1u << 20, &text, &len) < 0)
		return false;
	for (s = text; (line = strsep(&s, "\n"));) {
		char word[16], mod[16];

		if (sscanf(line, " %15s %15s", word, mod) == 2 && streq(word, "blacklist") && streq(mod, "nouveau"))
			return true;
	}
	return false;
}

bool nouveau_blacklisted(char **ret_path)
{
	static const char *const dirs[] = { "/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d" };

	for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
		_cleanup_free_ char *dir = sysroot_path(dirs[i]);
		DIR *d = opendir(dir);
		struct dirent *e;
		bool found = false;

		if (!d)
			continue;
		while (!found && (e = readdir(d))) {
			size_t len = strlen(e->d_name);
			_cleanup_free_ char *rel = NULL, *path = NULL;

			if (len < 6 || !streq(e->d_name + len - 5, ".conf"))
				continue;
			/* Debian's nvidia-blacklists-nouveau.conf is an absolute
			 * link into /etc/alternatives: followed inside the root,
			 * never to the host's file of the same name. */
			rel = xasprintf("%s/%s", dirs[i], e->d_name);
			if (sysroot_host_path(rel, &path) < 0)
				continue;
			if (conf_blacklists_nouveau(path)) {
				found = true;
				if (ret_path)
					*ret_path = xasprintf("%s/%s", dirs[i], e->d_name);
			}
		}
		closedir(d);
		if (found)
			return true;
	}
	return false;
}

int nouveau_blacklist_ensure(struct strbuf *err)
{
	static const char text[] =
		"# Written by gpu-setup: the NVIDIA driver and nouveau cannot drive the same GPU,\n"
		"# and the packages installed did not blacklist nouveau themselves.\n"
		"blacklist nouveau\n"
		"options nouveau modeset=0\n";
	_cleanup_free_ char *dir = sysroot_path("/etc/modprobe.d");
	_cleanup_free_ char *path = sysroot_path(NOUVEAU_BLACKLIST_PATH);
	int r;

	if (nouveau_blacklisted(NULL))
		return 0;
	r = mkdir_p(dir, 0755);
	if (r == 0)
		r = write_file_atomic(path, text, sizeof(text) - 1, 0644);
	if (r < 0) {
		strbuf_addf(err, "cannot write %s: %s", path, strerror(-r));
		return -1;
	}
	if (!sysroot_exists("/usr/sbin/update-initramfs")) {
		log_warning("no update-initramfs here: if your initramfs includes nouveau, regenerate it by hand");
		return 1;
	}
	{
		const char *argv[] = { "update-initramfs", "-u", NULL };

		if (run_step(argv, err) < 0)
			return -1;
	}
	return 1;
}

