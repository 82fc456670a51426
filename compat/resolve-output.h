/*
 * resolve-output.h - print a resolver result as text (with or without the
 * reasons) or as JSON; shared by `compat` and `plan`.
 */
#ifndef GS_RESOLVE_OUTPUT_H
#define GS_RESOLVE_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "resolve.h"

/* The pip requirement for a build, pinned: "torch==2.7.*" or
 * "tensorflow[and-cuda]==2.15.*" (pip takes the newest patch release of
 * the series), or "torch==2.7.1" when want (the user's --framework
 * version, NULL: none) names a full release of the build's series.
 * Caller frees. */
char *fw_build_requirement(const struct fw_build *b, const char *want);

/* "a,b" -> "a b", for showing a package list; caller frees. */
char *package_list_words(const char *list);

void resolve_print_text(const struct resolve_result *r, bool explain, FILE *out);
/* The choice (or conflict) as a JSON object; request is described by the
 * caller. */
struct json_object *resolve_to_json(const struct resolve_result *r);

#endif
