/*
 * range.c
 *     Compiling affected-version ranges per purl type dialect, and matching
 *     versions against the compiled form (doc/ranges.md).
 *
 *     Dialects:
 *       language  npm conan cargo: branches split on "||", "&&" is a space;
 *                 gem golang: "||"; pypi composer: "||", "," is a space.
 *                 A branch ANDs comparators "<op><version>"; the operator
 *                 joins the version across spaces, a branch without a
 *                 leading operator gets "=", and "=*" alone is everything.
 *                 Operator runs other than = == < <= > >= add nothing.
 *       interval  maven nuget: [a,b] (a,b) [a] (,b] [a,) ... and bare "a"
 *                 (>= a), ORed; spaces are dropped, nesting is refused.
 *       OS        apk rpm deb: "*" or "<X"; cbl-mariner wolfi: "*" only.
 *       none      swift conda pub: never readable.
 *
 *     Compiled form (integers big-endian):
 *         u8 RANGE_FORMAT, u8 purl type id, u16 branch count,
 *         per branch: u16 comparator count (0: every version),
 *         per comparator: u8 RangeOp, u16 length, the version bytes.
 *     Every bound is checked against the ordering at compile time, so a
 *     match only parses the version it is given.
 */
#include <stdio.h>
#include <string.h>

#include "range.h"
#include "version.h"
#include "version_internal.h"

#define RANGE_FORMAT 1
#define HEADER_SIZE 4

/* a macro's value as a string literal, for messages that name a limit */
#define LITERAL(x) #x
#define VALUE_LITERAL(x) LITERAL(x)

typedef enum RangeOp
{
	OP_EQ = 1,
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE
} RangeOp;

typedef enum Dialect
{
	DIALECT_NONE,
	DIALECT_LANGUAGE,
	DIALECT_INTERVAL,
	DIALECT_OS_LESS,			/* "*" or "<X" */
	DIALECT_OS_ANY				/* "*" only */
} Dialect;

/* What separates comparators in a branch besides whitespace. */
typedef enum Joiner
{
	JOIN_NONE,
	JOIN_AMPERSANDS,			/* "&&" */
	JOIN_COMMA					/* "," */
} Joiner;

typedef struct Writer
{
	PurlTypeId	type;
	RangeBuf   *out;
	size_t		branch_at;		/* offset of the open branch's count */
	unsigned	branches;
	unsigned	comparators;	/* over all branches */
	const char *reason;			/* set on the first failure */
} Writer;

static Dialect
dialect_of(PurlTypeId type, Joiner *joiner)
{
	*joiner = JOIN_NONE;
	switch (type)
	{
		case PURL_NPM:
		case PURL_CONAN:
		case PURL_CARGO:
			*joiner = JOIN_AMPERSANDS;
			return DIALECT_LANGUAGE;
		case PURL_PYPI:
		case PURL_COMPOSER:
			*joiner = JOIN_COMMA;
			return DIALECT_LANGUAGE;
		case PURL_GEM:
		case PURL_GOLANG:
			return DIALECT_LANGUAGE;
		case PURL_MAVEN:
		case PURL_NUGET:
			return DIALECT_INTERVAL;
		case PURL_APK:
		case PURL_RPM:
		case PURL_DEB:
			return DIALECT_OS_LESS;
		case PURL_CBL_MARINER:
		case PURL_WOLFI:
			return DIALECT_OS_ANY;
		case PURL_SWIFT:
		case PURL_CONDA:
		case PURL_PUB:
			break;
	}
	return DIALECT_NONE;
}

static bool
is_op_char(char c)
{
	return c == '<' || c == '>' || c == '=';
}

static void
put_u16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t) (v >> 8);
	p[1] = (uint8_t) v;
}

static unsigned
get_u16(const uint8_t *p)
{
	return ((unsigned) p[0] << 8) | p[1];
}

static bool
fail(Writer *w, const char *reason)
{
	if (w->reason == NULL)
		w->reason = reason;
	return false;
}

static bool
begin_branch(Writer *w)
{
	if (w->out->len + 2 > RANGE_COMPILED_MAX || w->branches >= 0xFFFF)
		return fail(w, "the compiled range is too large");
	w->branch_at = w->out->len;
	put_u16(w->out->data + w->out->len, 0);
	w->out->len += 2;
	w->branches++;
	return true;
}

