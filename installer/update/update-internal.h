/*
 * update-internal.h - what update.c (the run, the overlay) and
 * update-sources.c (reading each source into rows) share.
 */
#ifndef GS_UPDATE_INTERNAL_H
#define GS_UPDATE_INTERNAL_H

#include "compat.h"
#include "update.h"

/* How long one document may take, and how large it may be. */
#define UPDATE_TIMEOUT_MS 60000L
#define UPDATE_MAX_DOC (8u << 20)
/* How many releases newer than the tables one listing may name. */
#define UPDATE_MAX_NEW_RELEASES 24

/* Fill src from its source, against db (the tables as they are now);
 * false with src->error set when the source failed. */
bool update_read_cudnn(struct update_source *src, const struct compat_db *db, const struct update_urls *u);
bool update_read_cuda(struct update_source *src, const struct compat_db *db, const struct update_urls *u);
bool update_read_pytorch(struct update_source *src, const struct compat_db *db, const struct update_urls *u);
bool update_read_drivers(struct update_source *src, const struct compat_db *db, const struct update_urls *u);

#endif
