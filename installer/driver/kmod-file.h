/*
 * kmod-file.h - kernel module files (nvidia.ko and its compressed forms):
 * finding the one a kernel would load, and reading what doctor judges by:
 * the .modinfo strings (license, version, vermagic) and whether a
 * signature is appended.  Paths are target paths (through the sysroot).
 */
#ifndef GS_KMOD_FILE_H
#define GS_KMOD_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* scripts/sign-file appends the signature, a struct module_signature and
 * this marker; the kernel looks for it at the very end of the
 * (decompressed) module. */
#define KMOD_SIG_MAGIC "~Module signature appended~\n"
/* The proprietary nvidia.ko is about 90 MiB uncompressed; anything past
 * this is not a module and would only exhaust memory. */
#define KMOD_MAX_SIZE (512u << 20)

struct kmod_info {
	bool is_signed;    /* ends with KMOD_SIG_MAGIC */
	char *license;     /* "NVIDIA", "Dual MIT/GPL"; NULL when absent */
	char *version;     /* "570.133.07" */
	char *vermagic;    /* "6.8.0-57-generic SMP preempt mod_unload modversions" */
	bool open;         /* license "Dual MIT/GPL": NVIDIA's open kernel modules */
};

/* Parse module bytes (already decompressed).  0 when they hold a .modinfo
 * key or a signature; -EINVAL when neither (not a module). */
int kmod_parse(const void *data, size_t len, struct kmod_info *ret);
/* Decompress xz, zstd or gzip bytes with libarchive (raw format, every
 * filter), at most max bytes out: -EFBIG past it, -EINVAL when libarchive
 * cannot read them. */
int kmod_decompress(const void *data, size_t len, size_t max, char **ret, size_t *ret_len);
/* Read the module at path on the target (plain or compressed) and parse
 * it.  -ENOENT, -EACCES, -EFBIG, -EINVAL. */
int kmod_read(const char *path, struct kmod_info *ret);
/* Whether the module file is compressed (.xz, .zst, .gz): reading it
 * then means decompressing all of it, up to a second for an xz nvidia.ko,
 * so doctor does that only with --deep or when a check needs it. */
bool kmod_is_compressed(const char *path);
void kmod_info_free(struct kmod_info *k);

/* The NVIDIA module under /lib/modules/<kernel> on the target: nvidia.ko
 * or the name modprobe.d gives it (Debian's nvidia-current.ko, ...:
 * modprobe-names.h), plain or .xz, .zst, .gz, found without following symlinks (build/ and source/ lead to
 * the headers).  When there are several, the one modprobe prefers: under
 * updates/ (DKMS), else the first by name.  -ENOENT when there is none,
 * or the error that stopped the walk. */
int kmod_find_nvidia(const char *kernel, char **ret_path);

#endif
