/*
 * decode_advisory.c
 *     A JSON decoder specialised to the v2 advisory record (doc/format.md
 *     section 5).  Like the license decoder it
 *     walks the line once over json_scan.c and reports the first problem
 *     as text.  GitLab's rules: an unknown key of the advisory or of a
 *     package rejects the record; other top-level keys are ignored.
 */
#include "postgres.h"

#include "decode_advisory.h"

/* bytes of a name or source quoted in a reason */
#define QUOTED_NAME_BYTES 60

/* Grows an array of elem_size elements so that one more fits. */
static void *
make_room(void *arr, int n, int *max, size_t elem_size)
{
	if (n < *max)
		return arr;
	*max *= 2;
	return repalloc(arr, elem_size * *max);
}

/* The length of the first at most max bytes of s, not splitting a UTF-8 character. */
static int
clipped_len(const char *s, uint32 len, uint32 max)
{
	if (len <= max)
		return (int) len;
	while (max > 0 && ((unsigned char) s[max] & 0xC0) == 0x80)
		max--;
	return (int) max;
}

static bool
within_limit(JsonScan *js, const char *what, Span s, int max, const char *setting)
{
	if (s.len > (uint32) max)
		return json_fail(js, "\"%s\" is longer than %d bytes (pkgmeta.%s)", what, max, setting);
	return true;
}

/*
 * A value of another type than expected: a syntax error in it is the
 * reason if there is one, else the type.
 */
static bool
wrong_type(JsonScan *js, const char *what, const char *expected)
{
	if (!json_skip_value(js, 1))
		return false;
	return json_fail(js, "\"%s\" must be %s", what, expected);
}

/* A string, or false when the value is not one. */
static bool
parse_text(JsonScan *js, const char *what, Span *out)
{
	if (!json_next_is(js, '"'))
		return wrong_type(js, what, "a string");
	return json_parse_string(js, out);
}

static bool
parse_optional_text(JsonScan *js, const char *what, OptionalText *out)
{
	out->present = false;
	if (json_peek_null(js))
		return true;
	if (!json_next_is(js, '"'))
		return wrong_type(js, what, "a string or null");
	out->present = true;
	return json_parse_string(js, &out->text);
}

static bool
optional_within_limit(JsonScan *js, const char *what, const OptionalText *t, int max,
					  const char *setting)
{
	return !t->present || within_limit(js, what, t->text, max, setting);
}

/*
 * Opens an array ('[') or object ('{'): true, or false with a reason.  An
 * empty one is closed at once (*empty); so is a null when null_ok.
 */
static bool
open_list(JsonScan *js, const char *what, char open, bool null_ok, bool *empty)
{
	*empty = false;
	if (null_ok && json_peek_null(js))
	{
		*empty = true;
		return true;
	}
	if (!json_consume(js, open))
		return wrong_type(js, what, open == '[' ? "an array" : "an object");
	*empty = json_consume(js, open == '[' ? ']' : '}');
	return true;
}

/* After an element: true to go on, false at the end (*ok: no error). */
static bool
next_element(JsonScan *js, char close, bool *ok)
{
	if (json_list_continues(js, close))
		return true;
	*ok = json_list_closed(js);
	return false;
}

/*
 * Which of keys (NULL-terminated) the key just read is; -1 with a reason
 * for an unknown key or one seen before in the object (where names it).
 */
static int
object_key(JsonScan *js, const char *const *keys, int *seen, const char *where)
{
	for (int i = 0; keys[i] != NULL; i++)
	{
		if (!json_key_is(js, keys[i]))
			continue;
		if (*seen & (1 << i))
		{
			json_fail(js, "duplicate key \"%s\" in %s", js->key, where);
			return -1;
		}
		*seen |= 1 << i;
		return i;
	}
	json_fail(js, "unknown key \"%s\" in %s", js->key, where);
	return -1;
}

