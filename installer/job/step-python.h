/*
 * step-python.h - what the two Python steps share (step-python.c): the
 * Miniconda step (step-miniconda.c) and the framework step
 * (step-framework.c).
 */
#ifndef GS_STEP_PYTHON_H
#define GS_STEP_PYTHON_H

#include <stdbool.h>

#include <json-c/json.h>

#include "run.h"
#include "target-user.h"

/* Run argv as u, logged; no time limit (an installer or a framework
 * download takes minutes).  Returns as as_user_run. */
int run_as(const struct target_user *u, const char *const argv[], const char *path_prefix,
	   struct run_result *rr);
/* What a tool said last: its stderr and stdout tails, labelled. */
char *tool_tail(const struct run_result *rr);
/* Remove what a failed step left (a target path), as the user. */
void remove_as_user(const struct target_user *u, const char *path, const char *what);
/* lstat a target path (the last component not followed). */
bool target_path_present(const char *path);
/* A JSON string, or NULL (JSON null) for NULL or "". */
struct json_object *json_string_or_null(const char *s);

#endif
