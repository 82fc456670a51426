/*
 * cmd-compat.c - `gpu-setup compat`: answer compatibility questions from
 * the tables alone (which driver, CUDA, cuDNN and framework build fit a
 * GPU, what a framework release needs), or check the tables (--check).
 */
#include "config.h"

#include "commands.h"
#include "detect.h"
#include "exit-codes.h"
#include "json-result.h"
#include "log.h"
#include "options.h"
#include "resolve-output.h"
#include "util.h"

static int check_tables(const struct compat_db *db)
{
	if (gs_opts.json) {
		struct json_object *j = json_object_new_object(), *t = json_object_new_object();

		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("compat"));
		json_object_object_add(j, "check", json_object_new_string("ok"));
		json_object_object_add(j, "dir", json_object_new_string(gs_compat_dir()));
		json_object_object_add(t, "archs", json_object_new_int((int)db->narchs));
		json_object_object_add(t, "branches", json_object_new_int((int)db->nbranches));
		json_object_object_add(t, "cuda", json_object_new_int((int)db->ncudas));
		json_object_object_add(t, "cudnn", json_object_new_int((int)db->ncudnns));
		json_object_object_add(t, "framework_builds", json_object_new_int((int)db->nbuilds));
		json_object_object_add(t, "distros", json_object_new_int((int)db->ndistros));
		json_object_object_add(t, "distro_drivers", json_object_new_int((int)db->ndrivers));
		json_object_object_add(j, "rows", t);
		json_result_set(j);
		return EXIT_OK;
	}
	printf("compatibility data in %s is consistent:\n"
	       "  %zu architectures, %zu driver branches, %zu CUDA toolkits, %zu cuDNN archives,\n"
	       "  %zu framework builds, %zu distributions with %zu driver packages\n",
	       gs_compat_dir(), db->narchs, db->nbranches, db->ncudas, db->ncudnns, db->nbuilds,
	       db->ndistros, db->ndrivers);
	return EXIT_OK;
}

static void describe_request(const struct resolve_request *req)
{
	printf("For %s", req->ngpus ? "" : "any GPU");
	for (size_t i = 0; i < req->ngpus; i++)
		printf("%s%s", i ? " + " : "", req->gpus[i].label);
	printf(" on %s", req->distro ? req->distro : "any distribution");
	if (req->installed_driver)
		printf(", driver %s installed", req->installed_driver);
	puts(":");
}

/* --json's "gpus": each --gpu ID as the tables know it, and from where:
 * gpus.tsv ("table"), a chip's ID range in gpu-ranges.tsv ("range") or
 * neither ("unknown"). */
static struct json_object *gpus_json(const struct compat_db *db)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < gs_opts.ngpu_ids; i++) {
		struct json_object *o = json_object_new_object();
		struct gpu_info g;
		bool known = gpu_db_lookup(db->gpus, gs_opts.gpu_ids[i], &g) == 0;
		char id[16], cc[16];

		snprintf(id, sizeof(id), "10de:%04x", gs_opts.gpu_ids[i]);
		snprintf(cc, sizeof(cc), "%u.%u", known ? g.cc / 10 : 0, known ? g.cc % 10 : 0);
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "name", known && g.name ? json_object_new_string(g.name) : NULL);
		json_object_object_add(o, "chip", known && g.chip ? json_object_new_string(g.chip) : NULL);
		json_object_object_add(o, "architecture", known && g.arch ? json_object_new_string(g.arch) : NULL);
		json_object_object_add(o, "compute_capability", known && g.cc ? json_object_new_string(cc) : NULL);
		json_object_object_add(o, "source", json_object_new_string(!known ? "unknown" : g.inferred ? "range" : "table"));
		json_object_array_add(a, o);
	}
	return a;
}

int cmd_compat(int argc, char **argv)
{
	struct resolve_gpu gpus[GS_MAX_GPU_ARGS];
	char labels[GS_MAX_GPU_ARGS][96];
	struct resolve_request req = { 0 };
	struct resolve_result res;
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct compat_db *db;
	int code;

	(void)argc;
	(void)argv;
	db = gs_compat_load();
	if (!db)
		return EXIT_BAD_INPUT;
	if (gs_opts.check) {
		code = check_tables(db);
		compat_db_free(db);
		return code;
	}
	for (size_t i = 0; i < gs_opts.ngpu_ids; i++) {
		struct gpu_info g;
		bool known = gpu_db_lookup(db->gpus, gs_opts.gpu_ids[i], &g) == 0;

		if (known && g.name)
			snprintf(labels[i], sizeof(labels[i]), "%s [10de:%04x]", g.name, gs_opts.gpu_ids[i]);
		else
			snprintf(labels[i], sizeof(labels[i]), "10de:%04x", gs_opts.gpu_ids[i]);
		gpus[i] = (struct resolve_gpu){ .label = labels[i], .device_id = gs_opts.gpu_ids[i],
						.arch = known ? g.arch : NULL, .cc = known ? g.cc : 0 };
	}
	req.gpus = gpus;
	req.ngpus = gs_opts.ngpu_ids;
	req.distro = gs_opts.distro;
	req.installed_driver = gs_opts.installed_driver;
	gs_resolve_constraints(&req);
	strbuf_init(&err);
	if (resolve_check_request(db, &req, &err) < 0) {
		log_error("%s", err.buf);
		compat_db_free(db);
		return EXIT_USAGE;
	}
	resolve(db, &req, &res);
	if (gs_opts.json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("compat"));
		json_object_object_add(j, "gpus", gpus_json(db));
		json_object_object_add(j, "request", gs_request_to_json(&req));
		json_object_object_add(j, "resolution", resolve_to_json(&res));
		json_result_set(j);
	} else {
		describe_request(&req);
		resolve_print_text(&res, gs_opts.explain, stdout);
	}
	code = res.ok ? EXIT_OK : EXIT_CONFLICT;
	if (!res.ok)
		log_error("no combination of versions fits these constraints (see the reasons above)");
	resolve_result_free(&res);
	compat_db_free(db);
	return code;
}
