/* Unit tests: the GPU tables shipped in compat/ and the device-ID range
 * lookup, including consistency between the two tables. */
#include "config.h"

#include <errno.h>

#include "gpus.h"
#include "tap.h"
#include "util.h"

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

int main(void)
{
	const char *dir = getenv("top_srcdir");
	_cleanup_free_ char *compat = xasprintf("%s/compat", dir ? dir : ".");
	struct strbuf err = STRBUF_INIT;
	struct gpu_db *db = NULL;
	struct gpu_info gi;
	const struct gpu_range *rg;

	if (!ok(gpu_db_load(compat, &db, &err) == 0, "shipped compat tables load and validate"))
		printf("# %s\n", err.buf);
	if (!db)
		return done_testing();

	ok(gpu_db_lookup(db, 0x2204, &gi) == 0 && !gi.inferred && streq(gi.name, "GeForce RTX 3090") &&
		   gi.cc == 86 && gi.board_w == 350,
	   "RTX 3090 comes from the table");
	ok(gpu_db_lookup(db, 0x102d, &gi) == 0 && gi.per_board == 2 && gi.cc == 37,
	   "Tesla K80 has two GPUs per board and cc 3.7");
	ok(gpu_db_lookup(db, 0x2d04, &gi) == 0 && gi.inferred && streq(gi.arch, "Blackwell") &&
		   gi.cc == 120 && gi.name == NULL && gi.board_w == 0,
	   "an unlisted RTX 50 ID is inferred as Blackwell 12.0 with no invented power");
	ok(gpu_db_lookup(db, 0x2520, &gi) == 0 && gi.inferred && streq(gi.chip, "GA106") && gi.cc == 86,
	   "a laptop GA106 ID falls in the GA106 range");
	ok(gpu_db_lookup(db, 0x2332, &gi) == 0 && gi.inferred && streq(gi.arch, "Hopper"),
	   "an unlisted GH100 ID is Hopper");
	is_int(gpu_db_lookup(db, 0x0a20, &gi), -ENOENT, "an ID outside every range is unknown");
	ok((rg = gpu_db_find_range(db, 0x0fc0)) && streq(rg->chip, "GK107"), "first ID of a range");
	ok((rg = gpu_db_find_range(db, 0x0fff)) && streq(rg->chip, "GK107"), "last ID of a range");
	ok(gpu_db_find_range(db, 0x1040) == NULL, "the gap after a range is not covered");
	ok((rg = gpu_db_find_range(db, 0x2fff)) && streq(rg->arch, "Blackwell"), "top of the table");

	/* Every listed GPU must agree with the range its ID falls in, if any
	 * (B200 has none): a typo in either table shows up here. */
	{
		int bad = 0;
		for (unsigned id = 0; id <= 0xffff; id++) {
			struct gpu_info g;
			if (gpu_db_lookup(db, id, &g) < 0 || g.inferred)
				continue;
			rg = gpu_db_find_range(db, id);
			if (rg && !streq(rg->arch, g.arch)) {
				printf("# %04x: table says %s, range says %s\n", id, g.arch, rg->arch);
				bad++;
			}
		}
		is_int(bad, 0, "every listed GPU's architecture matches its device-ID range");
	}
	gpu_db_free(db);

	{
		char tmp[] = "/tmp/gs-gpudb-XXXXXX";
		_cleanup_free_ char *g = NULL, *r = NULL;
		if (mkdtemp(tmp)) {
			g = xasprintf("%s/gpus.tsv", tmp);
			r = xasprintf("%s/gpu-ranges.tsv", tmp);
			put(g, "device\tname\tchip\tarch\tcc\tboard_w\tpower_src\tpsu_w\tmem_gib\tper_board\n"
			      "2204\tX\tGA102\tAmpere\t8.6\t350\tspec\t750\t24\t1\n"
			      "2203\tY\tGA102\tAmpere\t8.6\t450\tspec\t850\t24\t1\n");
			put(r, "first\tlast\tchip\tarch\tcc\n2200\t223f\tGA102\tAmpere\t8.6\n");
			strbuf_reset(&err);
			ok(gpu_db_load(tmp, &db, &err) == -EINVAL && strstr(err.buf, "gpus.tsv:3: device IDs must be sorted"),
			   "unsorted device IDs are reported with file and line");
			put(g, "device\tname\tchip\tarch\tcc\tboard_w\tpower_src\tpsu_w\tmem_gib\tper_board\n"
			      "2204\tX\tGA102\tAmpere\t8.6\t350\t-\t750\t24\t1\n");
			strbuf_reset(&err);
			ok(gpu_db_load(tmp, &db, &err) == -EINVAL && strstr(err.buf, "power_src"),
			   "a power figure without its source is refused");
			put(g, "device\tname\tchip\tarch\tcc\tboard_w\tpower_src\tpsu_w\tmem_gib\tper_board\n"
			      "2204\tX\tGA102\tAmpre\t8.6\t350\tspec\t750\t24\t1\n");
			strbuf_reset(&err);
			ok(gpu_db_load(tmp, &db, &err) == -EINVAL && strstr(err.buf, "gpus.tsv:2: column 'arch'"),
			   "a misspelt architecture is refused");
			put(g, "device\tname\tchip\tarch\tcc\tboard_w\tpower_src\tpsu_w\tmem_gib\tper_board\n");
			put(r, "first\tlast\tchip\tarch\tcc\n2200\t223f\tGA102\tAmpere\t8.6\n2230\t22ff\tX\tAmpere\t8.6\n");
			strbuf_reset(&err);
			ok(gpu_db_load(tmp, &db, &err) == -EINVAL && strstr(err.buf, "gpu-ranges.tsv:3: ranges must be sorted and must not overlap"),
			   "overlapping ranges are refused");
			unlink(g);
			unlink(r);
			rmdir(tmp);
		}
	}
	strbuf_release(&err);
	return done_testing();
}
