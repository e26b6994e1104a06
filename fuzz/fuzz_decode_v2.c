/*
 * fuzz_decode_v2.c
 *     libFuzzer target of src/decode_v2.c, the v2 license record decoder.
 *
 *     Input: one byte choosing the limits (bit 0: tiny limits, so that each
 *     limit's check is reached), then the line.
 *
 *     Properties (abort on violation): a line is accepted or rejected with
 *     a reason, the same way twice in a row; an accepted record keeps every
 *     limit and its spans and indexes lie inside the decoder's arrays; for
 *     UTF-8 input (all the stream passes on), decoded strings are UTF-8
 *     without NUL bytes and an accepted line is JSON by the server's own
 *     parser.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "decode_v2.h"
#include "shim.h"

static void
set_limits(bool tiny)
{
	pkgmeta_max_name_length = tiny ? 8 : DEFAULT_MAX_NAME_LENGTH;
	pkgmeta_max_version_length = tiny ? 6 : DEFAULT_MAX_VERSION_LENGTH;
	pkgmeta_max_license_length = tiny ? 5 : DEFAULT_MAX_LICENSE_LENGTH;
	pkgmeta_max_licenses_per_set = tiny ? 3 : DEFAULT_MAX_LICENSES_PER_SET;
	pkgmeta_max_versions_per_tuple = tiny ? 4 : DEFAULT_MAX_VERSIONS_PER_TUPLE;
	pkgmeta_max_other_licenses = tiny ? 2 : DEFAULT_MAX_OTHER_LICENSES;
}

static void
check_span(const V2Record *rec, Span s, uint32 max_len, bool utf8_input, const char *what)
{
	if (s.len < 1 || s.len > max_len)
		shim_fail("%s of %u bytes (limit %u)", what, s.len, max_len);
	if ((uint64) s.off + s.len > (uint64) rec->arena.len)
		shim_fail("%s outside the arena", what);
	if (utf8_input &&
		pg_encoding_verifymbstr(PG_UTF8, span_ptr(rec, s), s.len) != (int) s.len)
		shim_fail("%s is not UTF-8 (or holds NUL) although the line is", what);
}

static void
check_range(int first, int count, int total, int max_count, const char *what)
{
	if (count < 1 || count > max_count || first < 0 || first + count > total)
		shim_fail("%s: entries [%d, %d) of %d, at most %d", what, first, first + count,
				  total, max_count);
}

static void
check_record(const V2Record *rec, bool utf8_input)
{
	check_span(rec, rec->name, pkgmeta_max_name_length, utf8_input, "name");
	if (rec->has_lowest)
		check_span(rec, rec->lowest, pkgmeta_max_version_length, utf8_input, "lowest_version");
	if (rec->has_highest)
		check_span(rec, rec->highest, pkgmeta_max_version_length, utf8_input, "highest_version");
	check_range(rec->first_default, rec->ndefault, rec->nlicenses,
				pkgmeta_max_licenses_per_set, "default_licenses");
	for (int i = 0; i < rec->nlicenses; i++)
		check_span(rec, rec->licenses[i], pkgmeta_max_license_length, utf8_input, "license");
	for (int i = 0; i < rec->nversions; i++)
		check_span(rec, rec->versions[i], pkgmeta_max_version_length, utf8_input, "version");
	if (rec->nexceptions > pkgmeta_max_other_licenses)
		shim_fail("%d other_licenses entries (limit %d)", rec->nexceptions, pkgmeta_max_other_licenses);
	for (int i = 0; i < rec->nexceptions; i++)
	{
		const V2Exception *e = &rec->exceptions[i];

		check_range(e->first_license, e->nlicenses, rec->nlicenses,
					pkgmeta_max_licenses_per_set, "other_licenses licenses");
		check_range(e->first_version, e->nversions, rec->nversions,
					pkgmeta_max_versions_per_tuple, "other_licenses versions");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	V2Record	rec;
	const char *line;
	size_t		len;
	bool		ok;
	bool		utf8_input;
	char		first_error[sizeof(rec.error)];
	int			first_nlicenses;

	if (size < 1)
		return 0;
	set_limits(data[0] & 1);
	line = (const char *) data + 1;
	len = size - 1;
	utf8_input = pg_encoding_verifymbstr(PG_UTF8, line, len) == (int) len;

	v2_record_init(&rec);
	ok = v2_decode_line(&rec, line, len);
	strlcpy(first_error, rec.error, sizeof(first_error));
	first_nlicenses = rec.nlicenses;
	shim_check_json_verdict(ok, rec.error, line, len, utf8_input);
	if (ok)
		check_record(&rec, utf8_input);

	/* the arena and arrays are reused: a second pass must agree */
	if (v2_decode_line(&rec, line, len) != ok || strcmp(rec.error, first_error) != 0 ||
		rec.nlicenses != first_nlicenses)
		shim_fail("second decoding of the same line differs");
	shim_free_all();
	return 0;
}
