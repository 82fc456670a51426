/*
 * redist-listing.h - the releases in NVIDIA's redist folder listing
 * (https://developer.download.nvidia.com/compute/cudnn/redist/ and
 * .../compute/cuda/redist/): an HTML index page linking one
 * redistrib_X.Y.Z.json manifest per release.
 */
#ifndef GS_REDIST_LISTING_H
#define GS_REDIST_LISTING_H

#include <stddef.h>

#include "strbuf.h"
#include "version.h"

/* The X.Y.Z of every href="redistrib_X.Y.Z.json" (quoted either way,
 * with or without a "./" before it) in the len bytes at html, ascending
 * and without repeats.  -EINVAL with err saying why when the page is not
 * such a listing (no manifest linked: a login page, a JSON answer, an
 * empty body). */
int redist_listing_parse(const char *html, size_t len, struct version **ret, size_t *ret_n, struct strbuf *err);

#endif
