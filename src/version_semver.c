/*
 * version_semver.c
 *     Semantic Versioning 2.0 precedence for npm, golang, cargo and nuget.
 *
 *     npm and cargo: exactly MAJOR.MINOR.PATCH, no leading zeros; npm
 *     ignores surrounding whitespace, as node-semver does.
 *     golang: as npm, plus Go's shorthands "v1" and "v1.2" (= v1.0.0,
 *     v1.2.0) when there is no pre-release or build; pseudo-versions
 *     (v0.0.0-20191109021931-daa7c04131f5) are ordinary pre-releases.
 *     nuget: 1 to 4 numeric parts (missing ones are 0), leading zeros
 *     allowed, pre-release labels compared case-insensitively.
 *     All: an optional leading "=" and/or "v"; build metadata is parsed but
 *     ignored, as SemVer precedence requires.
 */
#include "version_internal.h"

#define SEMVER_MAX_PARTS 4

typedef struct SemVerRules
{
	bool		trim;			/* surrounding whitespace is ignored (npm) */
	int			min_parts;
	int			max_parts;
	bool		short_only_plain;	/* fewer than 3 parts only without pre/build */
	bool		leading_zeros;	/* numbers may have leading zeros */
	bool		nocase;			/* pre-release labels compare case-insensitively */
} SemVerRules;

typedef struct SemVer
{
	const char *part[SEMVER_MAX_PARTS];
	size_t		partlen[SEMVER_MAX_PARTS];
	int			nparts;
	const char *pre;			/* dot-separated identifiers, NULL if none */
	size_t		prelen;
} SemVer;

static const SemVerRules npm_rules = {true, 3, 3, false, false, false};
static const SemVerRules cargo_rules = {false, 3, 3, false, false, false};
static const SemVerRules golang_rules = {false, 1, 3, true, false, false};
static const SemVerRules nuget_rules = {false, 1, 4, false, true, true};

/* what JavaScript's String.prototype.trim() removes, as node-semver trims */
static const unsigned int js_spaces[] = {
	0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002,
	0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028,
	0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF,
};

static bool
is_ident_char(char c)
{
	return vc_is_alnum(c) || c == '-';
}

static bool
all_digits(const char *s, size_t len)
{
	return vc_digits_at(s, len, 0) == len;
}

/*
 * Checks dot-separated identifiers s[0..len); numeric ones must not have
 * leading zeros when check_zeros.
 */
static bool
parse_identifiers(const char *s, size_t len, bool check_zeros, const char **error)
{
	size_t		i = 0;

	for (;;)
	{
		size_t		start = i;

		while (i < len && is_ident_char(s[i]))
			i++;
		if (i == start)
		{
			*error = (i < len && s[i] != '.') ? "invalid character" : "empty identifier";
			return false;
		}
		if (check_zeros && i - start > 1 && s[start] == '0' && all_digits(s + start, i - start))
		{
			*error = "numeric pre-release identifier with a leading zero";
			return false;
		}
		if (i == len)
			return true;
		if (s[i] != '.')
		{
			*error = "invalid character";
			return false;
		}
		i++;
	}
}

