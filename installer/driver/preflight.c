/*
 * preflight.c - Secure Boot, nouveau and .run-installed drivers, under the
 * sysroot.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "preflight.h"
#include "sysroot.h"
#include "util.h"

#define EFI_GLOBAL_GUID "8be4df61-93ca-11d2-aa0d-00e098032b8c"

/* An efivarfs variable: 4 bytes of attributes, then the value; returns the
 * first value byte, or -1 when unreadable. */
static int efi_var_byte(const char *name)
{
	_cleanup_free_ char *rel = xasprintf("/sys/firmware/efi/efivars/%s-" EFI_GLOBAL_GUID, name);
	_cleanup_free_ char *path = sysroot_path(rel), *data = NULL;
	size_t len;

	if (read_file(path, 64, &data, &len) < 0 || len < 5)
		return -1;
	return (unsigned char)data[4];
}

enum secure_boot secure_boot_state(void)
{
	int sb, setup;

	if (!sysroot_exists("/sys/firmware/efi"))
		return SECURE_BOOT_NOT_EFI;
	sb = efi_var_byte("SecureBoot");
	if (sb < 0)
		return SECURE_BOOT_UNKNOWN;
	if (sb == 0)
		return SECURE_BOOT_DISABLED;
	setup = efi_var_byte("SetupMode");
	return setup == 1 ? SECURE_BOOT_SETUP_MODE : SECURE_BOOT_ENABLED;
}

const char *secure_boot_name(enum secure_boot s)
{
	switch (s) {
	case SECURE_BOOT_NOT_EFI: return "not-efi";
	case SECURE_BOOT_DISABLED: return "disabled";
	case SECURE_BOOT_ENABLED: return "enabled";
	case SECURE_BOOT_SETUP_MODE: return "setup-mode";
	default: return "unknown";
	}
}

bool nouveau_loaded(void)
{
	return sysroot_exists("/sys/module/nouveau");
}

bool runfile_driver_present(void)
{
	return sysroot_exists("/usr/bin/nvidia-uninstall");
}
