/*
 * decode_cve_enrichment.c
 *     The CVE enrichment decoder: a record has exactly the keys cve_id,
 *     epss_score and optionally is_known_exploit, as GitLab's ingestion
 *     accepts them; any other key or a wrong type rejects the line.
 */
#include "postgres.h"

#include "decode_cve_enrichment.h"

#define SEEN_CVE 1
#define SEEN_SCORE 2
#define SEEN_EXPLOIT 4

void
cve_enrichment_record_init(CveEnrichmentRecord *rec)
{
	memset(rec, 0, sizeof(CveEnrichmentRecord));
	initStringInfo(&rec->arena);
}

static bool
is_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* ^CVE-\d{4}-\d{4,15}$ over the whole string, ASCII digits only */
static bool
is_cve_id(const char *s, size_t len)
{
	return len >= 13 && len <= CVE_ID_MAX_LENGTH &&
		memcmp(s, "CVE-", 4) == 0 && is_digits(s + 4, 4) && s[8] == '-' &&
		is_digits(s + 9, len - 9);
}

static bool
parse_field(JsonScan *js, CveEnrichmentRecord *rec, int bit)
{
	switch (bit)
	{
		case SEEN_CVE:
			json_skip_ws(js);
			if (js->p >= js->end || *js->p != '"')
				return json_fail(js, "\"cve_id\" must be a string");
			if (!json_parse_string(js, &rec->cve))
				return false;
			if (!is_cve_id(cve_enrichment_text(rec, rec->cve), rec->cve.len))
				return json_fail(js, "\"cve_id\" is not of the form CVE-yyyy-nnnn");
			return true;
		case SEEN_SCORE:
			json_skip_ws(js);
			if (js->p >= js->end || (*js->p != '-' && (*js->p < '0' || *js->p > '9')))
				return json_fail(js, "\"epss_score\" must be a number");
			return json_parse_number(js, &rec->epss_score);
		default:
			if (!json_parse_bool(js, &rec->known_exploited))
				return json_fail(js, "\"is_known_exploit\" must be true or false");
			return true;
	}
}

bool
cve_enrichment_decode_line(CveEnrichmentRecord *rec, const char *line, size_t len)
{
	JsonScan	js;
	int			seen = 0;

	resetStringInfo(&rec->arena);
	json_scan_init(&js, line, len, &rec->arena, rec->error, sizeof(rec->error));
	rec->known_exploited = false;

	if (!json_expect(&js, '{', "a JSON object"))
		return false;
	if (!json_consume(&js, '}'))
		for (;;)
		{
			int			bit;

			if (!json_parse_key(&js))
				return false;
			if (json_key_is(&js, "cve_id"))
				bit = SEEN_CVE;
			else if (json_key_is(&js, "epss_score"))
				bit = SEEN_SCORE;
			else if (json_key_is(&js, "is_known_exploit"))
				bit = SEEN_EXPLOIT;
			else
				return json_fail(&js, "unknown key \"%s\"", js.key);
			if (seen & bit)
				return json_fail(&js, "duplicate key \"%s\"", js.key);
			seen |= bit;
			if (!parse_field(&js, rec, bit))
				return false;
			if (json_list_continues(&js, '}'))
				continue;
			if (!json_list_closed(&js))
				return false;
			break;
		}
	if (!json_at_end(&js))
		return false;
	if (!(seen & SEEN_CVE))
		return json_fail(&js, "missing \"cve_id\"");
	if (!(seen & SEEN_SCORE))
		return json_fail(&js, "missing \"epss_score\"");
	return true;
}
