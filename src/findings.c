/*
 * findings.c
 *     Findings kept current by the sync: the ids of the advisories and
 *     malware advisories a file wrote, gathered while it is written, then
 *     one call of pkgmeta.reconcile_findings for them all, which matches
 *     them against only the watched components of their packages.  A
 *     database still at 0.1.0 has no findings, and nothing is reconciled.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"

#include "findings.h"
#include "store.h"

/* The ids one file noted, of one kind. */
typedef struct NotedIds
{
	int64	   *ids;
	int			count;
	int			size;
} NotedIds;

static SPIPlanPtr plan_reconcile = NULL;
static MemoryContext file_cxt = NULL;
static NotedIds advisories;
static NotedIds malware;

void
findings_begin_sync(void)
{
	Oid			args[] = {INT8ARRAYOID, INT8ARRAYOID};

	if (SPI_execute("SELECT FROM pg_catalog.pg_proc p"
					" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
					" WHERE n.nspname = 'pkgmeta' AND p.proname = 'reconcile_findings'",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not look for pkgmeta.reconcile_findings");
	if (SPI_processed == 0)
		return;
	plan_reconcile = store_keep_plan("SELECT opened, resolved"
									 "  FROM pkgmeta.reconcile_findings(NULL, $1, $2)",
									 lengthof(args), args);
}

void
findings_end_sync(void)
{
	store_free_plan(&plan_reconcile);
}

void
findings_begin_file(void)
{
	file_cxt = CurrentMemoryContext;
	memset(&advisories, 0, sizeof(advisories));
	memset(&malware, 0, sizeof(malware));
}

static void
note(NotedIds *noted, int64 id)
{
	if (noted->count == noted->size)
	{
		noted->size = Max(64, noted->size * 2);
		noted->ids = noted->ids == NULL
			? MemoryContextAlloc(file_cxt, sizeof(int64) * noted->size)
			: repalloc(noted->ids, sizeof(int64) * noted->size);
	}
	noted->ids[noted->count++] = id;
}

void
findings_note_advisory(int64 id)
{
	note(&advisories, id);
}

void
findings_note_malware(int64 id)
{
	note(&malware, id);
}

static Datum
id_array(const NotedIds *noted)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(noted->count, 1));

	for (int i = 0; i < noted->count; i++)
		elems[i] = Int64GetDatum(noted->ids[i]);
	return PointerGetDatum(construct_array(elems, noted->count, INT8OID, sizeof(int64),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

FindingCounts
findings_reconcile_file(void)
{
	FindingCounts counts = {0, 0};
	Datum		args[2];
	bool		isnull;

	if (plan_reconcile == NULL || (advisories.count == 0 && malware.count == 0))
		return counts;
	args[0] = id_array(&advisories);
	args[1] = id_array(&malware);
	if (SPI_execute_plan(plan_reconcile, args, NULL, false, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "pkgmeta: could not reconcile the findings of the file's advisories");
	counts.opened = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
												1, &isnull));
	counts.resolved = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
												  2, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return counts;
}
