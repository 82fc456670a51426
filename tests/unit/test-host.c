/* Unit tests: /proc/cpuinfo and /proc/meminfo parsing. */
#include "config.h"

#include "hw-host.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	struct host_info h = { 0 };
	static const char two_sockets[] =
		"processor\t: 0\nmodel name\t: Xeon X\nphysical id\t: 0\ncore id\t\t: 0\ncpu cores\t: 2\n\n"
		"processor\t: 1\nmodel name\t: Xeon X\nphysical id\t: 0\ncore id\t\t: 1\ncpu cores\t: 2\n\n"
		"processor\t: 2\nmodel name\t: Xeon X\nphysical id\t: 1\ncore id\t\t: 0\ncpu cores\t: 2\n\n"
		"processor\t: 3\nmodel name\t: Xeon X\nphysical id\t: 1\ncore id\t\t: 1\ncpu cores\t: 2\n\n"
		"processor\t: 4\nmodel name\t: Xeon X\nphysical id\t: 0\ncore id\t\t: 0\ncpu cores\t: 2\n\n";

	host_parse_cpuinfo(two_sockets, &h);
	is_str(h.cpu_model, "Xeon X", "model name");
	is_int(h.threads, 5, "threads count processors");
	is_int(h.cores, 4, "cores are distinct (socket, core) pairs");
	is_int(h.sockets, 2, "sockets are distinct physical ids");
	host_info_free(&h);

	memset(&h, 0, sizeof(h));
	host_parse_cpuinfo("processor\t: 0\nmodel name\t: VM\n\nprocessor\t: 1\nmodel name\t: VM\n", &h);
	is_int(h.cores, 2, "without topology, cores = threads");
	host_info_free(&h);

	is_int(host_parse_meminfo("MemTotal:       32768000 kB\nMemFree: 1 kB\n"), 32768000, "MemTotal");
	is_int(host_parse_meminfo("MemFree: 1 kB\n"), 0, "no MemTotal is unknown");
	is_int(host_parse_meminfo("XMemTotal: 5 kB\n"), 0, "only a whole-line MemTotal counts");
	return done_testing();
}
