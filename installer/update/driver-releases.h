/*
 * driver-releases.h - NVIDIA's list of datacenter driver branches,
 * https://docs.nvidia.com/datacenter/tesla/drivers/releases.json:
 * { "595": { "type": "production branch", "driver_info": [
 *     { "release_version": "595.58.03", "release_date": ..., ... } ] }, ... }
 */
#ifndef GS_DRIVER_RELEASES_H
#define GS_DRIVER_RELEASES_H

#include <stddef.h>

#include "compat.h"
#include "strbuf.h"

struct driver_release_branch {
	unsigned branch;            /* 595 */
	enum branch_type type;      /* BRANCH_TYPE_UNKNOWN for a type not known here */
	char *type_text;            /* as NVIDIA wrote it */
	char *newest;               /* the newest release_version, "595.58.03" */
};

/* Parse the len bytes at text; branches ascending.  Returns 0 or -EINVAL
 * with err naming the branch or key that is wrong. */
int driver_releases_parse(const char *text, size_t len, struct driver_release_branch **ret, size_t *ret_n,
			  struct strbuf *err);
void driver_releases_free(struct driver_release_branch *b, size_t n);

#endif
