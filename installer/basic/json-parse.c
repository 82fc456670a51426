/*
 * json-parse.c - one JSON document, all or nothing (see json-parse.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "json-compat.h"
#include "json-parse.h"

int json_parse_document(const char *text, size_t len, struct json_object **ret, struct strbuf *err)
{
	struct json_tokener *tok;
	enum json_tokener_error jerr;
	struct json_object *o;
	int r = 0;

	*ret = NULL;
	if (len > INT32_MAX || memchr(text, '\0', len)) {
		strbuf_adds(err, len > INT32_MAX ? "not JSON (too large)" : "not JSON (it holds a NUL byte)");
		return -EINVAL;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success) {
		if (jerr == json_tokener_success || jerr == json_tokener_continue)
			jerr = json_tokener_error_parse_eof;
		strbuf_addf(err, "not JSON: %s at byte %zu", json_tokener_error_desc(jerr), json_parse_end(tok));
		r = -EINVAL;
	} else {
		/* Only white space may follow the value. */
		for (size_t i = json_parse_end(tok); i < len && r == 0; i++)
			if (!strchr(" \t\r\n", text[i])) {
				strbuf_addf(err, "not JSON: text after the object at byte %zu", i);
				r = -EINVAL;
			}
	}
	json_tokener_free(tok);
	if (r < 0) {
		if (o)
			json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}
