/*
 * doctor-checks.h - looking up and asserting doctor checks in the unit
 * tests of the check groups (test-doctor-*.c).
 */
#ifndef GS_TEST_DOCTOR_CHECKS_H
#define GS_TEST_DOCTOR_CHECKS_H

#include "doctor.h"
#include "tap.h"
#include "util.h"

/* The first check id about subject: NULL matches any subject, "" only a
 * check without one. */
static inline const struct doctor_check *find(const struct doctor_report *rep, const char *id,
					      const char *subject)
{
	for (size_t i = 0; i < rep->nchecks; i++) {
		const struct doctor_check *c = &rep->checks[i];

		if (!streq(c->id, id))
			continue;
		if (!subject || (!*subject && !c->subject) || (*subject && c->subject && streq(c->subject, subject)))
			return c;
	}
	return NULL;
}

static inline size_t count_id(const struct doctor_report *rep, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->nchecks; i++)
		n += streq(rep->checks[i].id, id);
	return n;
}

/* One TAP line: check id [subject] has status, its evidence holds words
 * and its fix fix_words (either may be NULL), an ok check has no fix and
 * a warning or failure has one.  Prints what there is when not. */
static inline void expect(const struct doctor_report *rep, const char *id, const char *subject,
			  enum doctor_status status, const char *words, const char *fix_words, const char *desc)
{
	const struct doctor_check *c = find(rep, id, subject);
	bool good = c && c->status == status && (!words || strstr(c->evidence, words)) &&
		    (!fix_words || (c->fix && strstr(c->fix, fix_words))) && (status != DOCTOR_OK || !c->fix) &&
		    (status == DOCTOR_OK || status == DOCTOR_SKIP || c->fix);

	if (ok(good, "%s: %s is %s", desc, id, doctor_status_name(status)))
		return;
	if (c)
		printf("# got %s: %s\n#   fix: %s\n", doctor_status_name(c->status), c->evidence,
		       c->fix ? c->fix : "(none)");
	else
		printf("# no check %s [%s]\n", id, subject ? subject : "any");
	for (size_t i = 0; !c && i < rep->nchecks; i++)
		if (streq(rep->checks[i].id, id))
			printf("#   there is [%s] %s: %s\n", rep->checks[i].subject ? rep->checks[i].subject : "",
			       doctor_status_name(rep->checks[i].status), rep->checks[i].evidence);
}

#endif
