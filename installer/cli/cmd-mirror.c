/*
 * cmd-mirror.c - `gpu-setup mirror [NAME]`: point a user's pip and conda
 * (or, with --system, every user's) at a package mirror; with --speedtest
 * measure the mirrors and take the fastest; with --revert put the files
 * back as they were before gpu-setup.  The merging, the backups and acting
 * as the user are mirror-files.c's, the measuring mirror-speed.c's.
 */
#include "config.h"

#include <errno.h>

#include <json-c/json.h>

#include "as-user.h"
#include "commands.h"
#include "exit-codes.h"
#include "job-ctx.h"
#include "json-result.h"
#include "log.h"
#include "mirror-config.h"
#include "mirror-speed.h"
#include "options.h"
#include "sysroot.h"
#include "util.h"

#define MIRROR_SCHEMA_VERSION 1
/* --speedtest: each mirror gets this long and this many bytes. */
#define SPEEDTEST_TIMEOUT_MS 5000
#define SPEEDTEST_MAX_BYTES ((size_t)256 * 1024)

static int check_usage(const char *name)
{
	if (gs_opts.revert && name) {
		log_error("--revert puts back what was there before gpu-setup's first change; it takes no mirror name");
		return EXIT_USAGE;
	}
	if (gs_opts.revert && gs_opts.speedtest) {
		log_error("--revert and --speedtest contradict each other: give one");
		return EXIT_USAGE;
	}
	if (gs_opts.speedtest && name) {
		log_error("--speedtest chooses the mirror itself: give no mirror name with it");
		return EXIT_USAGE;
	}
	if (gs_opts.system && gs_opts.user) {
		log_error("--system writes the files every user reads (/etc/pip.conf, /etc/conda/.condarc), --user one "
			  "user's: give one");
		return EXIT_USAGE;
	}
	if (gs_opts.system && !gs_opts.dry_run && !sysroot_get()[0] && geteuid() != 0) {
		log_error("mirror --system writes /etc/pip.conf and /etc/conda/.condarc and needs root: run 'sudo "
			  "gpu-setup mirror --system' (or add --dry-run to only look)");
		return EXIT_NEEDS_ROOT;
	}
	return EXIT_OK;
}

static struct json_object *speed_to_json(const struct speed_result *res, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(res[i].name));
		json_object_object_add(o, "url", json_object_new_string(res[i].url));
		json_object_object_add(o, "ok", json_object_new_boolean(res[i].ok));
		json_object_object_add(o, "http_code", json_object_new_int((int)res[i].http_code));
		json_object_object_add(o, "seconds", json_object_new_double(res[i].seconds));
		json_object_object_add(o, "bytes_per_s", json_object_new_double(res[i].bytes_per_s));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)res[i].bytes));
		json_object_object_add(o, "error", res[i].ok ? NULL : json_object_new_string(res[i].error));
		json_object_array_add(a, o);
	}
	return a;
}

/* Measure every mirror but the origin; the fastest that answered, or
 * NULL.  The table goes to stdout (text) or into *ret_json. */
static const struct mirror *speedtest(const struct mirror_table *t, struct json_object **ret_json)
{
	const char **names = xcalloc(t->n, sizeof(char *)), **urls = xcalloc(t->n, sizeof(char *));
	const struct mirror **cand = xcalloc(t->n, sizeof(*cand));
	struct speed_result *res;
	const struct mirror *best = NULL;
	size_t n = 0;
	int b;

	for (size_t i = 0; i < t->n; i++)
		if (!streq(t->mirrors[i].name, MIRROR_OFFICIAL)) {
			cand[n] = &t->mirrors[i];
			names[n] = t->mirrors[i].name;
			urls[n++] = t->mirrors[i].probe_url;
		}
	res = xcalloc(n ? n : 1, sizeof(*res));
	log_info("measuring %zu mirrors (at most %d s and %zu KiB each)...", n, SPEEDTEST_TIMEOUT_MS / 1000,
		 SPEEDTEST_MAX_BYTES / 1024);
	b = mirror_speedtest(names, urls, n, SPEEDTEST_TIMEOUT_MS, SPEEDTEST_MAX_BYTES, res);
	if (b >= 0 && (size_t)b < n)
		best = cand[b];
	if (gs_opts.json)
		*ret_json = speed_to_json(res, n);
	else
		mirror_speed_print(res, n, b, stdout);
	free(res);
	free(cand);
	free(names);
	free(urls);
	return best;
}

static struct json_object *files_to_json(const struct mirror_files *f)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < f->n; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "path", json_object_new_string(f->files[i].path));
		json_object_object_add(o, "action",
				       json_object_new_string(mirror_action_name(f->files[i].action, gs_opts.dry_run)));
		json_object_object_add(o, "backup", f->files[i].backup ? json_object_new_string(f->files[i].backup) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}

