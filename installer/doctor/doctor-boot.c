/*
 * doctor-boot.c - the `boot` check group: what decides whether the NVIDIA
 * module loads at the next boot.  A module for every installed kernel,
 * nouveau kept away (blacklist, initramfs), and Secure Boot accepting the
 * module.  These are the failures that leave a person with a black screen
 * or a driver that "silently does not load".
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "doctor-driver.h"
#include "fileio.h"
#include "initramfs.h"
#include "kmod-file.h"
#include "modprobe-names.h"
#include "osinfo.h"
#include "strbuf.h"
#include "sysroot.h"
#include "system-describe.h"
#include "util.h"

/* EFI_GLOBAL_VARIABLE (UEFI spec) and shim's SHIM_LOCK_GUID. */
#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define SHIM_LOCK_GUID "605dab50-e046-4300-abb6-3dd810dd8b23"
#define EFIVARS "/sys/firmware/efi/efivars"
#define SECURE_BOOT_VAR EFIVARS "/SecureBoot-" EFI_GLOBAL_GUID
#define MOK_NEW_VAR EFIVARS "/MokNew-" SHIM_LOCK_GUID
/* A certificate list holds a few keys; bound what we read of it. */
#define MOKLIST_MAX (1u << 20)

/* The keys DKMS signs modules with (dkms 3: mok.pub, DER despite the
 * name; Ubuntu's update-secureboot-policy: MOK.der). */
static const char *const mok_keys[] = { "/var/lib/dkms/mok.pub", "/var/lib/shim-signed/mok/MOK.der" };

static const char *const modprobe_dirs[] = { "/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d",
					     "/run/modprobe.d" };

/* A directory on the target as the host reaches it, a link in its path
 * (/lib -> usr/lib) resolved inside the root. */
static char *host_dir(const char *dir)
{
	char *host;

	return sysroot_host_path(dir, &host) == 0 ? host : sysroot_path(dir);
}

/* The running kernel and its module, read once for two checks. */
struct boot_state {
	char *kernel;
	char *module;
	int module_r;      /* kmod_find_nvidia, then kmod_read */
	struct kmod_info minfo;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Installed kernels: /boot/vmlinuz-<k>, else the /lib/modules/<k> that
 * hold a kernel/ directory (a leftover modules directory of a removed
 * kernel holds only updates/ or nothing). */
static size_t installed_kernels(char ***ret)
{
	static const struct {
		const char *dir, *prefix, *need;
	} src[] = { { "/boot", "vmlinuz-", NULL }, { "/lib/modules", "", "kernel" } };
	char **list = NULL;
	size_t n = 0;

	for (size_t s = 0; s < ELEMENTSOF(src) && n == 0; s++) {
		_cleanup_free_ char *p = host_dir(src[s].dir);
		DIR *d = opendir(p);
		struct dirent *de;

		if (!d)
			continue;
		while ((de = readdir(d))) {
			const char *k = de->d_name + strlen(src[s].prefix);

			if (!startswith(de->d_name, src[s].prefix) || de->d_name[0] == '.' || !*k)
				continue;
			if (src[s].need) {
				_cleanup_free_ char *sub = xasprintf("%s/%s/%s", src[s].dir, k, src[s].need);
				_cleanup_free_ char *sp = host_dir(sub);
				struct stat st;

				if (stat(sp, &st) < 0 || !S_ISDIR(st.st_mode))
					continue;
			}
			list = xrealloc(list, (n + 1) * sizeof(*list));
			list[n++] = xstrdup(k);
		}
		closedir(d);
	}
	if (n)
		qsort(list, n, sizeof(*list), cmp_str);
	*ret = list;
	return n;
}

/* ---------------------------------------------------------------- modules */

static void check_kernel_modules(const struct doctor_ctx *ctx, const struct boot_state *bs,
				 struct doctor_report *rep)
{
	struct nvidia_lib lib = { 0 };
	_cleanup_strbuf_ struct strbuf module_names = STRBUF_INIT;
	char **kernels = NULL;
	size_t n;
	bool have_lib;

