/*
 * mirror-files.c - pointing a user's (or the system's) pip.conf and
 * .condarc at a mirror: read, merge, back up, write; and the revert (see
 * mirror-config.h; the table itself is mirror-table.c).
 *
 * For a user the whole read-merge-backup-write runs in a child that is the
 * user (as_user_call), so a link or an unreadable file in the home is met
 * with the user's rights, never root's, and everything created is the
 * user's.  What the child did comes back through as_user_call's out
 * buffer as records (see put_record).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "as-user.h"
#include "condarc-edit.h"
#include "fileio.h"
#include "mirror-config.h"
#include "pip-conf-edit.h"
#include "pip-conf.h"
#include "sysroot.h"
#include "util.h"

/* pip.conf and .condarc are small; a bigger file is not one. */
#define CONF_MAX_SIZE (1u << 20)

enum conf_kind { CONF_PIP, CONF_CONDA };

/* One configuration file on the target. */
struct conf_target {
	enum conf_kind kind;
	char *dir;                  /* its directory, on the target */
	const char *name;           /* its name in dir */
	char *create[2];            /* directories made (0755) when missing, outer first; NULL-ended */
};

/* What was found of a file. */
struct conf_state {
	char *host_dir;             /* the directory's host path, links resolved in the root; NULL: missing */
	char *path;                 /* host path of the file (display) */
	bool exists;
	char *text;                 /* its content ("" when it does not exist) */
	size_t len;
	mode_t mode;                /* its permission bits */
	char *backup;               /* the oldest gpu-setup backup of it (a name in host_dir); NULL: none */
	char *merged;               /* apply: the new content */
	size_t merged_len;
};

static void conf_state_release(struct conf_state *s)
{
	free(s->host_dir);
	free(s->path);
	free(s->text);
	free(s->backup);
	free(s->merged);
	memset(s, 0, sizeof(*s));
}

/* The work for as_user_call (or, for the system files, this process). */
struct job {
	const struct mirror *m;     /* NULL: revert */
	bool dry_run;
	const char *stamp;          /* YYYYmmddTHHMMSS, for new backups */
	struct conf_target files[2];
};

static void job_release(struct job *j)
{
	for (size_t i = 0; i < ELEMENTSOF(j->files); i++) {
		free(j->files[i].dir);
		free(j->files[i].create[0]);
		free(j->files[i].create[1]);
	}
}

static void job_targets(struct job *j, const struct target_user *u, bool system)
{
	memset(j->files, 0, sizeof(j->files));
	j->files[0].kind = CONF_PIP;
	j->files[1].kind = CONF_CONDA;
	if (system) {
		j->files[0].dir = xstrdup("/etc");
		j->files[0].name = "pip.conf";
		j->files[1].dir = xstrdup("/etc/conda");
		j->files[1].name = ".condarc";
		j->files[1].create[0] = xstrdup("/etc/conda");
		return;
	}
	/* ~/.config as pip's own `pip config set` makes it (os.makedirs
	 * under the usual umask 022): 0755, like the rest of the home's
	 * dot-directories; nothing in it is secret by being there. */
	j->files[0].dir = xasprintf("%s/.config/pip", u->home);
	j->files[0].name = "pip.conf";
	j->files[0].create[0] = xasprintf("%s/.config", u->home);
	j->files[0].create[1] = xasprintf("%s/.config/pip", u->home);
	j->files[1].dir = xstrdup(u->home);
	j->files[1].name = ".condarc";
}

/* The records the worker hands back: "ACTION\0PATH\0BACKUP\0" per file,
 * "n\0NOTE\0\0" for a note. */
static void put_record(struct strbuf *out, char action, const char *a, const char *b)
{
	strbuf_addch(out, action);
	strbuf_addch(out, '\0');
	strbuf_add(out, a, strlen(a) + 1);
	strbuf_add(out, b ? b : "", strlen(b ? b : "") + 1);
}

static const char action_codes[] = { [MIRROR_UNCHANGED] = 'u', [MIRROR_WRITTEN] = 'w', [MIRROR_RESTORED] = 'r',
				     [MIRROR_REMOVED] = 'x', [MIRROR_NO_BACKUP] = '-' };

