/*
 * cmd-plan.c - `gpu-setup plan`: detect, read the distribution and the
 * loaded driver, resolve versions, and list the steps install would take
 * with what each changes.  Reads only; works as a normal user.
 */
#include "config.h"

#include <errno.h>

#include "commands.h"
#include "detect.h"
#include "driver-offer.h"
#include "exit-codes.h"
#include "log.h"
#include "mirror-pick.h"
#include "options.h"
#include "osinfo.h"
#include "plan.h"
#include "resolve-output.h"
#include "sysroot.h"
#include "target-user.h"
#include "target.h"
#include "util.h"


struct plan_ctx {
	struct target t;
	struct target_user user;
	struct driver_offers offers;
	struct mirror_table mirrors;
	const struct mirror *mirror;
};

static int find_user(struct plan_ctx *p)
{
	int r = target_user_find(gs_opts.user, &p->user);

	if (r < 0) {
		log_error("cannot find the user to set Python up for ('%s') in %s/etc/passwd: %s",
			  gs_opts.user ? gs_opts.user : getenv("SUDO_USER") ? getenv("SUDO_USER") : "the current user",
			  sysroot_get(),
			  r == -ENOENT ? "no such user" : strerror(-r));
		/* A --user naming nobody is a bad command line, as for install. */
		return r == -ENOENT && gs_opts.user ? EXIT_USAGE : EXIT_FAILED;
	}
	return EXIT_OK;
}

static void print_plan(const struct plan_ctx *p, const struct resolve_request *req,
		       const struct resolve_result *res, const struct plan *plan)
{
	const struct target *t = &p->t;
	const struct distro_info *d = t->distro;

	if (gs_opts.json) {
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
		json_object_object_add(sys, "user", json_object_new_string(p->user.name));
		json_object_object_add(sys, "home", json_object_new_string(p->user.home));
		json_object_object_add(j, "system", sys);
		json_object_object_add(j, "gpus", target_gpus_json(t));
		json_object_object_add(j, "request", gs_request_to_json(req));
		json_object_object_add(j, "resolution", resolve_to_json(res));
		json_object_object_add(j, "steps", res->ok ? plan_to_json(plan) : json_object_new_array());
		gs_print_json(j);
		json_object_put(j);
		return;
	}
	printf("System: %s (%s), driver %s%s%s%s, Python for %s\n", d->name, d->codename,
	       t->installed ? t->installed : "none loaded", t->installed ? " (" : "",
	       t->installed ? flavour_name(t->installed_flavour) : "", t->installed ? " modules)" : "",
	       p->user.name);
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
	struct plan_ctx p = { 0 };
	struct resolve_request req;
	struct resolve_result res = { 0 };
	struct plan plan = { 0 };
	struct target_options o;
	int code;

	(void)argc;
	(void)argv;
	gs_target_options(&o);
	code = target_load(&p.t, &o);
	if (code == EXIT_OK)
		code = find_user(&p);
	if (code == EXIT_OK)
		code = mirror_pick(gs_compat_dir(), gs_opts.mirror ? gs_opts.mirror : MIRROR_DEFAULT, &p.mirrors,
				   &p.mirror);
	if (code == EXIT_OK)
		code = target_request(&p.t, &req);
	if (code != EXIT_OK)
		goto out;
	target_read_apt_offers(&p.t, &req, &p.offers);
	resolve(p.t.db, &req, &res);
	if (res.ok) {
		struct plan_input in = { .res = &res, .distro = p.t.distro, .user = &p.user,
					 .mirror = p.mirror, .conda_prefix = gs_opts.conda_prefix,
					 .framework_version = gs_opts.framework_version, .offline = gs_opts.offline };

		plan_build(&in, &plan);
	}
	print_plan(&p, &req, &res, &plan);
	if (!res.ok) {
		log_error("no combination of versions fits this machine (see the reasons above)");
		code = EXIT_CONFLICT;
	}
	plan_free(&plan);
	resolve_result_free(&res);
out:
	driver_offers_free(&p.offers);
	if (p.mirror)
		mirror_table_free(&p.mirrors);
	target_free(&p.t);
	target_user_free(&p.user);
	return code;
}
