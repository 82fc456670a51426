/*
 * resolve-explain.c - what the resolver says beyond its choice: when
 * nothing fits, the smallest changes that would fit (the CUDA nearest to
 * --cuda, the branch nearest to --driver, the oldest release of the
 * framework that fits, then each user constraint and each GPU dropped in
 * turn); when it fits, the GPUs that hold the others back.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>

#include "resolve-internal.h"
#include "resolve.h"
#include "util.h"

static void summarize(const struct resolve_result *r, struct strbuf *sb)
{
	char name[64];

	strbuf_addf(sb, "driver %u, CUDA %s", r->branch, r->cuda->version);
	if (r->build) {
		resolve_build_name(r->build, name, sizeof(name));
		strbuf_addf(sb, ", %s", name);
	}
	if (r->python[0])
		strbuf_addf(sb, ", Python %s", r->python);
}

/* Try the changed request alt; when it fits, add a fix line naming the
 * change and the choice it gives. */
static void try_fix(const struct compat_db *db, const struct resolve_request *alt, struct resolve_result *res,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void try_fix(const struct compat_db *db, const struct resolve_request *alt, struct resolve_result *res,
		    const char *fmt, ...)
{
	struct resolve_result r;
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (resolve_core(db, alt, &r)) {
		strbuf_init(&sb);
		va_start(ap, fmt);
		strbuf_vaddf(&sb, fmt, ap);
		va_end(ap);
		strbuf_adds(&sb, ": ");
		summarize(&r, &sb);
		resolve_add_note(&res->fixes, &res->nfixes, "fix", "%s", sb.buf);
	}
	resolve_result_free(&r);
}

/* The oldest release of the framework that fits, the newest being what
 * dropping the version gives. */
static void oldest_release_fix(const struct compat_db *db, const struct resolve_request *req,
			       struct resolve_result *res)
{
	struct resolve_request alt = *req;
	const char *last = NULL;

	for (size_t i = 0; i < db->nbuilds; i++) {
		const struct fw_build *b = &db->builds[i];
		struct resolve_result r;
		bool ok;

		if (b->fw != req->framework || (last && streq(last, b->version)))
			continue;
		last = b->version;
		alt.framework_version = b->version;
		ok = resolve_core(db, &alt, &r);
		if (ok) {
			char name[64];

			resolve_build_name(r.build, name, sizeof(name));
			resolve_add_note(&res->fixes, &res->nfixes, "fix", "the oldest %s release that fits is %s (%s): --framework %s=%s",
				 framework_title(req->framework), b->version, name, framework_name(req->framework),
				 b->version);
		}
		resolve_result_free(&r);
		if (ok)
			return;
	}
}

/* One kind of value a constraint takes (a CUDA release series, a driver
 * branch): the i-th of n, its sort key (ascending), and how a request
 * asks for it (the text it shows in the fix). */
struct value_axis {
	size_t n;
	unsigned (*key)(const struct compat_db *db, size_t i);
	/* Set alt to ask for value i, written into buf; false to skip i (the
	 * same value as i - 1). */
	bool (*ask)(const struct compat_db *db, size_t i, struct resolve_request *alt, char *buf, size_t size);
	const char *what;     /* "CUDA", "driver branch" */
	const char *option;   /* "--cuda", "--driver" */
};

/* The value nearest to the asked one (key asked) that fits, as the
 * smallest change before dropping the constraint: "the oldest CUDA that
 * fits is 11.8: --cuda 11.8: driver ..." (oldest or newest when every
 * fitting value lies on one side of it). */
static void nearest_fix(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *res,
			const struct value_axis *ax, unsigned asked)
{
	struct resolve_request alt = *req;
	unsigned best = 0, lo = 0, hi = 0;
	char buf[16], best_buf[16] = "";

	for (size_t i = 0; i < ax->n; i++) {
		unsigned key = ax->key(db, i);
		struct resolve_result r;
		bool ok;

		if (!ax->ask(db, i, &alt, buf, sizeof(buf)))
			continue;
		ok = resolve_core(db, &alt, &r);
		resolve_result_free(&r);
		if (!ok)
			continue;
		if (!lo)
			lo = key;
		hi = key;
		/* Nearest to what was asked; between two as near, the newer. */
		if (!best || (key > asked ? key - asked : asked - key) <= (best > asked ? best - asked : asked - best)) {
			best = key;
			snprintf(best_buf, sizeof(best_buf), "%s", buf);
		}
	}
	if (!best)
		return;
	alt = *req;
	for (size_t i = 0; i < ax->n; i++)
		if (ax->key(db, i) == best && ax->ask(db, i, &alt, buf, sizeof(buf)))
			break;
	try_fix(db, &alt, res, "the %s %s that fits is %s: %s %s",
		asked < lo ? "oldest" : asked > hi ? "newest" : "nearest", ax->what, best_buf, ax->option, best_buf);
}

static unsigned cuda_key(const struct compat_db *db, size_t i)
{
	return version_key2(&db->cudas[i].v);
}

static bool ask_cuda(const struct compat_db *db, size_t i, struct resolve_request *alt, char *buf, size_t size)
{
	const struct cuda_info *t = &db->cudas[i];

	if (i > 0 && cuda_key(db, i - 1) == cuda_key(db, i))
		return false;   /* one try per X.Y */
	snprintf(buf, size, "%u.%u", t->v.part[0], t->v.part[1]);
	alt->cuda = buf;
	return true;
}

static unsigned branch_key(const struct compat_db *db, size_t i)
{
	return db->branches[i].branch;
}

static bool ask_branch(const struct compat_db *db, size_t i, struct resolve_request *alt, char *buf, size_t size)
{
	snprintf(buf, size, "%u", db->branches[i].branch);
	alt->driver_branch = db->branches[i].branch;
	return true;
}

void resolve_explain_fixes(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *res)
{
	struct resolve_request alt;

	/* Drop one constraint at a time. */
	if (req->framework_version) {
		alt = *req;
		alt.framework_version = NULL;
		oldest_release_fix(db, &alt, res);
		try_fix(db, &alt, res, "without the %s version", framework_title(req->framework));
	}
	if (req->cuda) {
		const struct value_axis cuda = { db->ncudas, cuda_key, ask_cuda, "CUDA", "--cuda" };
		struct version want;

		if (version_parse(req->cuda, &want) == 0)
			nearest_fix(db, req, res, &cuda, version_key2(&want));
		alt = *req;
		alt.cuda = NULL;
		try_fix(db, &alt, res, "without --cuda %s", req->cuda);
	}
	if (req->driver_branch) {
		const struct value_axis branch = { db->nbranches, branch_key, ask_branch, "driver branch", "--driver" };

		nearest_fix(db, req, res, &branch, req->driver_branch);
		alt = *req;
		alt.driver_branch = 0;
		try_fix(db, &alt, res, "without --driver %u", req->driver_branch);
	}
	if (req->cudnn) {
		alt = *req;
		alt.cudnn = NULL;
		try_fix(db, &alt, res, "without --cudnn %s", req->cudnn);
	}
	if (req->python) {
		alt = *req;
		alt.python = NULL;
		try_fix(db, &alt, res, "without --python %s", req->python);
	}
	if (req->distro) {
		alt = *req;
		alt.distro = NULL;
		try_fix(db, &alt, res, "with a driver branch %s does not package (NVIDIA's own repository)",
			req->distro);
	}
	if (req->framework != FW_NONE && !req->framework_version) {
		alt = *req;
		alt.framework = FW_NONE;
		try_fix(db, &alt, res, "with --framework none");
	}
	if (req->ngpus > 1) {
		_cleanup_free_ struct resolve_gpu *gpus = xcalloc(req->ngpus, sizeof(*gpus));

		for (size_t skip = 0; skip < req->ngpus; skip++) {
			_cleanup_strbuf_ struct strbuf keep = STRBUF_INIT;
			size_t n = 0;

			strbuf_init(&keep);
			for (size_t i = 0; i < req->ngpus; i++) {
				if (i == skip)
					continue;
				gpus[n++] = req->gpus[i];
				strbuf_addf(&keep, "%s%s", keep.len ? "," : "",
					    req->gpus[i].addr ? req->gpus[i].addr : req->gpus[i].label);
			}
			alt = *req;
			alt.gpus = gpus;
			alt.ngpus = n;
			if (req->gpus[skip].addr)
				try_fix(db, &alt, res, "serving only %s (--gpu-only %s), not %s", keep.buf, keep.buf,
					req->gpus[skip].label);
			else
				try_fix(db, &alt, res, "without %s", req->gpus[skip].label);
		}
	}
}

/* An old GPU can hold a newer one back to an old driver (a K80 keeps an
 * RTX 3090 on 470 and CUDA 11): say what serving the newer ones alone
 * would give. */
void resolve_note_held_back(const struct compat_db *db, const struct resolve_request *req,
			   struct resolve_result *res)
{
	_cleanup_free_ struct resolve_gpu *keep = xcalloc(req->ngpus + 1, sizeof(*keep));
	_cleanup_strbuf_ struct strbuf addrs = STRBUF_INIT, sb = STRBUF_INIT;
	struct resolve_request alt = *req;
	struct resolve_result r;
	size_t n = 0;

	for (size_t i = 0; i < req->ngpus; i++) {
		const struct arch_info *a = req->gpus[i].arch ? compat_find_arch(db, req->gpus[i].arch) : NULL;

		if (a && a->last_branch)
			continue;
		keep[n++] = req->gpus[i];
	}
	if (n == 0 || n == req->ngpus)
		return;
	strbuf_init(&addrs);
	strbuf_init(&sb);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&addrs, "%s%s", i ? "," : "", keep[i].addr ? keep[i].addr : keep[i].label);
	alt.gpus = keep;
	alt.ngpus = n;
	if (resolve_core(db, &alt, &r) && r.branch > res->branch) {
		summarize(&r, &sb);
		if (keep[0].addr)
			resolve_add_note(&res->why, &res->nwhy, "driver",
				 "the older GPUs hold the others back: serving only %s (--gpu-only %s) would allow %s",
				 addrs.buf, addrs.buf, sb.buf);
		else
			resolve_add_note(&res->why, &res->nwhy, "driver",
				 "the older GPUs hold the others back: serving only %s would allow %s", addrs.buf, sb.buf);
	}
	resolve_result_free(&r);
}
