/*
 * http_transfer.h
 *     One libcurl transfer, the part of the HTTP layer below its retry loop
 *     (http.c): the client, the transfer and the response in flight.  Only
 *     http.c uses it; everyone else uses http.h.
 */
#ifndef PKGMETA_HTTP_TRANSFER_H
#define PKGMETA_HTTP_TRANSFER_H

#include <curl/curl.h>

#include "datatype/timestamp.h"
#include "utils/memutils.h"

#include "http.h"

/* Holds at least one libcurl write (CURL_MAX_WRITE_SIZE), so a pause ends. */
#define BODY_BUFFER_SIZE (256 * 1024)
#define ERROR_BODY_MAX 256

/* What the callbacks learn about the response in flight. */
typedef struct Response
{
	long		status;			/* of the last status line, 0 before one */
	char		captured[HTTP_CAPTURE_MAX][HTTP_HEADER_VALUE_MAX];
	char		content_range[HTTP_HEADER_VALUE_MAX];
	long		retry_after_s;	/* -1 when absent */
	char		error_body[ERROR_BODY_MAX + 1];
	size_t		error_len;
	bool		body_started;	/* the first body byte was judged */
	/* fields from here on survive a new status line */
	int64		resume_at;		/* Range start, 0 for the whole body */
	int64		skip;			/* leading bytes to drop (resumed over a 200) */
	const char *abort_reason;	/* set when a callback stopped the transfer */
	bool		socket_opened;	/* an address was resolved and dialled */
	bool		request_ready;	/* connected (TLS included) or reused */
} Response;

struct HttpClient
{
	char	   *description;
	CURL	   *easy;
	CURLM	   *multi;
	struct curl_slist *headers;
	HttpTransfer *current;		/* whose request is in flight, or NULL */
	bool		paused;			/* the write callback paused it */
	bool		done;			/* libcurl reported the transfer finished */
	CURLcode	result;
	char		errbuf[CURL_ERROR_SIZE];
	Response	resp;
	/* body bytes received and not yet handed on: buf[pos, len) */
	char	   *buf;
	size_t		buf_len;
	size_t		buf_pos;
	MemoryContextCallback cleanup;
};

struct HttpTransfer
{
	HttpClient *client;
	HttpRequest request;		/* its pointers are the caller's */
	char	   *resume_url;		/* NULL: the request's */
	bool		restart_on_retry;	/* http_get: a retry starts the body over */
	int64		delivered;		/* body bytes handed on */
	int			attempts;
	TimestampTz started;
	bool		finished;
	long		status;			/* of the response that finished it */
};

typedef enum Step
{
	STEP_DATA,					/* bytes are in the buffer */
	STEP_DONE,					/* the transfer ended (see done/result) */
	STEP_INTERRUPTED			/* aborted for an interrupt that raised nothing */
} Step;

/* A status whose body is the answer: 2xx or one the caller handles. */
extern bool http_is_answer(const HttpTransfer *t, long status);

/*
 * Starts the next attempt of t: the whole body, or the rest after what was
 * handed on.  The transfer runs as http_step() is called.
 */
extern void http_start_attempt(HttpTransfer *t);

/*
 * Runs the transfer until body bytes are buffered, it ends, or an interrupt
 * arrives.  The caller has drained the buffer.  An interrupt detaches the
 * transfer before CHECK_FOR_INTERRUPTS(); if that raises nothing, the
 * caller starts the request again.
 */
extern Step http_step(HttpClient *c);

/* Stops the transfer in flight, if any; its connection is not reused. */
extern void http_detach(HttpClient *c);

/* Frees the libcurl handles of c. */
extern void http_client_cleanup(void *arg);

#endif
