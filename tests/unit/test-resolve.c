/*
 * Table-driven resolver tests: every case in tests/fixtures/resolve-cases.tsv
 * is resolved against the real compat/ tables and its expectations checked,
 * one TAP line per case.
 */
#include "config.h"

#include <errno.h>

#include "compat.h"
#include "resolve.h"
#include "table.h"
#include "tap.h"
#include "util.h"

static const char *const columns[] = { "name", "gpus", "distro", "installed", "framework", "cuda",
				       "driver", "cudnn", "python", "expect" };

static const char *opt(const char *cell)
{
	return table_cell_unknown(cell) ? NULL : cell;
}

static void actual(const struct resolve_result *r, const char *key, char *buf, size_t size)
{
	const struct fw_build *b = r->build;

	buf[0] = '\0';
	if (streq(key, "driver"))
		snprintf(buf, size, "%u", r->branch);
	else if (streq(key, "flavour"))
		snprintf(buf, size, "%s", flavour_name(r->flavour));
	else if (streq(key, "keep"))
		snprintf(buf, size, "%s", r->keep_installed ? "yes" : "no");
	else if (streq(key, "pkg"))
		snprintf(buf, size, "%s", r->package ? r->package->packages : "-");
	else if (streq(key, "cuda"))
		snprintf(buf, size, "%s", r->cuda ? r->cuda->version : "-");
	else if (streq(key, "override"))
		snprintf(buf, size, "%s", r->gcc_override ? "yes" : "no");
	else if (streq(key, "cudnn"))
		snprintf(buf, size, "%s", r->cudnn ? r->cudnn->version : "-");
	else if (streq(key, "build") && b)
		snprintf(buf, size, "%s-%s%s%s", framework_name(b->fw), b->version, b->variant ? "-" : "",
			 b->variant ? b->variant : "");
	else if (streq(key, "build"))
		snprintf(buf, size, "-");
	else if (streq(key, "python"))
		snprintf(buf, size, "%s", r->python[0] ? r->python : "-");
}

static bool notes_contain(const struct resolve_note *n, size_t count, const char *needle)
{
	for (size_t i = 0; i < count; i++)
		if (strstr(n[i].text, needle))
			return true;
	return false;
}

static void dump(const struct resolve_result *r)
{
	static const char *const keys[] = { "driver", "flavour", "keep", "pkg", "cuda", "override",
					    "cudnn", "build", "python" };
	char buf[128];

	if (r->ok)
		for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
			actual(r, keys[i], buf, sizeof(buf));
			printf("#   %s=%s\n", keys[i], buf);
		}
	for (size_t i = 0; i < r->nwhy; i++)
		printf("#   why: %s\n", r->why[i].text);
	for (size_t i = 0; i < r->nconflicts; i++)
		printf("#   conflict: %s\n", r->conflicts[i].text);
	for (size_t i = 0; i < r->nfixes; i++)
		printf("#   fix: %s\n", r->fixes[i].text);
}

/* Check one expectation; on mismatch write why into msg. */
static bool check(const struct resolve_result *r, char *item, struct strbuf *msg)
{
	char *eq = strchr(item, '='), got[128];
	const char *key = item, *want;

	if (!eq) {
		strbuf_addf(msg, "bad expectation '%s'; ", item);
		return false;
	}
	*eq = '\0';
	want = eq + 1;
	if (streq(key, "conflict") || streq(key, "fix") || streq(key, "why")) {
		bool found = streq(key, "conflict") ? notes_contain(r->conflicts, r->nconflicts, want)
			     : streq(key, "fix")    ? notes_contain(r->fixes, r->nfixes, want)
						    : notes_contain(r->why, r->nwhy, want);
		if (!found)
			strbuf_addf(msg, "no %s containing '%s'; ", key, want);
		return found;
	}
	actual(r, key, got, sizeof(got));
	if (!got[0]) {
		strbuf_addf(msg, "unknown key '%s'; ", key);
		return false;
	}
	if (!streq(got, want)) {
		strbuf_addf(msg, "%s is %s, want %s; ", key, got, want);
		return false;
	}
	return true;
}

