/*
 * package_writer.c
 *     See package_writer.h.  The insertion follows COPY FROM: rows gathered
 *     in slots, table_multi_insert(), then the index entries of each row
 *     (the unique check of the primary key included).  The sync writes
 *     only rows of purl types that pkgmeta.purl_types holds, and locks that
 *     row as the foreign key check would, so that check runs once per file
 *     instead of once per row.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "package_writer.h"
#include "pg_compat.h"

/* Rows and bytes gathered before one table_multi_insert(), as COPY does. */
#define BATCH_ROWS 1000
#define BATCH_BYTES (2 * 1024 * 1024)
/* Bits of the filter of names batched but not yet inserted. */
#define BATCH_FILTER_BITS 65536

#define ATTNO_NAME 2

/*
 * Names this run inserted into a purl type of one table that had no
 * packages there when the run first wrote to it: a name the filter has
 * never seen cannot be in the table, so a first sync rarely needs the
 * index lookup.  8 MB keeps false positives near 1% up to about 6 million
 * names; beyond that more names are looked up, which is slower but no
 * less right.
 */
#define NEW_TYPE_FILTER_BITS (UINT64CONST(1) << 26)
#define NEW_TYPE_FILTER_BLOCK_BITS 512
#define NEW_TYPE_FILTER_HASHES 3

static Oid	new_type_rel = InvalidOid;
static PurlTypeId new_type = 0;
static uint64 *new_type_filter = NULL;

struct PackageWriter
{
	Relation	rel;
	Relation	pkey;
	EState	   *estate;
	ResultRelInfo *rri;
	BulkInsertState bistate;
	CommandId	cid;
	IndexScanDesc probe;
	ScanKeyData keys[2];
	TupleTableSlot *found;
	TupleTableSlot *replacement;
	TupleTableSlot *batch[BATCH_ROWS];
	uint32		batch_hash[BATCH_ROWS];
	int			nbatch;
	int			nslots;			/* batch slots made so far (small files need few) */
	uint64		batch_filter[BATCH_FILTER_BITS / 64];
	MemoryContext batch_cxt;
	MemoryContext file_cxt;		/* the probe's scan state lives here */
	PurlTypeId	purl_type;
	bool		in_new_type;	/* the filter answers for this table and type */
	int64		written;		/* packages inserted or changed */
};

/*
 * Whether the table is as the extension made it, give or take indexes:
 * its columns, no CHECK constraints, no foreign key but the one to
 * purl_types, no triggers but that key's, no row level security.  A site
 * that changed it gets the SQL path, which honours whatever it added.
 */
static bool
table_as_created(Relation rel, int ncolumns)
{
	TriggerDesc *td = rel->trigdesc;
	TupleConstr *constr = RelationGetDescr(rel)->constr;
	Oid			purl_types = get_relname_relid("purl_types", RelationGetNamespace(rel));
	ListCell   *lc;

	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rel->relrowsecurity ||
		RelationGetDescr(rel)->natts != ncolumns ||
		(constr != NULL && constr->num_check > 0))
		return false;
	for (int i = 0; td != NULL && i < td->numtriggers; i++)
		if (!td->triggers[i].tgisinternal)
			return false;
	foreach(lc, RelationGetFKeyList(rel))
		if (((ForeignKeyCacheInfo *) lfirst(lc))->confrelid != purl_types)
			return false;
	return true;
}

/*
 * What the foreign key to purl_types would check, once for the file, and as
 * that check does: as the table's owner (a pkgmeta_admin may not lock it).
 */
static void
lock_purl_type(Relation rel, PurlTypeId purl_type)
{
	Oid			argtypes[] = {INT2OID};
	Datum		args[] = {Int16GetDatum(purl_type)};
	Relation	purl_types = table_open(get_relname_relid("purl_types",
														  RelationGetNamespace(rel)),
										AccessShareLock);
	Oid			owner = purl_types->rd_rel->relowner;
	Oid			save_userid;
	int			save_sec_context;
	int			rc;

	table_close(purl_types, NoLock);
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_NOFORCE_RLS);
	rc = SPI_execute_with_args("SELECT FROM pkgmeta.purl_types WHERE id = $1 FOR KEY SHARE",
							   1, argtypes, args, NULL, false, 1);
	SetUserIdAndSecContext(save_userid, save_sec_context);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read pkgmeta.purl_types");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("purl type %d is missing from pkgmeta.purl_types", purl_type),
				 errhint("Recreate the extension to restore its purl types.")));
}

