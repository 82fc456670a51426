/* Unit tests: doctor's driver and boot groups against target trees, and
 * the module and initramfs readers under them. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "compat.h"
#include "doctor-driver.h"
#include "doctor.h"
#include "initramfs.h"
#include "kmod-file.h"
#include "modprobe-names.h"
#include "osinfo.h"
#include "reboot-record.h"
#include "strbuf.h"
#include "sysroot.h"
#include "tap.h"
#include "doctor-checks.h"
#include "testroot.h"
#include "util.h"

#define VER "570.133.07"
#define K1 "6.1.0-18-amd64"
#define K2 "6.1.0-21-amd64"
#define PROC_PROP "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " VER "  Release Build  (dvs-builder@U16)\nGCC version:  gcc version 12.2.0\n"
#define PROC_OPEN "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  " VER "  Release Build  (dvs-builder@U16)\n"
#define SB_VAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static char tmpl[] = "/tmp/gs-doctor-driver-XXXXXX";
static char *root;   /* the current target tree, a fresh one per case */
static unsigned nroot;
static struct compat_db *db;

static void new_root(void)
{
	free(root);
	root = xasprintf("%s/r%u", tmpl, nroot++);
	mkdir(root, 0755);
	sysroot_set(root);
}

static void put(const char *rel, const char *text)
{
	testroot_puts(root, rel, text);
}

static void put_bin(const char *rel, const struct strbuf *sb)
{
	testroot_put(root, rel, sb->buf, sb->len);
}

static void link_at(const char *rel, const char *target)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);

	testroot_puts(root, rel, "");
	unlink(p);
	if (symlink(target, p) < 0)
		printf("# symlink %s: %s\n", p, strerror(errno));
}

static void rm_at(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);

	if (remove(p) < 0)
		printf("# remove %s: %s\n", p, strerror(errno));
}

static void mkdir_at(const char *rel)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);

	mkdir_p(p, 0755);
}

static void set_mtime(const char *rel, time_t t)
{
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
}

/* Module bytes as the checks read them: .modinfo strings among other
 * bytes, optionally a signature at the end. */
static void module_bytes(struct strbuf *sb, const char *license, const char *version, const char *kernel, bool sign)
{
	strbuf_init(sb);
	strbuf_add(sb, "\177ELF-not-really\0\0text", 22);
	if (license)
		strbuf_addf(sb, "%clicense=%s", 0, license);
	if (version)
		strbuf_addf(sb, "%cversion=%s", 0, version);
	strbuf_addf(sb, "%csrcversion=0123ABC%cvermagic=%s SMP preempt mod_unload modversions %c", 0, 0, kernel, 0);
	strbuf_add(sb, "\0\0\0\0", 4);
	if (sign) {
		strbuf_add(sb, "PKCS7-SIGNATURE\0\0\0\0\0\0\0\0\0\0\0\x0f", 27);
		strbuf_adds(sb, KMOD_SIG_MAGIC);
	}
}

/* Write a module to rel, compressed with tool ("xz", "zstd", "gzip") or
 * not (NULL); the compressed file gets the tool's suffix. */
static void put_module(const char *rel, const char *license, const char *version, const char *kernel, bool sign,
		       const char *tool)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	_cleanup_free_ char *p = xasprintf("%s%s", root, rel);

	module_bytes(&sb, license, version, kernel, sign);
	put_bin(rel, &sb);
	if (tool) {
		const char *const argv[] = { tool, "-q", "-f", p, NULL };
		struct run_result rr;

		int r = run_command(argv, NULL, 60000, &rr);

		if (r < 0 || rr.exit_status != 0) {
			printf("Bail out! cannot compress a test module with %s (%s): install it (Debian and Ubuntu: "
			       "apt-get install %s)\n", tool, r < 0 ? strerror(-r) : rr.err.buf,
			       streq(tool, "xz") ? "xz-utils" : tool);
			exit(1);
		}
		run_result_release(&rr);
	}
}

/* A newc archive of (name, data) pairs; data NULL makes a directory. */
static void newc_add(struct strbuf *sb, unsigned ino, const char *name, const char *data)
{
	size_t dlen = data ? strlen(data) : 0;

	strbuf_addf(sb, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ino,
		    data ? 0100644u : 040755u, 0u, 0u, 1u, 0u, dlen, 0u, 0u, 0u, 0u, strlen(name) + 1, 0u);
	strbuf_add(sb, name, strlen(name) + 1);
	while (sb->len % 4)
		strbuf_addch(sb, '\0');
	strbuf_add(sb, data ? data : "", dlen);
	while (sb->len % 4)
		strbuf_addch(sb, '\0');
}

static void newc_end(struct strbuf *sb)
{
	newc_add(sb, 99, "TRAILER!!!", "");
	while (sb->len % 512)
		strbuf_addch(sb, '\0');
}

/* The initramfs initramfs-tools makes: early microcode uncompressed, then
 * the main archive compressed with zstd. */
static void put_initramfs(const char *rel, bool nouveau, bool blacklist)
{
	_cleanup_strbuf_ struct strbuf early = STRBUF_INIT, main_ = STRBUF_INIT;
	_cleanup_free_ char *tmp = xasprintf("%s.main", rel), *cmd = NULL;
	struct run_result rr;

	strbuf_init(&early);
	strbuf_init(&main_);
	newc_add(&early, 1, "kernel", NULL);
	newc_add(&early, 2, "kernel/x86/microcode/GenuineIntel.bin", "microcode");
	newc_end(&early);
	newc_add(&main_, 1, "etc", NULL);
	newc_add(&main_, 2, "etc/modprobe.d/alsa.conf", "options snd-hda-intel model=auto\n");
	if (blacklist)
		newc_add(&main_, 3, "etc/modprobe.d/nvidia-blacklists-nouveau.conf", "# by nvidia-kernel\nblacklist nouveau\n");
	if (nouveau)
		newc_add(&main_, 4, "usr/lib/modules/" K2 "/kernel/drivers/gpu/drm/nouveau/nouveau.ko.xz", "xz");
	newc_end(&main_);
	put_bin(rel, &early);
	put_bin(tmp, &main_);
	cmd = xasprintf("zstd -q -c '%s%s' >> '%s%s' && rm '%s%s'", root, tmp, root, rel, root, tmp);
	{
		const char *const argv[] = { "sh", "-c", cmd, NULL };

		int r = run_command(argv, NULL, 60000, &rr);

		if (r < 0 || rr.exit_status != 0) {
			printf("Bail out! cannot make a zstd initramfs (%s): install zstd (apt-get install zstd)\n",
			       r < 0 ? strerror(-r) : rr.err.buf);
			exit(1);
		}
		run_result_release(&rr);
	}
}

