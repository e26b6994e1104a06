/*
 * purl.c
 *     Package URL parser (purl-spec "How to parse a purl string"), reduced to
 *     what a license lookup needs: type, export package name and version.
 *
 *     Deviations, all on the lenient side: the path ends at the first '?' or
 *     '#' (URL semantics; of the qualifiers only "distro" is read, for OS
 *     packages' advisories, and a malformed one is ignored), and the
 *     version separator is looked for in the last path segment only, so the
 *     common unencoded npm scope ("pkg:npm/@types/node") still parses when
 *     no version follows.
 */
#include <string.h>

#include "hex.h"
#include "purl.h"

typedef enum PurlPart
{
	PART_NAMESPACE,
	PART_NAME,
	PART_VERSION
} PurlPart;

typedef enum DecodeError
{
	DECODE_OK = -1,
	DECODE_BAD_ESCAPE = 0,
	DECODE_NUL,
	DECODE_BAD_UTF8
} DecodeError;

static const char *const decode_messages[3][3] = {
	[PART_NAMESPACE] = {
		"invalid percent-encoding in namespace: \"%\" must be followed by two hex digits",
		"namespace contains a percent-encoded NUL byte",
		"namespace is not valid UTF-8 once percent-decoded",
	},
	[PART_NAME] = {
		"invalid percent-encoding in name: \"%\" must be followed by two hex digits",
		"name contains a percent-encoded NUL byte",
		"name is not valid UTF-8 once percent-decoded",
	},
	[PART_VERSION] = {
		"invalid percent-encoding in version: \"%\" must be followed by two hex digits",
		"version contains a percent-encoded NUL byte",
		"version is not valid UTF-8 once percent-decoded",
	},
};

static bool
is_ascii_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_ascii_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Well-formed UTF-8 per Unicode table 3-7 (no overlongs, no surrogates). */
static bool
valid_utf8(const unsigned char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		unsigned char lo = 0x80,
					hi = 0xBF;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF)
		{
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		}
		else if (c >= 0xF0 && c <= 0xF4)
		{
			n = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		}
		else
			return false;
		if (len - i - 1 < n)
			return false;
		/* only the first continuation byte has a narrowed range */
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return false;
		i += n + 1;
	}
	return true;
}

/* Percent-decode src[0..len) into dst; *out_len gets the decoded length. */
static DecodeError
percent_decode(const char *src, size_t len, char *dst, size_t *out_len)
{
	size_t		out = 0;

	for (size_t i = 0; i < len; i++)
	{
		if (src[i] != '%')
		{
			dst[out++] = src[i];
			continue;
		}
		if (len - i < 3 || hex_value(src[i + 1]) < 0 || hex_value(src[i + 2]) < 0)
			return DECODE_BAD_ESCAPE;
		dst[out] = (char) (hex_value(src[i + 1]) * 16 + hex_value(src[i + 2]));
		if (dst[out] == '\0')
			return DECODE_NUL;
		out++;
		i += 2;
	}
	if (!valid_utf8((const unsigned char *) dst, out))
		return DECODE_BAD_UTF8;
	*out_len = out;
	return DECODE_OK;
}

/* Registries that name packages "namespace/name" (issue 5, doc/format.md section 5). */
static bool
name_includes_namespace(const PurlType *type)
{
	if (type == NULL)
		return true;			/* keep the whole identity of foreign types */
	switch (type->id)
	{
		case PURL_MAVEN:
		case PURL_NPM:
		case PURL_GOLANG:
		case PURL_COMPOSER:
		case PURL_CONAN:
			return true;
		default:
			return false;
	}
}

static const char *
memrchr_bounded(const char *start, const char *end, char c)
{
	for (const char *p = end; p > start; p--)
		if (p[-1] == c)
			return p - 1;
	return NULL;
}

/*
 * The "distro" qualifier of the qualifiers q[0..len) ("a=1&distro=x"),
 * decoded into w; false when absent or not decodable.
 */
static bool
distro_qualifier(const char *q, size_t len, char *w, size_t *out_len)
{
	const char *end = q + len;

	while (q < end)
	{
		const char *amp = memchr(q, '&', end - q);
		const char *pair_end = amp ? amp : end;

		if (pair_end - q > 7 && memcmp(q, "distro=", 7) == 0)
			return percent_decode(q + 7, pair_end - (q + 7), w, out_len) == DECODE_OK;
		q = pair_end + 1;
	}
	return false;
}

