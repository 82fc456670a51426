/* Unit tests: a machine described by `detect --json` ("system": os-release,
 * kernel, driver, apt's sources, keyrings and packages, read from a
 * scratch tree) and read back by target_load_json: the same GPUs,
 * distribution, driver and kernel as target_load on that tree, the same
 * apt files byte for byte; bad descriptions refused with their exit codes. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt-target.h"
#include "exit-codes.h"
#include "fileio.h"
#include "sysroot.h"
#include "system-describe.h"
#include "tap.h"
#include "target.h"
#include "testroot.h"
#include "util.h"

/* What the command line would name: the dump detection reads, and
 * --gpu-only. */
static const char *opt_dump;
static const char *opt_gpu_only[1];
static size_t opt_ngpu_only;

/* The target options the cli would fill from those. */
static const struct target_options *cli_opts(void)
{
	static struct target_options o;

	o = (struct target_options){
		.detect = { .pci = { .kind = PCI_SOURCE_DUMP, .path = opt_dump }, .compat_dir = ABS_TOP_SRCDIR "/compat" },
		.compat_dir = ABS_TOP_SRCDIR "/compat", .gpu_only = opt_gpu_only, .ngpu_only = opt_ngpu_only,
	};
	return &o;
}

static char root[] = "/tmp/gs-target-json-XXXXXX";
static char bare[] = "/tmp/gs-target-json-bare-XXXXXX";
static char work[] = "/tmp/gs-target-json-work-XXXXXX";

#define DUMP(name) ABS_TOP_SRCDIR "/tests/fixtures/pci/" name ".dump"

static const char status_text[] =
	"Package: dpkg\nStatus: install ok installed\nPriority: required\nArchitecture: amd64\n"
	"Version: 1.21.22\nDescription: Debian package management system\n This package provides\n .\n more\n\n"
	"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 2.36-9+deb12u4\n\n"
	"Package: libc6\nStatus: install ok installed\nArchitecture: i386\nMulti-Arch: same\nVersion: 2.36-9+deb12u4\n\n"
	"Package: old-thing\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0\n\n"
	"Package: held\nStatus: hold ok installed\nArchitecture: all\nVersion: 3:2.0-1\n\n"
	"Package: half\nStatus: install ok half-installed\nArchitecture: amd64\nVersion: 1\n\n"
	"Package: noversion\nStatus: install ok installed\nArchitecture: amd64\n\n"
	"Package: nvidia-kernel-dkms\nStatus: install ok installed\nArchitecture: amd64\nVersion: 535.183.01-1";

static const char sources_list[] =
	"# deb [signed-by=/usr/share/keyrings/commented.gpg] http://example.org/x bookworm main\n"
	"deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main\n"
	"deb-src [ signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://deb.debian.org/debian bookworm main\n"
	"deb http://security.debian.org/debian-security bookworm-security main # no key named\n"
	"deb [signed-by=/usr/share/keyrings/missing.gpg] http://example.org/gone bookworm main\n";

static const char nvidia_sources[] =
	"# NVIDIA's repository\n"
	"Types: deb\nURIs: https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/\n"
	"Suites: /\nSigned-By: /etc/apt/keyrings/cuda-archive-keyring.gpg\n\n"
	"Types: deb\nURIs: http://example.org/inline\nSuites: bookworm\nComponents: main\nSigned-By:\n"
	" -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBGTbHIMBEAD/notakey\n -----END PGP PUBLIC KEY BLOCK-----\n\n"
	"Types: deb\nURIs: http://example.org/fpr\nSuites: bookworm\nComponents: main\n"
	"signed-by: 0123456789ABCDEF0123456789ABCDEF01234567\n";

/* Keyring bytes: binary, of every length modulo 3 (base64's padding). */
static void fill_key(unsigned char *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 131u + seed * 7u) ^ (i >> 3));
}