/* Is name "<file>.gpu-setup-YYYYmmddTHHMMSS.bak" or ".absent"? */
static bool is_backup_of(const char *name, const char *file)
{
	size_t n = strlen(file);
	const char *stamp, *rest;

	if (strncmp(name, file, n) != 0 || !startswith(name + n, ".gpu-setup-"))
		return false;
	stamp = name + n + strlen(".gpu-setup-");
	if (strspn(stamp, "0123456789") != 8 || stamp[8] != 'T' || strspn(stamp + 9, "0123456789") != 6)
		return false;
	rest = stamp + 15;
	return streq(rest, ".bak") || streq(rest, ".absent");
}

/* The oldest backup of file in dir (host path), by its stamp. */
static int oldest_backup(const char *dir, const char *file, char **ret)
{
	_cleanup_free_ char *best = NULL;
	size_t skip = strlen(file) + strlen(".gpu-setup-");
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (is_backup_of(de->d_name, file) && (!best || strncmp(de->d_name + skip, best + skip, 15) < 0)) {
			free(best);
			best = xstrdup(de->d_name);
		}
	closedir(d);
	*ret = TAKE_PTR(best);
	return 0;
}

/* Read a regular file without following a link; *ret_len bytes, NUL-ended. */
static int read_regular(const char *path, char **ret, size_t *ret_len, mode_t *ret_mode)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	strbuf_init(&sb);
	for (;;) {
		ssize_t n;

		strbuf_grow(&sb, 4096);
		n = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > CONF_MAX_SIZE)
			return -EFBIG;
	}
	*ret_mode = st.st_mode & 07777;
	*ret = strbuf_detach(&sb, ret_len);
	return 0;
}

/* Find the file, refuse a link or something else than a regular file,
 * read it and its oldest backup. */
static int conf_inspect(const struct conf_target *t, struct conf_state *s, struct strbuf *err)
{
	_cleanup_free_ char *host = NULL, *display_dir = sysroot_path(t->dir);
	struct stat st;
	int r;

	memset(s, 0, sizeof(*s));
	s->path = xasprintf("%s/%s", display_dir, t->name);
	s->text = xstrdup("");
	r = sysroot_host_path(t->dir, &s->host_dir);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		strbuf_addf(err, "cannot reach %s: %s", display_dir, strerror(-r));
		return r;
	}
	if (stat(s->host_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "%s is not a directory", display_dir);
		return -ENOTDIR;
	}
	host = xasprintf("%s/%s", s->host_dir, t->name);
	if (lstat(host, &st) < 0) {
		if (errno != ENOENT) {
			r = -errno;
			strbuf_addf(err, "cannot look at %s: %s", s->path, strerror(-r));
			return r;
		}
	} else if (S_ISLNK(st.st_mode)) {
		_cleanup_free_ char *to = NULL;

		(void)read_link_at(AT_FDCWD, host, &to);
		strbuf_addf(err, "%s is a symbolic link (to %s): gpu-setup does not write through links; replace it "
				 "with a regular file",
			    s->path, to ? to : "?");
		return -ELOOP;
	} else if (!S_ISREG(st.st_mode)) {
		strbuf_addf(err, "%s is not a regular file: gpu-setup leaves it alone", s->path);
		return -EINVAL;
	} else {
		free(s->text);
		s->text = NULL;
		r = read_regular(host, &s->text, &s->len, &s->mode);
		if (r < 0) {
			s->text = xstrdup("");
			strbuf_addf(err, "cannot read %s: %s", s->path,
				    r == -EFBIG ? "larger than 1 MiB: not a configuration file" : strerror(-r));
			return r;
		}
		s->exists = true;
	}
	r = oldest_backup(s->host_dir, t->name, &s->backup);
	if (r < 0) {
		strbuf_addf(err, "cannot list %s: %s", display_dir, strerror(-r));
		return r;
	}
	return 0;
}

/* The directories of t that are missing, made (0755 whatever the umask),
 * and the host directory of the file. */
