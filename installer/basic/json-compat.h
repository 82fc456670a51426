/*
 * json-compat.h - the one place that makes up for what json-c 0.13
 * (Ubuntu 20.04's) lacks of the newer API gpu-setup calls; configure
 * checks which the library has.
 */
#ifndef GS_JSON_COMPAT_H
#define GS_JSON_COMPAT_H

#include <stddef.h>

#include <json-c/json.h>

/* Where the last json_tokener_parse_ex on tok stopped: just after the
 * object, or at the byte that made it fail. */
static inline size_t json_parse_end(struct json_tokener *tok)
{
#ifdef HAVE_JSON_TOKENER_GET_PARSE_END
	return json_tokener_get_parse_end(tok);
#else
	/* json-c before 0.15 has no accessor; the field is public there. */
	return (size_t)tok->char_offset;
#endif
}

#endif
