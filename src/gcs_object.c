/*
 * gcs_object.c
 *     Downloading one export object from a GCS bucket as a pull stream,
 *     verified against its listing: length, then crc32c (or md5).
 *
 * Objects are requested with "Accept-Encoding: gzip" while the HTTP layer
 * leaves content decoding off, so the bytes received are the bytes stored
 * whatever the object's Content-Encoding: the listing's crc32c (or md5)
 * verifies them, and the line stream inflates gzip, recognized by its
 * magic bytes, exactly once.  A download that breaks after bytes were
 * handed on resumes at that offset from the same object generation.
 */
#include "postgres.h"

#include "common/base64.h"
#include "common/cryptohash.h"
#include "port/pg_crc32c.h"

#include "gcs_object.h"
#include "pg_compat.h"

/* The response headers a download reads, by their index in capture. */
enum
{
	HEADER_HASH,				/* x-goog-hash: crc32c=<b64>,md5=<b64> */
	HEADER_GENERATION,
	HEADER_CONTENT_ENCODING
};
static const char *const captured_headers[] = {
	"x-goog-hash", "x-goog-generation", "content-encoding", NULL
};
static const char *const request_headers[] = {"Accept-Encoding: gzip", NULL};

struct SourceReader
{
	char	   *name;
	int64		size;			/* from the listing, -1 when unknown */
	char	   *crc32c;
	char	   *md5;
	bool		stored_gzip;
	char	   *url;			/* .../o/<name>?alt=media */
	HttpTransfer *transfer;
	int64		delivered;		/* bytes handed to the caller */
	pg_crc32c	crc;
	pg_cryptohash_ctx *md5ctx;
};

/*
 * Is the response the object as stored?  Runs inside a libcurl callback
 * (HttpResponseCheck).
 */
static const char *
check_encoding(const HttpTransfer *transfer, void *arg)
{
	const SourceReader *r = arg;
	const char *encoding = http_header(transfer, HEADER_CONTENT_ENCODING);
	bool		served_gzip = pg_strcasecmp(encoding, "gzip") == 0;

	if (encoding[0] != '\0' && !served_gzip && pg_strcasecmp(encoding, "identity") != 0)
		return "the response has an unsupported Content-Encoding";
	if (served_gzip && !r->stored_gzip)
		return "the response is gzip-compressed although the object is stored uncompressed, "
			"so its checksum cannot be verified";
	if (!served_gzip && r->stored_gzip)
		return "the object is stored gzip-compressed but was served inflated, "
			"so its checksum cannot be verified";
	return NULL;
}

SourceReader *
gcs_object_open(HttpClient *client, const char *objects_url, const SourceObject *object)
{
	SourceReader *r = palloc0(sizeof(SourceReader));
	StringInfoData url;
	HttpRequest request = {0};

	r->name = pstrdup(object->name);
	r->size = object->size;
	r->crc32c = object->crc32c ? pstrdup(object->crc32c) : NULL;
	r->md5 = object->md5 ? pstrdup(object->md5) : NULL;
	r->stored_gzip = object->content_encoding &&
		pg_strcasecmp(object->content_encoding, "gzip") == 0;
	initStringInfo(&url);
	appendStringInfo(&url, "%s/", objects_url);
	http_append_encoded(&url, object->name);
	appendStringInfoString(&url, "?alt=media");
	r->url = url.data;
	INIT_CRC32C(r->crc);

	request.url = r->url;
	request.headers = request_headers;
	request.capture = captured_headers;
	request.check_response = check_encoding;
	request.check_arg = r;
	request.what = "download of";
	request.name = r->name;
	r->transfer = http_open(client, &request);
	return r;
}

/* The hash named key ("crc32c=") of an x-goog-hash value, or NULL. */
static char *
goog_hash_part(const char *header, const char *key)
{
	size_t		keylen = strlen(key);

	for (const char *v = header; *v;)
	{
		size_t		len = strcspn(v, ",");
		const char *next = v[len] ? v + len + 1 : v + len;

		while (len > 0 && *v == ' ')
			v++, len--;
		while (len > 0 && v[len - 1] == ' ')
			len--;
		if (len > keylen && strncmp(v, key, keylen) == 0)
			return pnstrdup(v + keylen, len - keylen);
		v = next;
	}
	return NULL;
}

/*
 * At the first bytes: pins the generation for a resumed request, and takes
 * the hashes of the x-goog-hash header when the listing had none.  MD5 is
 * computed only when there is no crc32c to check.
 */
