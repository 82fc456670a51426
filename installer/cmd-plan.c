/*
 * cmd-plan.c - `gpu-setup plan`: detect, read the distribution and the
 * loaded driver, resolve versions, and list the steps install would take
 * with what each changes.  Reads only; works as a normal user.
 */
#include "config.h"

#include <errno.h>

#include "commands.h"
#include "detect.h"
#include "exit-codes.h"
#include "log.h"
#include "options.h"
#include "osinfo.h"
#include "plan.h"
#include "resolve-output.h"
#include "sysroot.h"
#include "target-user.h"
#include "util.h"

#define DEFAULT_MIRROR "tuna"

struct plan_ctx {
	struct detect_report rep;
	bool have_rep;
	struct compat_db *db;
	struct os_release os;
	char *installed;
	enum driver_flavour installed_flavour;
	struct target_user user;
	struct resolve_gpu gpus[GS_MAX_GPU_ARGS];
	char addrs[GS_MAX_GPU_ARGS][16];
	char labels[GS_MAX_GPU_ARGS][128];
	size_t ngpus;
};

static bool addr_matches(const char *arg, const char *full)
{
	/* "0000:01:00.0" or the short "01:00.0" */
	return streq(arg, full) || (startswith(full, "0000:") && streq(arg, full + 5));
}

static int select_gpus(struct plan_ctx *p)
{
	const struct pci_scan *s = &p->rep.pci;

	for (size_t i = 0; i < gs_opts.ngpu_only; i++) {
		bool found = false;

		for (size_t j = 0; j < s->ngpus && !found; j++) {
			char addr[16];

			snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", s->gpus[j].domain, s->gpus[j].bus,
				 s->gpus[j].dev, s->gpus[j].func);
			found = s->gpus[j].vendor_id == PCI_VENDOR_NVIDIA && addr_matches(gs_opts.gpu_only[i], addr);
		}
		if (!found) {
			log_error("--gpu-only %s: no NVIDIA GPU at that address; 'gpu-setup detect' lists them",
				  gs_opts.gpu_only[i]);
			return EXIT_USAGE;
		}
	}
	for (size_t j = 0; j < s->ngpus && p->ngpus < GS_MAX_GPU_ARGS; j++) {
		const struct pci_gpu *g = &s->gpus[j];
		char *addr = p->addrs[p->ngpus];
		bool take = gs_opts.ngpu_only == 0;

		if (g->vendor_id != PCI_VENDOR_NVIDIA)
			continue;
		snprintf(addr, sizeof(p->addrs[0]), "%04x:%02x:%02x.%x", g->domain, g->bus, g->dev, g->func);
		for (size_t i = 0; i < gs_opts.ngpu_only; i++)
			take |= addr_matches(gs_opts.gpu_only[i], addr);
		if (!take)
			continue;
		{
			/* Via a local buffer: gcc cannot tell the two arrays
			 * in p apart (-Wrestrict). */
			char label[sizeof(p->labels[0])];

			snprintf(label, sizeof(label), "%s at %s", g->name ? g->name : "NVIDIA GPU", addr);
			memcpy(p->labels[p->ngpus], label, sizeof(label));
		}
		p->gpus[p->ngpus] = (struct resolve_gpu){
			.label = p->labels[p->ngpus], .addr = addr, .device_id = g->device_id,
			.arch = g->has_info ? g->info.arch : NULL, .cc = g->has_info ? g->info.cc : 0,
		};
		p->ngpus++;
	}
	return EXIT_OK;
}

