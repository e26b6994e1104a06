/*
 * http_transfer.c
 *     One libcurl transfer of the HTTP layer (http.h): setting up a GET,
 *     the callbacks that record its response, and running it through the
 *     multi handle until body bytes arrive or it ends.
 *
 * The multi interface runs a transfer only while a reader asks for bytes;
 * the write callback copies into a bounded buffer and pauses the transfer
 * when it is full.  Callbacks never raise errors or allocate: they record
 * what happened and return an abort code, and errors are raised once the
 * easy handle is out of the multi handle.
 *
 * libcurl's content decoding stays off: the bytes received are the bytes
 * the server sent, whatever their Content-Encoding, so a caller can verify
 * them against a stored checksum.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "http_transfer.h"

/* How often a wait for the network looks at interrupts, at the latest. */
#define POLL_INTERVAL_MS 100

/* settings of one transfer (settings.c) */
int			pkgmeta_gcs_connect_timeout = HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
int			pkgmeta_gcs_stall_timeout = HTTP_DEFAULT_STALL_TIMEOUT_MS;
int			pkgmeta_gcs_timeout = HTTP_DEFAULT_TIMEOUT_MS;
char	   *pkgmeta_gcs_ca_file = NULL;
char	   *pkgmeta_gcs_proxy = NULL;

/* --------------------------------------------------------------- callbacks */

/*
 * Copies a header value, trimmed, into a fixed buffer; a repeated header
 * is appended after ", ", as HTTP joins them.
 */