/* An array of strings (or null) appended to *arr. */
static bool
parse_text_array(JsonScan *js, const char *what,
				 Span **arr, int *n, int *max)
{
	bool		empty;
	bool		ok = true;

	if (!open_list(js, what, '[', true, &empty))
		return false;
	if (empty)
		return true;
	do
	{
		*arr = make_room(*arr, *n, max, sizeof(Span));
		if (!json_next_is(js, '"'))
			return wrong_type(js, what, "an array of strings");
		if (!json_parse_string(js, &(*arr)[(*n)++]))
			return false;
	} while (next_element(js, ']', &ok));
	return ok;
}

static bool
is_cve(const AdvisoryRecord *rec, Span type)
{
	return type.len == 3 && pg_strncasecmp(advisory_text(rec, type), "cve", 3) == 0;
}

static bool
parse_identifier(JsonScan *js, AdvisoryRecord *rec)
{
	AdvisoryIdentifier *id;
	bool		empty;
	bool		ok = true;
	bool		has_type = false,
				has_name = false;

	rec->identifiers = make_room(rec->identifiers, rec->nidentifiers, &rec->maxidentifiers,
								 sizeof(AdvisoryIdentifier));
	id = &rec->identifiers[rec->nidentifiers++];
	memset(id, 0, sizeof(AdvisoryIdentifier));
	if (!json_next_is(js, '{'))
		return wrong_type(js, "advisory.identifiers", "an array of objects");
	if (!open_list(js, "advisory.identifiers[]", '{', false, &empty))
		return false;
	if (!empty)
		do
		{
			if (!json_parse_key(js))
				return false;
			if (json_key_is(js, "type"))
				ok = has_type = parse_text(js, "advisory.identifiers[].type", &id->type);
			else if (json_key_is(js, "name"))
				ok = has_name = parse_text(js, "advisory.identifiers[].name", &id->name);
			else if (json_key_is(js, "value"))
				ok = parse_optional_text(js, "advisory.identifiers[].value", &id->value);
			else if (json_key_is(js, "url"))
				ok = parse_optional_text(js, "advisory.identifiers[].url", &id->url);
			else
				ok = json_skip_value(js, 1);
			if (!ok)
				return false;
		} while (next_element(js, '}', &ok));
	if (!ok)
		return false;
	if (!has_type || !has_name)
		return json_fail(js, "an identifier lacks \"%s\"", has_type ? "name" : "type");
	if (!within_limit(js, "advisory.identifiers[].type", id->type,
					  pkgmeta_max_identifier_type_length, "max_identifier_type_length") ||
		!within_limit(js, "advisory.identifiers[].name", id->name,
					  pkgmeta_max_identifier_name_length, "max_identifier_name_length") ||
		!optional_within_limit(js, "advisory.identifiers[].value", &id->value,
							   pkgmeta_max_url_length, "max_url_length") ||
		!optional_within_limit(js, "advisory.identifiers[].url", &id->url,
							   pkgmeta_max_url_length, "max_url_length"))
		return false;
	if (rec->cve < 0 && is_cve(rec, id->type))
		rec->cve = rec->nidentifiers - 1;
	return true;
}

static bool
parse_identifiers(JsonScan *js, AdvisoryRecord *rec)
{
	bool		empty;
	bool		ok = true;

	if (!open_list(js, "advisory.identifiers", '[', true, &empty))
		return false;
	if (empty)
		return true;
	do
	{
		if (!parse_identifier(js, rec))
			return false;
		if (rec->nidentifiers > pkgmeta_max_advisory_identifiers)
			return json_fail(js, "\"advisory.identifiers\" has more than %d entries "
							 "(pkgmeta.max_advisory_identifiers)",
							 pkgmeta_max_advisory_identifiers);
	} while (next_element(js, ']', &ok));
	return ok;
}

static bool
digits(const char *s, int n, int *value)
{
	*value = 0;
	for (int i = 0; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return false;
		*value = *value * 10 + (s[i] - '0');
	}
	return true;
}