static void run_case(const struct compat_db *db, const struct table_row *row)
{
	char **c = row->cells;
	struct resolve_gpu gpus[8];
	char labels[8][96];
	struct resolve_request req = { 0 };
	struct resolve_result res;
	_cleanup_free_ char **ids = NULL, **expect = NULL;
	_cleanup_free_ char *fw = xstrdup(c[4]), *installed = NULL;
	_cleanup_strbuf_ struct strbuf msg = STRBUF_INIT, err = STRBUF_INIT;
	size_t nids = 0, nexpect = 0;
	bool pass = true, want_conflict;
	char *eq, *colon;

	strbuf_init(&msg);
	strbuf_init(&err);
	if (!table_cell_unknown(c[1]) && table_split_list(c[1], &ids, &nids) < 0)
		nids = 0;
	for (size_t i = 0; i < nids && i < ELEMENTSOF(gpus); i++) {
		struct gpu_info g;
		unsigned id = (unsigned)strtoul(ids[i], NULL, 16);
		bool known = gpu_db_lookup(db->gpus, id, &g) == 0;

		if (known && g.name)
			snprintf(labels[i], sizeof(labels[i]), "%s [10de:%04x]", g.name, id);
		else
			snprintf(labels[i], sizeof(labels[i]), "10de:%04x", id);
		gpus[i] = (struct resolve_gpu){ .label = labels[i], .device_id = id,
						.arch = known ? g.arch : NULL, .cc = known ? g.cc : 0 };
	}
	req.gpus = gpus;
	req.ngpus = nids;
	req.distro = opt(c[2]);
	if (opt(c[3])) {
		installed = xstrdup(c[3]);
		colon = strchr(installed, ':');
		req.installed_flavour = FLAVOUR_UNKNOWN;
		if (colon) {
			*colon++ = '\0';
			req.installed_flavour = streq(colon, "open") ? FLAVOUR_OPEN : FLAVOUR_PROPRIETARY;
		}
		req.installed_driver = installed;
	}
	eq = strchr(fw, '=');
	if (eq) {
		*eq = '\0';
		req.framework_version = eq + 1;
	}
	req.framework = streq(fw, "pytorch") ? FW_PYTORCH : streq(fw, "tensorflow") ? FW_TENSORFLOW : FW_NONE;
	req.cuda = opt(c[5]);
	req.driver_branch = opt(c[6]) ? (unsigned)atoi(c[6]) : 0;
	req.cudnn = opt(c[7]);
	req.python = opt(c[8]);
	if (resolve_check_request(db, &req, &err) < 0) {
		ok(0, "%s: request rejected: %s", c[0], err.buf);
		return;
	}
	resolve(db, &req, &res);
	want_conflict = strstr(c[9], "conflict=") != NULL;
	if (res.ok == want_conflict) {
		strbuf_addf(&msg, "%s; ", res.ok ? "resolved, but a conflict was expected" : "no combination fitted");
		pass = false;
	}
	/* '|' separates expectations: split a copy. */
	{
		_cleanup_free_ char *copy = xstrdup(c[9]);

		for (char *p = copy; p; ) {
			char *bar = strchr(p, '|');

			if (bar)
				*bar = '\0';
			expect = xrealloc(expect, (nexpect + 1) * sizeof(char *));
			expect[nexpect++] = xstrdup(p);
			p = bar ? bar + 1 : NULL;
		}
	}
	for (size_t i = 0; i < nexpect; i++) {
		/* Field checks mean nothing when the outcome is wrong. */
		if (res.ok != want_conflict)
			pass &= check(&res, expect[i], &msg);
		free(expect[i]);
	}
	if (!ok(pass, "%s", c[0])) {
		printf("# %s\n", msg.buf);
		dump(&res);
	}
	resolve_result_free(&res);
}

