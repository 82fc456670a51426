/*
 * json-parse.h - one JSON document from a buffer, all or nothing: what a
 * machine description or an upstream manifest must be.
 */
#ifndef GS_JSON_PARSE_H
#define GS_JSON_PARSE_H

#include <stddef.h>

#include <json-c/json.h>

#include "strbuf.h"

/* Parse the len bytes at text as one JSON value followed by nothing but
 * white space.  Returns 0 with *ret set, or -EINVAL with err saying why
 * ("not JSON: unexpected end of data at byte 120", "not JSON: text after
 * the object at byte 9", "not JSON (it holds a NUL byte)"). */
int json_parse_document(const char *text, size_t len, struct json_object **ret, struct strbuf *err);

#endif
