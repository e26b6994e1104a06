/*
 * fuzz_purl.c
 *     libFuzzer target of the purl parser (src/purl.c).
 *
 *     Input: the purl.  SQL text is UTF-8 without NUL, so only such input
 *     is checked for UTF-8 output; any other input must merely not crash.
 *
 *     Properties (abort on violation): a purl parses or fails with a
 *     message; a parsed purl's type is lower case letters, digits, "." and
 *     "-", its parts lie inside the caller's buffer and are UTF-8 without
 *     NUL, the export type matches the type's name, the name is already
 *     normalized (normalizing again changes nothing); parsing again into
 *     another buffer gives the same answer; writing the parts back as a
 *     canonical purl parses to the same parts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purl.h"

static void
fail(const char *what, const char *purl, size_t len)
{
	fprintf(stderr, "fuzz property violated: %s: [%.*s]\n", what, (int) len, purl);
	abort();
}

static bool
inside(const char *p, size_t n, const char *buf, size_t size)
{
	return p >= buf && n <= size && (size_t) (p - buf) <= size - n;
}

static bool
utf8_without_nul(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;)
	{
		size_t		n = s[i] < 0x80 ? 0 : s[i] < 0xE0 ? 1 : s[i] < 0xF0 ? 2 : 3;

		if (s[i] == 0 || (s[i] >= 0x80 && s[i] < 0xC2) || s[i] > 0xF4 || len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

/* Percent-encodes all but unreserved characters (and '/' when keep_slash). */
static size_t
encode(char *dst, const char *src, size_t len, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		out = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) src[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '.' || c == '-' || c == '_' || c == '~' || (keep_slash && c == '/'))
			dst[out++] = (char) c;
		else
		{
			dst[out++] = '%';
			dst[out++] = hex[c >> 4];
			dst[out++] = hex[c & 15];
		}
	}
	return out;
}

static bool
same(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *purl = (const char *) data;
	size_t		bufsize = PURL_BUFFER_SIZE(size);
	char	   *buf = malloc(bufsize);
	Purl		p;
	const char *error = purl_parse(purl, size, buf, &p);
	char	   *other = malloc(bufsize);
	Purl		o;

	if (purl_parse(purl, size, other, &o) != error ||
		(error == NULL &&
		 (!same(o.type, o.type_len, p.type, p.type_len) ||
		  !same(o.name, o.name_len, p.name, p.name_len) ||
		  (o.version == NULL) != (p.version == NULL) ||
		  (p.version && !same(o.version, o.version_len, p.version, p.version_len)))))
		fail("a second parse answers differently", purl, size);
	free(other);
	if (error != NULL)
	{
		if (error[0] == '\0')
			fail("failed without a message", purl, size);
		free(buf);
		return 0;
	}
	if (p.type_len == 0 || p.name_len == 0)
		fail("parsed without a type or a name", purl, size);
	if (!inside(p.type, p.type_len, buf, bufsize) || !inside(p.name, p.name_len, buf, bufsize) ||
		(p.version && !inside(p.version, p.version_len, buf, bufsize)))
		fail("a part lies outside the buffer", purl, size);
	for (size_t i = 0; i < p.type_len; i++)
		if (!((p.type[i] >= 'a' && p.type[i] <= 'z') || (p.type[i] >= '0' && p.type[i] <= '9') ||
			  p.type[i] == '.' || p.type[i] == '-'))
			fail("type not lower case letters, digits, '.', '-'", purl, size);
	if (utf8_without_nul(data, size) &&
		(!utf8_without_nul((const unsigned char *) p.name, p.name_len) ||
		 (p.version && !utf8_without_nul((const unsigned char *) p.version, p.version_len))))
		fail("name or version not UTF-8 without NUL", purl, size);
	if (p.known_type != purl_type_by_name(p.type, p.type_len))
		fail("export type does not match the type", purl, size);
	if (p.known_type)
	{
		char	   *again = malloc(p.name_len);
		size_t		n = purl_normalize_name(p.known_type->id, p.name, p.name_len, again);

		if (!same(again, n, p.name, p.name_len))
			fail("name is not normalized", purl, size);
		free(again);
	}

	/*
	 * Round trip.  Types that keep "namespace/name" join segments with '/',
	 * so a name with an empty segment (from an encoded '/') cannot be
	 * written back: leave those out.
	 */
	{
		bool		joins = p.known_type == NULL ||
			p.known_type->id == PURL_MAVEN || p.known_type->id == PURL_NPM ||
			p.known_type->id == PURL_GOLANG || p.known_type->id == PURL_COMPOSER ||
			p.known_type->id == PURL_CONAN;
		bool		ambiguous = joins &&
			(p.name[0] == '/' || p.name[p.name_len - 1] == '/');

		for (size_t i = 1; joins && i < p.name_len; i++)
			ambiguous |= p.name[i - 1] == '/' && p.name[i] == '/';

		if (!ambiguous && utf8_without_nul(data, size))
		{
			size_t		cap = 8 + p.type_len + 3 * (p.name_len + p.version_len);
			char	   *canon = malloc(cap);
			char	   *buf2;
			size_t		n = 0;
			Purl		q;
			const char *error2;

			memcpy(canon, "pkg:", 4);
			n = 4;
			memcpy(canon + n, p.type, p.type_len);
			n += p.type_len;
			canon[n++] = '/';
			n += encode(canon + n, p.name, p.name_len, joins);
			if (p.version)
			{
				canon[n++] = '@';
				n += encode(canon + n, p.version, p.version_len, false);
			}
			buf2 = malloc(PURL_BUFFER_SIZE(n));
			error2 = purl_parse(canon, n, buf2, &q);
			if (error2 != NULL)
				fail("canonical form does not parse", canon, n);
			if (!same(q.type, q.type_len, p.type, p.type_len) ||
				!same(q.name, q.name_len, p.name, p.name_len) ||
				(q.version == NULL) != (p.version == NULL) ||
				(p.version && !same(q.version, q.version_len, p.version, p.version_len)))
				fail("canonical form parses to other parts", canon, n);
			free(buf2);
			free(canon);
		}
	}
	free(buf);
	return 0;
}
