/*
 * sync.c
 *     The sync driver and CALL pkgmeta_sync().
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "tcop/tcopprot.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/sinvaladt.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pg_compat.h"
#include "record_kind.h"
#include "record_limits.h"
#include "settings.h"
#include "source_location.h"
#include "source_pds.h"
#include "status.h"
#include "store.h"
#include "stream.h"
#include "subxact.h"
#include "sync.h"
#include "sync_v3.h"

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
		PGPROC	   *proc = compat_vxid_proc(holders[0]);

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

/* GUC nest level of the search_path pinned for the current transaction */
static int	search_path_nest_level;

/*
 * The sync's SQL names its tables, but operators and functions resolve
 * through search_path: an exact-type operator in a schema another role may
 * create in would win over pg_catalog's polymorphic one and run with the
 * syncing role's rights.  Pins search_path for the current transaction;
 * the run commits per file, so it pins again after each commit, and the
 * end of each transaction (or of the run) restores the caller's.
 */
static void
pin_search_path(void)
{
	search_path_nest_level = NewGUCNestLevel();
	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
}

/* Reads, decodes and stores one file; runs inside its subtransaction. */
static void
read_file(Source *source, const FeedKey *key, const SourceObject *object,
		  LineStream **stream, FileOutcome *out)
{
	FileStore  *fs;

	*stream = line_stream_open(source, object, pkgmeta_max_line_length);
	fs = store_begin_file(key, object);
	store_add_lines(fs, *stream);
	line_stream_finish(*stream);
	out->bytes = line_stream_bytes_read(*stream);
	line_stream_close(*stream);
	*stream = NULL;
	out->bad_lines = store_file_bad_lines(fs);
	out->packages = store_finish_file(fs);
	out->findings = store_file_findings(fs);
	out->applied = true;
}

typedef struct FileCall
{
	Source	   *source;
	const FeedKey *key;
	const SourceObject *object;
	bool		archive_unit;	/* object is a V3Unit */
	LineStream *stream;
	ArchiveStream *archive;
	FileOutcome out;
} FileCall;

static void
read_file_call(void *arg)
{
	FileCall   *c = arg;

	if (c->archive_unit)
		v3_read_unit(c->source, c->key, (V3Unit *) unconstify(SourceObject *, c->object),
					 &c->archive, &c->stream, &c->out);
	else
		read_file(c->source, c->key, c->object, &c->stream, &c->out);
}

/* Our own handles go first: the rollback closes the files they use. */
static void
close_file_stream(void *arg)
{
	FileCall   *c = arg;

	line_stream_close(c->stream);
	archive_stream_close(c->archive);
}

/*
 * Applies one file and its checkpoint all or nothing, then commits.  A
 * failure is recorded (error row, WARNING) and reported as not applied.
 */
static FileOutcome
apply_file(Source *source, const FeedKey *key, const SourceObject *object,
		   bool archive_unit, MemoryContext file_cxt)
{
	FileCall	call = {source, key, object, archive_unit, NULL, NULL, {false}};
	TimestampTz started = GetCurrentTimestamp();
	ErrorData  *edata;

	pgstat_report_activity(STATE_RUNNING, psprintf("pkgmeta sync: applying %s", object->name));
	status_file_begin(object->name);
	MemoryContextSwitchTo(file_cxt);
	edata = run_in_subtransaction(read_file_call, close_file_stream, &call);
	if (edata != NULL)
	{
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("pkgmeta: %s was not applied: %s", object->name, edata->message),
				 edata->detail ? errdetail_internal("%s", edata->detail) : 0,
				 errhint("Its checkpoint did not move; later files of this type wait until "
						 "a sync applies it.  See pkgmeta.sync_errors.")));
		store_file_error(key, object->name, edata->message);
		call.out.applied = false;
		/* rolled back with the file */
		call.out.findings.opened = call.out.findings.resolved = 0;
	}

	SPI_commit();
	pin_search_path();
	ereport(DEBUG1,
			(errmsg_internal("pkgmeta: %s %s: %lld records, %lld bad lines, %lld bytes, "
							 "%lld findings opened, %lld resolved, %ld ms",
							 object->name, call.out.applied ? "applied" : "failed",
							 (long long) call.out.packages, (long long) call.out.bad_lines,
							 (long long) call.out.bytes, (long long) call.out.findings.opened,
							 (long long) call.out.findings.resolved,
							 (long) (TimestampDifferenceMilliseconds(started, GetCurrentTimestamp())))));
	status_file_done(call.out.applied, call.out.packages, call.out.bytes,
					 call.out.findings.opened, call.out.findings.resolved);
	return call.out;
}