static bool
parse_published_date(JsonScan *js, AdvisoryRecord *rec, Span s)
{
	static const int days_in_month[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *d = advisory_text(rec, s);
	int			y,
				m,
				day;
	bool		leap;

	if (s.len != 10 || d[4] != '-' || d[7] != '-' ||
		!digits(d, 4, &y) || !digits(d + 5, 2, &m) || !digits(d + 8, 2, &day))
		return json_fail(js, "\"advisory.published_date\" is not a date (YYYY-MM-DD)");
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || day < 1 || day > days_in_month[m - 1] ||
		(m == 2 && day == 29 && !leap))
		return json_fail(js, "\"advisory.published_date\" is not a valid date");
	rec->published_year = y;
	rec->published_month = m;
	rec->published_day = day;
	return true;
}

static bool
known_source(const AdvisoryRecord *rec)
{
	/* "trivy" is not GitLab's; earlier exports and pkgmeta 0.1.0 accept it */
	static const char *const sources[] = {"glad", "trivy-db", "trivy"};
	const char *s = advisory_text(rec, rec->source);

	for (int i = 0; i < (int) lengthof(sources); i++)
		if (rec->source.len == strlen(sources[i]) && memcmp(s, sources[i], rec->source.len) == 0)
			return true;
	return false;
}

/* The advisory's own fields, checked once the object is read. */
static bool
check_advisory(JsonScan *js, AdvisoryRecord *rec, bool has_id, bool has_source,
			   bool has_published, Span published)
{
	if (!has_id)
		return json_fail(js, "\"advisory.id\" must be a string");
	if (!has_source)
		return json_fail(js, "\"advisory.source\" must be a string");
	if (!has_published)
		return json_fail(js, "\"advisory.published_date\" must be a string");
	if (rec->id.len == 0)
		return json_fail(js, "\"advisory.id\" is empty");
	if (!known_source(rec))
		return json_fail(js, "unknown advisory source \"%.*s\"",
						 clipped_len(advisory_text(rec, rec->source), rec->source.len, 40),
						 advisory_text(rec, rec->source));
	if (!within_limit(js, "advisory.id", rec->id, pkgmeta_max_advisory_id_length,
					  "max_advisory_id_length") ||
		!optional_within_limit(js, "advisory.title", &rec->title,
							   pkgmeta_max_advisory_title_length, "max_advisory_title_length") ||
		!optional_within_limit(js, "advisory.description", &rec->description,
							   pkgmeta_max_advisory_description_length,
							   "max_advisory_description_length") ||
		!optional_within_limit(js, "advisory.cvss_v2", &rec->cvss_v2,
							   pkgmeta_max_cvss_length, "max_cvss_length") ||
		!optional_within_limit(js, "advisory.cvss_v3", &rec->cvss_v3,
							   pkgmeta_max_cvss_length, "max_cvss_length"))
		return false;
	if (rec->nurls > pkgmeta_max_advisory_urls)
		return json_fail(js, "\"advisory.urls\" has more than %d entries (pkgmeta.max_advisory_urls)",
						 pkgmeta_max_advisory_urls);
	for (int i = 0; i < rec->nurls; i++)
		if (!within_limit(js, "advisory.urls[]", rec->urls[i], pkgmeta_max_url_length,
						  "max_url_length"))
			return false;
	return parse_published_date(js, rec, published);
}

/* The keys of the advisory object, GitLab's (doc/format.md section 5). */
typedef enum AdvisoryKey
{
	ADVISORY_KEY_ID,
	ADVISORY_KEY_SOURCE,
	ADVISORY_KEY_PUBLISHED_DATE,
	ADVISORY_KEY_TITLE,
	ADVISORY_KEY_DESCRIPTION,
	ADVISORY_KEY_CVSS_V2,
	ADVISORY_KEY_CVSS_V3,
	ADVISORY_KEY_URLS,
	ADVISORY_KEY_IDENTIFIERS
} AdvisoryKey;

static const char *const advisory_keys[] = {
	"id", "source", "published_date", "title", "description", "cvss_v2", "cvss_v3", "urls",
	"identifiers", NULL
};

