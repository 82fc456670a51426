/*
 * osinfo.h - facts about the target system the resolver needs: the
 * distribution (os-release) and the NVIDIA driver now loaded.  Paths are
 * taken under the sysroot.
 */
#ifndef GS_OSINFO_H
#define GS_OSINFO_H

#include "compat.h"

struct os_release {
	char *id;           /* "ubuntu" */
	char *version_id;   /* "24.04" */
	char *codename;     /* may be NULL */
	char *pretty_name;  /* may be NULL */
	char *id_like;      /* "ubuntu debian" on Linux Mint; may be NULL */
	char *ubuntu_codename;  /* a derivative's Ubuntu base: "noble"; may be NULL */
	char *debian_codename;  /* a derivative's Debian base: "bookworm"; may be NULL */
	char *distro;       /* "ubuntu-24.04", "linuxmint-22": ID-VERSION_ID */
};

/* Parse os-release text (KEY=VALUE lines, values optionally quoted).
 * Returns 0, or -EINVAL when ID or VERSION_ID is missing. */
int os_release_parse(const char *text, struct os_release *ret);
/* Read /etc/os-release, else /usr/lib/os-release; -ENOENT when neither. */
int os_release_read(struct os_release *ret);
void os_release_free(struct os_release *r);

/* The loaded driver's version from /sys/module/nvidia/version and its
 * flavour from /proc/driver/nvidia/version ("Open Kernel Module").
 * Returns 0, -ENOENT when no NVIDIA module is loaded, or -EINVAL when the
 * version file holds no version. */
int installed_driver_read(char **ret_version, enum driver_flavour *ret_flavour);

/* The running kernel's release ("6.1.0-18-amd64"): the target's
 * /proc/sys/kernel/osrelease, which a test tree can hold as a plain file;
 * uname() on the running system when that cannot be read. */
int kernel_release_read(char **ret);

/* The kernel's flavour: what follows "VERSION-ABI-" or "VERSION+TAG-" in
 * its release, as Debian and Ubuntu name kernels ("6.8.0-99-generic":
 * "generic", "6.1.0-57-cloud-amd64": "cloud-amd64", Debian 13's
 * "6.12.48+deb13-amd64": "amd64"); NULL for a release not of that form (a
 * kernel built by hand).  Points into release. */
const char *kernel_flavour(const char *release);

#endif
