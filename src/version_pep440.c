/*
 * version_pep440.c
 *     PEP 440 ordering, as Python's packaging.version.Version parses and
 *     compares (packaging 22 and later: no legacy versions).
 *
 *     Accepted spellings follow the PEP's normalization rules: any ASCII
 *     case, a leading "v", surrounding whitespace (Unicode, as Python sees
 *     it), "-", "_" or "." around the pre/post/dev labels, the label
 *     synonyms (alpha, beta, c, pre, preview, rev, r) and implicit numbers.
 *     The key compared is (epoch, release without trailing zeros, pre,
 *     post, dev, local).
 */
#include "version_internal.h"

enum
{
	PRE_A,
	PRE_B,
	PRE_RC
};

typedef struct Pep440
{
	const char *epoch;			/* NULL: 0 */
	size_t		epochlen;
	const char *release;		/* digits separated by "." */
	size_t		releaselen;
	int			pre;			/* -1: none, else PRE_* */
	const char *pre_n;			/* NULL: 0 */
	size_t		pre_nlen;
	bool		has_post;
	const char *post_n;
	size_t		post_nlen;
	bool		has_dev;
	const char *dev_n;
	size_t		dev_nlen;
	const char *local;			/* NULL: none */
	size_t		locallen;
} Pep440;

typedef struct Label
{
	const char *word;
	int			value;
} Label;

static const Label pre_labels[] = {
	{"alpha", PRE_A}, {"a", PRE_A}, {"beta", PRE_B}, {"b", PRE_B},
	{"rc", PRE_RC}, {"c", PRE_RC}, {"preview", PRE_RC}, {"pre", PRE_RC},
};
static const Label post_labels[] = {{"post", 0}, {"rev", 0}, {"r", 0}};
static const Label dev_labels[] = {{"dev", 0}};

static bool
is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

/*
 * Longest label of the table at s[i] (case-insensitive); returns its length
 * or 0.  Longest wins because a shorter match ("a" of "alpha") can never be
 * followed by the rest of the word in a valid version.
 */
static size_t
match_label(const char *s, size_t len, size_t i, const Label *labels, size_t n, int *value)
{
	size_t		best = 0;

	for (size_t k = 0; k < n; k++)
	{
		size_t		wl = 0;

		while (labels[k].word[wl] != '\0' && i + wl < len &&
			   vc_lower(s[i + wl]) == labels[k].word[wl])
			wl++;
		if (labels[k].word[wl] == '\0' && wl > best)
		{
			best = wl;
			*value = labels[k].value;
		}
	}
	return best;
}

/*
 * [-_.]? label [-_.]? digits?  at *pos; on a match advances *pos and sets
 * the number span (NULL when implicit).
 */
static bool
labelled_part(const char *s, size_t len, size_t *pos, const Label *labels, size_t n,
			  int *value, const char **num, size_t *numlen)
{
	size_t		i = *pos;
	size_t		l;

	if (i < len && is_sep(s[i]))
		i++;
	l = match_label(s, len, i, labels, n, value);
	if (l == 0)
		return false;
	i += l;
	if (i < len && is_sep(s[i]))
		i++;
	*numlen = vc_digits_at(s, len, i);
	*num = *numlen ? s + i : NULL;
	*pos = i + *numlen;
	return true;
}

/* what Python's str.isspace() accepts */
static const unsigned int python_spaces[] = {
	0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0,
	0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
	0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
};

static bool
pep440_parse(const char *s, size_t len, Pep440 *v, const char **error)
{
	size_t		i = 0;
	size_t		n;
	int			value;

	vc_trim_unicode(s, &i, &len, python_spaces, sizeof(python_spaces) / sizeof(python_spaces[0]));
	if (i < len && (s[i] == 'v' || s[i] == 'V'))
		i++;

	n = vc_digits_at(s, len, i);
	if (n == 0)
	{
		*error = i == len ? "empty version" : "does not start with a release number";
		return false;
	}
	v->epoch = NULL;
	v->epochlen = 0;
	if (i + n < len && s[i + n] == '!')
	{
		v->epoch = s + i;
		v->epochlen = n;
		i += n + 1;
		n = vc_digits_at(s, len, i);
		if (n == 0)
		{
			*error = "no release number after the epoch";
			return false;
		}
	}
	v->release = s + i;
	i += n;
	while (i + 1 < len && s[i] == '.' && vc_is_digit(s[i + 1]))
		i += 1 + vc_digits_at(s, len, i + 1);
	v->releaselen = (size_t) (s + i - v->release);

	v->pre = -1;
	if (labelled_part(s, len, &i, pre_labels, sizeof(pre_labels) / sizeof(pre_labels[0]),
					  &value, &v->pre_n, &v->pre_nlen))
		v->pre = value;

	v->has_post = false;
	if (i + 1 < len && s[i] == '-' && vc_is_digit(s[i + 1]))
	{
		v->has_post = true;
		v->post_n = s + i + 1;
		v->post_nlen = vc_digits_at(s, len, i + 1);
		i += 1 + v->post_nlen;
	}
	else if (labelled_part(s, len, &i, post_labels, sizeof(post_labels) / sizeof(post_labels[0]),
						   &value, &v->post_n, &v->post_nlen))
		v->has_post = true;

	v->has_dev = labelled_part(s, len, &i, dev_labels, 1, &value, &v->dev_n, &v->dev_nlen);

	v->local = NULL;
	v->locallen = 0;
	if (i < len && s[i] == '+')
	{
		size_t		start = ++i;

		for (;;)
		{
			size_t		seg = i;

			while (i < len && vc_is_alnum(s[i]))
				i++;
			if (i == seg)
			{
				*error = "empty segment in the local version";
				return false;
			}
			if (i < len && is_sep(s[i]))
				i++;
			else
				break;
		}
		v->local = s + start;
		v->locallen = i - start;
	}
	if (i < len)
	{
		*error = "unexpected text after the version";
		return false;
	}
	return true;
}

