/*
 * target.c - read the machine once for the commands that plan for it
 * (plan, driver): which NVIDIA GPUs to serve, the distribution, the driver
 * now loaded.
 */
#include "config.h"

#include <errno.h>

#include "driver-offer.h"
#include "exit-codes.h"
#include "log.h"
#include "resolve-output.h"
#include "sysroot.h"
#include "target.h"
#include "util.h"

static bool addr_matches(const char *arg, const char *full)
{
	/* "0000:01:00.0" or the short "01:00.0" */
	return streq(arg, full) || (startswith(full, "0000:") && streq(arg, full + 5));
}

static void format_addr(const struct pci_gpu *g, char addr[16])
{
	snprintf(addr, 16, "%04x:%02x:%02x.%x", g->domain & 0xffff, g->bus & 0xff, g->dev & 0x1f,
		 g->func & 0x7);
}

int target_select_gpus(struct target *t)
{
	const struct pci_scan *s = &t->rep.pci;

	for (size_t i = 0; i < t->opts.ngpu_only; i++) {
		bool found = false;

		for (size_t j = 0; j < s->ngpus && !found; j++) {
			char addr[16];

			format_addr(&s->gpus[j], addr);
			found = s->gpus[j].vendor_id == PCI_VENDOR_NVIDIA && addr_matches(t->opts.gpu_only[i], addr);
		}
		if (!found) {
			log_error("--gpu-only %s: no NVIDIA GPU at that address; 'gpu-setup detect' lists them",
				  t->opts.gpu_only[i]);
			return EXIT_USAGE;
		}
	}
	for (size_t j = 0; j < s->ngpus && t->ngpus < GS_MAX_GPU_ARGS; j++) {
		const struct pci_gpu *g = &s->gpus[j];
		char *addr = t->addrs[t->ngpus];
		bool take = t->opts.ngpu_only == 0;

		if (g->vendor_id != PCI_VENDOR_NVIDIA)
			continue;
		format_addr(g, addr);
		for (size_t i = 0; i < t->opts.ngpu_only; i++)
			take |= addr_matches(t->opts.gpu_only[i], addr);
		if (!take)
			continue;
		{
			/* Via a local buffer: gcc cannot tell the two arrays
			 * in t apart (-Wrestrict). */
			char label[sizeof(t->labels[0])];

			snprintf(label, sizeof(label), "%s at %s", g->name ? g->name : "NVIDIA GPU", addr);
			memcpy(t->labels[t->ngpus], label, sizeof(label));
		}
		t->gpus[t->ngpus] = (struct resolve_gpu){
			.label = t->labels[t->ngpus], .addr = addr, .device_id = g->device_id,
			.arch = g->has_info ? g->info.arch : NULL, .cc = g->has_info ? g->info.cc : 0,
		};
		t->pci[t->ngpus] = g;
		t->ngpus++;
	}
	return EXIT_OK;
}

int target_check_distro(struct target *t)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	strbuf_init(&err);
	distro_match_free(&t->match);
	if (distro_match(t->db, &t->os, &t->match, &err) < 0) {
		log_error("%s", err.buf);
		t->distro = NULL;
		return EXIT_FAILED;
	}
	t->distro = t->match.distro;
	if (t->match.kind == DISTRO_NEWER)
		log_warning("%s", t->match.note);
	else if (t->match.note)
		log_info("%s", t->match.note);
	return EXIT_OK;
}

void target_take_kernels(struct target *t)
{
	if (!t->opts.nkernels)
		return;
	free(t->kernel);
	t->kernel = xstrdup(t->opts.kernels[0]);
	t->more_kernels = t->opts.kernels + 1;
	t->nmore_kernels = t->opts.nkernels - 1;
}

bool target_is_ubuntu(const struct target *t)
{
	return t->distro && startswith(t->distro->id, "ubuntu-");
}

static int read_system(struct target *t)
{
	int r = os_release_read(&t->os);

	if (r < 0) {
		log_error("cannot tell the distribution: %s/etc/os-release: %s", sysroot_get(),
			  r == -EINVAL ? "no ID or VERSION_ID line" : strerror(-r));
		return exit_code_for_errno(r);
	}
	r = target_check_distro(t);
	if (r != EXIT_OK)
		return r;
	r = installed_driver_read(&t->installed, &t->installed_flavour);
	if (r < 0 && r != -ENOENT)
		log_warning("cannot read the loaded NVIDIA driver's version (%s): planning as if none were installed",
			    strerror(-r));
	return EXIT_OK;
}

