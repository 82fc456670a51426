/*
 * cudnn-archive.c - read a cuDNN archive once with libarchive: the bytes
 * come through our own read callback, which feeds SHA-256 as it goes, so
 * the checksum costs no second pass over a file of a gigabyte; every entry
 * is checked as it streams by, and the headers and libraries go straight
 * into the staging directory through archive_write_disk with the secure
 * extraction flags.
 *
 * NVIDIA's layouts (cuDNN installation guide, "Tar File Installation";
 * the archive names are the ones on developer.download.nvidia.com, see
 * compat/cudnn.tsv):
 *   <= 8.2  cudnn-<CUDA X.Y>-linux-x64-v<version>.tgz:
 *             cuda/include/cudnn*.h
 *             cuda/lib64/libcudnn*  (libcudnn.so -> libcudnn.so.8 -> libcudnn.so.8.2.4)
 *             cuda/NVIDIA_SLA_cuDNN_Support.txt
 *   >= 8.3  cudnn-linux-x86_64-<version>_cuda<X>-archive.tar.xz (8.4.1.50:
 *           _cuda11.6-archive): the same stem as the one top directory,
 *             <stem>/include/cudnn*.h, <stem>/lib/libcudnn*, <stem>/LICENSE
 * The guide copies include/cudnn*.h and (cp -P) lib/libcudnn* into the
 * toolkit.  That is all we place: licence texts, anything else at the top,
 * and anything in a subdirectory of include/ or lib/ (NVIDIA ships none;
 * the guide's globs would not copy one) is read past, not extracted.  So
 * an archive can never place, say, include/cuda.h over the toolkit's own.
 *
 * Refused outright, the whole archive rather than the entry, because
 * NVIDIA's archives never hold such things and one that does was not
 * made by NVIDIA: absolute paths, "..", empty or "." components, control
 * characters in names, hard links, devices, fifos and sockets, symlinks
 * whose target is not a plain name in the same directory (cuDNN's chain
 * is libcudnn.so -> libcudnn.so.9 -> libcudnn.so.9.8.0), an entry under a
 * path the archive made a symlink, an entry seen twice, more than one top
 * directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <search.h>
#include <stdint.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>

#include "cheader.h"
#include "cudnn-archive.h"
#include "interrupt.h"
#include "strbuf.h"
#include "util.h"

const char *const cudnn_dest_dir[CUDNN_DEST_COUNT] = { "include", "lib64" };

/* NVIDIA's archives hold a few dozen entries; this bounds a hostile one
 * (and the memory its names take). */
#define MAX_ENTRIES 100000
#define MAX_PATH_LEN 4096
/* cudnn.h of cuDNN 7 is about 100 KiB; a header past this is not one. */
#define MAX_HEADER_SIZE (4u << 20)
/* Bytes handed to libarchive per read.  Large enough that the syscalls
 * vanish next to xz's work, small enough to stay in the caches. */
#define READ_BLOCK (256u << 10)

/* ---------------------------------------------------------------- names */

static bool scan_uint(const char **p, unsigned *ret)
{
	unsigned v = 0;
	size_t n = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++, n++) {
		if (n == 9)
			return false;
		v = v * 10 + (unsigned)(**p - '0');
	}
	if (n == 0)
		return false;
	*ret = v;
	return true;
}

