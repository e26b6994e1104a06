/*
 * distro.c
 *     Matching an advisory's distro against an SBOM's operating system
 *     (doc/ranges.md, OS rule): the name must be equal, the
 *     SBOM's version is cut to what the distribution's advisories name
 *     (debian 12 for 12.5, alpine 3.19 for 3.19.1, ...).
 */
#include <string.h>

#include "distro.h"

typedef struct Span
{
	const char *s;
	size_t		len;
} Span;

/* Ubuntu releases as advisories name them, ESM ones included */
static const char *const ubuntu_releases[] = {
	"4.10", "5.04", "5.10", "6.06", "6.10", "7.04", "7.10", "8.04", "8.10",
	"9.04", "9.10", "10.04", "10.10", "11.04", "11.10", "12.04", "12.10",
	"13.04", "13.10", "14.04", "14.10", "15.04", "15.10", "16.04", "16.10",
	"17.04", "17.10", "18.04", "18.10", "19.04", "19.10", "20.04", "20.10",
	"21.04", "21.10", "22.04", "22.10", "23.04",
	"12.04-ESM", "14.04-ESM", "16.04-ESM", "18.04-ESM",
};

/* Amazon Linux releases named by their first word; any other is "1" */
static const char *const amazon_releases[] = {"2", "2022", "2023"};

static bool
span_is(Span a, const char *w)
{
	return a.len == strlen(w) && memcmp(a.s, w, a.len) == 0;
}

static bool
span_in(Span a, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (span_is(a, list[i]))
			return true;
	return false;
}

/* the first parts of a dotted version: "2.0.20220122" -> "2.0" for parts 2 */
static Span
leading_parts(Span v, int parts)
{
	for (size_t i = 0; i < v.len; i++)
		if (v.s[i] == '.' && --parts == 0)
			return (Span) {v.s, i};
	return v;
}

static Span
normalized_version(Span name, Span v)
{
	static const char *const major_only[] = {"alma", "debian", "rocky", "Oracle Linux"};

	if (span_is(name, "CBL-Mariner"))
		return leading_parts(v, 2);
	if (span_in(name, major_only, sizeof(major_only) / sizeof(major_only[0])))
		return leading_parts(v, 1);
	if (span_is(name, "Red Hat") || span_is(name, "wolfi"))
		return (Span) {v.s, 0};
	if (span_is(name, "alpine"))
		return memchr(v.s, '_', v.len) ? (Span) {"edge", 4} : leading_parts(v, 2);
	if (span_is(name, "amazon linux"))
	{
		Span		word = v;
		const char *space = memchr(v.s, ' ', v.len);

		if (space != NULL)
			word.len = space - v.s;
		return span_in(word, amazon_releases, sizeof(amazon_releases) / sizeof(amazon_releases[0]))
			? word : (Span) {"1", 1};
	}
	if (span_is(name, "ubuntu"))
	{
		size_t		n = sizeof(ubuntu_releases) / sizeof(ubuntu_releases[0]);
		Span		base = {v.s, v.len >= 4 ? v.len - 4 : 0};

		if (!span_in(v, ubuntu_releases, n) && v.len >= 4 &&
			memcmp(v.s + base.len, "-ESM", 4) == 0 && span_in(base, ubuntu_releases, n))
			return base;
	}
	return v;
}

bool
distro_matches(const char *advisory, size_t alen,
			   const char *os_name, size_t nlen,
			   const char *os_version, size_t vlen)
{
	Span		whole = {advisory, alen};
	Span		name = whole;
	Span		version = {advisory + alen, 0};
	Span		os = {os_name, nlen};
	Span		wanted;

	if (!span_is(whole, "Red Hat") && !span_is(whole, "wolfi"))
	{
		for (size_t i = alen; i > 0; i--)
			if (advisory[i - 1] == ' ')
			{
				name.len = i - 1;
				version = (Span) {advisory + i, alen - i};
				break;
			}
	}
	if (name.len != os.len || memcmp(name.s, os.s, os.len) != 0)
		return false;
	wanted = normalized_version(os, (Span) {os_version, vlen});
	return wanted.len == version.len && memcmp(wanted.s, version.s, version.len) == 0;
}