static bool
parse_advisory(JsonScan *js, AdvisoryRecord *rec)
{
	bool		empty;
	bool		ok = true;
	int			seen = 0;
	Span		published = {0, 0};

	if (!open_list(js, "advisory", '{', false, &empty))
		return false;
	if (!empty)
		do
		{
			if (!json_parse_key(js))
				return false;
			switch (object_key(js, advisory_keys, &seen, "\"advisory\""))
			{
				case ADVISORY_KEY_ID:
					ok = parse_text(js, "advisory.id", &rec->id);
					break;
				case ADVISORY_KEY_SOURCE:
					ok = parse_text(js, "advisory.source", &rec->source);
					break;
				case ADVISORY_KEY_PUBLISHED_DATE:
					ok = parse_text(js, "advisory.published_date", &published);
					break;
				case ADVISORY_KEY_TITLE:
					ok = parse_optional_text(js, "advisory.title", &rec->title);
					break;
				case ADVISORY_KEY_DESCRIPTION:
					ok = parse_optional_text(js, "advisory.description", &rec->description);
					break;
				case ADVISORY_KEY_CVSS_V2:
					ok = parse_optional_text(js, "advisory.cvss_v2", &rec->cvss_v2);
					break;
				case ADVISORY_KEY_CVSS_V3:
					ok = parse_optional_text(js, "advisory.cvss_v3", &rec->cvss_v3);
					break;
				case ADVISORY_KEY_URLS:
					ok = parse_text_array(js, "advisory.urls", &rec->urls, &rec->nurls,
										  &rec->maxurls);
					break;
				case ADVISORY_KEY_IDENTIFIERS:
					ok = parse_identifiers(js, rec);
					break;
				default:
					return false;	/* unknown or duplicate key */
			}
			if (!ok)
				return false;
		} while (next_element(js, '}', &ok));
	return ok && check_advisory(js, rec, seen & (1 << ADVISORY_KEY_ID), seen & (1 << ADVISORY_KEY_SOURCE),
								seen & (1 << ADVISORY_KEY_PUBLISHED_DATE), published);
}

/* A package's fields, checked once its object is read (its name known). */
static bool
check_package(JsonScan *js, AdvisoryRecord *rec, AffectedPackage *pkg, bool has_name,
			  bool has_range, const OptionalText *purl_type)
{
	const char *name = advisory_text(rec, pkg->name);
	int			shown = clipped_len(name, pkg->name.len, QUOTED_NAME_BYTES);

	if (!has_name || pkg->name.len == 0)
		return json_fail(js, "a package lacks \"name\"");
	if (!has_range)
		return json_fail(js, "package \"%.*s\" lacks \"affected_range\"", shown, name);
	if (purl_type->present)
	{
		const PurlType *t = purl_type_by_name(advisory_text(rec, purl_type->text),
											  purl_type->text.len);

		if (t == NULL)
			return json_fail(js, "package \"%.*s\" has an unknown purl_type", shown, name);
		pkg->purl_type = t->id;
	}
	if (!within_limit(js, "packages[].name", pkg->name, pkgmeta_max_name_length,
					  "max_name_length") ||
		!within_limit(js, "packages[].affected_range", pkg->affected_range,
					  pkgmeta_max_affected_range_length, "max_affected_range_length") ||
		!optional_within_limit(js, "packages[].solution", &pkg->solution,
							   pkgmeta_max_solution_length, "max_solution_length") ||
		!optional_within_limit(js, "packages[].distro", &pkg->distro,
							   pkgmeta_max_distro_length, "max_distro_length"))
		return false;
	if (pkg->nfixed > pkgmeta_max_fixed_versions)
		return json_fail(js, "package \"%.*s\" has more than %d fixed_versions (pkgmeta.max_fixed_versions)",
						 shown, name, pkgmeta_max_fixed_versions);
	for (int i = 0; i < pkg->nfixed; i++)
		if (!within_limit(js, "packages[].fixed_versions[]",
						  rec->fixed_versions[pkg->first_fixed + i],
						  pkgmeta_max_version_length, "max_version_length"))
			return false;
	return true;
}

