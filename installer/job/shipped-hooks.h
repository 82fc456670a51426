/*
 * shipped-hooks.h - the hooks gpu-setup ships, enabled on the target: the
 * apt snippet (/etc/apt/apt.conf.d/99gpu-setup: DPkg::Post-Invoke runs
 * the apt-post-invoke script) and the kernel hook
 * (/etc/kernel/postinst.d/zz-gpu-setup).  `make install` puts their
 * templates in $(pkgdatadir)/hooks; enabling copies them into /etc, and
 * disabling removes exactly those copies.
 *
 * A file gpu-setup wrote carries SHIPPED_HOOKS_MARK in a comment; a file
 * at one of those paths without it belongs to someone else and is never
 * overwritten or removed.
 */
#ifndef GS_SHIPPED_HOOKS_H
#define GS_SHIPPED_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "strbuf.h"

#define SHIPPED_HOOKS_MARK "This file was written by gpu-setup"

struct shipped_hook {
	const char *template_name; /* under the hooks directory: "apt/99gpu-setup" */
	const char *target;        /* on the target: "/etc/apt/apt.conf.d/99gpu-setup" */
	mode_t mode;               /* 0644 for a configuration file, 0755 for a program */
};

#define SHIPPED_HOOKS_N 2
extern const struct shipped_hook shipped_hooks[SHIPPED_HOOKS_N];

enum shipped_hook_state {
	SHIPPED_HOOK_ABSENT,  /* nothing at the target path */
	SHIPPED_HOOK_OURS,    /* a file carrying the mark */
	SHIPPED_HOOK_FOREIGN, /* something else: another file, a link, a directory */
};

/* What is at h's target path under the sysroot; 0 with *ret set, or a
 * negative errno when it cannot be read. */
int shipped_hook_state(const struct shipped_hook *h, enum shipped_hook_state *ret);

/* Copy each template from hooks_dir (gs_hooks_dir(): $(pkgdatadir)/hooks,
 * or the build tree's hooks/) to its target under the sysroot, atomically,
 * with its mode, creating missing parent directories.  A target with the
 * same content and mode is left as it is.  Nothing is written when a
 * target is not gpu-setup's (-EEXIST) or a template is missing or lacks
 * the mark (-ENOENT, -EINVAL); err says which.  Returns the number of
 * files written (0: all were in place already). */
int shipped_hooks_enable(const char *hooks_dir, struct strbuf *err);

/* Remove the targets that carry the mark; others are left alone (see
 * shipped_hook_state).  Returns the number removed, or a negative errno
 * with err saying which file could not be removed. */
int shipped_hooks_disable(struct strbuf *err);

/* Whether every shipped hook is in place with the mark. */
bool shipped_hooks_enabled(void);

#endif
