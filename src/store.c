/*
 * store.c
 *     The per-file transaction core: each line goes to the decoder and the
 *     writer of its record kind (license_v2_writer.c, license_v1_writer.c,
 *     advisory_writer.c, cve_enrichment_writer.c); bad lines become error
 *     rows, counted past the first ones, and so do the errors a writer
 *     notes in lines it stores; the findings of the advisories the file
 *     changed are reconciled (findings.c) and the checkpoint written with
 *     the file's rows, all or nothing.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "nodes/pg_list.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "findings.h"
#include "settings.h"
#include "store.h"

/* Bad lines recorded per file; the rest are counted in one summary row. */
#define MAX_ERROR_ROWS_PER_FILE 100
#define EXCERPT_BYTES 120

/* State of one sync: prepared plans and the record kinds begun. */
static MemoryContext sync_cxt = NULL;
static SPIPlanPtr plan_checkpoint = NULL;
static SPIPlanPtr plan_error = NULL;
static List *started_kinds = NIL;	/* record kinds begun in this sync */

/* Error rows of one kind in a file: how many, and the first not recorded. */
typedef struct ErrorRows
{
	int64		count;
	int64		first_unrecorded_line;
} ErrorRows;

struct FileStore
{
	FeedKey		key;
	const SourceObject *object;
	void	   *writer;			/* of key.kind */
	ErrorRows	bad_lines;
	ErrorRows	notes;			/* store_note_error: errors in stored lines */
	FindingCounts findings;		/* of the advisories the file changed */
};

/* The file being written, whose writer may note errors (store_note_error). */
static FileStore *current_file = NULL;

SPIPlanPtr
store_keep_plan(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "pkgmeta: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

void
store_free_plan(SPIPlanPtr *plan)
{
	if (*plan != NULL)
		SPI_freeplan(*plan);
	*plan = NULL;
}

void
store_begin_sync(void)
{
	Oid			cp_args[] = {TEXTOID, TEXTOID, INT2OID, INT8OID, INT4OID, TEXTOID};
	Oid			err_args[] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID};

	sync_cxt = AllocSetContextCreate(TopMemoryContext, "pkgmeta store",
									 ALLOCSET_DEFAULT_SIZES);
	plan_checkpoint = store_keep_plan(
		"INSERT INTO pkgmeta.checkpoints AS c (data_type, version_format, purl_type,"
		"       sequence, chunk, object) VALUES ($1, $2, $3, $4, $5, $6) "
		"ON CONFLICT (data_type, version_format, purl_type) DO UPDATE SET"
		"  sequence = EXCLUDED.sequence, chunk = EXCLUDED.chunk,"
		"  object = EXCLUDED.object, updated_at = now()", 6, cp_args);
	plan_error = store_keep_plan(
		"INSERT INTO pkgmeta.sync_errors (data_type, version_format, purl_type,"
		"       object, line, reason, excerpt) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		7, err_args);
	findings_begin_sync();
}

void
store_end_sync(void)
{
	ListCell   *lc;

	store_free_plan(&plan_checkpoint);
	store_free_plan(&plan_error);
	findings_end_sync();
	foreach(lc, started_kinds)
		((const RecordKind *) lfirst(lc))->end_sync();
	started_kinds = NIL;		/* its cells lived in sync_cxt */
	if (sync_cxt != NULL)
		MemoryContextDelete(sync_cxt);
	sync_cxt = NULL;
}

/* The feed's purl type id as an argument, or 'n' in *null_flag. */
static Datum
purl_type_arg(const FeedKey *key, char *null_flag)
{
	*null_flag = key->purl_type == FEED_NO_PURL_TYPE ? 'n' : ' ';
	return Int16GetDatum(key->purl_type);
}

/*
 * A feed without a purl type needs the 0.2.0 schema, where its checkpoint
 * and error rows may hold no purl type; the library also syncs a database
 * not yet updated from 0.1.0, whose rows could not even record the failure.
 */
static void
check_schema_for_no_purl_type(const FeedKey *key)
{
	if (SPI_execute("SELECT FROM pg_catalog.pg_attribute"
					" WHERE attrelid = 'pkgmeta.checkpoints'::pg_catalog.regclass"
					"   AND attname = 'purl_type' AND NOT attnotnull", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read the columns of pkgmeta.checkpoints");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pkgmeta: the %s feed needs extension pkgmeta 0.2.0", key->data_type),
				 errhint("Run ALTER EXTENSION pkgmeta UPDATE, or remove %s from pkgmeta.data_types.",
						 key->data_type)));
}