static int conf_make_dir(const struct conf_target *t, struct conf_state *s, struct strbuf *err)
{
	for (size_t i = 0; i < ELEMENTSOF(t->create) && t->create[i] && !s->host_dir; i++) {
		_cleanup_free_ char *parent = xstrdup(t->create[i]), *host_parent = NULL, *dir = NULL;
		char *slash = strrchr(parent, '/');
		int r;

		if (sysroot_host_path(t->create[i], &dir) == 0)
			continue;
		*slash = '\0';
		r = sysroot_host_path(*parent ? parent : "/", &host_parent);
		if (r < 0) {
			strbuf_addf(err, "cannot reach %s%s: %s", sysroot_get(), *parent ? parent : "/", strerror(-r));
			return r;
		}
		free(dir);
		dir = xasprintf("%s/%s", host_parent, slash + 1);
		/* chmod: the umask (root's may be 077) must not narrow it. */
		if (mkdir(dir, 0755) == 0 ? chmod(dir, 0755) < 0 : errno != EEXIST) {
			r = -errno;
			strbuf_addf(err, "cannot create %s%s: %s", sysroot_get(), t->create[i], strerror(-r));
			return r;
		}
	}
	if (!s->host_dir) {
		int r = sysroot_host_path(t->dir, &s->host_dir);

		if (r < 0) {
			strbuf_addf(err, "cannot reach %s%s: %s", sysroot_get(), t->dir, strerror(-r));
			return r;
		}
	}
	return 0;
}

static char *backup_name(const struct conf_target *t, const struct conf_state *s, const char *stamp)
{
	return xasprintf("%s.gpu-setup-%s.%s", t->name, stamp, s->exists ? "bak" : "absent");
}

static bool is_absent_marker(const char *name)
{
	size_t n = strlen(name);

	return n > 7 && streq(name + n - 7, ".absent");
}

static char *display(const struct conf_target *t, const char *name)
{
	_cleanup_free_ char *dir = sysroot_path(t->dir);

	return xasprintf("%s/%s", dir, name);
}

/* The merged content of one file; refusals name the file. */
static int conf_merge(const struct mirror *m, const struct conf_target *t, struct conf_state *s, struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
	int r;

	strbuf_init(&why);
	if (t->kind == CONF_PIP) {
		r = pip_conf_set_index_url(s->text, s->len, m->pip_index, &s->merged, &s->merged_len, &why);
	} else {
		struct condarc_mirror cm = { m->default_channels, m->cloud, m->cloud_channels };

		r = condarc_set_mirror(s->text, s->len, &cm, &s->merged, &s->merged_len, &why);
	}
	if (r < 0)
		strbuf_addf(err, "%s: %s; gpu-setup leaves it (and the other file) as it is: fix it or move it away", s->path,
			    why.buf);
	return r;
}

/* A setting in the merged pip.conf that beats [global] for pip install. */
static void pip_note(const struct mirror *m, const struct conf_state *s, struct strbuf *out)
{
	struct pip_conf pc;
	const char *install;

	if (pip_conf_parse(s->merged, &pc, NULL) < 0)
		return;
	install = pip_conf_get(&pc, "install", "index-url");
	if (install && !streq(install, m->pip_index)) {
		_cleanup_free_ char *note = xasprintf("[install] index-url = %s in %s still decides where pip install "
						      "looks; remove it to use %s",
						      install, s->path, m->name);

		put_record(out, 'n', note, NULL);
	}
	pip_conf_free(&pc);
}

