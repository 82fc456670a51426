/*
 * table.h - loader for compat/ data tables.
 *
 * Format: UTF-8 text; lines starting with '#' and blank lines are comments;
 * the first other line names the columns; every following line is a row of
 * TAB-separated cells, "-" meaning unknown.  The loader checks the column
 * names against what the caller expects and the cell count of each row, and
 * reports problems as "FILE:LINE: message".
 *
 * Comments the loader keeps: "# reviewed: YYYY-MM-DD" (when the data was
 * last checked against its sources), "#@ from: TEXT" (where the rows
 * below it come from, until the next one: an overlay written by
 * `gpu-setup update` names its source URLs so) and "#@ inferred: TEXT"
 * (which cells of the next row were not published upstream and were
 * taken from an older row).
 */
#ifndef GS_TABLE_H
#define GS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"
#include "version.h"

struct table_row {
	unsigned line;          /* line number in the file, for messages */
	char **cells;           /* ncols pointers into the row's storage */
	const char *file;       /* the overlay the row came from (table_merge); NULL: the table's own */
	const char *origin;     /* "#@ from:" text above it, or NULL */
	const char *inferred;   /* "#@ inferred:" text right above it, or NULL */
};

struct table {
	char *path;
	size_t ncols;
	struct table_row *rows;
	size_t nrows;
	char *storage;          /* the file contents, cells point into it */
	const char *reviewed;   /* "# reviewed:" date, or NULL */
	bool merged;            /* an overlay's rows are in it */
};

/* Load path, expecting exactly the given column names in order.  On
 * failure returns a negative errno and appends "path:line: why" to err. */
int table_load(const char *path, const char *const *columns, size_t ncols,
	       struct table *ret, struct strbuf *err);
void table_free(struct table *t);

/* Merge over's rows into base, a row being known by its first nkey
 * cells: one with the key of a base row replaces it, a new one goes in
 * before the first base row whose key sorts after it (digits compared as
 * numbers), so base's own order is left for its loader to check.  The
 * merged rows point into over's storage, which must outlive base; over
 * keeps no rows. */
void table_merge(struct table *base, struct table *over, size_t nkey);
/* The file a row was read from: an overlay's or the table's own. */
const char *table_row_file(const struct table *t, const struct table_row *row);

/* Cell is "-": the value is unknown. */
int table_cell_unknown(const char *cell);

/* Parsers for typed cells; they return 0 or -EINVAL. */
int table_parse_hex16(const char *cell, unsigned *ret);
int table_parse_uint(const char *cell, unsigned long max, unsigned *ret);
/* A byte count: decimal digits, below 2^50. */
int table_parse_size(const char *cell, unsigned long long *ret);
/* Compute capability "M.m" -> M*10+m. */
int table_parse_cc(const char *cell, unsigned *ret);

/* A dotted version cell ("12.8.1", "580.95.05"). */
int table_parse_version(const char *cell, struct version *ret);
/* Split a comma-separated cell into an array of strings, returned as one
 * allocation (free() it); *ret_n gets the count.  Empty items are -EINVAL. */
int table_split_list(const char *cell, char ***ret, size_t *ret_n);
/* Append "FILE:LINE: column 'COL': WHY" to err; returns -EINVAL. */
int table_bad(struct strbuf *err, const struct table *t, const struct table_row *row,
	      const char *col, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
