/*
 * sync.c
 *     The sync driver and CALL pkgmeta_sync().
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/sinvaladt.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "decode_v2.h"
#include "settings.h"
#include "store.h"
#include "stream.h"
#include "sync.h"

PG_FUNCTION_INFO_V1(pkgmeta_sync);

/* advisory lock tag outside any database: no SQL advisory lock can match */
#define SYNC_LOCK_KEY1 0x706b676d	/* "pkgm" */
#define SYNC_LOCK_KEY2 1

static void
sync_lock_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, InvalidOid, SYNC_LOCK_KEY1, SYNC_LOCK_KEY2, 2);
}

bool
sync_lock_try(int *holder)
{
	LOCKTAG		tag;
	VirtualTransactionId *holders;

	sync_lock_tag(&tag);
	if (LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL)
		return true;
	*holder = 0;
	holders = GetLockConflicts(&tag, ExclusiveLock, NULL);
	if (VirtualTransactionIdIsValid(holders[0]))
	{
		PGPROC	   *proc = BackendIdGetProc(holders[0].backendId);

		if (proc != NULL)
			*holder = proc->pid;
	}
	return false;
}

void
sync_lock_release(void)
{
	LOCKTAG		tag;

	sync_lock_tag(&tag);
	LockRelease(&tag, ExclusiveLock, true);
}

/* Errors that must end the whole run instead of failing one file. */
static bool
ends_the_run(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_QUERY_CANCELED ||
		sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
		sqlerrcode == ERRCODE_CRASH_SHUTDOWN;
}

typedef struct FileOutcome
{
	bool		applied;
	int64		packages;
	int64		bytes;
	int64		bad_lines;
} FileOutcome;

/* Reads, decodes and stores one file; runs inside its subtransaction. */
static void
stage_file(Source *source, const StreamKey *key, const SourceObject *object,
		  V2Record *rec, LineStream **stream, FileOutcome *out)
{
	FileStore  *fs;
	char	   *line;
	size_t		len;
	LineResult	r;

	*stream = line_stream_open(source, object, pkgmeta_max_line_length);
	fs = store_begin_file(key, object);
	while ((r = line_stream_next(*stream, &line, &len)) != LINE_EOF)
	{
		int64		lineno = line_stream_line_number(*stream);

		if (r == LINE_TOO_LONG)
		{
			char	   *reason = psprintf("line longer than pkgmeta.max_line_length (%d bytes)",
										  pkgmeta_max_line_length);

			store_line_error(fs, lineno, reason, NULL, 0);
		}
		else if (!v2_decode_line(rec, line, len))
			store_line_error(fs, lineno, rec->error, line, len);
		else
			store_add_v2(fs, rec, lineno);
	}
	line_stream_finish(*stream);
	out->bytes = line_stream_bytes_read(*stream);
	line_stream_close(*stream);
	*stream = NULL;
	out->bad_lines = store_file_bad_lines(fs);
	out->packages = store_finish_file(fs);
	out->applied = true;
}

/*
 * Applies one file and its checkpoint all or nothing, then commits.  A
 * failure is recorded (error row, WARNING) and reported as not applied.
 */