static int job_apply(struct job *j, struct strbuf *out)
{
	struct conf_state st[2] = { 0 };
	_cleanup_strbuf_ struct strbuf records = STRBUF_INIT;
	const char *written = NULL;
	int r = 0;

	strbuf_init(&records);
	/* Both files are looked at and merged before either is written. */
	for (size_t i = 0; i < 2 && r == 0; i++)
		r = conf_inspect(&j->files[i], &st[i], out);
	for (size_t i = 0; i < 2 && r == 0; i++)
		r = conf_merge(j->m, &j->files[i], &st[i], out);
	for (size_t i = 0; i < 2 && r == 0; i++) {
		const struct conf_target *t = &j->files[i];
		struct conf_state *s = &st[i];
		bool changed = !s->exists || s->merged_len != s->len || memcmp(s->merged, s->text, s->len) != 0;
		_cleanup_free_ char *bak = NULL, *host_bak = NULL, *host = NULL, *shown_bak = NULL;

		if (!changed) {
			put_record(&records, action_codes[MIRROR_UNCHANGED], s->path, NULL);
			continue;
		}
		if (!s->backup) {
			bak = backup_name(t, s, j->stamp);
			shown_bak = display(t, bak);
		}
		if (j->dry_run) {
			put_record(&records, action_codes[MIRROR_WRITTEN], s->path, shown_bak);
			continue;
		}
		r = conf_make_dir(t, s, out);
		if (r < 0)
			break;
		host = xasprintf("%s/%s", s->host_dir, t->name);
		if (bak) {
			host_bak = xasprintf("%s/%s", s->host_dir, bak);
			r = write_file_atomic(host_bak, s->text, s->len, s->exists ? s->mode & 0777 : 0644);
			if (r < 0) {
				strbuf_addf(out, "cannot write the backup %s: %s", shown_bak, strerror(-r));
				break;
			}
		}
		r = write_file_atomic(host, s->merged, s->merged_len, s->exists ? s->mode & 0777 : 0644);
		if (r < 0) {
			strbuf_addf(out, "cannot write %s: %s", s->path, strerror(-r));
			if (host_bak)
				unlink(host_bak);
			break;
		}
		put_record(&records, action_codes[MIRROR_WRITTEN], s->path, shown_bak);
		written = s->path;
	}
	if (r < 0 && written)
		strbuf_addf(out, " (%s was written already; --revert puts it back)", written);
	if (r == 0) {
		strbuf_add(out, records.buf, records.len);
		if (j->files[0].kind == CONF_PIP)
			pip_note(j->m, &st[0], out);
	}
	for (size_t i = 0; i < 2; i++)
		conf_state_release(&st[i]);
	return r;
}

static int job_revert(struct job *j, struct strbuf *out)
{
	struct conf_state st[2] = { 0 };
	_cleanup_strbuf_ struct strbuf records = STRBUF_INIT;
	int r = 0;

	strbuf_init(&records);
	for (size_t i = 0; i < 2 && r == 0; i++)
		r = conf_inspect(&j->files[i], &st[i], out);
	if (r == 0 && !st[0].backup && !st[1].backup) {
		strbuf_addf(out, "nothing to revert: there is no backup by gpu-setup of %s or %s", st[0].path, st[1].path);
		r = -ENOENT;
	}
	for (size_t i = 0; i < 2 && r == 0; i++) {
		const struct conf_target *t = &j->files[i];
		struct conf_state *s = &st[i];
		_cleanup_free_ char *host = NULL, *host_bak = NULL, *shown_bak = NULL, *data = NULL;
		bool absent;
		size_t len;
		mode_t mode;

		if (!s->backup) {
			put_record(&records, action_codes[MIRROR_NO_BACKUP], s->path, NULL);
			continue;
		}
		absent = is_absent_marker(s->backup);
		shown_bak = display(t, s->backup);
		put_record(&records, action_codes[absent ? MIRROR_REMOVED : MIRROR_RESTORED], s->path, shown_bak);
		if (j->dry_run)
			continue;
		host = xasprintf("%s/%s", s->host_dir, t->name);
		host_bak = xasprintf("%s/%s", s->host_dir, s->backup);
		if (absent) {
			if (unlink(host) < 0 && errno != ENOENT) {
				r = -errno;
				strbuf_addf(out, "cannot remove %s: %s", s->path, strerror(-r));
				break;
			}
		} else {
			r = read_regular(host_bak, &data, &len, &mode);
			if (r == 0)
				r = write_file_atomic(host, data, len, mode & 0777);
			if (r < 0) {
				strbuf_addf(out, "cannot restore %s from %s: %s", s->path, shown_bak, strerror(-r));
				break;
			}
		}
		if (unlink(host_bak) < 0) {
			r = -errno;
			strbuf_addf(out, "%s is restored but its backup %s cannot be removed: %s", s->path, shown_bak,
				    strerror(-r));
			break;
		}
	}
	if (r == 0)
		strbuf_add(out, records.buf, records.len);
	for (size_t i = 0; i < 2; i++)
		conf_state_release(&st[i]);
	return r;
}

static int job_run(void *arg, struct strbuf *out)
{
	struct job *j = arg;

	return j->m ? job_apply(j, out) : job_revert(j, out);
}

