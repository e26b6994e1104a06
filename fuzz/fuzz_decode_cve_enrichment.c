/*
 * fuzz_decode_cve_enrichment.c
 *     libFuzzer target of src/decode_cve_enrichment.c, the CVE enrichment
 *     decoder.
 *
 *     Input: the line.
 *
 *     Properties (abort on violation): a line is accepted or rejected with
 *     a reason, the same way twice in a row; an accepted record's CVE id
 *     lies inside the arena and reads CVE-yyyy-nnnn (4 to 15 digits), its
 *     score is finite; for UTF-8 input, the reason is UTF-8 and an accepted
 *     line is JSON by the server's own parser.
 */
#include "postgres.h"

#include <math.h>

#include "mb/pg_wchar.h"

#include "decode_cve_enrichment.h"
#include "shim.h"

/* The id pattern checked another way than the decoder does: with sscanf. */
static void
check_cve(const CveEnrichmentRecord *rec)
{
	char		id[CVE_ID_MAX_LENGTH + 1];
	int			year_end = 0,
				end = 0;
	unsigned	year;
	char		digits[CVE_ID_MAX_LENGTH + 1];

	if (rec->cve.len > CVE_ID_MAX_LENGTH || (uint64) rec->cve.off + rec->cve.len > rec->arena.len)
		shim_fail("cve id of %u bytes at %u (arena %d)", rec->cve.len, rec->cve.off, rec->arena.len);
	memcpy(id, cve_enrichment_text(rec, rec->cve), rec->cve.len);
	id[rec->cve.len] = '\0';
	if (sscanf(id, "CVE-%4u%n-%24[0-9]%n", &year, &year_end, digits, &end) != 2 ||
		year_end != 8 || end != (int) rec->cve.len || strlen(digits) < 4 || strlen(digits) > 15 ||
		strspn(id + 4, "0123456789") != 4)
		shim_fail("accepted cve id \"%s\"", id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CveEnrichmentRecord rec;
	const char *line = (const char *) data;
	bool		ok;
	bool		utf8_input = pg_encoding_verifymbstr(PG_UTF8, line, size) == (int) size;
	char		first_error[sizeof(rec.error)];
	double		first_score;

	cve_enrichment_record_init(&rec);
	ok = cve_enrichment_decode_line(&rec, line, size);
	strlcpy(first_error, rec.error, sizeof(first_error));
	first_score = rec.epss_score;
	shim_check_json_verdict(ok, rec.error, line, size, utf8_input);
	if (ok)
	{
		check_cve(&rec);
		if (!isfinite(rec.epss_score))
			shim_fail("accepted score %g", rec.epss_score);
	}

	/* the arena is reused: a second pass must agree */
	if (cve_enrichment_decode_line(&rec, line, size) != ok ||
		strcmp(rec.error, first_error) != 0 ||
		(ok && memcmp(&rec.epss_score, &first_score, sizeof(double)) != 0))
		shim_fail("second decoding of the same line differs");
	shim_free_all();
	return 0;
}
