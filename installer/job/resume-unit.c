/*
 * resume-unit.c - write, enable and remove the one-shot unit that finishes
 * `gpu-setup install` after the driver's reboot; see resume-unit.h.
 *
 * How the unit removes itself.  Its first command, ExecStartPre=, deletes
 * the unit file and its wants link before gpu-setup starts, and every
 * install that is not a dry run calls resume_unit_remove() again at its
 * start.  The two together make the unit run exactly once whatever happens
 * next: gpu-setup failing, being killed, or being missing at boot (the
 * program path is not checked by a condition: a unit skipped by a failed
 * condition would stay enabled for ever; failing once with "No such file"
 * in the journal and being gone is the better end).  The removal is at the
 * start, not in ExecStopPost=, on purpose: when the resumed run needs a
 * reboot again it installs the unit anew, and a removal after it would
 * delete that.  systemd keeps running a unit whose file went away (it has
 * it loaded), so the journal still holds its output under its name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fileio.h"
#include "resume-unit.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

#define UNIT_DIR "/etc/systemd/system"
#define WANTS_DIR UNIT_DIR "/multi-user.target.wants"
/* What the wants link points to: relative, so it reaches the unit the same
 * way at boot, in a chroot and in a --root tree seen from outside. */
#define WANTS_TARGET "../" RESUME_UNIT_NAME
/* A unit file is a few hundred bytes; this only bounds reading a foreign
 * file by the same name. */
#define UNIT_MAX_SIZE (1u << 20)

/* A program path systemd runs as written: absolute, no empty, "." or ".."
 * component (systemd refuses a path that is not normalized), no '$' (not
 * expanded in the path, so "$$" could not stand for it) and no control
 * character (systemd.service(5): "not allowed" in the command). */
static bool program_path_ok(const char *p)
{
	if (p[0] != '/' || p[1] == '\0')
		return false;
	for (const char *s = p; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '$')
			return false;
		if (c == '/') {
			size_t n = strcspn(s + 1, "/");

			if (n == 0 || (n == 1 && s[1] == '.') || (n == 2 && s[1] == '.' && s[2] == '.'))
				return false;
		}
	}
	return true;
}

/* One word of a command line, quoted by systemd.syntax(7)'s rules and
 * systemd.service(5)'s "Command lines": in double quotes (so spaces, ';'
 * and an empty word stay one argument), backslash and double quote
 * escaped, '%' doubled (specifiers are resolved in every word), '$'
 * doubled (environment variables are expanded inside quotes too), and
 * every byte outside printable ASCII written as \xNN, which systemd
 * unescapes to that very byte: no control character or line end reaches
 * the file, and the file is ASCII whatever the arguments' encoding. */
static void add_exec_word(struct strbuf *sb, const char *word)
{
	strbuf_addch(sb, '"');
	for (const unsigned char *s = (const unsigned char *)word; *s; s++) {
		switch (*s) {
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '"': strbuf_adds(sb, "\\\""); break;
		case '%': strbuf_adds(sb, "%%"); break;
		case '$': strbuf_adds(sb, "$$"); break;
		default:
			if (*s < 0x20 || *s >= 0x7f)
				strbuf_addf(sb, "\\x%02x", *s);
			else
				strbuf_addch(sb, (char)*s);
		}
	}
	strbuf_addch(sb, '"');
}

char *resume_unit_text(const char *const *argv)
{
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	if (!argv || !argv[0] || !program_path_ok(argv[0]))
		return NULL;
	strbuf_init(&sb);
	strbuf_adds(&sb,
		    RESUME_UNIT_MARKER "\n"
		    "# It runs the rest of the installation once, at the boot after the driver's\n"
		    "# reboot, and removes itself when it starts: see gpu-setup(8), \"Resume after\n"
		    "# reboot\".  Its output: journalctl -u gpu-setup-resume\n"
		    "\n"
		    "[Unit]\n"
		    "Description=gpu-setup: finish the installation after the driver's reboot\n"
		    "Documentation=man:gpu-setup(8)\n"
		    /* The driver's module loads early (systemd-modules-load and
		     * udev); downloads want the network when there is one, and
		     * network-online.target is reached without one too. */
		    "Wants=network-online.target\n"
		    "After=network-online.target systemd-modules-load.service\n"
		    "\n"
		    "[Service]\n"
		    "Type=oneshot\n"
		    "RemainAfterExit=no\n"
		    /* '-': a failed removal must not stop the run, which removes
		     * the two again itself. */
		    "ExecStartPre=-/bin/rm -f " RESUME_UNIT_PATH " " RESUME_UNIT_WANTS_PATH "\n"
		    "ExecStart=");
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		add_exec_word(&sb, argv[i]);
	}
	strbuf_adds(&sb,
		    "\n"
		    /* A framework download or a CUDA runfile can take long on a
		     * slow line; systemd's default 90 s would kill it. */
		    "TimeoutStartSec=infinity\n"
		    "StandardOutput=journal+console\n"
		    "StandardError=journal+console\n"
		    "\n"
		    "[Install]\n"
		    "WantedBy=multi-user.target\n");
	return strbuf_detach(&sb, NULL);
}

