/*
 * worker.c
 *     The background worker: one process, connected to pkgmeta.database,
 *     that runs a sync every pkgmeta.sync_interval (or when
 *     pkgmeta_request_sync() asks) and sleeps on its latch in between.
 *
 *     A run is the same sync_run() as CALL pkgmeta_sync(), under the same
 *     single-flight lock.  An ERROR in a run is logged and recorded in the
 *     status, and the worker carries on at the next interval.  It starts
 *     only once recovery has finished, so a hot standby never syncs.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "settings.h"
#include "status.h"
#include "sync.h"
#include "worker.h"

PGDLLEXPORT void pkgmeta_worker_main(Datum arg);

PG_FUNCTION_INFO_V1(pkgmeta_request_sync);

/* Seconds before the postmaster restarts a worker that exited. */
#define WORKER_RESTART_SECONDS 5

/* Stale-data warnings are repeated at most this often. */
#define STALE_WARNING_EVERY USECS_PER_HOUR

void
worker_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = WORKER_RESTART_SECONDS;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pkgmeta");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "pkgmeta_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pkgmeta sync worker");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pkgmeta sync");
	RegisterBackgroundWorker(&worker);
}

/*
 * Non-atomic SPI takes its snapshots through the active portal and lets a
 * commit pass only the portal's own snapshot, as for a CALL from a client.
 * The worker has no client, so it runs the sync under a portal of its own,
 * kept active across the per-file commits like the portal of a CALL.
 */
static Portal
begin_sync_portal(void)
{
	Portal		portal = CreatePortal("pkgmeta sync", false, false);

	portal->visible = false;
	PortalDefineQuery(portal, NULL, "CALL pkgmeta_sync()", CMDTAG_CALL, NIL, NULL);
	PortalStart(portal, NULL, 0, InvalidSnapshot);
	MarkPortalActive(portal);
	ActivePortal = portal;
	return portal;
}

static void
end_sync_portal(Portal portal)
{
	/* the snapshot SPI took for the portal after the last commit */
	if (portal->portalSnapshot != NULL && ActiveSnapshotSet())
		PopActiveSnapshot();
	portal->portalSnapshot = NULL;
	ActivePortal = NULL;
	MarkPortalDone(portal);
	PortalDrop(portal, false);
}

/*
 * Deletes the rows of table whose column is older than minutes (the setting
 * named), in its own transaction; a table the database does not have yet
 * (one still at 0.1.0) is left alone.
 */