/* the bound must be a version of the ordering, whatever its operator */
static bool
check_bound(Writer *w, const char *v, size_t vlen)
{
	int			cmp;
	const char *error;

	if (vlen == 0)
		return fail(w, "an operator without a version");
	if (!version_compare(w->type, v, vlen, v, vlen, &cmp, &error))
		return fail(w, "a bound is not a version of the purl type's ordering");
	return true;
}

/* adds a comparator to the open branch; op 0: checked, then dropped */
static bool
add_comparator(Writer *w, int op, const char *v, size_t vlen)
{
	uint8_t    *count = w->out->data + w->branch_at;

	if (!check_bound(w, v, vlen))
		return false;
	if (op == 0)
		return true;
	if (++w->comparators > RANGE_MAX_COMPARATORS)
		return fail(w, "the range has too many comparators");
	if (vlen > 0xFFFF || w->out->len + 3 + vlen > RANGE_COMPILED_MAX)
		return fail(w, "the compiled range is too large");
	w->out->data[w->out->len] = (uint8_t) op;
	put_u16(w->out->data + w->out->len + 1, (unsigned) vlen);
	memcpy(w->out->data + w->out->len + 3, v, vlen);
	w->out->len += 3 + vlen;
	put_u16(count, get_u16(count) + 1);
	return true;
}

/*
 * npm's partial versions in a bound ("1", "1.2", "1.x", "1.2.*", "*"), read
 * as node semver reads them with pre-releases included: the missing or
 * x, X or * parts make the bound a span, "1.2" meaning >=1.2.0-0 <1.3.0-0
 * ("-0" being the lowest pre-release), so ">1.2" is >=1.3.0-0, "<=1.2" is
 * <1.3.0-0, "<1.2" is <1.2.0-0, and "*" adds no condition while "<*" and
 * ">*" match nothing.  A pre-release only follows three parts and is then
 * ignored, as is a build; a number after an x part is refused.
 */
typedef struct NpmPartial
{
	const char *part[3];
	size_t		len[3];
	int			first_x;		/* index of the first missing or x part */
} NpmPartial;

#define NPM_PART_DIGITS 15		/* node semver's numbers stay below 2^53 */

static bool
npm_x(const char *s, size_t len)
{
	return len == 1 && (s[0] == 'x' || s[0] == 'X' || s[0] == '*');
}

static bool
npm_number(const char *s, size_t len)
{
	if (len == 0 || len > NPM_PART_DIGITS || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!vc_is_digit(s[i]))
			return false;
	return true;
}

/*
 * Dot-separated identifiers of [0-9A-Za-z-] from v[*i] up to stop (left at
 * it); if strict, numeric ones without a leading zero.
 */
static bool
npm_identifiers(const char *v, size_t len, size_t *i, char stop, bool strict)
{
	size_t		start = *i;
	bool		digits = true;

	for (;; (*i)++)
	{
		if (*i == len || v[*i] == '.' || v[*i] == stop)
		{
			if (*i == start || (strict && digits && v[start] == '0' && *i - start > 1))
				return false;
			if (*i == len || v[*i] == stop)
				return true;
			start = *i + 1;
			digits = true;
		}
		else if (vc_is_digit(v[*i]))
			continue;
		else if (vc_is_alpha(v[*i]) || v[*i] == '-')
			digits = false;
		else
			return false;
	}
}

/* Reads v as a partial version; false for anything else, full versions included. */
static bool
npm_partial(const char *v, size_t len, NpmPartial *p)
{
	size_t		i = 0;
	int			n = 0;

	if (len > 0 && (v[0] == 'v' || v[0] == '='))
		i++;
	p->first_x = -1;
	while (n < 3)
	{
		size_t		start = i;

		while (i < len && v[i] != '.' && v[i] != '-' && v[i] != '+')
			i++;
		if (npm_x(v + start, i - start))
		{
			if (p->first_x < 0)
				p->first_x = n;
		}
		else if (p->first_x >= 0 || !npm_number(v + start, i - start))
			return false;
		p->part[n] = v + start;
		p->len[n] = i - start;
		n++;
		if (i == len || v[i] != '.')
			break;
		i++;
	}
	if (p->first_x < 0 && n < 3)
		p->first_x = n;
	if (p->first_x < 0)
		return false;			/* three numbers: the ordering reads it */
	if (i < len && v[i] == '-')
	{
		i++;
		if (n < 3 || !npm_identifiers(v, len, &i, '+', true))
			return false;
	}
	if (i < len && v[i] == '+')
	{
		i++;
		if (!npm_identifiers(v, len, &i, '\0', false))
			return false;
	}
	return i == len;
}

