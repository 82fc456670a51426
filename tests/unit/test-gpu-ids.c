/* Unit tests: every NVIDIA GPU in pci.ids from Kepler on is known to the
 * shipped GPU tables.  The test walks the devices of vendor 10de in
 * tests/fixtures/pci.ids (an unmodified upstream pci.ids, see
 * tests/fixtures/README) from 0x0fc0 (GK107, Kepler's first chip) up,
 * drops the functions that are not GPUs, and looks each remaining ID up
 * with gpu_db_lookup over compat/gpus.tsv and compat/gpu-ranges.tsv: it
 * must give a chip, an architecture and a compute capability; the chip
 * must be the one pci.ids's name starts with (GA102GL [A10] -> GA102) and
 * the architecture the one that chip code's generation belongs to (GA ->
 * Ampere).  One TAP line per chip family (the chip code without
 * its GL/GLM/M/BM variant suffix), naming the IDs that fail. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "gpus.h"
#include "tap.h"
#include "util.h"

#define FIRST_KEPLER 0x0fc0u

/* What is not a GPU, by pci.ids's name (substring, case as pci.ids writes
 * it).  The IDs between the GPUs' also name the other functions of the same
 * chips and of NVIDIA's SoCs; gpu-setup looks only display functions up
 * (PCI class 03), so these never reach the tables. */
static const struct {
	const char *text, *why;
} not_gpu[] = {
	{ "Audio", "HDMI/DP audio function of a GPU (\"HDMI Audio\", \"High Definition Audio\", \"HD Audio\")" },
	{ "USB", "USB 3.1 host controller of a Turing card's VirtualLink port" },
	{ "UCSI", "USB Type-C UCSI controller of a Turing card" },
	{ "NVSwitch", "NVLink switch chip, not a GPU" },
	{ "Root Complex", "Tegra/Orin/Parker SoC PCIe root complex" },
	{ "Root Port", "Thor SoC PCIe root port" },
	{ "PCI Express", "Thor SoC PCIe controller" },
	{ "PCIe host", "GB10 SoC PCIe host bridge" },
	{ "PCI bridge", "GB20B SoC PCI bridge" },
	{ "Endpoint", "Tegra SoC PCIe endpoint function" },
	{ "SATA", "Xavier SoC SATA controller" },
	{ " CPU", "Vera Rubin CPU function" },
	{ "nForce", "nForce chipset part" },
	{ "MCP", "nForce MCP chipset part" },
};

/* Chips before Kepler whose IDs sit among Kepler's (0x1040-0x10d8, 0x1140,
 * 0x1200-0x1251): Fermi (GF1xx) and Tesla (GT2xx); no CUDA gpu-setup
 * installs runs on them, and the tables do not list them. */
static const char *const pre_kepler[] = { "GF1", "GT2" };

/* Architecture of a chip code's generation letters. */
static const struct {
	const char *prefix, *arch;
} generations[] = {
	{ "GK", "Kepler" }, { "GM", "Maxwell" }, { "GP", "Pascal" },  { "GV", "Volta" },
	{ "TU", "Turing" }, { "GA", "Ampere" },  { "AD", "Ada" },     { "GH", "Hopper" },
	{ "GB", "Blackwell" }, { "GR", "Rubin" },
};

/* Families pci.ids has that the tables cannot cover yet, each with why.
 * Their lines are TODO: they must fail; once the tables learn them the
 * line passes as a TODO, which the harness reports (XPASS), so the entry
 * is removed here then. */
static const struct {
	const char *family, *why;
} known_gaps[] = {
	{ "GR100", "Rubin: not an architecture gpu-setup knows, no compute capability in the references" },
	{ "GR102", "Rubin: not an architecture gpu-setup knows, no compute capability in the references" },
	{ "GB112", "Blackwell GB10x-family chip: no compute capability in the references" },
	{ "GB120", "Blackwell chip: no compute capability in the references" },
};

/* IDs whose chip in pci.ids's name is not the chip of the tables, each
 * with why the tables are right. */