/* Whether check id has status st and its evidence (and fix, when want_fix
 * is not NULL) contain the strings given; prints the check when not. */
static bool has(const struct doctor_report *rep, const char *id, const char *subject, enum doctor_status st,
		const char *want_ev, const char *want_fix)
{
	const struct doctor_check *c = find(rep, id, subject);
	bool good = c && c->status == st && (!want_ev || strstr(c->evidence, want_ev)) &&
		    (!want_fix || (c->fix && strstr(c->fix, want_fix)));

	if (!good && c)
		printf("# %s: %s: %s\n#   fix: %s\n", id, doctor_status_name(c->status), c->evidence,
		       c->fix ? c->fix : "(none)");
	else if (!c)
		printf("# %s: not reported\n", id);
	return good;
}

/* ---------------------------------------------------------------- GPUs */

static struct pci_gpu gpus[2];
static struct detect_report det;

static struct detect_report *with_gpus(size_t n, unsigned vendor, const char *driver, const char *arch, unsigned cc)
{
	memset(&det, 0, sizeof(det));
	memset(gpus, 0, sizeof(gpus));
	for (size_t i = 0; i < n; i++) {
		gpus[i].bus = (unsigned)i + 1;
		gpus[i].vendor_id = vendor;
		gpus[i].device_id = 0x2204;
		gpus[i].driver = (char *)driver;
		gpus[i].has_info = arch != NULL;
		gpus[i].info.arch = arch;
		gpus[i].info.cc = cc;
	}
	det.pci.gpus = gpus;
	det.pci.ngpus = n;
	det.pci.nvidia_count = vendor == PCI_VENDOR_NVIDIA ? n : 0;
	return &det;
}

static void run_driver(struct doctor_ctx *ctx, struct doctor_report *rep, const struct detect_report *d)
{
	doctor_ctx_release(ctx);
	memset(ctx, 0, sizeof(*ctx));
	memset(rep, 0, sizeof(*rep));
	ctx->det = d;
	ctx->db = db;
	doctor_check_driver(ctx, rep);
}

/* The usual installed driver: Debian's libcuda1 chain through
 * alternatives, NVML next to it. */
static void put_libs(const char *cuda_ver, const char *nvml_ver)
{
	if (cuda_ver) {
		_cleanup_free_ char *real = xasprintf("/usr/lib/x86_64-linux-gnu/nvidia/current/libcuda.so.%s", cuda_ver);
		_cleanup_free_ char *base = xasprintf("libcuda.so.%s", cuda_ver);

		put(real, "ELF");
		link_at("/usr/lib/x86_64-linux-gnu/nvidia/current/libcuda.so.1", base);
		link_at("/etc/alternatives/nvidia--libcuda.so.1-x86_64-linux-gnu",
			"/usr/lib/x86_64-linux-gnu/nvidia/current/libcuda.so.1");
		link_at("/usr/lib/x86_64-linux-gnu/libcuda.so.1",
			"/etc/alternatives/nvidia--libcuda.so.1-x86_64-linux-gnu");
	}
	if (nvml_ver) {
		_cleanup_free_ char *real = xasprintf("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.%s", nvml_ver);
		_cleanup_free_ char *base = xasprintf("libnvidia-ml.so.%s", nvml_ver);

		put(real, "ELF");
		link_at("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", base);
	}
}

static void put_loaded(const char *proc)
{
	put("/proc/driver/nvidia/version", proc);
	put("/sys/module/nvidia/version", VER "\n");
}

static void put_nodes(unsigned ngpu)
{
	put("/dev/nvidiactl", "");
	put("/dev/nvidia-uvm", "");
	for (unsigned i = 0; i < ngpu; i++) {
		_cleanup_free_ char *n = xasprintf("/dev/nvidia%u", i);

		put(n, "");
	}
}

/* ---------------------------------------------------------------- cases */

static void test_kmod_parse(void)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	struct kmod_info k;
	static const char sig_only[] = "garbage" KMOD_SIG_MAGIC;

	module_bytes(&sb, "NVIDIA", VER, K2, true);
	ok(kmod_parse(sb.buf, sb.len, &k) == 0 && k.is_signed && streq(k.license, "NVIDIA") &&
		   streq(k.version, VER) && startswith(k.vermagic, K2 " SMP") && !k.open,
	   "kmod_parse: license, version (not srcversion), vermagic, signature");
	kmod_info_free(&k);
	strbuf_release(&sb);
	module_bytes(&sb, "Dual MIT/GPL", VER, K2, false);
	ok(kmod_parse(sb.buf, sb.len, &k) == 0 && !k.is_signed && k.open, "kmod_parse: Dual MIT/GPL is open, unsigned");
	kmod_info_free(&k);
	ok(kmod_parse("license=NVIDIA", 14, &k) == 0 && streq(k.license, "NVIDIA"),
	   "kmod_parse: a key at offset 0 and a value running to the end without a NUL");
	kmod_info_free(&k);
	ok(kmod_parse("\0licen", 6, &k) == -EINVAL, "kmod_parse: truncated inside a key is -EINVAL");
	ok(kmod_parse("\0license=", 9, &k) == -EINVAL, "kmod_parse: a key with nothing after '=' at the end is -EINVAL");
	ok(kmod_parse("just some bytes\0without keys", 28, &k) == -EINVAL, "kmod_parse: no modinfo is -EINVAL");
	ok(kmod_parse("", 0, &k) == -EINVAL, "kmod_parse: empty is -EINVAL");
	ok(kmod_parse(sig_only, sizeof(sig_only) - 1, &k) == 0 && k.is_signed && !k.license && !k.version,
	   "kmod_parse: a signature alone is signed with no keys");
	kmod_info_free(&k);
	ok(kmod_parse("xlicense=NVIDIA\0", 16, &k) == -EINVAL, "kmod_parse: a key inside a longer string is not a key");
	ok(kmod_parse("\0version=57\x01" "0\0", 13, &k) == 0 && streq(k.version, "57?0"),
	   "kmod_parse: control bytes in a value are replaced");
	kmod_info_free(&k);

	/* A real ELF layout: .modinfo found through the section headers, a
	 * decoy "version=" string elsewhere ignored. */
	{
		unsigned char elf[512] = { 0 };
		static const char shstr[] = "\0.modinfo\0.shstrtab";
		static const char mi[] = "license=NVIDIA\0version=" VER "\0";
		static const char decoy[] = "\0version=1.0\0";
		unsigned char *sh;

		memcpy(elf, "\177ELF\2\1\1", 7);
		elf[0x28] = 0x00; elf[0x29] = 0x01;   /* e_shoff 256 */
		elf[0x3a] = 64;                       /* e_shentsize */
		elf[0x3c] = 3;                        /* e_shnum */
		elf[0x3e] = 2;                        /* e_shstrndx */
		memcpy(elf + 64, decoy, sizeof(decoy));
		memcpy(elf + 96, shstr, sizeof(shstr));
		memcpy(elf + 128, mi, sizeof(mi));
		sh = elf + 256 + 64;                  /* [1] .modinfo */
		sh[0] = 1; sh[0x18] = 128; sh[0x20] = sizeof(mi);
		sh = elf + 256 + 128;                 /* [2] .shstrtab */
		sh[0] = 10; sh[0x18] = 96; sh[0x20] = sizeof(shstr);
		ok(kmod_parse(elf, 448, &k) == 0 && streq(k.version, VER) && streq(k.license, "NVIDIA"),
		   "kmod_parse: an ELF file's .modinfo section, not a decoy string elsewhere");
		kmod_info_free(&k);
		elf[0x3c] = 200;                      /* section headers past the end */
		ok(kmod_parse(elf, 448, &k) == 0 && streq(k.version, "1.0"),
		   "kmod_parse: a broken ELF header falls back to scanning the bytes");
		kmod_info_free(&k);
	}
}

