/*
 * kmod-file.c - find and read NVIDIA kernel module files.
 *
 * What doctor needs from a module is small: the license (NVIDIA's open
 * modules say "Dual MIT/GPL", the proprietary ones "NVIDIA"), the version
 * and vermagic from .modinfo, and whether a signature is appended.  The
 * .modinfo section is a run of NUL-terminated "key=value" strings
 * (include/linux/moduleparam.h, __MODULE_INFO).  When the bytes are a
 * well-formed 64-bit little-endian ELF file with a .modinfo section, only
 * that section is scanned; otherwise every string that starts the buffer
 * or follows a NUL is taken as a candidate.  The fallback is a heuristic
 * (a "version=" string elsewhere in .rodata would be taken), kept because
 * a truncated or stripped header should still tell a person something.
 */
#include "config.h"

#include <sys/mman.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "fileio.h"
#include "kmod-file.h"
#include "modprobe-names.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

/* A modinfo value longer than this is not one a person wants quoted. */
#define MAX_VALUE 4096
/* Directory depth below /lib/modules/<k>: kernel/drivers/video/fbdev/...
 * is 6; a deeper tree is a loop through bind mounts or a hostile one. */
#define MAX_DEPTH 16

static uint64_t le(const unsigned char *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* The .modinfo section of a 64-bit little-endian ELF file, bounds-checked
 * against len; false when the bytes are not such a file. */
static bool elf_modinfo(const unsigned char *d, size_t len, size_t *ret_off, size_t *ret_size)
{
	uint64_t shoff, stroff, strsize;
	unsigned shentsize, shnum, shstrndx;

	if (len < 64 || memcmp(d, "\177ELF", 4) != 0 || d[4] != 2 /* ELFCLASS64 */ || d[5] != 1 /* LSB */)
		return false;
	shoff = le(d + 0x28, 8);
	shentsize = (unsigned)le(d + 0x3a, 2);
	shnum = (unsigned)le(d + 0x3c, 2);
	shstrndx = (unsigned)le(d + 0x3e, 2);
	if (shentsize < 64 || shstrndx >= shnum || shoff > len || (uint64_t)shnum * shentsize > len - shoff)
		return false;
	stroff = le(d + shoff + (uint64_t)shstrndx * shentsize + 0x18, 8);
	strsize = le(d + shoff + (uint64_t)shstrndx * shentsize + 0x20, 8);
	if (stroff > len || strsize > len - stroff)
		return false;
	for (unsigned i = 0; i < shnum; i++) {
		const unsigned char *sh = d + shoff + (uint64_t)i * shentsize;
		uint64_t name = le(sh, 4), off = le(sh + 0x18, 8), size = le(sh + 0x20, 8);

		if (name >= strsize || strsize - name < sizeof(".modinfo"))
			continue;
		if (memcmp(d + stroff + name, ".modinfo", sizeof(".modinfo")) != 0)
			continue;
		if (off > len || size > len - off)
			return false;
		*ret_off = (size_t)off;
		*ret_size = (size_t)size;
		return true;
	}
	return false;
}

/* The value of the first "key=" string in [d, d+len) that starts the
 * region or follows a NUL, an empty value counting as none;
 * non-printable bytes become '?'. */
static char *find_key(const unsigned char *d, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < len; i++) {
		size_t end;
		char *v;

		if (i > 0 && d[i - 1] != '\0')
			continue;
		if (len - i <= klen + 1 || memcmp(d + i, key, klen) != 0 || d[i + klen] != '=' || !d[i + klen + 1])
			continue;
		i += klen + 1;
		for (end = i; end < len && d[end] && end - i < MAX_VALUE; end++)
			;
		v = xmalloc(end - i + 1);
		for (size_t j = i; j < end; j++)
			v[j - i] = d[j] >= 0x20 && d[j] < 0x7f ? (char)d[j] : '?';
		v[end - i] = '\0';
		return v;
	}
	return NULL;
}

int kmod_parse(const void *data, size_t len, struct kmod_info *ret)
{
	const unsigned char *d = data;
	size_t off = 0, size = len, mlen = strlen(KMOD_SIG_MAGIC);
	struct kmod_info k = { 0 };

	if (elf_modinfo(d, len, &off, &size))
		d += off;
	else
		size = len;
	k.license = find_key(d, size, "license");
	k.version = find_key(d, size, "version");
	k.vermagic = find_key(d, size, "vermagic");
	k.is_signed = len >= mlen && memcmp((const char *)data + len - mlen, KMOD_SIG_MAGIC, mlen) == 0;
	k.open = k.license && streq(k.license, "Dual MIT/GPL");
	if (!k.license && !k.version && !k.vermagic && !k.is_signed)
		return -EINVAL;
	*ret = k;
	return 0;
}

