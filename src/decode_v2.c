/*
 * decode_v2.c
 *     A JSON decoder specialised to the v2 license record.  It walks the
 *     line once, decodes the strings it keeps into a reused arena, skips
 *     unknown keys whatever their value and reports the first problem as
 *     text instead of raising an error, so one bad line never costs more
 *     than that line.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "decode_v2.h"
#include "hex.h"

/* deep enough for any real value of an unknown key, bounded for the stack */
#define MAX_SKIP_DEPTH 64

typedef struct Parser
{
	const char *start;
	const char *p;
	const char *end;
	V2Record   *rec;
	bool		closed;			/* see list_continues() */
} Parser;

static bool parse_value_skip(Parser *ps, int depth);

static bool pg_attribute_printf(2, 3)
fail(Parser *ps, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ps->rec->error, sizeof(ps->rec->error), fmt, ap);
	va_end(ap);
	return false;
}

static inline void
skip_ws(Parser *ps)
{
	while (ps->p < ps->end &&
		   (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static inline bool
expect(Parser *ps, char c, const char *what)
{
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != c)
		return fail(ps, "expected %s at byte %d", what, (int) (ps->p - ps->start) + 1);
	ps->p++;
	return true;
}

/* Consumes c if it comes next (after white space). */
static bool
consume(Parser *ps, char c)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == c)
	{
		ps->p++;
		return true;
	}
	return false;
}

/*
 * After a list element: true when a comma follows (consumed).  Otherwise
 * consumes the closing character if it is there; list_closed() tells.
 */
static bool
list_continues(Parser *ps, char close)
{
	if (consume(ps, ','))
		return true;
	ps->closed = ps->p < ps->end && *ps->p == close;
	if (ps->closed)
		ps->p++;
	else
		fail(ps, "expected \",\" or \"%c\" at byte %d", close, (int) (ps->p - ps->start) + 1);
	return false;
}

static inline bool
list_closed(Parser *ps)
{
	return ps->closed;
}

static bool
read_hex4(Parser *ps, pg_wchar *out)
{
	pg_wchar	v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++)
	{
		int			h = hex_value(ps->p[i]);

		if (h < 0)
			return fail(ps, "invalid \\u escape");
		v = (v << 4) | h;
	}
	ps->p += 4;
	*out = v;
	return true;
}

/* What each one-character escape stands for; 0: not an escape. */
static const char simple_escapes[128] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
	['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};

/* Decodes a JSON string (ps->p at the opening quote) into the arena. */
static bool
parse_string(Parser *ps, Span *out)
{
	StringInfo	arena = &ps->rec->arena;
	unsigned char esc;

	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a string");
	ps->p++;
	out->off = arena->len;
	for (;;)
	{
		const char *run = ps->p;

		/* copy the unescaped run in one go */
		while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' &&
			   (unsigned char) *ps->p >= 0x20)
			ps->p++;
		if (ps->p > run)
			appendBinaryStringInfoNT(arena, run, ps->p - run);
		if (ps->p >= ps->end)
			return fail(ps, "unterminated string");
		if (*ps->p == '"')
		{
			ps->p++;
			break;
		}
		if (*ps->p != '\\')
			return fail(ps, "control character in a string");
		ps->p++;
		if (ps->p >= ps->end)
			return fail(ps, "unterminated string");
		esc = (unsigned char) *ps->p++;
		if (esc == 'u')
		{
			pg_wchar	cp;
			unsigned char utf8[8];

			if (!read_hex4(ps, &cp))
				return false;
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				pg_wchar	lo;

				if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
					return fail(ps, "unpaired surrogate in \\u escape");
				ps->p += 2;
				if (!read_hex4(ps, &lo))
					return false;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return fail(ps, "unpaired surrogate in \\u escape");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			else if (cp >= 0xDC00 && cp <= 0xDFFF)
				return fail(ps, "unpaired surrogate in \\u escape");
			if (cp == 0)
				return fail(ps, "\\u0000 is not allowed in text");
			unicode_to_utf8(cp, utf8);
			appendBinaryStringInfoNT(arena, (char *) utf8, pg_utf_mblen(utf8));
		}
		else if (esc < lengthof(simple_escapes) && simple_escapes[esc] != 0)
			appendStringInfoCharMacro(arena, simple_escapes[esc]);
		else
			return fail(ps, "invalid escape in a string");
	}
	out->len = arena->len - out->off;
	return true;
}