void
package_writer_forget_new_type(void)
{
	if (new_type_filter != NULL)
		pfree(new_type_filter);
	new_type_filter = NULL;
	new_type_rel = InvalidOid;
	new_type = 0;
}

static bool
type_has_packages(Relation rel, PurlTypeId purl_type)
{
	Oid			argtypes[] = {INT2OID};
	Datum		args[] = {Int16GetDatum(purl_type)};
	const char *relname = RelationGetRelationName(rel);

	if (SPI_execute_with_args(psprintf("SELECT FROM pkgmeta.%s WHERE purl_type = $1 LIMIT 1",
									   quote_identifier(relname)),
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read pkgmeta.%s", relname);
	return SPI_processed > 0;
}

/* Whether the filter answers for this table and purl type from now on. */
static bool
track_new_type(Relation rel, PurlTypeId purl_type, MemoryContext run_cxt)
{
	if (RelationGetRelid(rel) == new_type_rel && purl_type == new_type)
		return true;
	package_writer_forget_new_type();
	if (type_has_packages(rel, purl_type))
		return false;
	new_type_filter = MemoryContextAllocZero(run_cxt, NEW_TYPE_FILTER_BITS / 8);
	new_type_rel = RelationGetRelid(rel);
	new_type = purl_type;
	return true;
}

/*
 * Adds the name to the filter; returns whether it may have been there
 * already.  All bits of one name lie in one 64-byte block: one cache miss.
 */
static bool
new_type_filter_add(uint64 hash)
{
	uint64	   *block = new_type_filter +
		((uint32) hash % (NEW_TYPE_FILTER_BITS / NEW_TYPE_FILTER_BLOCK_BITS)) *
		(NEW_TYPE_FILTER_BLOCK_BITS / 64);
	uint32		h = (uint32) (hash >> 32);
	bool		seen = true;

	for (int i = 0; i < NEW_TYPE_FILTER_HASHES; i++)
	{
		uint32		bit = (h >> (9 * i)) % NEW_TYPE_FILTER_BLOCK_BITS;
		uint64		mask = UINT64CONST(1) << (bit % 64);

		if (!(block[bit / 64] & mask))
		{
			seen = false;
			block[bit / 64] |= mask;
		}
	}
	return seen;
}

PackageWriter *
package_writer_begin(const char *relname, int ncolumns, PurlTypeId purl_type,
					 MemoryContext run_cxt)
{
	Oid			relid = get_relname_relid(relname, get_namespace_oid("pkgmeta", false));
	MemoryContext file_cxt = CurrentMemoryContext;
	Relation	rel;
	PackageWriter *pw;
	Oid			pkey_oid;
	bool		in_new_type;

	if (!OidIsValid(relid))
		elog(ERROR, "pkgmeta: table pkgmeta.%s is missing", relname);
	rel = table_open(relid, RowExclusiveLock);
	if (!table_as_created(rel, ncolumns))
	{
		/* the merge will insert names the filter does not know */
		package_writer_forget_new_type();
		table_close(rel, NoLock);
		return NULL;
	}
	/* the SQL path would check these per statement */
	if (pg_class_aclcheck(relid, GetUserId(), ACL_INSERT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_UPDATE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
	lock_purl_type(rel, purl_type);
	in_new_type = track_new_type(rel, purl_type, run_cxt);
	/* SPI leaves its procedure's context current: back to the file's */
	MemoryContextSwitchTo(file_cxt);

	pw = palloc0(sizeof(PackageWriter));
	pw->rel = rel;
	pw->purl_type = purl_type;
	pw->in_new_type = in_new_type;
	pw->estate = CreateExecutorState();
	pw->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(pw->rri, rel, 1, NULL, 0);
	ExecOpenIndices(pw->rri, false);
	pw->bistate = GetBulkInsertState();
	pw->cid = GetCurrentCommandId(true);
	pw->file_cxt = CurrentMemoryContext;
	pw->batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta package batch",
										  ALLOCSET_DEFAULT_SIZES);

	pkey_oid = compat_primary_key_index(rel);
	for (int i = 0; i < pw->rri->ri_NumIndices; i++)
		if (RelationGetRelid(pw->rri->ri_IndexRelationDescs[i]) == pkey_oid)
			pw->pkey = pw->rri->ri_IndexRelationDescs[i];
	if (pw->pkey == NULL || pw->pkey->rd_index->indnkeyatts != 2 ||
		pw->pkey->rd_index->indkey.values[0] != 1 ||
		pw->pkey->rd_index->indkey.values[1] != ATTNO_NAME)
		elog(ERROR, "pkgmeta: pkgmeta.%s lacks its primary key (purl_type, name)", relname);

	/* the lookup sees this transaction's own rows: SnapshotSelf */
	ScanKeyEntryInitialize(&pw->keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   pw->pkey->rd_indcollation[0], F_INT2EQ, Int16GetDatum(purl_type));
	ScanKeyEntryInitialize(&pw->keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
						   pw->pkey->rd_indcollation[1], F_TEXTEQ, (Datum) 0);
	pw->probe = compat_index_beginscan(rel, pw->pkey, SnapshotSelf, 2, 0);
	pw->found = table_slot_create(rel, NULL);
	pw->replacement = table_slot_create(rel, NULL);
	return pw;
}

MemoryContext
package_writer_row_context(PackageWriter *pw)
{
	return pw->batch_cxt;
}

/*
 * Inserts the batched rows.  Their values, and what inserting them
 * allocates, stay until the batch context is reset.
 */
static void
write_batch(PackageWriter *pw)
{
	MemoryContext old;

	if (pw->nbatch == 0)
		return;
	old = MemoryContextSwitchTo(pw->batch_cxt);
	table_multi_insert(pw->rel, pw->batch, pw->nbatch, pw->cid, 0, pw->bistate);
	for (int i = 0; i < pw->nbatch; i++)
	{
		compat_insert_index_tuples(pw->rri, pw->batch[i], pw->estate, false, false);
		ExecClearTuple(pw->batch[i]);
		pw->batch_filter[(pw->batch_hash[i] % BATCH_FILTER_BITS) / 64] = 0;
	}
	ResetPerTupleExprContext(pw->estate);
	pw->written += pw->nbatch;
	pw->nbatch = 0;
	MemoryContextSwitchTo(old);
}

static bool
batched(PackageWriter *pw, Datum name, uint32 hash)
{
	uint32		bit = hash % BATCH_FILTER_BITS;

	if (!(pw->batch_filter[bit / 64] & (UINT64CONST(1) << (bit % 64))))
		return false;
	for (int i = 0; i < pw->nbatch; i++)
		if (pw->batch_hash[i] == hash &&
			datumIsEqual(pw->batch[i]->tts_values[ATTNO_NAME - 1], name, false, -1))
			return true;
	return false;
}

/*
 * Looks the package up.  When found, pw->found holds the row (the caller
 * clears it) and *own says whether this transaction wrote it.
 */
static bool
find_package(PackageWriter *pw, Datum name, bool *own)
{
	MemoryContext old = MemoryContextSwitchTo(pw->file_cxt);
	bool		found;

	pw->keys[1].sk_argument = name;
	index_rescan(pw->probe, pw->keys, 2, NULL, 0);
	found = index_getnext_slot(pw->probe, ForwardScanDirection, pw->found);
	if (found)
	{
		bool		should_free;
		HeapTuple	tuple = ExecFetchSlotHeapTuple(pw->found, false, &should_free);

		*own = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(tuple->t_data));
		if (should_free)
			heap_freetuple(tuple);
	}
	MemoryContextSwitchTo(old);
	return found;
}

/* Whether the stored row already reads as the record (no write needed). */
static bool
same_row(TupleTableSlot *stored, Datum *values, bool *nulls)
{
	TupleDesc	desc = stored->tts_tupleDescriptor;

	slot_getallattrs(stored);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (stored->tts_isnull[i] != nulls[i])
			return false;
		if (!nulls[i] &&
			!datum_image_eq(stored->tts_values[i], values[i], att->attbyval, att->attlen))
			return false;
	}
	return true;
}

static void
store_values(TupleTableSlot *slot, Datum *values, bool *nulls)
{
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, sizeof(Datum) * natts);
	memcpy(slot->tts_isnull, nulls, sizeof(bool) * natts);
	ExecStoreVirtualTuple(slot);
}

