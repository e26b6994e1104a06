/*
 * purl_types.h
 *     The package types of the export (FORMAT.md section 7): purl type name,
 *     numeric id (the value stored in tables) and the export's registry id.
 */
#ifndef PKGMETA_PURL_TYPES_H
#define PKGMETA_PURL_TYPES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum PurlTypeId
{
	PURL_COMPOSER = 1,
	PURL_CONAN = 2,
	PURL_GEM = 3,
	PURL_GOLANG = 4,
	PURL_MAVEN = 5,
	PURL_NPM = 6,
	PURL_NUGET = 7,
	PURL_PYPI = 8,
	PURL_APK = 9,
	PURL_RPM = 10,
	PURL_DEB = 11,
	PURL_CBL_MARINER = 12,
	PURL_WOLFI = 13,
	PURL_CARGO = 14,
	PURL_SWIFT = 15,
	PURL_CONDA = 16,
	PURL_PUB = 17
} PurlTypeId;

#define PURL_TYPE_MIN 1
#define PURL_TYPE_MAX 17

typedef struct PurlType
{
	PurlTypeId	id;
	const char *name;			/* purl type, e.g. "gem" */
	const char *registry_id;	/* export folder, e.g. "rubygem" */
} PurlType;

/* NULL when the name is not a purl type of the export. */
extern const PurlType *purl_type_by_name(const char *name, size_t len);
extern const PurlType *purl_type_by_registry(const char *registry_id, size_t len);
extern const PurlType *purl_type_by_id(int id);

/*
 * Name normalization of FORMAT.md section 8, into dst (at least len bytes).
 * Returns the normalized length (never more than len).
 */
extern size_t purl_normalize_name(PurlTypeId type, const char *src, size_t len, char *dst);

#endif
