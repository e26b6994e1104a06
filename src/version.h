/*
 * version.h
 *     Version orderings per ecosystem (doc/format.md section 6).
 *
 *     Plain C: no palloc, no ereport, no allocation at all, so the lookup can
 *     call it in its hot loop and fuzzers can link it outside the server.
 *     Inputs are (pointer, length) pairs and need not be NUL-terminated.
 */
#ifndef PKGMETA_VERSION_H
#define PKGMETA_VERSION_H

#include <stdbool.h>
#include <stddef.h>

#include "purl_types.h"

/* true when the purl type has an ordering (rule 4 of section 6 can apply) */
extern bool version_has_ordering(PurlTypeId type);

/*
 * Compare a and b under the ordering of the purl type.  On success returns
 * true and sets *cmp to -1, 0 or 1.  When either version cannot be parsed
 * (or the type has no ordering) returns false and sets *error to a static
 * message naming the problem, e.g. "invalid SemVer: missing patch number".
 */
extern bool version_compare(PurlTypeId type,
							const char *a, size_t alen,
							const char *b, size_t blen,
							int *cmp, const char **error);

#endif
