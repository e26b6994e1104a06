/*
 * subxact.h
 *     All-or-nothing work that can fail without failing its transaction,
 *     the way PL/pgSQL exception blocks do it.
 */
#ifndef PKGMETA_SUBXACT_H
#define PKGMETA_SUBXACT_H

#include "postgres.h"

/*
 * Runs work(arg) in a subtransaction.  Returns NULL when it completed and
 * was kept, or its error (copied into the caller's memory context) after
 * rolling it back.  on_error(arg), if given, runs before the rollback to
 * release what the rollback would pull from under it.  Errors that ask the
 * sync to stop (cancel, shutdown) are re-thrown after the rollback.
 */
extern ErrorData *run_in_subtransaction(void (*work) (void *arg),
										void (*on_error) (void *arg),
										void *arg);

#endif
