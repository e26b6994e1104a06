/*
 * store.c
 *     A v2 file's records become heap tuples formed here (no SQL per
 *     record) that package_writer.c writes straight into packages.  Where
 *     that cannot be (v1 rows, or a packages table the site changed), they
 *     go to an unlogged staging table and one INSERT ... ON CONFLICT merges
 *     them, keeping the last line per package.  License strings become ids
 *     through license_ids.c.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "license_ids.h"
#include "package_writer.h"
#include "store.h"
#include "subxact.h"

/* Bad lines recorded per file; the rest are counted in one summary row. */
#define MAX_ERROR_ROWS_PER_FILE 100
#define EXCERPT_BYTES 120

/* State of one sync: prepared plans. */
static MemoryContext sync_cxt = NULL;
static SPIPlanPtr plan_merge = NULL;
static SPIPlanPtr plan_merge_v1 = NULL;
static SPIPlanPtr plan_advisory = NULL;
static SPIPlanPtr plan_checkpoint = NULL;
static SPIPlanPtr plan_error = NULL;

struct FileStore
{
	FeedKey	key;
	const SourceObject *object;
	Relation	staging;
	BulkInsertState bistate;
	CommandId	cid;
	Oid			exception_type;
	TupleDesc	exception_desc;
	MemoryContext row_cxt;
	PackageWriter *writer;		/* v2: new packages straight into packages */
	int64		staged;			/* rows in the staging table */
	int64		records;		/* advisories applied */
	int64		bad_lines;
	int64		first_unrecorded_line;
};

