/*
 * hw-host.h - CPU and memory of the machine, from <root>/proc.
 */
#ifndef GS_HW_HOST_H
#define GS_HW_HOST_H

struct host_info {
	char *cpu_model;          /* NULL when unknown */
	unsigned sockets;         /* 0 when unknown */
	unsigned cores;           /* physical cores, 0 when unknown */
	unsigned threads;         /* logical CPUs, 0 when unknown */
	unsigned long long mem_kib; /* MemTotal, 0 when unknown */
};

/* Parse /proc/cpuinfo text; exposed for unit tests. */
void host_parse_cpuinfo(const char *text, struct host_info *h);
/* Parse /proc/meminfo text: MemTotal in KiB, or 0. */
unsigned long long host_parse_meminfo(const char *text);
/* Read both files under the sysroot; missing files leave fields unknown. */
void hw_host_read(struct host_info *h);
void host_info_free(struct host_info *h);

#endif