/* "M.m.0-0" from the parts before first_x, the last of them plus bump (0 or 1) */
static size_t
npm_span_bound(const NpmPartial *p, int bump, char *out)
{
	char		parts[2][NPM_PART_DIGITS + 2];

	for (int k = 0; k < 2; k++)
	{
		size_t		len = k < p->first_x ? p->len[k] : 1;

		memcpy(parts[k], k < p->first_x ? p->part[k] : "0", len);
		parts[k][len] = '\0';
		if (bump && k == p->first_x - 1)
		{
			/* decimal + 1 in place, one more digit for 9s */
			int			d = (int) len - 1;

			while (d >= 0 && parts[k][d] == '9')
				parts[k][d--] = '0';
			if (d >= 0)
				parts[k][d]++;
			else
			{
				memmove(parts[k] + 1, parts[k], len + 1);
				parts[k][0] = '1';
			}
		}
	}
	return (size_t) snprintf(out, 2 * NPM_PART_DIGITS + 8, "%s.%s.0-0", parts[0], parts[1]);
}

/* The comparators of a partial bound; op 0: read only, as add_comparator */
static bool
add_npm_partial(Writer *w, int op, const NpmPartial *p)
{
	char		lower[2 * NPM_PART_DIGITS + 8];
	char		upper[2 * NPM_PART_DIGITS + 8];
	size_t		lower_len;
	size_t		upper_len;

	if (op == 0)
		return true;
	if (p->first_x == 0)
		return (op == OP_LT || op == OP_GT) ? add_comparator(w, OP_LT, "0.0.0-0", 7) : true;
	lower_len = npm_span_bound(p, 0, lower);
	upper_len = npm_span_bound(p, 1, upper);
	switch (op)
	{
		case OP_GT:
			return add_comparator(w, OP_GE, upper, upper_len);
		case OP_LE:
			return add_comparator(w, OP_LT, upper, upper_len);
		case OP_LT:
		case OP_GE:
			return add_comparator(w, op, lower, lower_len);
		default:
			return add_comparator(w, OP_GE, lower, lower_len) &&
				add_comparator(w, OP_LT, upper, upper_len);
	}
}

/* length of the comparator separator at s[i] (whitespace or the joiner), or 0 */
static size_t
separator_at(const char *s, size_t end, size_t i, Joiner joiner)
{
	if (vc_is_space(s[i]))
		return 1;
	if (joiner == JOIN_COMMA && s[i] == ',')
		return 1;
	if (joiner == JOIN_AMPERSANDS && s[i] == '&' && i + 1 < end && s[i + 1] == '&')
		return 2;
	return 0;
}

/* RangeOp of an operator run of len characters, or 0 for a run that adds nothing ("=>") */
static int
op_of(const char *op, size_t len)
{
	if (len == 1)
		return op[0] == '=' ? OP_EQ : op[0] == '<' ? OP_LT : op[0] == '>' ? OP_GT : 0;
	if (len == 2 && op[1] == '=')
		return op[0] == '=' ? OP_EQ : op[0] == '<' ? OP_LE : op[0] == '>' ? OP_GE : 0;
	return 0;
}

/* one "||" branch s[start..end) of the language dialect */
static bool
compile_branch(Writer *w, const char *s, size_t start, size_t end, Joiner joiner)
{
	size_t		i = start;
	unsigned	n = 0;
	size_t		sep;
	NpmPartial	partial;

	if (!begin_branch(w))
		return false;
	for (;;)
	{
		char		op[2];		/* the first characters of the run */
		size_t		oplen = 0;
		size_t		vstart;
		size_t		vend;

		while (i < end && (sep = separator_at(s, end, i, joiner)) > 0)
			i += sep;
		if (i == end)
			break;
		/* the operator run, joined to its version across separators */
		while (i < end)
		{
			if (is_op_char(s[i]))
			{
				if (oplen < sizeof(op))
					op[oplen] = s[i];
				oplen++;
				i++;
			}
			else if (oplen > 0 && (sep = separator_at(s, end, i, joiner)) > 0)
				i += sep;
			else
				break;
		}
		if (oplen == 0)
		{
			if (n > 0)
				return fail(w, "a comparator without an operator");
			op[0] = '=';		/* a branch's leading version is exact */
			oplen = 1;
		}
		vstart = i;
		while (i < end && separator_at(s, end, i, joiner) == 0)
			i++;
		vend = i;
		n++;
		/* "=*" alone: every version */
		if (n == 1 && oplen == 1 && op[0] == '=' && vend - vstart == 1 && s[vstart] == '*')
		{
			while (i < end && (sep = separator_at(s, end, i, joiner)) > 0)
				i += sep;
			if (i == end)
				return true;
		}
		if (w->type == PURL_NPM && npm_partial(s + vstart, vend - vstart, &partial))
		{
			if (!add_npm_partial(w, op_of(op, oplen), &partial))
				return false;
		}
		else if (!add_comparator(w, op_of(op, oplen), s + vstart, vend - vstart))
			return false;
	}
	if (n == 0)
		return fail(w, "an empty branch");
	return true;
}

