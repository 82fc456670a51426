/*
 * framework-env.c - naming, pinning and reading back a framework's conda
 * environment (see framework-env.h).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>

#include <json-c/json.h>

#include "doctor-python.h"
#include "fileio.h"
#include "framework-env.h"
#include "sysroot.h"
#include "util.h"
#include "version.h"

char *framework_env_name(const struct fw_build *b)
{
	return xasprintf("%s-%s", framework_name(b->fw), b->version);
}

char *fw_build_cuda_text(const struct fw_build *b)
{
	return xasprintf("%u.%u", b->cuda.part[0], b->cuda.part[1]);
}

char *pip_requirement_project(const char *requirement)
{
	/* PEP 508: the name ends at extras, a version specifier, a marker
	 * or white space. */
	return xasprintf("%.*s", (int)strcspn(requirement, "[=<>!~; \t"), requirement);
}

/* PEP 503 normalization, with the "_" wheel file names use for a run of
 * "-", "_" and ".". */
static char *normalize_name(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-' || s[i] == '_' || s[i] == '.') {
			if (o == out || o[-1] != '_')
				*o++ = '_';
		} else {
			*o++ = (char)tolower((unsigned char)s[i]);
		}
	}
	*o = '\0';
	return out;
}

/* "torch-2.7.1+cu128.dist-info" for project: the version, else NULL. */
static char *dist_info_match(const char *entry, const char *want)
{
	static const char suffix[] = ".dist-info";
	size_t n = strlen(entry), ns = sizeof(suffix) - 1;
	const char *dash;
	_cleanup_free_ char *name = NULL;

	if (n <= ns || !streq(entry + n - ns, suffix))
		return NULL;
	/* The version holds no "-" (wheel names escape it), so the last one
	 * before the suffix splits name and version. */
	dash = memrchr(entry, '-', n - ns);
	if (!dash || dash == entry || dash + 1 == entry + n - ns)
		return NULL;
	name = normalize_name(entry, (size_t)(dash - entry));
	if (!streq(name, want))
		return NULL;
	return xasprintf("%.*s", (int)(entry + n - ns - dash - 1), dash + 1);
}

static int site_dir_version(const char *site, const char *want, char **ret)
{
	DIR *d = opendir(site);
	struct dirent *de;
	char *version = NULL;

	if (!d)
		return -errno;
	while (!version && (de = readdir(d)))
		version = dist_info_match(de->d_name, want);
	closedir(d);
	if (!version)
		return -ENOENT;
	*ret = version;
	return 0;
}

int env_installed_version(const char *env_dir, const char *project, char **ret)
{
	_cleanup_free_ char *lib = xasprintf("%s/lib", env_dir), *want = normalize_name(project, strlen(project));
	DIR *d = opendir(lib);
	struct dirent *de;
	int r = -ENOENT;

	if (!d)
		return -ENOENT;
	while (r == -ENOENT && (de = readdir(d))) {
		_cleanup_free_ char *site = NULL;

		if (!startswith(de->d_name, "python"))
			continue;
		site = xasprintf("%s/%s/site-packages", lib, de->d_name);
		r = site_dir_version(site, want, ret);
		if (r < 0 && r != -ENOENT && r != -ENOTDIR)
			break;
		if (r == -ENOTDIR)
			r = -ENOENT;
	}
	closedir(d);
	return r;
}

char *public_version(const char *installed)
{
	return xasprintf("%.*s", (int)strcspn(installed, "+"), installed);
}

static const char *json_string_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int env_marker_parse(const char *text, struct env_marker *ret)
{
	struct json_object *o = json_tokener_parse(text);
	const char *fw, *version, *cuda;

	if (!o || !json_object_is_type(o, json_type_object) || !(fw = json_string_member(o, "framework")) ||
	    !(version = json_string_member(o, "version")) || !(cuda = json_string_member(o, "cuda"))) {
		json_object_put(o);
		return -EINVAL;
	}
	ret->framework = xstrdup(fw);
	ret->version = xstrdup(version);
	ret->cuda = xstrdup(cuda);
	json_object_put(o);
	return 0;
}

void env_marker_free(struct env_marker *m)
{
	free(m->framework);
	free(m->version);
	free(m->cuda);
	m->framework = m->version = m->cuda = NULL;
}

static struct json_object *string_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

char *env_marker_format(const struct env_marker *m, const char *installed, const char *requirement,
			const char *index_url, const char *python)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "framework", json_object_new_string(m->framework));
	json_object_object_add(o, "version", json_object_new_string(m->version));
	json_object_object_add(o, "cuda", json_object_new_string(m->cuda));
	json_object_object_add(o, "installed", string_or_null(installed));
	json_object_object_add(o, "requirement", string_or_null(requirement));
	json_object_object_add(o, "index_url", string_or_null(index_url));
	json_object_object_add(o, "python", string_or_null(python));
	text = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_SPACED |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

bool env_marker_matches(const struct env_marker *m, const struct fw_build *b, const char *want,
			struct strbuf *why)
{
	_cleanup_free_ char *cuda = fw_build_cuda_text(b);
	struct version have, w;
	bool full = want && version_parse(want, &w) == 0 && w.nparts >= 3;

	if (!streq(m->framework, framework_name(b->fw))) {
		strbuf_addf(why, "it holds %s, not %s", m->framework, framework_name(b->fw));
		return false;
	}
	if (version_parse(m->version, &have) < 0 || !version_matches(&have, &b->v)) {
		strbuf_addf(why, "it holds %s %s, not a %s release", m->framework, m->version, b->version);
		return false;
	}
	if (full && version_cmp(&have, &w) != 0) {
		strbuf_addf(why, "it holds %s %s, not %s", m->framework, m->version, want);
		return false;
	}
	if (!streq(m->cuda, cuda)) {
		strbuf_addf(why, "it holds %s %s for CUDA %s, not for CUDA %s", m->framework, m->version, m->cuda,
			    cuda);
		return false;
	}
	return true;
}

int env_marker_read(const char *env_dir, struct env_marker *ret)
{
	_cleanup_free_ char *marker = xasprintf("%s/%s", env_dir, GS_ENV_MARKER), *host = NULL, *text = NULL;
	size_t len;
	int r = sysroot_host_path(marker, &host);

	if (r == 0)
		r = read_file(host, 1 << 20, &text, &len);
	return r < 0 ? r : env_marker_parse(text, ret);
}
