/* Unit tests: Secure Boot from efivarfs, nouveau, a .run-installed driver,
 * all under a sysroot. */
#include "config.h"

#include <sys/stat.h>

#include "fileio.h"
#include "preflight.h"
#include "run.h"
#include "sysroot.h"
#include "tap.h"
#include "util.h"

static char root[] = "/tmp/gs-preflight-XXXXXX";

static void put(const char *rel, const void *data, size_t len)
{
	_cleanup_free_ char *path = xasprintf("%s%s", root, rel);

	for (char *slash = path + strlen(root) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	write_file_atomic(path, data, len, 0644);
}

#define VAR "/sys/firmware/efi/efivars/"
#define GUID "-8be4df61-93ca-11d2-aa0d-00e098032b8c"

int main(void)
{
	static const char on[5] = { 6, 0, 0, 0, 1 }, off[5] = { 6, 0, 0, 0, 0 };

	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	is_int(secure_boot_state(), SECURE_BOOT_NOT_EFI, "no /sys/firmware/efi: legacy boot");
	put("/sys/firmware/efi/systab", "", 0);
	is_int(secure_boot_state(), SECURE_BOOT_UNKNOWN, "UEFI without the variable: unknown");
	put(VAR "SecureBoot" GUID, off, sizeof(off));
	is_int(secure_boot_state(), SECURE_BOOT_DISABLED, "SecureBoot 0: disabled");
	put(VAR "SecureBoot" GUID, on, sizeof(on));
	is_int(secure_boot_state(), SECURE_BOOT_ENABLED, "SecureBoot 1: enabled");
	put(VAR "SetupMode" GUID, on, sizeof(on));
	is_int(secure_boot_state(), SECURE_BOOT_SETUP_MODE, "SetupMode 1: keys not enrolled, not enforced");
	put(VAR "SecureBoot" GUID, on, 3);
	is_int(secure_boot_state(), SECURE_BOOT_UNKNOWN, "a truncated variable: unknown");
	is_str(secure_boot_name(SECURE_BOOT_ENABLED), "enabled", "names for the report");

	ok(!nouveau_loaded(), "nouveau not loaded");
	put("/sys/module/nouveau/initstate", "live\n", 5);
	ok(nouveau_loaded(), "nouveau loaded");
	ok(!runfile_driver_present(), "no .run driver");
	put("/usr/bin/nvidia-uninstall", "#!/bin/sh\n", 10);
	ok(runfile_driver_present(), "nvidia-uninstall: a .run driver is installed");

	{
		const char *const rm[] = { "rm", "-rf", root, NULL };
		struct run_result rr;

		if (run_command(rm, NULL, 10000, &rr) == 0)
			run_result_release(&rr);
	}
	return done_testing();
}
