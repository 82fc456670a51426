/*
 * mirror-pick.c - the mirror a command uses (see mirror-pick.h).
 */
#include "config.h"

#include "exit-codes.h"
#include "log.h"
#include "mirror-pick.h"
#include "util.h"

int mirror_pick(const char *compat_dir, const char *name, struct mirror_table *table, const struct mirror **ret)
{
	_cleanup_strbuf_ struct strbuf err = STRBUF_INIT, names = STRBUF_INIT;

	*ret = NULL;
	if (mirror_table_load(compat_dir, table, &err) < 0) {
		log_error("%s", err.buf);
		return EXIT_BAD_INPUT;
	}
	*ret = mirror_find(table, name);
	if (*ret)
		return EXIT_OK;
	mirror_table_names(table, &names);
	log_error("'%s' is not a mirror gpu-setup knows: give one of %s; nothing was changed", name, names.buf);
	mirror_table_free(table);
	return EXIT_USAGE;
}
