/*
 * license_ids.c
 *     License identifier <-> id, cached per backend (license_ids.h).
 *
 *     pkgmeta.licenses only grows in normal operation (the sync adds
 *     identifiers, ids come from an identity column and are never reused),
 *     so a cached pair stays true and a miss reloads the table.  Anything
 *     that could make a pair false drops the whole cache, which reloads at
 *     the next call: TRUNCATE or DDL on the table (relcache invalidation)
 *     and the abort of a transaction or subtransaction, which may have
 *     rolled back rows the cache holds.  So the ids a failed sync file added
 *     go with its subtransaction, and the ids of a committed file stay.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "license_ids.h"
#include "record_limits.h"

typedef struct IdBySpdx
{
	char		spdx[LIMIT_LICENSE_BYTES + 1];	/* hash key */
	int32		id;
} IdBySpdx;

typedef struct SpdxById
{
	int32		id;				/* hash key */
	text	   *spdx;
} SpdxById;

static MemoryContext cache_cxt = NULL;
static HTAB *ids_by_spdx = NULL;
static HTAB *spdx_by_id = NULL;
static bool cache_stale = false;
static Oid	licenses_relid = InvalidOid;

/* element layout of int[], so iterating needs no catalog */
static ArrayMetaState int4_meta = {
	.element_type = INT4OID, .typlen = sizeof(int32), .typbyval = true, .typalign = TYPALIGN_INT
};

/* add a new identifier; prepared at the first, kept for the backend's life */
static SPIPlanPtr plan_insert = NULL;
static SPIPlanPtr plan_select = NULL;

static void
relcache_cb(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == licenses_relid)
		cache_stale = true;
}

static void
xact_cb(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		cache_stale = true;
}

static void
subxact_cb(SubXactEvent event, SubTransactionId subid,
		   SubTransactionId parent_subid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		cache_stale = true;
}

/* Caches a pair the table holds. */
static void
cache_add(int32 id, text *spdx)
{
	bool		found;
	SpdxById   *by_id = hash_search(spdx_by_id, &id, HASH_ENTER, &found);

	if (!found)
	{
		MemoryContext caller = MemoryContextSwitchTo(cache_cxt);

		/* a copy in full form: the row's memory goes with SPI_finish */
		by_id->spdx = DatumGetTextPCopy(PointerGetDatum(spdx));
		MemoryContextSwitchTo(caller);
	}

	/* longer identifiers cannot come from a record, so are never asked for */
	if (VARSIZE_ANY_EXHDR(spdx) <= LIMIT_LICENSE_BYTES)
	{
		char		key[LIMIT_LICENSE_BYTES + 1];
		IdBySpdx   *by_spdx;

		text_to_cstring_buffer(spdx, key, sizeof(key));
		by_spdx = hash_search(ids_by_spdx, key, HASH_ENTER, NULL);
		by_spdx->id = id;
	}
}

/* Adds every row of pkgmeta.licenses to the cache. */
static void
cache_load(void)
{
	licenses_relid = get_relname_relid("licenses", get_namespace_oid("pkgmeta", false));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT id, spdx_identifier FROM pkgmeta.licenses", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read pkgmeta.licenses");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	row = SPI_tuptable->vals[i];
		bool		id_null,
					spdx_null;
		Datum		id = SPI_getbinval(row, SPI_tuptable->tupdesc, 1, &id_null);
		Datum		spdx = SPI_getbinval(row, SPI_tuptable->tupdesc, 2, &spdx_null);

		if (!id_null && !spdx_null)
			cache_add(DatumGetInt32(id), DatumGetTextPP(spdx));
	}
	SPI_finish();
}

/*
 * Makes the cache current: loaded, or reloaded after something dropped it.
 * Resets only here, at the start of a call, never while identifiers it
 * handed out are still in use.
 */
