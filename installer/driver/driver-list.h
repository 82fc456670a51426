/*
 * driver-list.h - `gpu-setup driver --list`: every candidate apt offers,
 * sorted, each with a verdict (chosen, fits too, or cannot be used) and
 * the reason, as text or JSON.
 */
#ifndef GS_DRIVER_LIST_H
#define GS_DRIVER_LIST_H

#include <stdio.h>

#include <json-c/json.h>

#include "driver-offer.h"
#include "resolve.h"
#include "target.h"

enum driver_verdict { VERDICT_CHOSEN, VERDICT_KEPT, VERDICT_FITS, VERDICT_UNUSABLE };

struct driver_list {
	const struct target *t;
	const struct driver_offers *offers;
	const struct resolve_result *res;
	const struct driver_candidate *chosen;   /* NULL: kept or nothing fits */
	enum driver_verdict *verdict;            /* per candidate */
	char **reason;
	size_t n;
};

/* The chosen candidate for a resolver result: the usable one of its branch
 * and flavour.  NULL when the result keeps the installed driver or failed. */
const struct driver_candidate *driver_chosen(const struct driver_offers *o, const struct resolve_result *res);

/* Judge every candidate; req is the request res answered (its offer is
 * narrowed to one candidate at a time to find why the others lose). */
void driver_list_build(const struct target *t, const struct resolve_request *req, const struct resolve_result *res,
		       const struct driver_offers *o, struct driver_list *ret);
void driver_list_free(struct driver_list *l);

void driver_list_print_text(const struct driver_list *l, FILE *out);
struct json_object *driver_list_to_json(const struct driver_list *l);

#endif