/* The keys of a package object, GitLab's (doc/format.md section 5) and distro_version. */
typedef enum PackageKey
{
	PACKAGE_KEY_NAME,
	PACKAGE_KEY_AFFECTED_RANGE,
	PACKAGE_KEY_PURL_TYPE,
	PACKAGE_KEY_SOLUTION,
	PACKAGE_KEY_DISTRO,
	PACKAGE_KEY_DISTRO_VERSION,
	PACKAGE_KEY_FIXED_VERSIONS,
	PACKAGE_KEY_VERSIONS,
	PACKAGE_KEY_OVERRIDDEN_ADVISORY_FIELDS
} PackageKey;

static const char *const package_keys[] = {
	"name", "affected_range", "purl_type", "solution", "distro", "distro_version",
	"fixed_versions", "versions", "overridden_advisory_fields", NULL
};

static bool
parse_package(JsonScan *js, AdvisoryRecord *rec, PurlTypeId file_purl_type)
{
	AffectedPackage *pkg;
	OptionalText purl_type = {false};
	OptionalText distro_version = {false};
	bool		empty;
	bool		ok = true;
	int			seen = 0;
	bool		has_name = false,
				has_range = false;

	rec->packages = make_room(rec->packages, rec->npackages, &rec->maxpackages,
							  sizeof(AffectedPackage));
	pkg = &rec->packages[rec->npackages++];
	memset(pkg, 0, sizeof(AffectedPackage));
	pkg->purl_type = file_purl_type;
	pkg->first_fixed = rec->nfixed_versions;
	if (!json_next_is(js, '{'))
		return wrong_type(js, "packages", "an array of objects");
	if (!open_list(js, "packages[]", '{', false, &empty))
		return false;
	if (!empty)
		do
		{
			if (!json_parse_key(js))
				return false;
			switch (object_key(js, package_keys, &seen, "a package"))
			{
					/* a name or range of another type reads as lacking */
				case PACKAGE_KEY_NAME:
					ok = (has_name = json_next_is(js, '"')) ?
						json_parse_string(js, &pkg->name) : json_skip_value(js, 1);
					break;
				case PACKAGE_KEY_AFFECTED_RANGE:
					ok = (has_range = json_next_is(js, '"')) ?
						json_parse_string(js, &pkg->affected_range) : json_skip_value(js, 1);
					break;
				case PACKAGE_KEY_PURL_TYPE:
					ok = parse_optional_text(js, "packages[].purl_type", &purl_type);
					break;
				case PACKAGE_KEY_SOLUTION:
					ok = parse_optional_text(js, "packages[].solution", &pkg->solution);
					break;
				case PACKAGE_KEY_DISTRO:
					ok = parse_optional_text(js, "packages[].distro", &pkg->distro);
					break;
				case PACKAGE_KEY_DISTRO_VERSION:
					ok = parse_optional_text(js, "packages[].distro_version", &distro_version);
					break;
				case PACKAGE_KEY_FIXED_VERSIONS:
					ok = parse_text_array(js, "packages[].fixed_versions", &rec->fixed_versions,
										  &rec->nfixed_versions, &rec->maxfixed_versions);
					break;
				case PACKAGE_KEY_VERSIONS:
				case PACKAGE_KEY_OVERRIDDEN_ADVISORY_FIELDS:
					ok = json_skip_value(js, 1);	/* GitLab's, not used here */
					break;
				default:
					return false;	/* unknown or duplicate key */
			}
			if (!ok)
				return false;
		} while (next_element(js, '}', &ok));
	if (!ok)
		return false;
	/* older exports name the distribution "distro_version" */
	if (!pkg->distro.present)
		pkg->distro = distro_version;
	pkg->nfixed = rec->nfixed_versions - pkg->first_fixed;
	return check_package(js, rec, pkg, has_name, has_range, &purl_type);
}

static bool
parse_packages(JsonScan *js, AdvisoryRecord *rec, PurlTypeId file_purl_type)
{
	bool		empty;
	bool		ok = true;

	if (!open_list(js, "packages", '[', false, &empty))
		return false;
	if (empty)
		return true;
	do
	{
		if (!parse_package(js, rec, file_purl_type))
			return false;
	} while (next_element(js, ']', &ok));
	return ok;
}

