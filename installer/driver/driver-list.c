/*
 * driver-list.c - verdicts for `gpu-setup driver --list`.
 *
 * ubuntu-drivers lists the packages that match and marks one
 * "recommended" without saying why.  Here every candidate is asked of the
 * resolver on its own (the offer narrowed to that one package), so a
 * candidate that loses says what rules it out, and one that fits says why
 * the chosen one is preferred.
 */
#include "config.h"

#include "driver-list.h"
#include "modalias.h"
#include "resolve-output.h"
#include "table.h"
#include "util.h"

static const char *const verdict_names[] = {
	[VERDICT_CHOSEN] = "chosen", [VERDICT_KEPT] = "installed", [VERDICT_FITS] = "fits",
	[VERDICT_UNUSABLE] = "no",
};

const struct driver_candidate *driver_chosen(const struct driver_offers *o, const struct resolve_result *res)
{
	if (!res->ok || res->keep_installed)
		return NULL;
	for (size_t i = 0; i < o->ncand; i++) {
		const struct driver_candidate *c = &o->cand[i];

		if (!c->unusable && c->branch == res->branch && c->flavour == res->flavour)
			return c;
	}
	return NULL;
}

static const char *why_of(const struct resolve_result *r, const char *topic)
{
	for (size_t i = 0; i < r->nwhy; i++)
		if (streq(r->why[i].topic, topic))
			return r->why[i].text;
	return "";
}

/* Why candidate c, which fits on its own (with CUDA alone->cuda), is not
 * the one chosen. */
static char *why_not_chosen(const struct driver_list *l, const struct driver_candidate *c,
			    const struct resolve_result *alone)
{
	const struct resolve_result *res = l->res;

	if (res->keep_installed)
		return xasprintf("fits, but the installed driver %s already serves the plan and is kept",
				 l->t->installed);
	if (c->branch != res->branch)
		return xasprintf("fits (with CUDA %s), but branch %u is preferred: %s", alone->cuda->version,
				 res->branch, why_of(res, "driver"));
	return xasprintf("fits, but the %s modules are preferred: %s", flavour_name(res->flavour),
			 why_of(res, "flavour"));
}

/* Whether a package version ("1:580.95.05-0ubuntu1") is of the upstream
 * version the kernel module reports ("580.95.05"). */
static bool same_upstream(const char *pkg_version, const char *upstream)
{
	const char *colon = strchr(pkg_version, ':');
	const char *v = colon ? colon + 1 : pkg_version;
	size_t n = strlen(upstream);

	return strncmp(v, upstream, n) == 0 && (v[n] == '\0' || v[n] == '-');
}

static char *judge(const struct driver_list *l, const struct resolve_request *req, const struct driver_candidate *c,
		   enum driver_verdict *ret)
{
	struct distro_driver only = { .distro = l->t->distro->id, .branch = c->branch, .flavour = c->flavour,
				      .packages = c->packages };
	struct resolve_request alt = *req;
	struct resolve_result r = { 0 };
	char *why;

	*ret = VERDICT_UNUSABLE;
	if (c->unusable)
		return xstrdup(c->unusable);
	if (!compat_find_branch(l->t->db, c->branch))
		return xasprintf("branch %u is not in gpu-setup's compatibility data (compat/branches.tsv)", c->branch);
	if (c == l->chosen) {
		*ret = VERDICT_CHOSEN;
		return xasprintf("%s; %s", why_of(l->res, "driver"), why_of(l->res, "flavour"));
	}
	if (l->res->keep_installed && c->installed && l->t->installed && same_upstream(c->installed, l->t->installed)) {
		*ret = VERDICT_KEPT;
		return xasprintf("installed and kept: %s", why_of(l->res, "driver"));
	}
	alt.offer = &only;
	alt.noffer = 1;
	alt.driver_branch = c->branch;
	alt.installed_driver = NULL;
	resolve(l->t->db, &alt, &r);
	if (!r.ok) {
		why = xstrdup(r.nconflicts ? r.conflicts[0].text : "no combination of versions fits with it");
	} else if (r.flavour != c->flavour) {
		why = xasprintf("the %s modules cannot serve these GPUs", flavour_name(c->flavour));
	} else {
		*ret = VERDICT_FITS;
		why = why_not_chosen(l, c, &r);
	}
	resolve_result_free(&r);
	return why;
}

