/*
 * pds_answer.c
 *     The distribution service's answers read: /supported, /all and /delta
 *     JSON with the shared JSON scanner, and the request headers made from
 *     the instance token's claims.  Whatever the service sends, the result
 *     is either the documented shape or an ERROR saying what is wrong; the
 *     token is never part of a message.
 */
#include "postgres.h"

#include "common/base64.h"
#include "lib/stringinfo.h"

#include "json_scan.h"
#include "pds_answer.h"
#include "pg_compat.h"

/* Unix seconds as a JSON number stay exact in a double up to here. */
#define PDS_MAX_EXACT_INT 9007199254740992.0
/* A delta's time in digits, a shard id in hex digits, at most. */
#define PDS_MAX_DELTA_DIGITS 18
#define PDS_MAX_SHARD_DIGITS 7

typedef struct AnswerScan
{
	JsonScan	js;
	StringInfoData arena;
	char		error[160];
	const char *what;
} AnswerScan;

pg_noreturn static void
bad_answer(const char *what, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("the distribution service's answer to %s is not understood: %s", what, why)));
	pg_unreachable();
}

static void
answer_begin(AnswerScan *a, const char *body, size_t len, const char *what)
{
	initStringInfo(&a->arena);
	json_scan_init(&a->js, body, len, &a->arena, a->error, sizeof(a->error));
	a->what = what;
	if (!json_consume(&a->js, '{'))
		bad_answer(what, "not an object");
}

/*
 * Moves to the next key of the object being read (its "{" consumed; *first
 * true until its first key): false at the object's end.
 */
static bool
answer_next_key(AnswerScan *a, bool *first)
{
	if (*first)
	{
		*first = false;
		if (json_consume(&a->js, '}'))
			return false;
	}
	else if (!json_list_continues(&a->js, '}'))
	{
		if (!json_list_closed(&a->js))
			bad_answer(a->what, "an object is not closed");
		return false;
	}
	if (!json_parse_key(&a->js))
		bad_answer(a->what, a->error);
	return true;
}

/* Moves to the next element of the array being read, as answer_next_key. */
static bool
answer_next_element(AnswerScan *a, bool *first)
{
	if (*first)
	{
		*first = false;
		return !json_consume(&a->js, ']');
	}
	if (json_list_continues(&a->js, ']'))
		return true;
	if (!json_list_closed(&a->js))
		bad_answer(a->what, "an array is not closed");
	return false;
}

static void
answer_skip(AnswerScan *a)
{
	if (!json_skip_value(&a->js, 3))
		bad_answer(a->what, a->error);
}

static void
answer_end(AnswerScan *a)
{
	if (!json_at_end(&a->js))
		bad_answer(a->what, "text follows the object");
}

/* The string value next, without NUL bytes. */
static char *
answer_string(AnswerScan *a, const char *key)
{
	Span		s;

	if (!json_next_is(&a->js, '"'))
		bad_answer(a->what, psprintf("\"%s\" is not a string", key));
	if (!json_parse_string(&a->js, &s))
		bad_answer(a->what, a->error);
	if (memchr(a->arena.data + s.off, '\0', s.len) != NULL)
		bad_answer(a->what, psprintf("\"%s\" holds a NUL character", key));
	return pnstrdup(a->arena.data + s.off, s.len);
}

static void
answer_expect(AnswerScan *a, char c, const char *why)
{
	if (!json_consume(&a->js, c))
		bad_answer(a->what, why);
}

/* The id's value: decimal digits for a delta, hex for a shard; -1 if not. */
static int64
archive_number(const char *id, bool delta)
{
	size_t		len = strlen(id);
	int64		number = 0;

	if (len == 0 || len > (delta ? PDS_MAX_DELTA_DIGITS : PDS_MAX_SHARD_DIGITS))
		return -1;
	for (const char *p = id; *p; p++)
	{
		int			digit;

		if (*p >= '0' && *p <= '9')
			digit = *p - '0';
		else if (!delta && *p >= 'a' && *p <= 'f')
			digit = *p - 'a' + 10;
		else if (!delta && *p >= 'A' && *p <= 'F')
			digit = *p - 'A' + 10;
		else
			return -1;
		number = number * (delta ? 10 : 16) + digit;
	}
	return number;
}