static bool scan_literal(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

/* A cuDNN version as NVIDIA writes it in names: X.Y.Z or X.Y.Z.B. */
static bool scan_version(const char **p, char **ret_str, unsigned ret_v[3])
{
	const char *start = *p;
	unsigned v[4], n = 0;

	for (;;) {
		if (!scan_uint(p, &v[n++]))
			return false;
		if (n == 4 || **p != '.' || (*p)[1] < '0' || (*p)[1] > '9')
			break;
		(*p)++;
	}
	if (n < 3)
		return false;
	*ret_str = xasprintf("%.*s", (int)(*p - start), start);
	memcpy(ret_v, v, 3 * sizeof(unsigned));
	return true;
}

/* A CUDA release in a name: "12" or "11.4"; only the major matters. */
static bool scan_cuda(const char **p, unsigned *ret_major)
{
	unsigned minor;

	if (!scan_uint(p, ret_major))
		return false;
	if (**p == '.') {
		(*p)++;
		if (!scan_uint(p, &minor))
			return false;
	}
	return true;
}

struct name_info {
	char *version;
	unsigned v[3];
	unsigned cuda;
};

/* cudnn-11.4-linux-x64-v8.2.4.15.tgz */
static bool parse_tgz_name(const char *s, struct name_info *ret)
{
	struct name_info n = { 0 };

	if (!scan_literal(&s, "cudnn-") || !scan_cuda(&s, &n.cuda) || !scan_literal(&s, "-linux-x64-v") ||
	    !scan_version(&s, &n.version, n.v))
		return false;
	if (!streq(s, ".tgz")) {
		free(n.version);
		return false;
	}
	*ret = n;
	return true;
}

/* cudnn-linux-x86_64-9.8.0.87_cuda12-archive, followed by suffix. */
static bool parse_txz_stem(const char *s, const char *suffix, struct name_info *ret)
{
	struct name_info n = { 0 };

	if (!scan_literal(&s, "cudnn-linux-x86_64-") || !scan_version(&s, &n.version, n.v))
		return false;
	if (!scan_literal(&s, "_cuda") || !scan_cuda(&s, &n.cuda) || !scan_literal(&s, "-archive") ||
	    !streq(s, suffix)) {
		free(n.version);
		return false;
	}
	*ret = n;
	return true;
}

int cudnn_archive_name_parse(const char *filename, char **ret_version, unsigned *ret_cuda_major)
{
	struct name_info n = { 0 };

	if (!parse_tgz_name(filename, &n) && !parse_txz_stem(filename, ".tar.xz", &n))
		return -EINVAL;
	*ret_version = n.version;
	*ret_cuda_major = n.cuda;
	return 0;
}

bool cudnn_member_name_ok(enum cudnn_dest dest, const char *name)
{
	size_t n = strlen(name);

	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-") != n)
		return false;
	if (dest == CUDNN_DEST_INCLUDE)
		return startswith(name, "cudnn") && n > strlen("cudnn.h") - 2 && streq(name + n - 2, ".h");
	return startswith(name, "libcudnn");
}

/* libcudnn.so, libcudnn.so.9, libcudnn_ops.so.9.8.0: what must be ELF. */
static bool is_shared_object(const char *name)
{
	const char *p = strstr(name, ".so");

	return p && (p[3] == '\0' || p[3] == '.');
}

/* ---------------------------------------------------------------- headers */

bool cudnn_header_version(const char *text, unsigned ret[3])
{
	unsigned v[3];

	if (cheader_define(text, "CUDNN_MAJOR", &v[0]) < 0 || cheader_define(text, "CUDNN_MINOR", &v[1]) < 0 ||
	    cheader_define(text, "CUDNN_PATCHLEVEL", &v[2]) < 0)
		return false;
	memcpy(ret, v, sizeof(v));
	return true;
}

/* ---------------------------------------------------------------- a set of paths */

/* libc's binary tree (tsearch): duplicate and symlink-prefix checks stay
 * O(n log n) in the entries, whatever an archive holds. */
struct strset {
	void *root;
};

static int strset_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static bool strset_has(const struct strset *set, const char *s, size_t len)
{
	_cleanup_free_ char *key = xasprintf("%.*s", (int)len, s);

	return tfind(key, &set->root, strset_cmp) != NULL;
}

/* false when s was there already. */
static bool strset_add(struct strset *set, const char *s)
{
	char *key = xstrdup(s);
	char **slot = tsearch(key, &set->root, strset_cmp);

	if (!slot) {
		fputs("gpu-setup: out of memory\n", stderr);
		abort();
	}
	if (*slot != key) {
		free(key);
		return false;
	}
	return true;
}

static void strset_free(struct strset *set)
{
	tdestroy(set->root, free);
	set->root = NULL;
}

/* ---------------------------------------------------------------- reading */

struct reader {
	int fd;
	struct sha256_ctx *sha;
	char *buf;
	int err;               /* -errno of a failed read, 0 */
	bool eof;
};

/* Every byte libarchive sees passes through here, in order and once (no
 * seek or skip callback is given), so the digest is of the whole file
 * once the rest after the archive's end is read too (reader_drain). */
static ssize_t reader_fill(struct reader *rd)
{
	ssize_t n;

	if (rd->eof)
		return 0;
	do
		n = read(rd->fd, rd->buf, READ_BLOCK);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		rd->err = -errno;
		return -1;
	}
	if (n == 0)
		rd->eof = true;
	sha256_update(rd->sha, rd->buf, (size_t)n);
	return n;
}

