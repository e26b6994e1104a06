/*
 * pds_cache.h
 *     The distribution service's /supported answers, kept 12 hours in
 *     shared memory so that every sync within that time (the worker's, any
 *     session's CALL pkgmeta_sync()) reuses the answer instead of asking.
 */
#ifndef PKGMETA_PDS_CACHE_H
#define PKGMETA_PDS_CACHE_H

#include "postgres.h"

#include "nodes/pg_list.h"

/* How long an answer is reused (doc/format.md section 11). */
#define PDS_SUPPORTED_TTL_SECONDS (12 * 60 * 60)

/* From _PG_init while preloading: asks for the shared memory. */
extern void pds_cache_install_hooks(void);

/*
 * The registries the answer of url (a /supported URL) listed, as a List of
 * strings, when it was stored less than 12 hours ago; else false.
 */
extern bool pds_cache_get(const char *url, List **registries);

/* Keeps the answer of url from now on (a URL too long to keep is not). */
extern void pds_cache_put(const char *url, char **registries, int count);

#endif