static void make_tree(void)
{
	unsigned char key[300];

	testroot_puts(root, "/etc/os-release",
		      "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"
		      "VERSION_CODENAME=bookworm\n");
	testroot_puts(root, "/proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
	testroot_puts(root, "/sys/module/nvidia/version", "535.183.01\n");
	testroot_puts(root, "/proc/driver/nvidia/version",
		      "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  535.183.01  Release Build\n");
	testroot_puts(root, "/var/lib/dpkg/status", status_text);
	testroot_puts(root, "/etc/apt/sources.list", sources_list);
	testroot_puts(root, "/etc/apt/sources.list.d/nvidia.sources", nvidia_sources);
	testroot_puts(root, "/etc/apt/sources.list.d/skipped.list.save", "deb http://example.org/save x main\n");
	testroot_puts(root, "/etc/apt/sources.list.d/bad~name.list", "deb http://example.org/tilde x main\n");
	testroot_puts(root, "/etc/apt/sources.list.d/zz-empty.list", "");
	fill_key(key, 257, 1);
	testroot_put(root, "/usr/share/keyrings/debian-archive-keyring.gpg", key, 257);
	fill_key(key, 256, 2);
	testroot_put(root, "/etc/apt/keyrings/cuda-archive-keyring.gpg", key, 256);
	fill_key(key, 255, 3);
	testroot_put(root, "/etc/apt/trusted.gpg", key, 255);
	testroot_puts(root, "/etc/apt/trusted.gpg.d/local.asc",
		      "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ\n-----END PGP PUBLIC KEY BLOCK-----\n");
	testroot_put(root, "/etc/apt/trusted.gpg.d/empty.gpg", "", 0);
	testroot_puts(root, "/etc/apt/trusted.gpg.d/notes.txt", "not a keyring\n");
	/* Debian's trusted.gpg.d entries are links into /usr/share/keyrings:
	 * followed inside the root. */
	testroot_puts(root, "/usr/share/keyrings/linked.asc", "linked key\n");
	{
		_cleanup_free_ char *link = xasprintf("%s/etc/apt/trusted.gpg.d/linked.asc", root);

		ok(symlink("/usr/share/keyrings/linked.asc", link) == 0, "tree: a keyring link");
	}
}

static const struct system_file *find_file(const struct system_file *f, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (streq(f[i].path, path))
			return &f[i];
	return NULL;
}

static void test_parsers(void)
{
	struct system_package *p;
	char **paths = NULL;
	size_t n = 0;

	dpkg_status_installed(status_text, strlen(status_text), &p, &n);
	is_int(n, 5, "status: the installed packages (held ones too; removed, half-installed, versionless not)");
	ok(n == 5 && streq(p[0].name, "dpkg") && streq(p[0].arch, "amd64") && streq(p[0].version, "1.21.22"),
	   "status: dpkg's fields, past a multi-line Description");
	ok(n == 5 && streq(p[1].name, "libc6") && streq(p[2].name, "libc6") && streq(p[2].arch, "i386"),
	   "status: a Multi-Arch: same package once per architecture");
	ok(n == 5 && streq(p[3].name, "held") && streq(p[3].version, "3:2.0-1") &&
	   streq(p[4].name, "nvidia-kernel-dkms"),
	   "status: epochs kept; the last stanza needs no blank line after it");
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].version);
		free(p[i].arch);
	}
	free(p);

	n = 0;
	apt_sources_keyrings(sources_list, false, &paths, &n);
	ok(n == 2 && streq(paths[0], "/usr/share/keyrings/debian-archive-keyring.gpg") &&
	   streq(paths[1], "/usr/share/keyrings/missing.gpg"),
	   "one-line: signed-by options, once each, comments ignored");
	apt_sources_keyrings(nvidia_sources, true, &paths, &n);
	ok(n == 3 && streq(paths[2], "/etc/apt/keyrings/cuda-archive-keyring.gpg"),
	   "deb822: Signed-By paths added; an inline key and a fingerprint are no files");
	apt_sources_keyrings("deb [signed-by=/a.gpg,/b.gpg trusted=yes] http://x y z\n"
			     "Signed-By: /c.gpg\n",
			     false, &paths, &n);
	ok(n == 5 && streq(paths[3], "/a.gpg") && streq(paths[4], "/b.gpg"),
	   "one-line: a comma list; a deb822 field in a .list file is nothing");
	apt_sources_keyrings("Types: deb\nSigned-By: /d.gpg\n /e.gpg\n", true, &paths, &n);
	ok(n == 7 && streq(paths[5], "/d.gpg") && streq(paths[6], "/e.gpg"), "deb822: a value on continuation lines");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static void test_describe(void)
{
	struct system_description s;
	const struct system_file *f;
	unsigned char key[300];

	sysroot_set(root);
	system_describe(&s);
	sysroot_set(NULL);
	ok(s.have_os && streq(s.os.distro, "debian-12") && streq(s.os.codename, "bookworm"), "describe: os-release");
	is_str(s.kernel, "6.1.0-18-amd64", "describe: the kernel from the tree's /proc");
	ok(s.driver && streq(s.driver, "535.183.01") && s.flavour == FLAVOUR_OPEN, "describe: the loaded driver, open");
	ok(s.have_apt && s.apt.have_packages && s.apt.npackages == 5, "describe: apt and dpkg's installed packages");
	is_str(s.apt.arch, "amd64", "describe: the architecture of dpkg itself");
	is_int(s.apt.nsources, 3, "describe: sources.list and the .list/.sources files apt reads");
	ok(s.apt.nsources == 3 && streq(s.apt.sources[0].path, "/etc/apt/sources.list") &&
	   streq(s.apt.sources[1].path, "/etc/apt/sources.list.d/nvidia.sources") &&
	   streq(s.apt.sources[2].path, "/etc/apt/sources.list.d/zz-empty.list"),
	   "describe: in apt's order, *.save and odd names left out");
	is_int(s.apt.nkeys, 6, "describe: the keyrings named and apt's trusted ones (a missing one left out)");
	f = find_file(s.apt.keys, s.apt.nkeys, "/usr/share/keyrings/debian-archive-keyring.gpg");
	fill_key(key, 257, 1);
	ok(f && f->len == 257 && memcmp(f->data, key, 257) == 0, "describe: a signed-by keyring, as bytes");
	ok(find_file(s.apt.keys, s.apt.nkeys, "/etc/apt/keyrings/cuda-archive-keyring.gpg") &&
	   find_file(s.apt.keys, s.apt.nkeys, "/etc/apt/trusted.gpg") &&
	   find_file(s.apt.keys, s.apt.nkeys, "/etc/apt/trusted.gpg.d/empty.gpg") &&
	   !find_file(s.apt.keys, s.apt.nkeys, "/etc/apt/trusted.gpg.d/notes.txt"),
	   "describe: Signed-By, trusted.gpg and trusted.gpg.d/*.gpg, not other names");
	f = find_file(s.apt.keys, s.apt.nkeys, "/etc/apt/trusted.gpg.d/linked.asc");
	ok(f && f->len == 11 && memcmp(f->data, "linked key\n", 11) == 0, "describe: a link followed inside the root");
	system_description_free(&s);

	/* A dpkg arch file, when the status lacks dpkg itself. */
	sysroot_set(bare);
	testroot_puts(bare, "/etc/apt/sources.list", "");
	testroot_puts(bare, "/var/lib/dpkg/arch", "arm64\ni386\n");
	system_describe(&s);
	ok(s.have_apt && !s.apt.have_packages && streq(s.apt.arch, "arm64") && s.apt.nkeys == 0,
	   "describe: no status: no packages, the architecture from /var/lib/dpkg/arch");
	system_description_free(&s);
	sysroot_set(NULL);
	testroot_remove(bare);
	mkdir(bare, 0700);
}

