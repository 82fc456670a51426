/*
 * resolve-output.c - text and JSON forms of a resolver result.
 */
#include "config.h"

#include "resolve-output.h"
#include "util.h"

char *fw_build_requirement(const struct fw_build *b, const char *want)
{
	struct version w;

	/* A release the user named in full is what they get; a series (or
	 * nothing) lets pip take the newest patch release of the series. */
	if (want && version_parse(want, &w) == 0 && w.nparts >= 3 && version_matches(&w, &b->v))
		return xasprintf("%s==%s", b->package, want);
	return xasprintf("%s==%s.*", b->package, b->version);
}

static void print_why(const struct resolve_result *r, const char *topic, bool explain, FILE *out)
{
	if (!explain)
		return;
	for (size_t i = 0; i < r->nwhy; i++)
		if (streq(r->why[i].topic, topic))
			fprintf(out, "             why: %s\n", r->why[i].text);
}

/* Where a chosen row came from when it is not the shipped table's: a
 * choice made from `gpu-setup update`'s rows (and what in them was
 * inferred) is told from one made from the shipped tables. */
static void print_origin(const struct row_origin *o, bool explain, FILE *out)
{
	if (!explain || !o->overlay)
		return;
	fprintf(out, "             data: %s (gpu-setup update), read from %s\n", o->overlay, o->from ? o->from : "?");
	if (o->inferred)
		fprintf(out, "             inferred: %s\n", o->inferred);
}

static void print_list(const char *title, const struct resolve_note *n, size_t count, FILE *out)
{
	if (!count)
		return;
	fprintf(out, "%s\n", title);
	for (size_t i = 0; i < count; i++)
		fprintf(out, "  - %s\n", n[i].text);
}

char *package_list_words(const char *list)
{
	char *s = xstrdup(list);

	for (char *p = s; *p; p++)
		if (*p == ',')
			*p = ' ';
	return s;
}

void resolve_print_text(const struct resolve_result *r, bool explain, FILE *out)
{
	if (!r->ok) {
		print_list("No combination of versions fits:", r->conflicts, r->nconflicts, out);
		print_list("What would fit:", r->fixes, r->nfixes, out);
		if (!r->nfixes)
			fputs("What would fit: nothing found by dropping one constraint or one GPU.\n", out);
		return;
	}
	if (r->keep_installed)
		fprintf(out, "  driver     %u (%s modules), installed: kept\n", r->branch, flavour_name(r->flavour));
	else if (r->package) {
		_cleanup_free_ char *pkgs = package_list_words(r->package->packages);

		fprintf(out, "  driver     %u (%s modules), apt: %s\n", r->branch, flavour_name(r->flavour), pkgs);
	} else {
		fprintf(out, "  driver     %u (%s modules)\n", r->branch, flavour_name(r->flavour));
	}
	print_why(r, "driver", explain, out);
	print_why(r, "flavour", explain, out);
	fprintf(out, "  cuda       %s (%s%s)\n", r->cuda->version, r->cuda->runfile,
		r->gcc_override ? ", with --override" : "");
	print_why(r, "cuda", explain, out);
	print_origin(&r->cuda->origin, explain, out);
	if (r->cudnn)
		fprintf(out, "  cudnn      %s for CUDA %s (%s)\n", r->cudnn->version, r->cudnn->cuda_spec,
			r->cudnn->archive);
	else
		fputs("  cudnn      none\n", out);
	print_why(r, "cudnn", explain, out);
	if (r->cudnn)
		print_origin(&r->cudnn->origin, explain, out);
	if (r->build) {
		_cleanup_free_ char *req = fw_build_requirement(r->build, NULL);

		fprintf(out, "  framework  %s %s%s%s: pip install '%s'%s%s\n", framework_title(r->build->fw),
			r->build->version, r->build->variant ? " " : "", r->build->variant ? r->build->variant : "",
			req, r->build->index_url ? " --index-url " : "",
			r->build->index_url ? r->build->index_url : "");
	} else {
		fputs("  framework  none\n", out);
	}
	print_why(r, "framework", explain, out);
	if (r->build)
		print_origin(&r->build->origin, explain, out);
	fprintf(out, "  python     %s\n", r->python[0] ? r->python : "Miniconda's default");
	print_why(r, "python", explain, out);
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *notes_to_json(const struct resolve_note *n, size_t count, bool with_topic)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < count; i++) {
		if (with_topic) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "topic", json_object_new_string(n[i].topic));
			json_object_object_add(o, "text", json_object_new_string(n[i].text));
			json_object_array_add(a, o);
		} else {
			json_object_array_add(a, json_object_new_string(n[i].text));
		}
	}
	return a;
}

