/*
 * findings.h
 *     The sync's side of watched inventories: the advisory and malware
 *     writers note the advisories a file changed, and at the file's end,
 *     in its transaction and before its checkpoint, their findings are
 *     reconciled (pkgmeta.reconcile_findings, in SQL).
 */
#ifndef PKGMETA_FINDINGS_H
#define PKGMETA_FINDINGS_H

#include "postgres.h"

/* What a file's reconciliation did. */
typedef struct FindingCounts
{
	int64		opened;
	int64		resolved;
} FindingCounts;

/* Around one sync: prepares the reconciliation's plan, then frees it. */
extern void findings_begin_sync(void);
extern void findings_end_sync(void);

/* At a file's start: nothing noted yet (kept in the current memory context). */
extern void findings_begin_file(void);

/* From a writer: the file changed this advisory (pkgmeta.advisories id) or malware advisory. */
extern void findings_note_advisory(int64 id);
extern void findings_note_malware(int64 id);

/* Reconciles the findings of the advisories noted in the file. */
extern FindingCounts findings_reconcile_file(void);

#endif
