/*
 * version_composer.c
 *     Composer's ordering: VersionParser::normalize, then PHP's
 *     version_compare on the normalized forms, as Composer\Semver\Comparator
 *     does (composer/semver 3).
 *
 *     normalize accepts, after an optional "v":
 *       classical  up to four numbers (major at most 5 digits), padded to
 *                  four with 0: 1.2 -> 1.2.0.0
 *       date       2023-01-01, 2023.01.01.1: 4 digits, 1 to 6 groups of 2,
 *                  an optional group of 1 to 3, separated by ".", ":", "-"
 *                  or nothing; separators become "."
 *       branch     1.x-dev, 2.*-dev: wildcards and missing parts are 9999999
 *     followed by an optional stability (alpha/a, beta/b, RC, stable,
 *     patch/pl/p) with numbers and an optional "dev" marker.  "+build",
 *     a trailing "@beta" flag and " as 2.0" aliases are dropped.
 *
 *     version_compare then orders element by element: numbers by value,
 *     dev < alpha < beta < RC < number < patch, and where one side has an
 *     element more, a number there wins, else the element ranks against a
 *     number: 1.0-beta2-dev < 1.0-beta2 < 1.0 < 1.0-patch1.
 *     Branches ("dev-main") have no order.
 */
#include <string.h>

#include "version_internal.h"

/* PHP version_compare's order of special forms; a number ranks as "#" */
enum
{
	RANK_UNKNOWN = -1,			/* a word PHP does not know sorts first */
	RANK_DEV = 0,
	RANK_ALPHA = 1,
	RANK_BETA = 2,
	RANK_RC = 3,
	RANK_NUMBER = 4,
	RANK_PATCH = 5
};

typedef enum NumbersForm
{
	FORM_CLASSICAL,
	FORM_DATE,
	FORM_BRANCH
} NumbersForm;

typedef struct ComposerVersion
{
	const char *numbers;		/* numbers (or wildcards) and separators */
	size_t		numberslen;
	NumbersForm form;
	int			stability;		/* RANK_NUMBER: none (or "stable") */
	const char *stabnums;		/* the stability's numbers */
	size_t		stabnumslen;
	bool		dev;
} ComposerVersion;

#define DATE_MAX_RUNS 8			/* 1 + 6 + 1 digit groups */

static const char branch_number[] = "9999999";

/* PHP's trim() set */
static bool
php_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' || c == '\v';
}

static bool
is_wildcard(char c)
{
	return c == 'x' || c == 'X' || c == '*';
}

/* "1.0 as 2.0" (an inline alias) is the version before " as " */
static void
strip_alias(const char *s, size_t i, size_t *len)
{
	size_t		end = i;
	size_t		j;

	while (end < *len && s[end] != ',' && !vc_is_space(s[end]))
		end++;
	if (end == i || end == *len || s[end] != ' ')
		return;
	j = end;
	while (j < *len && s[j] == ' ')
		j++;
	if (*len - j < 3 || s[j] != 'a' || s[j + 1] != 's' || s[j + 2] != ' ')
		return;
	j += 2;
	while (j < *len && s[j] == ' ')
		j++;
	if (j == *len)
		return;
	for (size_t k = j; k < *len; k++)
		if (s[k] == ',' || vc_is_space(s[k]))
			return;
	*len = end;
}

/* a trailing "@beta" (a constraint's stability flag) is ignored */
static void
strip_stability_flag(const char *s, size_t i, size_t *len)
{
	static const char *const flags[] = {"stable", "rc", "beta", "alpha", "dev"};

	for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
	{
		size_t		fl = strlen(flags[k]);

		if (*len - i > fl && s[*len - fl - 1] == '@' &&
			vc_equal_nocase(s + *len - fl, fl, flags[k]))
		{
			*len -= fl + 1;
			return;
		}
	}
}

/* [.-]?dev is all that is left at s[i..len) */
static bool
dev_suffix(const char *s, size_t len, size_t i)
{
	if (i < len && (s[i] == '.' || s[i] == '-'))
		i++;
	return len - i == 3 && vc_equal_nocase(s + i, 3, "dev");
}

/*
 * [._-]? (stability [.-]?numbers...)? ([.-]?dev)? up to len; false when
 * something else is left.
 */
