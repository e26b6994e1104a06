/*
 * json_scan.c
 *     The JSON scanner of the record decoders (json_scan.h): strings are
 *     decoded into the caller's arena, everything else is only checked.
 */
#include "postgres.h"

#include <math.h>

#include "mb/pg_wchar.h"

#include "hex.h"
#include "json_scan.h"

/* deep enough for any real value of an unknown key, bounded for the stack */
#define MAX_SKIP_DEPTH 64

void
json_scan_init(JsonScan *js, const char *line, size_t len,
			   StringInfo arena, char *error, size_t error_size)
{
	memset(js, 0, sizeof(JsonScan));
	js->start = js->p = line;
	js->end = line + len;
	js->arena = arena;
	js->error = error;
	js->error_size = error_size;
	error[0] = '\0';
}

bool
json_fail(JsonScan *js, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(js->error, js->error_size, fmt, ap);
	va_end(ap);
	return false;
}

bool
json_expect(JsonScan *js, char c, const char *what)
{
	json_skip_ws(js);
	if (js->p >= js->end || *js->p != c)
		return json_fail(js, "expected %s at byte %d", what, (int) (js->p - js->start) + 1);
	js->p++;
	return true;
}

bool
json_at_end(JsonScan *js)
{
	json_skip_ws(js);
	if (js->p != js->end)
		return json_fail(js, "trailing characters after the JSON object");
	return true;
}

bool
json_consume(JsonScan *js, char c)
{
	json_skip_ws(js);
	if (js->p < js->end && *js->p == c)
	{
		js->p++;
		return true;
	}
	return false;
}

bool
json_list_continues(JsonScan *js, char close)
{
	if (json_consume(js, ','))
		return true;
	js->closed = js->p < js->end && *js->p == close;
	if (js->closed)
		js->p++;
	else
		json_fail(js, "expected \",\" or \"%c\" at byte %d", close, (int) (js->p - js->start) + 1);
	return false;
}

static bool
read_hex4(JsonScan *js, pg_wchar *out)
{
	pg_wchar	v = 0;

	if (js->end - js->p < 4)
		return json_fail(js, "truncated \\u escape");
	for (int i = 0; i < 4; i++)
	{
		int			h = hex_value(js->p[i]);

		if (h < 0)
			return json_fail(js, "invalid \\u escape");
		v = (v << 4) | h;
	}
	js->p += 4;
	*out = v;
	return true;
}

