/*
 * pkgmeta.c
 *     Library entry point: settings and shared state, registered when the
 *     server preloads the library.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "pds_cache.h"
#include "settings.h"
#include "status.h"
#include "worker.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	/* pg_upgrade loads every library to check it; nothing to set up then */
	if (IsBinaryUpgrade)
		return;
	/* the worker and its shared status exist only if the server loads us at start */
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pkgmeta must be loaded via shared_preload_libraries"),
				 errhint("Add pkgmeta to shared_preload_libraries in postgresql.conf and restart the server.")));
	settings_define();
	settings_define_worker();
	MarkGUCPrefixReserved("pkgmeta");
	status_install_hooks();
	pds_cache_install_hooks();
	worker_register();
}
