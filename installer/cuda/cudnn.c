/*
 * cudnn.c - place a checked cuDNN archive into a CUDA toolkit and take it
 * out again (the archive itself is read in cudnn-archive.c).
 *
 * Placing, in order, so that every refusal comes before the first change:
 *   1. resolve the toolkit and its include/ and lib64/ inside the sysroot
 *      (NVIDIA's runfile makes them symlinks into targets/x86_64-linux);
 *      refuse when they lead out of the toolkit;
 *   2. read the manifest of an earlier placement, and list every cuDNN
 *      file in include/ and lib64/ that it does not account for, or that
 *      changed since: those belong to somebody else (-EEXIST);
 *   3. read the archive once into a staging directory inside the toolkit
 *      (the same filesystem as include/ and lib64/, so the move is
 *      rename()), checking it and its checksum on the way;
 *   4. move the earlier placement's files aside into the staging
 *      directory, the new ones into place, and write the manifest; if any
 *      of that fails, move everything back;
 *   5. remove the staging directory, with the old files in it.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cudnn-archive.h"
#include "cudnn.h"
#include "fileio.h"
#include "manifest.h"
#include "sysroot.h"
#include "util.h"

unsigned cudnn_test_fail_step;

/* At most this many names in a conflict message; the rest are counted. */
#define MAX_LISTED 20

void cudnn_archive_free(struct cudnn_archive *a)
{
	free(a->name_version);
	free(a->header_version);
	memset(a, 0, sizeof(*a));
}

void cudnn_place_result_free(struct cudnn_place_result *r)
{
	cudnn_archive_free(&r->info);
	free(r->previous_version);
	memset(r, 0, sizeof(*r));
}

void cudnn_remove_result_free(struct cudnn_remove_result *r)
{
	for (size_t i = 0; i < r->nkept; i++)
		free(r->kept[i]);
	free(r->kept);
	free(r->version);
	memset(r, 0, sizeof(*r));
}

char *cudnn_manifest_path(const char *toolkit_dir)
{
	_cleanup_free_ char *copy = xstrdup(toolkit_dir);
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	return xasprintf(MANIFEST_DIR "/cudnn-%s.manifest", basename(copy));
}

int cudnn_installed_version(const char *toolkit_dir, char **ret)
{
	static const char *const headers[] = { "cudnn_version.h", "cudnn.h" };

	for (size_t i = 0; i < ELEMENTSOF(headers); i++) {
		_cleanup_free_ char *rel = xasprintf("%s/include/%s", toolkit_dir, headers[i]);
		_cleanup_free_ char *resolved = NULL, *path = NULL, *text = NULL;
		unsigned v[3];
		size_t len;
		int r;

		/* Resolved inside the root: the runfile's include symlink may
		 * be absolute. */
		r = sysroot_resolve(rel, &resolved);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		path = sysroot_path(resolved);
		r = read_file(path, 4u << 20, &text, &len);
		if (r < 0)
			return r;
		if (!cudnn_header_version(text, v))
			return -EINVAL;
		*ret = xasprintf("%u.%u.%u", v[0], v[1], v[2]);
		return 0;
	}
	return -ENOENT;
}

/* ---------------------------------------------------------------- the toolkit */

struct toolkit {
	const char *given;               /* as the caller named it, for messages */
	char *dir;                       /* resolved, on the target */
	char *host;                      /* sysroot_path(dir) */
	int fd[CUDNN_DEST_COUNT];        /* include/ and lib64/, resolved; -1 when missing */
};

static void toolkit_close(struct toolkit *tk)
{
	free(tk->dir);
	free(tk->host);
	for (int d = 0; d < CUDNN_DEST_COUNT; d++)
		if (tk->fd[d] >= 0)
			close(tk->fd[d]);
}

static bool path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (streq(dir, "/"))
		return true;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Resolve the toolkit and open its include/ and lib64/.  need_dirs: a
 * missing one is -ENOENT (placing), else it stays -1 (removing). */