static la_ssize_t read_cb(struct archive *a, void *data, const void **buf)
{
	struct reader *rd = data;
	ssize_t n = reader_fill(rd);

	if (n < 0) {
		archive_set_error(a, -rd->err, "read error");
		return ARCHIVE_FATAL;
	}
	*buf = rd->buf;
	return n;
}

static int reader_drain(struct reader *rd)
{
	ssize_t n;

	while ((n = reader_fill(rd)) > 0)
		;
	return n < 0 ? rd->err : 0;
}

/* ---------------------------------------------------------------- the scan */

struct scan {
	const char *path;           /* the archive, for messages */
	const char *filename;       /* its last component */
	struct archive *disk;       /* NULL: check only */
	unsigned want_cuda;
	struct reader *rd;
	int r;                      /* first failure */
	struct strbuf why;          /* its message */

	bool have_layout;
	enum cudnn_layout layout;
	char *top;
	struct name_info name;
	struct strset paths, links;
	size_t nentries;

	struct cudnn_member *members;
	size_t nmembers;
	bool have_lib;              /* a regular libcudnn.so* */
	struct strbuf header[2];    /* cudnn_version.h, cudnn.h */
	bool have_header[2];
	char *header_version;
};

static const char *const version_headers[2] = { "cudnn_version.h", "cudnn.h" };

static int fail(struct scan *s, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct scan *s, int r, const char *fmt, ...)
{
	va_list ap;

	if (s->r == 0) {
		s->r = r;
		va_start(ap, fmt);
		strbuf_vaddf(&s->why, fmt, ap);
		va_end(ap);
	}
	return r;
}

/* libarchive said no: our read failed, or the data is damaged. */
static int fail_archive(struct scan *s, struct archive *a)
{
	if (s->rd->err)
		return fail(s, s->rd->err, "cannot read '%s': %s", s->path, strerror(-s->rd->err));
	return fail(s, -EINVAL, "'%s' is damaged or cut off: %s", s->path,
		    archive_error_string(a) ? archive_error_string(a) : "unreadable data");
}

static int fail_write(struct scan *s, const char *rel)
{
	int e = archive_errno(s->disk);

	if (e <= 0)
		e = EIO;
	return fail(s, -e, "cannot write %s of '%s' into the staging directory: %s", rel, s->path,
		    archive_error_string(s->disk) ? archive_error_string(s->disk) : strerror(e));
}

