/*
 * version_dotted.c
 *     Dotted numeric versions with suffixes: composer and conan.
 *
 *     composer: Composer's VersionParser::normalize followed by PHP's
 *     version_compare, as Composer\Semver\Comparator does.  Up to four
 *     numbers (missing ones are 0), an optional "v", an optional stability
 *     (alpha/a, beta/b, RC, stable, patch/pl/p) with numbers, an optional
 *     "dev" marker and ignored "+build" metadata:
 *         dev < alpha < beta < RC < stable < patch,  1.0-beta2-dev < 1.0-beta2
 *     Branches ("dev-main") have no order.
 *
 *     conan: Conan 2's Version: "."-separated items (numbers compare by
 *     value, other items as text, numbers before text), trailing zero items
 *     insignificant, an optional "-pre" part (a pre-release sorts before the
 *     release) and "+build" part (compared last; none sorts first), each
 *     compared like the main items.
 */
#include "version_internal.h"

/* Composer stabilities, in PHP version_compare's order of special forms */
enum
{
	STAB_DEV = 0,
	STAB_ALPHA = 1,
	STAB_BETA = 2,
	STAB_RC = 3,
	STAB_NUMBER = 4,			/* a number, and "stable" (no suffix) */
	STAB_PATCH = 5
};

typedef struct ComposerVersion
{
	const char *numbers;		/* 1 to 4 "."-separated numbers */
	size_t		numberslen;
	int			stability;		/* STAB_NUMBER when none */
	const char *stabnums;		/* the stability's numbers, "." or "-" separated */
	size_t		stabnumslen;
	bool		dev;
} ComposerVersion;

static bool
composer_parse(const char *s, size_t len, ComposerVersion *v, const char **error)
{
	static const struct
	{
		const char *word;
		int			stability;
	}			words[] = {
		{"stable", STAB_NUMBER}, {"beta", STAB_BETA}, {"b", STAB_BETA}, {"rc", STAB_RC},
		{"alpha", STAB_ALPHA}, {"a", STAB_ALPHA}, {"patch", STAB_PATCH}, {"pl", STAB_PATCH},
		{"p", STAB_PATCH},
	};
	size_t		i = 0;
	size_t		nparts = 0;
	size_t		best = 0;

	while (len > 0 && vc_is_space(s[len - 1]))
		len--;
	while (i < len && vc_is_space(s[i]))
		i++;
	/* build metadata is dropped */
	for (size_t j = i; j < len; j++)
		if (s[j] == '+')
		{
			if (j + 1 == len)
			{
				*error = "empty build metadata";
				return false;
			}
			len = j;
			break;
		}
	if (len - i >= 4 && vc_equal_nocase(s + i, 4, "dev-"))
	{
		*error = "a branch name has no version order";
		return false;
	}
	if (i < len && (s[i] == 'v' || s[i] == 'V'))
		i++;
	v->numbers = s + i;
	for (;;)
	{
		size_t		n = vc_digits_at(s, len, i);

		if (n == 0)
		{
			*error = nparts == 0 ? "does not start with a number" : "empty version number part";
			return false;
		}
		i += n;
		nparts++;
		if (i + 1 < len && s[i] == '.' && vc_is_digit(s[i + 1]))
		{
			if (nparts == 4)
			{
				*error = "more than four version numbers";
				return false;
			}
			i++;
			continue;
		}
		break;
	}
	v->numberslen = (size_t) (s + i - v->numbers);

	/* [._-]? (stability numbers*)? ([.-]?dev)? */
	if (i < len && (s[i] == '.' || s[i] == '_' || s[i] == '-'))
		i++;
	v->stability = STAB_NUMBER;
	v->stabnums = s + i;
	v->stabnumslen = 0;
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
	{
		size_t		wl = 0;

		while (words[k].word[wl] != '\0' && i + wl < len && vc_lower(s[i + wl]) == words[k].word[wl])
			wl++;
		if (words[k].word[wl] == '\0' && wl > best)
		{
			best = wl;
			v->stability = words[k].stability;
		}
	}
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
	v->dev = false;
	{
		size_t		j = i;

		if (j < len && (s[j] == '.' || s[j] == '-'))
			j++;
		if (len - j == 3 && vc_equal_nocase(s + j, 3, "dev"))
		{
			v->dev = true;
			i = len;
		}
	}
	if (i < len)
	{
		*error = "invalid stability suffix";
		return false;
	}
	if (best > 0 && v->stability == STAB_NUMBER)
	{
		/* Composer normalizes "-stable..." to the bare numbers */
		v->stabnumslen = 0;
		v->dev = false;
	}
	return true;
}

