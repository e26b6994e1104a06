/*
 * findings_writer.c
 *     Writes what one reconciliation decided to pkgmeta.findings, and
 *     notifies it: the aggregate pkgmeta.write_findings, fed by
 *     pkgmeta.reconcile_findings with one row per change, in inventory
 *     order.  A row without a finding's tid opens a finding; one with a tid
 *     and a resolution resolves that finding; one with a tid and no
 *     resolution moves the finding to the row's purl (the component is
 *     still affected at another version).
 *
 *     Findings are inserted as COPY inserts rows (each row's constraints,
 *     table_multi_insert(), then each row's index entries) and resolved in
 *     place, and the notification items are built here: through SQL the
 *     same writes took nearly twice as long, more than the rest of a
 *     large advisory file's sync.  Only the reconciliation calls this
 *     (EXECUTE is revoked from everyone, and the caller must be allowed to
 *     write the table); the table is as the extension made it, which the
 *     function checks.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "pg_compat.h"

/* Findings gathered before one table_multi_insert(), as COPY does. */
#define BATCH_ROWS 1000

/*
 * A notification stays under PostgreSQL's 8000-byte payload limit: items
 * of at most ITEM_LIMIT bytes are gathered while they stay under
 * BATCH_PAYLOAD, and the inventory's name (200 characters, 1200 bytes
 * escaped at worst) and the brackets fill the difference.
 */
#define BATCH_PAYLOAD 6000
#define ITEM_LIMIT 3000

/* The aggregate's arguments, in order. */
enum
{
	ARG_FINDING = 1,			/* the open finding's tid, or NULL: open one */
	ARG_INVENTORY,
	ARG_OWNER,
	ARG_BOM_REF,
	ARG_PURL,
	ARG_KIND,
	ARG_ADVISORY_ID,
	ARG_SOURCE,
	ARG_RESOLUTION,
	ARG_CVE,
	ARG_NOTIFY,
	NUM_ARGS = ARG_NOTIFY
};

/* The columns of pkgmeta.findings, as the extension creates them. */
static const char *const finding_columns[] = {
	"id", "inventory", "owner", "bom_ref", "purl", "kind", "advisory_id", "source",
	"first_seen_at", "resolved_at", "resolution"
};
enum
{
	COL_ID, COL_INVENTORY, COL_OWNER, COL_BOM_REF, COL_PURL, COL_KIND, COL_ADVISORY_ID,
	COL_SOURCE, COL_FIRST_SEEN_AT, COL_RESOLVED_AT, COL_RESOLUTION, NUM_COLUMNS
};

typedef struct FindingsWriter
{
	Relation	rel;
	EState	   *estate;
	ResultRelInfo *rri;
	BulkInsertState bistate;
	CommandId	cid;
	Oid			id_sequence;
	TupleTableSlot *batch[BATCH_ROWS];
	int			nbatch;
	int			nslots;
	TupleTableSlot *stored;		/* a finding being resolved or moved */
	TupleTableSlot *replacement;
	MemoryContext cxt;			/* lives as long as the aggregate */
	MemoryContext batch_cxt;	/* the batch's values and index work */
	MemoryContext change_cxt;	/* one resolution's or move's work */
	bool		notify;
	char	   *inventory;		/* of the notification being gathered */
	StringInfoData items;
	int64		opened;
	int64		resolved;
} FindingsWriter;

PG_FUNCTION_INFO_V1(pkgmeta_write_findings_row);
PG_FUNCTION_INFO_V1(pkgmeta_write_findings_finish);

static void
refuse_changed_table(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("pkgmeta.findings is not as pkgmeta created it: %s", why),
			 errhint("Recreate the table from the extension's script, or drop and create the extension.")));
}

