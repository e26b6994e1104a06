#include "postgres.h"
#include "fmgr.h"
PG_FUNCTION_INFO_V1(pkgmeta_sync);
Datum
pkgmeta_sync(PG_FUNCTION_ARGS)
{
	elog(ERROR, "pkgmeta_sync: under construction");
	PG_RETURN_VOID();
}
