/*
 * fuzz_version.c
 *     libFuzzer target of every version ordering (src/version*.c).
 *
 *     Input: one byte choosing the purl type (among those with an
 *     ordering), then up to three versions separated by NUL bytes (which no
 *     version string can hold).
 *
 *     Properties (abort on violation): a comparison either parses both
 *     versions and answers -1, 0 or 1, or fails with a message; parsing does
 *     not depend on the other operand's position (ok(a,b) == ok(b,a));
 *     reflexivity cmp(a,a) == 0; antisymmetry cmp(a,b) == -cmp(b,a);
 *     transitivity over the three versions, for <= and for ==.
 *
 *     Maven is exempt from transitivity: its reference, ComparableVersion
 *     (maven-artifact 3.x), is not transitive itself, and pkgmeta follows it.
 *     fuzz/regress/fuzz_version/maven-not-transitive holds the cycle the
 *     fuzzer found, which maven-artifact orders the same way:
 *     1.-0aLpha-2 < 1.0.0.RELEASE < 1.0-SNAPS!HOT < 1.-0aLpha-2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

typedef struct Version
{
	const char *s;
	size_t		len;
} Version;

static PurlTypeId ordered[PURL_TYPE_MAX];
static int	nordered;

static void
fail(PurlTypeId type, const char *what, const Version *v, int n)
{
	fprintf(stderr, "fuzz property violated: %s (purl type %d)", what, (int) type);
	for (int i = 0; i < n; i++)
		fprintf(stderr, " [%.*s]", (int) v[i].len, v[i].s);
	fputc('\n', stderr);
	abort();
}

/* cmp(a, b), or 2 when either does not parse */
static int
compare(PurlTypeId type, const Version *a, const Version *b)
{
	int			cmp = 42;
	const char *error = NULL;

	if (!version_compare(type, a->s, a->len, b->s, b->len, &cmp, &error))
	{
		if (error == NULL || error[0] == '\0')
			fail(type, "failed without a message", a, 1);
		return 2;
	}
	if (cmp < -1 || cmp > 1)
		fail(type, "answer outside -1, 0, 1", a, 1);
	return cmp;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	PurlTypeId	type;
	Version		v[3];
	int			n = 0;
	const char *p;
	const char *end;
	int			c[3][3];

	if (nordered == 0)
		for (int t = PURL_TYPE_MIN; t <= PURL_TYPE_MAX; t++)
			if (version_has_ordering((PurlTypeId) t))
				ordered[nordered++] = (PurlTypeId) t;
	if (size < 1)
		return 0;
	type = ordered[data[0] % nordered];
	p = (const char *) data + 1;
	end = (const char *) data + size;
	while (n < 3)
	{
		const char *nul = memchr(p, '\0', end - p);

		v[n].s = p;
		v[n].len = (nul ? nul : end) - p;
		n++;
		if (nul == NULL)
			break;
		p = nul + 1;
	}

	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			c[i][j] = compare(type, &v[i], &v[j]);
	for (int i = 0; i < n; i++)
	{
		if (c[i][i] != 0 && c[i][i] != 2)
			fail(type, "cmp(a, a) != 0", &v[i], 1);
		for (int j = 0; j < n; j++)
		{
			Version		pair[2] = {v[i], v[j]};

			if ((c[i][j] == 2) != (c[j][i] == 2))
				fail(type, "parses in one order only", pair, 2);
			if (c[i][j] != 2 && c[i][j] != -c[j][i])
				fail(type, "cmp(a, b) != -cmp(b, a)", pair, 2);
			if (c[i][j] != 2 && c[i][i] == 2)
				fail(type, "a compares with b but not with itself", pair, 2);
		}
	}
	if (type == PURL_MAVEN)
		return 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			for (int k = 0; k < n; k++)
			{
				Version		triple[3] = {v[i], v[j], v[k]};

				if (c[i][j] == 2 || c[j][k] == 2)
					continue;
				if (c[i][j] <= 0 && c[j][k] <= 0 && c[i][k] > 0)
					fail(type, "a <= b, b <= c but a > c", triple, 3);
				if (c[i][j] == 0 && c[j][k] == 0 && c[i][k] != 0)
					fail(type, "a == b, b == c but a != c", triple, 3);
				if (c[i][j] < 0 && c[j][k] <= 0 && c[i][k] >= 0)
					fail(type, "a < b, b <= c but a >= c", triple, 3);
			}
	return 0;
}
