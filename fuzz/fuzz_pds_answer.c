/*
 * fuzz_pds_answer.c
 *     libFuzzer target of src/pds_answer.c: the distribution service's
 *     /all, /delta and /supported answers and the headers made from the
 *     instance token.
 *
 *     Input: one byte choosing the reader (0 /all, 1 /delta for "npm",
 *     2 /supported, 3 the token), then the answer body or the token.
 *
 *     Properties (abort on violation): an answer is read into the
 *     documented shape or fails with ERRCODE_PROTOCOL_VIOLATION and a
 *     message, the same way twice; every archive has an id whose value is
 *     its number (decimal for a delta, hex for a shard) and an http(s) URL
 *     without white space or control characters; /all has an "until";
 *     /supported lists at most PDS_MAX_REGISTRIES non-empty ids of at most
 *     PDS_MAX_REGISTRY_LEN characters without commas.  A token gives its
 *     three headers or none, the same way twice; the first header is the
 *     token after "Authorization: Bearer ", and no header holds a line
 *     break, a NUL or another control character.
 */
#include "postgres.h"

#include "utils/elog.h"

#include "pds_answer.h"
#include "shim.h"

typedef struct Reading
{
	bool		failed;
	char		message[256];
	PdsArchives archives;
	char	  **registries;
	int			count;
} Reading;

static void
read_answer(int reader, const char *body, size_t len, Reading *out)
{
	memset(out, 0, sizeof(*out));
	PG_TRY();
	{
		if (reader == 0)
			pds_parse_all(body, len, "/all for npm", &out->archives);
		else if (reader == 1)
			pds_parse_delta(body, len, "/delta for npm", "npm", &out->archives);
		else
			out->registries = pds_parse_supported(body, len, "/supported", &out->count);
	}
	PG_CATCH();
	{
		FlushErrorState();
		out->failed = true;
		strlcpy(out->message, shim_error_message(), sizeof(out->message));
		if (shim_error_code() != ERRCODE_PROTOCOL_VIOLATION || out->message[0] == '\0')
			shim_fail("an answer fails with code %d, message [%s]", shim_error_code(),
					  out->message);
	}
	PG_END_TRY();
}

static void
check_archive(const PdsArchive *a, bool delta)
{
	int64		number = 0;

	if (a->id == NULL || a->id[0] == '\0' || a->url == NULL)
		shim_fail("an archive without its id or URL");
	for (const char *p = a->id; *p; p++)
	{
		int			digit = (*p >= '0' && *p <= '9') ? *p - '0' :
			(!delta && *p >= 'a' && *p <= 'f') ? *p - 'a' + 10 :
			(!delta && *p >= 'A' && *p <= 'F') ? *p - 'A' + 10 : -1;

		if (digit < 0)
			shim_fail("archive id [%s] is not a number", a->id);
		number = number * (delta ? 10 : 16) + digit;
	}
	if (number != a->number || (!delta && number > PG_INT32_MAX))
		shim_fail("archive id [%s] read as %lld", a->id, (long long) a->number);
	if (strncmp(a->url, "http://", 7) != 0 && strncmp(a->url, "https://", 8) != 0)
		shim_fail("archive URL [%s]", a->url);
	for (const unsigned char *p = (const unsigned char *) a->url; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			shim_fail("archive URL with byte 0x%02x", *p);
}

static void
check_answer(int reader, const Reading *r)
{
	if (r->failed)
		return;
	if (reader == 2)
	{
		if (r->count < 0 || r->count > PDS_MAX_REGISTRIES)
			shim_fail("%d registries", r->count);
		for (int i = 0; i < r->count; i++)
		{
			size_t		len = strlen(r->registries[i]);

			if (len == 0 || len > PDS_MAX_REGISTRY_LEN || strchr(r->registries[i], ','))
				shim_fail("registry id [%s]", r->registries[i]);
		}
		return;
	}
	if (reader == 0 && r->archives.until < 0)
		shim_fail("/all read without \"until\"");
	if (r->archives.count < 0)
		shim_fail("%d archives", r->archives.count);
	for (int i = 0; i < r->archives.count; i++)
		check_archive(&r->archives.items[i], reader == 1);
}

static bool
same_reading(int reader, const Reading *a, const Reading *b)
{
	if (a->failed != b->failed)
		return false;
	if (a->failed)
		return strcmp(a->message, b->message) == 0;
	if (reader == 2)
	{
		if (a->count != b->count)
			return false;
		for (int i = 0; i < a->count; i++)
			if (strcmp(a->registries[i], b->registries[i]) != 0)
				return false;
		return true;
	}
	if (a->archives.count != b->archives.count || a->archives.until != b->archives.until ||
		a->archives.not_supported != b->archives.not_supported)
		return false;
	for (int i = 0; i < a->archives.count; i++)
		if (strcmp(a->archives.items[i].id, b->archives.items[i].id) != 0 ||
			strcmp(a->archives.items[i].url, b->archives.items[i].url) != 0)
			return false;
	return true;
}

static void
check_token(const char *token)
{
	char	   *first[4] = {0};
	char	   *second[4] = {0};
	bool		ok = pds_token_headers(token, first);
	const char *bearer = "Authorization: Bearer ";

	if (pds_token_headers(token, second) != ok)
		shim_fail("a token read two ways");
	if (!ok)
		return;
	if (first[3] != NULL || strncmp(first[0], bearer, strlen(bearer)) != 0 ||
		strcmp(first[0] + strlen(bearer), token) != 0 ||
		strncmp(first[1], "X-Gitlab-Instance-Id: ", 22) != 0 ||
		strncmp(first[2], "X-Gitlab-Realm: ", 16) != 0)
		shim_fail("the token's headers are not the documented ones");
	for (int i = 0; i < 3; i++)
	{
		if (strcmp(first[i], second[i]) != 0)
			shim_fail("header %d differs the second time", i);
		for (const unsigned char *p = (const unsigned char *) first[i]; *p; p++)
			if (*p < ' ' || *p == 0x7f)
				shim_fail("header %d holds byte 0x%02x", i, *p);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int			reader;
	const char *body;
	size_t		len;

	if (size < 1)
		return 0;
	reader = data[0] % 4;
	body = (const char *) data + 1;
	len = size - 1;
	if (reader == 3)
	{
		char	   *token = pnstrdup(body, len);

		check_token(token);
	}
	else
	{
		/* a copy of exactly len bytes: reading past it is caught by ASan */
		char	   *copy = palloc(len + 1);
		Reading		first;
		Reading		second;

		memcpy(copy, body, len);
		read_answer(reader, copy, len, &first);
		check_answer(reader, &first);
		read_answer(reader, copy, len, &second);
		if (!same_reading(reader, &first, &second))
			shim_fail("the same answer read two ways");
	}
	shim_free_all();
	return 0;
}
