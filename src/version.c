/*
 * version.c
 *     Dispatch of version comparisons to the ordering family of each purl
 *     type (doc/format.md section 6), and helpers the families share.
 */
#include <string.h>

#include "version.h"
#include "version_internal.h"

static VersionComparator
comparator_for(PurlTypeId type)
{
	switch (type)
	{
		case PURL_NPM:
		case PURL_GOLANG:
		case PURL_CARGO:
		case PURL_NUGET:
			return semver_compare;
		case PURL_MAVEN:
			return maven_compare;
		case PURL_PYPI:
			return pep440_compare;
		case PURL_GEM:
			return gem_compare;
		case PURL_DEB:
			return deb_compare;
		case PURL_RPM:
			return rpm_compare;
		case PURL_APK:
			return apk_compare;
		case PURL_COMPOSER:
			return composer_compare;
		case PURL_CONAN:
			return conan_compare;
		case PURL_CBL_MARINER:
		case PURL_WOLFI:
		case PURL_SWIFT:
		case PURL_CONDA:
		case PURL_PUB:
			break;
	}
	return NULL;
}

bool
version_has_ordering(PurlTypeId type)
{
	return comparator_for(type) != NULL;
}

bool
version_compare(PurlTypeId type,
				const char *a, size_t alen,
				const char *b, size_t blen,
				int *cmp, const char **error)
{
	VersionComparator fn = comparator_for(type);

	if (fn == NULL)
	{
		*error = "the package type has no version ordering";
		return false;
	}
	return fn(type, a, alen, b, blen, cmp, error);
}

int
vc_cmp_digits(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c;

	while (alen > 0 && *a == '0')
		a++, alen--;
	while (blen > 0 && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	c = alen ? memcmp(a, b, alen) : 0;
	return vc_sign(c);
}

int
vc_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen, bool nocase)
{
	size_t		n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
	{
		unsigned char ca = (unsigned char) a[i];
		unsigned char cb = (unsigned char) b[i];

		if (nocase)
		{
			if (ca >= 'a' && ca <= 'z')
				ca -= 'a' - 'A';
			if (cb >= 'a' && cb <= 'z')
				cb -= 'a' - 'A';
		}
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

bool
vc_equal_nocase(const char *s, size_t len, const char *w)
{
	size_t		i;

	for (i = 0; i < len; i++)
		if (w[i] == '\0' || vc_lower(s[i]) != w[i])
			return false;
	return w[i] == '\0';
}

size_t
vc_digits_at(const char *s, size_t len, size_t i)
{
	size_t		start = i;

	while (i < len && vc_is_digit(s[i]))
		i++;
	return i - start;
}

/* the code point of the UTF-8 character of n bytes at p, or -1 */
static long
utf8_char(const unsigned char *p, size_t n)
{
	if (n == 1 && p[0] < 0x80)
		return p[0];
	if (n == 2 && (p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80)
		return ((p[0] & 0x1FL) << 6) | (p[1] & 0x3FL);
	if (n == 3 && (p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
		return ((p[0] & 0x0FL) << 12) | ((p[1] & 0x3FL) << 6) | (p[2] & 0x3FL);
	return -1;
}

/* length of the space character of the set that starts (or, backward, ends) at s[i], or 0 */
static size_t
space_at(const char *s, size_t len, size_t i, bool backward,
		 const unsigned int *spaces, size_t nspaces)
{
	for (size_t n = 1; n <= 3; n++)
	{
		long		cp;

		if (backward ? i < n : i + n > len)
			break;
		cp = utf8_char((const unsigned char *) s + (backward ? i - n : i), n);
		if (cp < 0)
			continue;
		for (size_t k = 0; k < nspaces; k++)
			if (spaces[k] == (unsigned long) cp)
				return n;
		return 0;
	}
	return 0;
}

void
vc_trim_unicode(const char *s, size_t *start, size_t *end,
				const unsigned int *spaces, size_t nspaces)
{
	size_t		n;

	while (*end > *start && (n = space_at(s, *end, *end, true, spaces, nspaces)) > 0)
		*end -= n;
	while (*start < *end && (n = space_at(s, *end, *start, false, spaces, nspaces)) > 0)
		*start += n;
}
