/*
 * resume-unit.h - the one-shot systemd unit behind `install
 * --resume-after-reboot`: it runs the rest of the installation once at the
 * next boot, after the driver's reboot.
 *
 * The unit is written and enabled by hand (the file, and the
 * multi-user.target.wants link `systemctl enable` would make), under the
 * sysroot, so it works in a chroot or a --root tree with no systemd
 * running; systemctl is never called (the next boot reads the unit
 * directories afresh, so no daemon-reload is needed).
 */
#ifndef GS_RESUME_UNIT_H
#define GS_RESUME_UNIT_H

#include <stdbool.h>

#include "strbuf.h"

#define RESUME_UNIT_NAME "gpu-setup-resume.service"
#define RESUME_UNIT_PATH "/etc/systemd/system/" RESUME_UNIT_NAME
#define RESUME_UNIT_WANTS_PATH "/etc/systemd/system/multi-user.target.wants/" RESUME_UNIT_NAME
/* The first line of every unit gpu-setup writes: a file by that name
 * without it is someone else's, and is neither replaced nor removed. */
#define RESUME_UNIT_MARKER "# Written by gpu-setup (install --resume-after-reboot)"

/* The unit text that runs argv at boot, newly allocated; NULL when argv
 * cannot be run by systemd as given: empty, argv[0] not an absolute path,
 * or argv[0] holding '$' or a control character (systemd does not expand
 * or unescape those in the program path).  Arguments may hold anything:
 * they are quoted and escaped so systemd hands them over byte for byte. */
char *resume_unit_text(const char *const *argv);

/* Write RESUME_UNIT_PATH (atomically, mode 0644) on the target and enable
 * it by the link RESUME_UNIT_WANTS_PATH -> ../RESUME_UNIT_NAME.  argv: the
 * command the unit runs at boot, argv[0] the absolute path of gpu-setup on
 * the target; it should carry --yes and --user NAME, since there is no
 * terminal and no SUDO_USER at boot, and not --root (at boot the target is
 * /).  Idempotent: a second call with the same argv changes nothing, with
 * another argv replaces the unit.  -EINVAL when argv is refused (see
 * resume_unit_text); -EEXIST when a unit file by that name is not ours or
 * the wants entry is not a link; other errors from the file system.  On
 * failure the reason is in err and nothing on disk has changed. */
int resume_unit_install(const char *const *argv, struct strbuf *err);

/* Remove the unit and its wants link; 0 when neither is there.  -EEXIST
 * (reason in err) when the unit file is not one gpu-setup wrote or the
 * wants entry is not a link: those are left alone. */
int resume_unit_remove(struct strbuf *err);

/* Whether the unit file gpu-setup writes is on the target (ours, by its
 * first line) and enabled by a wants link. */
bool resume_unit_installed(void);

#endif
