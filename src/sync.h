/*
 * sync.h
 *     The sync driver: for each enabled feed, apply the files after its
 *     checkpoint in order, each in its own transaction with its checkpoint.
 */
#ifndef PKGMETA_SYNC_H
#define PKGMETA_SYNC_H

#include "postgres.h"

#include "datatype/timestamp.h"

#include "findings.h"

typedef struct SyncTotals
{
	int64		files;
	int64		packages;
	int64		bytes;
	int64		bad_lines;
	int64		failed_files;
} SyncTotals;

/* What applying one file (or v3 archive) did. */
typedef struct FileOutcome
{
	bool		applied;
	int64		packages;
	int64		bytes;
	int64		bad_lines;
	FindingCounts findings;		/* of watched inventories */
} FileOutcome;

typedef struct SyncResult
{
	SyncTotals	totals;
	bool		budget_spent;	/* stopped between files, work remains */
	bool		disabled;		/* stopped between files: pkgmeta.enabled off */
} SyncResult;

/*
 * Runs one sync until done or past deadline (0: no deadline), reporting per
 * purl type at report_level.  The caller holds the sync lock and an SPI
 * connection opened with SPI_OPT_NONATOMIC; it commits once per file.
 */
extern SyncResult sync_run(TimestampTz deadline, int report_level);

/* Logs a run's outcome and totals in one line. */
extern void sync_report(int level, const SyncResult *result);

/*
 * The cluster-wide single-flight lock, held for a whole run and released
 * with the session if it dies.  Returns false at once when another process
 * holds it, with its pid in *holder (0 when it could not be told).
 */
extern bool sync_lock_try(int *holder);
extern void sync_lock_release(void);

#endif