static int learn_layout(struct scan *s, const char *top)
{
	struct name_info file = { 0 };

	if (streq(top, "cuda")) {
		if (!parse_tgz_name(s->filename, &s->name))
			return fail(s, -EINVAL,
				    "cannot tell which cuDNN and CUDA release '%s' is for: an archive with cuda/ at "
				    "the top (cuDNN 8.2 and older) must keep NVIDIA's name, "
				    "cudnn-CUDA-linux-x64-vVERSION.tgz", s->path);
		s->layout = CUDNN_LAYOUT_TGZ;
	} else if (parse_txz_stem(top, "", &s->name)) {
		s->layout = CUDNN_LAYOUT_TXZ;
		/* A renamed file is fine; a name that says otherwise is not. */
		if (parse_txz_stem(s->filename, ".tar.xz", &file)) {
			bool same = streq(file.version, s->name.version) && file.cuda == s->name.cuda;

			if (!same)
				fail(s, -EINVAL, "'%s' is named for cuDNN %s for CUDA %u but holds %s/", s->path,
				     file.version, file.cuda, top);
			free(file.version);
			if (!same)
				return s->r;
		}
	} else {
		return fail(s, -EINVAL,
			    "'%s' is not a cuDNN archive: its top directory is neither cuda/ (cuDNN 8.2 and older) "
			    "nor cudnn-linux-x86_64-VERSION_cudaN-archive/ (cuDNN 8.3 and newer)", s->path);
	}
	s->top = xstrdup(top);
	s->have_layout = true;
	if (s->want_cuda && s->name.cuda != s->want_cuda)
		return fail(s, -EXDEV, "'%s' is cuDNN %s for CUDA %u, but the toolkit is CUDA %u", s->path,
			    s->name.version, s->name.cuda, s->want_cuda);
	return 0;
}

enum what { IGNORE, PLACE };

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return true;
	return false;
}

/* Check one entry against the rules above; *ret_dest and *ret_name (a
 * pointer into *ret_path) say where a PLACE entry goes. */
static int check_entry(struct scan *s, struct archive_entry *e, char **ret_path, enum what *ret_what,
		       enum cudnn_dest *ret_dest, const char **ret_name)
{
	const char *p = archive_entry_pathname(e), *target;
	_cleanup_free_ char *path = NULL;
	const char *comp[3] = { NULL, NULL, NULL };
	size_t len, ncomp = 0;
	mode_t type = archive_entry_filetype(e);
	int r;