/*
 * The source's listing, or false when it is longer than
 * pkgmeta.max_listing_objects: that feed's error, recorded, while the
 * other feeds go on.
 */
static bool
list_within_limit(Source *source, const FeedKey *key, const char *prefix,
				  const char *ext, const char *start_at, List **objects)
{
	char	   *reason;

	*objects = source->methods->list(source, prefix, ext, start_at);
	if (!source_listing_full(*objects))
		return true;
	reason = psprintf("the listing of %s holds more than %d files (pkgmeta.max_listing_objects)",
					  prefix, pkgmeta_max_listing_objects);
	ereport(WARNING,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("pkgmeta: %s in %s: nothing of this type is synced", reason,
					source->location),
			 errhint("Raise pkgmeta.max_listing_objects if the export really holds that many files.")));
	store_file_error(key, prefix, reason);
	*objects = NIL;
	return false;
}

/*
 * The files of a feed under prefix or, when it has none there and the feed
 * has one (flat_prefix), under the flattened layout a mirror may give it.
 * False when a listing is over the limit.
 */
static bool
list_feed(Source *source, const FeedKey *key, const char *prefix, const char *flat_prefix,
		  const char *ext, const char *start_at, List **objects)
{
	if (!list_within_limit(source, key, prefix, ext, start_at, objects))
		return false;
	if (*objects != NIL || flat_prefix == NULL)
		return true;
	/* a checkpoint of the deeper layout would skip flattened names */
	if (start_at != NULL && strncmp(start_at, prefix, strlen(prefix)) == 0)
		start_at = NULL;
	return list_within_limit(source, key, flat_prefix, ext, start_at, objects);
}

/* Files of a feed still to apply after its checkpoint, in order. */
static List *
pending_files(Source *source, const FeedKey *key, const char *prefix, const char *flat_prefix,
			  const char *ext)
{
	Checkpoint	cp = store_get_checkpoint(key);
	List	   *objects;
	List	   *pending = NIL;
	ListCell   *lc;
	bool		checkpoint_present = false;

	if (!list_feed(source, key, prefix, flat_prefix, ext, cp.exists ? cp.object : NULL,
				   &objects) ||
		!cp.exists)
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

	/*
	 * Records are whole-state upserts, so replaying everything converges.
	 * The listing may have started at the checkpoint's folder: list again
	 * from the first file.
	 */
	if (!list_feed(source, key, prefix, flat_prefix, ext, NULL, &objects))
		return NIL;
	ereport(WARNING,
			(errmsg("pkgmeta: checkpointed file %s is no longer in %s", cp.object,
					source->location),
			 errdetail("Replaying all %d files of %s from the first.",
					   list_length(objects), prefix),
			 errhint("A mirror that prunes old deltas forces a full replay each time.")));
	return objects;
}

/* One kind of export file: its checkpoints, source and record kind. */
typedef struct FeedSpec
{
	const char *data_type;
	const char *version_format;
	const char *ext;
	const RecordKind *kind;
	int			data_type_bit;	/* in pkgmeta.data_types */
	int			format_bit;		/* in pkgmeta.version_formats, 0: always */
	char	  **source;
	const char *source_setting;
	const char *noun;			/* what its records are, for reports */

	/*
	 * A feed without purl types: its one folder in the registry's place,
	 * which a mirror may flatten away (its files right under the version
	 * format).  NULL: one feed per purl type, in the registry's folder.
	 */
	const char *folder;
	bool		archives;		/* v3: archives, offline or from the service (sync_v3.c) */
} FeedSpec;