static bool
compile_language(Writer *w, const char *s, size_t len, Joiner joiner)
{
	size_t		start = 0;

	for (size_t i = 0;; i++)
	{
		if (i == len || (s[i] == '|' && i + 1 < len && s[i + 1] == '|'))
		{
			if (!compile_branch(w, s, start, i, joiner))
				return false;
			if (i == len)
				return true;
			i++;
			start = i + 1;
		}
	}
}

/* one group of the interval dialect: s[0..len) between open and close */
static bool
compile_interval(Writer *w, char open, const char *s, size_t len, char close)
{
	const char *comma = memchr(s, ',', len);
	size_t		lower;

	if (!begin_branch(w))
		return false;
	if (comma == NULL)
	{
		if (len == 0)
			return fail(w, "an empty interval");
		return add_comparator(w, OP_EQ, s, len);
	}
	lower = comma - s;
	if (memchr(comma + 1, ',', len - lower - 1) != NULL)
		return fail(w, "an interval with more than two bounds");
	if (lower > 0 && !add_comparator(w, open == '[' ? OP_GE : OP_GT, s, lower))
		return false;
	if (lower + 1 < len &&
		!add_comparator(w, close == ']' ? OP_LE : OP_LT, comma + 1, len - lower - 1))
		return false;
	return true;
}

static bool
is_bracket(char c)
{
	return c == '[' || c == ']' || c == '(' || c == ')';
}

static bool
compile_intervals(Writer *w, const char *text, size_t len)
{
	char		s[RANGE_MAX_LENGTH];
	size_t		n = 0;
	size_t		i = 0;

	/* spaces are dropped everywhere, even inside versions */
	for (size_t k = 0; k < len; k++)
		if (!vc_is_space(text[k]))
			s[n++] = text[k];
	while (i < n)
	{
		if (s[i] == '[' || s[i] == '(')
		{
			size_t		j = i + 1;

			while (j < n && !is_bracket(s[j]))
				j++;
			if (j == n)
				return fail(w, "an unclosed interval");
			if (s[j] == '[' || s[j] == '(')
				return fail(w, "nested intervals");
			if (!compile_interval(w, s[i], s + i + 1, j - i - 1, s[j]))
				return false;
			i = j + 1;
		}
		else if (s[i] == ']' || s[i] == ')')
			return fail(w, "a closing bracket without an opening one");
		else if (s[i] == ',')
			i++;
		else
		{
			/* a bare version outside any group: itself and above */
			size_t		j = i;

			while (j < n && s[j] != ',' && !is_bracket(s[j]))
				j++;
			if (!begin_branch(w) || !add_comparator(w, OP_GE, s + i, j - i))
				return false;
			i = j;
		}
	}
	if (w->branches == 0)
		return fail(w, "an empty range");
	return true;
}

static bool
compile_os(Writer *w, const char *s, size_t len, bool less_allowed)
{
	size_t		start = 0;

	while (start < len && vc_is_space(s[start]))
		start++;
	while (len > start && vc_is_space(s[len - 1]))
		len--;
	if (len - start == 1 && s[start] == '*')
		return begin_branch(w);
	if (!less_allowed)
		return fail(w, "only \"*\" is a range of this purl type");
	if (start == len || s[start] != '<')
		return fail(w, "a range of this purl type is \"*\" or \"<\" and a version");
	return begin_branch(w) && add_comparator(w, OP_LT, s + start + 1, len - start - 1);
}

