/*
 * source_pds.c
 *     The distribution service's client: /all and /delta answers parsed
 *     with the shared JSON scanner, its headers made from the instance
 *     token (pkgmeta.pds_token, never logged nor put in a message), and the
 *     signed archive URLs read through the HTTP layer like GCS objects.
 */
#include "postgres.h"

#include "common/base64.h"
#include "utils/builtins.h"

#include "http.h"
#include "json_scan.h"
#include "pg_compat.h"
#include "purl_types.h"
#include "settings.h"
#include "source_pds.h"
#include "sync_v3.h"

/* Answers of the service are small JSON documents. */
#define PDS_MAX_ANSWER (4 * 1024 * 1024)
/* The service returns at most this many deltas per registry per answer. */
#define PDS_DELTA_PAGE 20

typedef struct PdsSource
{
	Source		base;
	HttpClient *client;
	const char *path;			/* "/v1/licenses" or "/v1/malware/advisories" */
	char	   *headers[4];		/* Authorization, instance id, realm, NULL */
} PdsSource;

struct SourceReader
{
	HttpTransfer *transfer;
};

/* The claim of a JWT payload (JSON) as a string, or NULL. */
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

			if (!json_parse_string(&js, &s))
				return NULL;
			return pnstrdup(arena.data + s.off, s.len);
		}
		if (!json_skip_value(&js, 1) || !json_list_continues(&js, '}'))
			return NULL;
	}
}

/* The JWT's payload, base64url-decoded, or NULL. */
static char *
jwt_payload(const char *token, int *len)
{
	const char *dot1 = strchr(token, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	StringInfoData b64;
	uint8	   *out;

	if (dot2 == NULL)
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

static void
token_headers(PdsSource *ps)
{
	int			len;
	char	   *payload;
	char	   *sub = NULL;
	char	   *realm = NULL;

	if (pkgmeta_pds_token == NULL || pkgmeta_pds_token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pkgmeta.pds_token is not set"),
				 errhint("The distribution service needs the instance token; or set the "
						 "source to file:///dir for an offline copy.")));
	payload = jwt_payload(pkgmeta_pds_token, &len);
	if (payload != NULL)
	{
		sub = jwt_claim(payload, len, "sub");
		realm = jwt_claim(payload, len, "gitlab_realm");
	}
	if (sub == NULL || realm == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pkgmeta.pds_token is not a JWT with \"sub\" and \"gitlab_realm\" claims")));
	ps->headers[0] = psprintf("Authorization: Bearer %s", pkgmeta_pds_token);
	ps->headers[1] = psprintf("X-Gitlab-Instance-Id: %s", sub);
	ps->headers[2] = psprintf("X-Gitlab-Realm: %s", realm);
	ps->headers[3] = NULL;
}

static List *
pds_list(Source *source, const char *prefix, const char *ext, const char *start_at)
{
	return NIL;					/* archives come from source_pds_pending */
}

static SourceReader *
pds_open(Source *source, const SourceObject *object)
{
	PdsSource  *ps = (PdsSource *) source;
	const V3Unit *unit = (const V3Unit *) object;
	SourceReader *r = palloc0(sizeof(SourceReader));
	HttpRequest *req = palloc0(sizeof(HttpRequest));

	/* signed URLs: no token */
	req->url = unit->url;
	req->what = "archive";
	req->name = object->name;
	r->transfer = http_open(ps->client, req);
	return r;
}

static size_t
pds_read(SourceReader *reader, char *buf, size_t cap)
{
	return http_read(reader->transfer, buf, cap);
}

static void
pds_finish(SourceReader *reader)
{
}

static void
pds_close(SourceReader *reader)
{
	if (reader->transfer != NULL)
		http_close(reader->transfer);
	reader->transfer = NULL;
}

static void
pds_destroy(Source *source)
{
	http_client_destroy(((PdsSource *) source)->client);
}

static const SourceMethods pds_methods = {
	pds_list, pds_open, pds_read, pds_finish, pds_close, pds_destroy
};

