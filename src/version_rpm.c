/*
 * version_rpm.c
 *     rpm's ordering of [epoch:]version[-release] labels: the epochs as
 *     numbers, then version and release with rpmvercmp.  As in rpm's
 *     labelCompare, a missing release sorts before any release (even an
 *     empty one, "1.0-"), and an empty version is an error.
 *
 *     rpmvercmp compares alternating runs of ASCII letters and digits; any
 *     other byte separates runs; "~" sorts before everything (even the end)
 *     and "^" after the end but before anything else.
 */
#include "version_internal.h"

typedef struct RpmLabel
{
	const char *epoch;			/* NULL: 0 */
	size_t		epochlen;
	const char *version;
	size_t		versionlen;
	const char *release;		/* NULL: no release */
	size_t		releaselen;
} RpmLabel;

static bool
rpm_parse(const char *s, size_t len, RpmLabel *v, const char **error)
{
	size_t		n = vc_digits_at(s, len, 0);
	size_t		i = 0;
	size_t		hyphen = len;

	/* the epoch is the leading digits when a colon follows them */
	v->epoch = NULL;
	v->epochlen = 0;
	if (n < len && s[n] == ':')
	{
		v->epoch = s;
		v->epochlen = n;
		i = n + 1;
	}
	for (size_t j = i; j < len; j++)
		if (s[j] == '-')
			hyphen = j;
	v->version = s + i;
	v->versionlen = hyphen - i;
	v->release = hyphen < len ? s + hyphen + 1 : NULL;
	v->releaselen = hyphen < len ? len - hyphen - 1 : 0;
	if (v->versionlen == 0)
	{
		*error = "empty version";
		return false;
	}
	return true;
}

static bool
is_separator(char c)
{
	return !vc_is_alnum(c) && c != '~' && c != '^';
}

static int
rpmvercmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i = 0,
				j = 0;

	for (;;)
	{
		size_t		ei,
					ej;
		bool		numeric;
		int			c;

		while (i < alen && is_separator(a[i]))
			i++;
		while (j < blen && is_separator(b[j]))
			j++;
		if (i == alen && j == blen)
			return 0;

		if ((i < alen && a[i] == '~') || (j < blen && b[j] == '~'))
		{
			if (i == alen || a[i] != '~')
				return 1;
			if (j == blen || b[j] != '~')
				return -1;
			i++;
			j++;
			continue;
		}
		if ((i < alen && a[i] == '^') || (j < blen && b[j] == '^'))
		{
			if (i == alen)
				return -1;
			if (j == blen)
				return 1;
			if (a[i] != '^')
				return 1;
			if (b[j] != '^')
				return -1;
			i++;
			j++;
			continue;
		}
		/* one side ended: the one with something left is newer */
		if (i == alen || j == blen)
			return i == alen ? -1 : 1;

		numeric = vc_is_digit(a[i]);
		ei = i;
		ej = j;
		if (numeric)
		{
			while (ei < alen && vc_is_digit(a[ei]))
				ei++;
			while (ej < blen && vc_is_digit(b[ej]))
				ej++;
		}
		else
		{
			while (ei < alen && vc_is_alpha(a[ei]))
				ei++;
			while (ej < blen && vc_is_alpha(b[ej]))
				ej++;
		}
		/* a number is newer than letters */
		if (ej == j)
			return numeric ? 1 : -1;
		c = numeric ? vc_cmp_digits(a + i, ei - i, b + j, ej - j)
			: vc_cmp_bytes(a + i, ei - i, b + j, ej - j, false);
		if (c != 0)
			return c;
		i = ei;
		j = ej;
	}
}

bool
rpm_compare(PurlTypeId type, const char *a, size_t alen,
			const char *b, size_t blen, int *cmp, const char **error)
{
	RpmLabel	va,
				vb;
	int			c;

	if (!rpm_parse(a, alen, &va, error) || !rpm_parse(b, blen, &vb, error))
		return false;
	c = vc_cmp_digits(va.epoch ? va.epoch : "", va.epochlen, vb.epoch ? vb.epoch : "", vb.epochlen);
	if (c == 0)
		c = rpmvercmp(va.version, va.versionlen, vb.version, vb.versionlen);
	if (c == 0)
	{
		if (va.release == NULL || vb.release == NULL)
			c = (va.release != NULL) - (vb.release != NULL);
		else
			c = rpmvercmp(va.release, va.releaselen, vb.release, vb.releaselen);
	}
	*cmp = c;
	return true;
}
