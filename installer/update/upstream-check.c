/*
 * upstream-check.c - checks shared by the upstream parsers (see
 * upstream-check.h).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "upstream-check.h"

const char *upstream_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool upstream_is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

bool upstream_is_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	if (strlen(s) != strlen(shape))
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
			return false;
	return true;
}

bool upstream_safe_path(const char *path)
{
	const char *p = path;

	if (!*p)
		return false;
	for (;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)p[i]) && !strchr("._+-", p[i]))
				return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}
