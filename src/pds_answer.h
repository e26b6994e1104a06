/*
 * pds_answer.h
 *     The distribution service's answers read: the JSON of /supported,
 *     /all and /delta (doc/format.md section 11), and the request headers
 *     made from the instance token.  No I/O: source_pds.c asks, these read
 *     what came back (and the fuzz targets feed them anything).
 */
#ifndef PKGMETA_PDS_ANSWER_H
#define PKGMETA_PDS_ANSWER_H

#include "postgres.h"

/* One archive an answer lists: a shard of /all or a delta of /delta. */
typedef struct PdsArchive
{
	char	   *id;				/* shard id (hex) or delta time (digits) */
	char	   *url;			/* its signed URL */
	int64		number;			/* the id's value */
} PdsArchive;

typedef struct PdsArchives
{
	PdsArchive *items;
	int			count;
	int64		until;			/* /all: the time the full dataset covers */
	bool		not_supported;	/* /delta: the registry is in "not_supported" */
} PdsArchives;

/*
 * Each reads one whole answer body (not NUL-terminated) and raises an
 * ERROR (ERRCODE_PROTOCOL_VIOLATION) naming what (e.g. "/all for npm")
 * and the problem when it is not the documented shape.  Unknown keys are
 * skipped.
 */

/* /all: {"until": N, "shards": [{"shard": "<hex>", "url"|"signed_url": "..."}]} */
extern void pds_parse_all(const char *body, size_t len, const char *what, PdsArchives *out);

/*
 * /delta: {"purl_types": {"<registry>": [{"delta": "<digits>", "signed_url":
 * "..."}]}, "not_supported": ["<registry>", ...]}: the registry's deltas.
 */
extern void pds_parse_delta(const char *body, size_t len, const char *what,
							const char *registry, PdsArchives *out);

/* /supported: {"registries": ["npm", ...]}: the registry ids, *count of them. */
extern char **pds_parse_supported(const char *body, size_t len, const char *what, int *count);

/* The most registries a /supported answer may list. */
#define PDS_MAX_REGISTRIES 64
/* The longest registry id a /supported answer may hold. */
#define PDS_MAX_REGISTRY_LEN 32

/*
 * The three API request headers of an instance token: "Authorization:
 * Bearer <token>", "X-Gitlab-Instance-Id: <sub>", "X-Gitlab-Realm:
 * <gitlab_realm>", then NULL, in headers[0..3].  False when the token is
 * not a JWT (three base64url parts) whose payload has string claims "sub"
 * and "gitlab_realm" free of control characters; a header never carries a
 * line break.
 */
extern bool pds_token_headers(const char *token, char *headers[4]);

#endif