static int toolkit_open(const char *toolkit_dir, bool need_dirs, struct toolkit *tk, struct strbuf *err)
{
	struct stat st;
	int r;

	*tk = (struct toolkit){ .given = toolkit_dir, .fd = { -1, -1 } };
	if (!toolkit_dir || toolkit_dir[0] != '/') {
		strbuf_addf(err, "the CUDA toolkit directory '%s' is not an absolute path", toolkit_dir ? toolkit_dir : "");
		return -EINVAL;
	}
	r = sysroot_resolve(toolkit_dir, &tk->dir);
	if (r < 0) {
		_cleanup_free_ char *host = sysroot_path(toolkit_dir);

		strbuf_addf(err, "cannot use the CUDA toolkit directory '%s': %s", host,
			    r == -ENOENT ? "it does not exist" : strerror(-r));
		return r;
	}
	tk->host = sysroot_path(tk->dir);
	if (stat(tk->host, &st) < 0 || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "the CUDA toolkit '%s' is not a directory", tk->host);
		return -ENOTDIR;
	}
	for (int d = 0; d < CUDNN_DEST_COUNT; d++) {
		_cleanup_free_ char *rel = xasprintf("%s/%s", tk->dir, cudnn_dest_dir[d]);
		_cleanup_free_ char *resolved = NULL, *host = NULL;

		r = sysroot_resolve(rel, &resolved);
		if (r == -ENOENT && !need_dirs)
			continue;
		if (r < 0) {
			strbuf_addf(err, "cannot use '%s/%s': %s", tk->host, cudnn_dest_dir[d],
				    r == -ENOENT ? "it does not exist (is this a CUDA toolkit?)" : strerror(-r));
			return r;
		}
		/* A runfile tree's lib64 -> targets/x86_64-linux/lib stays
		 * inside; one that leads elsewhere (an absolute link made for
		 * another root, or into the host's /usr/lib) is not ours to
		 * fill. */
		if (!path_within(resolved, tk->dir)) {
			strbuf_addf(err, "'%s/%s' leads to '%s', outside the toolkit: gpu-setup will not place files there",
				    tk->host, cudnn_dest_dir[d], resolved);
			return -ELOOP;
		}
		host = sysroot_path(resolved);
		tk->fd[d] = open(host, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (tk->fd[d] < 0) {
			r = -errno;
			strbuf_addf(err, "cannot open '%s': %s", host, strerror(errno));
			return r;
		}
	}
	return 0;
}

/* Split a manifest path "include/NAME" or "lib64/NAME" of a cuDNN
 * manifest; false for anything cuDNN never places. */
static bool split_relpath(const char *rel, enum cudnn_dest *ret_dest, const char **ret_name)
{
	for (int d = 0; d < CUDNN_DEST_COUNT; d++) {
		size_t n = strlen(cudnn_dest_dir[d]);

		if (strncmp(rel, cudnn_dest_dir[d], n) == 0 && rel[n] == '/' &&
		    cudnn_member_name_ok((enum cudnn_dest)d, rel + n + 1)) {
			*ret_dest = (enum cudnn_dest)d;
			*ret_name = rel + n + 1;
			return true;
		}
	}
	return false;
}

/* The manifest of an earlier placement: -ENOENT when there is none; one
 * that is not a cuDNN manifest for this toolkit is not acted on. */