/* Replaces the row at tid, which this transaction may have written itself. */
static void
update_row(PackageWriter *pw, ItemPointer tid, bool own, Datum *values, bool *nulls)
{
	MemoryContext old = MemoryContextSwitchTo(pw->batch_cxt);
	bool		only_summarizing;

	/* a row of this transaction must be older than the updating command */
	if (own)
	{
		CommandCounterIncrement();
		pw->cid = GetCurrentCommandId(true);
	}
	store_values(pw->replacement, values, nulls);
	/* "update" only hints bottom-up index deletion; the key is unchanged */
	if (compat_simple_update(pw->rel, tid, pw->replacement, SnapshotSelf, &only_summarizing))
		compat_insert_index_tuples(pw->rri, pw->replacement, pw->estate, false,
								   only_summarizing);
	ExecClearTuple(pw->replacement);
	MemoryContextSwitchTo(old);
}

void
package_writer_add(PackageWriter *pw, Datum *values, bool *nulls)
{
	Datum		name = values[ATTNO_NAME - 1];
	uint64		hash = hash_bytes_extended((unsigned char *) VARDATA_ANY(name),
										   VARSIZE_ANY_EXHDR(name), 0);
	bool		own;
	uint32		bit;

	/* a package twice in one batch: insert the first before looking */
	if (batched(pw, name, (uint32) hash))
		write_batch(pw);
	if (pw->in_new_type && !new_type_filter_add(hash))
		;						/* certainly new */
	else if (find_package(pw, name, &own))
	{
		ItemPointerData tid = pw->found->tts_tid;

		/* a replayed record that changes nothing writes nothing */
		if (own || !same_row(pw->found, values, nulls))
		{
			ExecClearTuple(pw->found);
			update_row(pw, &tid, own, values, nulls);
			/* a package this file inserted or updated counts once */
			if (!own)
				pw->written++;
		}
		else
			ExecClearTuple(pw->found);
		return;
	}
	if (pw->nbatch == pw->nslots)
	{
		MemoryContext old = MemoryContextSwitchTo(pw->file_cxt);

		pw->batch[pw->nslots++] = table_slot_create(pw->rel, NULL);
		MemoryContextSwitchTo(old);
	}
	store_values(pw->batch[pw->nbatch], values, nulls);
	pw->batch_hash[pw->nbatch++] = (uint32) hash;
	bit = (uint32) hash % BATCH_FILTER_BITS;
	pw->batch_filter[bit / 64] |= UINT64CONST(1) << (bit % 64);
}

void
package_writer_end_row(PackageWriter *pw)
{
	if (pw->nbatch == BATCH_ROWS ||
		MemoryContextMemAllocated(pw->batch_cxt, false) > BATCH_BYTES)
	{
		write_batch(pw);
		MemoryContextReset(pw->batch_cxt);
	}
}

int64
package_writer_finish(PackageWriter *pw)
{
	int64		written;

	write_batch(pw);
	written = pw->written;
	index_endscan(pw->probe);
	ExecDropSingleTupleTableSlot(pw->found);
	ExecDropSingleTupleTableSlot(pw->replacement);
	for (int i = 0; i < pw->nslots; i++)
		ExecDropSingleTupleTableSlot(pw->batch[i]);
	ExecCloseIndices(pw->rri);
	FreeExecutorState(pw->estate);
	FreeBulkInsertState(pw->bistate);
	table_close(pw->rel, NoLock);
	MemoryContextDelete(pw->batch_cxt);
	pfree(pw);
	return written;
}
