-- bench/vulnerabilities/measure.sql: pkgmeta_sbom_vulnerabilities against
-- pkgmeta_sbom_licenses on the same SBOM, interleaved in the same run.
\set ON_ERROR_STOP 1
\pset footer off

\ir ../lookup/timing.sql

SELECT (SELECT count(*) FROM pkgmeta.advisories) AS advisories,
       (SELECT count(*) FROM pkgmeta.advisory_packages) AS affected_packages,
       (SELECT count(*) FROM pkgmeta.advisory_packages WHERE compiled_range IS NULL) AS uncompiled,
       (SELECT count(*) FROM pkgmeta.packages) AS packages,
       (SELECT cardinality(pkgmeta_sbom_requests(doc)) FROM bench.sbom) AS components;
-- what the SBOM's components match, per ecosystem
SELECT t.name AS purl_type, count(*) AS pairs, count(*) FILTER (WHERE v.affected) AS affected,
       count(*) FILTER (WHERE v.affected IS NULL) AS undecided,
       count(DISTINCT v.bom_ref) AS components_hit
  FROM pkgmeta_sbom_vulnerabilities((SELECT doc FROM bench.sbom)) v
  JOIN pkgmeta.purl_types t ON v.purl LIKE 'pkg:' || t.name || '/%'
 GROUP BY t.name ORDER BY t.name;

INSERT INTO bench.query VALUES
(1, 'pkgmeta_sbom_licenses', '',
 $$SELECT count(*), count(*) FILTER (WHERE l.licenses <> '{unknown}')
     FROM bench.sbom s, pkgmeta_sbom_licenses(s.doc) l$$),
(2, 'pkgmeta_sbom_vulnerabilities', '',
 $$SELECT count(*), count(*) FILTER (WHERE v.affected), count(v.fix_version), sum(v.epss_score)
     FROM bench.sbom s, pkgmeta_sbom_vulnerabilities(s.doc) v$$);

CREATE TABLE bench.timing AS SELECT * FROM bench.best_ms(:runs);

SELECT what, ms,
       round(ms / (SELECT ms FROM bench.timing WHERE what = 'pkgmeta_sbom_licenses'), 2)
           AS ratio_to_licenses
  FROM bench.timing;
