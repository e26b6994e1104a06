/*
 * license_ids.h
 *     License identifiers (SPDX strings) and the integer ids that the tables
 *     store in their place (pkgmeta.licenses), in both directions: the sync
 *     turns identifiers into ids, adding the new ones; lookups turn ids back
 *     into identifiers.  Both read one cache per backend.
 */
#ifndef PKGMETA_LICENSE_IDS_H
#define PKGMETA_LICENSE_IDS_H

#include "postgres.h"

#include "utils/array.h"

/*
 * The id of a license identifier (at most LIMIT_LICENSE_BYTES long), added
 * to pkgmeta.licenses when it is new.  An id added by a (sub)transaction
 * that then aborts is forgotten with its row.
 */
extern int32 license_id_for_spdx(const char *spdx, size_t len);

/*
 * The identifiers (text[]) of an int[] of license ids, NULL elements
 * skipped.  An id missing from pkgmeta.licenses is an error.
 */
extern ArrayType *license_spdx_array(ArrayType *ids);

#endif
