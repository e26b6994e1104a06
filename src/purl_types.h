/*
 * purl_types.h
 *     The package types of the export (doc/format.md section 7): purl type name,
 *     numeric id (the value stored in tables) and the export's registry id,
 *     as purl_type_list.h lists them.
 */
#ifndef PKGMETA_PURL_TYPES_H
#define PKGMETA_PURL_TYPES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum PurlTypeId
{
#define PG_PURL_TYPE(symbol, id, name, registry_id) symbol = id,
#include "purl_type_list.h"
#undef PG_PURL_TYPE
} PurlTypeId;

/* ids run from 1 without gaps, so the largest is the count */
enum
{
	PURL_TYPE_MIN = 1,
	PURL_TYPE_MAX = 0
#define PG_PURL_TYPE(symbol, id, name, registry_id) + 1
#include "purl_type_list.h"
#undef PG_PURL_TYPE
};

typedef struct PurlType
{
	PurlTypeId	id;
	const char *name;			/* purl type, e.g. "gem" */
	const char *registry_id;	/* export folder, e.g. "rubygem" */
} PurlType;

/* NULL when the name is not a purl type of the export. */
extern const PurlType *purl_type_by_name(const char *name, size_t len);
extern const PurlType *purl_type_by_id(int id);

/* "composer, conan, ...": every purl type name in id order. */
extern const char *purl_type_names(void);

/*
 * Name normalization of doc/format.md section 8, into dst (at least len bytes).
 * Returns the normalized length (never more than len).
 */
extern size_t purl_normalize_name(PurlTypeId type, const char *src, size_t len, char *dst);

#endif
