/*
 * purl_types_sql.h
 *     Purl types as SQL functions receive and report them.
 */
#ifndef PKGMETA_PURL_TYPES_SQL_H
#define PKGMETA_PURL_TYPES_SQL_H

#include "postgres.h"

#include "purl_types.h"

/* ERROR "unknown purl type", with the known ones as the hint. */
_Noreturn extern void report_unknown_purl_type(const char *name, size_t len);

/* The purl type of that name, or that ERROR. */
extern const PurlType *purl_type_from_text(const text *name);

/* "composer, conan, ...": the purl types that have a version ordering. */
extern char *ordered_purl_type_names(void);

#endif
