/*
 * source_gcs.c
 *     A Google Cloud Storage bucket read anonymously over its JSON API
 *     (FORMAT.md section 3) with libcurl.
 *
 * Downloads are pull streams.  The multi interface runs a transfer only
 * while read() asks for bytes; the write callback copies into a bounded
 * buffer and pauses the transfer when it is full.  Callbacks never raise
 * errors or allocate: they record what happened and return an abort code,
 * and errors are raised once the easy handle is out of the multi handle.
 *
 * Objects are requested with "Accept-Encoding: gzip" while libcurl's own
 * content decoding stays off, so the bytes received are the bytes stored
 * whatever the object's Content-Encoding: the listing's crc32c (or md5)
 * verifies them, and the line stream inflates gzip, recognized by its
 * magic bytes, exactly once.
 *
 * A failed transfer is retried (connection errors, timeouts, 429, 5xx) with
 * exponential backoff and jitter; a download that breaks after bytes were
 * handed on resumes at that offset from the same object generation.
 *
 * One easy handle and one multi handle (which owns the connection cache)
 * live as long as the source, so listing pages and downloads share one
 * kept-alive connection.
 */
#include "postgres.h"

#include <curl/curl.h>

#include "common/base64.h"
#include "common/cryptohash.h"
#include "common/jsonapi.h"
#include "common/pg_prng.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/pg_crc32c.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "pg_compat.h"
#include "source.h"

/* Holds at least one libcurl write (CURL_MAX_WRITE_SIZE), so a pause ends. */
#define BODY_BUFFER_SIZE (256 * 1024)
#define HEADER_VALUE_MAX 128
#define ERROR_BODY_MAX 256
/* A listing page of 1000 items is about 1 MB; anything far larger is wrong. */
#define LIST_PAGE_MAX (64 * 1024 * 1024)
#define BACKOFF_MAX_MS 30000
#define RETRY_AFTER_MAX_MS 60000
/* How often a wait for the network looks at interrupts, at the latest. */
#define POLL_INTERVAL_MS 100

/* settings */
static char *gcs_endpoint = NULL;
static int	gcs_connect_timeout_ms = 10000;
static int	gcs_stall_timeout_ms = 30000;
static int	gcs_timeout_ms = 30 * 60 * 1000;
static int	gcs_retries = 5;
static int	gcs_retry_delay_ms = 500;
static char *gcs_ca_file = NULL;
static char *gcs_proxy = NULL;

/* What the callbacks learn about the response in flight. */
typedef struct Response
{
	long		status;			/* of the last status line, 0 before one */
	char		crc32c[HEADER_VALUE_MAX];	/* x-goog-hash parts */
	char		md5[HEADER_VALUE_MAX];
	char		generation[HEADER_VALUE_MAX];
	char		content_encoding[HEADER_VALUE_MAX];
	char		content_range[HEADER_VALUE_MAX];
	long		retry_after_s;	/* -1 when absent */
	char		error_body[ERROR_BODY_MAX + 1];
	size_t		error_len;
	bool		body_started;	/* the first body byte was judged */
	/* fields from here on survive a new status line */
	int64		skip;			/* leading bytes to drop (resumed over a 200) */
	const char *abort_reason;	/* set when a callback stopped the transfer */
	bool		socket_opened;	/* an address was resolved and dialled */
	bool		request_ready;	/* connected (TLS included) or reused */
} Response;

/* What a request expects of its response, checked at the first body byte. */
typedef struct Expectation
{
	bool		media;			/* an object download, not a listing */
	bool		stored_gzip;	/* listing says contentEncoding gzip */
	int64		resume_at;		/* Range start, 0 for the whole object */
} Expectation;

typedef struct GcsSource
{
	Source		base;
	char	   *bucket;
	char	   *endpoint;		/* without a trailing slash */
	CURL	   *easy;
	CURLM	   *multi;
	struct curl_slist *headers;
	bool		attached;		/* easy is in multi: a transfer is live */
	bool		paused;			/* the write callback paused it */
	bool		done;			/* libcurl reported the transfer finished */
	CURLcode	result;
	char		errbuf[CURL_ERROR_SIZE];
	Expectation expect;
	Response	resp;
	/* body bytes received and not yet handed on: buf[pos, len) */
	char	   *buf;
	size_t		buf_len;
	size_t		buf_pos;
	MemoryContextCallback cleanup;
} GcsSource;

struct SourceReader
{
	GcsSource  *gs;
	char	   *name;
	int64		size;
	char	   *crc32c;
	char	   *md5;
	bool		stored_gzip;
	StringInfoData url;			/* .../o/<name>?alt=media */
	char		generation[HEADER_VALUE_MAX];	/* pinned by the first reply */
	int64		delivered;		/* bytes handed to the caller */
	pg_crc32c	crc;
	pg_cryptohash_ctx *md5ctx;
	int			attempts;
	TimestampTz started;
	bool		live;			/* our request is the source's transfer */
	bool		eof;
};

