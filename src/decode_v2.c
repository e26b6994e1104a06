/*
 * decode_v2.c
 *     A JSON decoder specialised to the v2 license record.  It walks the
 *     line once, decodes the strings it keeps into a reused arena, skips
 *     unknown keys whatever their value and reports the first problem as
 *     text instead of raising an error, so one bad line never costs more
 *     than that line.
 */
#include "postgres.h"

#include "decode_v2.h"
#include "json_scan.h"

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
parse_string_array(JsonScan *ps, V2Record *rec, const char *key, StringKind kind,
				   int *first, int *count)
{
	int			max_items = kind == KIND_LICENSE ?
		pkgmeta_max_licenses_per_set : pkgmeta_max_versions_per_tuple;
	int			max_len = kind == KIND_LICENSE ?
		pkgmeta_max_license_length : pkgmeta_max_version_length;

	json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '[')
		return json_fail(ps, "\"%s\" must be an array of strings", key);
	ps->p++;
	*first = kind == KIND_LICENSE ? rec->nlicenses : rec->nversions;
	*count = 0;
	json_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']')
	{
		ps->p++;
		return json_fail(ps, "\"%s\" must not be empty", key);
	}
	for (;;)
	{
		Span	   *s = kind == KIND_LICENSE ?
			push_span(&rec->licenses, &rec->nlicenses, &rec->maxlicenses) :
			push_span(&rec->versions, &rec->nversions, &rec->maxversions);

		json_skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return json_fail(ps, "\"%s\" must be an array of strings", key);
		if (!json_parse_string(ps, s))
			return false;
		if (s->len == 0)
			return json_fail(ps, "\"%s\" has an empty string", key);
		if (s->len > (uint32) max_len)
			return json_fail(ps, "\"%s\" has a string longer than %d bytes (pkgmeta.max_%s_length)",
						key, max_len, kind == KIND_LICENSE ? "license" : "version");
		if (++(*count) > max_items)
			return json_fail(ps, "\"%s\" has more than %d entries (pkgmeta.max_%s)", key, max_items,
						kind == KIND_LICENSE ? "licenses_per_set" : "versions_per_tuple");
		if (json_list_continues(ps, ']'))
			continue;
		return json_list_closed(ps);
	}
}

static bool
parse_bound(JsonScan *ps, const char *key, bool *has, Span *out)
{
	if (json_peek_null(ps))
	{
		*has = false;
		return true;
	}
	json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return json_fail(ps, "\"%s\" must be a string or null", key);
	if (!json_parse_string(ps, out))
		return false;
	if (out->len > (uint32) pkgmeta_max_version_length)
		return json_fail(ps, "\"%s\" is longer than %d bytes (pkgmeta.max_version_length)",
					key, pkgmeta_max_version_length);
	/* an empty bound says no more than an absent one */
	*has = out->len > 0;
	return true;
}

static bool
parse_exception(JsonScan *ps, V2Record *rec)
{
	V2Exception *e;
	bool		seen_licenses = false,
				seen_versions = false;

	if (rec->nexceptions == rec->maxexceptions)
	{
		rec->maxexceptions *= 2;
		rec->exceptions = repalloc(rec->exceptions, sizeof(V2Exception) * rec->maxexceptions);
	}
	e = &rec->exceptions[rec->nexceptions++];
	json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '{')
		return json_fail(ps, "\"other_licenses\" entries must be objects");
	ps->p++;
	json_skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}')
		return json_fail(ps, "\"other_licenses\" entry lacks \"licenses\" and \"versions\"");
	for (;;)
	{
		if (!json_parse_key(ps))
			return false;
		if (json_key_is(ps, "licenses"))
		{
			if (seen_licenses)
				return json_fail(ps, "duplicate key \"licenses\" in \"other_licenses\"");
			seen_licenses = true;
			if (!parse_string_array(ps, rec, "licenses", KIND_LICENSE,
									&e->first_license, &e->nlicenses))
				return false;
		}
		else if (json_key_is(ps, "versions"))
		{
			if (seen_versions)
				return json_fail(ps, "duplicate key \"versions\" in \"other_licenses\"");
			seen_versions = true;
			if (!parse_string_array(ps, rec, "versions", KIND_VERSION,
									&e->first_version, &e->nversions))
				return false;
		}
		else if (!json_skip_value(ps, 1))
			return false;
		if (json_list_continues(ps, '}'))
			continue;
		if (!json_list_closed(ps))
			return false;
		break;
	}
	if (!seen_licenses || !seen_versions)
		return json_fail(ps, "\"other_licenses\" entry lacks \"%s\"",
					seen_licenses ? "versions" : "licenses");
	return true;
}

