/*
 * initramfs.h - what an initramfs holds, as far as doctor's nouveau check
 * cares: a nouveau module, and a modprobe.d file that blacklists it.
 *
 * An initramfs is a concatenation (Documentation/driver-api/early-userspace/
 * buffer-format.rst): initramfs-tools writes one or more uncompressed
 * "newc" cpio archives (early CPU microcode) and then a compressed cpio
 * archive with the real contents.  libarchive stops at the first
 * archive's trailer, so the uncompressed ones are walked here and the
 * rest is decompressed by libarchive (kmod_decompress) and walked too.
 */
#ifndef GS_INITRAMFS_H
#define GS_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>

/* Called for every entry of a newc archive: its name (not NUL-terminated)
 * and, for regular files, its contents. */
typedef void (*newc_entry_fn)(const char *name, size_t name_len, const void *body, size_t body_len,
			      void *userdata);

/* Walk one newc archive at data, to its TRAILER!!! and the zero padding
 * after it; *ret_end is the offset where the next segment starts.
 * -EINVAL when the bytes are not a well-formed newc archive (then
 * *ret_end is untouched). */
int newc_walk(const void *data, size_t len, newc_entry_fn fn, void *userdata, size_t *ret_end);

struct initramfs_info {
	bool has_nouveau;        /* a nouveau.ko* anywhere in it */
	bool blacklists_nouveau; /* a modprobe.d *.conf in it blacklists nouveau */
	unsigned segments;       /* archives found, uncompressed and compressed */
};

/* Scan initramfs bytes; -EINVAL when no segment could be read. */
int initramfs_scan_mem(const void *data, size_t len, struct initramfs_info *ret);
/* The same for the file at path on the target (at most 512 MiB). */
int initramfs_scan(const char *path, struct initramfs_info *ret);

/* Whether modprobe.d text blacklists nouveau: "blacklist nouveau", or
 * "install nouveau /bin/false" (or /bin/true), comments ignored. */
bool modprobe_conf_blacklists_nouveau(const char *text, size_t len);

#endif