/* No default plan takes a new-feature branch where an LTS or production
 * one fits: for representative GPUs of every architecture, on every
 * distribution and none, for each framework, a new-feature choice is
 * checked against asking for each LTS or production branch in turn. */
static void no_needless_new_feature(const struct compat_db *db)
{
	static const unsigned ids[] = { 0x102d, 0x13c2, 0x1b80, 0x1db4, 0x1eb8, 0x2204, 0x20b0, 0x2684, 0x2330, 0x2b85 };
	static const enum framework fws[] = { FW_PYTORCH, FW_TENSORFLOW, FW_NONE };
	_cleanup_strbuf_ struct strbuf bad = STRBUF_INIT;
	size_t plans = 0, new_feature = 0;

	strbuf_init(&bad);
	for (size_t g = 0; g < ELEMENTSOF(ids); g++)
		for (size_t d = 0; d <= db->ndistros; d++)
			for (size_t f = 0; f < ELEMENTSOF(fws); f++) {
				struct gpu_info info;
				struct resolve_gpu gpu = { .label = "gpu", .device_id = ids[g] };
				struct resolve_request req = { .gpus = &gpu, .ngpus = 1, .framework = fws[f],
							       .distro = d < db->ndistros ? db->distros[d].id : NULL };
				struct resolve_result res;
				const struct branch_info *bi;

				if (gpu_db_lookup(db->gpus, ids[g], &info) == 0) {
					gpu.arch = info.arch;
					gpu.cc = info.cc;
				}
				resolve(db, &req, &res);
				bi = res.ok ? compat_find_branch(db, res.branch) : NULL;
				plans += res.ok;
				if (bi && bi->type == BRANCH_TYPE_NEW_FEATURE) {
					new_feature++;
					for (size_t b = 0; b < db->nbranches; b++) {
						struct resolve_request alt = req;
						struct resolve_result r2;

						if (!branch_type_preferred(db->branches[b].type))
							continue;
						alt.driver_branch = db->branches[b].branch;
						resolve(db, &alt, &r2);
						if (r2.ok)
							strbuf_addf(&bad, " 10de:%04x/%s/%s took %u, but %u fits;", ids[g],
								    req.distro ? req.distro : "any", framework_name(fws[f]),
								    res.branch, alt.driver_branch);
						resolve_result_free(&r2);
					}
				}
				resolve_result_free(&res);
			}
	if (!ok(bad.len == 0 && plans > 100, "no default plan takes a new-feature branch where an LTS or production one fits "
		"(%zu plans, %zu on a new-feature branch)", plans, new_feature))
		printf("#%s\n", bad.buf);
}

int main(void)
{
	const char *srcdir = getenv("top_srcdir");
	_cleanup_free_ char *compat = xasprintf("%s/compat", srcdir ? srcdir : ABS_TOP_SRCDIR);
	_cleanup_free_ char *cases = xasprintf("%s/tests/fixtures/resolve-cases.tsv", srcdir ? srcdir : ABS_TOP_SRCDIR);
	struct strbuf err = STRBUF_INIT;
	struct compat_db *db;
	struct table t;
	struct version a, b;

	strbuf_init(&err);
	if (!ok(compat_db_load(compat, &db, &err) == 0, "the shipped compat tables load") ||
	    !ok(table_load(cases, columns, ELEMENTSOF(columns), &t, &err) == 0, "the case table loads")) {
		printf("# %s\n", err.buf);
		return done_testing();
	}
	ok(t.nrows >= 40, "at least 40 cases (%zu)", t.nrows);
	for (size_t i = 0; i < t.nrows; i++)
		run_case(db, &t.rows[i]);
	no_needless_new_feature(db);

	/* Branches compare as numbers, not strings. */
	version_parse("580", &a);
	version_parse("1000", &b);
	ok(branch_meets(1000, &a) && !branch_meets(580, &b), "branch 1000 meets a 580 minimum, 580 not 1000");

	table_free(&t);
	compat_db_free(db);
	strbuf_release(&err);
	return done_testing();
}