static void
copy_header_value(char *dst, const char *v, size_t len)
{
	size_t		have = strlen(dst);

	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
					   v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (have > 0 && have + 2 < HTTP_HEADER_VALUE_MAX - 1)
	{
		memcpy(dst + have, ", ", 2);
		have += 2;
	}
	len = Min(len, HTTP_HEADER_VALUE_MAX - 1 - have);
	memcpy(dst + have, v, len);
	dst[have + len] = '\0';
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

static size_t
on_header(char *line, size_t size, size_t nmemb, void *arg)
{
	HttpClient *c = arg;
	Response   *r = &c->resp;
	const char *const *capture = c->current->request.capture;
	size_t		len = size * nmemb;
	const char *v;
	size_t		vlen;

	if (len > 5 && strncmp(line, "HTTP/", 5) == 0)
	{
		/* a new response (after a redirect or 100 Continue): start over */
		const char *sp = memchr(line, ' ', len);

		memset(r, 0, offsetof(Response, resume_at));
		r->retry_after_s = -1;
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if (header_is(line, len, "content-range", &v, &vlen))
		copy_header_value(r->content_range, v, vlen);
	else if (header_is(line, len, "retry-after", &v, &vlen))
	{
		char		num[HTTP_HEADER_VALUE_MAX] = "";

		copy_header_value(num, v, vlen);
		if (num[0] >= '0' && num[0] <= '9')
			r->retry_after_s = strtol(num, NULL, 10);
	}
	for (int i = 0; capture && capture[i] && i < HTTP_CAPTURE_MAX; i++)
		if (header_is(line, len, capture[i], &v, &vlen))
			copy_header_value(r->captured[i], v, vlen);
	return len;
}

bool
http_is_answer(const HttpTransfer *t, long status)
{
	const int  *s = t->request.final_statuses;

	if (status >= 200 && status <= 299)
		return true;
	for (; s && *s; s++)
		if (*s == status)
			return true;
	return false;
}

/*
 * Judges a response at its first body byte: the caller's check, then, for
 * a resumed request, does it start at the offset asked for?  Returns the
 * reason to abort, or NULL.
 */
static const char *
check_body_start(HttpClient *c)
{
	Response   *r = &c->resp;
	const HttpRequest *req = &c->current->request;
	const char *reason;

	if (req->check_response &&
		(reason = req->check_response(c->current, req->check_arg)) != NULL)
		return reason;
	if (r->resume_at > 0 && r->status >= 200 && r->status <= 299)
	{
		if (r->status == 200)
			r->skip = r->resume_at;
		else
		{
			char		expect[64];

			snprintf(expect, sizeof(expect), "bytes " INT64_FORMAT "-", r->resume_at);
			if (strncmp(r->content_range, expect, strlen(expect)) != 0)
				return "the resumed response does not start where the broken one ended";
		}
	}
	return NULL;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	HttpClient *c = arg;
	Response   *r = &c->resp;
	size_t		len = size * nmemb;
	size_t		drop;

	if (!http_is_answer(c->current, r->status))
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
		r->abort_reason = check_body_start(c);
		if (r->abort_reason)
			return 0;
		r->body_started = true;
	}

	/* state changes only once the chunk is taken: a paused one comes again */
	drop = (size_t) Min((int64) len, r->skip);
	if (len - drop > BODY_BUFFER_SIZE - c->buf_len)
	{
		if (c->buf_len == 0)
		{
			r->abort_reason = "libcurl delivered more than the body buffer holds";
			return 0;
		}
		c->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	r->skip -= drop;
	memcpy(c->buf + c->buf_len, data + drop, len - drop);
	c->buf_len += len - drop;
	return len;
}

static int
on_socket(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	((HttpClient *) arg)->resp.socket_opened = true;
	return CURL_SOCKOPT_OK;
}

static int
on_prereq(void *arg, char *conn_primary_ip, char *conn_local_ip,
		  int conn_primary_port, int conn_local_port)
{
	((HttpClient *) arg)->resp.request_ready = true;
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
release_handles(HttpClient *c)
{
	if (c->current)
		curl_multi_remove_handle(c->multi, c->easy);
	c->current = NULL;
	if (c->headers)
		curl_slist_free_all(c->headers);
	c->headers = NULL;
}

void
http_detach(HttpClient *c)
{
	release_handles(c);
	c->paused = false;
	c->buf_len = c->buf_pos = 0;
}

void
http_client_cleanup(void *arg)
{
	HttpClient *c = arg;

	release_handles(c);
	if (c->easy)
		curl_easy_cleanup(c->easy);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	c->easy = NULL;
	c->multi = NULL;
}

static void
add_header(HttpClient *c, const char *header)
{
	struct curl_slist *l = curl_slist_append(c->headers, header);

	if (l == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	c->headers = l;
}

#define SETOPT(opt, val) \
	do { \
		if (curl_easy_setopt(c->easy, opt, val) != CURLE_OK) \
			ereport(ERROR, \
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED), \
					 errmsg("libcurl %s does not support %s", curl_version_info(CURLVERSION_NOW)->version, #opt))); \
	} while (0)

void
http_start_attempt(HttpTransfer *t)
{
	HttpClient *c = t->client;
	const char *url = t->request.url;
	CURLMcode	mc;

	http_detach(c);
	curl_easy_reset(c->easy);
	c->done = false;
	c->result = CURLE_OK;
	c->errbuf[0] = '\0';
	memset(&c->resp, 0, sizeof(c->resp));
	c->resp.retry_after_s = -1;
	if (t->restart_on_retry)
		t->delivered = 0;
	c->resp.resume_at = t->delivered;
	if (t->delivered > 0 && t->resume_url)
		url = t->resume_url;
	t->attempts++;

	SETOPT(CURLOPT_URL, url);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_FOLLOWLOCATION, 1L);
	SETOPT(CURLOPT_MAXREDIRS, 5L);
	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (pkgmeta_gcs_ca_file && pkgmeta_gcs_ca_file[0])
		SETOPT(CURLOPT_CAINFO, pkgmeta_gcs_ca_file);
	if (pkgmeta_gcs_proxy && pkgmeta_gcs_proxy[0])
		SETOPT(CURLOPT_PROXY, pkgmeta_gcs_proxy);
	SETOPT(CURLOPT_USERAGENT, "pkgmeta/" PKGMETA_VERSION);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long) pkgmeta_gcs_connect_timeout);
	SETOPT(CURLOPT_TIMEOUT_MS, (long) pkgmeta_gcs_timeout);
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	/* requests are serial: HTTP/2 would add only its own pause handling */
	SETOPT(CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_1_1);
	SETOPT(CURLOPT_ERRORBUFFER, c->errbuf);
	/* bytes as sent: see the file header */
	SETOPT(CURLOPT_HTTP_CONTENT_DECODING, 0L);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, c);
	SETOPT(CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(CURLOPT_WRITEDATA, c);
	SETOPT(CURLOPT_SOCKOPTFUNCTION, on_socket);
	SETOPT(CURLOPT_SOCKOPTDATA, c);
	SETOPT(CURLOPT_PREREQFUNCTION, on_prereq);
	SETOPT(CURLOPT_PREREQDATA, c);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(CURLOPT_XFERINFODATA, c);

	for (const char *const *h = t->request.headers; h && *h; h++)
		add_header(c, *h);
	if (c->resp.resume_at > 0)
	{
		char		range[64];

		snprintf(range, sizeof(range), "Range: bytes=" INT64_FORMAT "-", c->resp.resume_at);
		add_header(c, range);
	}
	if (c->headers)
		SETOPT(CURLOPT_HTTPHEADER, c->headers);

	mc = curl_multi_add_handle(c->multi, c->easy);
	if (mc != CURLM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not start %s \"%s\": %s", t->request.what, t->request.name,
						curl_multi_strerror(mc))));
	c->current = t;
}

