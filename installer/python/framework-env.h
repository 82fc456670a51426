/*
 * framework-env.h - the conda environment gpu-setup makes for a framework
 * build: its name, the pip requirement that fills it, the version pip
 * installed (read from the files it left, not from its messages), and the
 * marker file doctor finds it by (doctor-python.h documents the format).
 */
#ifndef GS_FRAMEWORK_ENV_H
#define GS_FRAMEWORK_ENV_H

#include <stdbool.h>

#include "compat.h"
#include "doctor-python.h"
#include "strbuf.h"

/* The environment's name: the framework and its release series,
 * "pytorch-2.7", "tensorflow-2.20".  The same build always gets the same
 * name, so a second run finds the first one's environment. */
char *framework_env_name(const struct fw_build *b);

/* The CUDA release the build is for, "12.8". */
char *fw_build_cuda_text(const struct fw_build *b);

/* The project a pip requirement names, without extras or pin:
 * "tensorflow[and-cuda]==2.20.*" -> "tensorflow". */
char *pip_requirement_project(const char *requirement);

/* The version of project installed in the environment at env_dir (a real
 * path): from the name of its <name>-<version>.dist-info directory under
 * lib/python* /site-packages, names compared as pip normalizes them
 * (case, runs of - _ .).  "2.7.1+cu128".  -ENOENT when none. */
int env_installed_version(const char *env_dir, const char *project, char **ret);

/* A release without its local label: "2.7.1+cu128" -> "2.7.1" (what the
 * compat tables and the marker's version say). */
char *public_version(const char *installed);

struct env_marker {
	char *framework;    /* "pytorch" */
	char *version;      /* "2.7.1" */
	char *cuda;         /* "12.8" */
};

/* Parse a marker's text; -EINVAL when it is not a JSON object with the
 * three strings. */
int env_marker_parse(const char *text, struct env_marker *ret);
void env_marker_free(struct env_marker *m);
/* Read and parse the marker GS_ENV_MARKER of the environment env_dir (a
 * target path, under the sysroot): 0, -EINVAL when it is not a marker, or
 * the negative errno of reading it (-ENOENT: none). */
int env_marker_read(const char *env_dir, struct env_marker *ret);

/* The marker's JSON text (a newline at the end): the three documented
 * members, then what else was done, for people reading it: the version
 * pip reported (installed), the requirement, the index and Python. */
char *env_marker_format(const struct env_marker *m, const char *installed, const char *requirement,
			const char *index_url, const char *python);

/* Whether the marker says the build b is installed: the same framework
 * and CUDA, and a version of b's series (the version want names, when it
 * names a full release).  When not, why says what differs. */
bool env_marker_matches(const struct env_marker *m, const struct fw_build *b, const char *want,
			struct strbuf *why);

#endif
