/* Unit tests: Secure Boot from efivarfs, nouveau, a .run-installed driver,
 * all under a sysroot. */
#include "config.h"

#include <sys/stat.h>

#include "fileio.h"
#include "preflight.h"
#include "run.h"
#include "sysroot.h"
#include "tap.h"
#include "testroot.h"
#include "util.h"

static char root[] = "/tmp/gs-preflight-XXXXXX";

#define VAR "/sys/firmware/efi/efivars/"
#define GUID "-8be4df61-93ca-11d2-aa0d-00e098032b8c"

int main(void)
{
	static const char on[5] = { 6, 0, 0, 0, 1 }, off[5] = { 6, 0, 0, 0, 0 };

	if (!mkdtemp(root))
		return done_testing();
	sysroot_set(root);
	is_int(secure_boot_state(), SECURE_BOOT_NOT_EFI, "no /sys/firmware/efi: legacy boot");
	testroot_put(root, "/sys/firmware/efi/systab", "", 0);
	is_int(secure_boot_state(), SECURE_BOOT_UNKNOWN, "UEFI without the variable: unknown");
	testroot_put(root, VAR "SecureBoot" GUID, off, sizeof(off));
	is_int(secure_boot_state(), SECURE_BOOT_DISABLED, "SecureBoot 0: disabled");
	testroot_put(root, VAR "SecureBoot" GUID, on, sizeof(on));
	is_int(secure_boot_state(), SECURE_BOOT_ENABLED, "SecureBoot 1: enabled");
	testroot_put(root, VAR "SetupMode" GUID, on, sizeof(on));
	is_int(secure_boot_state(), SECURE_BOOT_SETUP_MODE, "SetupMode 1: keys not enrolled, not enforced");
	testroot_put(root, VAR "SecureBoot" GUID, on, 3);
	is_int(secure_boot_state(), SECURE_BOOT_UNKNOWN, "a truncated variable: unknown");
	is_str(secure_boot_name(SECURE_BOOT_ENABLED), "enabled", "names for the report");

	ok(!nouveau_loaded(), "nouveau not loaded");
	testroot_put(root, "/sys/module/nouveau/initstate", "live\n", 5);
	ok(nouveau_loaded(), "nouveau loaded");
	ok(!runfile_driver_present(), "no .run driver");
	testroot_put(root, "/usr/bin/nvidia-uninstall", "#!/bin/sh\n", 10);
	ok(runfile_driver_present(), "nvidia-uninstall: a .run driver is installed");

	testroot_remove(root);
	return done_testing();
}