/* an element of the normalized version after its four numbers */
typedef struct ComposerElem
{
	int			rank;			/* STAB_* (a number ranks STAB_NUMBER) */
	const char *p;				/* digits of a number, else NULL */
	size_t		len;
} ComposerElem;

typedef struct ComposerIter
{
	const ComposerVersion *v;
	int			step;			/* 0: word, 1: its numbers, 2: dev, 3: end */
	size_t		pos;
} ComposerIter;

/* next number of a list separated by "." or "-"; false at the end */
static bool
next_number(const char *s, size_t len, size_t *pos, const char **p, size_t *n)
{
	size_t		i = *pos;

	while (i < len && !vc_is_digit(s[i]))
		i++;
	if (i == len)
		return false;
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
				it->step = 1;
				if (v->stability != STAB_NUMBER)
				{
					e->rank = v->stability;
					e->p = NULL;
					return true;
				}
				break;
			case 1:
				if (next_number(v->stabnums, v->stabnumslen, &it->pos, &e->p, &e->len))
				{
					e->rank = STAB_NUMBER;
					return true;
				}
				it->step = 2;
				break;
			case 2:
				it->step = 3;
				if (v->dev)
				{
					e->rank = STAB_DEV;
					e->p = NULL;
					return true;
				}
				break;
			default:
				return false;
		}
	}
}

/*
 * PHP version_compare on the normalized forms: four numbers, then the
 * elements after them.  Where one side has an element more, a number there
 * wins, otherwise the element ranks against a number.
 */
static int
composer_cmp(const ComposerVersion *a, const ComposerVersion *b)
{
	size_t		ia = 0,
				ib = 0;
	ComposerIter ita = {a, 0, 0};
	ComposerIter itb = {b, 0, 0};

	for (int k = 0; k < 4; k++)
	{
		const char *pa = "",
				   *pb = "";
		size_t		na = 0,
					nb = 0;
		int			c;

		next_number(a->numbers, a->numberslen, &ia, &pa, &na);
		next_number(b->numbers, b->numberslen, &ib, &pb, &nb);
		c = vc_cmp_digits(pa, na, pb, nb);
		if (c != 0)
			return c;
	}
	for (;;)
	{
		ComposerElem ea,
					eb;
		bool		ha = composer_next(&ita, &ea);
		bool		hb = composer_next(&itb, &eb);
		int			c;

		if (!ha && !hb)
			return 0;
		if (!ha)
			return eb.p ? -1 : vc_sign(STAB_NUMBER - eb.rank);
		if (!hb)
			return ea.p ? 1 : vc_sign(ea.rank - STAB_NUMBER);
		if (ea.p && eb.p)
			c = vc_cmp_digits(ea.p, ea.len, eb.p, eb.len);
		else
			c = vc_sign(ea.rank - eb.rank);
		if (c != 0)
			return c;
	}
}

typedef struct ConanVersion
{
	const char *main;
	size_t		mainlen;
	const char *pre;			/* NULL: none */
	size_t		prelen;
	const char *build;			/* NULL: none */
	size_t		buildlen;
} ConanVersion;