/* Why a request failed, for the retry decision and the message. */
typedef struct Failure
{
	bool		retryable;
	const char *phase;
	char	   *cause;
	long		retry_after_s;
	int			sqlerrcode;
} Failure;

typedef enum Step
{
	STEP_DATA,					/* bytes are in the buffer */
	STEP_DONE,					/* the transfer ended (see done/result) */
	STEP_INTERRUPTED			/* aborted for an interrupt that raised nothing */
} Step;

static bool curl_ready = false;

/* ---------------------------------------------------------------- settings */

static bool
check_endpoint(char **newval, void **extra, GucSource source)
{
	const char *v = *newval;

	if (v == NULL || (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		strchr(v, '?') != NULL || strchr(v, '#') != NULL)
	{
		GUC_check_errdetail("\"%s\" is not an http:// or https:// base URL.", v ? v : "");
		GUC_check_errhint("Use the scheme, host and optional port and path of a server that "
						  "speaks the GCS JSON API, as in https://storage.googleapis.com.");
		return false;
	}
	return true;
}

void
source_gcs_define_settings(void)
{
	DefineCustomStringVariable("pkgmeta.gcs_endpoint",
							   "Base URL of the GCS JSON API for gs:// sources.",
							   "Point it at a mirror that speaks the same API.",
							   &gcs_endpoint,
							   "https://storage.googleapis.com",
							   PGC_SUSET, 0,
							   check_endpoint, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_connect_timeout",
							"Longest wait for a connection (TCP and TLS) to the GCS endpoint.",
							NULL,
							&gcs_connect_timeout_ms,
							10000, 1, 600000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_stall_timeout",
							"A GCS request that receives nothing for this long fails.",
							"The low-speed limit: a stalled transfer is retried like other "
							"transient errors.  Time the sync spends applying received "
							"bytes does not count.",
							&gcs_stall_timeout_ms,
							30000, 100, 3600 * 1000,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_timeout",
							"Longest a single GCS request may take; 0 means no limit.",
							"It includes time the download spends paused while the sync "
							"applies what it already received.  An interrupted download "
							"resumes where it broke off.",
							&gcs_timeout_ms,
							30 * 60 * 1000, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_retries",
							"Retries of a GCS request after a connection error, timeout, "
							"429 or 5xx.",
							NULL,
							&gcs_retries,
							5, 0, 100,
							PGC_SUSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("pkgmeta.gcs_retry_delay",
							"Backoff before the first GCS retry; it doubles with each retry "
							"(up to 30 s), with random jitter.",
							NULL,
							&gcs_retry_delay_ms,
							500, 0, BACKOFF_MAX_MS,
							PGC_SUSET, GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.gcs_ca_file",
							   "PEM file of the certificate authorities trusted for the GCS "
							   "endpoint; empty uses the system's.",
							   NULL,
							   &gcs_ca_file,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
	DefineCustomStringVariable("pkgmeta.gcs_proxy",
							   "Proxy for GCS requests, as in http://proxy:3128; empty uses "
							   "the server's https_proxy/no_proxy environment.",
							   NULL,
							   &gcs_proxy,
							   "",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);
}

/* --------------------------------------------------------------- callbacks */

/* Copies a header value, trimmed, into a fixed buffer. */
static void
copy_header_value(char *dst, const char *v, size_t len)
{
	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
					   v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	len = Min(len, HEADER_VALUE_MAX - 1);
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* True when line starts with "name:" (any case); *value follows it. */
static bool
header_is(const char *line, size_t len, const char *name, const char **value, size_t *vlen)
{
	size_t		n = strlen(name);

	if (len <= n || line[n] != ':' || pg_strncasecmp(line, name, n) != 0)
		return false;
	*value = line + n + 1;
	*vlen = len - n - 1;
	return true;
}

/* "crc32c=<b64>,md5=<b64>", in one header or one per hash. */
static void
parse_goog_hash(Response *r, const char *v, size_t len)
{
	const char *end = v + len;

	while (v < end)
	{
		const char *comma = memchr(v, ',', end - v);
		const char *stop = comma ? comma : end;

		while (v < stop && *v == ' ')
			v++;
		if (stop - v > 7 && strncmp(v, "crc32c=", 7) == 0)
			copy_header_value(r->crc32c, v + 7, stop - v - 7);
		else if (stop - v > 4 && strncmp(v, "md5=", 4) == 0)
			copy_header_value(r->md5, v + 4, stop - v - 4);
		v = stop + 1;
	}
}

static size_t
on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	GcsSource  *gs = arg;
	Response   *r = &gs->resp;
	size_t		len = size * nmemb;
	const char *v;
	size_t		vlen;

	if (len > 5 && strncmp(line, "HTTP/", 5) == 0)
	{
		/* a new response (after a redirect or 100 Continue): start over */
		const char *sp = memchr(line, ' ', len);

		memset(r, 0, offsetof(Response, skip));
		r->retry_after_s = -1;
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
	}
	else if (header_is(line, len, "x-goog-hash", &v, &vlen))
		parse_goog_hash(r, v, vlen);
	else if (header_is(line, len, "x-goog-generation", &v, &vlen))
		copy_header_value(r->generation, v, vlen);
	else if (header_is(line, len, "content-encoding", &v, &vlen))
		copy_header_value(r->content_encoding, v, vlen);
	else if (header_is(line, len, "content-range", &v, &vlen))
		copy_header_value(r->content_range, v, vlen);
	else if (header_is(line, len, "retry-after", &v, &vlen))
	{
		char		num[HEADER_VALUE_MAX];

		copy_header_value(num, v, vlen);
		if (num[0] >= '0' && num[0] <= '9')
			r->retry_after_s = strtol(num, NULL, 10);
	}
	return len;
}

/*
 * Judges a response at its first body byte: is it the object as stored,
 * from the offset asked for?  Returns the reason to abort, or NULL.
 */
static const char *
check_body_start(GcsSource *gs)
{
	Response   *r = &gs->resp;
	Expectation *e = &gs->expect;
	bool		served_gzip = pg_strcasecmp(r->content_encoding, "gzip") == 0;

	if (!e->media)
		return NULL;
	if (r->content_encoding[0] != '\0' && !served_gzip &&
		pg_strcasecmp(r->content_encoding, "identity") != 0)
		return "the response has an unsupported Content-Encoding";
	if (served_gzip && !e->stored_gzip)
		return "the response is gzip-compressed although the object is stored uncompressed, "
			"so its checksum cannot be verified";
	if (!served_gzip && e->stored_gzip)
		return "the object is stored gzip-compressed but was served inflated, "
			"so its checksum cannot be verified";
	if (e->resume_at > 0)
	{
		if (r->status == 200)
			r->skip = e->resume_at;
		else
		{
			char		expect[64];

			snprintf(expect, sizeof(expect), "bytes " INT64_FORMAT "-", e->resume_at);
			if (strncmp(r->content_range, expect, strlen(expect)) != 0)
				return "the resumed response does not start where the broken one ended";
		}
	}
	return NULL;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	GcsSource  *gs = arg;
	Response   *r = &gs->resp;
	size_t		len = size * nmemb;
	size_t		drop;

	if (r->status < 200 || r->status > 299)
	{
		/* keep the start of an error reply for the message */
		size_t		n = Min(len, ERROR_BODY_MAX - r->error_len);

		memcpy(r->error_body + r->error_len, data, n);
		r->error_len += n;
		r->error_body[r->error_len] = '\0';
		return len;
	}
	if (!r->body_started)
	{
		r->abort_reason = check_body_start(gs);
		if (r->abort_reason)
			return 0;
		r->body_started = true;
	}

	/* state changes only once the chunk is taken: a paused one comes again */
	drop = (size_t) Min((int64) len, r->skip);
	if (len - drop > BODY_BUFFER_SIZE - gs->buf_len)
	{
		if (gs->buf_len == 0)
		{
			r->abort_reason = "libcurl delivered more than the body buffer holds";
			return 0;
		}
		gs->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	r->skip -= drop;
	memcpy(gs->buf + gs->buf_len, data + drop, len - drop);
	gs->buf_len += len - drop;
	return len;
}

static int
on_socket(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	((GcsSource *) arg)->resp.socket_opened = true;
	return CURL_SOCKOPT_OK;
}

static int
on_prereq(void *arg, char *conn_primary_ip, char *conn_local_ip,
		  int conn_primary_port, int conn_local_port)
{
	((GcsSource *) arg)->resp.request_ready = true;
	return CURL_PREREQFUNC_OK;
}

static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	/* the interrupt itself is served once libcurl has returned */
	return InterruptPending && INTERRUPTS_CAN_BE_PROCESSED() ? 1 : 0;
}

/* ---------------------------------------------------------------- transfer */

static void
release_handles(GcsSource *gs)
{
	if (gs->attached)
		curl_multi_remove_handle(gs->multi, gs->easy);
	gs->attached = false;
	if (gs->headers)
		curl_slist_free_all(gs->headers);
	gs->headers = NULL;
}

/* Stops the transfer in flight, if any; its connection is not reused. */
static void
detach(GcsSource *gs)
{
	release_handles(gs);
	gs->paused = false;
	gs->buf_len = gs->buf_pos = 0;
}

static void
cleanup_source(void *arg)
{
	GcsSource  *gs = arg;

	release_handles(gs);
	if (gs->easy)
		curl_easy_cleanup(gs->easy);
	if (gs->multi)
		curl_multi_cleanup(gs->multi);
	gs->easy = NULL;
	gs->multi = NULL;
}

static void
add_header(GcsSource *gs, const char *header)
{
	struct curl_slist *l = curl_slist_append(gs->headers, header);

	if (l == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	gs->headers = l;
}

#define SETOPT(opt, val) \
	do { \
		if (curl_easy_setopt(gs->easy, opt, val) != CURLE_OK) \
			ereport(ERROR, \
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), \
					 errmsg("libcurl %s does not support %s", curl_version_info(CURLVERSION_NOW)->version, #opt))); \
	} while (0)

/* Starts a GET of url; the transfer runs as transfer_step() is called. */
static void
start_request(GcsSource *gs, const char *url, const Expectation *expect)
{
	CURLMcode	mc;

	detach(gs);
	curl_easy_reset(gs->easy);
	gs->done = false;
	gs->result = CURLE_OK;
	gs->errbuf[0] = '\0';
	gs->expect = *expect;
	memset(&gs->resp, 0, sizeof(gs->resp));
	gs->resp.retry_after_s = -1;

	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(CURLOPT_MAXREDIRS, 5L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (gcs_ca_file && gcs_ca_file[0])
		SETOPT(CURLOPT_CAINFO, gcs_ca_file);
	if (gcs_proxy && gcs_proxy[0])
		SETOPT(CURLOPT_PROXY, gcs_proxy);
	SETOPT(CURLOPT_USERAGENT, "pkgmeta/" PKGMETA_VERSION);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long) gcs_connect_timeout_ms);
	SETOPT(CURLOPT_TIMEOUT_MS, (long) gcs_timeout_ms);
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	/* requests are serial: HTTP/2 would add only its own pause handling */
	SETOPT(CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
	SETOPT(CURLOPT_ERRORBUFFER, gs->errbuf);
	/* bytes as stored: see the file header */
	SETOPT(CURLOPT_HTTP_CONTENT_DECODING, 0L);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, gs);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, gs);
	SETOPT(CURLOPT_SOCKOPTFUNCTION, on_socket);
	SETOPT(CURLOPT_SOCKOPTDATA, gs);
	SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
	SETOPT(CURLOPT_PREREQDATA, gs);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(CURLOPT_XFERINFODATA, gs);

	if (expect->media)
		add_header(gs, "Accept-Encoding: gzip");
	if (expect->resume_at > 0)
	{
		char		range[64];

		snprintf(range, sizeof(range), "Range: bytes=" INT64_FORMAT "-", expect->resume_at);
		add_header(gs, range);
	}
	if (gs->headers)
		SETOPT(CURLOPT_HTTPHEADER, gs->headers);

	mc = curl_multi_add_handle(gs->multi, gs->easy);
	if (mc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not start a GCS request: %s", curl_multi_strerror(mc))));
	gs->attached = true;
}

/*
 * Runs the transfer until body bytes are buffered, it ends, or an interrupt
 * arrives.  The caller has drained the buffer.  An interrupt detaches the
 * transfer before CHECK_FOR_INTERRUPTS(); if that raises nothing, the
 * caller starts the request again.
 */
static Step
transfer_step(GcsSource *gs)
{
	/* a stall is time in here without bytes, not time the caller spent */
	TimestampTz progress_at = GetCurrentTimestamp();
	curl_off_t	received = -1;

	for (;;)
	{
		int			running;
		int			left;
		CURLMsg    *msg;
		CURLMcode	mc;
		curl_off_t	body = 0;
		long		headers = 0;

		if (gs->paused)
		{
			/* may call on_body at once, refilling the buffer */
			gs->paused = false;
			curl_easy_pause(gs->easy, CURLPAUSE_CONT);
		}
		mc = curl_multi_perform(gs->multi, &running);
		while ((msg = curl_multi_info_read(gs->multi, &left)) != NULL)
		{
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == gs->easy)
			{
				gs->done = true;
				gs->result = msg->data.result;
			}
		}
		if (mc != CURLM_OK && !gs->done)
		{
			gs->done = true;
			gs->result = CURLE_RECV_ERROR;
			strlcpy(gs->errbuf, curl_multi_strerror(mc), sizeof(gs->errbuf));
		}
		if (InterruptPending && INTERRUPTS_CAN_BE_PROCESSED())
		{
			detach(gs);
			CHECK_FOR_INTERRUPTS();
			return STEP_INTERRUPTED;
		}
		if (gs->buf_len > gs->buf_pos)
			return STEP_DATA;
		if (gs->done)
			return STEP_DONE;

		curl_easy_getinfo(gs->easy, CURLINFO_SIZE_DOWNLOAD_T, &body);
		curl_easy_getinfo(gs->easy, CURLINFO_HEADER_SIZE, &headers);
		if (body + headers != received)
		{
			received = body + headers;
			progress_at = GetCurrentTimestamp();
		}
		else if (TimestampDifferenceExceeds(progress_at, GetCurrentTimestamp(),
											gcs_stall_timeout_ms))
		{
			gs->done = true;
			gs->result = CURLE_OPERATION_TIMEDOUT;
			snprintf(gs->errbuf, sizeof(gs->errbuf),
					 "nothing received for %d ms (pkgmeta.gcs_stall_timeout)",
					 gcs_stall_timeout_ms);
			return STEP_DONE;
		}

		pgstat_report_wait_start(PG_WAIT_EXTENSION);
		mc = curl_multi_poll(gs->multi, NULL, 0, POLL_INTERVAL_MS, NULL);
		pgstat_report_wait_end();
		/* a signal ending the poll early is normal: interrupts are seen above */
		if (mc != CURLM_OK && mc != CURLM_UNRECOVERABLE_POLL)
		{
			gs->done = true;
			gs->result = CURLE_RECV_ERROR;
			strlcpy(gs->errbuf, curl_multi_strerror(mc), sizeof(gs->errbuf));
		}
	}
}

static bool
is_tls_error(CURLcode rc)
{
	switch (rc)
	{
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CERTPROBLEM:
		case CURLE_SSL_CIPHER:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_ISSUER_ERROR:
		case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		case CURLE_SSL_INVALIDCERTSTATUS:
		case CURLE_SSL_CRL_BADFILE:
		case CURLE_SSL_ENGINE_NOTFOUND:
		case CURLE_SSL_ENGINE_SETFAILED:
		case CURLE_SSL_ENGINE_INITFAILED:
		case CURLE_SSL_SHUTDOWN_FAILED:
		case CURLE_USE_SSL_FAILED:
			return true;
		default:
			return false;
	}
}

/* Transient network trouble worth another try. */
static bool
is_retryable(CURLcode rc)
{
	switch (rc)
	{
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_COULDNT_RESOLVE_PROXY:
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_PARTIAL_FILE:
		case CURLE_GOT_NOTHING:
		case CURLE_SSL_CONNECT_ERROR:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
			return true;
		default:
			return false;
	}
}

/* Where a transfer that failed got to. */
static const char *
network_phase(GcsSource *gs, CURLcode rc)
{
	Response   *r = &gs->resp;
	curl_off_t	connect_us = 0;
	char	   *scheme = NULL;

	if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY)
		return "DNS";
	if (is_tls_error(rc))
		return "TLS";
	if (r->status != 0)
		return "body";
	if (r->request_ready)
		return "response";
	if (!r->socket_opened)
		return "DNS";
	curl_easy_getinfo(gs->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
	curl_easy_getinfo(gs->easy, CURLINFO_SCHEME, &scheme);
	if (connect_us > 0 && scheme && pg_strcasecmp(scheme, "https") == 0)
		return "TLS";
	return "connect";
}

/* The printable start of an error body, for messages. */
static char *
error_excerpt(const Response *r)
{
	StringInfoData s;

	initStringInfo(&s);
	for (size_t i = 0; i < r->error_len && s.len < 200; i++)
	{
		unsigned char c = (unsigned char) r->error_body[i];

		appendStringInfoChar(&s, (c >= 0x20 && c < 0x7f) ? (char) c : ' ');
	}
	return s.data;
}

/* False when the finished transfer succeeded; else describes the failure. */
static bool
request_failed(GcsSource *gs, Failure *f)
{
	Response   *r = &gs->resp;

	memset(f, 0, sizeof(*f));
	f->retry_after_s = -1;
	f->sqlerrcode = ERRCODE_CONNECTION_FAILURE;
	if (r->abort_reason)
	{
		f->phase = "body";
		f->cause = pstrdup(r->abort_reason);
		f->sqlerrcode = ERRCODE_PROTOCOL_VIOLATION;
		return true;
	}
	if (gs->result != CURLE_OK)
	{
		f->phase = network_phase(gs, gs->result);
		f->cause = pstrdup(gs->errbuf[0] ? gs->errbuf : curl_easy_strerror(gs->result));
		f->retryable = is_retryable(gs->result);
		return true;
	}
	if (r->status < 200 || r->status > 299)
	{
		char	   *excerpt = error_excerpt(r);

		f->phase = "HTTP status";
		f->cause = psprintf("HTTP %ld%s%s", r->status, excerpt[0] ? ": " : "", excerpt);
		f->retryable = r->status == 429 || r->status >= 500;
		f->retry_after_s = r->retry_after_s;
		if (r->status == 404)
			f->sqlerrcode = ERRCODE_UNDEFINED_FILE;
		return true;
	}
	return false;
}

/* Sleeps before retry number attempt (from 1), interruptibly. */
static void
backoff(int attempt, long retry_after_s)
{
	int64		base = gcs_retry_delay_ms;
	int64		delay_ms;
	TimestampTz until;

	for (int i = 1; i < attempt && base < BACKOFF_MAX_MS; i++)
		base *= 2;
	base = Min(base, BACKOFF_MAX_MS);
	/* half fixed, half random: retries of many clients spread out */
	delay_ms = base / 2 + (int64) (pg_prng_double(&pg_global_prng_state) * (base - base / 2));
	if (retry_after_s > 0)
		delay_ms = Max(delay_ms, Min(retry_after_s * 1000, RETRY_AFTER_MAX_MS));

	until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), delay_ms);
	for (;;)
	{
		long		left = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), until);

		CHECK_FOR_INTERRUPTS();
		if (left <= 0)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 left, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

static double
seconds_since(TimestampTz start)
{
	return TimestampDifferenceMilliseconds(start, GetCurrentTimestamp()) / 1000.0;
}

pg_noreturn static void raise_failure(GcsSource *gs, const char *what, const char *name,
									  const Failure *f, int attempts, TimestampTz started);

static void
raise_failure(GcsSource *gs, const char *what, const char *name, const Failure *f,
			  int attempts, TimestampTz started)
{
	ereport(ERROR,
			(errcode(f->sqlerrcode),
			 errmsg("%s \"%s\" failed in the %s phase after %d %s in %.1f s: %s",
					what, name, f->phase, attempts, attempts == 1 ? "attempt" : "attempts",
					seconds_since(started), f->cause),
			 errdetail("%s; bucket %s at %s.",
					   f->retryable ? "Gave up after pkgmeta.gcs_retries retries" :
					   "This failure is not retried",
					   gs->bucket, gs->endpoint),
			 f->retryable ?
			 errhint("See pkgmeta.gcs_retries and the pkgmeta.gcs_*timeout settings.") :
			 (strcmp(f->phase, "TLS") == 0 ?
			  errhint("A private CA is trusted with pkgmeta.gcs_ca_file.") : 0)));
}

/* ------------------------------------------------------------------- names */

static void
append_encoded(StringInfo s, const char *v)
{
	for (; *v; v++)
	{
		unsigned char c = (unsigned char) *v;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~')
			appendStringInfoChar(s, (char) c);
		else
			appendStringInfo(s, "%%%02X", c);
	}
}

static void
append_bucket_url(StringInfo s, GcsSource *gs)
{
	appendStringInfo(s, "%s/storage/v1/b/", gs->endpoint);
	append_encoded(s, gs->bucket);
	appendStringInfoString(s, "/o");
}

/* ----------------------------------------------------------------- listing */

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
	GcsSource  *gs;
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
fetch_page(GcsSource *gs, const char *url, const char *prefix, StringInfo page)
{
	Expectation expect = {false, false, 0};
	TimestampTz started = GetCurrentTimestamp();
	int			attempts = 0;
	Failure		f;

	for (;;)
	{
		Step		step;

		attempts++;
		resetStringInfo(page);
		start_request(gs, url, &expect);
		while ((step = transfer_step(gs)) == STEP_DATA)
		{
			size_t		n = gs->buf_len - gs->buf_pos;

			if (page->len + n > LIST_PAGE_MAX)
			{
				detach(gs);
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("listing of \"%s\" in %s returned a page over %d MB",
								prefix, gs->base.location, LIST_PAGE_MAX / (1024 * 1024)),
						 errhint("Is pkgmeta.gcs_endpoint a server of the GCS JSON API?")));
			}
			appendBinaryStringInfo(page, gs->buf + gs->buf_pos, n);
			gs->buf_pos = gs->buf_len = 0;
		}
		if (step == STEP_INTERRUPTED)
		{
			attempts--;
			continue;
		}
		if (!request_failed(gs, &f))
		{
			detach(gs);
			return;
		}
		detach(gs);
		if (!f.retryable || attempts > gcs_retries)
			raise_failure(gs, "listing of", prefix, &f, attempts, started);
		ereport(DEBUG1,
				(errmsg_internal("pkgmeta: retrying listing of \"%s\" (%s phase: %s)",
								 prefix, f.phase, f.cause)));
		backoff(attempts, f.retry_after_s);
	}
}