static bool
parse_modifier(const char *s, size_t len, size_t i, ComposerVersion *v)
{
	static const struct
	{
		const char *word;
		int			rank;
	}			words[] = {
		{"stable", RANK_NUMBER}, {"beta", RANK_BETA}, {"b", RANK_BETA}, {"rc", RANK_RC},
		{"alpha", RANK_ALPHA}, {"a", RANK_ALPHA}, {"patch", RANK_PATCH}, {"pl", RANK_PATCH},
		{"p", RANK_PATCH},
	};
	size_t		best = 0;

	v->stability = RANK_NUMBER;
	v->stabnums = s + i;
	v->stabnumslen = 0;
	v->dev = false;
	if (i < len && (s[i] == '.' || s[i] == '_' || s[i] == '-'))
		i++;
	/* the longest word: a shorter one ("b" of "beta") could not be followed by the rest */
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
	{
		size_t		wl = 0;

		while (words[k].word[wl] != '\0' && i + wl < len &&
			   vc_lower(s[i + wl]) == words[k].word[wl])
			wl++;
		if (words[k].word[wl] == '\0' && wl > best)
		{
			best = wl;
			v->stability = words[k].rank;
		}
	}
	/* Composer recognizes only a lower-case "stable"; "STABLE" is a word PHP does not know */
	if (best == 6 && memcmp(s + i, "stable", 6) != 0)
		v->stability = RANK_UNKNOWN;
	if (best > 0)
	{
		size_t		start = i += best;

		for (;;)
		{
			size_t		j = i;

			if (j < len && (s[j] == '.' || s[j] == '-'))
				j++;
			if (vc_digits_at(s, len, j) == 0)
				break;
			i = j + vc_digits_at(s, len, j);
		}
		v->stabnums = s + start;
		v->stabnumslen = i - start;
	}
	if (dev_suffix(s, len, i))
	{
		v->dev = true;
		i = len;
	}
	if (i < len)
		return false;
	if (best > 0 && v->stability == RANK_NUMBER)
	{
		/* "-stable" normalizes to the bare numbers, whatever follows it */
		v->stabnumslen = 0;
		v->dev = false;
	}
	return true;
}

/* up to four numbers, the first at most 5 digits, then the modifier */
static bool
parse_classical(const char *s, size_t len, size_t i, ComposerVersion *v)
{
	size_t		n = vc_digits_at(s, len, i);

	if (n == 0 || n > 5)
		return false;
	v->numbers = s + i;
	i += n;
	for (int part = 1; part < 4 && i + 1 < len && s[i] == '.' && vc_is_digit(s[i + 1]); part++)
		i += 1 + vc_digits_at(s, len, i + 1);
	v->numberslen = (size_t) (s + i - v->numbers);
	v->form = FORM_CLASSICAL;
	return parse_modifier(s, len, i, v);
}

/* can digit runs of these lengths be 4, 2 x m (1..6), then 0..3 digits? */
static bool
date_groups_fit(const size_t *runs, int nruns)
{
	size_t		total = 0;

	for (int r = 0; r < nruns; r++)
		total += runs[r];
	for (size_t m = 1; m <= 6; m++)
	{
		size_t		head = 4 + 2 * m;
		size_t		at = 0;
		bool		fits = total >= head && total - head <= 3;

		/* every separator must fall on a group boundary */
		for (int r = 0; fits && r < nruns - 1; r++)
		{
			at += runs[r];
			fits = at >= 4 && at <= head && (at - 4) % 2 == 0;
		}
		if (fits)
			return true;
	}
	return false;
}

static bool
parse_date(const char *s, size_t len, size_t i, ComposerVersion *v)
{
	size_t		runs[DATE_MAX_RUNS];
	int			nruns = 0;

	v->numbers = s + i;
	for (;;)
	{
		size_t		n = vc_digits_at(s, len, i);

		if (n == 0 || nruns == DATE_MAX_RUNS)
			return false;
		runs[nruns++] = n;
		i += n;
		if (i + 1 < len && (s[i] == '.' || s[i] == ':' || s[i] == '-') && vc_is_digit(s[i + 1]))
			i++;
		else
			break;
	}
	if (!date_groups_fit(runs, nruns))
		return false;
	v->numberslen = (size_t) (s + i - v->numbers);
	v->form = FORM_DATE;
	return parse_modifier(s, len, i, v);
}

/* a branch alias: up to four numbers or wildcards, then [.-]?dev */
static bool
parse_branch(const char *s, size_t len, size_t i, ComposerVersion *v)
{
	size_t		end;
	size_t		n = vc_digits_at(s, len, i);

	if (len - i < 3 || !vc_equal_nocase(s + len - 3, 3, "dev"))
		return false;
	end = len - 3;
	if (end > i && (s[end - 1] == '.' || s[end - 1] == '-'))
		end--;
	if (n == 0)
		return false;
	v->numbers = s + i;
	i += n;
	for (int part = 1; part < 4 && i + 1 < end && s[i] == '.'; part++)
	{
		if (is_wildcard(s[i + 1]))
			i += 2;
		else if ((n = vc_digits_at(s, end, i + 1)) > 0)
			i += 1 + n;
		else
			break;
	}
	if (i != end)
		return false;
	v->numberslen = end - (size_t) (v->numbers - s);
	v->form = FORM_BRANCH;
	v->stability = RANK_NUMBER;
	v->stabnums = s + len;
	v->stabnumslen = 0;
	v->dev = true;
	return true;
}