int target_detect(const struct detect_request *req, struct detect_report *rep)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	int r;

	strbuf_init(&err);
	r = detect_run(req, rep, &err);
	if (r == 0)
		return EXIT_OK;
	log_error("%s", err.buf);
	return exit_code_for_errno(r);
}

struct compat_db *target_compat_load(const char *dir, struct gpu_db *gpus)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	struct compat_db *db;

	strbuf_init(&err);
	if (compat_db_load_sharing(dir, gpus, &db, &err) < 0) {
		log_error("%s", err.buf);
		log_error("the compatibility data is damaged: reinstall gpu-setup, or fix the file named above ('gpu-setup compat --check' checks it)");
		return NULL;
	}
	return db;
}

int target_load_gpus(struct target *t)
{
	/* detection read gpus.tsv and gpu-ranges.tsv: the db shares them (the
	 * report is freed before the db, and nothing reads the db after). */
	t->db = target_compat_load(t->opts.compat_dir, t->rep.db);
	if (!t->db)
		return EXIT_BAD_INPUT;
	return target_select_gpus(t);
}

int target_load(struct target *t, const struct target_options *opts)
{
	int code;

	if (opts->described)
		return target_load_json(opts->described, t, opts);
	*t = (struct target){ .opts = *opts };
	code = target_detect(&opts->detect, &t->rep);
	if (code)
		return code;
	t->have_rep = true;
	if (!t->rep.pci.nvidia_count) {
		log_error("no NVIDIA GPU found: there is nothing to do ('gpu-setup detect' shows what was seen)");
		return EXIT_NO_NVIDIA;
	}
	code = target_load_gpus(t);
	if (code == EXIT_OK)
		code = read_system(t);
	target_take_kernels(t);
	return code;
}

void target_free(struct target *t)
{
	if (t->have_rep)
		detect_report_free(&t->rep);
	compat_db_free(t->db);
	distro_match_free(&t->match);
	os_release_free(&t->os);
	free(t->installed);
	free(t->kernel);
	/* After the report: nothing in it points into the document. */
	if (t->described)
		json_object_put(t->described);
	*t = (struct target){ 0 };
}

int target_request(const struct target *t, struct resolve_request *req)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;

	*req = (struct resolve_request){
		.gpus = t->gpus, .ngpus = t->ngpus, .distro = t->distro->id,
		.installed_driver = t->installed, .installed_flavour = t->installed_flavour,
	};
	req->framework = t->opts.constraints.framework;
	req->framework_version = t->opts.constraints.framework_version;
	req->cuda = t->opts.constraints.cuda;
	req->driver_branch = t->opts.constraints.driver_branch;
	req->cudnn = t->opts.constraints.cudnn;
	req->python = t->opts.constraints.python;
	strbuf_init(&err);
	if (resolve_check_request(t->db, req, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

void target_read_apt_offers(const struct target *t, struct resolve_request *req, struct driver_offers *offers)
{
	struct apt_cache *ac = NULL;

	if (apt_cache_open(sysroot_get()[0] ? sysroot_get() : NULL, &ac, NULL) < 0)
		return;
	driver_offers_read(ac, t, t->opts.server || driver_gpus_are_datacenter(t), offers);
	apt_cache_close(ac);
	if (offers->noffer) {
		req->offer = offers->offer;
		req->noffer = offers->noffer;
	}
}

int target_resolve_loaded(struct target *t, struct apt_cache *ac, struct driver_offers *offers,
			  struct resolve_request *req, struct resolve_result *res)
{
	int code = target_request(t, req);

	if (code != EXIT_OK)
		return code;
	if (ac) {
		driver_offers_read(ac, t, t->opts.server || driver_gpus_are_datacenter(t), offers);
		if (offers->noffer) {
			req->offer = offers->offer;
			req->noffer = offers->noffer;
		}
	} else {
		target_read_apt_offers(t, req, offers);
	}
	resolve(t->db, req, res);
	if (res->ok)
		return EXIT_OK;
	if (!t->opts.conflict_quiet) {
		resolve_print_text(res, true, stderr);
		log_error("no combination of versions fits %s (see the reasons above)",
			  t->described ? "the described machine" : "this machine");
	}
	return EXIT_CONFLICT;
}

int target_resolve(struct target *t, const struct target_options *opts, struct driver_offers *offers,
		   struct resolve_request *req, struct resolve_result *res)
{
	int code = target_load(t, opts);

	return code == EXIT_OK ? target_resolve_loaded(t, NULL, offers, req, res) : code;
}

struct json_object *target_gpus_json(const struct target *t)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < t->ngpus; i++) {
		const struct resolve_gpu *g = &t->gpus[i];
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