void kmod_info_free(struct kmod_info *k)
{
	free(k->license);
	free(k->version);
	free(k->vermagic);
	memset(k, 0, sizeof(*k));
}

int kmod_decompress(const void *data, size_t len, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r = 0;

	if (!a)
		return -ENOMEM;
	strbuf_init(&sb);
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		r = -EINVAL;
		goto out;
	}
	/* The raw format takes any bytes; "none" means nothing decompressed
	 * them, so they were not a compressed module. */
	if (archive_filter_count(a) < 2) {
		r = -EINVAL;
		goto out;
	}
	for (;;) {
		la_ssize_t n;

		strbuf_grow(&sb, 1u << 16);
		n = archive_read_data(a, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0) {
			r = -EINVAL;
			goto out;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > max) {
			r = -EFBIG;
			goto out;
		}
	}
	*ret = strbuf_detach(&sb, ret_len);
out:
	archive_read_free(a);
	return r;
}

/* The file is mapped, not read: for an uncompressed module kmod_parse
 * touches only the ELF headers, .modinfo and the last bytes, so the
 * 90 MiB proprietary nvidia.ko costs a few pages, not a read of all of it. */
int kmod_read(const char *path, struct kmod_info *ret)
{
	_cleanup_free_ char *p = sysroot_path(path), *plain = NULL;
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t plen;
	void *map;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > KMOD_MAX_SIZE)
		return -EFBIG;
	if (st.st_size == 0)
		return kmod_parse("", 0, ret);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	if (st.st_size >= 4 && memcmp(map, "\177ELF", 4) == 0) {
		r = kmod_parse(map, (size_t)st.st_size, ret);
	} else {
		r = kmod_decompress(map, (size_t)st.st_size, KMOD_MAX_SIZE, &plain, &plen);
		if (r == 0)
			r = kmod_parse(plain, plen, ret);
	}
	munmap(map, (size_t)st.st_size);
	return r;
}

bool kmod_is_compressed(const char *path)
{
	size_t n = strlen(path);

	return !(n >= 3 && streq(path + n - 3, ".ko"));
}

/* Depth-first under dirfd (its path on the target is rel), symlinks
 * neither followed nor reported; keeps the preferred hit in *best. */
static int walk(int dirfd, const char *rel, unsigned depth, char *const *names, char **best)
{
	DIR *d;
	struct dirent *de;

	if (depth > MAX_DEPTH) {
		close(dirfd);
		return 0;
	}
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		struct stat st;
		_cleanup_free_ char *child = NULL;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		child = xasprintf("%s/%s", rel, de->d_name);
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			/* A subdirectory we may not read does not hide the
			 * rest of the tree. */
			if (fd >= 0)
				walk(fd, child, depth + 1, names, best);
		} else if (S_ISREG(st.st_mode) && kmod_is_nvidia_file(de->d_name, names)) {
			bool child_upd = strstr(child, "/updates/") != NULL;
			bool best_upd = *best && strstr(*best, "/updates/") != NULL;

			if (!*best || (child_upd && !best_upd) ||
			    (child_upd == best_upd && strcmp(child, *best) < 0)) {
				free(*best);
				*best = TAKE_PTR(child);
			}
		}
	}
	closedir(d);
	return 0;
}

int kmod_find_nvidia(const char *kernel, char **ret_path)
{
	_cleanup_free_ char *rel = NULL, *p = NULL;
	char *best = NULL, **names;
	int fd, r;

	if (strchr(kernel, '/') || streq(kernel, "..") || streq(kernel, "."))
		return -EINVAL;
	rel = xasprintf("/lib/modules/%s", kernel);
	/* /lib is a link to usr/lib on merged-/usr systems: resolved inside
	 * the root, the walk below it follows no link. */
	r = sysroot_host_path(rel, &p);
	if (r < 0)
		return r;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	names = kmod_nvidia_names();
	r = walk(fd, rel, 0, names, &best);
	strv_free(names);
	if (r < 0 && !best)
		return r;
	if (!best)
		return -ENOENT;
	*ret_path = best;
	return 0;
}