/* gpu-setup detect --json on the tree into path; detect exits with code. */
static bool describe_with_program(const char *tree, const char *dump, const char *path, int code)
{
	const char *const argv[] = { ABS_TOP_BUILDDIR "/gpu-setup", "--root", tree, "--pci-dump", dump,
				     "--json", "detect", NULL };
	struct run_result rr;
	bool good;

	if (run_command(argv, NULL, 60000, &rr) < 0)
		return false;
	good = rr.exit_status == code && write_file_atomic(path, rr.out.buf, rr.out.len, 0644) == 0;
	if (!good)
		printf("# gpu-setup detect: %d %s\n", rr.exit_status, rr.err.buf);
	run_result_release(&rr);
	return good;
}

static struct json_object *member(struct json_object *o, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = json_object_is_type(o, json_type_array) ? json_object_array_get_idx(o, (size_t)atoi(k))
							    : json_object_object_get(o, k);
	return o;
}

static const char *member_str(struct json_object *o, const char *path)
{
	struct json_object *v = member(o, path);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void test_json(const char *file)
{
	struct json_object *doc = json_object_from_file(file);
	const char *const check[] = { "python3", "-c", "import json,sys; json.load(open(sys.argv[1]))", file, NULL };
	struct run_result rr;

	ok(doc != NULL, "detect --json: parses");
	is_str(member_str(doc, "system.os.id"), "debian", "json: system.os.id");
	is_str(member_str(doc, "system.os.version_codename"), "bookworm", "json: system.os.version_codename");
	is_str(member_str(doc, "system.distro"), "debian-12", "json: system.distro");
	is_str(member_str(doc, "system.kernel"), "6.1.0-18-amd64", "json: system.kernel");
	is_str(member_str(doc, "system.driver.version"), "535.183.01", "json: system.driver.version");
	is_str(member_str(doc, "system.driver.flavour"), "open", "json: system.driver.flavour");
	is_str(member_str(doc, "system.apt.arch"), "amd64", "json: system.apt.arch");
	is_str(member_str(doc, "system.apt.sources.1.path"), "/etc/apt/sources.list.d/nvidia.sources",
	       "json: system.apt.sources[1].path");
	is_str(member_str(doc, "system.apt.sources.1.text"), nvidia_sources, "json: the sources text as it is");
	is_str(member_str(doc, "system.apt.keys.0.path"), "/usr/share/keyrings/debian-archive-keyring.gpg",
	       "json: the first key is the first signed-by");
	is_str(member_str(doc, "system.apt.packages.2.arch"), "i386", "json: packages[2].arch");
	is_str(member_str(doc, "gpus.0.prog_if"), "00", "json: a GPU's prog_if");
	json_object_put(doc);
	if (run_command(check, NULL, 60000, &rr) == 0) {
		ok(rr.exit_status == 0, "json: python's json module reads it too");
		run_result_release(&rr);
	}
}

static void test_round_trip(const char *file)
{
	struct target here, there;
	struct apt_target_spec spec;
	struct system_description s;
	int code;

	sysroot_set(root);
	opt_dump = DUMP("h100");
	code = target_load(&here, cli_opts());
	system_describe(&s);
	sysroot_set(NULL);
	is_int(code, EXIT_OK, "target_load on the tree");
	is_int(target_load_json(file, &there, cli_opts()), EXIT_OK, "target_load_json on its description");
	ok(there.described && there.have_rep, "the description is kept");
	is_int(there.ngpus, here.ngpus, "the same number of NVIDIA GPUs (the ASPEED BMC left out)");
	for (size_t i = 0; i < here.ngpus && i < there.ngpus; i++) {
		ok(there.gpus[i].device_id == here.gpus[i].device_id && streq(there.addrs[i], here.addrs[i]) &&
		   there.gpus[i].cc == here.gpus[i].cc && there.gpus[i].cc == 90 &&
		   streq(there.gpus[i].arch, here.gpus[i].arch) && streq(there.labels[i], here.labels[i]),
		   "GPU %zu: id, address, architecture %s, compute capability, label", i, there.gpus[i].arch);
		ok(there.pci[i]->has_info && there.pci[i]->subsys_id == here.pci[i]->subsys_id &&
		   there.pci[i]->class_id == here.pci[i]->class_id && there.pci[i]->prog_if == here.pci[i]->prog_if,
		   "GPU %zu: its PCI facts", i);
	}
	is_int(there.rep.pci.ngpus, here.rep.pci.ngpus, "every display device, NVIDIA or not");
	is_int(there.rep.pci.hybrid, here.rep.pci.hybrid, "hybrid graphics alike");
	ok(there.distro && there.distro == compat_find_distro(there.db, "debian-12") && streq(there.os.codename, "bookworm"),
	   "the distribution");
	ok(there.installed && streq(there.installed, here.installed) &&
	   there.installed_flavour == here.installed_flavour, "the loaded driver and its flavour");
	is_str(there.kernel, "6.1.0-18-amd64", "the kernel");
	{
		/* One entry point: target_load given the description (fetch
		 * --for FILE) reads it as target_load_json does. */
		struct target_options o = *cli_opts();
		struct target via;

		o.described = file;
		is_int(target_load(&via, &o), EXIT_OK, "target_load with a description reads it");
		ok(via.described && via.ngpus == there.ngpus && via.distro && streq(via.distro->id, there.distro->id) && via.kernel &&
		   streq(via.kernel, there.kernel), "the same machine as target_load_json reads, not this one");
		target_free(&via);
	}
	ok(here.kernel == NULL && target_apt_spec(&here, &spec) == -ENODATA,
	   "this machine's target has no description");

	is_int(target_apt_spec(&there, &spec), 0, "target_apt_spec");
	is_str(spec.arch, s.apt.arch, "apt: architecture");
	is_int(spec.nsources, s.apt.nsources, "apt: as many sources");
	for (size_t i = 0; i < spec.nsources && i < s.apt.nsources; i++)
		ok(streq(spec.sources[i].path, s.apt.sources[i].path) && spec.sources[i].len == s.apt.sources[i].len &&
		   memcmp(spec.sources[i].data, s.apt.sources[i].data, spec.sources[i].len) == 0,
		   "apt: source %s, byte for byte", spec.sources[i].path);
	is_int(spec.nkeys, s.apt.nkeys, "apt: as many keys");
	for (size_t i = 0; i < spec.nkeys && i < s.apt.nkeys; i++)
		ok(streq(spec.keys[i].path, s.apt.keys[i].path) && spec.keys[i].len == s.apt.keys[i].len &&
		   memcmp(spec.keys[i].data, s.apt.keys[i].data, spec.keys[i].len) == 0,
		   "apt: key %s (%zu bytes), byte for byte", spec.keys[i].path, spec.keys[i].len);
	is_int(spec.npackages, s.apt.npackages, "apt: as many packages");
	for (size_t i = 0; i < spec.npackages && i < s.apt.npackages; i++)
		ok(streq(spec.packages[i].name, s.apt.packages[i].name) &&
		   streq(spec.packages[i].version, s.apt.packages[i].version) &&
		   streq(spec.packages[i].arch, s.apt.packages[i].arch),
		   "apt: package %s:%s", spec.packages[i].name, spec.packages[i].arch);
	target_apt_spec_release(&spec);
	system_description_free(&s);
	target_free(&here);
	target_free(&there);

	/* --gpu-only selects in a description as on the machine. */
	opt_gpu_only[0] = "41:00.0";
	opt_ngpu_only = 1;
	ok(target_load_json(file, &there, cli_opts()) == EXIT_OK && there.ngpus == 1, "--gpu-only 41:00.0 selects the H100");
	target_free(&there);
	opt_gpu_only[0] = "61:00.0";
	is_int(target_load_json(file, &there, cli_opts()), EXIT_USAGE, "--gpu-only at the BMC's address is a usage error");
	target_free(&there);
	opt_ngpu_only = 0;
}

/* file with doc's member at path (a.b.c) set to v (NULL: removed). */
static void write_changed(const char *file, const char *out, const char *path, struct json_object *v)
{
	struct json_object *doc = json_object_from_file(file);
	_cleanup_free_ char *parent = xstrdup(path);
	char *dot = strrchr(parent, '.');
	struct json_object *o = doc;

	if (dot) {
		*dot = '\0';
		o = member(doc, parent);
	}
	if (!v)
		json_object_object_del(o, dot ? dot + 1 : parent);
	else if (json_object_is_type(o, json_type_array))
		json_object_array_put_idx(o, (size_t)atoi(dot + 1), v);
	else
		json_object_object_add(o, dot ? dot + 1 : parent, v);
	json_object_to_file(out, doc);
	json_object_put(doc);
}

static void expect_code(const char *file, int want, const char *what)
{
	struct target t;

	is_int(target_load_json(file, &t, cli_opts()), want, "%s", what);
	target_free(&t);
}

static void test_bad(const char *good)
{
	_cleanup_free_ char *bad = xasprintf("%s/bad.json", work);
	_cleanup_free_ char *nvless = xasprintf("%s/amd.json", work);

	expect_code("/nonexistent/target.json", EXIT_BAD_INPUT, "a missing file");
	testroot_puts(work, "/bad.json", "GPUs (1, 1 NVIDIA):\n");
	expect_code(bad, EXIT_BAD_INPUT, "detect's text report is not JSON");
	testroot_puts(work, "/bad.json", "{\"schema_version\": 1, \"gpus\": [");
	expect_code(bad, EXIT_BAD_INPUT, "a truncated document");
	testroot_puts(work, "/bad.json", "{\"schema_version\": 1} {}");
	expect_code(bad, EXIT_BAD_INPUT, "text after the object");
	testroot_puts(work, "/bad.json", "[1, 2]");
	expect_code(bad, EXIT_BAD_INPUT, "an array");
	write_changed(good, bad, "system", NULL);
	expect_code(bad, EXIT_BAD_INPUT, "no system member (an older gpu-setup)");
	write_changed(good, bad, "schema_version", json_object_new_int(2));
	expect_code(bad, EXIT_BAD_INPUT, "schema_version 2");
	write_changed(good, bad, "system", json_object_new_string("debian"));
	expect_code(bad, EXIT_BAD_INPUT, "system is a string");
	write_changed(good, bad, "gpus.0.device_id", json_object_new_int(2331));
	expect_code(bad, EXIT_BAD_INPUT, "a device id that is a number");
	write_changed(good, bad, "gpus.0.device_id", json_object_new_string("23g1"));
	expect_code(bad, EXIT_BAD_INPUT, "a device id that is not hex");
	write_changed(good, bad, "gpus.0.address", json_object_new_string("41:00.0"));
	expect_code(bad, EXIT_BAD_INPUT, "a short PCI address");
	write_changed(good, bad, "gpus.0", json_object_new_int(1));
	expect_code(bad, EXIT_BAD_INPUT, "a GPU that is not an object");
	write_changed(good, bad, "system.os.id", json_object_new_int(12));
	expect_code(bad, EXIT_BAD_INPUT, "an os id that is a number");
	write_changed(good, bad, "system.os", NULL);
	expect_code(bad, EXIT_BAD_INPUT, "no os (no os-release there)");
	write_changed(good, bad, "system.distro", json_object_new_string("plan9-4"));
	expect_code(bad, EXIT_BAD_INPUT, "a distro that is not os's ID-VERSION_ID");
	{
		_cleanup_free_ char *bad2 = xasprintf("%s.2", bad);
		struct json_object *os = json_object_new_object();

		json_object_object_add(os, "id", json_object_new_string("plan9"));
		json_object_object_add(os, "version_id", json_object_new_string("4"));
		write_changed(good, bad, "system.distro", json_object_new_string("plan9-4"));
		write_changed(bad, bad2, "system.os", os);
		expect_code(bad2, EXIT_FAILED, "a distribution gpu-setup does not support, as target_load says");
		unlink(bad2);
	}
	{
		_cleanup_free_ char *bad2 = xasprintf("%s.2", bad);
		struct json_object *os = json_object_new_object();
		struct target t;

		json_object_object_add(os, "id", json_object_new_string("linuxmint"));
		json_object_object_add(os, "version_id", json_object_new_string("22"));
		json_object_object_add(os, "id_like", json_object_new_string("ubuntu debian"));
		json_object_object_add(os, "ubuntu_codename", json_object_new_string("noble"));
		write_changed(good, bad, "system.distro", json_object_new_string("linuxmint-22"));
		write_changed(bad, bad2, "system.os", os);
		is_int(target_load_json(bad2, &t, cli_opts()), EXIT_OK, "a described Linux Mint 22 loads");
		ok(t.distro && streq(t.distro->id, "ubuntu-24.04") && t.match.kind == DISTRO_DERIVATIVE,
		   "and is planned as Ubuntu 24.04, its base");
		target_free(&t);
		unlink(bad2);
	}
	write_changed(good, bad, "system.kernel", json_object_new_boolean(1));
	expect_code(bad, EXIT_BAD_INPUT, "a kernel that is not a string");
	write_changed(good, bad, "system.driver.flavour", json_object_new_string("closed"));
	expect_code(bad, EXIT_BAD_INPUT, "an unknown driver flavour");
	write_changed(good, bad, "system.apt.keys.0.base64", json_object_new_string("AAA*"));
	expect_code(bad, EXIT_BAD_INPUT, "a key that is not base64");
	write_changed(good, bad, "system.apt.keys.0.path", json_object_new_string("/etc/apt/../../x.gpg"));
	expect_code(bad, EXIT_BAD_INPUT, "a key path with ..");
	write_changed(good, bad, "system.apt.sources", json_object_new_object());
	expect_code(bad, EXIT_BAD_INPUT, "sources that are not an array");
	write_changed(good, bad, "system.apt.packages.0.version", NULL);
	expect_code(bad, EXIT_BAD_INPUT, "a package without a version");
	ok(describe_with_program(root, DUMP("amd-only"), nvless, EXIT_NO_NVIDIA), "detect --json of a machine with an AMD GPU");
	expect_code(nvless, EXIT_NO_NVIDIA, "no NVIDIA GPU there");
}

static void test_without_apt(void)
{
	_cleanup_free_ char *file = xasprintf("%s/bare.json", work);
	struct json_object *doc;
	struct apt_target_spec spec;
	struct target t;

	ok(describe_with_program(bare, DUMP("two-identical"), file, EXIT_OK), "detect --json on an empty tree");
	doc = json_object_from_file(file);
	ok(doc && json_object_object_get_ex(member(doc, "system"), "os", NULL) && !member(doc, "system.os") &&
	   !member(doc, "system.distro") && !member(doc, "system.kernel") && !member(doc, "system.driver.version") &&
	   !member(doc, "system.driver.flavour") && json_object_object_get_ex(member(doc, "system"), "apt", NULL) &&
	   !member(doc, "system.apt"),
	   "no os-release, kernel, driver or apt there: null members");
	json_object_put(doc);
	expect_code(file, EXIT_BAD_INPUT, "such a description cannot tell the distribution");

	testroot_puts(bare, "/usr/lib/os-release", "ID=ubuntu\nVERSION_ID=\"24.04\"\n");
	ok(describe_with_program(bare, DUMP("two-identical"), file, EXIT_OK), "detect --json with only os-release");
	is_int(target_load_json(file, &t, cli_opts()), EXIT_OK, "loads without apt, kernel or driver");
	ok(t.ngpus == 2 && streq(t.os.distro, "ubuntu-24.04") && !t.installed && !t.kernel,
	   "two GPUs, Ubuntu 24.04, no driver, no kernel");
	is_int(target_apt_spec(&t, &spec), -ENODATA, "target_apt_spec: no apt part");
	target_free(&t);
}

int main(void)
{
	_cleanup_free_ char *file = NULL;

	if (!mkdtemp(root) || !mkdtemp(bare) || !mkdtemp(work)) {
		ok(0, "scratch directories");
		return done_testing();
	}
	file = xasprintf("%s/target.json", work);
	make_tree();
	test_parsers();
	test_describe();
	if (describe_with_program(root, DUMP("h100"), file, EXIT_OK)) {
		ok(1, "gpu-setup detect --json on the tree");
		test_json(file);
		test_round_trip(file);
		test_bad(file);
	} else {
		ok(0, "gpu-setup detect --json on the tree");
	}
	test_without_apt();
	testroot_remove(root);
	testroot_remove(bare);
	testroot_remove(work);
	return done_testing();
}