static bool
parse_exceptions(JsonScan *ps, V2Record *rec)
{
	if (json_peek_null(ps))
		return true;
	json_skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '[')
		return json_fail(ps, "\"other_licenses\" must be an array");
	ps->p++;
	if (json_consume(ps, ']'))
		return true;
	for (;;)
	{
		if (!parse_exception(ps, rec))
			return false;
		if (rec->nexceptions > pkgmeta_max_other_licenses)
			return json_fail(ps, "\"other_licenses\" has more than %d entries (pkgmeta.max_other_licenses)",
						pkgmeta_max_other_licenses);
		if (json_list_continues(ps, ']'))
			continue;
		return json_list_closed(ps);
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
	JsonScan	ps;
	int			seen = 0;

	resetStringInfo(&rec->arena);
	json_scan_init(&ps, line, len, &rec->arena, rec->error, sizeof(rec->error));
	rec->nlicenses = rec->nversions = rec->nexceptions = 0;
	rec->ndefault = rec->first_default = 0;
	rec->has_lowest = rec->has_highest = false;

	json_skip_ws(&ps);
	if (ps.p >= ps.end || *ps.p != '{')
		return json_fail(&ps, "not a JSON object");
	ps.p++;
	json_skip_ws(&ps);
	if (ps.p < ps.end && *ps.p == '}')
		ps.p++;
	else
		for (;;)
		{
			int			bit = 0;

			if (!json_parse_key(&ps))
				return false;
			if (json_key_is(&ps, "name"))
				bit = SEEN_NAME;
			else if (json_key_is(&ps, "default_licenses"))
				bit = SEEN_DEFAULT;
			else if (json_key_is(&ps, "lowest_version"))
				bit = SEEN_LOWEST;
			else if (json_key_is(&ps, "highest_version"))
				bit = SEEN_HIGHEST;
			else if (json_key_is(&ps, "other_licenses"))
				bit = SEEN_OTHER;
			if (bit != 0 && (seen & bit))
				return json_fail(&ps, "duplicate key \"%s\"", ps.key);
			seen |= bit;
			switch (bit)
			{
				case SEEN_NAME:
					json_skip_ws(&ps);
					if (ps.p >= ps.end || *ps.p != '"')
						return json_fail(&ps, "\"name\" must be a string");
					if (!json_parse_string(&ps, &rec->name))
						return false;
					if (rec->name.len == 0)
						return json_fail(&ps, "\"name\" is empty");
					if (rec->name.len > (uint32) pkgmeta_max_name_length)
						return json_fail(&ps, "\"name\" is longer than %d bytes (pkgmeta.max_name_length)",
									pkgmeta_max_name_length);
					break;
				case SEEN_DEFAULT:
					if (!parse_string_array(&ps, rec, "default_licenses", KIND_LICENSE,
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
					if (!parse_exceptions(&ps, rec))
						return false;
					break;
				default:
					if (!json_skip_value(&ps, 1))
						return false;
			}
			if (json_list_continues(&ps, '}'))
				continue;
			if (!json_list_closed(&ps))
				return false;
			break;
		}
	if (!json_at_end(&ps))
		return false;
	if (!(seen & SEEN_NAME))
		return json_fail(&ps, "missing \"name\"");
	if (!(seen & SEEN_DEFAULT))
		return json_fail(&ps, "missing \"default_licenses\"");
	return true;
}
