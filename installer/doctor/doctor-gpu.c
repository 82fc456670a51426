/*
 * doctor-gpu.c - the first and the last of doctor's groups: is there an
 * NVIDIA GPU, which kernel driver has it, and detect's sizing hints (power
 * supply, CPU, memory, PCIe width) as warnings.
 */
#include "config.h"

#include "doctor.h"
#include "util.h"

/* "GeForce RTX 3090 (10de:2204, Ampere, sm_86)" */
static char *gpu_title(const struct pci_gpu *g)
{
	if (!g->has_info)
		return xasprintf("%s (%04x:%04x, architecture unknown)", g->name, g->vendor_id, g->device_id);
	return xasprintf("%s (%04x:%04x, %s, sm_%u)", g->name, g->vendor_id, g->device_id, g->info.arch,
			 g->info.cc);
}

static void check_present(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	const struct detect_report *det = ctx->det;
	struct doctor_check *c;
	struct strbuf list = STRBUF_INIT;

	if (!det) {
		c = doctor_add(rep, "gpu.present", DOCTOR_FAIL, "the PCI devices could not be read: %s",
			       ctx->detect_error ? ctx->detect_error : "unknown error");
		doctor_set_fix(c, "run 'gpu-setup detect --verbose' to see what the PCI scan reads");
		return;
	}
	for (size_t i = 0; i < det->pci.ngpus; i++) {
		const struct pci_gpu *g = &det->pci.gpus[i];
		_cleanup_free_ char *addr = pci_gpu_address(g), *title = NULL;

		if (g->vendor_id != PCI_VENDOR_NVIDIA)
			continue;
		title = gpu_title(g);
		strbuf_addf(&list, "%s%s at %s", list.len ? "; " : "", title, addr);
	}
	if (det->pci.nvidia_count) {
		doctor_add(rep, "gpu.present", DOCTOR_OK, "%zu NVIDIA GPU%s (%s): %s", det->pci.nvidia_count,
			   det->pci.nvidia_count > 1 ? "s" : "", pci_source_kind_name(det->source), list.buf);
	} else {
		c = doctor_add(rep, "gpu.present", DOCTOR_FAIL,
			       "no NVIDIA GPU among the %zu PCI devices (%s); %zu display device%s of other vendors",
			       det->pci.ndevices, pci_source_kind_name(det->source), det->pci.ngpus,
			       det->pci.ngpus == 1 ? "" : "s");
		doctor_set_fix(c, "check that the card is seated and has its power cables; in a virtual machine, pass the GPU through to it");
	}
	strbuf_release(&list);
}

/* One check per NVIDIA GPU: the kernel driver bound to it. */
static void check_bound(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	const struct detect_report *det = ctx->det;

	if (!det)
		return;
	for (size_t i = 0; i < det->pci.ngpus; i++) {
		const struct pci_gpu *g = &det->pci.gpus[i];
		_cleanup_free_ char *addr = NULL;
		struct doctor_check *c;

		if (g->vendor_id != PCI_VENDOR_NVIDIA)
			continue;
		addr = pci_gpu_address(g);
		if (streq(g->driver, "nvidia")) {
			c = doctor_add(rep, "gpu.driver", DOCTOR_OK, "%s is driven by nvidia", g->name);
		} else if (streq(g->driver, "nouveau")) {
			c = doctor_add(rep, "gpu.driver", DOCTOR_FAIL,
				       "%s is driven by nouveau, the open-source driver, which CUDA cannot use",
				       g->name);
			doctor_set_fix(c, "install the NVIDIA driver ('sudo gpu-setup driver'), make sure nouveau is blacklisted (boot.nouveau below) and reboot");
		} else if (streq(g->driver, "vfio-pci")) {
			c = doctor_add(rep, "gpu.driver", DOCTOR_WARN,
				       "%s is bound to vfio-pci: reserved for a virtual machine, so this system cannot use it",
				       g->name);
			doctor_set_fix(c, "if this system should use it, remove its ID from vfio-pci.ids (kernel command line or /etc/modprobe.d) and reboot");
		} else if (streq(g->driver, "none")) {
			c = doctor_add(rep, "gpu.driver", DOCTOR_FAIL, "%s has no kernel driver bound", g->name);
			doctor_set_fix(c, "install the NVIDIA driver with 'sudo gpu-setup driver'; if it is installed, 'sudo modprobe nvidia' says why it does not load");
		} else if (streq(g->driver, "unknown")) {
			c = doctor_add(rep, "gpu.driver", DOCTOR_SKIP,
				       "%s: the PCI source (%s) does not say which driver is bound", g->name,
				       pci_source_kind_name(det->source));
		} else {
			c = doctor_add(rep, "gpu.driver", DOCTOR_FAIL, "%s is driven by %s, not by nvidia", g->name,
				       g->driver);
			doctor_set_fix(c, "unbind %s from %s and install the NVIDIA driver ('sudo gpu-setup driver')", addr,
				       g->driver);
		}
		doctor_set_subject(c, addr);
	}
}

void doctor_check_gpu(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	check_present(ctx, rep);
	check_bound(ctx, rep);
}

/* What to do about each of detect's warnings; the warning itself (the
 * evidence) already says by how much. */
static const struct {
	const char *id, *fix;
} sizing_fixes[] = {
	{ "gpu-unknown", "update gpu-setup: its compat data does not know this GPU, so the architecture checks are skipped" },
	{ "pcie-narrow", "move the card to a full-length slot wired for all its lanes, without a riser" },
	{ "psu-too-small", "fit a power supply of at least the recommended wattage" },
	{ "psu-marginal", "fit a power supply of the recommended wattage" },
	{ "cpu-weak", "use a CPU with more cores, or fewer GPUs per machine" },
	{ "memory-small", "add system memory" },
};

void doctor_check_sizing(struct doctor_ctx *ctx, struct doctor_report *rep)
{
	const struct detect_report *det = ctx->det;

	if (!det || !det->pci.nvidia_count)
		return;
	for (size_t i = 0; i < det->nwarnings; i++) {
		_cleanup_free_ char *id = xasprintf("sizing.%s", det->warnings[i].id);
		struct doctor_check *c = doctor_add(rep, id, DOCTOR_WARN, "%s", det->warnings[i].message);

		for (size_t j = 0; j < ELEMENTSOF(sizing_fixes); j++)
			if (streq(sizing_fixes[j].id, det->warnings[i].id))
				doctor_set_fix(c, "%s", sizing_fixes[j].fix);
		if (!c->fix)
			doctor_set_fix(c, "see 'gpu-setup detect' for the whole sizing report");
	}
	if (!det->nwarnings) {
		const struct sizing *s = &det->sizing;

		if (s->psu_verdict == PSU_ENOUGH)
			doctor_add(rep, "sizing.hints", DOCTOR_OK,
				   "the %u W power supply covers the estimated %u W load with headroom; CPU cores, memory and PCIe links fit the GPUs",
				   s->psu_w, s->load_w);
		else
			doctor_add(rep, "sizing.hints", DOCTOR_OK,
				   "CPU cores, memory and PCIe links fit the GPUs; a power supply of %u W is recommended (give --psu-watts to have yours judged)",
				   s->recommended_psu_w);
	}
}
