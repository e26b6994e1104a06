/*
 * version_maven.c
 *     Maven's ComparableVersion (maven-artifact 3.8), without building its
 *     item tree.
 *
 *     ComparableVersion splits the lower-cased version into items at ".",
 *     at "-" and at every digit/letter transition; "-" and transitions start
 *     a nested list that holds the rest of the version, and a qualifier that
 *     ends at a number or at the end goes into a list of its own unless its
 *     list is still empty.  Each list therefore holds some leaf items
 *     (numbers or qualifiers) followed by at most one list: the whole tree
 *     is a chain.  Normalization drops, in each list, the trailing "null"
 *     leaves (0, "", "ga", "final", "release") and a nested list that ends
 *     up empty.  Comparing two chains level by level is the same as walking
 *     both token streams side by side, so the comparison streams the tokens;
 *     the normalization needs a look-ahead, whose result is remembered so
 *     that the walk stays linear.
 *
 *     Maven's order is not transitive (1-rc < 1 < 1.sp-1 < 1-rc); this file
 *     gives Maven's answer for every pair, cycles included.
 */
#include <stdint.h>

#include "version_internal.h"

typedef enum MavenTokKind
{
	MT_END,
	MT_INT,
	MT_STR,
	MT_LIST						/* the start of a nested list */
} MavenTokKind;

typedef struct MavenTok
{
	MavenTokKind kind;
	const char *p;				/* MT_INT / MT_STR text; NULL for an implied 0 */
	size_t		len;
	bool		followed_by_digit;	/* MT_STR: "a1" means "alpha-1" */
	size_t		seq;			/* position in the raw token stream */
} MavenTok;

/* Raw tokens in the order ComparableVersion.parseVersion adds items. */
typedef struct MavenLexer
{
	const char *s;
	size_t		len;
	size_t		pos;
	size_t		start;			/* start of the pending item */
	bool		is_digit;
	bool		list_has_items; /* the innermost list is not empty */
	size_t		seq;
	MavenTok	queue[3];		/* tokens found but not yet returned */
	int			qhead;
	int			qlen;
} MavenLexer;

/* Normalized items of one version. */
typedef struct MavenIter
{
	MavenLexer	lx;
	size_t		last_value_seq; /* seq of the last non-null leaf + 1, 0 if none */
	size_t		keep_before;	/* null leaves with seq < this are kept */
	size_t		drop_before;	/* null leaves with seq < this are dropped */
	bool		ended;
} MavenIter;

#define QUALIFIER_RELEASE 5
#define QUALIFIER_UNKNOWN 7

static void
push_leaf(MavenLexer *lx, bool digits, size_t from, size_t to, bool followed_by_digit)
{
	MavenTok   *t = &lx->queue[lx->qhead + lx->qlen++];

	t->kind = digits ? MT_INT : MT_STR;
	t->p = from < to ? lx->s + from : NULL;	/* an empty item is 0 */
	t->len = to - from;
	t->followed_by_digit = followed_by_digit;
	t->seq = lx->seq++;
	lx->list_has_items = true;
}

static void
push_list(MavenLexer *lx)
{
	MavenTok   *t = &lx->queue[lx->qhead + lx->qlen++];

	t->kind = MT_LIST;
	t->seq = lx->seq++;
	lx->list_has_items = false;
}

static void
lexer_init(MavenLexer *lx, const char *s, size_t len)
{
	lx->s = s;
	lx->len = len;
	lx->pos = 0;
	lx->start = 0;
	lx->is_digit = false;
	lx->list_has_items = false;
	lx->seq = 0;
	lx->qhead = 0;
	lx->qlen = 0;
}

/* scans to the next item boundary, queueing what parseVersion adds there */
static void
lexer_scan(MavenLexer *lx)
{
	lx->qhead = 0;
	while (lx->pos < lx->len)
	{
		size_t		i = lx->pos++;
		char		c = lx->s[i];

		if (c == '.' || c == '-')
		{
			push_leaf(lx, i == lx->start || lx->is_digit, lx->start, i, false);
			lx->start = i + 1;
			if (c == '-')
				push_list(lx);
			return;
		}
		else if (vc_is_digit(c))
		{
			bool		was_digit = lx->is_digit;

			lx->is_digit = true;
			if (!was_digit && i > lx->start)
			{
				/* a qualifier before a number goes into a list of its own */
				if (lx->list_has_items)
					push_list(lx);
				push_leaf(lx, false, lx->start, i, true);
				lx->start = i;
				push_list(lx);
				return;
			}
		}
		else
		{
			bool		was_digit = lx->is_digit;

			lx->is_digit = false;
			if (was_digit && i > lx->start)
			{
				push_leaf(lx, true, lx->start, i, false);
				lx->start = i;
				push_list(lx);
				return;
			}
		}
	}
	if (lx->start < lx->len)
	{
		/* so does a qualifier at the end */
		if (!lx->is_digit && lx->list_has_items)
			push_list(lx);
		push_leaf(lx, lx->is_digit, lx->start, lx->len, false);
		lx->start = lx->len;
	}
}

static void
lexer_next(MavenLexer *lx, MavenTok *t)
{
	if (lx->qlen == 0)
		lexer_scan(lx);
	if (lx->qlen == 0)
	{
		t->kind = MT_END;
		t->seq = SIZE_MAX;
		return;
	}
	*t = lx->queue[lx->qhead++];
	lx->qlen--;
}