/* Turn the worker's records into *ret. */
static void read_records(const struct strbuf *in, struct mirror_files *ret)
{
	const char *p = in->buf, *end = in->buf + in->len;

	memset(ret, 0, sizeof(*ret));
	while (p < end) {
		char code = *p;
		const char *a, *b;

		p += 2;
		if (p >= end)
			break;
		a = p;
		p += strlen(p) + 1;
		if (p >= end)
			break;
		b = p;
		p += strlen(p) + 1;
		if (code == 'n') {
			free(ret->note);
			ret->note = xstrdup(a);
			continue;
		}
		if (ret->n == ELEMENTSOF(ret->files))
			continue;
		for (size_t i = 0; i < ELEMENTSOF(action_codes); i++)
			if (action_codes[i] == code)
				ret->files[ret->n].action = (enum mirror_action)i;
		ret->files[ret->n].path = xstrdup(a);
		ret->files[ret->n++].backup = *b ? xstrdup(b) : NULL;
	}
}

static int run_job(struct job *j, const struct target_user *u, bool system, struct mirror_files *ret,
		   struct strbuf *err)
{
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int r;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", localtime_r(&now, &tm));
	j->stamp = stamp;
	job_targets(j, u, system);
	strbuf_init(&out);
	r = system ? job_run(j, &out) : as_user_call(u, job_run, j, &out);
	job_release(j);
	if (r < 0) {
		strbuf_add(err, out.buf, out.len);
		if (!out.len)
			strbuf_addf(err, "%s", strerror(-r));
		return r;
	}
	read_records(&out, ret);
	return 0;
}

int mirror_apply_files(const struct mirror *m, const struct target_user *u, bool system, bool dry_run,
		       struct mirror_files *ret, struct strbuf *err)
{
	struct job j = { .m = m, .dry_run = dry_run };

	return run_job(&j, u, system, ret, err);
}

int mirror_revert_files(const struct target_user *u, bool system, bool dry_run, struct mirror_files *ret,
			struct strbuf *err)
{
	struct job j = { .m = NULL, .dry_run = dry_run };

	return run_job(&j, u, system, ret, err);
}

void mirror_files_free(struct mirror_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->files[i].path);
		free(f->files[i].backup);
	}
	free(f->note);
	memset(f, 0, sizeof(*f));
}

const char *mirror_action_name(enum mirror_action a, bool dry_run)
{
	switch (a) {
	case MIRROR_UNCHANGED: return "unchanged";
	case MIRROR_WRITTEN: return dry_run ? "would write" : "written";
	case MIRROR_RESTORED: return dry_run ? "would restore" : "restored";
	case MIRROR_REMOVED: return dry_run ? "would remove" : "removed";
	case MIRROR_NO_BACKUP: return "no backup";
	}
	return "?";
}

void mirror_files_describe(const struct mirror_files *f, bool dry_run, struct strbuf *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct mirror_file *mf = &f->files[i];

		strbuf_addf(out, "%s: %s", mirror_action_name(mf->action, dry_run), mf->path);
		if (mf->action == MIRROR_WRITTEN && mf->backup && is_absent_marker(mf->backup))
			strbuf_addf(out, " (new; --revert removes it%s)", dry_run ? "" : " again");
		else if (mf->action == MIRROR_WRITTEN && mf->backup)
			strbuf_addf(out, " (%s %s)", dry_run ? "backup" : "backed up to", mf->backup);
		else if (mf->action == MIRROR_RESTORED && mf->backup)
			strbuf_addf(out, " (from %s)", mf->backup);
		else if (mf->action == MIRROR_REMOVED)
			strbuf_adds(out, " (gpu-setup had created it)");
		strbuf_addch(out, '\n');
	}
	if (f->note)
		strbuf_addf(out, "note: %s\n", f->note);
}

int mirror_apply(const struct mirror *m, const struct target_user *u, bool system, struct strbuf *report,
		 struct strbuf *err)
{
	struct mirror_files f;
	int r = mirror_apply_files(m, u, system, false, &f, err);

	if (r < 0)
		return r;
	mirror_files_describe(&f, false, report);
	mirror_files_free(&f);
	return 0;
}

int mirror_revert(const struct target_user *u, bool system, struct strbuf *report, struct strbuf *err)
{
	struct mirror_files f;
	int r = mirror_revert_files(u, system, false, &f, err);

	if (r < 0)
		return r;
	mirror_files_describe(&f, false, report);
	mirror_files_free(&f);
	return 0;
}
