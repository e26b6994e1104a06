/*
 * status.c
 *     The sync status in shared memory and pkgmeta_sync_status().
 *
 *     One struct, plain data only, guarded by one LWLock.  Only the process
 *     holding the sync lock writes the run fields, only the worker writes
 *     the worker fields, and any failure may set last_error; anyone may
 *     read.  A process that exits during a run (pg_terminate_backend) marks
 *     the run ended on its way out; a crash reinitializes shared memory.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "pg_compat.h"
#include "settings.h"
#include "status.h"

PG_FUNCTION_INFO_V1(pkgmeta_sync_status);

#define STATUS_TEXT_LEN 1024

typedef struct SharedStatus
{
	LWLock	   *lock;

	/* the running or last run, by whichever process ran it */
	bool		running;
	int			pid;
	TimestampTz started_at;
	TimestampTz finished_at;
	char		current_object[STATUS_TEXT_LEN];
	int64		files_done;
	int64		packages_written;
	int64		bytes_read;
	int64		findings_opened;	/* of watched inventories */
	int64		findings_resolved;
	TimestampTz last_success_at;
	char		last_error[STATUS_TEXT_LEN];
	TimestampTz last_error_at;

	/* the background worker; 0 / COMPAT_INVALID_PROCNO when it is not running */
	int			worker_pid;
	int			worker_procno;
	bool		worker_waiting;	/* for the extension in pkgmeta.database */
	TimestampTz next_run_at;	/* 0: none planned */
	pg_atomic_uint32 sync_requested;
} SharedStatus;

static SharedStatus *status = NULL;
static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static bool exit_callback_registered = false;

static void
status_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedStatus)));
	RequestNamedLWLockTranche("pkgmeta", 1);
}