/* Parses a string (an unknown key or value) and drops it again. */
static bool
skip_string(Parser *ps)
{
	Span		dropped;
	int			mark = ps->rec->arena.len;

	if (!parse_string(ps, &dropped))
		return false;
	ps->rec->arena.len = mark;
	return true;
}

static bool
match_literal(Parser *ps, const char *lit)
{
	size_t		n = strlen(lit);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, lit, n) != 0)
		return fail(ps, "invalid JSON value");
	ps->p += n;
	return true;
}

static bool
parse_number_skip(Parser *ps)
{
	const char *start = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (ps->p < ps->end && *ps->p >= '1' && *ps->p <= '9')
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	else
		return fail(ps, "invalid JSON value");
	if (ps->p < ps->end && *ps->p == '.')
	{
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "invalid number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
	{
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "invalid number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	return ps->p > start;
}

/* Skips any value; strings are decoded into the arena and dropped again. */
static bool
parse_value_skip(Parser *ps, int depth)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of line");
	if (depth > MAX_SKIP_DEPTH)
		return fail(ps, "JSON nested deeper than %d levels", MAX_SKIP_DEPTH);
	switch (*ps->p)
	{
		case '"':
			return skip_string(ps);
		case '{':
			ps->p++;
			if (consume(ps, '}'))
				return true;
			for (;;)
			{
				if (!skip_string(ps))
					return false;
				if (!expect(ps, ':', "\":\""))
					return false;
				if (!parse_value_skip(ps, depth + 1))
					return false;
				if (list_continues(ps, '}'))
					continue;
				return list_closed(ps);
			}
		case '[':
			ps->p++;
			if (consume(ps, ']'))
				return true;
			for (;;)
			{
				if (!parse_value_skip(ps, depth + 1))
					return false;
				if (list_continues(ps, ']'))
					continue;
				return list_closed(ps);
			}
		case 't':
			return match_literal(ps, "true");
		case 'f':
			return match_literal(ps, "false");
		case 'n':
			return match_literal(ps, "null");
		default:
			return parse_number_skip(ps);
	}
}

static bool
peek_null(Parser *ps)
{
	skip_ws(ps);
	if (ps->end - ps->p >= 4 && memcmp(ps->p, "null", 4) == 0)
	{
		ps->p += 4;
		return true;
	}
	return false;
}

static Span *
push_span(Span **arr, int *n, int *max)
{
	if (*n == *max)
	{
		*max = *max * 2;
		*arr = repalloc(*arr, sizeof(Span) * *max);
	}
	return &(*arr)[(*n)++];
}

typedef enum StringKind
{
	KIND_LICENSE,
	KIND_VERSION
} StringKind;

/* A non-empty array of strings, appended to the licenses or versions. */
static bool
parse_string_array(Parser *ps, const char *key, StringKind kind,
				   int *first, int *count)
{
	V2Record   *rec = ps->rec;
	int			max_items = kind == KIND_LICENSE ?
		pkgmeta_max_licenses_per_set : pkgmeta_max_versions_per_tuple;
	int			max_len = kind == KIND_LICENSE ?
		pkgmeta_max_license_length : pkgmeta_max_version_length;

	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '[')
		return fail(ps, "\"%s\" must be an array of strings", key);
	ps->p++;
	*first = kind == KIND_LICENSE ? rec->nlicenses : rec->nversions;
	*count = 0;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']')
	{
		ps->p++;
		return fail(ps, "\"%s\" must not be empty", key);
	}
	for (;;)
	{
		Span	   *s = kind == KIND_LICENSE ?
			push_span(&rec->licenses, &rec->nlicenses, &rec->maxlicenses) :
			push_span(&rec->versions, &rec->nversions, &rec->maxversions);

		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return fail(ps, "\"%s\" must be an array of strings", key);
		if (!parse_string(ps, s))
			return false;
		if (s->len == 0)
			return fail(ps, "\"%s\" has an empty string", key);
		if (s->len > (uint32) max_len)
			return fail(ps, "\"%s\" has a string longer than %d bytes (pkgmeta.max_%s_length)",
						key, max_len, kind == KIND_LICENSE ? "license" : "version");
		if (++(*count) > max_items)
			return fail(ps, "\"%s\" has more than %d entries (pkgmeta.max_%s)", key, max_items,
						kind == KIND_LICENSE ? "licenses_per_set" : "versions_per_tuple");
		if (list_continues(ps, ']'))
			continue;
		return list_closed(ps);
	}
}