static void test_kmod_files(void)
{
	struct kmod_info k;
	char *path = NULL, *out = NULL;
	size_t out_len;

	new_root();
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia.ko", "NVIDIA", VER, K2, true, "xz");
	ok(kmod_find_nvidia(K2, &path) == 0 && streq(path, "/lib/modules/" K2 "/updates/dkms/nvidia.ko.xz"),
	   "kmod_find_nvidia: the xz module under updates/dkms");
	ok(path && kmod_read(path, &k) == 0 && k.is_signed && streq(k.version, VER),
	   "kmod_read: xz decompressed, signature seen inside");
	kmod_info_free(&k);
	free(path);
	path = NULL;
	put_module("/lib/modules/" K2 "/kernel/drivers/video/nvidia.ko", "NVIDIA", "535.1", K2, false, "zstd");
	ok(kmod_find_nvidia(K2, &path) == 0 && strstr(path, "/updates/"), "kmod_find_nvidia: updates/ preferred");
	free(path);
	path = NULL;
	ok(kmod_read("/lib/modules/" K2 "/kernel/drivers/video/nvidia.ko.zst", &k) == 0 && streq(k.version, "535.1"),
	   "kmod_read: zstd");
	kmod_info_free(&k);
	put_module("/lib/modules/" K1 "/extra/nvidia.ko", "Dual MIT/GPL", VER, K1, false, "gzip");
	ok(kmod_read("/lib/modules/" K1 "/extra/nvidia.ko.gz", &k) == 0 && k.open, "kmod_read: gzip, open");
	kmod_info_free(&k);
	put("/lib/modules/" K1 "/x.ko.xz", "not xz at all");
	ok(kmod_read("/lib/modules/" K1 "/x.ko.xz", &k) == -EINVAL, "kmod_read: garbage is -EINVAL");
	ok(kmod_read("/lib/modules/none.ko", &k) == -ENOENT, "kmod_read: missing is -ENOENT");
	ok(kmod_decompress("plain text", 10, 100, &out, &out_len) == -EINVAL,
	   "kmod_decompress: uncompressed bytes are -EINVAL");
	{
		_cleanup_free_ char *data = NULL, *p = xasprintf("%s/lib/modules/" K2 "/updates/dkms/nvidia.ko.xz", root);
		size_t len;

		ok(read_file(p, 1 << 20, &data, &len) == 0 && kmod_decompress(data, len, 16, &out, &out_len) == -EFBIG,
		   "kmod_decompress: past the bound is -EFBIG");
	}
	/* build/ is a symlink to the headers: not followed. */
	put_module("/usr/src/linux-headers-" K1 "/nvidia.ko", "NVIDIA", VER, K1, false, NULL);
	link_at("/lib/modules/" K1 "/build", "/usr/src/linux-headers-" K1);
	mkdir_at("/lib/modules/" K1 "/kernel");
	rm_at("/lib/modules/" K1 "/extra/nvidia.ko.gz");
	ok(kmod_find_nvidia(K1, &path) == -ENOENT, "kmod_find_nvidia: a module behind the build/ link is not found");
	ok(kmod_find_nvidia("../..", &path) == -EINVAL, "kmod_find_nvidia: a kernel name with a slash is -EINVAL");

	/* Merged /usr: /lib is a link, resolved inside the root. */
	new_root();
	put_module("/usr/lib/modules/" K2 "/updates/dkms/nvidia.ko", "NVIDIA", VER, K2, false, NULL);
	link_at("/lib", "usr/lib");
	ok(kmod_find_nvidia(K2, &path) == 0 && streq(path, "/lib/modules/" K2 "/updates/dkms/nvidia.ko"),
	   "kmod_find_nvidia: through a /lib -> usr/lib link");
	free(path);
}

static void test_newc(void)
{
	_cleanup_strbuf_ struct strbuf a = STRBUF_INIT;
	struct initramfs_info ii;
	size_t end = 0;

	strbuf_init(&a);
	newc_add(&a, 1, "etc/modprobe.d/x.conf", "blacklist nouveau\n");
	newc_end(&a);
	ok(newc_walk(a.buf, a.len, NULL, NULL, &end) == 0 && end == a.len, "newc_walk: ends after the zero padding");
	ok(newc_walk(a.buf, 200, NULL, NULL, &end) == -EINVAL, "newc_walk: truncated is -EINVAL");
	ok(initramfs_scan_mem(a.buf, a.len, &ii) == 0 && ii.segments == 1 && ii.blacklists_nouveau && !ii.has_nouveau,
	   "initramfs_scan_mem: an uncompressed archive alone");
	ok(initramfs_scan_mem("junk", 4, &ii) == -EINVAL, "initramfs_scan_mem: junk is -EINVAL");
	ok(modprobe_conf_blacklists_nouveau("# blacklist nouveau\n", 20) == false, "a commented blacklist does not count");
	ok(modprobe_conf_blacklists_nouveau("install nouveau /bin/false\n", 27), "install nouveau /bin/false counts");
	ok(!modprobe_conf_blacklists_nouveau("options nouveau modeset=0\n", 26), "options nouveau does not count");
}

