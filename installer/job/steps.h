/*
 * steps.h - the step table: every step of install, in the order it runs,
 * as one struct saying what the step is called, whether the run's choice
 * has it, whether its result already holds ("done", decided here and
 * nowhere else), what it will change, and how it runs.  plan, `install
 * --dry-run`, preflight, the download step, the state file, the step
 * display and the main job all iterate this table (plan.c builds the list
 * they show and run from it).
 */
#ifndef GS_STEPS_H
#define GS_STEPS_H

#include <stdbool.h>

#include "job-ctx.h"
#include "plan.h"
#include "strbuf.h"

struct step_def {
	enum step_id id;
	const char *name;     /* "cuda": the state file's and --json's id */
	/* Whether the run's choice has the step at all (cuDNN with a release
	 * that fits, a framework unless --framework none, the download only
	 * online); NULL: always. */
	bool (*applies)(const struct job_ctx *c);
	/* Its result already holds on the target: why says what shows it;
	 * false with why saying what is missing.  NULL: never done on its own
	 * (doctor: the main job's state file says when it passed).  p is the
	 * plan so far: a summary step (reads_plan) looks at the others. */
	bool (*done)(const struct job_ctx *c, const struct plan *p, struct strbuf *why);
	/* What the step is, shown in the plan and as [N/M] while it runs. */
	char *(*title)(const struct job_ctx *c, const struct plan *p);
	/* What it will change, one add per line ("apt: install ..."); only
	 * asked of a step that is not done. */
	void (*plan)(const struct job_ctx *c, struct plan_step *s);
	/* Run it over the context (c->plan is the main job's plan): an exit
	 * code from exit-codes.h. */
	int (*run)(struct job_ctx *c);
	bool reads_plan;      /* done and title look at the other steps: decided after them */
};

/* Indexed by step_id. */
extern const struct step_def step_table[STEP_ID_COUNT];

/* The FETCH_KIND bits of the vendor files p's pending steps read (the
 * download step's). */
unsigned step_download_kinds(const struct job_ctx *c, const struct plan *p);

/* A change line for s (plan callbacks). */
void plan_step_add_change(struct plan_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