static SPIPlanPtr
prepare(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "pkgmeta: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

void
store_begin_sync(void)
{
	Oid			merge_args[] = {INT2OID};
	Oid			cp_args[] = {TEXTOID, TEXTOID, INT2OID, INT8OID, INT4OID, TEXTOID};
	Oid			err_args[] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID};
	Oid			advisory_args[] = {TEXTOID, INT2OID};

	sync_cxt = AllocSetContextCreate(TopMemoryContext, "pkgmeta store",
									 ALLOCSET_DEFAULT_SIZES);
	plan_merge = prepare(
		"WITH latest AS ("
		"  SELECT DISTINCT ON (name) name, lowest_version, highest_version,"
		"         default_licenses, other_licenses"
		"    FROM pkgmeta.staging ORDER BY name, line DESC) "
		"INSERT INTO pkgmeta.packages AS p (purl_type, name, lowest_version,"
		"       highest_version, default_licenses, other_licenses) "
		"SELECT $1, name, lowest_version, highest_version, default_licenses, other_licenses"
		"  FROM latest "
		"ON CONFLICT (purl_type, name) DO UPDATE SET"
		"  lowest_version = EXCLUDED.lowest_version,"
		"  highest_version = EXCLUDED.highest_version,"
		"  default_licenses = EXCLUDED.default_licenses,"
		"  other_licenses = EXCLUDED.other_licenses "
		/* a replayed record that changes nothing writes nothing */
		"WHERE (p.lowest_version, p.highest_version, p.default_licenses, p.other_licenses)"
		"  IS DISTINCT FROM (EXCLUDED.lowest_version, EXCLUDED.highest_version,"
		"                    EXCLUDED.default_licenses, EXCLUDED.other_licenses)",
		1, merge_args);
	/* v1 deltas add licenses to a version's set */
	plan_merge_v1 = prepare(
		"INSERT INTO pkgmeta.v1_licenses AS v (purl_type, name, version, licenses) "
		"SELECT $1, name, version, array_agg(DISTINCT license ORDER BY license)"
		"  FROM pkgmeta.staging_v1 GROUP BY name, version "
		"ON CONFLICT (purl_type, name, version) DO UPDATE SET"
		"  licenses = ARRAY(SELECT DISTINCT l FROM unnest(v.licenses || EXCLUDED.licenses) AS l"
		"                   ORDER BY l) "
		"WHERE NOT (EXCLUDED.licenses <@ v.licenses)",
		1, merge_args);
	plan_advisory = prepare("SELECT pkgmeta.apply_advisory($1::jsonb, $2)", 2, advisory_args);
	plan_checkpoint = prepare(
		"INSERT INTO pkgmeta.checkpoints AS c (data_type, version_format, purl_type,"
		"       sequence, chunk, object) VALUES ($1, $2, $3, $4, $5, $6) "
		"ON CONFLICT (data_type, version_format, purl_type) DO UPDATE SET"
		"  sequence = EXCLUDED.sequence, chunk = EXCLUDED.chunk,"
		"  object = EXCLUDED.object, updated_at = now()", 6, cp_args);
	plan_error = prepare(
		"INSERT INTO pkgmeta.sync_errors (data_type, version_format, purl_type,"
		"       object, line, reason, excerpt) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		7, err_args);
}

void
store_end_sync(void)
{
	SPIPlanPtr *plans[] = {&plan_merge, &plan_merge_v1, &plan_advisory, &plan_checkpoint,
	&plan_error};

	for (size_t i = 0; i < lengthof(plans); i++)
	{
		if (*plans[i] != NULL)
			SPI_freeplan(*plans[i]);
		*plans[i] = NULL;
	}
	package_writer_forget_new_type();
	if (sync_cxt != NULL)
		MemoryContextDelete(sync_cxt);
	sync_cxt = NULL;
}

Checkpoint
store_get_checkpoint(const FeedKey *key)
{
	Checkpoint	cp = {false};
	Oid			argtypes[] = {TEXTOID, TEXTOID, INT2OID};
	Datum		args[3];

	args[0] = CStringGetTextDatum(key->data_type);
	args[1] = CStringGetTextDatum(key->version_format);
	args[2] = Int16GetDatum(key->purl_type);
	if (SPI_execute_with_args("SELECT sequence, chunk, object FROM pkgmeta.checkpoints"
							  " WHERE data_type = $1 AND version_format = $2 AND purl_type = $3",
							  3, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read checkpoints");
	if (SPI_processed == 1)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;

		cp.exists = true;
		cp.sequence = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		cp.chunk = DatumGetInt32(SPI_getbinval(t, d, 2, &isnull));
		cp.object = SPI_getvalue(t, d, 3);
	}
	SPI_freetuptable(SPI_tuptable);
	return cp;
}

static Relation
open_staging(const char *relname)
{
	Oid			oid = get_relname_relid(relname, get_namespace_oid("pkgmeta", false));

	if (!OidIsValid(oid))
		elog(ERROR, "pkgmeta: table pkgmeta.%s is missing", relname);
	return table_open(oid, RowExclusiveLock);
}

FileStore *
store_begin_file(const FeedKey *key, const SourceObject *object)
{
	FileStore  *fs = palloc0(sizeof(FileStore));

	fs->key = *key;
	fs->object = object;
	fs->row_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta row",
										ALLOCSET_DEFAULT_SIZES);
	if (key->format == RECORDS_V2_ADVISORIES)
		return fs;				/* applied line by line */

	fs->staging = open_staging(key->format == RECORDS_V2_LICENSES ? "staging" : "staging_v1");
	fs->bistate = GetBulkInsertState();
	fs->cid = GetCurrentCommandId(true);
	if (key->format == RECORDS_V2_LICENSES)
	{
		fs->exception_type = get_element_type(TupleDescAttr(RelationGetDescr(fs->staging), 5)->atttypid);
		fs->exception_desc = lookup_rowtype_tupdesc_copy(fs->exception_type, -1);
		fs->writer = package_writer_begin(key->purl_type, sync_cxt);
	}
	return fs;
}

static Datum
text_array(const V2Record *rec, const Span *spans, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		elems[i] = PointerGetDatum(cstring_to_text_with_len(span_ptr(rec, spans[i]), spans[i].len));
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

static Datum
license_array(const V2Record *rec, int first, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
	{
		Span		s = rec->licenses[first + i];

		elems[i] = Int32GetDatum(license_id_for_spdx(span_ptr(rec, s), s.len));
	}
	return PointerGetDatum(construct_array(elems, n, INT4OID, 4, true, TYPALIGN_INT));
}

static Datum
text_datum(const V2Record *rec, Span s)
{
	return PointerGetDatum(cstring_to_text_with_len(span_ptr(rec, s), s.len));
}

/* Inserts one row formed in row_cxt, then frees everything it used. */
static void
insert_staged_row(FileStore *fs, Datum *values, bool *nulls, MemoryContext caller_cxt)
{
	HeapTuple	tuple = heap_form_tuple(RelationGetDescr(fs->staging), values, nulls);

	heap_insert(fs->staging, tuple, fs->cid, 0, fs->bistate);
	MemoryContextSwitchTo(caller_cxt);
	MemoryContextReset(fs->row_cxt);
	fs->staged++;
}

void
store_add_v2(FileStore *fs, const V2Record *rec, int64 line_number)
{
	MemoryContext old = MemoryContextSwitchTo(fs->writer ? package_writer_row_context(fs->writer)
											  : fs->row_cxt);
	Datum		values[6];
	bool		nulls[6] = {false};
	Datum	   *exceptions;
	char	   *name;
	size_t		name_len;

	name = palloc(rec->name.len + 1);
	name_len = purl_normalize_name(fs->key.purl_type, span_ptr(rec, rec->name),
								   rec->name.len, name);
	values[1] = PointerGetDatum(cstring_to_text_with_len(name, name_len));
	if (rec->has_lowest)
		values[2] = text_datum(rec, rec->lowest);
	else
		nulls[2] = true;
	if (rec->has_highest)
		values[3] = text_datum(rec, rec->highest);
	else
		nulls[3] = true;
	values[4] = license_array(rec, rec->first_default, rec->ndefault);

	exceptions = palloc(sizeof(Datum) * Max(rec->nexceptions, 1));
	for (int i = 0; i < rec->nexceptions; i++)
	{
		const V2Exception *e = &rec->exceptions[i];
		Datum		fields[2];
		bool		fnulls[2] = {false, false};

		fields[0] = license_array(rec, e->first_license, e->nlicenses);
		fields[1] = text_array(rec, rec->versions + e->first_version, e->nversions);
		exceptions[i] = HeapTupleGetDatum(heap_form_tuple(fs->exception_desc, fields, fnulls));
	}
	values[5] = PointerGetDatum(construct_array(exceptions, rec->nexceptions, fs->exception_type,
												-1, false, TYPALIGN_DOUBLE));

	/* column 1: the purl type in packages, the line number in staging */
	values[0] = Int16GetDatum(fs->key.purl_type);
	if (fs->writer != NULL)
	{
		package_writer_add(fs->writer, values, nulls);
		MemoryContextSwitchTo(old);
		package_writer_end_row(fs->writer);
	}
	else
	{
		values[0] = Int64GetDatum(line_number);
		insert_staged_row(fs, values, nulls, old);
	}
}

void
store_add_v1(FileStore *fs, const V1Row *row, int64 line_number)
{
	MemoryContext old = MemoryContextSwitchTo(fs->row_cxt);
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char	   *name = palloc(row->name_len + 1);
	size_t		name_len = purl_normalize_name(fs->key.purl_type, row->name, row->name_len, name);

	values[0] = PointerGetDatum(cstring_to_text_with_len(name, name_len));
	values[1] = PointerGetDatum(cstring_to_text_with_len(row->version, row->version_len));
	values[2] = Int32GetDatum(license_id_for_spdx(row->license, row->license_len));
	insert_staged_row(fs, values, nulls, old);
}

typedef struct AdvisoryCall
{
	FileStore  *fs;
	const char *line;
	size_t		len;
	char	   *problem;		/* why apply_advisory rejected it */
} AdvisoryCall;

static void
call_apply_advisory(void *arg)
{
	AdvisoryCall *call = arg;
	Datum		args[2];
	bool		isnull;
	Datum		result;

	args[0] = PointerGetDatum(cstring_to_text_with_len(call->line, call->len));
	args[1] = Int16GetDatum(call->fs->key.purl_type);
	if (SPI_execute_plan(plan_advisory, args, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: applying an advisory failed");
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		call->problem = TextDatumGetCString(result);
	SPI_freetuptable(SPI_tuptable);
}

void
store_add_advisory(FileStore *fs, const char *line, size_t len, int64 line_number)
{
	AdvisoryCall call = {fs, line, len, NULL};
	ErrorData  *edata;

	/* a subtransaction per record: whatever one record does, it alone fails */
	edata = run_in_subtransaction(call_apply_advisory, NULL, &call);
	if (edata != NULL)
		call.problem = edata->message;
	if (call.problem != NULL)
		store_line_error(fs, line_number, call.problem, line, len);
	else
		fs->records++;
}

static void
insert_error_row(const FeedKey *key, const char *object, int64 line,
				 const char *reason, const char *excerpt, size_t excerpt_len)
{
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	const PurlType *t = purl_type_by_id(key->purl_type);

	args[0] = CStringGetTextDatum(key->data_type);
	args[1] = CStringGetTextDatum(key->version_format);
	args[2] = CStringGetTextDatum(t->name);
	args[3] = CStringGetTextDatum(object);
	if (line > 0)
		args[4] = Int64GetDatum(line);
	else
		nulls[4] = 'n';
	args[5] = CStringGetTextDatum(reason);
	if (excerpt != NULL)
		args[6] = PointerGetDatum(cstring_to_text_with_len(excerpt, excerpt_len));
	else
		nulls[6] = 'n';
	if (SPI_execute_plan(plan_error, args, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "pkgmeta: could not record an error in pkgmeta.sync_errors");
}

void
store_line_error(FileStore *fs, int64 line_number, const char *reason,
				 const char *line, size_t len)
{
	fs->bad_lines++;
	if (fs->bad_lines > MAX_ERROR_ROWS_PER_FILE)
	{
		if (fs->first_unrecorded_line == 0)
			fs->first_unrecorded_line = line_number;
		return;
	}
	insert_error_row(&fs->key, fs->object->name, line_number, reason, line,
					 line ? pg_mbcliplen(line, (int) len, EXCERPT_BYTES) : 0);
}

int64
store_file_bad_lines(const FileStore *fs)
{
	return fs->bad_lines;
}

int64
store_finish_file(FileStore *fs)
{
	Datum		arg = Int16GetDatum(fs->key.purl_type);
	Datum		cp[6];
	int64		written;

	if (fs->key.format == RECORDS_V2_ADVISORIES)
		written = fs->records;
	else
	{
		bool		v2 = fs->key.format == RECORDS_V2_LICENSES;

		FreeBulkInsertState(fs->bistate);
		table_close(fs->staging, NoLock);
		written = fs->writer != NULL ? package_writer_finish(fs->writer) : 0;
		if (fs->staged > 0)
		{
			/* make the staged rows visible to the merge */
			CommandCounterIncrement();
			if (SPI_execute_plan(v2 ? plan_merge : plan_merge_v1, &arg, NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "pkgmeta: merging %s failed", fs->object->name);
			written += (int64) SPI_processed;
			if (SPI_execute(v2 ? "TRUNCATE pkgmeta.staging" : "TRUNCATE pkgmeta.staging_v1",
							false, 0) != SPI_OK_UTILITY)
				elog(ERROR, "pkgmeta: could not empty the staging table");
		}
	}

	if (fs->first_unrecorded_line > 0)
	{
		char	   *reason = psprintf("%lld more bad lines from this one on were not recorded",
									  (long long) (fs->bad_lines - MAX_ERROR_ROWS_PER_FILE));

		insert_error_row(&fs->key, fs->object->name, fs->first_unrecorded_line, reason, NULL, 0);
	}

	cp[0] = CStringGetTextDatum(fs->key.data_type);
	cp[1] = CStringGetTextDatum(fs->key.version_format);
	cp[2] = Int16GetDatum(fs->key.purl_type);
	cp[3] = Int64GetDatum(fs->object->sequence);
	cp[4] = Int32GetDatum(fs->object->chunk);
	cp[5] = CStringGetTextDatum(fs->object->name);
	if (SPI_execute_plan(plan_checkpoint, cp, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "pkgmeta: could not record the checkpoint of %s", fs->object->name);

	MemoryContextDelete(fs->row_cxt);
	return written;
}

void
store_file_error(const FeedKey *key, const char *object, const char *reason)
{
	insert_error_row(key, object, 0, reason, NULL, 0);
}