static void test_driver(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };
	char *v = NULL;
	enum driver_flavour fl;

	ok(nvrm_version_parse(PROC_OPEN, &v, &fl) == 0 && streq(v, VER) && fl == FLAVOUR_OPEN,
	   "nvrm_version_parse: the open module's line");
	free(v);
	ok(nvrm_version_parse(PROC_PROP, &v, &fl) == 0 && streq(v, VER) && fl == FLAVOUR_PROPRIETARY,
	   "nvrm_version_parse: the proprietary module's line");
	free(v);
	ok(nvrm_version_parse("NVRM version: NVIDIA UNIX x86_64 Kernel Module\n 1.2", &v, &fl) == -EINVAL,
	   "nvrm_version_parse: no version on the line is -EINVAL");

	/* Nothing at all, detection failed. */
	new_root();
	run_driver(&ctx, &rep, NULL);
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_SKIP, "detection failed", NULL), "no det: driver.loaded skip");
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_SKIP, "libcuda.so.1: not found", NULL), "no det: libraries skip, lists the search");
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_SKIP, NULL, NULL), "no det: flavour skip");
	ok(has(&rep, "driver.device-nodes", NULL, DOCTOR_SKIP, NULL, NULL), "not loaded: device-nodes skip");
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_SKIP, "no NVIDIA driver", NULL), "no driver: nvidia-smi skip");
	ok(!ctx.driver_installed && !ctx.driver_version && ctx.driver_flavour == FLAVOUR_UNKNOWN,
	   "nothing installed: ctx says so");
	doctor_report_free(&rep);

	/* An Intel GPU only. */
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_INTEL, "i915", NULL, 0));
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_SKIP, "no NVIDIA GPU", NULL), "no NVIDIA GPU: loaded skip");
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_SKIP, "no NVIDIA GPU", NULL), "no NVIDIA GPU: nvidia-smi skip");
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_SKIP, "no NVIDIA GPU", NULL), "no NVIDIA GPU: flavour skip");
	doctor_report_free(&rep);

	/* An NVIDIA GPU and no driver. */
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nouveau", "Ampere", 86));
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_FAIL, "no driver is installed", "sudo gpu-setup driver"),
	   "GPU, no driver: loaded fail, fix installs it");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
	memset(&ctx, 0, sizeof(ctx));
	ctx.det = &det;
	ctx.db = db;
	ctx.is_root = true;
	doctor_check_driver(&ctx, &rep);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_SKIP, "no NVIDIA driver is installed", NULL),
	   "no driver: nvidia-smi is not even tried");
	doctor_report_free(&rep);

	/* A working driver. */
	put_loaded(PROC_PROP);
	put_libs(VER, VER);
	put_nodes(1);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86));
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_OK, VER ", proprietary flavour", NULL), "loaded ok with version and flavour");
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_OK, "nvidia/current/libcuda.so." VER, NULL),
	   "libraries ok, the alternatives chain followed");
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_OK, "Ampere", NULL), "proprietary on Ampere: flavour ok");
	ok(has(&rep, "driver.device-nodes", NULL, DOCTOR_OK, "/dev/nvidia0", NULL), "device nodes ok");
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_SKIP, "not run under --root", NULL),
	   "--root as a normal user: nvidia-smi skip");
	is_str(ctx.driver_version, VER, "ctx: driver_version is the loaded module's");
	ok(ctx.driver_flavour == FLAVOUR_PROPRIETARY && ctx.driver_installed, "ctx: proprietary, installed");
	doctor_report_free(&rep);

	/* Upgraded libraries, old module still loaded. */
	put_libs("570.144", VER);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86));
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_FAIL, "Driver/library version mismatch", "reboot"),
	   "libcuda 570.144 vs module " VER ": fail, reboot");
	ok(find(&rep, "driver.libraries", NULL) && strstr(find(&rep, "driver.libraries", NULL)->evidence, "570.144"),
	   "the mismatch quotes both versions");
	is_str(ctx.driver_version, VER, "ctx: the loaded version wins over libcuda's");
	doctor_report_free(&rep);
	new_root();
	put_loaded(PROC_PROP);
	put_libs(VER, "570.144");
	put_nodes(1);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86));
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_FAIL, "libnvidia-ml.so.1 is 570.144", "reboot"), "NVML mismatch: fail");
	doctor_report_free(&rep);
	new_root();
	put_loaded(PROC_PROP);
	put_libs(NULL, VER);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86));
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_FAIL, "CUDA programs cannot run", "libcuda1"),
	   "module loaded, no libcuda: fail");
	ok(has(&rep, "driver.device-nodes", NULL, DOCTOR_FAIL, "missing: /dev/nvidiactl /dev/nvidia0 /dev/nvidia-uvm",
	       "nvidia-uvm"), "no device nodes: fail naming them");
	doctor_report_free(&rep);
	new_root();
	put_loaded(PROC_PROP);
	put_libs(VER, NULL);
	put_nodes(1);
	rm_at("/dev/nvidia-uvm");
	run_driver(&ctx, &rep, with_gpus(2, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86));
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_WARN, "libnvidia-ml.so.1: not found", NULL), "no NVML: warn");
	ok(has(&rep, "driver.device-nodes", NULL, DOCTOR_FAIL, "missing: /dev/nvidia1 /dev/nvidia-uvm",
	       "sudo modprobe nvidia-uvm"), "two GPUs, one node, no uvm: fail");
	doctor_report_free(&rep);
	/* On the live system a plain file is not a device node. */
	put_nodes(2);
	run_driver(&ctx, &rep, with_gpus(2, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86));
	ok(has(&rep, "driver.device-nodes", NULL, DOCTOR_OK, NULL, NULL), "under --root plain files count");
	doctor_report_free(&rep);

	/* Flavour against the architecture. */
	new_root();
	put_loaded(PROC_OPEN);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Pascal", 61));
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_FAIL, "cannot drive Pascal", "proprietary flavour: sudo gpu-setup driver"),
	   "open module loaded on Pascal: fail");
	ok(ctx.driver_flavour == FLAVOUR_OPEN, "ctx: open flavour from /proc");
	doctor_report_free(&rep);
	put_loaded(PROC_PROP);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Blackwell", 120));
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_FAIL, "need the open modules", "open flavour"),
	   "proprietary module on Blackwell: fail");
	doctor_report_free(&rep);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", NULL, 0));
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_SKIP, "architecture", NULL), "unknown GPU: flavour skip");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
	memset(&ctx, 0, sizeof(ctx));
	ctx.det = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Pascal", 61);
	doctor_check_driver(&ctx, &rep);
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_SKIP, "compat data", NULL), "no compat db: flavour skip");
	doctor_report_free(&rep);

	/* The open module on Pascal never loads: flavour from the file. */
	new_root();
	put("/proc/sys/kernel/osrelease", K2 "\n");
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia.ko", "Dual MIT/GPL", VER, K2, true, NULL);
	put_libs("570.133.07", NULL);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "none", "Pascal", 61));
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_FAIL, "license=Dual MIT/GPL", "proprietary"),
	   "open module file for the running kernel on Pascal: fail");
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_FAIL, "although the driver is installed", "sudo modprobe nvidia"),
	   "installed, not loaded: fail, modprobe and the boot checks");
	ok(find(&rep, "driver.loaded", NULL) && strstr(find(&rep, "driver.loaded", NULL)->fix, "boot.secure-boot"),
	   "the not-loaded fix points at the boot checks");
	ok(has(&rep, "driver.libraries", NULL, DOCTOR_SKIP, "libcuda.so." VER, NULL), "not loaded: libraries skip, still listed");
	ok(ctx.driver_flavour == FLAVOUR_OPEN && ctx.driver_installed && ctx.driver_version &&
		   streq(ctx.driver_version, VER),
	   "ctx: flavour from the module file, version from libcuda");
	doctor_report_free(&rep);
	/* gpu-setup installed it and the machine has not rebooted since: the
	 * pending reboot is the reason, and modprobe no fix. */
	put("/var/lib/gpu-setup/reboot-required", "gpu-setup installed nvidia-driver-580: the new kernel module loads at "
						  "the next boot\n");
	set_mtime("/var/lib/gpu-setup/reboot-required", 1700000100);
	put("/proc/stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 9\n");
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "none", "Pascal", 61));
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_WARN, "a reboot is pending (gpu-setup installed nvidia-driver-580",
	       "reboot: the installed driver loads at the next boot"),
	   "installed, not loaded, reboot recorded after the boot: warn, reboot first");
	ok(reboot_pending(NULL), "reboot_pending: recorded after the last boot");
	doctor_report_free(&rep);
	put("/proc/stat", "cpu  1 2 3\nbtime 1700000200\nprocesses 9\n");
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "none", "Pascal", 61));
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_FAIL, "although the driver is installed", "sudo modprobe nvidia") &&
		   !reboot_pending(NULL),
	   "booted after the record: the reboot happened, the module still does not load: fail");
	doctor_report_free(&rep);
	/* A module only for another kernel still means installed. */
	new_root();
	put("/proc/sys/kernel/osrelease", K1 "\n");
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia.ko", "NVIDIA", VER, K2, false, NULL);
	run_driver(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "none", "Ampere", 86));
	ok(ctx.driver_installed && !ctx.driver_version && ctx.driver_flavour == FLAVOUR_UNKNOWN,
	   "ctx: a module for another kernel is installed, no version, flavour unknown");
	ok(has(&rep, "driver.loaded", NULL, DOCTOR_FAIL, "another kernel", "modprobe"), "module only for another kernel: fail");
	ok(has(&rep, "driver.flavour", NULL, DOCTOR_SKIP, "unknown", NULL), "flavour unknown: skip");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
}