/*
 * In sync order: v3 licenses, v2, v1, then advisories, CVE enrichment and
 * malware advisories.
 */
static const FeedSpec feed_specs[] = {
	{"licenses", "v3", "tar.zst", &license_v3_kind, DATA_LICENSES, FORMAT_V3,
	&pkgmeta_licenses_source, "pkgmeta.licenses_source", "packages", NULL, true},
	{"licenses", "v2", "ndjson", &license_v2_kind, DATA_LICENSES, FORMAT_V2,
	&pkgmeta_licenses_source, "pkgmeta.licenses_source", "packages"},
	{"licenses", "v1", "csv", &license_v1_kind, DATA_LICENSES, FORMAT_V1,
	&pkgmeta_licenses_source, "pkgmeta.licenses_source", "versions"},
	{"advisories", "v2", "ndjson", &advisory_kind, DATA_ADVISORIES, 0,
	&pkgmeta_advisories_source, "pkgmeta.advisories_source", "advisories"},
	{"cve_enrichment", "v2", "ndjson", &cve_enrichment_kind, DATA_CVE_ENRICHMENT, 0,
	&pkgmeta_cve_enrichment_source, "pkgmeta.cve_enrichment_source", "CVEs", "cve_enrichment"},
	{"malware_advisories", "v3", "tar.zst", &malware_kind, DATA_MALWARE, 0,
	&pkgmeta_malware_advisories_source, "pkgmeta.malware_advisories_source", "advisories", NULL, true},
};

/*
 * Whether the feed's version format is asked for.  v3 is read where the
 * directory has v3/<registry_id>/; where it has not, v2 licenses are read
 * in its place, as GitLab does.
 */
static bool
format_wanted(const FeedSpec *spec, PurlTypeId type)
{
	bool		asked = spec->format_bit == 0 || (pkgmeta_version_formats & spec->format_bit);

	if (spec->archives)
		return asked && (v3_from_service(*spec->source) ||
						 v3_offline_available(*spec->source, purl_type_by_id(type)->registry_id));
	if (asked)
		return true;
	return spec->format_bit == FORMAT_V2 && (pkgmeta_version_formats & FORMAT_V3) &&
		!v3_from_service(*spec->source) &&
		!v3_offline_available(*spec->source, purl_type_by_id(type)->registry_id);
}

/* Whether the settings, as they are now, still ask for this feed. */
static bool
feed_wanted(const FeedSpec *spec, PurlTypeId type)
{
	if (!(pkgmeta_data_types & spec->data_type_bit))
		return false;
	if (!format_wanted(spec, type))
		return false;
	if (spec->folder != NULL)
		return true;
	for (int i = 0; i < pkgmeta_purl_types->count; i++)
		if (pkgmeta_purl_types->types[i] == type)
			return true;
	return false;
}

/*
 * Applies a pending configuration reload between files, so that a setting
 * switched off with pg_reload_conf() stops its feed at the next file
 * boundary even in a long CALL.
 */
static void
absorb_config_reload(void)
{
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
}

/* "licenses v2 npm", or "cve_enrichment v2" for a feed without purl types */
static char *
feed_name(const FeedSpec *spec, PurlTypeId type)
{
	const PurlType *pt = purl_type_by_id(type);

	return psprintf("%s %s%s%s", spec->data_type, spec->version_format,
					pt ? " " : "", pt ? pt->name : "");
}

static void
report_feed(int level, const FeedSpec *spec, PurlTypeId type, const SyncTotals *t)
{
	ereport(level,
			(errmsg("pkgmeta: %s: %lld files, %lld %s, %lld bytes, "
					"%lld bad lines, %lld failed files",
					feed_name(spec, type),
					(long long) t->files, (long long) t->packages, spec->noun,
					(long long) t->bytes, (long long) t->bad_lines,
					(long long) t->failed_files)));
}

static void
add_totals(SyncTotals *sum, const SyncTotals *t)
{
	sum->files += t->files;
	sum->packages += t->packages;
	sum->bytes += t->bytes;
	sum->bad_lines += t->bad_lines;
	sum->failed_files += t->failed_files;
}