const char *
purl_parse(const char *purl, size_t len, char *buf, Purl *out)
{
	const char *end = purl;
	const char *limit = purl + len;
	const char *p;
	const char *type_start;
	const char *path;
	const char *last_segment;
	const char *at;
	const char *slash;
	char	   *w = buf;
	char	   *raw_name;
	size_t		n;
	DecodeError err;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return "purl is empty";

	/* qualifiers ("?...") and subpath ("#...") are ignored */
	while (end < limit && *end != '?' && *end != '#')
		end++;

	/* scheme: the constant "pkg" (case-insensitive), then ':' */
	p = memchr(purl, ':', end - purl);
	if (p == NULL)
		return "missing scheme \"pkg:\"";
	if (p - purl != 3 ||
		(purl[0] | 0x20) != 'p' || (purl[1] | 0x20) != 'k' || (purl[2] | 0x20) != 'g')
		return "scheme must be \"pkg\"";
	p++;

	/* type: ASCII letter, then letters, digits, '.', '-'; lower-cased */
	while (p < end && *p == '/')
		p++;
	type_start = p;
	while (p < end && *p != '/')
		p++;
	if (p == type_start)
		return "missing purl type";
	if (!is_ascii_letter(*type_start))
		return "purl type must start with an ASCII letter";
	for (const char *t = type_start; t < p; t++)
	{
		if (!is_ascii_letter(*t) && !is_ascii_digit(*t) && *t != '.' && *t != '-')
			return "purl type may contain only ASCII letters, digits, \".\" and \"-\"";
		*w++ = (*t >= 'A' && *t <= 'Z') ? *t + ('a' - 'A') : *t;
	}
	out->type = buf;
	out->type_len = p - type_start;
	out->known_type = purl_type_by_name(out->type, out->type_len);

	/* the rest of the path: namespace segments, name, "@version" */
	path = (p < end) ? p + 1 : end;
	while (end > path && end[-1] == '/')
		end--;
	if (path == end)
		return "missing package name";
	slash = memrchr_bounded(path, end, '/');
	last_segment = slash ? slash + 1 : path;
	at = memrchr_bounded(last_segment, end, '@');
	if (at == last_segment)
		return "missing package name";

	raw_name = w;
	if (name_includes_namespace(out->known_type) && slash != NULL)
	{
		const char *seg = path;

		while (seg < slash)
		{
			const char *seg_end = memchr(seg, '/', slash - seg);

			if (seg_end == NULL)
				seg_end = slash;
			/* empty segments ("a//b") are discarded */
			if (seg_end > seg)
			{
				err = percent_decode(seg, seg_end - seg, w, &n);
				if (err != DECODE_OK)
					return decode_messages[PART_NAMESPACE][err];
				if (memchr(w, '/', n) != NULL)
					return "namespace segment contains a percent-encoded \"/\"";
				w += n;
				*w++ = '/';
			}
			seg = seg_end + 1;
		}
	}
	err = percent_decode(last_segment, (at ? at : end) - last_segment, w, &n);
	if (err != DECODE_OK)
		return decode_messages[PART_NAME][err];
	w += n;
	out->name = raw_name;
	out->name_len = w - raw_name;

	if (at != NULL)
	{
		if (at + 1 == end)
			return "empty version after \"@\"";
		err = percent_decode(at + 1, end - (at + 1), w, &n);
		if (err != DECODE_OK)
			return decode_messages[PART_VERSION][err];
		out->version = w;
		out->version_len = n;
		w += n;
	}

	if (end < limit)
	{
		const char *q = memchr(end, '?', limit - end);
		const char *hash = memchr(end, '#', limit - end);

		if (q != NULL && (hash == NULL || q < hash) &&
			distro_qualifier(q + 1, (hash ? hash : limit) - (q + 1), w, &n))
		{
			out->distro = w;
			out->distro_len = n;
			w += n;
		}
	}

	/* doc/format.md section 8, into the second half of the buffer */
	if (out->known_type != NULL)
	{
		out->name_len = purl_normalize_name(out->known_type->id, raw_name,
											out->name_len, w);
		out->name = w;
	}
	return NULL;
}
