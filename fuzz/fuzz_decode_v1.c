/*
 * fuzz_decode_v1.c
 *     libFuzzer target of src/decode_v1.c, the v1 CSV row decoder.
 *
 *     Input: one byte choosing the limits (bit 0: tiny), then the line.
 *
 *     Properties (abort on violation): a line is accepted or rejected with
 *     a reason; an accepted row has three non-empty fields inside the
 *     limits; writing them back as quoted CSV decodes to the same fields;
 *     a line without quotes decodes to its comma-separated parts.
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "decode_v1.h"
#include "record_limits.h"
#include "shim.h"

static void
append_quoted(StringInfo out, const char *s, size_t len)
{
	appendStringInfoChar(out, '"');
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '"')
			appendStringInfoChar(out, '"');
		appendStringInfoChar(out, s[i]);
	}
	appendStringInfoChar(out, '"');
}

static bool
same_field(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	V1Row		row;
	V1Row		again;
	const char *line;
	size_t		len;
	bool		tiny;

	if (size < 1)
		return 0;
	tiny = data[0] & 1;
	pkgmeta_max_name_length = tiny ? 8 : DEFAULT_MAX_NAME_LENGTH;
	pkgmeta_max_version_length = tiny ? 6 : DEFAULT_MAX_VERSION_LENGTH;
	pkgmeta_max_license_length = tiny ? 5 : DEFAULT_MAX_LICENSE_LENGTH;
	line = (const char *) data + 1;
	len = size - 1;

	v1_row_init(&row);
	v1_row_init(&again);
	if (!v1_decode_line(&row, line, len))
	{
		if (row.error[0] == '\0')
			shim_fail("rejected without a reason");
		shim_free_all();
		return 0;
	}
	if (row.name_len < 1 || row.name_len > (size_t) pkgmeta_max_name_length ||
		row.version_len < 1 || row.version_len > (size_t) pkgmeta_max_version_length ||
		row.license_len < 1 || row.license_len > (size_t) pkgmeta_max_license_length)
		shim_fail("accepted fields of %zu, %zu, %zu bytes", row.name_len, row.version_len,
				  row.license_len);

	{
		StringInfoData csv;

		initStringInfo(&csv);
		append_quoted(&csv, row.name, row.name_len);
		appendStringInfoChar(&csv, ',');
		append_quoted(&csv, row.version, row.version_len);
		appendStringInfoChar(&csv, ',');
		append_quoted(&csv, row.license, row.license_len);
		if (!v1_decode_line(&again, csv.data, csv.len) ||
			!same_field(row.name, row.name_len, again.name, again.name_len) ||
			!same_field(row.version, row.version_len, again.version, again.version_len) ||
			!same_field(row.license, row.license_len, again.license, again.license_len))
			shim_fail("quoted CSV of the fields does not decode to them: %s", again.error);
	}

	if (memchr(line, '"', len) == NULL)
	{
		const char *c1 = memchr(line, ',', len);
		const char *c2 = c1 ? memchr(c1 + 1, ',', len - (c1 + 1 - line)) : NULL;

		if (c2 == NULL ||
			!same_field(row.name, row.name_len, line, c1 - line) ||
			!same_field(row.version, row.version_len, c1 + 1, c2 - c1 - 1) ||
			!same_field(row.license, row.license_len, c2 + 1, len - (c2 + 1 - line)))
			shim_fail("unquoted line does not decode to its comma-separated parts");
	}
	shim_free_all();
	return 0;
}