	if (!ctx->driver_installed) {
		doctor_add(rep, "boot.kernel-modules", DOCTOR_SKIP, "no NVIDIA driver is installed");
		return;
	}
	n = installed_kernels(&kernels);
	if (n == 0) {
		doctor_add(rep, "boot.kernel-modules", DOCTOR_SKIP,
			   "no installed kernel found (no /boot/vmlinuz-*, no /lib/modules/*/kernel)");
		free(kernels);
		return;
	}
	have_lib = nvidia_lib_find("libcuda.so.1", &lib) == 0 && lib.version;
	{
		/* nvidia.ko, and the names modprobe.d gives it (Debian's
		 * nvidia-current.ko): what the search looks for. */
		char **names = kmod_nvidia_names();

		strbuf_init(&module_names);
		for (char **p = names; *p; p++)
			strbuf_addf(&module_names, "%s%s.ko", p == names ? "" : ", ", *p);
		strv_free(names);
	}
	for (size_t i = 0; i < n; i++) {
		const char *k = kernels[i];
		_cleanup_free_ char *path = NULL;
		struct kmod_info ki = { 0 };
		struct doctor_check *c;
		bool own = false;
		int r;

		if (bs->kernel && streq(k, bs->kernel)) {
			r = bs->module ? bs->module_r : -ENOENT;
			path = bs->module ? xstrdup(bs->module) : NULL;
			if (r == 0)
				ki = bs->minfo;
		} else {
			r = kmod_find_nvidia(k, &path);
			if (r == 0 && kmod_is_compressed(path) && !ctx->deep) {
				r = -ECANCELED;
			} else if (r == 0) {
				r = kmod_read(path, &ki);
				own = true;
			}
		}
		if (!path && doctor_needs_root(r)) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_SKIP, "needs root to search /lib/modules/%s: "
				       "run 'sudo gpu-setup doctor'", k);
		} else if (!path) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_FAIL,
				       "kernel %s has no NVIDIA module (%s) under /lib/modules/%s: after booting it the "
				       "driver will not load (the DKMS build failed or its headers are missing)",
				       k, module_names.buf, k);
			doctor_set_fix(c, "sudo apt install linux-headers-%s && sudo dkms autoinstall -k %s", k, k);
		} else if (doctor_needs_root(r)) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_SKIP, DOCTOR_NEEDS_ROOT, path);
		} else if (r == -ECANCELED) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_OK,
				       "%s (compressed: its version is read with --deep)", path);
		} else if (r < 0) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_WARN, "%s: cannot read its version: %s", path,
				       strerror(-r));
			doctor_set_fix(c, "sudo apt install linux-headers-%s && sudo dkms autoinstall -k %s", k, k);
		} else if (have_lib && ki.version && !streq(ki.version, lib.version)) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_WARN,
				       "%s is version %s but the user-space libraries are %s (%s): after booting "
				       "kernel %s the versions will not match",
				       path, ki.version, lib.version, lib.real, k);
			doctor_set_fix(c, "sudo apt install linux-headers-%s && sudo dkms autoinstall -k %s", k, k);
		} else {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_OK, "%s, version %s", path,
				       ki.version ? ki.version : "unknown");
		}
		doctor_set_subject(c, k);
		if (own)
			kmod_info_free(&ki);
	}
	for (size_t i = 0; i < n; i++)
		free(kernels[i]);
	free(kernels);
	nvidia_lib_free(&lib);
}

/* A running kernel always has /sys/module: without it (a tree under --root
 * with no sysfs mounted) nothing can be said of what is loaded or how it
 * booted. */
static bool have_sysfs(void)
{
	_cleanup_free_ char *p = sysroot_path("/sys/module");
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---------------------------------------------------------------- next kernels */

static bool pkg_installed(const struct system_package *p, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(p[i].name, name))
			return true;
	return false;
}

