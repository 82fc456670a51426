/*
 * upstream-check.h - the checks every parser of an upstream document
 * shares: a value of the right JSON type, a digest, a size, a date, a
 * relative path that stays where it should.
 */
#ifndef GS_UPSTREAM_CHECK_H
#define GS_UPSTREAM_CHECK_H

#include <stdbool.h>

#include <json-c/json.h>

/* o's member key when it is a JSON string, else NULL. */
const char *upstream_string(struct json_object *o, const char *key);
/* s is exactly n lower-case hex digits. */
bool upstream_is_hex(const char *s, size_t n);
/* "2026-09-29" */
bool upstream_is_date(const char *s);
/* A relative path of plain components ([A-Za-z0-9._+-], no "." or ".."
 * component, no empty one): safe to append to a base URL or a folder. */
bool upstream_safe_path(const char *path);

#endif
