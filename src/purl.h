/*
 * purl.h
 *     Package URL parsing (https://github.com/package-url/purl-spec) into the
 *     key of the export: purl type, package name as the export spells it
 *     (doc/format.md sections 5 and 8) and version.
 *
 *     Plain C: no palloc, no ereport, so fuzzers can link it.  Results point
 *     into a caller buffer; nothing is allocated.
 */
#ifndef PKGMETA_PURL_H
#define PKGMETA_PURL_H

#include <stdbool.h>
#include <stddef.h>

#include "purl_types.h"

/* bytes of caller buffer purl_parse needs for an input of len bytes */
#define PURL_BUFFER_SIZE(len) (2 * (len) + 1)

typedef struct Purl
{
	/* lower-cased purl type, also when it is not a type of the export */
	const char *type;
	size_t		type_len;
	/* the export's type, NULL when the export has no such type */
	const PurlType *known_type;

	/*
	 * Package name as the export stores it: "namespace/name" for the types
	 * whose registries name packages that way (and for types unknown to the
	 * export), else the name alone; normalized per doc/format.md section 8.
	 */
	const char *name;
	size_t		name_len;

	/* percent-decoded version; NULL when the purl has none */
	const char *version;
	size_t		version_len;

	/*
	 * percent-decoded value of the "distro" qualifier (the distribution of
	 * an OS package, "debian-11"); NULL when absent or not decodable
	 */
	const char *distro;
	size_t		distro_len;
} Purl;

/*
 * Parse purl[0..len) into *out, using buf (at least PURL_BUFFER_SIZE(len)
 * bytes) for the decoded parts.  Of the qualifiers only "distro" is read;
 * the subpath is ignored.
 * Returns NULL on success, else a static message saying what is wrong.
 */
extern const char *purl_parse(const char *purl, size_t len, char *buf, Purl *out);

#endif
