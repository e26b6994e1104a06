/*
 * gcs_listing.c
 *     Listing a GCS bucket's export objects: the list request, page by page,
 *     and the JSON listing parser (doc/format.md section 3).
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"
#include "utils/memutils.h"

#include "gcs_listing.h"
#include "http.h"
#include "pg_compat.h"
#include "source.h"

/* A listing page of 1000 items is about 1 MB; anything far larger is wrong. */
#define LIST_PAGE_MAX (64 * 1024 * 1024)

typedef struct ListParse
{
	int			depth;			/* object nesting, 1 inside the top object */
	bool		in_items;
	char	   *field;			/* last field name at depth 1 or 2 */
	char	   *next_page_token;
	/* the item being read */
	char	   *name;
	char	   *size;
	char	   *crc32c;
	char	   *md5;
	char	   *content_encoding;
	/* where complete items go */
	const char *prefix;
	const char *ext;
	MemoryContext result_cxt;
	List	   *objects;
} ListParse;

static void
list_item_done(ListParse *p)
{
	const char *rel;
	SourceObject *obj;
	MemoryContext old;

	if (p->name == NULL)
		return;
	if (strncmp(p->name, p->prefix, strlen(p->prefix)) != 0)
	{
		elog(LOG, "pkgmeta: ignoring \"%s\": listed for prefix \"%s\"", p->name, p->prefix);
		return;
	}
	rel = p->name + strlen(p->prefix);
	old = MemoryContextSwitchTo(p->result_cxt);
	obj = palloc0(sizeof(SourceObject));
	if (!source_parse_object_name(rel, p->ext, &obj->sequence, &obj->chunk))
	{
		elog(LOG, "pkgmeta: ignoring \"%s\": not <sequence>/<chunk>.%s[.gz]", p->name, p->ext);
		pfree(obj);
		MemoryContextSwitchTo(old);
		return;
	}
	obj->name = pstrdup(p->name);
	obj->size = -1;
	if (p->size)
	{
		char	   *end;
		long long	v = strtoll(p->size, &end, 10);

		if (*end == '\0' && v >= 0)
			obj->size = v;
	}
	obj->crc32c = p->crc32c ? pstrdup(p->crc32c) : NULL;
	obj->md5 = p->md5 ? pstrdup(p->md5) : NULL;
	obj->content_encoding = p->content_encoding ? pstrdup(p->content_encoding) : NULL;
	p->objects = lappend(p->objects, obj);
	MemoryContextSwitchTo(old);
}

static json_action_result
lp_object_start(void *state)
{
	ListParse  *p = state;

	p->depth++;
	if (p->in_items && p->depth == 2)
		p->name = p->size = p->crc32c = p->md5 = p->content_encoding = NULL;
	return JSON_ACTION_DONE;
}

static json_action_result
lp_object_end(void *state)
{
	ListParse  *p = state;

	if (p->in_items && p->depth == 2)
		list_item_done(p);
	p->depth--;
	return JSON_ACTION_DONE;
}

static json_action_result
lp_array_start(void *state)
{
	ListParse  *p = state;

	if (p->depth == 1 && p->field && strcmp(p->field, "items") == 0)
		p->in_items = true;
	return JSON_ACTION_DONE;
}

static json_action_result
lp_array_end(void *state)
{
	ListParse  *p = state;

	if (p->depth == 1)
		p->in_items = false;
	return JSON_ACTION_DONE;
}

static json_action_result
lp_field_start(void *state, char *fname, bool isnull)
{
	ListParse  *p = state;

	if (p->depth <= 2)
		p->field = fname;
	return JSON_ACTION_DONE;
}

static json_action_result
lp_scalar(void *state, char *token, JsonTokenType type)
{
	ListParse  *p = state;

	if (p->field == NULL || type == JSON_TOKEN_NULL)
		return JSON_ACTION_DONE;
	if (p->depth == 1 && strcmp(p->field, "nextPageToken") == 0)
		p->next_page_token = token;
	else if (p->depth == 2 && p->in_items)
	{
		if (strcmp(p->field, "name") == 0)
			p->name = token;
		else if (strcmp(p->field, "size") == 0)
			p->size = token;
		else if (strcmp(p->field, "crc32c") == 0)
			p->crc32c = token;
		else if (strcmp(p->field, "md5Hash") == 0)
			p->md5 = token;
		else if (strcmp(p->field, "contentEncoding") == 0)
			p->content_encoding = token;
	}
	return JSON_ACTION_DONE;
}

