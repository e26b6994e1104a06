/*
 * http.c
 *     The HTTP layer's request-with-retry loop and its API (http.h): what
 *     failed in which phase, whether to retry, backoff, and the failure
 *     message; the transfers themselves run in http_transfer.c.
 *
 * A failed transfer is retried (connection errors, timeouts, 429, 5xx) with
 * exponential backoff and jitter; a stream that breaks after bytes were
 * handed on resumes at that offset.
 */
#include "postgres.h"

#include "common/pg_prng.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "http_transfer.h"

#define RETRY_AFTER_MAX_MS 60000

/* settings of the retry loop (settings.c) */
int			pkgmeta_gcs_retries = HTTP_DEFAULT_RETRIES;
int			pkgmeta_gcs_retry_delay = HTTP_DEFAULT_RETRY_DELAY_MS;

/* Why a request failed, for the retry decision and the message. */
typedef struct Failure
{
	bool		retryable;
	const char *phase;
	char	   *cause;
	long		retry_after_s;
	int			sqlerrcode;
} Failure;

static bool curl_ready = false;

/* ----------------------------------------------------------------- failure */

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
network_phase(HttpClient *c, CURLcode rc)
{
	Response   *r = &c->resp;
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
	curl_easy_getinfo(c->easy, CURLINFO_CONNECT_TIME_T, &connect_us);
	curl_easy_getinfo(c->easy, CURLINFO_SCHEME, &scheme);
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
		unsigned char ch = (unsigned char) r->error_body[i];

		appendStringInfoChar(&s, (ch >= 0x20 && ch < 0x7f) ? (char) ch : ' ');
	}
	return s.data;
}

/* False when t's finished transfer succeeded; else describes the failure. */
static bool
request_failed(const HttpTransfer *t, Failure *f)
{
	HttpClient *c = t->client;
	Response   *r = &c->resp;

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
	if (c->result != CURLE_OK)
	{
		f->phase = network_phase(c, c->result);
		f->cause = pstrdup(c->errbuf[0] ? c->errbuf : curl_easy_strerror(c->result));
		f->retryable = is_retryable(c->result);
		return true;
	}
	if (!http_is_answer(t, r->status))
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
	int64		max_ms = HTTP_BACKOFF_MAX_S * 1000;
	int64		base = pkgmeta_gcs_retry_delay;
	int64		delay_ms;
	TimestampTz until;

	for (int i = 1; i < attempt && base < max_ms; i++)
		base *= 2;
	base = Min(base, max_ms);
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

static void
raise_failure(const HttpTransfer *t, const Failure *f)
{
	double		seconds = TimestampDifferenceMilliseconds(t->started,
														  GetCurrentTimestamp()) / 1000.0;

	ereport(ERROR,
			(errcode(f->sqlerrcode),
			 errmsg("%s \"%s\" failed in the %s phase after %d %s in %.1f s: %s",
					t->request.what, t->request.name, f->phase, t->attempts,
					t->attempts == 1 ? "attempt" : "attempts", seconds, f->cause),
			 errdetail("%s; %s.",
					   f->retryable ? "Gave up after pkgmeta.gcs_retries retries" :
					   "This failure is not retried",
					   t->client->description),
			 f->retryable ?
			 errhint("See pkgmeta.gcs_retries and the pkgmeta.gcs_*timeout settings.") :
			 (strcmp(f->phase, "TLS") == 0 ?
			  errhint("A private CA is trusted with pkgmeta.gcs_ca_file.") : 0)));
}

/*
 * The request-with-retry loop: up to cap body bytes at *data (in the
 * client's buffer, valid until the next call), 0 at the end of the body.
 */
static size_t
next_bytes(HttpTransfer *t, size_t cap, const char **data)
{
	HttpClient *c = t->client;
	Failure		f;

	for (;;)
	{
		Step		step;

		if (c->current == t && c->buf_len > c->buf_pos)
		{
			size_t		n = Min(cap, c->buf_len - c->buf_pos);

			*data = c->buf + c->buf_pos;
			c->buf_pos += n;
			if (c->buf_pos == c->buf_len)
				c->buf_pos = c->buf_len = 0;
			t->delivered += n;
			return n;
		}
		if (t->finished)
			return 0;
		if (c->current != t)
			http_start_attempt(t);
		step = http_step(c);
		if (step == STEP_DATA)
			continue;
		if (step == STEP_INTERRUPTED)
		{
			/* served without an error: this attempt does not count */
			t->attempts--;
			continue;
		}
		if (!request_failed(t, &f))
		{
			t->status = c->resp.status;
			t->finished = true;
			http_detach(c);
			continue;
		}
		http_detach(c);
		if (!f.retryable || t->attempts > pkgmeta_gcs_retries)
			raise_failure(t, &f);
		ereport(DEBUG1,
				(errmsg_internal("pkgmeta: retrying %s \"%s\" after " INT64_FORMAT
								 " bytes (%s phase: %s)", t->request.what,
								 t->request.name, t->delivered, f.phase, f.cause)));
		backoff(t->attempts, f.retry_after_s);
	}
}

/* ------------------------------------------------------------------- API */

HttpClient *
http_client_create(const char *description)
{
	HttpClient *c;

	if (!curl_ready)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not initialize libcurl")));
		curl_ready = true;
	}
	c = palloc0(sizeof(HttpClient));
	c->description = pstrdup(description);
	c->buf = palloc(BODY_BUFFER_SIZE);

	/* the handles go with the memory, whichever way the caller ends */
	c->cleanup.func = http_client_cleanup;
	c->cleanup.arg = c;
	MemoryContextRegisterResetCallback(CurrentMemoryContext, &c->cleanup);
	c->easy = curl_easy_init();
	c->multi = curl_multi_init();
	if (c->easy == NULL || c->multi == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("could not create a libcurl handle for %s", description)));
	return c;
}

