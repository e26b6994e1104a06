/*
 * source_pds.c
 *     The distribution service's client: which registries it supports
 *     (/supported, reused for 12 hours), the archives of a feed (/all,
 *     /delta and its pages), the requests' headers made from the instance
 *     token (pkgmeta.pds_token or the file pkgmeta.pds_token_file names,
 *     never logged nor put in a message), and the
 *     signed archive URLs read through the HTTP layer like GCS objects.
 *     The answers are read by pds_answer.c.
 */
#include "postgres.h"

#include <ctype.h>
#include <sys/stat.h>

#include "storage/fd.h"
#include "utils/builtins.h"

#include "http.h"
#include "pds_answer.h"
#include "pds_cache.h"
#include "pg_compat.h"
#include "purl_types.h"
#include "settings.h"
#include "source_pds.h"
#include "subxact.h"
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
	bool		supported_failed;	/* /supported failed in this run: ask for all */
} PdsSource;

struct SourceReader
{
	HttpTransfer *transfer;
};

/* Longest token file read: a JWT is a few kilobytes. */
#define PDS_MAX_TOKEN_FILE (64 * 1024)

/*
 * The token in pkgmeta.pds_token_file, trailing white space dropped.  Read
 * at each sync so that a renewed token (they last 3 days) needs no reload;
 * a file other users of the machine may read is refused, as PostgreSQL
 * refuses such a TLS key.  Messages name the file, never its content.
 */
static char *
token_from_file(const char *path)
{
	struct stat st;
	FILE	   *f = AllocateFile(path, "r");
	char	   *token;
	size_t		len;

	if (f == NULL || fstat(fileno(f), &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open pkgmeta.pds_token_file \"%s\": %m", path)));
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		FreeFile(f);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("pkgmeta.pds_token_file \"%s\" may be read by other users", path),
				 errhint("Make it readable by the server's user only (chmod 600).")));
	}
	token = palloc(PDS_MAX_TOKEN_FILE + 1);
	len = fread(token, 1, PDS_MAX_TOKEN_FILE + 1, f);
	if (ferror(f) || len > PDS_MAX_TOKEN_FILE)
	{
		bool		too_long = !ferror(f);

		FreeFile(f);
		ereport(ERROR,
				(too_long ? errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED) : errcode_for_file_access(),
				 too_long ? errmsg("pkgmeta.pds_token_file \"%s\" is larger than %d bytes",
								   path, PDS_MAX_TOKEN_FILE) :
				 errmsg("could not read pkgmeta.pds_token_file \"%s\": %m", path)));
	}
	FreeFile(f);
	while (len > 0 && isspace((unsigned char) token[len - 1]))
		len--;
	token[len] = '\0';
	return token;
}

static void
token_headers(PdsSource *ps)
{
	const char *token = pkgmeta_pds_token;

	if ((token == NULL || token[0] == '\0') &&
		pkgmeta_pds_token_file != NULL && pkgmeta_pds_token_file[0] != '\0')
		token = token_from_file(pkgmeta_pds_token_file);
	if (token == NULL || token[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("neither pkgmeta.pds_token nor pkgmeta.pds_token_file gives a token"),
				 errhint("The distribution service needs the instance token; or set the "
						 "source to file:///dir for an offline copy.")));
	if (!pds_token_headers(token, ps->headers))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the instance token is not a JWT with \"sub\" and \"gitlab_realm\" claims")));
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
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("the distribution service's answer to %s is larger than %d bytes",
						what, PDS_MAX_ANSWER)));
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
 * The body of the answer to one request, or NULL when there is none to
 * read: 204 (nothing new) or 400 (rejected, logged; the caller skips).
 */
static StringInfo
pds_answer(PdsSource *ps, const char *query, const char *what)
{
	StringInfo	body = makeStringInfo();
	long		status = pds_get(ps, query, what, body);

	if (status == 204)
		return NULL;
	if (status == 400)
	{
		elog(LOG, "pkgmeta: the distribution service rejects %s (HTTP 400); skipped", what);
		return NULL;
	}
	return body;
}

