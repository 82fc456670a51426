/*
 * preflight.h - facts about the target system that decide whether and how
 * a driver can be installed: Secure Boot (module signing, MOK enrollment),
 * nouveau loaded, a driver installed from NVIDIA's .run installer.  All
 * read under the sysroot; nothing is changed.
 */
#ifndef GS_PREFLIGHT_H
#define GS_PREFLIGHT_H

#include <stdbool.h>

enum secure_boot {
	SECURE_BOOT_NOT_EFI,     /* booted without UEFI: no Secure Boot */
	SECURE_BOOT_UNKNOWN,     /* UEFI, but the variable is missing or unreadable */
	SECURE_BOOT_DISABLED,
	SECURE_BOOT_ENABLED,
	SECURE_BOOT_SETUP_MODE,  /* enabled in firmware, but keys not enrolled: not enforced */
};

/* From the SecureBoot and SetupMode EFI variables in efivarfs. */
enum secure_boot secure_boot_state(void);
const char *secure_boot_name(enum secure_boot s);

/* The nouveau module is loaded (/sys/module/nouveau). */
bool nouveau_loaded(void);

/* NVIDIA's .run installer left its uninstaller: a driver installed outside
 * the package manager, which packages would fight with. */
bool runfile_driver_present(void);

#endif
