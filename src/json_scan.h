/*
 * json_scan.h
 *     The JSON scanner the record decoders share: it walks one line once,
 *     decodes the strings a decoder keeps into the decoder's reused arena,
 *     skips the values it does not keep and reports the first problem as
 *     text in the decoder's error buffer instead of raising an error.
 */
#ifndef PKGMETA_JSON_SCAN_H
#define PKGMETA_JSON_SCAN_H

#include "postgres.h"

#include "lib/stringinfo.h"

/* A decoded string: arena offset and length. */
typedef struct Span
{
	uint32		off;
	uint32		len;
} Span;

typedef struct JsonScan
{
	const char *start;
	const char *p;
	const char *end;
	StringInfo	arena;			/* where decoded strings go */
	char	   *error;			/* why the line is rejected */
	size_t		error_size;
	bool		closed;			/* see json_list_continues() */
	char		key[48];		/* the last object key (json_parse_key) */
	size_t		key_len;		/* its full length, kept or not */
} JsonScan;

extern void json_scan_init(JsonScan *js, const char *line, size_t len,
						   StringInfo arena, char *error, size_t error_size);

/* Sets the reason of the rejection; returns false for the caller to pass on. */
extern bool json_fail(JsonScan *js, const char *fmt,...) pg_attribute_printf(2, 3);

static inline void
json_skip_ws(JsonScan *js)
{
	while (js->p < js->end &&
		   (*js->p == ' ' || *js->p == '\t' || *js->p == '\n' || *js->p == '\r'))
		js->p++;
}

/* Whether c comes next (after white space), without consuming it. */
static inline bool
json_next_is(JsonScan *js, char c)
{
	json_skip_ws(js);
	return js->p < js->end && *js->p == c;
}

extern bool json_expect(JsonScan *js, char c, const char *what);

/* After a record's object: only white space may follow. */
extern bool json_at_end(JsonScan *js);

/* Consumes c if it comes next (after white space). */
extern bool json_consume(JsonScan *js, char c);

/*
 * After a list element: true when a comma follows (consumed).  Otherwise
 * consumes the closing character if it is there; json_list_closed() tells.
 */
extern bool json_list_continues(JsonScan *js, char close);

static inline bool
json_list_closed(JsonScan *js)
{
	return js->closed;
}

/* Decodes a JSON string (next after white space) into the arena. */
extern bool json_parse_string(JsonScan *js, Span *out);

/*
 * Decodes an object key into js->key (outside the arena; a key too long
 * for it matches no key a decoder knows) and consumes the ":".
 */
extern bool json_parse_key(JsonScan *js);

static inline bool
json_key_is(const JsonScan *js, const char *lit)
{
	return js->key_len == strlen(lit) && strcmp(js->key, lit) == 0;
}

/*
 * Decodes a JSON number (next after white space); one beyond the range of
 * a double is rejected.
 */
extern bool json_parse_number(JsonScan *js, double *out);

/* Decodes true or false; false without a reason for anything else. */
extern bool json_parse_bool(JsonScan *js, bool *out);

/* Skips any value; strings are decoded into the arena and dropped again. */
extern bool json_skip_value(JsonScan *js, int depth);

/* Consumes a null if it comes next. */
extern bool json_peek_null(JsonScan *js);

#endif
