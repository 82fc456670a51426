/*
 * install-preflight.c - see install-preflight.h.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "cuda-install.h"
#include "install-preflight.h"
#include "offline-check.h"
#include "resolve.h"
#include "sysroot.h"
#include "util.h"

static const char *human(uint64_t bytes, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f GiB", (double)bytes / (double)(1ull << 30));
	return buf;
}

size_t preflight_space(const struct space_need *needs, size_t n, struct strbuf *report)
{
	struct fs { dev_t dev; uint64_t need, avail; char *where; struct strbuf what; } fs[8];
	size_t nfs = 0, short_of_room = 0;

	for (size_t i = 0; i < n && nfs < ELEMENTSOF(fs); i++) {
		unsigned long long avail;
		bool noexec;
		dev_t dev;
		size_t k;
		/* The nearest existing directory at or above the path, its
		 * links resolved inside the root (cuda-install.h). */
		int r = target_fs_space(needs[i].path, &avail, &noexec, &dev);

		if (r < 0) {
			strbuf_addf(report, "cannot measure the free space at '%s%s': %s\n", sysroot_get(),
				    needs[i].path, strerror(-r));
			short_of_room++;
			continue;
		}
		for (k = 0; k < nfs; k++)
			if (fs[k].dev == dev)
				break;
		if (k == nfs) {
			fs[k].dev = dev;
			fs[k].need = 0;
			fs[k].avail = avail;
			fs[k].where = xstrdup(needs[i].path);
			strbuf_init(&fs[k].what);
			nfs++;
		}
		fs[k].need += needs[i].bytes;
		strbuf_addf(&fs[k].what, "%s%s", fs[k].what.len ? ", " : "", needs[i].what);
	}
	for (size_t k = 0; k < nfs; k++) {
		char a[32], b[32];

		if (fs[k].avail < fs[k].need) {
			strbuf_addf(report, "%s has %s free where %s needs about %s\n", fs[k].where,
				    human(fs[k].avail, a, sizeof(a)), fs[k].what.buf, human(fs[k].need, b, sizeof(b)));
			short_of_room++;
		}
		free(fs[k].where);
		strbuf_release(&fs[k].what);
	}
	return short_of_room;
}

static bool pending(const struct plan *plan, enum step_id id)
{
	for (size_t i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].id == id)
			return !plan->steps[i].done;
	return false;
}

size_t preflight_space_needs(const struct plan *plan, const char *conda_prefix, struct space_need *needs)
{
	size_t n = 0;

	if (pending(plan, STEP_ID_CUDA))
		needs[n++] = (struct space_need){ "/usr/local", PREFLIGHT_CUDA_BYTES, "the CUDA toolkit" };
	if (pending(plan, STEP_ID_CUDNN))
		needs[n++] = (struct space_need){ "/usr/local", PREFLIGHT_CUDNN_BYTES, "cuDNN" };
	if (pending(plan, STEP_ID_MINICONDA))
		needs[n++] = (struct space_need){ conda_prefix, PREFLIGHT_MINICONDA_BYTES, "Miniconda" };
	if (pending(plan, STEP_ID_FRAMEWORK))
		needs[n++] = (struct space_need){ conda_prefix, PREFLIGHT_FRAMEWORK_BYTES,
						  "the framework environment" };
	return n;
}

size_t preflight_offline_needs(const struct plan *plan, const struct resolve_result *res,
			       const struct miniconda_release *mc, const char *wheel_prefix,
			       struct offline_need *needs)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->nsteps; i++) {
		const struct plan_step *s = &plan->steps[i];

		if (s->done)
			continue;
		if (s->id == STEP_ID_DRIVER)
			needs[n++] = (struct offline_need){ CACHE_DEB, NULL, NULL, "the driver's packages" };
		else if (s->id == STEP_ID_CUDA && res->cuda)
			needs[n++] = (struct offline_need){ CACHE_RUNFILE, res->cuda->runfile, NULL, "the CUDA runfile" };
		else if (s->id == STEP_ID_CUDNN && res->cudnn)
			needs[n++] = (struct offline_need){ CACHE_CUDNN, res->cudnn->archive, NULL, "the cuDNN archive" };
		else if (s->id == STEP_ID_MINICONDA && mc)
			needs[n++] = (struct offline_need){ CACHE_MINICONDA, mc->name, NULL, "the Miniconda installer" };
		else if (s->id == STEP_ID_FRAMEWORK && wheel_prefix)
			needs[n++] = (struct offline_need){ CACHE_WHEEL, NULL, wheel_prefix, "the framework's wheels" };
	}
	return n;
}
