/*
 * doctor-data.c - check group "data": whether gpu-setup's own knowledge
 * (the CUDA, cuDNN, PyTorch and driver tables it chooses from) is recent
 * enough to know today's releases.
 */
#include "config.h"

#include <limits.h>
#include <time.h>

#include "doctor.h"
#include "util.h"

/* Data older than this likely misses a CUDA, cuDNN, PyTorch or driver
 * release: upstream ships one of them about every month. */
#define DATA_MAX_AGE_DAYS 90

/* Days from date (YYYY-MM-DD, UTC) to now, negative when it lies ahead;
 * LONG_MIN when it does not parse. */
static long days_since(const char *date, time_t now)
{
	struct tm tm = { 0 };
	const char *end = strptime(date, "%Y-%m-%d", &tm);
	time_t then;

	if (!end || *end)
		return LONG_MIN;
	then = timegm(&tm);
	return then == (time_t)-1 ? LONG_MIN : (long)((now - then) / 86400);
}

void doctor_check_data(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	struct doctor_check *c;
	const char *date;
	bool from_update;
	long age;

	if (!ctx->db) {
		doctor_add(rep, "data.age", DOCTOR_SKIP, "no compat data loaded");
		return;
	}
	date = compat_data_date(ctx->db, &from_update);
	if (!date || (age = days_since(date, today_utc())) == LONG_MIN) {
		doctor_add(rep, "data.age", DOCTOR_SKIP, "no compat table says when it was last reviewed");
		return;
	}
	if (age < 0) {
		c = doctor_add(rep, "data.age", DOCTOR_WARN, "the compatibility data was checked against upstream on %s, "
			       "%ld days after today by this machine's clock", date, -age);
		doctor_set_fix(c, "set the clock ('date' shows what this machine takes for today): a wrong date also breaks TLS downloads");
		return;
	}
	if (age <= DATA_MAX_AGE_DAYS) {
		doctor_add(rep, "data.age", DOCTOR_OK, "the compatibility data was last checked against upstream on %s "
			   "(%ld day%s ago%s)", date, age, age == 1 ? "" : "s",
			   from_update ? ", by gpu-setup update" : ", as shipped");
		return;
	}
	c = doctor_add(rep, "data.age", DOCTOR_WARN, "the compatibility data was last checked against upstream on %s, "
		       "%ld days ago%s: CUDA, cuDNN, PyTorch and driver releases since then are unknown to gpu-setup, "
		       "which then chooses older ones", date, age, from_update ? " (by gpu-setup update)" : " (as shipped)");
	doctor_set_fix(c, "sudo gpu-setup update  (reads NVIDIA's and PyTorch's published lists; 'gpu-setup update "
		       "--dry-run' shows what would change)");
}