/* The suffix of an installed linux-image metapackage of this kernel
 * flavour ("generic", "generic-hwe-24.04", "amd64"); NULL: none. */
static const char *image_meta(const struct system_package *p, size_t n, const char *flavour)
{
	size_t fl = strlen(flavour);
	const char *ga = NULL;

	for (size_t i = 0; i < n; i++) {
		const char *s;

		if (!startswith(p[i].name, "linux-image-"))
			continue;
		s = p[i].name + strlen("linux-image-");
		if (strncmp(s, flavour, fl) != 0)
			continue;
		/* an HWE one first, as the driver step chooses */
		if (startswith(s + fl, "-hwe-"))
			return s;
		if (s[fl] == '\0')
			ga = s;
	}
	return ga;
}

/* Whether the next kernel apt brings gets an NVIDIA module: prebuilt
 * modules for the running kernel need their flavour's metapackage
 * (linux-modules-nvidia-SPEC-FLAVOUR, which follows the kernel's), a DKMS
 * module needs the headers' metapackage (linux-headers-FLAVOUR).  Said
 * only where dpkg's status says how kernels come: through an installed
 * linux-image metapackage. */
static void check_next_kernels(const struct doctor_ctx *ctx, const struct boot_state *bs,
			       struct doctor_report *rep)
{
	struct system_package *pk = NULL;
	_cleanup_free_ char *status = sysroot_path("/var/lib/dpkg/status"), *text = NULL;
	_cleanup_free_ char *prefix = NULL, *want = NULL;
	const char *flavour = bs->kernel ? kernel_flavour(bs->kernel) : NULL, *suffix, *spec = NULL;
	struct doctor_check *c = NULL;
	size_t n = 0, len;

	if (!ctx->driver_installed || !flavour || read_file(status, 64u << 20, &text, &len) < 0)
		return;
	dpkg_status_installed(text, len, &pk, &n);
	suffix = image_meta(pk, n, flavour);
	/* linux-modules-nvidia-SPEC-RELEASE: the prebuilt modules of the
	 * running kernel, SPEC such as 580-open */
	for (size_t i = 0; i < n && !spec; i++) {
		size_t nl = strlen(pk[i].name), kl = strlen(bs->kernel);

		if (startswith(pk[i].name, "linux-modules-nvidia-") && nl > strlen("linux-modules-nvidia-") + kl + 1 &&
		    streq(pk[i].name + nl - kl, bs->kernel) && pk[i].name[nl - kl - 1] == '-') {
			prefix = xasprintf("%.*s", (int)(nl - kl - 1), pk[i].name);
			spec = prefix + strlen("linux-modules-nvidia-");
		}
	}
	if (!suffix) {
		c = doctor_add(rep, "boot.kernel-modules", DOCTOR_SKIP,
			       "no linux-image metapackage of the %s kernels is installed, so new kernels do not come "
			       "through apt: each needs its %s by hand", flavour,
			       spec ? "prebuilt NVIDIA modules" : "headers for DKMS");
	} else if (spec) {
		want = xasprintf("linux-modules-nvidia-%s-%s", spec, suffix);
		if (pkg_installed(pk, n, want)) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_OK,
				       "%s is installed: the prebuilt modules follow linux-image-%s to the next kernels",
				       want, suffix);
		} else {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_WARN,
				       "the prebuilt modules %s-%s are for kernel %s only and %s is not installed: after "
				       "the next kernel update (linux-image-%s) the driver will not load",
				       prefix, bs->kernel, bs->kernel, want, suffix);
			doctor_set_fix(c, "sudo apt install %s", want);
		}
	} else {
		want = xasprintf("linux-headers-%s", suffix);
		if (pkg_installed(pk, n, want)) {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_OK,
				       "%s is installed: each new kernel brings its headers, which DKMS builds the "
				       "module from", want);
		} else {
			c = doctor_add(rep, "boot.kernel-modules", DOCTOR_WARN,
				       "%s is not installed: the next kernel (linux-image-%s) comes without its headers, "
				       "so DKMS cannot build the NVIDIA module for it and the driver will not load after "
				       "that update", want, suffix);
			doctor_set_fix(c, "sudo apt install %s", want);
		}
	}
	doctor_set_subject(c, "next kernels");
	for (size_t i = 0; i < n; i++) {
		free(pk[i].name);
		free(pk[i].version);
		free(pk[i].arch);
	}
	free(pk);
}

