/*
 * version_harness.c
 *     Standalone driver of the version orderings (src/version*.c), for the
 *     differential tests; no server needed.
 *
 *     version_harness compare      reads "type<TAB>a<TAB>b" lines and prints
 *                                  -1, 0 or 1, or "invalid<TAB>reason"
 *     version_harness order TYPE   reads one version per line and checks that
 *                                  the ordering is a total preorder on them:
 *                                  reflexive, antisymmetric, transitive;
 *                                  prints the first violations, then a summary
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "purl_types.h"
#include "version.h"

static char *
next_field(char **cursor)
{
	char	   *start = *cursor;
	char	   *tab;

	if (start == NULL)
		return NULL;
	tab = strchr(start, '\t');
	if (tab != NULL)
	{
		*tab = '\0';
		*cursor = tab + 1;
	}
	else
		*cursor = NULL;
	return start;
}

static void
chomp(char *line)
{
	size_t		n = strlen(line);

	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
}

static int
run_compare(void)
{
	char	   *line = NULL;
	size_t		cap = 0;

	while (getline(&line, &cap, stdin) >= 0)
	{
		char	   *cursor = line;
		char	   *type,
				   *a,
				   *b;
		const PurlType *pt;
		const char *error = NULL;
		int			cmp;

		chomp(line);
		type = next_field(&cursor);
		a = next_field(&cursor);
		b = next_field(&cursor);
		if (type == NULL || a == NULL || b == NULL)
		{
			fprintf(stderr, "bad input line\n");
			return 2;
		}
		pt = purl_type_by_name(type, strlen(type));
		if (pt == NULL)
		{
			fprintf(stderr, "unknown purl type %s\n", type);
			return 2;
		}
		if (version_compare(pt->id, a, strlen(a), b, strlen(b), &cmp, &error))
			printf("%d\n", cmp);
		else
			printf("invalid\t%s\n", error);
	}
	free(line);
	return 0;
}

static PurlTypeId order_type;

static int
cmp_versions(const char *a, const char *b)
{
	int			cmp = 0;
	const char *error;

	if (!version_compare(order_type, a, strlen(a), b, strlen(b), &cmp, &error))
	{
		fprintf(stderr, "cannot compare \"%s\" and \"%s\": %s\n", a, b, error);
		exit(2);
	}
	return cmp;
}

static int
run_order(const char *type)
{
	char	   *line = NULL;
	size_t		linecap = 0;
	const PurlType *pt = purl_type_by_name(type, strlen(type));
	char	  **v = NULL;
	int		   *rank;
	size_t		n = 0,
				cap = 0;
	long		asymmetric = 0,
				intransitive = 0,
				pairs = 0;

	if (pt == NULL)
	{
		fprintf(stderr, "unknown purl type %s\n", type);
		return 2;
	}
	order_type = pt->id;
	while (getline(&line, &linecap, stdin) >= 0)
	{
		int			cmp;
		const char *error;

		chomp(line);
		/* only versions the ordering accepts take part */
		if (!version_compare(order_type, line, strlen(line), line, strlen(line), &cmp, &error))
			continue;
		if (n == cap)
		{
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
		}
		v[n++] = strdup(line);
	}
	free(line);
	/* insertion sort: safe whatever the comparator does */
	for (size_t i = 1; i < n; i++)
	{
		char	   *x = v[i];
		size_t		j = i;

		while (j > 0 && cmp_versions(v[j - 1], x) > 0)
		{
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
	/* ranks of the sorted run; a total preorder must agree with them */
	rank = calloc(n ? n : 1, sizeof(*rank));
	for (size_t i = 1; i < n; i++)
		rank[i] = rank[i - 1] + (cmp_versions(v[i - 1], v[i]) != 0);
	for (size_t i = 0; i < n; i++)
	{
		if (cmp_versions(v[i], v[i]) != 0)
		{
			printf("not reflexive: %s\n", v[i]);
			asymmetric++;
		}
		for (size_t j = i + 1; j < n; j++)
		{
			int			expect = rank[i] < rank[j] ? -1 : 0;
			int			ab = cmp_versions(v[i], v[j]);
			int			ba = cmp_versions(v[j], v[i]);

			pairs++;
			if (ab != -ba)
			{
				if (asymmetric++ < 20)
					printf("not antisymmetric: %s vs %s: %d and %d\n", v[i], v[j], ab, ba);
			}
			else if (ab != expect)
			{
				if (intransitive++ < 20)
					printf("not transitive: %s vs %s: %d, sorted ranks %d and %d\n",
						   v[i], v[j], ab, rank[i], rank[j]);
			}
		}
	}
	printf("%zu versions, %ld pairs, %ld not antisymmetric, %ld not transitive\n",
		   n, pairs, asymmetric, intransitive);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(rank);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "compare") == 0)
		return run_compare();
	if (argc == 3 && strcmp(argv[1], "order") == 0)
		return run_order(argv[2]);
	fprintf(stderr, "usage: %s compare | order TYPE\n", argv[0]);
	return 2;
}