static bool
parse_bound(Parser *ps, const char *key, bool *has, Span *out)
{
	if (peek_null(ps))
	{
		*has = false;
		return true;
	}
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "\"%s\" must be a string or null", key);
	if (!parse_string(ps, out))
		return false;
	if (out->len > (uint32) pkgmeta_max_version_length)
		return fail(ps, "\"%s\" is longer than %d bytes (pkgmeta.max_version_length)",
					key, pkgmeta_max_version_length);
	/* an empty bound says no more than an absent one */
	*has = out->len > 0;
	return true;
}

static bool
parse_exception(Parser *ps)
{
	V2Record   *rec = ps->rec;
	V2Exception *e;
	bool		seen_licenses = false,
				seen_versions = false;

	if (rec->nexceptions == rec->maxexceptions)
	{
		rec->maxexceptions *= 2;
		rec->exceptions = repalloc(rec->exceptions, sizeof(V2Exception) * rec->maxexceptions);
	}
	e = &rec->exceptions[rec->nexceptions++];
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '{')
		return fail(ps, "\"other_licenses\" entries must be objects");
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}')
		return fail(ps, "\"other_licenses\" entry lacks \"licenses\" and \"versions\"");
	for (;;)
	{
		Span		key;
		int			mark = rec->arena.len;
		const char *k;

		if (!parse_string(ps, &key))
			return false;
		k = span_ptr(rec, key);
		rec->arena.len = mark;
		if (!expect(ps, ':', "\":\""))
			return false;
		if (key.len == 8 && memcmp(k, "licenses", 8) == 0)
		{
			if (seen_licenses)
				return fail(ps, "duplicate key \"licenses\" in \"other_licenses\"");
			seen_licenses = true;
			if (!parse_string_array(ps, "licenses", KIND_LICENSE,
									&e->first_license, &e->nlicenses))
				return false;
		}
		else if (key.len == 8 && memcmp(k, "versions", 8) == 0)
		{
			if (seen_versions)
				return fail(ps, "duplicate key \"versions\" in \"other_licenses\"");
			seen_versions = true;
			if (!parse_string_array(ps, "versions", KIND_VERSION,
									&e->first_version, &e->nversions))
				return false;
		}
		else if (!parse_value_skip(ps, 1))
			return false;
		if (list_continues(ps, '}'))
			continue;
		if (!list_closed(ps))
			return false;
		break;
	}
	if (!seen_licenses || !seen_versions)
		return fail(ps, "\"other_licenses\" entry lacks \"%s\"",
					seen_licenses ? "versions" : "licenses");
	return true;
}

static bool
parse_exceptions(Parser *ps)
{
	if (peek_null(ps))
		return true;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '[')
		return fail(ps, "\"other_licenses\" must be an array");
	ps->p++;
	if (consume(ps, ']'))
		return true;
	for (;;)
	{
		if (!parse_exception(ps))
			return false;
		if (ps->rec->nexceptions > pkgmeta_max_other_licenses)
			return fail(ps, "\"other_licenses\" has more than %d entries (pkgmeta.max_other_licenses)",
						pkgmeta_max_other_licenses);
		if (list_continues(ps, ']'))
			continue;
		return list_closed(ps);
	}
}

