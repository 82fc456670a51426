/*
 * doctor.c - the doctor's report: the list of checks, and its text and
 * JSON forms.  The checks themselves are in doctor-*.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>

#include "doctor.h"
#include "doctor-toolkit.h"
#include "util.h"

static const char *const status_names[] = {
	[DOCTOR_OK] = "ok",
	[DOCTOR_WARN] = "warn",
	[DOCTOR_FAIL] = "fail",
	[DOCTOR_SKIP] = "skip",
};

const char *doctor_status_name(enum doctor_status s)
{
	return status_names[s];
}

struct doctor_check *doctor_add(struct doctor_report *rep, const char *id, enum doctor_status status,
				const char *evidence_fmt, ...)
{
	struct doctor_check *c;
	va_list ap;

	if (rep->nchecks == rep->alloc) {
		rep->alloc = rep->alloc ? rep->alloc * 2 : 32;
		rep->checks = xrealloc(rep->checks, rep->alloc * sizeof(*rep->checks));
	}
	c = &rep->checks[rep->nchecks++];
	memset(c, 0, sizeof(*c));
	c->id = xstrdup(id);
	c->status = status;
	va_start(ap, evidence_fmt);
	c->evidence = xvasprintf(evidence_fmt, ap);
	va_end(ap);
	return c;
}

void doctor_set_fix(struct doctor_check *c, const char *fmt, ...)
{
	va_list ap;

	free(c->fix);
	va_start(ap, fmt);
	c->fix = xvasprintf(fmt, ap);
	va_end(ap);
}

void doctor_set_subject(struct doctor_check *c, const char *subject)
{
	free(c->subject);
	c->subject = subject ? xstrdup(subject) : NULL;
}

void doctor_report_free(struct doctor_report *rep)
{
	for (size_t i = 0; i < rep->nchecks; i++) {
		free(rep->checks[i].id);
		free(rep->checks[i].subject);
		free(rep->checks[i].evidence);
		free(rep->checks[i].fix);
	}
	free(rep->checks);
	memset(rep, 0, sizeof(*rep));
}

void doctor_ctx_release(struct doctor_ctx *ctx)
{
	free(ctx->driver_version);
	ctx->driver_version = NULL;
	free(ctx->kernel);
	ctx->kernel = NULL;
	free(ctx->kernel_module);
	ctx->kernel_module = NULL;
	if (ctx->toolkits) {
		doctor_toolkits_free(ctx->toolkits);
		free(ctx->toolkits);
		ctx->toolkits = NULL;
	}
}

bool doctor_needs_root(int r)
{
	return r == -EACCES || r == -EPERM;
}

size_t doctor_count(const struct doctor_report *rep, enum doctor_status s)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nchecks; i++)
		n += rep->checks[i].status == s;
	return n;
}

/* Print text indented under the check, wrapped nowhere: a terminal wraps
 * and a pipe wants whole lines. */
static void print_indented(FILE *out, const char *label, const char *text)
{
	fprintf(out, "      %s%s\n", label, text);
}

void doctor_print_text(const struct doctor_report *rep, FILE *out)
{
	static const char *const tags[] = {
		[DOCTOR_OK] = "ok  ", [DOCTOR_WARN] = "WARN", [DOCTOR_FAIL] = "FAIL", [DOCTOR_SKIP] = "skip",
	};

	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct doctor_check *c = &rep->checks[i];

		if (c->subject)
			fprintf(out, "%s  %s [%s]\n", tags[c->status], c->id, c->subject);
		else
			fprintf(out, "%s  %s\n", tags[c->status], c->id);
		print_indented(out, "", c->evidence);
		if (c->fix)
			print_indented(out, "fix: ", c->fix);
	}
	size_t nwarn = doctor_count(rep, DOCTOR_WARN);

	fprintf(out, "\n%zu check%s: %zu ok, %zu warning%s, %zu failed, %zu skipped\n", rep->nchecks,
		rep->nchecks == 1 ? "" : "s", doctor_count(rep, DOCTOR_OK), nwarn, nwarn == 1 ? "" : "s",
		doctor_count(rep, DOCTOR_FAIL), doctor_count(rep, DOCTOR_SKIP));
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

struct json_object *doctor_to_json(const struct doctor_report *rep, int exit_status)
{
	struct json_object *root = json_object_new_object(), *checks = json_object_new_array(),
			   *summary = json_object_new_object();

	json_object_object_add(root, "schema_version", json_object_new_int(DOCTOR_SCHEMA_VERSION));
	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct doctor_check *c = &rep->checks[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(c->id));
		json_object_object_add(o, "subject", str_or_null(c->subject));
		json_object_object_add(o, "status", json_object_new_string(doctor_status_name(c->status)));
		json_object_object_add(o, "evidence", json_object_new_string(c->evidence));
		json_object_object_add(o, "fix", str_or_null(c->fix));
		json_object_array_add(checks, o);
	}
	json_object_object_add(root, "checks", checks);
	for (int s = DOCTOR_OK; s <= DOCTOR_SKIP; s++)
		json_object_object_add(summary, status_names[s],
				       json_object_new_int64((int64_t)doctor_count(rep, (enum doctor_status)s)));
	json_object_object_add(root, "summary", summary);
	/* The exit code itself is the envelope's exit_code (json-result.h). */
	json_object_object_add(root, "result", json_object_new_string(exit_status == 0 ? "passed" : "failed"));
	return root;
}