static bool
composer_parse(const char *s, size_t len, ComposerVersion *v, const char **error)
{
	size_t		i = 0;

	while (len > 0 && php_space(s[len - 1]))
		len--;
	while (i < len && php_space(s[i]))
		i++;
	strip_alias(s, i, &len);
	strip_stability_flag(s, i, &len);
	if (len - i >= 4 && vc_equal_nocase(s + i, 4, "dev-"))
	{
		*error = "a branch name has no version order";
		return false;
	}
	/* "+build" metadata is dropped, when neither side has a space or "," before it */
	for (size_t j = i; j < len; j++)
		if (s[j] == '+')
		{
			bool		clean = j > i && j + 1 < len;

			for (size_t k = i; clean && k < len; k++)
				clean = !vc_is_space(s[k]) && (k > j || s[k] != ',');
			if (!clean)
			{
				*error = "invalid build metadata";
				return false;
			}
			len = j;
			break;
		}
	if (i < len && (s[i] == 'v' || s[i] == 'V'))
		i++;
	if (parse_classical(s, len, i, v) || parse_date(s, len, i, v) ||
		parse_branch(s, len, i, v))
		return true;
	if (i == len)
		*error = "empty version";
	else if (!vc_is_digit(s[i]))
		*error = "does not start with a number";
	else
		*error = "not a version Composer can normalize";
	return false;
}

/* an element of the normalized version */
typedef struct ComposerElem
{
	int			rank;			/* RANK_NUMBER for a number */
	const char *p;				/* its digits */
	size_t		len;
} ComposerElem;

typedef struct ComposerIter
{
	const ComposerVersion *v;
	int			step;			/* 0: numbers, 1: word, 2: its numbers, 3: dev, 4: end */
	int			nnumbers;		/* numbers returned so far */
	size_t		pos;
} ComposerIter;

/* the number at *pos of a list with any separators; false at the end */
static bool
next_number(const char *s, size_t len, size_t *pos, const char **p, size_t *n)
{
	size_t		i = *pos;

	while (i < len && !vc_is_digit(s[i]) && !is_wildcard(s[i]))
		i++;
	if (i == len)
		return false;
	if (is_wildcard(s[i]))
	{
		*p = branch_number;
		*n = sizeof(branch_number) - 1;
		*pos = i + 1;
		return true;
	}
	*p = s + i;
	*n = vc_digits_at(s, len, i);
	*pos = i + *n;
	return true;
}

/* false at the end */
static bool
composer_next(ComposerIter *it, ComposerElem *e)
{
	const ComposerVersion *v = it->v;

	for (;;)
	{
		switch (it->step)
		{
			case 0:
				e->rank = RANK_NUMBER;
				if (next_number(v->numbers, v->numberslen, &it->pos, &e->p, &e->len))
				{
					it->nnumbers++;
					return true;
				}
				if (v->form != FORM_DATE && it->nnumbers < 4)
				{
					/* padded to four parts: 0, or 9999999 in a branch alias */
					it->nnumbers++;
					e->p = v->form == FORM_BRANCH ? branch_number : "0";
					e->len = strlen(e->p);
					return true;
				}
				it->step = 1;
				it->pos = 0;
				break;
			case 1:
				it->step = 2;
				if (v->stability != RANK_NUMBER)
				{
					e->rank = v->stability;
					e->p = NULL;
					return true;
				}
				break;
			case 2:
				if (next_number(v->stabnums, v->stabnumslen, &it->pos, &e->p, &e->len))
				{
					e->rank = RANK_NUMBER;
					return true;
				}
				it->step = 3;
				break;
			case 3:
				it->step = 4;
				if (v->dev)
				{
					e->rank = RANK_DEV;
					e->p = NULL;
					return true;
				}
				break;
			default:
				return false;
		}
	}
}

bool
composer_compare(PurlTypeId type, const char *a, size_t alen,
				 const char *b, size_t blen, int *cmp, const char **error)
{
	ComposerVersion va,
				vb;
	ComposerIter ita = {&va, 0, 0, 0};
	ComposerIter itb = {&vb, 0, 0, 0};

	if (!composer_parse(a, alen, &va, error) || !composer_parse(b, blen, &vb, error))
		return false;
	for (;;)
	{
		ComposerElem ea,
					eb;
		bool		ha = composer_next(&ita, &ea);
		bool		hb = composer_next(&itb, &eb);
		int			c;

		if (!ha && !hb)
			c = 0;
		else if (!ha)
			c = eb.p ? -1 : vc_sign(RANK_NUMBER - eb.rank);
		else if (!hb)
			c = ea.p ? 1 : vc_sign(ea.rank - RANK_NUMBER);
		else if (ea.p && eb.p)
			c = vc_cmp_digits(ea.p, ea.len, eb.p, eb.len);
		else
			c = vc_sign(ea.rank - eb.rank);
		if (c != 0 || !ha || !hb)
		{
			*cmp = c;
			return true;
		}
	}
}