void
v2_record_init(V2Record *rec)
{
	memset(rec, 0, sizeof(V2Record));
	initStringInfo(&rec->arena);
	rec->maxlicenses = 16;
	rec->licenses = palloc(sizeof(Span) * rec->maxlicenses);
	rec->maxversions = 64;
	rec->versions = palloc(sizeof(Span) * rec->maxversions);
	rec->maxexceptions = 8;
	rec->exceptions = palloc(sizeof(V2Exception) * rec->maxexceptions);
}

#define SEEN_NAME 1
#define SEEN_DEFAULT 2
#define SEEN_LOWEST 4
#define SEEN_HIGHEST 8
#define SEEN_OTHER 16

bool
v2_decode_line(V2Record *rec, const char *line, size_t len)
{
	Parser		ps = {line, line, line + len, rec, false};
	int			seen = 0;

	resetStringInfo(&rec->arena);
	rec->nlicenses = rec->nversions = rec->nexceptions = 0;
	rec->ndefault = rec->first_default = 0;
	rec->has_lowest = rec->has_highest = false;
	rec->error[0] = '\0';

	skip_ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{')
		return fail(&ps, "not a JSON object");
	ps.p++;
	skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '}')
		ps.p++;
	else
		for (;;)
		{
			Span		key;
			int			mark = rec->arena.len;
			int			bit = 0;
			const char *k;

			if (!parse_string(&ps, &key))
				return false;
			k = span_ptr(rec, key);
#define KEY_IS(lit) (key.len == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)
			if (KEY_IS("name"))
				bit = SEEN_NAME;
			else if (KEY_IS("default_licenses"))
				bit = SEEN_DEFAULT;
			else if (KEY_IS("lowest_version"))
				bit = SEEN_LOWEST;
			else if (KEY_IS("highest_version"))
				bit = SEEN_HIGHEST;
			else if (KEY_IS("other_licenses"))
				bit = SEEN_OTHER;
#undef KEY_IS
			if (bit != 0 && (seen & bit))
				return fail(&ps, "duplicate key \"%.*s\"", (int) key.len, k);
			seen |= bit;
			rec->arena.len = mark;
			if (!expect(&ps, ':', "\":\""))
				return false;
			switch (bit)
			{
				case SEEN_NAME:
					skip_ws(&ps);
					if (ps.p >= ps.end || *ps.p != '"')
						return fail(&ps, "\"name\" must be a string");
					if (!parse_string(&ps, &rec->name))
						return false;
					if (rec->name.len == 0)
						return fail(&ps, "\"name\" is empty");
					if (rec->name.len > (uint32) pkgmeta_max_name_length)
						return fail(&ps, "\"name\" is longer than %d bytes (pkgmeta.max_name_length)",
									pkgmeta_max_name_length);
					break;
				case SEEN_DEFAULT:
					if (!parse_string_array(&ps, "default_licenses", KIND_LICENSE,
											&rec->first_default, &rec->ndefault))
						return false;
					break;
				case SEEN_LOWEST:
					if (!parse_bound(&ps, "lowest_version", &rec->has_lowest, &rec->lowest))
						return false;
					break;
				case SEEN_HIGHEST:
					if (!parse_bound(&ps, "highest_version", &rec->has_highest, &rec->highest))
						return false;
					break;
				case SEEN_OTHER:
					if (!parse_exceptions(&ps))
						return false;
					break;
				default:
					if (!parse_value_skip(&ps, 1))
						return false;
			}
			if (list_continues(&ps, '}'))
				continue;
			if (!list_closed(&ps))
				return false;
			break;
		}
	skip_ws(&ps);
	if (ps.p != ps.end)
		return fail(&ps, "trailing characters after the JSON object");
	if (!(seen & SEEN_NAME))
		return fail(&ps, "missing \"name\"");
	if (!(seen & SEEN_DEFAULT))
		return fail(&ps, "missing \"default_licenses\"");
	return true;
}
