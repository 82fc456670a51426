/*
 * cmd-plan.c - `gpu-setup plan`: detect, read the distribution and the
 * loaded driver, resolve versions, and list the steps install would take
 * with what each changes.  Reads only; works as a normal user.
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "detect.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "options.h"
#include "plan.h"
#include "resolve-output.h"
#include "sysroot.h"
#include "target.h"
#include "util.h"


static void print_plan(const struct job_ctx *c, const struct plan *plan)
{
	const struct target *t = &c->t;
	const struct resolve_result *res = &c->res;
	const struct distro_info *d = t->distro;

	if (c->o.json) {
		struct json_object *j = json_object_new_object(), *sys = json_object_new_object();

		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("plan"));
		json_object_object_add(sys, "distro", json_object_new_string(d->id));
		json_object_object_add(sys, "distro_name", json_object_new_string(d->name));
		/* The machine's own os-release ID-VERSION_ID, and how it was
		 * matched to distro: "known", "derivative" or "newer". */
		json_object_object_add(sys, "os", json_object_new_string(t->os.distro));
		json_object_object_add(sys, "distro_match",
				       json_object_new_string(t->match.kind == DISTRO_DERIVATIVE ? "derivative"
							      : t->match.kind == DISTRO_NEWER    ? "newer"
												 : "known"));
		json_object_object_add(sys, "distro_note",
				       t->match.note ? json_object_new_string(t->match.note) : NULL);
		json_object_object_add(sys, "installed_driver",
				       t->installed ? json_object_new_string(t->installed) : NULL);
		json_object_object_add(sys, "installed_flavour",
				       t->installed ? json_object_new_string(flavour_name(t->installed_flavour)) : NULL);
		json_object_object_add(sys, "user", json_object_new_string(c->u.name));
		json_object_object_add(sys, "home", json_object_new_string(c->u.home));
		json_object_object_add(j, "system", sys);
		json_object_object_add(j, "gpus", target_gpus_json(t));
		json_object_object_add(j, "request", gs_request_to_json(&c->req));
		json_object_object_add(j, "resolution", resolve_to_json(res));
		json_object_object_add(j, "steps", res->ok ? plan_to_json(plan) : json_object_new_array());
		json_result_set(j);
		return;
	}
	printf("System: %s (%s), driver %s%s%s%s, Python for %s\n", d->name, d->codename,
	       t->installed ? t->installed : "none loaded", t->installed ? " (" : "",
	       t->installed ? flavour_name(t->installed_flavour) : "", t->installed ? " modules)" : "",
	       c->u.name);
	if (t->match.note)
		printf("        %s\n", t->match.note);
	printf("GPUs served:");
	for (size_t i = 0; i < t->ngpus; i++)
		printf("%s %s", i ? "," : "", t->gpus[i].label);
	printf("\n\nVersions:\n");
	resolve_print_text(res, true, stdout);
	if (res->ok) {
		printf("\nSteps:\n");
		plan_print_text(plan, stdout);
	}
}

int cmd_plan(int argc, char **argv)
{
	struct job_ctx c;
	struct plan plan = { 0 };
	struct job_options o;
	int code;

	(void)argc;
	(void)argv;
	gs_job_options(&o);
	/* The reasons a request cannot be met are part of plan's output. */
	o.target.conflict_quiet = true;
	code = job_ctx_load(&c, &o);
	if (code != EXIT_OK && code != EXIT_CONFLICT)
		goto out;
	{
		const char *sudo_user = getenv("SUDO_USER");
		int user;

		/* install asks a root login which user on the terminal; plan only
		 * reads, and its output may be JSON: it asks for --user instead. */
		if (!o.user && geteuid() == 0 && (!sudo_user || !*sudo_user || streq(sudo_user, "root"))) {
			log_error("running as root without sudo, so there is no SUDO_USER to plan Python for: name "
				  "the user with --user NAME");
			code = EXIT_USAGE;
			goto out;
		}
		user = job_ctx_load_user(&c);

		if (user == EXIT_OK)
			user = job_ctx_load_tables(&c);
		if (user != EXIT_OK) {
			code = user;
			goto out;
		}
	}
	if (c.res.ok)
		plan_build(&c, &plan);
	print_plan(&c, &plan);
	if (!c.res.ok)
		log_error("no combination of versions fits this machine (see the reasons above)");
	plan_free(&plan);
out:
	job_ctx_free(&c);
	return code;
}
