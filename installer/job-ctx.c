/*
 * job-ctx.c - the context a run's steps share (see job-ctx.h).
 */
#include "config.h"

#include <string.h>

#include "job-ctx.h"

int job_ctx_load(struct job_ctx *c)
{
	memset(c, 0, sizeof(*c));
	return target_resolve(&c->t, &c->offers, &c->res);
}

void job_ctx_free(struct job_ctx *c)
{
	resolve_result_free(&c->res);
	driver_offers_free(&c->offers);
	target_free(&c->t);
}
