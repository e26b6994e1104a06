/*
 * version_deb.c
 *     Debian version ordering (Debian policy 5.6.12, as dpkg implements it):
 *     [epoch:]upstream[-revision].
 *
 *     Versions dpkg --compare-versions rejects or warns about are errors
 *     here: an upstream part that does not start with a digit, characters
 *     outside the policy's sets, an empty part, an epoch that is not a
 *     number or exceeds dpkg's limit (INT_MAX).
 */
#include "version_internal.h"

typedef struct DebVersion
{
	const char *epoch;			/* NULL: 0 */
	size_t		epochlen;
	const char *upstream;
	size_t		upstreamlen;
	const char *revision;		/* may be empty */
	size_t		revisionlen;
} DebVersion;

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
deb_parse(const char *s, size_t len, DebVersion *v, const char **error)
{
	size_t		i = 0;
	size_t		colon = len,
				hyphen = len;

	/* dpkg ignores surrounding blanks */
	while (i < len && is_blank(s[i]))
		i++;
	while (len > i && is_blank(s[len - 1]))
		len--;
	if (i == len)
	{
		*error = "empty version";
		return false;
	}
	for (size_t j = i; j < len; j++)
	{
		if (is_blank(s[j]))
		{
			*error = "embedded space";
			return false;
		}
		if (s[j] == ':' && colon == len)
			colon = j;
	}

	v->epoch = NULL;
	v->epochlen = 0;
	if (colon < len)
	{
		size_t		n;

		/* dpkg reads the epoch with strtol, which takes a "+" sign */
		if (s[i] == '+' && colon > i + 1)
			i++;
		n = vc_digits_at(s, colon, i);
		if (colon == i)
		{
			*error = "empty epoch";
			return false;
		}
		if (i + n != colon)
		{
			*error = "epoch is not a number";
			return false;
		}
		if (vc_cmp_digits(s + i, n, "2147483647", 10) > 0)
		{
			*error = "epoch is too big";
			return false;
		}
		v->epoch = s + i;
		v->epochlen = n;
		i = colon + 1;
		if (i == len)
		{
			*error = "nothing after the epoch";
			return false;
		}
	}
	for (size_t j = i; j < len; j++)
		if (s[j] == '-')
			hyphen = j;
	v->upstream = s + i;
	v->upstreamlen = hyphen - i;
	v->revision = hyphen < len ? s + hyphen + 1 : s + len;
	v->revisionlen = hyphen < len ? len - hyphen - 1 : 0;
	if (hyphen < len && v->revisionlen == 0)
	{
		*error = "empty revision";
		return false;
	}
	if (v->upstreamlen == 0)
	{
		*error = "empty upstream version";
		return false;
	}
	if (!vc_is_digit(v->upstream[0]))
	{
		*error = "upstream version does not start with a digit";
		return false;
	}
	for (size_t j = 0; j < v->upstreamlen; j++)
	{
		char		c = v->upstream[j];

		if (!vc_is_alnum(c) && c != '.' && c != '-' && c != '+' && c != '~' && c != ':')
		{
			*error = "invalid character in the upstream version";
			return false;
		}
	}
	for (size_t j = 0; j < v->revisionlen; j++)
	{
		char		c = v->revision[j];

		if (!vc_is_alnum(c) && c != '.' && c != '+' && c != '~')
		{
			*error = "invalid character in the revision";
			return false;
		}
	}
	return true;
}

/* dpkg's character weight: "~" lowest, then end of part, letters, others */
static int
weight(const char *s, size_t len, size_t i)
{
	char		c;

	if (i >= len)
		return 0;
	c = s[i];
	if (vc_is_digit(c))
		return 0;
	if (vc_is_alpha(c))
		return (unsigned char) c;
	if (c == '~')
		return -1;
	return (unsigned char) c + 256;
}

/* alternating non-digit and digit runs, as in policy 5.6.12 */
static int
compare_part(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i = 0,
				j = 0;

	while (i < alen || j < blen)
	{
		size_t		na,
					nb;
		int			c;

		while ((i < alen && !vc_is_digit(a[i])) || (j < blen && !vc_is_digit(b[j])))
		{
			int			wa = weight(a, alen, i);
			int			wb = weight(b, blen, j);

			if (wa != wb)
				return wa < wb ? -1 : 1;
			i++;
			j++;
		}
		na = vc_digits_at(a, alen, i);
		nb = vc_digits_at(b, blen, j);
		c = vc_cmp_digits(a + i, na, b + j, nb);
		if (c != 0)
			return c;
		i += na;
		j += nb;
	}
	return 0;
}

bool
deb_compare(PurlTypeId type, const char *a, size_t alen,
			const char *b, size_t blen, int *cmp, const char **error)
{
	DebVersion	va,
				vb;
	int			c;

	if (!deb_parse(a, alen, &va, error) || !deb_parse(b, blen, &vb, error))
		return false;
	c = vc_cmp_digits(va.epoch ? va.epoch : "", va.epochlen, vb.epoch ? vb.epoch : "", vb.epochlen);
	if (c == 0)
		c = compare_part(va.upstream, va.upstreamlen, vb.upstream, vb.upstreamlen);
	if (c == 0)
		c = compare_part(va.revision, va.revisionlen, vb.revision, vb.revisionlen);
	*cmp = c;
	return true;
}
