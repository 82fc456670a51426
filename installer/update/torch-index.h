/*
 * torch-index.h - a PyTorch per-variant simple index page,
 * https://download.pytorch.org/whl/cuXYZ/torch/: "Links for torch" and one
 * anchor per wheel, <a href="...#sha256=HEX" ...>torch-2.14.0+cu126-cp312-
 * cp312-manylinux_2_28_x86_64.whl</a>.  The hrefs may point to another host
 * (download-r2.pytorch.org); only the wheel names and digests are read.
 */
#ifndef GS_TORCH_INDEX_H
#define GS_TORCH_INDEX_H

#include <stddef.h>

#include "strbuf.h"
#include "version.h"

struct torch_index_release {
	struct version series;      /* 2.14 */
	struct version py_min, py_max;   /* from the cpXY tags of its Linux x86_64 wheels */
};

/* The releases with Linux x86_64 wheels of variant ("cu126") in the len
 * bytes at html, ascending.  Returns 0; -EINVAL with err saying why (no
 * torch wheel of that variant: not its index page; a #sha256= digest that
 * is not 64 hex digits). */
int torch_index_parse(const char *html, size_t len, const char *variant, struct torch_index_release **ret,
		      size_t *ret_n, struct strbuf *err);

#endif
