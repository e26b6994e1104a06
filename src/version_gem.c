/*
 * version_gem.c
 *     RubyGems' Gem::Version ordering.
 *
 *     A version is digits, then ".alnum" parts, then optionally "-" and
 *     [alnum-] parts; RubyGems reads every "-" as ".pre.".  Its segments are
 *     the runs of digits (numbers) and of letters (strings).  Zeros just
 *     before the first string segment are insignificant (1.0.a = 1.a); the
 *     comparison pads the shorter side with 0, and a string sorts below any
 *     number.  Strings compare byte-wise, case-sensitively, as Ruby does.
 */
#include "version_internal.h"

typedef enum GemSegKind
{
	GS_END,
	GS_NUM,
	GS_STR
} GemSegKind;

typedef struct GemSeg
{
	GemSegKind	kind;
	const char *p;
	size_t		len;
} GemSeg;

typedef struct GemIter
{
	const char *s;
	size_t		len;
	size_t		pos;
	bool		seen_string;	/* past the first string segment */
	size_t		keep_before;	/* zeros before this offset are significant */
	size_t		drop_before;	/* zeros before this offset are dropped */
} GemIter;

static const char pre_word[] = "pre";

static bool
gem_validate(const char *s, size_t len, size_t *from, size_t *to, const char **error)
{
	size_t		i = 0;
	size_t		n;

	while (len > 0 && vc_is_space(s[len - 1]))
		len--;
	while (i < len && vc_is_space(s[i]))
		i++;
	*from = i;
	*to = len;
	if (i == len)
		return true;			/* a blank version is "0" */
	n = vc_digits_at(s, len, i);
	if (n == 0)
	{
		*error = "does not start with a number";
		return false;
	}
	i += n;
	while (i < len && s[i] == '.')
	{
		size_t		start = ++i;

		while (i < len && vc_is_alnum(s[i]))
			i++;
		if (i == start)
		{
			*error = "empty segment";
			return false;
		}
	}
	if (i < len && s[i] == '-')
	{
		for (;;)
		{
			size_t		start = ++i;

			while (i < len && (vc_is_alnum(s[i]) || s[i] == '-'))
				i++;
			if (i == start)
			{
				*error = "empty segment";
				return false;
			}
			if (i == len || s[i] != '.')
				break;
		}
	}
	if (i < len)
	{
		*error = "invalid character";
		return false;
	}
	return true;
}

/* next raw segment; "-" yields the string "pre" */
static void
raw_next(const char *s, size_t len, size_t *pos, GemSeg *g)
{
	size_t		i = *pos;

	while (i < len && !vc_is_alnum(s[i]) && s[i] != '-')
		i++;
	if (i == len)
	{
		g->kind = GS_END;
		*pos = i;
		return;
	}
	if (s[i] == '-')
	{
		g->kind = GS_STR;
		g->p = pre_word;
		g->len = 3;
		*pos = i + 1;
		return;
	}
	g->p = s + i;
	if (vc_is_digit(s[i]))
	{
		g->kind = GS_NUM;
		while (i < len && vc_is_digit(s[i]))
			i++;
	}
	else
	{
		g->kind = GS_STR;
		while (i < len && vc_is_alpha(s[i]))
			i++;
	}
	g->len = (size_t) (s + i - g->p);
	*pos = i;
}

static bool
is_zero(const GemSeg *g)
{
	return g->kind == GS_NUM && vc_cmp_digits(g->p, g->len, "", 0) == 0;
}

static void
iter_next(GemIter *it, GemSeg *g)
{
	for (;;)
	{
		size_t		at = it->pos;

		raw_next(it->s, it->len, &it->pos, g);
		if (g->kind == GS_STR)
			it->seen_string = true;
		if (it->seen_string || !is_zero(g) || at < it->keep_before)
			return;
		if (at < it->drop_before)
			continue;
		/* a zero of the numeric part counts only if a non-zero number follows */
		{
			size_t		ahead = it->pos;
			GemSeg		h;

			for (;;)
			{
				size_t		hat = ahead;

				raw_next(it->s, it->len, &ahead, &h);
				if (h.kind != GS_NUM)
				{
					it->drop_before = hat;
					break;
				}
				if (!is_zero(&h))
				{
					it->keep_before = hat;
					break;
				}
			}
		}
		if (at < it->keep_before)
			return;
	}
}

static int
compare_segments(const GemSeg *a, const GemSeg *b)
{
	static const GemSeg zero = {GS_NUM, "0", 1};

	if (a->kind == GS_END)
		a = &zero;
	if (b->kind == GS_END)
		b = &zero;
	if (a->kind != b->kind)
		return a->kind == GS_NUM ? 1 : -1;
	if (a->kind == GS_NUM)
		return vc_cmp_digits(a->p, a->len, b->p, b->len);
	return vc_cmp_bytes(a->p, a->len, b->p, b->len, false);
}

bool
gem_compare(PurlTypeId type, const char *a, size_t alen,
			const char *b, size_t blen, int *cmp, const char **error)
{
	GemIter		ia = {0},
				ib = {0};
	size_t		from,
				to;

	if (!gem_validate(a, alen, &from, &to, error))
		return false;
	ia.s = a + from;
	ia.len = to - from;
	if (!gem_validate(b, blen, &from, &to, error))
		return false;
	ib.s = b + from;
	ib.len = to - from;

	for (;;)
	{
		GemSeg		sa,
					sb;
		int			c;

		iter_next(&ia, &sa);
		iter_next(&ib, &sb);
		if (sa.kind == GS_END && sb.kind == GS_END)
		{
			*cmp = 0;
			return true;
		}
		c = compare_segments(&sa, &sb);
		if (c != 0)
		{
			*cmp = c;
			return true;
		}
	}
}