/* Checks the table is as created, then opens what writing it needs. */
static FindingsWriter *
writer_begin(MemoryContext cxt, bool notify)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	Oid			relid = get_relname_relid("findings", get_namespace_oid("pkgmeta", false));
	FindingsWriter *fw;
	TupleDesc	desc;

	if (!OidIsValid(relid))
		elog(ERROR, "pkgmeta: table pkgmeta.findings is missing");
	if (pg_class_aclcheck(relid, GetUserId(), ACL_INSERT | ACL_UPDATE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, "findings");

	fw = palloc0(sizeof(FindingsWriter));
	fw->cxt = cxt;
	fw->notify = notify;
	fw->rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(fw->rel);
	/* its columns, then only columns added and dropped since */
	if (desc->natts < NUM_COLUMNS)
		refuse_changed_table("its columns differ");
	for (int i = 0; i < desc->natts; i++)
		if (i < NUM_COLUMNS
			? TupleDescAttr(desc, i)->attisdropped ||
			strcmp(NameStr(TupleDescAttr(desc, i)->attname), finding_columns[i]) != 0
			: !TupleDescAttr(desc, i)->attisdropped)
			refuse_changed_table("its columns differ");
	/* rows written here would skip a trigger a site added */
	if (fw->rel->trigdesc != NULL)
		refuse_changed_table("it has triggers");
	fw->id_sequence = compat_identity_sequence(fw->rel, COL_ID + 1);

	fw->estate = CreateExecutorState();
	fw->rri = makeNode(ResultRelInfo);
	/* index 0: these rows are in no query's range table */
	InitResultRelInfo(fw->rri, fw->rel, 0, NULL, 0);
	ExecOpenIndices(fw->rri, false);
	fw->bistate = GetBulkInsertState();
	fw->cid = GetCurrentCommandId(true);
	fw->stored = table_slot_create(fw->rel, NULL);
	fw->replacement = table_slot_create(fw->rel, NULL);
	fw->batch_cxt = AllocSetContextCreate(cxt, "pkgmeta findings batch", ALLOCSET_DEFAULT_SIZES);
	fw->change_cxt = AllocSetContextCreate(cxt, "pkgmeta finding change", ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&fw->items);
	MemoryContextSwitchTo(old);
	return fw;
}

/* Notifies the inventory's items gathered so far. */
static void
notify_items(FindingsWriter *fw)
{
	StringInfoData payload;

	if (fw->items.len == 0)
		return;
	initStringInfo(&payload);
	appendStringInfoString(&payload, "{\"inventory\": ");
	escape_json(&payload, fw->inventory);
	appendStringInfo(&payload, ", \"findings\": [%s]}", fw->items.data);
	Async_Notify("pkgmeta_findings", payload.data);
	pfree(payload.data);
	resetStringInfo(&fw->items);
}

static void
append_field(StringInfo item, const char *key, const char *value)
{
	appendStringInfo(item, ", \"%s\": ", key);
	escape_json(item, value);
}

/*
 * One event's item: the finding's id and what names it, its advisory's CVE,
 * and whether it opened or resolved.  An item past ITEM_LIMIT bytes leaves
 * out the purl, then all but the id and the event ("truncated": the id
 * finds the rest).
 */
static void
append_item(StringInfo item, int64 id, TupleTableSlot *finding, const char *cve)
{
	bool		resolved = !finding->tts_isnull[COL_RESOLUTION];
	int			start = item->len;

	for (int detail = 2; detail >= 0; detail--)
	{
		item->len = start;
		item->data[start] = '\0';
		appendStringInfo(item, "{\"id\": " INT64_FORMAT, id);
		append_field(item, "event", resolved ? "resolved" : "opened");
		if (detail > 0)
		{
			if (cve != NULL)
				append_field(item, "cve", cve);
			append_field(item, "kind", TextDatumGetCString(finding->tts_values[COL_KIND]));
			append_field(item, "source", TextDatumGetCString(finding->tts_values[COL_SOURCE]));
			if (resolved)
				append_field(item, "resolution",
							 TextDatumGetCString(finding->tts_values[COL_RESOLUTION]));
			append_field(item, "advisory_id",
						 TextDatumGetCString(finding->tts_values[COL_ADVISORY_ID]));
		}
		if (detail == 2)
			append_field(item, "purl", TextDatumGetCString(finding->tts_values[COL_PURL]));
		else
			appendStringInfoString(item, ", \"truncated\": true");
		appendStringInfoChar(item, '}');
		if (item->len - start <= ITEM_LIMIT)
			return;
	}
}