static void test_nvidia_smi(void)
{
	struct doctor_report rep = { 0 };
	struct run_result rr;

	memset(&rr, 0, sizeof(rr));
	strbuf_init(&rr.out);
	strbuf_init(&rr.err);
	doctor_judge_nvidia_smi(&rep, -ENOENT, NULL);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_WARN, "not installed", "nvidia-smi"), "not installed: warn");
	doctor_report_free(&rep);
	rr.exit_status = 127;
	doctor_judge_nvidia_smi(&rep, 0, &rr);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_WARN, "not installed", NULL), "chroot's 127: warn");
	doctor_report_free(&rep);
	rr.exit_status = -1;
	rr.timed_out = 1;
	doctor_judge_nvidia_smi(&rep, 0, &rr);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_FAIL, "did not answer in 10 s", "Xid"), "timeout: fail");
	doctor_report_free(&rep);
	rr.timed_out = 0;
	rr.exit_status = 18;
	strbuf_adds(&rr.out, "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.144\n");
	doctor_judge_nvidia_smi(&rep, 0, &rr);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_FAIL, "version mismatch", "reboot"), "mismatch: fail, reboot");
	doctor_report_free(&rep);
	strbuf_reset(&rr.out);
	rr.exit_status = 9;
	strbuf_adds(&rr.out, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
			     "Make sure that the latest NVIDIA driver is installed and running.\n\n");
	doctor_judge_nvidia_smi(&rep, 0, &rr);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_FAIL, "exited with 9: NVIDIA-SMI has failed", NULL),
	   "other failure: fail quoting the last line");
	doctor_report_free(&rep);
	strbuf_reset(&rr.out);
	rr.exit_status = 0;
	strbuf_adds(&rr.out, "Sat Nov 22 10:00:00 2026\n+------+\n| NVIDIA-SMI " VER "             Driver Version: " VER
			     "     CUDA Version: 12.8     |\n|----|\n");
	doctor_judge_nvidia_smi(&rep, 0, &rr);
	ok(has(&rep, "driver.nvidia-smi", NULL, DOCTOR_OK,
	       "NVIDIA-SMI " VER " Driver Version: " VER " CUDA Version: 12.8", NULL),
	   "exit 0: ok quoting the driver and CUDA line");
	doctor_report_free(&rep);
	run_result_release(&rr);
}

static void run_boot(struct doctor_ctx *ctx, struct doctor_report *rep, const struct detect_report *d, bool deep)
{
	run_driver(ctx, rep, d);
	doctor_report_free(rep);
	ctx->deep = deep;
	doctor_check_boot(ctx, rep);
}