static List *
gcs_list(Source *source, const char *prefix, const char *ext, const char *start_at)
{
	GcsSource  *gs = (GcsSource *) source;
	MemoryContext page_cxt = AllocSetContextCreate(CurrentMemoryContext, "pkgmeta gcs listing",
												   ALLOCSET_DEFAULT_SIZES);
	ListParse	p = {0};
	JsonSemAction sem = {0};
	char	   *token = NULL;
	StringInfoData url;
	StringInfoData page;

	p.gs = gs;
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
		append_bucket_url(&url, gs);
		appendStringInfoString(&url, "?prefix=");
		append_encoded(&url, prefix);
		/*
		 * Names sort as strings, (sequence, chunk) as numbers: start at the
		 * checkpoint's sequence folder, which holds every later chunk.
		 */
		if (start_at && strncmp(start_at, prefix, strlen(prefix)) == 0 &&
			strrchr(start_at, '/') > start_at + strlen(prefix))
		{
			char	   *folder = pnstrdup(start_at, strrchr(start_at, '/') - start_at + 1);

			appendStringInfoString(&url, "&startOffset=");
			append_encoded(&url, folder);
			pfree(folder);
		}
		appendStringInfoString(&url, "&fields=items(name,size,crc32c,md5Hash,contentEncoding),"
							   "nextPageToken");
		if (token)
		{
			appendStringInfoString(&url, "&pageToken=");
			append_encoded(&url, token);
		}

		fetch_page(gs, url.data, prefix, &page);

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
							prefix, source->location, json_errdetail(rc, lex)),
					 errhint("Is pkgmeta.gcs_endpoint a server of the GCS JSON API?")));
		if (p.next_page_token && token && strcmp(p.next_page_token, token) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("listing of \"%s\" in %s repeats its page token", prefix,
							source->location),
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

/* --------------------------------------------------------------- downloads */

static SourceReader *
gcs_open(Source *source, const SourceObject *object)
{
	GcsSource  *gs = (GcsSource *) source;
	SourceReader *r = palloc0(sizeof(SourceReader));

	r->gs = gs;
	r->name = pstrdup(object->name);
	r->size = object->size;
	r->crc32c = object->crc32c ? pstrdup(object->crc32c) : NULL;
	r->md5 = object->md5 ? pstrdup(object->md5) : NULL;
	r->stored_gzip = object->content_encoding &&
		pg_strcasecmp(object->content_encoding, "gzip") == 0;
	initStringInfo(&r->url);
	append_bucket_url(&r->url, gs);
	appendStringInfoChar(&r->url, '/');
	append_encoded(&r->url, object->name);
	appendStringInfoString(&r->url, "?alt=media");
	INIT_CRC32C(r->crc);
	r->started = GetCurrentTimestamp();
	return r;
}

/*
 * At the first bytes: pins the generation, and takes the hashes of the
 * x-goog-hash header when the listing had none.  MD5 is computed only when
 * there is no crc32c to check.
 */
static void
first_bytes(SourceReader *r, const Response *resp)
{
	if (resp->generation[0] != '\0')
		strlcpy(r->generation, resp->generation, sizeof(r->generation));
	if (r->crc32c == NULL && resp->crc32c[0] != '\0')
		r->crc32c = pstrdup(resp->crc32c);
	if (r->md5 == NULL && resp->md5[0] != '\0')
		r->md5 = pstrdup(resp->md5);
	if (r->crc32c == NULL && r->md5 != NULL)
	{
		r->md5ctx = pg_cryptohash_create(PG_MD5);
		if (r->md5ctx == NULL || pg_cryptohash_init(r->md5ctx) < 0)
			ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	}
}

/* (Re)starts the download at the first byte not yet handed on. */
static void
start_download(SourceReader *r)
{
	Expectation expect = {true, r->stored_gzip, r->delivered};

	if (r->delivered > 0 && r->generation[0])
	{
		/* the rest must come from the very object the start came from */
		char	   *url = psprintf("%s&generation=%s", r->url.data, r->generation);

		start_request(r->gs, url, &expect);
		pfree(url);
	}
	else
		start_request(r->gs, r->url.data, &expect);
	r->live = true;
}

static size_t
gcs_read(SourceReader *r, char *buf, size_t cap)
{
	GcsSource  *gs = r->gs;
	Failure		f;

	for (;;)
	{
		Step		step;

		if (r->live && gs->buf_len > gs->buf_pos)
		{
			size_t		n = Min(cap, gs->buf_len - gs->buf_pos);

			if (r->size >= 0 && r->delivered + (int64) n > r->size)
			{
				detach(gs);
				r->live = false;
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("download of \"%s\" is longer than the " INT64_FORMAT
								" bytes its listing gives", r->name, r->size)));
			}

			if (r->delivered == 0)
				first_bytes(r, &gs->resp);
			memcpy(buf, gs->buf + gs->buf_pos, n);
			gs->buf_pos += n;
			if (gs->buf_pos == gs->buf_len)
				gs->buf_pos = gs->buf_len = 0;
			COMP_CRC32C(r->crc, buf, n);
			if (r->md5ctx && pg_cryptohash_update(r->md5ctx, (uint8 *) buf, n) < 0)
				ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
								errmsg("could not compute the MD5 of \"%s\"", r->name)));
			r->delivered += n;
			return n;
		}
		if (r->eof)
			return 0;
		if (!r->live)
		{
			r->attempts++;
			start_download(r);
		}
		step = transfer_step(gs);
		if (step == STEP_DATA)
			continue;
		if (step == STEP_INTERRUPTED)
		{
			/* served without an error: pick up where the bytes stopped */
			r->live = false;
			r->attempts--;
			continue;
		}
		r->live = false;
		if (!request_failed(gs, &f))
		{
			detach(gs);
			r->eof = true;
			continue;
		}
		detach(gs);
		if (!f.retryable || r->attempts > gcs_retries)
			raise_failure(gs, "download of", r->name, &f, r->attempts, r->started);
		ereport(DEBUG1,
				(errmsg_internal("pkgmeta: retrying download of \"%s\" at byte " INT64_FORMAT
								 " (%s phase: %s)", r->name, r->delivered, f.phase, f.cause)));
		backoff(r->attempts, f.retry_after_s);
	}
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