/* What one run keeps across files and feeds. */
typedef struct RunState
{
	TimestampTz deadline;
	int			report_level;
	MemoryContext run_cxt;
	MemoryContext file_cxt;
	Source	   *sources[lengthof(feed_specs)];
	SyncResult	result;
} RunState;

/* The source of a feed, opened once per run and shared by equal locations. */
static Source *
feed_source(RunState *run, int spec_index)
{
	const FeedSpec *spec = &feed_specs[spec_index];

	if (run->sources[spec_index] == NULL)
	{
		/* v3 from the service: its own client, shared with no other feed */
		if (spec->archives && v3_from_service(*spec->source))
			return run->sources[spec_index] = source_pds_create(spec->data_type);
		for (int i = 0; i < spec_index; i++)
			if (run->sources[i] != NULL && !feed_specs[i].archives &&
				strcmp(run->sources[i]->location, *spec->source) == 0)
				return run->sources[spec_index] = run->sources[i];
		run->sources[spec_index] = source_open(*spec->source, spec->source_setting);
	}
	return run->sources[spec_index];
}

/* Applies the pending files of one feed (data type, version format, purl type) in order. */
static void
sync_feed(RunState *run, int spec_index, PurlTypeId type)
{
	const FeedSpec *spec = &feed_specs[spec_index];
	FeedKey		key = {spec->data_type, spec->version_format, spec->kind, type};
	Source	   *source = feed_source(run, spec_index);
	char	   *prefix = psprintf("%s/%s/", spec->version_format,
								  spec->folder ? spec->folder : purl_type_by_id(type)->registry_id);
	char	   *flat_prefix = spec->folder ? psprintf("%s/", spec->version_format) : NULL;
	SyncTotals	t = {0};
	List	   *files = spec->archives ? v3_pending_units(source, &key) :
		pending_files(source, &key, prefix, flat_prefix, spec->ext);
	ListCell   *lc;

	foreach(lc, files)
	{
		SourceObject *object = lfirst(lc);
		FileOutcome out;

		MemoryContextReset(run->file_cxt);
		out = apply_file(source, &key, object, spec->archives, run->file_cxt);
		MemoryContextSwitchTo(run->run_cxt);
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
		if (lnext(files, lc) == NULL)
			break;
		if (run->deadline != 0 && GetCurrentTimestamp() >= run->deadline)
		{
			run->result.budget_spent = true;
			ereport(run->report_level,
					(errmsg("pkgmeta: time budget spent; the next sync resumes after %s",
							object->name)));
			break;
		}
		absorb_config_reload();
		if (!pkgmeta_enabled)
		{
			run->result.disabled = true;
			ereport(run->report_level,
					(errmsg("pkgmeta: pkgmeta.enabled is off; stopped after %s", object->name)));
			break;
		}
		if (!feed_wanted(spec, type))
		{
			ereport(run->report_level,
					(errmsg("pkgmeta: %s switched off; stopped after %s",
							feed_name(spec, type), object->name)));
			break;
		}
	}
	if (t.files > 0 || t.failed_files > 0)
		report_feed(run->report_level, spec, type, &t);
	add_totals(&run->result.totals, &t);
}

static void
destroy_sources(RunState *run)
{
	for (int i = 0; i < (int) lengthof(run->sources); i++)
	{
		Source	   *src = run->sources[i];

		if (src == NULL)
			continue;
		/* a shared source appears more than once: destroy it once */
		for (int j = i; j < (int) lengthof(run->sources); j++)
			if (run->sources[j] == src)
				run->sources[j] = NULL;
		src->methods->destroy(src);
	}
}

