/*
 * detect.c - build the detection report and its warnings.
 */
#include "config.h"

#include <errno.h>

#include "detect.h"
#include "gpus.h"
#include "util.h"

static void add_warning(struct detect_report *r, const char *id, char *message)
{
	r->warnings = xrealloc(r->warnings, (r->nwarnings + 1) * sizeof(*r->warnings));
	r->warnings[r->nwarnings].id = id;
	r->warnings[r->nwarnings].message = message;
	r->nwarnings++;
}

static void gpu_warnings(struct detect_report *r)
{
	for (size_t i = 0; i < r->pci.ngpus; i++) {
		const struct pci_gpu *g = &r->pci.gpus[i];

		if (g->vendor_id == PCI_VENDOR_NVIDIA && !g->has_info)
			add_warning(r, "gpu-unknown",
				    xasprintf("%04x:%02x:%02x.%u: NVIDIA device %04x is not in gpu-setup's compat data and no device-ID range covers it: its architecture is unknown (a newer gpu-setup may know it)",
					      g->domain, g->bus, g->dev, g->func, g->device_id));
		if (g->link.status == LINK_NARROW)
			add_warning(r, "pcie-narrow",
				    xasprintf("%04x:%02x:%02x.%u (%s) runs at x%u but supports x%u: move it to a full-length x%u slot wired for x%u, and avoid risers and chipset-attached slots",
					      g->domain, g->bus, g->dev, g->func, g->name,
					      g->link.cur_width, g->link.max_width, g->link.max_width,
					      g->link.max_width));
	}
}

static void sizing_warnings(struct detect_report *r)
{
	const struct sizing *s = &r->sizing;

	if (s->psu_verdict == PSU_TOO_SMALL)
		add_warning(r, "psu-too-small",
			    xasprintf("the %u W power supply is below the estimated load of %u W: the machine may shut down under GPU load; use at least %u W",
				      s->psu_w, s->load_w, s->recommended_psu_w));
	else if (s->psu_verdict == PSU_MARGINAL)
		add_warning(r, "psu-marginal",
			    xasprintf("the %u W power supply covers the estimated load of %u W but not the %u%% headroom for GPU power spikes; %u W is recommended",
				      s->psu_w, s->load_w, SIZING_HEADROOM_PCT, s->recommended_psu_w));
	if (s->cpu_weak)
		add_warning(r, "cpu-weak",
			    xasprintf("%u physical CPU cores for %zu NVIDIA GPU(s): at least %u are suggested (4 per GPU, 8 per GPU of %u W or more), or data loading keeps the GPUs waiting",
				      r->host.cores, r->pci.nvidia_count, s->cores_wanted,
				      SIZING_HIGH_END_W));
	if (s->memory_small)
		add_warning(r, "memory-small",
			    xasprintf("%.1f GiB of system memory for %llu GiB of GPU memory: at least as much system memory as GPU memory is suggested (twice as much is comfortable) for loading data and models",
				      (double)r->host.mem_kib / (1024.0 * 1024.0),
				      s->gpu_mem_mib / 1024));
}

static void compute_sizing(struct detect_report *r, unsigned psu_watts)
{
	struct sizing_gpu *sg = xcalloc(r->pci.ngpus, sizeof(*sg));
	unsigned n = 0;

	for (size_t i = 0; i < r->pci.ngpus; i++) {
		const struct pci_gpu *g = &r->pci.gpus[i];

		if (g->vendor_id != PCI_VENDOR_NVIDIA)
			continue;
		if (g->has_info) {
			/* A board with two GPUs (K80) shows two PCI devices
			 * that share one board power figure. */
			sg[n].power_w = g->info.board_w / g->info.per_board;
			sg[n].psu_w = g->info.psu_w;
			sg[n].mem_mib = g->info.mem_gib * 1024 / g->info.per_board;
		}
		n++;
	}
	sizing_compute(sg, n, r->host.cores, r->host.mem_kib, psu_watts, &r->sizing);
	free(sg);
}

int detect_run(const struct detect_request *req, struct detect_report *ret, struct strbuf *err)
{
	struct detect_report r = { 0 };
	struct gpu_db *db = NULL;
	int rc;

	rc = gpu_db_load(req->compat_dir, &db, err);
	if (rc < 0)
		return -EINVAL;
	r.source = req->pci.kind;
	rc = hw_pci_scan(&req->pci, db, &r.pci, err);
	if (rc < 0) {
		gpu_db_free(db);
		return rc;
	}
	r.db = db;  /* gpu_info strings point into it */

	hw_host_read(&r.host);
	compute_sizing(&r, req->psu_watts);
	gpu_warnings(&r);
	sizing_warnings(&r);
	*ret = r;
	return 0;
}

void detect_report_free(struct detect_report *r)
{
	pci_scan_free(&r->pci);
	gpu_db_free(r->db);
	host_info_free(&r->host);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i].message);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