static void
gcs_finish(SourceReader *r)
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
		uint8		want[4];

		FIN_CRC32C(crc);
		got[0] = (uint8) (crc >> 24);
		got[1] = (uint8) (crc >> 16);
		got[2] = (uint8) (crc >> 8);
		got[3] = (uint8) crc;
		if (!decode_hash(r->crc32c, want, 4))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("the listing gives \"%s\" an unreadable crc32c \"%s\"",
							r->name, r->crc32c)));
		if (memcmp(got, want, 4) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("download of \"%s\" failed its checksum: crc32c %s, the listing says %s",
							r->name, encode_hash(got, 4), r->crc32c),
					 errdetail("Received " INT64_FORMAT " bytes in %d %s.", r->delivered,
							   r->attempts, r->attempts == 1 ? "attempt" : "attempts")));
	}
	else if (r->md5ctx)
	{
		uint8		got[16];
		uint8		want[16];

		if (pg_cryptohash_final(r->md5ctx, got, sizeof(got)) < 0)
			ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
							errmsg("could not compute the MD5 of \"%s\"", r->name)));
		if (!decode_hash(r->md5, want, 16))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("the listing gives \"%s\" an unreadable md5Hash \"%s\"",
							r->name, r->md5)));
		if (memcmp(got, want, 16) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("download of \"%s\" failed its checksum: md5 %s, the listing says %s",
							r->name, encode_hash(got, 16), r->md5)));
	}
}