static FileOutcome
apply_file(Source *source, const StreamKey *key, const SourceObject *object,
		   V2Record *rec, MemoryContext file_cxt)
{
	FileOutcome out = {false};
	LineStream *volatile stream = NULL;
	ResourceOwner owner = CurrentResourceOwner;
	TimestampTz started = GetCurrentTimestamp();
	char	   *activity = psprintf("pkgmeta sync: applying %s", object->name);

	pgstat_report_activity(STATE_RUNNING, activity);
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(file_cxt);
	PG_TRY();
	{
		stage_file(source, key, object, rec, (LineStream **) &stream, &out);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(file_cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(file_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		/* our own handles first: the rollback closes what they point to */
		line_stream_close(stream);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(file_cxt);
		CurrentResourceOwner = owner;
		store_discard_uncommitted();
		if (ends_the_run(edata->sqlerrcode))
			ReThrowError(edata);

		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("pkgmeta: %s was not applied: %s", object->name, edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 errhint("Its checkpoint did not move; later files of this type wait until "
						 "a sync applies it.  See pkgmeta.sync_errors.")));
		store_file_error(key, object->name, edata->message);
		out.applied = false;
	}
	PG_END_TRY();

	SPI_commit();
	store_keep_uncommitted();
	ereport(DEBUG1,
			(errmsg_internal("pkgmeta: %s %s: %lld packages, %lld bad lines, %lld bytes, %ld ms",
							 object->name, out.applied ? "applied" : "failed",
							 (long long) out.packages, (long long) out.bad_lines,
							 (long long) out.bytes,
							 (long) (TimestampDifferenceMilliseconds(started, GetCurrentTimestamp())))));
	return out;
}

/* Files of a stream still to apply after its checkpoint, in order. */
static List *
pending_files(Source *source, const StreamKey *key, const char *prefix, const char *ext)
{
	Checkpoint	cp = store_get_checkpoint(key);
	List	   *objects = source->methods->list(source, prefix, ext,
												cp.exists ? cp.object : NULL);
	List	   *pending = NIL;
	ListCell   *lc;
	bool		checkpoint_present = false;

	if (!cp.exists)
		return objects;
	foreach(lc, objects)
	{
		SourceObject *o = lfirst(lc);

		if (o->sequence == cp.sequence && o->chunk == cp.chunk)
			checkpoint_present = true;
		else if (o->sequence > cp.sequence ||
				 (o->sequence == cp.sequence && o->chunk > cp.chunk))
			pending = lappend(pending, o);
	}
	if (checkpoint_present)
		return pending;

	/* records are whole-state upserts, so replaying everything converges */
	ereport(WARNING,
			(errmsg("pkgmeta: checkpointed file %s is no longer in %s", cp.object,
					source->location),
			 errdetail("Replaying all %d files of %s from the first.",
					   list_length(objects), prefix),
			 errhint("A mirror that prunes old deltas forces a full replay each time.")));
	return objects;
}

static void
report_stream(int level, const StreamKey *key, const SyncTotals *t)
{
	const PurlType *pt = purl_type_by_id(key->purl_type);

	ereport(level,
			(errmsg("pkgmeta: %s %s %s: %lld files, %lld packages, %lld bytes, "
					"%lld bad lines, %lld failed files",
					key->data_type, key->version_format, pt->name,
					(long long) t->files, (long long) t->packages, (long long) t->bytes,
					(long long) t->bad_lines, (long long) t->failed_files)));
}

SyncResult
sync_run(TimestampTz deadline, int report_level)
{
	SyncResult	result = {{0}};
	MemoryContext run_cxt;
	MemoryContext file_cxt;
	MemoryContext old;
	Source	   *source;
	V2Record	rec;

	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pkgmeta needs a UTF8 database, not %s", GetDatabaseEncodingName()),
				 errhint("Create the extension in a database with ENCODING 'UTF8'.")));

	/* what spans files must outlive each file's transaction */
	run_cxt = AllocSetContextCreate(TopMemoryContext, "pkgmeta sync", ALLOCSET_DEFAULT_SIZES);
	file_cxt = AllocSetContextCreate(run_cxt, "pkgmeta file", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(run_cxt);
	PG_TRY();
	{
		source = source_open(pkgmeta_licenses_source, "pkgmeta.licenses_source");
		v2_record_init(&rec);
		store_begin_sync();

		for (int i = 0; i < pkgmeta_purl_types->count && !result.budget_spent; i++)
		{
			const PurlType *pt = purl_type_by_id(pkgmeta_purl_types->types[i]);
			StreamKey	key = {"licenses", "v2", pt->id};
			char	   *prefix = psprintf("v2/%s/", pt->registry_id);
			SyncTotals	t = {0};
			List	   *files;
			ListCell   *lc;

			MemoryContextSwitchTo(run_cxt);
			files = pending_files(source, &key, prefix, "ndjson");
			foreach(lc, files)
			{
				SourceObject *object = lfirst(lc);
				FileOutcome out;

				MemoryContextReset(file_cxt);
				out = apply_file(source, &key, object, &rec, file_cxt);
				MemoryContextSwitchTo(run_cxt);
				t.bytes += out.bytes;
				if (!out.applied)
				{
					/* later files must not overtake it */
					t.failed_files++;
					break;
				}
				t.files++;
				t.packages += out.packages;
				t.bad_lines += out.bad_lines;
				if (deadline != 0 && GetCurrentTimestamp() >= deadline &&
					lnext(files, lc) != NULL)
				{
					result.budget_spent = true;
					ereport(report_level,
							(errmsg("pkgmeta: time budget spent; the next sync resumes after %s",
									object->name)));
					break;
				}
			}
			if (t.files > 0 || t.failed_files > 0)
				report_stream(report_level, &key, &t);
			result.totals.files += t.files;
			result.totals.packages += t.packages;
			result.totals.bytes += t.bytes;
			result.totals.bad_lines += t.bad_lines;
			result.totals.failed_files += t.failed_files;
		}
		source->methods->destroy(source);
	}
	PG_FINALLY();
	{
		store_end_sync();
		MemoryContextSwitchTo(old);
		MemoryContextDelete(run_cxt);
	}
	PG_END_TRY();
	return result;
}

