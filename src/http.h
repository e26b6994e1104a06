/*
 * http.h
 *     HTTP GETs with libcurl: one request-with-retry loop (backoff, failure
 *     phases, interrupts), a small answer collected into memory or a large
 *     body read as a pull stream that resumes where it broke off.
 *
 * An HttpClient owns one easy handle and one multi handle (the connection
 * cache), so the requests of one client run one at a time over one
 * kept-alive connection; starting a request ends the one in flight.
 * Nothing raises an error from inside a libcurl callback: the callbacks
 * record what happened, and errors are raised once libcurl has returned.
 *
 * The settings are the pkgmeta.gcs_* ones (settings.c defines them), named
 * after the first service that used them.
 */
#ifndef PKGMETA_HTTP_H
#define PKGMETA_HTTP_H

#include "postgres.h"

#include "lib/stringinfo.h"

/* Defaults and bounds of the settings (settings.c). */
#define HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define HTTP_DEFAULT_STALL_TIMEOUT_MS 30000
#define HTTP_DEFAULT_TIMEOUT_MS (30 * 60 * 1000)
#define HTTP_DEFAULT_RETRIES 5
#define HTTP_DEFAULT_RETRY_DELAY_MS 500
#define HTTP_BACKOFF_MAX_S 30

extern int	pkgmeta_gcs_connect_timeout;	/* pkgmeta.gcs_connect_timeout */
extern int	pkgmeta_gcs_stall_timeout;	/* pkgmeta.gcs_stall_timeout */
extern int	pkgmeta_gcs_timeout;		/* pkgmeta.gcs_timeout, 0: none */
extern int	pkgmeta_gcs_retries;		/* pkgmeta.gcs_retries */
extern int	pkgmeta_gcs_retry_delay;	/* pkgmeta.gcs_retry_delay */
extern char *pkgmeta_gcs_ca_file;		/* pkgmeta.gcs_ca_file, "": the system's */
extern char *pkgmeta_gcs_proxy;		/* pkgmeta.gcs_proxy, "": the environment's */

/* Longest response header value kept; repeated headers are joined by ", ". */
#define HTTP_HEADER_VALUE_MAX 256
/* Most response headers one request may capture. */
#define HTTP_CAPTURE_MAX 4

typedef struct HttpClient HttpClient;
typedef struct HttpTransfer HttpTransfer;

/*
 * Judges a response at the first byte of its body: returns a static string
 * saying why the body is not acceptable (the request then fails in the
 * "body" phase, not retried), or NULL.  It runs inside a libcurl callback:
 * it must not raise errors nor allocate; it may read http_status() and
 * http_header().
 */
typedef const char *(*HttpResponseCheck) (const HttpTransfer *transfer, void *arg);

typedef struct HttpRequest
{
	const char *url;

	/*
	 * Extra request headers, "Name: value", NULL-terminated, or NULL.  They
	 * never appear in a message or a log line, so they may carry an
	 * Authorization token: libcurl sends a custom Authorization header
	 * neither to a proxy's CONNECT nor to another host a redirect leads to.
	 */
	const char *const *headers;
	/* Response headers to keep (names, any case), NULL-terminated, or NULL. */
	const char *const *capture;

	/*
	 * Statuses besides 2xx that are answers for the caller, not failures:
	 * 0-terminated, or NULL.  Other statuses fail; 429 and 5xx are retried.
	 */
	const int  *final_statuses;
	HttpResponseCheck check_response;	/* or NULL */
	void	   *check_arg;
	/* for messages: "<what> \"<name>\" failed in the ... phase" */
	const char *what;			/* "listing of" */
	const char *name;			/* "v2/npm/" */
} HttpRequest;

/*
 * A client for one service; description ends its failure details, as in
 * "bucket b at https://host".  It goes with the current memory context.
 */
extern HttpClient *http_client_create(const char *description);
extern void http_client_destroy(HttpClient *client);

/* What a small answer has besides its body. */
typedef struct HttpAnswer
{
	long		status;			/* 2xx or one of the request's final_statuses */
	/* the request's capture headers, "" when absent */
	char		headers[HTTP_CAPTURE_MAX][HTTP_HEADER_VALUE_MAX];
} HttpAnswer;

/*
 * A small answer: the body of the request's response, retried as a whole,
 * collected into body (reset first), and the rest into *answer (answer may
 * be NULL).  Returns false, the transfer stopped, when the body grows past
 * max_bytes.
 */
extern bool http_get(HttpClient *client, const HttpRequest *request,
					 size_t max_bytes, StringInfo body, HttpAnswer *answer);

/*
 * A large body as a pull stream.  http_open starts nothing; http_read
 * returns up to cap bytes of the body, 0 at its end, runs the transfer and
 * retries it: after bytes were handed on, the retry asks for the rest
 * (Range), from the URL set by http_set_resume_url if any.  A failure
 * raises an ERROR naming the request.  http_close ends the transfer; it is
 * safe after an error and more than once.
 */
extern HttpTransfer *http_open(HttpClient *client, const HttpRequest *request);
extern size_t http_read(HttpTransfer *transfer, char *buf, size_t cap);
extern void http_set_resume_url(HttpTransfer *transfer, const char *url);
extern void http_close(HttpTransfer *transfer);

/* The status of the transfer's response, 0 before its status line. */
extern long http_status(const HttpTransfer *transfer);

/*
 * The value of the request's capture[index] header in the transfer's latest
 * response, "" when absent; valid until the client starts another request.
 */
extern const char *http_header(const HttpTransfer *transfer, int index);

/* Attempts so far (the current one included), for messages. */
extern int	http_attempts(const HttpTransfer *transfer);

/* Appends v percent-encoded (all but RFC 3986 unreserved characters). */
extern void http_append_encoded(StringInfo s, const char *v);

#endif
