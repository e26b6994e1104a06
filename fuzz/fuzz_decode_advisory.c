/*
 * fuzz_decode_advisory.c
 *     libFuzzer target of src/decode_advisory.c, the v2 advisory decoder.
 *
 *     Input: one byte choosing the limits (bit 0: tiny limits, so that each
 *     limit's check is reached) and the file's purl type (the other bits),
 *     then the line.
 *
 *     Properties (abort on violation): a line is accepted or rejected with
 *     a reason, the same way twice in a row; an accepted record keeps every
 *     limit, its spans and indexes lie inside the decoder's arrays, its date
 *     is a calendar date and its purl types exist; for UTF-8 input, decoded
 *     strings and the reason are UTF-8 without NUL bytes and an accepted
 *     line is JSON by the server's own parser.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "decode_advisory.h"
#include "shim.h"

static void
set_limits(bool tiny)
{
	pkgmeta_max_name_length = tiny ? 8 : DEFAULT_MAX_NAME_LENGTH;
	pkgmeta_max_version_length = tiny ? 6 : DEFAULT_MAX_VERSION_LENGTH;
	pkgmeta_max_advisory_id_length = tiny ? 4 : DEFAULT_MAX_ADVISORY_ID_LENGTH;
	pkgmeta_max_advisory_title_length = tiny ? 5 : DEFAULT_MAX_ADVISORY_TITLE_LENGTH;
	pkgmeta_max_advisory_description_length = tiny ? 6 : DEFAULT_MAX_ADVISORY_DESCRIPTION_LENGTH;
	pkgmeta_max_advisory_urls = tiny ? 2 : DEFAULT_MAX_ADVISORY_URLS;
	pkgmeta_max_url_length = tiny ? 7 : DEFAULT_MAX_URL_LENGTH;
	pkgmeta_max_advisory_identifiers = tiny ? 2 : DEFAULT_MAX_ADVISORY_IDENTIFIERS;
	pkgmeta_max_identifier_type_length = tiny ? 3 : DEFAULT_MAX_IDENTIFIER_TYPE_LENGTH;
	pkgmeta_max_identifier_name_length = tiny ? 5 : DEFAULT_MAX_IDENTIFIER_NAME_LENGTH;
	pkgmeta_max_cvss_length = tiny ? 6 : DEFAULT_MAX_CVSS_LENGTH;
	pkgmeta_max_distro_length = tiny ? 4 : DEFAULT_MAX_DISTRO_LENGTH;
	pkgmeta_max_solution_length = tiny ? 5 : DEFAULT_MAX_SOLUTION_LENGTH;
	pkgmeta_max_affected_range_length = tiny ? 5 : DEFAULT_MAX_AFFECTED_RANGE_LENGTH;
	pkgmeta_max_fixed_versions = tiny ? 2 : DEFAULT_MAX_FIXED_VERSIONS;
}

static void
check_span(const AdvisoryRecord *rec, Span s, int max_len, bool utf8_input, const char *what)
{
	if (s.len > (uint32) max_len)
		shim_fail("%s of %u bytes (limit %d)", what, s.len, max_len);
	if ((uint64) s.off + s.len > (uint64) rec->arena.len)
		shim_fail("%s outside the arena", what);
	if (utf8_input &&
		pg_encoding_verifymbstr(PG_UTF8, advisory_text(rec, s), s.len) != (int) s.len)
		shim_fail("%s is not UTF-8 (or holds NUL) although the line is", what);
}

static void
check_optional(const AdvisoryRecord *rec, const OptionalText *t, int max_len, bool utf8_input,
			   const char *what)
{
	if (t->present)
		check_span(rec, t->text, max_len, utf8_input, what);
}

static void
check_record(const AdvisoryRecord *rec, bool utf8_input)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (rec->id.len < 1)
		shim_fail("empty advisory id");
	check_span(rec, rec->id, pkgmeta_max_advisory_id_length, utf8_input, "id");
	check_span(rec, rec->source, 8, utf8_input, "source");
	check_optional(rec, &rec->title, pkgmeta_max_advisory_title_length, utf8_input, "title");
	check_optional(rec, &rec->description, pkgmeta_max_advisory_description_length, utf8_input,
				   "description");
	check_optional(rec, &rec->cvss_v2, pkgmeta_max_cvss_length, utf8_input, "cvss_v2");
	check_optional(rec, &rec->cvss_v3, pkgmeta_max_cvss_length, utf8_input, "cvss_v3");
	check_optional(rec, &rec->cvss_v4, pkgmeta_max_cvss_length, utf8_input, "cvss_v4");
	if (rec->published_year < 1 || rec->published_year > 9999 ||
		rec->published_month < 1 || rec->published_month > 12 ||
		rec->published_day < 1 || rec->published_day > days[rec->published_month - 1])
		shim_fail("published date %d-%d-%d", rec->published_year, rec->published_month,
				  rec->published_day);
	if (rec->nurls > pkgmeta_max_advisory_urls)
		shim_fail("%d urls", rec->nurls);
	for (int i = 0; i < rec->nurls; i++)
		check_span(rec, rec->urls[i], pkgmeta_max_url_length, utf8_input, "url");
	if (rec->nidentifiers > pkgmeta_max_advisory_identifiers)
		shim_fail("%d identifiers", rec->nidentifiers);
	for (int i = 0; i < rec->nidentifiers; i++)
	{
		const AdvisoryIdentifier *id = &rec->identifiers[i];

		check_span(rec, id->type, pkgmeta_max_identifier_type_length, utf8_input, "identifier type");
		check_span(rec, id->name, pkgmeta_max_identifier_name_length, utf8_input, "identifier name");
		check_optional(rec, &id->value, pkgmeta_max_url_length, utf8_input, "identifier value");
		check_optional(rec, &id->url, pkgmeta_max_url_length, utf8_input, "identifier url");
	}
	if (rec->cve >= rec->nidentifiers ||
		(rec->cve >= 0 && pg_strncasecmp(advisory_text(rec, rec->identifiers[rec->cve].type),
										 "cve", 3) != 0))
		shim_fail("cve index %d of %d identifiers", rec->cve, rec->nidentifiers);
	for (int i = 0; i < rec->npackages; i++)
	{
		const AffectedPackage *p = &rec->packages[i];

		if (p->name.len < 1)
			shim_fail("package without a name");
		check_span(rec, p->name, pkgmeta_max_name_length, utf8_input, "package name");
		check_span(rec, p->affected_range, pkgmeta_max_affected_range_length, utf8_input,
				   "affected_range");
		check_optional(rec, &p->solution, pkgmeta_max_solution_length, utf8_input, "solution");
		check_optional(rec, &p->distro, pkgmeta_max_distro_length, utf8_input, "distro");
		if (purl_type_by_id(p->purl_type) == NULL)
			shim_fail("package purl type %d", (int) p->purl_type);
		if (p->nfixed < 0 || p->nfixed > pkgmeta_max_fixed_versions || p->first_fixed < 0 ||
			p->first_fixed + p->nfixed > rec->nfixed_versions)
			shim_fail("fixed versions [%d, %d) of %d", p->first_fixed,
					  p->first_fixed + p->nfixed, rec->nfixed_versions);
		for (int j = 0; j < p->nfixed; j++)
			check_span(rec, rec->fixed_versions[p->first_fixed + j], pkgmeta_max_version_length,
					   utf8_input, "fixed version");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AdvisoryRecord rec;
	const char *line;
	size_t		len;
	bool		ok;
	bool		utf8_input;
	PurlTypeId	file_type;
	char		first_error[sizeof(rec.error)];
	int			first_npackages;

	if (size < 1)
		return 0;
	set_limits(data[0] & 1);
	file_type = PURL_TYPE_MIN + (data[0] >> 1) % (PURL_TYPE_MAX - PURL_TYPE_MIN + 1);
	line = (const char *) data + 1;
	len = size - 1;
	utf8_input = pg_encoding_verifymbstr(PG_UTF8, line, len) == (int) len;

	advisory_record_init(&rec);
	ok = advisory_decode_line(&rec, line, len, file_type);
	strlcpy(first_error, rec.error, sizeof(first_error));
	first_npackages = rec.npackages;
	shim_check_json_verdict(ok, rec.error, line, len, utf8_input);
	if (ok)
		check_record(&rec, utf8_input);

	/* the arena and arrays are reused: a second pass must agree */
	if (advisory_decode_line(&rec, line, len, file_type) != ok ||
		strcmp(rec.error, first_error) != 0 || rec.npackages != first_npackages)
		shim_fail("second decoding of the same line differs");
	shim_free_all();
	return 0;
}