/*
 * CALL pkgmeta_sync(max_duration interval DEFAULT '4 minutes')
 *
 * Commits after every file, so it needs a non-atomic call: CALL at top
 * level (psql, pg_cron), not inside a transaction block or a function.
 */
Datum
pkgmeta_sync(PG_FUNCTION_ARGS)
{
	bool		nonatomic = fcinfo->context != NULL &&
		IsA(fcinfo->context, CallContext) &&
		!castNode(CallContext, fcinfo->context)->atomic;
	volatile TimestampTz deadline = 0;
	int			holder;
	SyncResult	result;

	if (!nonatomic)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_TERMINATION),
				 errmsg("pkgmeta_sync() cannot run inside a transaction block"),
				 errdetail("It commits once per file applied."),
				 errhint("Run CALL pkgmeta_sync() as a statement of its own, outside BEGIN ... COMMIT.")));
	if (!PG_ARGISNULL(0))
	{
		Interval   *budget = PG_GETARG_INTERVAL_P(0);
		TimestampTz now = GetCurrentTimestamp();

		deadline = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
														   TimestampTzGetDatum(now),
														   IntervalPGetDatum(budget)));
		if (deadline < now)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("max_duration must not be negative")));
	}

	if (!sync_lock_try(&holder))
	{
		if (holder != 0)
			ereport(NOTICE,
					(errmsg("pkgmeta: a sync is already running (pid %d); not starting another", holder)));
		else
			ereport(NOTICE, (errmsg("pkgmeta: a sync is already running; not starting another")));
		PG_RETURN_VOID();
	}

	PG_TRY();
	{
		SPI_connect_ext(SPI_OPT_NONATOMIC);
		result = sync_run(deadline, NOTICE);
		SPI_finish();
	}
	PG_FINALLY();
	{
		sync_lock_release();
	}
	PG_END_TRY();

	ereport(NOTICE,
			(errmsg("pkgmeta: sync %s: %lld files, %lld packages, %lld bytes, %lld bad lines, "
					"%lld failed files",
					result.budget_spent ? "stopped at its time budget" : "complete",
					(long long) result.totals.files, (long long) result.totals.packages,
					(long long) result.totals.bytes, (long long) result.totals.bad_lines,
					(long long) result.totals.failed_files)));
	PG_RETURN_VOID();
}