static void
sync_all_feeds(RunState *run)
{
	for (int s = 0; s < (int) lengthof(feed_specs); s++)
	{
		/* the list as the run started: a reload may free the settings' copy */
		PurlTypeSelection types = *pkgmeta_purl_types;

		if (feed_specs[s].folder != NULL)
		{
			types.count = 1;
			types.types[0] = FEED_NO_PURL_TYPE;
		}

		for (int i = 0; i < types.count && !run->result.budget_spent && !run->result.disabled; i++)
		{
			absorb_config_reload();
			if (!pkgmeta_enabled)
			{
				run->result.disabled = true;
				ereport(run->report_level,
						(errmsg("pkgmeta: pkgmeta.enabled is off; stopped between feeds")));
				break;
			}
			if (!feed_wanted(&feed_specs[s], types.types[i]))
				continue;
			MemoryContextSwitchTo(run->run_cxt);
			sync_feed(run, s, types.types[i]);
		}
	}
}

static SyncResult
sync_feeds(TimestampTz deadline, int report_level)
{
	RunState   *run;
	MemoryContext run_cxt;
	MemoryContext old = CurrentMemoryContext;
	SyncResult	result;

	if (GetDatabaseEncoding() != PG_UTF8 && GetDatabaseEncoding() != PG_SQL_ASCII)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("pkgmeta needs a UTF8 database, not %s", GetDatabaseEncodingName()),
				 errhint("Create the extension in a database with ENCODING 'UTF8'.")));

	/* what spans files must outlive each file's transaction */
	run_cxt = AllocSetContextCreate(TopMemoryContext, "pkgmeta sync", ALLOCSET_DEFAULT_SIZES);
	run = MemoryContextAllocZero(run_cxt, sizeof(RunState));
	run->deadline = deadline;
	run->report_level = report_level;
	run->run_cxt = run_cxt;
	run->file_cxt = AllocSetContextCreate(run_cxt, "pkgmeta file", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(run_cxt);
	pin_search_path();
	PG_TRY();
	{
		store_begin_sync();
		sync_all_feeds(run);
		result = run->result;
	}
	PG_FINALLY();
	{
		/* connections too, on errors as well */
		destroy_sources(run);
		store_end_sync();
		MemoryContextSwitchTo(old);
		MemoryContextDelete(run_cxt);
	}
	PG_END_TRY();
	/* an error instead leaves the restore to the transaction's abort */
	AtEOXact_GUC(true, search_path_nest_level);
	return result;
}

SyncResult
sync_run(TimestampTz deadline, int report_level)
{
	SyncResult	result;

	status_run_begin();
	PG_TRY();
	{
		result = sync_feeds(deadline, report_level);
	}
	PG_CATCH();
	{
		status_run_failed();
		PG_RE_THROW();
	}
	PG_END_TRY();
	status_run_end(result.totals.failed_files);
	return result;
}

void
sync_report(int level, const SyncResult *result)
{
	ereport(level,
			(errmsg("pkgmeta: sync %s: %lld files, %lld packages, %lld bytes, %lld bad lines, "
					"%lld failed files",
					result->budget_spent ? "stopped at its time budget" :
					result->disabled ? "stopped because pkgmeta.enabled is off" : "complete",
					(long long) result->totals.files, (long long) result->totals.packages,
					(long long) result->totals.bytes, (long long) result->totals.bad_lines,
					(long long) result->totals.failed_files)));
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
				 errmsg("pkgmeta_sync() cannot run inside a transaction block or a function"),
				 errdetail("It commits once per file applied."),
				 errhint("Run CALL pkgmeta_sync() as a statement of its own (psql, pg_cron), outside BEGIN ... COMMIT.")));
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
				 errmsg("pkgmeta_sync() cannot run on a standby"),
				 errhint("Sync on the primary; its data reaches the standby by replication.")));
	if (!pkgmeta_enabled)
	{
		ereport(NOTICE,
				(errmsg("pkgmeta: syncing is switched off (pkgmeta.enabled = off); not starting"),
				 errhint("Set pkgmeta.enabled = on and reload the configuration to sync again.")));
		PG_RETURN_VOID();
	}
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
		/* the session's own statement again, not the last file applied */
		if (debug_query_string != NULL)
			pgstat_report_activity(STATE_RUNNING, debug_query_string);
	}
	PG_END_TRY();

	sync_report(NOTICE, &result);
	PG_RETURN_VOID();
}
