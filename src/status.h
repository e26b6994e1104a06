/*
 * status.h
 *     What the running or last sync is doing, in shared memory, for
 *     pkgmeta_sync_status(): written by every sync (worker or CALL) and by
 *     the background worker between runs.
 */
#ifndef PKGMETA_STATUS_H
#define PKGMETA_STATUS_H

#include "postgres.h"

#include "datatype/timestamp.h"

/* From _PG_init while preloading: asks for the shared memory. */
extern void status_install_hooks(void);

/* Around one sync run, in the process running it. */
extern void status_run_begin(void);
extern void status_file_begin(const char *object);
extern void status_file_done(bool applied, int64 packages, int64 bytes,
							 int64 findings_opened, int64 findings_resolved);
extern void status_run_end(int64 failed_files);

/* Records the error being handled (call from PG_CATCH) as the run's end. */
extern void status_run_failed(void);

/* Records an error outside a run (the worker's own work). */
extern void status_note_error(const char *message);

/* The background worker announces itself, its schedule and what it waits for. */
extern void status_worker_attach(void);
extern void status_worker_schedule(TimestampTz next_run_at, bool waiting_for_extension);

/* Wake-up requests: set by pkgmeta_request_sync() at commit, taken by the worker. */
extern void status_request_sync(void);
extern bool status_take_request(void);

extern TimestampTz status_last_success(void);

/* When the data counts as stale: pkgmeta.stale_after past the last success. */
extern TimestampTz status_stale_at(void);

#endif
