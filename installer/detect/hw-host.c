/*
 * hw-host.c - /proc/cpuinfo and /proc/meminfo.
 */
#include "config.h"

#include <stdlib.h>

#include "fileio.h"
#include "hw-host.h"
#include "log.h"
#include "sysroot.h"
#include "util.h"

#define MAX_CPUS 8192

/* "key<TAB>: value" -> value, or NULL if the line is not for key. */
static const char *field(const char *line, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	if (strncmp(line, key, n) != 0)
		return NULL;
	p = line + n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

void host_parse_cpuinfo(const char *text, struct host_info *h)
{
	/* Physical cores are the distinct (physical id, core id) pairs;
	 * sockets the distinct physical ids. */
	long *pairs = xcalloc(MAX_CPUS, sizeof(long));
	long *sockets = xcalloc(MAX_CPUS, sizeof(long));
	size_t npairs = 0, nsockets = 0;
	unsigned threads = 0, cores_field = 0;
	long phys = 0;
	int have_core_ids = 0;
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v;

		if (field(line, "processor")) {
			threads++;
			phys = 0;
		} else if ((v = field(line, "model name")) && !h->cpu_model && *v) {
			h->cpu_model = xstrdup(v);
		} else if ((v = field(line, "physical id"))) {
			phys = strtol(v, NULL, 10);
			size_t i;
			for (i = 0; i < nsockets && sockets[i] != phys; i++)
				;
			if (i == nsockets && nsockets < MAX_CPUS)
				sockets[nsockets++] = phys;
		} else if ((v = field(line, "core id"))) {
			long key = phys * 65536 + strtol(v, NULL, 10);
			size_t i;
			have_core_ids = 1;
			for (i = 0; i < npairs && pairs[i] != key; i++)
				;
			if (i == npairs && npairs < MAX_CPUS)
				pairs[npairs++] = key;
		} else if ((v = field(line, "cpu cores"))) {
			cores_field = (unsigned)strtoul(v, NULL, 10);
		}
	}
	h->threads = threads;
	h->sockets = nsockets ? (unsigned)nsockets : (threads ? 1 : 0);
	if (have_core_ids)
		h->cores = (unsigned)npairs;
	else if (cores_field)
		h->cores = cores_field * h->sockets;
	else
		h->cores = threads; /* some VMs hide the topology */
	free(pairs);
	free(sockets);
}

unsigned long long host_parse_meminfo(const char *text)
{
	const char *p = strstr(text, "MemTotal:");

	if (!p || (p != text && p[-1] != '\n'))
		return 0;
	return strtoull(p + strlen("MemTotal:"), NULL, 10);
}

void hw_host_read(struct host_info *h)
{
	_cleanup_free_ char *cpuinfo_path = sysroot_path("/proc/cpuinfo");
	_cleanup_free_ char *meminfo_path = sysroot_path("/proc/meminfo");
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	memset(h, 0, sizeof(*h));
	r = read_file(cpuinfo_path, 16u << 20, &text, &len);
	if (r < 0)
		log_debug("cannot read '%s': %s", cpuinfo_path, strerror(-r));
	else
		host_parse_cpuinfo(text, h);
	free(text);
	text = NULL;
	r = read_file(meminfo_path, 1u << 20, &text, &len);
	if (r < 0)
		log_debug("cannot read '%s': %s", meminfo_path, strerror(-r));
	else
		h->mem_kib = host_parse_meminfo(text);
}

void host_info_free(struct host_info *h)
{
	free(h->cpu_model);
	h->cpu_model = NULL;
}