/* What each one-character escape stands for; 0: not an escape. */
static const char simple_escapes[128] = {
	['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
	['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
};

bool
json_parse_string(JsonScan *js, Span *out)
{
	StringInfo	arena = js->arena;
	unsigned char esc;

	json_skip_ws(js);
	if (js->p >= js->end || *js->p != '"')
		return json_fail(js, "expected a string");
	js->p++;
	out->off = arena->len;
	for (;;)
	{
		const char *run = js->p;

		/* copy the unescaped run in one go */
		while (js->p < js->end && *js->p != '"' && *js->p != '\\' &&
			   (unsigned char) *js->p >= 0x20)
			js->p++;
		if (js->p > run)
			appendBinaryStringInfoNT(arena, run, js->p - run);
		if (js->p >= js->end)
			return json_fail(js, "unterminated string");
		if (*js->p == '"')
		{
			js->p++;
			break;
		}
		if (*js->p != '\\')
			return json_fail(js, "control character in a string");
		js->p++;
		if (js->p >= js->end)
			return json_fail(js, "unterminated string");
		esc = (unsigned char) *js->p++;
		if (esc == 'u')
		{
			pg_wchar	cp;
			unsigned char utf8[8];

			if (!read_hex4(js, &cp))
				return false;
			if (cp >= 0xD800 && cp <= 0xDBFF)
			{
				pg_wchar	lo;

				if (js->end - js->p < 2 || js->p[0] != '\\' || js->p[1] != 'u')
					return json_fail(js, "unpaired surrogate in \\u escape");
				js->p += 2;
				if (!read_hex4(js, &lo))
					return false;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return json_fail(js, "unpaired surrogate in \\u escape");
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			else if (cp >= 0xDC00 && cp <= 0xDFFF)
				return json_fail(js, "unpaired surrogate in \\u escape");
			if (cp == 0)
				return json_fail(js, "\\u0000 is not allowed in text");
			unicode_to_utf8(cp, utf8);
			appendBinaryStringInfoNT(arena, (char *) utf8, pg_utf_mblen(utf8));
		}
		else if (esc < lengthof(simple_escapes) && simple_escapes[esc] != 0)
			appendStringInfoCharMacro(arena, simple_escapes[esc]);
		else
			return json_fail(js, "invalid escape in a string");
	}
	out->len = arena->len - out->off;
	return true;
}

/* Parses a string (an unknown key or value) and drops it again. */
static bool
skip_string(JsonScan *js)
{
	Span		dropped;
	int			mark = js->arena->len;

	if (!json_parse_string(js, &dropped))
		return false;
	js->arena->len = mark;
	return true;
}

static bool
match_literal(JsonScan *js, const char *lit)
{
	size_t		n = strlen(lit);

	if ((size_t) (js->end - js->p) < n || memcmp(js->p, lit, n) != 0)
		return json_fail(js, "invalid JSON value");
	js->p += n;
	return true;
}

static bool
parse_number_skip(JsonScan *js)
{
	const char *start = js->p;

	if (js->p < js->end && *js->p == '-')
		js->p++;
	if (js->p < js->end && *js->p == '0')
		js->p++;
	else if (js->p < js->end && *js->p >= '1' && *js->p <= '9')
		while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
			js->p++;
	else
		return json_fail(js, "invalid JSON value");
	if (js->p < js->end && *js->p == '.')
	{
		js->p++;
		if (js->p >= js->end || *js->p < '0' || *js->p > '9')
			return json_fail(js, "invalid number");
		while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
			js->p++;
	}
	if (js->p < js->end && (*js->p == 'e' || *js->p == 'E'))
	{
		js->p++;
		if (js->p < js->end && (*js->p == '+' || *js->p == '-'))
			js->p++;
		if (js->p >= js->end || *js->p < '0' || *js->p > '9')
			return json_fail(js, "invalid number");
		while (js->p < js->end && *js->p >= '0' && *js->p <= '9')
			js->p++;
	}
	return js->p > start;
}

bool
json_parse_number(JsonScan *js, double *out)
{
	const char *start;
	char	   *text;

	json_skip_ws(js);
	start = js->p;
	if (!parse_number_skip(js))
		return false;
	/* JSON number syntax is a subset of strtod's, in the server's C numeric locale */
	text = palloc(js->p - start + 1);
	memcpy(text, start, js->p - start);
	text[js->p - start] = '\0';
	*out = strtod(text, NULL);
	pfree(text);
	if (isinf(*out))
		return json_fail(js, "number out of range");
	return true;
}

bool
json_parse_bool(JsonScan *js, bool *out)
{
	json_skip_ws(js);
	if (js->p < js->end && *js->p == 't' && match_literal(js, "true"))
		*out = true;
	else if (js->p < js->end && *js->p == 'f' && match_literal(js, "false"))
		*out = false;
	else
		return false;
	return true;
}

bool
json_skip_value(JsonScan *js, int depth)
{
	json_skip_ws(js);
	if (js->p >= js->end)
		return json_fail(js, "unexpected end of line");
	if (depth > MAX_SKIP_DEPTH)
		return json_fail(js, "JSON nested deeper than %d levels", MAX_SKIP_DEPTH);
	switch (*js->p)
	{
		case '"':
			return skip_string(js);
		case '{':
			js->p++;
			if (json_consume(js, '}'))
				return true;
			for (;;)
			{
				if (!skip_string(js))
					return false;
				if (!json_expect(js, ':', "\":\""))
					return false;
				if (!json_skip_value(js, depth + 1))
					return false;
				if (json_list_continues(js, '}'))
					continue;
				return json_list_closed(js);
			}
		case '[':
			js->p++;
			if (json_consume(js, ']'))
				return true;
			for (;;)
			{
				if (!json_skip_value(js, depth + 1))
					return false;
				if (json_list_continues(js, ']'))
					continue;
				return json_list_closed(js);
			}
		case 't':
			return match_literal(js, "true");
		case 'f':
			return match_literal(js, "false");
		case 'n':
			return match_literal(js, "null");
		default:
			return parse_number_skip(js);
	}
}

bool
json_parse_key(JsonScan *js)
{
	Span		key;
	uint32		mark = js->arena->len;
	uint32		kept;

	if (!json_parse_string(js, &key))
		return false;
	js->key_len = key.len;
	kept = Min(key.len, sizeof(js->key) - 1);
	/* a key cut short (only ever quoted in a reason) stays UTF-8 */
	while (kept < key.len && kept > 0 &&
		   ((unsigned char) js->arena->data[key.off + kept] & 0xC0) == 0x80)
		kept--;
	memcpy(js->key, js->arena->data + key.off, kept);
	js->key[kept] = '\0';
	js->arena->len = mark;
	return json_expect(js, ':', "\":\"");
}

bool
json_peek_null(JsonScan *js)
{
	json_skip_ws(js);
	if (js->end - js->p >= 4 && memcmp(js->p, "null", 4) == 0)
	{
		js->p += 4;
		return true;
	}
	return false;
}