/* Adds one event to its inventory's notification, sending the one before. */
static void
note_event(FindingsWriter *fw, int64 id, TupleTableSlot *finding, const char *cve)
{
	MemoryContext old = MemoryContextSwitchTo(fw->cxt);
	char	   *inventory = TextDatumGetCString(finding->tts_values[COL_INVENTORY]);
	StringInfoData item;

	if (fw->inventory == NULL || strcmp(fw->inventory, inventory) != 0)
	{
		notify_items(fw);
		if (fw->inventory != NULL)
			pfree(fw->inventory);
		fw->inventory = pstrdup(inventory);
	}
	initStringInfo(&item);
	append_item(&item, id, finding, cve);
	if (fw->items.len > 0 && fw->items.len + 2 + item.len > BATCH_PAYLOAD)
		notify_items(fw);
	if (fw->items.len > 0)
		appendStringInfoString(&fw->items, ", ");
	appendBinaryStringInfo(&fw->items, item.data, item.len);
	pfree(item.data);
	pfree(inventory);
	MemoryContextSwitchTo(old);
}

/* Inserts the batched findings: rows, then each row's constraints and index entries. */
static void
write_batch(FindingsWriter *fw)
{
	MemoryContext old;

	if (fw->nbatch == 0)
		return;
	old = MemoryContextSwitchTo(fw->batch_cxt);
	for (int i = 0; i < fw->nbatch; i++)
		ExecConstraints(fw->rri, fw->batch[i], fw->estate);
	table_multi_insert(fw->rel, fw->batch, fw->nbatch, fw->cid, 0, fw->bistate);
	for (int i = 0; i < fw->nbatch; i++)
	{
		compat_insert_index_tuples(fw->rri, fw->batch[i], fw->estate, false, false);
		ExecClearTuple(fw->batch[i]);
	}
	ResetPerTupleExprContext(fw->estate);
	fw->nbatch = 0;
	MemoryContextSwitchTo(old);
	MemoryContextReset(fw->batch_cxt);
}

static void
open_finding(FindingsWriter *fw, FunctionCallInfo fcinfo, const char *cve)
{
	MemoryContext old = MemoryContextSwitchTo(fw->batch_cxt);
	TupleTableSlot *slot;
	int64		id;

	if (fw->nbatch == fw->nslots)
	{
		MemoryContextSwitchTo(fw->cxt);
		fw->batch[fw->nslots++] = table_slot_create(fw->rel, NULL);
		MemoryContextSwitchTo(fw->batch_cxt);
	}
	slot = fw->batch[fw->nbatch++];
	ExecClearTuple(slot);
	id = nextval_internal(fw->id_sequence, false);
	slot->tts_values[COL_ID] = Int64GetDatum(id);
	slot->tts_isnull[COL_ID] = false;
	/* the arguments from inventory to source are those columns, in order */
	StaticAssertStmt(ARG_SOURCE - ARG_INVENTORY == COL_SOURCE - COL_INVENTORY,
					 "arguments and columns differ");
	for (int col = COL_INVENTORY; col <= COL_SOURCE; col++)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(fw->rel), col);
		int			arg = ARG_INVENTORY + (col - COL_INVENTORY);

		slot->tts_isnull[col] = PG_ARGISNULL(arg);
		slot->tts_values[col] = PG_ARGISNULL(arg) ? (Datum) 0
			: datumCopy(PG_GETARG_DATUM(arg), att->attbyval, att->attlen);
	}
	slot->tts_values[COL_FIRST_SEEN_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	slot->tts_isnull[COL_FIRST_SEEN_AT] = false;
	slot->tts_isnull[COL_RESOLVED_AT] = true;
	slot->tts_isnull[COL_RESOLUTION] = true;
	for (int col = NUM_COLUMNS; col < slot->tts_tupleDescriptor->natts; col++)
		slot->tts_isnull[col] = true;	/* dropped */
	ExecStoreVirtualTuple(slot);
	MemoryContextSwitchTo(old);

	fw->opened++;
	if (fw->notify)
		note_event(fw, id, slot, cve);
	if (fw->nbatch == BATCH_ROWS)
		write_batch(fw);
}

/*
 * Resolves the open finding at tid (resolution given) or moves it to purl.
 * The reconciliation read it in this statement, under the lock that keeps
 * other reconciliations of its inventory out, so it is there and open.
 */