/* ---------------------------------------------------------------- nouveau */

struct blacklist {
	struct strbuf files;      /* the files that blacklist nouveau */
	struct timespec newest;   /* mtime of the newest of them */
	bool any_file, cmdline;
	char *unreadable;         /* a file root would have to read, or NULL */
};

static bool later(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static void scan_modprobe_dir(const char *dir, struct blacklist *bl)
{
	_cleanup_free_ char *p = host_dir(dir);
	DIR *d = opendir(p);
	struct dirent *de;

	if (!d) {
		if (doctor_needs_root(-errno) && !bl->unreadable)
			bl->unreadable = xstrdup(dir);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *rel = NULL, *host = NULL, *text = NULL;
		size_t nlen = strlen(de->d_name), len;
		struct stat st;
		int r;

		if (de->d_name[0] == '.' || nlen < 6 || !streq(de->d_name + nlen - 5, ".conf"))
			continue;
		rel = xasprintf("%s/%s", dir, de->d_name);
		if (sysroot_host_path(rel, &host) < 0)
			continue;
		if (stat(host, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = read_file(host, 1u << 20, &text, &len);
		if (doctor_needs_root(r) && !bl->unreadable)
			bl->unreadable = xstrdup(rel);
		if (r < 0 || !modprobe_conf_blacklists_nouveau(text, len))
			continue;
		strbuf_addf(&bl->files, "%s%s", bl->files.len ? ", " : "", rel);
		if (!bl->any_file || later(&st.st_mtim, &bl->newest))
			bl->newest = st.st_mtim;
		bl->any_file = true;
	}
	closedir(d);
}

/* module_blacklist= (kernel) or modprobe.blacklist= (kmod) naming
 * nouveau among its comma-separated modules. */
static bool cmdline_blacklists(const char *cmdline)
{
	_cleanup_free_ char *copy = xstrdup(cmdline);
	char *save = NULL;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		char *v, *s2 = NULL;

		if (startswith(w, "module_blacklist="))
			v = w + strlen("module_blacklist=");
		else if (startswith(w, "modprobe.blacklist="))
			v = w + strlen("modprobe.blacklist=");
		else
			continue;
		for (char *m = strtok_r(v, ",", &s2); m; m = strtok_r(NULL, ",", &s2))
			if (streq(m, "nouveau"))
				return true;
	}
	return false;
}

static void check_nouveau(const struct doctor_ctx *ctx, const struct boot_state *bs, struct doctor_report *rep)
{
	_cleanup_strbuf_ struct strbuf ev = STRBUF_INIT, problems = STRBUF_INIT;
	_cleanup_free_ char *cmdpath = sysroot_path("/proc/cmdline"), *cmdline = NULL, *modpath = NULL;
	_cleanup_free_ char *initrd = NULL, *initrd_host = NULL;
	struct blacklist bl = { .files = STRBUF_INIT };
	bool stale = false, deep_bad = false, loaded, bound = false;
	struct doctor_check *c;
	struct stat st;
	size_t len;

	if (!ctx->driver_installed) {
		doctor_add(rep, "boot.nouveau", DOCTOR_SKIP, "no NVIDIA driver is installed");
		return;
	}
	strbuf_init(&ev);
	strbuf_init(&problems);
	strbuf_init(&bl.files);
	for (size_t i = 0; i < ELEMENTSOF(modprobe_dirs); i++)
		scan_modprobe_dir(modprobe_dirs[i], &bl);
	if (read_file(cmdpath, 64u << 10, &cmdline, &len) == 0)
		bl.cmdline = cmdline_blacklists(cmdline);

	if (bl.any_file)
		strbuf_addf(&ev, "blacklisted in %s", bl.files.buf);
	if (bl.cmdline)
		strbuf_addf(&ev, "%sblacklisted on /proc/cmdline", ev.len ? "; " : "");
	if (!bl.any_file && !bl.cmdline) {
		strbuf_addf(&ev, "no 'blacklist nouveau' in /etc/modprobe.d, /usr/lib/modprobe.d, /lib/modprobe.d, "
				 "/run/modprobe.d or on /proc/cmdline");
		if (bl.unreadable)
			strbuf_addf(&ev, " (%s could not be read: run 'sudo gpu-setup doctor')", bl.unreadable);
		strbuf_adds(&problems, "; nouveau is not blacklisted");
	}

	modpath = sysroot_path("/sys/module/nouveau");
	loaded = stat(modpath, &st) == 0;
	if (loaded)
		strbuf_adds(&problems, "; nouveau is loaded now (/sys/module/nouveau)");
	for (size_t i = 0; ctx->det && i < ctx->det->pci.ngpus; i++) {
		const struct pci_gpu *g = &ctx->det->pci.gpus[i];

		if (g->vendor_id == PCI_VENDOR_NVIDIA && g->driver && streq(g->driver, "nouveau")) {
			strbuf_addf(&problems, "; nouveau drives the GPU at %04x:%02x:%02x.%x", g->domain, g->bus,
				    g->dev, g->func);
			bound = true;
		}
	}

	if (bs->kernel) {
		initrd = xasprintf("/boot/initrd.img-%s", bs->kernel);
		initrd_host = sysroot_path(initrd);
	}
	if (initrd && stat(initrd_host, &st) == 0) {
		if (bl.any_file && later(&bl.newest, &st.st_mtim)) {
			stale = true;
			strbuf_addf(&problems, "; %s is older than the newest blacklist file: the initramfs was built "
					       "before nouveau was blacklisted, so nouveau still loads at boot",
				    initrd);
		}
		if (ctx->deep) {
			struct initramfs_info ii;
			int r = initramfs_scan(initrd, &ii);

			if (doctor_needs_root(r))
				strbuf_addf(&ev, "; needs root to read %s: its contents were not checked", initrd);
			else if (r < 0)
				strbuf_addf(&ev, "; %s could not be read as an initramfs: %s", initrd, strerror(-r));
			else {
				strbuf_addf(&ev, "; %s (%u archive%s) %s nouveau.ko and %s modprobe.d file "
						 "blacklisting it",
					    initrd, ii.segments, ii.segments == 1 ? "" : "s",
					    ii.has_nouveau ? "holds" : "does not hold",
					    ii.blacklists_nouveau ? "a" : "no");
				if (ii.has_nouveau && !ii.blacklists_nouveau && !bl.cmdline) {
					deep_bad = true;
					strbuf_addf(&problems, "; the initramfs loads nouveau before the root file "
							       "system's blacklist is seen");
				}
			}
		}
	} else if (initrd) {
		strbuf_addf(&ev, "; no %s", initrd);
	}

	if (!problems.len && !have_sysfs()) {
		doctor_add(rep, "boot.nouveau", DOCTOR_SKIP,
			   "%s; whether nouveau is loaded is unknown: there is no /sys/module under %s", ev.buf,
			   *sysroot_get() ? sysroot_get() : "/");
		goto out;
	}
	if (!problems.len) {
		doctor_add(rep, "boot.nouveau", DOCTOR_OK, "%s; nouveau is not loaded", ev.buf);
		goto out;
	}
	c = doctor_add(rep, "boot.nouveau", DOCTOR_FAIL, "%s%s", ev.buf, problems.buf);
	if (!bl.any_file && !bl.cmdline)
		doctor_set_fix(c, "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee "
				  "/etc/modprobe.d/blacklist-nouveau.conf && sudo update-initramfs -u, then reboot");
	else if (stale || deep_bad)
		doctor_set_fix(c, "sudo update-initramfs -u, then reboot");
	else
		doctor_set_fix(c, "reboot: nouveau was loaded before it was blacklisted%s",
			       bound ? " and holds the GPU" : "");
out:
	strbuf_release(&bl.files);
	free(bl.unreadable);
}

/* ---------------------------------------------------------------- Secure Boot */

/* Whether one of the DKMS keys is in MokListRT: 1 yes, 0 no (*ret_key
 * names the first key found), -ENOENT when no key or no readable list. */
static int dkms_key_enrolled(char **ret_key)
{
	static const char *const lists[] = { "/sys/firmware/efi/mok-variables/MokListRT",
					     EFIVARS "/MokListRT-" SHIM_LOCK_GUID };
	_cleanup_free_ char *list = NULL;
	size_t list_len = 0;
	const char *first = NULL;

	for (size_t i = 0; i < ELEMENTSOF(lists) && !list; i++) {
		_cleanup_free_ char *p = sysroot_path(lists[i]);

		if (read_file(p, MOKLIST_MAX, &list, &list_len) < 0)
			list = NULL;
	}
	if (!list)
		return -ENOENT;
	for (size_t i = 0; i < ELEMENTSOF(mok_keys); i++) {
		_cleanup_free_ char *p = sysroot_path(mok_keys[i]), *key = NULL;
		size_t klen;

		if (read_file(p, 64u << 10, &key, &klen) < 0 || klen == 0)
			continue;
		if (memmem(list, list_len, key, klen))
			return 1;
		if (!first)
			first = mok_keys[i];
	}
	if (!first)
		return -ENOENT;
	*ret_key = xstrdup(first);
	return 0;
}

static void check_secure_boot(const struct doctor_ctx *ctx, const struct boot_state *bs,
			      struct doctor_report *rep)
{
	_cleanup_free_ char *efi = sysroot_path("/sys/firmware/efi"), *efivars = sysroot_path(EFIVARS);
	_cleanup_free_ char *sbpath = sysroot_path(SECURE_BOOT_VAR), *newpath = sysroot_path(MOK_NEW_VAR);
	_cleanup_free_ char *data = NULL, *key = NULL;
	struct doctor_check *c;
	struct stat st;
	size_t len;
	int r;

	(void)ctx;
	if (!have_sysfs()) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_SKIP,
			   "whether it booted with EFI is unknown: there is no /sys/module under %s",
			   *sysroot_get() ? sysroot_get() : "/");
		return;
	}
	if (stat(efi, &st) < 0) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_OK,
			   "booted without EFI (no /sys/firmware/efi): Secure Boot does not apply");
		return;
	}
	r = read_file(sbpath, 4096, &data, &len);
	if (doctor_needs_root(r)) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_SKIP, DOCTOR_NEEDS_ROOT, SECURE_BOOT_VAR);
		return;
	}
	if (r == -ENOENT && stat(efivars, &st) == 0) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_OK,
			   "no " SECURE_BOOT_VAR ": the firmware does not offer Secure Boot");
		return;
	}
	if (r < 0 || len < 5) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_SKIP, "cannot read the Secure Boot state from %s: %s",
			   SECURE_BOOT_VAR, r < 0 ? strerror(-r) : "shorter than 5 bytes");
		return;
	}
	/* 4 bytes of attributes, then the variable's one byte. */
	if (data[4] == 0) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_OK, "Secure Boot is off (" SECURE_BOOT_VAR " is 0)");
		return;
	}
	if (!bs->module) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_SKIP,
			   "Secure Boot is on, and there is no nvidia.ko for the running kernel %s to check "
			   "(see boot.kernel-modules)",
			   bs->kernel ? bs->kernel : "(unknown)");
		return;
	}
	if (doctor_needs_root(bs->module_r)) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_SKIP, DOCTOR_NEEDS_ROOT, bs->module);
		return;
	}
	if (bs->module_r < 0) {
		doctor_add(rep, "boot.secure-boot", DOCTOR_SKIP, "Secure Boot is on; cannot read %s: %s", bs->module,
			   strerror(-bs->module_r));
		return;
	}
	if (!bs->minfo.is_signed) {
		c = doctor_add(rep, "boot.secure-boot", DOCTOR_FAIL,
			       "Secure Boot is on and %s is not signed (no \"~Module signature appended~\" at its "
			       "end): the kernel refuses to load it, silently",
			       bs->module);
		doctor_set_fix(c,
			       "sign it with a Machine Owner Key: DKMS signs with /var/lib/dkms/mok.pub "
			       "(Ubuntu: /var/lib/shim-signed/mok/MOK.der) when it has one, so run 'sudo dkms "
			       "autoinstall -k %s --force', then 'sudo mokutil --import <key.der>', reboot and enroll "
			       "the key in MokManager; or disable Secure Boot in the firmware setup",
			       bs->kernel);
		return;
	}
	if (stat(newpath, &st) == 0) {
		c = doctor_add(rep, "boot.secure-boot", DOCTOR_WARN,
			       "Secure Boot is on, %s is signed, and a key enrollment is pending (" MOK_NEW_VAR ")",
			       bs->module);
		doctor_set_fix(c, "reboot and confirm the enrollment in the blue MokManager screen");
		return;
	}
	/* Only a DKMS build is signed with a local key; a module from the
	 * distribution (Ubuntu's linux-modules-nvidia) carries its vendor's
	 * signature, which shim trusts already. */
	if (strstr(bs->module, "/updates/") && dkms_key_enrolled(&key) == 0) {
		c = doctor_add(rep, "boot.secure-boot", DOCTOR_FAIL,
			       "Secure Boot is on and %s is signed, but the signing key %s is not in MokListRT: "
			       "signing key not enrolled, the kernel refuses the module",
			       bs->module, key);
		doctor_set_fix(c, "sudo mokutil --import %s, reboot and enroll it in the blue MokManager screen", key);
		return;
	}
	doctor_add(rep, "boot.secure-boot", DOCTOR_OK, "Secure Boot is on and %s is signed", bs->module);
}