static void test_kernel_modules(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };
	const struct detect_report *d = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86);

	new_root();
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.kernel-modules", NULL, DOCTOR_SKIP, "no NVIDIA driver", NULL), "no driver: kernel-modules skip");
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_SKIP, "no NVIDIA driver", NULL), "no driver: nouveau skip");
	doctor_report_free(&rep);

	put("/proc/sys/kernel/osrelease", K2 "\n");
	put("/boot/vmlinuz-" K1, "");
	put("/boot/vmlinuz-" K2, "");
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia.ko", "NVIDIA", VER, K2, true, "xz");
	put_module("/usr/src/linux-headers-" K1 "/nvidia.ko", "NVIDIA", VER, K1, false, NULL);
	mkdir_at("/lib/modules/" K1 "/kernel");
	link_at("/lib/modules/" K1 "/build", "/usr/src/linux-headers-" K1);
	put_libs(VER, VER);
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.kernel-modules", K2, DOCTOR_OK,
	       "/lib/modules/" K2 "/updates/dkms/nvidia.ko.xz (compressed: its version is read with --deep)", NULL),
	   "the running kernel's compressed module: ok with its path, not decompressed without --deep");
	doctor_report_free(&rep);
	run_boot(&ctx, &rep, d, true);
	ok(has(&rep, "boot.kernel-modules", K2, DOCTOR_OK, "/lib/modules/" K2 "/updates/dkms/nvidia.ko.xz, version " VER, NULL),
	   "--deep: the running kernel's module with path and version");
	ok(has(&rep, "boot.kernel-modules", K1, DOCTOR_FAIL, "kernel " K1 " has no NVIDIA module (nvidia.ko)",
	       "sudo apt install linux-headers-" K1 " && sudo dkms autoinstall -k " K1),
	   "an older kernel without a module (the one behind build/ ignored): fail");
	doctor_report_free(&rep);

	put_module("/lib/modules/" K1 "/updates/dkms/nvidia.ko", "NVIDIA", "550.54.14", K1, false, "zstd");
	run_boot(&ctx, &rep, d, true);
	ok(has(&rep, "boot.kernel-modules", K1, DOCTOR_WARN, "550.54.14 but the user-space libraries are " VER,
	       "dkms autoinstall -k " K1),
	   "a module of another version than libcuda: warn");
	doctor_report_free(&rep);

	/* No /boot/vmlinuz-*: kernels from /lib/modules/<k>/kernel. */
	new_root();
	put_module("/lib/modules/" K2 "/kernel/drivers/video/nvidia.ko", "NVIDIA", VER, K2, false, NULL);
	mkdir_at("/lib/modules/" K1 "/updates");   /* leftover of a removed kernel */
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.kernel-modules", K2, DOCTOR_OK, "kernel/drivers/video/nvidia.ko", NULL) &&
		   !find(&rep, "boot.kernel-modules", K1),
	   "kernels from /lib/modules/*/kernel; a leftover directory is no kernel");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
}

static void test_nouveau(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };
	const struct detect_report *d = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86);

	new_root();
	put("/proc/sys/kernel/osrelease", K2 "\n");
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia.ko", "NVIDIA", VER, K2, false, NULL);
	put("/etc/modprobe.d/nvidia.conf", "blacklist nouveau\n");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_SKIP, "whether nouveau is loaded is unknown: there is no /sys/module",
	       NULL),
	   "blacklisted, but no /sys in the root: no word on whether it is loaded (skip)");
	doctor_report_free(&rep);
	rm_at("/etc/modprobe.d/nvidia.conf");
	/* A running kernel's sysfs from here on. */
	mkdir_at("/sys/module/snd");
	put("/etc/modprobe.d/alsa.conf", "# blacklist nouveau\noptions nouveau modeset=0\n");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_FAIL, "no 'blacklist nouveau'", "blacklist-nouveau.conf"),
	   "not blacklisted: fail, fix writes the blacklist");
	doctor_report_free(&rep);

	put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz quiet modprobe.blacklist=radeon,nouveau\n");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_OK, "blacklisted on /proc/cmdline", NULL), "cmdline blacklist: ok");
	doctor_report_free(&rep);
	put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz quiet\n");

	put("/usr/lib/modprobe.d/nvidia-installer.conf", "install nouveau /bin/false\n");
	put("/boot/initrd.img-" K2, "initramfs");
	set_mtime("/usr/lib/modprobe.d/nvidia-installer.conf", 1700000000);
	set_mtime("/boot/initrd.img-" K2, 1700000100);
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_OK, "blacklisted in /usr/lib/modprobe.d/nvidia-installer.conf", NULL),
	   "install nouveau /bin/false, initramfs newer: ok");
	doctor_report_free(&rep);

	put("/etc/modprobe.d/blacklist-nouveau.conf", "blacklist nouveau\n");
	set_mtime("/etc/modprobe.d/blacklist-nouveau.conf", 1700000200);
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_FAIL, "the initramfs was built before nouveau was blacklisted",
	       "sudo update-initramfs -u"),
	   "initramfs older than the newest blacklist file: fail");
	doctor_report_free(&rep);
	set_mtime("/boot/initrd.img-" K2, 1700000300);

	put("/sys/module/nouveau/refcnt", "0\n");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_FAIL, "nouveau is loaded now", "reboot"), "nouveau loaded: fail");
	doctor_report_free(&rep);
	rm_at("/sys/module/nouveau/refcnt");
	rm_at("/sys/module/nouveau");

	run_boot(&ctx, &rep, with_gpus(1, PCI_VENDOR_NVIDIA, "nouveau", "Ampere", 86), false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_FAIL, "nouveau drives the GPU at 0000:01:00.0", NULL),
	   "nouveau bound to the GPU: fail");
	doctor_report_free(&rep);

	/* --deep: the initramfs's contents. */
	d = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86);
	put_initramfs("/boot/initrd.img-" K2, true, false);
	set_mtime("/boot/initrd.img-" K2, 1700000300);
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_OK, NULL, NULL), "without --deep the contents are not read");
	doctor_report_free(&rep);
	run_boot(&ctx, &rep, d, true);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_FAIL, "(2 archives) holds nouveau.ko and no modprobe.d file",
	       "update-initramfs -u"),
	   "--deep: nouveau.ko in the zstd part, no blacklist there: fail");
	doctor_report_free(&rep);
	put_initramfs("/boot/initrd.img-" K2, true, true);
	set_mtime("/boot/initrd.img-" K2, 1700000300);
	run_boot(&ctx, &rep, d, true);
	ok(has(&rep, "boot.nouveau", NULL, DOCTOR_OK, "holds nouveau.ko and a modprobe.d file blacklisting it", NULL),
	   "--deep: the initramfs carries the blacklist: ok");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
}

static void put_sb(unsigned char value)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_init(&sb);
	strbuf_add(&sb, "\x06\0\0\0", 4);
	strbuf_addch(&sb, (char)value);
	put_bin(SB_VAR, &sb);
	strbuf_release(&sb);
}

