/*
 * json-result.c - the run's one JSON result and its envelope (see
 * json-result.h).
 */
#include "config.h"

#include "json-result.h"
#include "log.h"
#include "util.h"

static struct json_object *result;

void json_result_set(struct json_object *o)
{
	if (result)
		json_object_put(result);
	result = o;
}

void json_print(struct json_object *o, FILE *out)
{
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						       JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	fflush(out);
}

/* key from the command's document when it has one, else fallback. */
static struct json_object *member_or(const char *key, struct json_object *fallback)
{
	struct json_object *v;

	if (result && json_object_object_get_ex(result, key, &v)) {
		json_object_put(fallback);
		return json_object_get(v);
	}
	return fallback;
}

void json_result_finish(const char *command, int exit_code, int schema_version, FILE *out)
{
	struct json_object *doc = json_object_new_object();
	const char *error = exit_code ? log_first_error() : NULL;
	static const char *const envelope[] = { "schema_version", "command", "result", "exit_code", "error" };

	/* The envelope first, in the same order for every command. */
	json_object_object_add(doc, "schema_version", member_or("schema_version", json_object_new_int(schema_version)));
	json_object_object_add(doc, "command", member_or("command", json_object_new_string(command)));
	json_object_object_add(doc, "result",
			       member_or("result", json_object_new_string(exit_code ? "failed" : "ok")));
	json_object_object_add(doc, "exit_code", json_object_new_int(exit_code));
	json_object_object_add(doc, "error", error ? json_object_new_string(error) : NULL);
	if (result) {
		json_object_object_foreach(result, key, val) {
			bool in_envelope = false;

			for (size_t i = 0; i < ELEMENTSOF(envelope); i++)
				in_envelope |= streq(key, envelope[i]);
			if (!in_envelope)
				json_object_object_add(doc, key, json_object_get(val));
		}
	}
	json_print(doc, out);
	json_object_put(doc);
	json_result_set(NULL);
}
