/*
 * worker.h
 *     The background worker that syncs on a schedule.
 */
#ifndef PKGMETA_WORKER_H
#define PKGMETA_WORKER_H

/* From _PG_init while preloading. */
extern void worker_register(void);

#endif