void driver_list_build(const struct target *t, const struct resolve_request *req, const struct resolve_result *res,
		       const struct driver_offers *o, struct driver_list *ret)
{
	struct driver_list l = { .t = t, .offers = o, .res = res, .chosen = driver_chosen(o, res), .n = o->ncand };

	l.verdict = xcalloc(l.n ? l.n : 1, sizeof(*l.verdict));
	l.reason = xcalloc(l.n ? l.n : 1, sizeof(*l.reason));
	for (size_t i = 0; i < l.n; i++)
		l.reason[i] = judge(&l, req, &o->cand[i], &l.verdict[i]);
	*ret = l;
}

void driver_list_free(struct driver_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->reason[i]);
	free(l->reason);
	free(l->verdict);
	*l = (struct driver_list){ 0 };
}

void driver_list_print_text(const struct driver_list *l, FILE *out)
{
	const struct driver_offers *o = l->offers;

	for (size_t i = 0; i < l->t->ngpus; i++) {
		char alias[MODALIAS_MAX];

		modalias_build(l->t->pci[i], alias);
		fprintf(out, "GPU %s: %s (%s)\n", l->t->gpus[i].label,
			l->t->gpus[i].arch ? l->t->gpus[i].arch : "unknown architecture", alias);
	}
	fprintf(out, "\nDriver packages apt offers, newest first (%s):\n",
		o->from_modaliases ? "those whose Modaliases list the GPUs, as ubuntu-drivers finds them"
				   : "the distribution's driver packages from gpu-setup's table");
	for (size_t i = 0; i < l->n; i++) {
		const struct driver_candidate *c = &o->cand[i];
		char installed[80] = "";

		if (c->installed)
			snprintf(installed, sizeof(installed), ", installed %s", c->installed);
		_cleanup_free_ char *words = package_list_words(c->packages);
		char tag[16];

		snprintf(tag, sizeof(tag), "[%s]", verdict_names[l->verdict[i]]);
		fprintf(out, "  %-12s %s  (%s, %s%s)\n", tag, words, c->version ? c->version : "not in apt",
			flavour_name(c->flavour), installed);
		fprintf(out, "  %-12s %s\n", "", l->reason[i]);
	}
	if (!l->n)
		fputs("  (none)\n", out);
}

struct json_object *driver_list_to_json(const struct driver_list *l)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < l->n; i++) {
		const struct driver_candidate *c = &l->offers->cand[i];
		struct json_object *o = json_object_new_object(), *pk = json_object_new_array();
		_cleanup_free_ char **names = NULL;
		size_t n = 0;

		if (table_split_list(c->packages, &names, &n) < 0)
			n = 0;
		for (size_t k = 0; k < n; k++)
			json_object_array_add(pk, json_object_new_string(names[k]));
		json_object_object_add(o, "package", json_object_new_string(c->name));
		json_object_object_add(o, "packages", pk);
		json_object_object_add(o, "branch", json_object_new_int((int)c->branch));
		json_object_object_add(o, "flavour", json_object_new_string(flavour_name(c->flavour)));
		json_object_object_add(o, "server", json_object_new_boolean(c->server));
		json_object_object_add(o, "version", c->version ? json_object_new_string(c->version) : NULL);
		json_object_object_add(o, "installed", c->installed ? json_object_new_string(c->installed) : NULL);
		json_object_object_add(o, "verdict", json_object_new_string(verdict_names[l->verdict[i]]));
		json_object_object_add(o, "reason", json_object_new_string(l->reason[i]));
		json_object_array_add(a, o);
	}
	return a;
}
