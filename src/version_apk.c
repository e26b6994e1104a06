/*
 * version_apk.c
 *     Alpine apk-tools version ordering:
 *         number{.number}[letter]{_suffix[number]}[-rN]
 *     with suffixes alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p.
 *
 *     Versions are read as a stream of tokens whose kinds are ordered
 *     component < letter < suffix < suffix number < revision < end, as in
 *     apk-tools.  Equal prefixes compare token by token; where the two
 *     streams diverge, the side whose next token has the lower kind is newer
 *     (1.0.1 > 1.0a > 1.0_p1 > 1.0-r1 > 1.0), except that a pre-release
 *     suffix makes its side older (1.0_rc1 < 1.0).  A number component after
 *     the first with a leading zero compares as a decimal fraction (Gentoo's
 *     rule, which apk follows): 1.01 < 1.1, 1.010 = 1.01.
 */
#include "version_internal.h"

typedef enum ApkKind
{
	AK_COMPONENT = 0,
	AK_LETTER = 2,
	AK_SUFFIX = 3,
	AK_SUFFIX_NO = 4,
	AK_REVISION = 5,
	AK_END = 6
} ApkKind;

typedef struct ApkTok
{
	ApkKind		kind;
	const char *p;				/* digits of numbers, the letter */
	size_t		len;
	int			suffix;			/* AK_SUFFIX: rank, negative for pre-releases */
	bool		first;			/* AK_COMPONENT: the leading number */
} ApkTok;

static const char *const suffixes[] = {
	"alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"
};

#define APK_PRE_SUFFIXES 4

/* where the previous token leaves the reader, to know what may follow */
typedef struct ApkReader
{
	const char *s;
	size_t		len;
	size_t		pos;
	ApkKind		prev;
	bool		started;
} ApkReader;

static bool
apk_next(ApkReader *r, ApkTok *t, const char **error)
{
	const char *s = r->s;
	size_t		len = r->len;
	size_t		i = r->pos;
	size_t		n;

	t->first = false;
	if (!r->started)
	{
		r->started = true;
		n = vc_digits_at(s, len, 0);
		if (n == 0)
		{
			*error = len == 0 ? "empty version" : "does not start with a number";
			return false;
		}
		t->kind = AK_COMPONENT;
		t->first = true;
		t->p = s;
		t->len = n;
		r->pos = n;
		r->prev = AK_COMPONENT;
		return true;
	}
	if (i == len)
	{
		t->kind = AK_END;
		return true;
	}
	if (s[i] == '.' && r->prev == AK_COMPONENT)
	{
		n = vc_digits_at(s, len, i + 1);
		if (n == 0)
		{
			*error = "\".\" not followed by a number";
			return false;
		}
		t->kind = AK_COMPONENT;
		t->p = s + i + 1;
		t->len = n;
		r->pos = i + 1 + n;
	}
	else if (s[i] >= 'a' && s[i] <= 'z' && r->prev == AK_COMPONENT)
	{
		t->kind = AK_LETTER;
		t->p = s + i;
		t->len = 1;
		r->pos = i + 1;
	}
	else if (s[i] == '_' && r->prev < AK_REVISION)
	{
		size_t		k;

		i++;
		t->kind = AK_SUFFIX;
		for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
		{
			size_t		wl = 0;

			while (suffixes[k][wl] != '\0' && i + wl < len && s[i + wl] == suffixes[k][wl])
				wl++;
			/* the word must end where a number, "_", "-" or the end follows */
			if (suffixes[k][wl] == '\0' &&
				(i + wl == len || vc_is_digit(s[i + wl]) || s[i + wl] == '_' || s[i + wl] == '-'))
			{
				i += wl;
				break;
			}
		}
		if (k == sizeof(suffixes) / sizeof(suffixes[0]))
		{
			*error = "unknown suffix";
			return false;
		}
		t->suffix = (int) k - APK_PRE_SUFFIXES;
		r->pos = i;
	}
	else if (vc_is_digit(s[i]) && r->prev == AK_SUFFIX)
	{
		t->kind = AK_SUFFIX_NO;
		t->p = s + i;
		t->len = vc_digits_at(s, len, i);
		r->pos = i + t->len;
	}
	else if (s[i] == '-' && r->prev < AK_REVISION)
	{
		if (i + 1 == len || s[i + 1] != 'r' || (n = vc_digits_at(s, len, i + 2)) == 0)
		{
			*error = "\"-\" not followed by a revision \"rN\"";
			return false;
		}
		t->kind = AK_REVISION;
		t->p = s + i + 2;
		t->len = n;
		r->pos = i + 2 + n;
	}
	else
	{
		*error = "invalid character";
		return false;
	}
	r->prev = t->kind;
	return true;
}

/* a leading zero makes a later component a decimal fraction */
static int
compare_component(const ApkTok *a, const ApkTok *b)
{
	size_t		al = a->len,
				bl = b->len;

	if (a->first || (a->p[0] != '0' && b->p[0] != '0'))
		return vc_cmp_digits(a->p, a->len, b->p, b->len);
	while (al > 0 && a->p[al - 1] == '0')
		al--;
	while (bl > 0 && b->p[bl - 1] == '0')
		bl--;
	return vc_cmp_bytes(a->p, al, b->p, bl, false);
}

static int
compare_same_kind(const ApkTok *a, const ApkTok *b)
{
	switch (a->kind)
	{
		case AK_COMPONENT:
			return compare_component(a, b);
		case AK_LETTER:
			return vc_cmp_bytes(a->p, 1, b->p, 1, false);
		case AK_SUFFIX:
			return vc_sign(a->suffix - b->suffix);
		case AK_SUFFIX_NO:
		case AK_REVISION:
			return vc_cmp_digits(a->p, a->len, b->p, b->len);
		case AK_END:
			break;
	}
	return 0;
}

/* validates the whole version (both are read to the end before comparing) */
static bool
apk_validate(const char *s, size_t len, const char **error)
{
	ApkReader	r = {s, len, 0, AK_COMPONENT, false};
	ApkTok		t;

	do
	{
		if (!apk_next(&r, &t, error))
			return false;
	} while (t.kind != AK_END);
	return true;
}

bool
apk_compare(PurlTypeId type, const char *a, size_t alen,
			const char *b, size_t blen, int *cmp, const char **error)
{
	ApkReader	ra = {a, alen, 0, AK_COMPONENT, false};
	ApkReader	rb = {b, blen, 0, AK_COMPONENT, false};

	if (!apk_validate(a, alen, error) || !apk_validate(b, blen, error))
		return false;
	for (;;)
	{
		ApkTok		ta,
					tb;
		int			c;

		/* both validated: reading cannot fail */
		apk_next(&ra, &ta, error);
		apk_next(&rb, &tb, error);
		if (ta.kind != tb.kind)
		{
			if (ta.kind == AK_SUFFIX && ta.suffix < 0)
				c = -1;
			else if (tb.kind == AK_SUFFIX && tb.suffix < 0)
				c = 1;
			else
				c = ta.kind < tb.kind ? 1 : -1;
			*cmp = c;
			return true;
		}
		if (ta.kind == AK_END)
		{
			*cmp = 0;
			return true;
		}
		c = compare_same_kind(&ta, &tb);
		if (c != 0)
		{
			*cmp = c;
			return true;
		}
	}
}