bool
range_compile(PurlTypeId type, const char *text, size_t len,
			  RangeBuf *out, const char **reason)
{
	Writer		w = {type, out, 0, 0, 0, NULL};
	Joiner		joiner;
	Dialect		dialect = dialect_of(type, &joiner);
	bool		ok = false;

	out->len = HEADER_SIZE;
	if (len > RANGE_MAX_LENGTH)
		fail(&w, "the range is longer than " VALUE_LITERAL(RANGE_MAX_LENGTH) " bytes");
	else if (memchr(text, '\0', len) != NULL)
		fail(&w, "the range holds a NUL byte");
	else
	{
		switch (dialect)
		{
			case DIALECT_LANGUAGE:
				ok = compile_language(&w, text, len, joiner);
				break;
			case DIALECT_INTERVAL:
				ok = compile_intervals(&w, text, len);
				break;
			case DIALECT_OS_LESS:
			case DIALECT_OS_ANY:
				ok = compile_os(&w, text, len, dialect == DIALECT_OS_LESS);
				break;
			case DIALECT_NONE:
				fail(&w, "the purl type has no range syntax");
				break;
		}
	}
	if (!ok)
	{
		out->len = 0;
		*reason = w.reason;
		return false;
	}
	out->data[0] = RANGE_FORMAT;
	out->data[1] = (uint8_t) type;
	put_u16(out->data + 2, w.branches);
	return true;
}

/* true when compiled[0..len) has the layout range_compile writes */
static bool
well_formed(const uint8_t *compiled, size_t len, PurlTypeId type)
{
	size_t		at = HEADER_SIZE;
	unsigned	branches;

	if (len < HEADER_SIZE || compiled[0] != RANGE_FORMAT || compiled[1] != (uint8_t) type)
		return false;
	branches = get_u16(compiled + 2);
	for (unsigned b = 0; b < branches; b++)
	{
		unsigned	n;

		if (at + 2 > len)
			return false;
		n = get_u16(compiled + at);
		at += 2;
		for (unsigned c = 0; c < n; c++)
		{
			if (at + 3 > len || compiled[at] < OP_EQ || compiled[at] > OP_GE)
				return false;
			at += 3 + get_u16(compiled + at + 1);
		}
	}
	return at == len;
}

/* whether the version, readable under the type, is one a range can hold */
static bool
version_readable(PurlTypeId type, const char *v, size_t vlen, const char **reason)
{
	int			cmp;

	if (version_has_ordering(type))
		return version_compare(type, v, vlen, v, vlen, &cmp, reason);
	/* "*" is all these types can say: any non-blank version */
	for (size_t i = 0; i < vlen; i++)
		if (!vc_is_space(v[i]))
			return true;
	*reason = "empty version";
	return false;
}

RangeMatch
range_match(const uint8_t *compiled, size_t len, PurlTypeId type,
			const char *version, size_t vlen, const char **reason)
{
	size_t		at = HEADER_SIZE;
	unsigned	branches;

	if (!well_formed(compiled, len, type))
	{
		*reason = "not a compiled range of this purl type";
		return RANGE_MALFORMED;
	}
	if (!version_readable(type, version, vlen, reason))
		return RANGE_UNREADABLE;
	branches = get_u16(compiled + 2);
	for (unsigned b = 0; b < branches; b++)
	{
		unsigned	n = get_u16(compiled + at);
		bool		all = true;

		at += 2;
		for (unsigned c = 0; c < n; c++)
		{
			RangeOp		op = (RangeOp) compiled[at];
			size_t		blen = get_u16(compiled + at + 1);
			const char *bound = (const char *) compiled + at + 3;
			int			cmp;

			at += 3 + blen;
			if (!all)
				continue;
			if (!version_compare(type, version, vlen, bound, blen, &cmp, reason))
			{
				*reason = "a bound of the compiled range is not a version";
				return RANGE_MALFORMED;
			}
			switch (op)
			{
				case OP_EQ:
					all = cmp == 0;
					break;
				case OP_LT:
					all = cmp < 0;
					break;
				case OP_LE:
					all = cmp <= 0;
					break;
				case OP_GT:
					all = cmp > 0;
					break;
				case OP_GE:
					all = cmp >= 0;
					break;
			}
		}
		if (all)
			return RANGE_AFFECTED;
	}
	return RANGE_NOT_AFFECTED;
}
