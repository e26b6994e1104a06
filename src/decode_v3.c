/*
 * decode_v3.c
 *     A JSON decoder specialised to the v3 license record.  Unlike v2, bad
 *     values inside a license set are dropped one by one as GitLab drops
 *     them; only what makes the record unusable skips the line.
 */
#include "postgres.h"

#include "decode_v3.h"
#include "record_limits.h"

/* GitLab's limits on v3 license sets (doc/format.md section 11). */
#define V3_MAX_EXPRESSION_LENGTH 1024
#define V3_MAX_PER_SET 200

static Span *
push_string(V3Record *rec)
{
	if (rec->nstrings == rec->maxstrings)
	{
		rec->maxstrings *= 2;
		rec->strings = repalloc(rec->strings, sizeof(Span) * rec->maxstrings);
	}
	return &rec->strings[rec->nstrings++];
}

/*
 * An array of strings appended to rec->strings; values that are not
 * strings, empty, hold a NUL or exceed max_len are dropped.  More than
 * max_items kept values reject the record.
 */
static bool
parse_strings(JsonScan *js, V3Record *rec, const char *key, int max_len,
			  int max_items, int *first, int *count)
{
	*first = rec->nstrings;
	*count = 0;
	if (json_peek_null(js))
		return true;
	if (!json_next_is(js, '['))
		return json_fail(js, "\"%s\" must be an array", key);
	js->p++;
	if (json_consume(js, ']'))
		return true;
	for (;;)
	{
		if (json_next_is(js, '"'))
		{
			Span		s;

			if (!json_parse_string(js, &s))
				return false;
			if (s.len > 0 && s.len <= (uint32) max_len &&
				memchr(rec->arena.data + s.off, '\0', s.len) == NULL)
			{
				*push_string(rec) = s;
				if (++(*count) > max_items)
					return json_fail(js, "\"%s\" has more than %d entries", key, max_items);
			}
		}
		else if (!json_skip_value(js, 2))
			return false;
		if (json_list_continues(js, ']'))
			continue;
		return json_list_closed(js);
	}
}

/* A license set object; *is_object false (and the value skipped) when it is not one. */
static bool
parse_set(JsonScan *js, V3Record *rec, V3LicenseSet *set,
		  V3Tuple *tuple, bool *is_object)
{
	memset(set, 0, sizeof(V3LicenseSet));
	set->first_license = set->first_expression = rec->nstrings;
	if (tuple != NULL)
		tuple->first_version = rec->nstrings;
	*is_object = json_next_is(js, '{');
	if (!*is_object)
		return json_skip_value(js, 1);
	js->p++;
	if (json_consume(js, '}'))
		return true;
	for (;;)
	{
		if (!json_parse_key(js))
			return false;
		if (json_key_is(js, "licenses"))
		{
			if (!parse_strings(js, rec, "licenses", V3_MAX_ID_LENGTH, V3_MAX_PER_SET,
							   &set->first_license, &set->nlicenses))
				return false;
		}
		else if (json_key_is(js, "expressions"))
		{
			if (!parse_strings(js, rec, "expressions", V3_MAX_EXPRESSION_LENGTH,
							   V3_MAX_PER_SET, &set->first_expression, &set->nexpressions))
				return false;
		}
		else if (tuple != NULL && json_key_is(js, "versions"))
		{
			if (!parse_strings(js, rec, "versions", pkgmeta_max_version_length,
							   pkgmeta_max_versions_per_tuple,
							   &tuple->first_version, &tuple->nversions))
				return false;
		}
		else if (!json_skip_value(js, 2))
			return false;
		if (json_list_continues(js, '}'))
			continue;
		return json_list_closed(js);
	}
}

