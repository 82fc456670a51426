/* Unit tests: dotted numeric versions. */
#include "config.h"

#include "tap.h"
#include "version.h"

static int cmp(const char *a, const char *b)
{
	struct version x, y;

	if (version_parse(a, &x) < 0 || version_parse(b, &y) < 0)
		return 99;
	return version_cmp(&x, &y);
}

static int matches(const char *v, const char *prefix)
{
	struct version x, y;

	return version_parse(v, &x) == 0 && version_parse(prefix, &y) == 0 && version_matches(&x, &y);
}

int main(void)
{
	struct version v;
	static const char *const bad[] = { "", ".", "1.", ".1", "1..2", "a", "1.2a", "-1", "1.2.3.4.5",
					   "1234567", " 1", "1 ", "1,2" };

	is_int(cmp("580", "1000"), -1, "580 < 1000 (numeric, not string order)");
	is_int(cmp("3.9", "3.10"), -1, "3.9 < 3.10");
	is_int(cmp("580.95.05", "580.95.5"), 0, "leading zeros do not count");
	is_int(cmp("12.8", "12.8.0"), 0, "a missing part is 0");
	is_int(cmp("570.124.06", "570.26"), 1, "570.124.06 > 570.26");
	is_int(cmp("13.0.2", "12.9.1"), 1, "13.0.2 > 12.9.1");
	ok(matches("2.7.1", "2.7") && matches("2.7", "2.7"), "2.7 matches 2.7.1 and itself");
	ok(!matches("2.70", "2.7") && !matches("2.8", "2.7") && !matches("2", "2.7"),
	   "2.7 matches neither 2.70, 2.8 nor 2");
	ok(version_parse("1.2.3.4", &v) == 0 && v.nparts == 4 && v.part[3] == 4, "four parts parse");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(version_parse(bad[i], &v) < 0, "'%s' is not a version", bad[i]);
	is_int(version_key2(&(struct version){ 2, { 12, 8 } }), 1208, "12.8 keys as 1208");
	return done_testing();
}