static void
first_bytes(SourceReader *r)
{
	const char *generation = http_header(r->transfer, HEADER_GENERATION);
	const char *hash = http_header(r->transfer, HEADER_HASH);

	if (generation[0] != '\0')
	{
		/* the rest must come from the very object the start came from */
		char	   *url = psprintf("%s&generation=%s", r->url, generation);

		http_set_resume_url(r->transfer, url);
		pfree(url);
	}
	if (r->crc32c == NULL)
		r->crc32c = goog_hash_part(hash, "crc32c=");
	if (r->md5 == NULL)
		r->md5 = goog_hash_part(hash, "md5=");
	if (r->crc32c == NULL && r->md5 != NULL)
	{
		r->md5ctx = pg_cryptohash_create(PG_MD5);
		if (r->md5ctx == NULL || pg_cryptohash_init(r->md5ctx) < 0)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
}

size_t
gcs_object_read(SourceReader *r, char *buf, size_t cap)
{
	size_t		n = http_read(r->transfer, buf, cap);

	if (n == 0)
		return 0;
	if (r->size >= 0 && r->delivered + (int64) n > r->size)
	{
		http_close(r->transfer);
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("download of \"%s\" is longer than the " INT64_FORMAT
						" bytes its listing gives", r->name, r->size)));
	}
	if (r->delivered == 0)
		first_bytes(r);
	COMP_CRC32C(r->crc, buf, n);
	if (r->md5ctx && pg_cryptohash_update(r->md5ctx, (uint8 *) buf, n) < 0)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("could not compute the MD5 of \"%s\"", r->name)));
	r->delivered += n;
	return n;
}

/* Decodes a base64 hash of the listing; false when it is not of that size. */
static bool
decode_hash(const char *b64, uint8 *out, int len)
{
	uint8		tmp[64];
	int			n;

	if (pg_b64_dec_len(strlen(b64)) > (int) sizeof(tmp))
		return false;
	n = compat_b64_decode(b64, strlen(b64), tmp, sizeof(tmp));
	if (n != len)
		return false;
	memcpy(out, tmp, len);
	return true;
}

static char *
encode_hash(const uint8 *raw, int len)
{
	char	   *out = palloc(pg_b64_enc_len(len) + 1);
	int			n = compat_b64_encode(raw, len, out, pg_b64_enc_len(len));

	out[Max(n, 0)] = '\0';
	return out;
}

/*
 * Compares the hash computed over the download, got, with the listing's
 * base64 one, listed: the listing field field, of algorithm algorithm.
 */
static void
verify_hash(const SourceReader *r, const char *algorithm, const char *field,
			const char *listed, const uint8 *got, int len)
{
	uint8		want[16];
	int			attempts = http_attempts(r->transfer);

	Assert(len <= (int) sizeof(want));
	if (!decode_hash(listed, want, len))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("the listing gives \"%s\" an unreadable %s \"%s\"",
						r->name, field, listed)));
	if (memcmp(got, want, len) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("download of \"%s\" failed its checksum: %s %s, the listing says %s",
						r->name, algorithm, encode_hash(got, len), listed),
				 errdetail("Received " INT64_FORMAT " bytes in %d %s.", r->delivered,
						   attempts, attempts == 1 ? "attempt" : "attempts")));
}

void
gcs_object_finish(SourceReader *r)
{
	if (r->size >= 0 && r->delivered != r->size)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("download of \"%s\" is incomplete: received " INT64_FORMAT
						" of " INT64_FORMAT " bytes", r->name, r->delivered, r->size)));
	if (r->crc32c)
	{
		pg_crc32c	crc = r->crc;
		uint8		got[4];

		FIN_CRC32C(crc);
		got[0] = (uint8) (crc >> 24);
		got[1] = (uint8) (crc >> 16);
		got[2] = (uint8) (crc >> 8);
		got[3] = (uint8) crc;
		verify_hash(r, "crc32c", "crc32c", r->crc32c, got, sizeof(got));
	}
	else if (r->md5ctx)
	{
		uint8		got[16];

		if (pg_cryptohash_final(r->md5ctx, got, sizeof(got)) < 0)
			ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
							errmsg("could not compute the MD5 of \"%s\"", r->name)));
		verify_hash(r, "md5", "md5Hash", r->md5, got, sizeof(got));
	}
}

void
gcs_object_close(SourceReader *r)
{
	http_close(r->transfer);
	if (r->md5ctx)
		pg_cryptohash_free(r->md5ctx);
	r->md5ctx = NULL;
}