/* additional_fields.advisory.cvss_v4; everything else there is ignored. */
static bool
parse_additional_fields(JsonScan *js, AdvisoryRecord *rec)
{
	bool		empty;
	bool		ok = true;

	if (!json_next_is(js, '{'))
		return json_skip_value(js, 1);
	if (!open_list(js, "additional_fields", '{', false, &empty))
		return false;
	if (empty)
		return true;
	do
	{
		if (!json_parse_key(js))
			return false;
		if (json_key_is(js, "advisory") && json_next_is(js, '{'))
		{
			bool		inner_empty;
			bool		inner_ok = true;

			if (!open_list(js, "additional_fields.advisory", '{', false, &inner_empty))
				return false;
			if (!inner_empty)
				do
				{
					if (!json_parse_key(js))
						return false;
					inner_ok = json_key_is(js, "cvss_v4") ?
						parse_optional_text(js, "additional_fields.advisory.cvss_v4",
											&rec->cvss_v4) :
						json_skip_value(js, 2);
					if (!inner_ok)
						return false;
				} while (next_element(js, '}', &inner_ok));
			ok = inner_ok;
		}
		else
			ok = json_skip_value(js, 1);
		if (!ok)
			return false;
	} while (next_element(js, '}', &ok));
	return ok && optional_within_limit(js, "additional_fields.advisory.cvss_v4", &rec->cvss_v4,
									   pkgmeta_max_cvss_length, "max_cvss_length");
}

void
advisory_record_init(AdvisoryRecord *rec)
{
	memset(rec, 0, sizeof(AdvisoryRecord));
	initStringInfo(&rec->arena);
	rec->maxurls = 8;
	rec->urls = palloc(sizeof(Span) * rec->maxurls);
	rec->maxidentifiers = 8;
	rec->identifiers = palloc(sizeof(AdvisoryIdentifier) * rec->maxidentifiers);
	rec->maxpackages = 8;
	rec->packages = palloc(sizeof(AffectedPackage) * rec->maxpackages);
	rec->maxfixed_versions = 16;
	rec->fixed_versions = palloc(sizeof(Span) * rec->maxfixed_versions);
}

static void
reset_record(AdvisoryRecord *rec)
{
	resetStringInfo(&rec->arena);
	rec->title.present = rec->description.present = false;
	rec->cvss_v2.present = rec->cvss_v3.present = rec->cvss_v4.present = false;
	rec->nurls = rec->nidentifiers = rec->npackages = rec->nfixed_versions = 0;
	rec->cve = -1;
}

bool
advisory_decode_line(AdvisoryRecord *rec, const char *line, size_t len,
					 PurlTypeId file_purl_type)
{
	JsonScan	js;
	bool		has_advisory = false,
				has_packages = false,
				has_additional = false;
	bool		empty;
	bool		ok = true;

	reset_record(rec);
	json_scan_init(&js, line, len, &rec->arena, rec->error, sizeof(rec->error));
	if (!json_next_is(&js, '{'))
		return json_fail(&js, "not a JSON object");
	if (!open_list(&js, "", '{', false, &empty))
		return false;
	if (!empty)
		do
		{
			bool	   *seen = NULL;

			if (!json_parse_key(&js))
				return false;
			if (json_key_is(&js, "advisory"))
				seen = &has_advisory;
			else if (json_key_is(&js, "packages"))
				seen = &has_packages;
			else if (json_key_is(&js, "additional_fields"))
				seen = &has_additional;
			if (seen != NULL && *seen)
				return json_fail(&js, "duplicate key \"%s\"", js.key);
			if (seen != NULL)
				*seen = true;
			if (seen == &has_advisory)
				ok = parse_advisory(&js, rec);
			else if (seen == &has_packages)
				ok = parse_packages(&js, rec, file_purl_type);
			else if (seen == &has_additional)
				ok = parse_additional_fields(&js, rec);
			else
				ok = json_skip_value(&js, 1);
			if (!ok)
				return false;
		} while (next_element(&js, '}', &ok));
	if (!ok)
		return false;
	if (!json_at_end(&js))
		return false;
	if (!has_advisory)
		return json_fail(&js, "\"advisory\" must be an object");
	if (!has_packages)
		return json_fail(&js, "\"packages\" must be an array");
	return true;
}
