/*
 * job-ctx.c - the context a run's steps share (see job-ctx.h).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "as-user.h"
#include "conda-prefix.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "log.h"
#include "mirror-pick.h"
#include "strbuf.h"
#include "util.h"

void job_ctx_init(struct job_ctx *c, const struct job_options *o)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
}

int job_ctx_load(struct job_ctx *c, const struct job_options *o)
{
	job_ctx_init(c, o);
	return target_resolve(&c->t, &c->o.target, &c->offers, &c->req, &c->res);
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

int job_ctx_load_user(struct job_ctx *c)
{
	int code = job_user_resolve(c->o.user, &c->u);

	c->have_user = code == EXIT_OK;
	if (c->have_user && conda_prefix_find(&c->u, c->o.conda_prefix, &c->conda_prefix) < 0)
		c->conda_prefix = c->o.conda_prefix ? xstrdup(c->o.conda_prefix) : conda_prefix_default(&c->u);
	return code;
}

int job_user_get(const struct job_ctx *job, struct target_user *u)
{
	if (job->have_user) {
		target_user_copy(u, &job->u);
		return EXIT_OK;
	}
	return job_user_resolve(job->o.user, u);
}

int job_ctx_load_tables(struct job_ctx *c)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *compat_dir = c->o.target.compat_dir;
	int code;

	if (miniconda_table_load(compat_dir, &c->mc, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	code = mirror_pick(compat_dir, c->o.mirror ? c->o.mirror : MIRROR_DEFAULT, &c->mirrors, &c->mirror);
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
	free(c->conda_prefix);
	resolve_result_free(&c->res);
	driver_offers_free(&c->offers);
	target_free(&c->t);
}
