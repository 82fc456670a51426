/*
 * cudnn-place.c - call cudnn_place (or cudnn_inspect, cudnn_remove)
 * directly, for tests/bench/cudnn.sh until `gpu-setup install cudnn`
 * exists, and to time the placement apart from the rest of install.
 *
 *   cudnn-place [--root DIR] --toolkit DIR --cuda MAJOR --archive FILE [--sha256 HEX]
 *   cudnn-place --inspect FILE
 *   cudnn-place [--root DIR] --remove DIR
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>

#include "cudnn.h"
#include "strbuf.h"
#include "sysroot.h"
#include "util.h"

static int usage(void)
{
	fputs("usage: cudnn-place [--root DIR] --toolkit DIR --cuda MAJOR --archive FILE [--sha256 HEX]\n"
	      "       cudnn-place --inspect FILE\n"
	      "       cudnn-place [--root DIR] --remove DIR\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "toolkit", required_argument, NULL, 't' },
		{ "cuda", required_argument, NULL, 'c' },
		{ "archive", required_argument, NULL, 'a' },
		{ "sha256", required_argument, NULL, 's' },
		{ "inspect", required_argument, NULL, 'i' },
		{ "remove", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct cudnn_place_request req = { 0 };
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT;
	const char *inspect = NULL, *remove = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': sysroot_set(optarg); break;
		case 't': req.toolkit_dir = optarg; break;
		case 'c': req.toolkit_cuda_major = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'a': req.archive_path = optarg; break;
		case 's': req.expected_sha256 = optarg; break;
		case 'i': inspect = optarg; break;
		case 'R': remove = optarg; break;
		default: return usage();
		}
	}
	strbuf_init(&err);
	if (inspect) {
		struct cudnn_archive a;

		r = cudnn_inspect(inspect, &a, &err);
		if (r == 0) {
			printf("cuDNN %s (header %s) for CUDA %u, %s layout, %zu files, sha256 %s\n", a.name_version,
			       a.header_version, a.cuda_major, a.layout == CUDNN_LAYOUT_TGZ ? "tgz" : "txz", a.nfiles,
			       a.sha256);
			cudnn_archive_free(&a);
		}
	} else if (remove) {
		struct cudnn_remove_result res;

		r = cudnn_remove(remove, &res, &err);
		if (r == 0) {
			printf("removed cuDNN %s: %zu files removed, %zu already gone, %zu changed and kept\n",
			       res.version, res.nremoved, res.nmissing, res.nkept);
			cudnn_remove_result_free(&res);
		}
	} else {
		struct cudnn_place_result res;

		if (!req.toolkit_dir || !req.archive_path || !req.toolkit_cuda_major)
			return usage();
		r = cudnn_place(&req, &res, &err);
		if (r == 0) {
			printf("placed cuDNN %s: %zu files%s%s\n", res.info.name_version, res.nfiles,
			       res.replaced_previous ? ", replacing " : "",
			       res.replaced_previous ? res.previous_version : "");
			cudnn_place_result_free(&res);
		}
	}
	if (r < 0) {
		fprintf(stderr, "cudnn-place: %s (%s)\n", err.buf, strerror(-r));
		return 1;
	}
	return 0;
}
