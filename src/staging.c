/*
 * staging.c
 *     Staging tables (staging.h): bulk heap inserts of one file's rows and
 *     the merge that applies them.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "staging.h"

struct StagingTable
{
	const char *relname;
	Relation	rel;
	BulkInsertState bistate;
	CommandId	cid;
	MemoryContext row_cxt;
	int64		staged;			/* rows inserted */
};

StagingTable *
staging_open(const char *relname)
{
	StagingTable *st = palloc0(sizeof(StagingTable));
	Oid			oid = get_relname_relid(relname, get_namespace_oid("pkgmeta", false));

	if (!OidIsValid(oid))
		elog(ERROR, "pkgmeta: table pkgmeta.%s is missing", relname);
	st->relname = relname;
	st->rel = table_open(oid, RowExclusiveLock);
	st->bistate = GetBulkInsertState();
	st->cid = GetCurrentCommandId(true);
	st->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta staged row",
										ALLOCSET_DEFAULT_SIZES);
	return st;
}

TupleDesc
staging_desc(StagingTable *st)
{
	return RelationGetDescr(st->rel);
}

MemoryContext
staging_row_context(StagingTable *st)
{
	return st->row_cxt;
}

void
staging_insert(StagingTable *st, Datum *values, bool *nulls, MemoryContext caller_cxt)
{
	HeapTuple	tuple = heap_form_tuple(RelationGetDescr(st->rel), values, nulls);

	heap_insert(st->rel, tuple, st->cid, 0, st->bistate);
	MemoryContextSwitchTo(caller_cxt);
	MemoryContextReset(st->row_cxt);
	st->staged++;
}

int64
staging_merge(StagingTable *st, SPIPlanPtr merge, Datum merge_arg)
{
	int64		merged = 0;

	FreeBulkInsertState(st->bistate);
	table_close(st->rel, NoLock);
	MemoryContextDelete(st->row_cxt);
	if (st->staged == 0)
		return 0;
	/* make the staged rows visible to the merge */
	CommandCounterIncrement();
	if (SPI_execute_plan(merge, &merge_arg, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "pkgmeta: merging pkgmeta.%s failed", st->relname);
	merged = (int64) SPI_processed;
	if (SPI_execute(psprintf("TRUNCATE pkgmeta.%s", st->relname), false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "pkgmeta: could not empty pkgmeta.%s", st->relname);
	return merged;
}