static void
purge_old_rows(const char *table, const char *column, const char *setting, int minutes)
{
	char	   *sql = psprintf("DELETE FROM %s WHERE %s < now() - interval '%d minutes'",
							   table, column, minutes);

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	pgstat_report_activity(STATE_RUNNING, psprintf("pkgmeta sync: purging old rows of %s", table));
	if (SPI_execute(psprintf("SELECT pg_catalog.to_regclass('%s')", table), true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not look for %s", table);
	if (!heap_attisnull(SPI_tuptable->vals[0], 1, SPI_tuptable->tupdesc))
	{
		if (SPI_execute(sql, false, 0) != SPI_OK_DELETE)
			elog(ERROR, "pkgmeta: could not purge %s", table);
		if (SPI_processed > 0)
			ereport(LOG,
					(errmsg("pkgmeta: deleted %llu rows older than %s from %s",
							(unsigned long long) SPI_processed, setting, table)));
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pfree(sql);
}

/* The history past its retention: error rows, resolved findings. */
static void
purge_old_errors_and_findings(void)
{
	purge_old_rows("pkgmeta.sync_errors", "at", "pkgmeta.errors_retention",
				   pkgmeta_errors_retention);
	purge_old_rows("pkgmeta.findings", "resolved_at", "pkgmeta.findings_retention",
				   pkgmeta_findings_retention);
}

/* Whether CREATE EXTENSION pkgmeta has been run in pkgmeta.database. */
static bool
extension_installed(void)
{
	bool		installed;

	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("pkgmeta", true));
	CommitTransactionCommand();
	return installed;
}

/* The end of a run's time budget, pkgmeta.worker_max_duration; 0: none. */
static TimestampTz
run_deadline(void)
{
	if (pkgmeta_worker_max_duration == 0)
		return 0;
	return TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
									   (int64) pkgmeta_worker_max_duration);
}

/* The sync under its portal; an error fails the portal as it would a CALL. */
static SyncResult
sync_in_portal(void)
{
	Portal		portal = begin_sync_portal();
	SyncResult	result;

	PG_TRY();
	{
		SPI_connect_ext(SPI_OPT_NONATOMIC);
		result = sync_run(run_deadline(), LOG);
		SPI_finish();
	}
	PG_CATCH();
	{
		/* like a failed CALL: the abort that follows then drops it */
		ActivePortal = NULL;
		MarkPortalFailed(portal);
		PG_RE_THROW();
	}
	PG_END_TRY();
	end_sync_portal(portal);
	return result;
}

/* One run under the single-flight lock; true when its budget ran out with work left. */
static bool
run_sync(void)
{
	int			holder;
	SyncResult	result;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (!sync_lock_try(&holder))
	{
		CommitTransactionCommand();
		ereport(LOG,
				(errmsg("pkgmeta: skipping this run: a sync is already running (pid %d)", holder)));
		return false;
	}

	PG_TRY();
	{
		result = sync_in_portal();
		CommitTransactionCommand();
		purge_old_errors_and_findings();
	}
	PG_FINALLY();
	{
		sync_lock_release();
	}
	PG_END_TRY();

	/* a run that found nothing new is routine */
	sync_report(result.totals.files > 0 || result.totals.failed_files > 0 ? LOG : DEBUG1,
				&result);
	return result.budget_spent;
}

/* One run; an ERROR is logged and recorded, never the end of the worker. */
static bool
run_sync_guarded(MemoryContext worker_cxt)
{
	volatile bool work_left = false;

	PG_TRY();
	{
		work_left = run_sync();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(worker_cxt);
		edata = CopyErrorData();
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		status_note_error(edata->message);
		FreeErrorData(edata);
		RESUME_INTERRUPTS();
		ereport(LOG,
				(errmsg("pkgmeta: the sync failed; the worker tries again at its next run")));
	}
	PG_END_TRY();
	MemoryContextSwitchTo(worker_cxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return work_left;
}

/*
 * Logs a WARNING when no sync has succeeded for pkgmeta.stale_after, at most
 * once an hour.  Returns when to look again.
 */
static TimestampTz
check_staleness(TimestampTz now)
{
	static TimestampTz last_warning = 0;
	TimestampTz stale_at = status_stale_at();

	if (now < stale_at)
		return stale_at;
	if (last_warning == 0 || now - last_warning >= STALE_WARNING_EVERY)
	{
		TimestampTz last_success = status_last_success();

		last_warning = now;
		ereport(WARNING,
				(errmsg("pkgmeta: no sync has succeeded for longer than pkgmeta.stale_after"),
				 last_success != 0 ?
				 errdetail("The last successful sync ended at %s.", timestamptz_to_str(last_success)) :
				 errdetail("No sync has succeeded since the server started at %s.",
						   timestamptz_to_str(PgStartTime)),
				 errhint("See last_error in pkgmeta_sync_status() and the newest rows of pkgmeta.sync_errors.")));
	}
	return last_warning + STALE_WARNING_EVERY;
}

/* When the next run is due; 0 when only a request starts one. */
static TimestampTz
next_run_time(TimestampTz last_run_end, bool work_left, TimestampTz now)
{
	if (work_left)
		return last_run_end;
	if (pkgmeta_sync_interval == 0)
		return 0;
	if (last_run_end == 0)
		return now;
	return TimestampTzPlusMilliseconds(last_run_end, (int64) pkgmeta_sync_interval * 1000);
}

void
pkgmeta_worker_main(Datum arg)
{
	MemoryContext worker_cxt;
	TimestampTz last_run_end = 0;	/* 0: none yet */
	bool		work_left = false;	/* the last run spent its budget */

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(pkgmeta_database, NULL, 0);
	pgstat_report_appname("pkgmeta sync");
	status_worker_attach();
	worker_cxt = AllocSetContextCreate(TopMemoryContext, "pkgmeta worker", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(worker_cxt);

	for (;;)
	{
		TimestampTz now;
		TimestampTz next_run;
		TimestampTz wake_at = 0;
		bool		requested;
		bool		installed;
		long		timeout;

		/* nothing allocated here outlives one pass */
		MemoryContextSwitchTo(worker_cxt);
		MemoryContextReset(worker_cxt);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		requested = status_take_request();
		installed = pkgmeta_enabled && extension_installed();
		now = GetCurrentTimestamp();
		next_run = next_run_time(last_run_end, work_left, now);
		if (pkgmeta_enabled && (requested || (next_run != 0 && now >= next_run)))
		{
			/* without the extension, look again at the next interval */
			work_left = installed && run_sync_guarded(worker_cxt);
			last_run_end = GetCurrentTimestamp();
			continue;
		}

		/* asleep until the next run or staleness check, a request or a signal */
		if (pkgmeta_enabled)
			wake_at = next_run;
		if (installed)
		{
			TimestampTz check_at = check_staleness(now);

			if (wake_at == 0 || check_at < wake_at)
				wake_at = check_at;
		}
		status_worker_schedule(pkgmeta_enabled ? next_run : 0, pkgmeta_enabled && !installed);
		timeout = wake_at == 0 ? -1 : Max(TimestampDifferenceMilliseconds(now, wake_at), 1);
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout >= 0 ? WL_TIMEOUT : 0),
						 timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/* Whether this transaction asked for a sync: the worker is woken at commit. */
static bool wake_at_commit = false;

static void
wake_worker_at_commit(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (wake_at_commit)
				status_request_sync();
			wake_at_commit = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			wake_at_commit = false;
			break;
		default:
			break;
	}
}

/*
 * pkgmeta_request_sync() returns boolean: asks the worker to sync now,
 * effective when the transaction commits.  False when nothing will sync:
 * pkgmeta.enabled is off, or this is a standby.
 */
Datum
pkgmeta_request_sync(PG_FUNCTION_ARGS)
{
	static bool callback_registered = false;

	if (!pkgmeta_enabled || RecoveryInProgress())
		PG_RETURN_BOOL(false);
	if (!callback_registered)
	{
		RegisterXactCallback(wake_worker_at_commit, NULL);
		callback_registered = true;
	}
	wake_at_commit = true;
	PG_RETURN_BOOL(true);
}