static void
cache_prepare(void)
{
	HASHCTL		ctl;

	if (spdx_by_id != NULL && !cache_stale)
		return;
	if (cache_cxt == NULL)
	{
		cache_cxt = AllocSetContextCreate(CacheMemoryContext, "pkgmeta license ids",
										  ALLOCSET_DEFAULT_SIZES);
		CacheRegisterRelcacheCallback(relcache_cb, (Datum) 0);
		RegisterXactCallback(xact_cb, NULL);
		RegisterSubXactCallback(subxact_cb, NULL);
	}
	else
		MemoryContextReset(cache_cxt);
	cache_stale = false;

	ctl.keysize = sizeof(int32);
	ctl.entrysize = sizeof(SpdxById);
	ctl.hcxt = cache_cxt;
	spdx_by_id = hash_create("pkgmeta license identifiers", 1024, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = LIMIT_LICENSE_BYTES + 1;
	ctl.entrysize = sizeof(IdBySpdx);
	ids_by_spdx = hash_create("pkgmeta license ids", 1024, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	cache_load();
}

static SPIPlanPtr
prepare_kept(const char *sql)
{
	Oid			argtypes[] = {TEXTOID};
	SPIPlanPtr	plan = SPI_prepare(sql, 1, argtypes);

	if (plan == NULL)
		elog(ERROR, "pkgmeta: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

/* Inserts a new identifier (or finds the row another session inserted). */
static int32
insert_license(text *spdx)
{
	Datum		arg = PointerGetDatum(spdx);
	bool		isnull;
	int32		id;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan_insert == NULL)
		plan_insert = prepare_kept("INSERT INTO pkgmeta.licenses (spdx_identifier) VALUES ($1) "
								   "ON CONFLICT (spdx_identifier) DO NOTHING RETURNING id");
	if (plan_select == NULL)
		plan_select = prepare_kept("SELECT id FROM pkgmeta.licenses WHERE spdx_identifier = $1");
	if (SPI_execute_plan(plan_insert, &arg, NULL, false, 1) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "pkgmeta: could not insert license \"%s\"", text_to_cstring(spdx));
	if (SPI_processed == 0 &&
		SPI_execute_plan(plan_select, &arg, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read license \"%s\"", text_to_cstring(spdx));
	if (SPI_processed != 1)
		elog(ERROR, "pkgmeta: license \"%s\" vanished while syncing", text_to_cstring(spdx));
	id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return id;
}

int32
license_id_for_spdx(const char *spdx, size_t len)
{
	char		key[LIMIT_LICENSE_BYTES + 1];
	IdBySpdx   *entry;
	text	   *spdx_text;
	int32		id;

	Assert(len <= LIMIT_LICENSE_BYTES);
	cache_prepare();
	memcpy(key, spdx, len);
	key[len] = '\0';
	entry = hash_search(ids_by_spdx, key, HASH_FIND, NULL);
	if (entry != NULL)
		return entry->id;

	spdx_text = cstring_to_text_with_len(spdx, len);
	id = insert_license(spdx_text);
	cache_add(id, spdx_text);
	pfree(spdx_text);
	return id;
}

static text *
license_spdx(int32 id)
{
	SpdxById   *entry = hash_search(spdx_by_id, &id, HASH_FIND, NULL);

	if (entry == NULL)
	{
		cache_load();
		entry = hash_search(spdx_by_id, &id, HASH_FIND, NULL);
		if (entry == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("license id %d is not in pkgmeta.licenses", id),
					 errhint("Run the sync again to repair the mirror.")));
	}
	return entry->spdx;
}

ArrayType *
license_spdx_array(ArrayType *ids)
{
	int			n = ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids));
	Datum	   *identifiers = palloc(sizeof(Datum) * Max(n, 1));
	int			count = 0;
	ArrayIterator it = array_create_iterator(ids, 0, &int4_meta);
	Datum		id;
	bool		isnull;

	cache_prepare();
	while (array_iterate(it, &id, &isnull))
		if (!isnull)
			identifiers[count++] = PointerGetDatum(license_spdx(DatumGetInt32(id)));
	array_free_iterator(it);
	return construct_array(identifiers, count, TEXTOID, -1, false, TYPALIGN_INT);
}