/* The host path of a directory on the target, links in it resolved inside
 * the root; with create, made (and its parents) when missing.  -ENOTDIR
 * when it, or a directory above it, is a file; without create, -ENOENT
 * and -ENOTDIR come with no message (nothing is there). */
static int unit_dir(const char *dir, bool create, char **ret, struct strbuf *err)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;
	int r = sysroot_host_path(dir, &host);

	if (r == -ENOENT && create) {
		_cleanup_free_ char *p = sysroot_path(dir);

		r = mkdir_p(p, 0755);
		if (r == 0)
			r = sysroot_host_path(dir, &host);
	}
	if (r == 0 && (stat(host, &st) < 0 || !S_ISDIR(st.st_mode)))
		r = -ENOTDIR;
	if (r < 0) {
		if (create)
			strbuf_addf(err, "cannot create the directory %s%s: %s%s", sysroot_get(), dir, strerror(-r),
				    r == -ENOTDIR ? " (a file is in the way)" : "");
		else if (r != -ENOENT && r != -ENOTDIR)
			strbuf_addf(err, "cannot reach %s%s: %s", sysroot_get(), dir, strerror(-r));
		return r;
	}
	*ret = TAKE_PTR(host);
	return 0;
}

/* What is at the unit's path now: *ret_text its content when it is a unit
 * gpu-setup wrote, NULL when there is none; -EEXIST with the reason in err
 * when something else is there. */