static int read_previous(const struct toolkit *tk, struct manifest *ret, struct strbuf *err)
{
	_cleanup_free_ char *path = cudnn_manifest_path(tk->dir), *host = sysroot_path(path);
	struct manifest m = { 0 };
	enum cudnn_dest d;
	const char *name;
	int r;

	r = manifest_read(path, &m, err);
	if (r < 0)
		return r;
	if (!streq(m.kind, "cudnn")) {
		strbuf_addf(err, "manifest '%s' records '%s', not cuDNN: gpu-setup will not act on it", host, m.kind);
		manifest_free(&m);
		return -EINVAL;
	}
	/* Manifests are named by the toolkit's last component, so
	 * /opt/cuda-12.8 and /usr/local/cuda-12.8 would share one. */
	if (!streq(m.base, tk->dir)) {
		strbuf_addf(err, "manifest '%s' belongs to the cuDNN in '%s', a toolkit of the same name as '%s': "
			    "gpu-setup keeps one cuDNN per toolkit name; remove that one first", host, m.base, tk->dir);
		manifest_free(&m);
		return -EINVAL;
	}
	for (size_t i = 0; i < m.nentries; i++) {
		if (!split_relpath(m.entries[i].relpath, &d, &name)) {
			strbuf_addf(err, "manifest '%s' lists '%s', which is no cuDNN header or library: "
				    "gpu-setup will not act on it", host, m.entries[i].relpath);
			manifest_free(&m);
			return -EINVAL;
		}
	}
	*ret = m;
	return 0;
}

enum state { ABSENT, AS_PLACED, CHANGED };

/* Is name in dirfd still what the manifest entry says was placed? */
static int entry_state(int dirfd, const char *name, const struct manifest_entry *e, enum state *ret)
{
	struct stat st;
	int r;

	if (dirfd < 0 || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (dirfd >= 0 && errno != ENOENT)
			return -errno;
		*ret = ABSENT;
		return 0;
	}
	*ret = CHANGED;
	if (e->type == MANIFEST_LINK && S_ISLNK(st.st_mode)) {
		_cleanup_free_ char *target = NULL;

		r = read_link_at(dirfd, name, &target);
		if (r < 0)
			return r;
		if (streq(target, e->target))
			*ret = AS_PLACED;
	} else if (e->type == MANIFEST_FILE && S_ISREG(st.st_mode)) {
		_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		char hex[SHA256_HEX_LEN + 1];

		if (fd < 0)
			return -errno;
		r = sha256_fd(fd, hex);
		if (r < 0)
			return r;
		if (sha256_hex_equal(hex, e->sha256))
			*ret = AS_PLACED;
	}
	return 0;
}

/* What a cuDNN archive places, by name, with any characters (so that a
 * foreign libcudnn with an odd name is seen too): include/cudnn*.h and
 * lib64/libcudnn*, not directories.  Not cudnn_frontend*.h: NVIDIA ships
 * those in a header-only library of their own (cudnn-frontend), which
 * people do copy into the toolkit, and no cuDNN archive holds them. */
static bool looks_like_cudnn(enum cudnn_dest d, int dirfd, const char *name)
{
	struct stat st;

	if (d == CUDNN_DEST_INCLUDE) {
		size_t n = strlen(name);

		if (!startswith(name, "cudnn") || n < 2 || !streq(name + n - 2, ".h") || startswith(name, "cudnn_frontend"))
			return false;
	} else if (!startswith(name, "libcudnn")) {
		return false;
	}
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode);
}

/* Every cuDNN file in include/ and lib64/ the previous manifest does not
 * account for, or that changed since it was placed, as one message: files
 * the archive would overwrite, and also a foreign cuDNN's leftovers it
 * would not (libcudnn_ops_infer.so.8 beside a new 9), since a toolkit
 * with two cuDNNs in it loads whichever a program happens to name. */
