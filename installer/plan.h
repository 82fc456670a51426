/*
 * plan.h - the ordered steps `install` takes for a resolver choice, each
 * with what it will change (packages, paths, files) and whether its result
 * already holds on the target system (then install skips it).
 */
#ifndef GS_PLAN_H
#define GS_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "resolve.h"
#include "target-user.h"

struct plan_step {
	const char *id;       /* driver, cuda, cudnn, miniconda, mirrors, framework, verify */
	char *title;
	bool done;            /* the result already holds */
	char *status;         /* why it is done, or NULL */
	char **changes;       /* "apt: install X", "file: /etc/...", ... */
	size_t nchanges;
};

struct plan {
	struct plan_step *steps;
	size_t nsteps;
};

struct plan_input {
	const struct resolve_result *res;   /* must be ok */
	const struct distro_info *distro;
	const struct target_user *user;
	const char *mirror;                 /* pip/conda mirror name */
	const char *conda_prefix;           /* --conda-prefix, NULL: the usual places */
	const char *framework_version;      /* --framework NAME=VERSION's version, or NULL */
};

void plan_build(const struct plan_input *in, struct plan *ret);
void plan_free(struct plan *p);
void plan_print_text(const struct plan *p, FILE *out);
struct json_object *plan_to_json(const struct plan *p);

#endif
