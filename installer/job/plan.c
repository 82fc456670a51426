/*
 * plan.c - install's ordered steps for the run's context: each step the
 * table (steps.c) has for this choice, done or with what it will change.
 */
#include "config.h"

#include <string.h>

#include "plan.h"
#include "steps.h"
#include "util.h"

const char *step_id_name(enum step_id id)
{
	return (unsigned)id < STEP_ID_COUNT ? step_table[id].name : "unknown";
}

struct plan_step *plan_find(struct plan *p, enum step_id id)
{
	for (size_t i = 0; i < p->nsteps; i++)
		if (p->steps[i].id == id)
			return &p->steps[i];
	return NULL;
}

/* Decide s by its row of the table: done (and why), else its changes;
 * then its title. */
static void decide(const struct job_ctx *c, const struct plan *p, struct plan_step *s)
{
	const struct step_def *d = &step_table[s->id];
	_cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

	if (d->done && d->done(c, p, &why)) {
		s->done = true;
		s->status = strbuf_detach(&why, NULL);
	} else if (d->plan) {
		d->plan(c, s);
	}
	s->title = d->title(c, p);
}

void plan_build(const struct job_ctx *c, struct plan *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->steps = xcalloc(STEP_ID_COUNT, sizeof(*ret->steps));
	for (enum step_id id = 0; id < STEP_ID_COUNT; id++)
		if (!step_table[id].applies || step_table[id].applies(c))
			ret->steps[ret->nsteps++].id = id;
	/* The steps about the target first, then those that sum them up
	 * (download, then preflight), which look at the others. */
	for (size_t i = 0; i < ret->nsteps; i++)
		if (!step_table[ret->steps[i].id].reads_plan)
			decide(c, ret, &ret->steps[i]);
	/* Last first: preflight asks whether anything, the download too, is
	 * still to do. */
	for (size_t i = ret->nsteps; i-- > 0;)
		if (step_table[ret->steps[i].id].reads_plan)
			decide(c, ret, &ret->steps[i]);
	{
		const struct plan_step *d = plan_find(ret, STEP_ID_DOWNLOAD);

		/* What the download step fetches: what its title names. */
		if (d && !d->done)
			ret->download_kinds = step_download_kinds(c, ret);
	}
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		struct plan_step *s = &p->steps[i];

		free(s->title);
		free(s->status);
		for (size_t j = 0; j < s->nchanges; j++)
			free(s->changes[j]);
		free(s->changes);
	}
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

void plan_print_text(const struct plan *p, FILE *out)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct plan_step *s = &p->steps[i];

		fprintf(out, "  %zu. %s%s\n", i + 1, s->title, s->done ? ": already done" : "");
		if (s->done)
			fprintf(out, "       (%s)\n", s->status);
		for (size_t j = 0; j < s->nchanges; j++)
			fprintf(out, "       %s\n", s->changes[j]);
	}
}

struct json_object *plan_to_json(const struct plan *p)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct plan_step *s = &p->steps[i];
		struct json_object *o = json_object_new_object(), *ch = json_object_new_array();

		json_object_object_add(o, "id", json_object_new_string(step_id_name(s->id)));
		json_object_object_add(o, "title", json_object_new_string(s->title));
		json_object_object_add(o, "done", json_object_new_boolean(s->done));
		json_object_object_add(o, "status", s->status ? json_object_new_string(s->status) : NULL);
		for (size_t j = 0; j < s->nchanges; j++)
			json_object_array_add(ch, json_object_new_string(s->changes[j]));
		json_object_object_add(o, "changes", ch);
		json_object_array_add(a, o);
	}
	return a;
}