static bool
conan_parse(const char *s, size_t len, ConanVersion *v, const char **error)
{
	size_t		end = len;

	v->build = NULL;
	v->buildlen = 0;
	for (size_t j = len; j > 0; j--)
		if (s[j - 1] == '+')
		{
			v->build = s + j;
			v->buildlen = len - j;
			end = j - 1;
			break;
		}
	v->pre = NULL;
	v->prelen = 0;
	for (size_t j = 0; j < end; j++)
		if (s[j] == '-')
		{
			v->pre = s + j + 1;
			v->prelen = end - j - 1;
			end = j;
			break;
		}
	v->main = s;
	v->mainlen = end;
	if (end == 0)
	{
		*error = "empty version";
		return false;
	}
	return true;
}

/* "."-separated items, without the run of zero items at the end */
typedef struct ConanItems
{
	const char *s;
	size_t		len;
	size_t		pos;			/* start of the next item; > len at the end */
	size_t		tail;			/* start of the trailing zero items */
} ConanItems;

static void
conan_items_init(ConanItems *it, const char *s, size_t len)
{
	size_t		e = len;

	it->s = s;
	it->len = len;
	it->pos = 0;
	it->tail = len + 1;
	/* walk back over items that are numbers equal to 0 */
	for (;;)
	{
		size_t		b = e;

		while (b > 0 && s[b - 1] == '0')
			b--;
		if (b == e || (b > 0 && s[b - 1] != '.'))
			break;
		it->tail = b;
		if (b == 0)
			break;
		e = b - 1;
	}
}

static bool
conan_next_item(ConanItems *it, const char **p, size_t *n)
{
	size_t		e = it->pos;

	if (it->pos > it->len || it->pos >= it->tail)
		return false;
	while (e < it->len && it->s[e] != '.')
		e++;
	*p = it->s + it->pos;
	*n = e - it->pos;
	it->pos = e + 1;
	return true;
}

static int
conan_compare_items(const char *a, size_t alen, const char *b, size_t blen)
{
	ConanItems	ia,
				ib;

	conan_items_init(&ia, a, alen);
	conan_items_init(&ib, b, blen);
	for (;;)
	{
		const char *pa = NULL,
				   *pb = NULL;
		size_t		na = 0,
					nb = 0;
		bool		ha = conan_next_item(&ia, &pa, &na);
		bool		hb = conan_next_item(&ib, &pb, &nb);
		bool		numa,
					numb;
		int			c;

		if (!ha || !hb)
			return ha - hb;
		numa = na > 0 && vc_digits_at(pa, na, 0) == na;
		numb = nb > 0 && vc_digits_at(pb, nb, 0) == nb;
		if (numa && numb)
			c = vc_cmp_digits(pa, na, pb, nb);
		else if (numa != numb)
			c = numa ? -1 : 1;
		else
			c = vc_cmp_bytes(pa, na, pb, nb, false);
		if (c != 0)
			return c;
	}
}

bool
dotted_compare(PurlTypeId type, const char *a, size_t alen,
			   const char *b, size_t blen, int *cmp, const char **error)
{
	if (type == PURL_COMPOSER)
	{
		ComposerVersion va,
					vb;

		if (!composer_parse(a, alen, &va, error) || !composer_parse(b, blen, &vb, error))
			return false;
		*cmp = composer_cmp(&va, &vb);
	}
	else
	{
		ConanVersion va,
					vb;
		int			c;

		if (!conan_parse(a, alen, &va, error) || !conan_parse(b, blen, &vb, error))
			return false;
		c = conan_compare_items(va.main, va.mainlen, vb.main, vb.mainlen);
		if (c == 0)
		{
			/* a pre-release sorts before its release */
			if (va.pre == NULL || vb.pre == NULL)
				c = (va.pre == NULL) - (vb.pre == NULL);
			else
				c = conan_compare_items(va.pre, va.prelen, vb.pre, vb.prelen);
		}
		if (c == 0)
		{
			if (va.build == NULL || vb.build == NULL)
				c = (va.build != NULL) - (vb.build != NULL);
			else
				c = conan_compare_items(va.build, va.buildlen, vb.build, vb.buildlen);
		}
		*cmp = c;
	}
	return true;
}