Checkpoint
store_get_checkpoint(const FeedKey *key)
{
	Checkpoint	cp = {false};
	Oid			argtypes[] = {TEXTOID, TEXTOID, INT2OID};
	Datum		args[3];
	char		nulls[3] = {' ', ' ', ' '};

	if (key->purl_type == FEED_NO_PURL_TYPE)
		check_schema_for_no_purl_type(key);
	args[0] = CStringGetTextDatum(key->data_type);
	args[1] = CStringGetTextDatum(key->version_format);
	args[2] = purl_type_arg(key, &nulls[2]);
	if (SPI_execute_with_args("SELECT sequence, chunk, object FROM pkgmeta.checkpoints"
							  " WHERE data_type = $1 AND version_format = $2"
							  "   AND purl_type IS NOT DISTINCT FROM $3",
							  3, argtypes, args, nulls, true, 1) != SPI_OK_SELECT)
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

FileStore *
store_begin_file(const FeedKey *key, const SourceObject *object)
{
	FileStore  *fs = palloc0(sizeof(FileStore));

	if (!list_member_ptr(started_kinds, key->kind))
	{
		MemoryContext old;

		old = MemoryContextSwitchTo(sync_cxt);
		key->kind->begin_sync();
		/* listed once begun: a kind that failed to begin tries again */
		started_kinds = lappend(started_kinds, unconstify(RecordKind *, key->kind));
		MemoryContextSwitchTo(old);
	}
	fs->key = *key;
	fs->object = object;
	findings_begin_file();
	fs->writer = key->kind->begin_file(key);
	current_file = fs;
	return fs;
}

void
store_add_line(FileStore *fs, const char *line, size_t len, int64 line_number)
{
	const char *problem = fs->key.kind->decode(line, len, fs->key.purl_type);

	if (problem != NULL)
		store_line_error(fs, line_number, problem, line, len);
	else
		fs->key.kind->write(fs->writer, line_number);
}

void
store_add_lines(FileStore *fs, LineStream *stream)
{
	char	   *line;
	size_t		len;
	LineResult	r;

	while ((r = line_stream_next(stream, &line, &len)) != LINE_EOF)
	{
		int64		lineno = line_stream_line_number(stream);

		if (r == LINE_TOO_LONG)
		{
			char	   *reason = psprintf("line longer than pkgmeta.max_line_length (%d bytes)",
										  pkgmeta_max_line_length);

			store_line_error(fs, lineno, reason, NULL, 0);
			continue;
		}
		store_add_line(fs, line, len, lineno);
	}
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
	if (t != NULL)
		args[2] = CStringGetTextDatum(t->name);
	else
		nulls[2] = 'n';
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

/* Counts an error row of a file, and records it unless past the first ones. */
static void
add_error_row(FileStore *fs, ErrorRows *rows, int64 line_number, const char *reason,
			  const char *excerpt, size_t len)
{
	rows->count++;
	if (rows->count > MAX_ERROR_ROWS_PER_FILE)
	{
		if (rows->first_unrecorded_line == 0)
			rows->first_unrecorded_line = line_number;
		return;
	}
	insert_error_row(&fs->key, fs->object->name, line_number, reason, excerpt,
					 excerpt ? pg_mbcliplen(excerpt, (int) len, EXCERPT_BYTES) : 0);
}

/* The summary row of the error rows not recorded, if any ("N more <what>"). */
static void
summarize_error_rows(FileStore *fs, const ErrorRows *rows, const char *what)
{
	if (rows->first_unrecorded_line > 0)
		insert_error_row(&fs->key, fs->object->name, rows->first_unrecorded_line,
						 psprintf("%lld more %s from this one on were not recorded",
								  (long long) (rows->count - MAX_ERROR_ROWS_PER_FILE), what),
						 NULL, 0);
}

void
store_line_error(FileStore *fs, int64 line_number, const char *reason,
				 const char *line, size_t len)
{
	add_error_row(fs, &fs->bad_lines, line_number, reason, line, len);
}

void
store_note_error(int64 line_number, const char *reason, const char *excerpt, size_t len)
{
	if (current_file == NULL)
		elog(ERROR, "pkgmeta: an error noted outside a file");
	add_error_row(current_file, &current_file->notes, line_number, reason, excerpt, len);
}

int64
store_file_bad_lines(const FileStore *fs)
{
	return fs->bad_lines.count;
}

FindingCounts
store_file_findings(const FileStore *fs)
{
	return fs->findings;
}

int64
store_finish_file(FileStore *fs)
{
	Datum		cp[6];
	char		cp_nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int64		written = fs->key.kind->finish_file(fs->writer);

	summarize_error_rows(fs, &fs->bad_lines, "bad lines");
	summarize_error_rows(fs, &fs->notes, "errors in stored lines");
	current_file = NULL;
	fs->findings = findings_reconcile_file();

	cp[0] = CStringGetTextDatum(fs->key.data_type);
	cp[1] = CStringGetTextDatum(fs->key.version_format);
	cp[2] = purl_type_arg(&fs->key, &cp_nulls[2]);
	cp[3] = Int64GetDatum(fs->object->sequence);
	cp[4] = Int32GetDatum(fs->object->chunk);
	cp[5] = CStringGetTextDatum(fs->object->name);
	if (SPI_execute_plan(plan_checkpoint, cp, cp_nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "pkgmeta: could not record the checkpoint of %s", fs->object->name);
	return written;
}

void
store_file_error(const FeedKey *key, const char *object, const char *reason)
{
	insert_error_row(key, object, 0, reason, NULL, 0);
}
