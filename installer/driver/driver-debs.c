/*
 * driver-debs.c - the driver's packages for fetch (driver-debs.h), chosen
 * exactly as `gpu-setup driver` chooses them: driver_choose is the part of
 * the choice both share.
 */
#include "config.h"

#include <errno.h>

#include "driver-debs.h"
#include "driver-install.h"
#include "exit-codes.h"
#include "log.h"
#include "resolve-output.h"
#include "util.h"

int driver_choose(const struct target *t, struct apt_cache *ac, bool sources_pending, struct driver_choice *ret)
{
	static const struct distro_driver none;
	bool server = t->opts.server || driver_gpus_are_datacenter(t);
	int code;

	*ret = (struct driver_choice){ 0 };
	code = target_request(t, &ret->req);
	if (code != EXIT_OK)
		return code;
	driver_offers_read(ac, t, server, &ret->offers);
	if (sources_pending)
		ret->assumed = driver_offers_assume_pending(&ret->offers, t);
	if (!ret->offers.ncand) {
		log_error("apt offers no NVIDIA driver package for %s%s: %s", t->gpus[0].label,
			  t->ngpus > 1 ? " and the others" : "",
			  t->described ? "the described machine's sources have none (its apt-get update ran here)"
			  : t->opts.offline ? "the cache has none: fill it with 'gpu-setup fetch' (for a machine "
					      "without a network: 'gpu-setup fetch --for' on one with)"
			  : target_is_ubuntu(t)
				  ? "enable the 'restricted' component and run 'sudo apt-get update'"
				  : "check that contrib and non-free are in apt's sources and run 'sudo apt-get update'");
		return EXIT_FAILED;
	}
	ret->req.offer = ret->offers.noffer ? ret->offers.offer : &none;
	ret->req.noffer = ret->offers.noffer;
	resolve(t->db, &ret->req, &ret->res);
	driver_list_build(t, &ret->req, &ret->res, &ret->offers, &ret->list);
	return EXIT_OK;
}

void driver_choice_free(struct driver_choice *c)
{
	driver_list_free(&c->list);
	resolve_result_free(&c->res);
	driver_offers_free(&c->offers);
	*c = (struct driver_choice){ 0 };
}

static char **strv_copy(char *const *v)
{
	size_t n = 0;
	char **copy;

	while (v && v[n])
		n++;
	copy = xcalloc(n + 1, sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

/* The closure without what the target has in the candidate's version
 * already (apt_install_closure leaves those out too, but for a held
 * package in the way: this stays the check that nothing installed is
 * fetched again). */
static char **closure_to_fetch(struct apt_cache *ac, char *const *closure)
{
	size_t n = 0, k = 0;
	char **out;

	while (closure && closure[n])
		n++;
	out = xcalloc(n + 1, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *inst = NULL, *cand = NULL;

		if (apt_versions(ac, closure[i], &inst, &cand) == 0 && inst && cand && streq(inst, cand))
			continue;
		out[k++] = xstrdup(closure[i]);
	}
	return out;
}

int driver_debs_plan(struct target *t, struct apt_cache *ac, struct driver_debs *ret)
{
	struct driver_choice ch;
	struct driver_job job = { 0 };
	bool have_job = false;
	char **fetch = NULL, *err = NULL;
	int code, r;

	*ret = (struct driver_debs){ 0 };
	code = driver_choose(t, ac, false, &ch);
	if (code != EXIT_OK)
		goto out;
	if (!ch.res.ok) {
		resolve_print_text(&ch.res, false, stderr);
		log_error("none of apt's driver packages fits these GPUs and constraints (see the reasons above)");
		code = EXIT_CONFLICT;
		goto out;
	}
	if (ch.res.keep_installed) {
		ret->keep_installed = true;
		log_info("the loaded driver %s already serves the plan: no driver package to fetch", t->installed);
		goto out;
	}
	if (!ch.list.chosen) {
		log_error("none of apt's driver packages fits these GPUs (gpu-setup driver --list says why)");
		code = EXIT_CONFLICT;
		goto out;
	}
	driver_job_prepare_packages(ac, t, ch.list.chosen, &job);
	have_job = true;
	if (job.nproblems) {
		for (size_t i = 0; i < job.nproblems; i++)
			log_error("%s", job.problems[i]);
		code = EXIT_FAILED;
		goto out;
	}
	fetch = closure_to_fetch(ac, job.closure);
	r = apt_archives(ac, (const char *const *)fetch, &ret->archives, &ret->narchives, &err);
	if (r < 0) {
		log_error("cannot tell where to download %s's packages from: %s", ch.list.chosen->name,
			  err ? err : strerror(-r));
		code = EXIT_FAILED;
		goto out;
	}
	ret->choice = xstrdup(ch.list.chosen->name);
	ret->packages = strv_copy(job.packages);
out:
	free(err);
	apt_free_list(fetch);
	if (have_job)
		driver_job_free(&job);
	driver_choice_free(&ch);
	if (code != EXIT_OK)
		driver_debs_free(ret);
	return code;
}

void driver_debs_free(struct driver_debs *d)
{
	free(d->choice);
	apt_free_list(d->packages);
	apt_archives_free(d->archives, d->narchives);
	*d = (struct driver_debs){ 0 };
}
