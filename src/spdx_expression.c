/*
 * spdx_expression.c
 *     The license identifiers of an SPDX license expression (SPDX 2.3
 *     annex D): words between white space and parentheses, less the
 *     operators and the exception that follows WITH.  Plain C: the fuzz
 *     target of v3 records runs it.
 */
#include <string.h>
#include <strings.h>

#include "spdx_expression.h"

static bool
is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')';
}

static bool
word_is(const char *w, size_t len, const char *op)
{
	return len == strlen(op) && strncasecmp(w, op, len) == 0;
}

/* [A-Za-z0-9.:-]+ with an optional final "+" */
static bool
is_identifier(const char *w, size_t len)
{
	for (size_t i = 0; i < len; i++)
	{
		char		c = w[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '-' || c == ':' || (c == '+' && i == len - 1 && i > 0)))
			return false;
	}
	return len > 0;
}

void
spdx_expression_ids(const char *expr, size_t len, size_t max_len, SpdxIdFound found, void *arg)
{
	size_t		i = 0;
	bool		after_with = false;

	while (i < len)
	{
		size_t		start;

		while (i < len && is_separator(expr[i]))
			i++;
		start = i;
		while (i < len && !is_separator(expr[i]))
			i++;
		if (i == start)
			break;
		if (word_is(expr + start, i - start, "WITH"))
		{
			after_with = true;
			continue;
		}
		if (word_is(expr + start, i - start, "AND") || word_is(expr + start, i - start, "OR"))
		{
			after_with = false;
			continue;
		}
		/* the exception of "<license> WITH <exception>" */
		if (after_with)
		{
			after_with = false;
			continue;
		}
		if (i - start <= max_len && is_identifier(expr + start, i - start))
			found(arg, expr + start, i - start);
	}
}