static void test_secure_boot(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };
	const struct detect_report *d = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86);
	const char *mod = "/lib/modules/" K2 "/updates/dkms/nvidia.ko";

	new_root();
	put("/proc/sys/kernel/osrelease", K2 "\n");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_SKIP, "whether it booted with EFI is unknown", NULL),
	   "no /sys in the root: skip, not 'without EFI'");
	doctor_report_free(&rep);
	mkdir_at("/sys/module/snd");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_OK, "booted without EFI", NULL), "no EFI: ok");
	doctor_report_free(&rep);
	mkdir_at("/sys/firmware/efi/efivars");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_OK, "does not offer Secure Boot", NULL), "no SecureBoot variable: ok");
	doctor_report_free(&rep);
	put_sb(0);
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_OK, "Secure Boot is off", NULL), "Secure Boot off: ok");
	doctor_report_free(&rep);
	put_sb(1);
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_SKIP, "no nvidia.ko for the running kernel", NULL),
	   "Secure Boot on, no module: skip");
	doctor_report_free(&rep);
	put_module(mod, "NVIDIA", VER, K2, false, "zstd");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_FAIL, "is not signed", "mokutil --import"),
	   "Secure Boot on, unsigned module: fail");
	doctor_report_free(&rep);
	{
		_cleanup_free_ char *z = xasprintf("%s.zst", mod);

		rm_at(z);
	}
	put_module(mod, "NVIDIA", VER, K2, true, "zstd");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_OK, "is signed", NULL), "Secure Boot on, signed module: ok");
	doctor_report_free(&rep);
	put("/var/lib/dkms/mok.pub", "\x30\x82\x03\x0bDKMS-KEY-DER");
	put("/sys/firmware/efi/mok-variables/MokListRT", "\xa1\x59\xc0\xa5OTHER-KEY");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_FAIL, "signing key not enrolled", "mokutil --import /var/lib/dkms/mok.pub"),
	   "signed with a DKMS key MokListRT lacks: fail");
	doctor_report_free(&rep);
	put("/sys/firmware/efi/efivars/MokNew-605dab50-e046-4300-abb6-3dd810dd8b23", "\x07\0\0\0key");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_WARN, "enrollment is pending", "MokManager"),
	   "a pending enrollment: warn");
	doctor_report_free(&rep);
	rm_at("/sys/firmware/efi/efivars/MokNew-605dab50-e046-4300-abb6-3dd810dd8b23");
	put("/sys/firmware/efi/mok-variables/MokListRT", "\xa1\x59\xc0\xa5OTHER-KEY\x30\x82\x03\x0bDKMS-KEY-DER--");
	run_boot(&ctx, &rep, d, false);
	ok(has(&rep, "boot.secure-boot", NULL, DOCTOR_OK, "is signed", NULL), "the DKMS key enrolled: ok");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
}

/* Debian's packages install the module as nvidia-current.ko and load it
 * through modprobe.d: an absolute link into /etc/alternatives, then on to
 * /etc/nvidia (debian/nvidia-modprobe.conf.in, the alternatives their
 * postinst sets up). */
static void test_debian_module_names(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };
	const struct detect_report *d = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86);
	char **names;
	char *path = NULL;

	new_root();
	put("/proc/sys/kernel/osrelease", K2 "\n");
	put("/boot/vmlinuz-" K2, "");
	put("/etc/nvidia/current/nvidia-modprobe.conf",
	    "install nvidia modprobe -i nvidia-current $CMDLINE_OPTS\n"
	    "install nvidia-modeset modprobe nvidia ; modprobe -i nvidia-current-modeset $CMDLINE_OPTS\n"
	    "remove nvidia modprobe -r -i nvidia-drm nvidia-modeset nvidia-peermem nvidia-uvm nvidia\n"
	    "alias char-major-195* nvidia\n");
	link_at("/etc/nvidia/nvidia-modprobe.conf", "/etc/nvidia/current/nvidia-modprobe.conf");
	link_at("/etc/alternatives/glx--nvidia-modprobe.conf", "/etc/nvidia/nvidia-modprobe.conf");
	link_at("/etc/modprobe.d/nvidia.conf", "/etc/alternatives/glx--nvidia-modprobe.conf");
	names = kmod_nvidia_names();
	ok(names && names[0] && streq(names[0], "nvidia") && names[1] && streq(names[1], "nvidia-current") && !names[2],
	   "names: nvidia and nvidia-current, read through the links inside the root");
	strv_free(names);
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia-current.ko", "NVIDIA", VER, K2, false, NULL);
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia-current-modeset.ko", "NVIDIA", VER, K2, false, NULL);
	is_int(kmod_find_nvidia(K2, &path), 0, "kmod_find_nvidia finds Debian's module");
	is_str(path, "/lib/modules/" K2 "/updates/dkms/nvidia-current.ko", "nvidia-current.ko, not -modeset");
	free(path);
	put_libs(VER, VER);
	run_boot(&ctx, &rep, d, true);
	ok(has(&rep, "boot.kernel-modules", K2, DOCTOR_OK, "/lib/modules/" K2 "/updates/dkms/nvidia-current.ko, version " VER,
	       NULL),
	   "doctor: Debian's nvidia-current.ko is the kernel's module");
	doctor_report_free(&rep);
	/* Without the configuration the file is not the one modprobe loads. */
	unlink(path = xasprintf("%s/etc/modprobe.d/nvidia.conf", root));
	free(path);
	path = NULL;
	run_boot(&ctx, &rep, d, true);
	ok(has(&rep, "boot.kernel-modules", K2, DOCTOR_FAIL, "has no NVIDIA module (nvidia.ko)", NULL),
	   "without modprobe.d's line, nvidia-current.ko is not taken for nvidia");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
}