	if (++s->nentries > MAX_ENTRIES)
		return fail(s, -EINVAL, "'%s' has more than %d entries: not a cuDNN archive", s->path, MAX_ENTRIES);
	if (!p || !*p)
		return fail(s, -EINVAL, "'%s' has an entry without a readable name", s->path);
	len = strlen(p);
	if (len > MAX_PATH_LEN)
		return fail(s, -EINVAL, "'%s' has an entry with a name longer than %d bytes", s->path, MAX_PATH_LEN);
	if (has_control(p))
		return fail(s, -EINVAL, "'%s' has an entry with a control character in its name", s->path);
	if (p[0] == '/')
		return fail(s, -EINVAL, "'%s' has an absolute path, '%s': refusing the whole archive", s->path, p);
	path = xstrdup(p);
	if (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (char *c = path;;) {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return fail(s, -EINVAL, "'%s' has an entry with '..' in its path, '%s': refusing the whole archive",
				    s->path, p);
		if (n == 0 || (n == 1 && c[0] == '.'))
			return fail(s, -EINVAL, "'%s' has an entry with an empty or '.' component, '%s'", s->path, p);
		if (ncomp < 3)
			comp[ncomp] = c;
		ncomp++;
		if (!c[n])
			break;
		c += n + 1;
	}
	if (archive_entry_hardlink(e))
		return fail(s, -EINVAL, "'%s' has a hard link, '%s': cuDNN archives hold none", s->path, p);
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return fail(s, -EINVAL, "'%s' has a device, fifo or socket, '%s': refusing the whole archive", s->path, p);
	if (type == AE_IFLNK) {
		target = archive_entry_symlink(e);
		if (!target || !*target || strchr(target, '/') || streq(target, ".") || streq(target, "..") ||
		    has_control(target))
			return fail(s, -EINVAL,
				    "'%s' has a symlink '%s' that points to '%s': cuDNN's symlinks name a file in the "
				    "same directory", s->path, p, target && !has_control(target) ? target : "?");
	}
	if (!strset_add(&s->paths, path))
		return fail(s, -EINVAL, "'%s' holds '%s' twice: refusing the whole archive", s->path, path);
	/* Everything a symlink in the archive could redirect. */
	for (char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/'))
		if (strset_has(&s->links, path, (size_t)(slash - path)))
			return fail(s, -EINVAL, "'%s' has '%s' under '%.*s', which it made a symlink: refusing the whole archive",
				    s->path, path, (int)(slash - path), path);
	if (type == AE_IFLNK)
		strset_add(&s->links, path);

	/* The top directory: the first one names the layout, all share it. */
	{
		_cleanup_free_ char *top = xasprintf("%.*s", (int)strcspn(path, "/"), path);

		if (!s->have_layout) {
			r = learn_layout(s, top);
			if (r < 0)
				return r;
		} else if (!streq(top, s->top)) {
			return fail(s, -EINVAL, "'%s' has more than one top directory ('%s' and '%s'): not a cuDNN archive",
				    s->path, s->top, top);
		}
	}
	*ret_what = IGNORE;
	if (ncomp == 1) {
		if (type != AE_IFDIR)
			return fail(s, -EINVAL, "'%s' has '%s' at the top, not a directory: not a cuDNN archive", s->path, p);
		goto done;
	}
	{
		const char *lib = s->layout == CUDNN_LAYOUT_TGZ ? "lib64" : "lib";
		size_t n = strcspn(comp[1], "/");
		enum cudnn_dest dest;

		if (n == strlen("include") && strncmp(comp[1], "include", n) == 0)
			dest = CUDNN_DEST_INCLUDE;
		else if (n == strlen(lib) && strncmp(comp[1], lib, n) == 0)
			dest = CUDNN_DEST_LIB;
		else
			goto done;              /* LICENSE, NVIDIA_SLA_cuDNN_Support.txt */
		if (ncomp == 2) {
			if (type != AE_IFDIR)
				return fail(s, -EINVAL, "'%s' has '%s', which must be a directory", s->path, p);
			goto done;
		}
		if (ncomp > 3 || !cudnn_member_name_ok(dest, comp[2]))
			goto done;              /* not something NVIDIA's steps copy */
		if (type == AE_IFDIR)
			return fail(s, -EINVAL, "'%s' has a directory '%s' where cuDNN has a file", s->path, p);
		*ret_what = PLACE;
		*ret_dest = dest;
		*ret_name = comp[2];            /* the last component of *ret_path */
	}
done:
	*ret_path = TAKE_PTR(path);
	return 0;
}

/* Feed n zero bytes to the digest: a hole in a sparse entry. */
static void hash_zeros(struct sha256_ctx *c, uint64_t n)
{
	static const char zeros[65536];

	while (n > 0) {
		size_t k = n < sizeof(zeros) ? (size_t)n : sizeof(zeros);

		sha256_update(c, zeros, k);
		n -= k;
	}
}

/* Copy (or, checking only, read) the data of a member: its digest, its
 * first bytes for the ELF check, and a version header's text. */
static int member_data(struct scan *s, struct archive *a, struct archive_entry *e, struct cudnn_member *m,
		       const char *rel)
{
	struct sha256_ctx *c = s->disk ? sha256_new() : NULL;
	unsigned char magic[4];
	size_t nmagic = 0;
	uint64_t at = 0;
	int hdr = -1, r = 0;

	if (m->dest == CUDNN_DEST_INCLUDE)
		for (int i = 0; i < 2; i++)
			if (streq(m->name, version_headers[i]))
				hdr = i;
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t offset;
		int q = archive_read_data_block(a, &buf, &size, &offset);

		if (q == ARCHIVE_EOF)
			break;
		if (q < ARCHIVE_OK || offset < 0 || (uint64_t)offset < at) {
			r = q < ARCHIVE_OK ? fail_archive(s, a) :
				fail(s, -EINVAL, "'%s' has overlapping data in %s", s->path, rel);
			goto out;
		}
		if (c)
			hash_zeros(c, (uint64_t)offset - at);
		if (hdr >= 0) {
			if ((uint64_t)offset + size > MAX_HEADER_SIZE) {
				r = fail(s, -EINVAL, "'%s' has a %s larger than any cuDNN header", s->path, rel);
				goto out;
			}
			struct strbuf *h = &s->header[hdr];
			size_t gap = (size_t)offset - h->len;

			/* A hole reads as zeros. */
			strbuf_grow(h, gap + size);
			memset(h->buf + h->len, 0, gap);
			h->len += gap;
			strbuf_add(h, buf, size);
		}
		/* The first four bytes, for the ELF check (a hole: zeros). */
		for (; nmagic < sizeof(magic) && nmagic < (uint64_t)offset; nmagic++)
			magic[nmagic] = 0;
		for (; nmagic < sizeof(magic) && nmagic < (uint64_t)offset + size; nmagic++)
			magic[nmagic] = ((const unsigned char *)buf)[nmagic - (uint64_t)offset];
		if (c)
			sha256_update(c, buf, size);
		if (s->disk && archive_write_data_block(s->disk, buf, size, offset) < ARCHIVE_OK) {
			r = fail_write(s, rel);
			goto out;
		}
		at = (uint64_t)offset + size;
	}
	if (c && archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > at)
		hash_zeros(c, (uint64_t)archive_entry_size(e) - at);
	if (is_shared_object(m->name) && (nmagic != sizeof(magic) || memcmp(magic, "\177ELF", 4) != 0)) {
		r = fail(s, -EINVAL, "'%s' has %s, which is not an ELF shared object", s->path, rel);
		goto out;
	}
	if (hdr >= 0)
		s->have_header[hdr] = true;
	if (m->dest == CUDNN_DEST_LIB && startswith(m->name, "libcudnn.so"))
		s->have_lib = true;
out:
	if (c) {
		char hex[SHA256_HEX_LEN + 1];

		sha256_finish(c, hex);
		if (r == 0)
			memcpy(m->sha256, hex, sizeof(hex));
	}
	return r;
}

static int place_entry(struct scan *s, struct archive *a, struct archive_entry *e, enum cudnn_dest dest,
		       const char *name)
{
	_cleanup_free_ char *rel = xasprintf("%s/%s", cudnn_dest_dir[dest], name);
	struct cudnn_member *m;
	bool link = archive_entry_filetype(e) == AE_IFLNK;
	int r;

	s->members = xrealloc(s->members, (s->nmembers + 1) * sizeof(*s->members));
	m = &s->members[s->nmembers++];
	memset(m, 0, sizeof(*m));
	m->dest = dest;
	m->name = xstrdup(name);
	if (link)
		m->target = xstrdup(archive_entry_symlink(e));
	if (s->disk) {
		/* Relative to the staging directory, our working directory
		 * while extracting (SECURE_NOABSOLUTEPATHS refuses an absolute
		 * one); 0644 whatever the archive says: a+r as NVIDIA's steps
		 * want, and no execute bit, which shared libraries do not
		 * need (Debian Policy on shared libraries: they "should not
		 * be installed executable"). */
		archive_entry_set_pathname(e, rel);
		if (!link)
			archive_entry_set_perm(e, 0644);
		if (archive_write_header(s->disk, e) < ARCHIVE_OK)
			return fail_write(s, rel);
	}
	if (!link) {
		r = member_data(s, a, e, m, rel);
		if (r < 0)
			return r;
	}
	if (s->disk && archive_write_finish_entry(s->disk) < ARCHIVE_OK)
		return fail_write(s, rel);
	return 0;
}

static const struct cudnn_member *find_member(const struct scan *s, enum cudnn_dest dest, const char *name)
{
	for (size_t i = 0; i < s->nmembers; i++)
		if (s->members[i].dest == dest && streq(s->members[i].name, name))
			return &s->members[i];
	return NULL;
}

/* What can only be judged once the whole archive is read. */
static int check_whole(struct scan *s)
{
	unsigned hv[3];
	int h;

	if (!s->have_layout)
		return fail(s, -EINVAL, "'%s' holds nothing: not a cuDNN archive", s->path);
	h = s->have_header[0] ? 0 : s->have_header[1] ? 1 : -1;
	if (h < 0)
		return fail(s, -EINVAL, "'%s' has no include/cudnn_version.h or include/cudnn.h to tell its version",
			    s->path);
	if (!cudnn_header_version(s->header[h].buf, hv))
		return fail(s, -EINVAL, "include/%s in '%s' does not define CUDNN_MAJOR, CUDNN_MINOR and CUDNN_PATCHLEVEL",
			    version_headers[h], s->path);
	if (memcmp(hv, s->name.v, sizeof(hv)) != 0)
		return fail(s, -EINVAL, "'%s' says cuDNN %s in its name but include/%s says %u.%u.%u", s->path,
			    s->name.version, version_headers[h], hv[0], hv[1], hv[2]);
	if (!s->have_lib)
		return fail(s, -EINVAL, "'%s' has no libcudnn.so library", s->path);
	for (size_t i = 0; i < s->nmembers; i++) {
		const struct cudnn_member *m = &s->members[i];
		size_t steps = 0;

		/* Every chain must end at a file the archive places, and a
		 * library's at a library (whose ELF magic was checked). */
		while (m && m->target && steps++ <= s->nmembers)
			m = find_member(s, m->dest, m->target);
		if (!m || m->target || (is_shared_object(s->members[i].name) && !is_shared_object(m->name)))
			return fail(s, -EINVAL, "'%s' has a symlink %s/%s that does not lead to a %s it holds",
				    s->path, cudnn_dest_dir[s->members[i].dest], s->members[i].name,
				    is_shared_object(s->members[i].name) ? "shared library" : "file");
	}
	s->header_version = xasprintf("%u.%u.%u", hv[0], hv[1], hv[2]);
	return 0;
}

static int scan_entries(struct scan *s, struct archive *a)
{
	for (;;) {
		struct archive_entry *e;
		_cleanup_free_ char *path = NULL;
		enum what what = IGNORE;
		enum cudnn_dest dest = CUDNN_DEST_INCLUDE;
		const char *name = NULL;
		int q = archive_read_next_header(a, &e), r;

		if (q == ARCHIVE_EOF)
			return check_whole(s);
		/* Ctrl-C while unpacking into the staging directory: stop, and
		 * the caller removes it; the toolkit is not touched yet. */
		if (interrupt_pending())
			return fail(s, -EINTR, "placing '%s' was interrupted before any file moved into the toolkit",
				    s->filename);
		/* A warning is a header libarchive had to guess at: NVIDIA's
		 * archives need no guessing. */
		if (q != ARCHIVE_OK)
			return fail_archive(s, a);
		r = check_entry(s, e, &path, &what, &dest, &name);
		if (r < 0)
			return r;
		if (what == PLACE) {
			r = place_entry(s, a, e, dest, name);
			if (r < 0)
				return r;
		}
	}
}

static void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->nmembers; i++) {
		free(s->members[i].name);
		free(s->members[i].target);
	}
	free(s->members);
	free(s->top);
	free(s->name.version);
	strset_free(&s->paths);
	strset_free(&s->links);
	strbuf_release(&s->why);
	strbuf_release(&s->header[0]);
	strbuf_release(&s->header[1]);
	free(s->header_version);
}

