-- bench/watch/watch_measure.sql: pkgmeta_watch of the big SBOM (a new
-- inventory each round) against pkgmeta_sbom_vulnerabilities of the same
-- SBOM, and a re-watch of it unchanged (as a pipeline watches each build),
-- interleaved, best of :runs.
\set ON_ERROR_STOP 1
\pset footer off
\ir ../lookup/timing.sql
\o /dev/null
SELECT pkgmeta_watch('big-again', s.doc) FROM bench.big_sbom s;
\o
INSERT INTO bench.query VALUES
(1, 'pkgmeta_sbom_vulnerabilities', '',
 $$SELECT count(*), count(*) FILTER (WHERE v.affected), sum(v.epss_score)
     FROM bench.big_sbom s, pkgmeta_sbom_vulnerabilities(s.doc) v$$),
(2, 'pkgmeta_watch', '',
 $$SELECT pkgmeta_watch('big-' || pg_catalog.gen_random_uuid(), s.doc) FROM bench.big_sbom s$$),
(3, 'pkgmeta_watch again, unchanged', '',
 $$SELECT pkgmeta_watch('big-again', s.doc) FROM bench.big_sbom s$$);
CREATE TABLE bench.timing AS SELECT * FROM bench.best_ms(:runs);
SELECT (SELECT jsonb_array_length(doc -> 'components') FROM bench.big_sbom) AS components,
       (SELECT count(*) FROM pkgmeta_sbom_vulnerabilities((SELECT doc FROM bench.big_sbom)) v
         WHERE v.affected) AS affected_pairs;
SELECT what, ms,
       round(ms / (SELECT ms FROM bench.timing WHERE what = 'pkgmeta_sbom_vulnerabilities'), 2)
           AS ratio_to_sbom_vulnerabilities
  FROM bench.timing;
