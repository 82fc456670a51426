/*
 * fuzz-compat-tables.c - libFuzzer target over the compat table loader.
 * The first input byte picks one of the shipped tables; the rest replaces
 * that table in a scratch copy of compat/ (the others stay real, so the
 * cross-table checks run too), and the whole set is loaded.  A refusal is
 * fine; a crash, a leak or a sanitizer report is a finding.  Data that
 * loads is also resolved once, since the resolver trusts what the loader
 * accepted.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "compat.h"
#include "resolve.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const tables[] = {
	"gpus.tsv", "gpu-ranges.tsv", "archs.tsv", "branches.tsv", "cuda.tsv", "cudnn.tsv",
	"pytorch.tsv", "tensorflow.tsv", "distros.tsv", "distro-drivers.tsv",
};

static char dir[] = "/tmp/gs-fuzz-compat-XXXXXX";

static void setup(void)
{
	/* The shipped tables alone: no overlay `gpu-setup update` left here. */
	setenv("GPU_SETUP_COMPAT_OVERLAY", "", 1);
	if (!mkdtemp(dir))
		abort();
	for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
		char *src = xasprintf("%s/compat/%s", ABS_TOP_SRCDIR, tables[i]);
		char *dst = xasprintf("%s/%s", dir, tables[i]);

		if (symlink(src, dst) < 0)
			abort();
		free(src);
		free(dst);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct strbuf err = STRBUF_INIT;
	struct compat_db *db;
	const char *name;
	char *path, *real;
	FILE *f;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	name = tables[data[0] % ELEMENTSOF(tables)];
	path = xasprintf("%s/%s", dir, name);
	real = xasprintf("%s/compat/%s", ABS_TOP_SRCDIR, name);
	unlink(path);
	f = fopen(path, "we");
	if (!f || fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	strbuf_init(&err);
	if (compat_db_load(dir, &db, &err) == 0) {
		struct resolve_gpu gpu = { .label = "fuzz", .device_id = 0x2204, .arch = "Ampere", .cc = 86 };
		struct resolve_request req = { .gpus = &gpu, .ngpus = 1, .framework = FW_PYTORCH };
		struct resolve_result res;

		resolve(db, &req, &res);
		resolve_result_free(&res);
		compat_db_free(db);
	}
	strbuf_release(&err);
	unlink(path);
	if (symlink(real, path) < 0)
		abort();
	free(path);
	free(real);
	return 0;
}
