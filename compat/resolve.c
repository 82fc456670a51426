/*
 * resolve.c - pick a driver branch and flavour, CUDA toolkit, cuDNN,
 * framework build and Python that fit every selected GPU and the user's
 * constraints, newest first, with a reason for each decision.
 *
 * The order of reasoning: the GPUs bound the driver branch and flavour;
 * those bound the branches on offer; a framework build (newest release,
 * then newest CUDA variant) must have a toolkit that compiles for every GPU
 * and runs on an offered branch (a variant the installed driver runs before
 * a newer one that would replace it); the branch is then the installed
 * driver if it already fits, else the newest offered LTS or production
 * branch that does, else the newest; cuDNN and Python follow.
 * When nothing fits, resolve-explain.c drops each user constraint and each
 * GPU in turn to say what would resolve the conflict.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>

#include "resolve-internal.h"
#include "resolve.h"
#include "util.h"

#define MAX_CANDIDATES 64
#define MAX_REASONS 4

struct candidate {
	unsigned branch;
	bool installed;      /* the installed driver, exact version known */
};

struct ctx {
	const struct compat_db *db;
	const struct resolve_request *req;
	struct resolve_result *res;
	/* From the GPUs. */
	unsigned lo, hi;                          /* branch bounds, 0 = none */
	const struct resolve_gpu *lo_gpu, *hi_gpu;
	/* The newest variant, passed over for one the installed driver runs
	 * (pick_build), and its toolkit; the kept variant's toolkit. */
	const struct fw_build *passed_over;
	const struct cuda_info *passed_over_toolkit, *kept_toolkit;
	/* --cuda names the toolkit only: a build of the same CUDA major
	 * serves it (pick_build's second pass). */
	bool cuda_major_only;
	const struct resolve_gpu *open_gpu;       /* needs the open modules */
	const struct resolve_gpu *prop_gpu;       /* cannot use them */
	/* Parsed request. */
	struct version installed, want_fw, want_cuda, want_cudnn, want_py;
	bool has_installed, has_fw, has_cuda, has_cudnn, has_py;
	/* Branches on offer, newest first. */
	struct candidate cand[MAX_CANDIDATES];
	size_t ncand;
	/* Rejection reasons of the last search, for the explanation. */
	char *reasons[MAX_REASONS];
	size_t nreasons;
};

void resolve_add_note(struct resolve_note **list, size_t *n, const char *topic, const char *fmt, ...)
{
	va_list ap;

	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[*n].topic = topic;
	va_start(ap, fmt);
	(*list)[*n].text = xvasprintf(fmt, ap);
	va_end(ap);
	(*n)++;
}

#define WHY(c, topic, ...) resolve_add_note(&(c)->res->why, &(c)->res->nwhy, topic, __VA_ARGS__)
#define CONFLICT(c, ...) resolve_add_note(&(c)->res->conflicts, &(c)->res->nconflicts, "conflict", __VA_ARGS__)

/* Keep up to MAX_REASONS distinct rejection reasons. */
static void reject(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(struct ctx *c, const char *fmt, ...)
{
	_cleanup_free_ char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < c->nreasons; i++)
		if (streq(c->reasons[i], s))
			return;
	if (c->nreasons < MAX_REASONS)
		c->reasons[c->nreasons++] = TAKE_PTR(s);
}

static void clear_reasons(struct ctx *c)
{
	for (size_t i = 0; i < c->nreasons; i++)
		free(c->reasons[i]);
	c->nreasons = 0;
}

/* Move the collected reasons into the result's conflicts. */
static void reasons_to_conflicts(struct ctx *c)
{
	for (size_t i = 0; i < c->nreasons; i++)
		CONFLICT(c, "%s", c->reasons[i]);
	clear_reasons(c);
}

bool branch_meets(unsigned branch, const struct version *min)
{
	/* A packaged branch installs its newest point release, which is at
	 * least any minimum NVIDIA states within the same branch. */
	return branch >= version_major(min);
}

static bool candidate_meets(const struct ctx *c, const struct candidate *k, const struct version *min)
{
	if (k->installed)
		return version_cmp(&c->installed, min) >= 0;
	return branch_meets(k->branch, min);
}

static unsigned newest_candidate(const struct ctx *c)
{
	return c->ncand ? c->cand[0].branch : 0;
}

/* ---------------------------------------------------------------- GPUs */