/* A signed URL: http or https, no white space nor control characters. */
static bool
usable_url(const char *url)
{
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return false;
	for (const unsigned char *p = (const unsigned char *) url; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* [{"<id_key>": "...", "signed_url"|"url": "..."}, ...] appended to out. */
static void
parse_archives(AnswerScan *a, const char *id_key, bool delta, PdsArchives *out)
{
	bool		first_archive = true;
	int			capacity = 0;

	answer_expect(a, '[', "no array of archives");
	while (answer_next_element(a, &first_archive))
	{
		PdsArchive	archive = {0};
		bool		first_key = true;

		answer_expect(a, '{', "an archive is not an object");
		while (answer_next_key(a, &first_key))
		{
			if (json_key_is(&a->js, id_key))
				archive.id = answer_string(a, id_key);
			else if (json_key_is(&a->js, "signed_url") || json_key_is(&a->js, "url"))
				archive.url = answer_string(a, "signed_url");
			else
				answer_skip(a);
		}
		if (archive.id == NULL || archive.url == NULL)
			bad_answer(a->what, "an archive lacks its id or URL");
		archive.number = archive_number(archive.id, delta);
		if (archive.number < 0)
			bad_answer(a->what, delta ? "a delta is not a number" : "a shard id is not hex");
		if (!usable_url(archive.url))
			bad_answer(a->what, "an archive's URL is not an http or https URL");
		if (out->count == capacity)
		{
			capacity = capacity == 0 ? 8 : capacity * 2;
			out->items = out->items == NULL ? palloc(capacity * sizeof(PdsArchive)) :
				repalloc(out->items, capacity * sizeof(PdsArchive));
		}
		out->items[out->count++] = archive;
	}
}

void
pds_parse_all(const char *body, size_t len, const char *what, PdsArchives *out)
{
	AnswerScan	a;
	bool		first = true;
	bool		has_shards = false;

	memset(out, 0, sizeof(*out));
	out->until = -1;
	answer_begin(&a, body, len, what);
	while (answer_next_key(&a, &first))
	{
		if (json_key_is(&a.js, "until"))
		{
			double		until;

			if (!json_parse_number(&a.js, &until) || until < 0 ||
				until > PDS_MAX_EXACT_INT || until != (double) (int64) until)
				bad_answer(what, "\"until\" is not a whole number of seconds");
			out->until = (int64) until;
		}
		else if (json_key_is(&a.js, "shards") && !has_shards)
		{
			has_shards = true;
			parse_archives(&a, "shard", false, out);
		}
		else
			answer_skip(&a);
	}
	answer_end(&a);
	if (out->until < 0)
		bad_answer(what, "no \"until\"");
}

/* ["npm", ...]: whether registry is listed. */
static bool
list_names(AnswerScan *a, const char *key, const char *registry)
{
	bool		first = true;
	bool		listed = false;

	answer_expect(a, '[', psprintf("\"%s\" is not an array", key));
	while (answer_next_element(a, &first))
		if (strcmp(answer_string(a, key), registry) == 0)
			listed = true;
	return listed;
}

void
pds_parse_delta(const char *body, size_t len, const char *what, const char *registry,
				PdsArchives *out)
{
	AnswerScan	a;
	bool		first = true;
	bool		has_registry = false;

	memset(out, 0, sizeof(*out));
	out->until = -1;
	answer_begin(&a, body, len, what);
	while (answer_next_key(&a, &first))
	{
		if (json_key_is(&a.js, "purl_types"))
		{
			bool		first_type = true;

			answer_expect(&a, '{', "\"purl_types\" is not an object");
			while (answer_next_key(&a, &first_type))
			{
				if (json_key_is(&a.js, registry) && !has_registry)
				{
					has_registry = true;
					parse_archives(&a, "delta", true, out);
				}
				else
					answer_skip(&a);
			}
		}
		else if (json_key_is(&a.js, "not_supported"))
			out->not_supported = list_names(&a, "not_supported", registry) || out->not_supported;
		else
			answer_skip(&a);
	}
	answer_end(&a);
}

char **
pds_parse_supported(const char *body, size_t len, const char *what, int *count)
{
	AnswerScan	a;
	bool		first = true;
	char	  **registries = NULL;

	*count = -1;
	answer_begin(&a, body, len, what);
	while (answer_next_key(&a, &first))
	{
		if (json_key_is(&a.js, "registries") && *count < 0)
		{
			bool		first_name = true;

			*count = 0;
			registries = palloc(PDS_MAX_REGISTRIES * sizeof(char *));
			answer_expect(&a, '[', "\"registries\" is not an array");
			while (answer_next_element(&a, &first_name))
			{
				char	   *name = answer_string(&a, "registries");

				if (*count == PDS_MAX_REGISTRIES)
					bad_answer(what, psprintf("more than %d registries", PDS_MAX_REGISTRIES));
				if (name[0] == '\0' || strlen(name) > PDS_MAX_REGISTRY_LEN ||
					strchr(name, ',') != NULL)
					bad_answer(what, "a registry id is empty, too long or holds a comma");
				registries[(*count)++] = name;
			}
		}
		else
			answer_skip(&a);
	}
	answer_end(&a);
	if (*count < 0)
		bad_answer(what, "no \"registries\"");
	return registries;
}

/* The claim of a JWT payload (JSON) as a string without control characters, or NULL. */
static char *
jwt_claim(const char *payload, size_t len, const char *claim)
{
	StringInfoData arena;
	char		error[160];
	JsonScan	js;

	initStringInfo(&arena);
	json_scan_init(&js, payload, len, &arena, error, sizeof(error));
	if (!json_consume(&js, '{') || json_consume(&js, '}'))
		return NULL;
	for (;;)
	{
		if (!json_parse_key(&js))
			return NULL;
		if (json_key_is(&js, claim) && json_next_is(&js, '"'))
		{
			Span		s;

			if (!json_parse_string(&js, &s) || s.len == 0)
				return NULL;
			for (uint32 i = 0; i < s.len; i++)
			{
				unsigned char c = (unsigned char) arena.data[s.off + i];

				if (c < ' ' || c == 0x7f)
					return NULL;
			}
			return pnstrdup(arena.data + s.off, s.len);
		}
		if (!json_skip_value(&js, 1) || !json_list_continues(&js, '}'))
			return NULL;
	}
}

/* The base64url alphabet, which a JWT's three parts use. */
static bool
base64url_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_';
}

/* The JWT's payload, base64url-decoded, or NULL. */
static char *
jwt_payload(const char *token, int *len)
{
	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	StringInfoData b64;
	uint8	   *out;
	int			dots = 0;

	for (const char *p = token; *p; p++)
		if (*p == '.')
			dots++;
		else if (!base64url_char(*p))
			return NULL;
	if (dots != 2 || dot1 == token || dot2 == dot1 + 1)
		return NULL;
	initStringInfo(&b64);
	for (const char *p = dot1 + 1; p < dot2; p++)
		appendStringInfoChar(&b64, *p == '-' ? '+' : *p == '_' ? '/' : *p);
	while (b64.len % 4 != 0)
		appendStringInfoChar(&b64, '=');
	out = palloc(pg_b64_dec_len(b64.len) + 1);
	*len = compat_b64_decode(b64.data, b64.len, out, pg_b64_dec_len(b64.len));
	if (*len < 0)
		return NULL;
	out[*len] = '\0';
	return (char *) out;
}

bool
pds_token_headers(const char *token, char *headers[4])
{
	int			len;
	char	   *payload = jwt_payload(token, &len);
	char	   *sub;
	char	   *realm;

	if (payload == NULL)
		return false;
	sub = jwt_claim(payload, len, "sub");
	realm = jwt_claim(payload, len, "gitlab_realm");
	if (sub == NULL || realm == NULL)
		return false;
	headers[0] = psprintf("Authorization: Bearer %s", token);
	headers[1] = psprintf("X-Gitlab-Instance-Id: %s", sub);
	headers[2] = psprintf("X-Gitlab-Realm: %s", realm);
	headers[3] = NULL;
	return true;
}
