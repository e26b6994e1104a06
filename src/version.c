/*
 * version.c
 *     Dispatch of version comparisons to the ordering family of each purl
 *     type (FORMAT.md section 6), and helpers the families share.
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
		case PURL_CONAN:
			return dotted_compare;
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
