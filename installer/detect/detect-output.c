/*
 * detect-output.c - the detection report as a short readable text and as
 * JSON (schema in gpu-setup(8), DETECT JSON).
 */
#include "config.h"

#include <openssl/evp.h>

#include "detect.h"
#include "system-describe.h"
#include "util.h"

static void print_cc(FILE *out, unsigned cc)
{
	fprintf(out, "%u.%u", cc / 10, cc % 10);
}

static void print_link(FILE *out, const struct pcie_link *l)
{
	if (l->status == LINK_UNKNOWN) {
		fputs("                PCIe link: unknown (no PCIe capability in the data)\n", out);
		return;
	}
	fprintf(out, "                PCIe x%u of x%u, %.1f of %.1f GT/s", l->cur_width, l->max_width,
		l->cur_gts, l->max_gts);
	switch (l->status) {
	case LINK_NARROW:
		fputs(": NARROWER than the card supports\n", out);
		break;
	case LINK_IDLE_SPEED:
		fputs(": lower speed at idle is normal\n", out);
		break;
	default:
		fputs("\n", out);
	}
}

static void print_gpu(FILE *out, const struct pci_gpu *g)
{
	const struct gpu_info *gi = &g->info;

	fprintf(out, "  %04x:%02x:%02x.%u  %s %s [%04x:%04x]", g->domain, g->bus, g->dev, g->func,
		g->vendor_name, g->name, g->vendor_id, g->device_id);
	if (g->subsys_vendor_id && g->subsys_vendor_id != 0xffff)
		fprintf(out, ", subsystem %04x:%04x", g->subsys_vendor_id, g->subsys_id);
	fprintf(out, "\n                %s, driver: %s\n", pci_display_class_name(g->class_id),
		g->driver);
	if (g->vendor_id == PCI_VENDOR_NVIDIA) {
		if (!g->has_info) {
			fputs("                architecture unknown (not in compat data)\n", out);
		} else {
			fprintf(out, "                %s %s, compute capability ", gi->arch,
				gi->chip ? gi->chip : "(chip unknown)");
			print_cc(out, gi->cc);
			if (gi->inferred)
				fputs(" (inferred from the device ID)", out);
			if (gi->mem_gib && gi->per_board > 1)
				fprintf(out, ", %u GiB (of %u GiB on a %u-GPU board)",
					gi->mem_gib / gi->per_board, gi->mem_gib, gi->per_board);
			else if (gi->mem_gib)
				fprintf(out, ", %u GiB", gi->mem_gib);
			if (gi->board_w)
				fprintf(out, ", board power %u W%s%s", gi->board_w,
					gi->power_src == POWER_UNCONFIRMED ? " (unconfirmed)" : "",
					gi->per_board > 1 ? " per board" : "");
			else
				fputs(", board power unknown", out);
			fputs("\n", out);
		}
	}
	/* Integrated and BMC GPUs have no link worth reporting. */
	if (g->vendor_id == PCI_VENDOR_NVIDIA || g->link.status != LINK_UNKNOWN)
		print_link(out, &g->link);
}

static void print_sizing(FILE *out, const struct detect_report *r)
{
	const struct sizing *s = &r->sizing;

	fprintf(out, "Power:  GPUs %u W + CPU %u W + rest %u W = %u W estimated load", s->gpu_w,
		s->cpu_w, s->rest_w, s->load_w);
	if (s->unknown_power)
		fprintf(out, " (%u GPU(s) of unknown power not counted)", s->unknown_power);
	fprintf(out, "\n        recommended PSU: %s%u W (load + %u%% headroom, rounded up to 50 W)%s\n",
		s->unknown_power ? "at least " : "", s->recommended_psu_w, SIZING_HEADROOM_PCT,
		s->unknown_power ? " plus what the GPUs of unknown power draw" : "");
	if (s->psu_verdict != PSU_NOT_GIVEN)
		fprintf(out, "        your PSU: %u W: %s\n", s->psu_w,
			s->psu_verdict == PSU_ENOUGH	     ? "enough"
			: s->psu_verdict == PSU_MARGINAL    ? "marginal (no headroom for spikes)"
			: s->psu_verdict == PSU_CANNOT_TELL ? "cannot tell (some GPU power is unknown)"
							    : "too small");
}