static bool gpu_constraints(struct ctx *c)
{
	const struct resolve_request *req = c->req;

	for (size_t i = 0; i < req->ngpus; i++) {
		const struct resolve_gpu *g = &req->gpus[i];
		const struct arch_info *a = g->arch ? compat_find_arch(c->db, g->arch) : NULL;

		if (!a) {
			CONFLICT(c, "%s is unknown to the compatibility data: its architecture cannot be told",
				 g->label);
			return false;
		}
		if (a->first_branch && a->first_branch > c->lo) {
			c->lo = a->first_branch;
			c->lo_gpu = g;
		}
		if (a->last_branch && (!c->hi || a->last_branch < c->hi)) {
			c->hi = a->last_branch;
			c->hi_gpu = g;
		}
		if (a->open == OPEN_REQUIRED && !c->open_gpu)
			c->open_gpu = g;
		if (a->open == OPEN_NO && !c->prop_gpu)
			c->prop_gpu = g;
	}
	if (c->open_gpu && c->prop_gpu)
		CONFLICT(c, "%s (%s) cannot use the open kernel modules and %s (%s) works only with them: no driver serves both",
			 c->prop_gpu->label, c->prop_gpu->arch, c->open_gpu->label, c->open_gpu->arch);
	if (c->lo && c->hi && c->lo > c->hi)
		CONFLICT(c, "%s (%s) needs driver branch %u or older and %s (%s) needs %u or newer: no single driver serves both",
			 c->hi_gpu->label, c->hi_gpu->arch, c->hi, c->lo_gpu->label, c->lo_gpu->arch, c->lo);
	if (c->res->nconflicts)
		return false;
	if (req->driver_branch && c->hi && req->driver_branch > c->hi) {
		CONFLICT(c, "--driver %u cannot drive %s: %s support ends with branch %u", req->driver_branch,
			 c->hi_gpu->label, c->hi_gpu->arch, c->hi);
		return false;
	}
	if (req->driver_branch && c->lo && req->driver_branch < c->lo) {
		CONFLICT(c, "--driver %u cannot drive %s: %s needs branch %u or newer", req->driver_branch,
			 c->lo_gpu->label, c->lo_gpu->arch, c->lo);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ branches */

static bool in_bounds(const struct ctx *c, unsigned b)
{
	return (!c->lo || b >= c->lo) && (!c->hi || b <= c->hi) &&
	       (!c->req->driver_branch || b == c->req->driver_branch);
}

/* The package that installs branch b in flavour f on the distribution:
 * what apt offers when the caller read it (req->offer), else the table. */
static const struct distro_driver *offered_package(const struct ctx *c, unsigned b, enum driver_flavour f)
{
	const struct resolve_request *req = c->req;

	if (!req->offer)
		return compat_find_driver_package(c->db, req->distro, b, f);
	for (size_t i = 0; i < req->noffer; i++)
		if (req->offer[i].branch == b && req->offer[i].flavour == f)
			return &req->offer[i];
	return NULL;
}

/* Whether branch b can be installed in a flavour the GPUs accept. */
static bool branch_offers_flavour(const struct ctx *c, unsigned b)
{
	const char *d = c->req->distro;
	const struct branch_info *bi = compat_find_branch(c->db, b);

	if (d) {
		bool open = offered_package(c, b, FLAVOUR_OPEN) != NULL;
		bool prop = offered_package(c, b, FLAVOUR_PROPRIETARY) != NULL;

		return c->open_gpu ? open : c->prop_gpu ? prop : open || prop;
	}
	return !c->open_gpu || (bi && bi->open != BRANCH_OPEN_NONE);
}

static void add_candidate(struct ctx *c, unsigned b, bool installed)
{
	if (c->ncand < MAX_CANDIDATES)
		c->cand[c->ncand++] = (struct candidate){ b, installed };
}

static bool installed_is_candidate(const struct ctx *c)
{
	enum driver_flavour f = c->req->installed_flavour;
	unsigned b = version_major(&c->installed);

	if (!c->has_installed || !in_bounds(c, b))
		return false;
	if (c->open_gpu)
		return f == FLAVOUR_OPEN;
	if (c->prop_gpu)
		return f == FLAVOUR_PROPRIETARY;
	return true;
}

static void describe_offer(const struct ctx *c, struct strbuf *sb)
{
	const char *d = c->req->distro;
	size_t n = 0;

	strbuf_addf(sb, "%s offers driver branches ", !d ? "the compatibility data" : c->req->offer ? "apt" : d);
	for (size_t i = 0; i < c->db->nbranches; i++) {
		unsigned b = c->db->branches[i].branch;

		if (d && !offered_package(c, b, FLAVOUR_OPEN) &&
		    !offered_package(c, b, FLAVOUR_PROPRIETARY))
			continue;
		strbuf_addf(sb, "%s%u", n++ ? ", " : "", b);
	}
	if (!n)
		strbuf_adds(sb, "none");
}

/* Branches on offer, newest first; the installed driver goes before the
 * packaged release of its own branch, so it is preferred when it fits. */
static bool candidate_branches(struct ctx *c)
{
	bool inst = installed_is_candidate(c);
	unsigned ib = version_major(&c->installed);
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

	c->ncand = 0;
	for (size_t i = c->db->nbranches; i-- > 0;) {
		unsigned b = c->db->branches[i].branch;

		if (inst && ib >= b) {
			add_candidate(c, ib, true);
			inst = false;
		}
		if (in_bounds(c, b) && branch_offers_flavour(c, b))
			add_candidate(c, b, false);
	}
	if (inst)
		add_candidate(c, ib, true);
	if (c->ncand)
		return true;
	strbuf_init(&sb);
	describe_offer(c, &sb);
	if (c->req->driver_branch)
		strbuf_addf(&sb, "; --driver asks for %u", c->req->driver_branch);
	if (c->lo_gpu)
		strbuf_addf(&sb, "; %s needs %u or newer", c->lo_gpu->label, c->lo);
	if (c->hi_gpu)
		strbuf_addf(&sb, "; %s needs %u or older", c->hi_gpu->label, c->hi);
	if (c->open_gpu)
		strbuf_addf(&sb, "; %s needs the open kernel modules", c->open_gpu->label);
	if (c->prop_gpu)
		strbuf_addf(&sb, "; %s needs the proprietary modules", c->prop_gpu->label);
	CONFLICT(c, "no driver branch fits: %s", sb.buf);
	return false;
}

/* ------------------------------------------------------------ toolkits */

static bool toolkit_has_sm(const struct cuda_info *t, unsigned cc)
{
	for (size_t i = 0; i < t->nsm; i++)
		if (t->sm[i] == cc)
			return true;
	return false;
}

static bool cuda_in_range(const struct cudnn_info *n, const struct version *cuda)
{
	unsigned k = version_key2(cuda);

	return k >= n->cuda_lo && k <= n->cuda_hi;
}

/* Some archive matching --cudnn serves toolkit t. */
static bool cudnn_serves(const struct ctx *c, const struct cuda_info *t)
{
	for (size_t i = 0; i < c->db->ncudnns; i++)
		if (cuda_in_range(&c->db->cudnns[i], &t->v) && version_matches(&c->db->cudnns[i].v, &c->want_cudnn))
			return true;
	return false;
}

/* Whether toolkit t fits the GPUs and an offered branch; if not, and
 * prefix is given, record why. */
static bool toolkit_fits(struct ctx *c, const struct cuda_info *t, const char *prefix)
{
	for (size_t i = 0; i < c->req->ngpus; i++) {
		const struct resolve_gpu *g = &c->req->gpus[i];

		if (!toolkit_has_sm(t, g->cc)) {
			if (prefix)
				reject(c, "%sCUDA %u.%u cannot compile for sm_%u (%s, %s)", prefix, t->v.part[0],
				       t->v.part[1], g->cc, g->label, g->arch);
			return false;
		}
	}
	if (c->has_cudnn && !cudnn_serves(c, t)) {
		if (prefix)
			reject(c, "%sno cuDNN %s archive in the compatibility data serves CUDA %u.%u", prefix,
			       c->req->cudnn, t->v.part[0], t->v.part[1]);
		return false;
	}
	for (size_t i = 0; i < c->ncand; i++)
		if (candidate_meets(c, &c->cand[i], &t->min_drv))
			return true;
	if (prefix)
		reject(c, "%sCUDA %s needs driver %s or newer; the newest driver possible here is %s%u", prefix,
		       t->version, t->min_driver, c->cand[0].installed ? "the installed " : "branch ",
		       newest_candidate(c));
	return false;
}

static enum branch_type type_of(const struct ctx *c, unsigned branch)
{
	const struct branch_info *bi = compat_find_branch(c->db, branch);

	return bi ? bi->type : BRANCH_TYPE_UNKNOWN;
}

/* The installed driver, when it is a candidate (it suits every GPU). */
static const struct candidate *installed_candidate(const struct ctx *c)
{
	for (size_t i = 0; i < c->ncand; i++)
		if (c->cand[i].installed)
			return &c->cand[i];
	return NULL;
}

/* The distribution's default gcc when toolkit t does not accept it
 * (the runfile then needs --override), else 0. */
static unsigned gcc_too_new(const struct ctx *c, const struct cuda_info *t)
{
	const struct distro_info *di = c->req->distro ? compat_find_distro(c->db, c->req->distro) : NULL;

	return di && di->gcc && t->max_gcc && di->gcc > t->max_gcc ? di->gcc : 0;
}

/* Whether the installed driver or an LTS or production branch on offer
 * meets toolkit t's minimum. */
static bool stable_meets(const struct ctx *c, const struct cuda_info *t)
{
	for (size_t i = 0; i < c->ncand; i++)
		if ((c->cand[i].installed || branch_type_preferred(type_of(c, c->cand[i].branch))) &&
		    candidate_meets(c, &c->cand[i], &t->min_drv))
			return true;
	return false;
}

/* What makes toolkit t, which fits, a worse choice; the bits are ordered
 * by weight, so the lowest cost wins and the newest toolkit breaks ties. */
enum toolkit_cost {
	COST_OTHER_XY = 1,        /* not the X.Y the build's wheels were made with */
	COST_NEW_FEATURE = 2,     /* only a new-feature branch meets it */
	COST_GCC_OVERRIDE = 4,    /* the distribution's gcc is too new for it */
	COST_REPLACES_DRIVER = 8, /* the working installed driver would go */
};

static unsigned toolkit_cost(const struct ctx *c, const struct cuda_info *t, const struct fw_build *b)
{
	const struct candidate *inst = installed_candidate(c);
	unsigned cost = 0;

	/* Without a framework or --cuda to bound the major, keeping the
	 * driver would mean an ever older toolkit: the newest wins there. */
	if (inst && (b || c->has_cuda) && !candidate_meets(c, inst, &t->min_drv))
		cost |= COST_REPLACES_DRIVER;
	if (gcc_too_new(c, t))
		cost |= COST_GCC_OVERRIDE;
	if (!stable_meets(c, t))
		cost |= COST_NEW_FEATURE;
	if (b && version_key2(&t->v) != version_key2(&b->cuda))
		cost |= COST_OTHER_XY;
	return cost;
}

/* The first row of the build's own X.Y (the loader checks there is one). */
static const struct cuda_info *own_xy(const struct compat_db *db, const struct fw_build *b)
{
	for (size_t i = 0; i < db->ncudas; i++)
		if (version_key2(&db->cudas[i].v) == version_key2(&b->cuda))
			return &db->cudas[i];
	return NULL;
}

/* Whether toolkit t, of another X.Y of b's major, may stand in for b's
 * own: only through minor-version compatibility (which CUDA 10 lacks), and
 * only when t needs at least the driver b's wheels need, so that the
 * driver chosen for t runs them too. */
static bool stands_in(const struct compat_db *db, const struct cuda_info *t, const struct fw_build *b)
{
	const struct cuda_info *own = own_xy(db, b);

	return own && own->compat_floor && version_cmp(&t->min_drv, &own->floor_drv) >= 0;
}

/* The toolkit for build b (NULL: for no framework) that fits and matches
 * --cuda, cheapest first (toolkit_cost).  A build's wheels bring their
 * own CUDA libraries and run on any driver at or above their CUDA major's
 * minor-version compatibility floor, so the toolkit need not be the
 * wheels' X.Y: any release of the same major serves code built against
 * them (a different major would not), and an older one can keep the
 * installed driver or accept the distribution's gcc. */
static const struct cuda_info *pick_toolkit(struct ctx *c, const struct fw_build *b, const char *prefix)
{
	const struct cuda_info *best = NULL;
	unsigned best_cost = 0;

	for (size_t i = c->db->ncudas; i-- > 0;) {
		const struct cuda_info *t = &c->db->cudas[i];
		unsigned cost;

		if (b && t->v.part[0] != b->cuda.part[0])
			continue;
		if (b && version_key2(&t->v) != version_key2(&b->cuda) && !stands_in(c->db, t, b))
			continue;
		if (c->has_cuda && !version_matches(&t->v, &c->want_cuda))
			continue;
		/* Why the wheels' own X.Y does not fit is what a refusal
		 * says; other releases of the major only stand in for it. */
		if (!toolkit_fits(c, t, !b || version_key2(&t->v) == version_key2(&b->cuda) ? prefix : NULL))
			continue;
		cost = toolkit_cost(c, t, b);
		if (!best || cost < best_cost) {
			best = t;
			best_cost = cost;
		}
	}
	return best;
}

/* -------------------------------------------------------------- builds */

static bool wheel_covers(const struct fw_build *b, unsigned cc)
{
	for (size_t i = 0; i < b->narchs; i++) {
		const struct wheel_arch *a = &b->archs[i];

		/* Binary code runs on later minor revisions of its major;
		 * PTX JIT-compiles for any later GPU. */
		if (a->cc <= cc && (a->cc / 10 == cc / 10 || a->ptx))
			return true;
	}
	return false;
}

/* Whether b's own CUDA X.Y compiles for cc: how a build whose wheels'
 * architectures are not published is judged, whatever toolkit stands in
 * for it. */
static bool xy_compiles_for(const struct compat_db *db, const struct fw_build *b, unsigned cc)
{
	const struct cuda_info *own = own_xy(db, b);

	return own && toolkit_has_sm(own, cc);
}

void resolve_build_name(const struct fw_build *b, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s%s%s", framework_title(b->fw), b->version, b->variant ? " " : "",
		 b->variant ? b->variant : "");
}

static bool python_in_range(const struct fw_build *b, const struct version *py)
{
	return !b->python_min || (version_cmp(py, &b->py_min) >= 0 && version_cmp(py, &b->py_max) <= 0);
}

/* Whether build b fits; on success *ret_toolkit is its toolkit. */
static bool build_fits(struct ctx *c, const struct fw_build *b, const struct cuda_info **ret_toolkit)
{
	char name[64], prefix[80];

	resolve_build_name(b, name, sizeof(name));
	snprintf(prefix, sizeof(prefix), "%s: ", name);
	if (c->has_py && !python_in_range(b, &c->want_py)) {
		reject(c, "%s %s supports Python %s-%s, not %s", framework_title(b->fw), b->version, b->python_min,
		       b->python_max, c->req->python);
		return false;
	}
	if (c->has_cuda && !c->cuda_major_only && !version_matches(&b->cuda, &c->want_cuda) &&
	    !(c->want_cuda.nparts > 2 && b->cuda.part[0] == c->want_cuda.part[0] &&
	      b->cuda.part[1] == c->want_cuda.part[1])) {
		reject(c, "%s is built with CUDA %u.%u, not the --cuda %s asked for", name, b->cuda.part[0],
		       b->cuda.part[1], c->req->cuda);
		return false;
	}
	if (c->has_cuda && b->cuda.part[0] != c->want_cuda.part[0])
		return false;  /* said by the first pass */
	for (size_t i = 0; i < c->req->ngpus; i++) {
		const struct resolve_gpu *g = &c->req->gpus[i];

		if (b->archs && !wheel_covers(b, g->cc)) {
			reject(c, "%s wheels carry no code for compute capability %u.%u (%s)", name, g->cc / 10,
			       g->cc % 10, g->label);
			return false;
		}
		if (!b->archs && !xy_compiles_for(c->db, b, g->cc)) {
			reject(c, "%sCUDA %u.%u cannot compile for sm_%u (%s, %s)", prefix, b->cuda.part[0],
			       b->cuda.part[1], g->cc, g->label, g->arch);
			return false;
		}
	}
	*ret_toolkit = pick_toolkit(c, b, prefix);
	return *ret_toolkit != NULL;
}

static bool fw_version_matches(const struct ctx *c, const struct fw_build *b)
{
	struct version series = c->want_fw;

	/* "2.7.1" names the 2.7 series. */
	if (series.nparts > 2)
		series.nparts = 2;
	return !c->has_fw || version_matches(&b->v, &series);
}

/* Another variant of b's release that fits and that the installed driver
 * inst runs, newest first; NULL when none.  Asked only when b itself
 * would need a newer driver and nothing the user gave asks for b's CUDA
 * or a driver branch. */
static const struct fw_build *variant_for_installed(struct ctx *c, const struct fw_build *b,
						     const struct candidate *inst, const struct cuda_info **ret_toolkit)
{
	for (size_t i = c->db->nbuilds; i-- > 0;) {
		const struct fw_build *v = &c->db->builds[i];
		const struct cuda_info *t;

		if (v == b || v->fw != b->fw || !streq(v->version, b->version))
			continue;
		if (build_fits(c, v, &t) && candidate_meets(c, inst, &t->min_drv)) {
			*ret_toolkit = t;
			return v;
		}
	}
	return NULL;
}

static const struct fw_build *pick_build_pass(struct ctx *c, const struct cuda_info **ret_toolkit, size_t *seen)
{
	for (size_t i = c->db->nbuilds; i-- > 0;) {
		const struct fw_build *b = &c->db->builds[i];
		const struct candidate *inst = installed_candidate(c);
		const struct fw_build *kept;

		if (b->fw != c->req->framework || !fw_version_matches(c, b))
			continue;
		(*seen)++;
		if (!build_fits(c, b, ret_toolkit))
			continue;
		/* A working driver stays when the same release has a variant it
		 * runs: a newer variant alone is no reason to replace it. */
		if (inst && !c->has_cuda && !c->req->driver_branch && !candidate_meets(c, inst, &(*ret_toolkit)->min_drv) &&
		    (kept = variant_for_installed(c, b, inst, &c->kept_toolkit))) {
			c->passed_over = b;
			c->passed_over_toolkit = *ret_toolkit;
			*ret_toolkit = c->kept_toolkit;
			return kept;
		}
		return b;
	}
	return NULL;
}

/* The newest release's newest build that fits.  --cuda X.Y first asks
 * for a build made with X.Y; when none fits, it names the toolkit only
 * and a build of the same major serves it (there is no cu122 build, but
 * a cu126 one runs on what toolkit 12.2 needs). */
static const struct fw_build *pick_build(struct ctx *c, const struct cuda_info **ret_toolkit)
{
	size_t seen = 0;
	const struct fw_build *b = pick_build_pass(c, ret_toolkit, &seen);

	if (!b && c->has_cuda && seen) {
		c->cuda_major_only = true;
		b = pick_build_pass(c, ret_toolkit, &seen);
		if (!b)
			c->cuda_major_only = false;
	}
	if (seen == 0)
		reject(c, "%s %s is not in the compatibility data", framework_title(c->req->framework),
		       c->req->framework_version);
	return b;
}

/* ---------------------------------------------------------- decisions */

/* Why k, a branch the resolver took itself, is of its type: "; a
 * production branch (the newer new-feature 610, 615 are not needed)", or
 * for a branch of another type why no LTS or production branch was
 * taken.  newest is the newest candidate meeting the toolkit. */
static void branch_kind(const struct ctx *c, const struct candidate *k, const struct candidate *newest,
			struct strbuf *sb)
{
	enum branch_type type = type_of(c, k->branch);
	const struct candidate *stable_any = NULL;

	if (k->installed)
		return;
	if (branch_type_preferred(type)) {
		_cleanup_strbuf_ struct strbuf newer = STRBUF_INIT;
		size_t n = 0;
		bool all_new_feature = true;

		/* The newer candidates left out, oldest first. */
		for (const struct candidate *p = k; newest && p > newest;) {
			p--;
			if (p->installed)
				continue;
			all_new_feature &= type_of(c, p->branch) == BRANCH_TYPE_NEW_FEATURE;
			strbuf_addf(&newer, "%s%u", n++ ? ", " : "", p->branch);
		}
		strbuf_addf(sb, "; %s %s branch", type == BRANCH_TYPE_LTS ? "an" : "a",
			    type == BRANCH_TYPE_LTS ? "LTS" : "production");
		if (n)
			strbuf_addf(sb, ": the newer %sbranch%s %s %s not needed here", all_new_feature ? "new-feature " : "",
				    n == 1 ? "" : "es", newer.buf, n == 1 ? "is" : "are");
		return;
	}
	if (type == BRANCH_TYPE_UNKNOWN)
		return;
	for (size_t i = 0; i < c->ncand && !stable_any; i++)
		if (!c->cand[i].installed && branch_type_preferred(type_of(c, c->cand[i].branch)))
			stable_any = &c->cand[i];
	if (stable_any)
		strbuf_addf(sb, "; a %s branch, because the newest LTS or production branch here, %u, is older "
			    "than CUDA %s's minimum", branch_type_name(type), stable_any->branch, c->res->cuda->version);
	else if (c->lo_gpu)
		strbuf_addf(sb, "; a %s branch, because %s (%s) needs %u or newer and no LTS or production branch "
			    "that new is on offer", branch_type_name(type), c->lo_gpu->label, c->lo_gpu->arch, c->lo);
	else
		strbuf_addf(sb, "; a %s branch: no LTS or production branch is on offer", branch_type_name(type));
}

/* "; '--driver 535' keeps it (CUDA 11.8.0, PyTorch 2.7 cu118)" when
 * asking for the installed driver's branch finds a combination it runs,
 * else "" (also under --driver).  The text lives in buf. */
static const char *keep_hint(const struct ctx *c, struct strbuf *buf)
{
	struct resolve_request alt = *c->req;
	struct resolve_result r = { 0 };

	strbuf_reset(buf);
	alt.driver_branch = version_major(&c->installed);
	/* Asked already (and no recursion); a branch the tables lack cannot
	 * be asked for. */
	if (c->req->driver_branch || !compat_find_branch(c->db, alt.driver_branch))
		return "";
	if (resolve_core(c->db, &alt, &r) && r.keep_installed) {
		strbuf_addf(buf, "; '--driver %u' keeps it (CUDA %s", alt.driver_branch, r.cuda->version);
		if (r.build) {
			char name[64];

			resolve_build_name(r.build, name, sizeof(name));
			strbuf_addf(buf, ", %s", name);
		}
		strbuf_adds(buf, ")");
	}
	resolve_result_free(&r);
	return buf->buf;
}

static void decide_branch(struct ctx *c)
{
	const struct cuda_info *t = c->res->cuda;
	const struct resolve_request *req = c->req;
	const struct candidate *k = NULL, *newest = NULL, *stable = NULL;
	_cleanup_strbuf_ struct strbuf bounds = STRBUF_INIT, kind = STRBUF_INIT;

	/* Candidates are newest first, the installed driver before its own
	 * branch.  A fitting installed driver is always kept; else the newest
	 * LTS or production branch that meets the toolkit's minimum wins over
	 * newer new-feature ones, and a branch of another type is taken only
	 * when none of those meets it. */
	for (size_t i = 0; i < c->ncand && !k; i++)
		if (c->cand[i].installed && candidate_meets(c, &c->cand[i], &t->min_drv))
			k = &c->cand[i];
	for (size_t i = 0; i < c->ncand && !k; i++) {
		if (!candidate_meets(c, &c->cand[i], &t->min_drv))
			continue;
		if (!newest)
			newest = &c->cand[i];
		if (!stable && branch_type_preferred(type_of(c, c->cand[i].branch)))
			stable = &c->cand[i];
	}
	if (!k)
		k = stable ? stable : newest;
	c->res->branch = k->branch;
	c->res->keep_installed = k->installed;
	strbuf_init(&bounds);
	if (c->hi_gpu)
		strbuf_addf(&bounds, "; %s (%s) is supported up to branch %u", c->hi_gpu->label,
			    c->hi_gpu->arch, c->hi);
	if (c->lo_gpu)
		strbuf_addf(&bounds, "; %s (%s) needs %u or newer", c->lo_gpu->label, c->lo_gpu->arch, c->lo);
	if (k->installed) {
		WHY(c, "driver", "keep the installed %s: it meets CUDA %s's minimum %s and serves every GPU%s",
		    req->installed_driver, t->version, t->min_driver, bounds.buf);
		return;
	}
	if (!req->driver_branch)
		branch_kind(c, k, newest, &kind);
	if (req->driver_branch)
		WHY(c, "driver", "branch %u, as --driver asks; it meets CUDA %s's minimum %s%s", k->branch,
		    t->version, t->min_driver, bounds.buf);
	else if (req->distro)
		WHY(c, "driver", "branch %u: the newest %sbranch %s%s that meets CUDA %s's minimum %s%s%s", k->branch,
		    k == stable ? "LTS or production " : "", req->offer ? "apt offers" : req->distro,
		    req->offer ? "" : " packages", t->version, t->min_driver, kind.buf, bounds.buf);
	else
		WHY(c, "driver", "branch %u: the newest known %sbranch that meets CUDA %s's minimum %s%s%s", k->branch,
		    k == stable ? "LTS or production " : "", t->version, t->min_driver, kind.buf, bounds.buf);
	if (!req->installed_driver)
		return;
	if (!installed_is_candidate(c))
		WHY(c, "driver", "the installed %s (%s modules) does not fit %s: it will be replaced",
		    req->installed_driver, flavour_name(req->installed_flavour),
		    req->driver_branch ? "--driver" : "every GPU");
	else
		WHY(c, "driver", "the installed %s is older than CUDA %s's minimum %s: it will be replaced%s",
		    req->installed_driver, t->version, t->min_driver, keep_hint(c, &bounds));
}

static void decide_flavour(struct ctx *c)
{
	struct resolve_result *r = c->res;
	const char *d = c->req->distro;
	const struct branch_info *bi = compat_find_branch(c->db, r->branch);
	bool open_pkg = d ? offered_package(c, r->branch, FLAVOUR_OPEN) != NULL
			  : bi && bi->open != BRANCH_OPEN_NONE;
	bool prop_pkg = d ? offered_package(c, r->branch, FLAVOUR_PROPRIETARY) != NULL : true;

	if (r->keep_installed) {
		r->flavour = c->req->installed_flavour;
		WHY(c, "flavour", "%s: the installed driver's modules%s", flavour_name(r->flavour),
		    r->flavour == FLAVOUR_UNKNOWN ? " (flavour not readable)" : "");
	} else if (c->open_gpu) {
		r->flavour = FLAVOUR_OPEN;
		WHY(c, "flavour", "open: %s is %s, which only the open kernel modules drive", c->open_gpu->label,
		    c->open_gpu->arch);
	} else if (c->prop_gpu) {
		r->flavour = FLAVOUR_PROPRIETARY;
		WHY(c, "flavour", "proprietary: %s is %s, which the open kernel modules cannot drive",
		    c->prop_gpu->label, c->prop_gpu->arch);
	} else if (open_pkg && (!prop_pkg || (bi && bi->open == BRANCH_OPEN_DEFAULT))) {
		r->flavour = FLAVOUR_OPEN;
		if (prop_pkg && c->req->ngpus)
			WHY(c, "flavour", "open: NVIDIA's default from branch 560 on, and every GPU is Turing or newer");
		else if (prop_pkg)
			WHY(c, "flavour", "open: NVIDIA's default from branch 560 on (a GPU older than Turing would need the proprietary ones)");
		else
			WHY(c, "flavour", "open: %s packages branch %u with open modules only", d, r->branch);
	} else {
		r->flavour = FLAVOUR_PROPRIETARY;
		if (!open_pkg && d && c->req->offer)
			WHY(c, "flavour", "proprietary: apt offers no installable open-module package for branch %u",
			    r->branch);
		else if (!open_pkg)
			WHY(c, "flavour", "proprietary: %s has no open-module package for branch %u",
			    d ? d : "NVIDIA", r->branch);
		else
			WHY(c, "flavour", "proprietary: NVIDIA's default for branch %u (open modules became the default in 560)",
			    r->branch);
	}
	if (d && !r->keep_installed)
		r->package = offered_package(c, r->branch, r->flavour);
}

/* The newest toolkit that fits and matches --cuda: of the build's own
 * X.Y when b is given, else of any version. */
static const struct cuda_info *newest_fitting(struct ctx *c, const struct fw_build *b)
{
	for (size_t i = c->db->ncudas; i-- > 0;) {
		const struct cuda_info *t = &c->db->cudas[i];

		if (b && version_key2(&t->v) != version_key2(&b->cuda))
			continue;
		if (c->has_cuda && !version_matches(&t->v, &c->want_cuda))
			continue;
		if (toolkit_fits(c, t, NULL))
			return t;
	}
	return NULL;
}

/* "; CUDA 12.6.3 would replace the installed 535.183.01 (it needs
 * 560.35.05)": why n, the newest that fits, lost to the chosen t. */
static void say_passed_over(const struct ctx *c, const struct cuda_info *n, const struct cuda_info *t,
			    const struct fw_build *b, struct strbuf *sb)
{
	unsigned worse = toolkit_cost(c, n, b) & ~toolkit_cost(c, t, b);
	const struct distro_info *di = compat_find_distro(c->db, c->req->distro ? c->req->distro : "");

	if (worse & COST_REPLACES_DRIVER)
		strbuf_addf(sb, "; CUDA %s would replace the installed %s (it needs %s or newer)", n->version,
			    c->req->installed_driver, n->min_driver);
	else if ((worse & COST_GCC_OVERRIDE) && di)
		strbuf_addf(sb, "; CUDA %s accepts gcc up to %u, not %s's gcc %u", n->version, n->max_gcc, di->id,
			    di->gcc);
	else if (worse & COST_NEW_FEATURE)
		strbuf_addf(sb, "; CUDA %s needs driver %s or newer, which only a new-feature branch offers here",
			    n->version, n->min_driver);
}

/* The driver a build's wheels run on: their CUDA major's minor-version
 * compatibility floor (a stand-in toolkit is chosen only when it has one). */
static const char *wheel_floor(const struct compat_db *db, const struct fw_build *b)
{
	const struct cuda_info *own = own_xy(db, b);

	return own && own->compat_floor ? own->compat_floor : "?";
}

static void decide_toolkit(struct ctx *c)
{
	struct resolve_result *r = c->res;
	const struct cuda_info *t = r->cuda;
	const struct fw_build *b = r->build;
	const struct cuda_info *n = newest_fitting(c, b);
	const struct distro_info *di = c->req->distro ? compat_find_distro(c->db, c->req->distro) : NULL;
	_cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
	char name[64];

	strbuf_init(&sb);
	if (b) {
		resolve_build_name(b, name, sizeof(name));
		if (version_key2(&t->v) == version_key2(&b->cuda))
			strbuf_addf(&sb, "%s: %s %u.%u release, the CUDA %s is built with", t->version,
				    n == t ? "the newest" : "a", t->v.part[0], t->v.part[1], name);
		else
			strbuf_addf(&sb, "%s: a CUDA %u release for %s, whose wheels bring CUDA %u.%u and run on "
				    "driver %s or newer (minor-version compatibility)%s", t->version, t->v.part[0],
				    name, b->cuda.part[0], b->cuda.part[1], wheel_floor(c->db, b),
				    n || c->cuda_major_only ? "" : "; no toolkit of their own X.Y fits here");
		if (c->cuda_major_only)
			strbuf_addf(&sb, "; no %s build made with --cuda %s fits", framework_title(b->fw), c->req->cuda);
	} else if (c->has_cuda) {
		strbuf_addf(&sb, "%s: the %s release matching --cuda %s that fits", t->version, n == t ? "newest" : "chosen",
			    c->req->cuda);
	} else {
		strbuf_addf(&sb, "%s: the %s toolkit that compiles for every GPU and runs on branch %u", t->version,
			    n == t ? "newest" : "chosen", r->branch);
	}
	if (n && n != t)
		say_passed_over(c, n, t, b, &sb);
	if (gcc_too_new(c, t)) {
		r->gcc_override = true;
		strbuf_addf(&sb, "; %s's gcc %u is newer than the %u it accepts: the runfile gets --override and nvcc "
			    "will need -allow-unsupported-compiler (no toolkit that fits here accepts gcc %u%s)", di->id,
			    di->gcc, t->max_gcc, di->gcc,
			    installed_candidate(c) && (b || c->has_cuda) && !(toolkit_cost(c, t, b) & COST_REPLACES_DRIVER)
				    ? " without replacing the installed driver" : "");
	}
	WHY(c, "cuda", "%s", sb.buf);
}

static bool decide_cudnn(struct ctx *c)
{
	struct resolve_result *r = c->res;
	const struct fw_build *b = r->build;
	const struct cudnn_info *pick = NULL;
	bool tf = b && b->fw == FW_TENSORFLOW;

	for (size_t i = c->db->ncudnns; i-- > 0;) {
		const struct cudnn_info *n = &c->db->cudnns[i];

		if (!cuda_in_range(n, &r->cuda->v) || (c->has_cudnn && !version_matches(&n->v, &c->want_cudnn)))
			continue;
		if (tf) {
			/* What TensorFlow was tested with ("8.9": its newest
			 * patch release), else the closest newer release of
			 * the same major. */
			if (n->v.part[0] != b->cudnn_v.part[0] || version_cmp(&n->v, &b->cudnn_v) < 0)
				continue;
			if (version_matches(&n->v, &b->cudnn_v)) {
				pick = n;
				break;
			}
			pick = n;  /* descending: ends on the closest */
			continue;
		}
		pick = n;
		break;
	}
	r->cudnn = pick;
	if (!pick) {
		if (c->has_cudnn || tf) {
			CONFLICT(c, "no cuDNN archive in the compatibility data serves CUDA %s%s%s%s%s",
				 r->cuda->version, c->has_cudnn ? " as --cudnn " : "",
				 c->has_cudnn ? c->req->cudnn : "", tf ? " with a cuDNN " : "",
				 tf ? b->cudnn : "");
			return false;
		}
		WHY(c, "cudnn", "none: no cuDNN archive in the compatibility data serves CUDA %s", r->cuda->version);
		return true;
	}
	if (tf)
		WHY(c, "cudnn", "%s for CUDA %s: TensorFlow %s was tested with cuDNN %s%s", pick->version,
		    pick->cuda_spec, b->version, b->cudnn,
		    version_matches(&pick->v, &b->cudnn_v) ? ""
		    : ", not in the data; the nearest newer release of that major (cuDNN keeps compatibility within a major)");
	else if (b)
		WHY(c, "cudnn", "%s for CUDA %s: the newest for CUDA %u.%u%s; the PyTorch wheels bring their own cuDNN%s%s, this copy serves code built with the toolkit",
		    pick->version, pick->cuda_spec, r->cuda->v.part[0], r->cuda->v.part[1],
		    c->has_cudnn ? " matching --cudnn" : "", b->cudnn ? " " : "", b->cudnn ? b->cudnn : "");
	else
		WHY(c, "cudnn", "%s for CUDA %s: the newest for CUDA %u.%u%s", pick->version, pick->cuda_spec,
		    r->cuda->v.part[0], r->cuda->v.part[1], c->has_cudnn ? " matching --cudnn" : "");
	return true;
}

static void decide_python(struct ctx *c)
{
	struct resolve_result *r = c->res;
	const struct fw_build *b = r->build;

	if (c->has_py) {
		snprintf(r->python, sizeof(r->python), "%s", c->req->python);
		if (b && b->python_min)
			WHY(c, "python", "%s: --python, within %s %s's %s-%s", r->python, framework_title(b->fw),
			    b->version, b->python_min, b->python_max);
		else
			WHY(c, "python", "%s: --python%s", r->python,
			    b ? "; the framework's Python range is not in the data" : "");
		return;
	}
	if (b && b->python_max) {
		snprintf(r->python, sizeof(r->python), "%s", b->python_max);
		WHY(c, "python", "%s: the newest Python %s %s supports (%s-%s)", r->python, framework_title(b->fw),
		    b->version, b->python_min, b->python_max);
		return;
	}
	WHY(c, "python", "Miniconda's own: %s", b ? "the framework's Python range is not in the data"
						   : "no framework asks for a particular version");
}

static void decide_framework(struct ctx *c)
{
	const struct fw_build *b = c->res->build;
	char name[64];

	if (!b) {
		WHY(c, "framework", "none: --framework none");
		return;
	}
	resolve_build_name(b, name, sizeof(name));
	if (c->passed_over) {
		char newer[64];

		resolve_build_name(c->passed_over, newer, sizeof(newer));
		WHY(c, "framework", "%s: the %s's newest variant that the installed driver %s runs; %s would need "
		    "driver %s or newer (--cuda %u.%u takes it and replaces the driver)%s", name,
		    c->has_fw ? "requested release" : "newest release", c->req->installed_driver, newer,
		    c->passed_over_toolkit->min_driver, c->passed_over->cuda.part[0], c->passed_over->cuda.part[1],
		    b->archs ? "" : " (its wheels' architectures are not published: judged by what its CUDA compiles)");
		return;
	}
	WHY(c, "framework", "%s: the newest %s that fits every GPU, the driver and the other constraints%s", name,
	    c->has_fw ? "variant of the requested release" : "release and variant",
	    b->archs ? "" : " (its wheels' architectures are not published: judged by what its CUDA compiles)");
}

/* ----------------------------------------------------------------- core */

static int parse_req(struct ctx *c)
{
	const struct resolve_request *req = c->req;

	c->has_installed = req->installed_driver && version_parse(req->installed_driver, &c->installed) == 0;
	c->has_fw = req->framework_version && version_parse(req->framework_version, &c->want_fw) == 0;
	c->has_cuda = req->cuda && version_parse(req->cuda, &c->want_cuda) == 0;
	c->has_cudnn = req->cudnn && version_parse(req->cudnn, &c->want_cudnn) == 0;
	c->has_py = req->python && version_parse(req->python, &c->want_py) == 0;
	return 0;
}

bool resolve_core(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *res)
{
	struct ctx c = { .db = db, .req = req, .res = res };
	const struct cuda_info *t = NULL;
	bool ok = false;

	memset(res, 0, sizeof(*res));
	parse_req(&c);
	if (!gpu_constraints(&c) || !candidate_branches(&c))
		goto out;
	if (c.has_cuda && !pick_toolkit(&c, NULL, "")) {
		/* The toolkit asked for cannot serve the GPUs or the
		 * driver, whatever the framework: say that first. */
		if (!c.nreasons)
			reject(&c, "CUDA %s is not in the compatibility data", req->cuda);
		reasons_to_conflicts(&c);
		goto out;
	}
	clear_reasons(&c);
	if (req->framework != FW_NONE) {
		res->build = pick_build(&c, &t);
		if (!res->build) {
			reasons_to_conflicts(&c);
			goto out;
		}
	} else {
		t = pick_toolkit(&c, NULL, "");
		if (!t) {
			reasons_to_conflicts(&c);
			goto out;
		}
	}
	clear_reasons(&c);
	res->cuda = t;
	decide_branch(&c);
	decide_flavour(&c);
	decide_toolkit(&c);
	if (!decide_cudnn(&c))
		goto out;
	decide_framework(&c);
	decide_python(&c);
	ok = true;
out:
	clear_reasons(&c);
	res->ok = ok;
	return ok;
}

void resolve(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *ret)
{
	if (!resolve_core(db, req, ret))
		resolve_explain_fixes(db, req, ret);
	else if (req->ngpus > 1)
		resolve_note_held_back(db, req, ret);
}

static void free_notes(struct resolve_note *n, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(n[i].text);
	free(n);
}

void resolve_result_free(struct resolve_result *r)
{
	free_notes(r->why, r->nwhy);
	free_notes(r->conflicts, r->nconflicts);
	free_notes(r->fixes, r->nfixes);
	memset(r, 0, sizeof(*r));
}

static int check_version(const char *what, const char *s, unsigned min_parts, unsigned max_parts,
			 struct strbuf *err)
{
	struct version v;

	if (!s)
		return 0;
	if (version_parse(s, &v) < 0 || v.nparts < min_parts || v.nparts > max_parts) {
		strbuf_addf(err, "%s '%s' is not a version%s", what, s,
			    max_parts == 2 && min_parts == 2 ? " of the form X.Y" : "");
		return -EINVAL;
	}
	return 0;
}

int resolve_check_request(const struct compat_db *db, const struct resolve_request *req, struct strbuf *err)
{
	if (req->distro && !compat_find_distro(db, req->distro)) {
		strbuf_addf(err, "distribution '%s' is not supported; supported:", req->distro);
		for (size_t i = 0; i < db->ndistros; i++)
			strbuf_addf(err, " %s", db->distros[i].id);
		return -EINVAL;
	}
	if (req->driver_branch && !compat_find_branch(db, req->driver_branch)) {
		strbuf_addf(err, "--driver %u is not a driver branch gpu-setup knows (see branches.tsv)",
			    req->driver_branch);
		return -EINVAL;
	}
	if (check_version("--framework version", req->framework_version, 1, 3, err) < 0 ||
	    check_version("--cuda", req->cuda, 1, 3, err) < 0 ||
	    check_version("--cudnn", req->cudnn, 1, 4, err) < 0 ||
	    check_version("--python", req->python, 2, 2, err) < 0 ||
	    check_version("installed driver version", req->installed_driver, 2, 3, err) < 0)
		return -EINVAL;
	return 0;
}