static int read_system(struct plan_ctx *p)
{
	int r = os_release_read(&p->os);

	if (r < 0) {
		log_error("cannot tell the distribution: %s/etc/os-release: %s", sysroot_get(),
			  r == -EINVAL ? "no ID or VERSION_ID line" : strerror(-r));
		return r == -EINVAL ? EXIT_BAD_INPUT : EXIT_FAILED;
	}
	if (!compat_find_distro(p->db, p->os.distro)) {
		_cleanup_strbuf_ struct strbuf list = STRBUF_INIT;

		strbuf_init(&list);
		for (size_t i = 0; i < p->db->ndistros; i++)
			strbuf_addf(&list, "%s%s", i ? ", " : "", p->db->distros[i].id);
		log_error("%s (%s) is not a distribution gpu-setup supports: %s",
			  p->os.pretty_name ? p->os.pretty_name : p->os.distro, p->os.distro, list.buf);
		return EXIT_FAILED;
	}
	r = installed_driver_read(&p->installed, &p->installed_flavour);
	if (r < 0 && r != -ENOENT)
		log_warning("cannot read the loaded NVIDIA driver's version (%s): planning as if none were installed",
			    strerror(-r));
	r = target_user_find(NULL, &p->user);
	if (r < 0) {
		log_error("cannot find the user to set Python up for ('%s') in %s/etc/passwd: %s",
			  getenv("SUDO_USER") ? getenv("SUDO_USER") : "the current user", sysroot_get(),
			  r == -ENOENT ? "no such user" : strerror(-r));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static struct json_object *gpus_json(const struct plan_ctx *p)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->ngpus; i++) {
		const struct resolve_gpu *g = &p->gpus[i];
		struct json_object *o = json_object_new_object();
		char id[16], cc[24];

		snprintf(id, sizeof(id), "10de:%04x", g->device_id);
		snprintf(cc, sizeof(cc), "%u.%u", g->cc / 10, g->cc % 10);
		json_object_object_add(o, "address", json_object_new_string(g->addr));
		json_object_object_add(o, "id", json_object_new_string(id));
		json_object_object_add(o, "label", json_object_new_string(g->label));
		json_object_object_add(o, "arch", g->arch ? json_object_new_string(g->arch) : NULL);
		json_object_object_add(o, "compute_capability", g->arch ? json_object_new_string(cc) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static void print_plan(const struct plan_ctx *p, const struct resolve_request *req,
		       const struct resolve_result *res, const struct plan *plan)
{
	const struct distro_info *d = compat_find_distro(p->db, p->os.distro);

	if (gs_opts.json) {
		struct json_object *j = json_object_new_object(), *sys = json_object_new_object();

		json_object_object_add(j, "schema_version", json_object_new_int(DETECT_SCHEMA_VERSION));
		json_object_object_add(j, "command", json_object_new_string("plan"));
		json_object_object_add(sys, "distro", json_object_new_string(d->id));
		json_object_object_add(sys, "distro_name", json_object_new_string(d->name));
		json_object_object_add(sys, "installed_driver",
				       p->installed ? json_object_new_string(p->installed) : NULL);
		json_object_object_add(sys, "installed_flavour",
				       p->installed ? json_object_new_string(flavour_name(p->installed_flavour)) : NULL);
		json_object_object_add(sys, "user", json_object_new_string(p->user.name));
		json_object_object_add(sys, "home", json_object_new_string(p->user.home));
		json_object_object_add(j, "system", sys);
		json_object_object_add(j, "gpus", gpus_json(p));
		json_object_object_add(j, "request", gs_request_to_json(req));
		json_object_object_add(j, "resolution", resolve_to_json(res));
		json_object_object_add(j, "steps", res->ok ? plan_to_json(plan) : json_object_new_array());
		gs_print_json(j);
		json_object_put(j);
		return;
	}
	printf("System: %s (%s), driver %s%s%s%s, Python for %s\n", d->name, d->codename,
	       p->installed ? p->installed : "none loaded", p->installed ? " (" : "",
	       p->installed ? flavour_name(p->installed_flavour) : "", p->installed ? " modules)" : "",
	       p->user.name);
	printf("GPUs served:");
	for (size_t i = 0; i < p->ngpus; i++)
		printf("%s %s", i ? "," : "", p->gpus[i].label);
	printf("\n\nVersions:\n");
	resolve_print_text(res, true, stdout);
	if (res->ok) {
		printf("\nSteps:\n");
		plan_print_text(plan, stdout);
	}
}

static void plan_ctx_free(struct plan_ctx *p)
{
	if (p->have_rep)
		detect_report_free(&p->rep);
	compat_db_free(p->db);
	os_release_free(&p->os);
	free(p->installed);
	target_user_free(&p->user);
}

int cmd_plan(int argc, char **argv)
{
	struct plan_ctx p = { 0 };
	struct resolve_request req = { 0 };
	struct resolve_result res = { 0 };
	struct plan plan = { 0 };
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int code;

	(void)argc;
	(void)argv;
	code = gs_detect_or_exit_code(&p.rep);
	if (code)
		return code;
	p.have_rep = true;
	if (!p.rep.pci.nvidia_count) {
		log_error("no NVIDIA GPU found: there is nothing to plan for ('gpu-setup detect' shows what was seen)");
		code = EXIT_NO_NVIDIA;
		goto out;
	}
	p.db = gs_compat_load();
	if (!p.db) {
		code = EXIT_BAD_INPUT;
		goto out;
	}
	code = select_gpus(&p);
	if (code == EXIT_OK)
		code = read_system(&p);
	if (code != EXIT_OK)
		goto out;
	req.gpus = p.gpus;
	req.ngpus = p.ngpus;
	req.distro = p.os.distro;
	req.installed_driver = p.installed;
	req.installed_flavour = p.installed_flavour;
	gs_resolve_constraints(&req);
	strbuf_init(&err);
	if (resolve_check_request(p.db, &req, &err) < 0) {
		log_error("%s", err.buf);
		code = EXIT_USAGE;
		goto out;
	}
	resolve(p.db, &req, &res);
	if (res.ok) {
		struct plan_input in = { .res = &res, .distro = compat_find_distro(p.db, p.os.distro),
					 .user = &p.user, .mirror = DEFAULT_MIRROR };

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
	plan_ctx_free(&p);
	return code;
}