/* The names modprobe.d's lines give "nvidia", and which files match. */
static void test_modprobe_names(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "install nvidia modprobe -i nvidia-current $CMDLINE_OPTS\n", "nvidia-current" },
		{ "install nvidia /sbin/modprobe --ignore-install nvidia-tesla-470 $CMDLINE_OPTS\n", "nvidia-tesla-470" },
		{ "alias nvidia nvidia_current_open\n", "nvidia-current-open" },
		{ "install nvidia \\\n  modprobe -i nvidia-legacy-390xx\n", "nvidia-legacy-390xx" },
		{ "install nvidia modprobe -i nvidia-current;modprobe x\n", "nvidia-current" },
		{ "# install nvidia modprobe -i commented\n", "" },
		{ "install nvidia /bin/true\n", "" },
		{ "install nvidia-modeset modprobe nvidia ; modprobe -i nvidia-current-modeset\n", "" },
		{ "install nvidia modprobe -i $MODULE\n", "" },
		{ "alias nvidia ../../evil\n", "" },
		{ "alias pci:v000010DEd*sv*sd*bc03sc00i00* nvidia\n", "" },
		{ "blacklist nouveau\n", "" },
	};
	static const struct {
		const char *file;
		bool match;
	} files[] = {
		{ "nvidia.ko", true }, { "nvidia.ko.zst", true }, { "nvidia_current.ko.xz", true },
		{ "nvidia-current.ko.gz", true }, { "nvidia-current-modeset.ko", false }, { "nvidia.ko.bak", false },
		{ "nvidia", false }, { ".ko", false }, { "nvidia-uvm.ko", false },
	};
	char *const names[] = { "nvidia", "nvidia-current", NULL };

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		char **got = NULL;
		size_t n = 0;

		modprobe_conf_nvidia_names(cases[i].text, strlen(cases[i].text), &got, &n);
		is_str(n == 1 ? got[0] : n == 0 ? "" : "(several)", cases[i].want, "modprobe.d line %zu", i + 1);
		strv_free(got);
	}
	for (size_t i = 0; i < ELEMENTSOF(files); i++)
		is_int(kmod_is_nvidia_file(files[i].file, names), files[i].match, "%s %s", files[i].file,
		       files[i].match ? "is the module" : "is not");
	is_str(kernel_flavour("6.8.0-99-generic"), "generic", "kernel flavour: Ubuntu");
	is_str(kernel_flavour("6.1.0-57-cloud-amd64"), "cloud-amd64", "kernel flavour: Debian cloud");
	is_str(kernel_flavour("6.12.48+deb13-amd64"), "amd64", "kernel flavour: Debian 13");
	is_str(kernel_flavour("6.12.12+bpo-cloud-amd64"), "cloud-amd64", "kernel flavour: Debian backports");
	ok(kernel_flavour("6.12.1") == NULL && kernel_flavour("linux") == NULL && kernel_flavour("6.1-rc1-x") == NULL,
	   "kernel flavour: none for a kernel built by hand");
}

/* The next kernel apt brings gets a module when the flavour's metapackage
 * is installed: the prebuilt modules' on Ubuntu, the headers' for DKMS. */
static void dpkg_status(const char *const *pkgs)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	strbuf_init(&sb);
	for (const char *const *p = pkgs; *p; p++)
		strbuf_addf(&sb, "Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1\n\n", *p);
	put("/var/lib/dpkg/status", sb.buf);
}

static void test_next_kernels(void)
{
	struct doctor_ctx ctx = { 0 };
	struct doctor_report rep = { 0 };
	const struct detect_report *d = with_gpus(1, PCI_VENDOR_NVIDIA, "nvidia", "Ampere", 86);
#define KU "6.8.0-99-generic"

	new_root();
	put("/proc/sys/kernel/osrelease", KU "\n");
	put("/boot/vmlinuz-" KU, "");
	put_module("/lib/modules/" KU "/kernel/nvidia-580-open/nvidia.ko", "Dual MIT/GPL", VER, KU, true, NULL);
	put_libs(VER, VER);
	run_boot(&ctx, &rep, d, false);
	ok(!find(&rep, "boot.kernel-modules", "next kernels"), "no dpkg status: nothing said of the next kernels");
	doctor_report_free(&rep);

	dpkg_status((const char *const[]){ "linux-image-generic-hwe-24.04", "linux-modules-nvidia-580-open-" KU, NULL });
	run_boot(&ctx, &rep, d, false);
	expect(&rep, "boot.kernel-modules", "next kernels", DOCTOR_WARN,
	       "linux-modules-nvidia-580-open-generic-hwe-24.04 is not installed",
	       "sudo apt install linux-modules-nvidia-580-open-generic-hwe-24.04",
	       "prebuilt modules for the running kernel only");
	doctor_report_free(&rep);
	dpkg_status((const char *const[]){ "linux-image-generic-hwe-24.04", "linux-modules-nvidia-580-open-" KU,
					   "linux-modules-nvidia-580-open-generic-hwe-24.04", NULL });
	run_boot(&ctx, &rep, d, false);
	expect(&rep, "boot.kernel-modules", "next kernels", DOCTOR_OK, "follow linux-image-generic-hwe-24.04", NULL,
	       "the modules' metapackage installed");
	doctor_report_free(&rep);

	/* DKMS on Debian. */
	new_root();
	put("/proc/sys/kernel/osrelease", K2 "\n");
	put("/boot/vmlinuz-" K2, "");
	put_module("/lib/modules/" K2 "/updates/dkms/nvidia.ko", "NVIDIA", VER, K2, false, NULL);
	put_libs(VER, VER);
	dpkg_status((const char *const[]){ "linux-image-amd64", "linux-headers-" K2, "nvidia-kernel-dkms", NULL });
	run_boot(&ctx, &rep, d, false);
	expect(&rep, "boot.kernel-modules", "next kernels", DOCTOR_WARN, "linux-headers-amd64 is not installed",
	       "sudo apt install linux-headers-amd64", "DKMS without the headers' metapackage");
	doctor_report_free(&rep);
	dpkg_status((const char *const[]){ "linux-image-amd64", "linux-headers-amd64", "linux-headers-" K2, NULL });
	run_boot(&ctx, &rep, d, false);
	expect(&rep, "boot.kernel-modules", "next kernels", DOCTOR_OK, "linux-headers-amd64 is installed", NULL,
	       "DKMS with the headers' metapackage");
	doctor_report_free(&rep);
	dpkg_status((const char *const[]){ "linux-headers-" K2, NULL });
	run_boot(&ctx, &rep, d, false);
	expect(&rep, "boot.kernel-modules", "next kernels", DOCTOR_SKIP, "no linux-image metapackage of the amd64 kernels",
	       NULL, "kernels installed by hand");
	doctor_report_free(&rep);
	doctor_ctx_release(&ctx);
#undef KU
}

int main(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	if (!mkdtemp(tmpl))
		return done_testing();
	if (!ok(compat_db_load(ABS_TOP_SRCDIR "/compat", &db, &err) == 0, "compat data loads"))
		printf("# %s\n", err.buf);
	test_kmod_parse();
	test_kmod_files();
	test_newc();
	test_driver();
	test_nvidia_smi();
	test_kernel_modules();
	test_modprobe_names();
	test_debian_module_names();
	test_next_kernels();
	test_nouveau();
	test_secure_boot();
	compat_db_free(db);
	free(root);
	sysroot_set(NULL);
	testroot_remove(tmpl);
	return done_testing();
}
