/*
 * as-user.h - acting for the user gpu-setup sets Python up for.
 *
 * `sudo gpu-setup` runs as root but the files in the user's home (pip.conf,
 * .condarc, ~/miniconda3, the conda init block in ~/.bashrc) and the
 * commands run for the user (the Miniconda installer, conda, pip) must be
 * the user's: created by a process that has the user's uid, gid and
 * supplementary groups, so nothing root-owned is left in the home and no
 * symlink planted there can make root write or read elsewhere.
 *
 * Without root, gpu-setup can act only for the user it runs as; asking for
 * another is -EPERM.
 */
#ifndef GS_AS_USER_H
#define GS_AS_USER_H

#include <sys/types.h>

#include "run.h"
#include "strbuf.h"
#include "target-user.h"

/* The user to act for: name (--user) when given; else SUDO_USER when it
 * is set and not root, checked against SUDO_UID (a mismatch is -EINVAL);
 * else, when running as root with no SUDO_USER (a real root login), the
 * user typed at a prompt on the terminal, or -ENOTTY with no terminal
 * (the message says to give --user); else the user running gpu-setup.
 * The home directory always comes from the target's passwd, never $HOME.
 * Returns 0 or a negative errno with a message in err (-ENOENT: not in
 * passwd). */
int as_user_resolve(const char *name, struct target_user *ret, struct strbuf *err);

/* Call fn(arg, out) in a child process that runs as u: under root it
 * drops to u's gid, supplementary groups (from the target's /etc/group)
 * and uid before calling fn; otherwise the caller must be u (-EPERM if
 * not).  The child's umask is 022 and its working directory u's home
 * (host path, under --root).  fn returns 0 or a negative errno; what it
 * writes to out (a message, a result) is handed back to the caller in
 * out.  Returns what fn returned, or a negative errno when the child
 * could not be made or died (then out says why). */
int as_user_call(const struct target_user *u, int (*fn)(void *arg, struct strbuf *out), void *arg,
		 struct strbuf *out);

/* Run argv as u in the target (through chroot under --root), with the
 * environment HOME, USER, LOGNAME of u, PATH (path_prefix:, when not NULL,
 * before the system directories), LC_ALL=C and the extra "NAME=value"
 * strings (NULL-terminated, may be NULL).  Working directory: u's home.
 * timeout_ms as run_command.  Returns as run_command. */
int as_user_run(const struct target_user *u, const char *const argv[], const char *path_prefix,
		const char *const extra_env[], long timeout_ms, struct run_result *res);

#endif
