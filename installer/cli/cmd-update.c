/*
 * cmd-update.c - `gpu-setup update [--dry-run] [--json]`: refresh the
 * version tables from upstream (installer/update/update.h) and say, per
 * source, what was added or why nothing was.
 */
#include "config.h"

#include <json-c/json.h>

#include "commands.h"
#include "compat.h"
#include "exit-codes.h"
#include "json-result.h"
#include "log.h"
#include "options.h"
#include "update.h"
#include "util.h"

#define UPDATE_SCHEMA_VERSION 1

static struct json_object *report_json(const struct update_report *rep, bool dry_run)
{
	struct json_object *j = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(j, "schema_version", json_object_new_int(UPDATE_SCHEMA_VERSION));
	json_object_object_add(j, "date", json_object_new_string(rep->date));
	json_object_object_add(j, "overlay_dir", json_object_new_string(rep->overlay_dir));
	json_object_object_add(j, "dry_run", json_object_new_boolean(dry_run));
	json_object_object_add(j, "written", json_object_new_boolean(rep->written));
	for (size_t i = 0; i < UPDATE_NSOURCES; i++) {
		const struct update_source *s = &rep->src[i];
		struct json_object *o = json_object_new_object(), *added = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(s->name));
		json_object_object_add(o, "table", json_object_new_string(s->table));
		json_object_object_add(o, "url", s->url ? json_object_new_string(s->url) : NULL);
		json_object_object_add(o, "ok", json_object_new_boolean(s->ok));
		json_object_object_add(o, "error", s->error ? json_object_new_string(s->error) : NULL);
		for (size_t k = 0; k < s->nadded; k++)
			json_object_array_add(added, json_object_new_string(s->added[k]));
		json_object_object_add(o, "added", added);
		json_object_array_add(arr, o);
	}
	json_object_object_add(j, "sources", arr);
	return j;
}

static bool any_read(const struct update_report *rep)
{
	for (size_t i = 0; i < UPDATE_NSOURCES; i++)
		if (rep->src[i].ok)
			return true;
	return false;
}

static void report_text(const struct update_report *rep, bool dry_run)
{
	for (size_t i = 0; i < UPDATE_NSOURCES; i++) {
		const struct update_source *s = &rep->src[i];

		if (!s->ok) {
			printf("%-8s failed: %s\n         %s unchanged\n", s->name, s->error ? s->error : "not read",
			       s->table);
			continue;
		}
		if (s->nadded == 0) {
			printf("%-8s %s: nothing new\n", s->name, s->url);
			continue;
		}
		printf("%-8s %s: %zu row%s%s\n", s->name, s->url, s->nadded, s->nadded == 1 ? "" : "s",
		       dry_run ? " would be added" : " added");
		for (size_t k = 0; k < s->nadded; k++)
			printf("         %s\n", s->added[k]);
	}
	if (rep->written)
		printf("wrote the refreshed tables to %s (gpu-setup reads them over the shipped ones; remove a file "
		       "there to go back)\n", rep->overlay_dir);
	else if (dry_run && !rep->error && any_read(rep))
		printf("--dry-run: nothing written to %s (the refreshed tables load and pass every check)\n",
		       rep->overlay_dir);
}

int cmd_update(int argc, char **argv)
{
	_cleanup_free_ char *overlay = compat_overlay_dir();
	struct update_report rep;
	struct update_urls urls;
	int r, code;

	(void)argv;
	if (argc > 0) {
		log_error("update takes no arguments (the sources are settings: see gpu-setup(8), UPDATE)");
		return EXIT_USAGE;
	}
	if (!overlay) {
		log_error("GPU_SETUP_COMPAT_OVERLAY is empty: there is no folder to write the refreshed tables to");
		return EXIT_USAGE;
	}
	update_urls_from_env(&urls);
	r = update_run(gs_compat_dir(), overlay, &urls, gs_opts.dry_run, &rep);
	if (r < 0) {
		log_error("%s", rep.error ? rep.error : strerror(-r));
		code = exit_code_for_errno(r);
	} else {
		/* The text report says it; the JSON envelope's error needs it said. */
		for (size_t i = 0; i < UPDATE_NSOURCES && gs_opts.json; i++)
			if (!rep.src[i].ok)
				log_error("%s: %s; %s unchanged", rep.src[i].name, rep.src[i].error, rep.src[i].table);
		code = r == 0 ? EXIT_OK : EXIT_FAILED;
	}
	if (gs_opts.json)
		json_result_set(report_json(&rep, gs_opts.dry_run));
	else if (r >= 0)
		report_text(&rep, gs_opts.dry_run);
	update_report_free(&rep);
	return code;
}