Source *
source_pds_create(const char *data_type)
{
	PdsSource  *ps = palloc0(sizeof(PdsSource));

	ps->base.methods = &pds_methods;
	ps->base.location = pstrdup(pkgmeta_pds_endpoint);
	ps->path = strcmp(data_type, "licenses") == 0 ? "/v1/licenses" : "/v1/malware/advisories";
	ps->client = http_client_create(psprintf("the distribution service at %s",
											 pkgmeta_pds_endpoint));
	return &ps->base;
}

static void
bad_answer(const char *what, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROTOCOL_VIOLATION),
			 errmsg("the distribution service's answer to %s is not understood: %s", what, why)));
}

/* Reads [{"<id_key>": "...", "signed_url"|"url": "..."}, ...] into units. */
static List *
parse_archives(JsonScan *js, StringInfo arena, const char *what, const char *id_key,
			   const char *registry, bool deltas, int64 until)
{
	List	   *units = NIL;

	if (!json_consume(js, '['))
		bad_answer(what, "no array of archives");
	if (json_consume(js, ']'))
		return NIL;
	do
	{
		char	   *id = NULL;
		char	   *url = NULL;
		int64		number;
		char	   *end;

		if (!json_consume(js, '{'))
			bad_answer(what, "an archive is not an object");
		if (!json_consume(js, '}'))
			do
			{
				Span		s;

				if (!json_parse_key(js))
					bad_answer(what, js->error);
				if ((json_key_is(js, id_key) || json_key_is(js, "signed_url") ||
					 json_key_is(js, "url")) && json_next_is(js, '"'))
				{
					bool		is_id = json_key_is(js, id_key);

					if (!json_parse_string(js, &s))
						bad_answer(what, js->error);
					if (is_id)
						id = pnstrdup(arena->data + s.off, s.len);
					else
						url = pnstrdup(arena->data + s.off, s.len);
				}
				else if (!json_skip_value(js, 3))
					bad_answer(what, js->error);
			} while (json_list_continues(js, '}'));
		if (id == NULL || url == NULL)
			bad_answer(what, "an archive lacks its id or URL");
		number = strtoll(id, &end, deltas ? 10 : 16);
		if (*id == '\0' || *end != '\0' || number < 0 || (!deltas && number > PG_INT32_MAX))
			bad_answer(what, deltas ? "a delta is not a number" : "a shard id is not hex");
		units = lappend(units, deltas ?
						v3_unit_new(psprintf("pds:%s/deltas/%s", registry, id), url, number, 0, true) :
						v3_unit_new(psprintf("pds:%s/full_dataset/%s", registry, id), url, until,
									(int32) number, false));
	} while (json_list_continues(js, ']'));
	return units;
}

static int	pds_final_statuses[] = {204, 400, 401, 503, 0};

/* GET path; the status, the body in *body. */
static long
pds_get(PdsSource *ps, const char *path_and_query, const char *what, StringInfo body)
{
	HttpRequest req = {0};
	HttpAnswer	answer;

	/* read when first needed: a missing token is then one feed's error */
	if (ps->headers[0] == NULL)
		token_headers(ps);
	req.url = psprintf("%s%s%s", pkgmeta_pds_endpoint, ps->path, path_and_query);
	req.headers = (const char *const *) ps->headers;
	req.final_statuses = pds_final_statuses;
	req.what = "request";
	req.name = what;
	if (!http_get(ps->client, &req, PDS_MAX_ANSWER, body, &answer))
		bad_answer(what, "the answer is too large");
	if (answer.status == 401)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("the distribution service rejected the instance token (HTTP 401) for %s",
						what),
				 errhint("Renew pkgmeta.pds_token.")));
	if (answer.status == 503)
		ereport(ERROR,
				(errcode(ERRCODE_CONNECTION_FAILURE),
				 errmsg("the distribution service cannot answer %s yet (HTTP 503)", what),
				 errdetail("%.200s", body->data),
				 errhint("A registry's first snapshot may not be published yet; the next sync asks again.")));
	return answer.status;
}

/*
 * The answer to one request as a scanner over its JSON object, or false
 * when there is none to read: 204 (nothing new) or 400 (the registry is
 * rejected, logged and skipped).
 */