static int open_disk_writer(struct scan *s)
{
	/* Never ARCHIVE_EXTRACT_OWNER: the files belong to whoever places
	 * them (root), not to a uid in NVIDIA's build farm.  PERM applies
	 * the 0644 set per entry exactly, whatever the umask. */
	const int flags = ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
			  ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_NO_OVERWRITE |
			  ARCHIVE_EXTRACT_NO_AUTODIR | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME;

	s->disk = archive_write_disk_new();
	if (!s->disk || archive_write_disk_set_options(s->disk, flags) != ARCHIVE_OK)
		return fail(s, -ENOMEM, "libarchive cannot start writing files");
	return 0;
}

int cudnn_scan_archive(const char *path, int staging_fd, unsigned want_cuda, const char *expected_sha256,
		       struct cudnn_scan *ret, struct strbuf *err)
{
	_cleanup_free_ char *copy = xstrdup(path), *buf = xmalloc(READ_BLOCK);
	_cleanup_close_ int fd = -1, cwd = -1;
	struct reader rd = { .buf = buf };
	struct scan s = { .path = path, .want_cuda = want_cuda, .rd = &rd };
	struct archive *a = NULL;
	char hex[SHA256_HEX_LEN + 1];
	struct stat st;
	int r;

	s.filename = basename(copy);
	strbuf_init(&s.why);
	strbuf_init(&s.header[0]);
	strbuf_init(&s.header[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = fail(&s, -errno, "cannot open cuDNN archive '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = fail(&s, -EINVAL, "'%s' is not a regular file", path);
		goto out;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rd.fd = fd;
	rd.sha = sha256_new();

	/* Only what NVIDIA ships: tar, compressed with gzip or xz. */
	a = archive_read_new();
	if (!a || archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_xz(a) != ARCHIVE_OK || archive_read_support_format_tar(a) != ARCHIVE_OK) {
		r = fail(&s, -ENOMEM, "libarchive cannot read gzip or xz compressed tar files here");
		goto out;
	}
	if (archive_read_open(a, &rd, NULL, read_cb, NULL) != ARCHIVE_OK) {
		r = fail_archive(&s, a);
		goto out;
	}
	if (staging_fd >= 0) {
		r = open_disk_writer(&s);
		if (r < 0)
			goto out;
		/* archive_write_disk takes paths relative to the working
		 * directory only (we ask it to refuse absolute ones), so it
		 * works from inside the staging directory; the old one is
		 * restored below whatever happens. */
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (cwd < 0 || fchdir(staging_fd) < 0) {
			r = fail(&s, -errno, "cannot enter the staging directory: %s", strerror(errno));
			goto out;
		}
	}
	r = scan_entries(&s, a);
	if (s.disk && archive_write_close(s.disk) != ARCHIVE_OK && r == 0)
		r = fail_write(&s, "the last file");
out:
	if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
		r = fail(&s, -errno, "cannot return to the working directory: %s", strerror(errno));
	if (s.disk)
		archive_write_free(s.disk);
	if (a)
		archive_read_free(a);
	if (rd.sha) {
		/* The rest of the file after the archive's end, so the digest
		 * is of all of it.  After a failure only when a digest was
		 * expected: a mismatch explains the failure better. */
		int q = (r == 0 || expected_sha256) ? reader_drain(&rd) : -ECANCELED;

		sha256_finish(rd.sha, hex);
		if (q == 0 && expected_sha256 && !sha256_hex_equal(hex, expected_sha256)) {
			strbuf_reset(&s.why);
			s.r = 0;
			r = fail(&s, -EBADMSG,
				 "'%s' has SHA-256 %s, not the expected %s: the download is damaged or not NVIDIA's file",
				 path, hex, expected_sha256);
		} else if (q < 0 && q != -ECANCELED && r == 0) {
			r = fail(&s, q, "cannot read '%s': %s", path, strerror(-q));
		}
	}
	if (r < 0) {
		if (err)
			strbuf_adds(err, s.why.buf);
		scan_release(&s);
		return r;
	}
	memset(ret, 0, sizeof(*ret));
	ret->info.name_version = TAKE_PTR(s.name.version);
	ret->info.header_version = TAKE_PTR(s.header_version);
	ret->info.cuda_major = s.name.cuda;
	ret->info.layout = s.layout;
	memcpy(ret->info.sha256, hex, sizeof(hex));
	ret->info.nfiles = s.nmembers;
	ret->source = s.layout == CUDNN_LAYOUT_TGZ ? xstrdup(s.filename) : xasprintf("%s.tar.xz", s.top);
	ret->members = TAKE_PTR(s.members);
	ret->nmembers = s.nmembers;
	s.nmembers = 0;
	scan_release(&s);
	return 0;
}

void cudnn_scan_free(struct cudnn_scan *s)
{
	for (size_t i = 0; i < s->nmembers; i++) {
		free(s->members[i].name);
		free(s->members[i].target);
	}
	free(s->members);
	free(s->source);
	cudnn_archive_free(&s->info);
	memset(s, 0, sizeof(*s));
}
