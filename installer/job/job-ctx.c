/*
 * job-ctx.c - the context a run's steps share (see job-ctx.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "as-user.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "log.h"
#include "mirror-pick.h"
#include "strbuf.h"

int job_ctx_load(struct job_ctx *c, const struct target_options *opts)
{
	memset(c, 0, sizeof(*c));
	return target_resolve(&c->t, opts, &c->offers, &c->res);
}

int job_user_resolve(const char *name, struct target_user *u)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int r = as_user_resolve(name, u, &err);

	if (r == 0)
		return EXIT_OK;
	log_error("%s", err.buf);
	return r == -ENOENT || r == -ENOTTY || r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
}

int job_ctx_load_user(struct job_ctx *c, const char *name)
{
	int code = job_user_resolve(name, &c->u);

	c->have_user = code == EXIT_OK;
	return code;
}

int job_user_get(const struct job_ctx *job, const char *name, struct target_user *u)
{
	if (job && job->have_user) {
		target_user_copy(u, &job->u);
		return EXIT_OK;
	}
	return job_user_resolve(name, u);
}

int job_ctx_load_tables(struct job_ctx *c, const char *compat_dir, const char *mirror_name)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int code;

	if (miniconda_table_load(compat_dir, &c->mc, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	code = mirror_pick(compat_dir, mirror_name, &c->mirrors, &c->mirror);
	if (code != EXIT_OK) {
		miniconda_table_free(&c->mc);
		return code;
	}
	c->have_tables = true;
	return EXIT_OK;
}

void job_ctx_free(struct job_ctx *c)
{
	if (c->have_tables) {
		miniconda_table_free(&c->mc);
		mirror_table_free(&c->mirrors);
	}
	if (c->have_user)
		target_user_free(&c->u);
	resolve_result_free(&c->res);
	driver_offers_free(&c->offers);
	target_free(&c->t);
}