/* release numbers compared pairwise, missing ones (trailing zeros) as 0 */
static int
compare_release(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i = 0,
				j = 0;

	while (i < alen || j < blen)
	{
		size_t		na = vc_digits_at(a, alen, i);
		size_t		nb = vc_digits_at(b, blen, j);
		int			c = vc_cmp_digits(a + i, na, b + j, nb);

		if (c != 0)
			return c;
		i += na + (i + na < alen);
		j += nb + (j + nb < blen);
	}
	return 0;
}

/* local segments: numbers above words, numbers by value, words lower-cased */
static int
compare_local(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		i = 0,
				j = 0;

	for (;;)
	{
		size_t		ai = i,
					bj = j;
		bool		anum,
					bnum;
		int			c;

		if (i >= alen || j >= blen)
			return (i < alen) - (j < blen);
		while (ai < alen && vc_is_alnum(a[ai]))
			ai++;
		while (bj < blen && vc_is_alnum(b[bj]))
			bj++;
		anum = vc_digits_at(a, ai, i) == ai - i;
		bnum = vc_digits_at(b, bj, j) == bj - j;
		if (anum && bnum)
			c = vc_cmp_digits(a + i, ai - i, b + j, bj - j);
		else if (anum != bnum)
			c = anum ? 1 : -1;
		else
		{
			c = 0;
			for (size_t k = 0; c == 0 && k < ai - i && k < bj - j; k++)
				c = vc_sign((unsigned char) vc_lower(a[i + k]) - (unsigned char) vc_lower(b[j + k]));
			if (c == 0)
				c = (ai - i > bj - j) - (ai - i < bj - j);
		}
		if (c != 0)
			return c;
		i = ai + 1;
		j = bj + 1;
	}
}

/* number of an optional part, where an absent number means 0 */
static int
compare_number(const char *a, size_t alen, const char *b, size_t blen)
{
	return vc_cmp_digits(a ? a : "", a ? alen : 0, b ? b : "", b ? blen : 0);
}

bool
pep440_compare(PurlTypeId type, const char *a, size_t alen,
			   const char *b, size_t blen, int *cmp, const char **error)
{
	Pep440		va,
				vb;
	int			c;

	if (!pep440_parse(a, alen, &va, error) || !pep440_parse(b, blen, &vb, error))
		return false;

	c = compare_number(va.epoch, va.epochlen, vb.epoch, vb.epochlen);
	if (c == 0)
		c = compare_release(va.release, va.releaselen, vb.release, vb.releaselen);
	if (c == 0)
	{
		/*
		 * Pre-release key: a bare dev release (1.0.dev1) sorts before every
		 * pre-release of its release, no pre-release after them all.
		 */
		int			pa = va.pre >= 0 ? va.pre : (!va.has_post && va.has_dev) ? -1 : 3;
		int			pb = vb.pre >= 0 ? vb.pre : (!vb.has_post && vb.has_dev) ? -1 : 3;

		c = vc_sign(pa - pb);
		if (c == 0 && va.pre >= 0)
			c = compare_number(va.pre_n, va.pre_nlen, vb.pre_n, vb.pre_nlen);
	}
	if (c == 0)
	{
		/* no post release sorts first */
		c = va.has_post - vb.has_post;
		if (c == 0 && va.has_post)
			c = compare_number(va.post_n, va.post_nlen, vb.post_n, vb.post_nlen);
	}
	if (c == 0)
	{
		/* no dev release sorts last */
		c = vb.has_dev - va.has_dev;
		if (c == 0 && va.has_dev)
			c = compare_number(va.dev_n, va.dev_nlen, vb.dev_n, vb.dev_nlen);
	}
	if (c == 0)
	{
		/* no local version sorts first */
		c = (va.local != NULL) - (vb.local != NULL);
		if (c == 0 && va.local != NULL)
			c = compare_local(va.local, va.locallen, vb.local, vb.locallen);
	}
	*cmp = c;
	return true;
}