static const struct {
	unsigned id;
	const char *why;
} chip_exceptions[] = {
	{ 0x13ad, "pci.ids: \"GM204 [GM107 INT52]\", in GM107's block: the range says GM107" },
	{ 0x13ae, "pci.ids: \"GM204 [GM107 CS1]\", in GM107's block: the range says GM107" },
	{ 0x13be, "pci.ids: \"GM204 [GM107 CS1]\", in GM107's block: the range says GM107" },
	{ 0x13bf, "pci.ids: \"GM204 [GM107 INT52]\", in GM107's block: the range says GM107" },
};

struct family {
	char name[32];
	unsigned n;
	char archs[256];     /* "GA102 Ampere 8.6, ..." as met */
	char failed[4096];   /* "2203 (no range), ..." */
	unsigned nfailed;
};

static struct family families[128];
static size_t nfamilies;

static struct family *family_get(const char *name)
{
	for (size_t i = 0; i < nfamilies; i++)
		if (streq(families[i].name, name))
			return &families[i];
	if (nfamilies == ELEMENTSOF(families))
		abort();
	snprintf(families[nfamilies].name, sizeof(families[nfamilies].name), "%s", name);
	return &families[nfamilies++];
}

static void append(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf);

	if (len + 2 + strlen(text) + 1 < size)
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", text);
}

/* The chip code a pci.ids name starts with ("GA102GL [A10]" -> GA102,
 * "GA107BM / GN20..." -> GA107, "GK110BGL" -> GK110B), or "" when the name
 * starts with none ("GB6-256(N22W-ES-A1)"). */
static void chip_family(const char *name, char *out, size_t size)
{
	static const char *const variants[] = { "GLM", "GL", "BM", "M" };
	size_t n = strcspn(name, " [/");
	char tok[32];
	size_t i = 2;

	out[0] = '\0';
	if (n < 4 || n >= sizeof(tok))
		return;
	memcpy(tok, name, n);
	tok[n] = '\0';
	if (!(tok[0] >= 'A' && tok[0] <= 'Z' && tok[1] >= 'A' && tok[1] <= 'Z'))
		return;
	while (tok[i] >= '0' && tok[i] <= '9')
		i++;
	if (i < 4 || i > 5)
		return;
	for (size_t j = i; tok[j]; j++)
		if (!(tok[j] >= 'A' && tok[j] <= 'Z'))
			return;
	for (size_t v = 0; v < ELEMENTSOF(variants); v++)
		if (endswith(tok, variants[v]) && strlen(tok) - strlen(variants[v]) >= i) {
			tok[strlen(tok) - strlen(variants[v])] = '\0';
			break;
		}
	snprintf(out, size, "%s", tok);
}

/* A chip code for comparing: GK110B and GK208B are revisions of GK110
 * and GK208 (GB10B and GB20B are chips of their own). */
static void chip_base(const char *chip, char *out, size_t size)
{
	size_t n;

	chip_family(chip, out, size);
	n = strlen(out);
	if (n == 6 && out[n - 1] == 'B')
		out[n - 1] = '\0';
}

static bool chip_exception(unsigned id)
{
	for (size_t i = 0; i < ELEMENTSOF(chip_exceptions); i++)
		if (chip_exceptions[i].id == id)
			return true;
	return false;
}

static const char *generation_arch(const char *family)
{
	for (size_t i = 0; i < ELEMENTSOF(generations); i++)
		if (startswith(family, generations[i].prefix))
			return generations[i].arch;
	return NULL;
}

static const char *gap_why(const char *family)
{
	for (size_t i = 0; i < ELEMENTSOF(known_gaps); i++)
		if (streq(family, known_gaps[i].family))
			return known_gaps[i].why;
	return NULL;
}