static bool
parse_tuples(JsonScan *js, V3Record *rec)
{
	if (json_peek_null(js))
		return true;
	if (!json_next_is(js, '['))
		return json_fail(js, "\"other_licenses\" must be an array");
	js->p++;
	if (json_consume(js, ']'))
		return true;
	for (;;)
	{
		V3Tuple    *t;
		bool		is_object;

		if (rec->ntuples == rec->maxtuples)
		{
			rec->maxtuples *= 2;
			rec->tuples = repalloc(rec->tuples, sizeof(V3Tuple) * rec->maxtuples);
		}
		t = &rec->tuples[rec->ntuples];
		memset(t, 0, sizeof(V3Tuple));
		if (!parse_set(js, rec, &t->set, t, &is_object))
			return false;
		/* a tuple says something only with versions and a license */
		if (is_object && t->nversions > 0 && (t->set.nlicenses > 0 || t->set.nexpressions > 0))
		{
			if (++rec->ntuples > pkgmeta_max_other_licenses)
				return json_fail(js, "\"other_licenses\" has more than %d entries "
								 "(pkgmeta.max_other_licenses)", pkgmeta_max_other_licenses);
		}
		if (json_list_continues(js, ']'))
			continue;
		return json_list_closed(js);
	}
}

static bool
parse_bound(JsonScan *js, const char *key, bool *has, Span *out)
{
	*has = false;
	if (!json_next_is(js, '"'))
		return json_skip_value(js, 1);
	if (!json_parse_string(js, out))
		return false;
	if (out->len > (uint32) pkgmeta_max_version_length)
		return json_fail(js, "\"%s\" is longer than %d bytes (pkgmeta.max_version_length)",
						 key, pkgmeta_max_version_length);
	*has = out->len > 0;
	return true;
}

void
v3_record_init(V3Record *rec)
{
	memset(rec, 0, sizeof(V3Record));
	initStringInfo(&rec->arena);
	rec->maxstrings = 64;
	rec->strings = palloc(sizeof(Span) * rec->maxstrings);
	rec->maxtuples = 8;
	rec->tuples = palloc(sizeof(V3Tuple) * rec->maxtuples);
}

bool
v3_decode_line(V3Record *rec, const char *line, size_t len)
{
	JsonScan	js;
	bool		has_name = false;
	bool		is_object;

	resetStringInfo(&rec->arena);
	json_scan_init(&js, line, len, &rec->arena, rec->error, sizeof(rec->error));
	rec->nstrings = rec->ntuples = 0;
	memset(&rec->default_set, 0, sizeof(V3LicenseSet));
	rec->has_lowest = rec->has_highest = false;

	if (!json_next_is(&js, '{'))
		return json_fail(&js, "not a JSON object");
	js.p++;
	if (!json_consume(&js, '}'))
		for (;;)
		{
			if (!json_parse_key(&js))
				return false;
			if (json_key_is(&js, "name"))
			{
				if (!json_next_is(&js, '"'))
					return json_fail(&js, "\"name\" must be a string");
				if (!json_parse_string(&js, &rec->name))
					return false;
				if (rec->name.len == 0)
					return json_fail(&js, "\"name\" is empty");
				if (rec->name.len > (uint32) pkgmeta_max_name_length)
					return json_fail(&js, "\"name\" is longer than %d bytes (pkgmeta.max_name_length)",
									 pkgmeta_max_name_length);
				has_name = true;
			}
			else if (json_key_is(&js, "default_licenses"))
			{
				if (!parse_set(&js, rec, &rec->default_set, NULL, &is_object))
					return false;
			}
			else if (json_key_is(&js, "lowest_version"))
			{
				if (!parse_bound(&js, "lowest_version", &rec->has_lowest, &rec->lowest))
					return false;
			}
			else if (json_key_is(&js, "highest_version"))
			{
				if (!parse_bound(&js, "highest_version", &rec->has_highest, &rec->highest))
					return false;
			}
			else if (json_key_is(&js, "other_licenses"))
			{
				if (!parse_tuples(&js, rec))
					return false;
			}
			else if (!json_skip_value(&js, 1))
				return false;
			if (json_list_continues(&js, '}'))
				continue;
			if (!json_list_closed(&js))
				return false;
			break;
		}
	if (!json_at_end(&js))
		return false;
	if (!has_name)
		return json_fail(&js, "missing \"name\"");
	if (rec->default_set.nlicenses == 0 && rec->default_set.nexpressions == 0)
		return json_fail(&js, "\"default_licenses\" holds no license");
	return true;
}
