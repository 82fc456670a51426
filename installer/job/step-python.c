/*
 * step-python.c - what the Miniconda step (step-miniconda.c) and the
 * framework step (step-framework.c) share: running the user's tools as
 * the user with their output logged, removing what a failed step left, and
 * JSON strings.
 */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "as-user.h"
#include "exit-codes.h"
#include "fileio.h"
#include "log.h"
#include "mirror-config.h"
#include "step-python.h"
#include "sysroot.h"
#include "util.h"

/* What an installer's or pip's failure shows of its output. */
#define TOOL_TAIL_LINES 15

static void log_command(const struct target_user *u, const char *const argv[])
{
	_cleanup_strbuf_ struct strbuf line = STRBUF_INIT;

	strbuf_init(&line);
	for (const char *const *a = argv; *a; a++)
		strbuf_addf(&line, "%s%s", a == argv ? "" : " ", *a);
	log_info("running as %s: %s", u->name, line.buf);
}

/* Run argv as u, logged; no time limit (an installer or a framework
 * download takes minutes).  Returns as as_user_run. */
int run_as(const struct target_user *u, const char *const argv[], const char *path_prefix,
		  struct run_result *rr)
{
	log_command(u, argv);
	return as_user_run(u, argv, path_prefix, NULL, 0, rr);
}

/* What a tool said last: its stderr and stdout tails, labelled. */
char *tool_tail(const struct run_result *rr)
{
	_cleanup_free_ char *out = last_lines(rr->out.buf, TOOL_TAIL_LINES),
			    *err = last_lines(rr->err.buf, TOOL_TAIL_LINES);

	return xasprintf("%s%s", out, err);
}

/* The links above the path are resolved inside the root: a home or
 * /home that is an absolute link must not lead to the host's files. */
static int remove_tree_fn(void *arg, struct strbuf *out)
{
	_cleanup_free_ char *host = NULL;
	int r = sysroot_host_path_parent(arg, &host);

	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = remove_tree(host);
	if (r < 0)
		strbuf_addf(out, "cannot remove %s%s: %s", sysroot_get(), (const char *)arg, strerror(-r));
	return r;
}

/* Remove what a failed step left (a target path), as the user: it is in
 * the user's home and the user's to remove. */
void remove_as_user(const struct target_user *u, const char *path, const char *what)
{
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;

	strbuf_init(&out);
	if (!sysroot_exists(path))
		return;
	if (as_user_call(u, remove_tree_fn, (void *)path, &out) < 0)
		log_error("%s; remove %s%s by hand before the next run", out.buf, sysroot_get(), path);
	else
		log_info("removed the %s %s%s, so the next run starts clean", what, sysroot_get(), path);
}

/* lstat a target path (the last component not followed). */
bool target_path_present(const char *path)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;

	return sysroot_host_path_parent(path, &host) == 0 && lstat(host, &st) == 0;
}

struct json_object *json_string_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

