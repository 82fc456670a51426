/*
 * json-result.h - the one JSON document a --json run prints on stdout.
 * Every command's result starts with the same envelope:
 *
 *   schema_version  the version of the command's document
 *   command         "install", "install cuda", "doctor", ...
 *   result          a word the command chose ("installed", "dry-run"), or
 *                   "ok" / "failed" when it chose none
 *   exit_code       the program's exit status (exit-codes.h)
 *   error           what went wrong first (the first error logged) when
 *                   exit_code is not 0, else null
 *
 * followed by the command's own members.  A command hands its document
 * over with json_result_set; the program prints it once the exit code is
 * known (json_result_finish).  A run that set none, because it failed
 * before it had anything to say, still prints the envelope: --json never
 * prints nothing.
 */
#ifndef GS_JSON_RESULT_H
#define GS_JSON_RESULT_H

#include <stdio.h>

#include <json-c/json.h>

/* Keep o (the reference is taken over) as the run's result, replacing
 * one set before. */
void json_result_set(struct json_object *o);

/* Print the run's result, or the envelope alone, on out: members the
 * document lacks are filled from command, exit_code, schema_version and
 * the first error logged. */
void json_result_finish(const char *command, int exit_code, int schema_version, FILE *out);

/* The document as every --json output is written (pretty, no escaped
 * slashes). */
void json_print(struct json_object *o, FILE *out);

#endif