static void
change_finding(FindingsWriter *fw, ItemPointer tid, FunctionCallInfo fcinfo, const char *cve)
{
	MemoryContext old = MemoryContextSwitchTo(fw->change_cxt);
	TupleTableSlot *slot = fw->replacement;
	bool		resolving = !PG_ARGISNULL(ARG_RESOLUTION);
	bool		only_summarizing;

	if (!table_tuple_fetch_row_version(fw->rel, tid, GetActiveSnapshot(), fw->stored))
		elog(ERROR, "pkgmeta: finding (%u,%u) to change is gone",
			 ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	slot_getallattrs(fw->stored);
	if (!fw->stored->tts_isnull[COL_RESOLVED_AT])
		elog(ERROR, "pkgmeta: finding (%u,%u) to change is resolved already",
			 ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
	ExecClearTuple(slot);
	memcpy(slot->tts_values, fw->stored->tts_values,
		   sizeof(Datum) * slot->tts_tupleDescriptor->natts);
	memcpy(slot->tts_isnull, fw->stored->tts_isnull,
		   sizeof(bool) * slot->tts_tupleDescriptor->natts);
	if (resolving)
	{
		slot->tts_values[COL_RESOLVED_AT] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		slot->tts_isnull[COL_RESOLVED_AT] = false;
		slot->tts_values[COL_RESOLUTION] = PG_GETARG_DATUM(ARG_RESOLUTION);
		slot->tts_isnull[COL_RESOLUTION] = false;
	}
	else
		slot->tts_values[COL_PURL] = PG_GETARG_DATUM(ARG_PURL);
	ExecStoreVirtualTuple(slot);
	ExecConstraints(fw->rri, slot, fw->estate);
	if (compat_simple_update(fw->rel, tid, slot, GetActiveSnapshot(), &only_summarizing))
		compat_insert_index_tuples(fw->rri, slot, fw->estate, false, only_summarizing);
	if (resolving)
	{
		fw->resolved++;
		if (fw->notify)
		{
			/* the update made the slot a heap tuple: its values are read anew */
			slot_getallattrs(slot);
			note_event(fw, DatumGetInt64(slot->tts_values[COL_ID]), slot, cve);
		}
	}
	ExecClearTuple(slot);
	ExecClearTuple(fw->stored);
	ResetPerTupleExprContext(fw->estate);
	MemoryContextSwitchTo(old);
	MemoryContextReset(fw->change_cxt);
}

/*
 * pkgmeta.write_findings' transition: writes one change (the batch of
 * openings when it is full) and adds it to its inventory's notification.
 */
Datum
pkgmeta_write_findings_row(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FindingsWriter *fw = PG_ARGISNULL(0) ? NULL : (FindingsWriter *) PG_GETARG_POINTER(0);
	char	   *cve = NULL;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "pkgmeta.write_findings called outside an aggregate");
	if (fw == NULL)
		fw = writer_begin(aggcxt, !PG_ARGISNULL(ARG_NOTIFY) && PG_GETARG_BOOL(ARG_NOTIFY));
	if (fw->notify && !PG_ARGISNULL(ARG_CVE))
		cve = TextDatumGetCString(PG_GETARG_DATUM(ARG_CVE));
	if (PG_ARGISNULL(ARG_FINDING))
		open_finding(fw, fcinfo, cve);
	else
		change_finding(fw, (ItemPointer) PG_GETARG_POINTER(ARG_FINDING), fcinfo, cve);
	if (cve != NULL)
		pfree(cve);
	PG_RETURN_POINTER(fw);
}

/*
 * pkgmeta.write_findings' final function: inserts the last batch, sends the
 * last notification, releases what writing took and returns how many
 * findings opened and resolved, as {opened, resolved}.
 */
Datum
pkgmeta_write_findings_finish(PG_FUNCTION_ARGS)
{
	FindingsWriter *fw = PG_ARGISNULL(0) ? NULL : (FindingsWriter *) PG_GETARG_POINTER(0);
	Datum		counts[2] = {Int64GetDatum(0), Int64GetDatum(0)};

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "pkgmeta.write_findings called outside an aggregate");
	if (fw != NULL && fw->rel != NULL)
	{
		write_batch(fw);
		if (fw->notify)
			notify_items(fw);
		counts[0] = Int64GetDatum(fw->opened);
		counts[1] = Int64GetDatum(fw->resolved);
		for (int i = 0; i < fw->nslots; i++)
			ExecDropSingleTupleTableSlot(fw->batch[i]);
		ExecDropSingleTupleTableSlot(fw->stored);
		ExecDropSingleTupleTableSlot(fw->replacement);
		ExecCloseIndices(fw->rri);
		FreeExecutorState(fw->estate);
		FreeBulkInsertState(fw->bistate);
		table_close(fw->rel, NoLock);
		/* the final function runs once; a second call finds nothing to do */
		fw->rel = NULL;
	}
	PG_RETURN_ARRAYTYPE_P(construct_array(counts, 2, INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}
