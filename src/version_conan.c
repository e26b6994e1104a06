/*
 * version_conan.c
 *     Conan 2's Version ordering: "."-separated items (numbers compare by
 *     value, other items as text), trailing zero items insignificant, an
 *     optional "-pre" part (a pre-release sorts before its release) and a
 *     "+build" part (compared last; none sorts first), each compared like the
 *     main items.  Where Conan compares a number with a word as two strings
 *     ("10" < "1a" < "9"), which is not transitive, numbers sort first here.
 */
#include "version_internal.h"

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
conan_compare(PurlTypeId type, const char *a, size_t alen,
			  const char *b, size_t blen, int *cmp, const char **error)
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
	return true;
}