void
http_client_destroy(HttpClient *client)
{
	http_client_cleanup(client);
}

HttpTransfer *
http_open(HttpClient *client, const HttpRequest *request)
{
	HttpTransfer *t = palloc0(sizeof(HttpTransfer));

	t->client = client;
	t->request = *request;
	t->started = GetCurrentTimestamp();
	return t;
}

size_t
http_read(HttpTransfer *transfer, char *buf, size_t cap)
{
	const char *data;
	size_t		n = next_bytes(transfer, cap, &data);

	if (n > 0)
		memcpy(buf, data, n);
	return n;
}

void
http_set_resume_url(HttpTransfer *transfer, const char *url)
{
	transfer->resume_url = pstrdup(url);
}

void
http_close(HttpTransfer *transfer)
{
	if (transfer->client->current == transfer)
		http_detach(transfer->client);
}

bool
http_get(HttpClient *client, const HttpRequest *request, size_t max_bytes,
		 StringInfo body, HttpAnswer *answer)
{
	HttpTransfer *t = http_open(client, request);
	const char *data;
	size_t		n;

	t->restart_on_retry = true;
	resetStringInfo(body);
	while ((n = next_bytes(t, SIZE_MAX, &data)) > 0)
	{
		/* the first bytes of an attempt: a retry starts the body over */
		if (t->delivered == (int64) n)
			resetStringInfo(body);
		if ((size_t) body->len + n > max_bytes)
		{
			http_close(t);
			pfree(t);
			return false;
		}
		appendBinaryStringInfo(body, data, n);
	}
	if (t->delivered == 0)
		resetStringInfo(body);	/* the attempt that succeeded sent nothing */
	if (answer)
	{
		/* what the client kept of the response that finished t */
		answer->status = t->status;
		memcpy(answer->headers, client->resp.captured, sizeof(answer->headers));
	}
	pfree(t);
	return true;
}

long
http_status(const HttpTransfer *transfer)
{
	if (transfer->client->current == transfer)
		return transfer->client->resp.status;
	return transfer->status;
}

const char *
http_header(const HttpTransfer *transfer, int index)
{
	Assert(index >= 0 && index < HTTP_CAPTURE_MAX);
	return transfer->client->resp.captured[index];
}

int
http_attempts(const HttpTransfer *transfer)
{
	return transfer->attempts;
}

void
http_append_encoded(StringInfo s, const char *v)
{
	for (; *v; v++)
	{
		unsigned char ch = (unsigned char) *v;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			ch == '-' || ch == '.' || ch == '_' || ch == '~')
			appendStringInfoChar(s, (char) ch);
		else
			appendStringInfo(s, "%%%02X", ch);
	}
}
