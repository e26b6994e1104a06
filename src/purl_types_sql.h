/*
 * purl_types_sql.h
 *     Purl types as SQL functions receive and report them.
 */
#ifndef PKGMETA_PURL_TYPES_SQL_H
#define PKGMETA_PURL_TYPES_SQL_H

#include "postgres.h"

#include "purl_types.h"

/* "composer, conan, ...": every purl type, or those with a version ordering */
extern char *purl_type_list(bool ordered_only);

/* the purl type of that name, or ERROR with a hint listing the valid ones */
extern const PurlType *purl_type_from_text(const text *name);

#endif