Step
http_step(HttpClient *c)
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

		if (c->paused)
		{
			/* may call on_body at once, refilling the buffer */
			c->paused = false;
			curl_easy_pause(c->easy, CURLPAUSE_CONT);
		}
		mc = curl_multi_perform(c->multi, &running);
		while ((msg = curl_multi_info_read(c->multi, &left)) != NULL)
		{
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == c->easy)
			{
				c->done = true;
				c->result = msg->data.result;
			}
		}
		if (mc != CURLM_OK && !c->done)
		{
			c->done = true;
			c->result = CURLE_RECV_ERROR;
			strlcpy(c->errbuf, curl_multi_strerror(mc), sizeof(c->errbuf));
		}
		if (InterruptPending && INTERRUPTS_CAN_BE_PROCESSED())
		{
			http_detach(c);
			CHECK_FOR_INTERRUPTS();
			return STEP_INTERRUPTED;
		}
		if (c->buf_len > c->buf_pos)
			return STEP_DATA;
		if (c->done)
			return STEP_DONE;

		curl_easy_getinfo(c->easy, CURLINFO_SIZE_DOWNLOAD_T, &body);
		curl_easy_getinfo(c->easy, CURLINFO_HEADER_SIZE, &headers);
		if (body + headers != received)
		{
			received = body + headers;
			progress_at = GetCurrentTimestamp();
		}
		else if (TimestampDifferenceExceeds(progress_at, GetCurrentTimestamp(),
											pkgmeta_gcs_stall_timeout))
		{
			c->done = true;
			c->result = CURLE_OPERATION_TIMEDOUT;
			snprintf(c->errbuf, sizeof(c->errbuf),
					 "nothing received for %d ms (pkgmeta.gcs_stall_timeout)",
					 pkgmeta_gcs_stall_timeout);
			return STEP_DONE;
		}

		pgstat_report_wait_start(PG_WAIT_EXTENSION);
		mc = curl_multi_poll(c->multi, NULL, 0, POLL_INTERVAL_MS, NULL);
		pgstat_report_wait_end();
		/* a signal ending the poll early is normal: interrupts are seen above */
		if (mc != CURLM_OK && mc != CURLM_UNRECOVERABLE_POLL)
		{
			c->done = true;
			c->result = CURLE_RECV_ERROR;
			strlcpy(c->errbuf, curl_multi_strerror(mc), sizeof(c->errbuf));
		}
	}
}

