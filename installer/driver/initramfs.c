/*
 * initramfs.c - walk an initramfs's segments for doctor's nouveau check.
 *
 * The newc header is 110 bytes of ASCII: "070701" (or "070702", with
 * checksums), then thirteen 8-digit hexadecimal fields; the name
 * (namesize bytes, NUL included) follows, padded so header and name end
 * on a 4-byte boundary, then the file's data, padded to 4 bytes.  The
 * archive ends with an entry named "TRAILER!!!"; the kernel skips zero
 * bytes between archives (init/initramfs.c), so this does too.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "fileio.h"
#include "initramfs.h"
#include "kmod-file.h"
#include "sysroot.h"
#include "util.h"

#define NEWC_HDR 110
#define INITRAMFS_MAX (512u << 20)
/* A modprobe.d file is a few lines; read at most this much of one. */
#define CONF_MAX (64u << 10)

static bool hex8(const char *p, size_t *ret)
{
	size_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (size_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (size_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (size_t)(c - 'A' + 10);
		else
			return false;
	}
	*ret = v;
	return true;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static bool is_newc(const char *d, size_t len)
{
	return len >= 6 && (memcmp(d, "070701", 6) == 0 || memcmp(d, "070702", 6) == 0);
}

int newc_walk(const void *data, size_t len, newc_entry_fn fn, void *userdata, size_t *ret_end)
{
	const char *d = data;
	size_t off = 0;

	for (;;) {
		size_t mode, filesize, namesize, name_end, body_end;

		if (len - off < NEWC_HDR || !is_newc(d + off, len - off))
			return -EINVAL;
		if (!hex8(d + off + 14, &mode) || !hex8(d + off + 54, &filesize) ||
		    !hex8(d + off + 94, &namesize) || namesize == 0)
			return -EINVAL;
		if (namesize > len - off - NEWC_HDR)
			return -EINVAL;
		name_end = pad4(off + NEWC_HDR + namesize);
		if (name_end > len || filesize > len - name_end)
			return -EINVAL;
		body_end = name_end + filesize;
		if (namesize == sizeof("TRAILER!!!") && memcmp(d + off + NEWC_HDR, "TRAILER!!!", namesize) == 0) {
			off = body_end;
			while (off < len && d[off] == '\0')
				off++;
			*ret_end = off;
			return 0;
		}
		if (fn)
			fn(d + off + NEWC_HDR, namesize - 1, S_ISREG(mode) ? d + name_end : NULL,
			   S_ISREG(mode) ? filesize : 0, userdata);
		off = pad4(body_end);
		if (off > len)
			return -EINVAL;
	}
}

bool modprobe_conf_blacklists_nouveau(const char *text, size_t len)
{
	_cleanup_free_ char *copy = xmalloc(len + 1);
	char *save = NULL;

	memcpy(copy, text, len);
	copy[len] = '\0';
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *ws = NULL, *w[3] = { NULL, NULL, NULL };
		int n = 0;

		if (hash)
			*hash = '\0';
		for (char *t = strtok_r(line, " \t\r", &ws); t && n < 3; t = strtok_r(NULL, " \t\r", &ws))
			w[n++] = t;
		if (n >= 2 && streq(w[0], "blacklist") && streq(w[1], "nouveau"))
			return true;
		if (n >= 3 && streq(w[0], "install") && streq(w[1], "nouveau") &&
		    (streq(w[2], "/bin/false") || streq(w[2], "/bin/true") || streq(w[2], "/usr/bin/false") ||
		     streq(w[2], "/usr/bin/true")))
			return true;
	}
	return false;
}

/* What an entry's name and contents say. */
static void judge_entry(const char *name, size_t name_len, const void *body, size_t body_len,
			struct initramfs_info *info)
{
	_cleanup_free_ char *n = xmalloc(name_len + 1);
	const char *base, *slash;

	memcpy(n, name, name_len);
	n[name_len] = '\0';
	slash = strrchr(n, '/');
	base = slash ? slash + 1 : n;
	if (startswith(base, "nouveau.ko"))
		info->has_nouveau = true;
	if (body && strstr(n, "modprobe.d/") && name_len > 5 && streq(n + name_len - 5, ".conf") &&
	    modprobe_conf_blacklists_nouveau(body, body_len < CONF_MAX ? body_len : CONF_MAX))
		info->blacklists_nouveau = true;
}

static void newc_cb(const char *name, size_t name_len, const void *body, size_t body_len, void *userdata)
{
	judge_entry(name, name_len, body, body_len, userdata);
}

/* Walk the newc archives at data, one after another; how many. */
static unsigned walk_all(const char *d, size_t len, struct initramfs_info *info, size_t *ret_off)
{
	size_t off = 0;
	unsigned n = 0;

	while (off < len && is_newc(d + off, len - off)) {
		size_t end;

		if (newc_walk(d + off, len - off, newc_cb, info, &end) < 0)
			break;
		n++;
		off += end;
	}
	*ret_off = off;
	return n;
}

/* The compressed rest: libarchive decompresses it (every filter, the raw
 * format) into memory, bounded, and the cpio inside is walked here too.
 * Not libarchive's cpio reader: it believes a damaged header's name size
 * and allocates gigabytes for it. */
static int scan_compressed(const void *data, size_t len, struct initramfs_info *info)
{
	_cleanup_free_ char *plain = NULL;
	size_t plen, off;
	int r = kmod_decompress(data, len, INITRAMFS_MAX, &plain, &plen);

	if (r < 0)
		return r;
	return walk_all(plain, plen, info, &off) ? 0 : -EINVAL;
}

int initramfs_scan_mem(const void *data, size_t len, struct initramfs_info *ret)
{
	struct initramfs_info info = { 0 };
	const char *d = data;
	size_t off;

	info.segments = walk_all(d, len, &info, &off);
	/* A damaged uncompressed archive ends the walk; otherwise whatever
	 * follows is one compressed archive (initramfs-tools and dracut
	 * write at most one), and anything after it is not looked at. */
	if (off < len && !is_newc(d + off, len - off) && scan_compressed(d + off, len - off, &info) == 0)
		info.segments++;
	if (info.segments == 0)
		return -EINVAL;
	*ret = info;
	return 0;
}

int initramfs_scan(const char *path, struct initramfs_info *ret)
{
	_cleanup_free_ char *p = sysroot_path(path), *data = NULL;
	size_t len;
	int r = read_file(p, INITRAMFS_MAX, &data, &len);

	if (r < 0)
		return r;
	return initramfs_scan_mem(data, len, ret);
}