void detect_print_text(const struct detect_report *r, FILE *out)
{
	const struct host_info *h = &r->host;

	if (r->pci.ngpus == 0) {
		fprintf(out, "GPUs: none (%zu PCI devices, none of them a display device)\n",
			r->pci.ndevices);
	} else {
		fprintf(out, "GPUs (%zu, %zu NVIDIA):\n", r->pci.ngpus, r->pci.nvidia_count);
		for (size_t i = 0; i < r->pci.ngpus; i++)
			print_gpu(out, &r->pci.gpus[i]);
	}
	if (r->pci.hybrid)
		fputs("Hybrid graphics: the NVIDIA GPU is a 3D controller beside an integrated GPU that drives the display (laptop-style, e.g. Optimus)\n",
		      out);
	fprintf(out, "CPU:    %s", h->cpu_model ? h->cpu_model : "unknown model");
	if (h->cores)
		fprintf(out, ", %u cores, %u threads", h->cores, h->threads);
	if (h->sockets > 1)
		fprintf(out, " in %u sockets", h->sockets);
	fputs("\n", out);
	if (h->mem_kib)
		fprintf(out, "Memory: %.1f GiB\n", (double)h->mem_kib / (1024.0 * 1024.0));
	else
		fputs("Memory: unknown\n", out);
	if (r->pci.nvidia_count)
		print_sizing(out, r);
	if (r->nwarnings) {
		fputs("Warnings:\n", out);
		for (size_t i = 0; i < r->nwarnings; i++)
			fprintf(out, "  - %s\n", r->warnings[i].message);
	}
	if (!r->pci.nvidia_count)
		fputs("No NVIDIA GPU found.\n", out);
}

/* json-c helpers: keep the schema code readable. */
static void put_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static void put_int(struct json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

/* Unknown numbers are null, never 0. */
static void put_opt_int(struct json_object *o, const char *k, long long v)
{
	json_object_object_add(o, k, v ? json_object_new_int64(v) : NULL);
}

static void put_hex(struct json_object *o, const char *k, unsigned v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04x", v & 0xffff);
	put_str(o, k, buf);
}

/* Two hex digits: the programming interface, part of the modalias. */
static void put_hex_byte(struct json_object *o, const char *k, unsigned v)
{
	char buf[4];

	snprintf(buf, sizeof(buf), "%02x", v & 0xff);
	put_str(o, k, buf);
}

static struct json_object *link_json(const struct pcie_link *l)
{
	struct json_object *o = json_object_new_object();

	put_str(o, "status", link_status_name(l->status));
	if (l->status == LINK_UNKNOWN)
		return o;
	put_str(o, "source", l->source);
	put_int(o, "max_width", l->max_width);
	put_int(o, "current_width", l->cur_width);
	json_object_object_add(o, "max_speed_gts", json_object_new_double(l->max_gts));
	json_object_object_add(o, "current_speed_gts", json_object_new_double(l->cur_gts));
	return o;
}

static struct json_object *nvidia_json(const struct pci_gpu *g)
{
	const struct gpu_info *gi = &g->info;
	struct json_object *o = json_object_new_object();
	char cc[24];

	if (!g->has_info) {
		json_object_object_add(o, "known", json_object_new_boolean(0));
		return o;
	}
	snprintf(cc, sizeof(cc), "%u.%u", gi->cc / 10, gi->cc % 10);
	json_object_object_add(o, "known", json_object_new_boolean(1));
	json_object_object_add(o, "inferred", json_object_new_boolean(gi->inferred));
	put_str(o, "architecture", gi->arch);
	put_str(o, "chip", gi->chip);
	put_str(o, "compute_capability", cc);
	put_opt_int(o, "board_power_w", gi->board_w);
	put_str(o, "board_power_source", gi->board_w ? power_source_name(gi->power_src) : NULL);
	put_int(o, "gpus_per_board", gi->per_board);
	put_opt_int(o, "board_memory_gib", gi->mem_gib);
	put_opt_int(o, "nvidia_recommended_psu_w", gi->psu_w);
	return o;
}

static struct json_object *gpu_json(const struct pci_gpu *g)
{
	struct json_object *o = json_object_new_object();
	char addr[16];

	snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%u", g->domain & 0xffff, g->bus, g->dev,
		 g->func);
	put_str(o, "address", addr);
	put_hex(o, "vendor_id", g->vendor_id);
	put_hex(o, "device_id", g->device_id);
	if (g->subsys_vendor_id && g->subsys_vendor_id != 0xffff) {
		put_hex(o, "subsystem_vendor_id", g->subsys_vendor_id);
		put_hex(o, "subsystem_id", g->subsys_id);
	} else {
		put_str(o, "subsystem_vendor_id", NULL);
		put_str(o, "subsystem_id", NULL);
	}
	put_hex(o, "class", g->class_id);
	put_hex_byte(o, "prog_if", g->prog_if);
	put_str(o, "class_name", pci_display_class_name(g->class_id));
	put_str(o, "vendor", g->vendor_name);
	put_str(o, "name", g->name);
	put_str(o, "name_source", g->name_source);
	put_str(o, "driver", g->driver);
	json_object_object_add(o, "pcie_link", link_json(&g->link));
	json_object_object_add(o, "nvidia",
			       g->vendor_id == PCI_VENDOR_NVIDIA ? nvidia_json(g) : NULL);
	return o;
}

static struct json_object *sizing_json(const struct detect_report *r)
{
	const struct sizing *s = &r->sizing;
	struct json_object *o = json_object_new_object();