static struct json_object *packages_json(const char *list)
{
	struct json_object *a = json_object_new_array();
	_cleanup_free_ char *copy = xstrdup(list);

	for (char *save = NULL, *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
		json_object_array_add(a, json_object_new_string(p));
	return a;
}

static struct json_object *driver_json(const struct resolve_result *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "branch", json_object_new_int((int)r->branch));
	json_object_object_add(o, "flavour", json_object_new_string(flavour_name(r->flavour)));
	json_object_object_add(o, "keep_installed", json_object_new_boolean(r->keep_installed));
	json_object_object_add(o, "min_version", json_object_new_string(r->cuda->min_driver));
	json_object_object_add(o, "packages", r->package ? packages_json(r->package->packages) : NULL);
	return o;
}

static struct json_object *cuda_json(const struct cuda_info *t, bool override)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_string(t->version));
	json_object_object_add(o, "min_driver", json_object_new_string(t->min_driver));
	json_object_object_add(o, "runfile", json_object_new_string(t->runfile));
	json_object_object_add(o, "url", json_object_new_string(t->url));
	json_object_object_add(o, "sha256", str_or_null(t->sha256));
	json_object_object_add(o, "max_gcc", t->max_gcc ? json_object_new_int((int)t->max_gcc) : NULL);
	json_object_object_add(o, "gcc_override", json_object_new_boolean(override));
	return o;
}

static struct json_object *cudnn_json(const struct cudnn_info *n)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "version", json_object_new_string(n->version));
	json_object_object_add(o, "cuda", json_object_new_string(n->cuda_spec));
	json_object_object_add(o, "archive", json_object_new_string(n->archive));
	json_object_object_add(o, "layout", json_object_new_string(n->layout == CUDNN_LAYOUT_TGZ ? "tgz" : "txz"));
	json_object_object_add(o, "url", json_object_new_string(n->url));
	json_object_object_add(o, "sha256", str_or_null(n->sha256));
	json_object_object_add(o, "size", n->size ? json_object_new_int64((int64_t)n->size) : NULL);
	return o;
}

static struct json_object *build_json(const struct fw_build *b)
{
	struct json_object *o = json_object_new_object();
	_cleanup_free_ char *req = fw_build_requirement(b, NULL);
	char cuda[16];

	snprintf(cuda, sizeof(cuda), "%u.%u", b->cuda.part[0], b->cuda.part[1]);
	json_object_object_add(o, "name", json_object_new_string(framework_name(b->fw)));
	json_object_object_add(o, "version", json_object_new_string(b->version));
	json_object_object_add(o, "variant", str_or_null(b->variant));
	json_object_object_add(o, "cuda", json_object_new_string(cuda));
	json_object_object_add(o, "pip_requirement", json_object_new_string(req));
	json_object_object_add(o, "index_url", str_or_null(b->index_url));
	if (b->fw == FW_PYTORCH)
		json_object_object_add(o, "pypi_default", json_object_new_boolean(b->on_pypi));
	json_object_object_add(o, "cudnn", str_or_null(b->cudnn));
	json_object_object_add(o, "python_min", str_or_null(b->python_min));
	json_object_object_add(o, "python_max", str_or_null(b->python_max));
	return o;
}

struct json_object *resolve_to_json(const struct resolve_result *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "result", json_object_new_string(r->ok ? "ok" : "conflict"));
	if (r->ok) {
		json_object_object_add(o, "driver", driver_json(r));
		json_object_object_add(o, "cuda", cuda_json(r->cuda, r->gcc_override));
		json_object_object_add(o, "cudnn", r->cudnn ? cudnn_json(r->cudnn) : NULL);
		json_object_object_add(o, "framework", r->build ? build_json(r->build) : NULL);
		json_object_object_add(o, "python", r->python[0] ? json_object_new_string(r->python) : NULL);
	}
	json_object_object_add(o, "reasons", notes_to_json(r->why, r->nwhy, true));
	json_object_object_add(o, "conflicts", notes_to_json(r->conflicts, r->nconflicts, false));
	json_object_object_add(o, "fixes", notes_to_json(r->fixes, r->nfixes, false));
	return o;
}
