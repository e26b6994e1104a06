/*
 * pkgmeta.c
 *     Library entry point: settings and shared state, registered when the
 *     server preloads the library.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "settings.h"
#include "source.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/* pg_upgrade loads every library to check it; nothing to set up then */
	if (IsBinaryUpgrade)
		return;
	settings_define();
	source_gcs_define_settings();
	MarkGUCPrefixReserved("pkgmeta");
}
