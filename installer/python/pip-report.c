/*
 * pip-report.c - the framework's wheels from pip's installation report
 * (see pip-report.h).
 */
#include "config.h"

#include <errno.h>

#include <json-c/json.h>

#include "pip-report.h"
#include "util.h"

/* manylinux tags from the oldest glibc pip wheels use up to 2.31, the
 * glibc of the oldest distribution gpu-setup supports (Ubuntu 20.04), so
 * that every wheel chosen runs on each of them. */
static const char *const platforms[] = {
	"manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_24_x86_64", "manylinux_2_27_x86_64",
	"manylinux_2_28_x86_64", "manylinux_2_31_x86_64", "linux_x86_64",
};

char **pip_report_argv(const char *python, const char *index_url, const char *requirement,
		       const char *target_dir, const char *report_path)
{
	char nodot[16] = "";
	size_t n = 0, max = 40;
	char **argv = xcalloc(max, sizeof(*argv));

	for (const char *s = python; *s && strlen(nodot) < sizeof(nodot) - 1; s++)
		if (*s != '.')
			strncat(nodot, s, 1);
#define ADD(x) (argv[n++] = xstrdup(x))
	ADD("python3");
	ADD("-m");
	ADD("pip");
	ADD("install");
	ADD("--dry-run");
	ADD("--quiet");
	ADD("--disable-pip-version-check");
	ADD("--ignore-installed");
	ADD("--only-binary=:all:");
	for (size_t i = 0; i < ELEMENTSOF(platforms); i++) {
		ADD("--platform");
		ADD(platforms[i]);
	}
	ADD("--python-version");
	ADD(python);
	ADD("--implementation");
	ADD("cp");
	argv[n++] = xasprintf("--abi=cp%s", nodot);
	ADD("--target");
	ADD(target_dir);
	ADD("--report");
	ADD(report_path);
	if (index_url) {
		ADD("--index-url");
		ADD(index_url);
	}
	ADD(requirement);
#undef ADD
	return argv;
}

static const char *member_string(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v) : NULL;
}

/* archive_info's sha256: "hashes": {"sha256": X} (pip >= 23.1), else the
 * older "hash": "sha256=X". */
static const char *archive_sha256(struct json_object *info)
{
	struct json_object *hashes;
	const char *h;

	if (json_object_object_get_ex(info, "hashes", &hashes) && (h = member_string(hashes, "sha256")))
		return h;
	h = member_string(info, "hash");
	return h && startswith(h, "sha256=") ? h + strlen("sha256=") : NULL;
}

static bool is_wheel_name(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && streq(name + n - 4, ".whl");
}

int pip_report_add(const char *json_text, struct fetch_plan *p, struct strbuf *err)
{
	struct json_object *root = json_tokener_parse(json_text), *install, *v;
	int added = 0, r = 0;

	if (!root || !json_object_is_type(root, json_type_object)) {
		strbuf_addf(err, "pip's report is not a JSON object");
		r = -EINVAL;
		goto out;
	}
	if (!json_object_object_get_ex(root, "version", &v) || !streq(json_object_get_string(v), "1")) {
		strbuf_addf(err, "pip's report has version '%s', gpu-setup reads version 1",
			    v ? json_object_get_string(v) : "(none)");
		r = -EINVAL;
		goto out;
	}
	if (!json_object_object_get_ex(root, "install", &install) || !json_object_is_type(install, json_type_array)) {
		strbuf_addf(err, "pip's report has no \"install\" list");
		r = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(install); i++) {
		struct json_object *item = json_object_array_get_idx(install, i), *dl, *meta, *info;
		const char *url = NULL, *version = NULL, *sha = NULL;
		_cleanup_free_ char *name = NULL;

		if (json_object_object_get_ex(item, "download_info", &dl))
			url = member_string(dl, "url");
		if (json_object_object_get_ex(item, "metadata", &meta))
			version = member_string(meta, "version");
		name = url ? url_file_name(url) : NULL;
		if (!name || !is_wheel_name(name) || !version) {
			strbuf_addf(err, "pip's report entry %zu is not a wheel with a URL and a version (%s)", i,
				    url ? url : "no URL");
			r = -EINVAL;
			goto out;
		}
		if (dl && json_object_object_get_ex(dl, "archive_info", &info))
			sha = archive_sha256(info);
		if (sha && !sha256_hex_valid(sha)) {
			strbuf_addf(err, "pip's report gives %s the sha256 '%s', which is not one", name, sha);
			r = -EINVAL;
			goto out;
		}
		{
			const char *urls[] = { url, NULL };

			fetch_plan_add(p, CACHE_WHEEL, name, version, urls, sha, 0);
		}
		added++;
	}
	r = added;
out:
	json_object_put(root);
	return r;
}
