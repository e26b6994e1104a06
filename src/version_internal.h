/*
 * version_internal.h
 *     Shared helpers and the per-family entry points behind version.h.
 *     Every comparator parses into spans of the caller's buffer (no copies,
 *     no allocation) and has the signature of version_compare minus the type
 *     where the family needs no type.
 */
#ifndef PKGMETA_VERSION_INTERNAL_H
#define PKGMETA_VERSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "purl_types.h"

static inline bool
vc_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
vc_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
vc_is_alnum(char c)
{
	return vc_is_digit(c) || vc_is_alpha(c);
}

static inline char
vc_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static inline bool
vc_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline int
vc_sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Numeric order of two digit strings of any length; leading zeros ignored. */
extern int	vc_cmp_digits(const char *a, size_t alen, const char *b, size_t blen);

/* Byte order of two strings, optionally ASCII case-insensitive (upper-cased). */
extern int	vc_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen, bool nocase);

/* true when s[0..len) equals the lower-case word w, ignoring ASCII case */
extern bool vc_equal_nocase(const char *s, size_t len, const char *w);

/*
 * Narrows [*start, *end) of s by the leading and trailing characters (UTF-8,
 * up to U+FFFF) that are in spaces[]: the whitespace of another language.
 */
extern void vc_trim_unicode(const char *s, size_t *start, size_t *end,
							const unsigned int *spaces, size_t nspaces);

/* length of the run of digits starting at s[i] */
extern size_t vc_digits_at(const char *s, size_t len, size_t i);

typedef bool (*VersionComparator) (PurlTypeId type,
								   const char *a, size_t alen,
								   const char *b, size_t blen,
								   int *cmp, const char **error);

extern bool semver_compare(PurlTypeId type, const char *a, size_t alen,
						   const char *b, size_t blen, int *cmp, const char **error);
extern bool maven_compare(PurlTypeId type, const char *a, size_t alen,
						  const char *b, size_t blen, int *cmp, const char **error);
extern bool pep440_compare(PurlTypeId type, const char *a, size_t alen,
						   const char *b, size_t blen, int *cmp, const char **error);
extern bool gem_compare(PurlTypeId type, const char *a, size_t alen,
						const char *b, size_t blen, int *cmp, const char **error);
extern bool deb_compare(PurlTypeId type, const char *a, size_t alen,
						const char *b, size_t blen, int *cmp, const char **error);
extern bool rpm_compare(PurlTypeId type, const char *a, size_t alen,
						const char *b, size_t blen, int *cmp, const char **error);
extern bool apk_compare(PurlTypeId type, const char *a, size_t alen,
						const char *b, size_t blen, int *cmp, const char **error);
extern bool composer_compare(PurlTypeId type, const char *a, size_t alen,
							 const char *b, size_t blen, int *cmp, const char **error);
extern bool conan_compare(PurlTypeId type, const char *a, size_t alen,
						  const char *b, size_t blen, int *cmp, const char **error);

#endif