static void
status_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	status = ShmemInitStruct("pkgmeta status", sizeof(SharedStatus), &found);
	if (!found)
	{
		memset(status, 0, sizeof(SharedStatus));
		status->lock = &(GetNamedLWLockTranche("pkgmeta"))->lock;
		status->worker_procno = COMPAT_INVALID_PROCNO;
		pg_atomic_init_u32(&status->sync_requested, 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

void
status_install_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = status_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = status_shmem_startup;
}

/* Copies a message, cut on a character boundary to fit. */
static void
set_text(char *dst, const char *src)
{
	int			len = pg_mbcliplen(src, strlen(src), STATUS_TEXT_LEN - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void
record_error_locked(const char *message)
{
	set_text(status->last_error, message);
	status->last_error_at = GetCurrentTimestamp();
}

/* On exit, leave no run marked running and no worker marked present. */
static void
status_on_exit(int code, Datum arg)
{
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	if (status->running && status->pid == MyProcPid)
	{
		status->running = false;
		status->finished_at = GetCurrentTimestamp();
		record_error_locked("the sync ended with its process (terminated or shut down)");
	}
	if (status->worker_pid == MyProcPid)
	{
		status->worker_pid = 0;
		status->worker_procno = COMPAT_INVALID_PROCNO;
		status->next_run_at = 0;
	}
	LWLockRelease(status->lock);
}

static void
register_exit_callback(void)
{
	if (exit_callback_registered)
		return;
	before_shmem_exit(status_on_exit, 0);
	exit_callback_registered = true;
}

void
status_run_begin(void)
{
	register_exit_callback();
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	status->running = true;
	status->pid = MyProcPid;
	status->started_at = GetCurrentTimestamp();
	status->finished_at = 0;
	status->current_object[0] = '\0';
	status->files_done = 0;
	status->packages_written = 0;
	status->bytes_read = 0;
	status->findings_opened = 0;
	status->findings_resolved = 0;
	LWLockRelease(status->lock);
}

void
status_file_begin(const char *object)
{
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	set_text(status->current_object, object);
	LWLockRelease(status->lock);
}

void
status_file_done(bool applied, int64 packages, int64 bytes,
				 int64 findings_opened, int64 findings_resolved)
{
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	if (applied)
		status->files_done++;
	/* between files nothing is current: a reader sees where a sync is */
	status->current_object[0] = '\0';
	status->packages_written += packages;
	status->bytes_read += bytes;
	status->findings_opened += findings_opened;
	status->findings_resolved += findings_resolved;
	LWLockRelease(status->lock);
}

void
status_run_end(int64 failed_files)
{
	TimestampTz now = GetCurrentTimestamp();

	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	status->running = false;
	status->finished_at = now;
	status->current_object[0] = '\0';
	if (failed_files == 0)
		status->last_success_at = now;
	else
	{
		char	   *msg = psprintf("%lld files could not be applied; see pkgmeta.sync_errors",
								   (long long) failed_files);

		record_error_locked(msg);
		pfree(msg);
	}
	LWLockRelease(status->lock);
}

void
status_run_failed(void)
{
	/* PG_CATCH runs in ErrorContext, which CopyErrorData must not use */
	MemoryContext errcxt = MemoryContextSwitchTo(TopMemoryContext);
	ErrorData  *edata = CopyErrorData();

	MemoryContextSwitchTo(errcxt);
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	status->running = false;
	status->finished_at = GetCurrentTimestamp();
	record_error_locked(edata->message);
	LWLockRelease(status->lock);
	FreeErrorData(edata);
}

void
status_note_error(const char *message)
{
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	record_error_locked(message);
	LWLockRelease(status->lock);
}

void
status_worker_attach(void)
{
	register_exit_callback();
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	status->worker_pid = MyProcPid;
	status->worker_procno = compat_my_procno();
	LWLockRelease(status->lock);
}

void
status_worker_schedule(TimestampTz next_run_at, bool waiting_for_extension)
{
	LWLockAcquire(status->lock, LW_EXCLUSIVE);
	status->next_run_at = next_run_at;
	status->worker_waiting = waiting_for_extension;
	LWLockRelease(status->lock);
}

void
status_request_sync(void)
{
	int			procno;

	pg_atomic_write_u32(&status->sync_requested, 1);
	LWLockAcquire(status->lock, LW_SHARED);
	procno = status->worker_procno;
	LWLockRelease(status->lock);
	/* a worker that exits meanwhile sees the flag when it starts again */
	if (procno != COMPAT_INVALID_PROCNO)
		SetLatch(&GetPGProcByNumber(procno)->procLatch);
}

bool
status_take_request(void)
{
	return pg_atomic_exchange_u32(&status->sync_requested, 0) != 0;
}

static TimestampTz
stale_at(TimestampTz last_success)
{
	/* before the first success, count from the server's start */
	return (last_success != 0 ? last_success : PgStartTime) +
		(int64) pkgmeta_stale_after * USECS_PER_SEC;
}

TimestampTz
status_stale_at(void)
{
	return stale_at(status_last_success());
}

TimestampTz
status_last_success(void)
{
	TimestampTz t;

	LWLockAcquire(status->lock, LW_SHARED);
	t = status->last_success_at;
	LWLockRelease(status->lock);
	return t;
}

/* Sequence (epoch seconds) of the newest delta applied, or false if none. */
static bool
newest_delta(int64 *sequence)
{
	bool		found = false;

	SPI_connect();
	if (SPI_execute("SELECT max(sequence) FROM pkgmeta.checkpoints", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "pkgmeta: could not read pkgmeta.checkpoints");
	if (SPI_processed == 1)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			*sequence = DatumGetInt64(d);
			found = true;
		}
	}
	SPI_finish();
	return found;
}

/*
 * Whether this session is in pkgmeta.database, where the extension then
 * exists: a worker that last found it missing finds it at its next wake-up.
 */
static bool
in_worker_database(void)
{
	char	   *name = get_database_name(MyDatabaseId);

	return name != NULL && strcmp(name, pkgmeta_database) == 0;
}

/* 0.2.0 added the findings counts; a database still at 0.1.0 declares the rest */
#define NCOLUMNS 18
#define NCOLUMNS_0_1_0 16

/* 0 stands for "never" in shared memory: NULL in the row */
static void
set_timestamp(Datum *values, bool *nulls, int column, TimestampTz t)
{
	values[column] = TimestampTzGetDatum(t);
	nulls[column] = (t == 0);
}

/*
 * pkgmeta_sync_status(): one row.  state is running (a sync is in progress,
 * by the worker or a CALL), disabled (pkgmeta.enabled is off), standby (a
 * hot standby: data comes by replication), stopped (no worker process),
 * waiting (the worker waits for the extension in pkgmeta.database) or idle.
 */
Datum
pkgmeta_sync_status(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[NCOLUMNS];
	bool		nulls[NCOLUMNS] = {false};
	SharedStatus s;
	const char *state;
	TimestampTz now = GetCurrentTimestamp();
	int64		sequence;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "pkgmeta_sync_status: return type must be a row type");
	if (tupdesc->natts != NCOLUMNS && tupdesc->natts != NCOLUMNS_0_1_0)
		elog(ERROR, "pkgmeta_sync_status: expected %d columns, the function declares %d",
			 NCOLUMNS, tupdesc->natts);

	LWLockAcquire(status->lock, LW_SHARED);
	memcpy(&s, status, sizeof(SharedStatus));
	LWLockRelease(status->lock);

	if (s.running)
		state = "running";
	else if (!pkgmeta_enabled)
		state = "disabled";
	else if (RecoveryInProgress())
		state = "standby";
	else if (s.worker_pid == 0)
		state = "stopped";
	else if (s.worker_waiting && !in_worker_database())
		state = "waiting";
	else
		state = "idle";

	values[0] = CStringGetTextDatum(state);
	values[1] = Int32GetDatum(s.pid);
	nulls[1] = (s.pid == 0);
	set_timestamp(values, nulls, 2, s.started_at);
	set_timestamp(values, nulls, 3, s.finished_at);
	values[4] = CStringGetTextDatum(s.current_object);
	nulls[4] = (s.current_object[0] == '\0');
	values[5] = Int64GetDatum(s.files_done);
	values[6] = Int64GetDatum(s.packages_written);
	values[7] = Int64GetDatum(s.bytes_read);
	set_timestamp(values, nulls, 8, s.last_success_at);
	values[9] = CStringGetTextDatum(s.last_error);
	nulls[9] = (s.last_error[0] == '\0');
	set_timestamp(values, nulls, 10, s.last_error_at);
	set_timestamp(values, nulls, 11, s.next_run_at);
	values[12] = Int32GetDatum(s.worker_pid);
	nulls[12] = (s.worker_pid == 0);

	if (newest_delta(&sequence))
	{
		TimestampTz at = time_t_to_timestamptz((pg_time_t) sequence);

		values[13] = TimestampTzGetDatum(at);
		/* against now(), as the same expression in SQL would be */
		values[14] = DirectFunctionCall2(timestamp_mi,
										 TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
										 TimestampTzGetDatum(at));
	}
	else
		nulls[13] = nulls[14] = true;

	/* a standby does not sync: its freshness is the primary's */
	values[15] = BoolGetDatum(now >= stale_at(s.last_success_at));
	nulls[15] = RecoveryInProgress();
	values[16] = Int64GetDatum(s.findings_opened);
	values[17] = Int64GetDatum(s.findings_resolved);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
