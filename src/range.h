/*
 * range.h
 *     Affected-version ranges of advisories (doc/ranges.md):
 *     compiled once from the range text of a purl type's dialect into a flat
 *     byte form, then matched against versions under pkgmeta's orderings
 *     (version.h) without reading the syntax again.
 *
 *     Plain C like version.h: no palloc, no ereport; the compiled form goes
 *     to a caller-provided RangeBuf of fixed size.
 */
#ifndef PKGMETA_RANGE_H
#define PKGMETA_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "purl_types.h"

/* the export's own bound on affected_range (a malware advisory's, doc/ranges.md) */
#define RANGE_MAX_LENGTH 10000

/* comparators over all branches: bounds the work of one match */
#define RANGE_MAX_COMPARATORS 2000

/*
 * Room for any compiled range within RANGE_MAX_LENGTH: a text item of n
 * bytes (n >= 1, plus its separator) compiles to at most 3 + n bytes of
 * comparator and 2 of branch header, so 4 bytes a text byte and a header
 * are always enough.
 */
#define RANGE_COMPILED_MAX (8 + 4 * RANGE_MAX_LENGTH)

typedef struct RangeBuf
{
	size_t		len;
	uint8_t		data[RANGE_COMPILED_MAX];
} RangeBuf;

typedef enum RangeMatch
{
	RANGE_NOT_AFFECTED,
	RANGE_AFFECTED,
	RANGE_UNREADABLE,			/* the version cannot be read under the ordering */
	RANGE_MALFORMED				/* not a compiled range of the purl type */
} RangeMatch;

/*
 * Compiles text[0..len) under the dialect of the purl type into *out.
 * Returns false and sets *reason to a static message when the range cannot
 * be read (bad syntax, a bound the ordering cannot parse, a type without a
 * range dialect, a limit exceeded).
 */
extern bool range_compile(PurlTypeId type, const char *text, size_t len,
						  RangeBuf *out, const char **reason);

/*
 * Whether version[0..vlen) lies in the compiled range.  RANGE_UNREADABLE
 * when the version cannot be parsed, RANGE_MALFORMED when compiled[0..len)
 * is not what range_compile wrote for this purl type; both set *reason.
 */
extern RangeMatch range_match(const uint8_t *compiled, size_t len, PurlTypeId type,
							  const char *version, size_t vlen, const char **reason);

#endif