	put_int(o, "gpu_w", s->gpu_w);
	put_int(o, "gpus_of_unknown_power", s->unknown_power);
	put_int(o, "cpu_w", s->cpu_w);
	put_int(o, "rest_w", s->rest_w);
	put_int(o, "load_w", s->load_w);
	put_int(o, "headroom_pct", SIZING_HEADROOM_PCT);
	put_int(o, "recommended_psu_w", s->recommended_psu_w);
	put_opt_int(o, "psu_w", s->psu_w);
	put_str(o, "psu_verdict", psu_verdict_name(s->psu_verdict));
	put_int(o, "cpu_cores_wanted", s->cores_wanted);
	put_opt_int(o, "gpu_memory_mib", (long long)s->gpu_mem_mib);
	return o;
}

struct json_object *detect_to_json(const struct detect_report *r)
{
	struct json_object *root = json_object_new_object();
	struct json_object *gpus = json_object_new_array();
	struct json_object *cpu = json_object_new_object();
	struct json_object *mem = json_object_new_object();
	struct json_object *warnings = json_object_new_array();

	put_int(root, "schema_version", DETECT_SCHEMA_VERSION);
	put_str(root, "source", pci_source_kind_name(r->source));
	put_int(root, "pci_devices", (long long)r->pci.ndevices);
	for (size_t i = 0; i < r->pci.ngpus; i++)
		json_object_array_add(gpus, gpu_json(&r->pci.gpus[i]));
	json_object_object_add(root, "gpus", gpus);
	put_int(root, "nvidia_gpus", (long long)r->pci.nvidia_count);
	json_object_object_add(root, "hybrid_graphics", json_object_new_boolean(r->pci.hybrid));

	put_str(cpu, "model", r->host.cpu_model);
	put_opt_int(cpu, "sockets", r->host.sockets);
	put_opt_int(cpu, "cores", r->host.cores);
	put_opt_int(cpu, "threads", r->host.threads);
	json_object_object_add(root, "cpu", cpu);
	put_opt_int(mem, "total_kib", (long long)r->host.mem_kib);
	json_object_object_add(root, "memory", mem);
	json_object_object_add(root, "sizing", r->pci.nvidia_count ? sizing_json(r) : NULL);
	for (size_t i = 0; i < r->nwarnings; i++) {
		struct json_object *w = json_object_new_object();
		put_str(w, "id", r->warnings[i].id);
		put_str(w, "message", r->warnings[i].message);
		json_object_array_add(warnings, w);
	}
	json_object_object_add(root, "warnings", warnings);
	return root;
}

static struct json_object *os_json(const struct os_release *os)
{
	struct json_object *o = json_object_new_object();

	put_str(o, "id", os->id);
	put_str(o, "version_id", os->version_id);
	put_str(o, "version_codename", os->codename);
	put_str(o, "pretty_name", os->pretty_name);
	put_str(o, "id_like", os->id_like);
	put_str(o, "ubuntu_codename", os->ubuntu_codename);
	put_str(o, "debian_codename", os->debian_codename);
	return o;
}

static struct json_object *driver_json(const struct system_description *s)
{
	struct json_object *o = json_object_new_object();

	put_str(o, "version", s->driver);
	put_str(o, "flavour", s->driver ? flavour_name(s->flavour) : NULL);
	return o;
}

/* Sources are text: kept as strings (json-c escapes what JSON must). */
static struct json_object *sources_json(const struct system_file *f, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		put_str(o, "path", f[i].path);
		json_object_object_add(o, "text", json_object_new_string_len(f[i].data, (int)f[i].len));
		json_object_array_add(a, o);
	}
	return a;
}

/* Keyrings are binary (or armoured): base64, so they travel byte for byte. */
static struct json_object *keys_json(const struct system_file *f, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();
		_cleanup_free_ unsigned char *b64 = xmalloc(4 * ((f[i].len + 2) / 3) + 1);
		int len = EVP_EncodeBlock(b64, (const unsigned char *)f[i].data, (int)f[i].len);

		put_str(o, "path", f[i].path);
		json_object_object_add(o, "base64", json_object_new_string_len((const char *)b64, len));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *packages_json(const struct system_apt *a)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < a->npackages; i++) {
		struct json_object *o = json_object_new_object();

		put_str(o, "name", a->packages[i].name);
		put_str(o, "version", a->packages[i].version);
		put_str(o, "arch", a->packages[i].arch);
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *apt_json(const struct system_apt *a)
{
	struct json_object *o = json_object_new_object();

	put_str(o, "arch", a->arch);
	json_object_object_add(o, "sources", sources_json(a->sources, a->nsources));
	json_object_object_add(o, "keys", keys_json(a->keys, a->nkeys));
	json_object_object_add(o, "packages", a->have_packages ? packages_json(a) : NULL);
	return o;
}

struct json_object *detect_system_json(const struct system_description *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "os", s->have_os ? os_json(&s->os) : NULL);
	put_str(o, "distro", s->have_os ? s->os.distro : NULL);
	put_str(o, "kernel", s->kernel);
	json_object_object_add(o, "driver", driver_json(s));
	json_object_object_add(o, "apt", s->have_apt ? apt_json(&s->apt) : NULL);
	return o;
}
