/*
 * purl_types_sql.h
 *     The purl types seen from SQL: the error for a name outside them.
 */
#ifndef PKGMETA_PURL_TYPES_SQL_H
#define PKGMETA_PURL_TYPES_SQL_H

#include "postgres.h"

/* ERROR "unknown purl type", with the known ones as the hint. */
_Noreturn extern void report_unknown_purl_type(const char *name, size_t len);

#endif