static void
gcs_close(SourceReader *r)
{
	if (r->live)
		detach(r->gs);
	r->live = false;
	if (r->md5ctx)
		pg_cryptohash_free(r->md5ctx);
	r->md5ctx = NULL;
}

static void
gcs_destroy(Source *source)
{
	cleanup_source(source);
}

static const SourceMethods gcs_methods = {
	gcs_list, gcs_open, gcs_read, gcs_finish, gcs_close, gcs_destroy
};

Source *
source_gcs_create(const char *location, const char *bucket, const char *setting_name)
{
	GcsSource  *gs;
	size_t		len;

	if (!curl_ready)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not initialize libcurl")));
		curl_ready = true;
	}
	gs = palloc0(sizeof(GcsSource));
	gs->base.methods = &gcs_methods;
	gs->base.location = pstrdup(location);
	gs->bucket = pstrdup(bucket);
	gs->endpoint = pstrdup(gcs_endpoint);
	len = strlen(gs->endpoint);
	while (len > 0 && gs->endpoint[len - 1] == '/')
		gs->endpoint[--len] = '\0';
	gs->buf = palloc(BODY_BUFFER_SIZE);

	/* the handles go with the memory, whichever way the sync ends */
	gs->cleanup.func = cleanup_source;
	gs->cleanup.arg = gs;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &gs->cleanup);
	gs->easy = curl_easy_init();
	gs->multi = curl_multi_init();
	if (gs->easy == NULL || gs->multi == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle for %s", location),
				 errhint("Check %s.", setting_name)));
	return &gs->base;
}