static void print_json(const struct mirror *m, const struct target_user *u, const struct mirror_files *f,
		       struct json_object *speed, const char *error)
{
	struct json_object *j = json_object_new_object();

	json_object_object_add(j, "schema_version", json_object_new_int(MIRROR_SCHEMA_VERSION));
	json_object_object_add(j, "command", json_object_new_string("mirror"));
	json_object_object_add(j, "action", json_object_new_string(gs_opts.revert ? "revert" : "apply"));
	json_object_object_add(j, "mirror", m ? json_object_new_string(m->name) : NULL);
	json_object_object_add(j, "scope", json_object_new_string(gs_opts.system ? "system" : "user"));
	json_object_object_add(j, "user", u && u->name ? json_object_new_string(u->name) : NULL);
	json_object_object_add(j, "dry_run", json_object_new_boolean(gs_opts.dry_run));
	json_object_object_add(j, "files", f ? files_to_json(f) : json_object_new_array());
	json_object_object_add(j, "note", f && f->note ? json_object_new_string(f->note) : NULL);
	if (gs_opts.speedtest)
		json_object_object_add(j, "speedtest", speed ? json_object_get(speed) : NULL);
	json_object_object_add(j, "error", error ? json_object_new_string(error) : NULL);
	json_result_set(j);
}

static void print_text(const struct mirror *m, const struct target_user *u, const struct mirror_files *f)
{
	_cleanup_strbuf_ struct strbuf out = STRBUF_INIT;
	_cleanup_free_ char *whose = gs_opts.system ? xstrdup("every user (system-wide)") : xstrdup(u->name);

	strbuf_init(&out);
	if (gs_opts.revert)
		strbuf_addf(&out, "%sthe pip and conda files of %s as they were before gpu-setup:\n",
			    gs_opts.dry_run ? "dry run: would put back " : "put back ", whose);
	else
		strbuf_addf(&out, "%spip and conda for %s: %s, %s\n", gs_opts.dry_run ? "dry run, nothing changed: " : "",
			    whose, m->name, m->title);
	mirror_files_describe(f, gs_opts.dry_run, &out);
	fputs(out.buf, stdout);
}

int cmd_mirror(int argc, char **argv)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *name = argc > 0 ? argv[0] : NULL;
	struct mirror_table table = { 0 };
	struct target_user user = { 0 };
	struct mirror_files files = { 0 };
	struct json_object *speed = NULL;
	const struct mirror *m = NULL;
	int code, r;

	code = check_usage(name);
	if (code != EXIT_OK)
		return code;
	strbuf_init(&err);
	r = mirror_table_load(gs_compat_dir(), &table, &err);
	if (r < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	if (!gs_opts.revert && !gs_opts.speedtest) {
		m = mirror_find(&table, name ? name : MIRROR_DEFAULT);
		if (!m) {
			strbuf_reset(&err);
			mirror_table_names(&table, &err);
			log_error("'%s' is not a mirror gpu-setup knows: give one of %s", name ? name : MIRROR_DEFAULT,
				  err.buf);
			mirror_table_free(&table);
			return EXIT_USAGE;
		}
	}
	if (!gs_opts.system) {
		code = job_user_resolve(gs_opts.user, &user);
		if (code != EXIT_OK) {
			mirror_table_free(&table);
			return code;
		}
	}
	/* Only root acts for another user (as_user_call says the same; asked
	 * here so a measurement is not wasted first). */
	if (!gs_opts.system && geteuid() != 0 && geteuid() != user.uid) {
		log_error("setting up the mirror for %s (uid %u) needs root: run 'sudo gpu-setup mirror --user %s'",
			  user.name, (unsigned)user.uid, user.name);
		target_user_free(&user);
		mirror_table_free(&table);
		return EXIT_NEEDS_ROOT;
	}
	if (gs_opts.speedtest) {
		m = speedtest(&table, &speed);
		if (!m) {
			strbuf_reset(&err);
			strbuf_adds(&err, "no mirror answered: nothing changed; check the network (or the proxy in "
					  "https_proxy), or name a mirror");
			code = EXIT_FAILED;
			goto out;
		}
	}

	strbuf_reset(&err);
	r = gs_opts.revert ? mirror_revert_files(&user, gs_opts.system, gs_opts.dry_run, &files, &err)
			   : mirror_apply_files(m, &user, gs_opts.system, gs_opts.dry_run, &files, &err);
	if (r < 0)
		code = EXIT_FAILED;
	else if (!gs_opts.json)
		print_text(m, &user, &files);

out:
	if (code != EXIT_OK)
		log_error("%s", err.buf);
	if (gs_opts.json)
		print_json(m, gs_opts.system ? NULL : &user, code == EXIT_OK ? &files : NULL, speed,
			   code == EXIT_OK ? NULL : err.buf);
	json_object_put(speed);
	mirror_files_free(&files);
	target_user_free(&user);
	mirror_table_free(&table);
	return code;
}