static int unit_file_state(const char *host, char **ret_text, mode_t *ret_mode, struct strbuf *err)
{
	_cleanup_free_ char *text = NULL;
	struct stat st;
	size_t len;
	int r;

	if (lstat(host, &st) < 0) {
		r = -errno;
		if (r == -ENOENT) {
			*ret_text = NULL;
			return 0;
		}
		strbuf_addf(err, "cannot read %s%s: %s", sysroot_get(), RESUME_UNIT_PATH, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		strbuf_addf(err, "%s%s is not a regular file, so not the unit gpu-setup writes: "
			    "move it away, then run gpu-setup again", sysroot_get(), RESUME_UNIT_PATH);
		return -EEXIST;
	}
	r = read_file(host, UNIT_MAX_SIZE, &text, &len);
	if (r < 0 && r != -EFBIG) {
		strbuf_addf(err, "cannot read %s%s: %s", sysroot_get(), RESUME_UNIT_PATH, strerror(-r));
		return r;
	}
	if (r == -EFBIG || !startswith(text, RESUME_UNIT_MARKER "\n")) {
		strbuf_addf(err, "%s%s is a unit gpu-setup did not write (its first line is not '%s'): "
			    "move it away, then run gpu-setup again", sysroot_get(), RESUME_UNIT_PATH,
			    RESUME_UNIT_MARKER);
		return -EEXIST;
	}
	*ret_text = TAKE_PTR(text);
	*ret_mode = st.st_mode & 07777;
	return 0;
}

/* What is at the wants path now: 1 and *ret_target when it is a symbolic
 * link, 0 when nothing is there, -EEXIST (reason in err) when something
 * that is not a link is. */
static int wants_state(const char *host, char **ret_target, struct strbuf *err)
{
	struct stat st;
	int r;

	if (lstat(host, &st) < 0) {
		r = -errno;
		if (r == -ENOENT)
			return 0;
		strbuf_addf(err, "cannot read %s%s: %s", sysroot_get(), RESUME_UNIT_WANTS_PATH, strerror(-r));
		return r;
	}
	if (!S_ISLNK(st.st_mode)) {
		strbuf_addf(err, "%s%s is not a symbolic link, so not the one that enables the unit: "
			    "move it away, then run gpu-setup again", sysroot_get(), RESUME_UNIT_WANTS_PATH);
		return -EEXIST;
	}
	r = read_link_at(AT_FDCWD, host, ret_target);
	if (r < 0) {
		strbuf_addf(err, "cannot read the link %s%s: %s", sysroot_get(), RESUME_UNIT_WANTS_PATH,
			    strerror(-r));
		return r;
	}
	return 1;
}

/* What is there now, read without changing anything: the two directories
 * (NULL when missing), the unit's text and mode (text NULL: no unit) and
 * the wants link's target (have_link > 0: a link). */
struct unit_files {
	char *sys, *wants, *unit_host, *wants_host, *old, *link;
	mode_t old_mode;
	int have_link;
};

static void unit_files_free(struct unit_files *f)
{
	free(f->sys);
	free(f->wants);
	free(f->unit_host);
	free(f->wants_host);
	free(f->old);
	free(f->link);
}

static int unit_files_look(struct unit_files *f, struct strbuf *err)
{
	int r = unit_dir(UNIT_DIR, false, &f->sys, err);

	if (r < 0 && r != -ENOENT && r != -ENOTDIR)
		return r;
	if (f->sys) {
		f->unit_host = xasprintf("%s/%s", f->sys, RESUME_UNIT_NAME);
		r = unit_file_state(f->unit_host, &f->old, &f->old_mode, err);
		if (r < 0)
			return r;
	}
	r = unit_dir(WANTS_DIR, false, &f->wants, err);
	if (r < 0 && r != -ENOENT && r != -ENOTDIR)
		return r;
	if (f->wants) {
		f->wants_host = xasprintf("%s/%s", f->wants, RESUME_UNIT_NAME);
		f->have_link = wants_state(f->wants_host, &f->link, err);
		if (f->have_link < 0)
			return f->have_link;
	}
	return 0;
}

int resume_unit_install(const char *const *argv, struct strbuf *err)
{
	_cleanup_free_ char *text = resume_unit_text(argv), *unit_display = NULL;
	struct unit_files f = { 0 };
	bool wrote = false;
	int r;

	if (!text) {
		strbuf_addf(err, "cannot run '%s' from a systemd unit: the program must be an absolute, "
			    "normalized path without '$' or control characters",
			    argv && argv[0] ? argv[0] : "");
		return -EINVAL;
	}
	unit_display = xasprintf("%s%s", sysroot_get(), RESUME_UNIT_PATH);

	/* Look first, change afterwards: a refusal leaves everything as it
	 * was.  A missing directory only means there is nothing there yet. */
	r = unit_files_look(&f, err);
	if (r < 0)
		goto out;
	if (!f.sys) {
		r = unit_dir(UNIT_DIR, true, &f.sys, err);
		if (r < 0)
			goto out;
		f.unit_host = xasprintf("%s/%s", f.sys, RESUME_UNIT_NAME);
	}
	if (!f.wants) {
		r = unit_dir(WANTS_DIR, true, &f.wants, err);
		if (r < 0)
			goto out;
		f.wants_host = xasprintf("%s/%s", f.wants, RESUME_UNIT_NAME);
	}

	if (!f.old || !streq(f.old, text) || f.old_mode != 0644) {
		r = write_file_atomic(f.unit_host, text, strlen(text), 0644);
		if (r < 0) {
			strbuf_addf(err, "cannot write %s: %s", unit_display, strerror(-r));
			goto out;
		}
		wrote = true;
	}
	if (!f.link || !streq(f.link, WANTS_TARGET)) {
		r = symlink_replace(WANTS_TARGET, f.wants_host);
		if (r < 0) {
			strbuf_addf(err, "cannot enable %s: cannot make the link %s%s: %s", RESUME_UNIT_NAME,
				    sysroot_get(), RESUME_UNIT_WANTS_PATH, strerror(-r));
			/* Undo the unit's write, so no half-installed unit is
			 * left: a unit not enabled would only confuse. */
			if (wrote && f.old)
				(void)write_file_atomic(f.unit_host, f.old, strlen(f.old), f.old_mode);
			else if (wrote)
				(void)unlink(f.unit_host);
			goto out;
		}
	}
	r = 0;
out:
	unit_files_free(&f);
	return r;
}

int resume_unit_remove(struct strbuf *err)
{
	struct unit_files f = { 0 };
	int r = unit_files_look(&f, err);

	if (r < 0)
		goto out;
	/* The link first: a unit file left without it is inert, a link left
	 * without its unit would make the boot log an error. */
	if (f.have_link > 0 && unlink(f.wants_host) < 0 && errno != ENOENT) {
		r = -errno;
		strbuf_addf(err, "cannot remove %s%s: %s", sysroot_get(), RESUME_UNIT_WANTS_PATH, strerror(-r));
		goto out;
	}
	if (f.old && unlink(f.unit_host) < 0 && errno != ENOENT) {
		r = -errno;
		strbuf_addf(err, "cannot remove %s%s: %s", sysroot_get(), RESUME_UNIT_PATH, strerror(-r));
		goto out;
	}
	r = 0;
out:
	unit_files_free(&f);
	return r;
}

bool resume_unit_installed(void)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct unit_files f = { 0 };
	bool installed;

	strbuf_init(&err);
	installed = unit_files_look(&f, &err) == 0 && f.old && f.have_link == 1;
	unit_files_free(&f);
	return installed;
}