static List *
archive_units(const PdsArchives *archives, const char *registry, bool deltas)
{
	List	   *units = NIL;

	for (int i = 0; i < archives->count; i++)
	{
		const PdsArchive *a = &archives->items[i];

		units = lappend(units, deltas ?
						v3_unit_new(psprintf("pds:%s/deltas/%s", registry, a->id), a->url,
									a->number, 0, true) :
						v3_unit_new(psprintf("pds:%s/full_dataset/%s", registry, a->id), a->url,
									archives->until, (int32) a->number, false));
	}
	return units;
}

static List *
pds_all(PdsSource *ps, const char *registry)
{
	char	   *what = psprintf("/all for %s", registry);
	StringInfo	body = pds_answer(ps, psprintf("/all?purl_type=%s", registry), what);
	PdsArchives archives;

	if (body == NULL)
		return NIL;
	pds_parse_all(body->data, body->len, what, &archives);
	return archive_units(&archives, registry, false);
}

static void
log_unsupported(const char *registry)
{
	elog(LOG, "pkgmeta: the distribution service does not support registry %s; skipped",
		 registry);
}

static char *
supported_url(PdsSource *ps)
{
	return psprintf("%s%s/supported", pkgmeta_pds_endpoint, ps->path);
}

/* One page of deltas after sequence; *page_full when the service may have more. */
static List *
pds_delta_page(PdsSource *ps, const char *registry, int64 sequence, bool *page_full)
{
	char	   *what = psprintf("/delta for %s", registry);
	StringInfo	body;
	PdsArchives archives;

	*page_full = false;
	body = pds_answer(ps, psprintf("/delta?since=%s:" INT64_FORMAT, registry, sequence), what);
	if (body == NULL)
		return NIL;
	pds_parse_delta(body->data, body->len, what, registry, &archives);
	if (archives.not_supported)
	{
		log_unsupported(registry);
		return NIL;
	}
	*page_full = archives.count >= PDS_DELTA_PAGE;
	return archive_units(&archives, registry, true);
}

typedef struct SupportedCall
{
	PdsSource  *ps;
	List	   *registries;
} SupportedCall;

static void
ask_supported(void *arg)
{
	SupportedCall *call = arg;
	StringInfo	body = pds_answer(call->ps, "/supported", "/supported");
	char	  **names;
	int			count;

	if (body == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("the distribution service gave no answer to /supported")));
	names = pds_parse_supported(body->data, body->len, "/supported", &count);
	pds_cache_put(supported_url(call->ps), names, count);
	for (int i = 0; i < count; i++)
		call->registries = lappend(call->registries, names[i]);
}

/*
 * Whether the service lists the registry in its /supported answer, asked
 * at most every 12 hours (pds_cache.c).  When asking fails, every registry
 * is asked for, as GitLab does (the other requests then fail or not on
 * their own), and /supported is not asked again in this run.
 */
static bool
registry_supported(PdsSource *ps, const char *registry)
{
	SupportedCall call = {ps, NIL};
	ListCell   *lc;

	if (ps->supported_failed)
		return true;
	if (!pds_cache_get(supported_url(ps), &call.registries))
	{
		ErrorData  *edata = run_in_subtransaction(ask_supported, NULL, &call);

		if (edata != NULL)
		{
			ereport(WARNING,
					(errcode(edata->sqlerrcode),
					 errmsg("pkgmeta: %s; asking for every registry", edata->message)));
			ps->supported_failed = true;
			return true;
		}
	}
	foreach(lc, call.registries)
		if (strcmp(lfirst(lc), registry) == 0)
			return true;
	return false;
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

	if (!registry_supported(ps, registry))
	{
		log_unsupported(registry);
		return NIL;
	}
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
