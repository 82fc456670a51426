/*
 * fetch-files.c - fetch_all on the files named on the command line, for
 * tests/bench/fetch.sh (the engine timed alone, without the plan and
 * the cache around it in `gpu-setup fetch`).
 *
 *   fetch-files [--parallel N] [--progress] DIR URL SHA256 SIZE [URL SHA256 SIZE]...
 *
 * Each URL goes to DIR/its last path component.  Exit status 0 when every
 * file arrived verified, 1 otherwise (each failure on stderr).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "log.h"
#include "util.h"

static int usage(void)
{
	fputs("usage: fetch-files [--parallel N] [--progress] DIR URL SHA256 SIZE [URL SHA256 SIZE]...\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "parallel", required_argument, NULL, 'p' },
		{ "progress", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct fetch_options opt = { 0 };
	struct fetch_item *items;
	char **dests;
	const char ***urls;
	size_t n;
	int c, failed;

	/* One line per file on stderr would be timed too. */
	log_set_level(LOG_LEVEL_WARNING);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': opt.parallel = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'P': opt.progress = true; break;
		default: return usage();
		}
	}
	if (argc - optind < 4 || (argc - optind - 1) % 3 != 0)
		return usage();
	n = (size_t)(argc - optind - 1) / 3;
	items = xcalloc(n, sizeof(*items));
	dests = xcalloc(n, sizeof(*dests));
	urls = xcalloc(n, sizeof(*urls));
	for (size_t i = 0; i < n; i++) {
		char **a = argv + optind + 1 + 3 * i;
		const char *base = strrchr(a[0], '/');

		urls[i] = xcalloc(2, sizeof(*urls[i]));
		urls[i][0] = a[0];
		dests[i] = xasprintf("%s/%s", argv[optind], base ? base + 1 : a[0]);
		items[i] = (struct fetch_item){ .urls = urls[i], .dest = dests[i], .sha256 = a[1],
						.size = strtoull(a[2], NULL, 10), .label = base ? base + 1 : a[0] };
	}
	failed = fetch_all(items, n, &opt);
	if (failed < 0)
		fprintf(stderr, "fetch-files: %s\n", strerror(-failed));
	for (size_t i = 0; i < n; i++) {
		if (items[i].result < 0)
			fprintf(stderr, "fetch-files: %s: %s\n", items[i].label, items[i].error);
		free(dests[i]);
		free(urls[i]);
	}
	fetch_items_release(items, n);
	free(items);
	free(dests);
	free(urls);
	return failed == 0 ? 0 : 1;
}
