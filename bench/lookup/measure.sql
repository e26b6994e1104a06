-- bench/lookup/measure.sql: times the lookup forms against the baseline, a
-- plain indexed join that fetches the same packages without deciding.
\set ON_ERROR_STOP 1
\pset footer off

-- Elapsed milliseconds of the best of :runs executions (after one warm-up).
CREATE FUNCTION bench.best_ms(query text, runs int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    best numeric;
    t0 timestamptz;
    ms numeric;
BEGIN
    EXECUTE query;
    FOR r IN 1 .. runs LOOP
        t0 := clock_timestamp();
        EXECUTE query;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        best := least(best, ms);
    END LOOP;
    RETURN round(best, 1);
END
$$;

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

-- The baseline: a nested loop over the primary key, reading the columns the
-- decision would read.
SET enable_hashjoin = off;
SET enable_mergejoin = off;
CREATE TABLE bench.timing AS
SELECT 'baseline: indexed join, no decision' AS what, bench.best_ms($$
    SELECT count(*), sum(length(p.lowest_version) + length(p.highest_version)
                         + cardinality(p.default_licenses) + cardinality(p.other_licenses))
      FROM bench.component k
      LEFT JOIN pkgmeta.packages p ON p.purl_type = k.type_id AND p.name = k.name$$, :runs) AS ms;
RESET enable_hashjoin;
RESET enable_mergejoin;
INSERT INTO bench.timing
SELECT 'pkgmeta_bulk_licenses(arrays)', bench.best_ms($$
    SELECT count(*) FROM bench.arrays a, pkgmeta_bulk_licenses(a.types, a.names, a.versions)$$, :runs);
INSERT INTO bench.timing
SELECT 'pkgmeta_sbom_licenses(CycloneDX)', bench.best_ms($$
    SELECT count(*) FROM bench.sbom s, pkgmeta_sbom_licenses(s.doc)$$, :runs);

SELECT what, ms,
       round(:components / (ms / 1000)) AS lookups_per_second,
       round(ms / (SELECT ms FROM bench.timing WHERE what LIKE 'baseline%'), 2) AS ratio_to_baseline
  FROM bench.timing;