static int check_conflicts(const struct toolkit *tk, const struct manifest *prev, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf list = STRBUF_INIT;
	size_t n = 0;

	strbuf_init(&list);
	for (int d = 0; d < CUDNN_DEST_COUNT; d++) {
		int fd = openat(tk->fd[d], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;

		if (!dir) {
			int r = -errno;

			if (fd >= 0)
				close(fd);
			strbuf_addf(err, "cannot list '%s/%s': %s", tk->host, cudnn_dest_dir[d], strerror(-r));
			return r;
		}
		while ((errno = 0, de = readdir(dir))) {
			_cleanup_free_ char *rel = NULL;
			const struct manifest_entry *e;
			enum state st = CHANGED;
			int r;

			if (!looks_like_cudnn((enum cudnn_dest)d, tk->fd[d], de->d_name))
				continue;
			rel = xasprintf("%s/%s", cudnn_dest_dir[d], de->d_name);
			e = prev ? manifest_find(prev, rel) : NULL;
			if (e) {
				r = entry_state(tk->fd[d], de->d_name, e, &st);
				if (r < 0) {
					strbuf_addf(err, "cannot read '%s/%s': %s", tk->host, rel, strerror(-r));
					closedir(dir);
					return r;
				}
				if (st != CHANGED)
					continue;
			}
			if (n++ < MAX_LISTED)
				strbuf_addf(&list, "%s%s%s", n > 1 ? ", " : "", rel,
					    e ? " (changed since gpu-setup placed it)" : "");
		}
		closedir(dir);
	}
	if (n == 0)
		return 0;
	if (n > MAX_LISTED)
		strbuf_addf(&list, " and %zu more", n - MAX_LISTED);
	strbuf_addf(err, "'%s' holds cuDNN files that are not gpu-setup's to replace: %s; gpu-setup will not "
		    "overwrite them: move them away (or remove that cuDNN) and run again", tk->given, list.buf);
	return -EEXIST;
}

/* ---------------------------------------------------------------- the move */

struct move {
	int from_fd, to_fd;
	const char *name;
};

struct journal {
	struct move *v;
	size_t n;
	unsigned steps;
};

/* One step of the move; a test can make the Nth one fail. */
static bool injected_failure(struct journal *j)
{
	return cudnn_test_fail_step && ++j->steps == cudnn_test_fail_step;
}

static int move_one(struct journal *j, int from_fd, int to_fd, const char *name)
{
	if (injected_failure(j))
		return -EIO;
	/* NOREPLACE: a file that appeared since the conflict check is not
	 * overwritten.  A filesystem without it gets a check, then rename. */
	if (renameat2(from_fd, name, to_fd, name, RENAME_NOREPLACE) < 0) {
		struct stat st;

		if (errno != EINVAL)
			return -errno;
		if (fstatat(to_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return -EEXIST;
		if (renameat(from_fd, name, to_fd, name) < 0)
			return -errno;
	}
	j->v = xrealloc(j->v, (j->n + 1) * sizeof(*j->v));
	j->v[j->n++] = (struct move){ from_fd, to_fd, name };
	return 0;
}

/* Undo every move, newest first; the first failure, 0. */
static int journal_undo(struct journal *j)
{
	int r = 0;

	while (j->n > 0) {
		struct move *m = &j->v[--j->n];

		if (renameat(m->to_fd, m->name, m->from_fd, m->name) < 0 && r == 0)
			r = -errno;
	}
	return r;
}

struct staging {
	char *path;                        /* real path */
	int fd;
	int new_fd[CUDNN_DEST_COUNT];      /* include/, lib64/: the archive's files */
	int old_fd[CUDNN_DEST_COUNT];      /* old-include/, old-lib64/: the previous placement's */
};

static int staging_make(const struct toolkit *tk, struct staging *st, struct strbuf *err)
{
	int r;

	*st = (struct staging){ .fd = -1, .new_fd = { -1, -1 }, .old_fd = { -1, -1 } };
	st->path = xasprintf("%s/.gpu-setup-cudnn-XXXXXX", tk->host);
	if (!mkdtemp(st->path)) {
		r = -errno;
		strbuf_addf(err, "cannot make a staging directory in '%s': %s", tk->host, strerror(errno));
		free(st->path);
		st->path = NULL;
		return r;
	}
	st->fd = open(st->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (st->fd < 0)
		goto fail;
	for (int d = 0; d < CUDNN_DEST_COUNT; d++) {
		_cleanup_free_ char *old = xasprintf("old-%s", cudnn_dest_dir[d]);

		if (mkdirat(st->fd, cudnn_dest_dir[d], 0755) < 0 || mkdirat(st->fd, old, 0700) < 0)
			goto fail;
		st->new_fd[d] = openat(st->fd, cudnn_dest_dir[d], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		st->old_fd[d] = openat(st->fd, old, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (st->new_fd[d] < 0 || st->old_fd[d] < 0)
			goto fail;
	}
	return 0;
fail:
	r = -errno;
	strbuf_addf(err, "cannot set up the staging directory '%s': %s", st->path, strerror(errno));
	return r;
}

/* Whether dir (a host path) holds nothing, or does not exist. */
static bool dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return errno == ENOENT;
	while (empty && (e = readdir(d)))
		empty = streq(e->d_name, ".") || streq(e->d_name, "..");
	closedir(d);
	return empty;
}

/* A staging directory left by a run that was killed (kill -9, a power
 * cut) while it unpacked: nothing of it reached the toolkit, so it goes.
 * One whose old-include/ or old-lib64/ holds files was cut during the
 * moves themselves: that is the user's to sort out, with what to do.
 * The run lock makes sure no other run is using one. */
static int remove_stale_staging(const struct toolkit *tk, struct strbuf *err)
{
	DIR *d = opendir(tk->host);
	struct dirent *e;
	int r = 0;

	if (!d)
		return 0;
	while (r == 0 && (e = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		bool moved = false;

		if (!startswith(e->d_name, ".gpu-setup-cudnn-"))
			continue;
		path = xasprintf("%s/%s", tk->host, e->d_name);
		for (int k = 0; k < CUDNN_DEST_COUNT; k++) {
			_cleanup_free_ char *old = xasprintf("%s/old-%s", path, cudnn_dest_dir[k]);

			moved = moved || !dir_empty(old);
		}
		if (moved) {
			strbuf_addf(err, "an earlier placement was cut off while it moved files: the previous cuDNN's "
				    "files are in '%s/old-include' and '%s/old-lib64'; move them back into the toolkit's "
				    "include/ and lib64/, remove '%s', and run again", path, path, path);
			r = -EBUSY;
		} else {
			(void)remove_tree(path);
		}
	}
	closedir(d);
	return r;
}

/* Close and remove the staging directory (keep: leave it, it holds files
 * a failed roll-back could not put back). */
static void staging_end(struct staging *st, bool keep)
{
	for (int d = 0; d < CUDNN_DEST_COUNT; d++) {
		if (st->new_fd[d] >= 0)
			close(st->new_fd[d]);
		if (st->old_fd[d] >= 0)
			close(st->old_fd[d]);
	}
	if (st->fd >= 0)
		close(st->fd);
	if (st->path && !keep)
		(void)remove_tree(st->path);
	free(st->path);
	*st = (struct staging){ .fd = -1, .new_fd = { -1, -1 }, .old_fd = { -1, -1 } };
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->relpath, ((const struct manifest_entry *)b)->relpath);
}

static void build_manifest(const struct toolkit *tk, const struct cudnn_scan *scan, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	m->kind = xstrdup("cudnn");
	m->version = xstrdup(scan->info.name_version);
	m->source = xstrdup(scan->source);
	m->sha256 = xstrdup(scan->info.sha256);
	m->base = xstrdup(tk->dir);
	for (size_t i = 0; i < scan->nmembers; i++) {
		const struct cudnn_member *c = &scan->members[i];
		_cleanup_free_ char *rel = xasprintf("%s/%s", cudnn_dest_dir[c->dest], c->name);

		if (c->target)
			manifest_add_link(m, rel, c->target);
		else
			manifest_add_file(m, rel, 0644, c->sha256);
	}
	/* Sorted, so two placements of one archive write the same file. */
	qsort(m->entries, m->nentries, sizeof(*m->entries), cmp_entries);
}

/* Steps 4 of the header comment: all of it, or none of it. */
static int commit(const struct toolkit *tk, const struct manifest *prev, const struct cudnn_scan *scan,
		  struct staging *st, bool *ret_keep_staging, struct strbuf *err)
{
	_cleanup_free_ char *mpath = cudnn_manifest_path(tk->dir);
	struct journal j = { 0 };
	struct manifest m;
	const char *what = NULL;
	int r = 0, q;

	*ret_keep_staging = false;
	/* The data on disk before any name points at it, so that a crash
	 * after the move cannot leave empty libraries behind a manifest
	 * that vouches for them. */
	if (syncfs(st->fd) < 0) {
		r = -errno;
		what = "flush the staged files to disk";
		goto fail;
	}
	for (size_t i = 0; prev && i < prev->nentries; i++) {
		enum cudnn_dest d;
		const char *name;
		struct stat s;

		split_relpath(prev->entries[i].relpath, &d, &name);
		if (fstatat(tk->fd[d], name, &s, AT_SYMLINK_NOFOLLOW) < 0)
			continue;       /* removed by hand since: nothing to move aside */
		r = move_one(&j, tk->fd[d], st->old_fd[d], name);
		if (r < 0) {
			what = "move the previous cuDNN aside";
			goto fail;
		}
	}
	for (size_t i = 0; i < scan->nmembers; i++) {
		const struct cudnn_member *c = &scan->members[i];

		r = move_one(&j, st->new_fd[c->dest], tk->fd[c->dest], c->name);
		if (r < 0) {
			what = "move the new files into place";
			goto fail;
		}
	}
	for (int d = 0; d < CUDNN_DEST_COUNT; d++)
		(void)fsync(tk->fd[d]);
	build_manifest(tk, scan, &m);
	if (injected_failure(&j)) {
		r = -EIO;
		strbuf_addf(err, "cannot write manifest '%s%s': %s", sysroot_get(), mpath, strerror(EIO));
	} else {
		r = manifest_write(mpath, &m, err);
	}
	manifest_free(&m);
	if (r < 0)
		goto undo;
	free(j.v);
	return 0;
fail:
	strbuf_addf(err, "cannot %s in '%s': %s", what, tk->given, strerror(-r));
undo:
	q = journal_undo(&j);
	free(j.v);
	if (q < 0) {
		*ret_keep_staging = true;
		strbuf_addf(err, "; putting the toolkit back as it was failed too (%s): the files moved aside are in '%s'",
			    strerror(-q), st->path);
	} else {
		strbuf_adds(err, "; the toolkit is as it was");
	}
	return r;
}

int cudnn_place(const struct cudnn_place_request *req, struct cudnn_place_result *ret, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf ignored = STRBUF_INIT;
	struct toolkit tk;
	struct manifest prev = { 0 };
	bool have_prev = false, keep = false;
	struct staging st = { .fd = -1, .new_fd = { -1, -1 }, .old_fd = { -1, -1 } };
	struct cudnn_scan scan = { 0 };
	bool have_scan = false;
	int r;

	if (!err) {
		strbuf_init(&ignored);
		err = &ignored;
	}
	if (!req->archive_path || (req->expected_sha256 && !sha256_hex_valid(req->expected_sha256))) {
		strbuf_addf(err, "the expected SHA-256 of '%s' is not 64 hex digits",
			    req->archive_path ? req->archive_path : "(no archive)");
		return -EINVAL;
	}
	r = toolkit_open(req->toolkit_dir, true, &tk, err);
	if (r < 0)
		goto out;
	r = read_previous(&tk, &prev, err);
	if (r == -ENOENT)
		r = 0;
	else if (r == 0)
		have_prev = true;
	if (r < 0)
		goto out;
	r = remove_stale_staging(&tk, err);
	if (r < 0)
		goto out;
	r = check_conflicts(&tk, have_prev ? &prev : NULL, err);
	if (r < 0)
		goto out;
	r = staging_make(&tk, &st, err);
	if (r < 0)
		goto out;
	r = cudnn_scan_archive(req->archive_path, st.fd, req->toolkit_cuda_major, req->expected_sha256, &scan, err);
	if (r < 0)
		goto out;
	have_scan = true;
	r = commit(&tk, have_prev ? &prev : NULL, &scan, &st, &keep, err);
	if (r < 0)
		goto out;

	memset(ret, 0, sizeof(*ret));
	ret->info = scan.info;
	memset(&scan.info, 0, sizeof(scan.info));
	ret->nfiles = scan.nmembers;
	ret->replaced_previous = have_prev;
	ret->previous_version = have_prev ? xstrdup(prev.version) : NULL;
out:
	staging_end(&st, keep);
	if (have_scan)
		cudnn_scan_free(&scan);
	manifest_free(&prev);
	toolkit_close(&tk);
	return r;
}

int cudnn_inspect(const char *archive_path, struct cudnn_archive *ret, struct strbuf *err)
{
	/* err may be NULL: cudnn_scan_archive takes that. */
	struct cudnn_scan scan;
	int r = cudnn_scan_archive(archive_path, -1, 0, NULL, &scan, err);

	if (r < 0)
		return r;
	*ret = scan.info;
	memset(&scan.info, 0, sizeof(scan.info));
	cudnn_scan_free(&scan);
	return 0;
}

/* ---------------------------------------------------------------- removal */

int cudnn_remove(const char *toolkit_dir, struct cudnn_remove_result *ret, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf ignored = STRBUF_INIT, why = STRBUF_INIT;
	_cleanup_free_ char *mpath = NULL, *mhost = NULL;
	struct cudnn_remove_result res = { 0 };
	struct manifest m = { 0 };
	struct toolkit tk;
	int r;

	if (!err) {
		strbuf_init(&ignored);
		err = &ignored;
	}
	strbuf_init(&why);
	r = toolkit_open(toolkit_dir, false, &tk, &why);
	if (r == -ENOENT) {
		/* The toolkit is gone; its manifest may not be. */
		toolkit_close(&tk);
		tk = (struct toolkit){ .given = toolkit_dir, .dir = xstrdup(toolkit_dir), .fd = { -1, -1 } };
		r = 0;
	}
	if (r < 0) {
		strbuf_adds(err, why.buf);
		goto out;
	}
	mpath = cudnn_manifest_path(tk.dir);
	mhost = sysroot_path(mpath);
	r = read_previous(&tk, &m, err);
	if (r < 0)
		goto out;
	res.version = xstrdup(m.version);
	for (size_t i = 0; i < m.nentries; i++) {
		const struct manifest_entry *e = &m.entries[i];
		enum cudnn_dest d;
		const char *name;
		enum state state;

		split_relpath(e->relpath, &d, &name);
		r = entry_state(tk.fd[d], name, e, &state);
		if (r == 0 && state == AS_PLACED && unlinkat(tk.fd[d], name, 0) < 0)
			r = -errno;
		if (r < 0) {
			strbuf_addf(err, "cannot remove '%s/%s': %s (the manifest '%s' is kept, so remove can run again)",
				    tk.host ? tk.host : toolkit_dir, e->relpath, strerror(-r), mhost);
			goto out;
		}
		if (state == ABSENT) {
			res.nmissing++;
		} else if (state == AS_PLACED) {
			res.nremoved++;
		} else {
			res.kept = xrealloc(res.kept, (res.nkept + 1) * sizeof(char *));
			res.kept[res.nkept++] = xstrdup(e->relpath);
		}
	}
	for (int d = 0; d < CUDNN_DEST_COUNT; d++)
		if (tk.fd[d] >= 0)
			(void)fsync(tk.fd[d]);
	/* What was kept is the user's now; a later placement lists it as
	 * not placed by gpu-setup rather than replacing it. */
	if (unlink(mhost) < 0) {
		r = -errno;
		strbuf_addf(err, "cannot remove manifest '%s': %s", mhost, strerror(errno));
		goto out;
	}
	*ret = res;
	memset(&res, 0, sizeof(res));
out:
	cudnn_remove_result_free(&res);
	manifest_free(&m);
	toolkit_close(&tk);
	return r;
}
