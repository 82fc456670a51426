/*
 * Unit tests: the libapt-pkg shim against a private apt tree with a local
 * file: repository of generated driver packages and a dpkg status file.
 * apt-get update (offline, file: only) builds the lists, as on a real
 * system; the shim then reads them.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "aptshim.h"
#include "fileio.h"
#include "run.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-apt-XXXXXX";

static bool listed(char **list, const char *name)
{
	for (; list && *list; list++)
		if (streq(*list, name))
			return true;
	return false;
}

static const char packages[] =
	"Package: nvidia-driver-580\nVersion: 580.95.05-0ubuntu1\nArchitecture: amd64\n"
	"Depends: nvidia-kernel-common-580 (>= 580), libc6, nvidia-dkms-580 | nvidia-kernel-580\n"
	"Modaliases: nvidia(pci:v000010DEd00002204sv*sd*bc03sc*i*)\nSection: restricted/libs\n"
	"Breaks: nvidia-driver-535\n"
	"Filename: ./a.deb\nSize: 1\nDescription: test\n\n"
	"Package: nvidia-driver-580-open\nVersion: 580.95.05-0ubuntu1\nArchitecture: amd64\n"
	"Depends: nvidia-kernel-common-580\nRecommends: firmware-epoch\nFilename: ./b.deb\nSize: 1\n"
	"Description: test\n\n"
	"Package: nvidia-kernel-common-580\nVersion: 580.95.05-0ubuntu1\nArchitecture: amd64\n"
	"Filename: ./c.deb\nSize: 1\nDescription: test\n\n"
	"Package: nvidia-prebuilt-580\nVersion: 580.95.05-0ubuntu1\nArchitecture: amd64\n"
	"Provides: nvidia-kernel-580\nFilename: ./d.deb\nSize: 1\nDescription: test\n\n"
	"Package: nvidia-broken\nVersion: 1\nArchitecture: amd64\nDepends: no-such-package\n"
	"Filename: ./e.deb\nSize: 1\nDescription: test\n\n"
	"Package: nvidia-driver-535\nVersion: 535.2\nArchitecture: amd64\nFilename: ./g.deb\nSize: 1\n"
	"Description: test\n\n"
	"Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\nFilename: ./f.deb\nSize: 1\nDescription: test\n\n"
	"Package: firmware-epoch\nVersion: 1:2.0~rc1\nArchitecture: all\nFilename: pool/f/firmware-epoch.deb\n"
	"Size: 4242\nSHA256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nDescription: test\n";

static const char status_ok[] =
	"Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\nArchitecture: amd64\nDescription: x\n\n"
	"Package: nvidia-driver-535\nStatus: hold ok installed\nVersion: 535.1\nArchitecture: amd64\n"
	"Description: x\n\n"
	"Package: local-only\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\nDescription: x\n";

int main(void)
{
	struct apt_cache *c = NULL;
	char *err = NULL, *inst = NULL, *cand = NULL, *field = NULL, **list = NULL;
	const char *want[] = { "nvidia-driver-580", NULL };
	const char *broken[] = { "nvidia-broken", NULL };
	const char *unknown[] = { "nvidia-driver-999", NULL };

	if (!mkdtemp(root))
		return done_testing();
	if (testroot_apt_tree(root, packages, status_ok) < 0) {
		printf("1..0 # SKIP apt-get update cannot read a file: repository here\n");
		return 0;
	}
	ok(apt_cache_open(root, &c, &err) == 0, "the cache of a private apt tree opens%s%s", err ? ": " : "",
	   err ? err : "");
	if (!c)
		return done_testing();
	ok(apt_versions(c, "nvidia-driver-580", &inst, &cand) == 0 && !inst && cand &&
	   streq(cand, "580.95.05-0ubuntu1"), "candidate version, nothing installed");
	free(cand);
	ok(apt_versions(c, "libc6", &inst, &cand) == 0 && inst && streq(inst, "2.36-9"), "installed version");
	free(inst);
	free(cand);
	is_int(apt_versions(c, "no-such-package", &inst, &cand), -ENOENT, "an unknown package is -ENOENT");
	ok(apt_candidate_field(c, "nvidia-driver-580", "Modaliases", &field) == 0 &&
	   strstr(field, "d00002204sv"), "the Modaliases field of the candidate");
	free(field);
	is_int(apt_candidate_field(c, "nvidia-driver-580-open", "Modaliases", &field), -ENODATA,
	       "a record without the field is -ENODATA");
	is_int(apt_packages_with_prefix(c, "nvidia-driver-", &list), 3, "three nvidia-driver-* packages");
	ok(list && streq(list[0], "nvidia-driver-535") && streq(list[1], "nvidia-driver-580") &&
	   streq(list[2], "nvidia-driver-580-open") && !list[3], "listed sorted");
	apt_free_list(list);
	is_int(apt_install_closure(c, want, &list, &err), 3, "closure: the driver, its common package, a provider");
	ok(list && streq(list[0], "nvidia-driver-580") && streq(list[1], "nvidia-kernel-common-580") &&
	   streq(list[2], "nvidia-prebuilt-580"),
	   "installed libc6 is left out; the virtual alternative resolves to its provider");
	apt_free_list(list);
	is_int(apt_install_closure(c, broken, &list, &err), -ENOENT, "an unsatisfiable dependency is -ENOENT");
	ok(err && strstr(err, "no-such-package"), "and names it");
	free(err);
	err = NULL;
	is_int(apt_install_closure(c, unknown, &list, &err), -ENOENT, "an unknown package is -ENOENT");
	free(err);
	{
		const char *breaks_held[] = { "nvidia-driver-580", "nvidia-kernel-common-580", NULL };
		const char *upgrades_held[] = { "nvidia-driver-535", NULL };
		const char *free_to_go[] = { "nvidia-driver-580-open", "nvidia-kernel-common-580", NULL };

		is_int(apt_held_blockers(c, breaks_held, &list), 1, "a candidate that breaks a held package is blocked");
		ok(list && streq(list[0], "nvidia-driver-535"), "by the held package");
		apt_free_list(list);
		is_int(apt_held_blockers(c, upgrades_held, &list), 1, "a held package that would change version blocks");
		apt_free_list(list);
		is_int(apt_held_blockers(c, free_to_go, &list), 0, "nothing held in the way");
		apt_free_list(list);
	}
	{
		const char *pkgs[] = { "firmware-epoch", "nvidia-driver-580", NULL };
		const char *status_only[] = { "nvidia-driver-580", "local-only", NULL };
		struct apt_archive *a = NULL;
		size_t n = 0;
		_cleanup_free_ char *uri0 = xasprintf("file:%s/repo/pool/f/firmware-epoch.deb", root);
		_cleanup_free_ char *uri1 = xasprintf("file:%s/repo/./a.deb", root);

		is_int(apt_archives(c, pkgs, &a, &n, &err), 0, "archives of two candidates");
		ok(n == 2 && streq(a[0].package, "firmware-epoch") && streq(a[0].version, "1:2.0~rc1") &&
		   streq(a[0].arch, "all"), "in the order asked, with version and architecture");
		ok(n == 2 && streq(a[0].filename, "firmware-epoch_1%3a2.0~rc1_all.deb"),
		   "apt's archive name: the version's ':' %%-encoded (%s)", n ? a[0].filename : "");
		ok(n == 2 && streq(a[0].uri, uri0) && a[0].size == 4242 &&
		   a[0].sha256 && streq(a[0].sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
		   "URI from the index and the record's Filename, Size and SHA256 (%s)", n ? a[0].uri : "");
		ok(n == 2 && streq(a[1].filename, "nvidia-driver-580_580.95.05-0ubuntu1_amd64.deb") &&
		   streq(a[1].uri, uri1) && a[1].size == 1 && !a[1].sha256,
		   "a record without SHA256: NULL (%s)", n > 1 ? a[1].uri : "");
		apt_archives_free(a, n);
		a = NULL;
		is_int(apt_archives(c, status_only, &a, &n, &err), -ENOENT,
		       "a package only in dpkg's status has no archive: -ENOENT");
		ok(err && strstr(err, "local-only") && !a, "the error names it (%s)", err ? err : "");
		free(err);
		err = NULL;
		is_int(apt_archives(c, unknown, &a, &n, &err), -ENOENT, "an unknown package: -ENOENT");
		ok(err && strstr(err, "nvidia-driver-999"), "named too");
		free(err);
		err = NULL;
	}
	is_int(apt_dpkg_interrupted(c), 0, "dpkg is not interrupted");
	testroot_puts(root, "/var/lib/dpkg/updates/0001", "Package: libc6\n");
	is_int(apt_dpkg_interrupted(c), 1, "a pending updates/ entry means dpkg was interrupted");
	apt_cache_close(c);

	{
		/* The target's apt configuration is the one read, not the
		 * host's: Recommends off in the tree's apt.conf.d drops the
		 * recommended package from the closure. */
		const char *open_want[] = { "nvidia-driver-580-open", NULL };

		c = NULL;
		ok(apt_cache_open(root, &c, &err) == 0 && apt_install_closure(c, open_want, &list, &err) == 3 &&
		   listed(list, "firmware-epoch"), "with apt's default, the closure has the recommended package");
		apt_free_list(list);
		list = NULL;
		apt_cache_close(c);
		testroot_puts(root, "/etc/apt/apt.conf.d/90no-recommends", "APT::Install-Recommends \"false\";\n");
		c = NULL;
		ok(apt_cache_open(root, &c, &err) == 0 && apt_install_closure(c, open_want, &list, &err) == 2 &&
		   !listed(list, "firmware-epoch"),
		   "the target's apt.conf.d turns Recommends off: the closure follows it");
		apt_free_list(list);
		apt_cache_close(c);
	}

	testroot_remove(root);
	return done_testing();
}