/* Fetches one listing page into page, retrying what is transient. */
static void
fetch_page(HttpClient *client, const char *url, const char *prefix, const char *location,
		   StringInfo page)
{
	HttpRequest request = {.url = url,.what = "listing of",.name = prefix};

	if (!http_get(client, &request, LIST_PAGE_MAX, page, NULL))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("listing of \"%s\" in %s returned a page over %d MB",
						prefix, location, LIST_PAGE_MAX / (1024 * 1024)),
				 errhint("Is pkgmeta.gcs_endpoint a server of the GCS JSON API?")));
}

List *
gcs_list_objects(HttpClient *client, const char *objects_url, const char *location,
				 const char *prefix, const char *ext, const char *start_at)
{
	MemoryContext page_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta gcs listing",
												   ALLOCSET_DEFAULT_SIZES);
	ListParse	p = {0};
	JsonSemAction sem = {0};
	char	   *token = NULL;
	StringInfoData url;
	StringInfoData page;

	p.prefix = prefix;
	p.ext = ext;
	p.result_cxt = CurrentMemoryContext;
	sem.semstate = &p;
	sem.object_start = lp_object_start;
	sem.object_end = lp_object_end;
	sem.array_start = lp_array_start;
	sem.array_end = lp_array_end;
	sem.object_field_start = lp_field_start;
	sem.scalar = lp_scalar;

	initStringInfo(&url);
	initStringInfo(&page);
	do
	{
		MemoryContext old;
		JsonLexContext *lex;
		JsonParseErrorType rc;

		resetStringInfo(&url);
		appendStringInfo(&url, "%s?prefix=", objects_url);
		http_append_encoded(&url, prefix);
		/*
		 * Names sort as strings, (sequence, chunk) as numbers: start at the
		 * checkpoint's sequence folder, which holds every later chunk.
		 */
		if (start_at && strncmp(start_at, prefix, strlen(prefix)) == 0 &&
			strrchr(start_at, '/') > start_at + strlen(prefix))
		{
			char	   *folder = pnstrdup(start_at, strrchr(start_at, '/') - start_at + 1);

			appendStringInfoString(&url, "&startOffset=");
			http_append_encoded(&url, folder);
			pfree(folder);
		}
		appendStringInfoString(&url, "&fields=items(name,size,crc32c,md5Hash,contentEncoding),"
							   "nextPageToken");
		if (token)
		{
			appendStringInfoString(&url, "&pageToken=");
			http_append_encoded(&url, token);
		}

		fetch_page(client, url.data, prefix, location, &page);

		MemoryContextReset(page_cxt);
		old = MemoryContextSwitchTo(page_cxt);
		p.depth = 0;
		p.in_items = false;
		p.field = NULL;
		p.next_page_token = NULL;
		lex = compat_json_lexer(page.data, page.len, PG_UTF8, true);
		rc = pg_parse_json(lex, &sem);
		MemoryContextSwitchTo(old);
		if (rc != JSON_SUCCESS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("listing of \"%s\" in %s is not valid JSON: %s",
							prefix, location, json_errdetail(rc, lex)),
					 errhint("Is pkgmeta.gcs_endpoint a server of the GCS JSON API?")));
		if (p.next_page_token && token && strcmp(p.next_page_token, token) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("listing of \"%s\" in %s repeats its page token", prefix,
							location),
					 errhint("Is pkgmeta.gcs_endpoint a server of the GCS JSON API?")));
		token = p.next_page_token ? pstrdup(p.next_page_token) : NULL;
		/* an oversized listing is refused by the caller: stop paging */
	} while (token != NULL && !source_listing_full(p.objects));

	MemoryContextDelete(page_cxt);
	pfree(url.data);
	pfree(page.data);
	source_sort_objects(p.objects);
	return p.objects;
}

