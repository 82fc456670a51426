/*
 * resolve-internal.h - what resolve.c (the choice) and resolve-explain.c
 * (the fixes and notes around it) share; not for callers of resolve.h.
 */
#ifndef GS_RESOLVE_INTERNAL_H
#define GS_RESOLVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "resolve.h"

/* One resolution without explanations: true when res->ok. */
bool resolve_core(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *res);
/* Append a note (topic kept, text formatted) to a list. */
void resolve_add_note(struct resolve_note **list, size_t *n, const char *topic, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "PyTorch 2.7 cu128": a build's name for the reasons. */
void resolve_build_name(const struct fw_build *b, char *buf, size_t size);
/* Nothing fits: the fixes that would. */
void resolve_explain_fixes(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *res);
/* It fits for several GPUs: whether the older ones hold the others back. */
void resolve_note_held_back(const struct compat_db *db, const struct resolve_request *req, struct resolve_result *res);

#endif