static bool
pds_answer(PdsSource *ps, const char *query, const char *what, const char *registry,
		   JsonScan *js, StringInfo arena, char *error, size_t error_size)
{
	StringInfo	body = makeStringInfo();
	long		status = pds_get(ps, query, what, body);

	if (status == 204)
		return false;
	if (status == 400)
	{
		elog(LOG, "pkgmeta: the distribution service rejects registry %s (HTTP 400); skipped",
			 registry);
		return false;
	}
	initStringInfo(arena);
	json_scan_init(js, body->data, body->len, arena, error, error_size);
	if (!json_consume(js, '{'))
		bad_answer(what, "not an object");
	return true;
}

static List *
pds_all(PdsSource *ps, const char *registry)
{
	char	   *what = psprintf("/all for %s", registry);
	JsonScan	js;
	StringInfoData arena;
	char		error[160];
	int64		until = -1;
	List	   *units = NIL;
	ListCell   *lc;

	if (!pds_answer(ps, psprintf("/all?purl_type=%s", registry), what, registry,
					&js, &arena, error, sizeof(error)))
		return NIL;
	if (!json_consume(&js, '}'))
		do
		{
			if (!json_parse_key(&js))
				bad_answer(what, error);
			if (json_key_is(&js, "until"))
			{
				char	   *end;

				json_skip_ws(&js);
				until = strtoll(js.p, &end, 10);
				if (end == js.p || until < 0)
					bad_answer(what, "\"until\" is not a number");
				js.p = end;
			}
			else if (json_key_is(&js, "shards"))
				units = parse_archives(&js, &arena, what, "shard", registry, false, 0);
			else if (!json_skip_value(&js, 1))
				bad_answer(what, error);
		} while (json_list_continues(&js, '}'));
	if (until < 0)
		bad_answer(what, "no \"until\"");
	foreach(lc, units)
		((V3Unit *) lfirst(lc))->object.sequence = until;
	return units;
}

/* One page of deltas after sequence; *page_full when the service may have more. */
static List *
pds_delta_page(PdsSource *ps, const char *registry, int64 sequence, bool *page_full)
{
	char	   *what = psprintf("/delta for %s", registry);
	JsonScan	js;
	StringInfoData arena;
	char		error[160];
	List	   *units = NIL;

	*page_full = false;
	if (!pds_answer(ps, psprintf("/delta?since=%s:" INT64_FORMAT, registry, sequence), what,
					registry, &js, &arena, error, sizeof(error)))
		return NIL;
	if (!json_consume(&js, '}'))
		do
		{
			if (!json_parse_key(&js))
				bad_answer(what, error);
			if (json_key_is(&js, "purl_types"))
			{
				if (!json_consume(&js, '{'))
					bad_answer(what, "\"purl_types\" is not an object");
				if (!json_consume(&js, '}'))
					do
					{
						if (!json_parse_key(&js))
							bad_answer(what, error);
						if (json_key_is(&js, registry))
							units = parse_archives(&js, &arena, what, "delta", registry, true, 0);
						else if (!json_skip_value(&js, 2))
							bad_answer(what, error);
					} while (json_list_continues(&js, '}'));
			}
			else if (!json_skip_value(&js, 1))
				bad_answer(what, error);
		} while (json_list_continues(&js, '}'));
	*page_full = list_length(units) >= PDS_DELTA_PAGE;
	return units;
}

static int
by_sequence(const ListCell *a, const ListCell *b)
{
	int64		x = ((const V3Unit *) lfirst(a))->object.sequence;
	int64		y = ((const V3Unit *) lfirst(b))->object.sequence;

	return x < y ? -1 : x > y ? 1 : 0;
}

List *
source_pds_pending(Source *source, const FeedKey *key, bool first_sync, int64 sequence)
{
	PdsSource  *ps = (PdsSource *) source;
	const char *registry = purl_type_by_id(key->purl_type)->registry_id;
	List	   *units = NIL;
	bool		more = true;

	if (first_sync)
		return pds_all(ps, registry);
	/* every page: each answer holds the 20 deltas after the last one asked for */
	while (more)
	{
		List	   *page = pds_delta_page(ps, registry, sequence, &more);

		if (page == NIL)
			break;
		list_sort(page, by_sequence);
		sequence = ((V3Unit *) llast(page))->object.sequence;
		units = list_concat(units, page);
		if (source_listing_full(units))
			break;
	}
	return units;
}
