/* Unit tests: the compat table loader and its file:line errors. */
#include "config.h"

#include <errno.h>

#include "fileio.h"
#include "table.h"
#include "tap.h"
#include "util.h"

static const char *const cols[] = { "a", "b" };

static int load_text(const char *text, struct table *t, struct strbuf *err)
{
	char path[] = "/tmp/gs-table-XXXXXX";
	int fd = mkstemp(path), r;

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		return -EIO;
	close(fd);
	strbuf_reset(err);
	r = table_load(path, cols, 2, t, err);
	unlink(path);
	return r;
}

int main(void)
{
	struct strbuf err = STRBUF_INIT;
	struct table t;
	unsigned v;

	ok(load_text("# comment\n\na\tb\n1\tx y\n2\t-\n", &t, &err) == 0, "a good table loads");
	is_int(t.nrows, 2, "two rows");
	is_int(t.rows[1].line, 5, "rows remember their line");
	is_str(t.rows[0].cells[1], "x y", "cells may hold spaces");
	ok(table_cell_unknown(t.rows[1].cells[1]), "'-' is unknown");
	table_free(&t);

	ok(load_text("a\tb\n1\t2\t3\n", &t, &err) == -EINVAL && strstr(err.buf, ":2: 3 columns"),
	   "a row with too many cells names its line");
	ok(load_text("a\tc\n", &t, &err) == -EINVAL && strstr(err.buf, ":1: column 2 is 'c'"),
	   "a wrong header names the column");
	ok(load_text("a\tb\n1\t\n", &t, &err) == -EINVAL && strstr(err.buf, "empty"),
	   "an empty cell is refused");
	ok(load_text("# only\n", &t, &err) == -EINVAL && strstr(err.buf, "no header"),
	   "a table without header is refused");

	ok(table_parse_hex16("2b85", &v) == 0 && v == 0x2b85, "hex16 parses");
	ok(table_parse_hex16("2B85", &v) < 0, "hex16 wants lower case");
	ok(table_parse_hex16("2b8", &v) < 0, "hex16 wants four digits");
	ok(table_parse_cc("12.0", &v) == 0 && v == 120, "compute capability 12.0");
	ok(table_parse_cc("8.6", &v) == 0 && v == 86, "compute capability 8.6");
	ok(table_parse_cc("8.", &v) < 0 && table_parse_cc(".6", &v) < 0 && table_parse_cc("8.66", &v) < 0,
	   "malformed compute capabilities are refused");
	ok(table_parse_uint("350", 5000, &v) == 0 && v == 350, "uint parses");
	ok(table_parse_uint("-1", 5000, &v) < 0 && table_parse_uint("5001", 5000, &v) < 0,
	   "uint refuses negatives and values over the bound");
	strbuf_release(&err);
	return done_testing();
}