/* Rank of a qualifier in alpha < beta < milestone < rc < snapshot < "" < sp. */
static int
qualifier_rank(const MavenTok *t)
{
	static const struct
	{
		const char *word;
		int			rank;
	}			words[] = {
		{"alpha", 0}, {"beta", 1}, {"milestone", 2}, {"rc", 3}, {"cr", 3},
		{"snapshot", 4}, {"", 5}, {"ga", 5}, {"final", 5}, {"release", 5},
		{"sp", 6},
	};

	if (t->followed_by_digit && t->len == 1)
	{
		switch (vc_lower(t->p[0]))
		{
			case 'a':
				return 0;
			case 'b':
				return 1;
			case 'm':
				return 2;
		}
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (vc_equal_nocase(t->p, t->len, words[i].word))
			return words[i].rank;
	return QUALIFIER_UNKNOWN;
}

static bool
int_is_zero(const MavenTok *t)
{
	for (size_t i = 0; i < t->len; i++)
		if (t->p[i] != '0')
			return false;
	return true;
}

static bool
leaf_is_null(const MavenTok *t)
{
	return t->kind == MT_INT ? int_is_zero(t) : qualifier_rank(t) == QUALIFIER_RELEASE;
}

static void
iter_init(MavenIter *it, const char *s, size_t len)
{
	MavenTok	t;

	lexer_init(&it->lx, s, len);
	it->last_value_seq = 0;
	it->keep_before = 0;
	it->drop_before = 0;
	it->ended = false;
	/* one pass to find the last item that survives normalization */
	for (lexer_next(&it->lx, &t); t.kind != MT_END; lexer_next(&it->lx, &t))
		if (t.kind != MT_LIST && !leaf_is_null(&t))
			it->last_value_seq = t.seq + 1;
	lexer_init(&it->lx, s, len);
}

/* next item of the normalized chain: a leaf, MT_LIST (descend) or MT_END */
static void
iter_next(MavenIter *it, MavenTok *t)
{
	if (it->ended)
	{
		t->kind = MT_END;
		return;
	}
	for (;;)
	{
		lexer_next(&it->lx, t);
		if (t->kind == MT_END || (t->kind == MT_LIST && t->seq >= it->last_value_seq))
		{
			/* a nested list with only null items normalizes away */
			it->ended = true;
			t->kind = MT_END;
			return;
		}
		if (t->kind == MT_LIST || !leaf_is_null(t) || t->seq < it->keep_before)
			return;
		if (t->seq < it->drop_before)
			continue;
		/* a null leaf stays only if a non-null leaf follows in its list */
		{
			MavenLexer	ahead = it->lx;
			MavenTok	u;

			for (;;)
			{
				lexer_next(&ahead, &u);
				if (u.kind == MT_END || u.kind == MT_LIST)
				{
					it->drop_before = u.seq;
					break;
				}
				if (!leaf_is_null(&u))
				{
					it->keep_before = u.seq;
					break;
				}
			}
		}
		if (t->seq < it->keep_before)
			return;
	}
}

/* Item.compareTo(null) of a leaf */
static int
leaf_against_missing(const MavenTok *t)
{
	if (t->kind == MT_INT)
		return int_is_zero(t) ? 0 : 1;
	return vc_sign(qualifier_rank(t) - QUALIFIER_RELEASE);
}

/*
 * The remaining items of a list against a list that has ended: the first
 * that differs from null decides, nested lists included (MNG-6964).
 */
static int
rest_against_missing(MavenIter *it, MavenTok *t)
{
	for (;; iter_next(it, t))
	{
		int			c;

		if (t->kind == MT_END)
			return 0;
		if (t->kind == MT_LIST)
			continue;
		c = leaf_against_missing(t);
		if (c != 0)
			return c;
	}
}

static int
compare_leaves(const MavenTok *a, const MavenTok *b)
{
	if (a->kind == MT_INT && b->kind == MT_INT)
		return vc_cmp_digits(a->p, a->len, b->p, b->len);
	if (a->kind != b->kind)
		return a->kind == MT_INT ? 1 : -1;
	{
		int			ra = qualifier_rank(a);
		int			rb = qualifier_rank(b);

		if (ra != rb)
			return ra < rb ? -1 : 1;
		if (ra != QUALIFIER_UNKNOWN)
			return 0;
		/* unknown qualifiers: lexically, after lower-casing */
		for (size_t i = 0; i < a->len && i < b->len; i++)
		{
			char		ca = vc_lower(a->p[i]);
			char		cb = vc_lower(b->p[i]);

			if (ca != cb)
				return (unsigned char) ca < (unsigned char) cb ? -1 : 1;
		}
		return (a->len > b->len) - (a->len < b->len);
	}
}

bool
maven_compare(PurlTypeId type, const char *a, size_t alen,
			  const char *b, size_t blen, int *cmp, const char **error)
{
	MavenIter	ia,
				ib;

	iter_init(&ia, a, alen);
	iter_init(&ib, b, blen);
	for (;;)
	{
		MavenTok	ta,
					tb;
		int			c;

		iter_next(&ia, &ta);
		iter_next(&ib, &tb);
		if (ta.kind == MT_END)
		{
			*cmp = -rest_against_missing(&ib, &tb);
			return true;
		}
		if (tb.kind == MT_END)
		{
			*cmp = rest_against_missing(&ia, &ta);
			return true;
		}
		if (ta.kind == MT_LIST && tb.kind == MT_LIST)
			continue;			/* both descend into their nested lists */
		if (ta.kind == MT_LIST)
			c = tb.kind == MT_INT ? -1 : 1;
		else if (tb.kind == MT_LIST)
			c = ta.kind == MT_INT ? 1 : -1;
		else
			c = compare_leaves(&ta, &tb);
		if (c != 0)
		{
			*cmp = c;
			return true;
		}
	}
}