/* Whether the firmware says Secure Boot is on; false when it cannot be
 * read (check_secure_boot says why). */
static bool secure_boot_on(void)
{
	_cleanup_free_ char *path = sysroot_path(SECURE_BOOT_VAR), *data = NULL;
	size_t len;

	return read_file(path, 4096, &data, &len) == 0 && len >= 5 && data[4] != 0;
}

void doctor_check_boot(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	struct boot_state bs = { .module_r = -ENOENT };

	/* The running kernel and its module, as the driver group found them. */
	if (ctx->kernel) {
		bs.kernel = xstrdup(ctx->kernel);
		bs.module = ctx->kernel_module ? xstrdup(ctx->kernel_module) : NULL;
		bs.module_r = ctx->kernel_module_r;
		/* A compressed module is decompressed only when a check needs
		 * more than its name: the signature under Secure Boot. */
		if (bs.module_r == 0 && kmod_is_compressed(bs.module) && !ctx->deep && !secure_boot_on())
			bs.module_r = -ECANCELED;
		else if (bs.module_r == 0)
			bs.module_r = kmod_read(bs.module, &bs.minfo);
	}
	check_kernel_modules(ctx, &bs, rep);
	check_next_kernels(ctx, &bs, rep);
	check_nouveau(ctx, &bs, rep);
	check_secure_boot(ctx, &bs, rep);
	free(bs.kernel);
	free(bs.module);
	kmod_info_free(&bs.minfo);
}
