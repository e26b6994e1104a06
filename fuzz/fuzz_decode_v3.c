/*
 * fuzz_decode_v3.c
 *     libFuzzer target of src/decode_v3.c, the v3 license decoder.
 *
 *     Properties (abort on violation): a line is accepted or rejected with
 *     a reason, the same way twice in a row; an accepted record has a name,
 *     a default set with a license or an expression, and every index and
 *     span inside the decoder's arrays and arena; for UTF-8 input an
 *     accepted line is JSON by the server's own parser; the identifiers
 *     read from an expression (spdx_expression.c) lie inside it, are at
 *     most V3_MAX_ID_LENGTH long and are neither operators nor separators.
 */
#include "postgres.h"

#include "mb/pg_wchar.h"

#include "decode_v3.h"
#include "record_limits.h"
#include "shim.h"
#include "spdx_expression.h"

/* the expression an identifier must lie in */
typedef struct ExpressionBounds
{
	const char *start;
	size_t		len;
} ExpressionBounds;

static void
check_id(void *arg, const char *id, size_t len)
{
	const ExpressionBounds *e = arg;

	if (len < 1 || len > V3_MAX_ID_LENGTH || id < e->start || id + len > e->start + e->len)
		shim_fail("an identifier outside its expression or too long");
	for (size_t i = 0; i < len; i++)
		if (id[i] == ' ' || id[i] == '(' || id[i] == ')' || id[i] == '\0')
			shim_fail("an identifier holds a separator");
	if ((len == 2 && strncasecmp(id, "OR", 2) == 0) || (len == 3 && strncasecmp(id, "AND", 3) == 0) ||
		(len == 4 && strncasecmp(id, "WITH", 4) == 0))
		shim_fail("an operator read as an identifier");
}

static void
check_set(const V3Record *rec, const V3LicenseSet *set)
{
	if (set->nlicenses < 0 || set->first_license < 0 ||
		set->first_license + set->nlicenses > rec->nstrings ||
		set->nexpressions < 0 || set->first_expression < 0 ||
		set->first_expression + set->nexpressions > rec->nstrings)
		shim_fail("a license set outside the strings");
	for (int i = 0; i < set->nlicenses; i++)
	{
		Span		s = rec->strings[set->first_license + i];

		if (s.len < 1 || s.len > 50 || (uint64) s.off + s.len > (uint64) rec->arena.len)
			shim_fail("license identifier span");
	}
	for (int i = 0; i < set->nexpressions; i++)
	{
		Span		s = rec->strings[set->first_expression + i];
		ExpressionBounds e = {v3_span_ptr(rec, s), s.len};

		spdx_expression_ids(e.start, e.len, V3_MAX_ID_LENGTH, check_id, &e);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	V3Record	rec;
	bool		ok;
	bool		utf8_input = pg_encoding_verifymbstr(PG_UTF8, (const char *) data, size) == (int) size;
	char		first_error[sizeof(rec.error)];

	v3_record_init(&rec);
	ok = v3_decode_line(&rec, (const char *) data, size);
	strlcpy(first_error, rec.error, sizeof(first_error));
	shim_check_json_verdict(ok, rec.error, (const char *) data, size, utf8_input);
	if (ok)
	{
		if (rec.name.len < 1 || (uint64) rec.name.off + rec.name.len > (uint64) rec.arena.len)
			shim_fail("name span");
		if (rec.default_set.nlicenses == 0 && rec.default_set.nexpressions == 0)
			shim_fail("accepted without a default license");
		check_set(&rec, &rec.default_set);
		if (rec.ntuples > pkgmeta_max_other_licenses)
			shim_fail("%d tuples", rec.ntuples);
		for (int i = 0; i < rec.ntuples; i++)
		{
			check_set(&rec, &rec.tuples[i].set);
			if (rec.tuples[i].nversions < 1 ||
				rec.tuples[i].first_version + rec.tuples[i].nversions > rec.nstrings)
				shim_fail("tuple versions");
		}
	}
	if (v3_decode_line(&rec, (const char *) data, size) != ok ||
		strcmp(rec.error, first_error) != 0)
		shim_fail("second decoding of the same line differs");
	shim_free_all();
	return 0;
}