static void check(const struct gpu_db *db, unsigned id, const char *name)
{
	char fam[32], what[160], ac[64], want[32], got[32];
	const char *gen;
	struct family *f;
	struct gpu_info gi;

	chip_family(name, fam, sizeof(fam));
	f = family_get(fam[0] ? fam : "(no chip code in the name)");
	f->n++;
	gen = fam[0] ? generation_arch(fam) : NULL;
	if (gpu_db_lookup(db, id, &gi) < 0) {
		snprintf(what, sizeof(what), "%04x (in neither table)", id);
	} else if (!gi.chip || !gi.arch || gi.cc == 0) {
		snprintf(what, sizeof(what), "%04x (chip, arch or cc missing)", id);
	} else if (gen && !streq(gen, gi.arch)) {
		snprintf(what, sizeof(what), "%04x (%s is %s, the %s says %s %s)", id, fam, gen,
			 gi.inferred ? "range" : "table", gi.chip, gi.arch);
	} else if (fam[0] && (chip_base(fam, want, sizeof(want)), chip_base(gi.chip, got, sizeof(got)),
			      !streq(want, got)) && !chip_exception(id)) {
		snprintf(what, sizeof(what), "%04x (pci.ids says %s, the %s says %s)", id, fam,
			 gi.inferred ? "range" : "table", gi.chip);
	} else {
		snprintf(ac, sizeof(ac), "%s %s %u.%u", gi.chip, gi.arch, gi.cc / 10, gi.cc % 10);
		if (!strstr(f->archs, ac))
			append(f->archs, sizeof(f->archs), ac);
		return;
	}
	f->nfailed++;
	append(f->failed, sizeof(f->failed), what);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	_cleanup_free_ char *compat = xasprintf("%s/compat", top ? top : ".");
	_cleanup_free_ char *ids = xasprintf("%s/tests/fixtures/pci.ids", top ? top : ".");
	_cleanup_free_ char *line = NULL;
	struct strbuf err = STRBUF_INIT;
	struct gpu_db *db = NULL;
	unsigned walked = 0, excluded[ELEMENTSOF(not_gpu)] = { 0 }, older = 0;
	size_t cap = 0;
	bool in_nvidia = false;
	FILE *f;

	if (!ok(gpu_db_load(compat, &db, &err) == 0, "shipped GPU tables load"))
		printf("# %s\n", err.buf);
	strbuf_release(&err);
	f = fopen(ids, "re");
	ok(f != NULL, "%s opens", ids);
	if (!db || !f)
		return done_testing();

	while (getline(&line, &cap, f) > 0) {
		unsigned id;
		int n = 0;
		char *name;
		bool skip = false;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\t' && line[0] != '#' && line[0] != '\0') {
			/* A vendor line ("10de  NVIDIA Corporation") or a class line. */
			in_nvidia = startswith(line, "10de  ");
			continue;
		}
		if (!in_nvidia || line[0] != '\t' || line[1] == '\t')
			continue;  /* other vendors, comments, subsystems */
		if (sscanf(line, "\t%4x  %n", &id, &n) != 1 || n != 7)
			continue;
		if (id < FIRST_KEPLER)
			continue;
		name = line + n;
		for (size_t i = 0; i < ELEMENTSOF(not_gpu) && !skip; i++)
			if (strstr(name, not_gpu[i].text)) {
				excluded[i]++;
				skip = true;
			}
		for (size_t i = 0; i < ELEMENTSOF(pre_kepler) && !skip; i++)
			if (startswith(name, pre_kepler[i])) {
				older++;
				skip = true;
			}
		if (skip)
			continue;
		walked++;
		check(db, id, name);
	}
	fclose(f);

	for (size_t i = 0; i < ELEMENTSOF(not_gpu); i++)
		if (excluded[i])
			printf("# not a GPU, \"%s\": %u IDs (%s)\n", not_gpu[i].text, excluded[i], not_gpu[i].why);
	printf("# before Kepler (GF1xx, GT2xx): %u IDs\n", older);
	/* The fixture is the whole upstream file, not a hand-picked subset. */
	ok(walked >= 800, "pci.ids names %u NVIDIA display devices from 0x%04x on", walked, FIRST_KEPLER);

	for (size_t i = 0; i < nfamilies; i++) {
		const struct family *fm = &families[i];
		const char *why = gap_why(fm->name);

		if (fm->nfailed == 0)
			ok(1, "%s: %u IDs -> %s%s%s", fm->name, fm->n, fm->archs, why ? " # TODO " : "",
			   why ? why : "");
		else if (!ok(0, "%s: %u of %u IDs unmapped or wrong: %s%s%s", fm->name, fm->nfailed, fm->n,
			     fm->failed, why ? " # TODO " : "", why ? why : "") && why)
			tap_failed--;  /* a TODO failure is expected: not the program's */
	}
	gpu_db_free(db);
	return done_testing();
}