static bool
semver_parse(const char *s, size_t len, const SemVerRules *rules, SemVer *v,
			 const char **error)
{
	size_t		i = 0;
	size_t		build;

	if (rules->trim)
		vc_trim_unicode(s, &i, &len, js_spaces, sizeof(js_spaces) / sizeof(js_spaces[0]));
	build = len;
	if (i < len && s[i] == '=')
		i++;
	if (i < len && s[i] == 'v')
		i++;

	v->nparts = 0;
	v->pre = NULL;
	v->prelen = 0;
	for (;;)
	{
		size_t		n = vc_digits_at(s, len, i);

		if (n == 0)
		{
			if (i == len && v->nparts == 0)
				*error = "empty version";
			else if (i == len || s[i] == '.')
				*error = "empty version number part";
			else
				*error = "version number part is not a number";
			return false;
		}
		if (!rules->leading_zeros && n > 1 && s[i] == '0')
		{
			*error = "version number part with a leading zero";
			return false;
		}
		v->part[v->nparts] = s + i;
		v->partlen[v->nparts] = n;
		v->nparts++;
		i += n;
		if (i < len && s[i] == '.' && v->nparts < rules->max_parts)
		{
			i++;
			continue;
		}
		break;
	}
	if (v->nparts < rules->min_parts)
	{
		*error = v->nparts == 1 ? "missing minor version" : "missing patch version";
		return false;
	}
	if (i < len && s[i] == '.')
	{
		*error = "too many version number parts";
		return false;
	}

	/* build metadata: everything after the first "+" */
	for (size_t j = i; j < len; j++)
		if (s[j] == '+')
		{
			build = j;
			break;
		}
	if (i < build)
	{
		if (s[i] != '-')
		{
			*error = "invalid character after the version numbers";
			return false;
		}
		v->pre = s + i + 1;
		v->prelen = build - i - 1;
		if (!parse_identifiers(v->pre, v->prelen, !rules->leading_zeros, error))
			return false;
	}
	if (build < len && !parse_identifiers(s + build + 1, len - build - 1, false, error))
		return false;
	if (rules->short_only_plain && v->nparts < 3 && (v->pre != NULL || build < len))
	{
		*error = "missing patch version";
		return false;
	}
	return true;
}

/* identifiers: both numeric by value; numeric before alphanumeric; else bytes */
static int
compare_prerelease(const char *a, size_t alen, const char *b, size_t blen, bool nocase)
{
	size_t		i = 0,
				j = 0;

	for (;;)
	{
		size_t		ai,
					bj;
		bool		anum,
					bnum;
		int			c;

		if (i >= alen || j >= blen)
			return (i < alen) - (j < blen);
		ai = i;
		while (ai < alen && a[ai] != '.')
			ai++;
		bj = j;
		while (bj < blen && b[bj] != '.')
			bj++;
		anum = all_digits(a + i, ai - i);
		bnum = all_digits(b + j, bj - j);
		if (anum && bnum)
			c = vc_cmp_digits(a + i, ai - i, b + j, bj - j);
		else if (anum || bnum)
			c = anum ? -1 : 1;
		else
			c = vc_cmp_bytes(a + i, ai - i, b + j, bj - j, nocase);
		if (c != 0)
			return c;
		i = ai + 1;
		j = bj + 1;
	}
}

bool
semver_compare(PurlTypeId type, const char *a, size_t alen,
			   const char *b, size_t blen, int *cmp, const char **error)
{
	const SemVerRules *rules;
	SemVer		va,
				vb;
	int			c = 0;

	switch (type)
	{
		case PURL_GOLANG:
			rules = &golang_rules;
			break;
		case PURL_NUGET:
			rules = &nuget_rules;
			break;
		case PURL_NPM:
			rules = &npm_rules;
			break;
		default:
			rules = &cargo_rules;
			break;
	}
	if (!semver_parse(a, alen, rules, &va, error) ||
		!semver_parse(b, blen, rules, &vb, error))
		return false;

	for (int k = 0; c == 0 && k < rules->max_parts; k++)
	{
		static const char zero = '0';

		c = vc_cmp_digits(k < va.nparts ? va.part[k] : &zero,
						  k < va.nparts ? va.partlen[k] : 1,
						  k < vb.nparts ? vb.part[k] : &zero,
						  k < vb.nparts ? vb.partlen[k] : 1);
	}
	if (c == 0)
	{
		/* a pre-release sorts before the release */
		if (va.pre == NULL || vb.pre == NULL)
			c = (va.pre == NULL) - (vb.pre == NULL);
		else
			c = compare_prerelease(va.pre, va.prelen, vb.pre, vb.prelen, rules->nocase);
	}
	*cmp = c;
	return true;
}
