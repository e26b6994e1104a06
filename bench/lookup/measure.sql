-- bench/lookup/measure.sql: times the lookup forms against the baseline, a
-- plain indexed join that fetches the same packages without deciding.
\set ON_ERROR_STOP 1
\pset footer off

\ir timing.sql

CREATE TABLE bench.arrays AS
SELECT array_agg(t.name ORDER BY c.j) AS types, array_agg(c.name ORDER BY c.j) AS names,
       array_agg(c.version ORDER BY c.j) AS versions
  FROM bench.component c JOIN pkgmeta.purl_types t ON t.id = c.type_id;

SELECT count(*) AS packages FROM pkgmeta.packages;
SELECT jsonb_array_length(doc -> 'components') AS top_level_components,
       (SELECT count(*) FROM pkgmeta_sbom_licenses(doc)) AS components_with_purl
  FROM bench.sbom;
-- what the SBOM asks, and what the lookup answers
SELECT c.kind, count(*) AS components,
       count(*) FILTER (WHERE l.licenses <> '{unknown}') AS answered
  FROM pkgmeta_sbom_licenses((SELECT doc FROM bench.sbom)) l
  JOIN bench.component c ON 'c' || c.j = l.bom_ref
 GROUP BY c.kind ORDER BY c.kind;

-- The baseline: a nested loop over the primary key reading the columns the
-- decision reads, in one process like the lookup functions (a parallel plan
-- is shown for comparison).
INSERT INTO bench.query VALUES
(1, 'baseline: indexed join, no decision',
 'SET enable_hashjoin = off; SET enable_mergejoin = off; SET max_parallel_workers_per_gather = 0',
 $$SELECT count(*), sum(length(p.lowest_version) + length(p.highest_version)
                        + cardinality(p.default_licenses) + cardinality(p.other_licenses))
     FROM bench.component k
     LEFT JOIN pkgmeta.packages p ON p.purl_type = k.type_id AND p.name = k.name$$),
(2, 'same join, parallel plan allowed', 'SET enable_hashjoin = off; SET enable_mergejoin = off',
 $$SELECT count(*), sum(length(p.lowest_version) + length(p.highest_version)
                        + cardinality(p.default_licenses) + cardinality(p.other_licenses))
     FROM bench.component k
     LEFT JOIN pkgmeta.packages p ON p.purl_type = k.type_id AND p.name = k.name$$),
(3, 'pkgmeta_bulk_licenses(arrays)', '',
 $$SELECT count(*), count(*) FILTER (WHERE l.licenses <> '{unknown}')
     FROM bench.arrays a, pkgmeta_bulk_licenses(a.types, a.names, a.versions) l$$),
(4, 'pkgmeta_sbom_licenses(CycloneDX)', '',
 $$SELECT count(*), count(*) FILTER (WHERE l.licenses <> '{unknown}')
     FROM bench.sbom s, pkgmeta_sbom_licenses(s.doc) l$$);

CREATE TABLE bench.timing AS SELECT * FROM bench.best_ms(:runs);

SELECT what, ms,
       round(:components / (ms / 1000)) AS lookups_per_second,
       round(ms / (SELECT ms FROM bench.timing WHERE what LIKE 'baseline%'), 2) AS ratio_to_baseline
  FROM bench.timing;
